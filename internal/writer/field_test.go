package writer_test

import (
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// TestInteractions: interactions are planned like the other records
// (created, updated, unchanged, each change audited with its before and
// after), and deleting an HCP audits the deletion of each of its
// interactions.
func TestInteractions(t *testing.T) {
	s := loaded(t)
	w := writer.New(s, nil)
	i1 := &kolgraph.Interaction{ID: "I1", HCPID: "P001", KAMID: "U01", Date: "2026-01-05", Kind: kolgraph.InteractionVisit, Notes: "asked about trials"}
	i2 := &kolgraph.Interaction{ID: "I2", HCPID: "P001", KAMID: "U01", Date: "2026-01-06", Kind: kolgraph.InteractionCall, ProductID: "PR01"}
	i3 := &kolgraph.Interaction{ID: "I3", HCPID: "P002", KAMID: "U01", Date: "2026-01-07", Kind: kolgraph.InteractionDigital}
	res, err := w.Apply(t.Context(), "U01", "mutation", &kolgraph.ChangeSet{Interactions: []*kolgraph.Interaction{i1, i2, i3}})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Counts[kolgraph.KindInteractions]; c == nil || *c != (writer.Counts{Created: 3}) {
		t.Errorf("first write: counts %+v, want 3 created", c)
	}
	i1b := *i1
	i1b.Kind = kolgraph.InteractionMeeting
	res, err = w.Apply(t.Context(), "U01", "mutation", &kolgraph.ChangeSet{Interactions: []*kolgraph.Interaction{&i1b, i3}})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Counts[kolgraph.KindInteractions]; c == nil || *c != (writer.Counts{Updated: 1, Unchanged: 1}) {
		t.Errorf("second write: counts %+v, want 1 updated, 1 unchanged", c)
	}
	got := log(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindInteractions, EntityID: "I1"})
	if len(got) != 2 || got[1].Op != kolgraph.OpUpdate ||
		got[1].Before != `{"id":"I1","hcpId":"P001","kamId":"U01","date":"2026-01-05","kind":"visit","notes":"asked about trials"}` ||
		got[1].After != `{"id":"I1","hcpId":"P001","kamId":"U01","date":"2026-01-05","kind":"meeting","notes":"asked about trials"}` {
		t.Errorf("audit of I1: got %+v, want its create and update with before and after", got)
	}

	// Deleting P001 takes I1 and I2 along, each deletion audited.
	res, err = w.Apply(t.Context(), "U01", "mutation delete", &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"P001"}}})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Counts[kolgraph.KindInteractions]; c == nil || c.Deleted != 2 {
		t.Errorf("deleting P001: interaction counts %+v, want 2 deleted", c)
	}
	dels := log(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindInteractions, Op: kolgraph.OpDelete})
	if len(dels) != 2 || dels[0].EntityID != "I1" && dels[1].EntityID != "I1" {
		t.Errorf("audited interaction deletions: got %+v, want I1 and I2", dels)
	}
	left, err := s.Interactions(t.Context(), []string{"I1", "I2", "I3"})
	if err != nil || left[0] != nil || left[1] != nil || left[2] == nil {
		t.Errorf("interactions left: %v, %v; want I3 alone", left, err)
	}
}

