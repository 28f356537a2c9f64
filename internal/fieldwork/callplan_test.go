package fieldwork_test

import (
	"fmt"
	"maps"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/fieldwork"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
)

const tol = 1e-6

func near(a, b float64) bool { return math.Abs(a-b) <= tol }

func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, ok := kolgraph.ParseDate(s)
	if !ok {
		t.Fatalf("bad date %q", s)
	}
	return d
}

var (
	biweekly  = account.Cadence{Code: "BIWEEKLY", Label: "every 2 weeks", IntervalDays: 14, Contact: "JOINT_PLAN", ContactLabel: "a deep conversation on the joint plan"}
	monthly   = account.Cadence{Code: "MONTHLY", Label: "monthly", IntervalDays: 30, Contact: "ACADEMIC_EXCHANGE", ContactLabel: "an academic exchange"}
	quarterly = account.Cadence{Code: "QUARTERLY", Label: "quarterly", IntervalDays: 90, Contact: "PRODUCT_TRAINING", ContactLabel: "a product training"}
	digital   = account.Cadence{Code: "DIGITAL", Label: "digital only", IntervalDays: 0, Contact: "DIGITAL", ContactLabel: "digital"}
)

func ins(hcp, kam string, kindDates ...string) []kolgraph.Interaction {
	var out []kolgraph.Interaction
	for i := 0; i < len(kindDates); i += 2 {
		out = append(out, kolgraph.Interaction{ID: hcp + "-" + kindDates[i+1], HCPID: hcp, KAMID: kam, Kind: kindDates[i], Date: kindDates[i+1]})
	}
	return out
}

// accounts is the fixture: as of Thursday 2026-12-03,
//   - H1 (A, 14 days, K1): meeting 11-01, visit 11-12, a call 11-25 (not a
//     visit): last visit 11-12, due 11-26, 7 days overdue.
//   - H2 (B, 30 days, K1): visits 10-01, 10-15, 10-20, 11-20: due 12-20.
//   - H3 (C, 90 days, K1): only digital touches: never visited, due today.
//   - H4 (D, digital only, K1): never due.
//   - H5 (A, 14 days, K2): visits 09-04 and 10-01: due 10-15, 49 days
//     overdue (16 days of October, 30 of November, 3 of December).
//   - H6 (B, 30 days, K2): visit and meeting 11-26, visit 12-10 (after the
//     as-of date, ignored): due 12-26.
func accounts() []fieldwork.Account {
	return []fieldwork.Account{
		{ID: "H1", Name: "王医生", HospitalName: "第一医院", DepartmentName: "心内科", Segment: account.SegmentA, Cadence: biweekly, OwnerID: "K1",
			Interactions: ins("H1", "K1", "meeting", "2026-11-01", "visit", "2026-11-12", "call", "2026-11-25")},
		{ID: "H2", Name: "李医生", Segment: account.SegmentB, Cadence: monthly, OwnerID: "K1",
			Interactions: ins("H2", "K1", "visit", "2026-10-01", "visit", "2026-10-15", "visit", "2026-10-20", "visit", "2026-11-20")},
		{ID: "H3", Name: "张医生", Segment: account.SegmentC, Cadence: quarterly, OwnerID: "K1",
			Interactions: ins("H3", "K1", "digital", "2026-11-02")},
		{ID: "H4", Name: "赵医生", Segment: account.SegmentD, Cadence: digital, OwnerID: "K1"},
		{ID: "H5", Name: "钱医生", Segment: account.SegmentA, Cadence: biweekly, OwnerID: "K2",
			Interactions: ins("H5", "K2", "visit", "2026-09-04", "visit", "2026-10-01")},
		{ID: "H6", Name: "孙医生", Segment: account.SegmentB, Cadence: monthly, OwnerID: "K2",
			Interactions: ins("H6", "K2", "visit", "2026-11-26", "meeting", "2026-11-26", "visit", "2026-12-10")},
	}
}

