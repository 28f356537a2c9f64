package analytics

import (
	"context"
	"runtime"
	"slices"
	"sync/atomic"
)

// The two PageRank solvers, whichever the graph's size, for tests and
// benchmarks; opts as PageRank takes them, Start ignored.
var PowerIteration, GaussSeidel = solver(powerIteration), solver(gaussSeidel)

// GaussSeidelMinEdges is the size from which PageRank sweeps Gauss-Seidel.
const GaussSeidelMinEdges = gaussSeidelMinEdges

func solver(f func(context.Context, *Graph, Options, []float64) ([]float64, error)) func(context.Context, *Graph, Options) ([]float64, error) {
	return func(ctx context.Context, g *Graph, opts Options) ([]float64, error) {
		opts, err := opts.withDefaults()
		if err != nil {
			return nil, err
		}
		x := make([]float64, g.n)
		for v := range x {
			x[v] = 1 / float64(g.n)
		}
		return f(ctx, g, opts, x)
	}
}

// GaussSeidelSplit is GaussSeidel with the parts split at h.
func GaussSeidelSplit(ctx context.Context, g *Graph, opts Options, h int) ([]float64, error) {
	return solver(func(ctx context.Context, g *Graph, opts Options, x []float64) ([]float64, error) {
		return gaussSeidelSplit(ctx, g, opts, x, h)
	})(ctx, g, opts)
}

// SplitWork is where Gauss-Seidel splits g's nodes in two parts, 0 for one.
func SplitWork(g *Graph) int { return splitWork(g) }

// Sweeps runs plain sweeps (no extrapolation) with damping d of the parts
// split at h from start and returns, after each, the residual bound r the
// stopping rule uses and a copy of the iterate (not scaled).
func Sweeps(g *Graph, d float64, start []float64, h, sweeps int) (rs []float64, xs [][]float64) {
	sw := newSweeper(g, d, slices.Clone(start), h, true)
	for range sweeps {
		rs = append(rs, sw.sweep().r)
		xs = append(xs, slices.Clone(sw.x))
	}
	return rs, xs
}

// CountYields counts the kernels' yields until the returned function is
// called, which restores them and returns the count.
func CountYields() (stop func() int) {
	var n atomic.Int64
	gosched = func() { n.Add(1) }
	return func() int {
		gosched = runtime.Gosched
		return int(n.Load())
	}
}
