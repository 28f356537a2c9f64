package storetest

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// testCheckOnly: a CheckOnly Apply of a change set the store would apply
// returns the current version and writes nothing; at another version it is
// ErrStale, as Apply is. (The refusals agree case by case in Validation
// and References.)
func (r *runner) testCheckOnly(t *testing.T) {
	s := r.loaded(t)
	before := takeSnapshot(t, s)
	v := version(t, s)
	cs := &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{newHCP("P011", "New", "D001-01", "H001")}, IfVersion: &v, CheckOnly: true,
		Audit: []kolgraph.AuditEntry{auditEntry(kolgraph.KindHCPs, "P011", kolgraph.OpCreate, "", `{"id":"P011"}`)}}
	got, err := s.Apply(t.Context(), cs)
	if err != nil || got != v {
		t.Fatalf("CheckOnly Apply: got %d, %v; want the current version %d", got, err, v)
	}
	if now := version(t, s); now != v {
		t.Errorf("Version after CheckOnly: got %d, want %d", now, v)
	}
	if d := takeSnapshot(t, s).diff(before); len(d) > 0 {
		t.Errorf("CheckOnly changed the store:\n%s", joinLines(d))
	}
	if es := auditLog(t, s, kolgraph.AuditFilter{EntityID: "P011"}, 0); len(es) != 0 {
		t.Errorf("CheckOnly recorded audit entries: %q", auditIDs(es))
	}
	stale := v - 1
	cs.IfVersion = &stale
	if _, err := s.Apply(t.Context(), cs); !errors.Is(err, kolgraph.ErrStale) {
		t.Errorf("CheckOnly at a stale version: got %v, want ErrStale", err)
	}
}

func (r *runner) testVersion(t *testing.T) {
	s := r.open(t)
	if v := version(t, s); v != 0 {
		t.Fatalf("new store: Version %d, want 0", v)
	}
	for i, cs := range []*kolgraph.ChangeSet{
		Fixture(),
		{HCPs: []*kolgraph.HCP{newHCP("P011", "New", "D001-01", "H001")}},
		Fixture(), // re-applying changes nothing in the graph but still counts
	} {
		want := uint64(i + 1)
		if v := apply(t, s, cs); v != want {
			t.Errorf("Apply #%d returned version %d, want %d", i+1, v, want)
		}
		if v := version(t, s); v != want {
			t.Errorf("Version after Apply #%d: got %d, want %d", i+1, v, want)
		}
	}
	rejects(t, s, &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{newHCP("P012", "Bad", "DX", "H001")}}, kolgraph.EINVALID)
	if v := apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"P011"}}}); v != 4 {
		t.Errorf("Apply after a rejected one returned %d, want 4", v)
	}
}

