// Package memo caches computed results per key, stale-while-revalidate:
// each key keeps its latest result with the Stamp of the input it was
// computed from, and a caller asking for a key whose input has changed
// gets that result at once, marked stale, while the new one is computed
// in the background on a bounded Pool. Only a key with no result at all
// makes its caller wait (within its own context) for the computation.
//
// A Stamp's Print is a fingerprint of everything the computation reads,
// so a key whose input did not change across graph versions hits its
// result directly; its Version orders results (a newer version's result
// replaces an older one's).
//
// Concurrent callers of one input share one run; a run is detached from
// the callers (others may wait for it; compute sets its own deadline).
// Failures are not kept as results: a caller with no result to fall back
// on tries again, and a failed background run is not retried for the same
// Print (the stale result stands until the input changes again).
//
// The analytics services (influence rankings, tiering results) cache with
// it: their results are pure functions of a snapshot and a request.
package memo

import (
	"context"
	"sync"
	"time"
)

// Stamp identifies the input of a result.
type Stamp struct {
	// Print is a fingerprint of the input: equal prints, equal results.
	Print uint64
	// Version is the graph version the input was read at.
	Version uint64
}

// Compute computes a result. background reports a run on the pool, which
// should keep to one core, so that the pool's bound is the cores it takes;
// a run that a caller waits for may use them all.
type Compute[V any] func(background bool) (V, error)

// Result is what Get returns.
type Result[V any] struct {
	Value V
	// Stamp is the value's: when Stale, an older input than asked for.
	Stamp Stamp
	// Stale: the value was computed from another input than asked for;
	// the asked one is being computed in the background.
	Stale bool
	// Hit: a result or a run for the key was there.
	Hit bool
}

// Cache holds results of type V under keys of type K. The zero value is not
// usable; make one with New.
type Cache[K comparable, V any] struct {
	max  int // 0: no bound
	pool *Pool
	now  func() time.Time

	mu      sync.Mutex
	entries map[K]*slot[V]
	tick    uint64 // LRU clock
}

// slot is one key's state.
type slot[V any] struct {
	res    *run[V]            // the latest finished result; nil before the first
	runs   map[uint64]*run[V] // by Print: computations in progress
	failed map[uint64]bool    // prints whose background run failed
	used   uint64             // LRU tick
	asked  time.Time          // last Get or Fresh
}

type run[V any] struct {
	stamp   Stamp
	compute Compute[V]
	started bool // under Cache.mu: taken by a worker or a caller
	done    chan struct{}
	v       V
	err     error
}

// New returns a cache of at most max keys (0: no bound) whose background
// runs go to pool.
func New[K comparable, V any](max int, pool *Pool) *Cache[K, V] {
	if pool == nil {
		panic("memo: New without a pool")
	}
	return &Cache[K, V]{max: max, pool: pool, now: time.Now, entries: map[K]*slot[V]{}}
}

func (c *Cache[K, V]) slot(k K) *slot[V] {
	s := c.entries[k]
	if s == nil {
		s = &slot[V]{runs: map[uint64]*run[V]{}}
		c.entries[k] = s
		c.evict(k)
	}
	c.tick++
	s.used = c.tick
	s.asked = c.now()
	return s
}

