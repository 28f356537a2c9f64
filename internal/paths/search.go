package paths

import (
	"context"
	"math"
	"slices"
	"sync"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/minheap"
)

// inf is the length of no path. Lengths stay below 2^62 (see lengthScale),
// so inf plus an edge neither overflows nor beats a real length.
const inf = 1 << 62

// Searcher answers path queries on one graph, keeping its buffers (O(n)
// plus O(H n) for the heuristic table, H the hop limit) between queries, so
// a query costs time proportional to what it explores after the first. It is
// not safe for concurrent use; the package-level functions pool Searchers.
type Searcher struct {
	g *analytics.Graph
	n int

	// Per query. Stamped arrays are "set" while they hold the current epoch.
	nd      []nodeInfo
	epoch   uint32 // of nodeInfo.avoid and want
	rootEp  uint32 // of nodeInfo.root
	gTouch  []int32
	srcIdx  []int32 // index in srcs, -1
	srcs    []int32
	srcG    []int64   // fixed-point source costs
	srcF    []float64 // float source costs
	target  int32     // sink of the search, -1 for none
	full    uint8     // mask with every via group
	maxHops int
	bound   int64 // prune states whose f exceeds it

	// Heuristic of KStrongest: hr[r*n+v] is the fixed-point length of the
	// shortest walk from v to the target with at most r edges (inf if
	// none). nil for StrongestEach: heuristic 0, plain Dijkstra.
	hr     []int64
	hrBuf  []int64
	mark   []uint32
	markEp uint32
	front  []int32
	next   []int32

	// Search states; those of one node are chained from nodeInfo.head.
	st   []state
	hTch []int32
	// Plain multi-source Dijkstra (no heuristic, no via) pops in (g, hops)
	// order, so a settled state dominates every later one of its node with
	// more hops: nodeInfo.minDone, the fewest hops settled at the node,
	// prunes them with one read; doneG[v], the length of that state, prunes
	// those with as many hops that do not tie with it.
	plain bool
	doneG []int64
	pq    minheap.Heap[int64] // lazy deletion: stale entries are skipped when popped
	want  []uint32            // StrongestEach targets not yet settled
	chain []int32

	// KStrongest.
	cands    []cand
	cheap    candHeap
	arena    []int32
	walks    []walk
	goals    []int32
	pool     []int32
	children []int32
	topL     []int64
	prefix   []int64
	seen     []uint32
	seenEp   uint32

	stats Stats
}

// Stats counts the work of a Searcher's last query.
type Stats struct {
	EdgesScanned int64 // edges relaxed, by the heuristic and the searches
	Searches     int   // searches run (1 + the spur searches of KStrongest)
	States       int   // search states created
}

// Stats returns the counts of the last query.
func (s *Searcher) Stats() Stats { return s.stats }

// nodeInfo is what the inner loop reads of a node, in one place: 16 bytes,
// one cache miss per relaxation.
type nodeInfo struct {
	head    int32  // first search state of the node, -1
	avoid   uint32 // == epoch: avoided
	root    uint32 // == rootEp: on the current spur's root
	groups  uint8  // via-group bits
	minDone uint8  // fewest hops of a settled state (plain search)
}

// state is "node reached with hops edges, having satisfied the via groups
// in mask, by a walk of fixed-point length g". 32 bytes.
type state struct {
	g    int64
	node int32
	pred int32 // state index, -1 for a start state
	next int32 // next state of the same node, -1
	hops uint8
	mask uint8
	done bool
}

// NewSearcher returns a Searcher for g with O(n) buffers.
func NewSearcher(g *analytics.Graph) *Searcher {
	n := g.Nodes()
	s := &Searcher{
		g: g, n: n, target: -1, nd: make([]nodeInfo, n),
		srcIdx: make([]int32, n), want: make([]uint32, n), mark: make([]uint32, n), seen: make([]uint32, n),
		doneG: make([]int64, n), pq: minheap.New[int64](),
	}
	s.cheap.s = s
	for i := range n {
		s.srcIdx[i] = -1
		s.nd[i] = nodeInfo{head: -1, minDone: math.MaxUint8}
	}
	return s
}

var pool sync.Pool // *Searcher

func acquire(g *analytics.Graph) *Searcher {
	if s, ok := pool.Get().(*Searcher); ok && s.g == g {
		return s
	}
	return NewSearcher(g)
}

