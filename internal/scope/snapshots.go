package scope

import (
	"slices"
	"strings"
	"sync"

	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// Snapshots is the analytics view of one territory set: Get returns the
// current snapshot induced by the set's hospitals (snapshot.Induced),
// computed once per snapshot version and shared by every caller of the
// set. It has the Get method that scoring, access and tiering consume, so
// their services run on it unchanged.
type Snapshots struct {
	base  snapshot.Source
	terrs []string

	mu   sync.Mutex
	from *snapshot.Snapshot // the full snapshot cur was induced from
	cur  *snapshot.Snapshot
}

// NewSnapshots returns the view of base for territories.
func NewSnapshots(base snapshot.Source, territories []string) *Snapshots {
	return &Snapshots{base: base, terrs: normal(territories)}
}

// Get returns the induced snapshot of the current version.
func (v *Snapshots) Get() (*snapshot.Snapshot, error) {
	full, err := v.base.Get()
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.from != full {
		v.cur, v.from = full.Induced(v.terrs), full
	}
	return v.cur, nil
}

// Territories returns the view's territory set, sorted.
func (v *Snapshots) Territories() []string { return slices.Clone(v.terrs) }

func normal(ts []string) []string {
	ts = slices.Clone(ts)
	slices.Sort(ts)
	return slices.Compact(ts)
}

// Key is the canonical key of a territory set.
func Key(territories []string) string { return strings.Join(normal(territories), "|") }

// Sets keeps one value per territory set (e.g. the analytics services of
// the set, over its Snapshots), built on first use by New. At most Max sets
// are kept; the least recently used is dropped first (its caches go with
// it and are rebuilt when the set is next used).
type Sets[T any] struct {
	New func(territories []string) (T, error)
	Max int

	mu   sync.Mutex
	m    map[string]*setEntry[T]
	tick uint64
}

type setEntry[T any] struct {
	v    T
	used uint64
}

// Get returns the value of the territory set, building it if needed (a
// failed build is not kept).
func (s *Sets[T]) Get(territories []string) (T, error) {
	k := Key(territories)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]*setEntry[T]{}
	}
	s.tick++
	if e, ok := s.m[k]; ok {
		e.used = s.tick
		return e.v, nil
	}
	if max := max(s.Max, 1); len(s.m) >= max {
		oldest, at := "", ^uint64(0)
		for key, e := range s.m {
			if e.used < at {
				oldest, at = key, e.used
			}
		}
		delete(s.m, oldest)
	}
	v, err := s.New(normal(territories))
	if err != nil {
		return v, err
	}
	s.m[k] = &setEntry[T]{v: v, used: s.tick}
	return v, nil
}

// Each calls f on every value kept (e.g. to drop caches of old versions).
func (s *Sets[T]) Each(f func(T)) {
	s.mu.Lock()
	vs := make([]T, 0, len(s.m))
	for _, e := range s.m {
		vs = append(vs, e.v)
	}
	s.mu.Unlock()
	for _, v := range vs {
		f(v)
	}
}

// Len is the number of sets kept.
func (s *Sets[T]) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.m)
}
