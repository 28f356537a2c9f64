package storetest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// planTime is when the suite's plans were written; citations are computed
// in another zone, with nanoseconds, to see both kept.
var (
	planTime  = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	citedTime = time.Date(2026, 1, 4, 17, 45, 3, 987654321, time.FixedZone("CST", 8*3600))
)

// NewPlan returns a valid account plan of the suite's fixture: hospital,
// product and owner as given, a 2026-2028 period, one goal a year, an
// objective in each area, stakeholders P001 and P003 (in H001) and two
// cited paths whose weights are floats that do not print short (0.1*3,
// 1.0 that some servers turn into an integer) and whose evidence holds
// brackets and quotes.
func NewPlan(id, hospital, product, owner string) *kolgraph.AccountPlan {
	return &kolgraph.AccountPlan{
		ID: id, HospitalID: hospital, ProductID: product, OwnerID: owner, Status: kolgraph.PlanDraft,
		PeriodStart: "2026-01-01", PeriodEnd: "2028-12-31",
		Goals: []kolgraph.YearGoal{
			{Year: 2026, Goal: "listed at the P&T committee", Unit: ""},
			{Year: 2027, Goal: "120 patients a month", Target: ptr(120.0), Unit: "patients/month"},
			{Year: 2028, Goal: "0.3 share", Target: ptr(0.1 * 3)},
		},
		Objectives: []kolgraph.Objective{
			{Area: kolgraph.AreaResearch, Year: 2026, Description: "真实世界研究 real-world study", Measure: "protocol approved"},
			{Area: kolgraph.AreaPatientManagement, Year: 2027, Description: "discharge follow-up clinic"},
			{Area: kolgraph.AreaPerformance, Year: 2028, Description: "penetration 30%", Measure: "monthly sales data"},
		},
		Stakeholders: []kolgraph.Stakeholder{
			{HCPID: "P001", Role: "department head", Stage: "PROPOSE", Segment: "A", Influence: ptr(0.8125),
				OwnerID: owner, NextAction: "joint plan review", NextActionDue: "2026-02-01"},
			{HCPID: "P003", Role: "pharmacy director", Stage: "PHARMACY_REVIEW", Influence: ptr(1.0)},
		},
		Citations: []kolgraph.CitedPath{
			{PathID: "path-AgEDVTAxAwABAgxyZXN0LW9mLXRoZS1pZA", GraphVersion: "v1", ComputedAt: citedTime,
				User: "U01", Entry: 0.3,
				Nodes: []kolgraph.CitedNode{{ID: "P001", Name: "王伟"}, {ID: "P003", Name: "王芳"}},
				Hops: []kolgraph.CitedHop{{From: "P001", To: "P003", Kind: kolgraph.InfluenceCommitteePeer, Weight: 0.6,
					Evidence: `P&T (C001) {"seat": [1]}`}},
				Strength: 0.3 * 0.6,
				Query:    &kolgraph.PathQuery{To: "P003", User: "U01", MaxHops: 6, Via: []string{"pharmacy_director"}, Product: product},
				Note:     "the pharmacy review stage"},
			{PathID: "path-second", GraphVersion: "v1", ComputedAt: citedTime, Entry: 1,
				Nodes: []kolgraph.CitedNode{{ID: "P010", Name: "ZHANG Min"}, {ID: "P001", Name: "王伟"}, {ID: "P002", Name: "李娜"}},
				Hops: []kolgraph.CitedHop{
					{From: "P010", To: "P001", Kind: kolgraph.InfluenceCoAuthor, Weight: 1.0, Evidence: "co-authored 2023 guideline"},
					{From: "P001", To: "P002", Kind: kolgraph.InfluenceReportsTo, Weight: 0.1 + 0.2},
				},
				Strength: 1.0 * (0.1 + 0.2)},
		},
		Notes:     "see the P&T minutes of 2025-12",
		CreatedBy: owner, CreatedAt: planTime, UpdatedBy: owner, UpdatedAt: planTime,
	}
}

