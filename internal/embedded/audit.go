package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// The audit log lives in the same file but not in the read model: it only
// grows, and nothing but AuditLog reads it, so it is read from bbolt on
// demand instead of being loaded at Open.
//
//	audit         key version(8) seq(4), big-endian -> the entry
//	audit_entity  key kind NUL entity id NUL version(8) seq(4) -> empty
//
// Both sort in log order, so a page is a cursor walk from the position
// after the page cursor. Older files get the (empty) buckets at Open; older
// builds ignore them, so the schema version is unchanged.
const (
	bAudit       = "audit"
	bAuditEntity = "audit_entity"
)

var auditBuckets = []string{bAudit, bAuditEntity}

func auditKey(version uint64, seq int) []byte { return appendAuditKey(make([]byte, 0, 12), version, seq) }

func appendAuditKey(b []byte, version uint64, seq int) []byte {
	b = binary.BigEndian.AppendUint64(b, version)
	return binary.BigEndian.AppendUint32(b, uint32(seq))
}

func auditEntityPrefix(kind, id string) []byte { return appendAuditEntityPrefix(nil, kind, id) }

func appendAuditEntityPrefix(b []byte, kind, id string) []byte {
	b = append(b, kind...)
	b = append(b, keySep...)
	b = append(b, id...)
	return append(b, keySep...)
}

func appendAudit(b []byte, e *kolgraph.AuditEntry) []byte {
	en := enc{append(b, recordV1)}
	en.time(e.At)
	en.str(e.Actor)
	en.str(e.Source)
	en.str(e.Kind)
	en.str(e.EntityID)
	en.str(e.Op)
	en.str(e.Before)
	en.str(e.After)
	return en.b
}

func decodeAudit(k, v []byte) (*kolgraph.AuditEntry, error) {
	if len(k) != 12 {
		return nil, errCorrupt
	}
	d := newDec(v)
	e := &kolgraph.AuditEntry{
		Version: binary.BigEndian.Uint64(k), Seq: int(binary.BigEndian.Uint32(k[8:])),
		At: d.time(), Actor: d.str(), Source: d.str(), Kind: d.str(), EntityID: d.str(),
		Op: d.str(), Before: d.str(), After: d.str(),
	}
	return e, d.done()
}

// auditTime is the At of the entries of the next Apply: now, but never
// before the last one written, so that At does not decrease along the log
// even if the clock steps back. Called under wmu.
func (s *Store) auditTime() time.Time {
	now := time.Now().UTC()
	if now.Before(s.lastAuditAt) {
		return s.lastAuditAt
	}
	return now
}

// loadLastAuditAt reads the At of the newest entry, at Open.
func (s *Store) loadLastAuditAt(tx *bolt.Tx) error {
	k, v := tx.Bucket([]byte(bAudit)).Cursor().Last()
	if k == nil {
		return nil
	}
	e, err := decodeAudit(k, v)
	if err != nil {
		return fmt.Errorf("embedded: audit entry %x: %w", k, err)
	}
	s.lastAuditAt = e.At
	return nil
}

// putAudit stores entries inside the write transaction tx, under version
// from seq0 on: a change set's from 0, appended reads after the entries
// already at the version.
func putAudit(tx *bolt.Tx, version uint64, seq0 int, at time.Time, entries []kolgraph.AuditEntry) error {
	a, err := encodeAudit(version, seq0, at, entries)
	if err != nil {
		return err
	}
	return a.put(tx)
}

// auditPuts are audit entries encoded for bbolt: the log's keys and values
// in log order and the entity index's keys sorted. Index keys start with
// the kind and entity id, so they arrive in file order: put sorted, a
// large batch is appended page after page instead of inserted at random
// (bbolt moves a page's contents for every out-of-order insert: 82% of a
// 350k-row import's time before they were sorted).
type auditPuts struct {
	log   []kv
	index [][]byte
}

// encodeAudit encodes entries under version from seq0 on. It needs no
// transaction, so a change set's entries are encoded while its records are.
// Keys and values live in slab chunks until the commit (bbolt keeps the
// slices).
func encodeAudit(version uint64, seq0 int, at time.Time, entries []kolgraph.AuditEntry) (*auditPuts, error) {
	if len(entries) > 0 && seq0+len(entries)-1 > kolgraph.MaxAuditSeq {
		return nil, kolgraph.Errorf(kolgraph.EUNAVAILABLE, "the audit log holds %d entries at version %d, its most", seq0, version)
	}
	var values slab
	a := &auditPuts{log: make([]kv, len(entries)), index: make([][]byte, len(entries))}
	for i := range entries {
		e := entries[i]
		seq := seq0 + i
		e.Version, e.Seq, e.At = version, seq, at
		k := values.encode(func(b []byte) []byte { return appendAuditKey(b, version, seq) })
		a.log[i] = kv{k, values.encode(func(b []byte) []byte { return appendAudit(b, &e) })}
		a.index[i] = values.encode(func(b []byte) []byte {
			return append(appendAuditEntityPrefix(b, e.Kind, e.EntityID), k...)
		})
	}
	slices.SortFunc(a.index, bytes.Compare)
	return a, nil
}

