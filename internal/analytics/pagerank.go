package analytics

import (
	"context"
	"fmt"
	"math"
)

// PageRank's defaults, networkx's: the per-node tolerance and the
// iteration limit.
const (
	DefaultPageRankTol     = 1e-10
	DefaultPageRankMaxIter = 200
)

// gaussSeidelMinEdges is the size from which PageRank sweeps Gauss-Seidel
// instead of running networkx's power iteration. Below it the power
// iteration takes a few milliseconds, and keeping it keeps those results
// networkx's own iterate: every scope of the seed region (63,000 ties)
// ranks as before, bit for bit. From it, Gauss-Seidel needs fewer passes
// over the edges: 11 sweeps and one power step against 33 iterations on
// the 100,000-HCP region, 7 and one against 11 on preferential-attachment
// graphs (see gaussSeidel).
const gaussSeidelMinEdges = 1 << 16

// Options configures PageRank. Zero fields take the
// defaults of the pinned PAGERANK metric.
type Options struct {
	// Damping is the probability of following an edge rather than
	// teleporting; 0 means 0.85. It must lie in (0, 1).
	Damping float64
	// Tol is the per-node tolerance: the result is within d/(1-d)*n*Tol
	// of the exact PageRank in L1 norm, the bound networkx's criterion (an
	// L1 change below n*Tol) gives; 0 means DefaultPageRankTol.
	Tol float64
	// MaxIter bounds the iterations (the sweeps); 0 means
	// DefaultPageRankMaxIter.
	MaxIter int
	// Workers is the number of goroutines of the power iteration; 0 or
	// less means GOMAXPROCS. Gauss-Seidel sweeps are sequential (each node
	// reads the scores updated before it in the same sweep).
	Workers int
	// Start, when it has one entry per node, is the vector the iteration
	// starts from instead of 1/n, scaled to sum 1, as networkx's nstart: a
	// previous result (say, of the graph before a write, mapped to this
	// graph's node indices, new nodes at 1/n) saves most of the work. Its
	// entries must be finite and non-negative with a positive sum. A Start
	// of any other length is ignored. The result meets Tol either way.
	Start []float64
}

func (o Options) withDefaults() (Options, error) {
	if o.Damping == 0 {
		o.Damping = 0.85
	}
	if o.Tol == 0 {
		o.Tol = DefaultPageRankTol
	}
	if o.MaxIter == 0 {
		o.MaxIter = DefaultPageRankMaxIter
	}
	switch {
	case !(o.Damping > 0 && o.Damping < 1):
		return o, fmt.Errorf("%w: damping %v outside (0,1)", ErrInvalidOption, o.Damping)
	case !(o.Tol > 0) || math.IsInf(o.Tol, 0):
		return o, fmt.Errorf("%w: tolerance %v not positive", ErrInvalidOption, o.Tol)
	case o.MaxIter < 0:
		return o, fmt.Errorf("%w: max iterations %d negative", ErrInvalidOption, o.MaxIter)
	}
	o.Workers = workerCount(o.Workers)
	return o, nil
}