func (r *runner) testUpsert(t *testing.T) {
	ctx := t.Context()
	t.Run("Idempotent", func(t *testing.T) {
		s := r.loaded(t)
		apply(t, s, Fixture())
		wantSnapshot(t, s, snapshotOf(Fixture()))
		// Indices must not hold duplicates either.
		nav, err := s.HCPsOfDepartments(ctx, []string{"D001-01"})
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, "HCPsOfDepartments(D001-01)", hcpIDs(nav[0]), []string{"P001", "P002"})
		from, err := s.InfluencesFrom(ctx, []string{"P001"})
		if err != nil || len(from[0]) != 3 {
			t.Errorf("InfluencesFrom(P001): got %d edges (%v), want 3", len(from[0]), err)
		}
		ms, err := s.MembershipsOfCommittees(ctx, []string{"C001"})
		if err != nil || len(ms[0]) != 3 {
			t.Errorf("MembershipsOfCommittees(C001): got %d (%v), want 3", len(ms[0]), err)
		}
		wantIDs(t, "ListHCPs", listHCPs(t, s, kolgraph.HCPFilter{HospitalIDs: []string{"H002"}}),
			[]string{"P004", "P005", "P010"})
		wantIDs(t, "ListHospitals", listHospitals(t, s, kolgraph.HospitalFilter{Territories: []string{"T1"}}),
			[]string{"H001", "H002"})
	})

	t.Run("ReplacesWholeRecord", func(t *testing.T) {
		s := r.loaded(t)
		later := fixtureTime.Add(36 * time.Hour)
		cs := &kolgraph.ChangeSet{
			Hospitals: []*kolgraph.Hospital{{ID: "H001", Name: "瑞金医院", Tier: "3B"}}, // no territory now
			Departments: []*kolgraph.Department{
				{ID: "D001-01", HospitalID: "H001", Name: "Cardiology", Specialty: "cardiology"}, // inputs now unknown
			},
			HCPs: []*kolgraph.HCP{{ID: "P001", Name: "王伟伟", Role: kolgraph.RolePhysician, Title: "associate_chief",
				DepartmentID: "D001-01", HospitalID: "H001"}}, // no longer a KOL, contact data removed
			Committees:       []*kolgraph.Committee{{ID: "C002", Name: "DRG group", Kind: kolgraph.CommitteeDRG, HospitalID: "H001"}},
			Memberships:      []kolgraph.Membership{{HCPID: "P001", CommitteeID: "C001", Role: "member"}},
			Products:         []*kolgraph.Product{{ID: "PR01", Name: "Cardiostat XR"}},
			Listings:         []kolgraph.Listing{{HospitalID: "H001", ProductID: "PR01", Status: "delisted"}},
			IndicationShares: []kolgraph.ProductShare{{DepartmentID: "D001-01", ProductID: "PR01", Share: 0.6}},
			Users:            []*kolgraph.User{{ID: "U02", Name: "Strategist Li", Role: "admin", Territories: []string{"T2"}}},
			Knows:            []kolgraph.Knows{{UserID: "U01", HCPID: "P002", Strength: 0.1}},
			Influences: []*kolgraph.Influence{{From: "P001", To: "P002", Weight: 0.2, Kind: kolgraph.InfluenceMentor,
				UpdatedAt: later}},
			Territories: []*kolgraph.Territory{{ID: "T2", Name: "South"}},
		}
		apply(t, s, cs)
		wantSnapshot(t, s, snapshotOf(Fixture()).add(cs))
		wantIDs(t, "KOLOnly", listHCPs(t, s, kolgraph.HCPFilter{KOLOnly: true}), []string{"P003", "P004", "P006"})
		wantIDs(t, "NameContains 伟伟", listHCPs(t, s, kolgraph.HCPFilter{NameContains: "伟伟"}), []string{"P001"})
		wantIDs(t, "Title chief", listHCPs(t, s, kolgraph.HCPFilter{Title: "chief"}), []string{"P004"})
		wantIDs(t, "hospitals of T1", listHospitals(t, s, kolgraph.HospitalFilter{Territories: []string{"T1"}}), []string{"H002"})
		wantIDs(t, "Tier 3B", listHospitals(t, s, kolgraph.HospitalFilter{Tier: "3B"}), []string{"H001", "H003"})
		wantIDs(t, "City Shanghai", listHospitals(t, s, kolgraph.HospitalFilter{City: "Shanghai"}), []string{"H002"})
		wantIDs(t, "HCPs of T1", listHCPs(t, s, kolgraph.HCPFilter{Territories: []string{"T1"}}),
			[]string{"P004", "P005", "P010"})
	})

	t.Run("MoveHCP", func(t *testing.T) {
		s := r.loaded(t)
		p2, p5 := hcpsOf(t, s, "P002")[0], hcpsOf(t, s, "P005")[0]
		p2.DepartmentID = "D001-02"
		p5.DepartmentID, p5.HospitalID = "D003-01", "H003"
		apply(t, s, &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{p2, p5}})
		nav, err := s.HCPsOfDepartments(ctx, []string{"D001-01", "D001-02", "D002-01", "D003-01"})
		if err != nil {
			t.Fatal(err)
		}
		wantNav(t, "HCPsOfDepartments", navIDs(nav, hcpID),
			[][]string{{"P001"}, {"P002", "P003", "P009"}, {"P004", "P010"}, {"P005", "P006", "P007"}})
		wantIDs(t, "HCPs of H002", listHCPs(t, s, kolgraph.HCPFilter{HospitalIDs: []string{"H002"}}), []string{"P004", "P010"})
		wantIDs(t, "HCPs of T2", listHCPs(t, s, kolgraph.HCPFilter{Territories: []string{"T2"}}),
			[]string{"P005", "P006", "P007", "P008"})
		wantIDs(t, "HCPs in Guangzhou", listHCPs(t, s, kolgraph.HCPFilter{City: "Guangzhou"}),
			[]string{"P005", "P006", "P007", "P008"})
		wantIDs(t, "HCPs of D001-02", listHCPs(t, s, kolgraph.HCPFilter{DepartmentID: "D001-02"}),
			[]string{"P002", "P003", "P009"})
		// Relationships stay with the HCP.
		to, err := s.InfluencesTo(ctx, []string{"P005"})
		if err != nil || len(to[0]) != 1 {
			t.Errorf("InfluencesTo(P005) after the move: got %v, %v; want P004->P005", to, err)
		}
		checkIntegrity(t, s)
	})

	t.Run("MoveDepartmentWithItsHCPs", func(t *testing.T) {
		s := r.loaded(t)
		cs := &kolgraph.ChangeSet{
			Departments: []*kolgraph.Department{{ID: "D002-01", HospitalID: "H001", Name: "Cardiology II", Specialty: "cardiology"}},
		}
		for _, h := range hcpsOf(t, s, "P004", "P005", "P010") {
			h.HospitalID = "H001"
			cs.HCPs = append(cs.HCPs, h)
		}
		apply(t, s, cs)
		got, err := s.DepartmentsOfHospitals(ctx, []string{"H001", "H002"})
		if err != nil {
			t.Fatal(err)
		}
		wantNav(t, "DepartmentsOfHospitals", navIDs(got, func(d *kolgraph.Department) string { return d.ID }),
			[][]string{{"D001-01", "D001-02", "D002-01"}, nil})
		wantIDs(t, "HCPs of H002", listHCPs(t, s, kolgraph.HCPFilter{HospitalIDs: []string{"H002"}}), nil)
		wantIDs(t, "HCPs of H001", listHCPs(t, s, kolgraph.HCPFilter{HospitalIDs: []string{"H001"}}),
			[]string{"P001", "P002", "P003", "P004", "P005", "P009", "P010"})
		checkIntegrity(t, s)
	})

	t.Run("MoveHospitalToTerritory", func(t *testing.T) {
		s := r.loaded(t)
		h := Fixture().Hospitals[2] // H002
		h.TerritoryID = "T2"
		apply(t, s, &kolgraph.ChangeSet{Hospitals: []*kolgraph.Hospital{h}})
		wantIDs(t, "hospitals of T2", listHospitals(t, s, kolgraph.HospitalFilter{Territories: []string{"T2"}}),
			[]string{"H002", "H003"})
		wantIDs(t, "hospitals of T1", listHospitals(t, s, kolgraph.HospitalFilter{Territories: []string{"T1"}}),
			[]string{"H001"})
		wantIDs(t, "HCPs of T1", listHCPs(t, s, kolgraph.HCPFilter{Territories: []string{"T1"}}),
			[]string{"P001", "P002", "P003", "P009"})
		wantIDs(t, "HCPs of T2", listHCPs(t, s, kolgraph.HCPFilter{Territories: []string{"T2"}}),
			[]string{"P004", "P005", "P006", "P007", "P008", "P010"})
	})

	t.Run("NewRecordsReferencingEachOther", func(t *testing.T) {
		s := r.loaded(t)
		cs := &kolgraph.ChangeSet{
			Territories: []*kolgraph.Territory{{ID: "T3", Name: "华北 North"}},
			Hospitals:   []*kolgraph.Hospital{{ID: "H004", Name: "北京协和医院 PUMCH", Tier: "3A", City: "Beijing", TerritoryID: "T3"}},
			Departments: []*kolgraph.Department{{ID: "D004-01", HospitalID: "H004", Name: "Cardiology", Specialty: "cardiology"}},
			HCPs:        []*kolgraph.HCP{newHCP("P011", "王建国", "D004-01", "H004")},
			Committees:  []*kolgraph.Committee{{ID: "C004", Name: "P&T", Kind: kolgraph.CommitteePT, HospitalID: "H004"}},
			Memberships: []kolgraph.Membership{{HCPID: "P011", CommitteeID: "C004", Role: "chair"}},
			Products:    []*kolgraph.Product{{ID: "PR04", Name: "Newdrug"}},
			Listings:    []kolgraph.Listing{{HospitalID: "H004", ProductID: "PR04", Status: "pending"}},
			IndicationShares: []kolgraph.ProductShare{{DepartmentID: "D004-01", ProductID: "PR04", Share: 0.3},
				{DepartmentID: "D004-01", ProductID: "PR01", Share: 0}},
			Users:      []*kolgraph.User{{ID: "U04", Name: "KAM Beijing", Role: "kam", Territories: []string{"T3"}}},
			Knows:      []kolgraph.Knows{{UserID: "U04", HCPID: "P011", Strength: 1}},
			Influences: []*kolgraph.Influence{inf("P011", "P001", 0.25, kolgraph.InfluenceSocietyPeer, "")},
		}
		apply(t, s, cs)
		wantSnapshot(t, s, snapshotOf(Fixture()).add(cs))
		wantIDs(t, "HCPs named 王", listHCPs(t, s, kolgraph.HCPFilter{NameContains: "王"}), []string{"P001", "P003", "P011"})
		wantIDs(t, "HCPs of T3", listHCPs(t, s, kolgraph.HCPFilter{Territories: []string{"T3"}}), []string{"P011"})
		to, err := s.InfluencesTo(ctx, []string{"P001"})
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, "InfluencesTo(P001)", ids(to[0], func(e *kolgraph.Influence) string { return e.From }),
			[]string{"P003", "P009", "P010", "P011"})
	})

	t.Run("HospitalWithoutTerritory", func(t *testing.T) {
		s := r.loaded(t)
		apply(t, s, &kolgraph.ChangeSet{Hospitals: []*kolgraph.Hospital{{ID: "H000", Name: "Clinic", Tier: "1A"}}})
		wantIDs(t, "all hospitals", listHospitals(t, s, kolgraph.HospitalFilter{}), []string{"H000", "H001", "H002", "H003"})
		wantIDs(t, "hospitals of T1", listHospitals(t, s, kolgraph.HospitalFilter{Territories: []string{"T1"}}),
			[]string{"H001", "H002"})
	})

	t.Run("DuplicateKeysLastWins", func(t *testing.T) {
		s := r.loaded(t)
		first, second := newHCP("P002", "first", "D001-01", "H001"), newHCP("P002", "second", "D001-02", "H001")
		apply(t, s, &kolgraph.ChangeSet{
			HCPs: []*kolgraph.HCP{first, second},
			Influences: []*kolgraph.Influence{
				inf("P001", "P002", 0.1, kolgraph.InfluenceMentor, ""),
				inf("P001", "P002", 0.2, kolgraph.InfluenceMentor, ""),
			},
			Memberships: []kolgraph.Membership{
				{HCPID: "P002", CommitteeID: "C001", Role: "chair"},
				{HCPID: "P002", CommitteeID: "C001", Role: "member"},
			},
		})
		got := hcpsOf(t, s, "P002")[0]
		if got == nil || got.Name != "second" || got.DepartmentID != "D001-02" {
			t.Errorf("P002: got %s, want the second upsert", show(got))
		}
		es, err := s.Influences(ctx, []kolgraph.EdgeKey{{From: "P001", To: "P002"}})
		if err != nil || es[0] == nil || es[0].Weight != 0.2 {
			t.Errorf("P001->P002: got %s (%v), want weight 0.2", show(es), err)
		}
		ms, err := s.MembershipsOfHCPs(ctx, []string{"P002"})
		if err != nil || len(ms[0]) != 1 || ms[0][0].Role != "member" {
			t.Errorf("P002 memberships: got %v (%v), want one, role member", ms, err)
		}
		nav, _ := s.HCPsOfDepartments(ctx, []string{"D001-01", "D001-02"})
		wantNav(t, "HCPsOfDepartments", navIDs(nav, hcpID), [][]string{{"P001"}, {"P002", "P003", "P009"}})
	})

	t.Run("DeleteAndUpsertSameRecord", func(t *testing.T) {
		// Deletions come first: the HCP is replaced and loses its
		// relationships, which the same change set may add back.
		s := r.loaded(t)
		apply(t, s, &kolgraph.ChangeSet{
			Delete: kolgraph.Deletion{HCPs: []string{"P002"}},
			HCPs:   []*kolgraph.HCP{newHCP("P002", "李娜 (new)", "D001-01", "H001")},
			Knows:  []kolgraph.Knows{{UserID: "U02", HCPID: "P002", Strength: 0.4}},
		})
		got := hcpsOf(t, s, "P002")[0]
		if got == nil || got.Name != "李娜 (new)" {
			t.Errorf("P002: got %s, want the upserted record", show(got))
		}
		to, _ := s.InfluencesTo(ctx, []string{"P002"})
		from, _ := s.InfluencesFrom(ctx, []string{"P002"})
		if len(to[0])+len(from[0]) != 0 {
			t.Errorf("P002 edges after delete+upsert: got %d in, %d out; want none", len(to[0]), len(from[0]))
		}
		kn, _ := s.KnowsOfUsers(ctx, []string{"U01", "U02"})
		wantNav(t, "KnowsOfUsers", navIDs(kn, func(k kolgraph.Knows) string { return k.HCPID }),
			[][]string{{"P001", "P005"}, {"P002", "P006"}})
		checkIntegrity(t, s)
	})
}

