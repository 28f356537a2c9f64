package server_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/server"
	"github.com/kolgraph/kolgraph/internal/tiering"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

// fakeReports records the request and answers with a two-row report or err.
type fakeReports struct {
	err   error
	req   tiering.Request
	level account.Level
	user  string
}

func (f *fakeReports) Report(ctx context.Context, req tiering.Request, l account.Level) (*account.Report, error) {
	f.req, f.level = req, l
	f.user, _ = viewer.UserID(ctx)
	if f.err != nil {
		return nil, f.err
	}
	p, i := 12.5, 0.75
	return &account.Report{
		Title: "Tiering report", Level: l, GraphVersion: "v7", ProductID: req.ProductID, Lang: req.Lang,
		Rows: []account.ReportRow{
			{Level: l, ID: "P1", Name: "=cmd()", Potential: &p, Influence: &i, Segment: account.SegmentA, Cadence: account.Cadence{Code: "BIWEEKLY", Label: "every 2 weeks", IntervalDays: 14}, Playbook: "plan"},
			{Level: l, ID: "P2", Name: "王芳", Note: "unclassified: missing bed_turnover"},
		},
	}, nil
}

func get(t *testing.T, f *fakeReports, url string) *httptest.ResponseRecorder {
	t.Helper()
	return getWith(server.Options{Tiering: f}, url)
}

