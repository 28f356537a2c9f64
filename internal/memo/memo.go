// Package memo caches computed results per graph version and key, with one
// computation per key at a time: concurrent callers of a key share one run
// and each waits only as long as its own context allows. Failures are not
// kept, so the next caller tries again. When a key of a newer version is
// computed, results of older versions are dropped; a size bound, when set,
// drops the least recently used finished result.
//
// The analytics services (influence rankings, tiering results) cache with
// it: their results are pure functions of a snapshot version and a request.
package memo

import (
	"context"
	"sync"
)

// Cache holds results of type V under keys of type K. The zero value is not
// usable; make one with New.
type Cache[K comparable, V any] struct {
	max int // 0: no bound

	mu      sync.Mutex
	entries map[key[K]]*entry[V]
	tick    uint64 // LRU clock
}

type key[K comparable] struct {
	version uint64
	k       K
}

type entry[V any] struct {
	done chan struct{}
	used uint64
	v    V
	err  error
}

// New returns a cache of at most max finished results (0: no bound).
func New[K comparable, V any](max int) *Cache[K, V] {
	return &Cache[K, V]{max: max, entries: map[key[K]]*entry[V]{}}
}

// Get returns the result of (version, k): the cached one, the one being
// computed, or a new run of compute, started in its own goroutine so that it
// outlives a caller that gives up (others may be waiting for it; compute
// sets its own deadline). hit reports whether a result or a run was there.
// Get returns ctx's error if ctx ends first.
func (c *Cache[K, V]) Get(ctx context.Context, version uint64, k K, compute func() (V, error)) (v V, hit bool, err error) {
	kk := key[K]{version, k}
	c.mu.Lock()
	c.tick++
	e, hit := c.entries[kk]
	if hit {
		e.used = c.tick
	} else {
		e = &entry[V]{done: make(chan struct{}), used: c.tick}
		c.evict(version)
		c.entries[kk] = e
		go c.run(kk, e, compute)
	}
	c.mu.Unlock()
	select {
	case <-e.done:
		return e.v, hit, e.err
	case <-ctx.Done():
		var zero V
		return zero, hit, ctx.Err()
	}
}

func (c *Cache[K, V]) run(kk key[K], e *entry[V], compute func() (V, error)) {
	e.v, e.err = compute()
	if e.err != nil { // not kept: the next caller tries again
		c.mu.Lock()
		if c.entries[kk] == e {
			delete(c.entries, kk)
		}
		c.mu.Unlock()
	}
	close(e.done)
}

// Forget drops every result of a version other than keep (a new snapshot is
// installed: nobody will ask for the old one again).
func (c *Cache[K, V]) Forget(keep uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for kk := range c.entries {
		if kk.version != keep {
			delete(c.entries, kk)
		}
	}
}

// evict makes room for a result of version: it drops the results of older
// versions and, while the cache is full, the least recently used finished
// one (runs in progress stay: callers wait on them). Callers hold c.mu.
func (c *Cache[K, V]) evict(version uint64) {
	for kk := range c.entries {
		if kk.version < version {
			delete(c.entries, kk)
		}
	}
	for c.max > 0 && len(c.entries) >= c.max {
		var oldest key[K]
		var found bool
		var least uint64
		for kk, e := range c.entries {
			select {
			case <-e.done:
			default:
				continue
			}
			if !found || e.used < least {
				oldest, least, found = kk, e.used, true
			}
		}
		if !found {
			return
		}
		delete(c.entries, oldest)
	}
}
