package scope

import (
	"context"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// An account plan is in scope when its hospital is: reads show only those,
// and writes (checked with the other hospital-scoped kinds, see apply.go)
// may only create, change or delete those. A plan's stakeholders must be
// HCPs in scope too, unless the stored plan already has them (they may
// have left since; see checkStakeholders).

func planHospital(p *kolgraph.AccountPlan) string { return p.HospitalID }

// AccountPlans implements kolgraph.Store.
func (s *Store) AccountPlans(ctx context.Context, ids []string) ([]*kolgraph.AccountPlan, error) {
	ps, err := s.base.AccountPlans(ctx, ids)
	if err != nil {
		return nil, err
	}
	return keepByHospital(ctx, s, ps, planHospital)
}

// ListAccountPlans implements kolgraph.Store; totals count the scope only.
func (s *Store) ListAccountPlans(ctx context.Context, f kolgraph.AccountPlanFilter, p kolgraph.Page) (*kolgraph.AccountPlanPage, error) {
	ts, ok := s.territories(f.Territories)
	if !ok {
		if p.First < 0 || f.Validate() != nil {
			return s.base.ListAccountPlans(ctx, f, p) // the store's own BAD_USER_INPUT
		}
		return &kolgraph.AccountPlanPage{}, nil
	}
	f.Territories = ts
	return s.base.ListAccountPlans(ctx, f, p)
}

// checkStakeholders refuses an upserted plan whose stakeholder is an HCP
// out of scope (FORBIDDEN, as for a tie to one), unless the stored plan
// lists that HCP already; newHCP holds the HCPs cs writes, in scope.
func (s *Store) checkStakeholders(ctx context.Context, cs *kolgraph.ChangeSet, newHCP map[string]bool) error {
	var ids []string
	for _, p := range cs.AccountPlans {
		if p != nil {
			ids = append(ids, p.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	stored, err := s.base.AccountPlans(ctx, ids)
	if err != nil {
		return err
	}
	had := map[string]map[string]bool{}
	for _, p := range stored {
		if p != nil {
			had[p.ID] = map[string]bool{}
			for _, h := range p.StakeholderIDs() {
				had[p.ID][h] = true
			}
		}
	}
	var ask []string
	for _, p := range cs.AccountPlans {
		if p == nil {
			continue
		}
		for _, h := range p.StakeholderIDs() {
			if !newHCP[h] && !had[p.ID][h] {
				ask = append(ask, h)
			}
		}
	}
	in, err := s.hcps(ctx, ask)
	if err != nil {
		return err
	}
	for _, p := range cs.AccountPlans {
		if p == nil {
			continue
		}
		for _, h := range p.StakeholderIDs() {
			if !newHCP[h] && !had[p.ID][h] && !in[h] {
				return kolgraph.Errorf(kolgraph.EFORBIDDEN, "%s/%s: stakeholder %s is outside your territories",
					kolgraph.KindAccountPlans, p.ID, h)
			}
		}
	}
	return nil
}
