package main

import (
	"bytes"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/xuri/excelize/v2"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// TestFieldExecution walks issue 15's "Done when" as a regional manager
// and a KAM (U004, T01) would: with a year of T01's facts imported, the
// territory is given to U004, the call plan's calendar opens in an
// iCalendar parser with the plan's visits, logged visits shrink the
// overdue list, a speaker off the compliant list is refused, and an
// activity whose cost is 40% of its budget is flagged, with its lift
// recomputed here from the imported facts.
func TestFieldExecution(t *testing.T) {
	skipShort(t)
	m := ownService(t)
	h := m.Handler()
	facts := importT01Facts(t, m)
	kam := bearer(t, "U004", auth.RoleKAM, []string{"T01"})
	kamT02 := bearer(t, "U007", auth.RoleKAM, []string{"T02"})
	compliance := bearer(t, "U003", auth.RoleCompliance, nil)

	// Owners: an admin gives T01 to U004; U007 does not hold T01, and a
	// KAM does not assign owners.
	var own struct {
		AssignAccountOwner struct {
			Owner      struct{ ID string }
			AssignedTo string
		}
	}
	mustQuery(t, h, `mutation { assignAccountOwner(account: "T01", user: "U004") { owner { id } assignedTo } }`, nil, &own)
	if own.AssignAccountOwner.Owner.ID != "U004" {
		t.Fatalf("assignAccountOwner: %+v", own)
	}
	if resp := query(t, h, `mutation { assignAccountOwner(account: "T01", user: "U007") { assignedTo } }`, nil, nil); len(resp.Errors) != 1 ||
		resp.codes()[0] != kolgraph.EINVALID || !strings.Contains(resp.Errors[0].Message, "user_id") {
		t.Errorf("an owner outside the territory: %+v", resp.Errors)
	}
	if resp := ask(t, h, kam, `mutation { assignAccountOwner(account: "H001", user: "U004") { assignedTo } }`, nil).resp; len(resp.Errors) != 1 ||
		resp.codes()[0] != kolgraph.EFORBIDDEN {
		t.Errorf("a KAM assigning an owner: %+v, want FORBIDDEN", resp.Errors)
	}

	const planQ = `{ callPlan(scope: {territory: "T01"}, product: "RX01", asOf: "2026-12-01", month: "2026-12") {
		unowned
		accounts(first: 500) { totalCount edges { node { hcp { id } segment cadence { intervalDays } owner { id } lastVisit nextDue due overdue daysOverdue } } }
		overdue(first: 500) { totalCount edges { node { hcp { id } daysOverdue } } }
		visits(kam: "U004") { date hcp { id } daysOverdue }
		workloads { kam { id } planned capacity over warning }
		adherence(windowDays: 90) { bySegment { key accounts expected kept adherence } }
		calendarUrl(kam: "U004") } }`
	var p0 plan
	mustQueryAuth(t, h, kam, planQ, nil, &p0)
	cp := p0.CallPlan
	if cp.Unowned != 0 || cp.Accounts.TotalCount < 50 || cp.Overdue.TotalCount != 0 {
		t.Fatalf("plan before any visit: unowned %d, %d accounts, %d overdue; want 0, the T01 prescribers, 0", cp.Unowned, cp.Accounts.TotalCount, cp.Overdue.TotalCount)
	}
	// By hand: nobody was visited, so every account with visits is due on
	// Tuesday 2026-12-01, and the backlog is spread over the 10 working
	// days from then (1-4, 7-11, 14 December), ceil(n/10) a day, A first;
	// each account is then visited every interval (a date on a weekend
	// moves to the Monday after) up to 31 December.
	interval := map[string]int{}
	segment := map[string]string{}
	var aAccounts []string
	for _, e := range cp.Accounts.Edges {
		n := e.Node
		if n.Owner == nil || n.Owner.ID != "U004" {
			t.Errorf("%s: owner %v, want U004 (the territory's)", n.Hcp.ID, n.Owner)
		}
		if n.Cadence.IntervalDays > 0 && (!n.Due || n.NextDue == nil || *n.NextDue != "2026-12-01" || n.Overdue) {
			t.Errorf("%s never visited: %+v, want due 2026-12-01, not overdue", n.Hcp.ID, n)
		}
		if n.Cadence.IntervalDays > 0 {
			interval[n.Hcp.ID] = n.Cadence.IntervalDays
		}
		segment[n.Hcp.ID] = n.Segment
		if n.Segment == "A" {
			aAccounts = append(aAccounts, n.Hcp.ID)
		}
	}
	firsts := map[string]string{}
	perDay := map[string]int{}
	visits := map[string]int{}
	for _, v := range cp.Visits {
		if _, ok := firsts[v.Hcp.ID]; !ok {
			firsts[v.Hcp.ID] = v.Date
			perDay[v.Date]++
		}
		visits[v.Hcp.ID]++
	}
	limit := (len(interval) + 9) / 10
	backlogDays := []string{"2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-07", "2026-12-08", "2026-12-09", "2026-12-10", "2026-12-11", "2026-12-14"}
	for d, n := range perDay {
		if n > limit || !slices.Contains(backlogDays, d) {
			t.Errorf("%d first visits on %s, want at most %d a day within the 10 working days", n, d, limit)
		}
	}
	lastA := ""
	for id, d := range firsts {
		if segment[id] == "A" {
			lastA = max(lastA, d)
		}
	}
	want := 0
	for id, iv := range interval {
		d, ok := firsts[id]
		if !ok {
			t.Errorf("%s is never planned", id)
			continue
		}
		if segment[id] != "A" && d < lastA {
			t.Errorf("%s (%s) is planned on %s, before the last A account (%s)", id, segment[id], d, lastA)
		}
		n := 0
		start, _ := time.Parse(time.DateOnly, d)
		for k := 0; ; k++ {
			day := start.AddDate(0, 0, k*iv)
			switch day.Weekday() {
			case time.Saturday:
				day = day.AddDate(0, 0, 2)
			case time.Sunday:
				day = day.AddDate(0, 0, 1)
			}
			if day.Format(time.DateOnly) > "2026-12-31" {
				break
			}
			n++
		}
		if visits[id] != n {
			t.Errorf("%s (every %d days from %s): %d December visits, want %d", id, iv, d, visits[id], n)
		}
		want += n
	}
	if len(cp.Visits) != want {
		t.Errorf("December visits: %d, want %d", len(cp.Visits), want)
	}
	if len(cp.Workloads) != 1 || cp.Workloads[0].Kam.ID != "U004" || cp.Workloads[0].Planned != want || cp.Workloads[0].Capacity != 80 ||
		cp.Workloads[0].Over != max(0, want-80) || (want > 80) != (cp.Workloads[0].Warning != nil) {
		t.Errorf("workloads %+v, want U004 planning %d against 80", cp.Workloads, want)
	}
	if len(aAccounts) < 3 {
		t.Fatalf("%d A accounts", len(aAccounts))
	}

	// The calendar opens in an iCalendar parser with one event per visit.
	checkCalendar(t, h, kam, cp.CalendarURL, cp.Visits)

	// Logging visits: three A accounts last seen on 1 October are overdue
	// since 15 October (47 days on 1 December); a visit on 25 November
	// takes the first off the list.
	const logQ = `mutation($in: InteractionInput!) { logInteraction(input: $in) { interaction { id kam { id } date } } }`
	visit := func(hcp, date string) map[string]any {
		return map[string]any{"in": map[string]any{"hcp": hcp, "date": date, "kind": "VISIT", "product": "RX01", "notes": "谈到联合计划; 手机 13800000001"}}
	}
	for _, id := range aAccounts[:3] {
		mustQueryAuth(t, h, kam, logQ, visit(id, "2026-10-01"), nil)
	}
	var p1 plan
	mustQueryAuth(t, h, kam, planQ, nil, &p1)
	if od := p1.CallPlan.Overdue; od.TotalCount != 3 || od.Edges[0].Node.DaysOverdue != 47 {
		t.Fatalf("overdue after three old visits: %+v, want 3 at 47 days", od)
	}
	mustQueryAuth(t, h, kam, logQ, visit(aAccounts[0], "2026-11-25"), nil)
	var p2 plan
	mustQueryAuth(t, h, kam, planQ, nil, &p2)
	if od := p2.CallPlan.Overdue; od.TotalCount != 2 || slices.ContainsFunc(od.Edges, func(e struct{ Node status }) bool { return e.Node.Hcp.ID == aAccounts[0] }) {
		t.Errorf("overdue after a new visit: %+v, want the other two", od)
	}
	// Adherence of A over the 90 days to 1 December (from 3 September):
	// each A account expects 90/14 visits; kept are 2, 1 and 1.
	for _, g := range p2.CallPlan.Adherence.BySegment {
		if g.Key != "A" {
			continue
		}
		expected := float64(g.Accounts) * 90.0 / 14
		if math.Abs(g.Expected-expected) > 1e-9 || g.Kept != 4 || math.Abs(g.Adherence-4/expected) > 1e-9 {
			t.Errorf("A adherence %+v, want kept 4 of %v", g, expected)
		}
	}
	// Who may log what.
	for _, tc := range []struct {
		name, authz string
		vars        map[string]any
		code        string
	}{
		{"a T02 kam, a T01 HCP", kamT02, visit(aAccounts[1], "2026-11-30"), kolgraph.EFORBIDDEN},
		{"as another KAM", kam, map[string]any{"in": map[string]any{"hcp": aAccounts[1], "kam": "U005", "kind": "CALL"}}, kolgraph.EFORBIDDEN},
		{"in the future", kam, visit(aAccounts[1], time.Now().UTC().AddDate(0, 0, 3).Format(time.DateOnly)), kolgraph.EINVALID},
	} {
		if resp := ask(t, h, tc.authz, logQ, tc.vars).resp; len(resp.Errors) != 1 || resp.codes()[0] != tc.code {
			t.Errorf("%s: %+v, want %s", tc.name, resp.Errors, tc.code)
		}
	}
	// Notes are personal data: compliance may not read them, the KAM may.
	const notesQ = `query($h: ID!) { interactions(filter: {hcp: $h}) { edges { node { kam { id } notes } } } }`
	if resp := ask(t, h, compliance, notesQ, map[string]any{"h": aAccounts[0]}).resp; len(resp.Errors) == 0 || resp.codes()[0] != kolgraph.EFORBIDDEN {
		t.Errorf("compliance reading notes: %+v, want FORBIDDEN", resp.Errors)
	}
	var notes struct {
		Interactions struct {
			Edges []struct{ Node struct{ Notes *string } }
		}
	}
	mustQueryAuth(t, h, kam, notesQ, map[string]any{"h": aAccounts[0]}, &notes)
	if len(notes.Interactions.Edges) != 2 || notes.Interactions.Edges[0].Node.Notes == nil {
		t.Errorf("the KAM's interactions with %s: %+v", aAccounts[0], notes)
	}

	var ids []string
	for _, e := range cp.Accounts.Edges {
		ids = append(ids, e.Node.Hcp.ID)
	}
	// In the audit log, compliance sees the notes masked; an admin (who
	// may read contact data) sees them.
	const auditQ = `{ auditLog(kind: INTERACTIONS, op: CREATE, first: 5) { edges { node { entity after } } } }`
	var audit struct {
		AuditLog struct {
			Edges []struct {
				Node struct{ Entity, After string }
			}
		}
	}
	mustQueryAuth(t, h, compliance, auditQ, nil, &audit)
	if len(audit.AuditLog.Edges) == 0 {
		t.Fatal("no interaction in the audit log")
	}
	for _, e := range audit.AuditLog.Edges {
		if !strings.Contains(e.Node.After, `"notes":"***"`) || strings.Contains(e.Node.After, "13800000001") {
			t.Errorf("compliance reads an interaction's audit entry as %s", e.Node.After)
		}
	}
	mustQuery(t, h, auditQ, nil, &audit)
	if after := audit.AuditLog.Edges[0].Node.After; !strings.Contains(after, "13800000001") {
		t.Errorf("an admin reads the audit entry as %s, without the notes", after)
	}

	checkActivities(t, h, kam, facts, ids)

	// A hospital's own owner wins over the territory's for its HCPs.
	var hc struct {
		Hcp struct{ Hospital struct{ ID string } }
	}
	mustQuery(t, h, `query($id: ID!) { hcp(id: $id) { hospital { id } } }`, map[string]any{"id": ids[0]}, &hc)
	hosp := hc.Hcp.Hospital.ID
	mustQuery(t, h, `mutation($a: ID!) { assignAccountOwner(account: $a, user: "U005") { assignedTo } }`, map[string]any{"a": hosp}, nil)
	var ao struct {
		AccountOwner struct {
			Owner      struct{ ID string }
			AssignedTo string
		}
	}
	mustQuery(t, h, `query($a: ID!) { accountOwner(account: $a) { owner { id } assignedTo } }`, map[string]any{"a": ids[0]}, &ao)
	if ao.AccountOwner.Owner.ID != "U005" || ao.AccountOwner.AssignedTo != hosp {
		t.Errorf("owner of %s: %+v, want U005 assigned to %s", ids[0], ao, hosp)
	}
	var list struct {
		AccountOwners struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					Account string
					Owner   struct{ ID string }
				}
			}
		}
	}
	mustQueryAuth(t, h, kam, `{ accountOwners { totalCount edges { node { account owner { id } } } } }`, nil, &list)
	if l := list.AccountOwners; l.TotalCount != 2 || l.Edges[0].Node.Account != hosp || l.Edges[0].Node.Owner.ID != "U005" ||
		l.Edges[1].Node.Account != "T01" || l.Edges[1].Node.Owner.ID != "U004" {
		t.Errorf("accountOwners: %+v, want %s to U005 and T01 to U004", l, hosp)
	}
	mustQueryAuth(t, h, kamT02, `{ accountOwners { totalCount } }`, nil, &list)
	if list.AccountOwners.TotalCount != 0 {
		t.Errorf("a T02 kam sees %d of T01's owners", list.AccountOwners.TotalCount)
	}
	var p3 struct {
		CallPlan struct {
			Accounts struct {
				Edges []struct {
					Node struct {
						Hcp struct{ Hospital struct{ ID string } }
					}
				}
			}
		}
	}
	mustQuery(t, h, `{ callPlan(scope: {territory: "T01"}, product: "RX01", asOf: "2026-12-01") {
		accounts(kam: "U005", first: 500) { edges { node { hcp { hospital { id } } } } } } }`, nil, &p3)
	if len(p3.CallPlan.Accounts.Edges) == 0 {
		t.Error("U005 owns no account after being given a hospital")
	}
	for _, e := range p3.CallPlan.Accounts.Edges {
		if e.Node.Hcp.Hospital.ID != hosp {
			t.Errorf("U005 owns an account of %s, not %s", e.Node.Hcp.Hospital.ID, hosp)
		}
	}
}

