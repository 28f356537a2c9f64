package paths_test

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/analytics/analyticstest"
	"github.com/kolgraph/kolgraph/internal/paths"
)

var (
	mustGraph = analyticstest.MustGraph
	powerLaw  = analyticstest.PowerLaw
)

// karate is Zachary's karate club (analyticstest's testdata/karate.txt, as
// networkx ships it) as two directed edges per tie, each of weight e^-1, so
// that a path's length is its hop count; node i is member i.
func karate(t testing.TB) *analytics.Graph {
	t.Helper()
	var edges []analytics.Edge
	n := 0
	for _, tie := range analyticstest.Ties("karate.txt") {
		u, err1 := strconv.Atoi(tie.From)
		v, err2 := strconv.Atoi(tie.To)
		if err1 != nil || err2 != nil {
			t.Fatalf("bad tie %v", tie)
		}
		w := math.Exp(-1)
		edges = append(edges, analytics.Edge{From: int32(u), To: int32(v), Weight: w},
			analytics.Edge{From: int32(v), To: int32(u), Weight: w})
		n = max(n, u+1, v+1)
	}
	return mustGraph(t, n, edges)
}

// weight modes of randomGraph.
const (
	wRandom   = iota // uniform in [0.05, 1]
	wDiscrete        // from a short list: many equal products
	wUnit            // all 1: every length 0, hops and node order decide
	wOneOver         // all e^-1: length = hops
	wTies            // two-decimal weights whose equal products -ln rounds apart (0.2 and 0.5 x 0.4)
)

// tieWeights have many products equal to another weight or product, most of
// them rounded apart in -ln: -ln 0.2 > -ln 0.5 - ln 0.4 in float64 and in
// the search's fixed point.
var tieWeights = []float64{0.2, 0.5, 0.4, 0.25, 0.8, 1, 0.1, 0.3, 0.6, 0.12, 0.45, 0.2025, 0.9, 0.81}

// randomGraph returns a directed graph of n nodes where each ordered pair is
// an edge with probability p.
func randomGraph(rng *rand.Rand, n int, p float64, mode int) []analytics.Edge {
	var edges []analytics.Edge
	for u := range n {
		for v := range n {
			if u == v || rng.Float64() >= p {
				continue
			}
			var w float64
			switch mode {
			case wRandom:
				w = 0.05 + 0.95*rng.Float64()
			case wDiscrete:
				w = []float64{0.5, 0.8, 0.4, 1, 0.25, 0.9, 0.81}[rng.IntN(7)]
			case wUnit:
				w = 1
			case wOneOver:
				w = math.Exp(-1)
			case wTies:
				w = tieWeights[rng.IntN(len(tieWeights))]
			}
			edges = append(edges, analytics.Edge{From: int32(u), To: int32(v), Weight: w})
		}
	}
	return edges
}

// bruteResult is one path found by enumeration.
type bruteResult struct {
	nodes    []int32
	strength float64 // tie strength times the product of the weights
}

// brute enumerates, by depth-first search over the edge list, every simple
// path q admits, in the pinned order (pinnedOrder).
func brute(n int, edges []analytics.Edge, q paths.Query) []bruteResult {
	adj := make([][]analytics.Edge, n)
	for _, e := range edges {
		adj[e.From] = append(adj[e.From], e)
	}
	avoid := map[int32]bool{}
	for _, v := range q.Avoid {
		avoid[v] = true
	}
	cost := map[int32]float64{}
	for i, s := range q.Sources {
		c := 0.0
		if q.SourceCost != nil {
			c = q.SourceCost[i]
		}
		if old, ok := cost[s]; !ok || c < old {
			cost[s] = c
		}
	}
	var out []bruteResult
	onPath := make([]bool, n)
	var path []int32
	var dfs func(v int32, strength float64)
	dfs = func(v int32, strength float64) {
		path = append(path, v)
		onPath[v] = true
		defer func() { path = path[:len(path)-1]; onPath[v] = false }()
		if v == q.Target {
			for _, set := range q.Via {
				if !slices.ContainsFunc(path, func(x int32) bool { return slices.Contains(set, x) }) {
					return
				}
			}
			if strength >= q.MinStrength {
				out = append(out, bruteResult{slices.Clone(path), strength})
			}
			return
		}
		if len(path)-1 == q.MaxHops {
			return
		}
		for _, e := range adj[v] {
			if onPath[e.To] || avoid[e.To] {
				continue
			}
			dfs(e.To, strength*e.Weight)
		}
	}
	for s, c := range cost {
		if avoid[s] || s == q.Target {
			continue
		}
		dfs(s, math.Exp(-c))
	}
	pinnedOrder(out, slices.Compare)
	return out
}

