package network_test

import (
	"context"
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/network"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// fixture is a hand-checked graph: a, b, c, d work in H1 (territory T1), e
// in H2 (T2).
//
//	a -0.9-> b -0.5-> c -0.2-> d -0.8-> a
//	a -0.6-> e -0.3-> b
type fixture struct{}

func (fixture) Version(context.Context) (uint64, error) { return 1, nil }

func (fixture) Scan(_ context.Context, v kolgraph.Visitor) error {
	if v.Territory != nil {
		for _, t := range []string{"T1", "T2"} {
			if err := v.Territory(&kolgraph.Territory{ID: t, Name: t}); err != nil {
				return err
			}
		}
	}
	if v.Hospital != nil {
		_ = v.Hospital(&kolgraph.Hospital{ID: "H1", Name: "H1", TerritoryID: "T1"})
		_ = v.Hospital(&kolgraph.Hospital{ID: "H2", Name: "H2", TerritoryID: "T2"})
	}
	if v.Department != nil {
		_ = v.Department(&kolgraph.Department{ID: "D1", HospitalID: "H1", Name: "D1", Specialty: "cardiology"})
		_ = v.Department(&kolgraph.Department{ID: "D2", HospitalID: "H2", Name: "D2", Specialty: "cardiology"})
	}
	if v.HCP != nil {
		for _, id := range []string{"a", "b", "c", "d"} {
			_ = v.HCP(&kolgraph.HCP{ID: id, Name: id, DepartmentID: "D1", HospitalID: "H1"})
		}
		_ = v.HCP(&kolgraph.HCP{ID: "e", Name: "e", DepartmentID: "D2", HospitalID: "H2"})
	}
	if v.Influence != nil {
		for _, e := range []kolgraph.Influence{
			{From: "a", To: "b", Weight: 0.9, Kind: "mentor"}, {From: "b", To: "c", Weight: 0.5, Kind: "mentor"},
			{From: "c", To: "d", Weight: 0.2, Kind: "mentor"}, {From: "d", To: "a", Weight: 0.8, Kind: "mentor", Evidence: "reports"},
			{From: "a", To: "e", Weight: 0.6, Kind: "society_peer"}, {From: "e", To: "b", Weight: 0.3, Kind: "referral"},
		} {
			if err := v.Influence(&e); err != nil {
				return err
			}
		}
	}
	return nil
}

type source struct{ s *snapshot.Snapshot }

func (s source) Get() (*snapshot.Snapshot, error) { return s.s, nil }

func service(t *testing.T, territories ...string) *network.Service {
	t.Helper()
	snap, err := snapshot.Build(context.Background(), fixture{})
	if err != nil {
		t.Fatal(err)
	}
	if len(territories) > 0 {
		snap = snap.Induced(territories)
	}
	src := source{snap}
	sc, err := scoring.NewService(src, scoring.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	return &network.Service{Snapshots: src, Scores: sc}
}

func ids(g *network.Graph) (nodes, edges []string) {
	for _, n := range g.Nodes {
		nodes = append(nodes, n.HCP.ID)
	}
	for _, e := range g.Edges {
		edges = append(edges, e.From+">"+e.To)
	}
	return nodes, edges
}

func TestNeighborhood(t *testing.T) {
	s := service(t)
	tests := []struct {
		name         string
		q            network.Query
		nodes, edges []string
		total        int
	}{
		{"out, one hop: whom a sways", network.Query{Center: "a", Hops: 1, Direction: network.Out, First: 10, FirstEdges: 10},
			[]string{"a", "b", "e"}, []string{"a>b", "a>e", "e>b"}, 3},
		{"in, one hop: who sways a", network.Query{Center: "a", Hops: 1, Direction: network.In, First: 10, FirstEdges: 10},
			[]string{"a", "d"}, []string{"d>a"}, 2},
		{"both ways", network.Query{Center: "a", Hops: 1, Direction: network.Both, First: 10, FirstEdges: 10},
			[]string{"a", "b", "d", "e"}, []string{"a>b", "d>a", "a>e", "e>b"}, 4},
		{"two hops out, nearest then strongest", network.Query{Center: "a", Hops: 2, Direction: network.Out, First: 10, FirstEdges: 10},
			[]string{"a", "b", "e", "c"}, []string{"a>b", "a>e", "b>c", "e>b"}, 4},
		{"minWeight stops at weak ties", network.Query{Center: "a", Hops: 3, MinWeight: 0.55, Direction: network.Out, First: 10, FirstEdges: 10},
			[]string{"a", "b", "e"}, []string{"a>b", "a>e"}, 3},
		{"first keeps the nearest", network.Query{Center: "a", Hops: 2, Direction: network.Out, First: 2, FirstEdges: 10},
			[]string{"a", "b"}, []string{"a>b"}, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, err := s.Neighborhood(context.Background(), tt.q)
			if err != nil {
				t.Fatal(err)
			}
			nodes, edges := ids(g)
			if !slices.Equal(nodes, tt.nodes) || !slices.Equal(edges, tt.edges) || g.TotalNodes != tt.total {
				t.Errorf("got %v %v (total %d), want %v %v (total %d)", nodes, edges, g.TotalNodes, tt.nodes, tt.edges, tt.total)
			}
			if *g.Nodes[0].Distance != 0 {
				t.Errorf("center at distance %d", *g.Nodes[0].Distance)
			}
		})
	}
}

func TestNeighborhoodInTerritory(t *testing.T) {
	g, err := service(t, "T1").Neighborhood(context.Background(), network.Query{Center: "a", Hops: 3, Direction: network.Both, First: 10, FirstEdges: 10})
	if err != nil {
		t.Fatal(err)
	}
	if nodes, _ := ids(g); !slices.Equal(nodes, []string{"a", "b", "d", "c"}) {
		t.Errorf("T1's neighbourhood of a: %v, want no e", nodes)
	}
	if _, err := service(t, "T1").Neighborhood(context.Background(), network.Query{Center: "e", Hops: 1, Direction: network.Both, First: 10, FirstEdges: 10}); kolgraph.ErrorCode(err) != kolgraph.ENOTFOUND {
		t.Errorf("e from T1: %v, want NOT_FOUND", err)
	}
}

func TestScope(t *testing.T) {
	g, err := service(t).Scope(context.Background(), snapshot.Scope{Hospital: "H1"}, 0, 10, 10)
	if err != nil {
		t.Fatal(err)
	}
	nodes, edges := ids(g)
	if len(nodes) != 4 || slices.Contains(nodes, "e") {
		t.Fatalf("H1's nodes %v", nodes)
	}
	if !slices.Equal(edges, []string{"a>b", "d>a", "b>c", "c>d"}) {
		t.Errorf("H1's edges %v", edges)
	}
	for i, n := range g.Nodes {
		if n.Distance != nil || n.Influence == nil || (i > 0 && *n.Influence > *g.Nodes[i-1].Influence) {
			t.Errorf("node %s: distance %v influence %v, want none and by influence", n.HCP.ID, n.Distance, n.Influence)
		}
	}
	if e := g.Edges[1]; e.Evidence == nil || *e.Evidence != "reports" {
		t.Errorf("d>a evidence %v", e.Evidence)
	}
}

func TestBadInput(t *testing.T) {
	s := service(t)
	for name, q := range map[string]network.Query{
		"no center":   {Hops: 1, Direction: network.Both, First: 1},
		"hops 0":      {Center: "a", Direction: network.Both, First: 1},
		"hops 4":      {Center: "a", Hops: 4, Direction: network.Both, First: 1},
		"direction":   {Center: "a", Hops: 1, Direction: "UP", First: 1},
		"minWeight":   {Center: "a", Hops: 1, MinWeight: 2, Direction: network.Both, First: 1},
		"first":       {Center: "a", Hops: 1, Direction: network.Both, First: network.MaxFirst + 1},
		"first edges": {Center: "a", Hops: 1, Direction: network.Both, First: 1, FirstEdges: -1},
	} {
		if _, err := s.Neighborhood(context.Background(), q); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
			t.Errorf("%s: %v, want BAD_USER_INPUT", name, err)
		}
	}
}