type status struct {
	Hcp         struct{ ID string }
	Segment     string
	Cadence     struct{ IntervalDays int }
	Owner       *struct{ ID string }
	LastVisit   *string
	NextDue     *string
	Due         bool
	Overdue     bool
	DaysOverdue int
}

type plannedVisit struct {
	Date        string
	Hcp         struct{ ID string }
	DaysOverdue int
}

type plan struct {
	CallPlan struct {
		Unowned  int
		Accounts struct {
			TotalCount int
			Edges      []struct{ Node status }
		}
		Overdue struct {
			TotalCount int
			Edges      []struct{ Node status }
		}
		Visits    []plannedVisit
		Workloads []struct {
			Kam      struct{ ID string }
			Planned  int
			Capacity int
			Over     int
			Warning  *string
		}
		Adherence struct {
			BySegment []struct {
				Key       string
				Accounts  int
				Expected  float64
				Kept      float64
				Adherence float64
			}
		}
		CalendarURL string
	}
}

// checkCalendar downloads path as authz and parses it as iCalendar: one
// all-day event per planned visit, on its date, with distinct UIDs.
func checkCalendar(t *testing.T, h http.Handler, authz, path string, visits []plannedVisit) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Authorization", authz)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/calendar") {
		t.Fatalf("calendar %s: %d %s %s", path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	cal, err := ics.ParseCalendar(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatalf("the calendar does not parse: %v", err)
	}
	events := cal.Events()
	if len(events) != len(visits) {
		t.Fatalf("%d events, %d planned visits", len(events), len(visits))
	}
	want := map[string]int{}
	for _, v := range visits {
		want[strings.ReplaceAll(v.Date, "-", "")]++
	}
	uids := map[string]bool{}
	for _, e := range events {
		start := e.GetProperty(ics.ComponentPropertyDtStart)
		if start == nil {
			t.Fatalf("event %s without DTSTART", e.Id())
		}
		want[start.Value]--
		uids[e.Id()] = true
	}
	for d, n := range want {
		if n != 0 {
			t.Errorf("day %s: %d events more planned than in the calendar", d, n)
		}
	}
	if len(uids) != len(events) {
		t.Errorf("%d distinct UIDs for %d events", len(uids), len(events))
	}
}

// checkActivities: a speaker off the compliant list is refused and
// nothing is written; an activity costing 40% of its budget is flagged,
// and its lift is the attendees' facts recomputed here; the ROI report
// and the KAM's monthly plan download.
func checkActivities(t *testing.T, h http.Handler, kam string, facts []kolgraph.PrescriptionFact, accounts []string) {
	t.Helper()
	var sc struct {
		SpeakerCandidates struct {
			Candidates []struct{ Hcp struct{ ID string } }
		}
	}
	mustQueryAuth(t, h, kam, `{ speakerCandidates(scope: {territory: "T01"}, product: "RX01", first: 20) { candidates { hcp { id } } } }`, nil, &sc)
	var cands []string
	for _, c := range sc.SpeakerCandidates.Candidates {
		cands = append(cands, c.Hcp.ID)
	}
	if len(cands) == 0 {
		t.Fatal("no speaker candidates in T01 for RX01")
	}
	var outsider string
	for _, id := range accounts {
		if !slices.Contains(cands, id) {
			outsider = id
			break
		}
	}
	attendees := accounts[len(accounts)-5:]
	const recQ = `mutation($in: ActivityInput!) { recordActivity(input: $in) { activity { id owner { id } attendeeCount costPerAttendee
		roi { costShare costShareMet beforeMonths afterMonths before after lift liftMet latestFactMonth provisional }
		flags { code message value limit } } } }`
	act := func(speaker string) map[string]any {
		return map[string]any{"in": map[string]any{"name": "RX01 城市会 杭州", "kind": "CITY_MEETING", "date": "2026-06-15",
			"territory": "T01", "product": "RX01", "budget": 10000, "actualCost": 4000, "speakers": []string{speaker},
			"attendees": attendees, "registration": "REGISTERED", "registeredOn": "2026-05-20"}}
	}
	resp := ask(t, h, kam, recQ, act(outsider)).resp
	if len(resp.Errors) != 1 || resp.codes()[0] != kolgraph.EINVALID {
		t.Fatalf("a speaker off the list: %+v, want BAD_USER_INPUT", resp.Errors)
	}
	ps, _ := resp.Errors[0].Extensions["problems"].([]any)
	if len(ps) != 1 || ps[0].(map[string]any)["field"] != "speaker_ids" || !strings.Contains(resp.Errors[0].Message, outsider) {
		t.Errorf("the refusal names %v: %+v", outsider, resp.Errors[0])
	}
	var count struct{ Activities struct{ TotalCount int } }
	mustQueryAuth(t, h, kam, `{ activities { totalCount } }`, nil, &count)
	if count.Activities.TotalCount != 0 {
		t.Errorf("the refused activity was written: %d activities", count.Activities.TotalCount)
	}

	var rec struct {
		RecordActivity struct {
			Activity struct {
				ID              string
				Owner           struct{ ID string }
				AttendeeCount   int
				CostPerAttendee *float64
				Roi             struct {
					CostShare       *float64
					CostShareMet    *bool
					BeforeMonths    []string
					AfterMonths     []string
					Before, After   float64
					Lift            *float64
					LiftMet         *bool
					LatestFactMonth *string
					Provisional     bool
				}
				Flags []struct {
					Code, Message string
					Value, Limit  float64
				}
			}
		}
	}
	mustQueryAuth(t, h, kam, recQ, act(cands[0]), &rec)
	a := rec.RecordActivity.Activity
	// By hand: before = March-May, after = July-September 2026, the
	// attendees' RX01 facts.
	var before, after float64
	for _, f := range facts {
		if f.ProductID != "RX01" || !slices.Contains(attendees, f.HCPID) {
			continue
		}
		switch f.Month {
		case "2026-03", "2026-04", "2026-05":
			before += f.Volume
		case "2026-07", "2026-08", "2026-09":
			after += f.Volume
		}
	}
	r := a.Roi
	if a.Owner.ID != "U004" || a.AttendeeCount != 5 || a.CostPerAttendee == nil || *a.CostPerAttendee != 800 {
		t.Errorf("activity %+v, want U004's, 5 attendees, 4000/5 = 800 per attendee", a)
	}
	if r.CostShare == nil || *r.CostShare != 0.4 || *r.CostShareMet || strings.Join(r.BeforeMonths, ",") != "2026-03,2026-04,2026-05" ||
		strings.Join(r.AfterMonths, ",") != "2026-07,2026-08,2026-09" || !nearly(r.Before, before) || !nearly(r.After, after) ||
		r.Lift == nil || !nearly(*r.Lift, after/before-1) || r.Provisional || r.LatestFactMonth == nil || *r.LatestFactMonth != "2026-11" {
		t.Errorf("ROI %+v, want cost share 0.4 missed, before %v after %v, lift %v, final", r, before, after, after/before-1)
	}
	codes := map[string]bool{}
	for _, f := range a.Flags {
		codes[f.Code] = true
		if f.Message == "" {
			t.Errorf("flag %s without a message", f.Code)
		}
	}
	wantCodes := map[string]bool{"COST_SHARE_OVER_TARGET": true, "COST_PER_ATTENDEE_OVER_CAP": true, "LIFT_UNDER_TARGET": after/before-1 < 0.5}
	for c, w := range wantCodes {
		if codes[c] != w {
			t.Errorf("flag %s: %v, want %v (flags %+v)", c, codes[c], w, a.Flags)
		}
	}
	if codes["NOT_REGISTERED_IN_ADVANCE"] {
		t.Errorf("registered on 2026-05-20 for 2026-06-15, yet flagged: %+v", a.Flags)
	}

	// The downloads.
	get := func(path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Header.Set("Authorization", kam)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d %s", path, rec.Code, rec.Body.String())
		}
		return rec
	}
	x, err := excelize.OpenReader(bytes.NewReader(get("/reports/activities?territory=T01&format=xlsx").Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, sheet := range x.GetSheetList() {
		rows, _ := x.GetRows(sheet)
		for _, row := range rows {
			found = found || slices.Contains(row, "RX01 城市会 杭州")
		}
	}
	if !found {
		t.Error("the activity ROI workbook does not list the activity")
	}
	page := get("/reports/kam-plan?kam=U004&territory=T01&product=RX01&asOf=2026-12-01&month=2026-12").Body.String()
	if !strings.Contains(page, "刘丽倩") || !strings.Contains(page, "2026-12") {
		t.Error("the KAM's monthly plan does not name 刘丽倩 and December")
	}
}
