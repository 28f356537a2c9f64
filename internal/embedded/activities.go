package embedded

import (
	"context"
	"slices"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Academic activities are documents like account plans: the activities
// bucket holds each as a format byte and its JSON, and the read model
// indexes it by id and by everything it references (the list's filters,
// and the rules when one of those is deleted).

func (g *graph) activityRefs(a *kolgraph.Activity) []planRef {
	refs := []planRef{{g.allActivities, ""}, {g.activitiesByTerritory, a.TerritoryID},
		{g.activitiesByProduct, a.ProductID}, {g.activitiesByOwner, a.OwnerID}}
	if a.HospitalID != "" {
		refs = append(refs, planRef{g.activitiesByHospital, a.HospitalID})
	}
	for _, h := range a.HCPIDs() {
		refs = append(refs, planRef{g.activitiesByHCP, h})
	}
	return refs
}

func (g *graph) putActivity(a *kolgraph.Activity) {
	g.delActivity(a.ID)
	for _, r := range g.activityRefs(a) {
		r.ix.add(r.parent, a.ID)
	}
	g.activities[a.ID] = a
}

func (g *graph) delActivity(id string) {
	old, ok := g.activities[id]
	if !ok {
		return
	}
	for _, r := range g.activityRefs(old) {
		r.ix.del(r.parent, id)
	}
	delete(g.activities, id)
}

func cloneActivity(a *kolgraph.Activity) *kolgraph.Activity {
	c := *a
	c.ActualCost = clonePtr(a.ActualCost)
	c.SpeakerIDs = slices.Clone(a.SpeakerIDs)
	c.AttendeeIDs = slices.Clone(a.AttendeeIDs)
	return &c
}

func appendActivity(b []byte, r *kolgraph.Activity) []byte {
	return appendJSON(b, r, kolgraph.KindActivities)
}

func decodeActivity(b []byte) (*kolgraph.Activity, error) { return decodeJSON[kolgraph.Activity](b) }

func (f facts) ActivitiesReferencing(kind, id string) []string {
	switch kind {
	case kolgraph.KindTerritories:
		return f.g.activitiesByTerritory.get(id)
	case kolgraph.KindHospitals:
		return f.g.activitiesByHospital.get(id)
	case kolgraph.KindProducts:
		return f.g.activitiesByProduct.get(id)
	case kolgraph.KindUsers:
		return f.g.activitiesByOwner.get(id)
	case kolgraph.KindHCPs:
		return f.g.activitiesByHCP.get(id)
	}
	return nil
}

// Activities implements kolgraph.Store.
func (s *Store) Activities(ctx context.Context, ids []string) ([]*kolgraph.Activity, error) {
	out := make([]*kolgraph.Activity, len(ids))
	err := s.read(ctx, func(g *graph) error {
		for i, id := range ids {
			if a, ok := g.activities[id]; ok {
				out[i] = cloneActivity(a)
			}
		}
		return nil
	})
	return out, err
}

// ListActivities implements kolgraph.Store. It walks the ascending ids of
// the narrowest index the filter names (a territory's, a product's or an
// owner's activities, else all).
func (s *Store) ListActivities(ctx context.Context, f kolgraph.ActivityFilter, p kolgraph.Page) (*kolgraph.ActivityPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	size, err := p.Size()
	if err != nil {
		return nil, err
	}
	page := &kolgraph.ActivityPage{}
	err = s.read(ctx, func(g *graph) error {
		var ids []string
		switch {
		case f.TerritoryID != "":
			ids = g.activitiesByTerritory.get(f.TerritoryID)
		case f.ProductID != "":
			ids = g.activitiesByProduct.get(f.ProductID)
		case f.OwnerID != "":
			ids = g.activitiesByOwner.get(f.OwnerID)
		default:
			ids = g.allActivities.get("")
		}
		keyset(ids, p.After, size, &page.Total, &page.HasNext, func(id string) bool {
			return f.Match(g.activities[id])
		}, func(id string) { page.Items = append(page.Items, cloneActivity(g.activities[id])) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}
