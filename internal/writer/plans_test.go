package writer_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/storetest"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// TestAccountPlanStampsAndAudit: the writer alone says who created and
// updated a plan and when; an upsert that changes nothing keeps the
// stamps and writes no entry; every change is one audit entry with the
// whole plan before and after.
func TestAccountPlanStampsAndAudit(t *testing.T) {
	s := loaded(t)
	w := writer.New(s, nil)
	clock := time.Date(2026, 3, 1, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))
	writer.SetClock(w, func() time.Time { return clock })

	p := storetest.NewPlan("AP1", "H001", "PR01", "U01")
	p.CreatedBy, p.CreatedAt, p.UpdatedBy, p.UpdatedAt = "forged", time.Time{}, "", time.Time{}
	res, err := w.Apply(t.Context(), "U01", "mutation createAccountPlan", &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{p}})
	if err != nil {
		t.Fatal(err)
	}
	if c := res.Counts[kolgraph.KindAccountPlans]; c == nil || *c != (writer.Counts{Created: 1}) {
		t.Fatalf("counts: got %+v, want 1 created", c)
	}
	created := clock.UTC()
	if p.CreatedBy != "U01" || !p.CreatedAt.Equal(created) || p.UpdatedBy != "U01" || !p.UpdatedAt.Equal(created) {
		t.Errorf("stamps filled in: got %s %v %s %v, want U01 and %v", p.CreatedBy, p.CreatedAt, p.UpdatedBy, p.UpdatedAt, created)
	}
	stored, _ := s.AccountPlans(t.Context(), []string{"AP1"})
	want, _ := json.Marshal(p)
	if got, _ := json.Marshal(stored[0]); string(got) != string(want) {
		t.Errorf("stored plan:\n got %s\nwant %s", got, want)
	}
	entries := log(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindAccountPlans})
	if len(entries) != 1 || entries[0].Op != kolgraph.OpCreate || entries[0].After != string(want) ||
		entries[0].Actor != "U01" || entries[0].Source != "mutation createAccountPlan" {
		t.Fatalf("audit after create: got %+v", entries)
	}

	// The same plan again, from another user, later: nothing changes.
	clock = clock.Add(time.Hour)
	again := storetest.NewPlan("AP1", "H001", "PR01", "U01")
	res, err = w.Apply(t.Context(), "U02", "mutation updateAccountPlan", &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{again}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Written || again.UpdatedBy != "U01" || !again.UpdatedAt.Equal(created) {
		t.Errorf("unchanged upsert: written %v, updated %s at %v; want not written, U01 at %v", res.Written, again.UpdatedBy, again.UpdatedAt, created)
	}

	// A change: updated by U02 now, created as before.
	change := storetest.NewPlan("AP1", "H001", "PR01", "U01")
	change.Status = kolgraph.PlanActive
	res, err = w.Apply(t.Context(), "U02", "mutation updateAccountPlan", &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{change}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Written || change.CreatedBy != "U01" || !change.CreatedAt.Equal(created) ||
		change.UpdatedBy != "U02" || !change.UpdatedAt.Equal(clock.UTC()) {
		t.Errorf("update: written %v, stamps %s %v %s %v", res.Written, change.CreatedBy, change.CreatedAt, change.UpdatedBy, change.UpdatedAt)
	}
	entries = log(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindAccountPlans, Op: kolgraph.OpUpdate})
	after, _ := json.Marshal(change)
	if len(entries) != 1 || entries[0].Before != string(want) || entries[0].After != string(after) || entries[0].Actor != "U02" {
		t.Fatalf("audit of the update: got %+v", entries)
	}

	// Delete: the entry keeps the last plan whole.
	if _, err := w.Apply(t.Context(), "U02", "mutation deleteAccountPlan",
		&kolgraph.ChangeSet{Delete: kolgraph.Deletion{AccountPlans: []string{"AP1"}}}); err != nil {
		t.Fatal(err)
	}
	entries = log(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindAccountPlans, Op: kolgraph.OpDelete})
	if len(entries) != 1 || entries[0].Before != string(after) {
		t.Fatalf("audit of the delete: got %+v", entries)
	}
}

// TestAccountPlanDryRun: a dry run judges a plan as the write would,
// references included, and writes nothing.
func TestAccountPlanDryRun(t *testing.T) {
	s := loaded(t)
	w := writer.New(s, nil)
	p := storetest.NewPlan("AP1", "H001", "PR09", "U01")
	_, err := w.Plan(t.Context(), &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{p}})
	var e *kolgraph.Error
	if kolgraph.ErrorCode(err) != kolgraph.EINVALID || !errors.As(err, &e) || len(e.Problems) != 1 ||
		e.Problems[0].File != "account_plans/AP1" || e.Problems[0].Field != "product_id" {
		t.Fatalf("dry run of a plan of an unknown product: got %v, want BAD_USER_INPUT on account_plans/AP1 product_id", err)
	}
	p.ProductID = "PR01"
	plan, err := w.Plan(t.Context(), &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{p}})
	if err != nil {
		t.Fatal(err)
	}
	if c := plan.Counts[kolgraph.KindAccountPlans]; c == nil || c.Created != 1 {
		t.Errorf("dry run counts: got %+v, want 1 created", c)
	}
	if got, _ := s.AccountPlans(t.Context(), []string{"AP1"}); got[0] != nil {
		t.Error("a dry run stored the plan")
	}
}
