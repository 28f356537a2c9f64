package scope_test

import (
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scope"
)

func interaction(id, hcp string) *kolgraph.Interaction {
	return &kolgraph.Interaction{ID: id, HCPID: hcp, KAMID: "U02", Date: "2026-01-0" + id[len(id)-1:], Kind: kolgraph.InteractionVisit}
}

// TestInteractions: an interaction is in scope when its HCP is; writes of
// others are FORBIDDEN (before and after the change), reads leave them out.
func TestInteractions(t *testing.T) {
	base := openStore(t)
	in1, in2, out1 := interaction("I1", "P001"), interaction("I2", "P004"), interaction("I3", "P007")
	if _, err := base.Apply(t.Context(), &kolgraph.ChangeSet{Interactions: []*kolgraph.Interaction{in1, in2, out1}}); err != nil {
		t.Fatal(err)
	}
	s := scope.NewStore(base, []string{"T1"})
	for _, c := range []struct {
		name string
		cs   kolgraph.ChangeSet
	}{
		{"T2's HCP", kolgraph.ChangeSet{Interactions: []*kolgraph.Interaction{interaction("I4", "P006")}}},
		{"an unknown HCP", kolgraph.ChangeSet{Interactions: []*kolgraph.Interaction{interaction("I4", "P404")}}},
		{"change T2's", kolgraph.ChangeSet{Interactions: []*kolgraph.Interaction{interaction("I3", "P001")}}},
		{"move one to T2", kolgraph.ChangeSet{Interactions: []*kolgraph.Interaction{interaction("I1", "P006")}}},
		{"delete T2's", kolgraph.ChangeSet{Delete: kolgraph.Deletion{Interactions: []string{"I3"}}}},
		{"a new HCP in T2 with one", kolgraph.ChangeSet{
			HCPs:         []*kolgraph.HCP{{ID: "P100", Name: "x", Role: kolgraph.RolePhysician, DepartmentID: "D003-01", HospitalID: "H003"}},
			Interactions: []*kolgraph.Interaction{interaction("I4", "P100")}}},
		{"with one in scope", kolgraph.ChangeSet{Interactions: []*kolgraph.Interaction{interaction("I4", "P002"), interaction("I5", "P007")}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := s.Apply(t.Context(), &c.cs); kolgraph.ErrorCode(err) != kolgraph.EFORBIDDEN {
				t.Errorf("Apply: got %v, want FORBIDDEN", err)
			}
		})
	}
	if _, err := s.Apply(t.Context(), &kolgraph.ChangeSet{Interactions: []*kolgraph.Interaction{interaction("I4", "P002")},
		Delete: kolgraph.Deletion{Interactions: []string{"I2"}}}); err != nil {
		t.Fatalf("Apply of interactions in scope: %v", err)
	}

	got, err := s.Interactions(t.Context(), []string{"I1", "I3", "I2", "I4"})
	if err != nil {
		t.Fatal(err)
	}
	if got[0] == nil || got[1] != nil || got[2] != nil || got[3] == nil {
		t.Errorf("Interactions: got %v, want I1 and I4 only", got)
	}
	rows, err := s.InteractionsOfHCPs(t.Context(), []string{"P001", "P007"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows[0]) != 1 || rows[1] != nil {
		t.Errorf("InteractionsOfHCPs: got %v, want P001's one only", rows)
	}
	for _, f := range []kolgraph.InteractionFilter{{}, {Territories: []string{"T1", "T2"}}, {KAMID: "U02"}} {
		page, err := s.ListInteractions(t.Context(), f, kolgraph.Page{First: 10})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 2 || len(page.Items) != 2 || page.Items[0].ID != "I1" || page.Items[1].ID != "I4" {
			t.Errorf("ListInteractions(%+v) through T1: got %v, total %d; want I1, I4", f, page.Items, page.Total)
		}
	}
	for _, f := range []kolgraph.InteractionFilter{{HCPID: "P007"}, {Territories: []string{"T2"}}} {
		page, err := s.ListInteractions(t.Context(), f, kolgraph.Page{First: 10})
		if err != nil || len(page.Items) != 0 || page.Total != 0 {
			t.Errorf("ListInteractions(%+v) through T1: got %v, %v; want nothing", f, page, err)
		}
	}
	if _, err := s.ListInteractions(t.Context(), kolgraph.InteractionFilter{Territories: []string{"T2"}, From: "x"},
		kolgraph.Page{First: 1}); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("an invalid filter out of scope: got %v, want BAD_USER_INPUT", err)
	}
	var seen []string
	if err := s.Scan(t.Context(), kolgraph.Visitor{Interaction: func(in *kolgraph.Interaction) error {
		seen = append(seen, in.ID)
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(seen)
	if !slices.Equal(seen, []string{"I1", "I4"}) {
		t.Errorf("Scan: got %q, want I1 and I4", seen)
	}
}
