package analytics

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
)

// Edge is one directed, weighted edge: From sways To with strength Weight in
// (0, 1].
type Edge struct {
	From, To int32
	Weight   float64
}

// Graph is an immutable weighted directed graph in compressed sparse row form,
// indexed both ways. Nodes are the dense indices 0..n-1. Edge ids are
// positions in the out-edge arrays: the out-edges of v are the ids
// [outOff[v], outOff[v+1]), sorted by target.
//
// Memory: 28 bytes per edge for both directions together (out: target int32,
// weight float64, length float64; in: source int32, edge id int32) plus 8
// bytes per node. Weights and lengths are float64 on purpose: the references
// the scores are pinned to compute in float64, and the tie tolerance on
// summed lengths (TieRelative, 1e-9) is below float32's resolution. The in
// side stores edge ids instead of a second copy of weights and lengths.
//
// A Graph is safe for concurrent use by any number of readers.
type Graph struct {
	n       int
	outOff  []int32   // n+1
	outTo   []int32   // m
	outW    []float64 // m
	outCost []float64 // m: -ln(outW)
	inOff   []int32   // n+1
	inFrom  []int32   // m
	inEdge  []int32   // m: id of the out-edge this in-edge mirrors
}

// NewGraph builds a Graph of n nodes from edges, which it does not retain.
// Weights must lie in (0, 1]; self loops, indices outside [0, n) and a second
// edge for the same ordered pair are rejected: combining parallel evidence
// into one weight is a modelling decision for the caller. The error wraps
// ErrInvalidGraph and names the first offending edge.
//
// Complexity: O(n + m log d) time for m edges and maximum out-degree d,
// O(n + m) memory.
func NewGraph(n int, edges []Edge) (*Graph, error) {
	if n < 0 || n > math.MaxInt32-1 {
		return nil, fmt.Errorf("%w: node count %d out of range", ErrInvalidGraph, n)
	}
	if len(edges) > math.MaxInt32-1 {
		return nil, fmt.Errorf("%w: %d edges is too many", ErrInvalidGraph, len(edges))
	}
	for i, e := range edges {
		switch {
		case e.From < 0 || int(e.From) >= n || e.To < 0 || int(e.To) >= n:
			return nil, fmt.Errorf("%w: edge %d (%d->%d): node index outside [0,%d)", ErrInvalidGraph, i, e.From, e.To, n)
		case e.From == e.To:
			return nil, fmt.Errorf("%w: edge %d (%d->%d): self loop", ErrInvalidGraph, i, e.From, e.To)
		case !(e.Weight > 0 && e.Weight <= 1): // also rejects NaN
			return nil, fmt.Errorf("%w: edge %d (%d->%d): weight %v outside (0,1]", ErrInvalidGraph, i, e.From, e.To, e.Weight)
		}
	}
	m := len(edges)
	g := &Graph{
		n:       n,
		outOff:  make([]int32, n+1),
		outTo:   make([]int32, m),
		outW:    make([]float64, m),
		outCost: make([]float64, m),
		inOff:   make([]int32, n+1),
		inFrom:  make([]int32, m),
		inEdge:  make([]int32, m),
	}
	// Counting sort by source, then sort each row by target.
	for _, e := range edges {
		g.outOff[e.From+1]++
	}
	for v := range n {
		g.outOff[v+1] += g.outOff[v]
	}
	pos := slices.Clone(g.outOff[:n])
	for _, e := range edges {
		p := pos[e.From]
		pos[e.From]++
		g.outTo[p] = e.To
		g.outW[p] = e.Weight
	}
	type tw struct {
		to int32
		w  float64
	}
	var row []tw
	for v := range n {
		lo, hi := g.outOff[v], g.outOff[v+1]
		if hi-lo < 2 {
			continue
		}
		row = row[:0]
		for e := lo; e < hi; e++ {
			row = append(row, tw{g.outTo[e], g.outW[e]})
		}
		slices.SortFunc(row, func(a, b tw) int { return cmp.Compare(a.to, b.to) })
		for i, r := range row {
			if i > 0 && row[i-1].to == r.to {
				return nil, fmt.Errorf("%w: duplicate edge %d->%d", ErrInvalidGraph, v, r.to)
			}
			g.outTo[lo+int32(i)] = r.to
			g.outW[lo+int32(i)] = r.w
		}
	}
	for e, w := range g.outW {
		g.outCost[e] = -math.Log(w)
	}
	g.buildIn()
	return g, nil
}

// buildIn fills the in side from the out side (inOff zero, inFrom and
// inEdge sized): filling in out-edge order leaves each in-row sorted by
// source.
func (g *Graph) buildIn() {
	for _, t := range g.outTo {
		g.inOff[t+1]++
	}
	for v := range g.n {
		g.inOff[v+1] += g.inOff[v]
	}
	pos := slices.Clone(g.inOff[:g.n])
	for u := range g.n {
		for e := g.outOff[u]; e < g.outOff[u+1]; e++ {
			t := g.outTo[e]
			p := pos[t]
			pos[t]++
			g.inFrom[p] = int32(u)
			g.inEdge[p] = e
		}
	}
}

