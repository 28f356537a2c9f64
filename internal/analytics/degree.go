package analytics

// Degree returns the weighted out-degree of every node, sum_{u->v} w(u,v)
// (how much u sways), and its weighted in-degree, sum_{v->u} w(v,u) (how
// much u is swayed).
//
// Complexity: O(n + m).
func Degree(g *Graph) (out, in []float64) {
	out = make([]float64, g.n)
	in = make([]float64, g.n)
	for u := range g.n {
		var s float64
		for _, w := range g.outW[g.outOff[u]:g.outOff[u+1]] {
			s += w
		}
		out[u] = s
	}
	for v := range g.n {
		var s float64
		for _, e := range g.inEdge[g.inOff[v]:g.inOff[v+1]] {
			s += g.outW[e]
		}
		in[v] = s
	}
	return out, in
}
