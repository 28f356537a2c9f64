package storetest

import (
	"errors"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

func (r *runner) testEmpty(t *testing.T) {
	s := r.open(t)
	ctx := t.Context()
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if v := version(t, s); v != 0 {
		t.Errorf("Version of a new store: got %d, want 0", v)
	}
	hs, err := s.HCPs(ctx, []string{"P001", "P002"})
	if err != nil || len(hs) != 2 || hs[0] != nil || hs[1] != nil {
		t.Errorf("HCPs on an empty store: got %v, %v; want [nil nil], nil", hs, err)
	}
	pg, err := s.ListHCPs(ctx, kolgraph.HCPFilter{}, kolgraph.Page{First: 10})
	if err != nil || len(pg.Items) != 0 || pg.Total != 0 || pg.HasNext {
		t.Errorf("ListHCPs on an empty store: got %+v, %v; want empty page", pg, err)
	}
	hp, err := s.ListHospitals(ctx, kolgraph.HospitalFilter{}, kolgraph.Page{First: 10})
	if err != nil || len(hp.Items) != 0 || hp.Total != 0 || hp.HasNext {
		t.Errorf("ListHospitals on an empty store: got %+v, %v; want empty page", hp, err)
	}
	ps, err := s.ListProducts(ctx)
	if err != nil || len(ps) != 0 {
		t.Errorf("ListProducts on an empty store: got %v, %v", ps, err)
	}
	if d := takeSnapshot(t, s).diff(newSnapshot()); len(d) > 0 {
		t.Errorf("Scan of an empty store visited records:\n%s", joinLines(d))
	}
}

func (r *runner) testLookups(t *testing.T) {
	s := r.loaded(t)
	ctx := t.Context()
	// Every lookup: known ids out of order, an unknown id, a duplicate.
	check := func(t *testing.T, ask []string, got []string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("lookup failed: %v", err)
		}
		want := make([]string, len(ask))
		for i, id := range ask {
			if id[len(id)-1] != 'X' { // ids ending in X do not exist
				want[i] = id
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("got %q, want %q (one entry per id asked, in order, \"\" meaning nil)", got, want)
		}
	}
	t.Run("Hospitals", func(t *testing.T) {
		ask := []string{"H003", "HX", "H001", "H003"}
		got, err := s.Hospitals(ctx, ask)
		check(t, ask, nilIDs(got, hospitalID), err)
	})
	t.Run("Departments", func(t *testing.T) {
		ask := []string{"D003-02", "D001-01", "DX", "D001-01"}
		got, err := s.Departments(ctx, ask)
		check(t, ask, nilIDs(got, func(d *kolgraph.Department) string { return d.ID }), err)
	})
	t.Run("HCPs", func(t *testing.T) {
		ask := []string{"P010", "PX", "P001", "P005", "P001", "PPX"}
		got, err := s.HCPs(ctx, ask)
		check(t, ask, nilIDs(got, hcpID), err)
	})
	t.Run("Committees", func(t *testing.T) {
		ask := []string{"C003", "CX", "C001"}
		got, err := s.Committees(ctx, ask)
		check(t, ask, nilIDs(got, func(c *kolgraph.Committee) string { return c.ID }), err)
	})
	t.Run("Products", func(t *testing.T) {
		ask := []string{"PRX", "PR03", "PR01"}
		got, err := s.Products(ctx, ask)
		check(t, ask, nilIDs(got, func(p *kolgraph.Product) string { return p.ID }), err)
	})
	t.Run("Territories", func(t *testing.T) {
		ask := []string{"T2", "TX", "T1"}
		got, err := s.Territories(ctx, ask)
		check(t, ask, nilIDs(got, func(p *kolgraph.Territory) string { return p.ID }), err)
	})
	t.Run("Users", func(t *testing.T) {
		ask := []string{"U03", "U01", "UX"}
		got, err := s.Users(ctx, ask)
		check(t, ask, nilIDs(got, func(p *kolgraph.User) string { return p.ID }), err)
	})
	t.Run("Influences", func(t *testing.T) {
		ask := []kolgraph.EdgeKey{
			{From: "P006", To: "P007"},
			{From: "P002", To: "P001"}, // reversed direction of P001->P002: absent
			{From: "P001", To: "P002"},
			{From: "PX", To: "P001"},
		}
		got, err := s.Influences(ctx, ask)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"P006->P007", "", "P001->P002", ""}
		gotS := nilIDs(got, func(e *kolgraph.Influence) string { return e.From + "->" + e.To })
		if !slices.Equal(gotS, want) {
			t.Errorf("got %q, want %q", gotS, want)
		}
		if got[0] != nil && got[0].Weight != 0.9 {
			t.Errorf("P006->P007 weight: got %v, want 0.9", got[0].Weight)
		}
	})
	t.Run("EmptyInput", func(t *testing.T) {
		hs, err := s.HCPs(ctx, nil)
		if err != nil || len(hs) != 0 {
			t.Errorf("HCPs(nil): got %v, %v; want empty, nil", hs, err)
		}
		es, err := s.Influences(ctx, []kolgraph.EdgeKey{})
		if err != nil || len(es) != 0 {
			t.Errorf("Influences([]): got %v, %v; want empty, nil", es, err)
		}
	})
}

