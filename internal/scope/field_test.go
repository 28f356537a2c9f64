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

// TestAccountOwners: an owner is in scope when its account is (a
// territory of the set, a hospital, department or HCP in scope); writes of
// others are FORBIDDEN, reads leave them out.
func TestAccountOwners(t *testing.T) {
	base := openStore(t)
	own := func(account, user string) kolgraph.AccountOwner {
		return kolgraph.AccountOwner{AccountID: account, UserID: user}
	}
	inT1 := []kolgraph.AccountOwner{own("T1", "U01"), own("H001", "U01"), own("D002-01", "U02"), own("P001", "U02")}
	inT2 := []kolgraph.AccountOwner{own("T2", "U02"), own("H003", "U02"), own("D003-01", "U02"), own("P007", "U02")}
	if _, err := base.Apply(t.Context(), &kolgraph.ChangeSet{Owners: append(slices.Clone(inT1), inT2...)}); err != nil {
		t.Fatal(err)
	}
	s := scope.NewStore(base, []string{"T1"})
	for _, c := range []struct {
		name string
		cs   kolgraph.ChangeSet
	}{
		{"T2", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{own("T2", "U02")}}},
		{"T2's hospital", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{own("H003", "U02")}}},
		{"T2's department", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{own("D003-02", "U02")}}},
		{"T2's HCP", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{own("P006", "U02")}}},
		{"an unknown account", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{own("P404", "U02")}}},
		{"delete T2's", kolgraph.ChangeSet{Delete: kolgraph.Deletion{Owners: []string{"P007"}}}},
		{"with one in scope", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{own("P002", "U01"), own("P008", "U02")}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := s.Apply(t.Context(), &c.cs); kolgraph.ErrorCode(err) != kolgraph.EFORBIDDEN {
				t.Errorf("Apply: got %v, want FORBIDDEN", err)
			}
		})
	}
	if _, err := s.Apply(t.Context(), &kolgraph.ChangeSet{
		HCPs:   []*kolgraph.HCP{{ID: "P100", Name: "x", Role: kolgraph.RolePhysician, DepartmentID: "D001-01", HospitalID: "H001"}},
		Owners: []kolgraph.AccountOwner{own("P002", "U01"), own("P100", "U01")},
		Delete: kolgraph.Deletion{Owners: []string{"H001"}}}); err != nil {
		t.Fatalf("Apply of owners in scope: %v", err)
	}
	got, err := s.AccountOwners(t.Context(), []string{"T1", "T2", "H001", "H003", "D002-01", "D003-01", "P100", "P007"})
	if err != nil {
		t.Fatal(err)
	}
	var present []string
	for _, o := range got {
		if o != nil {
			present = append(present, o.AccountID)
		}
	}
	if !slices.Equal(present, []string{"T1", "D002-01", "P100"}) {
		t.Errorf("AccountOwners through T1: got %q, want T1, D002-01 and P100", present)
	}
	var seen []string
	if err := s.Scan(t.Context(), kolgraph.Visitor{AccountOwner: func(o kolgraph.AccountOwner) error {
		seen = append(seen, o.AccountID)
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(seen)
	if !slices.Equal(seen, []string{"D002-01", "P001", "P002", "P100", "T1"}) {
		t.Errorf("Scan through T1: got %q, want the owners of D002-01, P001, P002, P100 and T1", seen)
	}
}

// TestActivities: an activity is in scope when its territory is; writes of
// others are FORBIDDEN, and so is a new speaker or attendee outside the
// scope; reads leave them out.
func TestActivities(t *testing.T) {
	base := openStore(t)
	act := func(id, territory string, hcps ...string) *kolgraph.Activity {
		return &kolgraph.Activity{ID: id, Name: "x", Kind: kolgraph.ActivityCityMeeting, Date: "2026-05-01",
			TerritoryID: territory, ProductID: "PR01", OwnerID: "U02", AttendeeIDs: hcps, Registration: kolgraph.RegistrationPending}
	}
	// A2 (T1) already lists P007, of T2.
	if _, err := base.Apply(t.Context(), &kolgraph.ChangeSet{Activities: []*kolgraph.Activity{
		act("A1", "T1", "P001"), act("A2", "T1", "P002", "P007"), act("A3", "T2", "P006")}}); err != nil {
		t.Fatal(err)
	}
	s := scope.NewStore(base, []string{"T1"})
	for _, c := range []struct {
		name string
		cs   kolgraph.ChangeSet
	}{
		{"in T2", kolgraph.ChangeSet{Activities: []*kolgraph.Activity{act("A4", "T2")}}},
		{"move one to T2", kolgraph.ChangeSet{Activities: []*kolgraph.Activity{act("A1", "T2", "P001")}}},
		{"change T2's", kolgraph.ChangeSet{Activities: []*kolgraph.Activity{act("A3", "T1")}}},
		{"delete T2's", kolgraph.ChangeSet{Delete: kolgraph.Deletion{Activities: []string{"A3"}}}},
		{"a new attendee of T2", kolgraph.ChangeSet{Activities: []*kolgraph.Activity{act("A1", "T1", "P001", "P008")}}},
		{"an unknown attendee", kolgraph.ChangeSet{Activities: []*kolgraph.Activity{act("A4", "T1", "P404")}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := s.Apply(t.Context(), &c.cs); kolgraph.ErrorCode(err) != kolgraph.EFORBIDDEN {
				t.Errorf("Apply: got %v, want FORBIDDEN", err)
			}
		})
	}
	// A2 keeps P007, who was there already; A4 is new in T1.
	if _, err := s.Apply(t.Context(), &kolgraph.ChangeSet{Activities: []*kolgraph.Activity{
		act("A2", "T1", "P007", "P003"), act("A4", "T1", "P004")}}); err != nil {
		t.Fatalf("Apply of activities in scope: %v", err)
	}
	got, err := s.Activities(t.Context(), []string{"A1", "A3", "A2", "A9"})
	if err != nil {
		t.Fatal(err)
	}
	if got[0] == nil || got[1] != nil || got[2] == nil || got[3] != nil {
		t.Errorf("Activities: got %v, want A1 and A2 only", got)
	}
	for _, f := range []kolgraph.ActivityFilter{{}, {Territories: []string{"T1", "T2"}}, {OwnerID: "U02"}} {
		page, err := s.ListActivities(t.Context(), f, kolgraph.Page{First: 10})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total != 3 || len(page.Items) != 3 || page.Items[2].ID != "A4" {
			t.Errorf("ListActivities(%+v) through T1: got %v, total %d; want A1, A2, A4", f, page.Items, page.Total)
		}
	}
	for _, f := range []kolgraph.ActivityFilter{{TerritoryID: "T2"}, {Territories: []string{"T2"}}} {
		page, err := s.ListActivities(t.Context(), f, kolgraph.Page{First: 10})
		if err != nil || len(page.Items) != 0 || page.Total != 0 {
			t.Errorf("ListActivities(%+v) through T1: got %v, %v; want nothing", f, page, err)
		}
	}
	var seen []string
	if err := s.Scan(t.Context(), kolgraph.Visitor{Activity: func(a *kolgraph.Activity) error {
		seen = append(seen, a.ID)
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(seen)
	if !slices.Equal(seen, []string{"A1", "A2", "A4"}) {
		t.Errorf("Scan through T1: got %q, want A1, A2 and A4", seen)
	}
}
