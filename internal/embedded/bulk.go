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
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// A bulk load fills an empty store with a whole region in one change set
// (version 1), as Apply would, but at disk speed and in memory bounded by
// a buffer rather than by the region:
//
//   - Add encodes each record (its key, its value and its audit entry,
//     "create" with the record as After) into a buffer;
//   - while a kind's keys arrive in order (a generated region's, or any
//     export sorted by id), a full buffer is appended to a new bbolt file
//     as it is, in transactions of bulkTx records, by its own goroutine
//     while Add fills the other buffer (bbolt appends sorted keys page
//     after page, where inserting at random moves a page's contents for
//     every key), and a key given twice is the one before it;
//   - from a kind's first key out of order on, its full buffers are sorted
//     and written to run files, which Finish merges in key order into the
//     file (a key given twice is then found however far apart its rows
//     are, and against the keys appended before);
//   - the new file is synced and renamed over the store's file: readers of
//     the path see the empty store or the whole region, never a part.
//
// The audit log gets what Apply would write: one entry per record, in the
// order of the buckets and keys, with the entity index.

// bulkTx bounds the records of one bbolt transaction of a load: the dirty
// pages of a transaction stay in memory until its commit.
const bulkTx = 50_000

// DefaultBulkBuffer is the encoded bytes Add buffers before it writes them
// out (appended to the file, or as sorted runs).
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
	// DryRun checks only: no file is written.
	DryRun bool
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
	runSeq  int // runs written
	done    bool

	// While a bucket's keys come in order (sorted[i]), its entries are
	// appended to the new file at each spill; last[i] and lastLine[i] are
	// its greatest key so far and the line it came from.
	sorted   []bool
	last     [][]byte
	lastLine []int
	tmp      string   // the new file
	db       *bolt.DB // open on tmp; nil in a dry run
	seq      int      // audit entries written
	dups     []Duplicate
	failed   atomic.Bool // a key was given twice: nothing more is written

	// The appends run on their own goroutine, on a full buffer, while Add
	// fills the other one.
	jobs    chan appendJob
	free    chan []byte
	written chan error // the appender's end, and its error
	stopped bool
}

// appendJob is a full buffer whose buckets in order go to the new file.
type appendJob struct {
	arena []byte
	offs  [][]uint32 // per bucket
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
	// What a load that was killed left behind (its run files, its new
	// file) is nobody's: the store's lock, which we hold, was its.
	if stale, err := filepath.Glob(s.path + ".bulk-*"); err == nil {
		for _, p := range stale {
			os.RemoveAll(p)
		}
	}
	dir, err := os.MkdirTemp(filepath.Dir(s.path), filepath.Base(s.path)+".bulk-*")
	if err != nil {
		return nil, fmt.Errorf("embedded: bulk load: %w", err)
	}
	b := &Bulk{s: s, opts: opts, dir: dir,
		offsets: make([][]uint32, len(buckets)), runs: make([][]string, len(buckets)), counts: make([]int, len(buckets)),
		// The buffers grow to Buffer as they fill: a small region never
		// pays for a large one.
		arena: make([]byte, 0, min(opts.Buffer, 1<<20)),
		// A dry run has no file to append to: every key goes through runs,
		// which find every key given twice.
		sorted: slices.Repeat([]bool{!opts.DryRun}, len(buckets)), last: make([][]byte, len(buckets)), lastLine: make([]int, len(buckets)),
		tmp: s.path + ".bulk-new"}
	if !opts.DryRun {
		os.Remove(b.tmp)
		db, err := bolt.Open(b.tmp, 0o600, &bolt.Options{NoSync: true, FreelistType: bolt.FreelistMapType,
			InitialMmapSize: initialMmapSize})
		if err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("embedded: bulk load: %w", err)
		}
		if err := (&Store{path: b.tmp, db: db}).init(); err != nil {
			db.Close()
			os.Remove(b.tmp)
			os.RemoveAll(dir)
			return nil, fmt.Errorf("embedded: bulk load: %w", err)
		}
		b.db = db
		b.jobs, b.free, b.written = make(chan appendJob, 1), make(chan []byte, 1), make(chan error, 1)
		b.free <- make([]byte, 0, cap(b.arena)) // the second buffer
		go b.appender()
	}
	return b, nil
}

