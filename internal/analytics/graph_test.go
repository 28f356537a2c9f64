package analytics_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/analytics"
)

func TestNewGraphRejects(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		edges []analytics.Edge
	}{
		{"zero weight", 2, []analytics.Edge{{From: 0, To: 1, Weight: 0}}},
		{"negative weight", 2, []analytics.Edge{{From: 0, To: 1, Weight: -0.5}}},
		{"weight above 1", 2, []analytics.Edge{{From: 0, To: 1, Weight: 1.0000001}}},
		{"NaN weight", 2, []analytics.Edge{{From: 0, To: 1, Weight: math.NaN()}}},
		{"infinite weight", 2, []analytics.Edge{{From: 0, To: 1, Weight: math.Inf(1)}}},
		{"self loop", 2, []analytics.Edge{{From: 1, To: 1, Weight: 0.5}}},
		{"source out of range", 2, []analytics.Edge{{From: 2, To: 1, Weight: 0.5}}},
		{"negative target", 2, []analytics.Edge{{From: 0, To: -1, Weight: 0.5}}},
		{"duplicate pair", 3, []analytics.Edge{{From: 0, To: 2, Weight: 0.5}, {From: 0, To: 1, Weight: 0.5}, {From: 0, To: 2, Weight: 0.7}}},
		{"negative node count", -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := analytics.NewGraph(tt.n, tt.edges); !errors.Is(err, analytics.ErrInvalidGraph) {
				t.Errorf("got %v, want ErrInvalidGraph", err)
			}
		})
	}
}

func TestGraphLayout(t *testing.T) {
	g := mustGraph(t, 4, []analytics.Edge{
		{From: 2, To: 0, Weight: 0.5}, {From: 0, To: 3, Weight: 1}, {From: 0, To: 1, Weight: 0.25},
		{From: 3, To: 2, Weight: 0.75}, {From: 1, To: 2, Weight: 0.1},
	})
	if g.Nodes() != 4 || g.Edges() != 5 {
		t.Fatalf("got %d nodes %d edges", g.Nodes(), g.Edges())
	}
	to, w := g.OutNeighbors(0)
	if !slices.Equal(to, []int32{1, 3}) || !slices.Equal(w, []float64{0.25, 1}) {
		t.Errorf("out of 0: %v %v, want sorted [1 3] [0.25 1]", to, w)
	}
	from, ids := g.InNeighbors(2)
	if !slices.Equal(from, []int32{1, 3}) {
		t.Errorf("in of 2: %v, want [1 3]", from)
	}
	for i, e := range ids {
		if g.Source(e) != from[i] || g.Target(e) != 2 {
			t.Errorf("in-edge %d of 2 is %d->%d", e, g.Source(e), g.Target(e))
		}
	}
	for e := range int32(g.Edges()) {
		if g.Length(e) != -math.Log(g.Weight(e)) {
			t.Errorf("edge %d: length %v, weight %v", e, g.Length(e), g.Weight(e))
		}
		if id, ok := g.EdgeBetween(g.Source(e), g.Target(e)); !ok || id != e {
			t.Errorf("EdgeBetween(%d,%d) = %d %v, want %d", g.Source(e), g.Target(e), id, ok, e)
		}
	}
	if _, ok := g.EdgeBetween(1, 0); ok {
		t.Error("EdgeBetween found a missing edge")
	}
	if per := float64(g.SizeBytes()-8*(g.Nodes()+1)) / float64(g.Edges()); per != 28 {
		t.Errorf("%v bytes per edge, want 28", per)
	}
}

func TestSubgraph(t *testing.T) {
	f := influence(t)
	nodes := []int32{f.id(t, "E"), f.id(t, "B"), f.id(t, "C"), f.id(t, "B")}
	s, parent := analytics.Subgraph(f.g, nodes)
	if !slices.IsSorted(parent) || len(parent) != 3 || s.Nodes() != 3 {
		t.Fatalf("parent %v, %d nodes", parent, s.Nodes())
	}
	// Induced edges among B, C, E: B->C 0.8, B->E 0.5, E->B 0.4.
	want := map[[2]string]float64{{"B", "C"}: 0.8, {"B", "E"}: 0.5, {"E", "B"}: 0.4}
	if s.Edges() != len(want) {
		t.Errorf("%d edges, want %d", s.Edges(), len(want))
	}
	for u := range int32(s.Nodes()) {
		to, w := s.OutNeighbors(u)
		for i, v := range to {
			key := [2]string{f.names[parent[u]], f.names[parent[v]]}
			if want[key] != w[i] {
				t.Errorf("edge %v weight %v, want %v", key, w[i], want[key])
			}
		}
		from, _ := s.InNeighbors(u)
		for _, v := range from {
			if _, ok := s.EdgeBetween(v, u); !ok {
				t.Errorf("in-edge %d->%d without out-edge", v, u)
			}
		}
	}
	defer func() {
		if r := recover(); r == nil {
			t.Error("out-of-range node: no panic")
		}
	}()
	analytics.Subgraph(f.g, []int32{99})
}
