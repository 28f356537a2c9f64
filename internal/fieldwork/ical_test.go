package fieldwork_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"github.com/kolgraph/kolgraph/internal/fieldwork"
	"github.com/kolgraph/kolgraph/internal/labels"
)

func prop(t *testing.T, e *ics.VEvent, p ics.ComponentProperty) *ics.IANAProperty {
	t.Helper()
	v := e.GetProperty(p)
	if v == nil {
		t.Fatalf("event %s has no %s", e.Id(), p)
	}
	return v
}

func parseICS(t *testing.T, lang labels.Lang, kam string, vs []fieldwork.Visit, now time.Time) (string, *ics.Calendar) {
	t.Helper()
	var b bytes.Buffer
	if err := fieldwork.WriteICS(&b, lang, kam, vs, now); err != nil {
		t.Fatal(err)
	}
	cal, err := ics.ParseCalendar(strings.NewReader(b.String()))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, b.String())
	}
	return b.String(), cal
}

func calProp(cal *ics.Calendar, name string) string {
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == name {
			return ics.FromText(p.Value)
		}
	}
	return ""
}

func TestWriteICS(t *testing.T) {
	p := fieldwork.NewPlan(fieldwork.Default(), date(t, "2026-12-03"), accounts())
	vs, err := p.Visits("K1", "2026-12")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 3, 9, 30, 0, 0, time.FixedZone("CST", 8*3600))
	out, cal := parseICS(t, labels.ZH, "周敏", vs, now)

	if got := calProp(cal, "X-WR-CALNAME"); got != "拜访计划 · 周敏" {
		t.Errorf("X-WR-CALNAME: got %q", got)
	}
	if got := calProp(cal, "PRODID"); got != fieldwork.ProdID {
		t.Errorf("PRODID: got %q", got)
	}
	evs := cal.Events()
	if len(evs) != 5 {
		t.Fatalf("got %d events, want 5 (TestVisits' K1 December)", len(evs))
	}
	first := evs[0] // H1 on 12-03, 7 days overdue
	if got, want := first.Id(), "H1-20261203-K1@kolgraph"; got != want {
		t.Errorf("UID: got %q, want %q", got, want)
	}
	ds := prop(t, first, ics.ComponentPropertyDtStart)
	if ds.Value != "20261203" || !slices.Equal(ds.ICalParameters["VALUE"], []string{"DATE"}) {
		t.Errorf("DTSTART: got %q %v, want 20261203 VALUE=DATE", ds.Value, ds.ICalParameters)
	}
	if got := prop(t, first, ics.ComponentPropertyDtEnd).Value; got != "20261204" {
		t.Errorf("DTEND: got %q, want 20261204", got)
	}
	if got := prop(t, first, ics.ComponentPropertyDtstamp).Value; got != "20261203T013000Z" {
		t.Errorf("DTSTAMP: got %q, want 20261203T013000Z (09:30 CST in UTC)", got)
	}
	if got := prop(t, first, ics.ComponentPropertySummary).Value; got != "拜访 王医生 · A" {
		t.Errorf("SUMMARY: got %q", got)
	}
	desc := prop(t, first, ics.ComponentPropertyDescription).Value
	for _, want := range []string{"医院：第一医院\n", "科室：心内科\n", "拜访节奏：每两周 · ", "逾期：7天"} {
		if !strings.Contains(desc, want) {
			t.Errorf("DESCRIPTION %q lacks %q", desc, want)
		}
	}
	if got := prop(t, first, ics.ComponentPropertyCategories).Value; got != "A" {
		t.Errorf("CATEGORIES: got %q, want A", got)
	}
	// The second visit is H3's, the day after (never visited: due, but not overdue).
	if d := prop(t, evs[1], ics.ComponentPropertyDescription).Value; evs[1].Id() != "H3-20261204-K1@kolgraph" || strings.Contains(d, "逾期") {
		t.Errorf("H3's event: %s %q", evs[1].Id(), d)
	}
	if strings.Contains(strings.ReplaceAll(out, "\r\n", ""), "\n") {
		t.Error("a line does not end in CRLF")
	}

	// English.
	_, cal = parseICS(t, labels.EN, "Zhou Min", vs[:1], now)
	e := cal.Events()[0]
	if got := prop(t, e, ics.ComponentPropertySummary).Value; got != "Visit 王医生 · A" {
		t.Errorf("en SUMMARY: got %q", got)
	}
	if got := prop(t, e, ics.ComponentPropertyDescription).Value; !strings.Contains(got, "Cadence: every 2 weeks · a deep conversation on the joint plan\nOverdue: 7 days") {
		t.Errorf("en DESCRIPTION: %q", got)
	}
}

// TestICSEscapingAndFolding: commas, semicolons, backslashes and line
// breaks in names are escaped and read back as written, and long lines are
// folded at 75 octets without splitting a character.
func TestICSEscapingAndFolding(t *testing.T) {
	name := "Wang, Jr; \\ \"Dr\"\r\nsecond line"
	hospital := strings.Repeat("浙江大学医学院附属第一医院", 8) + ", 庆春院区; 门诊"
	v := fieldwork.Visit{Date: "2026-12-07", KAMID: "K1", Account: fieldwork.Account{ID: "H9", Name: name, HospitalName: hospital, Segment: "B", Cadence: monthly}}
	out, cal := parseICS(t, labels.EN, "K, One", []fieldwork.Visit{v}, time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC))

	if !strings.Contains(out, `SUMMARY:Visit Wang\, Jr\; \\ "Dr"\nsecond line · B`) {
		t.Errorf("SUMMARY not escaped as RFC 5545 says:\n%s", out)
	}
	if !strings.Contains(out, `X-WR-CALNAME:Call plan · K\, One`) {
		t.Errorf("X-WR-CALNAME not escaped:\n%s", out)
	}
	e := cal.Events()[0]
	if got, want := prop(t, e, ics.ComponentPropertySummary).Value, "Visit Wang, Jr; \\ \"Dr\"\nsecond line · B"; got != want {
		t.Errorf("SUMMARY read back: got %q, want %q", got, want)
	}
	if got, want := prop(t, e, ics.ComponentPropertyDescription).Value, "Hospital: "+hospital+"\nCadence: monthly · an academic exchange"; got != want {
		t.Errorf("DESCRIPTION read back: got %q, want %q", got, want)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
	folded := 0
	for _, l := range lines {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("a fold split a character: %q", l)
		}
		if strings.HasPrefix(l, " ") {
			folded++
		}
	}
	if folded < 4 {
		t.Errorf("got %d continuation lines, want the long DESCRIPTION folded onto several:\n%s", folded, out)
	}
}
