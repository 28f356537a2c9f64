package whatif_test

import (
	"context"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/embedded/embeddedtest"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// The hand-made region of the tests, territory T1:
//
//	HA: DA-CARD cardiology, DA-PHA pharmacy
//	  A1 president, A2 pharmacy_director, A3 department_head of
//	  cardiology (no deputy), A4 and A5 cardiology staff
//	  CA-PT (pt): A2 chair, A3 member
//	HB: DB-GEN general surgery; B1, B2, B3 staff
//
// Edges (from sways to, weight): the hub A3 sways everyone of HA,
//
//	A3->A1 0.5  A3->A2 0.5  A3->A4 0.5  A3->A5 0.5
//	A4->A5 0.4  A5->A2 0.8  A2->A1 0.5  A1->A3 0.2  B1->B2 0.5
//
// so DEGREE (weighted out-degree) in HA is A3 2.0, A5 0.8, A2 0.5, A4 0.4,
// A1 0.2, in that rank order.
//
// U1 knows A4 (0.9) and A5 (0.1): its strongest paths are to A2 via A4 A5
// (0.9*0.4*0.8 = 0.288), to A1 via A4 A5 A2 (0.144) and to A3 via A4 A5 A2
// A1 (0.0288). U2 knows nobody.
func region() *kolgraph.ChangeSet {
	hcp := func(id, hosp, dept, role, pos string) *kolgraph.HCP {
		return &kolgraph.HCP{ID: id, Name: "Dr " + id, Role: role, Title: "attending", Position: pos, DepartmentID: dept, HospitalID: hosp}
	}
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	inf := func(from, to string, w float64) *kolgraph.Influence {
		return &kolgraph.Influence{From: from, To: to, Weight: w, Kind: kolgraph.InfluenceReportsTo, Evidence: from + " sways " + to, UpdatedAt: at}
	}
	return &kolgraph.ChangeSet{
		Territories: []*kolgraph.Territory{{ID: "T1", Name: "T1"}},
		Hospitals: []*kolgraph.Hospital{
			{ID: "HA", Name: "Hospital A", Tier: "3A", TerritoryID: "T1"},
			{ID: "HB", Name: "Hospital B", Tier: "2A", TerritoryID: "T1"},
		},
		Departments: []*kolgraph.Department{
			{ID: "DA-CARD", HospitalID: "HA", Name: "Cardiology", Specialty: "cardiology"},
			{ID: "DA-PHA", HospitalID: "HA", Name: "Pharmacy", Specialty: "pharmacy"},
			{ID: "DB-GEN", HospitalID: "HB", Name: "Surgery", Specialty: "general_surgery"},
		},
		HCPs: []*kolgraph.HCP{
			hcp("A1", "HA", "DA-CARD", kolgraph.RoleAdministrator, "president"),
			hcp("A2", "HA", "DA-PHA", kolgraph.RolePharmacist, "pharmacy_director"),
			hcp("A3", "HA", "DA-CARD", kolgraph.RolePhysician, "department_head"),
			hcp("A4", "HA", "DA-CARD", kolgraph.RolePhysician, "staff"),
			hcp("A5", "HA", "DA-CARD", kolgraph.RolePhysician, "staff"),
			hcp("B1", "HB", "DB-GEN", kolgraph.RolePhysician, "staff"),
			hcp("B2", "HB", "DB-GEN", kolgraph.RolePhysician, "staff"),
			hcp("B3", "HB", "DB-GEN", kolgraph.RolePhysician, "staff"),
		},
		Committees: []*kolgraph.Committee{{ID: "CA-PT", Name: "P&T", Kind: kolgraph.CommitteePT, HospitalID: "HA"}},
		Memberships: []kolgraph.Membership{
			{HCPID: "A2", CommitteeID: "CA-PT", Role: "chair"},
			{HCPID: "A3", CommitteeID: "CA-PT", Role: "member"},
		},
		Products: []*kolgraph.Product{{ID: "RX1", Name: "Cardiox", Specialties: []string{"cardiology"}}},
		Users: []*kolgraph.User{
			{ID: "U1", Name: "KAM One", Role: "kam"},
			{ID: "U2", Name: "KAM Two", Role: "kam"},
		},
		Knows: []kolgraph.Knows{{UserID: "U1", HCPID: "A4", Strength: 0.9}, {UserID: "U1", HCPID: "A5", Strength: 0.1}},
		Influences: []*kolgraph.Influence{
			inf("A3", "A1", 0.5), inf("A3", "A2", 0.5), inf("A3", "A4", 0.5), inf("A3", "A5", 0.5),
			inf("A4", "A5", 0.4), inf("A5", "A2", 0.8), inf("A2", "A1", 0.5), inf("A1", "A3", 0.2), inf("B1", "B2", 0.5),
		},
	}
}

// fixed serves one snapshot, as snapshot.Manager serves the current one.
type fixed struct{ snap *snapshot.Snapshot }

func (f fixed) Get() (*snapshot.Snapshot, error) { return f.snap, nil }

// env is the region's snapshot and a live scoring service over it.
func env(t testing.TB, cs *kolgraph.ChangeSet) (*snapshot.Snapshot, *scoring.Service) {
	t.Helper()
	snap, err := snapshot.Build(context.Background(), embeddedtest.Open(t, cs))
	if err != nil {
		t.Fatal(err)
	}
	scores, err := scoring.NewService(fixed{snap}, scoring.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	return snap, scores
}
