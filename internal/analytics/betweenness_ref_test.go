package analytics_test

import (
	"math"
	"slices"

	"github.com/kolgraph/kolgraph/internal/analytics"
)

// Brute-force betweenness references, written apart from Brandes: they
// share no code with it and compute the pinned definition from its words.

// tied is the pinned tie rule: two path lengths are equal when they differ
// by at most 1e-9 relative.
func tied(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(a, b) }

// refSimplePaths returns the unnormalised betweenness of a small graph by
// enumerating every simple path: for each ordered pair (s, t) the shortest
// paths are the simple s-t paths whose length (sum of -ln w along the path)
// ties with the least, and each counted path gives each of its inner nodes
// 1/(number of counted paths). A path counts unless it takes a step v->w
// inside a cycle of tie edges (v and w reach each other over edges that lie
// on shortest paths from s, which needs weight-1 edges) with
// hops(w) != hops(v)+1, hops being the fewest edges of a shortest path from
// s. Exponential: for n up to ~9.
func refSimplePaths(n int, edges []analytics.Edge) []float64 {
	length := make([][]float64, n) // NaN: no edge
	for v := range length {
		length[v] = make([]float64, n)
		for w := range length[v] {
			length[v][w] = math.NaN()
		}
	}
	for _, e := range edges {
		length[e.From][e.To] = -math.Log(e.Weight)
	}
	type path struct {
		nodes []int
		len   float64
	}
	bc := make([]float64, n)
	for s := range n {
		// Every simple path from s, depth first.
		var paths []path
		var walk func(p []int, d float64)
		walk = func(p []int, d float64) {
			v := p[len(p)-1]
			for w := range n {
				if math.IsNaN(length[v][w]) || slices.Contains(p, w) {
					continue
				}
				q := append(slices.Clone(p), w)
				paths = append(paths, path{q, d + length[v][w]})
				walk(q, d+length[v][w])
			}
		}
		walk([]int{s}, 0)
		dist := make([]float64, n)
		for i := range dist {
			dist[i] = math.Inf(1)
		}
		dist[s] = 0
		for _, p := range paths {
			t := p.nodes[len(p.nodes)-1]
			dist[t] = min(dist[t], p.len)
		}
		shortest := paths[:0:0]
		hops := make([]int, n)
		for i := range hops {
			hops[i] = math.MaxInt
		}
		hops[s] = 0
		for _, p := range paths {
			t := p.nodes[len(p.nodes)-1]
			if tied(p.len, dist[t]) {
				shortest = append(shortest, p)
				hops[t] = min(hops[t], len(p.nodes)-1)
			}
		}
		// Tie edges of s and which nodes they connect both ways (closure).
		reach := make([][]bool, n)
		for v := range n {
			reach[v] = make([]bool, n)
			reach[v][v] = true
			for w := range n {
				if !math.IsNaN(length[v][w]) && !math.IsInf(dist[v], 1) && !math.IsInf(dist[w], 1) &&
					tied(dist[v]+length[v][w], dist[w]) {
					reach[v][w] = true
				}
			}
		}
		for k := range n {
			for v := range n {
				for w := range n {
					reach[v][w] = reach[v][w] || reach[v][k] && reach[k][w]
				}
			}
		}
		counted := map[int][]path{}
		for _, p := range shortest {
			ok := true
			for i := 1; i < len(p.nodes); i++ {
				v, w := p.nodes[i-1], p.nodes[i]
				if reach[v][w] && reach[w][v] && hops[w] != hops[v]+1 {
					ok = false
				}
			}
			if ok {
				t := p.nodes[len(p.nodes)-1]
				counted[t] = append(counted[t], p)
			}
		}
		for _, ps := range counted {
			for _, p := range ps {
				for _, v := range p.nodes[1 : len(p.nodes)-1] {
					bc[v] += 1 / float64(len(ps))
				}
			}
		}
	}
	return bc
}

// refAllPairs returns the normalised betweenness of a graph without weight-1
// edges from all-pairs distances (Floyd-Warshall), shortest-path counts
// from tied predecessors, and
//
//	B(v) = sum over s != v != t of [d(s,v)+d(v,t) ties d(s,t)] sigma(s,v) sigma(v,t) / sigma(s,t)
//
// divided by (n-1)(n-2). O(n^3) time, O(n^2) memory.
func refAllPairs(g *analytics.Graph) []float64 {
	n := g.Nodes()
	d := make([][]float64, n)
	for s := range n {
		d[s] = make([]float64, n)
		for t := range n {
			d[s][t] = math.Inf(1)
		}
		d[s][s] = 0
		to, w := g.OutNeighbors(int32(s))
		for i, t := range to {
			if w[i] == 1 {
				panic("refAllPairs: weight-1 edge")
			}
			d[s][t] = -math.Log(w[i])
		}
	}
	for k := range n {
		for s := range n {
			for t := range n {
				d[s][t] = min(d[s][t], d[s][k]+d[k][t])
			}
		}
	}
	sigma := make([][]float64, n)
	byDist := make([]int, n)
	for s := range n {
		sigma[s] = make([]float64, n)
		sigma[s][s] = 1
		for i := range byDist {
			byDist[i] = i
		}
		slices.SortFunc(byDist, func(a, b int) int { return cmpFloat(d[s][a], d[s][b]) })
		for _, t := range byDist {
			if t == s || math.IsInf(d[s][t], 1) {
				continue
			}
			from, es := g.InNeighbors(int32(t))
			for i, u := range from {
				if !math.IsInf(d[s][u], 1) && tied(d[s][u]-math.Log(g.Weight(es[i])), d[s][t]) {
					sigma[s][t] += sigma[s][u]
				}
			}
		}
	}
	bc := make([]float64, n)
	for v := range n {
		for s := range n {
			if s == v || math.IsInf(d[s][v], 1) {
				continue
			}
			for t := range n {
				if t == v || t == s || math.IsInf(d[v][t], 1) {
					continue
				}
				if tied(d[s][v]+d[v][t], d[s][t]) {
					bc[v] += sigma[s][v] * sigma[v][t] / sigma[s][t]
				}
			}
		}
		bc[v] /= float64(n-1) * float64(n-2)
	}
	return bc
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
