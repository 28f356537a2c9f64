package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// analyticsResponse is a response with its extensions.analytics.
type analyticsResponse struct {
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions struct {
		Analytics *struct {
			GraphVersion      string
			StoreGraphVersion string
			Stale             bool
		}
	}
}

func analyticsQuery(t *testing.T, h http.Handler, q string, data any) analyticsResponse {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": q})
	rec := post(h, "", b)
	var resp analyticsResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatalf("decode %s: %v", rec.Body, err)
	}
	if len(resp.Errors) > 0 {
		t.Fatalf("query failed: %+v", resp.Errors)
	}
	if err := json.Unmarshal(resp.Data, data); err != nil {
		t.Fatal(err)
	}
	return resp
}

type rankedPage struct {
	InfluenceRanking struct {
		GraphVersion string
		Edges        []struct {
			Node struct {
				Rank  int
				Value float64
				Hcp   struct{ ID string }
			}
		}
	}
	Hcp struct {
		Influence struct {
			Value float64
			Rank  int
		}
	}
	AccountMatrix struct {
		GraphVersion string
		Cells        []struct {
			Segment string
			Members struct {
				Edges []struct {
					Node struct {
						ID        string
						Influence float64
						Hcp       struct{ ID string }
					}
				}
			}
		}
	}
}

// members lists the matrix's members as "segment id influence", checking
// that each names its own HCP.
func (p rankedPage) members(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, c := range p.AccountMatrix.Cells {
		for _, e := range c.Members.Edges {
			if e.Node.Hcp.ID != e.Node.ID {
				t.Errorf("matrix member %s resolves to HCP %s", e.Node.ID, e.Node.Hcp.ID)
			}
			out = append(out, fmt.Sprint(c.Segment, " ", e.Node.ID, " ", e.Node.Influence))
		}
	}
	slices.Sort(out)
	return out
}

func (p rankedPage) ids() []string {
	var out []string
	for _, e := range p.InfluenceRanking.Edges {
		out = append(out, e.Node.Hcp.ID)
	}
	return out
}

// TestStaleWhileRevalidateE2E: after a write to a hospital, its ranking is
// answered at once from the previous graph version, and the response's
// extensions.analytics says so (the result's version, the store's, stale);
// once the background recomputation is done the current one is served.
// The write adds an HCP whose id sorts before every other, so every node
// index of the new snapshot shifts: the stale answer must still name the
// people of its own version.
func TestStaleWhileRevalidateE2E(t *testing.T) {
	m := ownService(t)
	h := m.Handler()
	const q = `{ influenceRanking(scope: {hospital: "H001"}, metric: BETWEENNESS, first: 5) {
		graphVersion edges { node { rank value hcp { id } } } }
		hcp(id: "P000002") { influence { value rank } }
		accountMatrix(scope: {hospital: "H001"}) { graphVersion cells { segment members(first: 500) {
			edges { node { id influence hcp { id } } } } } } }`
	var before rankedPage
	r := analyticsQuery(t, h, q, &before)
	a := r.Extensions.Analytics
	if a == nil || a.Stale || a.GraphVersion != a.StoreGraphVersion || a.GraphVersion != before.InfluenceRanking.GraphVersion {
		t.Fatalf("before any write: extensions.analytics %+v, want the store's version, not stale", a)
	}

	// Hold every background worker (before the write: the snapshot may be
	// rebuilt as soon as it lands) so that the recomputation waits.
	hold, held := make(chan struct{}), make(chan struct{})
	for range m.pool.Workers() {
		m.pool.Go(func() { held <- struct{}{}; <-hold })
		<-held
	}
	var dept struct {
		Hospital struct{ Departments []struct{ ID string } }
	}
	mustQuery(t, h, `{ hospital(id: "H001") { departments { id } } }`, nil, &dept)
	top := before.InfluenceRanking.Edges[0].Node.Hcp.ID
	mustQuery(t, h, `mutation { upsertHCP(input: {id: "P000000", name: "新人", role: "physician", title: "attending",
		position: "staff", department: "`+dept.Hospital.Departments[0].ID+`"}) { changed } }`, nil, &struct{}{})
	var w struct{ UpsertInfluence struct{ GraphVersion string } }
	mustQuery(t, h, `mutation($to: ID!) { upsertInfluence(input: {from: "P000000", to: $to, weight: 1, kind: "mentor"}) { graphVersion } }`,
		map[string]any{"to": top}, &w)

	if err := m.Snapshots.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	var stale rankedPage
	r = analyticsQuery(t, h, q, &stale)
	a = r.Extensions.Analytics
	if a == nil || !a.Stale || a.GraphVersion != before.InfluenceRanking.GraphVersion || a.StoreGraphVersion != w.UpsertInfluence.GraphVersion {
		t.Errorf("right after the write: extensions.analytics %+v, want graphVersion %s (the previous), storeGraphVersion %s, stale",
			a, before.InfluenceRanking.GraphVersion, w.UpsertInfluence.GraphVersion)
	}
	if stale.InfluenceRanking.GraphVersion != before.InfluenceRanking.GraphVersion ||
		!slices.Equal(stale.ids(), before.ids()) || stale.InfluenceRanking.Edges[0].Node.Value != before.InfluenceRanking.Edges[0].Node.Value {
		t.Errorf("stale ranking %s %v, want the previous %s %v (the same people: indices shifted in the new snapshot)",
			stale.InfluenceRanking.GraphVersion, stale.ids(), before.InfluenceRanking.GraphVersion, before.ids())
	}
	if stale.AccountMatrix.GraphVersion != before.AccountMatrix.GraphVersion || !slices.Equal(stale.members(t), before.members(t)) {
		t.Errorf("stale matrix of %s differs from the previous one of %s", stale.AccountMatrix.GraphVersion, before.AccountMatrix.GraphVersion)
	}
	if stale.Hcp.Influence != before.Hcp.Influence {
		t.Errorf("P000002's stale influence %+v, want the previous %+v", stale.Hcp.Influence, before.Hcp.Influence)
	}

	close(hold)
	m.pool.Wait()
	var fresh rankedPage
	r = analyticsQuery(t, h, q, &fresh)
	a = r.Extensions.Analytics
	if a == nil || a.Stale || a.GraphVersion != w.UpsertInfluence.GraphVersion || a.StoreGraphVersion != a.GraphVersion {
		t.Errorf("after the recomputation: extensions.analytics %+v, want %s, not stale", a, w.UpsertInfluence.GraphVersion)
	}
	if fresh.InfluenceRanking.GraphVersion != w.UpsertInfluence.GraphVersion || fresh.AccountMatrix.GraphVersion != w.UpsertInfluence.GraphVersion {
		t.Errorf("fresh ranking of %s, matrix of %s, want %s", fresh.InfluenceRanking.GraphVersion, fresh.AccountMatrix.GraphVersion,
			w.UpsertInfluence.GraphVersion)
	}
	if !slices.ContainsFunc(fresh.members(t), func(m string) bool { return strings.Contains(m, " P000000 ") }) {
		t.Error("the fresh matrix lacks the new HCP P000000")
	}

	// An operation without analytics results says nothing of them.
	r = analyticsQuery(t, h, `{ hcp(id: "P000002") { name } }`, &struct{}{})
	if r.Extensions.Analytics != nil {
		t.Errorf("an entity read has extensions.analytics %+v", r.Extensions.Analytics)
	}
}
