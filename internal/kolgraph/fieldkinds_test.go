package kolgraph_test

import (
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

func TestInteractionFilter(t *testing.T) {
	in := &kolgraph.Interaction{ID: "I1", HCPID: "P001", KAMID: "U01", Date: "2026-01-10", Kind: kolgraph.InteractionVisit, ProductID: "PR01"}
	for _, c := range []struct {
		f    kolgraph.InteractionFilter
		want bool
	}{
		{kolgraph.InteractionFilter{}, true},
		{kolgraph.InteractionFilter{HCPID: "P001", KAMID: "U01", ProductID: "PR01"}, true},
		{kolgraph.InteractionFilter{HCPID: "P002"}, false},
		{kolgraph.InteractionFilter{KAMID: "U02"}, false},
		{kolgraph.InteractionFilter{ProductID: "PR02"}, false},
		{kolgraph.InteractionFilter{From: "2026-01-10", To: "2026-01-10"}, true}, // inclusive
		{kolgraph.InteractionFilter{From: "2026-01-11"}, false},
		{kolgraph.InteractionFilter{To: "2026-01-09"}, false},
		{kolgraph.InteractionFilter{Territories: []string{"T2", "T1"}}, true},
		{kolgraph.InteractionFilter{Territories: []string{"T2"}}, false},
	} {
		if got := c.f.Match(in, "T1"); got != c.want {
			t.Errorf("%+v.Match: got %v, want %v", c.f, got, c.want)
		}
	}
	for _, f := range []kolgraph.InteractionFilter{{From: "2026-1-10"}, {To: "2026-02-30"}, {From: "yesterday"}} {
		if err := f.Validate(); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
			t.Errorf("%+v.Validate: got %v, want BAD_USER_INPUT", f, err)
		}
	}
	if err := (&kolgraph.InteractionFilter{From: "2026-01-01", To: "2026-12-31"}).Validate(); err != nil {
		t.Errorf("a valid range: got %v", err)
	}
}

func TestActivityFilter(t *testing.T) {
	a := &kolgraph.Activity{ID: "A1", TerritoryID: "T1", ProductID: "PR01", OwnerID: "U01", Date: "2026-03-05"}
	for _, c := range []struct {
		f    kolgraph.ActivityFilter
		want bool
	}{
		{kolgraph.ActivityFilter{}, true},
		{kolgraph.ActivityFilter{TerritoryID: "T1", ProductID: "PR01", OwnerID: "U01"}, true},
		{kolgraph.ActivityFilter{TerritoryID: "T2"}, false},
		{kolgraph.ActivityFilter{ProductID: "PR02"}, false},
		{kolgraph.ActivityFilter{OwnerID: "U02"}, false},
		{kolgraph.ActivityFilter{From: "2026-03-05", To: "2026-03-05"}, true},
		{kolgraph.ActivityFilter{From: "2026-03-06"}, false},
		{kolgraph.ActivityFilter{Territories: []string{"T2"}}, false},
	} {
		if got := c.f.Match(a); got != c.want {
			t.Errorf("%+v.Match: got %v, want %v", c.f, got, c.want)
		}
	}
	if err := (&kolgraph.ActivityFilter{To: "2026-3-1"}).Validate(); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("a bad bound: got %v, want BAD_USER_INPUT", err)
	}
}

func TestActivityHCPIDs(t *testing.T) {
	a := &kolgraph.Activity{SpeakerIDs: []string{"P2", "P1"}, AttendeeIDs: []string{"P3", "P1", "P4"}}
	if got := a.HCPIDs(); !slices.Equal(got, []string{"P2", "P1", "P3", "P4"}) {
		t.Errorf("HCPIDs: got %q, want speakers then the other attendees", got)
	}
	if got := (&kolgraph.Activity{}).HCPIDs(); len(got) != 0 {
		t.Errorf("HCPIDs of an activity without people: got %q", got)
	}
}

// TestFieldKindsInTheTables: the new kinds are audited kinds and counted
// in a change set's size.
func TestFieldKindsInTheTables(t *testing.T) {
	for _, k := range []string{kolgraph.KindInteractions, kolgraph.KindOwners, kolgraph.KindActivities} {
		if !slices.Contains(kolgraph.Kinds, k) {
			t.Errorf("kolgraph.Kinds lacks %q", k)
		}
	}
	cs := &kolgraph.ChangeSet{
		Interactions: []*kolgraph.Interaction{{ID: "I1"}},
		Owners:       []kolgraph.AccountOwner{{AccountID: "P1", UserID: "U1"}},
		Activities:   []*kolgraph.Activity{{ID: "A1"}},
		Delete:       kolgraph.Deletion{Interactions: []string{"I2"}, Owners: []string{"P2"}, Activities: []string{"A2"}},
	}
	if n := cs.Len(); n != 6 || cs.Empty() {
		t.Errorf("Len: got %d (empty %v), want 6", n, cs.Empty())
	}
	for kind, want := range map[string][]string{
		kolgraph.KindInteractions: {"I1"}, kolgraph.KindOwners: {"P1"}, kolgraph.KindActivities: {"A1"},
	} {
		if got := kolgraph.UpsertIDs(cs, kind); !slices.Equal(got, want) {
			t.Errorf("UpsertIDs(%s): got %q, want %q", kind, got, want)
		}
	}
}
