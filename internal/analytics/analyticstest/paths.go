// Package analyticstest holds a reference strongest-path search for tests:
// the oracle that package paths' searches are checked against. It is a
// plain Dijkstra over analytics.Graph's exported API with container/heap,
// sharing no search code (nor heap) with the code it checks; its own tests,
// against gonum and brute force, are in package analytics.
package analyticstest

import (
	"container/heap"
	"fmt"
	"math"
	"slices"

	"github.com/kolgraph/kolgraph/internal/analytics"
)

// tieEpsilon is the tolerance, in nats of -ln(weight), within which
// PathSearcher counts two path lengths as equal (a relative difference of
// about 1e-9 in strength).
const tieEpsilon = 1e-9

// PathSearcher finds strongest paths (shortest under length -ln w, lengths
// equal within tieEpsilon, ties broken by fewer hops) from one or
// more sources, optionally within a hop limit and around banned nodes and
// edges. It keeps its buffers between searches.
//
// A PathSearcher is not safe for concurrent use; use one per goroutine.
type PathSearcher struct {
	g *analytics.Graph
	n int

	// Plain (unlimited hops) search.
	dist    []float64
	hops    []int32
	pred    []int32 // edge id, -1 for a source
	done    []bool
	touched []int32

	// Hop-limited search: state s = h*n + v is "v reached in exactly h hops".
	limit    int // hop limit of the last search; 0 = plain
	lst      []lstate
	minHop   []int32 // per node: fewest hops among its settled states
	best     []int32 // per node: layer of its best settled state, -1 if none
	ltouched []int32
	ntouched []int32

	heap items // lazy deletion: stale entries are skipped when popped

	// Bans: banned while stamp == epoch.
	epoch uint32
	banN  []uint32
	banE  []uint32
}

type lstate struct {
	dist float64
	pred int32 // edge id, -1 for a source
}

// item is a heap entry: tentative length d and hop count h of node v.
type item struct {
	d float64
	h int32
	v int32
}

// items is a container/heap min-heap ordered by (length, hops).
type items []item

func (q items) Len() int { return len(q) }
func (q items) Less(i, j int) bool {
	return q[i].d < q[j].d || (q[i].d == q[j].d && q[i].h < q[j].h)
}
func (q items) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *items) Push(x any)   { *q = append(*q, x.(item)) }
func (q *items) Pop() any {
	old := *q
	it := old[len(old)-1]
	*q = old[:len(old)-1]
	return it
}

// NewPathSearcher returns a searcher for g with buffers of O(n) memory.
func NewPathSearcher(g *analytics.Graph) *PathSearcher {
	n := g.Nodes()
	s := &PathSearcher{g: g, n: n, dist: make([]float64, n), hops: make([]int32, n), pred: make([]int32, n),
		done: make([]bool, n), epoch: 1}
	for i := range n {
		s.dist[i], s.hops[i], s.pred[i] = math.Inf(1), math.MaxInt32, -1
	}
	return s
}

func (s *PathSearcher) checkNode(fn string, v int32) {
	if v < 0 || int(v) >= s.n {
		panic(fmt.Sprintf("analyticstest: %s: node %d outside [0,%d)", fn, v, s.n))
	}
}

// BanNode excludes v from the following searches until ClearBans: no path
// enters or starts at it.
func (s *PathSearcher) BanNode(v int32) {
	s.checkNode("BanNode", v)
	if s.banN == nil {
		s.banN = make([]uint32, s.n)
	}
	s.banN[v] = s.epoch
}

// BanEdge excludes edge e (an id from Graph.OutEdges or EdgeBetween) from the
// following searches until ClearBans.
func (s *PathSearcher) BanEdge(e int32) {
	if e < 0 || int(e) >= s.g.Edges() {
		panic(fmt.Sprintf("analyticstest: BanEdge: edge id %d outside [0,%d)", e, s.g.Edges()))
	}
	if s.banE == nil {
		s.banE = make([]uint32, s.g.Edges())
	}
	s.banE[e] = s.epoch
}

// ClearBans lifts every ban, in O(1).
func (s *PathSearcher) ClearBans() {
	s.epoch++
	if s.epoch == 0 { // wrapped: old stamps could match again
		clear(s.banN)
		clear(s.banE)
		s.epoch = 1
	}
}

func (s *PathSearcher) nodeBanned(v int32) bool { return s.banN != nil && s.banN[v] == s.epoch }
func (s *PathSearcher) edgeBanned(e int32) bool { return s.banE != nil && s.banE[e] == s.epoch }

