package analytics

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
)

// Extrapolation (see gaussSeidel): the range of the estimated convergence
// rate in which a sweep is extrapolated, and how close two successive
// estimates must be.
const (
	extrapolateMinRate = 0.5
	extrapolateMaxRate = 0.95
	extrapolateSteady  = 0.1
)

// gaussSeidel solves x = G x (see PageRank) by Gauss-Seidel sweeps from x,
// which it updates in place and returns, then takes one power-iteration
// step.
//
// # Sweeps
//
// The nodes are split in two parts of about equal work, the upper indices
// [h, n) and the lower [0, h), and a sweep updates each part in decreasing
// index order, the two side by side when Workers allows (each on one core).
// A node's score is set from the scores of this sweep for the nodes of its
// part already visited and of the previous sweep for the rest (its part's
// nodes not yet visited, itself included, and the whole other part); D and
// S = sum x are kept as running sums, so the uniform terms cost no pass of
// their own:
//
//	x(u) = d * sum_{u->v} w(u,v)/W_in(v) * x(v) + (d*D + (1-d)*S) / n
//
// The split and the order are fixed and neither part reads what the other
// writes in the same sweep, so the result is the same bit for bit on every
// run, on one core or two. Decreasing order is measured, not essential
// (plain one-part sweeps on the 100,000-HCP region: 17 decreasing, 19
// increasing, 18 with the ids shuffled): where ids follow seniority, as
// the generator's do, a senior's new score already holds the new scores of
// the people it sways. Ids also go by hospital, so few ties cross the
// split and the parts converge almost as one sweep does: 12 sweeps on that
// region where one part took 11, each in 1.4-1.6 ms on two cores against
// 2.4-2.5 ms for one part on one (BenchmarkPageRankRegion, quiet machine).
//
// # Extrapolation
//
// On clustered graphs such as the regions (hospitals, few ties across),
// the error soon shrinks by a steady factor q per sweep, one slow mode
// dominating it: x_k+1 - x_k = q (x_k - x_k-1). Then x_k+1 + q/(1-q)
// (x_k+1 - x_k) removes that mode. A sweep is extrapolated so when two
// successive estimates of q agree within 10% and q lies in [0.5, 0.95]
// (below, sweeps converge fast anyway; above, q/(1-q) would magnify the
// estimate's error). q is estimated as <dx_k+1, dx_k> / <dx_k, dx_k> for
// the sweeps' changes dx, which is negative, and never used, where the
// slow mode alternates in sign: extrapolating that one by the ratio of the
// changes' norms pushes the wrong way (a trial that swept two halves of
// the nodes side by side, whose cross terms alternate, cycled for good on
// a 6-node graph so). Scores are kept non-negative, the next extrapolation
// waits for two fresh estimates, and if the sweep after one changes x
// more than the sweep before it, extrapolation stays off for the rest of
// the run.
// It is only a better place to sweep from: the stopping rule below holds
// for any iterate.
//
// Sweeps until the stopping rule, default tolerance (BenchmarkPageRankRegion,
// BenchmarkPageRank): the 100,000-HCP region 12, where plain sweeps take
// 17 and the power iteration 33; preferential-attachment graphs 7 against
// 11 for the power iteration (extrapolation changes nothing there).
//
// # Stopping rule
//
// A sweep computes x_k+1 = G_new x_k+1 + G_old x_k, G_old holding the
// entries G(u,v) for which u read v's previous score (v in u's part at or
// after u in the sweep, or in the other part). So G x_k+1 - x_k+1 = G_old
// (x_k+1 - x_k), whose L1 norm is at most r = sum_v c(v) |x_k+1(v) -
// x_k(v)| with c(v) the column sums of G_old:
//
//	c(v) = d * (weight into v from the nodes that read its previous score)/W_in(v) + (1-d) * p(v)/n
//	c(v) = p(v)/n   for a dangling v
//
// and p(v) the number of those nodes, v included: its part's nodes visited
// up to and including v, and the other part. For the
// scaled x = x_k+1/S, contraction gives ||x - x*||_1 <= ||G x - x||_1/(1-d)
// <= r/(S(1-d)), and the final step x' = G x gives ||x' - x*||_1 <= d r /
// (S(1-d)). Sweeping until r/S <= n*Tol therefore bounds the error by
// d/(1-d) * n * Tol, as networkx's rule does. This r is the residual of the
// sweep's result, not the sweep's change itself: the change weighed by how
// much of each node's score was read before it moved (c <= 1, so r never
// exceeds the change, and is a sweep or two earlier below n*Tol).
//
// The final power-iteration step also gives nodes with the same out-edges,
// such as all who sway nobody, the same score bit for bit, as the power
// iteration does: the sweeps' running sums differ from node to node.
//
// Memory: 5n floats besides x.
func gaussSeidel(ctx context.Context, g *Graph, opts Options, x []float64) ([]float64, error) {
	return gaussSeidelSplit(ctx, g, opts, x, splitWork(g))
}

