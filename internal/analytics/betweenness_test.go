package analytics_test

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/path"
	"gonum.org/v1/gonum/graph/simple"
)

func exactBetweenness(t testing.TB, g *analytics.Graph, raw bool) []float64 {
	t.Helper()
	res, err := analytics.Betweenness(context.Background(), g, analytics.BetweennessOptions{Unnormalized: raw})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Exact || res.Sources != g.Nodes() || res.StdErr != nil {
		t.Fatalf("exact run reported Exact=%v Sources=%d StdErr=%v", res.Exact, res.Sources, res.StdErr != nil)
	}
	return res.Scores
}

// Reference values: networkx 3.6.1 (analyticstest/testdata/reference.py) unless noted.
//
// Karate, Florentine families and Les Misérables are unweighted: networkx
// counts fewest-hop paths. Here they are given weight 1 (length 0) and also
// an equal weight 0.5 (length ln 2 per hop): with 0.5 the shortest paths are
// the fewest-hop ones by the pinned definition alone; with 1 every node is
// at length 0 and, the graph being connected and undirected, inside one
// cycle of weight-1 edges, where fewer hops win. Both give networkx's
// values.
func TestBetweennessReferences(t *testing.T) {
	t.Run("equal weights", func(t *testing.T) {
		for name, f := range map[string]named{"karate": karate(t), "florentine": florentine(t), "lesmis": lesMis(t, false)} {
			half := reweighted(t, f, 0.5)
			if got, want := exactBetweenness(t, f.g, true), exactBetweenness(t, half.g, true); !closeAll(got, want, 1e-12) {
				t.Errorf("%s: weights 1 give %v, weights 0.5 give %v", name, got, want)
			}
		}
	})
	t.Run("karate unnormalised", func(t *testing.T) {
		// networkx halves the ordered-pair sums of an undirected graph; the
		// symmetric directed graph counts each pair both ways.
		f := karate(t)
		got := exactBetweenness(t, f.g, true)
		for i := range got {
			got[i] /= 2
		}
		checkNamed(t, f, got, map[string]float64{
			"0": 231.07142857142864, "33": 160.5515873015873, "32": 76.69047619047622,
			"2": 75.85079365079365, "31": 73.00952380952381,
		}, 1e-9)
	})
	t.Run("florentine normalised", func(t *testing.T) {
		// networkx's undirected normalisation 2/((n-1)(n-2)) of the halved
		// sums equals the directed one of the symmetric graph.
		f := florentine(t)
		checkNamed(t, f, exactBetweenness(t, f.g, false), map[string]float64{
			"Acciaiuoli": 0, "Medici": 0.521978021978022, "Barbadori": 0.09340659340659341,
			"Ridolfi": 0.11355311355311355, "Tornabuoni": 0.09157509157509157, "Albizzi": 0.21245421245421245,
			"Salviati": 0.14285714285714288, "Castellani": 0.05494505494505495, "Peruzzi": 0.02197802197802198,
			"Strozzi": 0.10256410256410256, "Bischeri": 0.1043956043956044, "Guadagni": 0.25457875457875456,
			"Ginori": 0, "Pazzi": 0, "Lamberteschi": 0,
		}, 1e-9)
	})
	t.Run("les misérables unweighted normalised", func(t *testing.T) {
		f := lesMis(t, false)
		checkNamed(t, f, exactBetweenness(t, f.g, false), map[string]float64{
			"Valjean": 0.5699890527836186, "Myriel": 0.17684210526315788, "Gavroche": 0.1651125024258477,
			"Marius": 0.132032488621946, "Fantine": 0.12964454098819425,
		}, 1e-9)
	})
	t.Run("directed weighted", func(t *testing.T) {
		// networkx betweenness_centrality(D, weight=-ln w).
		f := influence(t)
		checkNamed(t, f, exactBetweenness(t, f.g, false), map[string]float64{
			"A": 0, "B": 0.45, "C": 0.45, "D": 0.7, "E": 0.45, "F": 0,
		}, 1e-9)
		checkNamed(t, f, exactBetweenness(t, f.g, true), map[string]float64{
			"A": 0, "B": 9, "C": 9, "D": 14, "E": 9, "F": 0,
		}, 1e-9)
	})
}