// Get returns the result of k for input st:
//   - the cached result when its Print is st's;
//   - else the latest result of k, Stale, with st's computed in the
//     background (on the pool; at most one background run per key);
//   - else (k has no result yet) the result of a run of compute, waited
//     for until ctx ends. A run of k already in progress for another input
//     is waited for instead of starting a second one, and its result is
//     then Stale.
func (c *Cache[K, V]) Get(ctx context.Context, k K, st Stamp, compute Compute[V]) (Result[V], error) {
	c.mu.Lock()
	s := c.slot(k)
	if s.res != nil && s.res.stamp.Print == st.Print {
		res := Result[V]{Value: s.res.v, Stamp: s.res.stamp, Hit: true}
		c.mu.Unlock()
		return res, nil
	}
	if s.res != nil {
		if len(s.runs) == 0 && !s.failed[st.Print] {
			r := c.newRun(s, st, compute)
			c.pool.Go(func() { c.take(k, r) })
		}
		res := Result[V]{Value: s.res.v, Stamp: s.res.stamp, Stale: true, Hit: true}
		c.mu.Unlock()
		return res, nil
	}
	r, hit := s.runs[st.Print], true
	if r == nil {
		r = s.newest()
	}
	if r == nil {
		r, hit = c.newRun(s, st, compute), false
	}
	if !r.started {
		r.started = true // a first ask computes as it always did: now
		go c.exec(k, r, false)
	}
	c.mu.Unlock()
	select {
	case <-r.done:
	case <-ctx.Done():
		var zero V
		return Result[V]{Value: zero, Hit: hit}, ctx.Err()
	}
	if r.err != nil && r.stamp.Print != st.Print {
		return c.Get(ctx, k, st, compute) // another input's run failed: try ours
	}
	if r.err != nil {
		return Result[V]{Hit: hit}, r.err
	}
	res := Result[V]{Value: r.v, Stamp: r.stamp, Hit: hit, Stale: r.stamp.Print != st.Print}
	if res.Stale {
		c.mu.Lock()
		if s := c.entries[k]; s != nil && s.runs[st.Print] == nil && len(s.runs) == 0 && !s.failed[st.Print] {
			nr := c.newRun(s, st, compute)
			c.pool.Go(func() { c.take(k, nr) })
		}
		c.mu.Unlock()
	}
	return res, nil
}

// Fresh returns the result of k for input st, never a stale one: the cached
// one, the run of st in progress, or a new run of compute, waited for until
// ctx ends. A run of st still queued on the pool is taken and run at once
// (a pool worker waiting on another key's queued run would never see it
// end otherwise). The run is a background one when ctx is (a background
// computation asking for a result it builds on, see InBackground).
func (c *Cache[K, V]) Fresh(ctx context.Context, k K, st Stamp, compute Compute[V]) (V, Stamp, error) {
	c.mu.Lock()
	s := c.slot(k)
	if s.res != nil && s.res.stamp.Print == st.Print {
		v, got := s.res.v, s.res.stamp
		c.mu.Unlock()
		return v, got, nil
	}
	r := s.runs[st.Print]
	if r == nil {
		r = c.newRun(s, st, compute)
	}
	if !r.started {
		r.started = true
		go c.exec(k, r, IsBackground(ctx))
	}
	c.mu.Unlock()
	select {
	case <-r.done:
		return r.v, r.stamp, r.err
	case <-ctx.Done():
		var zero V
		return zero, Stamp{}, ctx.Err()
	}
}

// Put installs v as k's result for st when st has the Print of k's result
// and a newer Version (a result carried over to a new graph version whose
// input did not change). It reports whether v was installed.
func (c *Cache[K, V]) Put(k K, st Stamp, v V) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.entries[k]
	if s == nil || s.res == nil || s.res.stamp.Print != st.Print || s.res.stamp.Version >= st.Version {
		return false
	}
	r := &run[V]{stamp: st, started: true, done: make(chan struct{}), v: v}
	close(r.done)
	s.res = r
	return true
}

// Refresh computes k for input st in the background when k has a result of
// another input and nothing computing it; unlike Get it does not count as
// a use of k.
func (c *Cache[K, V]) Refresh(k K, st Stamp, compute Compute[V]) {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.entries[k]
	if s == nil || s.res == nil || s.res.stamp.Print == st.Print || len(s.runs) > 0 || s.failed[st.Print] {
		return
	}
	r := c.newRun(s, st, compute)
	c.pool.Go(func() { c.take(k, r) })
}

// Entry is a key's latest result, as Entries lists it.
type Entry[K comparable, V any] struct {
	Key   K
	Value V
	Stamp Stamp
	// Running: a computation of the key is in progress or queued.
	Running bool
	// Asked is when the key was last asked for.
	Asked time.Time
}

// Entries lists the keys that have a result.
func (c *Cache[K, V]) Entries() []Entry[K, V] {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Entry[K, V], 0, len(c.entries))
	for k, s := range c.entries {
		if s.res != nil {
			out = append(out, Entry[K, V]{Key: k, Value: s.res.v, Stamp: s.res.stamp, Running: len(s.runs) > 0, Asked: s.asked})
		}
	}
	return out
}

