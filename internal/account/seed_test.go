package account_test

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/seed"
)

var seedOnce = sync.OnceValues(func() (*kolgraph.ChangeSet, error) { return seedfile.Read(seed.FS) })

func seedRegion(t testing.TB) *kolgraph.ChangeSet {
	t.Helper()
	cs, err := seedOnce()
	if err != nil {
		t.Fatalf("read seed: %v", err)
	}
	return cs
}

// weightedOutDegree is a stand-in for the INFLUENCE score: the sum of the
// weights of the edges an HCP is the source of (0 for none).
func weightedOutDegree(cs *kolgraph.ChangeSet) map[string]float64 {
	deg := make(map[string]float64, len(cs.HCPs))
	for _, h := range cs.HCPs {
		deg[h.ID] = 0
	}
	for _, e := range cs.Influences {
		deg[e.From] += e.Weight
	}
	return deg
}

// territoryScope is every hospital, department and HCP of territory tid.
func territoryScope(cs *kolgraph.ChangeSet, tid, productID string) account.Scope {
	s := account.Scope{Influence: weightedOutDegree(cs)}
	in := map[string]bool{}
	for _, h := range cs.Hospitals {
		if h.TerritoryID == tid {
			s.Hospitals = append(s.Hospitals, h)
			in[h.ID] = true
		}
	}
	for _, d := range cs.Departments {
		if in[d.HospitalID] {
			s.Departments = append(s.Departments, d)
		}
	}
	for _, h := range cs.HCPs {
		if in[h.HospitalID] {
			s.HCPs = append(s.HCPs, h)
		}
	}
	for _, p := range cs.Products {
		if p.ID == productID {
			s.Product = p
		}
	}
	return s
}

func TestSeedTerritoryFillsAllSegments(t *testing.T) {
	cs := seedRegion(t)
	cfg := account.DefaultConfig()
	for _, tc := range []struct{ territory, product string }{
		{"T01", "RX01"}, {"T01", "RX02"}, {"T02", "RX03"}, {"T03", ""},
	} {
		t.Run(tc.territory+"/"+tc.product, func(t *testing.T) {
			s := territoryScope(cs, tc.territory, tc.product)
			if tc.product != "" && s.Product == nil {
				t.Fatalf("no product %s in the seed", tc.product)
			}
			accts := mustEvaluate(t, cfg, s, account.LevelHCP)
			m, err := account.Classify(cfg.Matrices.HCP, accts)
			if err != nil {
				t.Fatal(err)
			}
			counts := make([]int, 4)
			for i, c := range m.Cells {
				counts[i] = c.Count
				if c.Count == 0 {
					t.Errorf("segment %s is empty", c.Segment)
				}
			}
			t.Logf("%d HCPs, %d prescribers: A/B/C/D %v, unclassified %d; potential cut %+v; influence cut %+v",
				len(s.HCPs), len(accts), counts, len(m.Unclassified), m.Potential, m.Influence)
			if m.Classified+len(m.Unclassified) != len(accts) {
				t.Errorf("classified %d + unclassified %d != %d prescribers", m.Classified, len(m.Unclassified), len(accts))
			}
		})
	}
}

