// Package history keeps the influence history: after each graph version it
// records, in the background, the scores of the region, every territory
// and every hospital for a few metrics, in the store (so the history
// survives restarts), and answers "how did this HCP's score move" (Series)
// and "who moved most since then, and which writes explain it" (Changes).
//
// Recording is compact: a scope and metric get a point only when their
// scores differ from their last stored point, so a write to one hospital
// adds that hospital's, its territory's and the region's points, nothing
// for the 42 others. Retention (kolgraph.HistoryRetention) thins old
// points to one a day and drops them after a maximum age.
//
// Recording is debounced and low priority: one goroutine waits until
// writes pause for Options.Debounce and records the version current then;
// a version that was current only during a burst of writes is skipped
// (its scores were never recorded, so none are invented for it). Its
// rankings are computed as background work (one core per kernel, see
// memo.InBackground) through the same scoring service that answers
// requests, so that a ranking it computes is one a request finds cached.
//
// Figures on the seed region (6,000 HCPs, 43 hospitals, 3 territories;
// INFLUENCE and PAGERANK, 94 scope-metric pairs): recording one version
// takes about 22 s of one core, nearly all of it the region's and the
// territories' INFLUENCE (betweenness and reach); a point costs about
// 11 bytes per HCP (66 kB for the region, 22 kB a territory, 1.8 kB a
// hospital), and the seed's five versions 289 points, 1.8 MB. Reading
// a region HCP's series of 30 points takes ~9 ms, the region's top
// movers between two of them ~4 ms:
//
//	go test -run '^$' -bench . -benchmem ./internal/history/
package history

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/memo"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// Store is what the history needs of kolgraph.Store.
type Store interface {
	AppendHistory(ctx context.Context, points []*kolgraph.HistoryPoint) error
	History(ctx context.Context, scope, metric string, from, to time.Time) ([]*kolgraph.HistoryPoint, error)
	LatestHistory(ctx context.Context, scope, metric string, notAfter time.Time) (*kolgraph.HistoryPoint, error)
	PruneHistory(ctx context.Context, r kolgraph.HistoryRetention, now time.Time) (int, error)
	AuditLog(ctx context.Context, f kolgraph.AuditFilter, p kolgraph.Page) (*kolgraph.AuditPage, error)
}

// Ranker ranks a scope on a given snapshot (scoring.Service).
type Ranker interface {
	RankingOn(ctx context.Context, snap *snapshot.Snapshot, sc snapshot.Scope, m scoring.Metric) (*scoring.Ranking, error)
}

var _ Ranker = (*scoring.Service)(nil)

