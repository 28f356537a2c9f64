package neo4jstore

import (
	"context"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"
)

// staging is how an Apply creates nodes on NornicDB (v1.2.3), where a
// relationship cannot be written both quickly and correctly to a node
// created earlier in the same transaction: its indexed UNWIND fast path
// looks ends up in the committed index and silently writes nothing for a
// new node, and every other statement shape runs row by row with label
// scans (minutes for the seed region's 63,000 relationships). Giving new
// nodes a placeholder label instead corrupts its label counts.
//
// So on NornicDB the nodes a bulk Apply (bulkRows) creates are committed
// first, in a transaction of their own, and the Apply's transaction then writes
// everything else (relationships on the fast path, updates, deletions, the
// version). If that transaction fails, the nodes it created are deleted
// again. The cost, on NornicDB only: for that moment a reader can see the
// new nodes without their relationships, under the old version, and a
// crash in between leaves them in place (a re-run of the same write
// completes it, as writes are upserts).
//
// Neo4j needs none of this (nil *staging): there an Apply is one
// transaction.
type staging struct {
	created map[string][]string // label -> ids of the nodes created ahead
	ids     set                 // all of them
}

// bulkRows is the number of relationships (structural ones included) from
// which a write stages its new nodes on NornicDB. Below it, relationships
// to new nodes take the slow statement shape (see mergeStmt), which is
// quick enough for a few and keeps the write one transaction.
const bulkRows = 1000

// bulk reports whether c is large enough to stage on NornicDB.
func (c *changes) bulk() bool {
	n := len(c.departments) + len(c.hcps) + len(c.committees) +
		len(c.memberships) + len(c.listings) + len(c.knows) + len(c.influences)
	return n >= bulkRows
}

// has reports whether id is a staged node.
func (st *staging) has(id string) bool { return st != nil && st.ids.has(id) }

// stage creates, in a transaction of its own, every node c creates (an
// upserted id that does not exist), with its properties and labels. It
// returns nil when c creates none.
func (s *Store) stage(ctx context.Context, c *changes, w *writeRows) (*staging, error) {
	st := &staging{}
	err := s.write(ctx, "stage", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		st.created = map[string][]string{}
		for _, u := range w.nodes() {
			if len(u.rows) == 0 {
				continue
			}
			ids := make(set, len(u.rows))
			for _, r := range u.rows {
				ids.add(r.(map[string]any)["id"].(string))
			}
			have, err := s.fetch(ctx, tx, u.label, "", ids)
			if err != nil {
				return err
			}
			var fresh []any
			for _, r := range u.rows {
				id := r.(map[string]any)["id"].(string)
				if _, ok := have[id]; !ok {
					fresh = append(fresh, r)
					st.created[u.label] = append(st.created[u.label], id)
				}
			}
			if err := s.batches(ctx, tx, "UNWIND $rows AS r MERGE (n:"+u.label+" {id: r.id}) SET n = r", fresh); err != nil {
				return err
			}
			if u.label != "HCP" {
				continue
			}
			var kol []any
			for _, id := range st.created["HCP"] {
				if c.hcps[id].IsKOL() {
					kol = append(kol, id)
				}
			}
			if err := s.batches(ctx, tx, "MATCH (n:HCP) WHERE n.id IN $rows SET n:KOL", kol); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || len(st.created) == 0 {
		return nil, err
	}
	st.ids = set{}
	for _, ids := range st.created {
		for _, id := range ids {
			st.ids.add(id)
		}
	}
	return st, nil
}

// discard deletes the nodes staged for a failed Apply, best effort.
func (st *staging) discard(ctx context.Context, s *Store) {
	if st == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ApplyTimeout)
	defer cancel()
	_ = s.write(ctx, "discard staged nodes", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		for _, label := range labels {
			if err := deleteNodes(ctx, tx, s, label, st.created[label]); err != nil {
				return err
			}
		}
		return nil
	})
}

// forget removes the staged nodes from what the Apply's transaction read of
// the graph before it, so that it treats them as the new nodes they are
// (their structural relationships are still to be made).
func (st *staging) forget(b *before) {
	if st == nil {
		return
	}
	for label, ids := range st.created {
		for _, id := range ids {
			switch label {
			case "Territory":
				delete(b.territories, id)
			case "Hospital":
				delete(b.hospitals, id)
			case "Product":
				delete(b.products, id)
			case "User":
				delete(b.users, id)
			case "Department":
				delete(b.departments, id)
			case "HCP":
				delete(b.hcps, id)
			case "Committee":
				delete(b.committees, id)
			}
		}
	}
}