// TestSeedUnknownPotential follows the seed's four departments that lack
// one input each (seed/README.md): their HCPs are unclassified when the
// product is used there, with the field named, and classified as zero
// potential when it is not.
func TestSeedUnknownPotential(t *testing.T) {
	cs := seedRegion(t)
	cfg := account.DefaultConfig()
	// D007-07 (oncology, no weekly_outpatients) and D013-07 (oncology, no
	// bed_turnover) are in T01; RX02 treats oncology, RX01 does not.
	unclassified := func(product string) map[string][]string {
		s := territoryScope(cs, "T01", product)
		m, err := account.Classify(cfg.Matrices.HCP, mustEvaluate(t, cfg, s, account.LevelHCP))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]string{}
		for _, u := range m.Unclassified {
			out[u.DepartmentID] = append(out[u.DepartmentID], strings.Join(u.Reasons, "; "))
		}
		for _, mb := range m.Cell(account.SegmentD).Members {
			if mb.DepartmentID == "D007-07" || mb.DepartmentID == "D013-07" {
				if product == "RX02" {
					t.Errorf("%s of %s is in D although its potential is unknown", mb.ID, mb.DepartmentID)
				}
			}
		}
		return out
	}
	got := unclassified("RX02")
	if len(got["D007-07"]) == 0 || !strings.Contains(got["D007-07"][0], "weekly_outpatients") {
		t.Errorf("D007-07 under RX02: %v", got["D007-07"])
	}
	if len(got["D013-07"]) == 0 || !strings.Contains(got["D013-07"][0], "bed_turnover") {
		t.Errorf("D013-07 under RX02: %v", got["D013-07"])
	}
	if len(got) != 2 {
		t.Errorf("unclassified departments under RX02: %v", slices.Sorted(maps.Keys(got)))
	}
	if got := unclassified("RX01"); len(got) != 0 {
		t.Errorf("RX01 is not used in oncology, yet unclassified: %v", got)
	}
	// Without a product D013-12 (general surgery, no bed_turnover) is
	// unknown too.
	if got := unclassified(""); len(got["D013-12"]) == 0 {
		t.Errorf("D013-12 without product: %v", got)
	}
}

func TestSeedViews(t *testing.T) {
	cs := seedRegion(t)
	cfg := account.DefaultConfig()
	s := territoryScope(cs, "T02", "RX02")

	depts := mustEvaluate(t, cfg, s, account.LevelDepartment)
	hm, err := account.BuildHeatMap(cfg.HeatMap, depts)
	if err != nil {
		t.Fatal(err)
	}
	// D016-07 (oncology, T02) lacks competitor_penetration: heat unknown.
	for _, c := range hm.Cells {
		if c.ID == "D016-07" && (c.Bin != account.BinUnknown || !slices.Contains(c.Missing, account.FieldCompetitorPenetration)) {
			t.Errorf("D016-07 heat cell %+v", c)
		}
	}
	t.Logf("heat map: %d cells, edges %.1f, counts %v, unknown %d", len(hm.Cells), hm.Edges, hm.Counts, hm.Unknown)

	p, err := account.BuildPareto(cfg.ParetoFraction, depts, account.BasisPotential)
	if err != nil {
		t.Fatal(err)
	}
	if p.Accounts == 0 || p.TopShare < 0.2 || p.TopShare > 1 {
		t.Errorf("Pareto %+v", p)
	}
	t.Logf("Pareto: top %d of %d departments hold %.1f%% of RX02 potential (%d zero, %d unknown)",
		p.Top, p.Accounts, 100*p.TopShare, p.Zero, p.Unknown)

	for _, level := range []account.Level{account.LevelDepartment, account.LevelHospital} {
		m, err := account.Classify(cfg.Matrices.For(level), mustEvaluate(t, cfg, s, level))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s matrix: A/B/C/D %d/%d/%d/%d, unclassified %d", level,
			m.Cells[0].Count, m.Cells[1].Count, m.Cells[2].Count, m.Cells[3].Count, len(m.Unclassified))
	}

	sp, err := account.SpeakerCandidates(cfg.Speakers, account.SpeakerInput{HCPs: s.HCPs, Influence: s.Influence, Specialties: s.Product.Specialties})
	if err != nil || len(sp) != cfg.Speakers.Limit {
		t.Fatalf("speakers: %d, %v", len(sp), err)
	}

	accts := mustEvaluate(t, cfg, s, account.LevelHCP)
	m, err := account.Classify(cfg.Matrices.HCP, accts)
	if err != nil {
		t.Fatal(err)
	}
	r := account.NewReport(m)
	r.Title = "T02 RX02"
	var buf bytes.Buffer
	if err := account.WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(buf.Bytes(), []byte("\n")); n != len(accts)+1 {
		t.Errorf("CSV has %d lines, want %d", n, len(accts)+1)
	}
}