func release(s *Searcher) { pool.Put(s) }

// bump advances a stamp epoch, clearing its arrays when it wraps.
func bump(ep *uint32, arrays ...[]uint32) {
	*ep++
	if *ep == 0 {
		for _, a := range arrays {
			clear(a)
		}
		*ep = 1
	}
}

// bumpRoot starts a new root (no node on it).
func (s *Searcher) bumpRoot() {
	s.rootEp++
	if s.rootEp == 0 {
		for i := range s.nd {
			s.nd[i].root = 0
		}
		s.rootEp = 1
	}
}

// prepare loads q's avoid set, via groups and sources. dropTarget removes
// the target from the sources. It reports false when no path can exist
// (every source avoided, an unsatisfiable via group).
func (s *Searcher) prepare(q *Query, dropTarget bool) (bool, error) {
	s.stats = Stats{}
	bump(&s.epoch, s.want)
	if s.epoch == 1 {
		for i := range s.nd {
			s.nd[i].avoid = 0
		}
	}
	for _, v := range q.Avoid {
		s.nd[v].avoid = s.epoch
	}
	s.maxHops = q.MaxHops
	s.full = uint8(1)<<len(q.Via) - 1
	ok := true
	for j, set := range q.Via {
		usable := false
		for _, v := range set {
			if s.nd[v].avoid == s.epoch {
				continue
			}
			if s.nd[v].groups == 0 {
				s.gTouch = append(s.gTouch, v)
			}
			s.nd[v].groups |= 1 << j
			usable = true
		}
		ok = ok && usable
	}
	onlyTarget := true
	for i, v := range q.Sources {
		if dropTarget && v == q.Target {
			continue
		}
		onlyTarget = false
		if s.nd[v].avoid == s.epoch {
			continue
		}
		c := 0.0
		if q.SourceCost != nil {
			c = q.SourceCost[i]
		}
		if j := s.srcIdx[v]; j >= 0 {
			if c < s.srcF[j] {
				s.srcF[j], s.srcG[j] = c, fixed(c)
			}
			continue
		}
		s.srcIdx[v] = int32(len(s.srcs))
		s.srcs = append(s.srcs, v)
		s.srcF = append(s.srcF, c)
		s.srcG = append(s.srcG, fixed(c))
	}
	if dropTarget && onlyTarget {
		return false, invalid("the target %d is the only source", q.Target)
	}
	return ok && len(s.srcs) > 0, nil
}

// finish undoes prepare.
func (s *Searcher) finish() {
	for _, v := range s.gTouch {
		s.nd[v].groups = 0
	}
	s.gTouch = s.gTouch[:0]
	for _, v := range s.srcs {
		s.srcIdx[v] = -1
	}
	s.srcs, s.srcG, s.srcF = s.srcs[:0], s.srcG[:0], s.srcF[:0]
	s.hr = nil
	s.target = -1
	s.plain = false
	s.resetStates()
}

// buildHeuristic fills hr for s.target by a reverse layered Bellman-Ford
// over non-avoided nodes: layer r from layer r-1 along in-edges, pushed from
// the nodes that improved in layer r-1 while they are few, pulled along
// every out-edge once they are many. O(H m) time at worst, O(H n) memory.
func (s *Searcher) buildHeuristic(ctx context.Context) error {
	n, H, g, t := s.n, s.maxHops, s.g, s.target
	size := (H + 1) * n
	if cap(s.hrBuf) < size {
		s.hrBuf = make([]int64, size)
	}
	hr := s.hrBuf[:size]
	l0 := hr[:n]
	for i := range l0 {
		l0[i] = inf
	}
	l0[t] = 0
	front := append(s.front[:0], t)
	m := g.Edges()
	for r := 1; r <= H; r++ {
		prev, cur := hr[(r-1)*n:r*n], hr[r*n:(r+1)*n]
		copy(cur, prev)
		if len(front) == 0 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		work := 0
		for _, w := range front {
			from, _ := g.InNeighbors(w)
			work += len(from)
		}
		if work < m/4 {
			s.stats.EdgesScanned += int64(work)
		} else {
			s.stats.EdgesScanned += int64(m)
		}
		next := s.next[:0]
		if work < m/4 {
			bump(&s.markEp, s.mark)
			for _, w := range front {
				hw := prev[w]
				from, edges := g.InNeighbors(w)
				for i, v := range from {
					if s.nd[v].avoid == s.epoch {
						continue
					}
					c := hw + fixed(g.Length(edges[i]))
					if c < cur[v] {
						cur[v] = c
						if s.mark[v] != s.markEp {
							s.mark[v] = s.markEp
							next = append(next, v)
						}
					}
				}
			}
		} else {
			for v := range int32(n) {
				if v&4095 == 0 {
					if err := ctx.Err(); err != nil {
						return err
					}
				}
				if s.nd[v].avoid == s.epoch {
					continue
				}
				best := cur[v]
				lo, hi := g.OutEdges(v)
				for e := lo; e < hi; e++ {
					if c := prev[g.Target(e)] + fixed(g.Length(e)); c < best {
						best = c
					}
				}
				if best < cur[v] {
					cur[v] = best
					next = append(next, v)
				}
			}
		}
		s.front, s.next = next, front
		front = next
	}
	s.hr = hr
	return nil
}

