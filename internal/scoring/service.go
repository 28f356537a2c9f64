package scoring

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/memo"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// Params are the algorithm parameters; every result reports the ones used.
type Params struct {
	Damping float64 // PageRank damping, default 0.85
	// BetweennessExactMax is the largest scope (in HCPs) whose betweenness
	// is exact; above it, sources are sampled with Seed:
	// BetweennessShare of the scope's HCPs, at least BetweennessSources
	// (see BetweennessOptions).
	BetweennessExactMax int
	BetweennessSources  int
	BetweennessShare    float64
	Seed                uint64
	Weights             Weights
	// ComputeTimeout bounds one computation. It runs detached from the
	// request that started it (others may be waiting for the same result).
	ComputeTimeout time.Duration
	// Pool runs the background recomputations (stale-while-revalidate);
	// nil: a pool of one worker of the service's own. Services that share
	// a pool share its bound.
	Pool *memo.Pool
	// Retain is how long after its last request a ranking whose scope
	// changed is still recomputed when a new snapshot comes in (and kept,
	// stale, meanwhile); older ones are dropped at the swap (see
	// Revalidate).
	Retain time.Duration
}

// DefaultParams are the parameters the service starts with.
func DefaultParams() Params {
	return Params{Damping: 0.85, BetweennessExactMax: 10_000, BetweennessSources: 500, BetweennessShare: 0.5, Seed: 1,
		Weights: DefaultWeights(), ComputeTimeout: 2 * time.Minute, Retain: time.Minute}
}

// BetweennessOptions returns the betweenness options for a scope of n HCPs:
// exact up to BetweennessExactMax, otherwise k = max(BetweennessSources,
// ceil(BetweennessShare*n)) sampled sources.
//
// Exact betweenness costs 1.1-1.3x REACH, which is always exact (one
// search per HCP; seed region: 5.1 s with two cores against 4.5 s), so
// every seed scope is exact. Sampling
// sources needs most of them to keep the top of a ranking on influence
// networks, where a node's dependency comes from the few HCPs just upstream
// of it (T02, 2,093 HCPs: 500 sources recovered 8 of the exact top 10), so
// above the limit the sample is a share of the scope, and the result states
// its error bound.
func (p Params) BetweennessOptions(n int) analytics.BetweennessOptions {
	o := analytics.BetweennessOptions{Seed: p.Seed}
	if n > p.BetweennessExactMax {
		o.Sources = max(p.BetweennessSources, int(math.Ceil(p.BetweennessShare*float64(n))))
	}
	return o
}

// Service computes and caches rankings per (scope, metric), keyed by a
// fingerprint of what the metric reads of the scope (see fingerprint):
// a scope a write did not touch keeps its rankings across graph versions,
// and one it touched is answered with its previous ranking, on that
// ranking's own snapshot, while the new one is computed on the pool
// (stale-while-revalidate, internal/memo). A scope ranked for the first
// time is computed while its caller waits.
type Service struct {
	snaps  snapshot.Source
	params Params

	cache  *memo.Cache[cacheKey, *Ranking]
	prints prints

	// CacheObserver, when set before use, is told whether each ranking
	// request found its result cached (or being computed).
	CacheObserver func(hit bool)
}

type cacheKey struct {
	scope  snapshot.Scope
	metric Metric
}

// NewService returns a service over snaps.
func NewService(snaps snapshot.Source, p Params) (*Service, error) {
	if err := p.Weights.Validate(); err != nil {
		return nil, err
	}
	if !(p.Damping > 0 && p.Damping < 1) {
		return nil, fmt.Errorf("scoring: damping %v outside (0,1)", p.Damping)
	}
	if p.BetweennessSources < 0 || !(p.BetweennessShare >= 0 && p.BetweennessShare <= 1) {
		return nil, fmt.Errorf("scoring: betweenness sources %d or share %v out of range", p.BetweennessSources, p.BetweennessShare)
	}
	pool := p.Pool
	if pool == nil {
		pool = memo.NewPool(1)
	}
	return &Service{snaps: snaps, params: p, cache: memo.New[cacheKey, *Ranking](0, pool)}, nil
}

// Params returns the parameters in use.
func (s *Service) Params() Params { return s.params }