// TestAccountOwners: owners are planned like the other records, and
// deleting an account or a user audits the deletion of its ownerships.
func TestAccountOwners(t *testing.T) {
	s := loaded(t)
	w := writer.New(s, nil)
	own := func(account, user string) kolgraph.AccountOwner {
		return kolgraph.AccountOwner{AccountID: account, UserID: user}
	}
	res, err := w.Apply(t.Context(), "U02", "mutation", &kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{
		own("T1", "U01"), own("P001", "U01"), own("P002", "U02"), own("H003", "U02")}})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Counts[kolgraph.KindOwners]; c == nil || *c != (writer.Counts{Created: 4}) {
		t.Errorf("first write: counts %+v, want 4 created", c)
	}
	res, err = w.Apply(t.Context(), "U02", "mutation", &kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{own("T1", "U02"), own("P001", "U01")}})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Counts[kolgraph.KindOwners]; c == nil || *c != (writer.Counts{Updated: 1, Unchanged: 1}) {
		t.Errorf("second write: counts %+v, want 1 updated, 1 unchanged", c)
	}
	got := log(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindOwners, EntityID: "T1"})
	if len(got) != 2 || got[1].Before != `{"accountId":"T1","userId":"U01"}` || got[1].After != `{"accountId":"T1","userId":"U02"}` {
		t.Errorf("audit of T1's owner: got %+v, want its create and update", got)
	}
	// Deleting U01 takes P001's ownership, deleting P002 its own.
	res, err = w.Apply(t.Context(), "U02", "mutation delete", &kolgraph.ChangeSet{Delete: kolgraph.Deletion{
		Users: []string{"U01"}, HCPs: []string{"P002"}}})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Counts[kolgraph.KindOwners]; c == nil || c.Deleted != 2 {
		t.Errorf("deleting U01 and P002: owner counts %+v, want 2 deleted", c)
	}
	if dels := log(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindOwners, Op: kolgraph.OpDelete}); len(dels) != 2 {
		t.Errorf("audited owner deletions: got %+v, want P001's and P002's", dels)
	}
	left, err := s.AccountOwners(t.Context(), []string{"T1", "P001", "P002", "H003"})
	if err != nil || left[0] == nil || left[1] != nil || left[2] != nil || left[3] == nil {
		t.Errorf("owners left: %v, %v; want T1's and H003's", left, err)
	}
}

// TestActivities: activities are planned like the other records, and a
// deletion that would leave one without its product is refused whole.
func TestActivities(t *testing.T) {
	s := loaded(t)
	w := writer.New(s, nil)
	a1 := &kolgraph.Activity{ID: "A1", Name: "HF update", Kind: kolgraph.ActivityCityMeeting, Date: "2026-05-01",
		TerritoryID: "T1", ProductID: "PR01", OwnerID: "U01", Budget: 100, SpeakerIDs: []string{"P001"},
		Registration: kolgraph.RegistrationPending}
	a2 := &kolgraph.Activity{ID: "A2", Name: "Webinar", Kind: kolgraph.ActivityOnline, Date: "2026-06-01",
		TerritoryID: "T2", ProductID: "PR02", OwnerID: "U02", Registration: kolgraph.RegistrationPending}
	res, err := w.Apply(t.Context(), "U01", "mutation", &kolgraph.ChangeSet{Activities: []*kolgraph.Activity{a1, a2}})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Counts[kolgraph.KindActivities]; c == nil || *c != (writer.Counts{Created: 2}) {
		t.Errorf("first write: counts %+v, want 2 created", c)
	}
	a1b := *a1
	a1b.Registration, a1b.RegisteredOn = kolgraph.RegistrationRegistered, "2026-04-20"
	res, err = w.Apply(t.Context(), "U01", "mutation", &kolgraph.ChangeSet{Activities: []*kolgraph.Activity{&a1b, a2}})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Counts[kolgraph.KindActivities]; c == nil || *c != (writer.Counts{Updated: 1, Unchanged: 1}) {
		t.Errorf("second write: counts %+v, want 1 updated, 1 unchanged", c)
	}
	got := log(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindActivities, EntityID: "A1"})
	if len(got) != 2 || got[1].Op != kolgraph.OpUpdate || !strings.Contains(got[1].After, `"registeredOn":"2026-04-20"`) ||
		strings.Contains(got[1].Before, "registeredOn") {
		t.Errorf("audit of A1: got %+v, want its create and its registration", got)
	}
	if _, err := w.Apply(t.Context(), "U01", "mutation delete", &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Products: []string{"PR02"}}}); kolgraph.ErrorCode(err) != kolgraph.ECONFLICT {
		t.Errorf("deleting PR02 under A2: got %v, want CONFLICT", err)
	}
	res, err = w.Apply(t.Context(), "U01", "mutation delete", &kolgraph.ChangeSet{Delete: kolgraph.Deletion{
		Products: []string{"PR02"}, Activities: []string{"A2"}}})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Counts[kolgraph.KindActivities]; c == nil || c.Deleted != 1 {
		t.Errorf("deleting PR02 with A2: activity counts %+v, want 1 deleted", c)
	}
}