// put stores the encoded entries inside the write transaction tx.
func (a *auditPuts) put(tx *bolt.Tx) error {
	if len(a.log) == 0 {
		return nil
	}
	log, byEntity := tx.Bucket([]byte(bAudit)), tx.Bucket([]byte(bAuditEntity))
	// Log keys grow with the version and the sequence: appending fills
	// pages instead of halving them.
	log.FillPercent = 0.95
	if len(a.index) >= bulkPuts {
		byEntity.FillPercent = 0.9
	}
	for _, e := range a.log {
		if err := log.Put(e.k, e.v); err != nil {
			return fmt.Errorf("put audit %x: %w", e.k, err)
		}
	}
	for _, ik := range a.index {
		if err := byEntity.Put(ik, nil); err != nil {
			return fmt.Errorf("put audit index %q: %w", ik, err)
		}
	}
	return nil
}

// nextAuditSeq is the Seq after the last entry at version.
func nextAuditSeq(tx *bolt.Tx, version uint64) int {
	c := tx.Bucket([]byte(bAudit)).Cursor()
	k, _ := c.Seek(auditKey(version+1, 0))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	if len(k) != 12 || binary.BigEndian.Uint64(k) != version {
		return 0
	}
	return int(binary.BigEndian.Uint32(k[8:])) + 1
}

// AppendAudit records reads in the audit log; see kolgraph.Store. It holds
// the write lock, so it queues behind an Apply and the version it files
// the entries under is the one the graph is at.
func (s *Store) AppendAudit(ctx context.Context, entries []kolgraph.AuditEntry) error {
	if err := kolgraph.CheckAuditAppend(entries); err != nil {
		return err
	}
	if len(entries) == 0 {
		return ctx.Err()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed.Load() {
		return errClosed()
	}
	version, at := s.g.version, s.auditTime()
	err := s.db.Update(func(tx *bolt.Tx) error {
		return putAudit(tx, version, nextAuditSeq(tx, version), at, entries)
	})
	if err != nil {
		return fmt.Errorf("embedded: append audit: %w", err)
	}
	s.lastAuditAt = at
	return nil
}

// AuditLog pages through the audit log; see kolgraph.Store. With an entity
// id it walks that entity's index (O(its entries)); otherwise it walks the
// log from the cursor, or from From (At does not decrease along the log),
// and stops at To: O(entries in the range).
func (s *Store) AuditLog(ctx context.Context, f kolgraph.AuditFilter, p kolgraph.Page) (*kolgraph.AuditPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	limit, err := p.Size()
	if err != nil {
		return nil, err
	}
	var after []byte
	if p.After != "" {
		v, seq, err := kolgraph.ParseAuditCursor(p.After)
		if err != nil {
			return nil, err
		}
		after = auditKey(v, seq)
	}
	if s.closed.Load() {
		return nil, errClosed()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := &kolgraph.AuditPage{}
	// take adds a matching entry; it returns false once the page is full
	// and one more match proved there is a next page.
	take := func(e *kolgraph.AuditEntry) bool {
		if !f.Match(e) {
			return true
		}
		if len(out.Items) == limit {
			out.HasNext = true
			return false
		}
		out.Items = append(out.Items, e)
		return true
	}
	err = s.db.View(func(tx *bolt.Tx) error {
		log := tx.Bucket([]byte(bAudit))
		if f.EntityID != "" {
			return s.auditByEntity(ctx, tx, log, f, after, take)
		}
		c := log.Cursor()
		var k, v []byte
		if after != nil {
			k, v = c.Seek(after)
			if bytes.Equal(k, after) {
				k, v = c.Next()
			}
		} else {
			k, v = c.First()
		}
		for n := 0; k != nil; k, v = c.Next() {
			if n++; n%4096 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			e, err := decodeAudit(k, v)
			if err != nil {
				return fmt.Errorf("embedded: audit entry %x: %w", k, err)
			}
			if !f.To.IsZero() && !e.At.Before(f.To) {
				return nil // At does not decrease: nothing later matches
			}
			if !take(e) {
				return nil
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// auditByEntity walks the entity index of f.EntityID, for every kind when
// f.Kind is empty (an id names one node, but relationship ids may repeat
// across kinds), merging kinds in log order.
func (s *Store) auditByEntity(ctx context.Context, tx *bolt.Tx, log *bolt.Bucket, f kolgraph.AuditFilter,
	after []byte, take func(*kolgraph.AuditEntry) bool) error {
	kinds := kolgraph.Kinds
	if f.Kind != "" {
		kinds = []string{f.Kind}
	}
	var keys [][]byte
	idx := tx.Bucket([]byte(bAuditEntity))
	for _, kind := range kinds {
		prefix := auditEntityPrefix(kind, f.EntityID)
		c := idx.Cursor()
		start := prefix
		if after != nil {
			start = append(bytes.Clone(prefix), after...)
		}
		for k, _ := c.Seek(start); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			lk := k[len(prefix):]
			if after != nil && bytes.Compare(lk, after) <= 0 {
				continue
			}
			keys = append(keys, bytes.Clone(lk))
		}
	}
	if len(kinds) > 1 {
		slices.SortFunc(keys, bytes.Compare)
	}
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return err
		}
		v := log.Get(k)
		if v == nil {
			return fmt.Errorf("embedded: audit index points at missing entry %x", k)
		}
		e, err := decodeAudit(k, v)
		if err != nil {
			return fmt.Errorf("embedded: audit entry %x: %w", k, err)
		}
		if !take(e) {
			return nil
		}
	}
	return nil
}
