package neo4jstore

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Prescription facts are nodes of their own, keyed like the other nodes:
//
//	(:PrescriptionFact {id, entityId, hcpId, departmentId, productId, month, volume})
//
// id is factNodeID: entity, product and month joined by "|", which ids
// cannot contain, unique because an id names one record whatever its kind.
// (Not the key's ID, entity->product@month: NornicDB v1.2.3 silently
// writes nothing for `MERGE (n {id: r.id}) SET n = r` when a value of r
// holds "->" or ">".) entityId is the HCP's or department's id, indexed for
// navigation and for the cascade when it is deleted. Facts have no
// relationships: nothing walks from a fact, and a node without them is
// written on every server's fast path.

const factCols = "n.hcpId, n.departmentId, n.productId, n.month, n.volume"

func factNodeID(k kolgraph.PrescriptionFactKey) string {
	return k.EntityID() + "|" + k.ProductID + "|" + k.Month
}

func factProps(f kolgraph.PrescriptionFact) props {
	k := f.Key()
	return props{"id": factNodeID(k), "entityId": k.EntityID(), "hcpId": f.HCPID, "departmentId": f.DepartmentID,
		"productId": f.ProductID, "month": f.Month, "volume": f.Volume}
}

func decodeFact(vals []any) (kolgraph.PrescriptionFact, error) {
	d := decoder{vals: vals}
	f := kolgraph.PrescriptionFact{HCPID: d.str(0), DepartmentID: d.str(1), ProductID: d.str(2), Month: d.str(3),
		Volume: d.float(4)}
	return f, d.err
}

func compareFacts(a, b kolgraph.PrescriptionFact) int {
	return cmp.Or(strings.Compare(a.ProductID, b.ProductID), strings.Compare(a.Month, b.Month))
}

// PrescriptionFacts looks facts up by key. Keys whose parts are not ids
// and a month name no fact and never reach the server.
func (s *Store) PrescriptionFacts(ctx context.Context, keys []kolgraph.PrescriptionFactKey) ([]*kolgraph.PrescriptionFact, error) {
	out := make([]*kolgraph.PrescriptionFact, len(keys))
	var ids []string
	for _, k := range keys {
		if kolgraph.ValidID(k.EntityID()) && kolgraph.ValidID(k.ProductID) && kolgraph.ValidMonth(k.Month) {
			ids = append(ids, factNodeID(k))
		}
	}
	if len(ids) == 0 {
		return out, nil
	}
	rows := map[string]kolgraph.PrescriptionFact{}
	err := s.read(ctx, "load prescription facts", s.cfg.Timeout, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		clear(rows)
		return chunks(uniq(ids), s.cfg.BatchSize, func(batch []string) error {
			return each(ctx, tx, "MATCH (n:PrescriptionFact) WHERE n.id IN $ids RETURN "+factCols, map[string]any{"ids": batch},
				func(vals []any) error {
					f, err := decodeFact(vals)
					rows[factNodeID(f.Key())] = f
					return err
				})
		})
	})
	if err != nil {
		return nil, err
	}
	for i, k := range keys {
		// The node id does not say whether its entity is an HCP or a
		// department: the fact must have the key asked.
		if f, ok := rows[factNodeID(k)]; ok && f.Key() == k {
			out[i] = &f
		}
	}
	return out, nil
}

// PrescriptionFactsOf returns each HCP's or department's facts by product
// then month.
func (s *Store) PrescriptionFactsOf(ctx context.Context, entityIDs []string) ([][]kolgraph.PrescriptionFact, error) {
	return group(ctx, s, "load prescription facts of entities",
		"MATCH (n:PrescriptionFact) WHERE n.entityId IN $ids RETURN "+factCols+", n.entityId", entityIDs, 5,
		decodeFact, compareFacts)
}

// factRows are the upserted facts as node rows, in key order.
func (c *changes) factRows() []any {
	var out []any
	for _, f := range sortedMap(c.Prescriptions, func(a, b kolgraph.PrescriptionFactKey) int {
		return strings.Compare(factNodeID(a), factNodeID(b))
	}) {
		out = append(out, map[string]any(factProps(f)))
	}
	return out
}

// writeFacts deletes the facts c deletes, by key and with their deleted
// HCP, department or product, then upserts c's facts (MERGE by id: a
// stored fact of the same id but the other entity kind cannot survive the
// change, since its entity would have to be deleted for the id to name
// the other kind).
func (s *Store) writeFacts(ctx context.Context, tx neo4j.ManagedTransaction, c *changes, rows []any) error {
	m := tombstone()
	var keys []any
	for _, k := range c.delFacts {
		keys = append(keys, map[string]any{"id": factNodeID(k), "hcpId": k.HCPID})
	}
	// The id does not say whether its entity is an HCP or a department:
	// a key deletes only the fact of its own kind.
	if err := s.batches(ctx, tx, "UNWIND $rows AS k MATCH (n:PrescriptionFact {id: k.id}) WHERE n.hcpId = k.hcpId "+
		"SET n.kolgraphDeleted = $mark REMOVE n.id", keys, "mark", m); err != nil {
		return err
	}
	entities := append(c.DelHCPs.Sorted(), c.DelDepartments.Sorted()...)
	if err := s.batches(ctx, tx, "MATCH (n:PrescriptionFact) WHERE n.entityId IN $rows SET n.kolgraphDeleted = $mark REMOVE n.id",
		anys(entities), "mark", m); err != nil {
		return err
	}
	if err := s.batches(ctx, tx, "MATCH (n:PrescriptionFact) WHERE n.productId IN $rows SET n.kolgraphDeleted = $mark REMOVE n.id",
		anys(c.DelProducts.Sorted()), "mark", m); err != nil {
		return err
	}
	if len(keys)+len(entities)+len(c.DelProducts) > 0 {
		if err := exec1(ctx, tx, "MATCH (n:PrescriptionFact) WHERE n.kolgraphDeleted = $mark DELETE n", map[string]any{"mark": m}); err != nil {
			return err
		}
	}
	return s.batches(ctx, tx, "UNWIND $rows AS r MERGE (n:PrescriptionFact {id: r.id}) SET n = r", rows)
}

// tombstone returns a fresh mark for deleting nodes in two steps, as
// deleteNodes does: the id removed first (NornicDB would otherwise keep a
// stale index entry, and a fact deleted and upserted in one change set
// would be invisible to keyed lookups), then the marked nodes deleted.
func tombstone() string {
	var mark [8]byte
	_, _ = rand.Read(mark[:])
	return hex.EncodeToString(mark[:])
}
