package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
	"github.com/kolgraph/kolgraph/internal/planreport"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/tiering"
)

// TieringReports builds tiering reports (tiering.Service does).
type TieringReports interface {
	Report(ctx context.Context, req tiering.Request, l account.Level) (*account.Report, error)
}

var _ TieringReports = (*tiering.Service)(nil)

// reportParams are the query parameters of GET /reports/tiering.
var reportParams = []string{"territory", "hospital", "department", "product", "format", "level", "lang"}

// tieringReport serves GET /reports/tiering?territory=T01&product=RX01&format=csv
// as a file download: one of territory, hospital or department (none: every
// hospital), an optional product, format csv (default), xlsx, html or md,
// level hcp (default), department or hospital, and lang zh-CN or en (else
// the Accept-Language header's preference, else zh-CN). When the Auth guard names
// the caller (viewer.UserID, the subject of its verified credential), an
// HCP report cites the top influence paths from that user's contacts (see
// tiering.Service.Report).
//
// The report is rendered into memory before anything is sent, so a failure
// is a clean error status, never a truncated file with 200. Errors are
// answered as every endpoint's (fail): {"errors": [{"message", "extensions":
// {"code"}}]} at the code's status, e.g. 400 for bad parameters (an unknown
// one included, so that a misspelt "teritory" does not quietly return every
// hospital), 404 for an unknown scope or product, 503 before the first
// analytics snapshot or past the request timeout, 500 (logged, generic
// message) for anything uncoded.
func (s *Server) tieringReport(src TieringReports) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, lang, err := reportQuery(r, reportParams)
		if err != nil {
			s.reportError(w, r, err)
			return
		}
		req := tiering.Request{
			Scope:     snapshot.Scope{Territory: q.Get("territory"), Hospital: q.Get("hospital"), Department: q.Get("department")},
			ProductID: q.Get("product"),
		}
		format := tiering.CSV
		if v := q.Get("format"); v != "" {
			if format, err = tiering.ParseFormat(v); err != nil {
				s.reportError(w, r, err)
				return
			}
		}
		level, err := tiering.ParseLevel(q.Get("level"))
		if err != nil {
			s.reportError(w, r, err)
			return
		}
		req.Lang = lang
		// The caller (viewer.UserID, set by the Auth guard from the
		// credential's subject) gets influence paths from its contacts.
		rep, err := src.Report(r.Context(), req, level)
		if err != nil {
			s.reportError(w, r, err)
			return
		}
		var buf bytes.Buffer
		if err := format.Write(&buf, rep); err != nil {
			s.reportError(w, r, fmt.Errorf("write %s report: %w", format, err))
			return
		}
		sendReport(w, format.ContentType(), tiering.FileName(req, level, format), rep.GraphVersion, buf.Bytes())
	})
}

func (s *Server) reportError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		err = kolgraph.Errorf(kolgraph.EUNAVAILABLE, "the report took longer than the request timeout; try again shortly (its influence scores are computed in the background)")
	case errors.Is(err, context.Canceled):
		return // the client went away
	}
	fail(w, r, err)
}

// PlanReports builds account plan documents for the caller.
type PlanReports interface {
	PlanReport(ctx context.Context, id string, lang labels.Lang) (*planreport.Report, error)
}

// planParams are the query parameters of GET /reports/plan.
var planParams = []string{"id", "format", "lang"}

// planReport serves GET /reports/plan?id=AP-...&format=html|md&lang=zh-CN
// as a file download: the account plan with its goals, objectives,
// stakeholders and cited paths, each cited path with its id, hops and its
// health on the current graph (format html, printable, by default; md for
// Markdown). Errors are answered as tieringReport's: 400 for bad
// parameters, 404 for a plan that is unknown or outside the caller's
// territories.
func (s *Server) planReport(src PlanReports) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, lang, err := reportQuery(r, planParams)
		if err != nil {
			s.reportError(w, r, err)
			return
		}
		id := q.Get("id")
		if id == "" {
			s.reportError(w, r, kolgraph.Errorf(kolgraph.EINVALID, "give the plan's id: /reports/plan?id=AP-..."))
			return
		}
		format, err := planreport.ParseFormat(q.Get("format"))
		if err != nil {
			s.reportError(w, r, err)
			return
		}
		rep, err := src.PlanReport(r.Context(), id, lang)
		if err != nil {
			s.reportError(w, r, err)
			return
		}
		var buf bytes.Buffer
		if err := format.Write(&buf, rep); err != nil {
			s.reportError(w, r, fmt.Errorf("write %s plan: %w", format, err))
			return
		}
		sendReport(w, format.ContentType(), rep.FileName(format), rep.GraphVersion, buf.Bytes())
	})
}

// reportQuery checks a report request's query parameters (only allowed
// ones, each once, none empty: an empty id is not "not given") and picks
// its language: lang, else the Accept-Language header's preference, else
// zh-CN.
func reportQuery(r *http.Request, allowed []string) (url.Values, labels.Lang, error) {
	q := r.URL.Query()
	for k, vs := range q {
		switch {
		case !slices.Contains(allowed, k):
			return nil, "", kolgraph.Errorf(kolgraph.EINVALID, "unknown parameter %q; use %v", k, allowed)
		case len(vs) > 1:
			return nil, "", kolgraph.Errorf(kolgraph.EINVALID, "parameter %q given %d times", k, len(vs))
		case vs[0] == "":
			return nil, "", kolgraph.Errorf(kolgraph.EINVALID, "parameter %q is empty; omit it instead", k)
		}
	}
	lang := labels.FromAcceptLanguage(r.Header.Get("Accept-Language"), labels.ZH)
	if v := q.Get("lang"); v != "" {
		l, ok := labels.Parse(v, labels.ZH)
		if !ok {
			return nil, "", kolgraph.Errorf(kolgraph.EINVALID, "lang must be zh-CN or en (got %q)", v)
		}
		lang = l
	}
	return q, lang, nil
}

// sendReport answers a rendered report as a file download.
func sendReport(w http.ResponseWriter, contentType, filename, graphVersion string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	// HCP names are personal data: no shared cache keeps a copy.
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if graphVersion != "" {
		h.Set("X-Graph-Version", graphVersion)
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
