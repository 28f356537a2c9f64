package kolgraph_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/storetest"
)

func planProblems(t *testing.T, p *kolgraph.AccountPlan, derivable bool) []kolgraph.Problem {
	t.Helper()
	cs := &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{p}}
	check := cs.CheckFields
	if derivable {
		check = cs.CheckFieldsToDerive
	}
	err := check()
	if err == nil {
		return nil
	}
	e, ok := err.(*kolgraph.Error)
	if !ok || e.Code != kolgraph.EINVALID {
		t.Fatalf("CheckFields: got %v, want BAD_USER_INPUT", err)
	}
	return e.Problems
}

func TestAccountPlanNotes(t *testing.T) {
	for _, tc := range []struct {
		name, notes string
		ok          bool
	}{
		{"long", strings.Repeat("计划 plan ", 800), true}, // 8,800 bytes
		{"too long", strings.Repeat("x", kolgraph.MaxNotesLen+1), false},
		{"formula", "=1+1" + strings.Repeat(" ", 2000), false},
		{"NUL after the first 1000 bytes", strings.Repeat("x", 1500) + "\x00", false},
		{"invalid UTF-8 late", strings.Repeat("x", 1500) + "\xff", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := storetest.NewPlan("AP1", "H001", "PR01", "U01")
			p.Notes = tc.notes
			ps := planProblems(t, p, false)
			if got := len(ps) == 0; got != tc.ok {
				t.Fatalf("problems %v; want ok %v", ps, tc.ok)
			}
			if !tc.ok && ps[0].Field != "notes" {
				t.Errorf("problem field %q, want notes", ps[0].Field)
			}
		})
	}
}

// TestAccountPlanSize: a plan must fit whole in the audit log, before and
// after, so its JSON is bounded.
func TestAccountPlanSize(t *testing.T) {
	p := storetest.NewPlan("AP1", "H001", "PR01", "U01")
	c := p.Citations[0]
	c.Hops[0].Evidence = strings.Repeat("e", kolgraph.MaxTextLen)
	p.Citations = nil
	for i := range kolgraph.MaxPlanCitations {
		c.PathID = fmt.Sprintf("path-%d", i)
		p.Citations = append(p.Citations, c)
	}
	ps := planProblems(t, p, false)
	if len(ps) != 1 || ps[0].Field != "" || !strings.Contains(ps[0].Message, "bytes as JSON") {
		t.Fatalf("a plan of ~%d KiB: got %v, want one problem with its size", kolgraph.MaxPlanCitations, ps)
	}
	if kolgraph.MaxPlanBytes >= kolgraph.MaxAuditText {
		t.Errorf("MaxPlanBytes %d must stay below MaxAuditText %d", kolgraph.MaxPlanBytes, kolgraph.MaxAuditText)
	}
}

// TestAccountPlanStampsAreDerivable: the writer fills who and when; a
// store takes only complete plans.
func TestAccountPlanStampsAreDerivable(t *testing.T) {
	p := storetest.NewPlan("AP1", "H001", "PR01", "U01")
	p.CreatedBy, p.UpdatedBy, p.CreatedAt, p.UpdatedAt = "", "", time.Time{}, time.Time{}
	if ps := planProblems(t, p, true); len(ps) != 0 {
		t.Errorf("to derive: got %v, want none", ps)
	}
	fields := map[string]bool{}
	for _, q := range planProblems(t, p, false) {
		fields[q.Field] = true
	}
	for _, f := range []string{"created_by", "updated_by", "created_at", "updated_at"} {
		if !fields[f] {
			t.Errorf("store check: no problem on %s (got %v)", f, fields)
		}
	}
}
