package storetest

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// histNow is the suite's "now" for retention: points are dated around it
// by hand so that which ones go is known without a clock.
var histNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// histPoint returns a point of scope and metric at version, dated days
// before histNow plus hour hours, with scores that do not print short.
func histPoint(scope, metric string, version uint64, days, hour int) *kolgraph.HistoryPoint {
	at := histNow.AddDate(0, 0, -days).Truncate(24 * time.Hour).Add(time.Duration(hour) * time.Hour)
	return &kolgraph.HistoryPoint{Scope: scope, Metric: metric, Version: version, At: at,
		IDs:    []string{"P001", "P002", "P003", "P010"},
		Scores: []float64{0.1 + 0.2, float64(version) / 3, math.SmallestNonzeroFloat64, 1}}
}

func versionsOf(ps []*kolgraph.HistoryPoint) []uint64 {
	out := make([]uint64, len(ps))
	for i, p := range ps {
		out[i] = p.Version
	}
	return out
}

func appendHistory(t *testing.T, s kolgraph.Store, ps ...*kolgraph.HistoryPoint) {
	t.Helper()
	if err := s.AppendHistory(t.Context(), ps); err != nil {
		t.Fatalf("AppendHistory: %v", err)
	}
}

func samePoint(t *testing.T, what string, got, want *kolgraph.HistoryPoint) {
	t.Helper()
	switch {
	case got == nil || want == nil:
		if got != want {
			t.Errorf("%s: got %v, want %v", what, got, want)
		}
	case got.Scope != want.Scope || got.Metric != want.Metric || got.Version != want.Version || !got.At.Equal(want.At) ||
		!got.SameScores(want):
		t.Errorf("%s: got %+v, want %+v", what, *got, *want)
	}
}

