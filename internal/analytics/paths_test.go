package analytics_test

import (
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/analytics/analyticstest"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"
)

// brute enumerates every simple path of a small graph by depth-first search.
type brute struct {
	n        int
	adj      [][]analytics.Edge
	bannedN  map[int32]bool
	bannedE  map[[2]int32]bool
	maxHops  int                  // 0 = none
	bestS    map[[2]int32]float64 // strongest strength
	bestHops map[[2]int32]int     // fewest hops among the strongest
	onPath   []bool
	src      int32
}

func newBrute(n int, edges []analytics.Edge) *brute {
	b := &brute{n: n, adj: make([][]analytics.Edge, n), bannedN: map[int32]bool{}, bannedE: map[[2]int32]bool{}}
	for _, e := range edges {
		b.adj[e.From] = append(b.adj[e.From], e)
	}
	return b
}

// run fills bestS and bestHops for paths starting at any of sources.
func (b *brute) run(sources []int32) {
	b.bestS = map[[2]int32]float64{}
	b.bestHops = map[[2]int32]int{}
	b.onPath = make([]bool, b.n)
	for _, s := range sources {
		if b.bannedN[s] {
			continue
		}
		b.src = s
		b.dfs(s, 1, 0)
	}
}

func (b *brute) dfs(v int32, strength float64, hops int) {
	key := [2]int32{b.src, v}
	if old, ok := b.bestS[key]; !ok || strength > old*(1+1e-12) ||
		(strength >= old*(1-1e-12) && hops < b.bestHops[key]) {
		b.bestS[key] = max(strength, old)
		b.bestHops[key] = hops
	}
	if b.maxHops > 0 && hops == b.maxHops {
		return
	}
	b.onPath[v] = true
	for _, e := range b.adj[v] {
		if b.onPath[e.To] || b.bannedN[e.To] || b.bannedE[[2]int32{e.From, e.To}] {
			continue
		}
		b.dfs(e.To, strength*e.Weight, hops+1)
	}
	b.onPath[v] = false
}

// best returns the strongest strength from any source to t, with its hops.
func (b *brute) best(sources []int32, t int32) (float64, int, bool) {
	s, h, ok := 0.0, 0, false
	for _, src := range sources {
		x, found := b.bestS[[2]int32{src, t}]
		if !found {
			continue
		}
		hh := b.bestHops[[2]int32{src, t}]
		if !ok || x > s*(1+1e-12) || (x >= s*(1-1e-12) && hh < h) {
			s, h, ok = max(x, s), hh, true
		}
	}
	return s, h, ok
}

// checkPath verifies that the searcher's path to t is a real path from one
// of sources whose strength and hops match what it reports.
func checkPath(t *testing.T, g *analytics.Graph, s *analyticstest.PathSearcher, sources []int32, v int32) {
	t.Helper()
	edges := s.PathEdges(v, nil)
	nodes := s.Path(v, nil)
	if len(nodes) != len(edges)+1 || len(edges) != s.Hops(v) {
		t.Fatalf("path to %d: %d nodes, %d edges, %d hops", v, len(nodes), len(edges), s.Hops(v))
	}
	if !slices.Contains(sources, nodes[0]) || nodes[len(nodes)-1] != v {
		t.Fatalf("path to %d runs %v", v, nodes)
	}
	prod := 1.0
	for i, e := range edges {
		if g.Source(e) != nodes[i] || g.Target(e) != nodes[i+1] {
			t.Fatalf("path to %d: edge %d is not %d->%d", v, e, nodes[i], nodes[i+1])
		}
		prod *= g.Weight(e)
	}
	if !within(prod, s.Strength(v), 1e-12) {
		t.Errorf("path to %d: product %v, strength %v", v, prod, s.Strength(v))
	}
}

func TestStrongestPathsBruteForce(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 3))
		n := 5 + rng.IntN(4)
		unit := seed%4 == 0 // all weights 1: strength ties everywhere, hops decide
		edges := randomGraph(n, 0.4, unit, seed)
		if seed%4 == 1 { // weights from a short list: many equal products
			for i := range edges {
				edges[i].Weight = []float64{0.5, 0.8, 0.4, 1, 0.25}[rng.IntN(5)]
			}
		}
		g := mustGraph(t, n, edges)
		b := newBrute(n, edges)
		s := analyticstest.NewPathSearcher(g)

		sources := []int32{int32(rng.IntN(n))}
		if seed%3 == 0 {
			sources = append(sources, int32(rng.IntN(n)))
		}
		s.ClearBans()
		if seed%5 == 2 {
			ban := int32(rng.IntN(n))
			s.BanNode(ban)
			b.bannedN[ban] = true
		}
		if seed%2 == 1 && len(edges) > 0 {
			e := edges[rng.IntN(len(edges))]
			id, ok := g.EdgeBetween(e.From, e.To)
			if !ok {
				t.Fatal("EdgeBetween missed an edge")
			}
			s.BanEdge(id)
			b.bannedE[[2]int32{e.From, e.To}] = true
		}
		for _, hops := range []int{0, 1, 2, 3} {
			b.maxHops = hops
			b.run(sources)
			s.Search(sources, hops)
			for v := range int32(n) {
				want, wantHops, ok := b.best(sources, v)
				if ok != s.Reached(v) {
					t.Fatalf("seed %d hops %d node %d: reached %v, brute force %v", seed, hops, v, s.Reached(v), ok)
				}
				if !ok {
					if !math.IsInf(s.Dist(v), 1) || s.Strength(v) != 0 || s.Hops(v) != -1 || s.Path(v, nil) != nil {
						t.Errorf("seed %d node %d: unreachable but dist %v", seed, v, s.Dist(v))
					}
					continue
				}
				if !within(s.Strength(v), want, 1e-12) || s.Hops(v) != wantHops {
					t.Errorf("seed %d sources %v hops %d node %d: strength %v in %d hops, brute force %v in %d",
						seed, sources, hops, v, s.Strength(v), s.Hops(v), want, wantHops)
				}
				checkPath(t, g, s, sources, v)
				// Early exit gives the same answer.
				d, found := s.SearchTo(sources, v, hops)
				if !found || !within(math.Exp(-d), want, 1e-12) {
					t.Errorf("seed %d hops %d SearchTo %d: %v %v, want %v", seed, hops, v, math.Exp(-d), found, want)
				}
				checkPath(t, g, s, sources, v)
				s.Search(sources, hops)
			}
		}
	}
}

