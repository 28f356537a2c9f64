package account

import "github.com/kolgraph/kolgraph/internal/kolgraph"

// Actual prescriptions (DESIGN.md, "Opportunity"): potential says what an
// account could prescribe a month, the prescription facts what it did.
//
//	monthly     = the account's volume over the ActualMonths months ending
//	              at Sales.Latest, divided by ActualMonths
//	opportunity = potential - monthly   (negative: above its potential)
//	penetration = monthly / potential   (unknown when potential is 0)
//
// An HCP's volume is its own facts; a department's is its own facts (what
// was not attributed to anyone) plus its HCPs'; a hospital's is its
// departments'. Every window ends at the latest month with a fact for the
// product anywhere in the data, not at each account's own last fact, so
// an account that stopped prescribing shows zero rather than its old
// volume, and all accounts are compared over the same months.
//
// Facts are supplied per hospital (the data feeds are), so an account whose
// hospital has no fact at all for the product has an unknown actual, not a
// zero one: nobody reported it.

// ActualMonths is the window of the monthly actual: a quarter, long enough
// to smooth a month's noise, short enough to show a change of course.
const ActualMonths = 3

// TrendWindows are the trend windows an account shows, in months.
var TrendWindows = []int{3, 6, 12}

// MonthVolume is one month's prescriptions (Month is kolgraph.MonthNumber).
type MonthVolume struct {
	Month  int
	Volume float64
}

// Sales are the actual prescriptions of a scope for one product (or every
// product), rolled up to its HCPs, departments and hospitals.
type Sales struct {
	// Latest is the month every window ends at (kolgraph.MonthNumber).
	Latest int
	vol    map[string]map[int]float64 // account id -> month -> volume
	// covered: the hospitals with at least one fact.
	covered map[string]bool
}

// NewSales rolls facts (by HCP or department id, products already
// chosen) up the scope's departments and hospitals. latest is the end of
// every window; facts after it are ignored.
func NewSales(latest int, facts map[string][]MonthVolume, s Scope) *Sales {
	out := &Sales{Latest: latest, vol: map[string]map[int]float64{}, covered: map[string]bool{}}
	add := func(id string, mv MonthVolume) {
		m := out.vol[id]
		if m == nil {
			m = map[int]float64{}
			out.vol[id] = m
		}
		m[mv.Month] += mv.Volume
	}
	deptHospital := make(map[string]string, len(s.Departments))
	for _, d := range s.Departments {
		deptHospital[d.ID] = d.HospitalID
	}
	roll := func(id, dept string) {
		hosp := deptHospital[dept]
		for _, mv := range facts[id] {
			if mv.Month > latest {
				continue
			}
			out.covered[hosp] = true
			if id != dept {
				add(id, mv)
			}
			add(dept, mv)
			add(hosp, mv)
		}
	}
	for _, d := range s.Departments {
		roll(d.ID, d.ID)
	}
	for _, h := range s.HCPs {
		roll(h.ID, h.DepartmentID)
	}
	return out
}

// Covered reports whether any account of the scope has a fact.
func (s *Sales) Covered() bool { return s != nil && len(s.covered) > 0 }

// Actual is an account's actual prescriptions against its potential.
type Actual struct {
	// Latest is the last month of every window ("2026-11").
	Latest string `json:"latest"`
	// Monthly is the mean monthly volume over the ActualMonths months to
	// Latest.
	Monthly float64 `json:"monthly"`
	// Year is the volume of the 12 months to Latest (the Pareto basis).
	Year float64 `json:"year"`
	// Opportunity = potential - Monthly; nil when potential is unknown.
	Opportunity *float64 `json:"opportunity"`
	// Penetration = Monthly / potential; nil when potential is unknown or 0.
	Penetration *float64 `json:"penetration"`
	// Trends are the TrendWindows, in that order.
	Trends []Trend `json:"trends"`
}

// Trend compares the volume of the Months months to Latest with the
// Months months before them: Change = Volume / Previous - 1, nil when
// Previous is 0.
type Trend struct {
	Months   int      `json:"months"`
	Volume   float64  `json:"volume"`
	Previous float64  `json:"previous"`
	Change   *float64 `json:"change"`
}

// window sums m over the n months ending at end.
func window(m map[int]float64, end, n int) float64 {
	var sum float64
	for k := end - n + 1; k <= end; k++ {
		sum += m[k]
	}
	return sum
}

// Of returns the actual of account a, or nil with the reason when its
// hospital reported no fact.
func (s *Sales) Of(a *Account) (*Actual, string) {
	if s == nil || !s.covered[a.HospitalID] {
		return nil, "no prescription facts for this hospital"
	}
	m := s.vol[a.ID] // nil: no fact, a zero volume
	out := &Actual{Latest: kolgraph.MonthName(s.Latest), Year: window(m, s.Latest, 12),
		Monthly: window(m, s.Latest, ActualMonths) / ActualMonths}
	if p, ok := a.Potential.Float(); ok {
		o := p - out.Monthly
		out.Opportunity = &o
		if p > 0 {
			r := out.Monthly / p
			out.Penetration = &r
		}
	}
	for _, n := range TrendWindows {
		t := Trend{Months: n, Volume: window(m, s.Latest, n), Previous: window(m, s.Latest-n, n)}
		if t.Previous > 0 {
			c := t.Volume/t.Previous - 1
			t.Change = &c
		}
		out.Trends = append(out.Trends, t)
	}
	return out, ""
}

// AttachActuals sets the actual of every account from s (nil: none).
func AttachActuals(accounts []Account, s *Sales) {
	if !s.Covered() {
		return
	}
	for i := range accounts {
		accounts[i].Actual, accounts[i].ActualReason = s.Of(&accounts[i])
	}
}
