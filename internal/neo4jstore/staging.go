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
// first, in a transaction of their own (and their relationships after them,
// see stageRels), and the Apply's transaction then writes
// everything else (relationships on the fast path, updates, deletions, the
// version). If that transaction fails, the nodes it created are deleted
// again. The cost, on NornicDB only: for that moment a reader can see the
// new nodes and some of their relationships under the old version, and a
// crash in between leaves them in place (a re-run of the same write
// completes it, as writes are upserts).
//
// Neo4j needs none of this (nil *staging): there an Apply is one
// transaction.
type staging struct {
	created map[string][]string // label -> ids of the nodes created ahead
	ids     set                 // all of them
	rels    set                 // relationships written with them: relKey
}

func relKey(typ, a, b string) string { return typ + "\x00" + a + "\x00" + b }

// done reports whether the relationship was written with the staged nodes.
func (st *staging) done(typ, a, b string) bool { return st != nil && st.rels.Has(relKey(typ, a, b)) }

// bulkRows is the number of relationships (structural ones included) from
// which a write stages its new nodes on NornicDB. Below it, relationships
// to new nodes take the slow statement shape (see mergeStmt), which is
// quick enough for a few and keeps the write one transaction.
const bulkRows = 1000

// bulk reports whether c is large enough to stage on NornicDB.
func (c *changes) bulk() bool {
	n := len(c.Departments) + len(c.HCPs) + len(c.Committees) +
		len(c.Memberships) + len(c.Listings) + len(c.IndicationShares) + len(c.Knows) + len(c.Influences)
	return n >= bulkRows
}

// has reports whether id is a staged node.
func (st *staging) has(id string) bool { return st != nil && st.ids.Has(id) }

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
				ids.Add(r.(map[string]any)["id"].(string))
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
				if c.HCPs[id].IsKOL() {
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
			st.ids.Add(id)
		}
	}
	if err := s.stageRels(ctx, c, w, st); err != nil {
		st.discard(ctx, s)
		return nil, err
	}
	return st, nil
}

// stageRels writes, batch by batch in transactions of their own, the
// relationships that touch a staged node and otherwise only nodes the
// change leaves alone: all of a new region's. One transaction for all of
// them is quadratic on NornicDB (its pending writes are searched per
// MERGE: 4 minutes for the seed region's 63,000 influences); batches of
// 5,000 rows take about a second each. Relationships between nodes the
// change writes otherwise stay in the Apply's transaction.
func (s *Store) stageRels(ctx context.Context, c *changes, w *writeRows, st *staging) error {
	st.rels = set{}
	ok := func(id string) bool { return st.ids.Has(id) || c.untouched(id) }
	type job struct {
		rel  relType
		rows []any
	}
	var jobs []job
	add := func(rel relType, rows []map[string]any) {
		var take []any
		for _, row := range rows {
			a, b := row["a"].(string), row["b"].(string)
			if (st.ids.Has(a) || st.ids.Has(b)) && ok(a) && ok(b) {
				take = append(take, row)
				st.rels.Add(relKey(rel.typ, a, b))
			}
		}
		jobs = append(jobs, job{rel, take})
	}
	links := func(rel relType, ids []string, parent func(id string) string) []map[string]any {
		var out []map[string]any
		for _, id := range ids {
			out = append(out, map[string]any{"a": id, "b": parent(id)})
		}
		return out
	}
	add(partOf, links(partOf, st.created["Department"], func(id string) string { return c.Departments[id].HospitalID }))
	add(worksIn, links(worksIn, st.created["HCP"], func(id string) string { return c.HCPs[id].DepartmentID }))
	add(governs, links(governs, st.created["Committee"], func(id string) string { return c.Committees[id].HospitalID }))
	add(memberOf, w.memberships)
	add(lists, w.listings)
	add(treats, w.shares)
	add(knowsRel, w.knows)
	add(influences, w.influences)
	for _, j := range jobs {
		err := chunks(j.rows, s.cfg.BatchSize, func(batch []any) error {
			return s.write(ctx, "stage", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
				return exec1(ctx, tx, j.rel.mergeStmt(true), map[string]any{"rows": batch})
			})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// discard deletes the nodes staged for a failed Apply (and so the
// relationships staged with them), best effort, a few hundred per
// transaction.
func (st *staging) discard(ctx context.Context, s *Store) {
	if st == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.ApplyTimeout)
	defer cancel()
	for _, label := range labels {
		_ = chunks(st.created[label], 500, func(ids []string) error {
			return s.write(ctx, "discard staged nodes", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
				return deleteNodes(ctx, tx, s, label, ids)
			})
		})
	}
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
			case "AccountPlan":
				delete(b.plans, id)
			}
		}
	}
}