// planJSON is a plan as kolgraph encodes it: what must read back
// byte-identical.
func planJSON(t *testing.T, p *kolgraph.AccountPlan) string {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func plansOf(t *testing.T, s kolgraph.Store, ids ...string) []*kolgraph.AccountPlan {
	t.Helper()
	got, err := s.AccountPlans(t.Context(), ids)
	if err != nil {
		t.Fatalf("AccountPlans(%v): %v", ids, err)
	}
	if len(got) != len(ids) {
		t.Fatalf("AccountPlans(%v): got %d entries", ids, len(got))
	}
	return got
}

// wantPlans fails t unless the stored plans of ids encode as want (nil:
// absent).
func wantPlans(t *testing.T, s kolgraph.Store, what string, want ...*kolgraph.AccountPlan) {
	t.Helper()
	var ids []string
	for _, p := range want {
		ids = append(ids, p.ID)
	}
	for i, got := range plansOf(t, s, ids...) {
		switch {
		case got == nil:
			t.Errorf("%s: plan %s is missing", what, ids[i])
		case planJSON(t, got) != planJSON(t, want[i]):
			t.Errorf("%s: plan %s reads back\n got %s\nwant %s", what, ids[i], planJSON(t, got), planJSON(t, want[i]))
		}
	}
}

func listPlans(t *testing.T, s kolgraph.Store, f kolgraph.AccountPlanFilter, p kolgraph.Page) (*kolgraph.AccountPlanPage, []string) {
	t.Helper()
	page, err := s.ListAccountPlans(t.Context(), f, p)
	if err != nil {
		t.Fatalf("ListAccountPlans(%+v, %+v): %v", f, p, err)
	}
	return page, ids(page.Items, func(p *kolgraph.AccountPlan) string { return p.ID })
}

// testAccountPlans: plans are written, read back byte-identical (after
// writes under their citations, and reopened), listed and audited.
func (r *runner) testAccountPlans(t *testing.T) {
	t.Run("CreateAndReadBack", func(t *testing.T) {
		s := r.loaded(t)
		if got := plansOf(t, s, "AP1"); got[0] != nil {
			t.Fatalf("AccountPlans before any: got %v", got[0])
		}
		want := NewPlan("AP1", "H001", "PR01", "U01")
		want.DepartmentID = "D001-01"
		want.Notes = "多行 notes\nwith (brackets) and \"quotes\""
		in := NewPlan("AP1", "H001", "PR01", "U01")
		in.DepartmentID, in.Notes = want.DepartmentID, want.Notes
		if v := apply(t, s, &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{in}}); v != 2 {
			t.Errorf("Apply: version %d, want 2", v)
		}
		in.Citations[0].Hops[0].Weight = 0.99 // the store keeps its own copy
		wantPlans(t, s, "after create", want)
		got := plansOf(t, s, "AP1", "nope", "AP1")
		if got[1] != nil || got[2] == nil {
			t.Errorf("AccountPlans(AP1, nope, AP1): got %v", got)
		}
		got[0].Citations[0].Nodes[0].Name = "changed" // callers get copies
		wantPlans(t, s, "after changing a copy", want)

		// The graph under a cited path changes; the citation does not.
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{
			Influences: []kolgraph.EdgeKey{{From: "P001", To: "P003"}}, HCPs: []string{"P010"}}})
		wantPlans(t, s, "after deleting a cited tie and HCP", want)
		if r.h.Reopen != nil {
			s = r.reopen(t, s)
			wantPlans(t, s, "after reopen", want)
		}

		// Update: the whole record is replaced.
		want.Status, want.Notes = kolgraph.PlanActive, ""
		want.Citations = want.Citations[1:]
		want.UpdatedAt = planTime.Add(time.Hour)
		up := *want
		apply(t, s, &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{&up}})
		wantPlans(t, s, "after update", want)
		if r.h.Reopen != nil {
			s = r.reopen(t, s)
			wantPlans(t, s, "after update and reopen", want)
		}

		// Delete.
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{AccountPlans: []string{"AP1", "unknown"}}})
		if got := plansOf(t, s, "AP1"); got[0] != nil {
			t.Errorf("AP1 after delete: got %s", planJSON(t, got[0]))
		}
		if page, _ := listPlans(t, s, kolgraph.AccountPlanFilter{}, kolgraph.Page{First: 10}); page.Total != 0 {
			t.Errorf("plans after delete: total %d, want 0", page.Total)
		}
	})

	t.Run("List", func(t *testing.T) {
		s := r.loaded(t)
		p4 := NewPlan("AP4", "H002", "PR01", "U01")
		p4.Status = kolgraph.PlanClosed
		p4.Stakeholders = nil
		p3 := NewPlan("AP3", "H003", "PR02", "U02")
		p3.Status = kolgraph.PlanActive
		p3.Stakeholders = []kolgraph.Stakeholder{{HCPID: "P006"}}
		p2 := NewPlan("AP2", "H001", "PR02", "U02")
		p1 := NewPlan("AP1", "H001", "PR01", "U01")
		apply(t, s, &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{p4, p3, p2, p1}})
		for _, tc := range []struct {
			name string
			f    kolgraph.AccountPlanFilter
			want []string
		}{
			{"all", kolgraph.AccountPlanFilter{}, []string{"AP1", "AP2", "AP3", "AP4"}},
			{"hospital", kolgraph.AccountPlanFilter{HospitalID: "H001"}, []string{"AP1", "AP2"}},
			{"product", kolgraph.AccountPlanFilter{ProductID: "PR02"}, []string{"AP2", "AP3"}},
			{"owner", kolgraph.AccountPlanFilter{OwnerID: "U01"}, []string{"AP1", "AP4"}},
			{"status", kolgraph.AccountPlanFilter{Status: kolgraph.PlanActive}, []string{"AP3"}},
			{"territory", kolgraph.AccountPlanFilter{Territories: []string{"T2"}}, []string{"AP3"}},
			{"territories", kolgraph.AccountPlanFilter{Territories: []string{"T1", "T9"}}, []string{"AP1", "AP2", "AP4"}},
			{"all fields", kolgraph.AccountPlanFilter{HospitalID: "H001", ProductID: "PR02", OwnerID: "U02",
				Status: kolgraph.PlanDraft, Territories: []string{"T1"}}, []string{"AP2"}},
			{"no match", kolgraph.AccountPlanFilter{HospitalID: "H001", OwnerID: "U03"}, nil},
			{"unknown hospital", kolgraph.AccountPlanFilter{HospitalID: "(nope)"}, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				page, got := listPlans(t, s, tc.f, kolgraph.Page{First: 10})
				wantIDs(t, "plans", got, tc.want)
				if page.Total != len(tc.want) || page.HasNext {
					t.Errorf("total %d, hasNext %v; want %d, false", page.Total, page.HasNext, len(tc.want))
				}
			})
		}
		wantPlans(t, s, "listed plans", p1, p2, p3, p4)
		page, got := listPlans(t, s, kolgraph.AccountPlanFilter{}, kolgraph.Page{First: 2})
		wantIDs(t, "first page", got, []string{"AP1", "AP2"})
		if page.Total != 4 || !page.HasNext {
			t.Errorf("first page: total %d, hasNext %v; want 4, true", page.Total, page.HasNext)
		}
		if want := planJSON(t, p1); planJSON(t, page.Items[0]) != want {
			t.Errorf("listed AP1 differs:\n got %s\nwant %s", planJSON(t, page.Items[0]), want)
		}
		page, got = listPlans(t, s, kolgraph.AccountPlanFilter{}, kolgraph.Page{First: 2, After: "AP2"})
		wantIDs(t, "second page", got, []string{"AP3", "AP4"})
		if page.HasNext {
			t.Error("second page: hasNext, want false")
		}
		page, got = listPlans(t, s, kolgraph.AccountPlanFilter{OwnerID: "U01"}, kolgraph.Page{First: 5, After: "AP10"})
		wantIDs(t, "after a missing id", got, []string{"AP4"})
		if page.Total != 2 {
			t.Errorf("after a missing id: total %d, want 2 (the filter's)", page.Total)
		}
		page, got = listPlans(t, s, kolgraph.AccountPlanFilter{}, kolgraph.Page{First: 0})
		if len(got) != 0 || page.Total != 4 || !page.HasNext {
			t.Errorf("First 0: got %v, total %d, hasNext %v; want none, 4, true", got, page.Total, page.HasNext)
		}
		for _, bad := range []struct {
			f kolgraph.AccountPlanFilter
			p kolgraph.Page
		}{
			{kolgraph.AccountPlanFilter{Status: "open"}, kolgraph.Page{First: 1}},
			{kolgraph.AccountPlanFilter{}, kolgraph.Page{First: -1}},
		} {
			if _, err := s.ListAccountPlans(t.Context(), bad.f, bad.p); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
				t.Errorf("ListAccountPlans(%+v, %+v): got %v, want %s", bad.f, bad.p, err, kolgraph.EINVALID)
			}
		}
	})

	t.Run("Audit", func(t *testing.T) { r.testPlanAudit(t) })
}

