package storetest

import (
	"reflect"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// suiteInteractions are interactions with HCPs of both territories, listed
// out of id order: two of P001's on one date (ordered by id), one with
// notes in Chinese, some with a product.
func suiteInteractions() []*kolgraph.Interaction {
	return []*kolgraph.Interaction{
		{ID: "I04", HCPID: "P006", KAMID: "U02", Date: "2026-02-01", Kind: kolgraph.InteractionDigital, ProductID: "PR02"},
		{ID: "I02", HCPID: "P001", KAMID: "U02", Date: "2026-01-10", Kind: kolgraph.InteractionCall},
		{ID: "I01", HCPID: "P001", KAMID: "U01", Date: "2026-01-10", Kind: kolgraph.InteractionVisit, ProductID: "PR01",
			Notes: "讨论了心衰指南 discussed the HF guideline"},
		{ID: "I05", HCPID: "P004", KAMID: "U01", Date: "2026-03-15", Kind: kolgraph.InteractionVisit, ProductID: "PR01"},
		{ID: "I03", HCPID: "P001", KAMID: "U01", Date: "2025-12-01", Kind: kolgraph.InteractionMeeting},
	}
}

// withInteractions is the fixture's snapshot with interactions added.
func withInteractions(ins ...*kolgraph.Interaction) *snapshot {
	return snapshotOf(Fixture()).add(&kolgraph.ChangeSet{Interactions: ins})
}

func interactionID(in *kolgraph.Interaction) string { return in.ID }

func listInteractions(t *testing.T, s kolgraph.Store, f kolgraph.InteractionFilter, p kolgraph.Page) (*kolgraph.InteractionPage, []string) {
	t.Helper()
	page, err := s.ListInteractions(t.Context(), f, p)
	if err != nil {
		t.Fatalf("ListInteractions(%+v, %+v): %v", f, p, err)
	}
	return page, ids(page.Items, interactionID)
}

func (r *runner) testInteractions(t *testing.T) {
	t.Run("UpsertAndRead", func(t *testing.T) {
		s := r.loaded(t)
		ins := suiteInteractions()
		// The last upsert of an id wins.
		stale := *ins[1]
		stale.Kind = kolgraph.InteractionMeeting
		apply(t, s, &kolgraph.ChangeSet{Interactions: append([]*kolgraph.Interaction{&stale}, ins...)})
		wantSnapshot(t, s, withInteractions(ins...))

		got, err := s.Interactions(t.Context(), []string{"I01", "I99", "P001", "I04", "I01"})
		if err != nil {
			t.Fatalf("Interactions: %v", err)
		}
		want := []*kolgraph.Interaction{ins[2], nil, nil, ins[0], ins[2]}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Interactions:\n got  %s\n want %s", show(got), show(want))
		}
		if got[0] != nil && got[0] == got[4] {
			t.Error("Interactions: an id asked twice gave one shared record")
		}

		rows, err := s.InteractionsOfHCPs(t.Context(), []string{"P001", "P999", "P006", "P002"})
		if err != nil {
			t.Fatalf("InteractionsOfHCPs: %v", err)
		}
		wantNav(t, "InteractionsOfHCPs (by date, then id)", navIDs(rows, interactionID),
			[][]string{{"I03", "I01", "I02"}, nil, {"I04"}, nil})
		if len(rows[0]) == 3 && !reflect.DeepEqual(rows[0][1], ins[2]) {
			t.Errorf("InteractionsOfHCPs: I01 reads back %s, want %s", show(rows[0][1]), show(ins[2]))
		}
		if r.h.Reopen != nil {
			s = r.reopen(t, s)
			wantSnapshot(t, s, withInteractions(ins...))
		}
	})

	t.Run("List", func(t *testing.T) {
		s := r.loaded(t)
		apply(t, s, &kolgraph.ChangeSet{Interactions: suiteInteractions()})
		for _, c := range []struct {
			name string
			f    kolgraph.InteractionFilter
			want []string
		}{
			{"All", kolgraph.InteractionFilter{}, []string{"I01", "I02", "I03", "I04", "I05"}},
			{"HCP", kolgraph.InteractionFilter{HCPID: "P001"}, []string{"I01", "I02", "I03"}},
			{"KAM", kolgraph.InteractionFilter{KAMID: "U02"}, []string{"I02", "I04"}},
			{"Product", kolgraph.InteractionFilter{ProductID: "PR01"}, []string{"I01", "I05"}},
			{"From", kolgraph.InteractionFilter{From: "2026-01-10"}, []string{"I01", "I02", "I04", "I05"}},
			{"To", kolgraph.InteractionFilter{To: "2026-01-10"}, []string{"I01", "I02", "I03"}},
			{"FromTo", kolgraph.InteractionFilter{From: "2026-01-11", To: "2026-02-01"}, []string{"I04"}},
			{"HCPAndKAM", kolgraph.InteractionFilter{HCPID: "P001", KAMID: "U01"}, []string{"I01", "I03"}},
			{"TerritoryT2", kolgraph.InteractionFilter{Territories: []string{"T2"}}, []string{"I04"}},
			{"TerritoryT1", kolgraph.InteractionFilter{Territories: []string{"T1"}}, []string{"I01", "I02", "I03", "I05"}},
			{"UnknownHCP", kolgraph.InteractionFilter{HCPID: "P999"}, nil},
			{"Brackets", kolgraph.InteractionFilter{KAMID: "}) RETURN n //"}, nil},
		} {
			t.Run(c.name, func(t *testing.T) {
				page, got := listInteractions(t, s, c.f, kolgraph.Page{First: 10})
				wantIDs(t, "ListInteractions", got, c.want)
				if page.Total != len(c.want) || page.HasNext {
					t.Errorf("ListInteractions: total %d, hasNext %v; want %d, false", page.Total, page.HasNext, len(c.want))
				}
			})
		}
		for _, c := range []struct {
			p       kolgraph.Page
			want    []string
			hasNext bool
		}{
			{kolgraph.Page{First: 2}, []string{"I01", "I02"}, true},
			{kolgraph.Page{First: 2, After: "I02"}, []string{"I03", "I04"}, true},
			{kolgraph.Page{First: 2, After: "I04"}, []string{"I05"}, false},
			{kolgraph.Page{First: 2, After: "I02x"}, []string{"I03", "I04"}, true}, // not an id: positions only
			{kolgraph.Page{First: 0}, nil, true},
			{kolgraph.Page{First: 2, After: "I05"}, nil, false},
		} {
			page, got := listInteractions(t, s, kolgraph.InteractionFilter{}, c.p)
			wantIDs(t, "ListInteractions page", got, c.want)
			if page.Total != 5 || page.HasNext != c.hasNext {
				t.Errorf("ListInteractions(%+v): total %d, hasNext %v; want 5, %v", c.p, page.Total, page.HasNext, c.hasNext)
			}
		}
		page, got := listInteractions(t, s, kolgraph.InteractionFilter{HCPID: "P001"}, kolgraph.Page{First: 1, After: "I01"})
		wantIDs(t, "ListInteractions(P001) after I01", got, []string{"I02"})
		if page.Total != 3 || !page.HasNext {
			t.Errorf("ListInteractions(P001) after I01: total %d, hasNext %v; want 3, true", page.Total, page.HasNext)
		}
		for _, c := range []struct {
			name string
			f    kolgraph.InteractionFilter
			p    kolgraph.Page
		}{
			{"BadFrom", kolgraph.InteractionFilter{From: "2026-1-1"}, kolgraph.Page{First: 1}},
			{"BadTo", kolgraph.InteractionFilter{To: "2026-02-30"}, kolgraph.Page{First: 1}},
			{"NegativeFirst", kolgraph.InteractionFilter{}, kolgraph.Page{First: -1}},
		} {
			if _, err := s.ListInteractions(t.Context(), c.f, c.p); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
				t.Errorf("ListInteractions %s: got %v, want BAD_USER_INPUT", c.name, err)
			}
		}
	})

	t.Run("UpdateAndDelete", func(t *testing.T) {
		s := r.loaded(t)
		ins := suiteInteractions()
		apply(t, s, &kolgraph.ChangeSet{Interactions: ins})
		changed := *ins[3]
		changed.HCPID, changed.ProductID, changed.Notes = "P005", "", "moved"
		apply(t, s, &kolgraph.ChangeSet{Interactions: []*kolgraph.Interaction{&changed},
			Delete: kolgraph.Deletion{Interactions: []string{"I04", "I99"}}})
		wantSnapshot(t, s, withInteractions(&changed, ins[1], ins[2], ins[4]))
		rows, err := s.InteractionsOfHCPs(t.Context(), []string{"P004", "P005"})
		if err != nil {
			t.Fatal(err)
		}
		wantNav(t, "InteractionsOfHCPs after a move", navIDs(rows, interactionID), [][]string{nil, {"I05"}})
		if _, got := listInteractions(t, s, kolgraph.InteractionFilter{ProductID: "PR01"}, kolgraph.Page{First: 10}); !reflect.DeepEqual(got, []string{"I01"}) {
			t.Errorf("ListInteractions(PR01) after I05 lost its product: got %v, want [I01]", got)
		}

		// Deleted and upserted in one change set: the upsert stands.
		again := *ins[2]
		again.Notes = ""
		apply(t, s, &kolgraph.ChangeSet{Interactions: []*kolgraph.Interaction{&again},
			Delete: kolgraph.Deletion{Interactions: []string{"I01"}}})
		got, err := s.Interactions(t.Context(), []string{"I01"})
		if err != nil || got[0] == nil || *got[0] != again {
			t.Errorf("an interaction deleted and upserted in one change set: got %s, %v; want %s", show(got), err, show(again))
		}
	})

	t.Run("GoWithTheirHCP", func(t *testing.T) {
		s := r.loaded(t)
		ins := suiteInteractions()
		apply(t, s, &kolgraph.ChangeSet{Interactions: ins})
		// P001's three go with it, even though U01 made two of them and
		// is deleted too.
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"P001", "P006"}}})
		if got := takeSnapshot(t, s).Interactions; !reflect.DeepEqual(got, withInteractions(ins[3]).Interactions) {
			t.Errorf("after deleting P001 and P006: got %s, want I05 alone", show(got))
		}
		rows, err := s.InteractionsOfHCPs(t.Context(), []string{"P001"})
		if err != nil || len(rows[0]) != 0 {
			t.Errorf("InteractionsOfHCPs(P001) after its deletion: got %s, %v; want none", show(rows), err)
		}
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"P004"}, Users: []string{"U01"}}})
		if got := takeSnapshot(t, s).Interactions; len(got) != 0 {
			t.Errorf("after deleting P004 with U01: got %s, want none", show(got))
		}
	})

	t.Run("KeepTheirKAMAndProduct", func(t *testing.T) {
		s := r.loaded(t)
		ins := suiteInteractions()
		apply(t, s, &kolgraph.ChangeSet{Interactions: ins})
		e := rejectsChecked(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Users: []string{"U02"}}}, kolgraph.ECONFLICT)
		wantProblem(t, e, kolgraph.KindUsers, "I02", "")
		wantProblem(t, e, kolgraph.KindUsers, "I04", "")
		e = rejectsChecked(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Products: []string{"PR01"}}}, kolgraph.ECONFLICT)
		wantProblem(t, e, kolgraph.KindProducts, "I05", "")
		// Deleted with them, they go.
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Products: []string{"PR01"}, Interactions: []string{"I01", "I05"}}})
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Users: []string{"U02"}, Interactions: []string{"I02", "I04"}}})
		if got := takeSnapshot(t, s).Interactions; !reflect.DeepEqual(got, withInteractions(ins[4]).Interactions) {
			t.Errorf("after deleting PR01 and U02 with their interactions: got %s, want I03 alone", show(got))
		}
	})

	t.Run("Audited", func(t *testing.T) {
		s := r.loaded(t)
		in := suiteInteractions()[2]
		apply(t, s, &kolgraph.ChangeSet{Interactions: []*kolgraph.Interaction{in},
			Audit: []kolgraph.AuditEntry{auditEntry(kolgraph.KindInteractions, in.ID, kolgraph.OpCreate, "", `{"id":"I01"}`)}})
		got := auditLog(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindInteractions, EntityID: "I01"}, 0)
		if len(got) != 1 || got[0].Op != kolgraph.OpCreate {
			t.Errorf("AuditLog of interactions/I01: got %q, want its create", auditIDs(got))
		}
	})
}