// getWith answers GET url from a server with o (and a 1 s request
// timeout) in front of a handler that finds nothing.
func getWith(o server.Options, url string) *httptest.ResponseRecorder {
	o.RequestTimeout = time.Second
	srv := server.New(o, zerolog.Nop())
	rec := httptest.NewRecorder()
	srv.Handler(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
	return rec
}

func TestTieringReportDownload(t *testing.T) {
	f := &fakeReports{}
	rec := get(t, f, "/reports/tiering?territory=T01&product=RX01&format=csv")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if f.req.Scope.Territory != "T01" || f.req.ProductID != "RX01" || f.level != account.LevelHCP {
		t.Errorf("asked %+v at level %q, want T01/RX01 at hcp", f.req, f.level)
	}
	if got := rec.Header().Get("Content-Type"); got != "text/csv; charset=utf-8" {
		t.Errorf("content type %q", got)
	}
	disp, params, err := mime.ParseMediaType(rec.Header().Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != "tiering-T01-RX01-hcp.csv" {
		t.Errorf("content disposition %q (%v)", rec.Header().Get("Content-Disposition"), err)
	}
	if got := rec.Header().Get("X-Graph-Version"); got != "v7" {
		t.Errorf("graph version header %q", got)
	}
	body := rec.Body.Bytes()
	if !bytes.HasPrefix(body, []byte("\uFEFF")) {
		t.Error("CSV lacks the UTF-8 byte-order mark Excel needs")
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[1][1] != "P1" || recs[1][2] != "'=cmd()" || recs[2][2] != "王芳" {
		t.Errorf("records %q", recs)
	}
}

func TestTieringReportFormats(t *testing.T) {
	for _, tc := range []struct{ query, contentType, file, marker string }{
		{"hospital=H001&format=html", "text/html; charset=utf-8", "tiering-H001-hcp.html", "<!DOCTYPE html>"},
		{"department=D001-01&format=md&level=department&lang=en", "text/markdown; charset=utf-8", "tiering-D001-01-department.md", "| Segment |"},
		{"territory=T01&format=xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "tiering-T01-hcp.xlsx", "PK"},
		{"level=hospital", "text/csv; charset=utf-8", "tiering-all-hospital.csv", "level,id"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			rec := get(t, &fakeReports{}, "/reports/tiering?"+tc.query)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if got := rec.Header().Get("Content-Type"); got != tc.contentType {
				t.Errorf("content type %q, want %q", got, tc.contentType)
			}
			if _, p, _ := mime.ParseMediaType(rec.Header().Get("Content-Disposition")); p["filename"] != tc.file {
				t.Errorf("file name %q, want %q", p["filename"], tc.file)
			}
			if !strings.Contains(rec.Body.String(), tc.marker) {
				t.Errorf("body lacks %q", tc.marker)
			}
		})
	}
}

func TestTieringReportErrors(t *testing.T) {
	for _, tc := range []struct {
		name, query string
		err         error
		status      int
		code, msg   string
	}{
		{"bad format", "territory=T01&format=pdf", nil, 400, kolgraph.EINVALID, "format must be"},
		{"bad level", "territory=T01&level=ward", nil, 400, kolgraph.EINVALID, "level must be"},
		{"misspelt parameter", "teritory=T01", nil, 400, kolgraph.EINVALID, `unknown parameter "teritory"`},
		{"repeated parameter", "territory=T01&territory=T02", nil, 400, kolgraph.EINVALID, "given 2 times"},
		{"empty territory", "territory=", nil, 400, kolgraph.EINVALID, `parameter "territory" is empty`},
		{"empty hospital beside a territory", "territory=T01&hospital=", nil, 400, kolgraph.EINVALID, `parameter "hospital" is empty`},
		{"unknown territory", "territory=T99", kolgraph.Errorf(kolgraph.ENOTFOUND, `no territory "T99"`), 404, kolgraph.ENOTFOUND, `no territory "T99"`},
		{"several scopes", "territory=T01&hospital=H001", kolgraph.Errorf(kolgraph.EINVALID, "a scope names one"), 400, kolgraph.EINVALID, "a scope names one"},
		{"no snapshot yet", "territory=T01", kolgraph.Errorf(kolgraph.EUNAVAILABLE, "no analytics snapshot yet"), 503, kolgraph.EUNAVAILABLE, "no analytics snapshot"},
		{"internal", "territory=T01", errors.New("bolt: connection reset by 10.0.0.7"), 500, kolgraph.EINTERNAL, "internal error"},
		{"timeout", "territory=T01", context.DeadlineExceeded, 503, kolgraph.EUNAVAILABLE, "longer than the request timeout"},
		// Coded errors keep their code's status (these were 500s once).
		{"forbidden", "territory=T01", kolgraph.Errorf(kolgraph.EFORBIDDEN, "the viewer role may not"), 403, kolgraph.EFORBIDDEN, "may not"},
		{"conflict", "territory=T01", fmt.Errorf("report: %w", kolgraph.ErrStale), 409, kolgraph.ECONFLICT, "retry it"},
		{"unauthenticated", "territory=T01", kolgraph.Errorf(kolgraph.EUNAUTHENTICATED, "no credentials"), 401, kolgraph.EUNAUTHENTICATED, "no credentials"},
		{"rate limited", "territory=T01", kolgraph.Errorf(kolgraph.ERATELIMITED, "slow down"), 429, kolgraph.ERATELIMITED, "slow down"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := get(t, &fakeReports{err: tc.err}, "/reports/tiering?"+tc.query)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			// The shape of every other error answer, /query's included.
			var body struct {
				Errors []struct {
					Message    string
					Extensions struct{ Code string }
				}
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("error body %q: %v", rec.Body, err)
			}
			if len(body.Errors) != 1 || body.Errors[0].Extensions.Code != tc.code || !strings.Contains(body.Errors[0].Message, tc.msg) {
				t.Errorf("errors %+v, want one with code %s and a message with %q", body.Errors, tc.code, tc.msg)
			}
			if got := kolgraph.HTTPStatus(tc.code); got != rec.Code {
				t.Errorf("status %d is not the table's %d for %s", rec.Code, got, tc.code)
			}
			if strings.Contains(rec.Body.String(), "10.0.0.7") {
				t.Error("internal error detail leaked to the client")
			}
		})
	}
}

// TestTieringReportErrorLogs: a client's error (4xx) is not a failure of
// ours: no error-level line, and the access log line (info) carries its
// code; an internal error is logged once at error level, with the detail
// the client does not get.
func TestTieringReportErrorLogs(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		code   string
		errors int // error-level lines
	}{
		{"forbidden", kolgraph.Errorf(kolgraph.EFORBIDDEN, "no"), 403, kolgraph.EFORBIDDEN, 0},
		{"conflict", kolgraph.ErrStale, 409, kolgraph.ECONFLICT, 0},
		{"unauthenticated", kolgraph.Errorf(kolgraph.EUNAUTHENTICATED, "no credentials"), 401, kolgraph.EUNAUTHENTICATED, 0},
		{"not found", kolgraph.Errorf(kolgraph.ENOTFOUND, "no territory"), 404, kolgraph.ENOTFOUND, 0},
		{"unavailable", kolgraph.Errorf(kolgraph.EUNAVAILABLE, "no snapshot"), 503, kolgraph.EUNAVAILABLE, 0},
		{"internal", errors.New("bolt: connection reset by 10.0.0.7"), 500, kolgraph.EINTERNAL, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			srv := server.New(server.Options{RequestTimeout: time.Second, Tiering: &fakeReports{err: tc.err}}, zerolog.New(&logs))
			rec := httptest.NewRecorder()
			srv.Handler(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/reports/tiering?territory=T01", nil))
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d", rec.Code, tc.status)
			}
			errorLines, access := 0, 0
			for _, line := range bytes.Split(bytes.TrimSpace(logs.Bytes()), []byte("\n")) {
				var e struct {
					Level, Message, Code, Error string
					Status                      int
				}
				if err := json.Unmarshal(line, &e); err != nil {
					t.Fatalf("log line %q: %v", line, err)
				}
				switch {
				case e.Level == "error":
					errorLines++
					if !strings.Contains(e.Error, "10.0.0.7") {
						t.Errorf("the error line lacks the detail: %s", line)
					}
				case e.Message == "request":
					access++
					if e.Level != "info" || e.Status != tc.status || e.Code != tc.code {
						t.Errorf("access line %s, want info with status %d and code %s", line, tc.status, tc.code)
					}
				}
			}
			if errorLines != tc.errors || access != 1 {
				t.Errorf("%d error-level lines and %d access lines, want %d and 1:\n%s", errorLines, access, tc.errors, logs.String())
			}
		})
	}
}

