package snapshot_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/embedded/embeddedtest"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/storetest"
)

// restrict is the reference for Induced: the fixture with everything outside
// the territories left out, as a store holding only that would have it.
func restrict(cs *kolgraph.ChangeSet, territories []string) *kolgraph.ChangeSet {
	out := &kolgraph.ChangeSet{Products: cs.Products, Users: cs.Users}
	for _, t := range cs.Territories {
		if slices.Contains(territories, t.ID) {
			out.Territories = append(out.Territories, t)
		}
	}
	hosp, hcp, com := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, h := range cs.Hospitals {
		if slices.Contains(territories, h.TerritoryID) {
			hosp[h.ID] = true
			out.Hospitals = append(out.Hospitals, h)
		}
	}
	for _, d := range cs.Departments {
		if hosp[d.HospitalID] {
			out.Departments = append(out.Departments, d)
		}
	}
	for _, h := range cs.HCPs {
		if hosp[h.HospitalID] {
			hcp[h.ID] = true
			out.HCPs = append(out.HCPs, h)
		}
	}
	for _, c := range cs.Committees {
		if hosp[c.HospitalID] {
			com[c.ID] = true
			out.Committees = append(out.Committees, c)
		}
	}
	for _, m := range cs.Memberships {
		if hcp[m.HCPID] && com[m.CommitteeID] {
			out.Memberships = append(out.Memberships, m)
		}
	}
	for _, l := range cs.Listings {
		if hosp[l.HospitalID] {
			out.Listings = append(out.Listings, l)
		}
	}
	dept := map[string]bool{}
	for _, d := range out.Departments {
		dept[d.ID] = true
	}
	for _, r := range cs.IndicationShares {
		if dept[r.DepartmentID] {
			out.IndicationShares = append(out.IndicationShares, r)
		}
	}
	for _, k := range cs.Knows {
		if hcp[k.HCPID] {
			out.Knows = append(out.Knows, k)
		}
	}
	for _, e := range cs.Influences {
		if hcp[e.From] && hcp[e.To] {
			out.Influences = append(out.Influences, e)
		}
	}
	return out
}

// describe renders everything a consumer can read from a snapshot by ids
// (never node indices), one line per fact, sorted.
func describe(t *testing.T, s *snapshot.Snapshot) []string {
	t.Helper()
	var out []string
	add := func(format string, args ...any) { out = append(out, fmt.Sprintf(format, args...)) }
	for i, id := range s.IDs {
		if s.HCPs[i].ID != id {
			t.Fatalf("node %d: HCPs has %s, IDs %s", i, s.HCPs[i].ID, id)
		}
		if v, ok := s.Index(id); !ok || int(v) != i {
			t.Fatalf("Index(%s) = %d, %v; want %d", id, v, ok, i)
		}
		add("hcp %s", id)
		for _, st := range s.Seats[i] {
			add("seat %s %s %s", id, st.Committee.ID, st.Role)
		}
		to, w := s.Graph.OutNeighbors(int32(i))
		lo, _ := s.Graph.OutEdges(int32(i))
		for j, v := range to {
			kind, ev := s.Tie(lo + int32(j))
			add("edge %s->%s %v %s %q", id, s.IDs[v], w[j], kind, ev)
		}
		from, edges := s.Graph.InNeighbors(int32(i))
		for j, u := range from {
			add("in %s<-%s %v", id, s.IDs[u], s.Graph.Weight(edges[j]))
		}
	}
	for id := range s.Hospitals {
		nodes, err := s.Nodes(snapshot.Scope{Hospital: id})
		add("hospital %s %v %v", id, ids(s, nodes), err)
		add("listings %s %v", id, s.Listings[id])
	}
	for id := range s.Departments {
		nodes, err := s.Nodes(snapshot.Scope{Department: id})
		add("department %s %v %v", id, ids(s, nodes), err)
	}
	for id := range s.Committees {
		add("committee %s", id)
	}
	for k, v := range s.Shares {
		add("share %s %s %v", k.DepartmentID, k.ProductID, v)
	}
	for id, ss := range s.Sales {
		add("sales %s %v", id, ss)
	}
	for _, p := range append(slices.Sorted(maps.Keys(s.Products)), "") {
		m, ok := s.LatestSale(p)
		add("latest sale %q %d %v", p, m, ok)
	}
	for _, tid := range s.Territories() {
		nodes, err := s.Nodes(snapshot.Scope{Territory: tid})
		add("territory %s %v %v", tid, ids(s, nodes), err)
	}
	for u, cs := range s.Contacts {
		for _, c := range cs {
			add("contact %s %s %v", u, s.IDs[c.Node], c.Strength)
		}
	}
	all, _ := s.Nodes(snapshot.Scope{})
	add("all %v", ids(s, all))
	add("users %d products %d version %d", len(s.Users), len(s.Products), s.Version)
	slices.Sort(out)
	return out
}

func ids(s *snapshot.Snapshot, nodes []int32) []string {
	var out []string
	for _, v := range nodes {
		out = append(out, s.IDs[v])
	}
	return out
}

func TestInducedEqualsBuildOfTheRestrictedGraph(t *testing.T) {
	ctx := context.Background()
	full, err := snapshot.Build(ctx, openStore(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, ts := range [][]string{{"T1"}, {"T2"}, {"T1", "T2"}, {"TX"}, nil} {
		t.Run(fmt.Sprint(ts), func(t *testing.T) {
			st := embeddedtest.Open(t, restrict(storetest.Fixture(), ts))
			want, err := snapshot.Build(ctx, st)
			if err != nil {
				t.Fatal(err)
			}
			got := full.Induced(ts)
			g, w := describe(t, got), describe(t, want)
			// The reference store's version differs; compare the rest.
			g, w = g[:len(g)-1], w[:len(w)-1]
			if !slices.Equal(g, w) {
				t.Errorf("Induced(%v) differs from a snapshot of the restricted graph:\n got %q\nwant %q", ts, g, w)
			}
			if got.Version != full.Version {
				t.Errorf("version %d, want the parent's %d", got.Version, full.Version)
			}
		})
	}
}

func TestInducedHidesOutsideScopes(t *testing.T) {
	full, err := snapshot.Build(context.Background(), openStore(t))
	if err != nil {
		t.Fatal(err)
	}
	s := full.Induced([]string{"T1"})
	for _, sc := range []snapshot.Scope{{Territory: "T2"}, {Hospital: "H003"}} {
		if _, err := s.Nodes(sc); kolgraph.ErrorCode(err) != kolgraph.ENOTFOUND {
			t.Errorf("Nodes(%+v) on T1's view: %v, want NOT_FOUND like an unknown id", sc, err)
		}
	}
	for _, id := range full.IDs {
		h := full.HCPs[mustIndex(t, full, id)]
		_, in := s.Index(id)
		if want := full.Hospitals[h.HospitalID].TerritoryID == "T1"; in != want {
			t.Errorf("HCP %s (hospital %s) in T1's view: %v, want %v", id, h.HospitalID, in, want)
		}
	}
}

func mustIndex(t *testing.T, s *snapshot.Snapshot, id string) int32 {
	t.Helper()
	v, ok := s.Index(id)
	if !ok {
		t.Fatalf("no node %s", id)
	}
	return v
}

func BenchmarkInduced(b *testing.B) {
	st := embeddedtest.Open(b, storetest.Fixture())
	full, err := snapshot.Build(context.Background(), st)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		full.Induced([]string{"T1"})
	}
}