// Ranking is a metric over a scope's HCPs, in rank order. Its node indices
// are those of its Snapshot, which may be older than the current one (a
// stale ranking): whatever combines a ranking with graph data must read
// that data from rk.Snapshot, or go by HCP id.
type Ranking struct {
	Metric     Metric
	Scope      snapshot.Scope
	Snapshot   *snapshot.Snapshot
	ComputedAt time.Time
	// Nodes are snapshot node indices, best first (ties by HCP id); Values
	// and Percentiles are aligned with Nodes.
	Nodes       []int32
	Values      []float64
	Percentiles []float64
	// BetweennessExact, BetweennessSources and BetweennessErrorBound
	// describe the betweenness used (by BETWEENNESS and by INFLUENCE's
	// component); the bound is 0 when exact (analytics.BetweennessResult).
	BetweennessExact      bool
	BetweennessSources    int
	BetweennessErrorBound float64
	// Note explains an empty ranking (a scope too small to rank).
	Note string

	// members are the scope's node indices in Snapshot, increasing: the
	// scope-local index i is members[i]; rankOf[i] is its rank. Both are
	// nil for an empty ranking. Slices, not maps: on the 100,000-HCP
	// region two maps took 8 ms to fill, a tenth of a PAGERANK ranking.
	members []int32
	rankOf  []int32
	parts   *parts // INFLUENCE only: the components, by scope-local index
	sub     *analytics.Graph
	pr      []float64
}

// Rank returns the 0-based rank of node v, or -1 if v is not ranked, in
// O(1) for a ranking of the whole graph and O(log n) for a scope of n HCPs.
func (r *Ranking) Rank(v int32) int {
	if i, ok := r.localIndex(v); ok {
		return int(r.rankOf[i])
	}
	return -1
}

// localIndex returns the scope-local index of snapshot node v, if v is
// ranked.
func (r *Ranking) localIndex(v int32) (int32, bool) {
	if r.rankOf == nil {
		return 0, false
	}
	if len(r.members) == len(r.Snapshot.IDs) { // the whole graph: local = global
		return v, v >= 0 && int(v) < len(r.members)
	}
	i, ok := slices.BinarySearch(r.members, v)
	return int32(i), ok
}

// MinScope is the smallest scope that is ranked; smaller scopes give an empty
// ranking with a Note, not an error.
const MinScope = 3

// Ranking returns the ranking of metric over scope: the current
// snapshot's when it is cached (or the scope did not change since it was
// computed), else the scope's previous ranking, stale (rk.Snapshot is
// older than the current snapshot), while the current one is computed in
// the background; a scope never ranked before is computed now.
func (s *Service) Ranking(ctx context.Context, sc snapshot.Scope, m Metric) (*Ranking, error) {
	if !slices.Contains(Metrics, m) {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "unknown metric %q", m)
	}
	snap, err := s.snaps.Get()
	if err != nil {
		return nil, err
	}
	nodes, err := snap.Nodes(sc)
	if err != nil {
		return nil, err
	}
	k, st := cacheKey{sc, m}, s.stamp(snap, sc, nodes, m)
	res, err := s.cache.Get(ctx, k, st, s.computer(snap, sc, m))
	if s.CacheObserver != nil {
		s.CacheObserver(res.Hit)
	}
	if err != nil {
		return nil, err
	}
	if res.Stale {
		return res.Value, nil
	}
	return s.carry(k, st, res.Value, snap, nodes), nil
}

// RankingOn returns the ranking of metric over scope on snap itself,
// never a stale one: the cached one when the scope did not change, else
// computed now (or the run in progress for it). Consumers that compute
// on a given snapshot (tiering) use it.
func (s *Service) RankingOn(ctx context.Context, snap *snapshot.Snapshot, sc snapshot.Scope, m Metric) (*Ranking, error) {
	if !slices.Contains(Metrics, m) {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "unknown metric %q", m)
	}
	nodes, err := snap.Nodes(sc)
	if err != nil {
		return nil, err
	}
	k, st := cacheKey{sc, m}, s.stamp(snap, sc, nodes, m)
	r, _, err := s.cache.Fresh(ctx, k, st, s.computer(snap, sc, m))
	if err != nil {
		return nil, err
	}
	return s.carry(k, st, r, snap, nodes), nil
}

// carry returns r, of the same fingerprint as (snap, nodes), on snap: an
// unchanged scope's ranking carried over to a newer snapshot keeps its
// values, and its node indices are renumbered (they are per snapshot).
// The carried ranking replaces r in the cache.
func (s *Service) carry(k cacheKey, st memo.Stamp, r *Ranking, snap *snapshot.Snapshot, nodes []int32) *Ranking {
	if r.Snapshot == snap {
		return r
	}
	out := r.rebind(snap, nodes)
	if r.Snapshot.Version < snap.Version {
		s.cache.Put(k, st, out)
	}
	return out
}

