package paths_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/analytics/analyticstest"
	"github.com/kolgraph/kolgraph/internal/paths"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"
)

// randomQuery draws a query on n nodes exercising every constraint.
func randomQuery(rng *rand.Rand, n int) paths.Query {
	q := paths.Query{Target: int32(rng.IntN(n)), K: 1 + rng.IntN(paths.MaxK), MaxHops: 1 + rng.IntN(6)}
	for range 1 + rng.IntN(3) {
		q.Sources = append(q.Sources, int32(rng.IntN(n)))
	}
	if q.Sources[0] == q.Target {
		q.Sources[0] = (q.Target + 1) % int32(n)
	}
	if rng.IntN(2) == 0 {
		for range q.Sources {
			c := []float64{0, 0.1, 0.5, 1, -math.Log(0.5), -math.Log(0.2), -math.Log(0.4)}[rng.IntN(7)]
			if rng.IntN(2) == 0 {
				c = rng.Float64()
			}
			q.SourceCost = append(q.SourceCost, c)
		}
	}
	for range rng.IntN(3) {
		q.Avoid = append(q.Avoid, int32(rng.IntN(n)))
	}
	for range rng.IntN(4) {
		var set []int32
		for range 1 + rng.IntN(3) {
			set = append(set, int32(rng.IntN(n)))
		}
		q.Via = append(q.Via, set)
	}
	if rng.IntN(4) == 0 {
		q.MinStrength = 0.01 + 0.3*rng.Float64()
	}
	return q
}

// TestKStrongestBruteForce compares KStrongest with the enumeration of every
// simple path on many small random graphs: the same paths in the same
// (documented) order, the same strengths.
func TestKStrongestBruteForce(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(2000) {
		rng := rand.New(rand.NewPCG(seed, 7))
		n := 4 + rng.IntN(6)
		mode := int(seed % 5)
		edges := randomGraph(rng, n, 0.25+0.3*rng.Float64(), mode)
		g := mustGraph(t, n, edges)
		s := paths.NewSearcher(g)
		for qi := range 8 {
			q := randomQuery(rng, n)
			want := brute(n, edges, q)
			got, err := s.KStrongest(ctx, q)
			if err != nil {
				t.Fatalf("seed %d query %d %+v: %v", seed, qi, q, err)
			}
			if got == nil {
				t.Fatalf("seed %d query %d: nil slice", seed, qi)
			}
			checkPaths(t, g, q, got)
			if len(want) > q.K {
				want = want[:q.K]
			}
			if len(got) != len(want) {
				t.Fatalf("seed %d mode %d query %d %+v: %d paths, brute force %d\ngot  %v\nwant %v",
					seed, mode, qi, q, len(got), len(want), nodesOf(got), bruteNodes(want))
			}
			for i := range got {
				if !slices.Equal(got[i].Nodes, want[i].nodes) || !within(got[i].Strength, want[i].strength, 1e-12) {
					t.Fatalf("seed %d mode %d query %d %+v: path %d is %v (%v), brute force %v (%v)\ngot  %v\nwant %v",
						seed, mode, qi, q, i, got[i].Nodes, got[i].Strength, want[i].nodes, want[i].strength,
						nodesOf(got), bruteNodes(want))
				}
			}
			// Strongest is the first of them.
			p, ok, err := s.Strongest(ctx, q)
			if err != nil || ok != (len(want) > 0) || (ok && !slices.Equal(p.Nodes, want[0].nodes)) {
				t.Fatalf("seed %d query %d: Strongest %v %v %v, want %v", seed, qi, p.Nodes, ok, err, bruteNodes(want))
			}
		}
	}
}

func nodesOf(ps []paths.Path) [][]int32 {
	var out [][]int32
	for _, p := range ps {
		out = append(out, p.Nodes)
	}
	return out
}

func bruteNodes(rs []bruteResult) [][]int32 {
	var out [][]int32
	for _, r := range rs {
		out = append(out, r.nodes)
	}
	return out
}

