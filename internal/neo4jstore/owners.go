package neo4jstore

import (
	"context"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// An account owner is a node keyed by its account's id:
//
//	(:AccountOwner {id, accountId, userId})
//
// id is the account id (a territory, hospital, department or HCP id, which
// name one record whatever its kind), so that deleting an account deletes
// its ownership by id; userId is indexed for deleting a user's.

const ownerCols = "n.id, n.userId"

func ownerProps(o kolgraph.AccountOwner) props {
	return props{"id": o.AccountID, "accountId": o.AccountID, "userId": o.UserID}
}

func decodeOwner(vals []any) (*kolgraph.AccountOwner, error) {
	d := decoder{vals: vals}
	o := &kolgraph.AccountOwner{AccountID: d.str(0), UserID: d.str(1)}
	return o, d.err
}

// AccountOwners implements kolgraph.Store.
func (s *Store) AccountOwners(ctx context.Context, accountIDs []string) ([]*kolgraph.AccountOwner, error) {
	return lookup(ctx, s, "load account owners", "AccountOwner", ownerCols, accountIDs, decodeOwner)
}

// loadOwnerFacts reads what the rules need about the upserted owners: the
// hospitals of their accounts that are HCPs, the territories of the
// hospitals their accounts are or are in, and their users' territories.
func (s *Store) loadOwnerFacts(ctx context.Context, tx neo4j.ManagedTransaction, c *changes, b *before) error {
	b.hcpHospital, b.hospitalTerritory, b.userTerritories = map[string]string{}, map[string]string{}, map[string][]string{}
	if len(c.Owners) == 0 {
		return nil
	}
	accounts, users := set{}, set{}
	for id, o := range c.Owners {
		accounts.Add(id)
		users.Add(o.UserID)
	}
	var err error
	if b.hcpHospital, err = s.fetch(ctx, tx, "HCP", "n.hospitalId", accounts); err != nil {
		return err
	}
	hospitals := set{}
	for id := range accounts {
		hospitals.Add(id)
		for _, h := range []string{b.departments[id], b.hcpHospital[id]} {
			if h != "" {
				hospitals.Add(h)
			}
		}
		if d, ok := c.Departments[id]; ok {
			hospitals.Add(d.HospitalID)
		}
		if h, ok := c.HCPs[id]; ok {
			hospitals.Add(h.HospitalID)
		}
	}
	if b.hospitalTerritory, err = s.fetch(ctx, tx, "Hospital", "n.territoryId", hospitals); err != nil {
		return err
	}
	return chunks(users.Sorted(), s.cfg.BatchSize, func(batch []string) error {
		return each(ctx, tx, "MATCH (n:User) WHERE n.id IN $ids RETURN n.id, n.territories", map[string]any{"ids": batch},
			func(vals []any) error {
				d := decoder{vals: vals}
				b.userTerritories[d.str(0)] = d.strs(1)
				return d.err
			})
	})
}

func (b *before) HospitalTerritory(id string) string { return b.hospitalTerritory[id] }
func (b *before) HCPHospital(id string) string       { return b.hcpHospital[id] }
func (b *before) UserTerritories(id string) []string { return b.userTerritories[id] }

// ownerRows are the upserted owners as node rows, by account id.
func (c *changes) ownerRows() []any {
	var out []any
	for _, o := range sortedMap(c.Owners, strings.Compare) {
		out = append(out, map[string]any(ownerProps(o)))
	}
	return out
}

// writeOwners deletes the ownerships c deletes, by account and with their
// deleted account or user, then upserts c's owners (deleting in two steps,
// as writeFacts does).
func (s *Store) writeOwners(ctx context.Context, tx neo4j.ManagedTransaction, c *changes, rows []any) error {
	m := tombstone()
	accounts := set{}
	for _, id := range c.delOwners {
		accounts.Add(id)
	}
	for _, ids := range []kolgraph.IDSet{c.DelTerritories, c.DelHospitals, c.DelDepartments, c.DelHCPs} {
		for id := range ids {
			accounts.Add(id)
		}
	}
	if err := s.batches(ctx, tx, "MATCH (n:AccountOwner) WHERE n.id IN $rows SET n.kolgraphDeleted = $mark REMOVE n.id",
		anys(accounts.Sorted()), "mark", m); err != nil {
		return err
	}
	if err := s.batches(ctx, tx, "MATCH (n:AccountOwner) WHERE n.userId IN $rows SET n.kolgraphDeleted = $mark REMOVE n.id",
		anys(c.DelUsers.Sorted()), "mark", m); err != nil {
		return err
	}
	if len(accounts)+len(c.DelUsers) > 0 {
		if err := exec1(ctx, tx, "MATCH (n:AccountOwner) WHERE n.kolgraphDeleted = $mark DELETE n", map[string]any{"mark": m}); err != nil {
			return err
		}
	}
	return s.batches(ctx, tx, "UNWIND $rows AS r MERGE (n:AccountOwner {id: r.id}) SET n = r", rows)
}
