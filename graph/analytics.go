package graph

import (
	"context"
	"fmt"

	"github.com/kolgraph/kolgraph/graph/model"
	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

func scopeOf(s model.ScopeInput) snapshot.Scope {
	return snapshot.Scope{Hospital: str(s.Hospital), Department: str(s.Department), Territory: str(s.Territory)}
}

func (r *Resolver) ranking(ctx context.Context, sc snapshot.Scope, m scoring.Metric, first *int, after *string) (*model.RankingConnection, error) {
	if _, _, _, err := offsetPage(0, first, after); err != nil {
		return nil, err // bad arguments cost no computation
	}
	rk, err := r.deps(ctx).Analytics.Scores.Ranking(ctx, sc, m)
	if err != nil {
		return nil, err
	}
	usedResult(ctx, rk.Snapshot) // which may be older than the current one: rk names its nodes
	start, end, pi, err := offsetPage(len(rk.Nodes), first, after)
	if err != nil {
		return nil, err
	}
	conn := &model.RankingConnection{
		Edges:        []*model.RankingEdge{},
		TotalCount:   len(rk.Nodes),
		Metric:       m,
		GraphVersion: rk.Snapshot.GraphVersion(),
		ComputedAt:   rk.ComputedAt,
		Parameters:   r.parameters(m),
		Note:         optional(rk.Note),
	}
	if usesBetweenness(m) {
		conn.BetweennessExact, conn.BetweennessSources = &rk.BetweennessExact, &rk.BetweennessSources
		conn.BetweennessErrorBound = errorBound(rk)
	}
	for i := start; i < end; i++ {
		conn.Edges = append(conn.Edges, &model.RankingEdge{Cursor: encodeRankCursor(i), Node: &model.RankedHCP{
			Rank: i + 1, Value: rk.Values[i], Percentile: 100 * rk.Percentiles[i], HCPID: rk.Snapshot.IDs[rk.Nodes[i]],
		}})
	}
	conn.PageInfo = pi
	return conn, nil
}

// usesBetweenness: the metric is BETWEENNESS or a blend with it, so its
// ranking says how betweenness was computed (null otherwise).
func usesBetweenness(m scoring.Metric) bool {
	return m == scoring.Betweenness || m == scoring.Influence
}

// parameters lists what a cited result needs to be reproduced.
func (r *Resolver) parameters(m scoring.Metric) []*model.Parameter {
	p := r.Views.Full().Scores.Params() // every territory set's too
	ps := []*model.Parameter{{Name: "metric", Value: string(m)}}
	add := func(name string, v any) { ps = append(ps, &model.Parameter{Name: name, Value: fmt.Sprint(v)}) }
	if m == scoring.PageRank || m == scoring.Influence {
		add("pagerank.damping", p.Damping)
		add("pagerank.tolerance", analytics.DefaultPageRankTol)
		add("pagerank.maxIterations", analytics.DefaultPageRankMaxIter)
	}
	if m == scoring.Eigenvector {
		add("eigenvector.tolerance", analytics.DefaultEigenTol)
		add("eigenvector.maxIterations", analytics.DefaultEigenMaxIter)
	}
	if usesBetweenness(m) {
		add("betweenness.exactMaxNodes", p.BetweennessExactMax)
		add("betweenness.sampledSources", p.BetweennessSources)
		add("betweenness.sampledShare", p.BetweennessShare)
		add("betweenness.seed", p.Seed)
	}
	if m == scoring.Influence {
		w := p.Weights
		for _, kv := range []struct {
			k string
			v float64
		}{{"pagerank", w.PageRank}, {"betweenness", w.Betweenness}, {"reach", w.Reach}, {"degree", w.Degree},
			{"position", w.Position}, {"committee", w.Committee}, {"kol", w.KOL}} {
			add("weight."+kv.k, kv.v)
		}
	}
	return ps
}

func (r *Resolver) influenceScore(e *scoring.Explanation) *model.InfluenceScore {
	rk := e.Ranking
	out := &model.InfluenceScore{
		Value:            e.Value,
		Percentile:       100 * e.Percentile,
		Rank:             e.Rank + 1,
		ScopeSize:        len(rk.Nodes),
		Parameters:       r.parameters(scoring.Influence),
		BetweennessExact: rk.BetweennessExact,
		GraphVersion:     rk.Snapshot.GraphVersion(),
		ComputedAt:       rk.ComputedAt,
	}
	out.BetweennessErrorBound = errorBound(rk)
	for _, c := range e.Components {
		out.Components = append(out.Components, &model.ScoreComponent{
			Name: c.Name, Raw: c.Raw, Normalized: c.Normalized, Weight: c.Weight, Contribution: c.Contribution})
	}
	contrib := func(es []scoring.EdgeContribution) []*model.InfluenceContribution {
		out := []*model.InfluenceContribution{}
		for _, x := range es {
			out = append(out, &model.InfluenceContribution{Key: kolgraph.EdgeKey{From: x.From, To: x.To}, Contribution: x.Contribution})
		}
		return out
	}
	out.TopOutgoing, out.TopIncoming = contrib(e.TopOutgoing), contrib(e.TopIncoming)
	return out
}

// errorBound is the ranking's betweenness error bound, nil when exact.
func errorBound(rk *scoring.Ranking) *float64 {
	if rk.BetweennessExact {
		return nil
	}
	return &rk.BetweennessErrorBound
}