// testRoundTrip checks that every field of every record comes back as
// written, through the lookups and through Scan.
func (r *runner) testRoundTrip(t *testing.T) {
	s := r.loaded(t)
	ctx := t.Context()
	want := snapshotOf(Fixture())
	t.Run("Scan", func(t *testing.T) { wantSnapshot(t, s, want) })
	t.Run("Lookups", func(t *testing.T) {
		for _, w := range Fixture().HCPs {
			got := hcpsOf(t, s, w.ID)[0]
			if got == nil || !reflect.DeepEqual(canonHCP(*got), canonHCP(*w)) {
				t.Errorf("HCP %s: got %s, want %s", w.ID, show(got), show(w))
			}
		}
		for _, w := range Fixture().Departments {
			got, err := s.Departments(ctx, []string{w.ID})
			if err != nil || got[0] == nil || !reflect.DeepEqual(*got[0], *w) {
				t.Errorf("Department %s: got %s (%v), want %s", w.ID, show(got), err, show(w))
			}
		}
		for _, w := range Fixture().Influences {
			got, err := s.Influences(ctx, []kolgraph.EdgeKey{w.Key()})
			if err != nil || got[0] == nil || !reflect.DeepEqual(canonInfluence(*got[0]), canonInfluence(*w)) {
				t.Errorf("Influence %v: got %s (%v), want %s", w.Key(), show(got), err, show(w))
			}
		}
		for _, w := range Fixture().Hospitals {
			got, err := s.Hospitals(ctx, []string{w.ID})
			if err != nil || got[0] == nil || *got[0] != *w {
				t.Errorf("Hospital %s: got %s (%v), want %s", w.ID, show(got), err, show(w))
			}
		}
		for _, w := range Fixture().Users {
			got, err := s.Users(ctx, []string{w.ID})
			if err != nil || got[0] == nil || !reflect.DeepEqual(canonUser(*got[0]), canonUser(*w)) {
				t.Errorf("User %s: got %s (%v), want %s", w.ID, show(got), err, show(w))
			}
		}
		for _, w := range Fixture().Products {
			got, err := s.Products(ctx, []string{w.ID})
			if err != nil || got[0] == nil || !reflect.DeepEqual(canonProduct(*got[0]), canonProduct(*w)) {
				t.Errorf("Product %s: got %s (%v), want %s", w.ID, show(got), err, show(w))
			}
		}
	})
	t.Run("MissingVersusZero", func(t *testing.T) {
		got, err := s.Departments(ctx, []string{"D001-02", "D002-01"})
		if err != nil {
			t.Fatal(err)
		}
		if d := got[0]; d == nil || d.WeeklyOutpatients != nil || d.IndicationShare != nil || d.BedTurnover != nil {
			t.Errorf("D001-02 has no potential inputs: got %s, want them nil (unknown, never zero)", show(d))
		}
		if d := got[1]; d == nil || d.WeeklyOutpatients == nil || *d.WeeklyOutpatients != 0 ||
			d.IndicationShare == nil || *d.IndicationShare != 0 || d.DischargePenetration != nil {
			t.Errorf("D002-01 has zero inputs set: got %s, want pointers to 0 and nil where unset", show(d))
		}
	})
}

