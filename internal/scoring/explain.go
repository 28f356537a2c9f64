package scoring

import (
	"cmp"
	"context"
	"slices"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// Explanation is an HCP's influence score with what produced it, so a cited
// number can be defended and reproduced (same graph version, same params).
type Explanation struct {
	Ranking    *Ranking
	Node       int32
	Rank       int // 0-based
	Value      float64
	Percentile float64
	Components []Component
	// TopOutgoing are the people this HCP sways whose own standing adds most
	// to the HCP's PageRank (contribution = d * w(u,v) / W_in(v) * PR(v));
	// TopIncoming are the strongest ties of people who sway this HCP.
	TopOutgoing []EdgeContribution
	TopIncoming []EdgeContribution
}

// EdgeContribution is an INFLUENCES edge within the scope and what it adds.
type EdgeContribution struct {
	From, To     string
	Weight       float64
	Contribution float64
}

// TopEdges is how many edges an explanation lists each way.
const TopEdges = 5

// Explain returns the INFLUENCE score of the HCP within sc (the HCP's
// hospital when sc is empty). It returns nil when the scope is too small to
// rank (see MinScope).
func (s *Service) Explain(ctx context.Context, hcpID string, sc snapshot.Scope) (*Explanation, error) {
	snap, err := s.snaps.Get()
	if err != nil {
		return nil, err
	}
	v, ok := snap.Index(hcpID)
	if !ok {
		return nil, kolgraph.Errorf(kolgraph.ENOTFOUND, "HCP %s is not in the analytics snapshot of graph %s", hcpID, snap.GraphVersion())
	}
	if sc == (snapshot.Scope{}) {
		sc.Hospital = snap.HCPs[v].HospitalID
	}
	r, err := s.Ranking(ctx, sc, Influence)
	if err != nil {
		return nil, err
	}
	// A stale ranking has its own snapshot, whose node indices are not
	// snap's: the HCP is found there by id. One it does not rank (a new
	// HCP, or one moved into the scope) waits for the current ranking.
	if rv, in := r.Snapshot.Index(hcpID); r.Snapshot != snap && (!in || r.Rank(rv) < 0) {
		if r, err = s.RankingOn(ctx, snap, sc, Influence); err != nil {
			return nil, err
		}
	}
	if r.Note != "" {
		return nil, nil
	}
	v, _ = r.Snapshot.Index(hcpID)
	rank := r.Rank(v)
	if rank < 0 {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "HCP %s is not in scope %s", hcpID, sc.Key())
	}
	i, _ := r.localIndex(v)
	p := r.parts
	w := s.params.Weights
	total := w.sum()
	comp := func(name string, raw, norm, weight float64) Component {
		return Component{Name: name, Raw: raw, Normalized: norm, Weight: weight / total, Contribution: weight / total * norm}
	}
	e := &Explanation{
		Ranking: r, Node: v, Rank: rank, Value: r.Values[rank], Percentile: r.Percentiles[rank],
		Components: []Component{
			comp("pagerank", p.pagerank[i], p.norm[0][i], w.PageRank),
			comp("betweenness", p.betweenness[i], p.norm[1][i], w.Betweenness),
			comp("reach", p.reach[i], p.norm[2][i], w.Reach),
			comp("degree", p.degree[i], p.norm[3][i], w.Degree),
			comp("position", p.position[i], p.position[i], w.Position),
			comp("committee", p.seat[i], p.seat[i], w.Committee),
			comp("kol", p.kol[i], p.kol[i], w.KOL),
		},
	}
	e.TopOutgoing, e.TopIncoming = s.topEdges(r.Snapshot, r, i)
	return e, nil
}

// topEdges lists the scope-local node i's strongest edges both ways.
func (s *Service) topEdges(snap *snapshot.Snapshot, r *Ranking, i int32) (out, in []EdgeContribution) {
	g := r.sub
	global := r.members // local -> snapshot index
	inWeight := func(v int32) float64 {
		var sum float64
		for _, e := range mustEdges(g.InNeighbors(v)) {
			sum += g.Weight(e)
		}
		return sum
	}
	to, ws := g.OutNeighbors(i)
	for k, t := range to {
		c := s.params.Damping * ws[k] / inWeight(t) * r.pr[t]
		out = append(out, EdgeContribution{From: snap.IDs[global[i]], To: snap.IDs[global[t]], Weight: ws[k], Contribution: c})
	}
	from, edges := g.InNeighbors(i)
	for k, f := range from {
		in = append(in, EdgeContribution{From: snap.IDs[global[f]], To: snap.IDs[global[i]], Weight: g.Weight(edges[k])})
	}
	byContribution := func(a, b EdgeContribution) int {
		if c := cmp.Compare(b.Contribution, a.Contribution); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Weight, a.Weight); c != 0 {
			return c
		}
		return cmp.Compare(a.From+"\x00"+a.To, b.From+"\x00"+b.To)
	}
	slices.SortFunc(out, byContribution)
	slices.SortFunc(in, byContribution)
	return out[:min(TopEdges, len(out))], in[:min(TopEdges, len(in))]
}

func mustEdges(_ []int32, edges []int32) []int32 { return edges }
