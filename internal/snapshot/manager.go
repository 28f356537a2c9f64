package snapshot

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Source gives the current snapshot, or UNAVAILABLE when there is none
// yet. The analytics services read their graph through it: a Manager (the
// whole graph) or a territory set's induced view (internal/scope).
type Source interface {
	Get() (*Snapshot, error)
}

var _ Source = (*Manager)(nil)

// Manager keeps the current snapshot and replaces it when the graph changes.
//
// Changes are noticed two ways: Notify (called after a write through this
// process) and polling the store's version (for writes by other instances or
// tools). Rebuilds are debounced: a burst of writes makes one rebuild, Debounce
// after the first. Readers call Current, which never blocks.
type Manager struct {
	store    Store
	log      zerolog.Logger
	Poll     time.Duration // how often the store version is checked
	Debounce time.Duration // how long to gather writes before rebuilding

	// Quick is the debounce when every version since the current snapshot
	// is a change of ties this process wrote (Written): the next snapshot
	// is then derived from the current one (Snapshot.Next) in a fraction
	// of a rebuild, and a burst gains little by waiting.
	Quick time.Duration

	cur     atomic.Pointer[Snapshot]
	notify  chan struct{}
	mu      sync.Mutex // serialises rebuilds
	onSwap  []func(*Snapshot)
	lastErr atomic.Pointer[error]

	pendMu  sync.Mutex
	pending map[uint64]Ties // changes of ties by the version they made
}

// maxPending bounds the changes kept for versions not yet installed.
const maxPending = 1000

// NewManager returns a manager over st; Start builds the first snapshot.
func NewManager(st Store, log zerolog.Logger) *Manager {
	return &Manager{store: st, log: log, Poll: 2 * time.Second, Debounce: 250 * time.Millisecond, Quick: 5 * time.Millisecond,
		notify: make(chan struct{}, 1), pending: map[uint64]Ties{}}
}

// OnSwap registers f to run after each new snapshot is installed (e.g. to drop
// caches of older versions). Register before Start.
func (m *Manager) OnSwap(f func(*Snapshot)) { m.onSwap = append(m.onSwap, f) }

// Current returns the installed snapshot, or nil before the first build.
func (m *Manager) Current() *Snapshot { return m.cur.Load() }

// Ready reports whether a snapshot is installed (for readiness probes).
func (m *Manager) Ready(context.Context) error {
	if m.cur.Load() == nil {
		if p := m.lastErr.Load(); p != nil {
			return kolgraph.Errorf(kolgraph.EUNAVAILABLE, "no analytics snapshot yet: %v", *p)
		}
		return kolgraph.Errorf(kolgraph.EUNAVAILABLE, "no analytics snapshot yet")
	}
	return nil
}

// Get returns the current snapshot, or UNAVAILABLE when there is none yet.
func (m *Manager) Get() (*Snapshot, error) {
	if s := m.cur.Load(); s != nil {
		return s, nil
	}
	return nil, m.Ready(context.Background())
}

// Notify tells the manager the graph has changed; it rebuilds after the
// debounce delay. It never blocks.
func (m *Manager) Notify() {
	select {
	case m.notify <- struct{}{}:
	default:
	}
}

// Written tells the manager that a write through this process made
// version with cs (the writer's hook): a change of ties alone is kept, so
// that the next snapshot derives from the current one instead of reading
// the store (see Refresh). Then it is Notify.
func (m *Manager) Written(version uint64, cs *kolgraph.ChangeSet) {
	if t, ok := TiesOf(cs); ok {
		m.pendMu.Lock()
		if len(m.pending) < maxPending {
			m.pending[version] = t
		}
		m.pendMu.Unlock()
	}
	m.Notify()
}

// derive returns the snapshot of version v built from cur with the kept
// changes of every version in between, or false when one is missing (a
// write by another instance or tool, or not of ties alone).
func (m *Manager) derive(cur *Snapshot, v uint64) (*Snapshot, bool) {
	// The changes are taken under the lock and applied outside it: a
	// writer's Written must not wait for a derivation (a new tie on a
	// large region is a rebuild of the graph arrays).
	ties := make([]Ties, 0, v-cur.Version)
	m.pendMu.Lock()
	for ver := cur.Version + 1; ver <= v; ver++ {
		t, ok := m.pending[ver]
		if !ok {
			m.pendMu.Unlock()
			return nil, false
		}
		ties = append(ties, t)
	}
	m.pendMu.Unlock()
	// One derivation for every version since: a new tie rebuilds the
	// graph arrays, O(ties) (a second on a national region), so a backlog
	// of versions is one rebuild, not one each.
	return cur.Next(v, combine(cur, ties))
}

