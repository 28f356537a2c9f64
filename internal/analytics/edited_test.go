package analytics_test

import (
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/kolgraph/kolgraph/internal/analytics"
)

// TestEditedIsNewGraph: a graph edited (edges removed, added, replaced)
// equals the graph NewGraph builds from the edited edge list, in every
// row, weight, length and in-edge, and each edge id of the result names
// the edge of the original it was.
func TestEditedIsNewGraph(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 17))
	for round := range 200 {
		n := 2 + rng.IntN(40)
		have := map[[2]int32]float64{}
		var edges []analytics.Edge
		for range rng.IntN(4 * n) {
			e := analytics.Edge{From: rng.Int32N(int32(n)), To: rng.Int32N(int32(n)), Weight: 0.05 + 0.9*rng.Float64()}
			if e.From == e.To || have[[2]int32{e.From, e.To}] > 0 {
				continue
			}
			have[[2]int32{e.From, e.To}] = e.Weight
			edges = append(edges, e)
		}
		g, err := analytics.NewGraph(n, edges)
		if err != nil {
			t.Fatal(err)
		}
		var remove []int32
		var add []analytics.Edge
		after := map[[2]int32]float64{}
		for k, w := range have {
			after[k] = w
		}
		for id := range int32(g.Edges()) {
			if rng.IntN(5) == 0 {
				k := [2]int32{g.Source(id), g.Target(id)}
				remove = append(remove, id)
				delete(after, k)
				if rng.IntN(2) == 0 { // replaced
					add = append(add, analytics.Edge{From: k[0], To: k[1], Weight: 0.5})
					after[k] = 0.5
				}
			}
		}
		for range rng.IntN(n) {
			e := analytics.Edge{From: rng.Int32N(int32(n)), To: rng.Int32N(int32(n)), Weight: 0.01 + 0.99*rng.Float64()}
			if _, ok := after[[2]int32{e.From, e.To}]; ok || e.From == e.To {
				continue
			}
			after[[2]int32{e.From, e.To}] = e.Weight
			add = append(add, e)
		}
		var want []analytics.Edge
		for k, w := range after {
			want = append(want, analytics.Edge{From: k[0], To: k[1], Weight: w})
		}
		wg, err := analytics.NewGraph(n, want)
		if err != nil {
			t.Fatal(err)
		}
		got, was, err := g.Edited(remove, add)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if !reflect.DeepEqual(got, wg) {
			t.Fatalf("round %d: the edited graph differs from the one built", round)
		}
		added := map[[2]int32]bool{}
		for _, e := range add {
			added[[2]int32{e.From, e.To}] = true
		}
		for e, old := range was {
			switch {
			case old < 0:
				if !added[[2]int32{got.Source(int32(e)), got.Target(int32(e))}] {
					t.Fatalf("round %d: edge %d is said to be new, but it was not added", round, e)
				}
			case added[[2]int32{got.Source(int32(e)), got.Target(int32(e))}]:
				t.Fatalf("round %d: edge %d was added, but is said to be %d", round, e, old)
			case g.Source(old) != got.Source(int32(e)) || g.Target(old) != got.Target(int32(e)) || g.Weight(old) != got.Weight(int32(e)):
				t.Fatalf("round %d: edge %d was %d, which is another edge", round, e, old)
			}
		}
	}
}

func TestEditedRefuses(t *testing.T) {
	g, err := analytics.NewGraph(3, []analytics.Edge{{From: 0, To: 1, Weight: 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		remove []int32
		add    []analytics.Edge
	}{
		"an edge kept and added": {add: []analytics.Edge{{From: 0, To: 1, Weight: 0.2}}},
		"a pair added twice":     {add: []analytics.Edge{{From: 1, To: 2, Weight: 0.2}, {From: 1, To: 2, Weight: 0.3}}},
		"a self loop":            {add: []analytics.Edge{{From: 2, To: 2, Weight: 0.2}}},
		"a weight above 1":       {add: []analytics.Edge{{From: 1, To: 2, Weight: 1.2}}},
		"a node outside":         {add: []analytics.Edge{{From: 1, To: 3, Weight: 0.2}}},
		"an edge id outside":     {remove: []int32{1}},
	} {
		if _, _, err := g.Edited(c.remove, c.add); !errors.Is(err, analytics.ErrInvalidGraph) {
			t.Errorf("%s: %v, want ErrInvalidGraph", name, err)
		}
	}
}
