package storetest

import (
	"reflect"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

func owner(account, user string) kolgraph.AccountOwner {
	return kolgraph.AccountOwner{AccountID: account, UserID: user}
}

// suiteOwners own an account of every kind: a territory, a hospital, a
// department and HCPs of both territories (U01 holds T1, U02 T1 and T2).
func suiteOwners() []kolgraph.AccountOwner {
	return []kolgraph.AccountOwner{
		owner("P006", "U02"), owner("T1", "U01"), owner("H003", "U02"), owner("D001-01", "U01"), owner("P004", "U01"),
	}
}

// withOwners is the fixture's snapshot with owners added.
func withOwners(os ...kolgraph.AccountOwner) *snapshot {
	return snapshotOf(Fixture()).add(&kolgraph.ChangeSet{Owners: os})
}

func wantOwners(t *testing.T, s kolgraph.Store, what string, want ...kolgraph.AccountOwner) {
	t.Helper()
	if got := takeSnapshot(t, s).Owners; !reflect.DeepEqual(got, withOwners(want...).Owners) {
		t.Errorf("%s: got owners %s, want %s", what, show(got), show(withOwners(want...).Owners))
	}
}

func (r *runner) testOwners(t *testing.T) {
	t.Run("UpsertAndRead", func(t *testing.T) {
		s := r.loaded(t)
		os := suiteOwners()
		// The last upsert of an account wins.
		apply(t, s, &kolgraph.ChangeSet{Owners: append([]kolgraph.AccountOwner{owner("P006", "U02"), owner("T1", "U02")}, os...)})
		wantSnapshot(t, s, withOwners(os...))
		got, err := s.AccountOwners(t.Context(), []string{"H003", "T2", "P999", "P004", "H003"})
		if err != nil {
			t.Fatalf("AccountOwners: %v", err)
		}
		want := []*kolgraph.AccountOwner{&os[2], nil, nil, &os[4], &os[2]}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("AccountOwners:\n got  %s\n want %s", show(got), show(want))
		}
		if got[0] != nil && got[0] == got[4] {
			t.Error("AccountOwners: an account asked twice gave one shared record")
		}
		if r.h.Reopen != nil {
			s = r.reopen(t, s)
			wantSnapshot(t, s, withOwners(os...))
		}
	})

	t.Run("ChangeAndDelete", func(t *testing.T) {
		s := r.loaded(t)
		os := suiteOwners()
		apply(t, s, &kolgraph.ChangeSet{Owners: os})
		apply(t, s, &kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{owner("T1", "U02")},
			Delete: kolgraph.Deletion{Owners: []string{"P004", "H001"}}}) // H001 has no owner: nothing happens
		wantOwners(t, s, "after a change and a deletion", os[0], owner("T1", "U02"), os[2], os[3])
		// Deleted and upserted in one change set: the upsert stands.
		apply(t, s, &kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{owner("P006", "U02")},
			Delete: kolgraph.Deletion{Owners: []string{"P006"}}})
		wantOwners(t, s, "after a deletion and upsert", os[0], owner("T1", "U02"), os[2], os[3])
	})

	t.Run("GoWithTheirAccountOrUser", func(t *testing.T) {
		s := r.loaded(t)
		os := suiteOwners()
		apply(t, s, &kolgraph.ChangeSet{
			Territories: []*kolgraph.Territory{{ID: "T3", Name: "West"}},
			Hospitals:   []*kolgraph.Hospital{{ID: "H009", Name: "New", Tier: "3A", TerritoryID: "T1"}},
			Users:       []*kolgraph.User{{ID: "U09", Name: "West KAM", Role: "kam", Territories: []string{"T3"}}},
			Owners:      append([]kolgraph.AccountOwner{owner("T3", "U09"), owner("H009", "U02")}, os...)})
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"P006"}, Hospitals: []string{"H009"}, Territories: []string{"T3"}}})
		wantOwners(t, s, "after deleting P006, H009 and T3", os[1], os[2], os[3], os[4])
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Departments: []string{"D001-01"}, HCPs: []string{"P001", "P002"}}})
		wantOwners(t, s, "after deleting D001-01", os[1], os[2], os[4])
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Users: []string{"U01"}}})
		wantOwners(t, s, "after deleting U01", os[2])
		got, err := s.AccountOwners(t.Context(), []string{"T1", "P004", "H003"})
		if err != nil || got[0] != nil || got[1] != nil || got[2] == nil {
			t.Errorf("AccountOwners after the deletions: got %s, %v; want H003's alone", show(got), err)
		}
	})

	t.Run("Audited", func(t *testing.T) {
		s := r.loaded(t)
		apply(t, s, &kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{owner("H003", "U02")},
			Audit: []kolgraph.AuditEntry{auditEntry(kolgraph.KindOwners, "H003", kolgraph.OpCreate, "", `{"accountId":"H003","userId":"U02"}`)}})
		got := auditLog(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindOwners, EntityID: "H003"}, 0)
		if len(got) != 1 || got[0].Op != kolgraph.OpCreate {
			t.Errorf("AuditLog of owners/H003: got %q, want its create", auditIDs(got))
		}
	})
}

