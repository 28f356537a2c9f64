package analytics_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/analytics/analyticstest"
)

// named is a graph fixture with node names.
type named struct {
	g     *analytics.Graph
	index map[string]int32
	names []string
}

func (f named) id(t testing.TB, name string) int32 {
	t.Helper()
	v, ok := f.index[name]
	if !ok {
		t.Fatalf("fixture has no node %q", name)
	}
	return v
}

// arc is a named, weighted edge of a fixture.
type arc struct {
	from, to string
	w        float64
}

// build indexes names in order of first appearance; symmetric adds both
// directions of every arc (an undirected graph).
func build(t testing.TB, arcs []arc, symmetric bool) named {
	t.Helper()
	f := named{index: map[string]int32{}}
	id := func(s string) int32 {
		if v, ok := f.index[s]; ok {
			return v
		}
		f.index[s] = int32(len(f.names))
		f.names = append(f.names, s)
		return f.index[s]
	}
	var edges []analytics.Edge
	for _, a := range arcs {
		u, v := id(a.from), id(a.to)
		edges = append(edges, analytics.Edge{From: u, To: v, Weight: a.w})
		if symmetric {
			edges = append(edges, analytics.Edge{From: v, To: u, Weight: a.w})
		}
	}
	g, err := analytics.NewGraph(len(f.names), edges)
	if err != nil {
		t.Fatalf("NewGraph: %v", err)
	}
	f.g = g
	return f
}

// loadArcs returns the ties of analyticstest's testdata/<file> with their
// weights divided by scale (to bring counts into (0,1]).
func loadArcs(t testing.TB, file string, scale float64) []arc {
	t.Helper()
	var arcs []arc
	for _, tie := range analyticstest.Ties(file) {
		arcs = append(arcs, arc{from: tie.From, to: tie.To, w: tie.Weight / scale})
	}
	return arcs
}

func karate(t testing.TB) named     { return build(t, loadArcs(t, "karate.txt", 1), true) }
func florentine(t testing.TB) named { return build(t, loadArcs(t, "florentine.txt", 1), true) }

// lesMis has its co-occurrence counts divided by the largest (31), which
// changes no PageRank (transition probabilities are ratios of weights).
func lesMis(t testing.TB, weighted bool) named {
	arcs := loadArcs(t, "lesmis.txt", 31)
	if !weighted {
		for i := range arcs {
			arcs[i].w = 1
		}
	}
	return build(t, arcs, true)
}

// influence is the small directed weighted graph of
// analyticstest/testdata/reference.py.
func influence(t testing.TB) named {
	return build(t, []arc{
		{"A", "B", 0.9}, {"A", "C", 0.6}, {"B", "C", 0.8}, {"C", "D", 0.7},
		{"D", "A", 0.3}, {"D", "E", 0.9}, {"E", "B", 0.4}, {"B", "E", 0.5},
		{"E", "F", 1.0}, {"F", "D", 0.2},
	}, false)
}

// within reports whether got is within tol of want, relative to max(1,|want|).
func within(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol*math.Max(1, math.Abs(want))
}

func checkNamed(t *testing.T, f named, got []float64, want map[string]float64, tol float64) {
	t.Helper()
	for name, w := range want {
		if g := got[f.id(t, name)]; !within(g, w, tol) {
			t.Errorf("%s: got %.12g, want %.12g", name, g, w)
		}
	}
}

// randomGraph returns a directed graph of n nodes where each ordered pair is
// an edge with probability p; weights are uniform in [0.05, 1], or 1 when
// unit is set.
func randomGraph(n int, p float64, unit bool, seed uint64) []analytics.Edge {
	rng := rand.New(rand.NewPCG(seed, 1))
	var edges []analytics.Edge
	for u := range n {
		for v := range n {
			if u != v && rng.Float64() < p {
				w := 1.0
				if !unit {
					w = 0.05 + 0.95*rng.Float64()
				}
				edges = append(edges, analytics.Edge{From: int32(u), To: int32(v), Weight: w})
			}
		}
	}
	return edges
}

var (
	mustGraph = analyticstest.MustGraph
	powerLaw  = analyticstest.PowerLaw
)
