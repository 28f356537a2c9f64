package scoring_test

import (
	"context"
	"errors"
	"math"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/analytics/analyticstest"
	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/seedgen"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/seed"
)

var seedStore = sync.OnceValues(func() (kolgraph.Store, error) {
	dir, err := tempDir()
	if err != nil {
		return nil, err
	}
	st, err := embedded.Open(filepath.Join(dir, "kg.db"), embedded.WithNoSync())
	if err != nil {
		return nil, err
	}
	cs, err := seedfile.Read(seed.FS)
	if err != nil {
		return nil, err
	}
	_, err = st.Apply(context.Background(), cs)
	return st, err
})

func seedSnapshots(b *testing.B) *snapshot.Manager {
	b.Helper()
	st, err := seedStore()
	if err != nil {
		b.Fatal(err)
	}
	m := snapshot.NewManager(st, zerolog.Nop())
	if err := m.Refresh(context.Background()); err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkFullRefresh is a write's full cost on the seed region: rebuild the
// snapshot from the store, then every HCP's INFLUENCE score in its default
// scope (its hospital: PageRank, exact betweenness, reach, degree, priors).
func BenchmarkFullRefresh(b *testing.B) {
	st, err := seedStore()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		m := snapshot.NewManager(st, zerolog.Nop())
		if err := m.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
		s, err := scoring.NewService(m, scoring.DefaultParams())
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Warm(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRegion measures each metric over the whole seed region (6,000
// HCPs, 63,000 ties), uncached.
func BenchmarkRegion(b *testing.B) {
	m := seedSnapshots(b)
	for _, metric := range scoring.Metrics {
		if metric == scoring.Eigenvector {
			continue
		}
		b.Run(string(metric), func(b *testing.B) {
			for b.Loop() {
				s, _ := scoring.NewService(m, scoring.DefaultParams())
				if _, err := s.Ranking(context.Background(), snapshot.Scope{}, metric); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// changeSetStore serves generated records to snapshot.Build without a store:
// importing the 100,000-HCP region into one takes minutes, and the snapshot
// is the same.
type changeSetStore struct{ cs *kolgraph.ChangeSet }

func (changeSetStore) Version(context.Context) (uint64, error) { return 1, nil }

func (s changeSetStore) Scan(_ context.Context, v kolgraph.Visitor) error {
	return errors.Join(
		visit(s.cs.Territories, v.Territory), visit(s.cs.Hospitals, v.Hospital),
		visit(s.cs.Departments, v.Department), visit(s.cs.HCPs, v.HCP),
		visit(s.cs.Committees, v.Committee), visit(s.cs.Memberships, v.Membership),
		visit(s.cs.Products, v.Product), visit(s.cs.Listings, v.Listing),
		visit(s.cs.IndicationShares, v.ProductShare), visit(s.cs.Users, v.User),
		visit(s.cs.Knows, v.Knows), visit(s.cs.Influences, v.Influence))
}

func visit[T any](items []T, fn func(T) error) error {
	if fn == nil {
		return nil
	}
	for _, it := range items {
		if err := fn(it); err != nil {
			return err
		}
	}
	return nil
}

// fixedSource always serves one snapshot.
type fixedSource struct{ snap *snapshot.Snapshot }

func (f fixedSource) Get() (*snapshot.Snapshot, error) { return f.snap, nil }

// region100k is the snapshot of `kolgraph generate -hcps 100000` (the
// default seed): 100,000 HCPs and 1,050,000 ties.
var region100k = sync.OnceValues(func() (*snapshot.Snapshot, error) {
	cs := seedgen.Generate(seedgen.Config{Seed: seedgen.DefaultConfig().Seed, HCPs: 100_000})
	return snapshot.Build(context.Background(), changeSetStore{cs})
})

// pageRankRun is one timed PAGERANK ranking of the whole region by a new
// service (nothing cached: PageRank, percentiles, the ranking's order and
// index), and, right after, the PageRank computation alone.
type pageRankRun struct {
	ranking, kernel time.Duration
	r               *scoring.Ranking
}

func runPageRank(b *testing.B, snap *snapshot.Snapshot) pageRankRun {
	b.Helper()
	ctx := context.Background()
	s, err := scoring.NewService(fixedSource{snap}, scoring.DefaultParams())
	if err != nil {
		b.Fatal(err)
	}
	var run pageRankRun
	t0 := time.Now()
	if run.r, err = s.Ranking(ctx, snapshot.Scope{}, scoring.PageRank); err != nil {
		b.Fatal(err)
	}
	t1 := time.Now()
	if _, err := analytics.PageRank(ctx, snap.Graph, analytics.Options{Damping: s.Params().Damping}); err != nil {
		b.Fatal(err)
	}
	run.ranking, run.kernel = t1.Sub(t0), time.Since(t1)
	return run
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// fastest returns the least of ds.
func fastest(ds []time.Duration) time.Duration { return slices.Min(ds) }

// BenchmarkRegion100kPageRank times influenceRanking(scope: {}, metric:
// PAGERANK) on the 100,000-HCP region as a service's first request for it
// (ranking-ms, the fastest run), and the PageRank computation in it
// (kernel-ms).
//
//	go test ./internal/scoring/ -run '^$' -bench Region100kPageRank -benchtime 20x
func BenchmarkRegion100kPageRank(b *testing.B) {
	snap, err := region100k()
	if err != nil {
		b.Fatal(err)
	}
	var ranking, kernel []time.Duration
	for b.Loop() {
		run := runPageRank(b, snap)
		ranking, kernel = append(ranking, run.ranking), append(kernel, run.kernel)
	}
	b.ReportMetric(ms(fastest(ranking)), "ranking-ms")
	b.ReportMetric(ms(fastest(kernel)), "kernel-ms")
}

// BenchmarkPageRankVsIgraph is issue 17's comparison on the 100,000-HCP
// region: kolgraph's first PAGERANK ranking of the region, as in
// BenchmarkRegion100kPageRank, against igraph's PRPACK PageRank
// (Graph.pagerank(weights=..., damping=0.85, implementation="prpack")) on
// exactly the snapshot's edges, in the same run: three igraph calls before
// kolgraph's runs and three after (the igraph Graph is built outside the
// timing), the fastest of each side counted, as this shared machine slows
// either side at times. It reports ranking-ms, kernel-ms, igraph-ms and
// the speed-ups igraph-ms/ranking-ms (the target: >= 3) and
// igraph-ms/kernel-ms, and fails unless the two vectors agree within
// PageRank's documented error bound, d/(1-d)*n*1e-10 in L1, plus igraph's
// tolerance (1e-10). It skips without python3-igraph.
//
//	go test ./internal/scoring/ -run '^$' -bench PageRankVsIgraph -benchtime 20x
func BenchmarkPageRankVsIgraph(b *testing.B) {
	snap, err := region100k()
	if err != nil {
		b.Fatal(err)
	}
	n, damping := snap.Graph.Nodes(), scoring.DefaultParams().Damping
	before := analyticstest.IgraphPageRank(b, snap.Graph, damping, 3)
	var ranking, kernel []time.Duration
	var last pageRankRun
	for b.Loop() {
		last = runPageRank(b, snap)
		ranking, kernel = append(ranking, last.ranking), append(kernel, last.kernel)
	}
	b.StopTimer()
	after := analyticstest.IgraphPageRank(b, snap.Graph, damping, 3)
	igraph := fastest(append(before.Calls, after.Calls...))

	var l1, worst float64
	for i, v := range last.r.Nodes {
		d := math.Abs(last.r.Values[i] - after.Scores[v])
		l1, worst = l1+d, max(worst, d)
	}
	if bound := damping/(1-damping)*float64(n)*analytics.DefaultPageRankTol + 1e-10; !(l1 <= bound) {
		b.Errorf("L1 |kolgraph - igraph| = %.3g, bound %.3g", l1, bound)
	}
	b.ReportMetric(ms(fastest(ranking)), "ranking-ms")
	b.ReportMetric(ms(fastest(kernel)), "kernel-ms")
	b.ReportMetric(ms(igraph), "igraph-ms")
	b.ReportMetric(float64(igraph)/float64(fastest(ranking)), "speedup")
	b.ReportMetric(float64(igraph)/float64(fastest(kernel)), "kernel-speedup")
	b.Logf("igraph %s calls %v, %v; kolgraph rankings %v; max |kolgraph - igraph| = %.3g = %.3g/n, L1 %.3g; %d nodes, %d edges",
		after.Version, before.Calls, after.Calls, ranking, worst, worst*float64(n), l1, n, snap.Graph.Edges())
}
