package scope_test

import (
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/embedded/embeddedtest"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scope"
	"github.com/kolgraph/kolgraph/internal/storetest"
)

// TestHistoryScoped: through T1's scope, the history of T1, its hospitals
// and their departments reads as stored; T2's, H003's and the region's
// (which lists every territory's HCPs) read as empty; writing or pruning
// it is FORBIDDEN.
func TestHistoryScoped(t *testing.T) {
	ctx := t.Context()
	base := embeddedtest.Open(t, storetest.Fixture())
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ps []*kolgraph.HistoryPoint
	keys := []string{"all", "territory:T1", "territory:T2", "hospital:H001", "hospital:H003", "department:D001-01", "department:D003-01"}
	for _, k := range keys {
		ps = append(ps, &kolgraph.HistoryPoint{Scope: k, Metric: "INFLUENCE", Version: 1, At: at, IDs: []string{"P001"}, Scores: []float64{0.5}})
	}
	if err := base.AppendHistory(ctx, ps); err != nil {
		t.Fatal(err)
	}
	s := scope.NewStore(base, []string{"T1"})
	visible := map[string]bool{"territory:T1": true, "hospital:H001": true, "department:D001-01": true}
	for _, k := range keys {
		got, err := s.History(ctx, k, "INFLUENCE", time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		last, err := s.LatestHistory(ctx, k, "INFLUENCE", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if (len(got) == 1) != visible[k] || (last != nil) != visible[k] {
			t.Errorf("%s through T1: %d points, latest %v; visible %v", k, len(got), last, visible[k])
		}
	}
	if err := s.AppendHistory(ctx, ps[:1]); kolgraph.ErrorCode(err) != kolgraph.EFORBIDDEN {
		t.Errorf("AppendHistory through a scope: got %v, want FORBIDDEN", err)
	}
	if _, err := s.PruneHistory(ctx, kolgraph.DefaultHistoryRetention(), at); kolgraph.ErrorCode(err) != kolgraph.EFORBIDDEN {
		t.Errorf("PruneHistory through a scope: got %v, want FORBIDDEN", err)
	}
}