// invalidCase is a change set that is wrong in one record, with the kind,
// id and field its problem must name.
type invalidCase struct {
	name            string
	cs              *kolgraph.ChangeSet
	kind, id, field string
}

func (r *runner) testValidation(t *testing.T) {
	okHCP := func() *kolgraph.HCP { return newHCP("P011", "Valid", "D001-01", "H001") }
	// One store for every case: a rejected change set leaves it as it was,
	// which rejects checks, so the cases cannot see each other.
	s := r.loaded(t)
	for _, tc := range []invalidCase{
		{"TerritoryID", &kolgraph.ChangeSet{Territories: []*kolgraph.Territory{{ID: "T 3", Name: "x"}}}, "territories", "T 3", "id"},
		{"HospitalName", &kolgraph.ChangeSet{Hospitals: []*kolgraph.Hospital{{ID: "H004", Tier: "3A"}}}, "hospitals", "H004", "name"},
		{"HospitalBeds", &kolgraph.ChangeSet{Hospitals: []*kolgraph.Hospital{{ID: "H004", Name: "x", Tier: "3A", Beds: -1}}}, "hospitals", "H004", "beds"},
		{"DepartmentShare", &kolgraph.ChangeSet{Departments: []*kolgraph.Department{{ID: "D004", HospitalID: "H001",
			Name: "x", Specialty: "x", IndicationShare: ptr(1.5)}}}, "departments", "D004", "indication_share"},
		{"DepartmentNaN", &kolgraph.ChangeSet{Departments: []*kolgraph.Department{{ID: "D004", HospitalID: "H001",
			Name: "x", Specialty: "x", BedTurnover: ptr(math.NaN())}}}, "departments", "D004", "bed_turnover"},
		{"HCPRole", &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{func() *kolgraph.HCP { h := okHCP(); h.Role = "surgeon"; return h }()}},
			"hcps", "P011", "role"},
		{"HCPEvidenceWithoutLevel", &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{func() *kolgraph.HCP {
			h := okHCP()
			h.KOLEvidence = []string{"speaker"}
			return h
		}()}}, "hcps", "P011", "kol_evidence"},
		{"HCPNameNUL", &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{func() *kolgraph.HCP { h := okHCP(); h.Name = "a\x00b"; return h }()}},
			"hcps", "P011", "name"},
		{"CommitteeKind", &kolgraph.ChangeSet{Committees: []*kolgraph.Committee{{ID: "C004", Name: "x", Kind: "board", HospitalID: "H001"}}},
			"committees", "C004", "kind"},
		{"MembershipRole", &kolgraph.ChangeSet{Memberships: []kolgraph.Membership{{HCPID: "P002", CommitteeID: "C001", Role: "boss"}}},
			"memberships", "P002", "role"},
		{"ProductName", &kolgraph.ChangeSet{Products: []*kolgraph.Product{{ID: "PR04"}}}, "products", "PR04", "name"},
		{"ListingSince", &kolgraph.ChangeSet{Listings: []kolgraph.Listing{{HospitalID: "H002", ProductID: "PR02",
			Status: "listed", Since: "2023/01/01"}}}, "listings", "H002", "since"},
		{"IndicationShareRange", &kolgraph.ChangeSet{IndicationShares: []kolgraph.ProductShare{{DepartmentID: "D001-01",
			ProductID: "PR01", Share: 1.5}}}, "indication_shares", "D001-01->PR01", "indication_share"},
		{"IndicationShareNaN", &kolgraph.ChangeSet{IndicationShares: []kolgraph.ProductShare{{DepartmentID: "D001-01",
			ProductID: "PR01", Share: math.NaN()}}}, "indication_shares", "D001-01->PR01", "indication_share"},
		{"IndicationShareDepartmentID", &kolgraph.ChangeSet{IndicationShares: []kolgraph.ProductShare{{ProductID: "PR01",
			Share: 0.5}}}, "indication_shares", "PR01", "department_id"},
		{"UserRole", &kolgraph.ChangeSet{Users: []*kolgraph.User{{ID: "U04", Name: "x", Role: "root"}}}, "users", "U04", "role"},
		{"KnowsStrength", &kolgraph.ChangeSet{Knows: []kolgraph.Knows{{UserID: "U03", HCPID: "P001", Strength: 0}}},
			"knows", "U03", "strength"},
		{"InfluenceWeight", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{inf("P002", "P003", 1.5, kolgraph.InfluenceMentor, "")}},
			"influences", "P002", "weight"},
		{"InfluenceNaN", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{inf("P002", "P003", math.NaN(), kolgraph.InfluenceMentor, "")}},
			"influences", "P002", "weight"},
		{"InfluenceSelf", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{inf("P002", "P002", 0.5, kolgraph.InfluenceMentor, "")}},
			"influences", "P002", "to"},
		{"InfluenceKind", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{inf("P002", "P003", 0.5, "friend", "")}},
			"influences", "P002", "kind"},
		// An id names one record of any kind (node(id) resolves it).
		{"HCPWithAHospitalsID", &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{newHCP("H002", "x", "D001-01", "H001")}},
			"hcps", "H002", "id"},
		{"UserWithAProductsID", &kolgraph.ChangeSet{Users: []*kolgraph.User{{ID: "PR01", Name: "x", Role: "kam"}}},
			"users", "PR01", "id"},
		{"TwoKindsOneNewID", &kolgraph.ChangeSet{Territories: []*kolgraph.Territory{{ID: "X9", Name: "x"}},
			Products: []*kolgraph.Product{{ID: "X9", Name: "x"}}}, "products", "X9", "id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := rejectsChecked(t, s, tc.cs, kolgraph.EINVALID)
			wantProblem(t, e, tc.kind, tc.id, tc.field)
		})
	}
}