// resetStates clears the states of the last search.
func (s *Searcher) resetStates() {
	s.stats.States += len(s.st)
	for _, v := range s.hTch {
		s.nd[v].head, s.nd[v].minDone = -1, math.MaxUint8
	}
	s.hTch = s.hTch[:0]
	s.st = s.st[:0]
	s.pq.Reset()
}

// heur is the heuristic of node v reached with h hops: a lower bound on the
// length still to go, inf if the target is out of reach in the hops left.
func (s *Searcher) heur(v int32, h int) int64 {
	if s.hr == nil {
		return 0
	}
	return s.hr[(s.maxHops-h)*s.n+int(v)]
}

// offer proposes the state (w, h, m) at length g, reached from state pred.
// It is dropped when out of reach, above the bound, or dominated by a state
// x of w (see dominated). A state it dominates that has the same hops and
// mask and is not yet settled is replaced in place; otherwise it is added
// beside the others, so a node may hold several states of the same hops
// and mask whose lengths tie (package doc, "Order and ties").
func (s *Searcher) offer(w int32, h int, m uint8, g int64, pred int32) {
	if s.plain {
		if md := int(s.nd[w].minDone); h > md || (h == md && g-s.doneG[w] > tieFixed) {
			return
		}
	}
	hw := s.heur(w, h)
	if hw == inf {
		return
	}
	f := g + hw
	if f > s.bound {
		return
	}
	same := int32(-1)
	for i := s.nd[w].head; i >= 0; i = s.st[i].next {
		x := &s.st[i]
		xh := int(x.hops)
		if x.mask&m == m && xh <= h && x.g <= g {
			if xh < h || g-x.g > tieFixed || !s.lexLess(pred, x.pred) {
				return
			}
			// A tie with x, and the new walk is lexicographically smaller.
			if x.mask == m && xh == h && x.g == g && !x.done {
				same = i
			}
			continue
		}
		if x.mask == m && xh == h && !x.done && g < x.g && (x.g-g > tieFixed || s.lexLess(pred, x.pred)) {
			same = i
		}
	}
	if same >= 0 {
		x := &s.st[same]
		push := g < x.g
		x.g, x.pred = g, pred
		if push {
			s.pq.Push(qitem{Key: f, Hops: int32(h), ID: same})
		}
		return
	}
	idx := int32(len(s.st))
	if s.nd[w].head < 0 {
		s.hTch = append(s.hTch, w)
	}
	s.st = append(s.st, state{g: g, node: w, pred: pred, next: s.nd[w].head, hops: uint8(h), mask: m})
	s.nd[w].head = idx
	s.pq.Push(qitem{Key: f, Hops: int32(h), ID: idx})
}

// lexLess reports whether the walk to state a precedes the walk to state b
// (same hop count) lexicographically from the source: walking both back,
// the last difference seen is the first from the front. Equal walks, and a
// start state against anything, are not less.
func (s *Searcher) lexLess(a, b int32) bool {
	less := false
	for a != b && a >= 0 && b >= 0 {
		na, nb := s.st[a].node, s.st[b].node
		if na != nb {
			less = na < nb
		}
		a, b = s.st[a].pred, s.st[b].pred
	}
	return less
}

