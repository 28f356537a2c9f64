package analytics_test

import (
	"context"
	"errors"
	"math"
	"slices"
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

// Reference values: networkx 3.6.1 (testdata/reference.py) unless noted.
func TestBetweennessReferences(t *testing.T) {
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

// TestBetweennessTies: 0->1->3 (0.5*0.8), 0->2->3 (0.8*0.5) and 0->3
// direct. At direct 0.4 all three paths are equally strong (the float
// lengths -ln 0.5 - ln 0.8 and -ln 0.4 differ in the last bits), so the one
// with fewer hops is the shortest and nobody lies between 0 and 3. At 0.39
// the two detours are stronger and tie, so nodes 1 and 2 carry half each.
func TestBetweennessTies(t *testing.T) {
	tests := []struct {
		name   string
		direct float64
		want   []float64
	}{
		{"equal strength: fewer hops wins", 0.4, []float64{0, 0, 0, 0}},
		{"stronger detour", 0.39, []float64{0, 0.5, 0.5, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := mustGraph(t, 4, []analytics.Edge{
				{From: 0, To: 1, Weight: 0.5}, {From: 1, To: 3, Weight: 0.8},
				{From: 0, To: 2, Weight: 0.8}, {From: 2, To: 3, Weight: 0.5},
				{From: 0, To: 3, Weight: tt.direct},
			})
			got := exactBetweenness(t, g, true)
			for v := range got {
				if !within(got[v], tt.want[v], 1e-12) {
					t.Errorf("node %d: got %v, want %v", v, got[v], tt.want[v])
				}
			}
		})
	}
}

// TestBetweennessGonum cross-checks random digraphs against gonum: unit
// weights (many ties, hop counts) with network.Betweenness, and random
// weights with BetweennessWeighted over Dijkstra on -ln w.
func TestBetweennessGonum(t *testing.T) {
	for seed := range uint64(3) {
		for _, unit := range []bool{true, false} {
			n := 60
			edges := randomGraph(n, 0.05, unit, seed)
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
	g := mustGraph(t, 1000, powerLaw(1000, 4, 3))
	for _, k := range []int{0, 200} {
		var first []float64
		for _, w := range []int{1, 2, 5} {
			res, err := analytics.Betweenness(context.Background(), g, analytics.BetweennessOptions{Sources: k, Seed: 9, Workers: w})
			if err != nil {
				t.Fatal(err)
			}
			if first == nil {
				first = res.Scores
			} else if !slices.Equal(first, res.Scores) {
				t.Errorf("k=%d: workers=1 and workers=%d differ", k, w)
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
