package main

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/config"
)

type networkAnswer struct {
	TotalNodes, TotalEdges int
	Truncated              bool
	GraphVersion           string
	Nodes                  []struct {
		Distance  *int
		Influence *float64
		Hcp       struct{ ID string }
	}
	Edges []struct {
		From, To string
		Weight   float64
		Kind     string
	}
}

const networkFields = `totalNodes totalEdges truncated graphVersion
	nodes { distance influence hcp { id } } edges { from to weight kind }`

// checkInside fails when a network names an HCP of another territory than
// r's, or an edge whose ends are not among its nodes. (An HCP r does not
// know is one another test wrote since r was read: the suite shares its
// store on a Bolt server.)
func checkInside(t *testing.T, r *region, g networkAnswer) {
	t.Helper()
	ids := map[string]bool{}
	for _, n := range g.Nodes {
		ids[n.Hcp.ID] = true
		if r.out[n.Hcp.ID] {
			t.Errorf("node %s is outside %s", n.Hcp.ID, r.territory)
		}
	}
	for _, e := range g.Edges {
		if !ids[e.From] || !ids[e.To] {
			t.Errorf("edge %s->%s has an end that is not a node", e.From, e.To)
		}
	}
}

// TestScopeGraphScoped: a T01 kam's scope graph of T01, and of "everything",
// holds T01's HCPs and nothing else; a hospital of another territory is
// NOT_FOUND to it.
func TestScopeGraphScoped(t *testing.T) {
	h := svc.Handler()
	r, kam := kamRegion(t)
	q := `query($s: ScopeInput!) { scopeGraph(scope: $s, first: 5000, firstEdges: 50000) { ` + networkFields + ` } }`
	for _, scope := range []map[string]any{{"territory": "T01"}, {}} {
		var got struct{ ScopeGraph networkAnswer }
		x := ask(t, h, kam, q, map[string]any{"s": scope})
		if len(x.resp.Errors) > 0 {
			t.Fatalf("scope %v: %+v", scope, x.resp.Errors)
		}
		r.noLeak(t, x)
		mustDecode(t, x, &got)
		g := got.ScopeGraph
		// All of T01's HCPs, give or take a few that other tests write.
		if len(g.Nodes) != g.TotalNodes || g.Truncated || abs(len(g.Nodes)-len(r.inHCPs)) > 5 {
			t.Errorf("scope %v: %d nodes (total %d, truncated %v), want T01's %d", scope, len(g.Nodes), g.TotalNodes, g.Truncated, len(r.inHCPs))
		}
		checkInside(t, r, g)
		if len(g.Edges) < len(g.Nodes) {
			t.Errorf("scope %v: only %d edges for %d nodes", scope, len(g.Edges), len(g.Nodes))
		}
		for i, n := range g.Nodes {
			if n.Distance != nil || n.Influence == nil {
				t.Fatalf("node %s: distance %v influence %v; want null and a score", n.Hcp.ID, n.Distance, n.Influence)
			}
			if i > 0 && *n.Influence > *g.Nodes[i-1].Influence {
				t.Fatalf("nodes not by influence, best first: %s after %s", n.Hcp.ID, g.Nodes[i-1].Hcp.ID)
			}
		}
		for i := 1; i < len(g.Edges); i++ {
			if g.Edges[i].Weight > g.Edges[i-1].Weight {
				t.Fatalf("edges not strongest first at %d", i)
			}
		}
	}
	x := ask(t, h, kam, `query($h: ID!) { scopeGraph(scope: {hospital: $h}) { totalNodes } }`, map[string]any{"h": r.outHosp[0]})
	if !slices.Equal(x.codes(), []string{"NOT_FOUND"}) {
		t.Errorf("another territory's hospital: codes %v, want NOT_FOUND", x.codes())
	}
}

// TestScopeGraphFirst: first keeps the most influential HCPs, firstEdges
// the strongest edges, and both say so.
func TestScopeGraphFirst(t *testing.T) {
	var all, cut struct{ ScopeGraph networkAnswer }
	q := `query($f: Int, $fe: Int) { scopeGraph(scope: {hospital: "H001"}, first: $f, firstEdges: $fe) { ` + networkFields + ` } }`
	mustQuery(t, svc.Handler(), q, map[string]any{"f": 5000, "fe": 50000}, &all)
	mustQuery(t, svc.Handler(), q, map[string]any{"f": 10, "fe": 5}, &cut)
	if len(cut.ScopeGraph.Nodes) != 10 || !cut.ScopeGraph.Truncated || cut.ScopeGraph.TotalNodes != all.ScopeGraph.TotalNodes {
		t.Fatalf("cut: %d nodes of %d, truncated %v", len(cut.ScopeGraph.Nodes), cut.ScopeGraph.TotalNodes, cut.ScopeGraph.Truncated)
	}
	for i, n := range cut.ScopeGraph.Nodes {
		if n.Hcp.ID != all.ScopeGraph.Nodes[i].Hcp.ID {
			t.Errorf("node %d: %s, want the %dth most influential %s", i, n.Hcp.ID, i+1, all.ScopeGraph.Nodes[i].Hcp.ID)
		}
	}
	if len(cut.ScopeGraph.Edges) > 5 {
		t.Errorf("%d edges, want at most 5", len(cut.ScopeGraph.Edges))
	}
}

