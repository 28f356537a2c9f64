package scoring_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// Without A, the fixture's DEGREE (weighted out-degree) in H1 is C 1.0
// (C->E), B 0.2 (B->C), and 0 for E, F, G; with A it was A 1.0, C 1.0.
func TestRankingUncachedRanksTheGivenGraph(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := service(t, e, scoring.DefaultWeights())
	sc := snapshot.Scope{Hospital: "H1"}
	live, err := s.Ranking(ctx, sc, scoring.Degree)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := e.snaps.Get()
	variant, err := base.Variant(snapshot.Change{RemoveHCPs: []string{"A"}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.RankingUncached(ctx, variant, sc, scoring.Degree, live)
	if err != nil {
		t.Fatal(err)
	}
	if r.Snapshot != variant {
		t.Error("the ranking is not on the variant")
	}
	got, order := values(t, r)
	want := map[string]float64{"B": 0.2, "C": 1, "E": 0, "F": 0, "G": 0}
	if len(got) != len(want) {
		t.Errorf("ranked %v, want %v", got, want)
	}
	for id, w := range want {
		if math.Abs(got[id]-w) > 1e-12 {
			t.Errorf("DEGREE(%s) = %v, want %v", id, got[id], w)
		}
	}
	if !slices.Equal(order, []string{"C", "B", "E", "F", "G"}) {
		t.Errorf("order %v, want C B E F G", order)
	}

	// On the live snapshot itself, an uncached ranking is not cached either.
	if _, err := s.RankingUncached(ctx, base, sc, scoring.PageRank, nil); err != nil {
		t.Fatal(err)
	}
	var hits []bool
	s.CacheObserver = func(hit bool) { hits = append(hits, hit) }
	again, err := s.Ranking(ctx, sc, scoring.Degree)
	if err != nil {
		t.Fatal(err)
	}
	if again != live {
		t.Error("the live ranking was replaced by the uncached computation")
	}
	if _, err := s.Ranking(ctx, sc, scoring.PageRank); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RankingUncached(ctx, base, sc, scoring.Eigenvector, nil); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("EIGENVECTOR on a hierarchy: %v, want the coded error of Ranking", err)
	}
	if !slices.Equal(hits, []bool{true, false}) {
		t.Errorf("cache hits %v, want [true false]: the uncached ranking must not fill the cache", hits)
	}
}

func TestRankingUncachedRejects(t *testing.T) {
	e := newEnv(t)
	s := service(t, e, scoring.DefaultWeights())
	snap, _ := e.snaps.Get()
	if _, err := s.RankingUncached(context.Background(), snap, snapshot.Scope{}, "FAME", nil); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("metric FAME: %v, want BAD_USER_INPUT", err)
	}
	if _, err := s.RankingUncached(context.Background(), snap, snapshot.Scope{Hospital: "H9"}, scoring.Degree, nil); kolgraph.ErrorCode(err) != kolgraph.ENOTFOUND {
		t.Errorf("hospital H9: %v, want NOT_FOUND", err)
	}
}

// Removing F leaves D1 (A, B, C, E and their edges) as it was: its ranking
// is carried onto the variant, not recomputed; D1 loses a node when C
// leaves and is recomputed.
func TestRankingUncachedCarriesAnUntouchedScope(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	s := service(t, e, scoring.DefaultWeights())
	sc := snapshot.Scope{Department: "D1"}
	prev, err := s.Ranking(ctx, sc, scoring.Influence)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := e.snaps.Get()
	for _, tc := range []struct {
		gone    string
		carried bool
	}{{"F", true}, {"C", false}} {
		variant, err := base.Variant(snapshot.Change{RemoveHCPs: []string{tc.gone}})
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.RankingUncached(ctx, variant, sc, scoring.Influence, prev)
		if err != nil {
			t.Fatal(err)
		}
		if r.Snapshot != variant {
			t.Errorf("without %s: the ranking is not on the variant", tc.gone)
		}
		if carried := r.ComputedAt.Equal(prev.ComputedAt); carried != tc.carried {
			t.Errorf("without %s: carried %v, want %v", tc.gone, carried, tc.carried)
		}
		got, order := values(t, r)
		want, wantOrder := values(t, prev)
		if tc.carried && (!slices.Equal(order, wantOrder) || len(got) != len(want)) {
			t.Errorf("without %s: %v, want %v", tc.gone, got, want)
		}
		if !tc.carried && (len(got) != 3 || got["C"] != 0) {
			t.Errorf("without %s: ranked %v, want A, B, E", tc.gone, got)
		}
	}
}
