package history_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/embedded/embeddedtest"
	"github.com/kolgraph/kolgraph/internal/history"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// regionHistory returns a service over an embedded store holding n points
// of the region's INFLUENCE, each of 6,000 HCPs (the seed region's size)
// whose scores drift between versions, a day apart.
func regionHistory(b *testing.B, n int) *history.Service {
	b.Helper()
	st := embeddedtest.Open(b, nil)
	r := rand.New(rand.NewPCG(1, 2))
	ids := make([]string, 6000)
	scores := make([]float64, len(ids))
	for i := range ids {
		ids[i] = fmt.Sprintf("P%06d", i+1)
		scores[i] = r.Float64()
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for v := range n {
		for i := range scores {
			scores[i] = min(1, max(0, scores[i]+0.01*r.NormFloat64()))
		}
		p := &kolgraph.HistoryPoint{Scope: "all", Metric: string(scoring.Influence), Version: uint64(v + 1),
			At: t0.AddDate(0, 0, v), IDs: ids, Scores: append([]float64(nil), scores...)}
		if err := st.AppendHistory(b.Context(), []*kolgraph.HistoryPoint{p}); err != nil {
			b.Fatal(err)
		}
	}
	s, err := history.New(st, nil, history.Options{}, zerolog.Nop())
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkSeriesRegion: one HCP's series over 30 points of the region
// (what influenceHistory asks for an HCP of the whole region).
func BenchmarkSeriesRegion(b *testing.B) {
	s := regionHistory(b, 30)
	for b.Loop() {
		if _, err := s.Series(b.Context(), snapshot.Scope{}, scoring.Influence, "P003000"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChangesRegion: the top 20 movers of the region between its
// first and last of 30 points (rankingChanges on the whole region).
func BenchmarkChangesRegion(b *testing.B) {
	s := regionHistory(b, 30)
	since := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for b.Loop() {
		if _, err := s.Changes(b.Context(), snapshot.Scope{}, scoring.Influence, since, 20); err != nil {
			b.Fatal(err)
		}
	}
}
