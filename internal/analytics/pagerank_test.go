package analytics_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/simple"
)

// Reference values: networkx 3.6.1, see analyticstest/testdata/reference.py.
func TestPageRankReferences(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		fixture func(testing.TB) named
		want    map[string]float64
	}{
		{"karate", karate, map[string]float64{
			"0": 0.09699728637778936, "33": 0.100919181399898, "32": 0.07169322527506007,
			"2": 0.05707850946441561, "11": 0.009564745563621722,
		}},
		{"les misérables, co-occurrence weights", func(t testing.TB) named { return lesMis(t, true) }, map[string]float64{
			"Valjean": 0.09955810927473782, "Myriel": 0.039231580229564335, "Gavroche": 0.028302632940222755,
			"Marius": 0.051668107407030726, "Fantine": 0.027163511362995007, "Napoleon": 0.003023756575495912,
		}},
		{"directed influence graph", influence, map[string]float64{
			"A": 0.1890253380693396, "B": 0.15846682652467467, "C": 0.1942807604477203,
			"D": 0.25605493158496817, "E": 0.12880621181680585, "F": 0.07336593155649153,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.fixture(t)
			got, err := analytics.PageRank(ctx, f.g, analytics.Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkNamed(t, f, got, tt.want, 1e-9)
			if s := sum(got); !within(s, 1, 1e-12) {
				t.Errorf("sum = %v, want 1", s)
			}
		})
	}
}