func (r *runner) testInteractionReferences(t *testing.T) {
	s := r.loaded(t)
	in := func(edit func(*kolgraph.Interaction)) *kolgraph.Interaction {
		x := &kolgraph.Interaction{ID: "I09", HCPID: "P001", KAMID: "U01", Date: "2026-01-01", Kind: kolgraph.InteractionVisit}
		edit(x)
		return x
	}
	for _, c := range []struct {
		name, field string
		code        string
		in          *kolgraph.Interaction
	}{
		{"BadDate", "date", kolgraph.EINVALID, in(func(x *kolgraph.Interaction) { x.Date = "2026-02-30" })},
		{"BadKind", "kind", kolgraph.EINVALID, in(func(x *kolgraph.Interaction) { x.Kind = "lunch" })},
		{"UnknownHCP", "hcp_id", kolgraph.EINVALID, in(func(x *kolgraph.Interaction) { x.HCPID = "P999" })},
		{"DepartmentAsHCP", "hcp_id", kolgraph.EINVALID, in(func(x *kolgraph.Interaction) { x.HCPID = "D001-01" })},
		{"UnknownKAM", "kam_id", kolgraph.EINVALID, in(func(x *kolgraph.Interaction) { x.KAMID = "U99" })},
		{"UnknownProduct", "product_id", kolgraph.EINVALID, in(func(x *kolgraph.Interaction) { x.ProductID = "PR99" })},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := rejectsChecked(t, s, &kolgraph.ChangeSet{Interactions: []*kolgraph.Interaction{c.in}}, c.code)
			wantProblem(t, e, kolgraph.KindInteractions+"/I09", "", c.field)
		})
	}
	t.Run("HCPDeletedInTheSameChange", func(t *testing.T) {
		e := rejectsChecked(t, s, &kolgraph.ChangeSet{Interactions: []*kolgraph.Interaction{in(func(x *kolgraph.Interaction) { x.HCPID = "P002" })},
			Delete: kolgraph.Deletion{HCPs: []string{"P002"}}}, kolgraph.EINVALID)
		wantProblem(t, e, kolgraph.KindInteractions+"/I09", "", "hcp_id")
	})
	t.Run("NewRecordsInTheSameChange", func(t *testing.T) {
		apply(t, s, &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{newHCP("P011", "New", "D001-01", "H001")},
			Users:        []*kolgraph.User{{ID: "U09", Name: "New KAM", Role: "kam", Territories: []string{"T1"}}},
			Products:     []*kolgraph.Product{{ID: "PR09", Name: "New"}},
			Interactions: []*kolgraph.Interaction{in(func(x *kolgraph.Interaction) { x.HCPID, x.KAMID, x.ProductID = "P011", "U09", "PR09" })}})
		got, err := s.Interactions(t.Context(), []string{"I09"})
		if err != nil || got[0] == nil || got[0].HCPID != "P011" {
			t.Errorf("I09 with new references: got %s, %v", show(got), err)
		}
	})
}
