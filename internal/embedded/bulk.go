package embedded

import (
	"bufio"
	"bytes"
	"container/heap"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// A bulk load fills an empty store with a whole region in one change set
// (version 1), as Apply would, but at disk speed and in memory bounded by
// a buffer rather than by the region:
//
//   - Add encodes each record (its key, its value and its audit entry,
//     "create" with the record as After) into a buffer; a full buffer is
//     sorted by key, bucket by bucket, and written to a run file;
//   - Finish merges each bucket's runs in key order (so a key given twice
//     is found, whatever the distance between its rows) and appends them
//     to a new bbolt file in transactions of bulkTx records: bbolt appends
//     sorted keys page after page, where inserting at random moves a
//     page's contents for every key;
//   - the new file is synced and renamed over the store's file: readers of
//     the path see the empty store or the whole region, never a part.
//
// The audit log gets what Apply would write: one entry per record, in the
// order of the buckets and keys, with the entity index.

// bulkTx bounds the records of one bbolt transaction of the merge: the
// dirty pages of a transaction stay in memory until its commit.
const bulkTx = 50_000

// DefaultBulkBuffer is the encoded bytes Add buffers before it writes a
// sorted run.
const DefaultBulkBuffer = 64 << 20

// BulkOptions configure a bulk load.
type BulkOptions struct {
	// Actor and Source are the audit entries'.
	Actor, Source string
	// At is when the entries say it happened (UTC).
	At time.Time
	// AuditJSON encodes a record as the audit log holds it (the writer's
	// canonical JSON).
	AuditJSON func(rec any) (string, error)
	// Buffer bounds the encoded records held before a run is written; 0
	// means DefaultBulkBuffer.
	Buffer int
}

// Duplicate is a key given twice to a bulk load: a relationship's or a
// fact's (node ids are the reader's to check).
type Duplicate struct {
	Kind, EntityID  string
	Line, FirstLine int
}

// BulkResult is what a bulk load wrote, or would write.
type BulkResult struct {
	// Counts are the records by kind (kolgraph.Kinds names).
	Counts map[string]int
	// Duplicates are the keys given twice, by kind and then line; with
	// any, nothing is written.
	Duplicates []Duplicate
	// Version is the store's version after the load: 1 when written.
	Version uint64
	// Written says the store file was replaced.
	Written bool
}

// Bulk is a bulk load under way into an empty store; see Store.Bulk. Add
// and Finish are for one goroutine.
type Bulk struct {
	s    *Store
	opts BulkOptions
	dir  string // the run files

	arena   []byte
	offsets [][]uint32 // per bucket: entries of the arena
	runs    [][]string // per bucket: its run files, in the order written
	counts  []int
	seq     int // runs written
	done    bool
}

// ErrNotEmpty is what Store.Bulk returns for a store that holds anything.
var ErrNotEmpty = errors.New("embedded: a bulk load needs an empty store")

// Bulk starts a bulk load into the store, which must be empty (no change
// set applied, no audit entry). The store stays open and locked while the
// load runs; Finish replaces its file and closes it.
func (s *Store) Bulk(opts BulkOptions) (*Bulk, error) {
	if opts.AuditJSON == nil {
		return nil, errors.New("embedded: bulk load without an audit encoding")
	}
	if opts.Buffer <= 0 {
		opts.Buffer = DefaultBulkBuffer
	}
	opts.At = opts.At.UTC()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed.Load() {
		return nil, errClosed()
	}
	empty := s.g.version == 0
	if empty {
		err := s.db.View(func(tx *bolt.Tx) error {
			if k, _ := tx.Bucket([]byte(bAudit)).Cursor().First(); k != nil {
				empty = false
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if !empty {
		return nil, ErrNotEmpty
	}
	dir, err := os.MkdirTemp(filepath.Dir(s.path), filepath.Base(s.path)+".bulk-*")
	if err != nil {
		return nil, fmt.Errorf("embedded: bulk load: %w", err)
	}
	return &Bulk{s: s, opts: opts, dir: dir,
		offsets: make([][]uint32, len(buckets)), runs: make([][]string, len(buckets)), counts: make([]int, len(buckets)),
		arena: make([]byte, 0, opts.Buffer+opts.Buffer/8)}, nil
}

// Add buffers one record (of the types kolgraph.ChangeSet holds), read at
// line of its file; a full buffer is written as a run.
func (b *Bulk) Add(rec any, line int) error {
	for i, bk := range buckets {
		start := len(b.arena)
		arena, ok, err := bk.appendBulk(b.arena, rec, line, &b.opts)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if len(arena) > 1<<32-1 {
			return errors.New("embedded: bulk buffer over 4 GiB")
		}
		b.arena = arena
		b.offsets[i] = append(b.offsets[i], uint32(start))
		b.counts[i]++
		if len(b.arena) >= b.opts.Buffer {
			return b.spill()
		}
		return nil
	}
	return fmt.Errorf("embedded: bulk load of a %T", rec)
}

// appendBulk appends rec's entry if rec is the bucket's kind:
// key, line, value, entity id and audit value, each length-prefixed.
func (bk *bucket[R, K]) appendBulk(arena []byte, rec any, line int, o *BulkOptions) ([]byte, bool, error) {
	r, ok := rec.(R)
	if !ok {
		return arena, false, nil
	}
	after, err := o.AuditJSON(r)
	if err != nil {
		return arena, false, err
	}
	k := bk.kind.Key(r)
	arena = appendBytes(arena, bk.key(k))
	arena = binary.AppendUvarint(arena, uint64(line))
	n := len(arena)
	arena = bk.encode(append(arena, make([]byte, binary.MaxVarintLen32)...), r)
	arena = putLen(arena, n)
	id := bk.kind.ID(k)
	arena = appendBytes(arena, []byte(id))
	e := kolgraph.AuditEntry{At: o.At, Actor: o.Actor, Source: o.Source, Kind: bk.kind.Name, EntityID: id,
		Op: kolgraph.OpCreate, After: after}
	n = len(arena)
	arena = appendAudit(append(arena, make([]byte, binary.MaxVarintLen32)...), &e)
	return putLen(arena, n), true, nil
}

func appendBytes(b, v []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(v))), v...)
}

// putLen fills the MaxVarintLen32 bytes reserved at n with the length of
// what follows them, moving it down over the unused ones.
func putLen(b []byte, n int) []byte {
	body := len(b) - n - binary.MaxVarintLen32
	w := binary.PutUvarint(b[n:], uint64(body))
	copy(b[n+w:], b[n+binary.MaxVarintLen32:])
	return b[:n+w+body]
}

// bulkEntry is one decoded entry of the arena or a run.
type bulkEntry struct {
	key, val, id, audit []byte
	line                int
}

// readEntry decodes the entry at the start of b and returns its length.
func readEntry(b []byte) (bulkEntry, int) {
	var e bulkEntry
	p := 0
	field := func() []byte {
		n, w := binary.Uvarint(b[p:])
		p += w
		v := b[p : p+int(n)]
		p += int(n)
		return v
	}
	e.key = field()
	l, w := binary.Uvarint(b[p:])
	p += w
	e.line = int(l)
	e.val = field()
	e.id = field()
	e.audit = field()
	return e, p
}

func (b *Bulk) keyAt(off uint32) []byte {
	n, w := binary.Uvarint(b.arena[off:])
	return b.arena[int(off)+w : int(off)+w+int(n)]
}

// spill writes each bucket's buffered entries, sorted by key (stable: a
// key's rows keep their order), as one run file.
func (b *Bulk) spill() error {
	for i, offs := range b.offsets {
		if len(offs) == 0 {
			continue
		}
		cmp := func(x, y uint32) int { return bytes.Compare(b.keyAt(x), b.keyAt(y)) }
		if !slices.IsSortedFunc(offs, cmp) {
			slices.SortStableFunc(offs, cmp)
		}
		b.seq++
		name := filepath.Join(b.dir, fmt.Sprintf("run-%02d-%06d", i, b.seq))
		f, err := os.Create(name)
		if err != nil {
			return fmt.Errorf("embedded: bulk run: %w", err)
		}
		w := bufio.NewWriterSize(f, 1<<20)
		var lenBuf []byte
		for _, off := range offs {
			_, n := readEntry(b.arena[off:])
			lenBuf = binary.AppendUvarint(lenBuf[:0], uint64(n))
			w.Write(lenBuf)
			w.Write(b.arena[off : int(off)+n])
		}
		err = w.Flush()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("embedded: bulk run: %w", err)
		}
		b.runs[i] = append(b.runs[i], name)
		b.offsets[i] = offs[:0]
	}
	b.arena = b.arena[:0]
	return nil
}

// run reads a run file entry by entry (each prefixed with its length).
type run struct {
	r   *bufio.Reader
	f   *os.File
	buf []byte
	cur bulkEntry
	n   int // the order it was written in
}

// next reads the next entry into cur; false at the end.
func (r *run) next() (bool, error) {
	n, err := binary.ReadUvarint(r.r)
	if err == io.EOF {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("embedded: bulk run: %w", err)
	}
	r.buf = slices.Grow(r.buf[:0], int(n))[:n]
	if _, err := io.ReadFull(r.r, r.buf); err != nil {
		return false, fmt.Errorf("embedded: bulk run: %w", err)
	}
	r.cur, _ = readEntry(r.buf)
	return true, nil
}

// runHeap orders runs by their current key, then by the order the runs
// were written (so equal keys come out in row order).
type runHeap struct{ rs []*run }

func (h *runHeap) Len() int { return len(h.rs) }
func (h *runHeap) Less(i, j int) bool {
	if c := bytes.Compare(h.rs[i].cur.key, h.rs[j].cur.key); c != 0 {
		return c < 0
	}
	return h.rs[i].n < h.rs[j].n
}
func (h *runHeap) Swap(i, j int) { h.rs[i], h.rs[j] = h.rs[j], h.rs[i] }
func (h *runHeap) Push(x any)    { h.rs = append(h.rs, x.(*run)) }
func (h *runHeap) Pop() any {
	r := h.rs[len(h.rs)-1]
	h.rs = h.rs[:len(h.rs)-1]
	return r
}

// Finish writes the run of what is still buffered, merges every bucket's
// runs in key order, and, if write and no key was given twice, writes the
// store's new file and renames it over the old: the store is then closed
// (open it again to read the region). Without write (a dry run, or the
// reader found problems) it only finds the duplicates. The run files are
// removed either way.
func (b *Bulk) Finish(ctx context.Context, write bool) (*BulkResult, error) {
	if b.done {
		return nil, errors.New("embedded: bulk load already finished")
	}
	b.done = true
	defer os.RemoveAll(b.dir)
	if err := b.spill(); err != nil {
		return nil, err
	}
	b.arena = nil
	res := &BulkResult{Counts: map[string]int{}}
	for i, n := range b.counts {
		if n > 0 {
			res.Counts[buckets[i].name()] = n
		}
	}
	dup := func(i int, e, prev *bulkEntry) {
		res.Duplicates = append(res.Duplicates, Duplicate{Kind: buckets[i].name(), EntityID: string(e.id),
			Line: e.line, FirstLine: prev.line})
	}
	if !write {
		for i := range buckets {
			err := b.merge(ctx, i, func(e, prev *bulkEntry) error {
				if prev != nil {
					dup(i, e, prev)
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
		return res, nil
	}
	if err := b.write(ctx, dup); err != nil {
		return nil, err
	}
	if len(res.Duplicates) == 0 {
		res.Version, res.Written = 1, true
	}
	return res, nil
}

// Abort drops the load: the run files are removed, the store is as it was.
func (b *Bulk) Abort() {
	if !b.done {
		b.done = true
		os.RemoveAll(b.dir)
	}
}

// merge calls fn for the entries of bucket i in key order; prev is the
// first entry of the key when e repeats it, else nil.
func (b *Bulk) merge(ctx context.Context, i int, fn func(e, prev *bulkEntry) error) error {
	h := &runHeap{}
	defer func() {
		for _, r := range h.rs {
			r.f.Close()
		}
	}()
	for n, name := range b.runs[i] {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("embedded: bulk run: %w", err)
		}
		r := &run{r: bufio.NewReaderSize(f, 256<<10), f: f, n: n}
		ok, err := r.next()
		if err != nil || !ok {
			f.Close()
			if err != nil {
				return err
			}
			continue
		}
		h.rs = append(h.rs, r)
	}
	heap.Init(h)
	var first bulkEntry // of the current key
	var firstKey []byte
	for n := 0; h.Len() > 0; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		r := h.rs[0]
		e := r.cur
		var prev *bulkEntry
		if firstKey != nil && bytes.Equal(e.key, firstKey) {
			prev = &first
		} else {
			firstKey = append(firstKey[:0], e.key...)
			first = bulkEntry{key: firstKey, line: e.line}
		}
		if err := fn(&e, prev); err != nil {
			return err
		}
		ok, err := r.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(h, 0)
		} else {
			r.f.Close()
			heap.Pop(h)
		}
	}
	return nil
}

// write builds the new file from the runs and renames it over the
// store's, unless a key repeats (dup hears of each): then the new file is
// removed, and the store stays as it was.
func (b *Bulk) write(ctx context.Context, dup func(i int, e, prev *bulkEntry)) error {
	tmp := b.s.path + ".bulk-new"
	os.Remove(tmp)
	db, err := bolt.Open(tmp, 0o600, &bolt.Options{NoSync: true, FreelistType: bolt.FreelistMapType,
		InitialMmapSize: initialMmapSize})
	if err != nil {
		return fmt.Errorf("embedded: bulk load: %w", err)
	}
	fail := func(err error) error {
		db.Close()
		os.Remove(tmp)
		return fmt.Errorf("embedded: bulk load: %w", err)
	}
	ns := &Store{path: tmp, db: db}
	if err := ns.init(); err != nil {
		return fail(err)
	}
	const version = 1
	seq, dups := 0, 0
	for i, bk := range buckets {
		var batch bulkBatch
		flush := func() error {
			if err := batch.put(db, bk.name()); err != nil {
				return err
			}
			batch = bulkBatch{}
			return nil
		}
		err := b.merge(ctx, i, func(e, prev *bulkEntry) error {
			if prev != nil {
				dup(i, e, prev)
				dups++
			}
			if dups > 0 {
				return nil // only looking for the others
			}
			batch.add(e, bk.name(), version, seq)
			seq++
			if len(batch.recs) >= bulkTx {
				return flush()
			}
			return nil
		})
		if err == nil && dups == 0 {
			err = flush()
		}
		if err != nil {
			return fail(err)
		}
	}
	if dups > 0 {
		db.Close()
		os.Remove(tmp)
		return nil
	}
	err = db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte(bMeta)).Put(metaVersion, u64(version)) })
	if err == nil {
		err = db.Sync()
	}
	if err == nil {
		err = db.Close()
	}
	if err != nil {
		return fail(err)
	}
	// The store's lock is held (its file stays open) while the new file
	// takes its name; then the old one is let go.
	s := b.s
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := os.Rename(tmp, s.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("embedded: bulk load: %w", err)
	}
	if d, err := os.Open(filepath.Dir(s.path)); err == nil {
		d.Sync()
		d.Close()
	}
	s.closed.Store(true)
	return s.db.Close()
}