// Subgraph returns the subgraph of g induced by nodes (the scope of one
// hospital, department or territory) and, for each of its node indices, the
// index in g it came from. nodes may be in any order and may repeat; the
// result keeps the nodes in increasing parent order, so results on the
// subgraph are as deterministic as on g. It panics if a node is out of range.
//
// Complexity: O(n + k log k + m_k) for k nodes with m_k out-edges in g.
func Subgraph(g *Graph, nodes []int32) (*Graph, []int32) {
	parent := slices.Clone(nodes)
	slices.Sort(parent)
	parent = slices.Compact(parent)
	if len(parent) > 0 && (parent[0] < 0 || int(parent[len(parent)-1]) >= g.n) {
		panic(fmt.Sprintf("analytics: Subgraph: node index outside [0,%d)", g.n))
	}
	local := make([]int32, g.n)
	for i := range local {
		local[i] = -1
	}
	for i, v := range parent {
		local[v] = int32(i)
	}
	k := len(parent)
	s := &Graph{n: k, outOff: make([]int32, k+1), inOff: make([]int32, k+1)}
	for i, v := range parent {
		for e := g.outOff[v]; e < g.outOff[v+1]; e++ {
			if t := local[g.outTo[e]]; t >= 0 {
				s.outTo = append(s.outTo, t) // parent rows are sorted and the map is monotone
				s.outW = append(s.outW, g.outW[e])
				s.outCost = append(s.outCost, g.outCost[e])
			}
		}
		s.outOff[i+1] = int32(len(s.outTo))
	}
	m := len(s.outTo)
	s.inFrom = make([]int32, m)
	s.inEdge = make([]int32, m)
	for _, t := range s.outTo {
		s.inOff[t+1]++
	}
	for v := range k {
		s.inOff[v+1] += s.inOff[v]
	}
	pos := slices.Clone(s.inOff[:k])
	for u := range k {
		for e := s.outOff[u]; e < s.outOff[u+1]; e++ {
			t := s.outTo[e]
			s.inFrom[pos[t]] = int32(u)
			s.inEdge[pos[t]] = e
			pos[t]++
		}
	}
	return s, parent
}

// Nodes returns the number of nodes.
func (g *Graph) Nodes() int { return g.n }

// Edges returns the number of edges.
func (g *Graph) Edges() int { return len(g.outTo) }

// OutEdges returns the ids [lo, hi) of the edges leaving v, in increasing
// order of target.
func (g *Graph) OutEdges(v int32) (lo, hi int32) { return g.outOff[v], g.outOff[v+1] }

// OutNeighbors returns the targets and weights of the edges leaving v,
// sorted by target. The slices alias the graph and must not be modified.
func (g *Graph) OutNeighbors(v int32) (to []int32, w []float64) {
	lo, hi := g.outOff[v], g.outOff[v+1]
	return g.outTo[lo:hi:hi], g.outW[lo:hi:hi]
}

// InNeighbors returns the sources of the edges entering v, sorted, and the
// ids of those edges. The slices alias the graph and must not be modified.
func (g *Graph) InNeighbors(v int32) (from, edges []int32) {
	lo, hi := g.inOff[v], g.inOff[v+1]
	return g.inFrom[lo:hi:hi], g.inEdge[lo:hi:hi]
}

// Target returns the node edge e points to.
func (g *Graph) Target(e int32) int32 { return g.outTo[e] }

// Weight returns the weight of edge e.
func (g *Graph) Weight(e int32) float64 { return g.outW[e] }

// Length returns -ln(weight) of edge e.
func (g *Graph) Length(e int32) float64 { return g.outCost[e] }

// Source returns the node edge e leaves, in O(log n).
func (g *Graph) Source(e int32) int32 {
	if e < 0 || int(e) >= len(g.outTo) {
		panic(fmt.Sprintf("analytics: edge id %d outside [0,%d)", e, len(g.outTo)))
	}
	// The last v with outOff[v] <= e.
	v, _ := slices.BinarySearch(g.outOff, e+1)
	return int32(v - 1)
}

// EdgeBetween returns the id of the edge from->to, in O(log d).
func (g *Graph) EdgeBetween(from, to int32) (int32, bool) {
	lo, hi := g.outOff[from], g.outOff[from+1]
	i, ok := slices.BinarySearch(g.outTo[lo:hi], to)
	return lo + int32(i), ok
}

// SizeBytes is the memory held by the graph's arrays.
func (g *Graph) SizeBytes() int {
	return 4*(len(g.outOff)+len(g.inOff)) + len(g.outTo)*(4+8+8) + len(g.inFrom)*(4+4)
}

