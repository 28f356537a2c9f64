package analytics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/kolgraph/kolgraph/internal/minheap"
)

// BetweennessOptions configures Betweenness.
type BetweennessOptions struct {
	// Sources is the number of sampled source nodes; 0, or n and above,
	// means exact (every node a source).
	Sources int
	// Seed fixes the sample; the same seed gives the same sample and
	// scores.
	Seed uint64
	// Workers is the number of goroutines; 0 or less means GOMAXPROCS.
	Workers int
	// Unnormalized returns the sums over ordered pairs (networkx
	// normalized=False on a directed graph) instead of dividing them by
	// (n-1)(n-2).
	Unnormalized bool
}

// BetweennessResult is the outcome of Betweenness.
type BetweennessResult struct {
	// Scores holds each node's betweenness, normalised unless asked
	// otherwise.
	Scores []float64
	// Exact is false when Scores are estimates from a sample of sources.
	Exact bool
	// Sources is the number of source nodes used.
	Sources int
	// Sampled lists the sampled source nodes; nil for exact results.
	Sampled []int32
	// StdErr holds, for sampled results with at least 3 sources, the
	// estimated standard error of each score, on the same scale as Scores
	// (sample variance of the per-source dependencies, with the finite
	// population correction). It is nil for exact results.
	StdErr []float64
	// ErrorBound is, for sampled results, how far any score may be from
	// its exact value: with about 95% confidence |Scores[v] - exact(v)| <=
	// ErrorBound for every v at once. It is z times the largest StdErr,
	// z the normal quantile of 1-0.025/n (Bonferroni over the n nodes;
	// about 4.2 at n = 2,000). With fewer than 3 sources it is the largest
	// possible score. 0 for exact results.
	ErrorBound float64
}

// DefaultBetweennessSources is a small sample size for scopes too large for
// exact betweenness, used by the benchmarks. It is not enough for every
// graph: on sparse influence networks a node's dependency comes from few
// sources, so the per-source spread grows with n and a fixed k gets rougher
// as n grows (on the seed's 2,093-HCP territory T02, 500 sources recover 8
// of the exact top 10).
const DefaultBetweennessSources = 500

// lanes is the fixed number of source lanes: source i is accumulated in lane
// i mod lanes, lanes are summed in order, so the result does not depend on
// the number of workers (which is capped at lanes).
const lanes = 16

