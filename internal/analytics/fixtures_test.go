package analytics_test

import (
	"bufio"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/analytics"
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

// loadArcs reads testdata/<file>: "a b [weight]" per line, # comments.
// scale divides the weights (to bring counts into (0,1]); without a weight
// column the weight is 1.
func loadArcs(t testing.TB, file string, scale float64) []arc {
	t.Helper()
	fh, err := os.Open("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var arcs []arc
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		a := arc{from: f[0], to: f[1], w: 1}
		if len(f) > 2 {
			w, err := strconv.ParseFloat(f[2], 64)
			if err != nil {
				t.Fatal(err)
			}
			a.w = w / scale
		}
		arcs = append(arcs, a)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
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

// influence is the small directed weighted graph of testdata/reference.py.
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

func mustGraph(t testing.TB, n int, edges []analytics.Edge) *analytics.Graph {
	t.Helper()
	g, err := analytics.NewGraph(n, edges)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// powerLaw returns a directed preferential-attachment graph: each new node
// links to perNode distinct earlier nodes picked with probability
// proportional to their degree (+1), each link pointing either way at
// random, with weights uniform in [0.05, 1]. About n*perNode edges, a
// heavy-tailed degree distribution and one large strongly connected core,
// like an influence network with a few very connected key opinion leaders.
func powerLaw(n, perNode int, seed uint64) []analytics.Edge {
	rng := rand.New(rand.NewPCG(seed, 2))
	edges := make([]analytics.Edge, 0, n*perNode)
	pool := make([]int32, 0, 2*n*perNode+n) // node repeated once per degree, plus once
	seed0 := perNode + 1
	for u := range seed0 {
		pool = append(pool, int32(u))
		for v := range u {
			edges = append(edges, orient(rng, int32(u), int32(v)))
			pool = append(pool, int32(u), int32(v))
		}
	}
	chosen := make([]int32, 0, perNode)
	for u := seed0; u < n; u++ {
		chosen = chosen[:0]
		for len(chosen) < perNode {
			v := pool[rng.IntN(len(pool))]
			if slices.Contains(chosen, v) {
				continue
			}
			chosen = append(chosen, v)
			edges = append(edges, orient(rng, int32(u), v))
		}
		for _, v := range chosen {
			pool = append(pool, v, int32(u))
		}
		pool = append(pool, int32(u))
	}
	return edges
}

func orient(rng *rand.Rand, u, v int32) analytics.Edge {
	w := 0.05 + 0.95*rng.Float64()
	if rng.IntN(2) == 0 {
		return analytics.Edge{From: u, To: v, Weight: w}
	}
	return analytics.Edge{From: v, To: u, Weight: w}
}