// TestBetweennessGDSExample is the worked example of the Neo4j GDS
// betweenness documentation (users Alice..Gale following each other). GDS
// reports unnormalised sums; its undirected run halves them like networkx.
// Its weighted run treats weights as lengths; here a length d becomes the
// weight exp(-d), whose length -ln(w) is d again.
func TestBetweennessGDSExample(t *testing.T) {
	follows := []arc{
		{"Alice", "Carol", 1.0}, {"Bob", "Carol", 1.0}, {"Carol", "Dan", 1.0}, {"Carol", "Eve", 1.3},
		{"Dan", "Frank", 1.0}, {"Eve", "Frank", 0.5}, {"Frank", "Gale", 1.0},
	}
	unit := func(arcs []arc) []arc {
		out := slices.Clone(arcs)
		for i := range out {
			out[i].w = 1
		}
		return out
	}
	lengths := func(arcs []arc) []arc {
		out := slices.Clone(arcs)
		for i := range out {
			out[i].w = math.Exp(-out[i].w)
		}
		return out
	}
	tests := []struct {
		name      string
		arcs      []arc
		symmetric bool
		halve     bool
		want      map[string]float64
	}{
		{"directed", unit(follows), false, false, map[string]float64{
			"Alice": 0, "Bob": 0, "Carol": 8, "Dan": 3, "Eve": 3, "Frank": 5, "Gale": 0,
		}},
		{"undirected", unit(follows), true, true, map[string]float64{
			"Alice": 0, "Bob": 0, "Carol": 9.5, "Dan": 3, "Eve": 3, "Frank": 5.5, "Gale": 0,
		}},
		{"weighted", lengths(follows), false, false, map[string]float64{
			"Alice": 0, "Bob": 0, "Carol": 8, "Dan": 0, "Eve": 6, "Frank": 5, "Gale": 0,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := build(t, tt.arcs, tt.symmetric)
			got := exactBetweenness(t, f.g, true)
			if tt.halve {
				for i := range got {
					got[i] /= 2
				}
			}
			checkNamed(t, f, got, tt.want, 1e-9)
		})
	}
}

