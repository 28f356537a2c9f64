package graph

import (
	"context"

	"github.com/kolgraph/kolgraph/graph/model"
	"github.com/kolgraph/kolgraph/internal/network"
)

// network is the network service over the operation's view: its
// territories' snapshots and rankings.
func (r *Resolver) network(ctx context.Context) *network.Service {
	a := r.deps(ctx).Analytics
	return &network.Service{Snapshots: a.Snapshots, Scores: a.Scores}
}

func (r *Resolver) neighborhood(ctx context.Context, center string, hops *int, minWeight *float64, direction *network.Direction, first, firstEdges *int) (*network.Graph, error) {
	dir := network.Both
	if direction != nil {
		dir = *direction
	}
	return r.network(ctx).Neighborhood(ctx, network.Query{Center: center, Hops: intOr(hops, 1),
		MinWeight: floatOr(minWeight, 0), Direction: dir,
		First: intOr(first, network.DefaultFirst), FirstEdges: intOr(firstEdges, network.DefaultFirstEdges)})
}

func (r *Resolver) scopeGraph(ctx context.Context, scope model.ScopeInput, minWeight *float64, first, firstEdges *int) (*network.Graph, error) {
	return r.network(ctx).Scope(ctx, scopeOf(scope), floatOr(minWeight, 0),
		intOr(first, 500), intOr(firstEdges, 5000))
}
