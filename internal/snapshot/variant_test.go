package snapshot_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/embedded/embeddedtest"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/storetest"
)

// edited is the reference for Variant: the fixture as a store would hold it
// after the change was written.
func edited(cs *kolgraph.ChangeSet, c snapshot.Change) *kolgraph.ChangeSet {
	gone := map[string]bool{}
	for _, id := range c.RemoveHCPs {
		gone[id] = true
	}
	cut := map[kolgraph.EdgeKey]bool{}
	for _, k := range c.RemoveEdges {
		cut[k] = true
	}
	for _, e := range c.AddEdges {
		cut[e.Key()] = true
	}
	out := *cs
	out.HCPs = slices.DeleteFunc(slices.Clone(cs.HCPs), func(h *kolgraph.HCP) bool { return gone[h.ID] })
	out.Memberships = slices.DeleteFunc(slices.Clone(cs.Memberships), func(m kolgraph.Membership) bool { return gone[m.HCPID] })
	out.Knows = slices.DeleteFunc(slices.Clone(cs.Knows), func(k kolgraph.Knows) bool { return gone[k.HCPID] })
	out.Influences = slices.DeleteFunc(slices.Clone(cs.Influences), func(e *kolgraph.Influence) bool {
		return gone[e.From] || gone[e.To] || cut[e.Key()]
	})
	for _, e := range c.AddEdges {
		e.UpdatedAt = cs.Influences[0].UpdatedAt
		out.Influences = append(out.Influences, &e)
	}
	return &out
}

func TestVariantEqualsBuildOfTheEditedGraph(t *testing.T) {
	ctx := context.Background()
	base, err := snapshot.Build(ctx, openStore(t))
	if err != nil {
		t.Fatal(err)
	}
	before := describe(t, base)
	for name, c := range map[string]snapshot.Change{
		"nothing":      {},
		"remove a hub": {RemoveHCPs: []string{"P001"}},
		"remove and rewire": {
			RemoveHCPs:  []string{"P001", "P001", "P005"},
			RemoveEdges: []kolgraph.EdgeKey{{From: "P004", To: "P010"}, {From: "P001", To: "P006"}},
			AddEdges: []kolgraph.Influence{
				{From: "P009", To: "P004", Weight: 0.7, Kind: kolgraph.InfluenceMentor, Evidence: "a new tie"},
				{From: "P006", To: "P007", Weight: 0.2, Kind: kolgraph.InfluenceCoAuthor, Evidence: "P&T C001"},
				{From: "P002", To: "P003", Weight: 1, Kind: kolgraph.InfluenceReferral, Evidence: "a new tie"},
				{From: "P003", To: "P002", Weight: 0.1, Kind: kolgraph.InfluenceReferral},
			},
		},
		"empty a territory": {RemoveHCPs: []string{"P006", "P007", "P008"}},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := base.Variant(c)
			if err != nil {
				t.Fatal(err)
			}
			st := embeddedtest.Open(t, edited(storetest.Fixture(), c))
			want, err := snapshot.Build(ctx, st)
			if err != nil {
				t.Fatal(err)
			}
			g, w := describe(t, got), describe(t, want)
			// The reference store's version differs; compare the rest.
			g, w = g[:len(g)-1], w[:len(w)-1]
			if !slices.Equal(g, w) {
				t.Errorf("Variant differs from a snapshot of the edited graph:\n got %q\nwant %q", g, w)
			}
			if got.Version != base.Version {
				t.Errorf("version %d, want the base's %d", got.Version, base.Version)
			}
			if got.Sizes() != want.Sizes() {
				t.Errorf("sizes %+v, want %+v", got.Sizes(), want.Sizes())
			}
			if after := describe(t, base); !slices.Equal(after, before) {
				t.Errorf("Variant changed its base:\n got %q\nwant %q", after, before)
			}
		})
	}
}