// gaussSeidelSplit is gaussSeidel with the parts split at h, 0 for one
// part.
func gaussSeidelSplit(ctx context.Context, g *Graph, opts Options, x []float64, h int) ([]float64, error) {
	n := g.n
	sw := newSweeper(g, opts.Damping, x, h, opts.Workers > 1)
	var rate float64      // the last estimate of q, 0 if there is none
	var jumped float64    // the L1 change before the last extrapolation, 0 if the last sweep was plain
	extrapolating := true // until an extrapolation fails
	yield := yielder(ctx)
	for sweeps := 0; sweeps < opts.MaxIter; sweeps++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		yield()
		st := sw.sweep()
		if st.r <= float64(n)*opts.Tol*sw.sum() {
			return sw.finish(), nil
		}
		if jumped > 0 {
			// The sweep after an extrapolation: its change must be below
			// the one before it, or extrapolation is off for good.
			extrapolating = extrapolating && st.change < jumped
			jumped, rate = 0, 0
			continue
		}
		if !extrapolating || !(st.prevNorm > 0) {
			continue
		}
		q := st.dot / st.prevNorm
		if rate > 0 && math.Abs(q-rate) <= extrapolateSteady*q && q >= extrapolateMinRate && q <= extrapolateMaxRate {
			sw.extrapolate(q / (1 - q))
			jumped = st.change
			continue
		}
		rate = q
	}
	return sw.finish(), fmt.Errorf("%w: PageRank after %d sweeps", ErrNotConverged, opts.MaxIter)
}

// sweeper holds the Gauss-Seidel state of PageRank.
type sweeper struct {
	g     *Graph
	alpha float64
	// x is the iterate, not scaled to sum 1.
	x []float64
	// dx is the last sweep's change of x; a sweep reads the one before
	// where it writes its own, one stream instead of two.
	dx []float64
	// invIn[v] = 1/W_in(v), 0 for a dangling node; c[v] is v's column sum
	// of G_old (see gaussSeidel).
	invIn, c []float64
	// parts are the upper nodes [h, n) and the lower [0, h).
	parts [2]sweepPart
	// parallel sweeps the two parts side by side.
	parallel bool
}

// sweepPart is one of the two ranges of nodes a sweep updates on its own.
type sweepPart struct {
	lo, hi int
	// z = x * invIn, what each node passes on per unit weight (0 for a
	// dangling node), is read at random: the part's own entries as this
	// sweep writes them, the other part's as the last sweep left them.
	z []float64
	// sum and dang are the part's sum of x and its share on dangling
	// nodes; otherSum and otherDang the other part's, as the last sweep
	// left them.
	sum, dang, otherSum, otherDang float64
	st                             sweepStats
}

// splitWork returns h such that the nodes [h, n) and [0, h) with their
// out-edges are about equal work, or 0 (one part) when more than
// 1/maxCrossShare of the edges would cross between them. A node reads the
// other part's scores from the previous sweep, so where many ties cross,
// the parts take more sweeps than one part does: a preferential-attachment
// graph with ids at random (half its edges across) 15 against 10. Regions,
// ids by hospital, converge as one part does (sweeps to the default
// tolerance, two parts against one: 14 and 14 at 10,000 HCPs, 13.0% of the
// ties across; 13 and 13 at 30,000, 10.7%; 12 and 11 at 100,000, 9.7%).
// O(n log d).
func splitWork(g *Graph) int {
	half := (int64(g.n) + int64(len(g.outTo))) / 2
	h := sort.Search(g.n, func(h int) bool { return int64(h)+int64(g.outOff[h]) >= half })
	cross := 0
	for u := range g.n {
		row := g.outTo[g.outOff[u]:g.outOff[u+1]]
		below, _ := slices.BinarySearch(row, int32(h)) // rows are sorted by target
		if u >= h {
			cross += below
		} else {
			cross += len(row) - below
		}
	}
	if cross*maxCrossShare > len(g.outTo) {
		return 0
	}
	return h
}