func TestResolveOwner(t *testing.T) {
	rows := []kolgraph.AccountOwner{{AccountID: "T1", UserID: "U9"}, {AccountID: "HOS1", UserID: "U3"},
		{AccountID: "D1", UserID: "U5"}, {AccountID: "D1", UserID: "U2"}, {AccountID: "H1", UserID: "U1"}}
	for _, c := range []struct {
		name, hcp, dept, hosp, terr, want string
		ok                                bool
	}{
		{"own row wins", "H1", "D1", "HOS1", "T1", "U1", true},
		{"department over hospital, least user of two rows", "H2", "D1", "HOS1", "T1", "U2", true},
		{"hospital over territory", "H3", "D2", "HOS1", "T1", "U3", true},
		{"territory", "H4", "D3", "HOS2", "T1", "U9", true},
		{"none", "H5", "D3", "HOS2", "T2", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := fieldwork.ResolveOwner(rows, c.hcp, c.dept, c.hosp, c.terr)
			if got != c.want || ok != c.ok {
				t.Errorf("got %q %v, want %q %v", got, ok, c.want, c.ok)
			}
		})
	}
}

func TestPlanStatuses(t *testing.T) {
	p := fieldwork.NewPlan(fieldwork.Default(), date(t, "2026-12-03"), accounts())
	want := map[string]struct {
		last, next   string
		due, overdue bool
		days         int
	}{
		"H1": {"2026-11-12", "2026-11-26", true, true, 7},
		"H2": {"2026-11-20", "2026-12-20", false, false, 0},
		"H3": {"", "2026-12-03", true, false, 0},
		"H4": {"", "", false, false, 0},
		"H5": {"2026-10-01", "2026-10-15", true, true, 49},
		"H6": {"2026-11-26", "2026-12-26", false, false, 0},
	}
	if len(p.Statuses) != len(want) {
		t.Fatalf("got %d statuses, want %d", len(p.Statuses), len(want))
	}
	for _, s := range p.Statuses {
		w := want[s.Account.ID]
		if s.LastVisit != w.last || s.NextDue != w.next || s.Due != w.due || s.Overdue != w.overdue || s.DaysOverdue != w.days {
			t.Errorf("%s: got last %q next %q due %v overdue %v days %d, want %+v", s.Account.ID, s.LastVisit, s.NextDue, s.Due, s.Overdue, s.DaysOverdue, w)
		}
	}
	var ids []string
	for _, s := range p.Overdue() {
		ids = append(ids, s.Account.ID)
	}
	if got := strings.Join(ids, ","); got != "H5,H1" {
		t.Errorf("overdue list: got %s, want H5,H1 (49 days, then 7)", got)
	}

	// With calls counting as visits, H1's last visit is the call of 11-25.
	cfg := fieldwork.Default()
	cfg.VisitKinds = []string{"visit", "call"}
	p = fieldwork.NewPlan(cfg, date(t, "2026-12-03"), accounts())
	if s := p.Statuses[0]; s.LastVisit != "2026-11-25" || s.NextDue != "2026-12-09" || s.Due {
		t.Errorf("H1 with calls as visits: got %+v, want last 11-25, due 12-09, not due", s)
	}
}

func visitList(vs []fieldwork.Visit) string {
	var b strings.Builder
	for _, v := range vs {
		b.WriteString(v.Date[5:] + " " + v.Account.ID)
		if v.DaysOverdue > 0 {
			b.WriteString("!")
		}
		b.WriteString(";")
	}
	return b.String()
}

