// Package embedded is kolgraph's default store: the whole graph in one
// bbolt file on local disk, with an in-memory read model for fast reads.
// It needs no server, so a newcomer can run the service and its tests
// without Neo4j, and it passes the same contract suite (internal/storetest).
//
// Writes: every Apply validates the whole ChangeSet against the current
// graph, then writes it in ONE bbolt transaction (bbolt commits atomically,
// so a crash never leaves half a change set on disk), then updates the read
// model. Applies are serialised; reads are not blocked while bbolt writes,
// only during the short in-memory update.
//
// Reads are served from memory: maps by key plus sorted indices (children
// by parent id), loaded from the file at Open. Only one process can open a
// file at a time (bbolt takes an exclusive file lock).
//
// Benchmarks on a generated seed-sized region (~70k records: bulk load,
// Open, lookups, filtered lists, single-edge writes):
//
//	go test -run '^$' -bench . -benchmem ./internal/embedded/
package embedded

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// schemaVersion is the layout of the file: buckets, keys and encoding.
// Open refuses files written with a newer layout than it knows, and marks
// an older file with its own once it has added the buckets it lacks (2:
// account_plans; 3: history; 4: prescriptions; 5: interactions, owners,
// activities), so that an older build refuses it in turn: one without
// plans would not keep a plan's references whole, one without history
// would write versions the history never hears of, one without facts (or
// interactions) would leave a deleted HCP's behind.
const schemaVersion = 5

// initialMmapSize reserves address space (not memory or disk) for the file
// to grow into. Without it bbolt remaps as the file grows, and each remap
// inside a write copies every node of the transaction: a third of the time
// of a seed-sized bulk load.
const initialMmapSize = 1 << 30

var (
	metaVersion = []byte("version")
	metaSchema  = []byte("schema")
)

// ErrLocked reports that another process holds the database file open.
var ErrLocked = errors.New("database file is locked by another process")

var _ kolgraph.Store = (*Store)(nil)

// Store is the embedded kolgraph.Store. It is safe for concurrent use.
type Store struct {
	path string
	db   *bolt.DB

	wmu    sync.Mutex   // serialises Apply and Close
	mu     sync.RWMutex // guards g against the in-memory update of Apply
	g      *graph
	closed atomic.Bool

	lastAuditAt time.Time // At of the newest audit entry; guarded by wmu
}

type config struct {
	lockTimeout time.Duration // how long Open waits for another process's file lock (1s)
	noSync      bool
}

// Option configures Open.
type Option func(*config)

// WithNoSync skips fsync on commit. A crash of the process still never
// leaves a partial change set, but a crash of the machine may lose recent
// ones or corrupt the file. For tests and throw-away imports only.
func WithNoSync() Option { return func(c *config) { c.noSync = true } }

// Open opens (creating if needed) the store in the bbolt file at path and
// loads it into memory, O(records). The parent directory must exist.
func Open(path string, opts ...Option) (*Store, error) {
	cfg := config{lockTimeout: time.Second}
	for _, o := range opts {
		o(&cfg)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{
		Timeout:         cfg.lockTimeout,
		NoSync:          cfg.noSync,
		FreelistType:    bolt.FreelistMapType,
		InitialMmapSize: initialMmapSize,
	})
	if errors.Is(err, bolt.ErrTimeout) {
		return nil, fmt.Errorf("embedded: open %s: %w (waited %v): %w", path, ErrLocked, cfg.lockTimeout, err)
	}
	if err != nil {
		return nil, fmt.Errorf("embedded: open %s: %w", path, err)
	}
	s := &Store{path: path, db: db}
	if err := s.init(); err != nil {
		db.Close()
		return nil, err
	}
	g, err := s.load()
	if err != nil {
		db.Close()
		return nil, err
	}
	s.g = g
	return s, nil
}

// init creates the buckets of a new file and checks the schema of an old one.
func (s *Store) init() error {
	err := s.db.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists([]byte(bMeta))
		if err != nil {
			return err
		}
		switch v := meta.Get(metaSchema); {
		case v != nil && len(v) != 8:
			return errors.New("corrupt schema version")
		case v != nil && binary.BigEndian.Uint64(v) > schemaVersion:
			return fmt.Errorf("file has schema version %d, this build knows up to %d; upgrade kolgraph",
				binary.BigEndian.Uint64(v), schemaVersion)
		case v == nil || binary.BigEndian.Uint64(v) < schemaVersion:
			// New buckets are created below, in this transaction.
			if err := meta.Put(metaSchema, u64(schemaVersion)); err != nil {
				return err
			}
		}
		var names []string
		for _, b := range buckets {
			names = append(names, b.name())
		}
		for _, b := range append(append(names, auditBuckets...), bHistory) {
			if _, err := tx.CreateBucketIfNotExists([]byte(b)); err != nil {
				return err
			}
		}
		return s.loadLastAuditAt(tx)
	})
	if err != nil {
		return fmt.Errorf("embedded: init %s: %w", s.path, err)
	}
	return nil
}

// load reads the whole file into a new read model in one read transaction.
func (s *Store) load() (*graph, error) {
	g := newGraph()
	err := s.db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte(bMeta)).Get(metaVersion); v != nil {
			if len(v) != 8 {
				return errors.New("embedded: corrupt version counter")
			}
			g.version = binary.BigEndian.Uint64(v)
		}
		// The ties are most of a region (1.05M of 1.18M records in the
		// 100,000-HCP one): the HCPs' map and the ties' tables are sized
		// once instead of regrown twenty times, each growth a rehash or a
		// copy and garbage for the collector (a third of Open's CPU on
		// that region, when the ties were a map).
		hcps := tx.Bucket([]byte(kolgraph.KindHCPs)).Stats().KeyN
		if hcps > 0 {
			g.hcps = make(map[string]hcpRow, hcps)
		}
		if n := tx.Bucket([]byte(kolgraph.KindInfluences)).Stats().KeyN; n > 0 {
			g.ties.grow(n, hcps)
		}
		for _, b := range buckets {
			err := tx.Bucket([]byte(b.name())).ForEach(func(k, v []byte) error {
				return b.load(g, k, v)
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("embedded: load %s: %w", s.path, err)
	}
	g.seal()
	g.ties.compact()
	return g, nil
}

func u64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// Close waits for a running Apply, then closes the file. Later calls on the
// store fail with UNAVAILABLE; closing again is a no-op.
func (s *Store) Close() error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed.Swap(true) {
		return nil
	}
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("embedded: close %s: %w", s.path, err)
	}
	return nil
}

// Ping reports UNAVAILABLE once the store is closed.
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return errClosed()
	}
	return ctx.Err()
}

// Version is the number of change sets applied to the file since it was
// created.
func (s *Store) Version(ctx context.Context) (uint64, error) {
	var v uint64
	err := s.read(ctx, func(g *graph) error { v = g.version; return nil })
	return v, err
}

func errClosed() error { return kolgraph.Errorf(kolgraph.EUNAVAILABLE, "the embedded store is closed") }

// read runs fn on the read model under the read lock. fn must not call back
// into the store (a waiting Apply would deadlock the recursive read lock).
func (s *Store) read(ctx context.Context, fn func(g *graph) error) error {
	if s.closed.Load() {
		return errClosed()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return fn(s.g)
}
