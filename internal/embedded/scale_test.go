package embedded_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// TestListsMatchBruteForce checks the index paths of ListHCPs and
// ListHospitals (unions over many hospitals, candidate choice, exact
// counts, keyset pages) on a generated region against a plain filter over
// the change set, before and after a reopen.
func TestListsMatchBruteForce(t *testing.T) {
	cs := generate(region{hospitals: 20, deptsPerHospital: 6, hcps: 1200, committeesPerHospital: 1,
		membersPerCommittee: 2, products: 2, users: 2, knowsPerUser: 2, influencesPerHCP: 1})
	path := filepath.Join(t.TempDir(), "scale.db")
	s := openTemp(t, path)
	if _, err := s.Apply(t.Context(), cs); err != nil {
		t.Fatal(err)
	}
	hospitals := map[string]*kolgraph.Hospital{}
	for _, h := range cs.Hospitals {
		hospitals[h.ID] = h
	}
	in := func(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
	match := func(f kolgraph.HCPFilter, h *kolgraph.HCP) bool {
		hos := hospitals[h.HospitalID]
		return in(f.HospitalIDs, h.HospitalID) && in(f.Territories, hos.TerritoryID) &&
			(f.DepartmentID == "" || f.DepartmentID == h.DepartmentID) && (f.City == "" || f.City == hos.City) &&
			(f.Specialty == "" || f.Specialty == h.Specialty) && (f.Role == "" || f.Role == h.Role) &&
			(f.Title == "" || f.Title == h.Title) && (f.KOLLevel == "" || f.KOLLevel == h.KOLLevel) &&
			(!f.KOLOnly || h.KOLLevel != "") &&
			strings.Contains(strings.ToLower(h.Name), strings.ToLower(f.NameContains))
	}
	many := []string{"H003", "H001", "H017", "H009", "H012", "H002", "H005", "H019", "H011", "H004", "H008"}
	filters := []kolgraph.HCPFilter{
		{},
		{Territories: []string{"T1"}},
		{Territories: []string{"T2", "T1"}},
		{HospitalIDs: []string{"H007"}},
		{HospitalIDs: []string{"H007", "H002", "H007"}},
		{HospitalIDs: many},
		{HospitalIDs: many, Role: kolgraph.RolePharmacist},
		{City: "Shanghai"},
		{City: "Shanghai", Territories: []string{"T2"}},
		{City: "Nowhere"},
		{DepartmentID: "D004-03"},
		{DepartmentID: "D004-03", HospitalIDs: []string{"H005"}},
		{Territories: []string{"T2"}, KOLOnly: true},
		{NameContains: "王"},
		{NameContains: "SMITH", Territories: []string{"T1"}},
		{Specialty: "oncology", Title: "chief"},
	}
	check := func(t *testing.T) {
		for _, f := range filters {
			var want []string
			for _, h := range cs.HCPs {
				if match(f, h) {
					want = append(want, h.ID)
				}
			}
			slices.Sort(want)
			var got []string
			p := kolgraph.Page{First: 37}
			for {
				pg, err := s.ListHCPs(t.Context(), f, p)
				if err != nil {
					t.Fatal(err)
				}
				if pg.Total != len(want) {
					t.Errorf("%+v: Total %d, want %d", f, pg.Total, len(want))
					break
				}
				for _, h := range pg.Items {
					got = append(got, h.ID)
				}
				if !pg.HasNext {
					break
				}
				p.After = pg.Items[len(pg.Items)-1].ID
			}
			if !slices.Equal(got, want) {
				t.Errorf("%+v: got %d HCPs, want %d (first difference near %v)", f, len(got), len(want), firstDiff(got, want))
			}
		}
		for _, f := range []kolgraph.HospitalFilter{{}, {Territories: []string{"T2"}}, {IDs: many, City: "Hangzhou"}, {NameContains: "hospital 1"}} {
			var want []string
			for _, h := range cs.Hospitals {
				if in(f.IDs, h.ID) && in(f.Territories, h.TerritoryID) && (f.City == "" || f.City == h.City) &&
					strings.Contains(strings.ToLower(h.Name), f.NameContains) {
					want = append(want, h.ID)
				}
			}
			pg, err := s.ListHospitals(t.Context(), f, kolgraph.Page{First: 500})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range pg.Items {
				got = append(got, h.ID)
			}
			if !slices.Equal(got, want) || pg.Total != len(want) {
				t.Errorf("hospitals %+v: got %v (total %d), want %v", f, got, pg.Total, want)
			}
		}
	}
	t.Run("Applied", check)
	s.Close()
	s = openTemp(t, path)
	defer s.Close()
	t.Run("Reopened", check)
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return a[i] + " vs " + b[i]
		}
	}
	return "the end"
}