// Betweenness returns Brandes betweenness centrality on the directed graph
// with edge length -ln(w) (the pinned BETWEENNESS metric):
//
//	B(v) = sum_{s != v != t} sigma_st(v) / sigma_st
//
// where sigma_st counts the shortest (strongest) s-t paths and sigma_st(v)
// those through v. Every shortest path counts, whatever its number of hops;
// two lengths are equal when they differ by at most TieRelative relative
// (igraph's way; networkx compares floats exactly and misses ties such as
// 0.5*0.4 against 0.2).
//
// Weight-1 edges have length 0. They count like any other edge, with one
// exception: a cycle of them (more precisely, a strongly connected set of
// the edges on shortest paths from s, which only edges of length 0, or
// below the tolerance, can form) would let equally short walks go round for
// ever. Inside such a set an edge v->w counts only when w is one hop further
// from s than v on their fewest-hop shortest paths: there, and only there,
// fewer hops win. This keeps path counts finite and independent of the
// order of the search, counts every shortest path when there is no such
// cycle, and gives a connected undirected graph (edges both ways) whose
// weights are all 1 hop-count betweenness (networkx's unweighted values).
//
// Normalised scores divide by (n-1)(n-2) as networkx does for directed
// graphs; for an undirected graph given as two directed edges per pair that
// also equals networkx's undirected normalisation, and the unnormalised sums
// are twice networkx's undirected values.
//
// With 0 < Sources < n it samples that many distinct sources uniformly with
// the seed and scales like networkx 3.6 betweenness_centrality(k=...): a node
// outside the sample is scaled by (n-1)/k, a sampled node (which cannot
// count itself) by (n-1)/(k-1), before normalisation. (Older networkx scaled
// by n/k.) The sample itself differs from networkx's for the same seed.
//
// Complexity: O(k (n + m) log n) time for k sources; per worker O(n) memory,
// plus one n-vector per lane (two when sampled).
func Betweenness(ctx context.Context, g *Graph, opts BetweennessOptions) (BetweennessResult, error) {
	n := g.n
	if opts.Sources < 0 {
		return BetweennessResult{}, fmt.Errorf("%w: betweenness sources %d negative", ErrInvalidOption, opts.Sources)
	}
	res := BetweennessResult{Exact: opts.Sources == 0 || opts.Sources >= n}
	var sources []int32
	var inSample []bool
	if res.Exact {
		sources = make([]int32, n)
		for i := range sources {
			sources[i] = int32(i)
		}
	} else {
		sources = sampleNodes(n, opts.Sources, opts.Seed)
		res.Sampled = sources
		inSample = make([]bool, n)
		for _, s := range sources {
			inSample[s] = true
		}
	}
	k := len(sources)
	res.Sources = k
	nl := min(lanes, max(k, 1))
	sum := make([][]float64, nl)
	var sumSq [][]float64
	if !res.Exact {
		sumSq = make([][]float64, nl)
	}
	var nextLane atomic.Int64
	var wg sync.WaitGroup
	yield := yielder(ctx)
	for range min(workerCount(opts.Workers), nl) {
		wg.Go(func() {
			b := newBrandes(n)
			for {
				l := int(nextLane.Add(1) - 1)
				if l >= nl {
					return
				}
				acc := make([]float64, n)
				var acc2 []float64
				if sumSq != nil {
					acc2 = make([]float64, n)
				}
				for i := l; i < k; i += nl {
					if ctx.Err() != nil {
						return
					}
					yield()
					b.run(g, sources[i], acc, acc2)
				}
				sum[l] = acc
				if sumSq != nil {
					sumSq[l] = acc2
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return BetweennessResult{}, err
	}
	total := make([]float64, n)
	for _, acc := range sum {
		for v, x := range acc {
			total[v] += x
		}
	}
	// Scale: estimate of the full sum, then the normalisation.
	norm := 1.0
	if !opts.Unnormalized && n > 2 {
		norm = 1 / (float64(n-1) * float64(n-2))
	}
	if res.Exact {
		for v := range total {
			total[v] *= norm
		}
		res.Scores = total
		return res, nil
	}
	res.ErrorBound = float64(n-1) * float64(n-2) * norm // nothing can be more wrong
	var total2 []float64
	if k >= 3 {
		total2 = make([]float64, n)
		for _, acc := range sumSq {
			for v, x := range acc {
				total2[v] += x
			}
		}
		res.StdErr = make([]float64, n)
	}
	N := float64(n - 1) // sources that can count for v: everyone else
	for v := range total {
		m := float64(k) // observations of v's dependency
		if inSample[v] {
			m--
		}
		if m < 1 {
			total[v] = 0 // a lone sampled source says nothing about itself
			continue
		}
		mean := total[v] / m
		total[v] = N * mean * norm
		if total2 != nil {
			s2 := max(0, (total2[v]-m*mean*mean)/(m-1)) // sample variance
			res.StdErr[v] = N * math.Sqrt(max(0, 1-m/N)*s2/m) * norm
		}
	}
	res.Scores = total
	if res.StdErr != nil {
		z := math.Sqrt2 * math.Erfinv(1-0.05/float64(n))
		res.ErrorBound = z * slices.Max(res.StdErr)
	}
	return res, nil
}

// sampleNodes draws k distinct nodes of n uniformly (partial Fisher-Yates
// with a PCG seeded by seed).
func sampleNodes(n, k int, seed uint64) []int32 {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	perm := make([]int32, n)
	for i := range perm {
		perm[i] = int32(i)
	}
	for i := range k {
		j := i + rng.IntN(n-i)
		perm[i], perm[j] = perm[j], perm[i]
	}
	return perm[:k:k]
}

// tieKeep is 1-TieRelative: nd is longer than d beyond the tolerance when
// nd*tieKeep > d, and shorter when nd < d*tieKeep.
const tieKeep = 1 - TieRelative

// bstate is a node's search state in one Brandes pass; rank is its position
// in settle order, -1 while unsettled. hops only orders the heap among equal
// lengths (so chains of weight-1 edges tend to settle in path order); it
// never decides which paths count.
type bstate struct {
	dist float64
	hops int32
	rank int32
}

// brandes holds one worker's reusable buffers.
type brandes struct {
	st     []bstate
	sc     []float64 // sigma during the forward pass, then (1+delta)/sigma
	order  []int32   // nodes in settle order, then in path (topological) order
	cand   []cand    // relaxations that reached a node's best length, grouped by order
	dag    []int32   // successors on shortest paths, grouped by order
	dagEnd []int32   // dagEnd[i]: end in dag of the successors of order[i]
	back   []backTie // tie edges into nodes settled earlier (lengths 0 only)
	heap   minheap.Heap[float64]
	fix    *fixup // buffers of reorder, made on first use
}

// cand is a relaxation v->w offering length d in h hops that was not longer,
// within TieRelative, than w's tentative length at the time.
type cand struct {
	d float64
	w int32
	h int32
}

// backTie is a tie edge from the node settled at rank from to the node w,
// which was settled before it.
type backTie struct {
	from int32
	w    int32
}

func newBrandes(n int) *brandes {
	b := &brandes{st: make([]bstate, n), sc: make([]float64, n), order: make([]int32, 0, n),
		dagEnd: make([]int32, n), heap: newNodeHeap(n)}
	for i := range b.st {
		b.st[i] = bstate{dist: math.Inf(1), hops: math.MaxInt32, rank: -1}
	}
	return b
}

// run adds source s's dependencies delta_s(v) to acc (and their squares to
// acc2 unless nil).
//
// Dijkstra gives the lengths d and a settle order. The tie edges of s are
// the edges v->w with d(v)+len(v,w) equal to d(w) within TieRelative, tested
// on final lengths, so whatever the order of relaxations; every shortest
// path is a path of tie edges and every path of tie edges is a shortest
// path. Dijkstra records the relaxations that may be tie edges as it goes
// (one into an unsettled node was no longer than its tentative length, which
// is never below the final one; one into a settled node tied with its final
// length), so there is no second pass over the edges.
//
// Normally every tie edge leads from a node settled earlier to one settled
// later: a positive length makes d(w) > d(v). Only edges of length 0 (weight
// 1), or below the tolerance, join nodes of equal length, in either
// direction; when some tie edge leads back in settle order, reorder finds a
// path order and applies the rule for cycles of such edges. Path counts and
// dependencies then run over the tie edges in that order:
//
//	sigma(w) = sum over tie predecessors v of sigma(v)
//	delta(v) = sigma(v) * sum over tie successors w of (1 + delta(w)) / sigma(w)
func (b *brandes) run(g *Graph, s int32, acc, acc2 []float64) {
	outOff, outTo, outCost := g.outOff, g.outTo, g.outCost
	st, sc := b.st, b.sc
	order := b.order[:0]
	cands := b.cand[:0]
	b.back = b.back[:0]
	dagEnd := b.dagEnd
	q := &b.heap
	st[s] = bstate{dist: 0, hops: 0, rank: -1}
	q.Set(hitem{Key: 0, Hops: 0, ID: s})
	for q.Len() > 0 {
		it := q.Pop()
		v := it.ID
		st[v].rank = int32(len(order))
		e0, e1 := outOff[v], outOff[v+1]
		to := outTo[e0:e1]
		cost := outCost[e0:e1]
		cost = cost[:len(to)]
		nh := it.Hops + 1
		for i, w := range to {
			r := &st[w]
			nd := it.Key + cost[i]
			if nd*tieKeep > r.dist {
				continue // longer: the common case
			}
			if r.rank >= 0 { // settled at the same length: rare
				b.back = append(b.back, backTie{int32(len(order)), w})
				continue
			}
			cands = append(cands, cand{nd, w, nh})
			if nd < r.dist*tieKeep || nh < r.hops {
				if nd < r.dist { // a tentative length never grows, not even by a tie
					r.dist = nd
				}
				r.hops = nh
				q.Set(hitem{Key: r.dist, Hops: nh, ID: w})
			}
		}
		dagEnd[len(order)] = int32(len(cands)) // candidates end, for now
		order = append(order, v)
	}
	// Keep the candidates that are tie edges, in place. A candidate is
	// never shorter than d(w) beyond the tolerance (it was not shorter than
	// the tentative length then, which is at least d(w)), so one side of
	// the comparison is enough.
	dag := b.dag[:0]
	start := int32(0)
	for i := range order {
		for _, c := range cands[start:dagEnd[i]] {
			if c.d*tieKeep <= st[c.w].dist {
				dag = append(dag, c.w)
			}
		}
		start = dagEnd[i]
		dagEnd[i] = int32(len(dag))
	}
	if len(b.back) > 0 {
		if b.fix == nil {
			b.fix = &fixup{}
		}
		dag = b.fix.reorder(st, order, dag, dagEnd, b.back)
	}
	// Path counts, in path order.
	sc[s] = 1
	start = 0
	for i, v := range order {
		end := dagEnd[i]
		sv := sc[v]
		for _, w := range dag[start:end] {
			sc[w] += sv
		}
		start = end
	}
	// Dependencies, in reverse path order.
	for i := len(order) - 1; i >= 0; i-- {
		v := order[i]
		start := int32(0)
		if i > 0 {
			start = dagEnd[i-1]
		}
		var c float64
		for _, w := range dag[start:dagEnd[i]] {
			c += sc[w]
		}
		sigma := sc[v]
		delta := sigma * c
		if v != s {
			acc[v] += delta
			if acc2 != nil {
				acc2[v] += delta * delta
			}
		}
		sc[v] = (1 + delta) / sigma
	}
	for _, v := range order {
		st[v] = bstate{dist: math.Inf(1), hops: math.MaxInt32, rank: -1}
		sc[v] = 0
	}
	b.order = order
	b.cand = cands
	b.dag = dag
}
