package scope_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/embedded/embeddedtest"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scope"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/storetest"
)

func openStore(t testing.TB) kolgraph.Store {
	return embeddedtest.Open(t, storetest.Fixture())
}

// T1 is H001 and H002; T2 is H003 (storetest.Fixture).
var (
	t1HCPs = []string{"P001", "P002", "P003", "P004", "P005", "P009", "P010"}
	t2HCPs = []string{"P006", "P007", "P008"}
)

func TestLookups(t *testing.T) {
	ctx := context.Background()
	s := scope.NewStore(openStore(t), []string{"T1"})
	hs, err := s.Hospitals(ctx, []string{"H003", "H001", "H404", "H002"})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(hs, func(h *kolgraph.Hospital) string { return h.ID }); !slices.Equal(got, []string{"", "H001", "", "H002"}) {
		t.Errorf("Hospitals: got %q", got)
	}
	ps, err := s.HCPs(ctx, append(slices.Clone(t2HCPs), t1HCPs...))
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{"", "", ""}, t1HCPs...)
	if got := ids(ps, func(h *kolgraph.HCP) string { return h.ID }); !slices.Equal(got, want) {
		t.Errorf("HCPs: got %q, want %q", got, want)
	}
	ds, _ := s.Departments(ctx, []string{"D003-01", "D001-01"})
	cs, _ := s.Committees(ctx, []string{"C003", "C001"})
	ts, _ := s.Territories(ctx, []string{"T2", "T1"})
	if ds[0] != nil || ds[1] == nil || cs[0] != nil || cs[1] == nil || ts[0] != nil || ts[1] == nil {
		t.Errorf("departments %v, committees %v, territories %v: want T2's nil, T1's there", ds, cs, ts)
	}
	es, _ := s.Influences(ctx, []kolgraph.EdgeKey{{From: "P001", To: "P006"}, {From: "P001", To: "P002"}, {From: "P006", To: "P007"}})
	if es[0] != nil || es[1] == nil || es[2] != nil {
		t.Errorf("Influences: got %v, want only P001->P002", es)
	}
	us, _ := s.Users(ctx, []string{"U02"})
	if !slices.Equal(us[0].Territories, []string{"T1"}) {
		t.Errorf("U02's territories through T1: %q, want [T1]", us[0].Territories)
	}
}

