package main

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// networkxPageRank is a literal port of networkx's reference
// _pagerank_python(G.reverse(), alpha, weight="weight") with uniform
// personalisation: kept deliberately naive (maps, edge lists) so it shares
// nothing with internal/analytics.
func networkxPageRank(nodes []string, edges [][3]any, alpha, tol float64, maxIter int) map[string]float64 {
	// D = G.reverse(); W = stochastic_graph(D): weights / out-weight in D.
	type arc struct {
		to string
		w  float64
	}
	out := map[string][]arc{}
	outW := map[string]float64{}
	for _, e := range edges {
		from, to, w := e[0].(string), e[1].(string), e[2].(float64)
		out[to] = append(out[to], arc{from, w}) // reversed
		outW[to] += w
	}
	n := float64(len(nodes))
	x := map[string]float64{}
	for _, v := range nodes {
		x[v] = 1 / n
	}
	var dangling []string
	for _, v := range nodes {
		if outW[v] == 0 {
			dangling = append(dangling, v)
		}
	}
	for range maxIter {
		xlast := x
		x = map[string]float64{}
		danglesum := 0.0
		for _, v := range dangling {
			danglesum += xlast[v]
		}
		danglesum *= alpha
		for _, v := range nodes {
			for _, a := range out[v] {
				x[a.to] += alpha * xlast[v] * a.w / outW[v]
			}
			x[v] += danglesum/n + (1-alpha)/n
		}
		err := 0.0
		for _, v := range nodes {
			err += math.Abs(x[v] - xlast[v])
		}
		if err < n*tol {
			break
		}
	}
	return x
}

// TestPageRankMatchesNetworkx fetches a seed hospital's HCPs and ties through
// GraphQL, computes networkx's PageRank on them independently, and compares
// it with influenceRanking(metric: PAGERANK) to 1e-6.
func TestPageRankMatchesNetworkx(t *testing.T) {
	const hospital = "H002"
	var g struct {
		Hcps struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID         string
					Influences []struct {
						Weight float64
						To     struct{ ID string }
					}
				}
			}
		}
	}
	mustQuery(t, svc.Handler(), `query($h: ID) { hcps(filter: {hospital: $h}, first: 500) { totalCount edges { node { id
		influences(first: 500) { weight to { id } } } } } }`, map[string]any{"h": hospital}, &g)
	if g.Hcps.TotalCount > 500 || g.Hcps.TotalCount < 50 {
		t.Fatalf("hospital %s has %d HCPs; the test wants one page of 50-500", hospital, g.Hcps.TotalCount)
	}
	in := map[string]bool{}
	var nodes []string
	for _, e := range g.Hcps.Edges {
		in[e.Node.ID] = true
		nodes = append(nodes, e.Node.ID)
	}
	var edges [][3]any
	for _, e := range g.Hcps.Edges {
		if len(e.Node.Influences) == 500 {
			t.Fatalf("%s has 500+ ties; the test reads one page", e.Node.ID)
		}
		for _, x := range e.Node.Influences {
			if in[x.To.ID] { // the scope is the induced subgraph
				edges = append(edges, [3]any{e.Node.ID, x.To.ID, x.Weight})
			}
		}
	}
	want := networkxPageRank(nodes, edges, 0.85, 1e-10, 200)

	var got struct {
		InfluenceRanking struct {
			TotalCount   int
			GraphVersion string
			Edges        []struct {
				Node struct {
					Rank  int
					Value float64
					Hcp   struct{ ID string }
				}
			}
		}
	}
	mustQuery(t, svc.Handler(), `query($h: ID) { influenceRanking(scope: {hospital: $h}, metric: PAGERANK, first: 500) {
		totalCount graphVersion edges { node { rank value hcp { id } } } } }`, map[string]any{"h": hospital}, &got)
	r := got.InfluenceRanking
	if r.TotalCount != len(nodes) || len(r.Edges) != len(nodes) || !strings.HasPrefix(r.GraphVersion, "v") {
		t.Fatalf("ranking of %d (%d edges, version %q), want %d", r.TotalCount, len(r.Edges), r.GraphVersion, len(nodes))
	}
	var sum float64
	for i, e := range r.Edges {
		sum += e.Node.Value
		if d := math.Abs(e.Node.Value - want[e.Node.Hcp.ID]); d > 1e-6 {
			t.Errorf("PAGERANK(%s) = %.9f, networkx %.9f", e.Node.Hcp.ID, e.Node.Value, want[e.Node.Hcp.ID])
		}
		if e.Node.Rank != i+1 || (i > 0 && e.Node.Value > r.Edges[i-1].Node.Value) {
			t.Errorf("rank %d at position %d out of order", e.Node.Rank, i)
		}
	}
	if math.Abs(sum-1) > 1e-9 {
		t.Errorf("PageRank sums to %v, want 1", sum)
	}
}