// testCopies checks that neither the records passed to Apply nor the
// records returned by reads share memory with the store.
func (r *runner) testCopies(t *testing.T) {
	ctx := t.Context()
	t.Run("InputMutatedAfterApply", func(t *testing.T) {
		s := r.open(t)
		cs := Fixture()
		apply(t, s, cs)
		for _, h := range cs.HCPs {
			h.Name = "changed"
			if len(h.KOLEvidence) > 0 {
				h.KOLEvidence[0] = "changed"
			}
		}
		for _, d := range cs.Departments {
			if d.IndicationShare != nil {
				*d.IndicationShare = 0.99
			}
		}
		for _, e := range cs.Influences {
			e.Weight = 0.01
		}
		cs.Products[0].Indications[0] = "changed"
		cs.Users[0].Territories[0] = "changed"
		wantSnapshot(t, s, snapshotOf(Fixture()))
	})
	t.Run("OutputMutated", func(t *testing.T) {
		s := r.loaded(t)
		hs := hcpsOf(t, s, "P001")
		hs[0].Name, hs[0].KOLEvidence[0] = "changed", "changed"
		ds, _ := s.Departments(ctx, []string{"D001-01"})
		*ds[0].IndicationShare = 0.99
		ps, _ := s.Products(ctx, []string{"PR02"})
		ps[0].Indications[0] = "changed"
		us, _ := s.Users(ctx, []string{"U02"})
		us[0].Territories[0] = "changed"
		pg, _ := s.ListHCPs(ctx, kolgraph.HCPFilter{}, kolgraph.Page{First: 10})
		for _, h := range pg.Items {
			h.Phone = "changed"
		}
		es, _ := s.InfluencesFrom(ctx, []string{"P001"})
		for _, e := range es[0] {
			e.Weight = 0.01
		}
		nav, _ := s.HCPsOfDepartments(ctx, []string{"D003-01"})
		for _, h := range nav[0] {
			h.Title = "changed"
		}
		err := s.Scan(ctx, kolgraph.Visitor{
			Hospital: func(h *kolgraph.Hospital) error { h.Name = "changed"; return nil },
			HCP:      func(h *kolgraph.HCP) error { h.Role = "changed"; return nil },
		})
		if err != nil {
			t.Fatal(err)
		}
		wantSnapshot(t, s, snapshotOf(Fixture()))
	})
	t.Run("ReadOnlyScanSeesTheSame", func(t *testing.T) {
		s := r.loaded(t)
		if d := scanSnapshot(t, s, true).diff(snapshotOf(Fixture())); len(d) > 0 {
			t.Errorf("a read-only scan differs from the fixture (got vs want):\n%s", joinLines(d))
		}
	})
}

func (r *runner) testListHospitals(t *testing.T) {
	s := r.loaded(t)
	all := []string{"H001", "H002", "H003"}
	for _, tc := range []struct {
		name string
		f    kolgraph.HospitalFilter
		want []string
	}{
		{"NoFilter", kolgraph.HospitalFilter{}, all},
		{"IDs", kolgraph.HospitalFilter{IDs: []string{"H003", "HX", "H001"}}, []string{"H001", "H003"}},
		{"IDsUnknown", kolgraph.HospitalFilter{IDs: []string{"HX"}}, nil},
		{"Territory", kolgraph.HospitalFilter{Territories: []string{"T1"}}, []string{"H001", "H002"}},
		{"Territories", kolgraph.HospitalFilter{Territories: []string{"T2", "T1"}}, all},
		{"TerritoryUnknown", kolgraph.HospitalFilter{Territories: []string{"TX"}}, nil},
		{"City", kolgraph.HospitalFilter{City: "Shanghai"}, []string{"H001", "H002"}},
		{"Province", kolgraph.HospitalFilter{Province: "Guangdong"}, []string{"H003"}},
		{"Tier", kolgraph.HospitalFilter{Tier: "3B"}, []string{"H003"}},
		{"NameChinese", kolgraph.HospitalFilter{NameContains: "医院"}, []string{"H001", "H003"}},
		{"NameChineseOne", kolgraph.HospitalFilter{NameContains: "瑞金"}, []string{"H001"}},
		{"NameUpperCase", kolgraph.HospitalFilter{NameContains: "HOSPITAL"}, all},
		{"NameLowerCase", kolgraph.HospitalFilter{NameContains: "zhongshan"}, []string{"H002"}},
		{"NameNoMatch", kolgraph.HospitalFilter{NameContains: "Mayo"}, nil},
		{"Combined", kolgraph.HospitalFilter{Territories: []string{"T1"}, Tier: "3A", NameContains: "hospital"},
			[]string{"H001", "H002"}},
		{"Contradiction", kolgraph.HospitalFilter{IDs: []string{"H002"}, Territories: []string{"T2"}}, nil},
		{"IDsAndCity", kolgraph.HospitalFilter{IDs: []string{"H001", "H003"}, City: "Shanghai"}, []string{"H001"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pg, err := s.ListHospitals(t.Context(), tc.f, kolgraph.Page{First: 100})
			if err != nil {
				t.Fatal(err)
			}
			wantIDs(t, "items", hospitalIDs(pg.Items), tc.want)
			if pg.Total != len(tc.want) || pg.HasNext {
				t.Errorf("Total, HasNext: got %d, %v; want %d, false", pg.Total, pg.HasNext, len(tc.want))
			}
		})
	}
}