func TestTieringReportOnlyWhenConfigured(t *testing.T) {
	srv := server.New(server.Options{RequestTimeout: time.Second}, zerolog.Nop())
	rec := httptest.NewRecorder()
	srv.Handler(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/reports/tiering?territory=T01", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("status %d without a report source, want 404", rec.Code)
	}
	rec = httptest.NewRecorder()
	srv = server.New(server.Options{RequestTimeout: time.Second, Tiering: &fakeReports{}}, zerolog.Nop())
	srv.Handler(http.NotFoundHandler()).ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/reports/tiering?territory=T01", nil))
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", rec.Code)
	}
}

func TestTieringReportAsUser(t *testing.T) {
	f := &fakeReports{}
	// The Auth guard names the caller; the report is asked as it.
	asU004 := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, r.WithContext(viewer.WithUser(r.Context(), "U004")))
		})
	}
	srv := server.New(server.Options{RequestTimeout: time.Second, Tiering: f, Auth: asU004}, zerolog.Nop())
	req := httptest.NewRequest(http.MethodGet, "/reports/tiering?territory=T01", nil)
	req.Header.Set("X-Kolgraph-User", "U999") // the header that once named the user: ignored
	rec := httptest.NewRecorder()
	srv.Handler(http.NotFoundHandler()).ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || f.user != "U004" {
		t.Errorf("status %d, report asked as %q; want 200 as U004 (the header is not trusted)", rec.Code, f.user)
	}
	if get(t, f, "/reports/tiering?territory=T01"); f.user != "" {
		t.Errorf("without a guard naming the caller the report was asked as %q", f.user)
	}
}

// TestMuxRefusalsCoded: no route (404) and a method a route does not take
// (405, with Allow) answer in JSON with extensions.code, like every other
// error of the service.
func TestMuxRefusalsCoded(t *testing.T) {
	srv := server.New(server.Options{RequestTimeout: time.Second, Tiering: &fakeReports{}}, zerolog.Nop())
	h := srv.Handler(http.NotFoundHandler())
	for _, tc := range []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{http.MethodGet, "/nope", 404, kolgraph.ENOTFOUND, ""},
		{http.MethodGet, "/playground", 404, kolgraph.ENOTFOUND, ""}, // no playground configured
		{http.MethodPost, "/healthz", 405, "METHOD_NOT_ALLOWED", "GET, HEAD"},
		{http.MethodDelete, "/reports/tiering", 405, "METHOD_NOT_ALLOWED", "GET, HEAD"},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		var body struct {
			Errors []struct {
				Extensions struct{ Code string }
			}
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &body)
		if rec.Code != tc.status || len(body.Errors) != 1 || body.Errors[0].Extensions.Code != tc.code {
			t.Errorf("%s %s: %d %s, want %d with code %s", tc.method, tc.path, rec.Code, rec.Body, tc.status, tc.code)
		}
		if got := rec.Header().Get("Allow"); got != tc.allow {
			t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
		}
	}
}