func (r *runner) testReferences(t *testing.T) {
	fx := Fixture
	moved := func() *kolgraph.Department {
		d := fx().Departments[1] // D001-01
		d.HospitalID = "H002"
		return d
	}
	s := r.loaded(t) // shared by the cases, as in testValidation
	for _, tc := range []invalidCase{
		{"DepartmentHospital", &kolgraph.ChangeSet{Departments: []*kolgraph.Department{{ID: "D004", HospitalID: "HX",
			Name: "x", Specialty: "x"}}}, "departments", "D004", "hospital_id"},
		{"HCPDepartment", &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{newHCP("P011", "x", "DX", "H001")}},
			"hcps", "P011", "department_id"},
		{"HCPHospitalNotDepartments", &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{newHCP("P011", "x", "D001-01", "H002")}},
			"hcps", "P011", "hospital_id"},
		{"CommitteeHospital", &kolgraph.ChangeSet{Committees: []*kolgraph.Committee{{ID: "C004", Name: "x",
			Kind: kolgraph.CommitteePT, HospitalID: "HX"}}}, "committees", "C004", "hospital_id"},
		{"HospitalTerritory", &kolgraph.ChangeSet{Hospitals: []*kolgraph.Hospital{{ID: "H004", Name: "x", Tier: "3A",
			TerritoryID: "TX"}}}, "hospitals", "H004", "territory_id"},
		{"MembershipHCP", &kolgraph.ChangeSet{Memberships: []kolgraph.Membership{{HCPID: "PX", CommitteeID: "C001", Role: "member"}}},
			"memberships", "PX", "hcp_id"},
		{"MembershipCommittee", &kolgraph.ChangeSet{Memberships: []kolgraph.Membership{{HCPID: "P002", CommitteeID: "CX", Role: "member"}}},
			"memberships", "CX", "committee_id"},
		{"ListingHospital", &kolgraph.ChangeSet{Listings: []kolgraph.Listing{{HospitalID: "HX", ProductID: "PR01", Status: "listed"}}},
			"listings", "HX", "hospital_id"},
		{"ListingProduct", &kolgraph.ChangeSet{Listings: []kolgraph.Listing{{HospitalID: "H002", ProductID: "PRX", Status: "listed"}}},
			"listings", "PRX", "product_id"},
		{"IndicationShareDepartment", &kolgraph.ChangeSet{IndicationShares: []kolgraph.ProductShare{{DepartmentID: "DX",
			ProductID: "PR01", Share: 0.5}}}, "indication_shares", "DX", "department_id"},
		{"IndicationShareProduct", &kolgraph.ChangeSet{IndicationShares: []kolgraph.ProductShare{{DepartmentID: "D001-01",
			ProductID: "PRX", Share: 0.5}}}, "indication_shares", "PRX", "product_id"},
		{"KnowsUser", &kolgraph.ChangeSet{Knows: []kolgraph.Knows{{UserID: "UX", HCPID: "P001", Strength: 0.5}}},
			"knows", "UX", "user_id"},
		{"KnowsHCP", &kolgraph.ChangeSet{Knows: []kolgraph.Knows{{UserID: "U03", HCPID: "PX", Strength: 0.5}}},
			"knows", "PX", "hcp_id"},
		{"InfluenceFrom", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{inf("PX", "P001", 0.5, kolgraph.InfluenceMentor, "")}},
			"influences", "PX", "from"},
		{"InfluenceTo", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{inf("P001", "PX", 0.5, kolgraph.InfluenceMentor, "")}},
			"influences", "PX", "to"},
		// References to records this change set deletes.
		{"ListingOfDeletedProduct", &kolgraph.ChangeSet{
			Delete:   kolgraph.Deletion{Products: []string{"PR03"}},
			Listings: []kolgraph.Listing{{HospitalID: "H002", ProductID: "PR03", Status: "pending"}},
		}, "listings", "PR03", "product_id"},
		{"IndicationShareOfDeletedProduct", &kolgraph.ChangeSet{
			Delete:           kolgraph.Deletion{Products: []string{"PR03"}},
			IndicationShares: []kolgraph.ProductShare{{DepartmentID: "D001-01", ProductID: "PR03", Share: 0.5}},
		}, "indication_shares", "PR03", "product_id"},
		{"IndicationShareOfDeletedDepartment", &kolgraph.ChangeSet{
			Delete:           kolgraph.Deletion{Departments: []string{"D002-01"}, HCPs: []string{"P004", "P005", "P010"}},
			IndicationShares: []kolgraph.ProductShare{{DepartmentID: "D002-01", ProductID: "PR02", Share: 0.5}},
		}, "indication_shares", "D002-01", "department_id"},
		{"InfluenceOnDeletedHCP", &kolgraph.ChangeSet{
			Delete:     kolgraph.Deletion{HCPs: []string{"P005"}},
			Influences: []*kolgraph.Influence{inf("P004", "P005", 0.9, kolgraph.InfluenceReportsTo, "")},
		}, "influences", "P005", "to"},
		{"MembershipOfDeletedCommittee", &kolgraph.ChangeSet{
			Delete:      kolgraph.Deletion{Committees: []string{"C002"}},
			Memberships: []kolgraph.Membership{{HCPID: "P002", CommitteeID: "C002", Role: "member"}},
		}, "memberships", "C002", "committee_id"},
		// Untouched records whose reference the change set breaks.
		{"DeleteTerritoryInUse", &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Territories: []string{"T2"}}},
			"hospitals", "H003", "territory_id"},
		{"MoveDepartmentWithoutItsHCPs", &kolgraph.ChangeSet{Departments: []*kolgraph.Department{moved()}},
			"hcps", "P001", "hospital_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := rejectsChecked(t, s, tc.cs, kolgraph.EINVALID)
			wantProblem(t, e, tc.kind, tc.id, tc.field)
		})
	}
}

