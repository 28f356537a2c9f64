package account_test

import (
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

func segments(m *account.Matrix) map[string]account.Segment {
	out := map[string]account.Segment{}
	for _, c := range m.Cells {
		for _, mb := range c.Members {
			out[mb.ID] = c.Segment
		}
	}
	return out
}

func absolute(p, i float64) account.MatrixConfig {
	cfg := account.DefaultMatrixConfig()
	cfg.Potential = account.CutOffSpec{Mode: account.Absolute, Value: p}
	cfg.Influence = account.CutOffSpec{Mode: account.Absolute, Value: i}
	return cfg
}

func TestSegmentBoundaries(t *testing.T) {
	// Absolute cut-offs 100 patients and 0.5 influence; >= is high.
	accts := []account.Account{
		acct("at both cut-offs", fp(100), fp(0.5)),
		acct("just under potential", fp(99.99), fp(0.5)),
		acct("just under influence", fp(100), fp(0.49)),
		acct("far above", fp(1000), fp(0.9)),
		acct("zero potential", fp(0), fp(1)),
		acct("zero influence", fp(150), fp(0)),
		acct("zero both", fp(0), fp(0)),
		acct("low both", fp(10), fp(0.1)),
	}
	want := map[string]account.Segment{
		"at both cut-offs":     account.SegmentA,
		"just under potential": account.SegmentC,
		"just under influence": account.SegmentB,
		"far above":            account.SegmentA,
		"zero potential":       account.SegmentC,
		"zero influence":       account.SegmentB,
		"zero both":            account.SegmentD,
		"low both":             account.SegmentD,
	}
	m, err := account.Classify(absolute(100, 0.5), accts)
	if err != nil {
		t.Fatal(err)
	}
	got := segments(m)
	for id, w := range want {
		if got[id] != w {
			t.Errorf("%s: got %q, want %q", id, got[id], w)
		}
	}
	if m.Potential != (account.CutOff{Mode: account.Absolute, Value: 100, Threshold: 100}) {
		t.Errorf("potential cut-off echoed as %+v", m.Potential)
	}
	// An absolute cut-off of 0 still does not make zero high.
	m, _ = account.Classify(absolute(0, 0), accts)
	if got := segments(m)["zero both"]; got != account.SegmentD {
		t.Errorf("zero both with cut-offs 0: %q, want D", got)
	}
}

func TestPercentileCutOffs(t *testing.T) {
	// Positive potentials 10..50 (the 0 is left out of the basis, n = 5).
	// 50th: h = 4 x 0.5 = 2 -> x_2 = 30.   70th: h = 2.8 -> 30 + 0.8 x 10 = 38.
	// Influence: all 1, so every threshold is 1 and everyone is high.
	pots := []float64{0, 10, 20, 30, 40, 50}
	var accts []account.Account
	for i, p := range pots {
		accts = append(accts, acct(string(rune('a'+i)), fp(p), fp(1)))
	}
	tests := []struct {
		name      string
		spec      account.CutOffSpec
		threshold float64
		basis     int
		high      []string
	}{
		{"median", account.CutOffSpec{Mode: account.Percentile, Value: 50}, 30, 5, []string{"d", "e", "f"}},
		{"70th", account.CutOffSpec{Mode: account.Percentile, Value: 70}, 38, 5, []string{"e", "f"}},
		{"0th is the smallest positive", account.CutOffSpec{Mode: account.Percentile, Value: 0}, 10, 5, []string{"b", "c", "d", "e", "f"}},
		{"100th is the largest", account.CutOffSpec{Mode: account.Percentile, Value: 100}, 50, 5, []string{"f"}},
		// The same split as the 70th percentile, given as an absolute value.
		{"absolute 38", account.CutOffSpec{Mode: account.Absolute, Value: 38}, 38, 0, []string{"e", "f"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := account.DefaultMatrixConfig()
			cfg.Potential = tc.spec
			m, err := account.Classify(cfg, accts)
			if err != nil {
				t.Fatal(err)
			}
			if !near(m.Potential.Threshold, tc.threshold) || m.Potential.Basis != tc.basis ||
				m.Potential.Mode != tc.spec.Mode || m.Potential.Value != tc.spec.Value {
				t.Errorf("cut-off %+v, want threshold %v basis %d", m.Potential, tc.threshold, tc.basis)
			}
			var high []string
			for _, mb := range m.Cell(account.SegmentA).Members {
				high = append(high, mb.ID)
			}
			slices.Sort(high)
			if !slices.Equal(high, tc.high) {
				t.Errorf("high potential %v, want %v", high, tc.high)
			}
		})
	}
}

func TestTiesAtPercentileAreHigh(t *testing.T) {
	// 10, 20, 20, 20, 30: the median is 20 and all three 20s are high.
	var accts []account.Account
	for i, p := range []float64{10, 20, 20, 20, 30} {
		accts = append(accts, acct(string(rune('a'+i)), fp(p), fp(1)))
	}
	cfg := account.DefaultMatrixConfig()
	cfg.Potential.Value = 50
	m, err := account.Classify(cfg, accts)
	if err != nil {
		t.Fatal(err)
	}
	if m.Potential.Threshold != 20 || m.Cell(account.SegmentA).Count != 4 || m.Cell(account.SegmentC).Count != 1 {
		t.Errorf("threshold %v, A %d, C %d; want 20, 4, 1", m.Potential.Threshold, m.Cell(account.SegmentA).Count, m.Cell(account.SegmentC).Count)
	}
}

func TestUnclassifiedNeverInD(t *testing.T) {
	accts := []account.Account{
		acct("known", fp(5), fp(0.1)),
		acct("no potential", nil, fp(0.1)),
		acct("no influence", fp(5), nil),
		acct("neither", nil, nil),
	}
	m, err := account.Classify(account.DefaultMatrixConfig(), accts)
	if err != nil {
		t.Fatal(err)
	}
	if m.Classified != 1 || len(m.Unclassified) != 3 {
		t.Fatalf("classified %d, unclassified %d; want 1, 3", m.Classified, len(m.Unclassified))
	}
	for _, c := range m.Cells {
		for _, mb := range c.Members {
			if mb.ID != "known" {
				t.Errorf("%s is in %s", mb.ID, c.Segment)
			}
		}
	}
	wantReasons := map[string]int{"no potential": 1, "no influence": 1, "neither": 2}
	for _, u := range m.Unclassified {
		if len(u.Reasons) != wantReasons[u.ID] {
			t.Errorf("%s: reasons %q", u.ID, u.Reasons)
		}
	}
	if u := m.Unclassified[0]; !slices.Equal(u.Missing, []string{account.FieldBedTurnover}) {
		t.Errorf("missing fields not carried: %v", u.Missing)
	}
}

func TestMatrixOrderAndPlans(t *testing.T) {
	accts := []account.Account{
		acct("a2", fp(200), fp(0.9)),
		acct("a1", fp(300), fp(0.6)),
		acct("a3", fp(200), fp(0.95)),
		// C is ordered by influence then id: c1 before c2 although c2 has
		// more potential.
		acct("c2", fp(50), fp(0.7)),
		acct("c1", fp(10), fp(0.7)),
		acct("c0", fp(5), fp(0.8)),
		acct("b1", fp(150), fp(0.1)),
		acct("d1", fp(1), fp(0.1)),
	}
	m, err := account.Classify(absolute(100, 0.5), accts)
	if err != nil {
		t.Fatal(err)
	}
	want := map[account.Segment][]string{
		account.SegmentA: {"a1", "a3", "a2"},
		account.SegmentB: {"b1"},
		account.SegmentC: {"c0", "c1", "c2"},
		account.SegmentD: {"d1"},
	}
	plans := account.DefaultMatrixConfig().Plans
	for i, s := range account.Segments {
		c := m.Cells[i]
		var ids []string
		for _, mb := range c.Members {
			ids = append(ids, mb.ID)
			if mb.Playbook != plans.Of(s).Playbook || mb.Cadence != plans.Of(s).Cadence {
				t.Errorf("%s carries %q/%v", mb.ID, mb.Playbook, mb.Cadence)
			}
		}
		if c.Segment != s || c.Count != len(want[s]) || !slices.Equal(ids, want[s]) {
			t.Errorf("cell %d: %s count %d members %v, want %s %v", i, c.Segment, c.Count, ids, s, want[s])
		}
	}
	if got := m.Cell(account.SegmentA).Cadence; got.Code != "BIWEEKLY" || got.IntervalDays != 14 {
		t.Errorf("A cadence %+v", got)
	}
	if got := m.Cell(account.SegmentD).Cadence; got.Code != "DIGITAL" || got.IntervalDays != 0 {
		t.Errorf("D cadence %+v", got)
	}
}

func TestCustomPlans(t *testing.T) {
	cfg := absolute(1, 1)
	cfg.Plans.B = account.Plan{Playbook: "Formulary dossier", Cadence: account.Cadence{Code: "WEEKLY", Label: "weekly", IntervalDays: 7}}
	m, err := account.Classify(cfg, []account.Account{acct("b", fp(5), fp(0.5))})
	if err != nil {
		t.Fatal(err)
	}
	if mb := m.Cell(account.SegmentB).Members[0]; mb.Playbook != "Formulary dossier" || mb.Cadence.Code != "WEEKLY" {
		t.Errorf("member %+v", mb)
	}
}

func TestMatrixEdgeCases(t *testing.T) {
	// No positive potential at all: threshold 0 on an empty basis, no one
	// high, and the four cells are still there.
	m, err := account.Classify(account.DefaultMatrixConfig(), []account.Account{acct("x", fp(0), fp(1)), acct("y", fp(0), fp(0))})
	if err != nil {
		t.Fatal(err)
	}
	if m.Potential.Basis != 0 || m.Potential.Threshold != 0 || len(m.Cells) != 4 ||
		m.Cell(account.SegmentC).Count != 1 || m.Cell(account.SegmentD).Count != 1 {
		t.Errorf("matrix %+v", m)
	}
	if _, err := account.Classify(account.DefaultMatrixConfig(), nil); err != nil {
		t.Errorf("empty: %v", err)
	}
	mixed := []account.Account{acct("x", fp(1), fp(1)), acct("y", fp(1), fp(1))}
	mixed[1].Level = account.LevelDepartment
	if _, err := account.Classify(account.DefaultMatrixConfig(), mixed); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("mixed levels: %v", err)
	}
}
