package analytics_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/analytics"
)

// Benchmark graphs: directed preferential attachment (powerLaw) with fixed
// seeds. Run with
//
//	go test ./internal/analytics/ -run '^$' -bench . -benchtime=1x
//
// (-benchtime=1x keeps the exact betweenness run to one pass).
var (
	bigOnce, midOnce, seedOnce sync.Once
	big, mid, seedSized        *analytics.Graph
)

// bigGraph: 100k nodes, ~1M edges.
func bigGraph(b *testing.B) *analytics.Graph {
	bigOnce.Do(func() { big = mustGraph(b, 100_000, powerLaw(100_000, 10, 1)) })
	return big
}

// midGraph: 10k nodes, ~100k edges.
func midGraph(b *testing.B) *analytics.Graph {
	midOnce.Do(func() { mid = mustGraph(b, 10_000, powerLaw(10_000, 10, 2)) })
	return mid
}

// seedGraph: ~6k nodes, ~60k edges, the size of the sample region.
func seedGraph(b *testing.B) *analytics.Graph {
	seedOnce.Do(func() { seedSized = mustGraph(b, 6_000, powerLaw(6_000, 10, 3)) })
	return seedSized
}

func BenchmarkNewGraph(b *testing.B) {
	edges := powerLaw(100_000, 10, 1)
	b.ResetTimer()
	var g *analytics.Graph
	for b.Loop() {
		g = mustGraph(b, 100_000, edges)
	}
	b.ReportMetric(float64(g.SizeBytes())/float64(g.Edges()), "bytes/edge")
	b.ReportMetric(float64(g.Edges()), "edges")
}