func (r *runner) testDeletion(t *testing.T) {
	ctx := t.Context()
	for _, tc := range []struct {
		name string
		del  kolgraph.Deletion
		kind string
		id   string
	}{
		{"HospitalWithDepartments", kolgraph.Deletion{Hospitals: []string{"H002"}}, "hospitals", "H002"},
		{"HospitalWithCommittee", kolgraph.Deletion{Hospitals: []string{"H003"}, Departments: []string{"D003-01", "D003-02"},
			HCPs: []string{"P006", "P007", "P008"}}, "hospitals", "H003"},
		{"HospitalWithHCPsLeft", kolgraph.Deletion{Hospitals: []string{"H002"}, Departments: []string{"D002-01"},
			HCPs: []string{"P004", "P005"}}, "departments", "D002-01"},
		{"DepartmentWithHCPs", kolgraph.Deletion{Departments: []string{"D003-01"}}, "departments", "D003-01"},
		{"DepartmentWithOneHCPLeft", kolgraph.Deletion{Departments: []string{"D001-02"}, HCPs: []string{"P003"}},
			"departments", "D001-02"},
	} {
		t.Run("Conflict"+tc.name, func(t *testing.T) {
			s := r.loaded(t)
			e := rejects(t, s, &kolgraph.ChangeSet{Delete: tc.del}, kolgraph.ECONFLICT)
			if e != nil && len(e.Problems) > 0 {
				wantProblem(t, e, tc.kind, tc.id, "")
			}
		})
	}

	base := snapshotOf(Fixture())
	t.Run("HCPDetaches", func(t *testing.T) {
		s := r.loaded(t)
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"P001"}}})
		want := base.clone()
		delete(want.HCPs, "P001")
		for k := range want.Memberships {
			if k.HCPID == "P001" {
				delete(want.Memberships, k)
			}
		}
		delete(want.Knows, kolgraph.KnowsKey{UserID: "U01", HCPID: "P001"})
		for k := range want.Influences {
			if k.From == "P001" || k.To == "P001" {
				delete(want.Influences, k)
			}
		}
		if len(want.Influences) != 6 {
			t.Fatalf("test bug: expected 6 edges without P001, have %d", len(want.Influences))
		}
		wantSnapshot(t, s, want)
		es, err := s.Influences(ctx, []kolgraph.EdgeKey{{From: "P001", To: "P002"}, {From: "P003", To: "P001"}, {From: "P009", To: "P003"}})
		if err != nil || es[0] != nil || es[1] != nil || es[2] == nil {
			t.Errorf("Influences after deleting P001: got %s, %v; want [nil nil P009->P003]", show(es), err)
		}
		to, _ := s.InfluencesTo(ctx, []string{"P002", "P003"})
		wantNav(t, "InfluencesTo", navIDs(to, func(e *kolgraph.Influence) string { return e.From }), [][]string{nil, {"P009"}})
		from, _ := s.InfluencesFrom(ctx, []string{"P003", "P009", "P010"})
		wantNav(t, "InfluencesFrom", navIDs(from, func(e *kolgraph.Influence) string { return e.To }), [][]string{nil, {"P003"}, nil})
		ms, _ := s.MembershipsOfCommittees(ctx, []string{"C001", "C002"})
		wantNav(t, "MembershipsOfCommittees", navIDs(ms, func(m kolgraph.Membership) string { return m.HCPID }),
			[][]string{{"P003", "P009"}, {"P009"}})
		kn, _ := s.KnowsOfUsers(ctx, []string{"U01"})
		wantNav(t, "KnowsOfUsers", navIDs(kn, func(k kolgraph.Knows) string { return k.HCPID }), [][]string{{"P002", "P005"}})
		nav, _ := s.HCPsOfDepartments(ctx, []string{"D001-01"})
		wantNav(t, "HCPsOfDepartments", navIDs(nav, hcpID), [][]string{{"P002"}})
		pg, err := s.ListHCPs(ctx, kolgraph.HCPFilter{}, kolgraph.Page{First: 100})
		if err != nil || pg.Total != 9 {
			t.Errorf("ListHCPs Total after deleting one of 10: got %+v, %v", pg, err)
		}
		wantIDs(t, "KOLs", listHCPs(t, s, kolgraph.HCPFilter{KOLOnly: true}), []string{"P003", "P004", "P006"})
		checkIntegrity(t, s)
	})
	t.Run("CommitteeDetaches", func(t *testing.T) {
		s := r.loaded(t)
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Committees: []string{"C001"}}})
		ms, _ := s.MembershipsOfHCPs(ctx, []string{"P001", "P003", "P009"})
		wantNav(t, "MembershipsOfHCPs", navIDs(ms, func(m kolgraph.Membership) string { return m.CommitteeID }),
			[][]string{{"C002"}, nil, {"C002"}})
		cs, _ := s.CommitteesOfHospitals(ctx, []string{"H001"})
		wantNav(t, "CommitteesOfHospitals", navIDs(cs, func(c *kolgraph.Committee) string { return c.ID }), [][]string{{"C002"}})
		checkIntegrity(t, s)
	})
	t.Run("ProductDetaches", func(t *testing.T) {
		s := r.loaded(t)
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Products: []string{"PR02"}}})
		ls, _ := s.ListingsOfHospitals(ctx, []string{"H001", "H003"})
		wantNav(t, "ListingsOfHospitals", navIDs(ls, func(l kolgraph.Listing) string { return l.ProductID }),
			[][]string{{"PR01"}, nil})
		ps, _ := s.ListProducts(ctx)
		wantIDs(t, "ListProducts", ids(ps, func(p *kolgraph.Product) string { return p.ID }), []string{"PR01", "PR03"})
		sh, _ := s.ProductSharesOfDepartments(ctx, []string{"D001-01", "D003-01"})
		wantNav(t, "ProductSharesOfDepartments", navIDs(sh, func(r kolgraph.ProductShare) string { return r.ProductID }),
			[][]string{{"PR01"}, nil})
		checkIntegrity(t, s)
	})
	t.Run("DepartmentDetaches", func(t *testing.T) {
		// A department deleted with its HCPs takes its indication shares.
		s := r.loaded(t)
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{
			Departments: []string{"D002-01"}, HCPs: []string{"P004", "P005", "P010"}}})
		sh, _ := s.ProductSharesOfDepartments(ctx, []string{"D002-01", "D001-01"})
		wantNav(t, "ProductSharesOfDepartments", navIDs(sh, func(r kolgraph.ProductShare) string { return r.ProductID }),
			[][]string{nil, {"PR01", "PR02"}})
		// Re-created, the department has none.
		apply(t, s, &kolgraph.ChangeSet{Departments: []*kolgraph.Department{{ID: "D002-01", HospitalID: "H002",
			Name: "Cardiology", Specialty: "cardiology"}}})
		sh, _ = s.ProductSharesOfDepartments(ctx, []string{"D002-01"})
		if len(sh[0]) != 0 {
			t.Errorf("ProductSharesOfDepartments(D002-01) after re-creating it: got %v", sh[0])
		}
		checkIntegrity(t, s)
	})
	t.Run("UserDetaches", func(t *testing.T) {
		s := r.loaded(t)
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Users: []string{"U01"}}})
		kn, _ := s.KnowsOfUsers(ctx, []string{"U01", "U02"})
		wantNav(t, "KnowsOfUsers", navIDs(kn, func(k kolgraph.Knows) string { return k.HCPID }), [][]string{nil, {"P006"}})
		want := base.clone()
		delete(want.Users, "U01")
		for k := range want.Knows {
			if k.UserID == "U01" {
				delete(want.Knows, k)
			}
		}
		wantSnapshot(t, s, want)
	})
	t.Run("HospitalWithAllDependants", func(t *testing.T) {
		// Deleting a hospital together with everything that depends on it
		// succeeds; its listings go with it (they are relationships).
		s := r.loaded(t)
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{
			Hospitals: []string{"H003"}, Departments: []string{"D003-01", "D003-02"},
			HCPs: []string{"P006", "P007", "P008"}, Committees: []string{"C003"},
		}})
		want := base.clone()
		delete(want.Hospitals, "H003")
		delete(want.Departments, "D003-01")
		delete(want.Departments, "D003-02")
		delete(want.Committees, "C003")
		for _, id := range []string{"P006", "P007", "P008"} {
			delete(want.HCPs, id)
		}
		for k := range want.Memberships {
			if k.CommitteeID == "C003" {
				delete(want.Memberships, k)
			}
		}
		delete(want.Listings, kolgraph.ListingKey{HospitalID: "H003", ProductID: "PR02"})
		delete(want.Shares, kolgraph.ProductShareKey{DepartmentID: "D003-01", ProductID: "PR02"})
		delete(want.Knows, kolgraph.KnowsKey{UserID: "U02", HCPID: "P006"})
		for k := range want.Influences {
			if k.From == "P006" || k.To == "P006" || k.To == "P007" || k.From == "P008" {
				delete(want.Influences, k)
			}
		}
		wantSnapshot(t, s, want)
		wantIDs(t, "hospitals of T2", listHospitals(t, s, kolgraph.HospitalFilter{Territories: []string{"T2"}}), nil)
		wantIDs(t, "HCPs of T2", listHCPs(t, s, kolgraph.HCPFilter{Territories: []string{"T2"}}), nil)
		ds, _ := s.DepartmentsOfHospitals(ctx, []string{"H003"})
		wantNav(t, "DepartmentsOfHospitals", navIDs(ds, func(d *kolgraph.Department) string { return d.ID }), [][]string{nil})
		ls, _ := s.ListingsOfHospitals(ctx, []string{"H003"})
		if len(ls[0]) != 0 {
			t.Errorf("ListingsOfHospitals(H003) after deleting it: got %v", ls[0])
		}
		checkIntegrity(t, s)
	})
	t.Run("TerritoryAfterMovingItsHospitals", func(t *testing.T) {
		s := r.loaded(t)
		h := Fixture().Hospitals[0] // H003
		h.TerritoryID = "T1"
		apply(t, s, &kolgraph.ChangeSet{Hospitals: []*kolgraph.Hospital{h}, Delete: kolgraph.Deletion{Territories: []string{"T2"}}})
		ts, _ := s.ListTerritories(ctx)
		wantIDs(t, "ListTerritories", ids(ts, func(t *kolgraph.Territory) string { return t.ID }), []string{"T1"})
		wantIDs(t, "hospitals of T1", listHospitals(t, s, kolgraph.HospitalFilter{Territories: []string{"T1"}}),
			[]string{"H001", "H002", "H003"})
		checkIntegrity(t, s)
	})
	t.Run("Relationships", func(t *testing.T) {
		s := r.loaded(t)
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{
			Memberships: []kolgraph.MembershipKey{{HCPID: "P001", CommitteeID: "C002"}},
			Listings:    []kolgraph.ListingKey{{HospitalID: "H002", ProductID: "PR01"}},
			IndicationShares: []kolgraph.ProductShareKey{{DepartmentID: "D001-01", ProductID: "PR02"},
				{DepartmentID: "D001-02", ProductID: "PR02"}}, // the second does not exist
			Knows:      []kolgraph.KnowsKey{{UserID: "U01", HCPID: "P005"}},
			Influences: []kolgraph.EdgeKey{{From: "P004", To: "P010"}},
		}})
		want := base.clone()
		delete(want.Memberships, kolgraph.MembershipKey{HCPID: "P001", CommitteeID: "C002"})
		delete(want.Listings, kolgraph.ListingKey{HospitalID: "H002", ProductID: "PR01"})
		delete(want.Shares, kolgraph.ProductShareKey{DepartmentID: "D001-01", ProductID: "PR02"})
		delete(want.Knows, kolgraph.KnowsKey{UserID: "U01", HCPID: "P005"})
		delete(want.Influences, kolgraph.EdgeKey{From: "P004", To: "P010"})
		wantSnapshot(t, s, want)
		from, _ := s.InfluencesFrom(ctx, []string{"P004"})
		wantNav(t, "InfluencesFrom(P004)", navIDs(from, func(e *kolgraph.Influence) string { return e.To }), [][]string{{"P005"}})
		to, _ := s.InfluencesTo(ctx, []string{"P010"})
		wantNav(t, "InfluencesTo(P010)", navIDs(to, func(e *kolgraph.Influence) string { return e.From }), [][]string{nil})
		ms, _ := s.MembershipsOfCommittees(ctx, []string{"C002"})
		wantNav(t, "MembershipsOfCommittees(C002)", navIDs(ms, func(m kolgraph.Membership) string { return m.HCPID }),
			[][]string{{"P009"}})
	})
	t.Run("UnknownIDsAreNoOps", func(t *testing.T) {
		s := r.loaded(t)
		v := apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{
			HCPs: []string{"PX"}, Hospitals: []string{"HX"}, Departments: []string{"DX"}, Territories: []string{"TX"},
			Committees: []string{"CX"}, Products: []string{"PRX"}, Users: []string{"UX"},
			Influences: []kolgraph.EdgeKey{{From: "P002", To: "P001"}}, // the reverse edge does not exist
			Knows:      []kolgraph.KnowsKey{{UserID: "U03", HCPID: "P001"}},
		}})
		if v != 2 {
			t.Errorf("version: got %d, want 2", v)
		}
		wantSnapshot(t, s, base)
	})
}

