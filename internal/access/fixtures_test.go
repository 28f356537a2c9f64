package access_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/embedded/embeddedtest"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// The hand-made region of the tests:
//
//	HA (DRG payment): DA-CARD cardiology, DA-ONC oncology, DA-PHA pharmacy
//	  A1 president, A2 vice_president, A3 pharmacy_director,
//	  A4 department_head of cardiology, A5 deputy_head of oncology (which
//	  has no head), A6 resident in cardiology, A7 pharmacist
//	  CA-PT (pt): A2 chair, A3 secretary, A4 member
//	  CA-DRG (drg): A1 chair, A6 member
//	HB: DB-GEN general surgery, DB-PHA pharmacy; no committees
//	  B1 vice_president (no president), B2 staff surgeon, B3 head of the
//	  pharmacy (no pharmacy_director)
//
// Edges (from sways to, weight):
//
//	A6->A7 0.9  A7->A3 0.9  A6->A4 0.8  A4->A3 0.5  A4->A2 0.9  A2->A3 0.6
//	A2->A1 0.9  A4->A5 0.7  A5->A1 0.3  A3->A1 0.4  B2->B3 0.5  B3->B1 0.5
//
// so the paths from A6 to A3 are, strongest first: A6 A7 A3 (0.81),
// A6 A4 A2 A3 (0.432), A6 A4 A3 (0.4).
//
// U1 knows A6 (0.5) and B2 (0.9); U2 knows nobody.
func region() *kolgraph.ChangeSet {
	hcp := func(id, hosp, dept, role, title, pos string) *kolgraph.HCP {
		return &kolgraph.HCP{ID: id, Name: "Dr " + id, Role: role, Title: title, Position: pos, DepartmentID: dept, HospitalID: hosp}
	}
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	inf := func(from, to string, w float64, kind string) *kolgraph.Influence {
		return &kolgraph.Influence{From: from, To: to, Weight: w, Kind: kind, Evidence: from + " sways " + to, UpdatedAt: at}
	}
	return &kolgraph.ChangeSet{
		Hospitals: []*kolgraph.Hospital{
			{ID: "HA", Name: "Hospital A", Tier: "3A", PaymentModel: "DRG"},
			{ID: "HB", Name: "Hospital B", Tier: "2A"},
		},
		Departments: []*kolgraph.Department{
			{ID: "DA-CARD", HospitalID: "HA", Name: "Cardiology", Specialty: "cardiology"},
			{ID: "DA-ONC", HospitalID: "HA", Name: "Oncology", Specialty: "oncology"},
			{ID: "DA-PHA", HospitalID: "HA", Name: "Pharmacy", Specialty: "pharmacy"},
			{ID: "DB-GEN", HospitalID: "HB", Name: "Surgery", Specialty: "general_surgery"},
			{ID: "DB-PHA", HospitalID: "HB", Name: "Pharmacy", Specialty: "pharmacy"},
		},
		HCPs: []*kolgraph.HCP{
			hcp("A1", "HA", "DA-CARD", "administrator", "chief", "president"),
			hcp("A2", "HA", "DA-CARD", "administrator", "chief", "vice_president"),
			hcp("A3", "HA", "DA-PHA", "pharmacist", "", "pharmacy_director"),
			hcp("A4", "HA", "DA-CARD", "physician", "chief", "department_head"),
			hcp("A5", "HA", "DA-ONC", "physician", "associate_chief", "deputy_head"),
			hcp("A6", "HA", "DA-CARD", "physician", "resident", "staff"),
			hcp("A7", "HA", "DA-PHA", "pharmacist", "", "staff"),
			hcp("B1", "HB", "DB-GEN", "administrator", "chief", "vice_president"),
			hcp("B2", "HB", "DB-GEN", "physician", "attending", "staff"),
			hcp("B3", "HB", "DB-PHA", "pharmacist", "", "department_head"),
		},
		Committees: []*kolgraph.Committee{
			{ID: "CA-PT", Name: "P&T", Kind: kolgraph.CommitteePT, HospitalID: "HA"},
			{ID: "CA-DRG", Name: "DRG", Kind: kolgraph.CommitteeDRG, HospitalID: "HA"},
		},
		Memberships: []kolgraph.Membership{
			{HCPID: "A4", CommitteeID: "CA-PT", Role: "member"},
			{HCPID: "A3", CommitteeID: "CA-PT", Role: "secretary"},
			{HCPID: "A2", CommitteeID: "CA-PT", Role: "chair"},
			{HCPID: "A1", CommitteeID: "CA-DRG", Role: "chair"},
			{HCPID: "A6", CommitteeID: "CA-DRG", Role: "member"},
		},
		Products: []*kolgraph.Product{
			{ID: "RX1", Name: "Cardionc", Specialties: []string{"cardiology", "oncology"}},
			{ID: "RX2", Name: "Dermix", Specialties: []string{"dermatology"}},
		},
		Listings: []kolgraph.Listing{{HospitalID: "HA", ProductID: "RX1", Status: "pending"}},
		Users: []*kolgraph.User{
			{ID: "U1", Name: "KAM One", Role: "kam"},
			{ID: "U2", Name: "KAM Two", Role: "kam"},
		},
		Knows: []kolgraph.Knows{{UserID: "U1", HCPID: "A6", Strength: 0.5}, {UserID: "U1", HCPID: "B2", Strength: 0.9}},
		Influences: []*kolgraph.Influence{
			inf("A6", "A7", 0.9, kolgraph.InfluenceReferral), inf("A7", "A3", 0.9, kolgraph.InfluenceReportsTo),
			inf("A6", "A4", 0.8, kolgraph.InfluenceReportsTo), inf("A4", "A3", 0.5, kolgraph.InfluenceCommitteePeer),
			inf("A4", "A2", 0.9, kolgraph.InfluenceCommitteePeer), inf("A2", "A3", 0.6, kolgraph.InfluenceCommitteePeer),
			inf("A2", "A1", 0.9, kolgraph.InfluenceReportsTo), inf("A4", "A5", 0.7, kolgraph.InfluenceMentor),
			inf("A5", "A1", 0.3, kolgraph.InfluenceCoAuthor), inf("A3", "A1", 0.4, kolgraph.InfluenceReportsTo),
			inf("B2", "B3", 0.5, kolgraph.InfluenceReferral), inf("B3", "B1", 0.5, kolgraph.InfluenceReportsTo),
		},
	}
}

// swappable is a snapshot source a test can swap, like snapshot.Manager.
type swappable struct {
	p atomic.Pointer[snapshot.Snapshot]
}

func (s *swappable) Get() (*snapshot.Snapshot, error) { return s.p.Load(), nil }

type env struct {
	store  kolgraph.Store
	snaps  *swappable
	scores *scoring.Service
	svc    *access.Service
}

// newEnv loads cs into a fresh embedded store and serves its snapshot.
func newEnv(t testing.TB, cs *kolgraph.ChangeSet) *env {
	t.Helper()
	st := embeddedtest.Open(t, cs)
	e := &env{store: st, snaps: &swappable{}}
	e.rebuild(t)
	var err error
	if e.scores, err = scoring.NewService(e.snaps, scoring.DefaultParams()); err != nil {
		t.Fatal(err)
	}
	e.svc = access.NewService(e.snaps, e.scores, access.DefaultOptions())
	return e
}

// rebuild installs a snapshot of the store's current state.
func (e *env) rebuild(t testing.TB) {
	t.Helper()
	s, err := snapshot.Build(context.Background(), e.store)
	if err != nil {
		t.Fatal(err)
	}
	e.snaps.p.Store(s)
}