// testHistory: points read back bit for bit, in version order, by time
// range; the latest before a time; a point of the same version replaces;
// an invalid batch writes nothing; the graph version does not move; the
// points survive a reopen.
func (r *runner) testHistory(t *testing.T) {
	ctx := t.Context()
	s := r.loaded(t)
	h1 := "hospital:H001"
	p3, p1, p2 := histPoint(h1, "INFLUENCE", 3, 5, 9), histPoint(h1, "INFLUENCE", 1, 20, 8), histPoint(h1, "INFLUENCE", 2, 10, 8)
	other := histPoint("all", "INFLUENCE", 2, 10, 8)
	pr := histPoint(h1, "PAGERANK", 2, 10, 8)
	appendHistory(t, s, p3, p1, other)
	appendHistory(t, s, p2, pr)
	if v, err := s.Version(ctx); err != nil || v != 1 {
		t.Errorf("Version after AppendHistory: got %d, %v; want 1", v, err)
	}
	all, err := s.History(ctx, h1, "INFLUENCE", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if got := versionsOf(all); !slices.Equal(got, []uint64{1, 2, 3}) {
		t.Fatalf("History versions: got %v, want [1 2 3]", got)
	}
	for i, want := range []*kolgraph.HistoryPoint{p1, p2, p3} {
		samePoint(t, "History", all[i], want)
	}
	ranged, err := s.History(ctx, h1, "INFLUENCE", p2.At, p3.At)
	if err != nil {
		t.Fatal(err)
	}
	if got := versionsOf(ranged); !slices.Equal(got, []uint64{2}) {
		t.Errorf("History in [v2.At, v3.At): got %v, want [2]", got)
	}
	if got, err := s.History(ctx, "hospital:H002", "INFLUENCE", time.Time{}, time.Time{}); err != nil || len(got) != 0 {
		t.Errorf("History of a scope without points: got %d points, %v", len(got), err)
	}

	latest, err := s.LatestHistory(ctx, h1, "INFLUENCE", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	samePoint(t, "LatestHistory", latest, p3)
	before, err := s.LatestHistory(ctx, h1, "INFLUENCE", p3.At.Add(-time.Nanosecond))
	if err != nil {
		t.Fatal(err)
	}
	samePoint(t, "LatestHistory before v3", before, p2)
	if none, err := s.LatestHistory(ctx, h1, "INFLUENCE", p1.At.Add(-time.Hour)); err != nil || none != nil {
		t.Errorf("LatestHistory before the first point: got %v, %v; want nil", none, err)
	}
	samePoint(t, "LatestHistory of another metric", must(s.LatestHistory(ctx, h1, "PAGERANK", time.Time{}))(t), pr)

	// The same version again replaces the point.
	p3b := histPoint(h1, "INFLUENCE", 3, 5, 9)
	p3b.IDs, p3b.Scores = []string{"P001"}, []float64{0.5}
	appendHistory(t, s, p3b)
	samePoint(t, "LatestHistory after a replace", must(s.LatestHistory(ctx, h1, "INFLUENCE", time.Time{}))(t), p3b)

	// All or nothing: one invalid point, nothing written.
	bad := histPoint(h1, "INFLUENCE", 5, 1, 0)
	bad.IDs = []string{"P002", "P001", "P003", "P010"}
	err = s.AppendHistory(ctx, []*kolgraph.HistoryPoint{histPoint(h1, "INFLUENCE", 4, 1, 0), bad})
	if kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("AppendHistory with unsorted ids: got %v, want EINVALID", err)
	}
	samePoint(t, "LatestHistory after a refused batch", must(s.LatestHistory(ctx, h1, "INFLUENCE", time.Time{}))(t), p3b)

	if r.h.Reopen != nil {
		s = r.h.Reopen(t, s)
		t.Cleanup(func() { _ = s.Close() })
		got, err := s.History(ctx, h1, "INFLUENCE", time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 3 {
			t.Fatalf("History after reopen: %d points, want 3", len(got))
		}
		samePoint(t, "History after reopen", got[0], p1)
		samePoint(t, "History after reopen", got[2], p3b)
	}
}

// testHistoryRetention: every point of the last 30 days, the last of each
// day up to 400 days, none older, except the newest point of each scope
// and metric, whatever its age.
func (r *runner) testHistoryRetention(t *testing.T) {
	ctx := t.Context()
	s := r.open(t)
	a, b := "territory:T01", "hospital:H009"
	appendHistory(t, s,
		histPoint(a, "INFLUENCE", 1, 500, 8), // older than 400 days: dropped
		histPoint(a, "INFLUENCE", 2, 100, 8), // the same day as 3, earlier: dropped
		histPoint(a, "INFLUENCE", 3, 100, 18),
		histPoint(a, "INFLUENCE", 4, 50, 8),
		histPoint(a, "INFLUENCE", 5, 10, 8), // within 30 days: both kept
		histPoint(a, "INFLUENCE", 6, 10, 9),
		histPoint(b, "INFLUENCE", 1, 500, 8), // old, but b's newest: kept
		histPoint(b, "PAGERANK", 1, 450, 8),  // dropped: 2 is newer
		histPoint(b, "PAGERANK", 2, 440, 8),
	)
	n, err := s.PruneHistory(ctx, kolgraph.DefaultHistoryRetention(), histNow)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("PruneHistory removed %d points, want 3", n)
	}
	for _, c := range []struct {
		scope, metric string
		want          []uint64
	}{
		{a, "INFLUENCE", []uint64{3, 4, 5, 6}},
		{b, "INFLUENCE", []uint64{1}},
		{b, "PAGERANK", []uint64{2}},
	} {
		got, err := s.History(ctx, c.scope, c.metric, time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if v := versionsOf(got); !slices.Equal(v, c.want) {
			t.Errorf("%s %s after prune: versions %v, want %v", c.scope, c.metric, v, c.want)
		}
	}
	if n, err := s.PruneHistory(ctx, kolgraph.DefaultHistoryRetention(), histNow); err != nil || n != 0 {
		t.Errorf("a second prune: removed %d, %v; want 0", n, err)
	}
	if _, err := s.PruneHistory(ctx, kolgraph.HistoryRetention{KeepAll: 2, MaxAge: 1}, histNow); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("PruneHistory with keep-all over max age: got %v, want EINVALID", err)
	}
}

// must returns a function that fails t if err is set, else returns v: for
// one-line reads in a comparison.
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
