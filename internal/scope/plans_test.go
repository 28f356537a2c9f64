package scope_test

import (
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scope"
	"github.com/kolgraph/kolgraph/internal/storetest"
)

// plansStore is the fixture with plans AP1 (H001, T1) and AP3 (H003, T2).
func plansStore(t *testing.T) kolgraph.Store {
	t.Helper()
	base := openStore(t)
	p3 := storetest.NewPlan("AP3", "H003", "PR02", "U02")
	p3.Stakeholders = []kolgraph.Stakeholder{{HCPID: "P006"}}
	if _, err := base.Apply(t.Context(), &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{
		storetest.NewPlan("AP1", "H001", "PR01", "U01"), p3}}); err != nil {
		t.Fatal(err)
	}
	return base
}

func TestAccountPlansRead(t *testing.T) {
	s := scope.NewStore(plansStore(t), []string{"T1"})
	got, err := s.AccountPlans(t.Context(), []string{"AP3", "AP1", "AP9"})
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != nil || got[1] == nil || got[2] != nil {
		t.Errorf("AccountPlans(AP3, AP1, AP9) through T1: got %v, want only AP1", got)
	}
	for _, f := range []kolgraph.AccountPlanFilter{{}, {Territories: []string{"T1", "T2"}}, {ProductID: "PR01"}} {
		page, err := s.ListAccountPlans(t.Context(), f, kolgraph.Page{First: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 1 || page.Items[0].ID != "AP1" || page.Total != 1 {
			t.Errorf("ListAccountPlans(%+v) through T1: got %d items, total %d; want AP1 alone", f, len(page.Items), page.Total)
		}
	}
	for _, f := range []kolgraph.AccountPlanFilter{{HospitalID: "H003"}, {Territories: []string{"T2"}}} {
		page, err := s.ListAccountPlans(t.Context(), f, kolgraph.Page{First: 10})
		if err != nil || len(page.Items) != 0 || page.Total != 0 {
			t.Errorf("ListAccountPlans(%+v) through T1: got %v, %v; want nothing", f, page, err)
		}
	}
	if _, err := s.ListAccountPlans(t.Context(), kolgraph.AccountPlanFilter{Territories: []string{"T2"}, Status: "x"},
		kolgraph.Page{First: 1}); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("an invalid filter out of scope: got %v, want BAD_USER_INPUT", err)
	}
}

func TestAccountPlansWrite(t *testing.T) {
	base := plansStore(t)
	s := scope.NewStore(base, []string{"T1"})
	changed := func(p *kolgraph.AccountPlan) *kolgraph.AccountPlan { p.Status = kolgraph.PlanActive; return p }
	outside := storetest.NewPlan("AP5", "H003", "PR02", "U01")
	outside.Stakeholders = nil
	moved := storetest.NewPlan("AP1", "H003", "PR01", "U01")
	moved.Stakeholders = nil
	strangers := storetest.NewPlan("AP6", "H001", "PR01", "U01")
	strangers.Stakeholders = append(strangers.Stakeholders, kolgraph.Stakeholder{HCPID: "P006"})
	for _, tc := range []struct {
		name string
		cs   *kolgraph.ChangeSet
	}{
		{"create outside", &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{outside}}},
		{"update outside", &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{changed(storetest.NewPlan("AP3", "H003", "PR02", "U02"))}}},
		{"move into hospital outside", &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{moved}}},
		{"take over a plan outside", &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{storetest.NewPlan("AP3", "H001", "PR01", "U01")}}},
		{"delete outside", &kolgraph.ChangeSet{Delete: kolgraph.Deletion{AccountPlans: []string{"AP3"}}}},
		{"stakeholder outside", &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{strangers}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := s.Apply(t.Context(), tc.cs); kolgraph.ErrorCode(err) != kolgraph.EFORBIDDEN {
				t.Fatalf("Apply: got %v, want FORBIDDEN", err)
			}
		})
	}
	got, _ := base.AccountPlans(t.Context(), []string{"AP1", "AP3", "AP5", "AP6"})
	if got[0].Status != kolgraph.PlanDraft || got[1].HospitalID != "H003" || got[1].Status != kolgraph.PlanDraft || got[2] != nil || got[3] != nil {
		t.Fatalf("a refused write changed the plans: %v", got)
	}

	// In scope: a change, and a stakeholder who left stays.
	if _, err := s.Apply(t.Context(), &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"P003"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Apply(t.Context(), &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{
		changed(storetest.NewPlan("AP1", "H001", "PR01", "U01"))}}); err != nil {
		t.Fatalf("updating a plan in scope whose stakeholder left: %v", err)
	}
	got, _ = base.AccountPlans(t.Context(), []string{"AP1"})
	if got[0].Status != kolgraph.PlanActive || !slices.Equal(got[0].StakeholderIDs(), []string{"P001", "P003"}) {
		t.Errorf("AP1 after the update: status %s, stakeholders %v", got[0].Status, got[0].StakeholderIDs())
	}
	if _, err := s.Apply(t.Context(), &kolgraph.ChangeSet{Delete: kolgraph.Deletion{AccountPlans: []string{"AP1"}}}); err != nil {
		t.Fatalf("deleting a plan in scope: %v", err)
	}
}
