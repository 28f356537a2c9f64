package storetest

import (
	"reflect"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// suiteActivities are activities of both territories, listed out of id
// order: one at a hospital with its cost known and registered, one with
// an HCP who both speaks and attends, one without speakers or attendees.
func suiteActivities() []*kolgraph.Activity {
	return []*kolgraph.Activity{
		{ID: "A03", Name: "心内科 department meeting", Kind: kolgraph.ActivityDepartmentMeeting, Date: "2026-03-05",
			TerritoryID: "T1", HospitalID: "H001", ProductID: "PR01", OwnerID: "U01", Budget: 5000, ActualCost: ptr(4800.5),
			SpeakerIDs: []string{"P001"}, AttendeeIDs: []string{"P002", "P003"},
			Registration: kolgraph.RegistrationRegistered, RegisteredOn: "2026-02-20"},
		{ID: "A01", Name: "Shanghai HF update", Kind: kolgraph.ActivityCityMeeting, Date: "2026-01-20",
			TerritoryID: "T1", ProductID: "PR01", OwnerID: "U02", Budget: 20000,
			SpeakerIDs: []string{"P010", "P004"}, AttendeeIDs: []string{"P005"}, Registration: kolgraph.RegistrationPending},
		{ID: "A04", Name: "Webinar", Kind: kolgraph.ActivityOnline, Date: "2026-04-01",
			TerritoryID: "T1", ProductID: "PR02", OwnerID: "U01", Budget: 1000, Registration: kolgraph.RegistrationPending},
		{ID: "A02", Name: "South China oncology congress", Kind: kolgraph.ActivityRegionalCongress, Date: "2026-02-10",
			TerritoryID: "T2", HospitalID: "H003", ProductID: "PR02", OwnerID: "U02", Budget: 0,
			SpeakerIDs: []string{"P006"}, AttendeeIDs: []string{"P007", "P006", "P008"}, Registration: kolgraph.RegistrationPending},
	}
}

// withActivities is the fixture's snapshot with activities added.
func withActivities(as ...*kolgraph.Activity) *snapshot {
	return snapshotOf(Fixture()).add(&kolgraph.ChangeSet{Activities: as})
}

func activityID(a *kolgraph.Activity) string { return a.ID }

func listActivities(t *testing.T, s kolgraph.Store, f kolgraph.ActivityFilter, p kolgraph.Page) (*kolgraph.ActivityPage, []string) {
	t.Helper()
	page, err := s.ListActivities(t.Context(), f, p)
	if err != nil {
		t.Fatalf("ListActivities(%+v, %+v): %v", f, p, err)
	}
	return page, ids(page.Items, activityID)
}

func (r *runner) testActivities(t *testing.T) {
	t.Run("UpsertAndRead", func(t *testing.T) {
		s := r.loaded(t)
		as := suiteActivities()
		stale := *as[1]
		stale.Budget = 1
		apply(t, s, &kolgraph.ChangeSet{Activities: append([]*kolgraph.Activity{&stale}, as...)})
		wantSnapshot(t, s, withActivities(as...))
		got, err := s.Activities(t.Context(), []string{"A02", "A99", "H001", "A03", "A02"})
		if err != nil {
			t.Fatalf("Activities: %v", err)
		}
		want := []*kolgraph.Activity{as[3], nil, nil, as[0], as[3]}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Activities:\n got  %s\n want %s", show(got), show(want))
		}
		if got[0] != nil && got[0] == got[4] {
			t.Error("Activities: an id asked twice gave one shared record")
		}
		if r.h.Reopen != nil {
			s = r.reopen(t, s)
			wantSnapshot(t, s, withActivities(as...))
		}
	})

	t.Run("List", func(t *testing.T) {
		s := r.loaded(t)
		apply(t, s, &kolgraph.ChangeSet{Activities: suiteActivities()})
		for _, c := range []struct {
			name string
			f    kolgraph.ActivityFilter
			want []string
		}{
			{"All", kolgraph.ActivityFilter{}, []string{"A01", "A02", "A03", "A04"}},
			{"Territory", kolgraph.ActivityFilter{TerritoryID: "T1"}, []string{"A01", "A03", "A04"}},
			{"Product", kolgraph.ActivityFilter{ProductID: "PR02"}, []string{"A02", "A04"}},
			{"Owner", kolgraph.ActivityFilter{OwnerID: "U02"}, []string{"A01", "A02"}},
			{"From", kolgraph.ActivityFilter{From: "2026-02-10"}, []string{"A02", "A03", "A04"}},
			{"To", kolgraph.ActivityFilter{To: "2026-02-10"}, []string{"A01", "A02"}},
			{"FromTo", kolgraph.ActivityFilter{From: "2026-02-11", To: "2026-03-31"}, []string{"A03"}},
			{"TerritoryAndOwner", kolgraph.ActivityFilter{TerritoryID: "T1", OwnerID: "U01"}, []string{"A03", "A04"}},
			{"Territories", kolgraph.ActivityFilter{Territories: []string{"T2", "T3"}}, []string{"A02"}},
			{"UnknownTerritory", kolgraph.ActivityFilter{TerritoryID: "T9"}, nil},
			{"Brackets", kolgraph.ActivityFilter{OwnerID: "}) RETURN n //"}, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				page, got := listActivities(t, s, c.f, kolgraph.Page{First: 10})
				wantIDs(t, "ListActivities", got, c.want)
				if page.Total != len(c.want) || page.HasNext {
					t.Errorf("ListActivities: total %d, hasNext %v; want %d, false", page.Total, page.HasNext, len(c.want))
				}
			})
		}
		for _, c := range []struct {
			p       kolgraph.Page
			want    []string
			hasNext bool
		}{
			{kolgraph.Page{First: 3}, []string{"A01", "A02", "A03"}, true},
			{kolgraph.Page{First: 3, After: "A03"}, []string{"A04"}, false},
			{kolgraph.Page{First: 1, After: "A01x"}, []string{"A02"}, true},
			{kolgraph.Page{First: 0}, nil, true},
		} {
			page, got := listActivities(t, s, kolgraph.ActivityFilter{}, c.p)
			wantIDs(t, "ListActivities page", got, c.want)
			if page.Total != 4 || page.HasNext != c.hasNext {
				t.Errorf("ListActivities(%+v): total %d, hasNext %v; want 4, %v", c.p, page.Total, page.HasNext, c.hasNext)
			}
		}
		page, got := listActivities(t, s, kolgraph.ActivityFilter{TerritoryID: "T1"}, kolgraph.Page{First: 1, After: "A01"})
		wantIDs(t, "ListActivities(T1) after A01", got, []string{"A03"})
		if page.Total != 3 || !page.HasNext {
			t.Errorf("ListActivities(T1) after A01: total %d, hasNext %v; want 3, true", page.Total, page.HasNext)
		}
		for _, c := range []struct {
			name string
			f    kolgraph.ActivityFilter
			p    kolgraph.Page
		}{
			{"BadFrom", kolgraph.ActivityFilter{From: "01/02/2026"}, kolgraph.Page{First: 1}},
			{"BadTo", kolgraph.ActivityFilter{To: "2026-13-01"}, kolgraph.Page{First: 1}},
			{"NegativeFirst", kolgraph.ActivityFilter{}, kolgraph.Page{First: -1}},
		} {
			if _, err := s.ListActivities(t.Context(), c.f, c.p); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
				t.Errorf("ListActivities %s: got %v, want BAD_USER_INPUT", c.name, err)
			}
		}
	})

	t.Run("UpdateAndDelete", func(t *testing.T) {
		s := r.loaded(t)
		as := suiteActivities()
		apply(t, s, &kolgraph.ChangeSet{Activities: as})
		changed := *as[2]
		changed.Date, changed.SpeakerIDs, changed.ActualCost = "2026-04-02", []string{"P009"}, ptr(0.0)
		apply(t, s, &kolgraph.ChangeSet{Activities: []*kolgraph.Activity{&changed},
			Delete: kolgraph.Deletion{Activities: []string{"A01", "A99"}}})
		wantSnapshot(t, s, withActivities(as[0], &changed, as[3]))
		// Deleted and upserted in one change set: the upsert stands.
		again := *as[0]
		again.Name = "Renamed"
		apply(t, s, &kolgraph.ChangeSet{Activities: []*kolgraph.Activity{&again},
			Delete: kolgraph.Deletion{Activities: []string{"A03"}}})
		wantSnapshot(t, s, withActivities(&again, &changed, as[3]))
		// A04's new speaker now holds P009: deleting P009 is refused.
		e := rejectsChecked(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"P009"}}}, kolgraph.ECONFLICT)
		wantProblem(t, e, kolgraph.KindHCPs, "A04", "")
	})

	t.Run("KeepWhatTheyAreAbout", func(t *testing.T) {
		s := r.loaded(t)
		as := suiteActivities()
		apply(t, s, &kolgraph.ChangeSet{Activities: as})
		for _, c := range []struct {
			name, kind string
			del        kolgraph.Deletion
			want       []string
		}{
			{"Territory", kolgraph.KindTerritories, kolgraph.Deletion{Territories: []string{"T2"}}, []string{"A02"}},
			{"Hospital", kolgraph.KindHospitals, kolgraph.Deletion{Hospitals: []string{"H001"}}, []string{"A03"}},
			{"Product", kolgraph.KindProducts, kolgraph.Deletion{Products: []string{"PR02"}}, []string{"A02", "A04"}},
			{"Owner", kolgraph.KindUsers, kolgraph.Deletion{Users: []string{"U02"}}, []string{"A01", "A02"}},
			{"Speaker", kolgraph.KindHCPs, kolgraph.Deletion{HCPs: []string{"P010"}}, []string{"A01"}},
			{"Attendee", kolgraph.KindHCPs, kolgraph.Deletion{HCPs: []string{"P008"}}, []string{"A02"}},
			{"SpeakerAndAttendee", kolgraph.KindHCPs, kolgraph.Deletion{HCPs: []string{"P006"}}, []string{"A02"}},
		} {
			t.Run(c.name, func(t *testing.T) {
				e := rejectsChecked(t, s, &kolgraph.ChangeSet{Delete: c.del}, kolgraph.ECONFLICT)
				for _, a := range c.want {
					wantProblem(t, e, c.kind, a, "")
				}
			})
		}
		// Deleted with them, they go.
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Products: []string{"PR02"}, Activities: []string{"A02", "A04"}}})
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"P010"}, Activities: []string{"A01"}}})
		wantSnapshot(t, s, func() *snapshot {
			want := withActivities(as[0])
			delete(want.Products, "PR02")
			for k := range want.Listings {
				if k.ProductID == "PR02" {
					delete(want.Listings, k)
				}
			}
			for k := range want.Shares {
				if k.ProductID == "PR02" {
					delete(want.Shares, k)
				}
			}
			delete(want.HCPs, "P010")
			for k := range want.Influences {
				if k.From == "P010" || k.To == "P010" {
					delete(want.Influences, k)
				}
			}
			return want
		}())
	})

	t.Run("FollowTheirHospital", func(t *testing.T) {
		s := r.loaded(t)
		as := suiteActivities()
		apply(t, s, &kolgraph.ChangeSet{Activities: as})
		h001 := Fixture().Hospitals[1]
		h001.TerritoryID = "T2"
		e := rejectsChecked(t, s, &kolgraph.ChangeSet{Hospitals: []*kolgraph.Hospital{h001}}, kolgraph.EINVALID)
		wantProblem(t, e, kolgraph.KindActivities+"/A03", "", "hospital_id")
		moved := *as[0]
		moved.TerritoryID = "T2"
		apply(t, s, &kolgraph.ChangeSet{Hospitals: []*kolgraph.Hospital{h001}, Activities: []*kolgraph.Activity{&moved}})
		if _, got := listActivities(t, s, kolgraph.ActivityFilter{TerritoryID: "T2"}, kolgraph.Page{First: 10}); !reflect.DeepEqual(got, []string{"A02", "A03"}) {
			t.Errorf("ListActivities(T2) after H001 moved there with A03: got %v, want [A02 A03]", got)
		}
	})

	t.Run("Audited", func(t *testing.T) {
		s := r.loaded(t)
		a := suiteActivities()[2]
		apply(t, s, &kolgraph.ChangeSet{Activities: []*kolgraph.Activity{a},
			Audit: []kolgraph.AuditEntry{auditEntry(kolgraph.KindActivities, a.ID, kolgraph.OpCreate, "", `{"id":"A04"}`)}})
		got := auditLog(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindActivities, EntityID: "A04"}, 0)
		if len(got) != 1 || got[0].Op != kolgraph.OpCreate {
			t.Errorf("AuditLog of activities/A04: got %q, want its create", auditIDs(got))
		}
	})
}