// Options configure a Service; zero fields take the defaults.
type Options struct {
	// Metrics are recorded for every scope (default INFLUENCE, PAGERANK).
	Metrics []scoring.Metric
	// Retention is applied after recording, at most once an hour
	// (default kolgraph.DefaultHistoryRetention).
	Retention kolgraph.HistoryRetention
	// Debounce is how long writes must pause before the current version
	// is recorded (default 5s).
	Debounce time.Duration
	// Scopes are the scopes recorded on a snapshot (default Scopes).
	Scopes func(*snapshot.Snapshot) []snapshot.Scope
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// DefaultMetrics are the metrics recorded when Options.Metrics is empty.
var DefaultMetrics = []scoring.Metric{scoring.Influence, scoring.PageRank}

// Scopes returns the scopes recorded by default: the region, every
// territory that has hospitals and every hospital, in that order (ids
// ascending).
func Scopes(snap *snapshot.Snapshot) []snapshot.Scope {
	var hospitals, territories []string
	for id, h := range snap.Hospitals {
		hospitals = append(hospitals, id)
		if h.TerritoryID != "" {
			territories = append(territories, h.TerritoryID)
		}
	}
	slices.Sort(hospitals)
	slices.Sort(territories)
	territories = slices.Compact(territories)
	out := make([]snapshot.Scope, 0, 1+len(territories)+len(hospitals))
	out = append(out, snapshot.Scope{})
	for _, t := range territories {
		out = append(out, snapshot.Scope{Territory: t})
	}
	for _, h := range hospitals {
		out = append(out, snapshot.Scope{Hospital: h})
	}
	return out
}

// Service records and answers the influence history. Its methods are safe
// for concurrent use.
type Service struct {
	store Store
	rank  Ranker
	opts  Options
	log   zerolog.Logger

	mu      sync.Mutex // guards queue and pending
	queue   []Dated    // backfilled versions, recorded first, in order
	pending *snapshot.Snapshot
	kick    chan struct{} // a Notify or Backfill, for the loop
	done    chan struct{} // closed when the loop ends

	rec       sync.Mutex // serialises Record
	last      map[lastKey]*kolgraph.HistoryPoint
	lastPrune time.Time
}

type lastKey struct{ scope, metric string }

// Dated is a snapshot and when its version was written, for Backfill.
type Dated struct {
	Snapshot *snapshot.Snapshot
	At       time.Time
}

// New returns a service over st, ranking with rk. Unknown metrics or an
// invalid retention are an error.
func New(st Store, rk Ranker, o Options, log zerolog.Logger) (*Service, error) {
	if len(o.Metrics) == 0 {
		o.Metrics = DefaultMetrics
	}
	for _, m := range o.Metrics {
		if !slices.Contains(scoring.Metrics, m) {
			return nil, fmt.Errorf("history: unknown metric %q (one of %q)", m, scoring.Metrics)
		}
	}
	o.Metrics = slices.Compact(slices.Clone(o.Metrics))
	if o.Retention == (kolgraph.HistoryRetention{}) {
		o.Retention = kolgraph.DefaultHistoryRetention()
	}
	if err := o.Retention.Validate(); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	if o.Debounce <= 0 {
		o.Debounce = 5 * time.Second
	}
	if o.Scopes == nil {
		o.Scopes = Scopes
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Service{store: st, rank: rk, opts: o, log: log, kick: make(chan struct{}, 1),
		last: map[lastKey]*kolgraph.HistoryPoint{}}, nil
}

// ParseMetrics splits a comma-separated metric list (the -history-metrics
// flag); unknown names are an error, "" is no metric.
func ParseMetrics(s string) ([]scoring.Metric, error) {
	var out []scoring.Metric
	for _, f := range strings.Split(s, ",") {
		m := scoring.Metric(strings.ToUpper(strings.TrimSpace(f)))
		if m == "" {
			continue
		}
		if !slices.Contains(scoring.Metrics, m) {
			return nil, fmt.Errorf("history: unknown metric %q (one of %q)", m, scoring.Metrics)
		}
		out = append(out, m)
	}
	return out, nil
}

// Notify tells the service snap is the current snapshot (register it with
// snapshot.Manager.OnSwap). It never blocks: the background loop records
// the snapshot current once Debounce passes without another Notify.
func (s *Service) Notify(snap *snapshot.Snapshot) {
	s.mu.Lock()
	s.pending = snap
	s.mu.Unlock()
	s.signal()
}

// Backfill queues versions written before the service ran (the seed's
// dated changes), to be recorded in order, each at its own At, before any
// snapshot given to Notify.
func (s *Service) Backfill(ds []Dated) {
	s.mu.Lock()
	s.queue = append(s.queue, ds...)
	s.mu.Unlock()
	s.signal()
}

func (s *Service) signal() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// Start runs the recording loop until ctx is done; Wait waits for it to
// end. Start it once.
func (s *Service) Start(ctx context.Context) {
	s.done = make(chan struct{})
	go s.loop(ctx)
}

// Wait returns once the loop started by Start has ended (its context is
// done and the recording in progress, if any, has stopped).
func (s *Service) Wait() {
	if s.done != nil {
		<-s.done
	}
}

func (s *Service) loop(ctx context.Context) {
	defer close(s.done)
	for {
		s.mu.Lock()
		var next *Dated
		if len(s.queue) > 0 {
			next = &s.queue[0]
			s.queue = s.queue[1:]
		}
		waiting := s.pending != nil
		s.mu.Unlock()
		switch {
		case next != nil:
			s.record(ctx, next.Snapshot, next.At)
			continue
		case !waiting:
			select {
			case <-ctx.Done():
				return
			case <-s.kick:
			}
			continue
		}
		switch s.settle(ctx) {
		case stopped:
			return
		case backfilled:
			continue // the older versions first; pending waits
		}
		s.mu.Lock()
		snap := s.pending
		s.pending = nil
		s.mu.Unlock()
		if snap != nil {
			s.record(ctx, snap, time.Time{})
		}
	}
}

type settled int

const (
	quiet      settled = iota // Debounce passed without a Notify
	backfilled                // versions were queued by Backfill
	stopped                   // the context ended
)

// settle waits until Debounce passes without a signal, or a backfill is
// queued, or ctx ends.
func (s *Service) settle(ctx context.Context) settled {
	t := time.NewTimer(s.opts.Debounce)
	defer t.Stop()
	for {
		s.mu.Lock()
		backfill := len(s.queue) > 0
		s.mu.Unlock()
		if backfill {
			return backfilled
		}
		select {
		case <-ctx.Done():
			return stopped
		case <-s.kick:
			t.Reset(s.opts.Debounce)
		case <-t.C:
			return quiet
		}
	}
}

// record is Record for the loop: failures are logged, not returned.
func (s *Service) record(ctx context.Context, snap *snapshot.Snapshot, at time.Time) {
	t0 := time.Now()
	n, err := s.Record(ctx, snap, at)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn().Err(err).Str("graph_version", snap.GraphVersion()).Msg("recording the influence history failed")
		}
		return
	}
	s.log.Info().Str("graph_version", snap.GraphVersion()).Int("points", n).Dur("took", time.Since(t0)).
		Msg("influence history recorded")
}

