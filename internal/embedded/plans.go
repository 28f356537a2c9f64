package embedded

import (
	"context"
	"sort"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// AccountPlans implements kolgraph.Store: O(len(ids)) lookups and a deep
// copy per hit.
func (s *Store) AccountPlans(ctx context.Context, ids []string) ([]*kolgraph.AccountPlan, error) {
	out := make([]*kolgraph.AccountPlan, len(ids))
	err := s.read(ctx, func(g *graph) error {
		for i, id := range ids {
			if p, ok := g.plans[id]; ok {
				out[i] = cloneAccountPlan(p)
			}
		}
		return nil
	})
	return out, err
}

// ListAccountPlans implements kolgraph.Store. It walks the ascending ids of
// the narrowest index the filter names (a hospital's, a product's or an
// owner's plans, else all), so the cost is O(those plans) plus a copy per
// plan of the page.
func (s *Store) ListAccountPlans(ctx context.Context, f kolgraph.AccountPlanFilter, p kolgraph.Page) (*kolgraph.AccountPlanPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	size, err := p.Size()
	if err != nil {
		return nil, err
	}
	page := &kolgraph.AccountPlanPage{}
	err = s.read(ctx, func(g *graph) error {
		var ids []string
		switch {
		case f.HospitalID != "":
			ids = g.plansByHospital.get(f.HospitalID)
		case f.ProductID != "":
			ids = g.plansByProduct.get(f.ProductID)
		case f.OwnerID != "":
			ids = g.plansByOwner.get(f.OwnerID)
		default:
			ids = g.allPlans.get("")
		}
		start := sort.SearchStrings(ids, p.After)
		for i, id := range ids {
			pl := g.plans[id]
			territory := ""
			if h, ok := g.hospitals[pl.HospitalID]; ok {
				territory = h.rec.TerritoryID
			}
			if !f.Match(pl, territory) {
				continue
			}
			page.Total++
			if i < start || (p.After != "" && id == p.After) {
				continue
			}
			if len(page.Items) < size {
				page.Items = append(page.Items, cloneAccountPlan(pl))
			} else {
				page.HasNext = true
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}