func (r *runner) testActivityReferences(t *testing.T) {
	s := r.loaded(t)
	act := func(edit func(*kolgraph.Activity)) *kolgraph.Activity {
		a := &kolgraph.Activity{ID: "A09", Name: "x", Kind: kolgraph.ActivityCityMeeting, Date: "2026-05-01",
			TerritoryID: "T1", ProductID: "PR01", OwnerID: "U01", Budget: 10, SpeakerIDs: []string{"P001"},
			AttendeeIDs: []string{"P002", "P003"}, Registration: kolgraph.RegistrationPending}
		edit(a)
		return a
	}
	for _, c := range []struct {
		name, field string
		a           *kolgraph.Activity
	}{
		{"NoHospitalForADepartmentMeeting", "hospital_id", act(func(a *kolgraph.Activity) { a.Kind = kolgraph.ActivityDepartmentMeeting })},
		{"RegisteredWithoutDate", "registered_on", act(func(a *kolgraph.Activity) { a.Registration = kolgraph.RegistrationRegistered })},
		{"NegativeBudget", "budget", act(func(a *kolgraph.Activity) { a.Budget = -1 })},
		{"UnknownTerritory", "territory_id", act(func(a *kolgraph.Activity) { a.TerritoryID = "T9" })},
		{"UnknownHospital", "hospital_id", act(func(a *kolgraph.Activity) { a.HospitalID = "H999" })},
		{"HospitalOfAnotherTerritory", "hospital_id", act(func(a *kolgraph.Activity) { a.HospitalID = "H003" })},
		{"UnknownProduct", "product_id", act(func(a *kolgraph.Activity) { a.ProductID = "PR99" })},
		{"UnknownOwner", "owner_id", act(func(a *kolgraph.Activity) { a.OwnerID = "U99" })},
		{"UnknownSpeaker", "speaker_ids[0]", act(func(a *kolgraph.Activity) { a.SpeakerIDs = []string{"P999"} })},
		{"UnknownAttendee", "attendee_ids[1]", act(func(a *kolgraph.Activity) { a.AttendeeIDs = []string{"P002", "D001-01"} })},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := rejectsChecked(t, s, &kolgraph.ChangeSet{Activities: []*kolgraph.Activity{c.a}}, kolgraph.EINVALID)
			wantProblem(t, e, kolgraph.KindActivities+"/A09", "", c.field)
		})
	}
	t.Run("SpeakerDeletedInTheSameChange", func(t *testing.T) {
		e := rejectsChecked(t, s, &kolgraph.ChangeSet{Activities: []*kolgraph.Activity{act(func(a *kolgraph.Activity) { a.SpeakerIDs = []string{"P009"} })},
			Delete: kolgraph.Deletion{HCPs: []string{"P009"}}}, kolgraph.EINVALID)
		wantProblem(t, e, kolgraph.KindActivities+"/A09", "", "speaker_ids[0]")
	})
	t.Run("NewRecordsInTheSameChange", func(t *testing.T) {
		h := &kolgraph.Hospital{ID: "H009", Name: "New", Tier: "3A", TerritoryID: "T2"}
		apply(t, s, &kolgraph.ChangeSet{Hospitals: []*kolgraph.Hospital{h},
			HCPs: []*kolgraph.HCP{newHCP("P011", "New", "D003-01", "H003")},
			Activities: []*kolgraph.Activity{act(func(a *kolgraph.Activity) {
				a.TerritoryID, a.HospitalID, a.SpeakerIDs = "T2", "H009", []string{"P011"}
			})}})
		got, err := s.Activities(t.Context(), []string{"A09"})
		if err != nil || got[0] == nil || got[0].HospitalID != "H009" {
			t.Errorf("A09 with new references: got %s, %v", show(got), err)
		}
	})
}