// maxCrossShare: see splitWork.
const maxCrossShare = 4

// newSweeper prepares the sweeps from x, the parts split at h, in O(n + m),
// the two side by side when parallel.
//
// W_in is summed by scattering over the out-edges, which streams outTo and
// outW instead of gathering outW through inEdge (a random read per edge,
// twice as slow); each part scatters its sources' edges into arrays of its
// own, added up per node afterwards, upper part second. Rows are sorted by
// target. A node u reads v's previous score when both are in one part and
// u > v (u is visited first) and when they are in different parts; c sums
// those edges' weights into v.
func newSweeper(g *Graph, alpha float64, x []float64, h int, parallel bool) *sweeper {
	n := g.n
	s := &sweeper{g: g, alpha: alpha, x: x, parallel: parallel,
		parts: [2]sweepPart{{lo: h, hi: n, z: make([]float64, n)}, {lo: 0, hi: h}}}
	// The lower part's sums go where invIn and c will be, the upper part's
	// where the lower part's z and dx will be.
	s.invIn, s.c = make([]float64, n), make([]float64, n)
	upIn, upBefore := make([]float64, n), make([]float64, n)
	outTo, outW := g.outTo, g.outW[:len(g.outTo)]
	scatter := func(lo, hi int, in, before []float64) {
		for u := lo; u < hi; u++ {
			j, end := int(g.outOff[u]), int(g.outOff[u+1])
			for ; j < end && int(outTo[j]) < u; j++ {
				in[outTo[j]] += outW[j]
				before[outTo[j]] += outW[j]
			}
			for ; j < end && (u >= h || int(outTo[j]) < h); j++ {
				in[outTo[j]] += outW[j]
			}
			for ; j < end; j++ { // u in the lower part, v in the upper
				in[outTo[j]] += outW[j]
				before[outTo[j]] += outW[j]
			}
		}
	}
	s.both(func(p *sweepPart) {
		if p.lo == 0 {
			scatter(p.lo, p.hi, s.invIn, s.c)
		} else {
			scatter(p.lo, p.hi, upIn, upBefore)
		}
	})
	z0 := s.parts[0].z
	s.parts[1].z, s.dx = upIn, upBefore
	s.both(func(p *sweepPart) {
		for v := p.lo; v < p.hi; v++ {
			w, before := s.invIn[v]+upIn[v], s.c[v]+upBefore[v]
			// The nodes that read v's previous score in the uniform term:
			// its part's from v up, and the whole other part.
			readers := n - v
			if v >= h {
				readers += h
			}
			visited := float64(readers) / float64(n) // p(v)/n
			p.sum += x[v]
			if w > 0 {
				s.invIn[v] = 1 / w
				s.c[v] = alpha*before*s.invIn[v] + (1-alpha)*visited
				z0[v] = x[v] * s.invIn[v]
			} else {
				s.invIn[v] = 0
				s.c[v] = visited
				z0[v] = 0
				p.dang += x[v]
			}
			upIn[v] = z0[v]
			upBefore[v] = 0
		}
	})
	return s
}

// both calls f for each part, side by side when the sweeper is parallel,
// the lower part first otherwise.
func (s *sweeper) both(f func(p *sweepPart)) {
	up, low := &s.parts[0], &s.parts[1]
	if !s.parallel || low.hi == 0 {
		f(low)
		f(up)
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() { f(low) })
	f(up)
	wg.Wait()
}

// sum is sum x.
func (s *sweeper) sum() float64 { return s.parts[0].sum + s.parts[1].sum }

// sweepStats is what a sweep adds up: r (see gaussSeidel), the L1 change,
// and the dot product of the change with the previous sweep's and the
// latter's squared norm.
type sweepStats struct{ r, change, dot, prevNorm float64 }

// sweep updates every node once, each part in decreasing index order, the
// two side by side when the sweeper is parallel; either way the result is
// the same, bit for bit. Then each part's z takes the other's new scores.
// O(n + m).
func (s *sweeper) sweep() sweepStats {
	up, low := &s.parts[0], &s.parts[1]
	up.otherSum, up.otherDang = low.sum, low.dang
	low.otherSum, low.otherDang = up.sum, up.dang
	s.both(s.sweepPart)
	if low.hi > 0 { // two parts
		copy(low.z[up.lo:up.hi], up.z[up.lo:up.hi])
		copy(up.z[low.lo:low.hi], low.z[low.lo:low.hi])
	}
	return sweepStats{r: up.st.r + low.st.r, change: up.st.change + low.st.change,
		dot: up.st.dot + low.st.dot, prevNorm: up.st.prevNorm + low.st.prevNorm}
}