// combine is the change of ties that makes the versions ts, one after
// another, from s: the last upsert or delete of each tie wins (a change
// set deletes before it upserts), and a tie s does not have that is
// deleted in the end is left out. Ties come in (from, to) order.
func combine(s *Snapshot, ts []Ties) Ties {
	if len(ts) == 1 {
		return ts[0]
	}
	last := map[kolgraph.EdgeKey]*kolgraph.Influence{} // nil: deleted
	for _, t := range ts {
		for _, k := range t.Deletes {
			last[k] = nil
		}
		for _, e := range t.Upserts {
			last[e.Key()] = e
		}
	}
	keys := slices.SortedFunc(maps.Keys(last), func(a, b kolgraph.EdgeKey) int {
		return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To))
	})
	var out Ties
	for _, k := range keys {
		if e := last[k]; e != nil {
			out.Upserts = append(out.Upserts, e)
			continue
		}
		if from, to, ok := s.pair(k); ok {
			if _, ok := s.Graph.EdgeBetween(from, to); ok {
				out.Deletes = append(out.Deletes, k)
			}
		}
	}
	return out
}

// forget drops the kept changes of versions up to v.
func (m *Manager) forget(v uint64) {
	m.pendMu.Lock()
	defer m.pendMu.Unlock()
	for ver := range m.pending {
		if ver <= v {
			delete(m.pending, ver)
		}
	}
}

// delay is how long to gather writes after a Notify: Quick when the next
// snapshot can derive from the current one, else Debounce.
func (m *Manager) delay() time.Duration {
	cur := m.cur.Load()
	if cur == nil {
		return m.Debounce
	}
	m.pendMu.Lock()
	defer m.pendMu.Unlock()
	if _, ok := m.pending[cur.Version+1]; ok {
		return m.Quick
	}
	return m.Debounce
}

// Refresh brings the snapshot to the store's version, if it differs, and
// installs the result: derived from the current snapshot when every
// version since was a change of ties this process wrote (Written), else
// built from the store. It is safe to call concurrently.
func (m *Manager) Refresh(ctx context.Context) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if cur := m.cur.Load(); cur != nil {
		v, err := m.store.Version(ctx)
		if err != nil {
			return err
		}
		if v == cur.Version {
			return nil
		}
		if s, ok := m.derive(cur, v); ok {
			m.forget(s.Version)
			m.install(s)
			return nil
		}
	}
	s, err := Build(ctx, m.store)
	if err != nil {
		m.lastErr.Store(&err)
		return err
	}
	m.forget(s.Version)
	m.install(s)
	return nil
}

// install makes s the current snapshot and tells the OnSwap functions.
func (m *Manager) install(s *Snapshot) {
	m.cur.Store(s)
	m.lastErr.Store(nil)
	for _, f := range m.onSwap {
		f(s)
	}
	m.log.Info().Str("graph_version", s.GraphVersion()).Int("nodes", len(s.IDs)).
		Int("edges", s.Graph.Edges()).Dur("took", s.BuildTime).Msg("analytics snapshot installed")
}

// Start builds the first snapshot (failing if it cannot) and then keeps the
// snapshot current in the background until ctx is done.
func (m *Manager) Start(ctx context.Context) error {
	if err := m.Refresh(ctx); err != nil {
		return err
	}
	go m.loop(ctx)
	return nil
}

func (m *Manager) loop(ctx context.Context) {
	tick := time.NewTicker(m.Poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-m.notify:
			select {
			case <-ctx.Done():
				return
			case <-time.After(m.delay()):
			}
		}
		if err := m.Refresh(ctx); err != nil && ctx.Err() == nil {
			m.log.Warn().Err(err).Msg("analytics snapshot refresh failed; serving the previous one")
		}
	}
}