func (r *runner) testListHCPs(t *testing.T) {
	s := r.loaded(t)
	all := []string{"P001", "P002", "P003", "P004", "P005", "P006", "P007", "P008", "P009", "P010"}
	for _, tc := range []struct {
		name string
		f    kolgraph.HCPFilter
		want []string
	}{
		{"NoFilter", kolgraph.HCPFilter{}, all},
		{"Hospital", kolgraph.HCPFilter{HospitalIDs: []string{"H002"}}, []string{"P004", "P005", "P010"}},
		{"Hospitals", kolgraph.HCPFilter{HospitalIDs: []string{"H003", "H001"}},
			[]string{"P001", "P002", "P003", "P006", "P007", "P008", "P009"}},
		{"HospitalUnknown", kolgraph.HCPFilter{HospitalIDs: []string{"HX"}}, nil},
		{"Territory", kolgraph.HCPFilter{Territories: []string{"T2"}}, []string{"P006", "P007", "P008"}},
		{"Territories", kolgraph.HCPFilter{Territories: []string{"T1", "T2"}}, all},
		{"Department", kolgraph.HCPFilter{DepartmentID: "D001-02"}, []string{"P003", "P009"}},
		{"DepartmentUnknown", kolgraph.HCPFilter{DepartmentID: "DX"}, nil},
		{"City", kolgraph.HCPFilter{City: "Guangzhou"}, []string{"P006", "P007", "P008"}},
		{"CityOfTwoHospitals", kolgraph.HCPFilter{City: "Shanghai"},
			[]string{"P001", "P002", "P003", "P004", "P005", "P009", "P010"}},
		{"Specialty", kolgraph.HCPFilter{Specialty: "cardiology"}, []string{"P001", "P002", "P004", "P005", "P010"}},
		{"Role", kolgraph.HCPFilter{Role: kolgraph.RolePharmacist}, []string{"P003", "P008"}},
		{"RoleUnknown", kolgraph.HCPFilter{Role: "surgeon"}, nil},
		{"Title", kolgraph.HCPFilter{Title: "chief"}, []string{"P001", "P004"}},
		{"Position", kolgraph.HCPFilter{Position: "pharmacy_director"}, []string{"P003", "P008"}},
		{"KOLLevel", kolgraph.HCPFilter{KOLLevel: kolgraph.KOLRegional}, []string{"P003", "P006"}},
		{"KOLOnly", kolgraph.HCPFilter{KOLOnly: true}, []string{"P001", "P003", "P004", "P006"}},
		{"NameChinese", kolgraph.HCPFilter{NameContains: "王"}, []string{"P001", "P003"}},
		{"NameChineseFull", kolgraph.HCPFilter{NameContains: "王伟"}, []string{"P001"}},
		{"NameLowerCase", kolgraph.HCPFilter{NameContains: "zhang"}, []string{"P004", "P010"}},
		{"NameUpperCase", kolgraph.HCPFilter{NameContains: "WANG"}, []string{"P007"}},
		{"NameMixedCase", kolgraph.HCPFilter{NameContains: "cHeN j"}, []string{"P005"}},
		{"TerritoryRoleKOL", kolgraph.HCPFilter{Territories: []string{"T1"}, Role: kolgraph.RolePhysician, KOLOnly: true},
			[]string{"P001", "P004"}},
		{"HospitalsSpecialty", kolgraph.HCPFilter{HospitalIDs: []string{"H001", "H003"}, Specialty: "pharmacy"},
			[]string{"P003", "P008"}},
		{"DepartmentOtherHospital", kolgraph.HCPFilter{DepartmentID: "D001-01", HospitalIDs: []string{"H002"}}, nil},
		{"CityTitle", kolgraph.HCPFilter{City: "Shanghai", Title: "attending"}, []string{"P002", "P010"}},
		{"CityTerritoryContradiction", kolgraph.HCPFilter{City: "Shanghai", Territories: []string{"T2"}}, nil},
		{"KOLLevelName", kolgraph.HCPFilter{KOLLevel: kolgraph.KOLNational, NameContains: "王"}, []string{"P001"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pg, err := s.ListHCPs(t.Context(), tc.f, kolgraph.Page{First: 100})
			if err != nil {
				t.Fatal(err)
			}
			wantIDs(t, "items", hcpIDs(pg.Items), tc.want)
			if pg.Total != len(tc.want) || pg.HasNext {
				t.Errorf("Total, HasNext: got %d, %v; want %d, false", pg.Total, pg.HasNext, len(tc.want))
			}
		})
	}
}

