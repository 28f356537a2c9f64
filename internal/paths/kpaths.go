package paths

import (
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

// Strongest returns the strongest path of q (q.K is ignored) and whether
// there is one; errors as KStrongest.
func Strongest(ctx context.Context, g *analytics.Graph, q Query) (Path, bool, error) {
	s := acquire(g)
	defer release(s)
	return s.Strongest(ctx, q)
}

// StrongestEach returns, for each of targets, the strongest path from q's
// sources to it, or a zero Path (nil Nodes) if none is within q.MaxHops and
// q.MinStrength; q.Target and q.K are ignored and q.Via must be empty. A
// target that is also a source may be reached by the zero-hop path [target],
// of length its source cost: for a decision chain, a person the user already
// knows. Ties are broken as in KStrongest.
//
// Complexity: one multi-source Dijkstra over (node, hops) states, stopped
// once every target is settled: O(H (n + m) log(H n)) at worst.
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

// Strongest is the package-level Strongest on s's graph.
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
	goals := make(map[int32]int32, left)
	for ; left > 0; left-- {
		idx, err := s.settle(ctx, -1, nil)
		if err != nil {
			return nil, err
		}
		if idx < 0 {
			break
		}
		goals[s.st[idx].node] = idx
	}
	for i, t := range targets {
		idx, ok := goals[t]
		if !ok {
			continue
		}
		s.chain = s.walkTo(s.chain[:0], idx)
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
// subproblem's least walk, arena[off:off+ln], and lb is its length.
type cand struct {
	lb            int64
	g0            int64 // lazy: length of the root
	off, ln       int32
	dev           int32
	banOff, banLn int32
	mask0         uint8 // lazy: via groups of the root
	kind          uint8
	length        float64 // kindPath: float length
}

const (
	kindLazy uint8 = iota
	kindWalk       // visits a node twice: a lower bound, split when popped
	kindPath       // simple: an answer
)

// candLess orders candidates by length, lazy first on ties (a lazy one may
// hold an equally strong path that comes first), then hops and node
// sequence. Resolved candidates are distinct walks, so this is strict on
// them.
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

type candHeap []int32

func (s *Searcher) pushCand(c cand) {
	idx := int32(len(s.cands))
	s.cands = append(s.cands, c)
	h := append(s.cheap, idx)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !s.candLess(idx, h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = idx
	s.cheap = h
}

func (s *Searcher) popCand() int32 {
	h := s.cheap
	top, last := h[0], h[len(h)-1]
	h = h[:len(h)-1]
	s.cheap = h
	n := len(h)
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && s.candLess(h[c+1], h[c]) {
			c++
		}
		if !s.candLess(h[c], last) {
			break
		}
		h[i] = h[c]
		i = c
	}
	h[i] = last
	return top
}

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
	s.cands, s.cheap, s.arena, s.topL = s.cands[:0], s.cheap[:0], s.arena[:0], s.topL[:0]
	s.pushCand(cand{dev: -1, kind: kindLazy})
	for len(out) < k && len(s.cheap) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c := s.cands[s.popCand()]
		if c.lb > maxL {
			break
		}
		switch c.kind {
		case kindLazy:
			// Only a path among the best k-len(out) valid candidates can
			// still be returned.
			bound := maxL
			if need := k - len(out); len(s.topL) >= need {
				bound = min(bound, s.topL[need-1])
			}
			if err := s.resolve(ctx, c, bound, q.MinStrength); err != nil {
				return nil, err
			}
		case kindWalk:
			bump(&s.seenEp, s.seen)
			r := int32(0)
			for _, v := range s.arena[c.off : c.off+c.ln] {
				if s.seen[v] == s.seenEp {
					break
				}
				s.seen[v] = s.seenEp
				r++
			}
			s.branch(c, r-1, maxL)
		case kindPath:
			if len(s.topL) > 0 && s.topL[0] == c.lb {
				s.topL = slices.Delete(s.topL, 0, 1)
			}
			if math.Exp(-c.length) >= q.MinStrength {
				out = append(out, s.pathOf(s.arena[c.off:c.off+c.ln]))
			}
			if len(out) < k {
				s.branch(c, c.ln-2, maxL)
			}
		}
	}
	return out, nil
}

// resolve searches the subproblem of lazy candidate c for its least walk
// of length at most bound and pushes it as a resolved candidate.
func (s *Searcher) resolve(ctx context.Context, c cand, bound int64, minStrength float64) error {
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
		return err
	}
	off := int32(len(s.arena))
	s.arena = append(s.arena, root[:max(c.dev, 0)]...)
	s.arena = s.walkTo(s.arena, goal)
	r := cand{lb: s.st[goal].g, off: off, ln: int32(len(s.arena)) - off, dev: c.dev, banOff: c.banOff, banLn: c.banLn, kind: kindPath}
	nodes := s.arena[r.off : r.off+r.ln]
	bump(&s.seenEp, s.seen)
	for _, v := range nodes {
		if s.seen[v] == s.seenEp {
			r.kind = kindWalk
			break
		}
		s.seen[v] = s.seenEp
	}
	if r.kind == kindPath {
		r.length = s.srcF[s.srcIdx[nodes[0]]]
		for i := range len(nodes) - 1 {
			e, _ := s.g.EdgeBetween(nodes[i], nodes[i+1])
			r.length += s.g.Length(e)
		}
		if math.Exp(-r.length) >= minStrength {
			i, _ := slices.BinarySearch(s.topL, r.lb)
			s.topL = slices.Insert(s.topL, i, r.lb)
		}
	}
	s.pushCand(r)
	return nil
}

// branch splits the subproblem of resolved candidate c, minus its walk,
// Lawler-style: for i = c.dev..last, the walks that share its first i+1
// nodes and then leave it (plus, for i = c.dev, avoid c's bans). last is
// the index before the last node for a path, and before the first repeated
// node for a walk (longer roots are not simple).
func (s *Searcher) branch(c cand, last int32, maxL int64) {
	nodes := s.arena[c.off : c.off+c.ln]
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
		s.arena = append(s.arena, s.arena[c.off+i+1])
		if i == c.dev {
			s.arena = append(s.arena, s.arena[c.banOff:c.banOff+c.banLn]...)
		}
		s.pushCand(cand{lb: lb, g0: g0, mask0: m0, off: c.off, ln: i + 1, dev: i,
			banOff: banOff, banLn: int32(len(s.arena)) - banOff, kind: kindLazy})
	}
}