// testAtomicity checks that a change set that is wrong only in its last
// record writes nothing at all, whatever kinds it touched before.
func (r *runner) testAtomicity(t *testing.T) {
	big := func() *kolgraph.ChangeSet {
		p1 := Fixture().HCPs[1] // P001, renamed
		p1.Name = "王伟 (renamed)"
		return &kolgraph.ChangeSet{
			Territories: []*kolgraph.Territory{{ID: "T3", Name: "North"}},
			Hospitals:   []*kolgraph.Hospital{{ID: "H004", Name: "New Hospital", Tier: "3A", TerritoryID: "T3"}},
			Departments: []*kolgraph.Department{{ID: "D004-01", HospitalID: "H004", Name: "x", Specialty: "cardiology"}},
			HCPs:        []*kolgraph.HCP{p1, newHCP("P011", "New One", "D004-01", "H004"), newHCP("P012", "New Two", "D004-01", "H004")},
			Committees:  []*kolgraph.Committee{{ID: "C004", Name: "P&T", Kind: kolgraph.CommitteePT, HospitalID: "H004"}},
			Memberships: []kolgraph.Membership{{HCPID: "P011", CommitteeID: "C004", Role: "chair"}},
			Products:    []*kolgraph.Product{{ID: "PR04", Name: "New drug"}},
			Listings:    []kolgraph.Listing{{HospitalID: "H004", ProductID: "PR04", Status: "listed"}},
			IndicationShares: []kolgraph.ProductShare{{DepartmentID: "D004-01", ProductID: "PR04", Share: 0.5},
				{DepartmentID: "D001-01", ProductID: "PR01", Share: 0.9}}, // replaces a share
			Users: []*kolgraph.User{{ID: "U04", Name: "New user", Role: "kam"}},
			Knows: []kolgraph.Knows{{UserID: "U04", HCPID: "P011", Strength: 0.5}},
			Influences: []*kolgraph.Influence{
				inf("P011", "P012", 0.5, kolgraph.InfluenceMentor, ""),
				inf("P001", "P002", 0.1, kolgraph.InfluenceMentor, ""), // replaces an existing edge
			},
			Delete: kolgraph.Deletion{
				HCPs:       []string{"P007"}, // detaches P006->P007
				Influences: []kolgraph.EdgeKey{{From: "P004", To: "P005"}},
				Products:   []string{"PR03"},
			},
		}
	}
	t.Run("ValidControl", func(t *testing.T) {
		// The change set without its bad tail applies: the failures below
		// are caused by the tail alone.
		s := r.loaded(t)
		apply(t, s, big())
		checkIntegrity(t, s)
		if got := hcpsOf(t, s, "P011", "P007"); got[0] == nil || got[1] != nil {
			t.Errorf("control: P011, P007: got %s", show(got))
		}
	})
	t.Run("LastRecordDangling", func(t *testing.T) {
		s := r.loaded(t)
		cs := big()
		cs.Influences = append(cs.Influences, inf("P012", "PX", 0.5, kolgraph.InfluenceMentor, ""))
		rejects(t, s, cs, kolgraph.EINVALID)
		checkUntouched(t, s)
	})
	t.Run("LastRecordInvalid", func(t *testing.T) {
		s := r.loaded(t)
		cs := big()
		cs.Influences = append(cs.Influences, inf("P012", "P011", 2, kolgraph.InfluenceMentor, ""))
		rejects(t, s, cs, kolgraph.EINVALID)
		checkUntouched(t, s)
	})
	t.Run("LastDeletionConflicts", func(t *testing.T) {
		s := r.loaded(t)
		cs := big()
		cs.Delete.Departments = []string{"D003-02"} // P008 still works there
		rejects(t, s, cs, kolgraph.ECONFLICT)
		checkUntouched(t, s)
	})
	t.Run("CancelledContext", func(t *testing.T) {
		s := r.loaded(t)
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := s.Apply(ctx, big()); err == nil {
			t.Fatal("Apply with a cancelled context succeeded")
		}
		checkUntouched(t, s)
	})
}

