package seedgen_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedgen"
)

// TestFacts: a year of T01 facts is deterministic, valid, only of T01's
// prescribers (physicians of departments indicated for the product), with
// every month of the window for each, and tied to potential: each pair's
// mean volume is between 3% and 80% of the HCP's potential, and KOLs
// prescribe a larger share of theirs than the others.
func TestFacts(t *testing.T) {
	cs := defaultRegion()
	cfg := seedgen.DefaultFactsConfig()
	facts, err := seedgen.Facts(cfg, cs)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := seedgen.Facts(cfg, cs)
	if !reflect.DeepEqual(facts, again) {
		t.Error("Facts is not deterministic")
	}
	other := cfg
	other.Seed++
	if o, _ := seedgen.Facts(other, cs); reflect.DeepEqual(facts, o) {
		t.Error("another seed gives the same facts")
	}
	if len(facts) < 1000 {
		t.Fatalf("got %d facts, want a year of a territory's prescribers", len(facts))
	}
	if err := (&kolgraph.ChangeSet{Prescriptions: facts}).CheckFields(); err != nil {
		t.Fatalf("facts are not valid: %v", err)
	}

	hospitals, departments, hcps, products := map[string]*kolgraph.Hospital{}, map[string]*kolgraph.Department{},
		map[string]*kolgraph.HCP{}, map[string]*kolgraph.Product{}
	for _, h := range cs.Hospitals {
		hospitals[h.ID] = h
	}
	for _, d := range cs.Departments {
		departments[d.ID] = d
	}
	for _, h := range cs.HCPs {
		hcps[h.ID] = h
	}
	for _, p := range cs.Products {
		products[p.ID] = p
	}
	model := account.DefaultPotentialModel()
	staff := map[string][]*kolgraph.HCP{}
	for _, h := range cs.HCPs {
		staff[h.DepartmentID] = append(staff[h.DepartmentID], h)
	}
	potential := func(h *kolgraph.HCP, p *kolgraph.Product) float64 {
		d := departments[h.DepartmentID]
		dp := model.Department(d, hospitals[d.HospitalID], p)
		i := slices.Index(staff[d.ID], h)
		return *dp.Value * model.Shares(staff[d.ID])[i]
	}

	type pair struct{ hcp, product string }
	months := map[pair][]string{}
	sum := map[pair]float64{}
	for _, f := range facts {
		h, p := hcps[f.HCPID], products[f.ProductID]
		if h == nil || p == nil || f.DepartmentID != "" {
			t.Fatalf("fact %+v: want an HCP's fact of a region product", f)
		}
		if hospitals[h.HospitalID].TerritoryID != "T01" || !model.Prescriber(h, departments[h.DepartmentID], p) {
			t.Fatalf("fact %+v: %s (%s, %s) is not a T01 prescriber of %s", f, h.ID, h.Role, departments[h.DepartmentID].Specialty, p.ID)
		}
		k := pair{f.HCPID, f.ProductID}
		months[k] = append(months[k], f.Month)
		sum[k] += f.Volume
	}
	want := []string{"2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07",
		"2026-08", "2026-09", "2026-10", "2026-11"}
	var kolPen, otherPen []float64
	for k, ms := range months {
		if !slices.Equal(ms, want) {
			t.Fatalf("months of %v: got %v, want %v", k, ms, want)
		}
		pot := potential(hcps[k.hcp], products[k.product])
		pen := sum[k] / 12 / pot
		if pen < 0.03 || pen > 0.8 {
			t.Errorf("%v: mean volume %.1f is %.0f%% of potential %.1f, want 3-80%%", k, sum[k]/12, 100*pen, pot)
		}
		if hcps[k.hcp].IsKOL() {
			kolPen = append(kolPen, pen)
		} else {
			otherPen = append(otherPen, pen)
		}
	}
	if len(kolPen) == 0 || mean(kolPen) <= mean(otherPen)+0.05 {
		t.Errorf("mean penetration: KOLs %.2f (%d), others %.2f; want KOLs clearly higher", mean(kolPen), len(kolPen), mean(otherPen))
	}
	t.Logf("%d facts of %d HCP-product pairs; mean penetration KOLs %.2f, others %.2f", len(facts), len(months), mean(kolPen), mean(otherPen))
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(max(len(xs), 1))
}

func TestFactsRefusesABadConfig(t *testing.T) {
	for _, cfg := range []seedgen.FactsConfig{
		{Territory: "T01", Months: 12, End: "2026-13"},
		{Territory: "T01", Months: 0, End: "2026-11"},
		{Territory: "T01", Months: seedgen.MaxFactMonths + 1, End: "2026-11"},
		{Territory: "T99", Months: 12, End: "2026-11"},
	} {
		if _, err := seedgen.Facts(cfg, defaultRegion()); err == nil {
			t.Errorf("Facts(%+v): no error", cfg)
		}
	}
}