// testPagination walks every page size through filtered and unfiltered
// lists and checks that the pages concatenate to the whole list.
func (r *runner) testPagination(t *testing.T) {
	s := r.loaded(t)
	ctx := t.Context()
	type page struct {
		items   []string
		total   int
		hasNext bool
	}
	walk := func(t *testing.T, want []string, list func(p kolgraph.Page) page) {
		t.Helper()
		for _, size := range []int{1, 2, 3, 4, len(want), len(want) + 1} {
			var got []string
			after := ""
			for n := 0; ; n++ {
				if n > len(want)+1 {
					t.Fatalf("page size %d: more pages than items", size)
				}
				pg := list(kolgraph.Page{First: size, After: after})
				if pg.total != len(want) {
					t.Errorf("page size %d, after %q: Total %d, want %d (the whole filter)", size, after, pg.total, len(want))
				}
				if len(pg.items) > size {
					t.Errorf("page size %d: got %d items", size, len(pg.items))
				}
				got = append(got, pg.items...)
				if more := len(got) < len(want); pg.hasNext != more {
					t.Errorf("page size %d, after %q: HasNext %v, want %v", size, after, pg.hasNext, more)
				}
				if !pg.hasNext || len(pg.items) == 0 {
					break
				}
				after = pg.items[len(pg.items)-1]
			}
			wantIDs(t, "pages concatenated, size "+strconv.Itoa(size), got, want)
		}
	}
	hcps := func(f kolgraph.HCPFilter) func(p kolgraph.Page) page {
		return func(p kolgraph.Page) page {
			pg, err := s.ListHCPs(ctx, f, p)
			if err != nil {
				t.Errorf("ListHCPs: %v", err) // Errorf: this runs in subtests
				return page{}
			}
			return page{hcpIDs(pg.Items), pg.Total, pg.HasNext}
		}
	}
	hospitals := func(f kolgraph.HospitalFilter) func(p kolgraph.Page) page {
		return func(p kolgraph.Page) page {
			pg, err := s.ListHospitals(ctx, f, p)
			if err != nil {
				t.Errorf("ListHospitals: %v", err)
				return page{}
			}
			return page{hospitalIDs(pg.Items), pg.Total, pg.HasNext}
		}
	}
	t.Run("HCPs", func(t *testing.T) {
		walk(t, []string{"P001", "P002", "P003", "P004", "P005", "P006", "P007", "P008", "P009", "P010"},
			hcps(kolgraph.HCPFilter{}))
	})
	t.Run("HCPsFiltered", func(t *testing.T) {
		walk(t, []string{"P001", "P002", "P003", "P004", "P005", "P009", "P010"},
			hcps(kolgraph.HCPFilter{Territories: []string{"T1"}}))
	})
	t.Run("HCPsByName", func(t *testing.T) {
		walk(t, []string{"P004", "P010"}, hcps(kolgraph.HCPFilter{NameContains: "Zhang"}))
	})
	t.Run("HCPsOfOneHospital", func(t *testing.T) {
		walk(t, []string{"P001", "P002", "P003", "P009"}, hcps(kolgraph.HCPFilter{HospitalIDs: []string{"H001"}}))
	})
	t.Run("HCPsOfDepartment", func(t *testing.T) {
		walk(t, []string{"P004", "P005", "P010"}, hcps(kolgraph.HCPFilter{DepartmentID: "D002-01"}))
	})
	t.Run("Hospitals", func(t *testing.T) {
		walk(t, []string{"H001", "H002", "H003"}, hospitals(kolgraph.HospitalFilter{}))
	})
	t.Run("HospitalsFiltered", func(t *testing.T) {
		walk(t, []string{"H001", "H002"}, hospitals(kolgraph.HospitalFilter{City: "Shanghai"}))
	})
	// Keyset: After need not be an existing id (it may have been deleted
	// since the previous page was served).
	for _, tc := range []struct {
		after   string
		want    []string
		hasNext bool
	}{
		{"P0035", []string{"P004", "P005"}, true},
		{"A", []string{"P001", "P002"}, true},
		{"P009", []string{"P010"}, false},
		{"P010", nil, false},
		{"Z", nil, false},
	} {
		t.Run("AfterKey_"+tc.after, func(t *testing.T) {
			pg := hcps(kolgraph.HCPFilter{})(kolgraph.Page{First: 2, After: tc.after})
			wantIDs(t, "items", pg.items, tc.want)
			if pg.total != 10 || pg.hasNext != tc.hasNext {
				t.Errorf("Total, HasNext: got %d, %v; want 10, %v", pg.total, pg.hasNext, tc.hasNext)
			}
		})
	}
	// First 0 asks for no items, never for "as many as allowed": the page
	// still counts the matches and says whether any follow.
	t.Run("FirstZero", func(t *testing.T) {
		for _, p := range []kolgraph.Page{{}, {After: "P005"}} {
			pg := hcps(kolgraph.HCPFilter{})(p)
			if len(pg.items) != 0 || pg.total != 10 || !pg.hasNext {
				t.Errorf("%+v: got %d items, Total %d, HasNext %v; want none, 10, true", p, len(pg.items), pg.total, pg.hasNext)
			}
		}
		pg := hospitals(kolgraph.HospitalFilter{})(kolgraph.Page{})
		if len(pg.items) != 0 || pg.total != 3 || !pg.hasNext {
			t.Errorf("hospitals: got %d items, Total %d, HasNext %v; want none, 3, true", len(pg.items), pg.total, pg.hasNext)
		}
		ap, err := s.AuditLog(ctx, kolgraph.AuditFilter{}, kolgraph.Page{})
		if err != nil || len(ap.Items) != 0 {
			t.Errorf("audit log: got %v, %v; want no items", ap, err)
		}
	})
	t.Run("AfterKeyHospitals", func(t *testing.T) {
		pg := hospitals(kolgraph.HospitalFilter{})(kolgraph.Page{First: 1, After: "H001"})
		wantIDs(t, "items", pg.items, []string{"H002"})
		if pg.total != 3 || !pg.hasNext {
			t.Errorf("Total, HasNext: got %d, %v; want 3, true", pg.total, pg.hasNext)
		}
	})
}

