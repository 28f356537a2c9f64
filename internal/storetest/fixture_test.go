package storetest

import (
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// TestFixtureIsValid guards the suite itself: a fixture record that failed
// validation or referenced nothing would make every store fail for the
// wrong reason.
func TestFixtureIsValid(t *testing.T) {
	cs := Fixture()
	var ps []kolgraph.Problem
	for _, r := range cs.Territories {
		ps = append(ps, r.Validate()...)
	}
	for _, r := range cs.Hospitals {
		ps = append(ps, r.Validate()...)
	}
	for _, r := range cs.Departments {
		ps = append(ps, r.Validate()...)
	}
	for _, r := range cs.HCPs {
		ps = append(ps, r.Validate()...)
	}
	for _, r := range cs.Committees {
		ps = append(ps, r.Validate()...)
	}
	for _, r := range cs.Memberships {
		ps = append(ps, r.Validate()...)
	}
	for _, r := range cs.Products {
		ps = append(ps, r.Validate()...)
	}
	for _, r := range cs.Listings {
		ps = append(ps, r.Validate()...)
	}
	for _, r := range cs.IndicationShares {
		ps = append(ps, r.Validate()...)
	}
	for _, r := range cs.Users {
		ps = append(ps, r.Validate()...)
	}
	for _, r := range cs.Knows {
		ps = append(ps, r.Validate()...)
	}
	for _, r := range cs.Influences {
		ps = append(ps, r.Validate()...)
	}
	if len(ps) > 0 {
		t.Errorf("fixture records do not validate: %v", ps)
	}

	s := snapshotOf(cs)
	for id, h := range s.HCPs {
		if d, ok := s.Departments[h.DepartmentID]; !ok || d.HospitalID != h.HospitalID {
			t.Errorf("fixture HCP %s: department %s missing or in another hospital", id, h.DepartmentID)
		}
	}
	for k := range s.Influences {
		if _, ok := s.HCPs[k.From]; !ok {
			t.Errorf("fixture influence %v: no HCP %s", k, k.From)
		}
		if _, ok := s.HCPs[k.To]; !ok {
			t.Errorf("fixture influence %v: no HCP %s", k, k.To)
		}
	}
	if len(s.HCPs) != 10 || len(s.Influences) != 12 || len(s.Memberships) != 7 {
		t.Errorf("fixture sizes changed (HCPs %d, influences %d, memberships %d): update the expectations of the suite",
			len(s.HCPs), len(s.Influences), len(s.Memberships))
	}
}

func TestFixtureReturnsFreshCopies(t *testing.T) {
	a := Fixture()
	a.HCPs[0].Name = "changed"
	*a.Departments[1].IndicationShare = 0.99
	a.Products[0].Indications[0] = "changed"
	b := Fixture()
	if b.HCPs[0].Name == "changed" || *b.Departments[1].IndicationShare == 0.99 || b.Products[0].Indications[0] == "changed" {
		t.Error("Fixture shares memory between calls")
	}
}