// bulkBatch is one transaction's puts: records, audit entries and their
// entity index, in slab chunks (bbolt keeps them until the commit).
type bulkBatch struct {
	recs, log []kv
	index     [][]byte
	values    slab
}

func (t *bulkBatch) add(e *bulkEntry, kind string, version uint64, seq int) {
	copyOf := func(v []byte) []byte { return t.values.encode(func(b []byte) []byte { return append(b, v...) }) }
	t.recs = append(t.recs, kv{copyOf(e.key), copyOf(e.val)})
	k := t.values.encode(func(b []byte) []byte { return appendAuditKey(b, version, seq) })
	t.log = append(t.log, kv{k, copyOf(e.audit)})
	t.index = append(t.index, t.values.encode(func(b []byte) []byte {
		return append(appendAuditEntityPrefix(b, kind, string(e.id)), k...)
	}))
}

func (t *bulkBatch) put(db *bolt.DB, bucket string) error {
	if len(t.recs) == 0 {
		return nil
	}
	slices.SortFunc(t.index, bytes.Compare)
	return db.Update(func(tx *bolt.Tx) error {
		for _, p := range []struct {
			name string
			kvs  []kv
		}{{bucket, t.recs}, {bAudit, t.log}} {
			bk := tx.Bucket([]byte(p.name))
			bk.FillPercent = 0.95
			for _, e := range p.kvs {
				if err := bk.Put(e.k, e.v); err != nil {
					return fmt.Errorf("put %s/%q: %w", p.name, e.k, err)
				}
			}
		}
		idx := tx.Bucket([]byte(bAuditEntity))
		idx.FillPercent = 0.9
		for _, k := range t.index {
			if err := idx.Put(k, nil); err != nil {
				return fmt.Errorf("put audit index %q: %w", k, err)
			}
		}
		return nil
	})
}
