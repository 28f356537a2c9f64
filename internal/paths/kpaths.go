package paths

import (
	"container/heap"
	"context"
	"math"
	"slices"

	"github.com/kolgraph/kolgraph/internal/analytics"
)

// KStrongest returns up to q.K strongest simple paths from q.Sources to
// q.Target that honour q's hop limit, avoid set, via groups and minimum
// strength, strongest first, in the order of the package doc. It returns an
// error wrapping ErrInvalidQuery for a query out of range, ctx.Err() when
// ctx is done first, and an empty slice when no path exists.
//
// Complexity: a reverse Bellman-Ford over the nodes within H hops of the
// target, O(H m) at worst, then O(k H) spur searches (A* with an exact
// heuristic when nothing is banned, so usually a few states each) for H =
// MaxHops; O(H n) memory, pooled.
func KStrongest(ctx context.Context, g *analytics.Graph, q Query) ([]Path, error) {
	s := acquire(g)
	defer release(s)
	return s.KStrongest(ctx, q)
}

// StrongestEach returns, for each of targets, the strongest path from q's
// sources to it, or a zero Path (nil Nodes) if none is within q.MaxHops and
// q.MinStrength; q.Target and q.K are ignored and q.Via must be empty. A
// target that is also a source may be reached by the zero-hop path [target],
// of length its source cost: for a decision chain, a person the user already
// knows. Each path is the one KStrongest would put first (ties by the
// tolerance, then hops, then nodes; the zero-hop path has the fewest).
//
// Complexity: one multi-source Dijkstra over (node, hops) states, stopped
// once every target is settled and the tolerance passed:
// O(H (n + m) log(H n)) at worst.
func StrongestEach(ctx context.Context, g *analytics.Graph, q Query, targets []int32) ([]Path, error) {
	s := acquire(g)
	defer release(s)
	return s.StrongestEach(ctx, q, targets)
}

// KStrongest is the package-level KStrongest on s's graph.
func (s *Searcher) KStrongest(ctx context.Context, q Query) ([]Path, error) {
	if err := validate(s.n, &q, q.K, true); err != nil {
		return nil, err
	}
	return s.kStrongest(ctx, &q, q.K)
}

// Strongest returns the strongest path of q on s's graph (q.K is ignored)
// and whether there is one; errors as KStrongest.
func (s *Searcher) Strongest(ctx context.Context, q Query) (Path, bool, error) {
	if err := validate(s.n, &q, -1, true); err != nil {
		return Path{}, false, err
	}
	ps, err := s.kStrongest(ctx, &q, 1)
	if err != nil || len(ps) == 0 {
		return Path{}, false, err
	}
	return ps[0], true, nil
}