// sweepPart updates the nodes of p in decreasing index order. It
// leaves in p's sums the new ones, added up apart from the running ones,
// so that rounding in those does not build up from sweep to sweep.
func (s *sweeper) sweepPart(p *sweepPart) {
	g := s.g
	outTo, outW := g.outTo, g.outW[:len(g.outTo)]
	off := g.outOff[:p.hi+1]
	x, z, dx, invIn, c := s.x[:p.hi], p.z, s.dx[:p.hi], s.invIn[:p.hi], s.c[:p.hi]
	alpha, beta, inv := s.alpha, 1-s.alpha, 1/float64(len(s.x))
	// New scores before u, old from u on.
	total, dang := p.sum+p.otherSum, p.dang+p.otherDang
	var st sweepStats
	var newSum, newDang float64
	for u := p.hi - 1; u >= p.lo; u-- {
		// The graph has edges, and z is finite and non-negative (rowDotDown).
		xn := alpha*rowDotDown(outTo, outW, z, int(off[u]), int(off[u+1])) + (alpha*dang+beta*total)*inv
		d := xn - x[u]
		total += d
		newSum += xn
		if invIn[u] == 0 {
			dang += d
			newDang += xn
		}
		st.r += c[u] * math.Abs(d)
		st.change += math.Abs(d)
		st.dot += d * dx[u]
		st.prevNorm += dx[u] * dx[u]
		dx[u] = d
		x[u] = xn
		z[u] = xn * invIn[u]
	}
	p.sum, p.dang, p.st = newSum, newDang, st
}

// rowDotDown is rowDot summed from the row's end: a sweep visits the rows
// in decreasing order, and reading each row downwards too makes the edge
// arrays one descending stream, which the hardware prefetches better than
// short ascending runs in descending order: 10-20% less time per sweep on
// the 100,000-HCP region (same run, 4 sweeps each way, 3 runs). The same
// conditions as rowDot's hold: the graph has an edge, y is finite and
// non-negative.
func rowDotDown(outTo []int32, outW, y []float64, j, end int) float64 {
	var s0, s1 float64
	k := end - 1
	for ; k > j; k -= 2 {
		s0 += outW[k] * y[outTo[k]]
		s1 += outW[k-1] * y[outTo[k-1]]
	}
	// k is j for an odd degree, else j-1; the odd row's first edge is
	// added without a branch, as in rowDot.
	t := min(j, len(outTo)-1)
	s0 += outW[t] * y[outTo[t]] * oddTail[(end-j)&1]
	return s0 + s1
}

// extrapolate moves x by f times the last sweep's change, in O(n).
func (s *sweeper) extrapolate(f float64) {
	x, dx, invIn := s.x, s.dx[:len(s.x)], s.invIn[:len(s.x)]
	z0, z1 := s.parts[0].z[:len(x)], s.parts[1].z[:len(x)]
	for i := range s.parts {
		p := &s.parts[i]
		var sum, dang float64
		for u := p.lo; u < p.hi; u++ {
			xn := max(0, x[u]+f*dx[u])
			x[u] = xn
			z0[u] = xn * invIn[u]
			z1[u] = z0[u]
			sum += xn
			if invIn[u] == 0 {
				dang += xn
			}
		}
		p.sum, p.dang = sum, dang
	}
}

// finish returns x' = G (x/S), one power-iteration step, written over x in
// O(n + m), the two parts side by side when the sweeper is parallel: it
// reads only z and the sums, which are left as they were.
func (s *sweeper) finish() []float64 {
	g := s.g
	outTo, outW := g.outTo, g.outW[:len(g.outTo)]
	x, z := s.x, s.parts[0].z[:len(s.x)]
	off := g.outOff[:len(x)+1]
	k := 1 / s.sum()
	base := (s.alpha*(s.parts[0].dang+s.parts[1].dang) + (1-s.alpha)*s.sum()) / float64(len(x))
	step := func(lo, hi int) {
		for u := lo; u < hi; u++ {
			x[u] = (s.alpha*rowDot(outTo, outW, z, int(off[u]), int(off[u+1])) + base) * k
		}
	}
	s.both(func(p *sweepPart) { step(p.lo, p.hi) })
	return x
}
