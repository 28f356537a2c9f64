package analyticstest

import (
	"slices"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/seedgen"
)

// Region returns the influence graph of the region `kolgraph generate -hcps
// hcps` writes (the default seed) as internal/snapshot builds it: node
// indices in HCP id order, one edge per INFLUENCES tie with its weight.
// 100,000 HCPs give 1,050,000 edges.
func Region(hcps int) (n int, edges []analytics.Edge) {
	cs := seedgen.Generate(seedgen.Config{Seed: seedgen.DefaultConfig().Seed, HCPs: hcps})
	ids := make([]string, len(cs.HCPs))
	for i, h := range cs.HCPs {
		ids[i] = h.ID
	}
	slices.Sort(ids)
	index := make(map[string]int32, len(ids))
	for i, id := range ids {
		index[id] = int32(i)
	}
	edges = make([]analytics.Edge, len(cs.Influences))
	for i, e := range cs.Influences {
		edges[i] = analytics.Edge{From: index[e.From], To: index[e.To], Weight: e.Weight}
	}
	return len(ids), edges
}