// TestBetweennessTies: every shortest path counts, however many hops it
// takes; lengths tie within 1e-9 relative; weight-1 edges (length 0) count
// like any other except inside a cycle of them. Unnormalised values, each
// checked by hand and against the brute-force reference.
//
// Hand check of "three tied paths": 0->3 direct (0.4), 0->1->3 (0.5*0.8)
// and 0->2->3 (0.8*0.5) are equally strong (their float lengths -ln 0.4,
// -ln 0.5 - ln 0.8 and -ln 0.8 - ln 0.5 differ in the last bits), so
// sigma(0,3) = 3 and nodes 1 and 2 each lie on 1 of the 3; no other pair has
// an inner node (1 and 2 reach only 3). B = (0, 1/3, 1/3, 0). At 0.39 the
// direct edge is weaker, the two detours tie: B = (0, 1/2, 1/2, 0). The old
// rule (fewer hops win) gave (0, 0, 0, 0) at 0.4.
func TestBetweennessTies(t *testing.T) {
	type e = analytics.Edge
	tests := []struct {
		name  string
		n     int
		edges []e
		want  []float64
	}{
		{"three tied paths", 4, []e{{0, 1, 0.5}, {1, 3, 0.8}, {0, 2, 0.8}, {2, 3, 0.5}, {0, 3, 0.4}},
			[]float64{0, 1.0 / 3, 1.0 / 3, 0}},
		{"stronger detour", 4, []e{{0, 1, 0.5}, {1, 3, 0.8}, {0, 2, 0.8}, {2, 3, 0.5}, {0, 3, 0.39}},
			[]float64{0, 0.5, 0.5, 0}},
		// The example: P001554->P001551 direct 0.2 and through
		// P001569 0.5 x 0.4.
		{"direct 0.2 vs 0.5 x 0.4", 3, []e{{0, 1, 0.5}, {1, 2, 0.4}, {0, 2, 0.2}},
			[]float64{0, 0.5, 0}},
		// 0->1 direct and 0->2->1 over a weight-1 edge are equally strong
		// (0.5): both count, node 2 gets 1/2.
		{"weight-1 edge, no cycle", 3, []e{{0, 1, 0.5}, {0, 2, 0.5}, {2, 1, 1}},
			[]float64{0, 0, 0.5}},
		// A chain of weight-1 edges is as strong as its first edge.
		{"weight-1 chain", 4, []e{{0, 1, 0.5}, {1, 2, 1}, {2, 3, 1}},
			[]float64{0, 2, 2, 0}},
		// 1 and 2 sway each other with weight 1 (a zero-length cycle) and
		// 0 sways both with 0.5. From 0, both are 1 hop away, so the
		// cycle's edges go no hop further and do not count: nobody lies
		// between anyone. (Counting simple paths would give 1 and 2 1/2
		// each; inside zero-length cycles fewer hops win.)
		{"weight-1 cycle entered twice", 3, []e{{0, 1, 0.5}, {0, 2, 0.5}, {1, 2, 1}, {2, 1, 1}},
			[]float64{0, 0, 0}},
		// 0->1, then the weight-1 cycle 1->2->3->1, then 3->4. From 0 the
		// cycle's hops are 1, 2, 3, so 3->1 goes back and is dropped; from
		// 1, 3->1 is dropped; from 2, 1->2; from 3, nothing. One shortest
		// path per pair, the simple one. Pairs through 1: (0,2) (0,3)
		// (0,4) (3,2); through 2: (0,3) (0,4) (1,3) (1,4); through 3:
		// (0,4) (1,4) (2,1) (2,4).
		{"weight-1 cycle entered once", 5, []e{{0, 1, 0.5}, {1, 2, 1}, {2, 3, 1}, {3, 1, 1}, {3, 4, 0.5}},
			[]float64{0, 4, 4, 4, 0}},
		// Everyone sways everyone with weight 1: all lengths are 0 and
		// every other node is one hop from a source, so nobody lies
		// between (hop-count betweenness of a complete graph).
		{"complete, weights 1", 4, []e{{0, 1, 1}, {0, 2, 1}, {0, 3, 1}, {1, 0, 1}, {1, 2, 1}, {1, 3, 1},
			{2, 0, 1}, {2, 1, 1}, {2, 3, 1}, {3, 0, 1}, {3, 1, 1}, {3, 2, 1}},
			[]float64{0, 0, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := exactBetweenness(t, mustGraph(t, tt.n, tt.edges), true)
			ref := refSimplePaths(tt.n, tt.edges)
			for v := range got {
				if !within(got[v], tt.want[v], 1e-12) {
					t.Errorf("node %d: got %v, want %v", v, got[v], tt.want[v])
				}
				if !within(ref[v], tt.want[v], 1e-12) {
					t.Errorf("node %d: brute force %v, want %v", v, ref[v], tt.want[v])
				}
			}
		})
	}
}