// Search computes the strongest paths from sources (all at strength 1) to
// every node, using at most maxHops edges (0 means no limit). Afterwards
// Dist, Strength, Hops, Path and PathEdges answer for any node.
//
// Without a hop limit it is Dijkstra's algorithm; with a limit H it is
// Dijkstra over (node, hops) states, pruned so that a node is expanded again
// only with fewer hops than before: O(H (n + m) log(Hn)).
func (s *PathSearcher) Search(sources []int32, maxHops int) {
	s.search(sources, -1, maxHops)
}

// SearchTo is Search that stops as soon as target's strongest path is known
// and returns its length -ln(strength) (false if target is unreachable).
// Nodes settled before target keep valid answers; others report unreached.
func (s *PathSearcher) SearchTo(sources []int32, target int32, maxHops int) (float64, bool) {
	s.checkNode("SearchTo", target)
	s.search(sources, target, maxHops)
	return s.Dist(target), s.Reached(target)
}

func (s *PathSearcher) search(sources []int32, target int32, maxHops int) {
	if maxHops < 0 {
		panic(fmt.Sprintf("analyticstest: Search: negative hop limit %d", maxHops))
	}
	for _, src := range sources {
		s.checkNode("Search", src)
	}
	s.reset()
	if maxHops > 0 && maxHops < s.n-1 { // a simple path has at most n-1 edges
		s.searchLimited(sources, target, maxHops)
		return
	}
	s.limit = 0
	g, dist, hops, pred, done := s.g, s.dist, s.hops, s.pred, s.done
	for _, src := range sources {
		if s.nodeBanned(src) || dist[src] == 0 {
			continue
		}
		dist[src], hops[src], pred[src] = 0, 0, -1
		s.touched = append(s.touched, src)
		heap.Push(&s.heap, item{0, 0, src})
	}
	for s.heap.Len() > 0 {
		it := heap.Pop(&s.heap).(item)
		v := it.v
		if done[v] || it.d != dist[v] || it.h != hops[v] {
			continue // stale
		}
		done[v] = true
		if v == target {
			return
		}
		nh := it.h + 1
		lo, hi := g.OutEdges(v)
		for e := lo; e < hi; e++ {
			w := g.Target(e)
			nd := it.d + g.Length(e)
			dw := dist[w]
			if nd > dw+tieEpsilon || done[w] {
				continue
			}
			if !(nd < dw-tieEpsilon || nh < hops[w]) {
				continue
			}
			if s.nodeBanned(w) || s.edgeBanned(e) {
				continue
			}
			if hops[w] == math.MaxInt32 {
				s.touched = append(s.touched, w)
			}
			dist[w], hops[w], pred[w] = nd, nh, e
			heap.Push(&s.heap, item{nd, nh, w})
		}
	}
}

func (s *PathSearcher) searchLimited(sources []int32, target int32, limit int) {
	g, n := s.g, s.n
	s.limit = limit
	layers := limit + 1
	if len(s.lst) < layers*n {
		old := len(s.lst)
		s.lst = slices.Grow(s.lst, layers*n-old)[:layers*n]
		for i := old; i < len(s.lst); i++ {
			s.lst[i] = lstate{dist: math.Inf(1), pred: -1}
		}
	}
	if s.minHop == nil {
		s.minHop = make([]int32, n)
		s.best = make([]int32, n)
		for i := range s.best {
			s.minHop[i] = math.MaxInt32
			s.best[i] = -1
		}
	}
	lst, minHop, best := s.lst, s.minHop, s.best
	for _, src := range sources {
		if s.nodeBanned(src) || lst[src].dist == 0 {
			continue
		}
		lst[src] = lstate{dist: 0, pred: -1}
		s.ltouched = append(s.ltouched, src)
		heap.Push(&s.heap, item{0, 0, src})
	}
	for s.heap.Len() > 0 {
		it := heap.Pop(&s.heap).(item)
		v, h := it.v, it.h
		if it.d != lst[int(h)*n+int(v)].dist || h >= minHop[v] {
			continue // stale, or dominated by a settled state with fewer hops
		}
		if minHop[v] == math.MaxInt32 {
			s.ntouched = append(s.ntouched, v)
		}
		minHop[v] = h
		if b := best[v]; b < 0 {
			best[v] = h
		} else if it.d <= lst[int(b)*n+int(v)].dist+tieEpsilon {
			best[v] = h // as strong within the tolerance, fewer hops
		}
		if v == target {
			return
		}
		if int(h) == limit {
			continue
		}
		nh := h + 1
		base := int(nh) * n
		lo, hi := g.OutEdges(v)
		for e := lo; e < hi; e++ {
			w := g.Target(e)
			if nh >= minHop[w] || s.nodeBanned(w) || s.edgeBanned(e) {
				continue
			}
			nd := it.d + g.Length(e)
			p := &lst[base+int(w)]
			if nd < p.dist {
				if math.IsInf(p.dist, 1) {
					s.ltouched = append(s.ltouched, int32(base)+w)
				}
				*p = lstate{dist: nd, pred: e}
				heap.Push(&s.heap, item{nd, nh, w})
			}
		}
	}
}

