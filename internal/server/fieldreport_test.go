package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/fieldservice"
	"github.com/kolgraph/kolgraph/internal/fieldwork"
	"github.com/kolgraph/kolgraph/internal/labels"
	"github.com/kolgraph/kolgraph/internal/server"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/tiering"
)

// fakeField records what the field downloads asked for.
type fakeField struct {
	req  fieldservice.CallPlanRequest
	kam  string
	lang labels.Lang
	act  fieldservice.ActivityRequest
}

func (f *fakeField) KAMMonth(_ context.Context, req fieldservice.CallPlanRequest, kam string, lang labels.Lang) (*fieldwork.PlanReport, *fieldservice.CallPlan, error) {
	f.req, f.kam, f.lang = req, kam, lang
	month := req.Month
	if month == "" {
		month = req.AsOf.Format("2006-01")
	}
	rep := &fieldwork.PlanReport{Lang: lang, KAMID: kam, KAMName: "刘丽倩", Month: month, AsOf: req.AsOf.Format(time.DateOnly),
		Visits: []fieldwork.Visit{{Date: month + "-07", KAMID: kam, Account: fieldwork.Account{ID: "P1", Name: "王医生", Segment: "A"}}}}
	return rep, &fieldservice.CallPlan{Result: &tiering.Result{GraphVersion: "v7"}}, nil
}

func (f *fakeField) Activities(_ context.Context, req fieldservice.ActivityRequest, lang labels.Lang) (*fieldwork.ROIReport, error) {
	f.act, f.lang = req, lang
	return &fieldwork.ROIReport{Lang: lang, Scope: "T01", Config: fieldwork.Default()}, nil
}

func getField(f *fakeField, url string) *httptest.ResponseRecorder {
	return getWith(server.Options{Field: f}, url)
}

// TestFieldDownloads: the parameters reach the source as asked, each
// download has its media type and file name, and a bad parameter is a 400
// that never reaches the source.
func TestFieldDownloads(t *testing.T) {
	f := &fakeField{}
	rec := getField(f, "/reports/calendar?kam=U004&territory=T01&product=RX01&asOf=2026-12-01&month=2026-12&lang=en")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/calendar") ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), "kolgraph-visits-U004-2026-12.ics") || rec.Header().Get("X-Graph-Version") != "v7" {
		t.Fatalf("calendar: %d %v", rec.Code, rec.Header())
	}
	want := fieldservice.CallPlanRequest{Scope: snapshot.Scope{Territory: "T01"}, ProductID: "RX01", Month: "2026-12",
		AsOf: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)}
	if f.req.Scope != want.Scope || f.req.ProductID != want.ProductID || f.req.Month != want.Month || !f.req.AsOf.Equal(want.AsOf) ||
		f.kam != "U004" || f.lang != labels.EN {
		t.Errorf("asked %+v for %s in %s, want %+v for U004 in en", f.req, f.kam, f.lang, want)
	}
	if body := rec.Body.String(); !strings.Contains(body, "BEGIN:VEVENT") || !strings.Contains(body, "DTSTART;VALUE=DATE:20261207") {
		t.Errorf("calendar body: %s", body)
	}

	rec = getField(f, "/reports/kam-plan?kam=U004&hospital=H001&format=xlsx")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("Content-Type"), "spreadsheetml") || f.req.Scope.Hospital != "H001" {
		t.Errorf("KAM plan as XLSX: %d %s, scope %+v", rec.Code, rec.Header().Get("Content-Type"), f.req.Scope)
	}
	rec = getField(f, "/reports/activities?territory=T01&from=2026-01-01&to=2026-12-31")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") ||
		f.act.TerritoryID != "T01" || f.act.From != "2026-01-01" || f.act.To != "2026-12-31" {
		t.Errorf("activity report: %d %s, asked %+v", rec.Code, rec.Header().Get("Content-Type"), f.act)
	}

	for _, url := range []string{
		"/reports/calendar?territory=T01",               // no kam
		"/reports/calendar?kam=U004&format=pdf",         // a calendar is ics
		"/reports/kam-plan?kam=U004&asOf=2026-13-01",    // not a date
		"/reports/kam-plan?kam=U004&format=pdf",         // html or xlsx
		"/reports/activities?teritory=T01",              // misspelt
		"/reports/activities?territory=T01&format=docx", // html or xlsx
	} {
		g := &fakeField{}
		if rec := getField(g, url); rec.Code != http.StatusBadRequest || g.kam != "" || g.act.TerritoryID != "" {
			t.Errorf("%s: %d (source asked for %q %+v), want 400 before the source", url, rec.Code, g.kam, g.act)
		}
	}
}
