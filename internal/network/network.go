// Package network cuts the pieces of the influence graph that a front end
// draws: an HCP's neighbourhood (the people within a few INFLUENCES hops)
// and the HCPs of a scope, each with the edges between them, in one
// answer. It reads one snapshot (so a territory-scoped caller, whose
// snapshot is its territories' induced view, can neither see nor pass
// through anyone outside them) and the INFLUENCE rankings of the scoring
// service for node sizes.
package network

import (
	"cmp"
	"context"
	"slices"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// Direction is which INFLUENCES edges a neighbourhood follows from its
// center: A -> B means A sways B.
type Direction string

const (
	// Out follows edges away from the center: whom it sways, and so on.
	Out Direction = "OUT"
	// In follows edges into the center: who sways it, and so on.
	In Direction = "IN"
	// Both follows edges either way.
	Both Direction = "BOTH"
)

// Bounds of the arguments (the API's, checked by Neighborhood and Scope).
const (
	MaxHops      = 3
	DefaultFirst = 200
	// MaxFirst bounds the nodes of one answer: a territory of the seed
	// region (about 2,100 HCPs) fits.
	MaxFirst = 5000
	// DefaultFirstEdges and MaxFirstEdges bound its edges (about 10 per
	// HCP in the seed region).
	DefaultFirstEdges = 2000
	MaxFirstEdges     = 50000
)

// Node is one HCP of a graph.
type Node struct {
	Index int32
	HCP   *kolgraph.HCP
	// Distance is the number of hops from the center (0 for the center);
	// nil in a scope's graph.
	Distance *int
	// Influence is the HCP's INFLUENCE score (in [0,1]) within its
	// hospital for a neighbourhood, within the scope for a scope's graph;
	// nil when that scope is too small to rank.
	Influence *float64
}

// Edge is one INFLUENCES edge between two nodes of a graph. Evidence is
// nil when the data gives none. (Plain fields, no resolvers: gqlgen
// marshals a list of such objects without a goroutine per element, which
// a territory's ~20,000 edges would otherwise cost.)
type Edge struct {
	From, To string
	Weight   float64
	Kind     string
	Evidence *string
}

// Graph is a drawable piece of the influence graph.
type Graph struct {
	Nodes []Node
	Edges []Edge
	// TotalNodes and TotalEdges count what the query reached before
	// first and firstEdges cut it.
	TotalNodes, TotalEdges int
	Snapshot               *snapshot.Snapshot
}

// Truncated reports whether first or firstEdges left something out.
func (g *Graph) Truncated() bool {
	return g.TotalNodes > len(g.Nodes) || g.TotalEdges > len(g.Edges)
}

// Ranker is the scoring the node sizes come from (scoring.Service has it).
type Ranker interface {
	Ranking(ctx context.Context, sc snapshot.Scope, m scoring.Metric) (*scoring.Ranking, error)
}

// Service answers neighbourhood and scope queries over a snapshot source
// (the caller's view) and its rankings.
type Service struct {
	Snapshots snapshot.Source
	Scores    Ranker
}

// Query is a neighbourhood query.
type Query struct {
	Center    string
	Hops      int
	MinWeight float64
	Direction Direction
	// First bounds the nodes (the center always included), FirstEdges the
	// edges.
	First, FirstEdges int
}

// Neighborhood returns the HCPs within q.Hops INFLUENCES edges of weight
// >= q.MinWeight from the center, followed in q.Direction, and every such
// edge between two of them (including edges against the direction, which
// show how the neighbours sway each other). Nodes come nearest first;
// within a hop, by the strongest edge that reached them, then by id; the
// first q.First are kept. Edges come strongest first, then by ids.
//
// Complexity: O(V log V + E log E) for the V nodes and E edges reached.
func (s *Service) Neighborhood(ctx context.Context, q Query) (*Graph, error) {
	if err := checkCommon(q.MinWeight, q.First, q.FirstEdges); err != nil {
		return nil, err
	}
	switch {
	case q.Center == "":
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "center is empty; give an HCP id")
	case q.Hops < 1 || q.Hops > MaxHops:
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "hops must be between 1 and %d (got %d)", MaxHops, q.Hops)
	case q.Direction != Out && q.Direction != In && q.Direction != Both:
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "unknown direction %q", q.Direction)
	}
	snap, err := s.Snapshots.Get()
	if err != nil {
		return nil, err
	}
	center, ok := snap.Index(q.Center)
	if !ok {
		return nil, kolgraph.Errorf(kolgraph.ENOTFOUND, "no HCP %q", q.Center)
	}
	g := snap.Graph
	// Breadth-first by levels; best[v] is the strongest edge that reached v.
	dist := map[int32]int{center: 0}
	best := map[int32]float64{center: 2}
	frontier := []int32{center}
	for d := 1; d <= q.Hops && len(frontier) > 0; d++ {
		var next []int32
		reach := func(v int32, w float64) {
			if w < q.MinWeight {
				return
			}
			if dv, seen := dist[v]; !seen {
				dist[v], best[v] = d, w
				next = append(next, v)
			} else if dv == d && w > best[v] {
				best[v] = w
			}
		}
		for _, u := range frontier {
			if q.Direction != In {
				to, ws := g.OutNeighbors(u)
				for i, v := range to {
					reach(v, ws[i])
				}
			}
			if q.Direction != Out {
				from, es := g.InNeighbors(u)
				for i, v := range from {
					reach(v, g.Weight(es[i]))
				}
			}
		}
		frontier = next
	}
	nodes := make([]int32, 0, len(dist))
	for v := range dist {
		nodes = append(nodes, v)
	}
	slices.SortFunc(nodes, func(a, b int32) int {
		if c := cmp.Compare(dist[a], dist[b]); c != 0 {
			return c
		}
		if c := cmp.Compare(best[b], best[a]); c != 0 {
			return c
		}
		return cmp.Compare(snap.IDs[a], snap.IDs[b])
	})
	out := &Graph{TotalNodes: len(nodes), Snapshot: snap}
	nodes = nodes[:min(len(nodes), q.First)]
	for _, v := range nodes {
		d := dist[v]
		out.Nodes = append(out.Nodes, Node{Index: v, HCP: snap.HCPs[v], Distance: &d})
	}
	out.Edges, out.TotalEdges = between(snap, nodes, q.MinWeight, q.FirstEdges)
	s.influenceByHospital(ctx, snap, out.Nodes)
	return out, nil
}