// Reweighted returns g with the weights of the edges in w (by edge id)
// replaced, sharing its structure (rows, targets, the in side) with g,
// which is unchanged: a change of weights alone costs a copy of the two
// weight arrays, not a rebuild. Edge ids stay the same. A weight outside
// (0, 1] or an edge id outside g is an error wrapping ErrInvalidGraph.
func (g *Graph) Reweighted(w map[int32]float64) (*Graph, error) {
	out := *g
	out.outW, out.outCost = slices.Clone(g.outW), slices.Clone(g.outCost)
	for e, x := range w {
		switch {
		case e < 0 || int(e) >= len(g.outW):
			return nil, fmt.Errorf("%w: edge id %d outside [0,%d)", ErrInvalidGraph, e, len(g.outW))
		case !(x > 0 && x <= 1):
			return nil, fmt.Errorf("%w: edge %d: weight %v outside (0,1]", ErrInvalidGraph, e, x)
		}
		out.outW[e], out.outCost[e] = x, -math.Log(x)
	}
	return &out, nil
}

// Edited returns g without the edges remove (edge ids of g) and with the
// edges add (pairs g does not have, or has among remove), and, for each
// edge id of the result, the id in g it was (-1 for an added edge), so
// that a caller's per-edge arrays follow. g is unchanged. Rows are copied
// in order with the changes merged in and the in side rebuilt by counting:
// O(n + m + k log k) for k added edges, where NewGraph sorts every row, so
// a write of one tie to a national region's graph is a copy, not a build.
// Invalid edges (as NewGraph says), a pair added twice or one g has and
// keeps, and edge ids outside g are errors wrapping ErrInvalidGraph.
func (g *Graph) Edited(remove []int32, add []Edge) (*Graph, []int32, error) {
	m := len(g.outTo)
	gone := make(map[int32]bool, len(remove))
	for _, e := range remove {
		if e < 0 || int(e) >= m {
			return nil, nil, fmt.Errorf("%w: edge id %d outside [0,%d)", ErrInvalidGraph, e, m)
		}
		gone[e] = true
	}
	add = slices.Clone(add)
	slices.SortFunc(add, func(a, b Edge) int { return cmp.Or(cmp.Compare(a.From, b.From), cmp.Compare(a.To, b.To)) })
	for i, e := range add {
		switch {
		case e.From < 0 || int(e.From) >= g.n || e.To < 0 || int(e.To) >= g.n:
			return nil, nil, fmt.Errorf("%w: edge %d->%d: node index outside [0,%d)", ErrInvalidGraph, e.From, e.To, g.n)
		case e.From == e.To:
			return nil, nil, fmt.Errorf("%w: edge %d->%d: self loop", ErrInvalidGraph, e.From, e.To)
		case !(e.Weight > 0 && e.Weight <= 1):
			return nil, nil, fmt.Errorf("%w: edge %d->%d: weight %v outside (0,1]", ErrInvalidGraph, e.From, e.To, e.Weight)
		case i > 0 && add[i-1].From == e.From && add[i-1].To == e.To:
			return nil, nil, fmt.Errorf("%w: duplicate edge %d->%d", ErrInvalidGraph, e.From, e.To)
		}
		if old, ok := g.EdgeBetween(e.From, e.To); ok && !gone[old] {
			return nil, nil, fmt.Errorf("%w: duplicate edge %d->%d", ErrInvalidGraph, e.From, e.To)
		}
	}
	n := g.n
	size := m - len(gone) + len(add)
	out := &Graph{
		n:       n,
		outOff:  make([]int32, n+1),
		outTo:   make([]int32, 0, size),
		outW:    make([]float64, 0, size),
		outCost: make([]float64, 0, size),
		inOff:   make([]int32, n+1),
		inFrom:  make([]int32, size),
		inEdge:  make([]int32, size),
	}
	// The removed ids in order: rows are copied in edge id order, so the
	// next removal tells whether a row is untouched.
	rem := slices.Sorted(maps.Keys(gone))
	r := 0
	was := make([]int32, 0, size)
	a := 0
	for u := range int32(n) {
		lo, hi := g.outOff[u], g.outOff[u+1]
		for r < len(rem) && rem[r] < lo {
			r++
		}
		if (r == len(rem) || rem[r] >= hi) && (a == len(add) || add[a].From != u) {
			// An unchanged row: one copy.
			out.outTo = append(out.outTo, g.outTo[lo:hi]...)
			out.outW = append(out.outW, g.outW[lo:hi]...)
			out.outCost = append(out.outCost, g.outCost[lo:hi]...)
			for e := lo; e < hi; e++ {
				was = append(was, e)
			}
			out.outOff[u+1] = int32(len(out.outTo))
			continue
		}
		e := lo
		for e < hi || (a < len(add) && add[a].From == u) {
			if e < hi && gone[e] {
				e++
				continue
			}
			if a < len(add) && add[a].From == u && (e == hi || add[a].To < g.outTo[e]) {
				x := add[a]
				out.outTo, out.outW, out.outCost = append(out.outTo, x.To), append(out.outW, x.Weight), append(out.outCost, -math.Log(x.Weight))
				was = append(was, -1)
				a++
				continue
			}
			out.outTo, out.outW, out.outCost = append(out.outTo, g.outTo[e]), append(out.outW, g.outW[e]), append(out.outCost, g.outCost[e])
			was = append(was, e)
			e++
		}
		out.outOff[u+1] = int32(len(out.outTo))
	}
	out.buildIn()
	return out, was, nil
}
