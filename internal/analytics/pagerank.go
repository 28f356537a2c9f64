package analytics

import (
	"context"
	"fmt"
	"math"
)

// Options configures PageRank and PersonalizedPageRank. Zero fields take the
// defaults of the pinned PAGERANK metric.
type Options struct {
	// Damping is the probability of following an edge rather than
	// teleporting; 0 means 0.85. It must lie in (0, 1).
	Damping float64
	// Tol is the per-node tolerance: iteration stops when the L1 change of
	// the score vector is below n*Tol, as in networkx; 0 means 1e-10.
	Tol float64
	// MaxIter bounds the iterations; 0 means 200.
	MaxIter int
	// Workers is the number of goroutines; 0 or less means GOMAXPROCS.
	Workers int
}

func (o Options) withDefaults() (Options, error) {
	if o.Damping == 0 {
		o.Damping = 0.85
	}
	if o.Tol == 0 {
		o.Tol = 1e-10
	}
	if o.MaxIter == 0 {
		o.MaxIter = 200
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
	return pagerank(ctx, g, nil, opts)
}

// PersonalizedPageRank is PageRank with teleport and dangling mass going to
// sources (uniformly; repeats count once) instead of to every node: networkx
// pagerank(G.reverse(), personalization=p, dangling=p) with p uniform on
// sources. It ranks people by how much they sway the given sources, directly
// or through others. It panics if a source is out of range and returns an
// error wrapping ErrInvalidOption if sources is empty.
//
// Complexity: as PageRank.
func PersonalizedPageRank(ctx context.Context, g *Graph, sources []int32, opts Options) ([]float64, error) {
	if len(sources) == 0 {
		return nil, fmt.Errorf("%w: personalized PageRank needs at least one source", ErrInvalidOption)
	}
	p := make([]float64, g.n)
	k := 0
	for _, s := range sources {
		g.checkNode("PersonalizedPageRank", s)
		if p[s] == 0 {
			p[s] = 1
			k++
		}
	}
	for i := range p {
		p[i] /= float64(k)
	}
	return pagerank(ctx, g, p, opts)
}

// pagerank iterates with personalization p (nil: uniform).
func pagerank(ctx context.Context, g *Graph, p []float64, opts Options) ([]float64, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	n := g.n
	if n == 0 {
		return []float64{}, ctx.Err()
	}
	// invIn[v] = 1/W_in(v); 0 marks a dangling node of the reversed graph.
	invIn := make([]float64, n)
	for v := range n {
		var s float64
		for _, e := range g.inEdge[g.inOff[v]:g.inOff[v+1]] {
			s += g.outW[e]
		}
		if s > 0 {
			invIn[v] = 1 / s
		}
	}
	nb := (n + blockSize - 1) / blockSize
	x := make([]float64, n)
	y := make([]float64, n) // y = x * invIn, what each node passes on per unit weight
	x2 := make([]float64, n)
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
		st := prStep{g: g, alpha: opts.Damping, uniform: uniform, p: p, invIn: invIn,
			x: x, y: y, x2: x2, y2: y2, dang: dang2, errs: errs}
		// Everyone receives (d*D + 1-d) * p(u).
		st.c = st.alpha*sumInOrder(dang) + (1 - st.alpha)
		runSpans(spans, st.run)
		x, x2 = x2, x
		y, y2 = y2, y
		dang, dang2 = dang2, dang
		if sumInOrder(errs) < float64(n)*opts.Tol {
			return x, nil
		}
	}
	return x, fmt.Errorf("%w: PageRank after %d iterations", ErrNotConverged, opts.MaxIter)
}

// prStep is one PageRank iteration: it reads x and y and writes x2, y2 and
// the per-block partial sums, each worker its own blocks.
type prStep struct {
	g            *Graph
	alpha, c     float64
	uniform      float64
	p, invIn     []float64
	x, y, x2, y2 []float64
	dang, errs   []float64
}

func (st *prStep) run(b0, b1 int) {
	g := st.g
	n := g.n
	outTo, outW := g.outTo, g.outW[:len(g.outTo)]
	x, y, x2, y2, invIn, p := st.x, st.y, st.x2, st.y2, st.invIn, st.p
	alpha, c, uniform := st.alpha, st.c, st.uniform
	for b := b0; b < b1; b++ {
		lo, hi := blockRange(n, b)
		var errSum, dangSum float64
		// One running edge index over the block's out-edges, and two
		// partial sums per node: per-node slicing and a single sum (each
		// edge waiting for the previous addition) cost ~25% more per edge.
		// The order of additions is fixed, so results do not depend on
		// Workers.
		j := int(g.outOff[lo])
		for u, e := range g.outOff[lo+1 : hi+1] {
			u += lo
			end := int(e)
			var s0, s1 float64
			for ; j+1 < end; j += 2 {
				s0 += outW[j] * y[outTo[j]]
				s1 += outW[j+1] * y[outTo[j+1]]
			}
			if j < end {
				s0 += outW[j] * y[outTo[j]]
				j++
			}
			pu := uniform
			if p != nil {
				pu = p[u]
			}
			xn := alpha*(s0+s1) + c*pu
			errSum += math.Abs(xn - x[u])
			x2[u] = xn
			y2[u] = xn * invIn[u]
			if invIn[u] == 0 {
				dangSum += xn
			}
		}
		st.errs[b] = errSum
		st.dang[b] = dangSum
	}
}