func (r *runner) testOwnerReferences(t *testing.T) {
	s := r.loaded(t)
	for _, c := range []struct {
		name, field string
		cs          kolgraph.ChangeSet
	}{
		{"BadAccountID", "account_id", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{owner("a b", "U01")}}},
		{"NoUser", "user_id", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{owner("P001", "")}}},
		{"UnknownAccount", "account_id", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{owner("P999", "U01")}}},
		{"ProductAsAccount", "account_id", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{owner("PR01", "U01")}}},
		{"UnknownUser", "user_id", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{owner("P001", "U99")}}},
		{"UserWithoutTheTerritory", "user_id", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{owner("T2", "U01")}}},
		{"HospitalOutsideTheUsers", "user_id", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{owner("H003", "U01")}}},
		{"DepartmentOutsideTheUsers", "user_id", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{owner("D003-01", "U01")}}},
		{"HCPOutsideTheUsers", "user_id", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{owner("P007", "U01")}}},
		{"UserWithNoTerritory", "user_id", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{owner("P001", "U03")}}},
		{"AccountDeletedInTheSameChange", "account_id", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{owner("P002", "U01")},
			Delete: kolgraph.Deletion{HCPs: []string{"P002"}}}},
		{"UserDeletedInTheSameChange", "user_id", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{owner("P002", "U01")},
			Delete: kolgraph.Deletion{Users: []string{"U01"}}}},
		{"UserLosesTheTerritoryInTheSameChange", "user_id", kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{owner("P002", "U02")},
			Users: []*kolgraph.User{{ID: "U02", Name: "Strategist Li", Role: "strategist", Territories: []string{"T2"}}}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := rejectsChecked(t, s, &c.cs, kolgraph.EINVALID)
			wantProblem(t, e, kolgraph.KindOwners+"/", "", c.field)
		})
	}
	t.Run("NewRecordsInTheSameChange", func(t *testing.T) {
		// U01 gains T2, and a new HCP of H003 gets an owner.
		apply(t, s, &kolgraph.ChangeSet{
			Users:  []*kolgraph.User{{ID: "U01", Name: "陈经理", Role: "kam", Territories: []string{"T1", "T2"}}},
			HCPs:   []*kolgraph.HCP{newHCP("P011", "New", "D003-01", "H003")},
			Owners: []kolgraph.AccountOwner{owner("P011", "U01"), owner("H003", "U01")}})
		got, err := s.AccountOwners(t.Context(), []string{"P011", "H003"})
		if err != nil || got[0] == nil || got[1] == nil || got[1].UserID != "U01" {
			t.Errorf("owners with new references: got %s, %v", show(got), err)
		}
	})
}