func TestVariantTies(t *testing.T) {
	base, err := snapshot.Build(context.Background(), openStore(t))
	if err != nil {
		t.Fatal(err)
	}
	v, err := base.Variant(snapshot.Change{
		RemoveHCPs: []string{"P002"},
		AddEdges:   []kolgraph.Influence{{From: "P010", To: "P004", Weight: 0.25, Kind: kolgraph.InfluenceSocietyPeer, Evidence: "met at CSC 2024"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := v.Index("P002"); ok {
		t.Error("P002 is still a node")
	}
	if len(v.IDs) != len(base.IDs)-1 || v.Graph.Nodes() != len(v.IDs) {
		t.Errorf("%d ids, %d nodes; want %d", len(v.IDs), v.Graph.Nodes(), len(base.IDs)-1)
	}
	// P002 had P001->P002 and P002->P004; one edge is added.
	if got, want := v.Graph.Edges(), base.Graph.Edges()-2+1; got != want {
		t.Errorf("%d edges, want %d", got, want)
	}
	e, ok := v.Graph.EdgeBetween(mustIndex(t, v, "P010"), mustIndex(t, v, "P004"))
	if !ok {
		t.Fatal("no edge P010->P004")
	}
	if kind, ev := v.Tie(e); kind != kolgraph.InfluenceSocietyPeer || ev != "met at CSC 2024" || v.Graph.Weight(e) != 0.25 {
		t.Errorf("P010->P004: %s %q %v, want society_peer \"met at CSC 2024\" 0.25", kind, ev, v.Graph.Weight(e))
	}
	if cs := v.Contacts["U01"]; len(cs) != 2 || v.IDs[cs[0].Node] != "P001" || v.IDs[cs[1].Node] != "P005" {
		t.Errorf("U01's contacts %v, want P001 and P005", cs)
	}
	if nodes, _ := v.Nodes(snapshot.Scope{Department: "D001-01"}); !slices.Equal(ids(v, nodes), []string{"P001"}) {
		t.Errorf("D001-01 holds %v, want [P001]", ids(v, nodes))
	}
}

func TestVariantRejects(t *testing.T) {
	base, err := snapshot.Build(context.Background(), openStore(t))
	if err != nil {
		t.Fatal(err)
	}
	edge := func(from, to string, w float64, kind string) kolgraph.Influence {
		return kolgraph.Influence{From: from, To: to, Weight: w, Kind: kind}
	}
	many := make([]string, snapshot.MaxChanges+1)
	for i := range many {
		many[i] = "P001"
	}
	for _, tc := range []struct {
		name string
		c    snapshot.Change
		code string
		says string
	}{
		{"unknown HCP", snapshot.Change{RemoveHCPs: []string{"P999"}}, kolgraph.ENOTFOUND, "P999"},
		{"empty id", snapshot.Change{RemoveHCPs: []string{""}}, kolgraph.EINVALID, "removeHcps[0]"},
		{"missing edge", snapshot.Change{RemoveEdges: []kolgraph.EdgeKey{{From: "P002", To: "P001"}}}, kolgraph.ENOTFOUND, "P002->P001"},
		{"edge of an unknown HCP", snapshot.Change{RemoveEdges: []kolgraph.EdgeKey{{From: "P001", To: "P999"}}}, kolgraph.ENOTFOUND, "P999"},
		{"weight 0", snapshot.Change{AddEdges: []kolgraph.Influence{edge("P002", "P001", 0, kolgraph.InfluenceMentor)}}, kolgraph.EINVALID, "addEdges[0].weight"},
		{"weight above 1", snapshot.Change{AddEdges: []kolgraph.Influence{edge("P002", "P001", 1.5, kolgraph.InfluenceMentor)}}, kolgraph.EINVALID, "addEdges[0].weight"},
		{"self loop", snapshot.Change{AddEdges: []kolgraph.Influence{edge("P002", "P002", 0.5, kolgraph.InfluenceMentor)}}, kolgraph.EINVALID, "addEdges[0].to"},
		{"unknown kind", snapshot.Change{AddEdges: []kolgraph.Influence{edge("P002", "P001", 0.5, "friend")}}, kolgraph.EINVALID, "addEdges[0].kind"},
		{"unknown endpoint", snapshot.Change{AddEdges: []kolgraph.Influence{edge("P002", "P999", 0.5, kolgraph.InfluenceMentor)}}, kolgraph.ENOTFOUND, "P999"},
		{"endpoint removed", snapshot.Change{RemoveHCPs: []string{"P001"},
			AddEdges: []kolgraph.Influence{edge("P002", "P001", 0.5, kolgraph.InfluenceMentor)}}, kolgraph.EINVALID, "removes"},
		{"added twice", snapshot.Change{AddEdges: []kolgraph.Influence{edge("P002", "P001", 0.5, kolgraph.InfluenceMentor),
			edge("P002", "P001", 0.6, kolgraph.InfluenceMentor)}}, kolgraph.EINVALID, "addEdges[1]"},
		{"removed and added", snapshot.Change{RemoveEdges: []kolgraph.EdgeKey{{From: "P001", To: "P002"}},
			AddEdges: []kolgraph.Influence{edge("P001", "P002", 0.5, kolgraph.InfluenceMentor)}}, kolgraph.EINVALID, "removed and added"},
		{"too many", snapshot.Change{RemoveHCPs: many}, kolgraph.EINVALID, fmt.Sprint(snapshot.MaxChanges)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := base.Variant(tc.c)
			if kolgraph.ErrorCode(err) != tc.code || !strings.Contains(kolgraph.ErrorMessage(err), tc.says) {
				t.Errorf("Variant = %v, %v; want %s saying %q", v, err, tc.code, tc.says)
			}
		})
	}
}

// BenchmarkVariant removes one HCP and rewires one edge on the fixture.
func BenchmarkVariant(b *testing.B) {
	st := embeddedtest.Open(b, storetest.Fixture())
	base, err := snapshot.Build(context.Background(), st)
	if err != nil {
		b.Fatal(err)
	}
	c := snapshot.Change{RemoveHCPs: []string{"P001"},
		AddEdges: []kolgraph.Influence{{From: "P009", To: "P004", Weight: 0.7, Kind: kolgraph.InfluenceMentor}}}
	for b.Loop() {
		if _, err := base.Variant(c); err != nil {
			b.Fatal(err)
		}
	}
}
