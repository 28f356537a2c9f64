package analytics

import (
	"context"
	"fmt"
	"math"
)

// Eigenvector's defaults, networkx's: the per-node tolerance and the
// iteration limit.
const (
	DefaultEigenTol     = 1e-6
	DefaultEigenMaxIter = 100
)

// EigenOptions configures Eigenvector. Zero fields take networkx's defaults.
type EigenOptions struct {
	// MaxIter bounds the iterations; 0 means DefaultEigenMaxIter.
	MaxIter int
	// Tol is the per-node tolerance: iteration stops when the L1 change is
	// below n*Tol; 0 means DefaultEigenTol.
	Tol float64
	// Workers is the number of goroutines; 0 or less means GOMAXPROCS.
	Workers int
}

// Eigenvector returns eigenvector centrality on the reversed weighted graph,
// consistent with PageRank's direction: you are central if you sway central
// people. It is networkx eigenvector_centrality(G.reverse(), weight="weight")
// step for step: from x = 1/n, iterate the shifted power method
//
//	x'(u) = x(u) + sum_{u->v} w(u,v) * x(v),   x' = x' / ||x'||_2
//
// (the shift by the identity makes it converge on bipartite graphs too) and
// stop when sum_u |x'(u)-x(u)| < n*Tol. The result has unit Euclidean norm.
// On a graph without edges every node gets 1/sqrt(n). On graphs whose
// influence is acyclic (a pure hierarchy) the iteration converges only
// polynomially and typically exhausts MaxIter: then the last iterate is
// returned with an error wrapping ErrNotConverged.
//
// Complexity: O((n + m) * iterations) time, 3n floats of memory.
func Eigenvector(ctx context.Context, g *Graph, opts EigenOptions) ([]float64, error) {
	if opts.MaxIter == 0 {
		opts.MaxIter = DefaultEigenMaxIter
	}
	if opts.Tol == 0 {
		opts.Tol = DefaultEigenTol
	}
	if opts.MaxIter < 0 || !(opts.Tol > 0) || math.IsInf(opts.Tol, 0) {
		return nil, fmt.Errorf("%w: eigenvector max iterations %d, tolerance %v", ErrInvalidOption, opts.MaxIter, opts.Tol)
	}
	n := g.n
	if n == 0 {
		return []float64{}, ctx.Err()
	}
	nb := (n + blockSize - 1) / blockSize
	x := make([]float64, n)
	raw := make([]float64, n)
	sq := make([]float64, nb)
	errs := make([]float64, nb)
	for i := range x {
		x[i] = 1 / float64(n)
	}
	spans := blockSpans(g, workerCount(opts.Workers))
	yield := yielder(ctx)
	for range opts.MaxIter {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		yield()
		st := evStep{g: g, x: x, raw: raw, sq: sq, errs: errs}
		runSpans(spans, st.multiply)
		st.norm = math.Sqrt(sumInOrder(sq))
		if st.norm == 0 || math.IsInf(st.norm, 0) || math.IsNaN(st.norm) {
			st.norm = 1 // as networkx; unreachable with positive weights
		}
		runSpans(spans, st.normalize)
		x, raw = raw, x
		if sumInOrder(errs) < float64(n)*opts.Tol {
			return x, nil
		}
	}
	return x, fmt.Errorf("%w: eigenvector centrality after %d iterations", ErrNotConverged, opts.MaxIter)
}

// evStep is one eigenvector iteration over node blocks.
type evStep struct {
	g        *Graph
	x, raw   []float64
	sq, errs []float64
	norm     float64
}

// multiply sets raw = (A+I) x and the blocks' sums of squares.
func (st *evStep) multiply(b0, b1 int) {
	g := st.g
	outOff, outTo, outW := g.outOff, g.outTo, g.outW
	x, raw := st.x, st.raw
	for b := b0; b < b1; b++ {
		lo, hi := blockRange(g.n, b)
		var s2 float64
		for u := lo; u < hi; u++ {
			e0, e1 := outOff[u], outOff[u+1]
			to := outTo[e0:e1]
			w := outW[e0:e1]
			w = w[:len(to)]
			s := x[u]
			for i, v := range to {
				s += w[i] * x[v]
			}
			raw[u] = s
			s2 += s * s
		}
		st.sq[b] = s2
	}
}

// normalize divides raw by the norm in place and sets the blocks' L1 changes.
func (st *evStep) normalize(b0, b1 int) {
	x, raw, norm := st.x, st.raw, st.norm
	for b := b0; b < b1; b++ {
		lo, hi := blockRange(st.g.n, b)
		var es float64
		for u := lo; u < hi; u++ {
			v := raw[u] / norm
			es += math.Abs(v - x[u])
			raw[u] = v
		}
		st.errs[b] = es
	}
}
