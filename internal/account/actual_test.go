package account_test

import (
	"math"
	"testing"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// salesFixture: hospital H1 (D1 with P1, P2; D2 with P3) has facts, H2
// (D3 with P4) none. Windows end at 2026-06.
func salesFixture(t *testing.T) (*account.Sales, map[string]*account.Account) {
	t.Helper()
	m := func(s string) int {
		n, ok := kolgraph.MonthNumber(s)
		if !ok {
			t.Fatalf("month %s", s)
		}
		return n
	}
	sc := account.Scope{
		Departments: []*kolgraph.Department{{ID: "D1", HospitalID: "H1"}, {ID: "D2", HospitalID: "H1"}, {ID: "D3", HospitalID: "H2"}},
		HCPs: []*kolgraph.HCP{{ID: "P1", DepartmentID: "D1", HospitalID: "H1"}, {ID: "P2", DepartmentID: "D1", HospitalID: "H1"},
			{ID: "P3", DepartmentID: "D2", HospitalID: "H1"}, {ID: "P4", DepartmentID: "D3", HospitalID: "H2"}},
	}
	facts := map[string][]account.MonthVolume{
		"P1": {{m("2026-01"), 5}, {m("2026-03"), 40}, {m("2026-04"), 30}, {m("2026-05"), 20}, {m("2026-06"), 10}, {m("2026-07"), 999}},
		"D1": {{m("2026-06"), 6}},
		"P3": {{m("2026-02"), 9}},
	}
	s := account.NewSales(m("2026-06"), facts, sc)
	pot := func(v float64) account.Potential { return account.Potential{Value: &v} }
	accts := map[string]*account.Account{
		"P1": {Level: account.LevelHCP, ID: "P1", HospitalID: "H1", Potential: pot(50)},
		"P2": {Level: account.LevelHCP, ID: "P2", HospitalID: "H1", Potential: pot(0)},
		"P3": {Level: account.LevelHCP, ID: "P3", HospitalID: "H1"},
		"P4": {Level: account.LevelHCP, ID: "P4", HospitalID: "H2", Potential: pot(8)},
		"D1": {Level: account.LevelDepartment, ID: "D1", HospitalID: "H1", Potential: pot(100)},
		"H1": {Level: account.LevelHospital, ID: "H1", HospitalID: "H1", Potential: pot(200)},
	}
	return s, accts
}

// TestActualsByHand checks monthly actual, opportunity, penetration and
// trends against arithmetic done by hand.
func TestActualsByHand(t *testing.T) {
	s, accts := salesFixture(t)
	// P1: the quarter to June is 30+20+10 = 60, 20 a month; potential 50:
	// opportunity 50-20 = 30, penetration 20/50 = 0.4. Trend 3: Apr-Jun 60
	// against Jan-Mar 5+0+40 = 45: +33.3%. Trend 6: Jan-Jun 105 against
	// Jul-Dec 2025 0: no change. The July fact is after the windows.
	p1, reason := s.Of(accts["P1"])
	if p1 == nil {
		t.Fatalf("P1: no actual (%s)", reason)
	}
	if p1.Latest != "2026-06" || !near(p1.Monthly, 20) || !near(p1.Year, 105) || !near(*p1.Opportunity, 30) || !near(*p1.Penetration, 0.4) {
		t.Errorf("P1: %+v", p1)
	}
	want := []struct {
		months           int
		volume, previous float64
		change           float64 // NaN: none
	}{{3, 60, 45, 60.0/45 - 1}, {6, 105, 0, math.NaN()}, {12, 105, 0, math.NaN()}}
	if len(p1.Trends) != len(want) {
		t.Fatalf("P1 trends %+v", p1.Trends)
	}
	for i, w := range want {
		g := p1.Trends[i]
		if g.Months != w.months || !near(g.Volume, w.volume) || !near(g.Previous, w.previous) ||
			(math.IsNaN(w.change) != (g.Change == nil)) || (g.Change != nil && !near(*g.Change, w.change)) {
			t.Errorf("P1 trend %d: %+v, want %+v", i, g, w)
		}
	}
	// P2 wrote nothing at a hospital that reports: a zero actual, and no
	// penetration of a zero potential.
	if p2, _ := s.Of(accts["P2"]); p2 == nil || p2.Monthly != 0 || p2.Penetration != nil || *p2.Opportunity != 0 {
		t.Errorf("P2: %+v", p2)
	}
	// P3's potential is unknown: an actual but no opportunity.
	if p3, _ := s.Of(accts["P3"]); p3 == nil || p3.Opportunity != nil || p3.Year != 9 {
		t.Errorf("P3: %+v", p3)
	}
	// P4's hospital reported nothing: unknown, not zero.
	if p4, reason := s.Of(accts["P4"]); p4 != nil || reason == "" {
		t.Errorf("P4: %+v %q", p4, reason)
	}
	// D1 = its own 6 in June + P1's quarter 60 + P2's 0 = 66, 22 a month;
	// H1 adds D2's P3 (9 in February, outside the quarter): 22 a month,
	// 105 + 6 + 9 = 120 over the year.
	if d1, _ := s.Of(accts["D1"]); d1 == nil || !near(d1.Monthly, 22) || !near(*d1.Penetration, 0.22) {
		t.Errorf("D1: %+v", d1)
	}
	if h1, _ := s.Of(accts["H1"]); h1 == nil || !near(h1.Monthly, 22) || !near(h1.Year, 120) || !near(*h1.Opportunity, 178) {
		t.Errorf("H1: %+v", h1)
	}
}

// TestParetoOnActual: the 20/80 view counts the last 12 months'
// prescriptions. P1 105 and P3 9 are counted, P2 (0) is zero and P4
// (no facts) unknown; the top ceil(0.2 x 2) = 1 holds 105/114.
func TestParetoOnActual(t *testing.T) {
	s, accts := salesFixture(t)
	list := []account.Account{*accts["P1"], *accts["P2"], *accts["P3"], *accts["P4"]}
	account.AttachActuals(list, s)
	p, err := account.BuildPareto(0.2, list, account.BasisActual)
	if err != nil {
		t.Fatal(err)
	}
	if p.Basis != account.BasisActual || p.Accounts != 2 || p.Zero != 1 || p.Unknown != 1 || p.Top != 1 ||
		p.Leaders[0].ID != "P1" || !near(p.TopShare, 105.0/114) {
		t.Errorf("pareto %+v", p)
	}
}
