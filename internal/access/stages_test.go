package access_test

import (
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// TestStageKindsAreThePlansStages: an account plan's stakeholder names
// the decision-chain stage it was at with kolgraph.DecisionStages, which
// must be the chain's stage kinds, in order.
func TestStageKindsAreThePlansStages(t *testing.T) {
	var got []string
	for _, k := range access.StageKinds {
		got = append(got, string(k))
	}
	if !slices.Equal(got, kolgraph.DecisionStages) {
		t.Errorf("access.StageKinds %q, kolgraph.DecisionStages %q: want equal", got, kolgraph.DecisionStages)
	}
}