// dominated reports whether another state y of the same node dominates
// state x = idx: y has a superset of x's via groups, no more hops and no
// more length, and either fewer hops, or a length shorter by more than the
// tie tolerance, or (the lengths tie) a lexicographically smaller walk.
// Every completion of x is then also one of y that comes first in the
// order of the package doc, or one shorter than the subproblem's least
// walk, which cannot exist.
func (s *Searcher) dominated(idx int32) bool {
	x := s.st[idx]
	for i := s.nd[x.node].head; i >= 0; i = s.st[i].next {
		y := &s.st[i]
		if i != idx && y.mask&x.mask == x.mask && y.hops <= x.hops && y.g <= x.g &&
			(y.hops < x.hops || x.g-y.g > tieFixed || s.lexLess(y.pred, x.pred)) {
			return true
		}
	}
	return false
}

// settle pops states in (f, hops) order, expanding each, until it settles
// a goal: a state of the target (only full-mask ones exist; the target is a
// sink) or the first full-mask state of a wanted node (expanded too). It
// returns the goal's index, or -1 once the heap is empty or holds nothing
// within the bound. Called again, it goes on where it stopped. The
// expansions of state banFrom skip the nodes in ban.
//
// With a consistent heuristic (0, or hr) this is A*, i.e. Dijkstra on
// reduced lengths: the goals come in order of length, and every walk to a
// goal that no other walk dominates (see dominated) is found: its states
// are kept, because a state that dominated one of them would give a walk
// before it.
func (s *Searcher) settle(ctx context.Context, banFrom int32, ban []int32) (int32, error) {
	g := s.g
	for pops := 0; s.pq.Len() > 0; pops++ {
		if pops&255 == 255 {
			if err := ctx.Err(); err != nil {
				return -1, err
			}
		}
		it := s.pq.Pop()
		if it.Key > s.bound {
			s.pq.Reset() // every entry left is above it too
			return -1, nil
		}
		x := &s.st[it.ID]
		if x.done || it.Key != x.g+s.heur(x.node, int(x.hops)) {
			continue // stale entry
		}
		x.done = true
		v, h, m, gx := x.node, int(x.hops), x.mask, x.g
		if s.plain {
			if md := int(s.nd[v].minDone); h > md || (h == md && (gx-s.doneG[v] > tieFixed || s.dominated(it.ID))) {
				continue
			}
			if h < int(s.nd[v].minDone) {
				s.nd[v].minDone, s.doneG[v] = uint8(h), gx
			}
		} else if s.dominated(it.ID) {
			continue
		}
		if v == s.target {
			return it.ID, nil
		}
		goal := s.want[v] == s.epoch && m == s.full
		if goal {
			s.want[v] = 0
		}
		if h < s.maxHops {
			lo, hi := g.OutEdges(v)
			s.stats.EdgesScanned += int64(hi - lo)
			for e := lo; e < hi; e++ {
				w := g.Target(e)
				if s.nd[w].avoid == s.epoch || s.nd[w].root == s.rootEp {
					continue
				}
				if it.ID == banFrom && slices.Contains(ban, w) {
					continue
				}
				nm := m | s.nd[w].groups
				if w == s.target && nm != s.full {
					continue
				}
				s.offer(w, h+1, nm, gx+fixed(g.Length(e)), it.ID)
			}
		}
		if goal {
			return it.ID, nil
		}
	}
	return -1, nil
}

// walkTo appends the nodes of the walk to state idx, from its start state.
func (s *Searcher) walkTo(buf []int32, idx int32) []int32 {
	start := len(buf)
	for ; idx >= 0; idx = s.st[idx].pred {
		buf = append(buf, s.st[idx].node)
	}
	slices.Reverse(buf[start:])
	return buf
}

// seedSources offers every source not in ban as a start state.
func (s *Searcher) seedSources(ban []int32) {
	for i, v := range s.srcs {
		if !slices.Contains(ban, v) {
			s.offer(v, 0, s.nd[v].groups, s.srcG[i], -1)
		}
	}
}

// pathOf builds the Path of a simple node sequence.
func (s *Searcher) pathOf(nodes []int32) Path {
	p := Path{Nodes: slices.Clone(nodes), Edges: make([]int32, len(nodes)-1)}
	p.Length = s.srcF[s.srcIdx[nodes[0]]]
	for i := range p.Edges {
		e, ok := s.g.EdgeBetween(nodes[i], nodes[i+1])
		if !ok {
			panic("paths: internal error: a path uses a missing edge")
		}
		p.Edges[i] = e
		p.Length += s.g.Length(e)
	}
	p.Strength = math.Exp(-p.Length)
	return p
}