// BenchmarkPageRank times PageRank on bigGraph (Gauss-Seidel, at its
// size): sweeps=20 runs a fixed 20 sweeps (an unreachable tolerance) so
// that ns/edge/iter is exact, converged the default tolerance; the power
// iteration (below 2^16 edges) is timed the same way.
func BenchmarkPageRank(b *testing.B) {
	g := bigGraph(b)
	const iters = 20
	fixed := analytics.Options{Tol: 1e-300, MaxIter: iters}
	b.Run("sweeps=20", func(b *testing.B) {
		cpu := startCPU()
		for b.Loop() {
			analytics.PageRank(context.Background(), g, fixed)
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/iters/float64(g.Edges()), "ns/edge/iter")
		b.ReportMetric(cpu.perOp(b, iters*float64(g.Edges())), "cpu-ns/edge/iter")
	})
	for _, w := range []int{1, 2} {
		b.Run(fmt.Sprintf("power-iteration/workers=%d", w), func(b *testing.B) {
			opts := fixed
			opts.Workers = w
			cpu := startCPU()
			for b.Loop() {
				analytics.PowerIteration(context.Background(), g, opts)
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/iters/float64(g.Edges()), "ns/edge/iter")
			b.ReportMetric(cpu.perOp(b, iters*float64(g.Edges())), "cpu-ns/edge/iter")
		})
	}
	b.Run("converged", func(b *testing.B) {
		for b.Loop() {
			if _, err := analytics.PageRank(context.Background(), g, analytics.Options{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(iterations(b, g, analytics.Options{}, analytics.PageRank)), "sweeps")
		b.ReportMetric(float64(iterations(b, g, analytics.Options{}, analytics.PowerIteration)), "power-iterations")
	})
	// vs-floor: the issue states its 2 ns target against a memory-latency
	// floor of ~1 ns per edge, and this machine's speed drifts by a third
	// between runs. So PageRank's sweeps (one thread) are timed in turn
	// with the floor itself, measured on the same graph in the same run:
	// one flat pass over every edge reading its weight and its target's
	// value at random (the data an iteration must touch, with no per-node
	// work), four independent sums. ratio = PageRank ns/edge/iter over floor ns/edge,
	// i.e. ns/edge/iter at the 1 ns floor; the target is <= 2.
	b.Run("vs-floor", func(b *testing.B) {
		to, w := make([]int32, 0, g.Edges()), make([]float64, 0, g.Edges())
		for u := range int32(g.Nodes()) {
			t, ws := g.OutNeighbors(u)
			to, w = append(to, t...), append(w, ws...)
		}
		y := make([]float64, g.Nodes())
		for i := range y {
			y[i] = 1 / float64(len(y))
		}
		var sink float64
		floor := func() {
			var s0, s1, s2, s3 float64
			j := 0
			for ; j+4 <= len(to); j += 4 {
				s0 += w[j] * y[to[j]]
				s1 += w[j+1] * y[to[j+1]]
				s2 += w[j+2] * y[to[j+2]]
				s3 += w[j+3] * y[to[j+3]]
			}
			for ; j < len(to); j++ {
				s0 += w[j] * y[to[j]]
			}
			sink += s0 + s1 + s2 + s3
		}
		var pr, fl time.Duration
		for b.Loop() {
			t0 := time.Now()
			analytics.PageRank(context.Background(), g, fixed)
			t1 := time.Now()
			for range iters {
				floor()
			}
			pr, fl = pr+t1.Sub(t0), fl+time.Since(t1)
		}
		if sink == 0 {
			b.Fatal("floor pass summed nothing")
		}
		per := float64(b.N) * iters * float64(g.Edges())
		b.ReportMetric(float64(pr.Nanoseconds())/per, "ns/edge/iter")
		b.ReportMetric(float64(fl.Nanoseconds())/per, "floor-ns/edge")
		b.ReportMetric(float64(pr)/float64(fl), "ratio")
	})
}

// BenchmarkPageRankRegion runs PageRank on the 100,000-HCP region of
// `kolgraph generate -hcps 100000` (1,050,000 ties), what
// influenceRanking(scope: {}, metric: PAGERANK) computes there:
// gauss-seidel is PageRank at its defaults, power-iteration the solver it
// replaces at this size (two workers, as it ran), warm PageRank started
// from the result before a write that reweighted the ties of 2,000
// consecutive HCPs (about one territory's hospitals: ids go by hospital).
// Each reports its sweeps (iterations); vs-power-iteration runs the first
// two in turn.
//
//	go test ./internal/analytics/ -run '^$' -bench PageRankRegion
func BenchmarkPageRankRegion(b *testing.B) {
	g := region(b, 100_000)
	ctx := context.Background()
	run := func(b *testing.B, opts analytics.Options, pr func(context.Context, *analytics.Graph, analytics.Options) ([]float64, error)) {
		cpu := startCPU()
		for b.Loop() {
			if _, err := pr(ctx, g, opts); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(cpu.perOp(b, 1e6), "cpu-ms")
		b.ReportMetric(float64(iterations(b, g, opts, pr)), "sweeps")
	}
	b.Run("gauss-seidel", func(b *testing.B) { run(b, analytics.Options{}, analytics.PageRank) })
	b.Run("power-iteration", func(b *testing.B) { run(b, analytics.Options{Workers: 2}, analytics.PowerIteration) })
	// vs-power-iteration times the two in turn, each op one of each, as
	// the speed of this shared machine drifts; speedup is the ratio of
	// their fastest runs.
	b.Run("vs-power-iteration", func(b *testing.B) {
		var gs, pi []time.Duration
		for b.Loop() {
			t0 := time.Now()
			_, err1 := analytics.PageRank(ctx, g, analytics.Options{})
			t1 := time.Now()
			_, err2 := analytics.PowerIteration(ctx, g, analytics.Options{Workers: 2})
			gs, pi = append(gs, t1.Sub(t0)), append(pi, time.Since(t1))
			if err := errors.Join(err1, err2); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(slices.Min(gs).Nanoseconds())/1e6, "gauss-seidel-ms")
		b.ReportMetric(float64(slices.Min(pi).Nanoseconds())/1e6, "power-iteration-ms")
		b.ReportMetric(float64(slices.Min(pi))/float64(slices.Min(gs)), "speedup")
	})
	b.Run("warm", func(b *testing.B) {
		var edges []analytics.Edge
		for u := range int32(g.Nodes()) {
			to, w := g.OutNeighbors(u)
			for i, v := range to {
				e := analytics.Edge{From: u, To: v, Weight: w[i]}
				if u >= 50_000 && u < 52_000 {
					e.Weight = max(0.01, w[i]*0.8)
				}
				edges = append(edges, e)
			}
		}
		before, err := analytics.PageRank(ctx, mustGraph(b, g.Nodes(), edges), analytics.Options{})
		if err != nil {
			b.Fatal(err)
		}
		run(b, analytics.Options{Start: before}, analytics.PageRank)
	})
}

// exact10k caches the exact betweenness of midGraph and the time it took,
// for the sampled benchmark's overlap and time ratio.
var exact10k struct {
	scores []float64
	wall   time.Duration
}

func exactMid(b *testing.B) {
	if exact10k.scores != nil {
		return
	}
	g := midGraph(b)
	start := time.Now()
	res, err := analytics.Betweenness(context.Background(), g, analytics.BetweennessOptions{})
	if err != nil {
		b.Fatal(err)
	}
	exact10k.scores, exact10k.wall = res.Scores, time.Since(start)
}

func BenchmarkBetweennessExact10k(b *testing.B) {
	g := midGraph(b)
	cpu := startCPU()
	for b.Loop() {
		start := time.Now()
		res, err := analytics.Betweenness(context.Background(), g, analytics.BetweennessOptions{})
		if err != nil {
			b.Fatal(err)
		}
		exact10k.scores, exact10k.wall = res.Scores, time.Since(start)
	}
	b.ReportMetric(cpu.perOp(b, 1e9), "cpu-s")
}

// BenchmarkBetweennessSampled10k times one sampled run with the default
// sample size, then reports how many of the exact top 10 the sampled top 10
// holds, averaged over 5 seeds, and the time relative to the exact run.
func BenchmarkBetweennessSampled10k(b *testing.B) {
	g := midGraph(b)
	exactMid(b)
	opts := analytics.BetweennessOptions{Sources: analytics.DefaultBetweennessSources}
	cpu := startCPU()
	for b.Loop() {
		if _, err := analytics.Betweenness(context.Background(), g, opts); err != nil {
			b.Fatal(err)
		}
	}
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(cpu.perOp(b, 1e9), "cpu-s")
	top := topK(exact10k.scores, 10)
	var found int
	for seed := range uint64(5) {
		opts.Seed = seed
		res, err := analytics.Betweenness(context.Background(), g, opts)
		if err != nil {
			b.Fatal(err)
		}
		for _, v := range topK(res.Scores, 10) {
			if slices.Contains(top, v) {
				found++
			}
		}
	}
	b.ReportMetric(float64(found)/5, "top10-found")
	b.ReportMetric(float64(perOp)/float64(exact10k.wall), "time/exact")
}

func BenchmarkReach(b *testing.B) {
	g := seedGraph(b)
	cpu := startCPU()
	for b.Loop() {
		if _, err := analytics.Reach(context.Background(), g, analytics.ReachOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(cpu.perOp(b, 1e9), "cpu-s")
	b.ReportMetric(cpu.perOp(b, float64(g.Nodes())*float64(g.Edges())), "cpu-ns/edge/source")
}

func BenchmarkEigenvector(b *testing.B) {
	g := bigGraph(b)
	for b.Loop() {
		analytics.Eigenvector(context.Background(), g, analytics.EigenOptions{MaxIter: 20, Tol: 1e-300})
	}
}

func topK(xs []float64, k int) []int {
	idx := make([]int, len(xs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case xs[a] > xs[b]:
			return -1
		case xs[a] < xs[b]:
			return 1
		}
		return 0
	})
	return idx[:k]
}

// cpuClock measures the process's CPU time (user+system) alongside the wall
// clock: this machine is shared, and under load the wall time of a
// single-threaded loop overstates its cost while its CPU time does not.
type cpuClock struct{ start time.Duration }

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuClock { return cpuClock{cpuNow()} }

// perOp returns CPU nanoseconds per benchmark op divided by units.
func (c cpuClock) perOp(b *testing.B, units float64) float64 {
	return float64((cpuNow() - c.start).Nanoseconds()) / float64(b.N) / units
}

// BenchmarkBetweennessExact3k is a quick proxy of the 10k run for tuning.
func BenchmarkBetweennessExact3k(b *testing.B) {
	g := mustGraph(b, 3000, powerLaw(3000, 10, 4))
	b.ResetTimer()
	cpu := startCPU()
	for b.Loop() {
		if _, err := analytics.Betweenness(context.Background(), g, analytics.BetweennessOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(cpu.perOp(b, 1e9), "cpu-s")
}
