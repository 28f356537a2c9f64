package scoring

import (
	"context"
	"slices"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/memo"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// RankingUncached returns the ranking of metric over scope on snap,
// computed now, within ctx (the request's deadline), and neither looked up
// in nor stored in the service's cache: for a graph that is no version of
// the store, such as a what-if's snapshot.Variant (whose Version is its
// base's, so a cached ranking of it would be served as the live one). It
// leaves the live rankings as they were, cached or running, and its
// betweenness, reach and eigenvector kernels keep to one goroutine, as a
// background computation's do (PAGERANK's power iteration is split over
// the cores above 32,768 edges, whatever the context), so that live
// requests keep the other cores.
func (s *Service) RankingUncached(ctx context.Context, snap *snapshot.Snapshot, sc snapshot.Scope, m Metric) (*Ranking, error) {
	if !slices.Contains(Metrics, m) {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "unknown metric %q", m)
	}
	return s.compute(memo.InBackground(ctx), snap, sc, m)
}
