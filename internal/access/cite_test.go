package access_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/citation"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// TestPathsFitACitation: the paths the service issues, from given HCPs and
// from a user's contacts, pass an account plan's checks as citations (ids
// longer than a record id, strengths as the service computes them) and
// read back from their JSON unchanged.
func TestPathsFitACitation(t *testing.T) {
	e := newEnv(t, region())
	plan := &kolgraph.AccountPlan{ID: "AP1", HospitalID: "H1", ProductID: "PR1", OwnerID: "U1", Status: kolgraph.PlanDraft,
		PeriodStart: "2026-01-01", PeriodEnd: "2028-12-31", CreatedBy: "U1", UpdatedBy: "U1",
		CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
	for _, user := range []string{"", "U1"} {
		q := access.Query{From: []string{"A6"}, To: "A1", K: 5, MaxHops: 6}
		if user != "" {
			q.From = nil
		}
		for _, p := range mustPaths(t, e.svc, user, q) {
			plan.Citations = append(plan.Citations, citation.Cite(p, "cited by the test"))
		}
	}
	if err := (&kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{plan}}).CheckFields(); err != nil {
		t.Fatalf("a plan citing the service's paths: %v", err)
	}
	b, err := json.Marshal(plan.Citations)
	if err != nil {
		t.Fatal(err)
	}
	var back []kolgraph.CitedPath
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if b2, _ := json.Marshal(back); string(b2) != string(b) {
		t.Errorf("citations do not read back from their JSON:\n got %s\nwant %s", b2, b)
	}
}