// Record computes the scores of every scope and metric on snap and stores,
// in one AppendHistory, a point for each whose scores differ from its last
// stored point (a scope and metric never recorded always get one), dated
// at; a zero at is when snap's version was written (its first audit
// entry's At, else snap.BuiltAt). A version not newer than a scope's last
// point adds nothing for it. It returns the number of points stored, then
// prunes by the retention (at most once an hour).
func (s *Service) Record(ctx context.Context, snap *snapshot.Snapshot, at time.Time) (int, error) {
	if snap == nil || snap.Version == 0 {
		return 0, nil // an empty store has nothing to record
	}
	s.rec.Lock()
	defer s.rec.Unlock()
	if at.IsZero() {
		at = s.writtenAt(ctx, snap)
	}
	at = at.UTC()
	bg := memo.InBackground(ctx)
	var add []*kolgraph.HistoryPoint
	for _, sc := range s.opts.Scopes(snap) {
		for _, m := range s.opts.Metrics {
			k := lastKey{sc.Key(), string(m)}
			last, err := s.lastPoint(ctx, k)
			if err != nil {
				return 0, err
			}
			if last != nil && last.Version >= snap.Version {
				continue
			}
			rk, err := s.rank.RankingOn(bg, snap, sc, m)
			if kolgraph.ErrorCode(err) == kolgraph.ENOTFOUND {
				continue // a scope that no longer exists
			}
			if err != nil {
				return 0, fmt.Errorf("history: rank %s %s: %w", k.scope, m, err)
			}
			p := pointOf(rk, k, snap.Version, at)
			if last != nil && last.SameScores(p) {
				continue
			}
			add = append(add, p)
		}
	}
	if len(add) > 0 {
		if err := s.store.AppendHistory(ctx, add); err != nil {
			return 0, fmt.Errorf("history: store %d points: %w", len(add), err)
		}
		for _, p := range add {
			s.last[lastKey{p.Scope, p.Metric}] = p
		}
	}
	if now := s.opts.Now(); now.Sub(s.lastPrune) >= time.Hour {
		n, err := s.store.PruneHistory(ctx, s.opts.Retention, now)
		if err != nil {
			return len(add), fmt.Errorf("history: prune: %w", err)
		}
		s.lastPrune = now
		if n > 0 {
			s.log.Info().Int("points", n).Msg("influence history pruned")
		}
	}
	return len(add), nil
}

// lastPoint returns the newest stored point of k, read from the store the
// first time and remembered after.
func (s *Service) lastPoint(ctx context.Context, k lastKey) (*kolgraph.HistoryPoint, error) {
	if p, ok := s.last[k]; ok {
		return p, nil
	}
	p, err := s.store.LatestHistory(ctx, k.scope, k.metric, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("history: last point of %s %s: %w", k.scope, k.metric, err)
	}
	s.last[k] = p
	return p, nil
}

// writtenAt is when snap's version was written: the At of its first
// audit entry (every Apply writes some), else when snap was built.
func (s *Service) writtenAt(ctx context.Context, snap *snapshot.Snapshot) time.Time {
	after := (&kolgraph.AuditEntry{Version: snap.Version - 1, Seq: kolgraph.MaxAuditSeq}).Cursor()
	page, err := s.store.AuditLog(ctx, kolgraph.AuditFilter{}, kolgraph.Page{First: 1, After: after})
	if err == nil && len(page.Items) == 1 && page.Items[0].Version == snap.Version {
		return page.Items[0].At
	}
	return snap.BuiltAt
}

// pointOf is rk's scores as a point: ids ascending.
func pointOf(rk *scoring.Ranking, k lastKey, version uint64, at time.Time) *kolgraph.HistoryPoint {
	type hv struct {
		id string
		v  float64
	}
	xs := make([]hv, len(rk.Nodes))
	for i, v := range rk.Nodes {
		xs[i] = hv{rk.Snapshot.IDs[v], rk.Values[i]}
	}
	slices.SortFunc(xs, func(a, b hv) int { return strings.Compare(a.id, b.id) })
	p := &kolgraph.HistoryPoint{Scope: k.scope, Metric: k.metric, Version: version, At: at,
		IDs: make([]string, len(xs)), Scores: make([]float64, len(xs))}
	for i, x := range xs {
		p.IDs[i], p.Scores[i] = x.id, x.v
	}
	return p
}