// TestKarate pins the tie order on Zachary's karate club with every edge of
// length 1. networkx shortest_simple_paths(G, 16, 25) yields
// [16 5 0 31 25], [16 6 0 31 25], [16 5 6 0 31 25], [16 5 0 31 24 25], ...:
// the two 4-hop paths in our order, then the 5-hop ones in the order its
// candidate heap happened to receive them. Ours orders equal hops by node
// sequence, so [16 5 0 31 24 25] comes before [16 5 6 0 31 25]; want is
// networkx all_simple_paths(G, 16, 25, cutoff=5) sorted by (length, nodes),
// every path of at most 5 hops.
func TestKarate(t *testing.T) {
	g := karate(t)
	want := [][]int32{
		{16, 5, 0, 31, 25},
		{16, 6, 0, 31, 25},
		{16, 5, 0, 31, 24, 25},
		{16, 5, 6, 0, 31, 25},
		{16, 5, 10, 0, 31, 25},
		{16, 6, 0, 31, 24, 25},
		{16, 6, 4, 0, 31, 25},
		{16, 6, 5, 0, 31, 25},
	}
	networkx := [][]int32{{16, 5, 0, 31, 25}, {16, 6, 0, 31, 25}, {16, 5, 6, 0, 31, 25}, {16, 5, 0, 31, 24, 25}, {16, 6, 4, 0, 31, 25}}
	for _, tc := range []struct {
		k, hops int
		want    [][]int32
	}{
		{3, 10, want[:3]},
		{20, 5, want}, // all there are
		{20, 4, want[:2]},
		{1, 3, nil},
	} {
		t.Run(fmt.Sprintf("k=%d,hops=%d", tc.k, tc.hops), func(t *testing.T) {
			q := paths.Query{Sources: []int32{16}, Target: 25, K: tc.k, MaxHops: tc.hops}
			got, err := paths.KStrongest(context.Background(), g, q)
			if err != nil {
				t.Fatal(err)
			}
			checkPaths(t, g, q, got)
			if !slices.EqualFunc(nodesOf(got), tc.want, slices.Equal) {
				t.Errorf("got %v, want %v", nodesOf(got), tc.want)
			}
			for i, p := range got {
				if !within(p.Length, float64(len(p.Edges)), 1e-12) {
					t.Errorf("path %d: length %v, %d hops", i, p.Length, len(p.Edges))
				}
			}
		})
	}
	// networkx's paths are ours, up to the order within equal hops.
	for _, p := range networkx {
		i := slices.IndexFunc(want, func(w []int32) bool { return slices.Equal(w, p) })
		if i < 0 {
			t.Errorf("networkx path %v missing", p)
		}
	}
}