// InUse returns the entries to revalidate after a new snapshot: all of
// them when one was asked for, or is being computed, within d of now;
// otherwise none, after dropping them all (a cache nobody used lately
// should not make its owner read the new snapshot).
func (c *Cache[K, V]) InUse(d time.Duration) []Entry[K, V] {
	entries := c.Entries()
	for _, e := range entries {
		if e.Running || time.Since(e.Asked) < d {
			return entries
		}
	}
	for _, e := range entries {
		c.Drop(e.Key, e.Stamp)
	}
	return nil
}

// Drop removes k's result if it is still the one of st and nothing is
// computing k.
func (c *Cache[K, V]) Drop(k K, st Stamp) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.entries[k]; s != nil && s.res != nil && s.res.stamp == st && len(s.runs) == 0 {
		delete(c.entries, k)
	}
}

func (c *Cache[K, V]) newRun(s *slot[V], st Stamp, compute Compute[V]) *run[V] {
	r := &run[V]{stamp: st, compute: compute, done: make(chan struct{})}
	s.runs[st.Print] = r
	return r
}

// newest is the run in progress of the newest version, or nil.
func (s *slot[V]) newest() *run[V] {
	var out *run[V]
	for _, r := range s.runs {
		if out == nil || r.stamp.Version > out.stamp.Version {
			out = r
		}
	}
	return out
}

// take runs queued run r on a pool worker unless a caller of Fresh has
// taken it and run it itself.
func (c *Cache[K, V]) take(k K, r *run[V]) {
	c.mu.Lock()
	taken := r.started
	r.started = true
	c.mu.Unlock()
	if !taken {
		c.exec(k, r, true)
	}
}

// exec computes r and installs the result.
func (c *Cache[K, V]) exec(k K, r *run[V], background bool) {
	v, err := r.compute(background)
	c.mu.Lock()
	r.v, r.err = v, err
	if s := c.entries[k]; s != nil {
		if s.runs[r.stamp.Print] == r {
			delete(s.runs, r.stamp.Print)
		}
		switch {
		case err != nil && background:
			if s.failed == nil {
				s.failed = map[uint64]bool{}
			}
			s.failed[r.stamp.Print] = true
		case err == nil && (s.res == nil || s.res.stamp.Version <= r.stamp.Version):
			s.res = r
			clear(s.failed)
		}
	}
	r.compute = nil
	c.mu.Unlock()
	close(r.done)
}

// evict makes room for key keep: while the cache is over its bound, the
// least recently used key with nothing computing goes. Callers hold c.mu.
func (c *Cache[K, V]) evict(keep K) {
	for c.max > 0 && len(c.entries) > c.max {
		var oldest K
		var found bool
		var least uint64
		for k, s := range c.entries {
			if k == keep || len(s.runs) > 0 {
				continue
			}
			if !found || s.used < least {
				oldest, least, found = k, s.used, true
			}
		}
		if !found {
			return
		}
		delete(c.entries, oldest)
	}
}

type backgroundKey struct{}

// InBackground marks ctx as a background computation's, for the results it
// asks Fresh for.
func InBackground(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

// IsBackground reports whether ctx is a background computation's.
func IsBackground(ctx context.Context) bool {
	b, _ := ctx.Value(backgroundKey{}).(bool)
	return b
}

// Pool runs background computations on at most Workers goroutines, in the
// order they were queued. Workers start when there is work and end when
// there is none, so a Pool needs no closing.
type Pool struct {
	workers int

	mu      sync.Mutex
	queue   []func()
	running int
	idle    *sync.Cond
}

// NewPool returns a pool of n workers (at least 1).
func NewPool(n int) *Pool {
	p := &Pool{workers: max(n, 1)}
	p.idle = sync.NewCond(&p.mu)
	return p
}

// Workers is the pool's bound.
func (p *Pool) Workers() int { return p.workers }

// Go queues f.
func (p *Pool) Go(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.queue = append(p.queue, f)
	if p.running < p.workers {
		p.running++
		go p.work()
	}
}

func (p *Pool) work() {
	for {
		p.mu.Lock()
		if len(p.queue) == 0 {
			p.running--
			if p.running == 0 {
				p.idle.Broadcast()
			}
			p.mu.Unlock()
			return
		}
		f := p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		p.mu.Unlock()
		f()
	}
}

// Wait returns when nothing is queued or running (tests, shutdown).
func (p *Pool) Wait() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.running > 0 {
		p.idle.Wait()
	}
}
