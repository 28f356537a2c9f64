package analytics

import "context"

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
