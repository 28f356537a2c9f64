package storetest

import (
	"math"
	"reflect"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// hcpFact and deptFact are facts of the suite's fixture.
func hcpFact(hcp, product, month string, volume float64) kolgraph.PrescriptionFact {
	return kolgraph.PrescriptionFact{HCPID: hcp, ProductID: product, Month: month, Volume: volume}
}

func deptFact(dept, product, month string, volume float64) kolgraph.PrescriptionFact {
	return kolgraph.PrescriptionFact{DepartmentID: dept, ProductID: product, Month: month, Volume: volume}
}

// suiteFacts are facts of HCPs and departments in every hospital of the
// fixture: a zero volume, a fraction, a whole number (which some servers
// return as an integer), two products and months of one HCP, and an HCP's
// fact next to its department's.
func suiteFacts() []kolgraph.PrescriptionFact {
	return []kolgraph.PrescriptionFact{
		hcpFact("P001", "PR01", "2026-02", 0),
		hcpFact("P001", "PR01", "2026-01", 12.5),
		hcpFact("P001", "PR02", "2025-12", 3),
		hcpFact("P002", "PR01", "2026-01", 7.25),
		deptFact("D001-01", "PR01", "2026-01", 40),
		hcpFact("P006", "PR02", "2026-03", 1),
		deptFact("D003-01", "PR02", "2026-03", 18.5),
		hcpFact("P010", "PR01", "2026-01", 2),
	}
}

// withFacts is the fixture's snapshot with facts added.
func withFacts(facts ...kolgraph.PrescriptionFact) *snapshot {
	return snapshotOf(Fixture()).add(&kolgraph.ChangeSet{Prescriptions: facts})
}

func factsOf(t *testing.T, s kolgraph.Store, ids ...string) [][]kolgraph.PrescriptionFact {
	t.Helper()
	got, err := s.PrescriptionFactsOf(t.Context(), ids)
	if err != nil {
		t.Fatalf("PrescriptionFactsOf(%v): %v", ids, err)
	}
	if len(got) != len(ids) {
		t.Fatalf("PrescriptionFactsOf(%v): got %d rows, want %d", ids, len(got), len(ids))
	}
	return got
}

func (r *runner) testPrescriptionFacts(t *testing.T) {
	t.Run("UpsertAndRead", func(t *testing.T) {
		s := r.loaded(t)
		facts := suiteFacts()
		// The last upsert of a key wins.
		stale := hcpFact("P002", "PR01", "2026-01", 99)
		apply(t, s, &kolgraph.ChangeSet{Prescriptions: append([]kolgraph.PrescriptionFact{stale}, facts...)})
		wantSnapshot(t, s, withFacts(facts...))

		keys := []kolgraph.PrescriptionFactKey{
			facts[1].Key(), facts[4].Key(),
			{HCPID: "P001", ProductID: "PR01", Month: "2025-01"},        // no such month
			{DepartmentID: "P001", ProductID: "PR01", Month: "2026-01"}, // P001 is an HCP
			{HCPID: "D001-01", ProductID: "PR01", Month: "2026-01"},     // D001-01 is a department
			facts[1].Key(),
		}
		got, err := s.PrescriptionFacts(t.Context(), keys)
		if err != nil {
			t.Fatalf("PrescriptionFacts: %v", err)
		}
		want := []*kolgraph.PrescriptionFact{&facts[1], &facts[4], nil, nil, nil, &facts[1]}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("PrescriptionFacts(%v):\n got  %s\n want %s", keys, show(got), show(want))
		}
		if got[0] != nil && got[0] == got[5] {
			t.Error("PrescriptionFacts: a key asked twice gave one shared record")
		}

		rows := factsOf(t, s, "P001", "D001-01", "P999", "P003", "D003-01")
		wantRows := [][]kolgraph.PrescriptionFact{
			{facts[1], facts[0], facts[2]}, // by product, then month
			{facts[4]}, nil, nil, {facts[6]},
		}
		for i := range rows {
			if len(rows[i]) == 0 && len(wantRows[i]) == 0 {
				continue
			}
			if !reflect.DeepEqual(rows[i], wantRows[i]) {
				t.Errorf("PrescriptionFactsOf row %d:\n got  %s\n want %s", i, show(rows[i]), show(wantRows[i]))
			}
		}
		if r.h.Reopen != nil {
			s = r.reopen(t, s)
			wantSnapshot(t, s, withFacts(facts...))
		}
	})

	t.Run("UpdateAndDelete", func(t *testing.T) {
		s := r.loaded(t)
		facts := suiteFacts()
		apply(t, s, &kolgraph.ChangeSet{Prescriptions: facts})
		changed := facts[3]
		changed.Volume = 8
		apply(t, s, &kolgraph.ChangeSet{
			Prescriptions: []kolgraph.PrescriptionFact{changed},
			Delete: kolgraph.Deletion{Prescriptions: []kolgraph.PrescriptionFactKey{
				facts[0].Key(),
				{HCPID: "P001", ProductID: "PR01", Month: "2020-01"},    // not stored: nothing happens
				{HCPID: "D001-01", ProductID: "PR01", Month: "2026-01"}, // the department's fact, as an HCP's: kept
			}},
		})
		wantSnapshot(t, s, withFacts(append([]kolgraph.PrescriptionFact{changed}, facts[1], facts[2], facts[4], facts[5], facts[6], facts[7])...))

		// Deleted and upserted in one change set: the upsert stands.
		again := facts[1]
		again.Volume = 1.5
		apply(t, s, &kolgraph.ChangeSet{
			Prescriptions: []kolgraph.PrescriptionFact{again},
			Delete:        kolgraph.Deletion{Prescriptions: []kolgraph.PrescriptionFactKey{facts[1].Key()}},
		})
		got, err := s.PrescriptionFacts(t.Context(), []kolgraph.PrescriptionFactKey{again.Key()})
		if err != nil || got[0] == nil || got[0].Volume != 1.5 {
			t.Errorf("a fact deleted and upserted in one change set: got %s, %v; want volume 1.5", show(got), err)
		}
	})

	t.Run("CascadeWithTheirRecords", func(t *testing.T) {
		s := r.loaded(t)
		facts := suiteFacts()
		apply(t, s, &kolgraph.ChangeSet{Prescriptions: facts})
		// An HCP's facts go with it, its department's stay.
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"P002"}}})
		rest := []kolgraph.PrescriptionFact{facts[0], facts[1], facts[2], facts[4], facts[5], facts[6], facts[7]}
		if got := takeSnapshot(t, s).Facts; !reflect.DeepEqual(got, withFacts(rest...).Facts) {
			t.Errorf("after deleting P002: got facts %s, want %s", show(got), show(withFacts(rest...).Facts))
		}
		// A department deleted with its HCPs takes its facts and theirs.
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{
			Departments: []string{"D003-01"}, HCPs: []string{"P006", "P007"}}})
		rest = []kolgraph.PrescriptionFact{facts[0], facts[1], facts[2], facts[4], facts[7]}
		if got := takeSnapshot(t, s).Facts; !reflect.DeepEqual(got, withFacts(rest...).Facts) {
			t.Errorf("after deleting D003-01: got facts %s, want %s", show(got), show(withFacts(rest...).Facts))
		}
		// A product takes its facts everywhere.
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Products: []string{"PR01"}}})
		rest = []kolgraph.PrescriptionFact{facts[2]}
		if got := takeSnapshot(t, s).Facts; !reflect.DeepEqual(got, withFacts(rest...).Facts) {
			t.Errorf("after deleting PR01: got facts %s, want %s", show(got), show(withFacts(rest...).Facts))
		}
		if rows := factsOf(t, s, "P001", "D001-01"); len(rows[0]) != 1 || len(rows[1]) != 0 {
			t.Errorf("PrescriptionFactsOf after the deletions: got %s, want P001's PR02 fact only", show(rows))
		}
		// An HCP deleted and upserted with a fact in one change set is
		// fresh: only the new fact is its.
		p001 := Fixture().HCPs[1]
		fresh := hcpFact("P001", "PR02", "2026-06", 4)
		apply(t, s, &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{p001}, Prescriptions: []kolgraph.PrescriptionFact{fresh},
			Delete: kolgraph.Deletion{HCPs: []string{"P001"}}})
		if rows := factsOf(t, s, "P001"); !reflect.DeepEqual(rows[0], []kolgraph.PrescriptionFact{fresh}) {
			t.Errorf("P001 deleted and upserted with a fact: got %s, want only %s", show(rows[0]), show(fresh))
		}
	})

	t.Run("Audited", func(t *testing.T) {
		s := r.loaded(t)
		f := suiteFacts()[1]
		id := f.Key().ID()
		if id != "P001->PR01@2026-01" {
			t.Errorf("fact id: got %q, want P001->PR01@2026-01", id)
		}
		apply(t, s, &kolgraph.ChangeSet{Prescriptions: []kolgraph.PrescriptionFact{f},
			Audit: []kolgraph.AuditEntry{auditEntry(kolgraph.KindPrescriptions, id, kolgraph.OpCreate, "", `{"volume":12.5}`)}})
		got := auditLog(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindPrescriptions, EntityID: id}, 0)
		if len(got) != 1 || got[0].Op != kolgraph.OpCreate {
			t.Errorf("AuditLog of %s: got %q, want its create", id, auditIDs(got))
		}
	})
}