// appender appends the jobs' entries to the new file, handing each buffer
// back when done; after an error it only hands buffers back.
func (b *Bulk) appender() {
	var err error
	for job := range b.jobs {
		for i, offs := range job.offs {
			if err == nil && len(offs) > 0 {
				err = b.append(i, offs, job.arena)
			}
		}
		b.free <- job.arena[:0]
	}
	b.written <- err
}

// stopAppender waits for the appender to finish its jobs and returns its
// error.
func (b *Bulk) stopAppender() error {
	if b.jobs == nil || b.stopped {
		return nil
	}
	b.stopped = true
	close(b.jobs)
	return <-b.written
}

// Add buffers one record (of the types kolgraph.ChangeSet holds), read at
// line of its file; a full buffer is written out (spill).
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
		if b.sorted[i] {
			key := b.keyAt(uint32(start))
			switch c := bytes.Compare(key, b.last[i]); {
			case b.last[i] == nil || c > 0:
				b.last[i] = append(b.last[i][:0], key...)
				b.lastLine[i] = line
			case c == 0: // the first one stands
				e, _ := readEntry(b.arena[start:])
				b.dup(i, &e, b.lastLine[i])
				b.arena = b.arena[:start]
				return nil
			default:
				// The first key out of order: what came before goes to
				// the file, this one and the rest through runs.
				entry := bytes.Clone(b.arena[start:])
				b.arena = b.arena[:start]
				if err := b.spill(); err != nil {
					return err
				}
				b.sorted[i] = false
				start = len(b.arena)
				b.arena = append(b.arena, entry...)
			}
		}
		b.offsets[i] = append(b.offsets[i], uint32(start))
		b.counts[i]++
		if len(b.arena) >= b.opts.Buffer {
			return b.spill()
		}
		return nil
	}
	return fmt.Errorf("embedded: bulk load of a %T", rec)
}