func TestStrongestPathsFromGonum(t *testing.T) {
	n := 2000
	edges := powerLaw(n, 4, 5)
	g := mustGraph(t, n, edges)
	dg := simple.NewWeightedDirectedGraph(0, math.Inf(1))
	for v := range n {
		dg.AddNode(simple.Node(v))
	}
	for _, e := range edges {
		dg.SetWeightedEdge(dg.NewWeightedEdge(simple.Node(e.From), simple.Node(e.To), -math.Log(e.Weight)))
	}
	for _, src := range []int32{0, 17, 1999} {
		dist, pred := analyticstest.StrongestPathsFrom(g, src)
		want := path.DijkstraFrom(simple.Node(src), dg)
		for v := range n {
			w := want.WeightTo(int64(v))
			if math.IsInf(w, 1) != math.IsInf(dist[v], 1) || (!math.IsInf(w, 1) && math.Abs(dist[v]-w) > 1e-9) {
				t.Fatalf("src %d node %d: dist %v, gonum %v", src, v, dist[v], w)
			}
			switch {
			case int32(v) == src || math.IsInf(dist[v], 1):
				if pred[v] != -1 {
					t.Errorf("src %d node %d: pred %d, want -1", src, v, pred[v])
				}
			default:
				e, ok := g.EdgeBetween(pred[v], int32(v))
				if !ok || math.Abs(dist[pred[v]]+g.Length(e)-dist[v]) > 1e-9 {
					t.Errorf("src %d node %d: pred %d is not on a shortest path", src, v, pred[v])
				}
			}
		}
	}
}

func TestReachBruteForce(t *testing.T) {
	for seed := range uint64(10) {
		n := 7
		edges := randomGraph(n, 0.35, seed%3 == 0, seed)
		g := mustGraph(t, n, edges)
		b := newBrute(n, edges)
		all := make([]int32, n)
		for i := range all {
			all[i] = int32(i)
		}
		b.run(all)
		got, err := analytics.Reach(context.Background(), g, analytics.ReachOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for s := range int32(n) {
			var want float64
			for v := range int32(n) {
				if v != s {
					want += b.bestS[[2]int32{s, v}]
				}
			}
			if !within(got[s], want, 1e-12) {
				t.Errorf("seed %d node %d: reach %v, brute force %v", seed, s, got[s], want)
			}
		}
	}
}

func TestReachDeterministic(t *testing.T) {
	g := mustGraph(t, 1500, powerLaw(1500, 5, 8))
	a, err := analytics.Reach(context.Background(), g, analytics.ReachOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, err := analytics.Reach(context.Background(), g, analytics.ReachOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a, b) {
		t.Error("workers=1 and workers=2 differ")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := analytics.Reach(ctx, g, analytics.ReachOptions{}); err == nil {
		t.Error("cancelled: no error")
	}
}

func TestPathSearcherBansClear(t *testing.T) {
	// 0->1->2 strong, 0->2 weak: banning 1 forces the weak edge; clearing
	// restores the strong path.
	g := mustGraph(t, 3, []analytics.Edge{{From: 0, To: 1, Weight: 0.9}, {From: 1, To: 2, Weight: 0.9}, {From: 0, To: 2, Weight: 0.5}})
	s := analyticstest.NewPathSearcher(g)
	s.BanNode(1)
	if d, ok := s.SearchTo([]int32{0}, 2, 0); !ok || !within(math.Exp(-d), 0.5, 1e-12) {
		t.Errorf("banned 1: strength %v", math.Exp(-d))
	}
	s.ClearBans()
	if d, ok := s.SearchTo([]int32{0}, 2, 0); !ok || !within(math.Exp(-d), 0.81, 1e-12) {
		t.Errorf("cleared: strength %v", math.Exp(-d))
	}
	if d, ok := s.SearchTo([]int32{0}, 2, 1); !ok || !within(math.Exp(-d), 0.5, 1e-12) {
		t.Errorf("one hop: strength %v", math.Exp(-d))
	}
	s.BanNode(0)
	if _, ok := s.SearchTo([]int32{0}, 2, 0); ok {
		t.Error("banned source: reached")
	}
}