// PageRank returns the weighted PageRank of every node with influence flowing
// from the swayed to the one who sways, i.e. PageRank on the reversed edges,
// as networkx pagerank(G.reverse(), alpha=d, weight="weight") computes it:
// the x summing to 1 with
//
//	x(u) = d * sum_{u->v} w(u,v)/W_in(v) * x(v) + (d*D + 1-d) / n
//
// where W_in(v) is the total weight of the edges into v and D the score held
// by nodes nobody sways (W_in = 0: no out-edge in the reversed graph), which
// is spread uniformly. In matrix form x = G x, G the column-stochastic
// Google matrix; on vectors summing to 1, G is a contraction by d in L1.
//
// The result is within d/(1-d) * n * Tol of that fixed point in L1 norm,
// the bound networkx's stopping rule gives its result: it stops when
// ||x' - x||_1 < n*Tol for x' = G x, and contraction gives ||x' - x*||_1
// <= d/(1-d) * ||x' - x||_1. Graphs below 2^16 edges run exactly that power
// iteration, from 1/n (or Start), with that rule, so they get networkx's
// result; larger ones run Gauss-Seidel sweeps with a rule that bounds the
// error the same way (see gaussSeidel). When MaxIter runs out the last
// iterate is returned with an error wrapping ErrNotConverged.
//
// Complexity: O((n + m) * iterations) time; 4n floats of memory for the
// power iteration, 5n for Gauss-Seidel.
func PageRank(ctx context.Context, g *Graph, opts Options) ([]float64, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	n := g.n
	if n == 0 {
		return []float64{}, ctx.Err()
	}
	x := make([]float64, n)
	if len(opts.Start) == n {
		if err := startFrom(x, opts.Start); err != nil {
			return nil, err
		}
	} else {
		for v := range x {
			x[v] = 1 / float64(n)
		}
	}
	if len(g.outTo) >= gaussSeidelMinEdges {
		return gaussSeidel(ctx, g, opts, x)
	}
	return powerIteration(ctx, g, opts, x)
}

// startFrom sets x to start scaled to sum 1.
func startFrom(x, start []float64) error {
	var s float64
	for _, v := range start {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: start value %v not finite and non-negative", ErrInvalidOption, v)
		}
		s += v
	}
	if !(s > 0) || math.IsInf(s, 0) {
		return fmt.Errorf("%w: start values sum to %v", ErrInvalidOption, s)
	}
	for v, sv := range start {
		x[v] = sv / s
	}
	return nil
}

// powerIteration is networkx's iteration from x, which it updates in
// place and returns: x' = G x until sum_u |x'(u)-x(u)| < n*Tol.
//
// Each iteration pulls over the out-edge arrays, split across Workers by
// node blocks, so no two goroutines write the same element.
func powerIteration(ctx context.Context, g *Graph, opts Options, x []float64) ([]float64, error) {
	n := g.n
	// invIn[v] = 1/W_in(v); 0 marks a dangling node of the reversed graph.
	// W_in is summed by scattering over the out-edges, which streams outTo
	// and outW instead of gathering outW through inEdge (a random read per
	// edge, twice as slow); the additions into each W_in(v) still come in
	// increasing source order, as along v's in-row, so the sums are the
	// same.
	invIn := make([]float64, n)
	outW := g.outW[:len(g.outTo)]
	for j, v := range g.outTo {
		invIn[v] += outW[j]
	}
	for v, s := range invIn {
		if s > 0 {
			invIn[v] = 1 / s
		}
	}
	nb := (n + blockSize - 1) / blockSize
	// x is updated in place: a node's old score is only read where its new
	// one is written. y = x * invIn, what each node passes on per unit
	// weight, is read at random and so needs a second buffer.
	y := make([]float64, n)
	y2 := make([]float64, n)
	dang := make([]float64, nb)
	dang2 := make([]float64, nb)
	errs := make([]float64, nb)
	for b := range nb {
		lo, hi := blockRange(n, b)
		for v := lo; v < hi; v++ {
			y[v] = x[v] * invIn[v]
			if invIn[v] == 0 {
				dang[b] += x[v]
			}
		}
	}
	spans := blockSpans(g, opts.Workers)
	yield := yielder(ctx)
	for range opts.MaxIter {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		yield()
		st := prStep{g: g, alpha: opts.Damping, uniform: 1 / float64(n), invIn: invIn,
			x: x, y: y, y2: y2, dang: dang2, errs: errs}
		// Everyone receives (d*D + 1-d) / n.
		st.c = st.alpha*sumInOrder(dang) + (1 - st.alpha)
		runSpans(spans, st.run)
		y, y2 = y2, y
		dang, dang2 = dang2, dang
		if sumInOrder(errs) < float64(n)*opts.Tol {
			return x, nil
		}
	}
	return x, fmt.Errorf("%w: PageRank after %d iterations", ErrNotConverged, opts.MaxIter)
}