// computer is the computation of one ranking, detached from the request
// that started it (others may wait for it), within ComputeTimeout. A
// background run keeps its kernels to one goroutine (see oneCore).
func (s *Service) computer(snap *snapshot.Snapshot, sc snapshot.Scope, m Metric) memo.Compute[*Ranking] {
	return func(background bool) (*Ranking, error) {
		ctx, cancel := context.WithTimeout(context.Background(), s.params.ComputeTimeout)
		defer cancel()
		if background {
			ctx = memo.InBackground(ctx)
		}
		return s.compute(ctx, snap, sc, m)
	}
}

// workers is the goroutines the kernels of ctx's computation may use (0:
// GOMAXPROCS). A background computation's kernels run on one, so that a
// pool of n workers takes n cores and requests keep the others (the
// kernels' results do not depend on their worker count), and yield their
// core between units of work (analytics.Yielding); a computation a caller
// waits for uses every core, as before.
func workers(ctx context.Context) int {
	if memo.IsBackground(ctx) {
		return 1
	}
	return 0
}

// Revalidate brings the cached rankings to the current snapshot; call it
// after each snapshot swap. A ranking whose scope did not change is
// carried over (fresh); one whose scope changed and that was asked for
// within Retain is recomputed in the background (and served stale until
// then); the others, and rankings of scopes that no longer exist, are
// dropped, so that old snapshots are not kept alive by rankings nobody
// reads.
//
// A service none of whose rankings was asked for within Retain (a
// territory set's that nobody used lately) drops them all without reading
// its snapshot: building a territory set's view costs a pass over the
// graph, which it should not pay on every write while unused.
func (s *Service) Revalidate() {
	entries := s.cache.InUse(s.params.Retain)
	if len(entries) == 0 {
		return
	}
	snap, err := s.snaps.Get()
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Stamp.Version >= snap.Version {
			continue
		}
		nodes, err := snap.Nodes(e.Key.scope)
		if err != nil {
			s.cache.Drop(e.Key, e.Stamp)
			continue
		}
		st := s.stamp(snap, e.Key.scope, nodes, e.Key.metric)
		switch {
		case st.Print == e.Stamp.Print:
			s.cache.Put(e.Key, st, e.Value.rebind(snap, nodes))
		case e.Running:
		case time.Since(e.Asked) < s.params.Retain:
			s.cache.Refresh(e.Key, st, s.computer(snap, e.Key.scope, e.Key.metric))
		default:
			s.cache.Drop(e.Key, e.Stamp)
		}
	}
}

// rebind returns r on snap, whose scope has the same HCPs in the same
// (id) order: nodes are snap's node indices of the scope.
func (r *Ranking) rebind(snap *snapshot.Snapshot, nodes []int32) *Ranking {
	out := *r
	out.Snapshot = snap
	if r.rankOf == nil { // an empty ranking (a scope too small): nothing to renumber
		return &out
	}
	// Local indices and ranks stay; only the snapshot indices change.
	out.members = nodes
	out.Nodes = make([]int32, len(r.Nodes))
	for i, rank := range r.rankOf {
		out.Nodes[rank] = nodes[i]
	}
	return &out
}

// parts are the INFLUENCE components of every node of a scope (local order).
type parts struct {
	pagerank, betweenness, reach, degree []float64 // raw
	norm                                 [4][]float64
	position, seat, kol                  []float64
}

