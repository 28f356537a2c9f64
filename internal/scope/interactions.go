package scope

import (
	"context"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// An interaction is in scope when its HCP is (the HCP's hospital's
// territory): reads show only those, and writes may only create, change
// or delete those, before and after the change.

// Interactions implements kolgraph.Store: those of HCPs in scope.
func (s *Store) Interactions(ctx context.Context, ids []string) ([]*kolgraph.Interaction, error) {
	rows, err := s.base.Interactions(ctx, ids)
	if err != nil {
		return nil, err
	}
	var hcps []string
	for _, r := range rows {
		if r != nil {
			hcps = append(hcps, r.HCPID)
		}
	}
	in, err := s.hcps(ctx, hcps)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		if r != nil && !in[r.HCPID] {
			rows[i] = nil
		}
	}
	return rows, nil
}

// InteractionsOfHCPs implements kolgraph.Store: HCPs in scope only.
func (s *Store) InteractionsOfHCPs(ctx context.Context, ids []string) ([][]*kolgraph.Interaction, error) {
	in, err := s.hcps(ctx, ids)
	if err != nil {
		return nil, err
	}
	rows, err := s.base.InteractionsOfHCPs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		if !in[id] {
			rows[i] = nil
		}
	}
	return rows, nil
}

// ListInteractions implements kolgraph.Store; totals count the scope only.
func (s *Store) ListInteractions(ctx context.Context, f kolgraph.InteractionFilter, p kolgraph.Page) (*kolgraph.InteractionPage, error) {
	ts, ok := s.territories(f.Territories)
	if !ok {
		if p.First < 0 || f.Validate() != nil {
			return s.base.ListInteractions(ctx, f, p) // the store's own BAD_USER_INPUT
		}
		return &kolgraph.InteractionPage{}, nil
	}
	f.Territories = ts
	return s.base.ListInteractions(ctx, f, p)
}

// interactionsInHospital: an interaction is in its HCP's hospital: the
// new one when the change set upserts the HCP (written), else the stored
// one (stored), where an unknown HCP is out of scope; an interaction that
// exists must be in scope as stored too.
type interactionsInHospital struct{}

// upsertedHCPs maps the HCPs cs upserts to their hospital.
func upsertedHCPs(cs *kolgraph.ChangeSet) map[string]string {
	out := map[string]string{}
	for _, h := range cs.HCPs {
		if h != nil {
			out[h.ID] = h.HospitalID
		}
	}
	return out
}

func (interactionsInHospital) written(cs *kolgraph.ChangeSet, recs []rec) []rec {
	hosp := upsertedHCPs(cs)
	for _, in := range cs.Interactions {
		if in == nil {
			continue
		}
		if h, ok := hosp[in.HCPID]; ok {
			recs = append(recs, rec{kolgraph.KindInteractions, in.ID, h})
		}
	}
	return recs
}

func (interactionsInHospital) stored(ctx context.Context, s *Store, cs *kolgraph.ChangeSet) error {
	if !kolgraph.InteractionKind.Touches(cs) {
		return nil
	}
	hosp := upsertedHCPs(cs)
	// The new HCPs that the change set does not write, and the stored HCPs
	// of the interactions that exist.
	type ref struct{ id, hcp string }
	var refs []ref
	for _, in := range cs.Interactions {
		if in == nil {
			continue
		}
		if _, ok := hosp[in.HCPID]; !ok {
			refs = append(refs, ref{in.ID, in.HCPID})
		}
	}
	keys := kolgraph.InteractionKind.Keys(cs)
	stored, err := s.base.Interactions(ctx, keys)
	if err != nil {
		return err
	}
	for i, r := range stored {
		if r != nil {
			refs = append(refs, ref{keys[i], r.HCPID})
		}
	}
	ids := make([]string, len(refs))
	for i, r := range refs {
		ids[i] = r.hcp
	}
	in, err := s.hcps(ctx, ids)
	if err != nil {
		return err
	}
	for _, r := range refs {
		if !in[r.hcp] {
			return forbidden(kolgraph.KindInteractions, r.id)
		}
	}
	return nil
}