// TestNeighborhood: hops 1 OUT are the HCP's influences, IN its
// influencedBy, both together BOTH; the edges are those between the nodes;
// minWeight drops weak ties.
func TestNeighborhood(t *testing.T) {
	h := svc.Handler()
	var ties struct {
		Hcp struct {
			Influences   []struct{ To struct{ ID string } }
			InfluencedBy []struct{ From struct{ ID string } }
		}
	}
	mustQuery(t, h, `{ hcp(id: "P000004") { influences(first: 500) { to { id } } influencedBy(first: 500) { from { id } } } }`, nil, &ties)
	var out, in []string
	for _, e := range ties.Hcp.Influences {
		out = append(out, e.To.ID)
	}
	for _, e := range ties.Hcp.InfluencedBy {
		in = append(in, e.From.ID)
	}
	both := append(slices.Clone(out), in...)
	for dir, want := range map[string][]string{"OUT": out, "IN": in, "BOTH": both} {
		var got struct{ Neighborhood networkAnswer }
		mustQuery(t, h, `query($d: InfluenceDirection) { neighborhood(center: "P000004", direction: $d, first: 5000, firstEdges: 50000) { `+networkFields+` } }`,
			map[string]any{"d": dir}, &got)
		g := got.Neighborhood
		var ids []string
		for i, n := range g.Nodes {
			if i == 0 {
				if n.Hcp.ID != "P000004" || n.Distance == nil || *n.Distance != 0 {
					t.Fatalf("%s: first node %s at %v, want the center at 0", dir, n.Hcp.ID, n.Distance)
				}
				continue
			}
			if n.Distance == nil || *n.Distance != 1 {
				t.Errorf("%s: %s at distance %v, want 1", dir, n.Hcp.ID, n.Distance)
			}
			ids = append(ids, n.Hcp.ID)
		}
		slices.Sort(ids)
		want = slices.Compact(slices.Sorted(slices.Values(want)))
		if !slices.Equal(ids, want) {
			t.Errorf("%s: neighbours %v, want %v", dir, ids, want)
		}
		if len(g.Edges) < len(want) {
			t.Errorf("%s: %d edges for %d neighbours", dir, len(g.Edges), len(want))
		}
	}

	var strong struct{ Neighborhood networkAnswer }
	mustQuery(t, h, `{ neighborhood(center: "P000004", hops: 2, minWeight: 0.7) { `+networkFields+` } }`, nil, &strong)
	for _, e := range strong.Neighborhood.Edges {
		if e.Weight < 0.7 {
			t.Errorf("edge %s->%s of weight %v under minWeight", e.From, e.To, e.Weight)
		}
	}
	for _, n := range strong.Neighborhood.Nodes {
		if n.Distance == nil || *n.Distance > 2 {
			t.Errorf("%s at distance %v, want at most 2", n.Hcp.ID, n.Distance)
		}
	}
}

// TestNeighborhoodScoped: an admin's neighbourhood of a T01 HCP with a tie
// into another territory crosses it; a T01 kam's stops at T01's border,
// even three hops out, and an HCP outside T01 is NOT_FOUND to the kam.
func TestNeighborhoodScoped(t *testing.T) {
	h := svc.Handler()
	r, kam := kamRegion(t)
	in, out := crossTie(t, r)
	q := `query($c: ID!, $hops: Int) { neighborhood(center: $c, hops: $hops, first: 5000, firstEdges: 50000) { ` + networkFields + ` } }`
	var admin struct{ Neighborhood networkAnswer }
	mustQuery(t, h, q, map[string]any{"c": in, "hops": 1}, &admin)
	found := false
	for _, n := range admin.Neighborhood.Nodes {
		found = found || n.Hcp.ID == out
	}
	if !found {
		t.Fatalf("the admin's neighbourhood of %s lacks %s", in, out)
	}
	for hops := 1; hops <= 3; hops++ {
		x := ask(t, h, kam, q, map[string]any{"c": in, "hops": hops})
		if len(x.resp.Errors) > 0 {
			t.Fatalf("hops %d: %+v", hops, x.resp.Errors)
		}
		r.noLeak(t, x)
		var got struct{ Neighborhood networkAnswer }
		mustDecode(t, x, &got)
		checkInside(t, r, got.Neighborhood)
	}
	x := ask(t, h, kam, q, map[string]any{"c": out, "hops": 1})
	if !slices.Equal(x.codes(), []string{"NOT_FOUND"}) {
		t.Errorf("a centre outside T01: codes %v, want NOT_FOUND", x.codes())
	}
}