// Scope returns the HCPs of scope sc (snapshot.Scope: one hospital,
// department or territory; none is the caller's whole view) and the edges
// of weight >= minWeight between them. When first cuts the nodes, the
// most influential are kept: nodes come by INFLUENCE within the scope,
// best first (ties and unranked scopes by id). Edges come strongest first,
// then by ids.
//
// Complexity: that of the scope's INFLUENCE ranking (cached per graph
// version), plus O(V + E log E).
func (s *Service) Scope(ctx context.Context, sc snapshot.Scope, minWeight float64, first, firstEdges int) (*Graph, error) {
	if err := checkCommon(minWeight, first, firstEdges); err != nil {
		return nil, err
	}
	rk, err := s.Scores.Ranking(ctx, sc, scoring.Influence)
	if err != nil {
		return nil, err
	}
	snap := rk.Snapshot
	nodes, err := snap.Nodes(sc)
	if err != nil {
		return nil, err
	}
	out := &Graph{TotalNodes: len(nodes), Snapshot: snap}
	infl := make(map[int32]float64, len(rk.Nodes))
	for i, v := range rk.Nodes {
		infl[v] = rk.Values[i]
	}
	ordered := slices.Clone(nodes)
	slices.SortStableFunc(ordered, func(a, b int32) int { // nodes are in id order already
		ra, rb := rk.Rank(a), rk.Rank(b)
		switch {
		case ra >= 0 && rb >= 0:
			return cmp.Compare(ra, rb)
		case ra >= 0:
			return -1
		case rb >= 0:
			return 1
		}
		return 0
	})
	ordered = ordered[:min(len(ordered), first)]
	for _, v := range ordered {
		n := Node{Index: v, HCP: snap.HCPs[v]}
		if x, ok := infl[v]; ok {
			n.Influence = &x
		}
		out.Nodes = append(out.Nodes, n)
	}
	out.Edges, out.TotalEdges = between(snap, ordered, minWeight, firstEdges)
	return out, nil
}