// pinnedOrder sorts paths in the order DESIGN.md pins for k strongest
// paths: strength descending, where the strengths within 1e-12 (relative)
// of the strongest path not yet placed count as equal to it; among those,
// fewer hops, then the node sequence as compareNodes orders it (the HCP
// ids along the path).
func pinnedOrder(rs []bruteResult, compareNodes func(a, b []int32) int) {
	slices.SortStableFunc(rs, func(a, b bruteResult) int { return cmp.Compare(b.strength, a.strength) })
	for i := 0; i < len(rs); {
		j := i + 1
		for j < len(rs) && rs[i].strength-rs[j].strength <= 1e-12*rs[i].strength {
			j++
		}
		slices.SortFunc(rs[i:j], func(a, b bruteResult) int {
			return cmp.Or(cmp.Compare(len(a.nodes), len(b.nodes)), compareNodes(a.nodes, b.nodes))
		})
		i = j
	}
}

// within reports whether got is within tol of want, relative to max(1,|want|).
func within(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

// checkPaths verifies what every answer to q must satisfy, independently of
// any reference: real edges, strength, loopless, hop limit, avoid, via,
// minimum strength, a source at the start, the target at the end, and the
// order (strength non-increasing).
func checkPaths(t *testing.T, g *analytics.Graph, q paths.Query, got []paths.Path) {
	t.Helper()
	cost := map[int32]float64{}
	for i, s := range q.Sources {
		c := 0.0
		if q.SourceCost != nil {
			c = q.SourceCost[i]
		}
		if old, ok := cost[s]; !ok || c < old {
			cost[s] = c
		}
	}
	if len(got) > q.K {
		t.Errorf("%d paths, k = %d", len(got), q.K)
	}
	for i, p := range got {
		if len(p.Nodes) < 2 || len(p.Edges) != len(p.Nodes)-1 {
			t.Fatalf("path %d: %d nodes, %d edges", i, len(p.Nodes), len(p.Edges))
		}
		c, ok := cost[p.Nodes[0]]
		if !ok || p.Nodes[len(p.Nodes)-1] != q.Target {
			t.Errorf("path %d %v does not run from a source to %d", i, p.Nodes, q.Target)
		}
		prod := math.Exp(-c)
		for j, e := range p.Edges {
			if g.Source(e) != p.Nodes[j] || g.Target(e) != p.Nodes[j+1] {
				t.Fatalf("path %d: edge %d is not %d->%d", i, e, p.Nodes[j], p.Nodes[j+1])
			}
			prod *= g.Weight(e)
		}
		if !within(p.Strength, prod, 1e-12) || !within(p.Strength, math.Exp(-p.Length), 1e-15) {
			t.Errorf("path %d %v: strength %v, length %v, product %v", i, p.Nodes, p.Strength, p.Length, prod)
		}
		if len(p.Edges) > q.MaxHops {
			t.Errorf("path %d %v: %d hops > %d", i, p.Nodes, len(p.Edges), q.MaxHops)
		}
		seen := map[int32]bool{}
		for _, v := range p.Nodes {
			if seen[v] {
				t.Errorf("path %d %v: %d twice", i, p.Nodes, v)
			}
			seen[v] = true
			if slices.Contains(q.Avoid, v) {
				t.Errorf("path %d %v: avoided %d", i, p.Nodes, v)
			}
		}
		for j, set := range q.Via {
			if !slices.ContainsFunc(p.Nodes, func(v int32) bool { return slices.Contains(set, v) }) {
				t.Errorf("path %d %v: misses via group %d %v", i, p.Nodes, j, set)
			}
		}
		if p.Strength < q.MinStrength {
			t.Errorf("path %d %v: strength %v < %v", i, p.Nodes, p.Strength, q.MinStrength)
		}
		if i > 0 {
			prev := got[i-1]
			if p.Strength > prev.Strength*(1+1e-12) {
				t.Errorf("path %d (%v) stronger than path %d (%v)", i, p.Strength, i-1, prev.Strength)
			}
			if slices.Equal(p.Nodes, prev.Nodes) {
				t.Errorf("path %d repeats path %d", i, i-1)
			}
		}
	}
}
