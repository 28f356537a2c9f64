package main

import (
	"slices"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/config"
	"github.com/kolgraph/kolgraph/internal/history"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/seedgen"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

type fixedSnapshot struct{}

func (fixedSnapshot) Get() (*snapshot.Snapshot, error) { return nil, nil }

// TestSeedHistory: a fresh store seeded with the sample region holds the
// region before its dated changes and one version per change date, each
// kept with its date; recorded, H001's INFLUENCE history has a point per
// date in which some of its HCPs' scores change. (Only H001 is recorded:
// the region's INFLUENCE would take a minute.)
func TestSeedHistory(t *testing.T) {
	ctx := t.Context()
	m := &Main{Config: config.Default(), Log: zerolog.Nop()}
	m.Config.DataDir = t.TempDir()
	st, err := m.openStore(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	m.Store = st
	if err := m.seedIfEmpty(ctx, true); err != nil {
		t.Fatal(err)
	}
	wantDates := append([]time.Time{time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)}, seedgen.ChangeDates...)
	if len(m.seeded) != len(wantDates) {
		t.Fatalf("seeded %d versions, want %d", len(m.seeded), len(wantDates))
	}
	for i, d := range m.seeded {
		if d.Snapshot.Version != uint64(i+1) || !d.At.Equal(wantDates[i]) {
			t.Errorf("seeded version %d: v%d at %v, want v%d at %v", i, d.Snapshot.Version, d.At, i+1, wantDates[i])
		}
	}

	rk, err := scoring.NewService(fixedSnapshot{}, scoring.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	h1 := snapshot.Scope{Hospital: "H001"}
	h, err := history.New(m.Store, rk, history.Options{Metrics: []scoring.Metric{scoring.Influence},
		Scopes: func(*snapshot.Snapshot) []snapshot.Scope { return []snapshot.Scope{h1} }}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.seeded {
		if _, err := h.Record(ctx, d.Snapshot, d.At); err != nil {
			t.Fatal(err)
		}
	}
	ps, err := m.Store.History(ctx, h1.Key(), string(scoring.Influence), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var at []time.Time
	for _, p := range ps {
		at = append(at, p.At)
	}
	if len(ps) < 3 || !slices.EqualFunc(at, wantDates[:len(at)], time.Time.Equal) {
		t.Fatalf("H001's INFLUENCE points at %v, want at least 3, at %v", at, wantDates)
	}
	ch, err := h.Changes(ctx, h1, scoring.Influence, wantDates[0], 5)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Total == 0 || len(ch.Movers) == 0 {
		t.Fatalf("no HCP of H001 moved over the seeded dates: %+v", ch)
	}
	top := ch.Movers[0]
	series, err := h.Series(ctx, h1, scoring.Influence, top.HCPID)
	if err != nil {
		t.Fatal(err)
	}
	if len(series) < 2 || series[0].Score == series[len(series)-1].Score {
		t.Errorf("%s's INFLUENCE series %+v does not change", top.HCPID, series)
	}
	explained := 0
	for _, mv := range ch.Movers {
		explained += len(mv.Explained)
	}
	if explained == 0 {
		t.Errorf("no mover of H001 is explained by the seed's audit entries: %+v", ch.Movers)
	}
	t.Logf("H001: %d points; top mover %s %+.4f (rank %d -> %d), %d entries explain the top 5", len(ps), top.HCPID, top.Delta,
		top.RankBefore, top.RankAfter, explained)
}
