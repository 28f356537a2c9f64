package graph

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/graph/model"
	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/history"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// maxHistoryPoints bounds influenceHistory's last.
const maxHistoryPoints = 1000

// historyReader is the influence history as the caller may read it: the
// points of its own store (a territory-scoped one shows its territories'
// scopes only), the explanations from the service's audit log, filtered
// by visibleChange.
func (r *Resolver) historyReader(ctx context.Context) (*history.Reader, error) {
	if r.History == nil {
		return nil, kolgraph.Errorf(kolgraph.EUNAVAILABLE, "the influence history is off on this service (-history-metrics is empty)")
	}
	return r.History.Reader(r.deps(ctx).Store, r.Views.Store()), nil
}

func metricOr(m *scoring.Metric) scoring.Metric {
	if m == nil {
		return scoring.Influence
	}
	return *m
}

func (r *Resolver) influenceHistory(ctx context.Context, h *kolgraph.HCP, scope model.ScopeInput, metric *scoring.Metric, last *int) ([]*history.Point, error) {
	n := 100
	if last != nil {
		n = *last
	}
	if n < 1 || n > maxHistoryPoints {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "last must be in 1..%d (got %d)", maxHistoryPoints, n)
	}
	rd, err := r.historyReader(ctx)
	if err != nil {
		return nil, err
	}
	ps, err := rd.Series(ctx, scopeOf(scope), metricOr(metric), h.ID)
	if err != nil {
		return nil, err
	}
	ps = ps[max(0, len(ps)-n):]
	out := make([]*history.Point, len(ps))
	for i := range ps {
		out[i] = &ps[i]
	}
	return out, nil
}

func (r *Resolver) rankingChanges(ctx context.Context, scope model.ScopeInput, metric *scoring.Metric, since time.Time, first *int) (*history.Changes, error) {
	n := 20
	if first != nil {
		n = *first
	}
	rd, err := r.historyReader(ctx)
	if err != nil {
		return nil, err
	}
	c, err := rd.Changes(ctx, scopeOf(scope), metricOr(metric), since, n)
	if err != nil {
		return nil, err
	}
	p, err := auth.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if p.Scoped() {
		snap, err := r.deps(ctx).Analytics.Snapshots.Get()
		if err != nil {
			return nil, err
		}
		for i := range c.Movers {
			m := &c.Movers[i]
			m.Explained = slices.DeleteFunc(m.Explained, func(e kolgraph.AuditEntry) bool { return !visibleChange(snap, e) })
		}
	}
	return c, nil
}

// visibleChange reports whether a territory-scoped caller, whose graph is
// snap, may see change e: the HCP, both ends of a tie, or the HCP and
// committee of a seat are in its territories now.
func visibleChange(snap *snapshot.Snapshot, e kolgraph.AuditEntry) bool {
	in := func(id string) bool { _, ok := snap.Index(id); return ok }
	a, b, _ := strings.Cut(e.EntityID, "->")
	switch e.Kind {
	case kolgraph.KindHCPs:
		return in(e.EntityID)
	case kolgraph.KindInfluences:
		return in(a) && in(b)
	case kolgraph.KindMemberships:
		return in(a) && snap.Committees[b] != nil
	}
	return false
}