func TestVisits(t *testing.T) {
	p := fieldwork.NewPlan(fieldwork.Default(), date(t, "2026-12-03"), accounts())
	for _, c := range []struct{ kam, month, want string }{
		// The backlog H1 (7 days overdue) and H3 (never visited): one a
		// day, ceil(2/10), most overdue first: H1 today (Thu), then every
		// 14 days: 12-17, 12-31; H3 on Friday 12-04. H2 due Sunday 12-20:
		// Monday 12-21. H4 digital only: never.
		{"K1", "2026-12", "12-03 H1!;12-04 H3;12-17 H1;12-21 H2;12-31 H1;"},
		// January: H1 01-14 and 01-28; H2 12-20 + 30 = 01-19 (Tue); H3 next
		// on 12-04 + 90 = 03-04.
		{"K1", "2027-01", "01-14 H1;01-19 H2;01-28 H1;"},
		// A month before the as-of date has nothing to plan.
		{"K1", "2026-11", ""},
		// H5 overdue: today, 12-17, 12-31; H6 due Saturday 12-26: 12-28.
		{"K2", "2026-12", "12-03 H5!;12-17 H5;12-28 H6;12-31 H5;"},
		{"K3", "2026-12", ""},
	} {
		vs, err := p.Visits(c.kam, c.month)
		if err != nil {
			t.Fatal(err)
		}
		if got := visitList(vs); got != c.want {
			t.Errorf("%s %s: got %s, want %s", c.kam, c.month, got, c.want)
		}
	}
	if _, err := p.Visits("K1", "2026-13"); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("month 2026-13: got %v, want EINVALID", err)
	}

	// As of Saturday 12-05, the overdue accounts are planned on Monday
	// 12-07 and every 14 days after: 12-21.
	p = fieldwork.NewPlan(fieldwork.Default(), date(t, "2026-12-05"), accounts())
	vs, _ := p.Visits("K2", "2026-12")
	if got, want := visitList(vs), "12-07 H5!;12-21 H5;12-28 H6;"; got != want {
		t.Errorf("as of a Saturday: got %s, want %s", got, want)
	}
}

// TestBacklogSpread: 24 never-visited A accounts and one B account 30
// days overdue, as of Thursday 2026-12-03, are planned ceil(25/10) = 3 a
// working day, the overdue B first: Thu 3, Fri 4, Mon 7 to Fri 11, Mon 14
// (3 each, 24) and Tue 15 (the last one).
func TestBacklogSpread(t *testing.T) {
	var accts []fieldwork.Account
	for i := range 24 {
		accts = append(accts, fieldwork.Account{ID: fmt.Sprintf("A%02d", i), Segment: account.SegmentA, Cadence: biweekly, OwnerID: "K9"})
	}
	accts = append(accts, fieldwork.Account{ID: "B99", Segment: account.SegmentB, Cadence: monthly, OwnerID: "K9",
		Interactions: ins("B99", "K9", "visit", "2026-10-04")}) // due 10-04 + 30 = 11-03: 30 days overdue
	p := fieldwork.NewPlan(fieldwork.Default(), date(t, "2026-12-03"), accts)
	vs, err := p.Visits("K9", "2026-12")
	if err != nil {
		t.Fatal(err)
	}
	first := map[string]string{}
	perDay := map[string]int{}
	for _, v := range vs {
		if _, ok := first[v.Account.ID]; !ok {
			first[v.Account.ID] = v.Date
			perDay[v.Date]++
		}
	}
	want := map[string]int{"2026-12-03": 3, "2026-12-04": 3, "2026-12-07": 3, "2026-12-08": 3, "2026-12-09": 3, "2026-12-10": 3,
		"2026-12-11": 3, "2026-12-14": 3, "2026-12-15": 1}
	if !maps.Equal(perDay, want) {
		t.Errorf("first visits a day: got %v, want %v", perDay, want)
	}
	if first["B99"] != "2026-12-03" || first["A00"] != "2026-12-03" || first["A23"] != "2026-12-15" {
		t.Errorf("order: B99 %s, A00 %s, A23 %s; want the overdue B99 and A00 first, A23 last", first["B99"], first["A00"], first["A23"])
	}
}

