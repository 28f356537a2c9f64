package scope_test

import (
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scope"
)

// TestPrescriptionFacts: a fact is in scope when its HCP's or department's
// hospital is; writes of others are FORBIDDEN, reads leave them out.
func TestPrescriptionFacts(t *testing.T) {
	base := openStore(t)
	fact := func(hcp, dept, month string) kolgraph.PrescriptionFact {
		return kolgraph.PrescriptionFact{HCPID: hcp, DepartmentID: dept, ProductID: "PR02", Month: month, Volume: 5}
	}
	in1, in2 := fact("P001", "", "2026-01"), fact("", "D001-01", "2026-01")
	out1, out2 := fact("P007", "", "2026-01"), fact("", "D003-01", "2026-01")
	if _, err := base.Apply(t.Context(), &kolgraph.ChangeSet{Prescriptions: []kolgraph.PrescriptionFact{in1, in2, out1, out2}}); err != nil {
		t.Fatal(err)
	}
	s := scope.NewStore(base, []string{"T1"})
	for _, c := range []struct {
		name string
		cs   kolgraph.ChangeSet
	}{
		{"T2's HCP", kolgraph.ChangeSet{Prescriptions: []kolgraph.PrescriptionFact{fact("P007", "", "2026-02")}}},
		{"T2's department", kolgraph.ChangeSet{Prescriptions: []kolgraph.PrescriptionFact{fact("", "D003-01", "2026-02")}}},
		{"an unknown HCP", kolgraph.ChangeSet{Prescriptions: []kolgraph.PrescriptionFact{fact("P404", "", "2026-02")}}},
		{"delete T2's fact", kolgraph.ChangeSet{Delete: kolgraph.Deletion{Prescriptions: []kolgraph.PrescriptionFactKey{out1.Key()}}}},
		{"a new HCP in T2 with a fact", kolgraph.ChangeSet{
			HCPs:          []*kolgraph.HCP{{ID: "P100", Name: "x", Role: kolgraph.RolePhysician, DepartmentID: "D003-01", HospitalID: "H003"}},
			Prescriptions: []kolgraph.PrescriptionFact{fact("P100", "", "2026-02")}}},
		{"with one in scope", kolgraph.ChangeSet{Prescriptions: []kolgraph.PrescriptionFact{fact("P001", "", "2026-02"), fact("P007", "", "2026-02")}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := s.Apply(t.Context(), &c.cs); kolgraph.ErrorCode(err) != kolgraph.EFORBIDDEN {
				t.Errorf("Apply: got %v, want FORBIDDEN", err)
			}
		})
	}
	if _, err := s.Apply(t.Context(), &kolgraph.ChangeSet{Prescriptions: []kolgraph.PrescriptionFact{fact("P002", "", "2026-02"), fact("", "D002-01", "2026-02")},
		Delete: kolgraph.Deletion{Prescriptions: []kolgraph.PrescriptionFactKey{in2.Key()}}}); err != nil {
		t.Fatalf("Apply of facts in scope: %v", err)
	}

	got, err := s.PrescriptionFacts(t.Context(), []kolgraph.PrescriptionFactKey{in1.Key(), out1.Key(), out2.Key()})
	if err != nil {
		t.Fatal(err)
	}
	if got[0] == nil || got[1] != nil || got[2] != nil {
		t.Errorf("PrescriptionFacts: got %v, want only P001's", got)
	}
	rows, err := s.PrescriptionFactsOf(t.Context(), []string{"P001", "P007", "D003-01", "D001-01", "D002-01"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows[0]) != 1 || rows[1] != nil || rows[2] != nil || rows[3] != nil || len(rows[4]) != 1 {
		t.Errorf("PrescriptionFactsOf: got %v, want P001's and D002-01's one fact each", rows)
	}
	var seen []string
	err = s.Scan(t.Context(), kolgraph.Visitor{PrescriptionFact: func(f kolgraph.PrescriptionFact) error {
		seen = append(seen, f.Key().ID())
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(seen)
	if want := []string{"D002-01->PR02@2026-02", "P001->PR02@2026-01", "P002->PR02@2026-02"}; !slices.Equal(seen, want) {
		t.Errorf("Scan: got %q, want %q", seen, want)
	}
}
