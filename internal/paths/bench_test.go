package paths_test

import (
	"context"
	"math/rand/v2"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/paths"
)

// Benchmarks run on the analytics benchmark graph: 100k nodes, ~1M edges,
// directed preferential attachment with a fixed seed. Run with
//
//	go test ./internal/paths/ -run '^$' -bench . -benchtime 20x
var (
	bigOnce  sync.Once
	big      *analytics.Graph
	bigPairs [][2]int32
)

// bigGraph returns the graph and 64 random (source, target) pairs with at
// least 5 paths of at most 6 hops.
func bigGraph(b *testing.B) (*analytics.Graph, [][2]int32) {
	bigOnce.Do(func() {
		n := 100_000
		big = mustGraph(b, n, powerLaw(n, 10, 1))
		rng := rand.New(rand.NewPCG(42, 42))
		s := paths.NewSearcher(big)
		for len(bigPairs) < 64 {
			src, dst := int32(rng.IntN(n)), int32(rng.IntN(n))
			if src == dst {
				continue
			}
			ps, err := s.KStrongest(context.Background(), paths.Query{Sources: []int32{src}, Target: dst, K: 5, MaxHops: 6})
			if err != nil {
				b.Fatal(err)
			}
			if len(ps) == 5 {
				bigPairs = append(bigPairs, [2]int32{src, dst})
			}
		}
	})
	return big, bigPairs
}

// BenchmarkStrongest: one source, one target, 6 hops; ns/edge divides by the
// edges the query relaxed.
func BenchmarkStrongest(b *testing.B) {
	g, pairs := bigGraph(b)
	s := paths.NewSearcher(g)
	var edges int64
	i := 0
	warm(b, s, pairs)
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		p := pairs[i%len(pairs)]
		i++
		if _, ok, err := s.Strongest(context.Background(), paths.Query{Sources: []int32{p[0]}, Target: p[1], MaxHops: 6}); err != nil || !ok {
			b.Fatal(ok, err)
		}
		edges += s.Stats().EdgesScanned
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(edges), "ns/edge")
	b.ReportMetric(cpu.total(b)/float64(edges), "cpu-ns/edge")
	b.ReportMetric(float64(edges)/float64(b.N), "edges/op")
}

// BenchmarkKStrongest5Hops6: k = 5 strongest paths of at most 6 hops between
// connected pairs.
func BenchmarkKStrongest5Hops6(b *testing.B) {
	g, pairs := bigGraph(b)
	s := paths.NewSearcher(g)
	var edges int64
	var searches int
	i := 0
	warm(b, s, pairs)
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		p := pairs[i%len(pairs)]
		i++
		ps, err := s.KStrongest(context.Background(), paths.Query{Sources: []int32{p[0]}, Target: p[1], K: 5, MaxHops: 6})
		if err != nil || len(ps) != 5 {
			b.Fatal(len(ps), err)
		}
		edges += s.Stats().EdgesScanned
		searches += s.Stats().Searches
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/query")
	b.ReportMetric(cpu.total(b)/1e6/float64(b.N), "cpu-ms/query")
	b.ReportMetric(float64(edges)/float64(b.N), "edges/op")
	b.ReportMetric(float64(searches)/float64(b.N), "searches/op")
}

// BenchmarkKStrongestVia: as above with a via group of 200 random nodes and
// 3 sources with costs.
func BenchmarkKStrongestVia(b *testing.B) {
	g, pairs := bigGraph(b)
	s := paths.NewSearcher(g)
	rng := rand.New(rand.NewPCG(7, 7))
	var via []int32
	for range 200 {
		via = append(via, int32(rng.IntN(g.Nodes())))
	}
	i := 0
	warm(b, s, pairs)
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		p := pairs[i%len(pairs)]
		q := pairs[(i+1)%len(pairs)]
		i++
		if _, err := s.KStrongest(context.Background(), paths.Query{
			Sources: []int32{p[0], q[0], p[1] ^ 1}, SourceCost: []float64{0.1, 0.2, 0.3},
			Target: p[1], K: 5, MaxHops: 6, Via: [][]int32{via},
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(cpu.total(b)/1e6/float64(b.N), "cpu-ms/query")
}

// BenchmarkStrongestEach: 20 sources (a user's contacts) to 10 targets (the
// people of the stages of a decision chain), 6 hops.
func BenchmarkStrongestEach(b *testing.B) {
	g, _ := bigGraph(b)
	s := paths.NewSearcher(g)
	rng := rand.New(rand.NewPCG(8, 8))
	var srcs, targets []int32
	for range 20 {
		srcs = append(srcs, int32(rng.IntN(g.Nodes())))
	}
	for range 10 {
		targets = append(targets, int32(rng.IntN(g.Nodes())))
	}
	var edges int64
	if _, err := s.StrongestEach(context.Background(), paths.Query{Sources: srcs, MaxHops: 6}, targets); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		if _, err := s.StrongestEach(context.Background(), paths.Query{Sources: srcs, MaxHops: 6}, targets); err != nil {
			b.Fatal(err)
		}
		edges += s.Stats().EdgesScanned
	}
	b.ReportMetric(cpu.total(b)/1e6/float64(b.N), "cpu-ms/query")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(edges), "ns/edge")
}

// warm runs one query with the largest hop limit so that the searcher's
// buffers are grown before the timed loop.
func warm(b *testing.B, s *paths.Searcher, pairs [][2]int32) {
	b.Helper()
	p := pairs[0]
	if _, err := s.KStrongest(context.Background(), paths.Query{Sources: []int32{p[0]}, Target: p[1], K: 5, MaxHops: paths.MaxHopLimit}); err != nil {
		b.Fatal(err)
	}
}

// cpuClock measures the process's CPU time (user+system): this machine is
// shared, and under load the wall time of a single-threaded loop overstates
// its cost while its CPU time does not.
type cpuClock struct{ start time.Duration }

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuClock { return cpuClock{cpuNow()} }

// total returns the CPU nanoseconds spent since start.
func (c cpuClock) total(b *testing.B) float64 {
	return float64((cpuNow() - c.start).Nanoseconds())
}