// testPlanValidation: every field problem is named by its path.
func (r *runner) testPlanValidation(t *testing.T) {
	{
		s := r.loaded(t)
		for _, tc := range []struct {
			name, field string
			change      func(p *kolgraph.AccountPlan)
		}{
			{"empty id", "id", func(p *kolgraph.AccountPlan) { p.ID = "" }},
			{"no hospital", "hospital_id", func(p *kolgraph.AccountPlan) { p.HospitalID = "" }},
			{"no product", "product_id", func(p *kolgraph.AccountPlan) { p.ProductID = "" }},
			{"no owner", "owner_id", func(p *kolgraph.AccountPlan) { p.OwnerID = "" }},
			{"status", "status", func(p *kolgraph.AccountPlan) { p.Status = "open" }},
			{"start", "period_start", func(p *kolgraph.AccountPlan) { p.PeriodStart = "2026-13-01" }},
			{"end before start", "period_end", func(p *kolgraph.AccountPlan) { p.PeriodEnd = "2025-12-31" }},
			{"too long", "period_end", func(p *kolgraph.AccountPlan) { p.PeriodEnd = "2031-01-01" }},
			{"goal year", "goals[1].year", func(p *kolgraph.AccountPlan) { p.Goals[1].Year = 2029 }},
			{"two goals a year", "goals[1].year", func(p *kolgraph.AccountPlan) { p.Goals[1].Year = 2026 }},
			{"goal text", "goals[0].goal", func(p *kolgraph.AccountPlan) { p.Goals[0].Goal = "" }},
			{"objective area", "objectives[2].area", func(p *kolgraph.AccountPlan) { p.Objectives[2].Area = "sales" }},
			{"objective year", "objectives[0].year", func(p *kolgraph.AccountPlan) { p.Objectives[0].Year = 2025 }},
			{"stakeholder twice", "stakeholders[1].hcp_id", func(p *kolgraph.AccountPlan) { p.Stakeholders[1].HCPID = "P001" }},
			{"stakeholder stage", "stakeholders[0].stage", func(p *kolgraph.AccountPlan) { p.Stakeholders[0].Stage = "SIGN" }},
			{"stakeholder segment", "stakeholders[0].segment", func(p *kolgraph.AccountPlan) { p.Stakeholders[0].Segment = "E" }},
			{"stakeholder influence", "stakeholders[1].influence", func(p *kolgraph.AccountPlan) { p.Stakeholders[1].Influence = ptr(1.5) }},
			{"next action due", "stakeholders[0].next_action_due", func(p *kolgraph.AccountPlan) { p.Stakeholders[0].NextActionDue = "soon" }},
			{"formula note", "notes", func(p *kolgraph.AccountPlan) { p.Notes = "=HYPERLINK(1)" }},
			{"path cited twice", "citations[1].path_id", func(p *kolgraph.AccountPlan) { p.Citations[1].PathID = p.Citations[0].PathID }},
			{"no path id", "citations[0].path_id", func(p *kolgraph.AccountPlan) { p.Citations[0].PathID = "" }},
			{"no graph version", "citations[0].graph_version", func(p *kolgraph.AccountPlan) { p.Citations[0].GraphVersion = "" }},
			{"no computed at", "citations[0].computed_at", func(p *kolgraph.AccountPlan) { p.Citations[0].ComputedAt = time.Time{} }},
			{"hop kind", "citations[1].hops[0].kind", func(p *kolgraph.AccountPlan) { p.Citations[1].Hops[0].Kind = "friend" }},
			{"hop weight", "citations[1].hops[1].weight", func(p *kolgraph.AccountPlan) { p.Citations[1].Hops[1].Weight = 0 }},
			{"hop ends", "citations[1].hops[1].from", func(p *kolgraph.AccountPlan) { p.Citations[1].Hops[1].From = "P003" }},
			{"hop count", "citations[0].hops", func(p *kolgraph.AccountPlan) { p.Citations[0].Hops = nil }},
			{"strength", "citations[0].strength", func(p *kolgraph.AccountPlan) { p.Citations[0].Strength = 0.2 }},
			{"entry", "citations[0].entry", func(p *kolgraph.AccountPlan) { p.Citations[0].Entry = 0 }},
			{"node name", "citations[1].nodes[2].name", func(p *kolgraph.AccountPlan) { p.Citations[1].Nodes[2].Name = "" }},
			{"query hops", "citations[0].query.max_hops", func(p *kolgraph.AccountPlan) { p.Citations[0].Query.MaxHops = -1 }},
			{"created by", "created_by", func(p *kolgraph.AccountPlan) { p.CreatedBy = "" }},
			{"updated at", "updated_at", func(p *kolgraph.AccountPlan) { p.UpdatedAt = time.Time{} }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := NewPlan("AP1", "H001", "PR01", "U01")
				tc.change(p)
				e := rejectsChecked(t, s, &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{p}}, kolgraph.EINVALID)
				wantProblem(t, e, kolgraph.KindAccountPlans, "", tc.field)
			})
		}
		if got := plansOf(t, s, "AP1"); got[0] != nil {
			t.Errorf("a rejected plan was stored: %s", planJSON(t, got[0]))
		}
	}
}

