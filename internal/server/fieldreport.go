package server

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/kolgraph/kolgraph/internal/fieldservice"
	"github.com/kolgraph/kolgraph/internal/fieldwork"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// FieldReports builds the field execution downloads for the caller, from
// its store and analytics with the current settings.
type FieldReports interface {
	// KAMMonth is a KAM's month of the call plan of req (req.Config is the
	// source's).
	KAMMonth(ctx context.Context, req fieldservice.CallPlanRequest, kam string, lang labels.Lang) (*fieldwork.PlanReport, *fieldservice.CallPlan, error)
	// Activities is the activity ROI report of req.
	Activities(ctx context.Context, req fieldservice.ActivityRequest, lang labels.Lang) (*fieldwork.ROIReport, error)
}

// kamParams are the query parameters of GET /reports/kam-plan and
// /reports/calendar.
var kamParams = []string{"kam", "territory", "hospital", "department", "product", "asOf", "month", "format", "lang"}

// kamRequest reads a KAM month's parameters: kam (required), one of
// territory, hospital or department (none: everything the caller sees),
// product, asOf (YYYY-MM-DD, default today UTC) and month (YYYY-MM,
// default asOf's).
func kamRequest(q url.Values) (fieldservice.CallPlanRequest, string, error) {
	kam := q.Get("kam")
	if kam == "" {
		return fieldservice.CallPlanRequest{}, "", kolgraph.Errorf(kolgraph.EINVALID, "give the KAM's user id: kam=U004")
	}
	req := fieldservice.CallPlanRequest{
		Scope:     snapshot.Scope{Territory: q.Get("territory"), Hospital: q.Get("hospital"), Department: q.Get("department")},
		ProductID: q.Get("product"), Month: q.Get("month"), AsOf: time.Now().UTC().Truncate(24 * time.Hour),
	}
	if v := q.Get("asOf"); v != "" {
		d, ok := kolgraph.ParseDate(v)
		if !ok {
			return req, "", kolgraph.Errorf(kolgraph.EINVALID, "asOf must be a date YYYY-MM-DD (got %q)", kolgraph.Clip(v))
		}
		req.AsOf = d
	}
	return req, kam, nil
}

// kamPlan serves GET /reports/kam-plan?kam=U004&territory=T01&product=RX01
// &month=2026-12&format=html|xlsx&lang=: a KAM's monthly plan (the planned
// visits by date, the workload against the capacity with its warning, the
// overdue accounts) as a printable HTML page (default) or an XLSX
// workbook. Errors as tieringReport's.
func (s *Server) kamPlan(src FieldReports) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, lang, err := reportQuery(r, kamParams)
		if err != nil {
			s.reportError(w, r, err)
			return
		}
		req, kam, err := kamRequest(q)
		if err != nil {
			s.reportError(w, r, err)
			return
		}
		format, write, ctype, err := htmlOrXLSX(q.Get("format"), fieldwork.WritePlanHTML, fieldwork.WritePlanXLSX)
		if err != nil {
			s.reportError(w, r, err)
			return
		}
		rep, p, err := src.KAMMonth(r.Context(), req, kam, lang)
		if err != nil {
			s.reportError(w, r, err)
			return
		}
		var buf bytes.Buffer
		if err := write(&buf, rep); err != nil {
			s.reportError(w, r, fmt.Errorf("write %s KAM plan: %w", format, err))
			return
		}
		sendReport(w, ctype, fmt.Sprintf("kolgraph-plan-%s-%s.%s", kam, rep.Month, format), p.Result.GraphVersion, buf.Bytes())
	})
}

// xlsxType is the media type of an XLSX workbook.
const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// htmlOrXLSX picks a report's writer and media type by its format
// parameter: html (the default) or xlsx.
func htmlOrXLSX[R any](format string, html, xlsx func(io.Writer, R) error) (string, func(io.Writer, R) error, string, error) {
	switch format {
	case "", "html":
		return "html", html, "text/html; charset=utf-8", nil
	case "xlsx":
		return "xlsx", xlsx, xlsxType, nil
	}
	return "", nil, "", kolgraph.Errorf(kolgraph.EINVALID, "format must be html or xlsx (got %q)", format)
}

// calendar serves GET /reports/calendar?kam=U004&territory=T01&product=RX01
// &month=2026-12: a KAM's planned visits of the month as an iCalendar file
// (RFC 5545) that Outlook, WeCom and phone calendars import; visit UIDs
// are stable, so importing the next version updates visits instead of
// doubling them. Parameters as kamPlan's, without format.
func (s *Server) calendar(src FieldReports) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, lang, err := reportQuery(r, kamParams)
		if err == nil && q.Get("format") != "" && q.Get("format") != "ics" {
			err = kolgraph.Errorf(kolgraph.EINVALID, "a calendar is an iCalendar file: format must be ics or omitted (got %q)", q.Get("format"))
		}
		if err != nil {
			s.reportError(w, r, err)
			return
		}
		req, kam, err := kamRequest(q)
		if err != nil {
			s.reportError(w, r, err)
			return
		}
		rep, p, err := src.KAMMonth(r.Context(), req, kam, lang)
		if err != nil {
			s.reportError(w, r, err)
			return
		}
		var buf bytes.Buffer
		if err := fieldwork.WriteICS(&buf, lang, rep.KAMName, rep.Visits, time.Now()); err != nil {
			s.reportError(w, r, fmt.Errorf("write calendar: %w", err))
			return
		}
		sendReport(w, "text/calendar; charset=utf-8", fmt.Sprintf("kolgraph-visits-%s-%s.ics", kam, rep.Month), p.Result.GraphVersion, buf.Bytes())
	})
}

// activityParams are the query parameters of GET /reports/activities.
var activityParams = []string{"territory", "product", "owner", "from", "to", "format", "lang"}

// activityReport serves GET /reports/activities?territory=T01&product=RX01
// &from=2026-01-01&to=2026-12-31&format=html|xlsx&lang=: the academic
// activities' ROI (cost share and prescription lift against their
// targets) and compliance flags, one row per activity, as a printable
// HTML page (default) or an XLSX workbook. Errors as tieringReport's.
func (s *Server) activityReport(src FieldReports) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, lang, err := reportQuery(r, activityParams)
		if err != nil {
			s.reportError(w, r, err)
			return
		}
		format, write, ctype, err := htmlOrXLSX(q.Get("format"), fieldwork.WriteROIHTML, fieldwork.WriteROIXLSX)
		if err != nil {
			s.reportError(w, r, err)
			return
		}
		req := fieldservice.ActivityRequest{TerritoryID: q.Get("territory"), ProductID: q.Get("product"), OwnerID: q.Get("owner"),
			From: q.Get("from"), To: q.Get("to")}
		rep, err := src.Activities(r.Context(), req, lang)
		if err != nil {
			s.reportError(w, r, err)
			return
		}
		var buf bytes.Buffer
		if err := write(&buf, rep); err != nil {
			s.reportError(w, r, fmt.Errorf("write %s activity report: %w", format, err))
			return
		}
		name := "kolgraph-activities"
		if req.TerritoryID != "" {
			name += "-" + req.TerritoryID
		}
		sendReport(w, ctype, name+"."+format, "", buf.Bytes())
	})
}
