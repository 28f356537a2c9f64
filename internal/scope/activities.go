package scope

import (
	"context"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// An academic activity is in scope when its territory is in the set:
// reads show only those, and writes may only create, change or delete
// those (before and after the change). A written activity's new speakers
// and attendees must be HCPs in scope too, unless the stored activity
// lists them already (they may have left since), as for an account plan's
// stakeholders.

// Activities implements kolgraph.Store.
func (s *Store) Activities(ctx context.Context, ids []string) ([]*kolgraph.Activity, error) {
	rows, err := s.base.Activities(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, a := range rows {
		if a != nil && !s.in[a.TerritoryID] {
			rows[i] = nil
		}
	}
	return rows, nil
}

// ListActivities implements kolgraph.Store; totals count the scope only.
func (s *Store) ListActivities(ctx context.Context, f kolgraph.ActivityFilter, p kolgraph.Page) (*kolgraph.ActivityPage, error) {
	ts, ok := s.territories(f.Territories)
	if !ok {
		if p.First < 0 || f.Validate() != nil {
			return s.base.ListActivities(ctx, f, p) // the store's own BAD_USER_INPUT
		}
		return &kolgraph.ActivityPage{}, nil
	}
	f.Territories = ts
	return s.base.ListActivities(ctx, f, p)
}

// checkActivities refuses to write an activity outside the scope, to
// change or delete a stored one outside it, or to give one a speaker or
// attendee who is not an HCP in scope (newHCP: those cs writes, in scope)
// unless the stored activity lists them already.
func (s *Store) checkActivities(ctx context.Context, cs *kolgraph.ChangeSet, newHCP map[string]bool) error {
	keys := kolgraph.ActivityKind.Keys(cs)
	if len(keys) == 0 {
		return nil
	}
	for _, a := range cs.Activities {
		if a != nil && !s.in[a.TerritoryID] {
			return forbidden(kolgraph.KindActivities, a.ID)
		}
	}
	stored, err := s.base.Activities(ctx, keys)
	if err != nil {
		return err
	}
	had := map[string]map[string]bool{}
	for i, a := range stored {
		if a == nil {
			continue
		}
		if !s.in[a.TerritoryID] {
			return forbidden(kolgraph.KindActivities, keys[i])
		}
		had[a.ID] = map[string]bool{}
		for _, h := range a.HCPIDs() {
			had[a.ID][h] = true
		}
	}
	var ask []string
	for _, a := range cs.Activities {
		if a == nil {
			continue
		}
		for _, h := range a.HCPIDs() {
			if !newHCP[h] && !had[a.ID][h] {
				ask = append(ask, h)
			}
		}
	}
	in, err := s.hcps(ctx, ask)
	if err != nil {
		return err
	}
	for _, a := range cs.Activities {
		if a == nil {
			continue
		}
		for _, h := range a.HCPIDs() {
			if !newHCP[h] && !had[a.ID][h] && !in[h] {
				return kolgraph.Errorf(kolgraph.EFORBIDDEN, "%s/%s: HCP %s is outside your territories",
					kolgraph.KindActivities, a.ID, h)
			}
		}
	}
	return nil
}
