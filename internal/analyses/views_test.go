package analyses_test

import (
	"context"
	"slices"
	"testing"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/analyses"
	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/embedded/embeddedtest"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/storetest"
	"github.com/kolgraph/kolgraph/internal/tiering"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

func TestViews(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	m := snapshot.NewManager(st, zerolog.Nop())
	if err := m.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	full, err := analyses.New(m, st, analyses.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	views := analyses.NewViews(st, full)
	kam, _ := auth.NewPrincipal("U01", auth.RoleKAM, []string{"T1"}, nil, "")
	strategist, _ := auth.NewPrincipal("U02", auth.RoleStrategist, nil, nil, "")

	admin, _ := auth.NewPrincipal("U00", auth.RoleAdmin, nil, nil, "")
	if d, err := views.For(admin); err != nil || d.Store != st || d.Analytics != full {
		t.Fatalf("an admin reads everything through the store itself: got %+v, %v", d, err)
	}
	d, err := views.For(strategist)
	if err != nil || d.Analytics != full {
		t.Fatalf("a strategist reads everything: got %+v, %v", d, err)
	}
	if hs, _ := d.Store.HCPs(ctx, t2HCPs); hs[0] == nil {
		t.Error("a strategist cannot read T2")
	}
	write := &kolgraph.ChangeSet{Knows: []kolgraph.Knows{{UserID: "U02", HCPID: "P001", Strength: 0.5}}}
	if _, err := d.Store.Apply(ctx, write); kolgraph.ErrorCode(err) != kolgraph.EFORBIDDEN {
		t.Errorf("a strategist wrote: %v", err)
	}
	if _, err := d.Store.AuditLog(ctx, kolgraph.AuditFilter{}, kolgraph.Page{First: kolgraph.MaxPageSize}); kolgraph.ErrorCode(err) != kolgraph.EFORBIDDEN {
		t.Errorf("a strategist read the audit log: %v", err)
	}
	compliance, _ := auth.NewPrincipal("U03", auth.RoleCompliance, nil, nil, "")
	if d, _ := views.For(compliance); d.Store != nil {
		if _, err := d.Store.AuditLog(ctx, kolgraph.AuditFilter{}, kolgraph.Page{First: kolgraph.MaxPageSize}); err != nil {
			t.Errorf("compliance cannot read the audit log: %v", err)
		}
	}
	viewerP, _ := auth.NewPrincipal("U05", auth.RoleViewer, []string{"T1"}, nil, "")
	if d, _ := views.For(viewerP); d.Store != nil {
		if _, err := d.Store.Apply(ctx, write); kolgraph.ErrorCode(err) != kolgraph.EFORBIDDEN {
			t.Errorf("a viewer wrote: %v", err)
		}
	}
	d, err = views.For(kam)
	if err != nil {
		t.Fatal(err)
	}
	if hs, _ := d.Store.HCPs(ctx, t2HCPs); hs[0] != nil {
		t.Fatal("a T1 kam reads T2's HCPs")
	}
	if _, err := d.Store.Apply(ctx, &kolgraph.ChangeSet{Knows: []kolgraph.Knows{{UserID: "U01", HCPID: "P003", Strength: 0.5}}}); err != nil {
		t.Errorf("a kam cannot write in T1: %v", err)
	}
	if d2, _ := views.For(kam); d2.Analytics != d.Analytics {
		t.Error("the same territory set got a second set of analytics")
	}
	a := d.Analytics

	rk, err := a.Scores.Ranking(ctx, snapshot.Scope{}, scoring.PageRank)
	if err != nil {
		t.Fatal(err)
	}
	var ranked []string
	for _, v := range rk.Nodes {
		ranked = append(ranked, rk.Snapshot.IDs[v])
	}
	slices.Sort(ranked)
	if !slices.Equal(ranked, t1HCPs) {
		t.Errorf("ranking of everything for T1: %v, want T1's HCPs only", ranked)
	}
	if _, err := a.Scores.Ranking(ctx, snapshot.Scope{Territory: "T2"}, scoring.Influence); kolgraph.ErrorCode(err) != kolgraph.ENOTFOUND {
		t.Errorf("ranking of T2: %v, want NOT_FOUND", err)
	}
	if _, err := a.Scores.Ranking(ctx, snapshot.Scope{Hospital: "H003"}, scoring.Influence); kolgraph.ErrorCode(err) != kolgraph.ENOTFOUND {
		t.Errorf("ranking of H003: %v, want NOT_FOUND", err)
	}
	uctx := viewer.WithUser(ctx, "U01")
	if _, err := a.Access.StrongestPaths(uctx, access.Query{From: []string{"P001"}, To: "P007", K: 3, MaxHops: 6}); kolgraph.ErrorCode(err) != kolgraph.ENOTFOUND {
		t.Errorf("path to T2's P007: %v, want NOT_FOUND", err)
	}
	// The paths the view finds from U01's contacts never name a T2 HCP.
	res, err := a.Access.StrongestPaths(uctx, access.Query{To: "P004", K: 5, MaxHops: 6})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Paths {
		for _, n := range p.Nodes {
			if !slices.Contains(t1HCPs, n.ID) {
				t.Errorf("path %s passes through %s", p.ID, n.ID)
			}
		}
	}
	if _, err := a.Access.DecisionChain(uctx, "H003", ""); kolgraph.ErrorCode(err) != kolgraph.ENOTFOUND {
		t.Errorf("decision chain of H003: %v, want NOT_FOUND", err)
	}
	if _, err := a.Tiering.Tiering(ctx, tiering.Request{Scope: snapshot.Scope{Territory: "T2"}}); kolgraph.ErrorCode(err) != kolgraph.ENOTFOUND {
		t.Errorf("matrix of T2: %v, want NOT_FOUND", err)
	}
	res2, err := a.Tiering.Tiering(ctx, tiering.Request{})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range res2.Snapshot.HCPs {
		if !slices.Contains(t1HCPs, h.ID) {
			t.Errorf("the matrix of everything for T1 holds %s", h.ID)
		}
	}
	views.Revalidate() // must not panic on kept sets
}

func openStore(t testing.TB) kolgraph.Store {
	return embeddedtest.Open(t, storetest.Fixture())
}

// T1 is H001 and H002; T2 is H003 (storetest.Fixture).
var (
	t1HCPs = []string{"P001", "P002", "P003", "P004", "P005", "P009", "P010"}
	t2HCPs = []string{"P006", "P007", "P008"}
)