func (s *Service) compute(ctx context.Context, snap *snapshot.Snapshot, sc snapshot.Scope, m Metric) (*Ranking, error) {
	if memo.IsBackground(ctx) {
		ctx = analytics.Yielding(ctx) // see workers
	}
	nodes, err := snap.Nodes(sc)
	if err != nil {
		return nil, err
	}
	r := &Ranking{Metric: m, Scope: sc, Snapshot: snap, ComputedAt: time.Now(), BetweennessExact: true}
	if len(nodes) < MinScope {
		r.Note = fmt.Sprintf("the scope has %d HCPs; rankings need at least %d", len(nodes), MinScope)
		return r, nil
	}
	sub := snap.Graph
	if len(nodes) != len(snap.IDs) {
		sub, _ = analytics.Subgraph(snap.Graph, nodes)
	}
	r.sub = sub
	var values []float64
	switch m {
	case PageRank:
		values, err = analytics.PageRank(ctx, sub, analytics.Options{Damping: s.params.Damping, Workers: workers(ctx)})
	case Betweenness:
		var b analytics.BetweennessResult
		b, err = s.betweenness(ctx, sub)
		values = b.Scores
		r.BetweennessExact, r.BetweennessSources, r.BetweennessErrorBound = b.Exact, b.Sources, b.ErrorBound
	case Reach:
		values, err = analytics.Reach(ctx, sub, analytics.ReachOptions{Workers: workers(ctx)})
	case Eigenvector:
		values, err = analytics.Eigenvector(ctx, sub, analytics.EigenOptions{Workers: workers(ctx)})
		if errors.Is(err, analytics.ErrNotConverged) {
			return nil, kolgraph.Errorf(kolgraph.EINVALID,
				"EIGENVECTOR does not converge on this scope (its influence ties are close to acyclic, e.g. a pure hierarchy); use PAGERANK or INFLUENCE")
		}
	case Degree:
		values, _ = analytics.Degree(sub)
	case Influence:
		values, err = s.influence(ctx, snap, nodes, sub, r)
	}
	if err != nil {
		return nil, fmt.Errorf("compute %s on %s: %w", m, sc.Key(), err)
	}
	for i, x := range values {
		if math.IsNaN(x) || math.IsInf(x, 0) { // never reaches a client
			values[i] = 0
		}
	}
	// Ties go by HCP id: nodes are in index order, which is id order.
	order := analytics.RankOrder(values)
	r.members = nodes
	r.Nodes = make([]int32, len(order))
	r.Values = make([]float64, len(order))
	r.rankOf = make([]int32, len(order))
	for rank, i := range order {
		r.Nodes[rank], r.Values[rank] = nodes[i], values[i]
		r.rankOf[i] = int32(rank)
	}
	// The percentiles follow from the order: no second sort (on the
	// 100,000-HCP region PercentRank's took 17 ms).
	r.Percentiles = analytics.RankPercentiles(values, order)
	return r, nil
}

func (s *Service) betweenness(ctx context.Context, g *analytics.Graph) (analytics.BetweennessResult, error) {
	o := s.params.BetweennessOptions(g.Nodes())
	o.Workers = workers(ctx)
	return analytics.Betweenness(ctx, g, o)
}

// influence computes the blend for every node of the scope.
func (s *Service) influence(ctx context.Context, snap *snapshot.Snapshot, nodes []int32, sub *analytics.Graph, r *Ranking) ([]float64, error) {
	p := &parts{}
	var err error
	if p.pagerank, err = analytics.PageRank(ctx, sub, analytics.Options{Damping: s.params.Damping, Workers: workers(ctx)}); err != nil {
		return nil, err
	}
	b, err := s.betweenness(ctx, sub)
	if err != nil {
		return nil, err
	}
	p.betweenness = b.Scores
	r.BetweennessExact, r.BetweennessSources, r.BetweennessErrorBound = b.Exact, b.Sources, b.ErrorBound
	if p.reach, err = analytics.Reach(ctx, sub, analytics.ReachOptions{Workers: workers(ctx)}); err != nil {
		return nil, err
	}
	p.degree, _ = analytics.Degree(sub)
	for i, raw := range [][]float64{p.pagerank, p.betweenness, p.reach, p.degree} {
		p.norm[i] = analytics.MinMax(raw)
	}
	n := len(nodes)
	p.position, p.seat, p.kol = make([]float64, n), make([]float64, n), make([]float64, n)
	w := s.params.Weights
	total := w.sum()
	out := make([]float64, n)
	for i, v := range nodes {
		p.position[i], p.seat[i], p.kol[i] = rolePriors(snap, v)
		out[i] = (w.PageRank*p.norm[0][i] + w.Betweenness*p.norm[1][i] + w.Reach*p.norm[2][i] + w.Degree*p.norm[3][i] +
			w.Position*p.position[i] + w.Committee*p.seat[i] + w.KOL*p.kol[i]) / total
	}
	r.parts = p
	r.pr = p.pagerank
	return out, nil
}

// Warm computes the INFLUENCE ranking of every hospital of the current
// snapshot (every HCP's default score), so that the first reads after a
// write find them cached. Hospitals are computed one after another: each
// computation uses both cores already.
func (s *Service) Warm(ctx context.Context) error {
	snap, err := s.snaps.Get()
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(snap.Hospitals))
	for id := range snap.Hospitals {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		if _, err := s.Ranking(ctx, snapshot.Scope{Hospital: id}, Influence); err != nil {
			return err
		}
	}
	return nil
}