// dup records a key given twice; from the first on, nothing more is
// written (the load will not be kept), but the others are still found.
func (b *Bulk) dup(i int, e *bulkEntry, firstLine int) {
	b.dups = append(b.dups, Duplicate{Kind: buckets[i].name(), EntityID: string(e.id), Line: e.line, FirstLine: firstLine})
	b.failed.Store(true)
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

// spill writes out what is buffered: a bucket whose keys came in order is
// appended to the new file (in a dry run, or after a key given twice,
// dropped: it was checked), the others are sorted by key (stable: a key's
// rows keep their order) and written as one run file each.
func (b *Bulk) spill() error {
	var direct [][]uint32
	for i, offs := range b.offsets {
		switch {
		case len(offs) == 0:
		case b.sorted[i]:
			if direct == nil {
				direct = make([][]uint32, len(buckets))
			}
			direct[i], b.offsets[i] = offs, nil
		default:
			if err := b.writeRun(i, offs); err != nil {
				return err
			}
			b.offsets[i] = offs[:0]
		}
	}
	if direct == nil || b.jobs == nil { // nothing to append, or a dry run
		b.arena = b.arena[:0]
		return nil
	}
	b.jobs <- appendJob{arena: b.arena, offs: direct}
	b.arena = <-b.free
	return nil
}

// append writes bucket i's entries at offs of arena, in order, to the new
// file.
func (b *Bulk) append(i int, offs []uint32, arena []byte) error {
	if b.failed.Load() {
		return nil
	}
	name := buckets[i].name()
	var batch bulkBatch
	for _, off := range offs {
		e, _ := readEntry(arena[off:])
		batch.add(&e, name, 1, b.seq)
		b.seq++
		if len(batch.recs) >= bulkTx {
			if err := batch.put(b.db, name); err != nil {
				return err
			}
			batch = bulkBatch{}
		}
	}
	return batch.put(b.db, name)
}

// writeRun writes bucket i's buffered entries, sorted, as a run file.
func (b *Bulk) writeRun(i int, offs []uint32) error {
	cmp := func(x, y uint32) int { return bytes.Compare(b.keyAt(x), b.keyAt(y)) }
	if !slices.IsSortedFunc(offs, cmp) {
		slices.SortStableFunc(offs, cmp)
	}
	b.runSeq++
	name := filepath.Join(b.dir, fmt.Sprintf("run-%02d-%06d", i, b.runSeq))
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

// Finish writes out what is still buffered, merges the runs into the new
// file in key order and, if write and no key was given twice, renames the
// new file over the store's: the store is then closed (open it again to
// read the region). Without write (a dry run, or the reader found
// problems) it only finds the duplicates, and the new file is removed. The
// run files are removed either way.
func (b *Bulk) Finish(ctx context.Context, write bool) (*BulkResult, error) {
	if b.done {
		return nil, errors.New("embedded: bulk load already finished")
	}
	b.done = true
	defer os.RemoveAll(b.dir)
	keep := false
	defer func() {
		if !keep {
			b.dropFile()
		}
	}()
	err := b.spill()
	if werr := b.stopAppender(); err == nil {
		err = werr
	}
	if err != nil {
		return nil, err
	}
	b.arena = nil
	res := &BulkResult{Counts: map[string]int{}}
	for i, n := range b.counts {
		if n > 0 {
			res.Counts[buckets[i].name()] = n
		}
	}
	for i := range buckets {
		if err := b.merge(ctx, i); err != nil {
			return nil, err
		}
	}
	res.Duplicates = b.dups
	if !write || len(b.dups) > 0 || b.db == nil {
		return res, nil
	}
	if err := b.replace(); err != nil {
		return nil, err
	}
	keep = true
	res.Version, res.Written = 1, true
	return res, nil
}

// Abort drops the load: the run files and the new file are removed, the
// store is as it was.
func (b *Bulk) Abort() {
	if !b.done {
		b.done = true
		b.stopAppender()
		os.RemoveAll(b.dir)
		b.dropFile()
	}
}

func (b *Bulk) dropFile() {
	if b.db != nil {
		b.db.Close()
		b.db = nil
		os.Remove(b.tmp)
	}
}

// merge merges bucket i's runs into the new file in key order, finding the
// keys given twice: in the runs, and against the keys appended before the
// bucket's keys came out of order.
func (b *Bulk) merge(ctx context.Context, i int) error {
	if len(b.runs[i]) == 0 {
		return nil
	}
	name := buckets[i].name()
	h := &runHeap{}
	defer func() {
		for _, r := range h.rs {
			r.f.Close()
		}
	}()
	for n, path := range b.runs[i] {
		f, err := os.Open(path)
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
	// appended says whether a key may be among those appended in order
	// before the runs began (they are all at most last[i]).
	appended := func(key []byte) bool { return b.last[i] != nil && bytes.Compare(key, b.last[i]) <= 0 }
	var batch bulkBatch
	flush := func() error {
		if b.db == nil || b.failed.Load() {
			batch = bulkBatch{}
			return nil
		}
		err := batch.put(b.db, name)
		batch = bulkBatch{}
		return err
	}
	var firstKey []byte
	firstLine := 0
	for n := 0; h.Len() > 0; n++ {
		if n%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		r := h.rs[0]
		e := r.cur
		switch {
		case firstKey != nil && bytes.Equal(e.key, firstKey):
			b.dup(i, &e, firstLine)
		case appended(e.key) && b.stored(name, e.key):
			b.dup(i, &e, 0)
		default:
			firstKey, firstLine = append(firstKey[:0], e.key...), e.line
			batch.add(&e, name, 1, b.seq)
			b.seq++
			if len(batch.recs) >= bulkTx {
				if err := flush(); err != nil {
					return err
				}
			}
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
	return flush()
}

// stored reports whether key was appended to bucket (a dry run appends
// nothing: its keys all go through runs).
func (b *Bulk) stored(bucket string, key []byte) bool {
	if b.db == nil {
		return false
	}
	found := false
	b.db.View(func(tx *bolt.Tx) error {
		found = tx.Bucket([]byte(bucket)).Get(key) != nil
		return nil
	})
	return found
}

// replace completes the new file and renames it over the store's.
func (b *Bulk) replace() error {
	const version = 1
	err := b.db.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte(bMeta)).Put(metaVersion, u64(version)) })
	if err == nil {
		err = b.db.Sync()
	}
	if cerr := b.db.Close(); err == nil {
		err = cerr
	}
	b.db = nil
	if err != nil {
		os.Remove(b.tmp)
		return fmt.Errorf("embedded: bulk load: %w", err)
	}
	// The store's lock is held (its file stays open) while the new file
	// takes its name; then the old one is let go.
	s := b.s
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := os.Rename(b.tmp, s.path); err != nil {
		os.Remove(b.tmp)
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
