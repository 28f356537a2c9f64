package access_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

type wantStage struct {
	kind   access.StageKind
	people string // "id:role ..." in order
	note   bool
}

func people(st *access.Stage) string {
	var b []string
	for _, m := range st.People {
		b = append(b, m.HCP.ID+":"+m.Role)
	}
	return strings.Join(b, " ")
}

func TestDecisionChainRules(t *testing.T) {
	e := newEnv(t, region())
	tests := []struct {
		name, hospital, product string
		listing                 string
		want                    []wantStage
	}{
		{"committees add stages; a headless department sends its deputy", "HA", "RX1", "pending", []wantStage{
			{access.Propose, "A4:department_head A5:deputy_head", false},
			{access.PharmacyReview, "A3:pharmacy_director", false},
			{access.DRGReview, "A1:chair A6:member", false},
			{access.PTDecision, "A2:chair A3:secretary A4:member", false},
			{access.SignOff, "A1:president", false},
		}},
		{"a product no department treats", "HA", "RX2", "", []wantStage{
			{access.Propose, "", true},
			{access.PharmacyReview, "A3:pharmacy_director", false},
			{access.DRGReview, "A1:chair A6:member", false},
			{access.PTDecision, "A2:chair A3:secretary A4:member", false},
			{access.SignOff, "A1:president", false},
		}},
		{"fallbacks: pharmacy head, vice president; no P&T committee", "HB", "", "", []wantStage{
			{access.Propose, "", true},
			{access.PharmacyReview, "B3:department_head", false},
			{access.PTDecision, "", true},
			{access.SignOff, "B1:vice_president", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := e.svc.DecisionChain(context.Background(), tt.hospital, tt.product)
			if err != nil {
				t.Fatal(err)
			}
			if c.Hospital.ID != tt.hospital || c.GraphVersion == "" {
				t.Errorf("chain of %v on %q", c.Hospital, c.GraphVersion)
			}
			gotListing := ""
			if c.Listing != nil {
				gotListing = c.Listing.Status
			}
			if gotListing != tt.listing {
				t.Errorf("listing %q, want %q", gotListing, tt.listing)
			}
			if len(c.Stages) != len(tt.want) {
				t.Fatalf("%d stages, want %d", len(c.Stages), len(tt.want))
			}
			for i, st := range c.Stages {
				w := tt.want[i]
				if st.Order != i+1 || st.Kind != w.kind || people(st) != w.people || (st.Note != "") != w.note {
					t.Errorf("stage %d: %d %s [%s] note %q; want %s [%s] note %v", i, st.Order, st.Kind, people(st), st.Note, w.kind, w.people, w.note)
				}
				if st.Rule == "" || st.Description == "" {
					t.Errorf("stage %s: no rule or description", st.Kind)
				}
				if st.Path != nil {
					t.Errorf("stage %s has a path without a caller", st.Kind)
				}
			}
			if c.Note == "" {
				t.Error("no note saying why there are no paths")
			}
		})
	}
}

// TestDecisionChainInfluence: people carry their hospital INFLUENCE score,
// most influential first within a role.
func TestDecisionChainInfluence(t *testing.T) {
	e := newEnv(t, region())
	c, err := e.svc.DecisionChain(context.Background(), "HA", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range c.Stages {
		for i, m := range st.People {
			if m.Influence == nil || m.Influence.Rank < 1 || m.Influence.Value < 0 || m.Influence.Value > 1 {
				t.Errorf("%s %s: influence %+v", st.Kind, m.HCP.ID, m.Influence)
				continue
			}
			if i > 0 && st.People[i-1].Role == m.Role && st.People[i-1].Influence.Value < m.Influence.Value {
				t.Errorf("%s: %s before the more influential %s", st.Kind, st.People[i-1].HCP.ID, m.HCP.ID)
			}
		}
	}
	// Without a product every clinical department proposes.
	if got := people(c.Stages[0]); got != "A4:department_head A5:deputy_head" && got != "A5:deputy_head A4:department_head" {
		t.Errorf("proposers %s", got)
	}
}

func TestDecisionChainPaths(t *testing.T) {
	e := newEnv(t, region())
	c, err := e.svc.DecisionChain(viewer.WithUser(context.Background(), "U1"), "HA", "RX1")
	if err != nil {
		t.Fatal(err)
	}
	if c.Note != "" || c.User != "U1" {
		t.Errorf("note %q user %q", c.Note, c.User)
	}
	// The strongest path to each person, independently: from A6 (tie 0.5).
	want := map[string]struct {
		path     string
		strength float64
	}{
		"A1": {"A6 A4 A2 A1", 0.5 * 0.8 * 0.9 * 0.9},
		"A2": {"A6 A4 A2", 0.5 * 0.8 * 0.9},
		"A3": {"A6 A7 A3", 0.5 * 0.9 * 0.9},
		"A4": {"A6 A4", 0.5 * 0.8},
		"A5": {"A6 A4 A5", 0.5 * 0.8 * 0.7},
		"A6": {"A6", 0.5}, // a contact: the zero-hop path
	}
	for _, st := range c.Stages {
		var best *access.Path
		for _, m := range st.People {
			w := want[m.HCP.ID]
			if m.Path == nil || nodeIDs(m.Path) != w.path || math.Abs(m.Path.Strength-w.strength) > 1e-12 {
				t.Errorf("%s %s: path %v, want %s (%v)", st.Kind, m.HCP.ID, m.Path, w.path, w.strength)
				continue
			}
			if best == nil || m.Path.Strength > best.Strength {
				best = m.Path
			}
		}
		if st.Path != best {
			t.Errorf("%s: stage path %v, want the strongest of its people's, %v", st.Kind, st.Path, best)
		}
	}
}

func TestDecisionChainErrors(t *testing.T) {
	e := newEnv(t, region())
	tests := []struct {
		name, user, hospital, product, code string
	}{
		{"unknown hospital", "", "HZ", "", kolgraph.ENOTFOUND},
		{"unknown product", "", "HA", "RX9", kolgraph.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.DecisionChain(viewer.WithUser(context.Background(), tt.user), tt.hospital, tt.product)
			if got := kolgraph.ErrorCode(err); got != tt.code {
				t.Errorf("code %q (%v), want %s", got, err, tt.code)
			}
		})
	}
	c, err := e.svc.DecisionChain(viewer.WithUser(context.Background(), "U2"), "HA", "")
	if err != nil || !strings.Contains(c.Note, "knows no HCP") {
		t.Errorf("a user who knows nobody: note %q, err %v", c.Note, err)
	}
	// A caller who is not a user of the graph (dev mode's "dev") gets the
	// chain, with no paths and a note saying why.
	c, err = e.svc.DecisionChain(viewer.WithUser(context.Background(), "U9"), "HA", "")
	if err != nil || c.User != "" || !strings.Contains(c.Note, "U9 is not a user of the graph") || len(c.Stages) == 0 {
		t.Errorf("a caller who is not a user: note %q, user %q, err %v", c.Note, c.User, err)
	}
	for _, st := range c.Stages {
		if st.Path != nil {
			t.Errorf("a caller who is not a user got a path at stage %s", st.Kind)
		}
	}
}