// StrongestEach is the package-level StrongestEach on s's graph.
func (s *Searcher) StrongestEach(ctx context.Context, q Query, targets []int32) ([]Path, error) {
	if err := validate(s.n, &q, -1, false); err != nil {
		return nil, err
	}
	if len(q.Via) > 0 {
		return nil, invalid("via groups are not supported for several targets")
	}
	for _, t := range targets {
		if t < 0 || int(t) >= s.n {
			return nil, invalid("target node %d outside [0,%d)", t, s.n)
		}
	}
	defer s.finish()
	out := make([]Path, len(targets))
	ok, err := s.prepare(&q, false)
	if err != nil || !ok {
		return out, err
	}
	s.bound = maxLength(q.MinStrength)
	s.plain = true
	s.bumpRoot()
	left := 0
	for _, t := range targets {
		if s.nd[t].avoid != s.epoch && s.want[t] != s.epoch {
			s.want[t] = s.epoch
			left++
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.stats.Searches++
	s.seedSources(nil)
	// The first state settled at a target has its least length; the walks
	// that tie with it are settled before the search passes that length
	// plus the tolerance.
	least := make(map[int32]int64, left)
	var last int64
	for ; left > 0; left-- {
		idx, err := s.settle(ctx, -1, nil)
		if err != nil {
			return nil, err
		}
		if idx < 0 {
			break
		}
		least[s.st[idx].node], last = s.st[idx].g, s.st[idx].g
	}
	if len(least) > 0 {
		s.bound = min(s.bound, last+tieFixed)
		if _, err := s.settle(ctx, -1, nil); err != nil {
			return nil, err
		}
	}
	for i, t := range targets {
		l, ok := least[t]
		if !ok {
			continue
		}
		// Of the walks that tie with the least, the fewest hops, then the
		// lexicographically least.
		best := int32(-1)
		for j := s.nd[t].head; j >= 0; j = s.st[j].next {
			x := &s.st[j]
			if !x.done || x.g > l+tieFixed {
				continue
			}
			if best < 0 || x.hops < s.st[best].hops || (x.hops == s.st[best].hops && s.lexLess(j, best)) {
				best = j
			}
		}
		s.chain = s.walkTo(s.chain[:0], best)
		if p := s.pathOf(s.chain); p.Strength >= q.MinStrength {
			out[i] = p
		}
	}
	return out, nil
}

// cand is a candidate of the Lawler-Yen loop. Each one stands for a
// subproblem: the walks that start with the root arena[off:off+dev+1]
// (empty for dev -1: any source) and do not continue to a node of
// arena[banOff:banOff+banLn] (a source, for dev -1). A lazy candidate has
// not been searched yet and lb is a lower bound; a resolved one holds the
// subproblem's least walk (in length, hops, node order), arena[off:off+ln],
// lb is its length, and walks[w0:w0+nw] are that walk and every other walk
// of the subproblem within the tie tolerance of it that none dominates.
type cand struct {
	lb            int64
	g0            int64 // lazy: length of the root
	off, ln       int32
	dev           int32
	banOff, banLn int32
	w0, nw        int32
	mask0         uint8 // lazy: via groups of the root
	kind          uint8
	inTop         bool // its lb is in topL
}

const (
	kindLazy uint8 = iota
	kindWalk       // its least walk visits a node twice: a lower bound
	kindPath       // its least walk is simple: a path
)

// walk is one walk a search found: arena[off:off+ln], of fixed-point
// length g.
type walk struct {
	off, ln int32
	g       int64
	simple  bool
}

func (s *Searcher) walkNodes(w int32) []int32 {
	x := s.walks[w]
	return s.arena[x.off : x.off+x.ln]
}

// walkBefore orders walks of tying lengths: fewer hops, then node order.
func (s *Searcher) walkBefore(a, b int32) bool {
	if s.walks[a].ln != s.walks[b].ln {
		return s.walks[a].ln < s.walks[b].ln
	}
	return slices.Compare(s.walkNodes(a), s.walkNodes(b)) < 0
}

// candLess orders candidates by length, lazy first on ties (a lazy one may
// hold an equally strong path that comes first), then hops and node
// sequence.
func (s *Searcher) candLess(i, j int32) bool {
	a, b := &s.cands[i], &s.cands[j]
	if a.lb != b.lb {
		return a.lb < b.lb
	}
	al, bl := a.kind == kindLazy, b.kind == kindLazy
	if al || bl {
		if al && bl {
			return i < j
		}
		return al
	}
	if a.ln != b.ln {
		return a.ln < b.ln
	}
	return slices.Compare(s.arena[a.off:a.off+a.ln], s.arena[b.off:b.off+b.ln]) < 0
}

// candHeap is the queue of candidates, their indices ordered by candLess.
// candLess compares whole candidate paths, not a key as minheap's order
// does, so this is a container/heap: a few pushes per spur search, off the
// hot loop.
type candHeap struct {
	s   *Searcher
	idx []int32
}

func (h *candHeap) Len() int           { return len(h.idx) }
func (h *candHeap) Less(i, j int) bool { return h.s.candLess(h.idx[i], h.idx[j]) }
func (h *candHeap) Swap(i, j int)      { h.idx[i], h.idx[j] = h.idx[j], h.idx[i] }
func (h *candHeap) Push(x any)         { h.idx = append(h.idx, x.(int32)) }
func (h *candHeap) Pop() any {
	x := h.idx[len(h.idx)-1]
	h.idx = h.idx[:len(h.idx)-1]
	return x
}

func (s *Searcher) pushCand(i int32) { heap.Push(&s.cheap, i) }
func (s *Searcher) popCand() int32   { return heap.Pop(&s.cheap).(int32) }

func (s *Searcher) addCand(c cand) int32 {
	s.cands = append(s.cands, c)
	return int32(len(s.cands) - 1)
}

// kStrongest runs the Lawler-Yen loop in classes of tying paths. The least
// remaining path (the anchor) is found as in Yen's algorithm: resolve lazy
// candidates and split walks until the least candidate is a path. Every
// remaining path within the tie tolerance of it then belongs to its class,
// and comes out before the longer ones in the order fewer hops, then node
// order: every candidate whose lower bound is within the class is
// resolved (each resolved candidate knows its walks that tie with its
// least), the class's first walk among them is returned (or, not simple,
// split off) and its subproblem branched, until the class has no walk left.
func (s *Searcher) kStrongest(ctx context.Context, q *Query, k int) ([]Path, error) {
	defer s.finish()
	ok, err := s.prepare(q, true)
	if err != nil {
		return nil, err
	}
	out := []Path{}
	if !ok || s.nd[q.Target].avoid == s.epoch {
		return out, nil
	}
	s.target = q.Target
	// The heuristic costs about one pass over the edges within MaxHops of
	// the target, cheap ones (no heap); a forward Dijkstra over (node, hops)
	// states costs several times more even for the first path.
	if err := s.buildHeuristic(ctx); err != nil {
		return nil, err
	}
	maxL := maxLength(q.MinStrength)
	s.cands, s.arena, s.topL, s.walks = s.cands[:0], s.arena[:0], s.topL[:0], s.walks[:0]
	s.cheap.idx = s.cheap.idx[:0]
	s.pushCand(s.addCand(cand{dev: -1, kind: kindLazy}))
	for len(out) < k {
		anchor, err := s.anchor(ctx, k-len(out), maxL, q.MinStrength)
		if err != nil {
			return nil, err
		}
		if anchor < 0 {
			break
		}
		if out, err = s.class(ctx, s.cands[anchor].lb+tieFixed, k, out, maxL, q.MinStrength); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// anchor resolves and splits candidates until the least is a path, and
// returns it (still in the heap), or -1 when no path is left within maxL.
func (s *Searcher) anchor(ctx context.Context, need int, maxL int64, minStrength float64) (int32, error) {
	for s.cheap.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return -1, err
		}
		top := s.cheap.idx[0]
		c := s.cands[top]
		if c.lb > maxL {
			return -1, nil
		}
		switch c.kind {
		case kindPath:
			return top, nil
		case kindLazy:
			s.popCand()
			r, err := s.resolve(ctx, c, s.resolveBound(need, maxL), minStrength)
			if err != nil {
				return -1, err
			}
			if r >= 0 {
				s.pushCand(r)
			}
		case kindWalk:
			s.popCand()
			for _, ch := range s.consume(top, c.w0, maxL) {
				s.pushCand(ch)
			}
		}
	}
	return -1, nil
}

// class returns, in order, the paths of the class of lengths up to b
// (appending to out, up to k in all), leaving the heap with the
// subproblems that hold no walk within b.
func (s *Searcher) class(ctx context.Context, b int64, k int, out []Path, maxL int64, minStrength float64) ([]Path, error) {
	pool := s.pool[:0]
	for s.cheap.Len() > 0 && s.cands[s.cheap.idx[0]].lb <= b {
		pool = append(pool, s.popCand())
	}
	for len(out) < k {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		for j := 0; j < len(pool); {
			c := s.cands[pool[j]]
			if c.kind != kindLazy {
				j++
				continue
			}
			pool[j] = pool[len(pool)-1]
			pool = pool[:len(pool)-1]
			r, err := s.resolve(ctx, c, s.resolveBound(k-len(out), maxL), minStrength)
			if err != nil {
				return nil, err
			}
			switch {
			case r < 0:
			case s.cands[r].lb <= b:
				pool = append(pool, r)
			default:
				s.pushCand(r)
			}
		}
		best, bestW, at := int32(-1), int32(-1), -1
		for j, ci := range pool {
			c := &s.cands[ci]
			for w := c.w0; w < c.w0+c.nw; w++ {
				if s.walks[w].g <= b && (bestW < 0 || s.walkBefore(w, bestW)) {
					best, bestW, at = ci, w, j
				}
			}
		}
		if best < 0 {
			break
		}
		pool = slices.Delete(pool, at, at+1)
		if s.walks[bestW].simple {
			if nodes := s.walkNodes(bestW); math.Exp(-s.floatLength(nodes)) >= minStrength {
				out = append(out, s.pathOf(nodes))
				if len(out) == k {
					break
				}
			}
		}
		for _, ch := range s.consume(best, bestW, maxL) {
			if s.cands[ch].lb <= b {
				pool = append(pool, ch)
			} else {
				s.pushCand(ch)
			}
		}
	}
	for _, ci := range pool {
		s.pushCand(ci)
	}
	s.pool = pool[:0]
	return out, nil
}

// resolveBound is the length above which a subproblem's walks cannot be
// among the need paths still wanted: need known paths are at most topL's
// need-th length, and a path longer than it plus the tolerance comes after
// all of them.
func (s *Searcher) resolveBound(need int, maxL int64) int64 {
	if len(s.topL) >= need {
		return min(maxL, s.topL[need-1]+tieFixed)
	}
	return maxL
}

// consume removes resolved candidate ci, split along its walk w: the
// subproblem minus w if w is a path, minus every walk through w's repeated
// prefix if it is not. It returns the new lazy candidates.
func (s *Searcher) consume(ci, w int32, maxL int64) []int32 {
	c := s.cands[ci]
	if c.inTop {
		if i, ok := slices.BinarySearch(s.topL, c.lb); ok {
			s.topL = slices.Delete(s.topL, i, i+1)
		}
		s.cands[ci].inTop = false
	}
	nodes := s.walkNodes(w)
	last := int32(len(nodes)) - 2
	if !s.walks[w].simple {
		bump(&s.seenEp, s.seen)
		r := int32(0)
		for _, v := range nodes {
			if s.seen[v] == s.seenEp {
				break
			}
			s.seen[v] = s.seenEp
			r++
		}
		last = r - 1
	}
	return s.branch(c, s.walks[w].off, last, maxL)
}

// resolve searches the subproblem of lazy candidate c for its least walk
// of length at most bound and every walk within the tie tolerance of it
// that none dominates, and adds them as a resolved candidate (-1: none).
func (s *Searcher) resolve(ctx context.Context, c cand, bound int64, minStrength float64) (int32, error) {
	root := s.arena[c.off : c.off+c.dev+1]
	ban := s.arena[c.banOff : c.banOff+c.banLn]
	s.resetStates()
	s.stats.Searches++
	s.bound = bound
	s.bumpRoot()
	for _, v := range root {
		s.nd[v].root = s.rootEp // the spur node too: a walk may not return to it
	}
	banFrom := int32(-1)
	if c.dev < 0 {
		s.seedSources(ban)
	} else {
		s.offer(root[c.dev], int(c.dev), c.mask0, c.g0, -1)
		banFrom = 0
	}
	goal, err := s.settle(ctx, banFrom, ban)
	if err != nil || goal < 0 {
		return -1, err
	}
	s.bound = min(s.bound, s.st[goal].g+tieFixed)
	goals := append(s.goals[:0], goal)
	for {
		idx, err := s.settle(ctx, banFrom, ban)
		if err != nil {
			return -1, err
		}
		if idx < 0 {
			break
		}
		goals = append(goals, idx)
	}
	s.goals = goals
	r := cand{lb: s.st[goal].g, dev: c.dev, banOff: c.banOff, banLn: c.banLn, w0: int32(len(s.walks)), nw: int32(len(goals))}
	for _, gi := range goals {
		off := int32(len(s.arena))
		s.arena = append(s.arena, root[:max(c.dev, 0)]...)
		s.arena = s.walkTo(s.arena, gi)
		w := walk{off: off, ln: int32(len(s.arena)) - off, g: s.st[gi].g, simple: true}
		bump(&s.seenEp, s.seen)
		for _, v := range s.arena[w.off : w.off+w.ln] {
			if s.seen[v] == s.seenEp {
				w.simple = false
				break
			}
			s.seen[v] = s.seenEp
		}
		s.walks = append(s.walks, w)
	}
	first := s.walks[r.w0]
	r.off, r.ln, r.kind = first.off, first.ln, kindWalk
	if first.simple {
		r.kind = kindPath
		if math.Exp(-s.floatLength(s.walkNodes(r.w0))) >= minStrength {
			i, _ := slices.BinarySearch(s.topL, r.lb)
			s.topL = slices.Insert(s.topL, i, r.lb)
			r.inTop = true
		}
	}
	return s.addCand(r), nil
}

// floatLength is the float length of a simple path: its source's cost plus
// its edges' lengths, added from the source on (as Path.Length).
func (s *Searcher) floatLength(nodes []int32) float64 {
	l := s.srcF[s.srcIdx[nodes[0]]]
	for i := range len(nodes) - 1 {
		e, _ := s.g.EdgeBetween(nodes[i], nodes[i+1])
		l += s.g.Length(e)
	}
	return l
}

// branch splits the subproblem of resolved candidate c, minus the walk at
// arena[off:] (one of c's walks), Lawler-style: for i = c.dev..last, the
// walks that share its first i+1 nodes and then leave it (plus, for i =
// c.dev, avoid c's bans). last is the index before the last node for a
// path, and before the first repeated node for a walk (longer roots are not
// simple). It returns the new lazy candidates.
func (s *Searcher) branch(c cand, off, last int32, maxL int64) []int32 {
	nodes := s.arena[off : off+last+2]
	// Root lengths and masks, from the source on.
	s.prefix = s.prefix[:0]
	var g int64
	var m uint8
	for i := int32(0); i <= last; i++ {
		v := nodes[i]
		if i == 0 {
			g = s.srcG[s.srcIdx[v]]
		} else {
			e, _ := s.g.EdgeBetween(nodes[i-1], v)
			g += fixed(s.g.Length(e))
		}
		m |= s.nd[v].groups
		s.prefix = append(s.prefix, g, int64(m))
	}
	s.children = s.children[:0]
	for i := c.dev; i <= last; i++ {
		lb := c.lb // a subset of c's subproblem: no shorter
		var g0 int64
		var m0 uint8
		if i >= 0 {
			g0, m0 = s.prefix[2*i], uint8(s.prefix[2*i+1])
			h := s.heur(nodes[i], int(i))
			if h == inf {
				continue
			}
			lb = max(lb, g0+h)
		}
		if lb > maxL {
			continue
		}
		banOff := int32(len(s.arena))
		s.arena = append(s.arena, s.arena[off+i+1])
		if i == c.dev {
			s.arena = append(s.arena, s.arena[c.banOff:c.banOff+c.banLn]...)
		}
		s.children = append(s.children, s.addCand(cand{lb: lb, g0: g0, mask0: m0, off: off, ln: i + 1, dev: i,
			banOff: banOff, banLn: int32(len(s.arena)) - banOff, kind: kindLazy}))
	}
	return s.children
}
