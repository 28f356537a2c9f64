package embedded

import (
	"context"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Account owners are small values keyed by account id in the owners
// bucket; the read model indexes them by user too (a deleted user takes
// its ownerships along).

func (g *graph) putOwner(o kolgraph.AccountOwner) {
	g.delOwner(o.AccountID)
	g.ownersByUser.add(o.UserID, o.AccountID)
	g.owners[o.AccountID] = o
}

func (g *graph) delOwner(account string) {
	old, ok := g.owners[account]
	if !ok {
		return
	}
	g.ownersByUser.del(old.UserID, account)
	delete(g.owners, account)
}

func appendOwner(b []byte, r kolgraph.AccountOwner) []byte {
	e := enc{append(b, recordV1)}
	e.str(r.AccountID)
	e.str(r.UserID)
	return e.b
}

func decodeOwner(b []byte) (kolgraph.AccountOwner, error) {
	d := newDec(b)
	r := kolgraph.AccountOwner{AccountID: d.str(), UserID: d.str()}
	return r, d.done()
}

// detachOwners adds to the deletions the ownership of every deleted
// account and of every deleted user.
func (c *changes) detachOwners(g *graph) {
	for _, ids := range []kolgraph.IDSet{c.DelTerritories, c.DelHospitals, c.DelDepartments, c.DelHCPs} {
		for id := range ids {
			if _, ok := g.owners[id]; ok {
				c.delOwners[id] = struct{}{}
			}
		}
	}
	for u := range c.DelUsers {
		for _, a := range g.ownersByUser.get(u) {
			c.delOwners[a] = struct{}{}
		}
	}
}

func (f facts) HospitalTerritory(id string) string {
	if h, ok := f.g.hospitals[id]; ok {
		return h.rec.TerritoryID
	}
	return ""
}

func (f facts) HCPHospital(id string) string {
	if h, ok := f.g.hcps[id]; ok {
		return h.rec.HospitalID
	}
	return ""
}

func (f facts) UserTerritories(id string) []string {
	if u, ok := f.g.users[id]; ok {
		return u.Territories
	}
	return nil
}

// AccountOwners implements kolgraph.Store.
func (s *Store) AccountOwners(ctx context.Context, accountIDs []string) ([]*kolgraph.AccountOwner, error) {
	out := make([]*kolgraph.AccountOwner, len(accountIDs))
	err := s.read(ctx, func(g *graph) error {
		for i, id := range accountIDs {
			if o, ok := g.owners[id]; ok {
				out[i] = &o
			}
		}
		return nil
	})
	return out, err
}
