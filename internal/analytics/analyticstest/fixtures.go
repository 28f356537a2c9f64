package analyticstest

import (
	"embed"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/analytics"
)

// testdata holds the reference graphs as networkx ships them (Zachary's
// karate club, the Florentine families, Les Misérables) and reference.py,
// which computes the tests' reference values from them.
//
//go:embed testdata/*.txt
var testdata embed.FS

// Tie is one line of a reference graph: two node names and a weight (1
// where the file has none).
type Tie struct {
	From, To string
	Weight   float64
}

// Ties returns the ties of testdata/<file>: "a b [weight]" per line, #
// comments. It panics if the file is missing or malformed.
func Ties(file string) []Tie {
	data, err := testdata.ReadFile("testdata/" + file)
	if err != nil {
		panic("analyticstest: " + err.Error())
	}
	var ties []Tie
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			panic(fmt.Sprintf("analyticstest: %s: bad line %q", file, line))
		}
		t := Tie{From: f[0], To: f[1], Weight: 1}
		if len(f) > 2 {
			if t.Weight, err = strconv.ParseFloat(f[2], 64); err != nil {
				panic(fmt.Sprintf("analyticstest: %s: bad line %q", file, line))
			}
		}
		ties = append(ties, t)
	}
	return ties
}

// MustGraph is analytics.NewGraph that fails tb on an error.
func MustGraph(tb testing.TB, n int, edges []analytics.Edge) *analytics.Graph {
	tb.Helper()
	g, err := analytics.NewGraph(n, edges)
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// PowerLaw returns a directed preferential-attachment graph, the generator
// of the analytics and paths benchmarks: each new node links to perNode
// distinct earlier nodes picked with probability proportional to their
// degree (+1), each link pointing either way at random, with weights
// uniform in [0.05, 1]. About n*perNode edges, a heavy-tailed degree
// distribution and one large strongly connected core, like an influence
// network with a few very connected key opinion leaders.
func PowerLaw(n, perNode int, seed uint64) []analytics.Edge {
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