// TestViaLoop: the strongest walk through the via node 2 returns to node 1
// (0 1 2 1 3, strength 0.9^4); the answers are the simple paths through 2.
// 0 1 2 5 3 and 0 4 2 1 3 both have strength 0.9^2 * 0.5^2, exactly equal in
// fixed point, and the same hops: node order decides.
func TestViaLoop(t *testing.T) {
	g := mustGraph(t, 6, []analytics.Edge{
		{From: 0, To: 1, Weight: 0.9}, {From: 1, To: 2, Weight: 0.9}, {From: 2, To: 1, Weight: 0.9}, {From: 1, To: 3, Weight: 0.9},
		{From: 0, To: 4, Weight: 0.5}, {From: 4, To: 2, Weight: 0.5}, {From: 2, To: 5, Weight: 0.5}, {From: 5, To: 3, Weight: 0.5},
	})
	q := paths.Query{Sources: []int32{0}, Target: 3, K: 5, MaxHops: 6, Via: [][]int32{{2}}}
	got, err := paths.KStrongest(context.Background(), g, q)
	if err != nil {
		t.Fatal(err)
	}
	checkPaths(t, g, q, got)
	want := [][]int32{{0, 1, 2, 5, 3}, {0, 4, 2, 1, 3}, {0, 4, 2, 5, 3}}
	wantS := []float64{0.2025, 0.2025, 0.0625}
	if !slices.EqualFunc(nodesOf(got), want, slices.Equal) {
		t.Fatalf("got %v, want %v", nodesOf(got), want)
	}
	for i, p := range got {
		if !within(p.Strength, wantS[i], 1e-12) {
			t.Errorf("path %d: strength %v, want %v", i, p.Strength, wantS[i])
		}
	}
	// Without the via group: the direct path first.
	q.Via = nil
	got, err = paths.KStrongest(context.Background(), g, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || !slices.Equal(got[0].Nodes, []int32{0, 1, 3}) || !within(got[0].Strength, 0.81, 1e-12) {
		t.Errorf("no via: got %v", nodesOf(got))
	}
}

// TestSourceCosts: a weak tie to a strong influencer against a strong tie
// to a weak one.
func TestSourceCosts(t *testing.T) {
	g := mustGraph(t, 3, []analytics.Edge{{From: 0, To: 2, Weight: 0.9}, {From: 1, To: 2, Weight: 0.3}})
	for _, tc := range []struct {
		cost  []float64
		first int32
		want  float64
	}{
		{nil, 0, 0.9},
		{[]float64{-math.Log(0.2), -math.Log(1)}, 1, 0.3},    // 0.18 < 0.3
		{[]float64{-math.Log(0.5), -math.Log(0.5)}, 0, 0.45}, // 0.45 > 0.15
	} {
		q := paths.Query{Sources: []int32{0, 1}, SourceCost: tc.cost, Target: 2, K: 2, MaxHops: 1}
		got, err := paths.KStrongest(context.Background(), g, q)
		if err != nil {
			t.Fatal(err)
		}
		checkPaths(t, g, q, got)
		if len(got) != 2 || got[0].Nodes[0] != tc.first || !within(got[0].Strength, tc.want, 1e-12) {
			t.Errorf("costs %v: got %v %v, want first from %d at %v", tc.cost, nodesOf(got), got, tc.first, tc.want)
		}
	}
}

// TestKStrongestGonum checks lengths against gonum's YenKShortestPaths on
// larger graphs, where every one of gonum's paths fits the hop limit (the
// k best paths then are also the k best within it).
func TestKStrongestGonum(t *testing.T) {
	if testing.Short() {
		t.Skip("gonum oracle in -short mode")
	}
	ctx := context.Background()
	compared := 0
	for seed := range uint64(12) {
		n := 60 + int(seed)*20
		edges := powerLaw(n, 3, seed+100)
		g := mustGraph(t, n, edges)
		dg := simple.NewWeightedDirectedGraph(0, math.Inf(1))
		for v := range n {
			dg.AddNode(simple.Node(v))
		}
		for _, e := range edges {
			dg.SetWeightedEdge(dg.NewWeightedEdge(simple.Node(e.From), simple.Node(e.To), -math.Log(e.Weight)))
		}
		rng := rand.New(rand.NewPCG(seed, 9))
		for range 5 {
			src, dst := int32(rng.IntN(n)), int32(rng.IntN(n))
			if src == dst {
				continue
			}
			const k = 10
			ref := path.YenKShortestPaths(dg, k, math.Inf(1), simple.Node(src), simple.Node(dst))
			var wantL []float64
			fits := true
			for _, p := range ref {
				l := 0.0
				for i := 1; i < len(p); i++ {
					l += dg.WeightedEdge(p[i-1].ID(), p[i].ID()).Weight()
				}
				wantL = append(wantL, l)
				fits = fits && len(p)-1 <= paths.MaxHopLimit
			}
			if !fits {
				continue
			}
			compared++
			q := paths.Query{Sources: []int32{src}, Target: dst, K: k, MaxHops: paths.MaxHopLimit}
			got, err := paths.KStrongest(ctx, g, q)
			if err != nil {
				t.Fatal(err)
			}
			checkPaths(t, g, q, got)
			if len(got) != len(ref) {
				t.Fatalf("seed %d %d->%d: %d paths, gonum %d", seed, src, dst, len(got), len(ref))
			}
			for i := range got {
				if math.Abs(got[i].Length-wantL[i]) > 1e-9 {
					t.Errorf("seed %d %d->%d path %d: length %v, gonum %v", seed, src, dst, i, got[i].Length, wantL[i])
				}
			}
		}
	}
	if compared < 20 {
		t.Errorf("only %d queries compared", compared)
	}
}

// TestConstraints runs many constrained queries on a mid-sized graph and
// checks every answer's constraints, and the first against package
// analyticstest's independent hop-limited Dijkstra when there is no via group.
func TestConstraints(t *testing.T) {
	ctx := context.Background()
	n := 600
	g := mustGraph(t, n, powerLaw(n, 4, 11))
	ps := analyticstest.NewPathSearcher(g)
	rng := rand.New(rand.NewPCG(1, 1))
	for qi := range 150 {
		q := randomQuery(rng, n)
		q.MaxHops = 1 + rng.IntN(paths.MaxHopLimit)
		if qi%3 == 0 {
			q.Via = nil
		}
		if qi%4 == 0 { // big via groups, like "any department head"
			q.Via = q.Via[:0]
			for range 1 + rng.IntN(2) {
				var set []int32
				for range 30 {
					set = append(set, int32(rng.IntN(n)))
				}
				q.Via = append(q.Via, set)
			}
		}
		got, err := paths.KStrongest(ctx, g, q)
		if err != nil {
			t.Fatalf("query %d: %v", qi, err)
		}
		checkPaths(t, g, q, got)
		if len(q.Via) > 0 || q.SourceCost != nil || q.MinStrength > 0 {
			continue
		}
		ps.ClearBans()
		for _, v := range q.Avoid {
			ps.BanNode(v)
		}
		var srcs []int32
		for _, v := range q.Sources {
			if v != q.Target {
				srcs = append(srcs, v)
			}
		}
		d, ok := ps.SearchTo(srcs, q.Target, q.MaxHops)
		if ok != (len(got) > 0) || (ok && !within(got[0].Strength, math.Exp(-d), 1e-9)) {
			t.Errorf("query %d %+v: strongest %v, analytics %v (found %v)", qi, q, nodesOf(got), math.Exp(-d), ok)
		}
	}
}

func TestDeterministic(t *testing.T) {
	g := mustGraph(t, 500, powerLaw(500, 4, 12))
	rng := rand.New(rand.NewPCG(2, 2))
	for range 30 {
		q := randomQuery(rng, 500)
		a, errA := paths.KStrongest(context.Background(), g, q)
		b, errB := paths.NewSearcher(g).KStrongest(context.Background(), q)
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		if !slices.EqualFunc(a, b, func(x, y paths.Path) bool {
			return slices.Equal(x.Nodes, y.Nodes) && x.Length == y.Length
		}) {
			t.Fatalf("%+v: pooled %v, fresh %v", q, nodesOf(a), nodesOf(b))
		}
	}
}

func TestInvalid(t *testing.T) {
	g := mustGraph(t, 4, []analytics.Edge{{From: 0, To: 1, Weight: 0.5}, {From: 1, To: 2, Weight: 0.5}})
	ok := paths.Query{Sources: []int32{0}, Target: 2, K: 3, MaxHops: 3}
	for _, tc := range []struct {
		name string
		edit func(*paths.Query)
	}{
		{"k 0", func(q *paths.Query) { q.K = 0 }},
		{"k 21", func(q *paths.Query) { q.K = 21 }},
		{"hops 0", func(q *paths.Query) { q.MaxHops = 0 }},
		{"hops 11", func(q *paths.Query) { q.MaxHops = 11 }},
		{"no sources", func(q *paths.Query) { q.Sources = nil }},
		{"target only source", func(q *paths.Query) { q.Sources = []int32{2, 2} }},
		{"source out of range", func(q *paths.Query) { q.Sources = []int32{4} }},
		{"negative target", func(q *paths.Query) { q.Target = -1 }},
		{"avoid out of range", func(q *paths.Query) { q.Avoid = []int32{9} }},
		{"via out of range", func(q *paths.Query) { q.Via = [][]int32{{1}, {7}} }},
		{"five via groups", func(q *paths.Query) { q.Via = [][]int32{{1}, {1}, {1}, {1}, {1}} }},
		{"cost count", func(q *paths.Query) { q.SourceCost = []float64{0, 1} }},
		{"negative cost", func(q *paths.Query) { q.SourceCost = []float64{-1} }},
		{"NaN cost", func(q *paths.Query) { q.SourceCost = []float64{math.NaN()} }},
		{"infinite cost", func(q *paths.Query) { q.SourceCost = []float64{math.Inf(1)} }},
		{"min strength 2", func(q *paths.Query) { q.MinStrength = 2 }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := ok
			tc.edit(&q)
			if _, err := paths.KStrongest(context.Background(), g, q); !errors.Is(err, paths.ErrInvalidQuery) {
				t.Errorf("KStrongest: got %v, want ErrInvalidQuery", err)
			}
		})
	}
	if _, err := paths.StrongestEach(context.Background(), g, paths.Query{Sources: []int32{0}, MaxHops: 2, Via: [][]int32{{1}}}, []int32{2}); !errors.Is(err, paths.ErrInvalidQuery) {
		t.Errorf("StrongestEach with via: got %v", err)
	}
	if _, err := paths.StrongestEach(context.Background(), g, paths.Query{Sources: []int32{0}, MaxHops: 2}, []int32{5}); !errors.Is(err, paths.ErrInvalidQuery) {
		t.Errorf("StrongestEach target out of range: got %v", err)
	}
	// Valid queries without a path: empty, not an error.
	for _, q := range []paths.Query{
		{Sources: []int32{2}, Target: 0, K: 1, MaxHops: 3},                       // wrong direction
		{Sources: []int32{0}, Target: 3, K: 1, MaxHops: 3},                       // isolated
		{Sources: []int32{0}, Target: 2, K: 1, MaxHops: 1},                       // too far
		{Sources: []int32{0}, Target: 2, K: 1, MaxHops: 3, Avoid: []int32{2}},    // target avoided
		{Sources: []int32{0}, Target: 2, K: 1, MaxHops: 3, Avoid: []int32{0}},    // source avoided
		{Sources: []int32{0}, Target: 2, K: 1, MaxHops: 3, Via: [][]int32{{}}},   // empty group
		{Sources: []int32{0}, Target: 2, K: 1, MaxHops: 3, Via: [][]int32{{3}}},  // unreachable group
		{Sources: []int32{0}, Target: 2, K: 1, MaxHops: 3, MinStrength: 0.26},    // too weak (0.25)
		{Sources: []int32{0, 2}, Target: 2, K: 1, MaxHops: 3, Avoid: []int32{0}}, // target dropped, other avoided
	} {
		got, err := paths.KStrongest(context.Background(), g, q)
		if err != nil || got == nil || len(got) != 0 {
			t.Errorf("%+v: got %v, %v; want an empty slice", q, nodesOf(got), err)
		}
	}
}