// testPlanReferences: a plan's references resolve, and what it
// references cannot be deleted under it (its stakeholders can).
func (r *runner) testPlanReferences(t *testing.T) {
	t.Run("References", func(t *testing.T) {
		s := r.loaded(t)
		for _, tc := range []struct {
			name, field string
			change      func(p *kolgraph.AccountPlan)
		}{
			{"hospital", "hospital_id", func(p *kolgraph.AccountPlan) { p.HospitalID = "H009" }},
			{"department", "department_id", func(p *kolgraph.AccountPlan) { p.DepartmentID = "D009-01" }},
			{"department of another hospital", "department_id", func(p *kolgraph.AccountPlan) { p.DepartmentID = "D003-01" }},
			{"product", "product_id", func(p *kolgraph.AccountPlan) { p.ProductID = "PR09" }},
			{"owner", "owner_id", func(p *kolgraph.AccountPlan) { p.OwnerID = "U09" }},
			{"stakeholder", "stakeholders[1].hcp_id", func(p *kolgraph.AccountPlan) { p.Stakeholders[1].HCPID = "P099" }},
			{"stakeholder owner", "stakeholders[1].owner_id", func(p *kolgraph.AccountPlan) { p.Stakeholders[1].OwnerID = "U09" }},
			{"id of a hospital", "id", func(p *kolgraph.AccountPlan) { p.ID = "H002" }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := NewPlan("AP1", "H001", "PR01", "U01")
				tc.change(p)
				e := rejectsChecked(t, s, &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{p}}, kolgraph.EINVALID)
				wantProblem(t, e, kolgraph.KindAccountPlans, "", tc.field)
			})
		}
		// A plan's id is then no other record's.
		p := NewPlan("AP1", "H001", "PR01", "U01")
		p.DepartmentID = "D001-01"
		apply(t, s, &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{p}})
		e := rejectsChecked(t, s, &kolgraph.ChangeSet{Products: []*kolgraph.Product{{ID: "AP1", Name: "clash"}}}, kolgraph.EINVALID)
		wantProblem(t, e, kolgraph.KindProducts, "AP1", "id")

		// References made in the same change set count.
		q := NewPlan("AP2", "H004", "PR04", "U04")
		q.DepartmentID = "D004-01"
		q.Stakeholders = []kolgraph.Stakeholder{{HCPID: "P104", OwnerID: "U04"}}
		apply(t, s, &kolgraph.ChangeSet{
			Hospitals:    []*kolgraph.Hospital{{ID: "H004", Name: "New", Tier: "2A", TerritoryID: "T1"}},
			Departments:  []*kolgraph.Department{{ID: "D004-01", HospitalID: "H004", Name: "Cardiology", Specialty: "cardiology"}},
			HCPs:         []*kolgraph.HCP{newHCP("P104", "New HCP", "D004-01", "H004")},
			Products:     []*kolgraph.Product{{ID: "PR04", Name: "New product"}},
			Users:        []*kolgraph.User{{ID: "U04", Name: "New KAM", Role: "kam", Territories: []string{"T1"}}},
			AccountPlans: []*kolgraph.AccountPlan{q},
		})
		wantPlans(t, s, "plan with new references", p, q)
	})

	t.Run("Deletion", func(t *testing.T) {
		s := r.loaded(t)
		p := NewPlan("AP1", "H001", "PR01", "U01")
		p.DepartmentID = "D001-01"
		p.Stakeholders[1].OwnerID = "U03"
		apply(t, s, &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{p}})

		// What a plan is about cannot go while the plan stays.
		for _, tc := range []struct {
			name, kind, id string
			d              kolgraph.Deletion
		}{
			{"product", kolgraph.KindProducts, "PR01", kolgraph.Deletion{Products: []string{"PR01"}}},
			{"owner", kolgraph.KindUsers, "U01", kolgraph.Deletion{Users: []string{"U01"}}},
			{"department", kolgraph.KindDepartments, "D001-01",
				kolgraph.Deletion{Departments: []string{"D001-01"}, HCPs: []string{"P001", "P002"}}},
			{"hospital", kolgraph.KindHospitals, "H001", kolgraph.Deletion{Hospitals: []string{"H001"},
				Departments: []string{"D001-01", "D001-02"}, Committees: []string{"C001", "C002"},
				HCPs: []string{"P001", "P002", "P003", "P009"}}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := rejectsChecked(t, s, &kolgraph.ChangeSet{Delete: tc.d}, kolgraph.ECONFLICT)
				wantProblem(t, e, tc.kind, "AP1", "")
				wantPlans(t, s, "after a refused delete", p)
			})
		}
		// Nor may its department move away from its hospital alone.
		moved := &kolgraph.ChangeSet{
			Departments: []*kolgraph.Department{{ID: "D001-01", HospitalID: "H002", Name: "心内科 Cardiology", Specialty: "cardiology"}},
			HCPs:        []*kolgraph.HCP{newHCP("P001", "王伟", "D001-01", "H002"), newHCP("P002", "李娜", "D001-01", "H002")},
		}
		e := rejectsChecked(t, s, moved, kolgraph.EINVALID)
		wantProblem(t, e, kolgraph.KindAccountPlans, "AP1", "hospital_id")

		// People leave: deleting a stakeholder (and a stakeholder's owner)
		// keeps the plan as it was, and it can still be changed as long as
		// it keeps them as they were.
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"P003"}, Users: []string{"U03"}}})
		wantPlans(t, s, "after its stakeholder left", p)
		p.Status = kolgraph.PlanClosed
		apply(t, s, &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{p}})
		wantPlans(t, s, "closed with a stakeholder who left", p)
		// Adding one who left is not.
		p2 := NewPlan("AP2", "H001", "PR01", "U01")
		e = rejectsChecked(t, s, &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{p2}}, kolgraph.EINVALID)
		wantProblem(t, e, kolgraph.KindAccountPlans, "AP2", "stakeholders[1].hcp_id")
		// Nor is giving the one who left another owner who does not exist,
		// or recreating the plan (deleted and upserted: fresh).
		p.Stakeholders[1].OwnerID = "U08"
		e = rejectsChecked(t, s, &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{p}}, kolgraph.EINVALID)
		wantProblem(t, e, kolgraph.KindAccountPlans, "AP1", "stakeholders[1].owner_id")
		p.Stakeholders[1].OwnerID = "U03"
		e = rejectsChecked(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{AccountPlans: []string{"AP1"}},
			AccountPlans: []*kolgraph.AccountPlan{p}}, kolgraph.EINVALID)
		wantProblem(t, e, kolgraph.KindAccountPlans, "AP1", "stakeholders[1].hcp_id")

		// Deleting the plan with what it is about is fine.
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Products: []string{"PR01"}, AccountPlans: []string{"AP1"}}})
		if got := plansOf(t, s, "AP1"); got[0] != nil {
			t.Errorf("AP1 after delete: got %s", planJSON(t, got[0]))
		}
		apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Users: []string{"U01"}}})
	})
}

// testPlanAudit: entries of kind account_plans are kept and found.
func (r *runner) testPlanAudit(t *testing.T) {
	{
		s := r.loaded(t)
		p := NewPlan("AP1", "H001", "PR01", "U01")
		after := planJSON(t, p)
		apply(t, s, &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{p},
			Audit: []kolgraph.AuditEntry{auditEntry(kolgraph.KindAccountPlans, "AP1", kolgraph.OpCreate, "", after)}})
		got := auditLog(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindAccountPlans, EntityID: "AP1"}, 10)
		if len(got) != 1 || got[0].After != after || got[0].Op != kolgraph.OpCreate {
			t.Fatalf("audit of AP1: got %v, want one create with the plan", got)
		}
		if got := auditLog(t, s, kolgraph.AuditFilter{EntityID: "AP1"}, 10); len(got) != 1 {
			t.Errorf("audit of entity AP1 of any kind: got %d entries, want 1", len(got))
		}
	}
}
