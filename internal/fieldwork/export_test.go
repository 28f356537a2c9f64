package fieldwork

import "github.com/kolgraph/kolgraph/internal/kolgraph"

// ActivityROI is one activity's ROI from facts (the product's HCP-level
// facts; others are ignored), as Evaluate computes it: the tests check the
// arithmetic on it alone.
func ActivityROI(cfg Config, a *kolgraph.Activity, facts []kolgraph.PrescriptionFact) ROI {
	return newFactIndex(facts).roi(cfg, a)
}