// TestNetworkBadInput: arguments out of range are BAD_USER_INPUT with
// extensions.code, and so is an operation over the cost limit (naming it).
func TestNetworkBadInput(t *testing.T) {
	h := svc.Handler()
	_, kam := kamRegion(t)
	for name, q := range map[string]string{
		"hops 0":              `{ neighborhood(center: "P000004", hops: 0) { totalNodes } }`,
		"hops 4":              `{ neighborhood(center: "P000004", hops: 4) { totalNodes } }`,
		"minWeight over 1":    `{ neighborhood(center: "P000004", minWeight: 1.5) { totalNodes } }`,
		"minWeight negative":  `{ scopeGraph(scope: {}, minWeight: -0.1) { totalNodes } }`,
		"first negative":      `{ neighborhood(center: "P000004", first: -1) { totalNodes } }`,
		"first over the max":  `{ scopeGraph(scope: {territory: "T01"}, first: 5001) { totalNodes } }`,
		"firstEdges over max": `{ scopeGraph(scope: {territory: "T01"}, firstEdges: 50001) { totalNodes } }`,
		"empty center":        `{ neighborhood(center: "") { totalNodes } }`,
		"empty scope id":      `{ scopeGraph(scope: {hospital: ""}) { totalNodes } }`,
		"two scopes":          `{ scopeGraph(scope: {hospital: "H001", territory: "T01"}) { totalNodes } }`,
	} {
		t.Run(name, func(t *testing.T) {
			x := ask(t, h, kam, q, nil)
			if !slices.Equal(x.codes(), []string{"BAD_USER_INPUT"}) {
				t.Errorf("codes %v, want BAD_USER_INPUT: %s", x.codes(), x.body)
			}
		})
	}
	t.Run("over the cost limit", func(t *testing.T) {
		// 5000 nodes x 200 ties x 3 fields: millions, over any limit here.
		x := ask(t, h, kam, `{ neighborhood(center: "P000004", first: 5000) { nodes { hcp { influences(first: 200) { weight to { id } } } } } }`, nil)
		if !slices.Equal(x.codes(), []string{"BAD_USER_INPUT"}) || x.resp.Errors[0].Extensions["limit"] != "complexity" {
			t.Errorf("got %s, want BAD_USER_INPUT on complexity", x.body)
		}
	})
	t.Run("a territory's picture is within the default limit", func(t *testing.T) {
		m := *svc
		m.Config.MaxComplexity = config.Default().MaxComplexity
		bh := m.Handler()
		x := ask(t, bh, bearer(t, "U004", auth.RoleKAM, []string{"T01"}), explorerTerritoryQuery, map[string]any{"t": "T01"})
		if len(x.resp.Errors) > 0 {
			t.Errorf("the explorer's territory query: %s", x.body)
		}
	})
}

// explorerTerritoryQuery is the territory picture's query of the explorer
// (internal/explorer/web/src/queries.ts); it must fit the default limits.
const explorerTerritoryQuery = `query Territory($t: ID!) { scopeGraph(scope: {territory: $t}, first: 2500, firstEdges: 30000) {
	totalNodes totalEdges truncated graphVersion
	nodes { influence hcp { id name position hospital { id } } }
	edges { from to weight } } }`

func abs(n int) int { return max(n, -n) }

func mustDecode(t *testing.T, x exchange, v any) {
	t.Helper()
	if err := json.Unmarshal(x.resp.Data, v); err != nil {
		t.Fatalf("decode: %v\n%s", err, x.body)
	}
}

// BenchmarkNetworkQueries: the explorer's network requests through the
// handler, as a T01 kam: the territory picture (~2,000 HCPs, ~18,000
// edges, its ranking cached after the first run), a hospital's network
// and a two-hop neighbourhood.
func BenchmarkNetworkQueries(b *testing.B) {
	h := svc.Handler()
	kam := bearer(b, "U004", auth.RoleKAM, []string{"T01"})
	for _, bc := range []struct {
		name, q string
		vars    map[string]any
	}{
		{"territory", explorerTerritoryQuery, map[string]any{"t": "T01"}},
		{"hospital", `{ scopeGraph(scope: {hospital: "H001"}, first: 1000, firstEdges: 10000) { nodes { influence hcp { id name } } edges { from to weight } } }`, nil},
		{"neighborhood", `{ neighborhood(center: "P000004", hops: 2) { nodes { distance influence hcp { id name } } edges { from to weight } } }`, nil},
	} {
		b.Run(bc.name, func(b *testing.B) {
			if x := ask(b, h, kam, bc.q, bc.vars); len(x.resp.Errors) > 0 {
				b.Fatalf("%s", x.body)
			}
			for b.Loop() {
				ask(b, h, kam, bc.q, bc.vars)
			}
		})
	}
}