// testPaginationUnderWrites checks that keyset pages do not shift when a
// record is inserted before the cursor between two pages.
func (r *runner) testPaginationUnderWrites(t *testing.T) {
	s := r.loaded(t)
	pg1, err := s.ListHCPs(t.Context(), kolgraph.HCPFilter{}, kolgraph.Page{First: 3})
	if err != nil {
		t.Fatal(err)
	}
	apply(t, s, &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{newHCP("P0000", "Early Bird", "D001-01", "H001")}})
	pg2, err := s.ListHCPs(t.Context(), kolgraph.HCPFilter{}, kolgraph.Page{First: 3, After: pg1.Items[2].ID})
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "second page", hcpIDs(pg2.Items), []string{"P004", "P005", "P006"})
	if pg2.Total != 11 {
		t.Errorf("Total after insert: got %d, want 11", pg2.Total)
	}
}

func newHCP(id, name, dept, hospital string) *kolgraph.HCP {
	return &kolgraph.HCP{ID: id, Name: name, Role: kolgraph.RolePhysician, Title: "attending",
		Specialty: "cardiology", DepartmentID: dept, HospitalID: hospital}
}

func (r *runner) testListAll(t *testing.T) {
	s := r.loaded(t)
	ps, err := s.ListProducts(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "ListProducts (ascending id)", ids(ps, func(p *kolgraph.Product) string { return p.ID }),
		[]string{"PR01", "PR02", "PR03"})
	ts, err := s.ListTerritories(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	wantIDs(t, "ListTerritories (ascending id)", ids(ts, func(p *kolgraph.Territory) string { return p.ID }),
		[]string{"T1", "T2"})
	if len(ts) == 2 && ts[0].Name != "华东 East China" {
		t.Errorf("T1 name: got %q", ts[0].Name)
	}
}

func (r *runner) testNavigation(t *testing.T) {
	s := r.loaded(t)
	ctx := t.Context()
	must := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Run("DepartmentsOfHospitals", func(t *testing.T) {
		got, err := s.DepartmentsOfHospitals(ctx, []string{"H003", "HX", "H001", "H002", "H003"})
		must(t, err)
		wantNav(t, "departments", navIDs(got, func(d *kolgraph.Department) string { return d.ID }),
			[][]string{{"D003-01", "D003-02"}, nil, {"D001-01", "D001-02"}, {"D002-01"}, {"D003-01", "D003-02"}})
	})
	t.Run("CommitteesOfHospitals", func(t *testing.T) {
		got, err := s.CommitteesOfHospitals(ctx, []string{"H001", "H002", "H003"})
		must(t, err)
		wantNav(t, "committees", navIDs(got, func(c *kolgraph.Committee) string { return c.ID }),
			[][]string{{"C001", "C002"}, nil, {"C003"}})
	})
	t.Run("ListingsOfHospitals", func(t *testing.T) {
		got, err := s.ListingsOfHospitals(ctx, []string{"H001", "H002", "H003", "HX"})
		must(t, err)
		wantNav(t, "listings", navIDs(got, func(l kolgraph.Listing) string { return l.HospitalID + "/" + l.ProductID + "/" + l.Status }),
			[][]string{{"H001/PR01/listed", "H001/PR02/pending"}, {"H002/PR01/not_listed"}, {"H003/PR02/listed"}, nil})
		if len(got) > 0 && len(got[0]) > 0 && got[0][0].Since != "2023-01-15" {
			t.Errorf("H001/PR01 since: got %q, want 2023-01-15", got[0][0].Since)
		}
	})
	t.Run("ProductSharesOfDepartments", func(t *testing.T) {
		got, err := s.ProductSharesOfDepartments(ctx, []string{"D001-01", "D002-01", "D003-01", "D001-02", "DX"})
		must(t, err)
		wantNav(t, "indication shares", navIDs(got, func(r kolgraph.ProductShare) string {
			return r.DepartmentID + "/" + r.ProductID + "/" + strconv.FormatFloat(r.Share, 'g', -1, 64)
		}), [][]string{{"D001-01/PR01/0.4", "D001-01/PR02/0.05"}, {"D002-01/PR01/1"}, {"D003-01/PR02/0.25"}, nil, nil})
	})
	t.Run("HCPsOfDepartments", func(t *testing.T) {
		got, err := s.HCPsOfDepartments(ctx, []string{"D001-01", "D001-02", "D002-01", "D003-01", "D003-02", "DX"})
		must(t, err)
		wantNav(t, "hcps", navIDs(got, hcpID),
			[][]string{{"P001", "P002"}, {"P003", "P009"}, {"P004", "P005", "P010"}, {"P006", "P007"}, {"P008"}, nil})
	})
	membership := func(m kolgraph.Membership) string { return m.CommitteeID + "/" + m.HCPID + "/" + m.Role }
	t.Run("MembershipsOfHCPs", func(t *testing.T) {
		got, err := s.MembershipsOfHCPs(ctx, []string{"P009", "P001", "P002", "P006"})
		must(t, err)
		wantNav(t, "memberships (by committee)", navIDs(got, membership),
			[][]string{{"C001/P009/member", "C002/P009/chair"}, {"C001/P001/chair", "C002/P001/member"}, nil, {"C003/P006/chair"}})
	})
	t.Run("MembershipsOfCommittees", func(t *testing.T) {
		got, err := s.MembershipsOfCommittees(ctx, []string{"C001", "C002", "C003", "CX"})
		must(t, err)
		wantNav(t, "memberships (by HCP)", navIDs(got, membership),
			[][]string{{"C001/P001/chair", "C001/P003/secretary", "C001/P009/member"},
				{"C002/P001/member", "C002/P009/chair"}, {"C003/P006/chair", "C003/P008/member"}, nil})
	})
	edge := func(e *kolgraph.Influence) string { return e.From + "->" + e.To }
	t.Run("InfluencesFrom", func(t *testing.T) {
		got, err := s.InfluencesFrom(ctx, []string{"P001", "P009", "P004", "P007", "PX"})
		must(t, err)
		wantNav(t, "influences from (by target)", navIDs(got, edge),
			[][]string{{"P001->P002", "P001->P003", "P001->P006"}, {"P009->P001", "P009->P003"},
				{"P004->P005", "P004->P010"}, nil, nil})
		if len(got) > 0 && len(got[0]) > 0 {
			if e := got[0][0]; e.Weight != 0.9 || e.Kind != kolgraph.InfluenceReportsTo || e.Evidence != "P002 reports to P001" ||
				!e.UpdatedAt.Equal(fixtureTime) {
				t.Errorf("P001->P002: got %s", show(e))
			}
		}
	})
	t.Run("InfluencesTo", func(t *testing.T) {
		got, err := s.InfluencesTo(ctx, []string{"P001", "P006", "P003", "P009"})
		must(t, err)
		wantNav(t, "influences to (by source)", navIDs(got, edge),
			[][]string{{"P003->P001", "P009->P001", "P010->P001"}, {"P001->P006", "P008->P006"},
				{"P001->P003", "P009->P003"}, nil})
		if len(got) > 0 && len(got[0]) > 2 && got[0][2].Weight != 1.0 {
			t.Errorf("P010->P001 weight: got %v, want 1.0", got[0][2].Weight)
		}
	})
	t.Run("KnowsOfUsers", func(t *testing.T) {
		got, err := s.KnowsOfUsers(ctx, []string{"U01", "U02", "U03", "UX"})
		must(t, err)
		wantNav(t, "knows (by HCP)", navIDs(got, func(k kolgraph.Knows) string { return k.UserID + "->" + k.HCPID }),
			[][]string{{"U01->P001", "U01->P002", "U01->P005"}, {"U02->P006"}, nil, nil})
		if len(got) > 0 && len(got[0]) > 1 && got[0][1].Strength != 0.8 {
			t.Errorf("U01->P002 strength: got %v, want 0.8", got[0][1].Strength)
		}
	})
	t.Run("EmptyInput", func(t *testing.T) {
		got, err := s.InfluencesFrom(ctx, nil)
		if err != nil || len(got) != 0 {
			t.Errorf("InfluencesFrom(nil): got %v, %v; want empty, nil", got, err)
		}
	})
}

func (r *runner) testScan(t *testing.T) {
	s := r.loaded(t)
	ctx := t.Context()
	t.Run("AllKinds", func(t *testing.T) { wantSnapshot(t, s, snapshotOf(Fixture())) })
	t.Run("OnlyKindsWithCallbacks", func(t *testing.T) {
		// A nil callback must not be called (it would panic); a set one
		// sees its whole kind.
		var hcps, edges int
		err := s.Scan(ctx, kolgraph.Visitor{
			HCP:       func(*kolgraph.HCP) error { hcps++; return nil },
			Influence: func(*kolgraph.Influence) error { edges++; return nil },
		})
		if err != nil || hcps != 10 || edges != 12 {
			t.Errorf("got %d HCPs, %d influences, err %v; want 10, 12, nil", hcps, edges, err)
		}
		var ms int
		if err := s.Scan(ctx, kolgraph.Visitor{Membership: func(kolgraph.Membership) error { ms++; return nil }}); err != nil || ms != 7 {
			t.Errorf("memberships: got %d, %v; want 7, nil", ms, err)
		}
		if err := s.Scan(ctx, kolgraph.Visitor{}); err != nil {
			t.Errorf("empty visitor: %v", err)
		}
	})
	t.Run("CallbackErrorStops", func(t *testing.T) {
		stop := errors.New("stop here")
		var calls, after int
		err := s.Scan(ctx, kolgraph.Visitor{
			HCP: func(*kolgraph.HCP) error {
				calls++
				if calls == 3 {
					return stop
				}
				if calls > 3 {
					after++
				}
				return nil
			},
		})
		if !errors.Is(err, stop) {
			t.Errorf("Scan: got %v, want the callback's error", err)
		}
		if calls != 3 || after != 0 {
			t.Errorf("callback calls: got %d, want exactly 3 (none after the error)", calls)
		}
	})
	t.Run("ErrorInLaterKind", func(t *testing.T) {
		stop := errors.New("bad edge")
		err := s.Scan(ctx, kolgraph.Visitor{
			HCP:       func(*kolgraph.HCP) error { return nil },
			Influence: func(*kolgraph.Influence) error { return stop },
		})
		if !errors.Is(err, stop) {
			t.Errorf("Scan: got %v, want the callback's error", err)
		}
	})
}