// TestPageRankDirection pins the direction on a graph solved by hand.
//
// A sways B (1.0) and C (0.9); B sways C (0.3). Reversed, score flows
// B->A with probability 1, C->A with 0.9/1.2 = 3/4 and C->B with 1/4; A
// has no reversed out-edge (nobody sways A), so its score is spread
// uniformly. With d = 17/20 and t = (1-d)/3 = 1/20:
//
//	xC = t + d*xA/3
//	xB = t + d*xC/4 + d*xA/3
//	xA = t + d*(xB + 3/4*xC) + d*xA/3
//
// whose solution is xA = 1423/2603, xB = 1940/7809, xC = 1600/7809 (they sum
// to 1). The one who sways ranks first, the one only swayed last.
func TestPageRankDirection(t *testing.T) {
	f := build(t, []arc{{"A", "B", 1.0}, {"A", "C", 0.9}, {"B", "C", 0.3}}, false)
	got, err := analytics.PageRank(context.Background(), f.g, analytics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkNamed(t, f, got, map[string]float64{"A": 1423.0 / 2603, "B": 1940.0 / 7809, "C": 1600.0 / 7809}, 1e-9)
	if !(got[f.id(t, "A")] > got[f.id(t, "B")] && got[f.id(t, "B")] > got[f.id(t, "C")]) {
		t.Errorf("order: got %v, want A > B > C", got)
	}
}

// TestPageRankGDSExample is the worked example of the Neo4j GDS PageRank
// documentation (pages Home, About, Product, Links, Site A-D). GDS ranks the
// target of a link, so the links go in reversed. GDS scores are not
// normalised (PR = (1-d) + d*sum, summing to n when no node is dangling, as
// here) and its published numbers stop at its default 20 iterations, about
// 4% short of the fixed point; so the test checks the published order and
// ties exactly, n*score against the published values within 5%, and the
// fixed point tightly against networkx.
func TestPageRankGDSExample(t *testing.T) {
	links := []arc{
		{"Home", "About", 0.2}, {"Home", "Links", 0.2}, {"Home", "Product", 0.6},
		{"About", "Home", 1.0}, {"Product", "Home", 1.0}, {"Site A", "Home", 1.0},
		{"Site B", "Home", 1.0}, {"Site C", "Home", 1.0}, {"Site D", "Home", 1.0},
		{"Links", "Home", 0.8}, {"Links", "Site A", 0.05}, {"Links", "Site B", 0.05},
		{"Links", "Site C", 0.05}, {"Links", "Site D", 0.05},
	}
	tests := []struct {
		name     string
		weighted bool
		gds      []gdsRow // published, in published order
		networkx map[string]float64
	}{
		{"unweighted", false, []gdsRow{
			{"Home", 3.215681999884452}, {"About", 1.0542700552146722}, {"Links", 1.0542700552146722},
			{"Product", 1.0542700552146722}, {"Site A", 0.3278578964488539}, {"Site B", 0.3278578964488539},
			{"Site C", 0.3278578964488539}, {"Site D", 0.3278578964488539},
		}, map[string]float64{
			"Home": 0.41906005227044874, "About": 0.13748368143263962, "Links": 0.13748368143263962,
			"Product": 0.13748368143263962, "Site A": 0.04212222585790808,
		}},
		{"weighted", true, []gdsRow{
			{"Home", 3.53751028396339}, {"Product", 1.9357838291651097}, {"About", 0.7452612763883698},
			{"Links", 0.7452612763883698}, {"Site A", 0.18152677135466103}, {"Site B", 0.18152677135466103},
			{"Site C", 0.18152677135466103}, {"Site D", 0.18152677135466103},
		}, map[string]float64{
			"Home": 0.46067512921703, "About": 0.09706477190927344, "Links": 0.09706477190927344,
			"Product": 0.25369431572782025, "Site A": 0.022875252809150707,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rev []arc
			for _, l := range links {
				w := l.w
				if !tt.weighted {
					w = 1
				}
				rev = append(rev, arc{l.to, l.from, w})
			}
			f := build(t, rev, false)
			got, err := analytics.PageRank(context.Background(), f.g, analytics.Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkNamed(t, f, got, tt.networkx, 1e-9)
			n := float64(f.g.Nodes())
			for i, r := range tt.gds {
				g := got[f.id(t, r.name)]
				if !within(g*n, r.score, 0.05) {
					t.Errorf("%s: n*score = %.6f, GDS %.6f", r.name, g*n, r.score)
				}
				if i == 0 {
					continue
				}
				prev := tt.gds[i-1]
				pg := got[f.id(t, prev.name)]
				switch {
				case prev.score == r.score && math.Abs(pg-g) > 1e-12:
					t.Errorf("%s and %s: GDS ties them, got %v and %v", prev.name, r.name, pg, g)
				case prev.score > r.score && !(pg > g):
					t.Errorf("%s (%v) should rank above %s (%v)", prev.name, pg, r.name, g)
				}
			}
		})
	}
}

type gdsRow struct {
	name  string
	score float64
}

// TestPageRankGonum cross-checks random weighted digraphs, with dangling
// nodes, against gonum's dense PageRank on the reversed edges.
func TestPageRankGonum(t *testing.T) {
	for seed := range uint64(4) {
		n := 40
		edges := randomGraph(n, 0.06, false, seed)
		g := mustGraph(t, n, edges)
		got, err := analytics.PageRank(context.Background(), g, analytics.Options{Tol: 1e-14, MaxIter: 1000})
		if err != nil {
			t.Fatal(err)
		}
		dg := simple.NewWeightedDirectedGraph(0, 0)
		for v := range n {
			dg.AddNode(simple.Node(v))
		}
		for _, e := range edges {
			dg.SetWeightedEdge(dg.NewWeightedEdge(simple.Node(e.To), simple.Node(e.From), e.Weight))
		}
		want := network.PageRank(dg, 0.85, 1e-13)
		for v := range n {
			if !within(got[v], want[int64(v)], 1e-9) {
				t.Errorf("seed %d node %d: got %.12g, gonum %.12g", seed, v, got[v], want[int64(v)])
			}
		}
	}
}

func TestPageRankEdgeCases(t *testing.T) {
	ctx := context.Background()
	empty := mustGraph(t, 0, nil)
	if got, err := analytics.PageRank(ctx, empty, analytics.Options{}); err != nil || len(got) != 0 {
		t.Errorf("empty graph: got %v, %v", got, err)
	}
	isolated := mustGraph(t, 4, nil)
	got, err := analytics.PageRank(ctx, isolated, analytics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range got {
		if !within(x, 0.25, 1e-15) {
			t.Errorf("isolated nodes: got %v, want 1/4 each", got)
		}
	}
	f := influence(t)
	if _, err := analytics.PageRank(ctx, f.g, analytics.Options{MaxIter: 3}); !errors.Is(err, analytics.ErrNotConverged) {
		t.Errorf("3 iterations: got %v, want ErrNotConverged", err)
	}
	for _, o := range []analytics.Options{{Damping: 1}, {Damping: -0.1}, {Tol: -1}, {MaxIter: -1}, {Damping: math.NaN()}} {
		if _, err := analytics.PageRank(ctx, f.g, o); !errors.Is(err, analytics.ErrInvalidOption) {
			t.Errorf("%+v: got %v, want ErrInvalidOption", o, err)
		}
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := analytics.PageRank(cctx, f.g, analytics.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
}

// TestPageRankDeterministic runs PageRank with 1, 2 and 3 workers: the
// power iteration splits by node blocks and Gauss-Seidel sweeps its two
// parts side by side or one after the other, and neither may change a bit.
// The region (ids by hospital) is swept in two parts, the power-law graph
// (ids at random, half its ties across any split) in one.
func TestPageRankDeterministic(t *testing.T) {
	for _, c := range []struct {
		name  string
		g     *analytics.Graph
		parts int
	}{
		{"power law", mustGraph(t, 20000, powerLaw(20000, 5, 7)), 1},
		{"region", region(t, 10_000), 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			if h := analytics.SplitWork(c.g); (h > 0) != (c.parts == 2) {
				t.Errorf("split at %d, want %d parts", h, c.parts)
			}
			var runs [][]float64
			for _, w := range []int{1, 2, 3} {
				got, err := analytics.PageRank(context.Background(), c.g, analytics.Options{Workers: w})
				if err != nil {
					t.Fatal(err)
				}
				runs = append(runs, got)
			}
			for i := 1; i < len(runs); i++ {
				if !slices.Equal(runs[0], runs[i]) {
					t.Errorf("workers=1 and workers=%d differ", i+1)
				}
			}
		})
	}
}

func sum(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s
}
