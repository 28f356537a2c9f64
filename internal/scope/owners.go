package scope

import (
	"context"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// An account owner is in scope when its account is: a territory of the
// set, or a hospital, department or HCP in scope. Reads show only those,
// and writes may only create, change or delete those.

// accountsIn reports which of ids name an account in scope: a territory
// of the set, or a hospital, department or HCP in scope (as stored).
func (s *Store) accountsIn(ctx context.Context, ids []string) (map[string]bool, error) {
	in, err := s.hcps(ctx, ids)
	if err != nil {
		return nil, err
	}
	hs, err := s.hospitals(ctx, ids)
	if err != nil {
		return nil, err
	}
	ds, err := s.Departments(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d != nil {
			in[d.ID] = true
		}
	}
	for _, id := range ids {
		if s.in[id] || hs[id] != nil {
			in[id] = true
		}
	}
	return in, nil
}

// AccountOwners implements kolgraph.Store: owners of accounts in scope.
func (s *Store) AccountOwners(ctx context.Context, ids []string) ([]*kolgraph.AccountOwner, error) {
	rows, err := s.base.AccountOwners(ctx, ids)
	if err != nil {
		return nil, err
	}
	in, err := s.accountsIn(ctx, ids)
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

// checkOwners refuses to write or delete the owner of an account out of
// scope: the account must be in scope as stored, or be a hospital,
// department or HCP this change set writes (which check keeps in scope).
func (s *Store) checkOwners(ctx context.Context, cs *kolgraph.ChangeSet) error {
	keys := kolgraph.OwnerKind.Keys(cs)
	if len(keys) == 0 {
		return nil
	}
	written := map[string]bool{}
	for _, h := range cs.Hospitals {
		written[h.ID] = true
	}
	for _, d := range cs.Departments {
		written[d.ID] = true
	}
	for _, h := range cs.HCPs {
		written[h.ID] = true
	}
	in, err := s.accountsIn(ctx, keys)
	if err != nil {
		return err
	}
	for _, id := range keys {
		if !written[id] && !in[id] {
			return forbidden(kolgraph.KindOwners, id)
		}
	}
	return nil
}