// reset clears what the previous search touched.
func (s *PathSearcher) reset() {
	s.heap = s.heap[:0]
	for _, v := range s.touched {
		s.dist[v], s.hops[v], s.pred[v] = math.Inf(1), math.MaxInt32, -1
		s.done[v] = false
	}
	s.touched = s.touched[:0]
	for _, i := range s.ltouched {
		s.lst[i] = lstate{dist: math.Inf(1), pred: -1}
	}
	s.ltouched = s.ltouched[:0]
	for _, v := range s.ntouched {
		s.minHop[v] = math.MaxInt32
		s.best[v] = -1
	}
	s.ntouched = s.ntouched[:0]
}

// Reached reports whether the last search found a path to v.
func (s *PathSearcher) Reached(v int32) bool {
	if s.limit > 0 {
		return s.best[v] >= 0
	}
	return s.done[v]
}

// Dist returns the length -ln(strength) of the strongest path the last
// search found to v, or +Inf.
func (s *PathSearcher) Dist(v int32) float64 {
	if !s.Reached(v) {
		return math.Inf(1)
	}
	if s.limit > 0 {
		return s.lst[int(s.best[v])*s.n+int(v)].dist
	}
	return s.dist[v]
}

// Strength returns the product of the weights along the strongest path to v,
// exp(-Dist(v)), or 0 if v was not reached.
func (s *PathSearcher) Strength(v int32) float64 { return math.Exp(-s.Dist(v)) }

// Hops returns the number of edges of the path to v, or -1 if v was not
// reached.
func (s *PathSearcher) Hops(v int32) int {
	if !s.Reached(v) {
		return -1
	}
	if s.limit > 0 {
		return int(s.best[v])
	}
	return int(s.hops[v])
}

// PathEdges appends to buf the ids of the edges of the path to v, from its
// source to v, and returns it; nil if v was not reached.
func (s *PathSearcher) PathEdges(v int32, buf []int32) []int32 {
	if !s.Reached(v) {
		return nil
	}
	start := len(buf)
	if s.limit > 0 {
		for h := int(s.best[v]); h > 0; h-- {
			e := s.lst[h*s.n+int(v)].pred
			buf = append(buf, e)
			v = s.g.Source(e)
		}
	} else {
		for e := s.pred[v]; e >= 0; e = s.pred[v] {
			buf = append(buf, e)
			v = s.g.Source(e)
		}
	}
	slices.Reverse(buf[start:])
	return buf
}

// Path appends to buf the nodes of the path to v, from its source to v, and
// returns it; nil if v was not reached.
func (s *PathSearcher) Path(v int32, buf []int32) []int32 {
	if !s.Reached(v) {
		return nil
	}
	edges := s.PathEdges(v, nil)
	if len(edges) == 0 {
		return append(buf, v)
	}
	buf = append(buf, s.g.Source(edges[0]))
	for _, e := range edges {
		buf = append(buf, s.g.Target(e))
	}
	return buf
}

// StrongestPathsFrom returns, for every node, the length -ln(strength) of
// the strongest path from src (+Inf if unreachable; 0 for src) and its
// predecessor on that path (-1 for src and unreachable nodes).
func StrongestPathsFrom(g *analytics.Graph, src int32) (dist []float64, pred []int32) {
	s := NewPathSearcher(g)
	s.Search([]int32{src}, 0)
	n := g.Nodes()
	dist = make([]float64, n)
	pred = make([]int32, n)
	for v := range n {
		dist[v] = s.Dist(int32(v))
		pred[v] = -1
		if s.done[v] && s.pred[v] >= 0 {
			pred[v] = g.Source(s.pred[v])
		}
	}
	return dist, pred
}
