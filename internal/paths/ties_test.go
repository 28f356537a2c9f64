package paths_test

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/paths"
)

// TestTieOrder pins the order of paths whose strengths are equal but whose
// lengths -ln(w) add up differently in floating point: -ln 0.2 is longer
// than -ln 0.5 - ln 0.4 by one unit of the search's fixed point, while
// 0.5 x 0.4 = 0.2 exactly. Equal strengths go by fewer hops, then by the
// node sequence, whatever the rounding says.
func TestTieOrder(t *testing.T) {
	ctx := context.Background()
	fx := func(w float64) int64 { return int64(-math.Log(w) * 0x1p48) }
	if a, b := fx(0.2), fx(0.5)+fx(0.4); a <= b || 0.5*0.4 != 0.2 {
		t.Fatalf("the premise does not hold: -ln 0.2 = %v, -ln 0.5 - ln 0.4 = %v in fixed point", a, b)
	}
	tests := []struct {
		name  string
		n     int
		edges []analytics.Edge
		q     paths.Query
		want  [][]int32
	}{
		{"direct before two hops", 3,
			[]analytics.Edge{{From: 0, To: 1, Weight: 0.2}, {From: 0, To: 2, Weight: 0.5}, {From: 2, To: 1, Weight: 0.4}},
			paths.Query{Sources: []int32{0}, Target: 1, K: 2, MaxHops: 3},
			[][]int32{{0, 1}, {0, 2, 1}}},
		{"k = 1 takes the direct one", 3,
			[]analytics.Edge{{From: 0, To: 1, Weight: 0.2}, {From: 0, To: 2, Weight: 0.5}, {From: 2, To: 1, Weight: 0.4}},
			paths.Query{Sources: []int32{0}, Target: 1, K: 1, MaxHops: 3},
			[][]int32{{0, 1}}},
		{"equal hops by node order", 4,
			// 0 1 3: 0.2 x 1 (rounds longer), 0 2 3: 0.5 x 0.4.
			[]analytics.Edge{{From: 0, To: 1, Weight: 0.2}, {From: 1, To: 3, Weight: 1}, {From: 0, To: 2, Weight: 0.5}, {From: 2, To: 3, Weight: 0.4}},
			paths.Query{Sources: []int32{0}, Target: 3, K: 3, MaxHops: 3},
			[][]int32{{0, 1, 3}, {0, 2, 3}}},
		{"three hop counts, a weaker path after them", 6,
			// 0 5: 0.2; 0 1 5: 0.5 x 0.4; 0 2 3 5: 0.5 x 0.5 x 0.8; 0 4 5: 0.5 x 0.39.
			[]analytics.Edge{{From: 0, To: 5, Weight: 0.2}, {From: 0, To: 1, Weight: 0.5}, {From: 1, To: 5, Weight: 0.4},
				{From: 0, To: 2, Weight: 0.5}, {From: 2, To: 3, Weight: 0.5}, {From: 3, To: 5, Weight: 0.8},
				{From: 0, To: 4, Weight: 0.5}, {From: 4, To: 5, Weight: 0.39}},
			paths.Query{Sources: []int32{0}, Target: 5, K: 4, MaxHops: 4},
			[][]int32{{0, 5}, {0, 1, 5}, {0, 2, 3, 5}, {0, 4, 5}}},
		{"a source's tie strength folded in", 4,
			// From 0 (tie 1): 0 3 at 0.2. From 1 (tie 0.5): 1 3 at 0.5 x 0.4.
			// From 2 (tie 0.4): 2 3 at 0.4 x 0.5. All one hop: node order.
			[]analytics.Edge{{From: 0, To: 3, Weight: 0.2}, {From: 1, To: 3, Weight: 0.4}, {From: 2, To: 3, Weight: 0.5}},
			paths.Query{Sources: []int32{2, 1, 0}, SourceCost: []float64{-math.Log(0.4), -math.Log(0.5), 0}, Target: 3, K: 3, MaxHops: 2},
			[][]int32{{0, 3}, {1, 3}, {2, 3}}},
		{"a contact's direct tie against a stronger entry", 3,
			// From 0 (tie 0.5): 0 2 at 0.5 x 0.4. From 1 (tie 1): 1 0 2 at
			// 0.5 x 0.4 too, with more hops; 1 2 at 0.2: one hop.
			[]analytics.Edge{{From: 0, To: 2, Weight: 0.4}, {From: 1, To: 0, Weight: 0.5}, {From: 1, To: 2, Weight: 0.2}},
			paths.Query{Sources: []int32{0, 1}, SourceCost: []float64{-math.Log(0.5), 0}, Target: 2, K: 3, MaxHops: 3},
			[][]int32{{0, 2}, {1, 2}, {1, 0, 2}}},
		{"via a node", 5,
			// Through 3: 0 3 4 (0.2 x 1) and 0 1 3 4 (0.5 x 0.4 x 1).
			[]analytics.Edge{{From: 0, To: 3, Weight: 0.2}, {From: 0, To: 1, Weight: 0.5}, {From: 1, To: 3, Weight: 0.4},
				{From: 3, To: 4, Weight: 1}, {From: 0, To: 4, Weight: 0.9}},
			paths.Query{Sources: []int32{0}, Target: 4, K: 3, MaxHops: 3, Via: [][]int32{{3}}},
			[][]int32{{0, 3, 4}, {0, 1, 3, 4}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := mustGraph(t, tt.n, tt.edges)
			got, err := paths.KStrongest(ctx, g, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			checkPaths(t, g, tt.q, got)
			if !slices.EqualFunc(nodesOf(got), tt.want, slices.Equal) {
				t.Errorf("KStrongest: got %v, want %v", nodesOf(got), tt.want)
			}
			p, ok, err := paths.NewSearcher(g).Strongest(ctx, tt.q)
			if err != nil || !ok || !slices.Equal(p.Nodes, tt.want[0]) {
				t.Errorf("Strongest: got %v %v %v, want %v", p.Nodes, ok, err, tt.want[0])
			}
			if len(tt.q.Via) > 0 {
				return
			}
			each, err := paths.StrongestEach(ctx, g, tt.q, []int32{tt.q.Target})
			if err != nil || !slices.Equal(each[0].Nodes, tt.want[0]) {
				t.Errorf("StrongestEach: got %v %v, want %v", each[0].Nodes, err, tt.want[0])
			}
		})
	}
}

// TestTieOrderAgainstReference compares the search with the enumeration
// of every path, sorted by the pinned rule, on random graphs whose weights
// make many equal products (wTies), for every pair and several k, with
// and without contact ties and via groups.
func TestTieOrderAgainstReference(t *testing.T) {
	ctx := context.Background()
	differ := 0 // queries where the pinned order is not the order of the rounded lengths
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 11))
		n := 5 + rng.IntN(5)
		edges := randomGraph(rng, n, 0.3+0.3*rng.Float64(), wTies)
		g := mustGraph(t, n, edges)
		s := paths.NewSearcher(g)
		for src := range int32(n) {
			for dst := range int32(n) {
				if src == dst {
					continue
				}
				q := paths.Query{Sources: []int32{src}, Target: dst, K: 1 + rng.IntN(paths.MaxK), MaxHops: 1 + rng.IntN(5)}
				if rng.IntN(3) == 0 {
					q.Sources = append(q.Sources, int32(rng.IntN(n)))
					q.SourceCost = []float64{-math.Log(tieWeights[rng.IntN(len(tieWeights))]), -math.Log(tieWeights[rng.IntN(len(tieWeights))])}
				}
				if rng.IntN(4) == 0 {
					q.Via = [][]int32{{int32(rng.IntN(n)), int32(rng.IntN(n))}}
				}
				want := brute(n, edges, q)
				if byLength(edges, q, want) {
					differ++
				}
				if len(want) > q.K {
					want = want[:q.K]
				}
				got, err := s.KStrongest(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				checkPaths(t, g, q, got)
				if !slices.EqualFunc(nodesOf(got), bruteNodes(want), slices.Equal) {
					t.Fatalf("seed %d %+v:\ngot  %v\nwant %v", seed, q, nodesOf(got), bruteNodes(want))
				}
				if len(q.Via) > 0 || len(want) == 0 || slices.Contains(q.Sources, dst) {
					continue
				}
				each, err := s.StrongestEach(ctx, q, []int32{dst})
				if err != nil || !slices.Equal(each[0].Nodes, want[0].nodes) {
					t.Fatalf("seed %d %+v: StrongestEach %v %v, want %v", seed, q, each[0].Nodes, err, want[0].nodes)
				}
			}
		}
	}
	if differ < 100 {
		t.Errorf("only %d queries where ties and rounding disagree: the graphs do not test the rule", differ)
	}
	t.Logf("%d queries where the pinned order differs from the order of -ln sums", differ)
}

// byLength reports whether ordering rs by the sum of its lengths -ln(w),
// each truncated to 2^-48 as the search adds them, then hops and nodes (the
// order before the tie rule) gives another order than the pinned one.
func byLength(edges []analytics.Edge, q paths.Query, rs []bruteResult) bool {
	w := map[[2]int32]float64{}
	for _, e := range edges {
		w[[2]int32{e.From, e.To}] = e.Weight
	}
	length := func(nodes []int32) int64 {
		var l int64
		for i, s := range q.Sources {
			if s == nodes[0] && q.SourceCost != nil {
				l = int64(q.SourceCost[i] * 0x1p48)
			}
		}
		for i := 1; i < len(nodes); i++ {
			l += int64(-math.Log(w[[2]int32{nodes[i-1], nodes[i]}]) * 0x1p48)
		}
		return l
	}
	ls := slices.Clone(rs)
	slices.SortStableFunc(ls, func(a, b bruteResult) int {
		return cmp.Or(cmp.Compare(length(a.nodes), length(b.nodes)), cmp.Compare(len(a.nodes), len(b.nodes)), slices.Compare(a.nodes, b.nodes))
	})
	return fmt.Sprint(bruteNodes(ls)) != fmt.Sprint(bruteNodes(rs))
}