func TestWorkloads(t *testing.T) {
	cfg := fieldwork.Default()
	cfg.KAMMonthlyCapacity = 4
	p := fieldwork.NewPlan(cfg, date(t, "2026-12-03"), accounts())
	k1, _ := p.Visits("K1", "2026-12")
	k2, _ := p.Visits("K2", "2026-12")
	jan, _ := p.Visits("K1", "2027-01") // 3 visits, not December's
	ws := fieldwork.Workloads(cfg, "2026-12", append(append(k1, k2...), jan...))
	if len(ws) != 2 {
		t.Fatalf("got %d workloads, want 2", len(ws))
	}
	// K1: 5 visits planned (see TestVisits) against 4: over by 1.
	if w := ws[0]; w.KAMID != "K1" || w.Planned != 5 || w.Over() != 1 || !near(w.Utilisation(), 1.25) {
		t.Errorf("K1: got %+v (over %d), want 5 planned, over 1, utilisation 1.25", w, w.Over())
	}
	if got := ws[0].Warning(labels.ZH); !strings.Contains(got, "计划拜访5次") || !strings.Contains(got, "超出产能（4次）1次") {
		t.Errorf("zh warning: %q", got)
	}
	if got := ws[0].Warning(labels.EN); !strings.Contains(got, "5 visits planned in 2026-12, 1 more than the capacity of 4") {
		t.Errorf("en warning: %q", got)
	}
	// K2: 4 visits against 4, within capacity: no warning.
	if w := ws[1]; w.KAMID != "K2" || w.Planned != 4 || w.Over() != 0 || w.Warning(labels.EN) != "" {
		t.Errorf("K2: got %+v, want 4 planned and no warning", w)
	}
}

func TestCadenceAdherence(t *testing.T) {
	a, err := fieldwork.CadenceAdherence(fieldwork.Default(), date(t, "2026-12-03"), 90, accounts())
	if err != nil {
		t.Fatal(err)
	}
	if a.From != "2026-09-04" || a.To != "2026-12-03" {
		t.Errorf("window: got %s..%s, want 2026-09-04..2026-12-03", a.From, a.To)
	}
	// Window: the 90 days after 09-04 up to 12-03. Expected = 90/interval.
	//   H1 A 14d: meeting 11-01 + visit 11-12 = 2 (the call does not
	//     count); expected 90/14 = 6.428571; kept 2.
	//   H2 B 30d: 4 visits, expected 3; kept min(4, 3) = 3.
	//   H3 C 90d: no visit, expected 1; kept 0.
	//   H4 D: left out.
	//   H5 A 14d: 10-01 only (09-04 is the window's open start); kept 1.
	//   H6 B 30d: visit and meeting on 11-26 are one day, 12-10 is later:
	//     kept 1 of 3.
	// A: 3 / 12.857143 = 42/180 = 0.233333; B: (3+1) / 6 = 0.666667;
	// C: 0 / 1 = 0.
	// K1: (2+3+0) / (6.428571+3+1) = 35/73 = 0.479452;
	// K2: (1+1) / (6.428571+3) = 14/66 = 0.212121.
	want := []struct {
		key       string
		n         int
		exp, kept float64
		adh       float64
	}{
		{"A", 2, 180.0 / 14, 3, 42.0 / 180},
		{"B", 2, 6, 4, 4.0 / 6},
		{"C", 1, 1, 0, 0},
		{"K1", 3, 73.0 / 7, 5, 35.0 / 73},
		{"K2", 2, 66.0 / 7, 2, 14.0 / 66},
	}
	got := append(a.BySegment, a.ByKAM...)
	if len(got) != len(want) {
		t.Fatalf("got %d groups %+v, want %d", len(got), got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.Key != w.key || g.Accounts != w.n || !near(g.Expected, w.exp) || !near(g.Kept, w.kept) || !near(g.Adherence, w.adh) {
			t.Errorf("group %d: got %+v, want %+v", i, g, w)
		}
	}
	if _, err := fieldwork.CadenceAdherence(fieldwork.Default(), date(t, "2026-12-03"), 0, accounts()); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("window 0: got %v, want EINVALID", err)
	}
}