// TestBetweennessBruteForce compares Brandes with the simple-path reference
// on random small graphs whose weights make many exact ties (products such
// as 0.5 x 0.4 = 0.2, 0.5 x 0.5 = 0.25) and have weight-1 edges, zero-length
// chains and zero-length cycles.
func TestBetweennessBruteForce(t *testing.T) {
	weights := []float64{0.2, 0.25, 0.4, 0.5, 0.8, 1, 1}
	var zeroCycles int
	for seed := range uint64(300) {
		rng := rand.New(rand.NewPCG(seed, 7))
		n := 4 + rng.IntN(5)
		var edges []analytics.Edge
		for u := range n {
			for v := range n {
				if u != v && rng.Float64() < 0.35 {
					edges = append(edges, analytics.Edge{From: int32(u), To: int32(v), Weight: weights[rng.IntN(len(weights))]})
				}
			}
		}
		if hasUnitCycle(n, edges) {
			zeroCycles++
		}
		got := exactBetweenness(t, mustGraph(t, n, edges), true)
		want := refSimplePaths(n, edges)
		for v := range n {
			if !within(got[v], want[v], 1e-9) {
				t.Errorf("seed %d (n=%d, edges %v) node %d: got %v, brute force %v", seed, n, edges, v, got[v], want[v])
			}
		}
	}
	if zeroCycles < 30 {
		t.Errorf("only %d of the graphs have a weight-1 cycle", zeroCycles)
	}
}

// hasUnitCycle reports whether the weight-1 edges contain a cycle.
func hasUnitCycle(n int, edges []analytics.Edge) bool {
	reach := make([][]bool, n)
	for v := range reach {
		reach[v] = make([]bool, n)
	}
	for _, e := range edges {
		if e.Weight == 1 {
			reach[e.From][e.To] = true
		}
	}
	for k := range n {
		for v := range n {
			for w := range n {
				reach[v][w] = reach[v][w] || reach[v][k] && reach[k][w]
			}
		}
	}
	for v := range n {
		if reach[v][v] {
			return true
		}
	}
	return false
}

// TestBetweennessSeed checks the seed region. H013's P001569 is the issue's
// example, against igraph's value (relative-epsilon comparison of lengths;
// networkx, comparing floats exactly, misses the 0.5 x 0.4 vs 0.2 tie and
// gives 0.038574; the old fewer-hops rule gave 0.036891). Every hospital and
// department scope is compared with the all-pairs reference.
func TestBetweennessSeed(t *testing.T) {
	h013 := seedScopeOf(t, "hospital:H013")
	got := exactBetweenness(t, h013.g, false)[h013.index["P001569"]]
	if math.Abs(got-0.040258) > 1e-6 {
		t.Errorf("H013 P001569: got %.6f, igraph 0.040258", got)
	}
	var checked int
	for _, sc := range seedScopes(t) {
		if !strings.HasPrefix(sc.key, "hospital:") && !strings.HasPrefix(sc.key, "department:") {
			continue
		}
		checked++
		got := exactBetweenness(t, sc.g, false)
		want := refAllPairs(sc.g)
		for v := range got {
			if !within(got[v], want[v], 1e-9) {
				t.Errorf("%s %s: got %v, reference %v", sc.key, sc.ids[v], got[v], want[v])
			}
		}
	}
	if checked != 43+449 {
		t.Errorf("checked %d hospital and department scopes, want 492", checked)
	}
}

// TestBetweennessGonum cross-checks random digraphs against gonum: equal
// weights 0.5 (a path's length is its hops times ln 2, so the shortest
// paths are the fewest-hop ones, with many ties) with the unweighted
// network.Betweenness, and random weights with BetweennessWeighted over
// Dijkstra on -ln w.
func TestBetweennessGonum(t *testing.T) {
	for seed := range uint64(3) {
		for _, unit := range []bool{true, false} {
			n := 60
			edges := randomGraph(n, 0.05, unit, seed)
			if unit {
				for i := range edges {
					edges[i].Weight = 0.5
				}
			}
			g := mustGraph(t, n, edges)
			got := exactBetweenness(t, g, true)
			var want map[int64]float64
			if unit {
				dg := simple.NewDirectedGraph()
				for v := range n {
					dg.AddNode(simple.Node(v))
				}
				for _, e := range edges {
					dg.SetEdge(dg.NewEdge(simple.Node(e.From), simple.Node(e.To)))
				}
				want = network.Betweenness(dg)
			} else {
				dg := simple.NewWeightedDirectedGraph(0, math.Inf(1))
				for v := range n {
					dg.AddNode(simple.Node(v))
				}
				for _, e := range edges {
					dg.SetWeightedEdge(dg.NewWeightedEdge(simple.Node(e.From), simple.Node(e.To), -math.Log(e.Weight)))
				}
				want = network.BetweennessWeighted(dg, path.DijkstraAllPaths(dg))
			}
			for v := range n {
				if !within(got[v], want[int64(v)], 1e-9) {
					t.Errorf("seed %d unit %v node %d: got %v, gonum %v", seed, unit, v, got[v], want[int64(v)])
				}
			}
		}
	}
}