// prStep is one PageRank iteration: it reads y, updates x in place and
// writes y2 and the per-block partial sums, each worker its own blocks.
type prStep struct {
	g          *Graph
	alpha, c   float64
	uniform    float64
	invIn      []float64
	x, y, y2   []float64
	dang, errs []float64
}

// oddTail[k] is 1 for k = 1 (an odd out-degree leaves one edge after the
// pairs) and 0 otherwise: it adds or cancels the last edge without a branch.
var oddTail = [2]float64{0, 1}

// run computes, for each node u of blocks [b0, b1),
//
//	x'(u) = alpha * sum_{u->v} w(u,v) * y(v) + c / n,   y'(u) = x'(u) * invIn(u)
//
// and the blocks' sums of |x'-x| and of x' over dangling nodes, in O(nodes +
// out-edges) time.
//
// Each block takes two passes. The first walks the block's out-edges with
// one running index and stages each node's sum in y2: two partial sums per
// node (even and odd positions), as one sum waits on every addition, and
// the odd degree's last edge added as a product with 0 or 1 instead of
// behind a branch that mispredicts on half the nodes. The second, a short
// sequential pass over the block's 8 KB of staged sums, does the per-node
// arithmetic and stores, which inside the edge loop cost a few percent more.
// The order of additions per node and per block is fixed, so results do not
// depend on Workers.
func (st *prStep) run(b0, b1 int) {
	g := st.g
	n := g.n
	outTo, outW := g.outTo, g.outW[:len(g.outTo)]
	x, y, y2, invIn := st.x, st.y, st.y2, st.invIn
	alpha, c := st.alpha, st.c
	for b := b0; b < b1; b++ {
		lo, hi := blockRange(n, b)
		off := g.outOff[lo+1 : hi+1]
		sums := y2[lo:hi]
		sums = sums[:len(off)]
		pullSums(sums, off, int(g.outOff[lo]), outTo, outW, y)
		xb, ib := x[lo:hi], invIn[lo:hi]
		ib = ib[:len(xb)]
		sums = sums[:len(xb)]
		var errSum, dangSum float64
		cu := c * st.uniform
		for i, s := range sums {
			xn := alpha*s + cu
			errSum += math.Abs(xn - xb[i])
			xb[i] = xn
			sums[i] = xn * ib[i]
			if ib[i] == 0 {
				dangSum += xn
			}
		}
		st.errs[b] = errSum
		st.dang[b] = dangSum
	}
}

// pullSums sets sums[i] = sum_j outW[j] * y[outTo[j]] over the edges j of
// the i-th node, whose edges start at j and end at off[i]. It is a function
// of its own so that the edge loop keeps its slices in registers.
func pullSums(sums []float64, off []int32, j int, outTo []int32, outW, y []float64) {
	if len(outTo) == 0 {
		clear(sums) // no edge for the tail's product to read
		return
	}
	outW = outW[:len(outTo)]
	sums = sums[:len(off)]
	for i, e := range off {
		end := int(e)
		sums[i] = rowDot(outTo, outW, y, j, end)
		j = end
	}
}

// rowDot is sum_j outW[j] * y[outTo[j]] over the edges j in [j, end) of
// one node: two partial sums (even and odd positions), as one sum waits on
// every addition, and an odd row's last edge added without a branch. The
// graph must have an edge (outTo not empty) and y be finite and
// non-negative: for an even row, some valid edge times 0 adds exactly
// nothing. outW is at least as long as outTo.
func rowDot(outTo []int32, outW, y []float64, j, end int) float64 {
	last := end - 1
	var s0, s1 float64
	for ; j < last; j += 2 {
		s0 += outW[j] * y[outTo[j]]
		s1 += outW[j+1] * y[outTo[j+1]]
	}
	// j is end-1 for an odd degree, else end.
	k := max(last, 0)
	s0 += outW[k] * y[outTo[k]] * oddTail[(end-j)&1]
	return s0 + s1
}