// checkUntouched fails t unless s still holds exactly the fixture at
// version 1, as seen through several read paths (not only Scan).
func checkUntouched(t *testing.T, s kolgraph.Store) {
	t.Helper()
	ctx := t.Context()
	if v := version(t, s); v != 1 {
		t.Errorf("Version: got %d, want 1", v)
	}
	wantSnapshot(t, s, snapshotOf(Fixture()))
	if got := hcpsOf(t, s, "P011", "P007", "P001"); got[0] != nil || got[1] == nil || got[2] == nil || got[2].Name != "王伟" {
		t.Errorf("HCPs P011, P007, P001: got %s", show(got))
	}
	pg, err := s.ListHCPs(ctx, kolgraph.HCPFilter{}, kolgraph.Page{First: 100})
	if err != nil || pg.Total != 10 {
		t.Errorf("ListHCPs total: got %+v, %v; want 10", pg, err)
	}
	hp, err := s.ListHospitals(ctx, kolgraph.HospitalFilter{}, kolgraph.Page{First: 100})
	if err != nil || hp.Total != 3 {
		t.Errorf("ListHospitals total: got %+v, %v; want 3", hp, err)
	}
	from, _ := s.InfluencesFrom(ctx, []string{"P006", "P004"})
	wantNav(t, "InfluencesFrom", navIDs(from, func(e *kolgraph.Influence) string { return e.To }),
		[][]string{{"P007"}, {"P005", "P010"}})
	ps, _ := s.Products(ctx, []string{"PR03", "PR04"})
	if ps[0] == nil || ps[1] != nil {
		t.Errorf("Products PR03, PR04: got %s, want [PR03 nil]", show(ps))
	}
	ts, _ := s.ListTerritories(ctx)
	if len(ts) != 2 {
		t.Errorf("ListTerritories: got %d, want 2", len(ts))
	}
	ds, _ := s.DepartmentsOfHospitals(ctx, []string{"H004"})
	if len(ds[0]) != 0 {
		t.Errorf("DepartmentsOfHospitals(H004): got %d, want 0", len(ds[0]))
	}
}