func TestBetweennessSampled(t *testing.T) {
	ctx := context.Background()
	g := mustGraph(t, 300, powerLaw(300, 3, 11))
	exact := exactBetweenness(t, g, false)

	t.Run("k=n is exact", func(t *testing.T) {
		res, err := analytics.Betweenness(ctx, g, analytics.BetweennessOptions{Sources: 300})
		if err != nil || !res.Exact || !slices.Equal(res.Scores, exact) {
			t.Errorf("k=n: exact=%v err=%v equal=%v", res.Exact, err, slices.Equal(res.Scores, exact))
		}
	})
	t.Run("seeded and reproducible", func(t *testing.T) {
		opts := analytics.BetweennessOptions{Sources: 60, Seed: 5}
		a, err := analytics.Betweenness(ctx, g, opts)
		if err != nil {
			t.Fatal(err)
		}
		opts.Workers = 1
		b, _ := analytics.Betweenness(ctx, g, opts)
		if a.Exact || a.Sources != 60 || !slices.Equal(a.Scores, b.Scores) || !slices.Equal(a.StdErr, b.StdErr) {
			t.Errorf("sampled: exact=%v sources=%d reproducible=%v", a.Exact, a.Sources, slices.Equal(a.Scores, b.Scores))
		}
	})
	t.Run("unbiased with honest error", func(t *testing.T) {
		// Averaged over many seeds the estimate approaches the exact value,
		// and the stated standard error matches the spread of the estimates.
		const runs = 200
		top := argmax(exact)
		var mean, m2, se float64
		for seed := range uint64(runs) {
			res, err := analytics.Betweenness(ctx, g, analytics.BetweennessOptions{Sources: 30, Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			x := res.Scores[top]
			mean += x / runs
			m2 += x * x / runs
			se += res.StdErr[top] / runs
		}
		sd := math.Sqrt(m2 - mean*mean)
		if math.Abs(mean-exact[top]) > 4*sd/math.Sqrt(runs) {
			t.Errorf("mean estimate %v, exact %v (sd %v)", mean, exact[top], sd)
		}
		if se < 0.7*sd || se > 1.3*sd {
			t.Errorf("stated standard error %v, observed spread %v", se, sd)
		}
	})
	t.Run("error bound", func(t *testing.T) {
		// The bound claims about 95% confidence for all nodes at once.
		const runs = 40
		var missed int
		for seed := range uint64(runs) {
			res, err := analytics.Betweenness(ctx, g, analytics.BetweennessOptions{Sources: 60, Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			var worst float64
			for v, x := range res.Scores {
				worst = max(worst, math.Abs(x-exact[v]))
			}
			if worst > res.ErrorBound {
				missed++
			}
			if want := math.Sqrt2 * math.Erfinv(1-0.05/300) * slices.Max(res.StdErr); res.ErrorBound != want {
				t.Fatalf("seed %d: bound %v, want z*max(StdErr) = %v", seed, res.ErrorBound, want)
			}
		}
		t.Logf("the bound missed the worst error in %d of %d runs", missed, runs)
		if missed > runs/10 {
			t.Errorf("the error bound missed the worst error in %d of %d runs", missed, runs)
		}
		if res, _ := analytics.Betweenness(ctx, g, analytics.BetweennessOptions{Sources: 2, Seed: 1}); res.ErrorBound != 1 {
			t.Errorf("2 sources: bound %v, want the largest possible score 1", res.ErrorBound)
		}
		if res, _ := analytics.Betweenness(ctx, g, analytics.BetweennessOptions{}); res.ErrorBound != 0 {
			t.Errorf("exact: bound %v, want 0", res.ErrorBound)
		}
	})
	t.Run("scaling as networkx 3.6", func(t *testing.T) {
		// Directed 4-cycle: source s puts node v on 2 paths if s = v-1 (to
		// v+1 and v+2), on 1 if s = v-2 (to v+1), else on none. A node
		// outside the sample scales by (n-1)/k, a sampled one by (n-1)/(k-1).
		c := mustGraph(t, 4, []analytics.Edge{{From: 0, To: 1, Weight: 1}, {From: 1, To: 2, Weight: 1}, {From: 2, To: 3, Weight: 1}, {From: 3, To: 0, Weight: 1}})
		for k := 2; k < 4; k++ {
			for seed := range uint64(5) {
				res, err := analytics.Betweenness(ctx, c, analytics.BetweennessOptions{Sources: k, Seed: seed, Unnormalized: true})
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Sampled) != k {
					t.Fatalf("k=%d: sampled %v", k, res.Sampled)
				}
				for v := range 4 {
					var dep float64
					scale := 3.0 / float64(k)
					for _, s := range res.Sampled {
						switch (v - int(s) + 4) % 4 {
						case 0:
							scale = 3.0 / float64(k-1)
						case 1:
							dep += 2
						case 2:
							dep++
						}
					}
					if want := dep * scale; !within(res.Scores[v], want, 1e-12) {
						t.Errorf("k=%d seed %d sample %v node %d: got %v, want %v", k, seed, res.Sampled, v, res.Scores[v], want)
					}
				}
			}
		}
	})
	if _, err := analytics.Betweenness(ctx, g, analytics.BetweennessOptions{Sources: -1}); !errors.Is(err, analytics.ErrInvalidOption) {
		t.Errorf("negative sources: got %v", err)
	}
}

func TestBetweennessDeterministic(t *testing.T) {
	unit := powerLaw(400, 4, 3) // a third of the weights 1: zero-length cycles
	for i := 0; i < len(unit); i += 3 {
		unit[i].Weight = 1
	}
	for name, g := range map[string]*analytics.Graph{"weights": mustGraph(t, 1000, powerLaw(1000, 4, 3)), "some weights 1": mustGraph(t, 400, unit)} {
		for _, k := range []int{0, 200} {
			var first analytics.BetweennessResult
			for _, w := range []int{1, 2, 5} {
				res, err := analytics.Betweenness(context.Background(), g, analytics.BetweennessOptions{Sources: k, Seed: 9, Workers: w})
				if err != nil {
					t.Fatal(err)
				}
				if first.Scores == nil {
					first = res
				} else if !slices.Equal(first.Scores, res.Scores) || first.ErrorBound != res.ErrorBound {
					t.Errorf("%s k=%d: workers=1 and workers=%d differ", name, k, w)
				}
			}
		}
	}
}

func TestBetweennessCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	g := mustGraph(t, 500, powerLaw(500, 3, 1))
	if _, err := analytics.Betweenness(ctx, g, analytics.BetweennessOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

func argmax(xs []float64) int {
	best := 0
	for i, x := range xs {
		if x > xs[best] {
			best = i
		}
	}
	return best
}

// reweighted is f with every weight set to w.
func reweighted(t testing.TB, f named, w float64) named {
	t.Helper()
	var edges []analytics.Edge
	for v := range int32(f.g.Nodes()) {
		to, _ := f.g.OutNeighbors(v)
		for _, u := range to {
			edges = append(edges, analytics.Edge{From: v, To: u, Weight: w})
		}
	}
	return named{g: mustGraph(t, f.g.Nodes(), edges), index: f.index, names: f.names}
}

func closeAll(got, want []float64, tol float64) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if !within(got[i], want[i], tol) {
			return false
		}
	}
	return true
}
