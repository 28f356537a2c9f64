package scope

import (
	"context"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// visibleScope reports whether the history of scope key (snapshot.Scope.Key)
// is in scope: a territory of the set, a hospital in scope or a department
// of one. "all" never is: it lists HCPs of every territory.
func (s *Store) visibleScope(ctx context.Context, key string) (bool, error) {
	kind, id, _ := strings.Cut(key, ":")
	switch kind {
	case "territory":
		return s.in[id], nil
	case "department":
		ds, err := s.base.Departments(ctx, []string{id})
		if err != nil || ds[0] == nil {
			return false, err
		}
		id = ds[0].HospitalID
		fallthrough
	case "hospital":
		hs, err := s.hospitals(ctx, []string{id})
		return hs[id] != nil, err
	}
	return false, nil
}

// AppendHistory implements kolgraph.Store: the history is written by the
// service (internal/history) through the underlying store, never by a
// caller, so it is FORBIDDEN here.
func (s *Store) AppendHistory(context.Context, []*kolgraph.HistoryPoint) error {
	return kolgraph.Errorf(kolgraph.EFORBIDDEN, "the influence history is written by the service only")
}

// PruneHistory implements kolgraph.Store: FORBIDDEN, as AppendHistory.
func (s *Store) PruneHistory(context.Context, kolgraph.HistoryRetention, time.Time) (int, error) {
	return 0, kolgraph.Errorf(kolgraph.EFORBIDDEN, "the influence history is pruned by the service only")
}

// History implements kolgraph.Store: a scope out of the set has no
// history, as if it did not exist.
func (s *Store) History(ctx context.Context, scope, metric string, from, to time.Time) ([]*kolgraph.HistoryPoint, error) {
	if ok, err := s.visibleScope(ctx, scope); !ok || err != nil {
		return nil, err
	}
	return s.base.History(ctx, scope, metric, from, to)
}

// LatestHistory implements kolgraph.Store, scoped as History.
func (s *Store) LatestHistory(ctx context.Context, scope, metric string, notAfter time.Time) (*kolgraph.HistoryPoint, error) {
	if ok, err := s.visibleScope(ctx, scope); !ok || err != nil {
		return nil, err
	}
	return s.base.LatestHistory(ctx, scope, metric, notAfter)
}
