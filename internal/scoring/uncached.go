package scoring

import (
	"context"
	"slices"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/memo"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// RankingUncached returns the ranking of metric over scope on snap, neither
// looked up in nor stored in the service's cache: for a graph that is no
// version of the store, such as a what-if's snapshot.Variant (whose Version
// is its base's, so a cached ranking of it would be served as the live
// one). The live rankings stay as they were, cached or running.
//
// prev, when not nil, is a ranking of the same scope and metric on another
// snapshot (the base of the variant): if the scope reads the same on both
// (the fingerprint the cache carries rankings over versions by), prev is
// returned on snap, renumbered, in O(n + m log n) for the scope's n HCPs
// and m edges. Otherwise the ranking is computed now, within ctx (the
// request's deadline), with the betweenness, reach and eigenvector kernels
// on one goroutine as a background computation's are (PAGERANK's power
// iteration is split over the cores above 32,768 edges whatever the
// context), so that live requests keep the other cores.
func (s *Service) RankingUncached(ctx context.Context, snap *snapshot.Snapshot, sc snapshot.Scope, m Metric, prev *Ranking) (*Ranking, error) {
	if !slices.Contains(Metrics, m) {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "unknown metric %q", m)
	}
	nodes, err := snap.Nodes(sc)
	if err != nil {
		return nil, err
	}
	if prev != nil && prev.Metric == m && prev.Scope == sc && prev.Snapshot != nil {
		if prevNodes, err := prev.Snapshot.Nodes(sc); err == nil &&
			printOf(prev.Snapshot, prevNodes, m) == printOf(snap, nodes, m) {
			return prev.rebind(snap, nodes), nil
		}
	}
	return s.compute(memo.InBackground(ctx), snap, sc, m)
}
