package writer_test

import (
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// TestPrescriptionFacts: facts are planned like the other records (created,
// updated, unchanged, each change audited with its before and after), and
// deleting an HCP or a product audits the deletion of each of its facts.
func TestPrescriptionFacts(t *testing.T) {
	s := loaded(t)
	w := writer.New(s, nil)
	f1 := kolgraph.PrescriptionFact{HCPID: "P001", ProductID: "PR01", Month: "2026-01", Volume: 10}
	f2 := kolgraph.PrescriptionFact{HCPID: "P002", ProductID: "PR02", Month: "2026-01", Volume: 4}
	f3 := kolgraph.PrescriptionFact{DepartmentID: "D001-01", ProductID: "PR01", Month: "2026-01", Volume: 30}
	res, err := w.Apply(t.Context(), "U01", "import", &kolgraph.ChangeSet{Prescriptions: []kolgraph.PrescriptionFact{f1, f2, f3}})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Counts[kolgraph.KindPrescriptions]; c == nil || *c != (writer.Counts{Created: 3}) {
		t.Errorf("first write: counts %+v, want 3 created", c)
	}
	f1b := f1
	f1b.Volume = 12
	res, err = w.Apply(t.Context(), "U01", "import", &kolgraph.ChangeSet{Prescriptions: []kolgraph.PrescriptionFact{f1b, f2}})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Counts[kolgraph.KindPrescriptions]; c == nil || *c != (writer.Counts{Updated: 1, Unchanged: 1}) {
		t.Errorf("second write: counts %+v, want 1 updated, 1 unchanged", c)
	}
	got := log(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindPrescriptions, EntityID: "P001->PR01@2026-01"})
	if len(got) != 2 || got[1].Op != kolgraph.OpUpdate || got[1].Before != `{"hcpId":"P001","productId":"PR01","month":"2026-01","volume":10}` ||
		got[1].After != `{"hcpId":"P001","productId":"PR01","month":"2026-01","volume":12}` {
		t.Errorf("audit of P001's fact: got %+v, want its create and update with before and after", got)
	}

	// Deleting P002 and PR01 takes every fact; each deletion is audited.
	res, err = w.Apply(t.Context(), "U01", "mutation delete", &kolgraph.ChangeSet{Delete: kolgraph.Deletion{
		HCPs: []string{"P002"}, Products: []string{"PR01"}}})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Counts[kolgraph.KindPrescriptions]; c == nil || c.Deleted != 3 {
		t.Errorf("deleting P002 and PR01: fact counts %+v, want 3 deleted", c)
	}
	dels := log(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindPrescriptions, Op: kolgraph.OpDelete})
	if len(dels) != 3 {
		t.Errorf("audited fact deletions: got %d, want 3", len(dels))
	}
	rows, err := s.PrescriptionFactsOf(t.Context(), []string{"P001", "P002", "D001-01"})
	if err != nil || len(rows[0])+len(rows[1])+len(rows[2]) != 0 {
		t.Errorf("facts left: %v, %v; want none", rows, err)
	}
}