func TestLists(t *testing.T) {
	ctx := context.Background()
	base := openStore(t)
	s := scope.NewStore(base, []string{"T1"})
	tests := []struct {
		name string
		f    kolgraph.HCPFilter
		p    kolgraph.Page
		want []string
	}{
		{"all", kolgraph.HCPFilter{}, kolgraph.Page{First: kolgraph.MaxPageSize}, t1HCPs},
		{"other territory as a filter", kolgraph.HCPFilter{Territories: []string{"T2"}}, kolgraph.Page{First: kolgraph.MaxPageSize}, nil},
		{"both territories", kolgraph.HCPFilter{Territories: []string{"T2", "T1"}}, kolgraph.Page{First: kolgraph.MaxPageSize}, t1HCPs},
		{"other hospital as a filter", kolgraph.HCPFilter{HospitalIDs: []string{"H003"}}, kolgraph.Page{First: kolgraph.MaxPageSize}, nil},
		{"other department as a filter", kolgraph.HCPFilter{DepartmentID: "D003-01"}, kolgraph.Page{First: kolgraph.MaxPageSize}, nil},
		{"other city as a filter", kolgraph.HCPFilter{City: "Guangzhou"}, kolgraph.Page{First: kolgraph.MaxPageSize}, nil},
		{"cursor from T2", kolgraph.HCPFilter{}, kolgraph.Page{After: "P006", First: 2}, []string{"P009", "P010"}},
		{"page", kolgraph.HCPFilter{}, kolgraph.Page{First: 2}, []string{"P001", "P002"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := s.ListHCPs(ctx, tt.f, tt.p)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(page.Items, func(h *kolgraph.HCP) string { return h.ID }); !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			// The total counts the scoped filter only, never T2's HCPs.
			ref, _ := base.ListHCPs(ctx, withTerritories(tt.f), kolgraph.Page{First: kolgraph.MaxPageSize})
			if page.Total != ref.Total {
				t.Errorf("total %d, want %d (the filter within T1)", page.Total, ref.Total)
			}
		})
	}
	hp, err := s.ListHospitals(ctx, kolgraph.HospitalFilter{}, kolgraph.Page{First: kolgraph.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(hp.Items, func(h *kolgraph.Hospital) string { return h.ID }); !slices.Equal(got, []string{"H001", "H002"}) || hp.Total != 2 {
		t.Errorf("hospitals: got %q total %d", got, hp.Total)
	}
	if hp, _ := s.ListHospitals(ctx, kolgraph.HospitalFilter{IDs: []string{"H003"}}, kolgraph.Page{First: kolgraph.MaxPageSize}); len(hp.Items) != 0 || hp.Total != 0 {
		t.Errorf("H003 by id filter: %d items, total %d", len(hp.Items), hp.Total)
	}
	if _, err := s.ListHCPs(ctx, kolgraph.HCPFilter{Territories: []string{"T2"}}, kolgraph.Page{First: -1}); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("negative first: %v, want BAD_USER_INPUT as unscoped", err)
	}
	terrs, _ := s.ListTerritories(ctx)
	if len(terrs) != 1 || terrs[0].ID != "T1" {
		t.Errorf("territories: %v", terrs)
	}
	none := scope.NewStore(base, nil)
	if p, _ := none.ListHCPs(ctx, kolgraph.HCPFilter{}, kolgraph.Page{First: kolgraph.MaxPageSize}); len(p.Items) != 0 || p.Total != 0 {
		t.Errorf("an empty territory set sees %d HCPs (total %d)", len(p.Items), p.Total)
	}
}

func withTerritories(f kolgraph.HCPFilter) kolgraph.HCPFilter {
	var ts []string
	for _, t := range f.Territories {
		if t == "T1" {
			ts = append(ts, t)
		}
	}
	if len(f.Territories) == 0 {
		ts = []string{"T1"}
	}
	if len(ts) == 0 {
		ts = []string{"no-such-territory"}
	}
	f.Territories = ts
	return f
}

func TestNavigation(t *testing.T) {
	ctx := context.Background()
	s := scope.NewStore(openStore(t), []string{"T1"})
	all := append(slices.Clone(t1HCPs), t2HCPs...)
	for name, rowsOf := range map[string]func([]string) ([][]*kolgraph.Influence, error){
		"from": func(ids []string) ([][]*kolgraph.Influence, error) { return s.InfluencesFrom(ctx, ids) },
		"to":   func(ids []string) ([][]*kolgraph.Influence, error) { return s.InfluencesTo(ctx, ids) },
	} {
		rows, err := rowsOf(all)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range rows {
			for _, e := range r {
				n++
				if !slices.Contains(t1HCPs, e.From) || !slices.Contains(t1HCPs, e.To) {
					t.Errorf("influences %s: %s->%s crosses out of T1", name, e.From, e.To)
				}
			}
		}
		if n != 9 { // 12 edges, of which P001->P006, P006->P007, P008->P006 touch T2
			t.Errorf("influences %s: %d edges, want 9", name, n)
		}
	}
	ms, _ := s.MembershipsOfHCPs(ctx, []string{"P006", "P001"})
	mc, _ := s.MembershipsOfCommittees(ctx, []string{"C003", "C001"})
	if len(ms[0]) != 0 || len(ms[1]) != 2 || len(mc[0]) != 0 || len(mc[1]) != 3 {
		t.Errorf("memberships by HCP %v, by committee %v", ms, mc)
	}
	dh, _ := s.DepartmentsOfHospitals(ctx, []string{"H003", "H001"})
	ch, _ := s.CommitteesOfHospitals(ctx, []string{"H003", "H001"})
	lh, _ := s.ListingsOfHospitals(ctx, []string{"H003", "H001"})
	hd, _ := s.HCPsOfDepartments(ctx, []string{"D003-01", "D001-01"})
	if len(dh[0])+len(ch[0])+len(lh[0])+len(hd[0]) != 0 || len(dh[1]) == 0 || len(ch[1]) == 0 || len(lh[1]) == 0 || len(hd[1]) != 2 {
		t.Errorf("H003's rows must be empty and H001's not: %v %v %v %v", dh, ch, lh, hd)
	}
	ks, _ := s.KnowsOfUsers(ctx, []string{"U02", "U01"})
	if len(ks[0]) != 0 || len(ks[1]) != 3 {
		t.Errorf("knows: %v, want U02's P006 hidden and U01's three", ks)
	}
}

// A snapshot built through the scoped store is the full snapshot's induced
// view: the store and the analytics agree on what a territory set holds.
func TestScanAgreesWithInducedSnapshot(t *testing.T) {
	ctx := context.Background()
	base := openStore(t)
	full, err := snapshot.Build(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	for _, ts := range [][]string{{"T1"}, {"T2"}, {"T1", "T2"}, nil} {
		viaStore, err := snapshot.Build(ctx, scope.NewStore(base, ts))
		if err != nil {
			t.Fatal(err)
		}
		view, err := scope.NewSnapshots(staticSource{full}, ts).Get()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(viaStore.IDs, view.IDs) || viaStore.Graph.Edges() != view.Graph.Edges() ||
			len(viaStore.Hospitals) != len(view.Hospitals) || len(viaStore.Committees) != len(view.Committees) {
			t.Errorf("%v: store scan gives %v (%d edges), view %v (%d edges)", ts, viaStore.IDs, viaStore.Graph.Edges(), view.IDs, view.Graph.Edges())
		}
		for u, cs := range viaStore.Contacts {
			if len(view.Contacts[u]) != len(cs) {
				t.Errorf("%v: contacts of %s: %v vs %v", ts, u, cs, view.Contacts[u])
			}
		}
	}
}

type staticSource struct{ s *snapshot.Snapshot }

func (s staticSource) Get() (*snapshot.Snapshot, error) { return s.s, nil }

func TestApply(t *testing.T) {
	ctx := context.Background()
	base := openStore(t)
	hcp := func(id, dept, hosp string) *kolgraph.HCP {
		return &kolgraph.HCP{ID: id, Name: "N " + id, Role: kolgraph.RolePhysician, DepartmentID: dept, HospitalID: hosp}
	}
	forbidden := []struct {
		name string
		cs   kolgraph.ChangeSet
	}{
		{"HCP in T2's hospital", kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{hcp("P100", "D003-01", "H003")}}},
		{"move T2's HCP into T1", kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{hcp("P006", "D001-01", "H001")}}},
		{"move T1's hospital to T2", kolgraph.ChangeSet{Hospitals: []*kolgraph.Hospital{{ID: "H001", Name: "x", Tier: "3A", TerritoryID: "T2"}}}},
		{"overwrite T2's hospital into T1", kolgraph.ChangeSet{Hospitals: []*kolgraph.Hospital{{ID: "H003", Name: "x", Tier: "3A", TerritoryID: "T1"}}}},
		{"new hospital in T2", kolgraph.ChangeSet{Hospitals: []*kolgraph.Hospital{{ID: "H100", Name: "x", Tier: "3A", TerritoryID: "T2"}}}},
		{"edge into T2", kolgraph.ChangeSet{Influences: []*kolgraph.Influence{{From: "P001", To: "P007", Weight: 0.5, Kind: kolgraph.InfluenceMentor}}}},
		{"membership of T2's committee", kolgraph.ChangeSet{Memberships: []kolgraph.Membership{{HCPID: "P001", CommitteeID: "C003", Role: "member"}}}},
		{"listing of T2's hospital", kolgraph.ChangeSet{Listings: []kolgraph.Listing{{HospitalID: "H003", ProductID: "PR01", Status: "listed"}}}},
		{"indication share of T2's department", kolgraph.ChangeSet{IndicationShares: []kolgraph.ProductShare{{DepartmentID: "D003-01", ProductID: "PR02", Share: 0.3}}}},
		{"indication share of an unknown department", kolgraph.ChangeSet{IndicationShares: []kolgraph.ProductShare{{DepartmentID: "D404", ProductID: "PR02", Share: 0.3}}}},
		{"delete an indication share of T2", kolgraph.ChangeSet{Delete: kolgraph.Deletion{IndicationShares: []kolgraph.ProductShareKey{{DepartmentID: "D003-01", ProductID: "PR02"}}}}},
		{"move a department with its share into T2", kolgraph.ChangeSet{
			Departments:      []*kolgraph.Department{{ID: "D100-09", HospitalID: "H003", Name: "x", Specialty: "oncology"}},
			IndicationShares: []kolgraph.ProductShare{{DepartmentID: "D100-09", ProductID: "PR02", Share: 0.3}}}},
		{"knows a T2 HCP", kolgraph.ChangeSet{Knows: []kolgraph.Knows{{UserID: "U01", HCPID: "P007", Strength: 0.5}}}},
		{"delete T2's HCP", kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"P007"}}}},
		{"delete a cross edge", kolgraph.ChangeSet{Delete: kolgraph.Deletion{Influences: []kolgraph.EdgeKey{{From: "P001", To: "P006"}}}}},
		{"product", kolgraph.ChangeSet{Products: []*kolgraph.Product{{ID: "PR09", Name: "x"}}}},
		{"territory", kolgraph.ChangeSet{Territories: []*kolgraph.Territory{{ID: "T9", Name: "x"}}}},
		{"user", kolgraph.ChangeSet{Users: []*kolgraph.User{{ID: "U09", Name: "x", Role: "admin"}}}},
	}
	v0, _ := base.Version(ctx)
	for _, tt := range forbidden {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scope.NewStore(base, []string{"T1"}).Apply(ctx, &tt.cs)
			if kolgraph.ErrorCode(err) != kolgraph.EFORBIDDEN {
				t.Fatalf("got %v, want FORBIDDEN", err)
			}
			if strings.Contains(err.Error(), "Nanfang") {
				t.Errorf("the error shows a T2 record: %v", err)
			}
		})
	}
	if v, _ := base.Version(ctx); v != v0 {
		t.Fatalf("forbidden writes changed the store: version %d -> %d", v0, v)
	}
	s := scope.NewStore(base, []string{"T1"})
	cs := &kolgraph.ChangeSet{
		Hospitals:   []*kolgraph.Hospital{{ID: "H100", Name: "New", Tier: "2A", TerritoryID: "T1"}},
		Departments: []*kolgraph.Department{{ID: "D100-01", HospitalID: "H100", Name: "Cardio", Specialty: "cardiology"}},
		HCPs:        []*kolgraph.HCP{hcp("P100", "D100-01", "H100")},
		Influences:  []*kolgraph.Influence{{From: "P100", To: "P001", Weight: 0.4, Kind: kolgraph.InfluenceMentor}},
		Knows:       []kolgraph.Knows{{UserID: "U01", HCPID: "P100", Strength: 0.7}},
		IndicationShares: []kolgraph.ProductShare{{DepartmentID: "D100-01", ProductID: "PR01", Share: 0.2},
			{DepartmentID: "D001-01", ProductID: "PR01", Share: 0.3}},
	}
	if _, err := s.Apply(ctx, cs); err != nil {
		t.Fatalf("a write inside T1: %v", err)
	}
	if sh, _ := scope.NewStore(base, []string{"T2"}).ProductSharesOfDepartments(ctx, []string{"D001-01", "D003-01"}); len(sh[0]) != 0 || len(sh[1]) != 1 {
		t.Errorf("indication shares through T2's scope: got %v, want only D003-01's", sh)
	}
	if hs, _ := s.HCPs(ctx, []string{"P100"}); hs[0] == nil {
		t.Error("the HCP just written is not visible through the same scoped store")
	}
	if _, err := s.AuditLog(ctx, kolgraph.AuditFilter{}, kolgraph.Page{First: kolgraph.MaxPageSize}); kolgraph.ErrorCode(err) != kolgraph.EFORBIDDEN {
		t.Errorf("audit log through a scope: %v, want FORBIDDEN", err)
	}
}

