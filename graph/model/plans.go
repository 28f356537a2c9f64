package model

import "github.com/kolgraph/kolgraph/internal/kolgraph"

// Citation is one citation of an account plan, with the plan it belongs
// to: its health is computed for the caller, and its entry tie is masked
// for callers who may not see the citing user's ties.
type Citation struct {
	*kolgraph.CitedPath
	Plan *kolgraph.AccountPlan
}
