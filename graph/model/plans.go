package model

import (
	"github.com/kolgraph/kolgraph/internal/citation"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/whatif"
)

// Citation is one citation of an account plan, with the plan it belongs
// to: its health is computed for the caller, and its entry tie is masked
// for callers who may not see the citing user's ties.
type Citation struct {
	*kolgraph.CitedPath
	Plan *kolgraph.AccountPlan
}

// WhatIf is a what-if's answer with the citations it affects.
type WhatIf struct {
	*whatif.Result
	Citations []*WhatIfCitation
}

// WhatIfCitation is a citation whose health a what-if makes worse.
type WhatIfCitation struct {
	Plan          *kolgraph.AccountPlan
	Citation      *Citation
	Before, After *citation.Health
}
