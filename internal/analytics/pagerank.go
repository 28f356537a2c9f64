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

// Options configures PageRank. Zero fields take the
// defaults of the pinned PAGERANK metric.
type Options struct {
	// Damping is the probability of following an edge rather than
	// teleporting; 0 means 0.85. It must lie in (0, 1).
	Damping float64
	// Tol is the per-node tolerance: iteration stops when the L1 change of
	// the score vector is below n*Tol, as in networkx; 0 means
	// DefaultPageRankTol.
	Tol float64
	// MaxIter bounds the iterations; 0 means DefaultPageRankMaxIter.
	MaxIter int
	// Workers is the number of goroutines; 0 or less means GOMAXPROCS.
	Workers int
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
// exactly what networkx pagerank(G.reverse(), alpha=d, weight="weight")
// computes:
//
//	x'(u) = d * sum_{u->v} w(u,v)/W_in(v) * x(v) + (d*D + 1-d) / n
//
// where W_in(v) is the total weight of the edges into v and D the score held
// by nodes nobody sways (W_in = 0: no out-edge in the reversed graph), which
// is spread uniformly. The iteration starts from 1/n, the scores sum to 1,
// and it stops when sum_u |x'(u)-x(u)| < n*Tol (networkx's criterion). When
// MaxIter runs out the last iterate is returned with an error wrapping
// ErrNotConverged.
//
// Complexity: O((n + m) * iterations) time, 4n floats of memory; each
// iteration pulls over the out-edge arrays, split across Workers by node
// blocks, so no two goroutines write the same element.
func PageRank(ctx context.Context, g *Graph, opts Options) ([]float64, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	n := g.n
	if n == 0 {
		return []float64{}, ctx.Err()
	}
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
	x := make([]float64, n)
	y := make([]float64, n)
	y2 := make([]float64, n)
	dang := make([]float64, nb)
	dang2 := make([]float64, nb)
	errs := make([]float64, nb)
	uniform := 1 / float64(n)
	for b := range nb {
		lo, hi := blockRange(n, b)
		for v := lo; v < hi; v++ {
			x[v] = uniform
			y[v] = uniform * invIn[v]
			if invIn[v] == 0 {
				dang[b] += uniform
			}
		}
	}
	spans := blockSpans(g, opts.Workers)
	for range opts.MaxIter {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		st := prStep{g: g, alpha: opts.Damping, uniform: uniform, invIn: invIn,
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
		last := end - 1
		var s0, s1 float64
		for ; j < last; j += 2 {
			s0 += outW[j] * y[outTo[j]]
			s1 += outW[j+1] * y[outTo[j+1]]
		}
		// j is end-1 for an odd degree, else end. For an even one the
		// product of some valid edge times 0 adds exactly nothing (all
		// terms are finite and non-negative).
		k := max(last, 0)
		s0 += outW[k] * y[outTo[k]] * oddTail[(end-j)&1]
		j = end
		sums[i] = s0 + s1
	}
}