func checkCommon(minWeight float64, first, firstEdges int) error {
	switch {
	case !(minWeight >= 0 && minWeight <= 1):
		return kolgraph.Errorf(kolgraph.EINVALID, "minWeight must be in [0,1] (got %v)", minWeight)
	case first < 0 || first > MaxFirst:
		return kolgraph.Errorf(kolgraph.EINVALID, "first must be between 0 and %d (got %d)", MaxFirst, first)
	case firstEdges < 0 || firstEdges > MaxFirstEdges:
		return kolgraph.Errorf(kolgraph.EINVALID, "firstEdges must be between 0 and %d (got %d)", MaxFirstEdges, firstEdges)
	}
	return nil
}

// between returns the edges of weight >= minWeight among nodes, strongest
// first then by ids, the first `first` of them, and how many there are.
func between(snap *snapshot.Snapshot, nodes []int32, minWeight float64, first int) ([]Edge, int) {
	in := make(map[int32]bool, len(nodes))
	for _, v := range nodes {
		in[v] = true
	}
	type e struct {
		id       int32
		from, to int32
	}
	var es []e
	g := snap.Graph
	for _, u := range nodes {
		lo, hi := g.OutEdges(u)
		for id := lo; id < hi; id++ {
			if v := g.Target(id); in[v] && g.Weight(id) >= minWeight {
				es = append(es, e{id, u, v})
			}
		}
	}
	slices.SortFunc(es, func(a, b e) int {
		if c := cmp.Compare(g.Weight(b.id), g.Weight(a.id)); c != 0 {
			return c
		}
		if c := cmp.Compare(snap.IDs[a.from], snap.IDs[b.from]); c != 0 {
			return c
		}
		return cmp.Compare(snap.IDs[a.to], snap.IDs[b.to])
	})
	total := len(es)
	es = es[:min(len(es), first)]
	out := make([]Edge, len(es))
	for i, x := range es {
		kind, ev := snap.Tie(x.id)
		out[i] = Edge{From: snap.IDs[x.from], To: snap.IDs[x.to], Weight: g.Weight(x.id), Kind: kind}
		if ev != "" {
			out[i].Evidence = &ev
		}
	}
	return out, total
}

// influenceByHospital sets each node's INFLUENCE within its hospital (the
// scope HCP.influence defaults to), from rankings of snap's version. A
// ranking that fails or runs on another version leaves the value nil: node
// sizes are a picture, not a citation.
func (s *Service) influenceByHospital(ctx context.Context, snap *snapshot.Snapshot, nodes []Node) {
	ranks := map[string]map[int32]float64{}
	for i := range nodes {
		h := nodes[i].HCP.HospitalID
		vals, ok := ranks[h]
		if !ok {
			rk, err := s.Scores.Ranking(ctx, snapshot.Scope{Hospital: h}, scoring.Influence)
			if err == nil && rk.Snapshot.Version == snap.Version {
				vals = make(map[int32]float64, len(rk.Nodes))
				for j, v := range rk.Nodes {
					vals[v] = rk.Values[j]
				}
			}
			ranks[h] = vals
		}
		if x, ok := vals[nodes[i].Index]; ok {
			nodes[i].Influence = &x
		}
	}
}
