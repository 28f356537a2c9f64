package neo4jstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// The audit log is one (:AuditEntry {version, seq, at, actor, source, kind,
// entityId, op, before, after}) node per entry, created in the transaction
// of the change it records; at is the time in Unix nanoseconds (UTC). The
// entries are not part of the graph: no relationship touches them, Scan
// does not visit them, and they outlive the records they describe.

const auditCols = "n.version, n.seq, n.at, n.actor, n.source, n.kind, n.entityId, n.op, n.before, n.after"

// writeAudit stores entries under version from seq0 on, recorded at at.
func (s *Store) writeAudit(ctx context.Context, tx neo4j.ManagedTransaction, version uint64, seq0 int, at time.Time, entries []kolgraph.AuditEntry) error {
	rows := make([]any, len(entries))
	for i, e := range entries {
		rows[i] = map[string]any{
			"version": int64(version), "seq": int64(seq0 + i), "at": at.UnixNano(),
			"actor": e.Actor, "source": e.Source, "kind": e.Kind, "entityId": e.EntityID, "op": e.Op,
			"before": e.Before, "after": e.After,
		}
	}
	return s.batches(ctx, tx, "UNWIND $rows AS r CREATE (n:AuditEntry) SET n = r", rows)
}

// AppendAudit records reads in the audit log; see kolgraph.Store.
//
// The transaction first writes the meta node, which serialises it with
// Applies and other appends exactly as bumpVersion does (see apply.go), and
// reads the version and the next free Seq there (auditNext, valid for
// auditNextVersion). After an Apply that Seq is found once from the
// entries at the version (by the version index), then kept on the meta node.
func (s *Store) AppendAudit(ctx context.Context, entries []kolgraph.AuditEntry) error {
	if err := kolgraph.CheckAuditAppend(entries); err != nil {
		return err
	}
	if len(entries) == 0 {
		return ctx.Err()
	}
	unlock, err := s.lockWrites(ctx)
	if err != nil {
		return fmt.Errorf("neo4jstore: append audit: %w", err)
	}
	defer unlock()
	at := time.Now().UTC()
	return s.write(ctx, "append audit", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		var version uint64
		next, nextVersion := 0, -1
		err := each(ctx, tx, "MERGE (m:KolgraphMeta {id: $id}) SET m.auditAppends = coalesce(m.auditAppends, 0) + 1 "+
			"RETURN m.version, coalesce(m.auditNext, 0), coalesce(m.auditNextVersion, -1)",
			map[string]any{"id": metaID}, func(vals []any) error {
				d := decoder{vals: vals}
				version, next, nextVersion = uint64(d.int(0)), d.int(1), d.int(2)
				return d.err
			})
		if err != nil {
			return err
		}
		if nextVersion != int(version) {
			next = 0
			err := each(ctx, tx, "MATCH (n:AuditEntry) WHERE n.version = $v RETURN n.seq", map[string]any{"v": int64(version)},
				func(vals []any) error {
					d := decoder{vals: vals}
					next = max(next, d.int(0)+1)
					return d.err
				})
			if err != nil {
				return err
			}
		}
		if next+len(entries)-1 > kolgraph.MaxAuditSeq {
			return kolgraph.Errorf(kolgraph.EUNAVAILABLE, "the audit log holds %d entries at version %d, its most", next, version)
		}
		if err := s.writeAudit(ctx, tx, version, next, at, entries); err != nil {
			return err
		}
		return each(ctx, tx, "MATCH (m:KolgraphMeta {id: $id}) SET m.auditNext = $next, m.auditNextVersion = $v",
			map[string]any{"id": metaID, "next": int64(next + len(entries)), "v": int64(version)}, func([]any) error { return nil })
	})
}

// AuditLog returns the entries matching f in the order they were applied;
// see kolgraph.Store. The filter's equality conditions and the cursor's
// version go to the database; the order and the page are made in Go (see
// page for why).
func (s *Store) AuditLog(ctx context.Context, f kolgraph.AuditFilter, p kolgraph.Page) (*kolgraph.AuditPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	first, err := p.Size()
	if err != nil {
		return nil, err
	}
	var afterV uint64
	afterSeq := -1
	if p.After != "" {
		if afterV, afterSeq, err = kolgraph.ParseAuditCursor(p.After); err != nil {
			return nil, err
		}
	}
	w := &where{params: map[string]any{}}
	if f.Kind != "" {
		w.add("n.kind = $kind", "kind", f.Kind)
	}
	if f.Op != "" {
		w.add("n.op = $op", "op", f.Op)
	}
	if f.EntityID != "" {
		w.add("n.entityId = $entity", "entity", f.EntityID)
	}
	if !f.From.IsZero() {
		w.add("n.at >= $from", "from", f.From.UnixNano())
	}
	if !f.To.IsZero() {
		w.add("n.at < $to", "to", f.To.UnixNano())
	}
	if p.After != "" {
		w.add("n.version >= $afterVersion", "afterVersion", int64(afterV))
	}
	var all []*kolgraph.AuditEntry
	err = s.read(ctx, "audit log", s.cfg.Timeout, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		all = all[:0]
		return each(ctx, tx, "MATCH (n:AuditEntry)"+w.clause()+" RETURN "+auditCols, w.params, func(vals []any) error {
			e, err := decodeAudit(vals)
			if err != nil {
				return err
			}
			if e.Version > afterV || (e.Version == afterV && e.Seq > afterSeq) {
				all = append(all, e)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(all, func(a, b *kolgraph.AuditEntry) int {
		return cmp.Or(cmp.Compare(a.Version, b.Version), cmp.Compare(a.Seq, b.Seq))
	})
	out := &kolgraph.AuditPage{Items: all}
	if len(all) > first {
		out.Items, out.HasNext = all[:first:first], true
	}
	return out, nil
}

func decodeAudit(vals []any) (*kolgraph.AuditEntry, error) {
	d := decoder{vals: vals}
	e := &kolgraph.AuditEntry{
		Version: uint64(d.int(0)), Seq: d.int(1), At: time.Unix(0, int64(d.int(2))).UTC(),
		Actor: d.str(3), Source: d.str(4), Kind: d.str(5), EntityID: d.str(6), Op: d.str(7),
		Before: d.str(8), After: d.str(9),
	}
	return e, d.err
}