// TestBetweennessMatchesIgraph is the example through the API:
// P001554->P001551 direct (0.2) ties with P001554->P001569->P001551
// (0.5 x 0.4), both count, and H013's P001569 gets igraph's 0.040258 (the
// old fewer-hops rule gave 0.036891). Exact results carry no error bound.
func TestBetweennessMatchesIgraph(t *testing.T) {
	var got struct {
		InfluenceRanking struct {
			BetweennessExact      bool
			BetweennessErrorBound *float64
			Edges                 []struct {
				Node struct {
					Value float64
					Hcp   struct{ ID string }
				}
			}
		}
		Hcp struct {
			Influence struct {
				BetweennessExact      bool
				BetweennessErrorBound *float64
			}
		}
	}
	mustQuery(t, svc.Handler(), `{ influenceRanking(scope: {hospital: "H013"}, metric: BETWEENNESS, first: 500) {
		betweennessExact betweennessErrorBound edges { node { value hcp { id } } } }
		hcp(id: "P001569") { influence(scope: {hospital: "H013"}) { betweennessExact betweennessErrorBound } } }`, nil, &got)
	r := got.InfluenceRanking
	if !r.BetweennessExact || r.BetweennessErrorBound != nil {
		t.Errorf("ranking: exact %v, error bound %v; want exact and no bound", r.BetweennessExact, r.BetweennessErrorBound)
	}
	if s := got.Hcp.Influence; !s.BetweennessExact || s.BetweennessErrorBound != nil {
		t.Errorf("influence score: exact %v, error bound %v; want exact and no bound", s.BetweennessExact, s.BetweennessErrorBound)
	}
	var found bool
	for _, e := range r.Edges {
		if e.Node.Hcp.ID == "P001569" {
			found = true
			if math.Abs(e.Node.Value-0.040258) > 1e-6 {
				t.Errorf("BETWEENNESS(P001569) in H013 = %.6f, igraph 0.040258", e.Node.Value)
			}
		}
	}
	if !found {
		t.Error("P001569 is not in H013's ranking")
	}
}

// TestLeadersRankHigh: the formal decision makers of each seed hospital
// (president, pharmacy director, department heads) are in the top fifth of
// their hospital's INFLUENCE ranking.
func TestLeadersRankHigh(t *testing.T) {
	for _, h := range []string{"H001", "H010", "H020"} {
		t.Run(h, func(t *testing.T) {
			var got struct {
				InfluenceRanking struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							Rank int
							Hcp  struct{ Position string }
						}
					}
				}
			}
			mustQuery(t, svc.Handler(), `query($h: ID) { influenceRanking(scope: {hospital: $h}, first: 500) {
				totalCount edges { node { rank hcp { position } } } } }`, map[string]any{"h": h}, &got)
			top := got.InfluenceRanking.TotalCount / 5
			for _, e := range got.InfluenceRanking.Edges {
				if slices.Contains([]string{"president", "pharmacy_director"}, e.Node.Hcp.Position) && e.Node.Rank > 10 {
					t.Errorf("%s ranks %d, want top 10", e.Node.Hcp.Position, e.Node.Rank)
				}
				if e.Node.Hcp.Position == "department_head" && e.Node.Rank > top {
					t.Errorf("department head ranks %d of %d, want top fifth", e.Node.Rank, got.InfluenceRanking.TotalCount)
				}
			}
		})
	}
}

func TestRankingBadInput(t *testing.T) {
	tests := []struct{ name, query, code string }{
		{"unknown hospital", `{ influenceRanking(scope: {hospital: "nope"}) { totalCount } }`, "NOT_FOUND"},
		{"two scope fields", `{ influenceRanking(scope: {hospital: "H001", territory: "T01"}) { totalCount } }`, "BAD_USER_INPUT"},
		{"bad cursor", `{ influenceRanking(scope: {hospital: "H001"}, after: "zzz") { totalCount } }`, "BAD_USER_INPUT"},
		{"first too large", `{ influenceRanking(scope: {hospital: "H001"}, first: 501) { totalCount } }`, "BAD_USER_INPUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := query(t, svc.Handler(), tt.query, nil, nil)
			if c := resp.codes(); len(c) == 0 || c[0] != tt.code {
				t.Errorf("codes %v, want %s", c, tt.code)
			}
		})
	}
}