func TestCancel(t *testing.T) {
	g := mustGraph(t, 3000, powerLaw(3000, 6, 13))
	q := paths.Query{Sources: []int32{5}, Target: 2999, K: 20, MaxHops: 10}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := paths.KStrongest(ctx, g, q); !errors.Is(err, context.Canceled) {
		t.Errorf("KStrongest cancelled: %v", err)
	}
	if _, _, err := paths.NewSearcher(g).Strongest(ctx, q); !errors.Is(err, context.Canceled) {
		t.Errorf("Strongest cancelled: %v", err)
	}
	if _, err := paths.StrongestEach(ctx, g, q, []int32{1, 2}); !errors.Is(err, context.Canceled) {
		t.Errorf("StrongestEach cancelled: %v", err)
	}
	// A deadline at a tenth of a heavy query's running time stops it well
	// before its end. The query: k = 20 through 4 via groups, up to 10 hops.
	rng := rand.New(rand.NewPCG(3, 3))
	var full time.Duration
	for range 20 {
		q = paths.Query{Sources: []int32{int32(rng.IntN(3000))}, Target: int32(rng.IntN(3000)), K: 20, MaxHops: 10}
		for range 4 {
			q.Via = append(q.Via, []int32{int32(rng.IntN(50)), int32(rng.IntN(3000))})
		}
		start := time.Now()
		if _, err := paths.KStrongest(context.Background(), g, q); err != nil {
			t.Fatal(err)
		}
		if full = time.Since(start); full > 40*time.Millisecond {
			break
		}
	}
	if full <= 40*time.Millisecond {
		t.Skipf("no query took over 40ms (%v)", full)
	}
	ctx, cancel = context.WithTimeout(context.Background(), full/10)
	defer cancel()
	start := time.Now()
	_, err := paths.KStrongest(ctx, g, q)
	if took := time.Since(start); took > full/2 {
		t.Errorf("deadline %v on a %v query: returned after %v", full/10, full, took)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("deadline: %v", err)
	}
}