func TestSnapshotsView(t *testing.T) {
	ctx := context.Background()
	full, err := snapshot.Build(ctx, openStore(t))
	if err != nil {
		t.Fatal(err)
	}
	src := &staticSource{full}
	v := scope.NewSnapshots(src, []string{"T2"})
	a, _ := v.Get()
	b, _ := v.Get()
	if a != b || !slices.Equal(a.IDs, t2HCPs) {
		t.Fatalf("view: %v then %p vs %p; want T2's HCPs computed once", a.IDs, a, b)
	}
	src.s, _ = snapshot.Build(ctx, openStore(t))
	if c, _ := v.Get(); c == a {
		t.Error("a new full snapshot did not renew the view")
	}
	built := 0
	sets := scope.Sets[*scope.Snapshots]{Max: 2, New: func(ts []string) (*scope.Snapshots, error) { built++; return scope.NewSnapshots(src, ts), nil }}
	x, _ := sets.Get([]string{"T2", "T1", "T1"})
	if y, _ := sets.Get([]string{"T1", "T2"}); y != x || built != 1 {
		t.Error("the same territory set in another order made a second view")
	}
	sets.Get([]string{"T1"})
	sets.Get(nil)
	if sets.Len() != 2 || built != 3 {
		t.Errorf("kept %d sets after 3 (max 2), built %d", sets.Len(), built)
	}
	if sets.Get([]string{"T1"}); built != 3 {
		t.Error("the most recently used set was dropped")
	}
}

func ids[T any](xs []*T, id func(*T) string) []string {
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		if x == nil {
			out = append(out, "")
		} else {
			out = append(out, id(x))
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
