// Package analyses builds the analytics services once, in the one order
// they depend on each other (scoring -> access -> tiering), over a snapshot
// source: the whole graph's, or a territory set's induced view. Views then
// hand each request the store and analytics its principal may use.
//
// A new analysis is one new package, one field of Set and one line in New.
package analyses

import (
	"runtime"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/memo"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/tiering"
	"github.com/kolgraph/kolgraph/internal/whatif"
)

// Set is the analytics services over one snapshot source.
type Set struct {
	Snapshots snapshot.Source
	Scores    *scoring.Service
	Access    *access.Service
	Tiering   *tiering.Service
	WhatIf    *whatif.Service

	catalog tiering.Catalog
	config  Config
}

// Config is what every Set is built with: the full graph's and each
// territory set's alike.
type Config struct {
	Scoring scoring.Params
	Access  access.Options
	Tiering tiering.Options
	// CacheObserver, when set, is told of each lookup in the "scores" and
	// "tiering" caches and whether it hit.
	CacheObserver func(cache string, hit bool)
	// Pool runs every background recomputation of the analytics built
	// with this configuration (the whole graph's and every territory
	// set's), so its bound is the service's; nil: New makes one of
	// DefaultWorkers.
	Pool *memo.Pool
}

// DefaultWorkers is the default bound of background recomputations: half
// the CPUs, at least one, so that requests keep the rest.
func DefaultWorkers() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// DefaultConfig is each service's defaults.
func DefaultConfig() Config {
	return Config{Scoring: scoring.DefaultParams(), Access: access.DefaultOptions(), Tiering: tiering.DefaultOptions()}
}

// New builds the analytics over src; catalog is the store tiering reads
// territory names from (the territory set's scoped store for a view).
func New(src snapshot.Source, catalog tiering.Catalog, c Config) (*Set, error) {
	if c.Pool == nil {
		c.Pool = memo.NewPool(DefaultWorkers())
	}
	p := c.Scoring
	p.Pool = c.Pool
	sc, err := scoring.NewService(src, p)
	if err != nil {
		return nil, err
	}
	sc.CacheObserver = c.observer("scores")
	ac := access.NewService(src, sc, c.Access)
	ti, err := newTiering(src, sc, catalog, ac, c)
	if err != nil {
		return nil, err
	}
	ti.CacheObserver = c.observer("tiering")
	return &Set{Snapshots: src, Scores: sc, Access: ac, Tiering: ti, WhatIf: newWhatIf(sc, c), catalog: catalog, config: c}, nil
}

// With returns the analytics over the same snapshots with configuration c.
// When c scores as s does (the same scoring parameters), the scoring and
// access services, and so their cached rankings, are shared with s, and
// only tiering starts afresh: a change of cut-offs or playbooks costs no
// recomputed centrality. Access options are s's: they are deployment
// settings, not domain ones.
func (s *Set) With(c Config) (*Set, error) {
	c.Access = s.config.Access
	c.Pool = s.config.Pool
	if c.Scoring != s.config.Scoring {
		return New(s.Snapshots, s.catalog, c)
	}
	ti, err := newTiering(s.Snapshots, s.Scores, s.catalog, s.Access, c)
	if err != nil {
		return nil, err
	}
	ti.CacheObserver = c.observer("tiering")
	return &Set{Snapshots: s.Snapshots, Scores: s.Scores, Access: s.Access, Tiering: ti, WhatIf: s.WhatIf, catalog: s.catalog, config: c}, nil
}

// newWhatIf is the what-if service over sc, its chains' paths as long as
// the access service's.
func newWhatIf(sc *scoring.Service, c Config) *whatif.Service {
	return whatif.New(sc, whatif.Options{ChainMaxHops: c.Access.ChainMaxHops})
}

func newTiering(src snapshot.Source, sc *scoring.Service, catalog tiering.Catalog, ac *access.Service, c Config) (*tiering.Service, error) {
	o := c.Tiering
	o.Pool = c.Pool
	return tiering.New(src, sc, catalog, ac, o)
}

func (c Config) observer(cache string) func(hit bool) {
	if c.CacheObserver == nil {
		return nil
	}
	return func(hit bool) { c.CacheObserver(cache, hit) }
}

// Revalidate brings the cached results to the current snapshot (call it
// after each snapshot swap): rankings first, so that the tiering results
// recomputed next find their unchanged scopes' rankings carried over.
func (s *Set) Revalidate() {
	s.Scores.Revalidate()
	s.Tiering.Revalidate()
}