func (r *runner) testPrescriptionFactValidation(t *testing.T) {
	s := r.loaded(t)
	for _, c := range []struct {
		name, id, field string
		fact            kolgraph.PrescriptionFact
	}{
		{"Neither", "->PR01@2026-01", "hcp_id", kolgraph.PrescriptionFact{ProductID: "PR01", Month: "2026-01", Volume: 1}},
		{"Both", "P001->PR01@2026-01", "department_id",
			kolgraph.PrescriptionFact{HCPID: "P001", DepartmentID: "D001-01", ProductID: "PR01", Month: "2026-01", Volume: 1}},
		{"BadMonth", "P001->PR01@2026-13", "month", hcpFact("P001", "PR01", "2026-13", 1)},
		{"ShortMonth", "P001->PR01@2026-1", "month", hcpFact("P001", "PR01", "2026-1", 1)},
		{"Date", "P001->PR01@2026-01-01", "month", hcpFact("P001", "PR01", "2026-01-01", 1)},
		{"Negative", "P001->PR01@2026-01", "volume", hcpFact("P001", "PR01", "2026-01", -1)},
		{"NaN", "P001->PR01@2026-01", "volume", hcpFact("P001", "PR01", "2026-01", math.NaN())},
		{"Inf", "P001->PR01@2026-01", "volume", hcpFact("P001", "PR01", "2026-01", math.Inf(1))},
		{"BadProductID", "P001->bad id@2026-01", "product_id", hcpFact("P001", "bad id", "2026-01", 1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := rejectsChecked(t, s, &kolgraph.ChangeSet{Prescriptions: []kolgraph.PrescriptionFact{c.fact}}, kolgraph.EINVALID)
			wantProblem(t, e, kolgraph.KindPrescriptions+"/"+c.id, "", c.field)
		})
	}
	for _, c := range []struct {
		name, field string
		fact        kolgraph.PrescriptionFact
	}{
		{"UnknownHCP", "hcp_id", hcpFact("P999", "PR01", "2026-01", 1)},
		{"DepartmentAsHCP", "hcp_id", hcpFact("D001-01", "PR01", "2026-01", 1)},
		{"UnknownDepartment", "department_id", deptFact("D999", "PR01", "2026-01", 1)},
		{"UnknownProduct", "product_id", hcpFact("P001", "PR99", "2026-01", 1)},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := rejectsChecked(t, s, &kolgraph.ChangeSet{Prescriptions: []kolgraph.PrescriptionFact{c.fact}}, kolgraph.EINVALID)
			wantProblem(t, e, kolgraph.KindPrescriptions+"/"+c.fact.Key().ID(), "", c.field)
		})
	}
	t.Run("HCPDeletedInTheSameChange", func(t *testing.T) {
		e := rejectsChecked(t, s, &kolgraph.ChangeSet{Prescriptions: []kolgraph.PrescriptionFact{hcpFact("P002", "PR01", "2026-01", 1)},
			Delete: kolgraph.Deletion{HCPs: []string{"P002"}}}, kolgraph.EINVALID)
		wantProblem(t, e, kolgraph.KindPrescriptions+"/P002->PR01@2026-01", "", "hcp_id")
	})
	t.Run("NewHCPInTheSameChange", func(t *testing.T) {
		apply(t, s, &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{newHCP("P011", "New", "D001-01", "H001")},
			Prescriptions: []kolgraph.PrescriptionFact{hcpFact("P011", "PR01", "2026-01", 1)}})
	})
}