// TestStrongestEach compares the per-target paths with enumeration and with
// package analytics' hop-limited Dijkstra.
func TestStrongestEach(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(600) {
		rng := rand.New(rand.NewPCG(seed, 8))
		n := 4 + rng.IntN(6)
		edges := randomGraph(rng, n, 0.3, int(seed%5))
		g := mustGraph(t, n, edges)
		q := randomQuery(rng, n)
		q.Via = nil
		all := make([]int32, n)
		for i := range all {
			all[i] = int32(i)
		}
		got, err := paths.StrongestEach(ctx, g, q, all)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range all {
			qv := q
			qv.Target = v
			want := brute(n, edges, qv)
			// The zero-hop path, if v is a source.
			for i, s := range q.Sources {
				if s != v || slices.Contains(q.Avoid, v) {
					continue
				}
				c := 0.0
				if q.SourceCost != nil {
					c = q.SourceCost[i]
				}
				if math.Exp(-c) >= q.MinStrength {
					want = append(want, bruteResult{[]int32{v}, math.Exp(-c)})
				}
			}
			pinnedOrder(want, slices.Compare)
			p := got[v]
			if len(want) == 0 {
				if p.Nodes != nil {
					t.Errorf("seed %d %+v target %d: %v, brute force none", seed, q, v, p.Nodes)
				}
				continue
			}
			if !slices.Equal(p.Nodes, want[0].nodes) || !within(p.Strength, want[0].strength, 1e-12) {
				t.Errorf("seed %d %+v target %d: %v (%v), brute force %v (%v)", seed, q, v, p.Nodes, p.Strength, want[0].nodes, want[0].strength)
			}
		}
	}
	// Against analytics on a larger graph: no source costs.
	n := 2000
	g := mustGraph(t, n, powerLaw(n, 5, 14))
	ps := analyticstest.NewPathSearcher(g)
	targets := []int32{3, 77, 1500, 1999, 0, 1999}
	for _, hops := range []int{1, 3, 6} {
		q := paths.Query{Sources: []int32{0, 10, 200}, MaxHops: hops, Avoid: []int32{1, 2}}
		got, err := paths.StrongestEach(ctx, g, q, targets)
		if err != nil {
			t.Fatal(err)
		}
		ps.ClearBans()
		ps.BanNode(1)
		ps.BanNode(2)
		ps.Search(q.Sources, hops)
		for i, v := range targets {
			if ps.Reached(v) != (got[i].Nodes != nil) || !within(got[i].Strength, ps.Strength(v), 1e-9) {
				t.Errorf("hops %d target %d: %v (%v), analytics %v", hops, v, got[i].Nodes, got[i].Strength, ps.Strength(v))
			}
		}
	}
}

// TestKStrongestBruteForceMid repeats the enumeration check on sparse
// power-law graphs of 60 to 250 nodes, where paths are longer and the
// heuristic's push and pull layers both run.
func TestKStrongestBruteForceMid(t *testing.T) {
	ctx := context.Background()
	for seed := range uint64(120) {
		n := 60 + int(seed%40)*5
		edges := powerLaw(n, 3, seed+100)
		g := mustGraph(t, n, edges)
		rng := rand.New(rand.NewPCG(seed, 9))
		for qi := range 10 {
			q := randomQuery(rng, n)
			q.MaxHops = 3 + rng.IntN(4)
			if qi%2 == 0 {
				q.Via = nil
			}
			want := brute(n, edges, q)
			if len(want) > q.K {
				want = want[:q.K]
			}
			got, err := paths.KStrongest(ctx, g, q)
			if err != nil {
				t.Fatal(err)
			}
			checkPaths(t, g, q, got)
			if !slices.EqualFunc(nodesOf(got), bruteNodes(want), slices.Equal) {
				t.Fatalf("seed %d %+v:\ngot  %v\nwant %v", seed, q, nodesOf(got), bruteNodes(want))
			}
		}
	}
}
