package account_test

import (
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// heatAccounts: five departments whose heat is 10, 20, 30, 40, 50, one with
// zero potential and one without policy sensitivity.
//
//	heat = potential x policy sensitivity x competitor penetration
//	e.g. 50 x 0.8 x 0.25 = 10, ..., 250 x 0.8 x 0.25 = 50
func heatAccounts() []account.Account {
	var out []account.Account
	for i, p := range []float64{50, 100, 150, 200, 250, 0} {
		d := &kolgraph.Department{ID: string(rune('a' + i)), PolicySensitivity: fp(0.8), CompetitorPenetration: fp(0.25)}
		out = append(out, account.Account{Level: account.LevelDepartment, ID: d.ID, DepartmentID: d.ID, Department: d,
			Potential: account.Potential{Value: fp(p)}})
	}
	d := &kolgraph.Department{ID: "g", CompetitorPenetration: fp(0.25)}
	out = append(out, account.Account{Level: account.LevelDepartment, ID: "g", Department: d, Potential: account.Potential{Value: fp(10)}})
	return out
}

func TestHeatMapBins(t *testing.T) {
	tests := []struct {
		name   string
		cfg    account.HeatMapConfig
		edges  []float64
		bins   []int // a..g
		counts []int
	}{
		// Quartiles of 10..50 (n = 5): h = 1, 2, 3 -> 20, 30, 40. A value v is
		// in bin 1 + #{edges <= v}.
		{"quartiles", account.HeatMapConfig{Mode: account.BinQuantile, Bins: 4}, []float64{20, 30, 40},
			[]int{1, 2, 3, 4, 4, account.BinZero, account.BinUnknown}, []int{1, 1, 1, 1, 2}},
		{"fixed", account.HeatMapConfig{Mode: account.BinFixed, Edges: []float64{15, 35}}, []float64{15, 35},
			[]int{1, 2, 2, 3, 3, account.BinZero, account.BinUnknown}, []int{1, 1, 2, 2}},
		{"one bin", account.HeatMapConfig{Mode: account.BinQuantile, Bins: 1}, []float64{},
			[]int{1, 1, 1, 1, 1, account.BinZero, account.BinUnknown}, []int{1, 5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hm, err := account.BuildHeatMap(tc.cfg, heatAccounts())
			if err != nil {
				t.Fatal(err)
			}
			var bins []int
			for _, c := range hm.Cells {
				bins = append(bins, c.Bin)
			}
			if !slices.Equal(hm.Edges, tc.edges) || !slices.Equal(bins, tc.bins) || !slices.Equal(hm.Counts, tc.counts) {
				t.Errorf("edges %v bins %v counts %v; want %v %v %v", hm.Edges, bins, hm.Counts, tc.edges, tc.bins, tc.counts)
			}
			if hm.Bins != len(tc.edges)+1 || hm.Unknown != 1 || hm.Min != 10 || hm.Max != 50 {
				t.Errorf("bins %d unknown %d min %v max %v", hm.Bins, hm.Unknown, hm.Min, hm.Max)
			}
			if v := hm.Cells[4].Value; v == nil || !near(*v, 50) {
				t.Errorf("value of e: %v, want 250 x 0.8 x 0.25 = 50", v)
			}
			if g := hm.Cells[6]; g.Value != nil || !slices.Equal(g.Missing, []string{account.FieldPolicySensitivity}) {
				t.Errorf("g: %+v", g)
			}
		})
	}
}

func TestHeatMapLevels(t *testing.T) {
	cfg := account.DefaultConfig()
	d := dept("D1", "H1", "cardiology") // potential 140, PS 0.8, CP 0.5: heat 56
	s := account.Scope{Departments: []*kolgraph.Department{d}, HCPs: staff("D1", "H1")}
	hm, err := account.BuildHeatMap(cfg.HeatMap, mustEvaluate(t, cfg, s, account.LevelHCP))
	if err != nil {
		t.Fatal(err)
	}
	// The head's share is 4.5/10.5: 56 x 3/7 = 24.
	if c := hm.Cells[0]; c.ID != "D1-head" || !near(*c.Value, 24) || hm.Level != account.LevelHCP {
		t.Errorf("head cell %+v", c)
	}
	// The vice president, the nurse and the pharmacist are not
	// prescribers: no cells.
	if len(hm.Cells) != 4 {
		t.Errorf("%d cells, want the 4 physicians", len(hm.Cells))
	}
	if _, err := account.BuildHeatMap(cfg.HeatMap, mustEvaluate(t, cfg, s, account.LevelHospital)); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("hospital level: %v", err)
	}
}

func TestPareto(t *testing.T) {
	// Positive potentials 50, 30, 10, 5, 3, 2 (n = 6, total 100), one zero,
	// one unknown. 20%: k = ceil(1.2) = 2, top = 50 + 30 = 80, share 0.8.
	// 50%: k = 3, top 90.
	var accts []account.Account
	for i, p := range []*float64{fp(5), fp(50), fp(3), nil, fp(30), fp(0), fp(10), fp(2)} {
		accts = append(accts, acct(string(rune('a'+i)), p, fp(1)))
	}
	tests := []struct {
		fraction float64
		top      int
		share    float64
		leaders  []string
	}{
		{0.2, 2, 0.8, []string{"b", "e"}},
		{0.5, 3, 0.9, []string{"b", "e", "g"}},
		{0.01, 1, 0.5, []string{"b"}},
		{1, 6, 1, []string{"b", "e", "g", "a", "c", "h"}},
	}
	for _, tc := range tests {
		p, err := account.BuildPareto(tc.fraction, accts, account.BasisPotential)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, l := range p.Leaders {
			ids = append(ids, l.ID)
		}
		if p.Accounts != 6 || p.Zero != 1 || p.Unknown != 1 || p.Top != tc.top || !near(p.TopShare, tc.share) ||
			!near(p.TotalPotential, 100) || !slices.Equal(ids, tc.leaders) {
			t.Errorf("fraction %v: %+v; want top %d share %v leaders %v", tc.fraction, p, tc.top, tc.share, tc.leaders)
		}
	}
}

func TestParetoRounding(t *testing.T) {
	for _, tc := range []struct {
		n, want int
		f       float64
	}{{1, 1, 0.2}, {5, 1, 0.2}, {6, 2, 0.2}, {7, 2, 0.2}, {10, 2, 0.2}, {15, 3, 0.2}, {30, 6, 0.2}, {100, 20, 0.2}, {10, 3, 0.3}, {3, 1, 0.1}} {
		var accts []account.Account
		for i := range tc.n {
			accts = append(accts, acct(string(rune('A'+i)), fp(float64(i+1)), fp(1)))
		}
		p, err := account.BuildPareto(tc.f, accts, account.BasisPotential)
		if err != nil {
			t.Fatal(err)
		}
		if p.Top != tc.want {
			t.Errorf("%v of %d: top %d, want %d", tc.f, tc.n, p.Top, tc.want)
		}
	}
	p, err := account.BuildPareto(0.2, nil, account.BasisPotential)
	if err != nil || p.Top != 0 || p.TopShare != 0 {
		t.Errorf("empty: %+v %v", p, err)
	}
	if _, err := account.BuildPareto(1.5, nil, account.BasisPotential); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("fraction 1.5: %v", err)
	}
}
