package analytics

// fixup holds the buffers of reorder. Nodes are named by their settle rank.
type fixup struct {
	off, adj   []int32 // tie edges, by rank: successors of rank i are adj[off[i]:off[i+1]]
	hops       []int32 // fewest tie edges from the source
	comp       []int32 // strongly connected component of the tie edges
	index, low []int32 // Tarjan
	stack      []int32
	callV      []int32
	callE      []int32
	indeg      []int32
	queue      []int32
	nodes      []int32 // order, by rank
}

// reorder is the slow path of a Brandes pass, taken only when some tie edge
// leads to a node settled earlier, which needs edges of length 0 (weight 1)
// or below the tolerance between nodes of equal length. order lists the
// nodes in settle order, dag[dagEnd[i-1]:dagEnd[i]] the tie successors of
// order[i] settled after it, back the others. On return order, dag and
// dagEnd (the returned dag) hold the same nodes in an order in which every
// kept tie edge leads forward.
//
// Every tie edge is kept, so every shortest path counts, unless it lies on
// a cycle of tie edges (a cycle of weight-1 influence, where walks of the
// same length could go round for ever and counting the simple paths is
// intractable). Inside a strongly connected set of tie edges an edge v->w
// is kept only when hops(w) = hops(v)+1, where hops is the fewest edges
// from the source over tie edges: there, and only there, fewer hops win.
// The kept edges are acyclic (the condensation is acyclic and inside a
// component hops increase), and every node keeps the edge from the node
// before it on its fewest-hop path, so every node stays reachable.
//
// Complexity: O(r + t) for r settled nodes and t tie edges.
func (f *fixup) reorder(st []bstate, order, dag, dagEnd []int32, back []backTie) []int32 {
	r := len(order)
	// Tie edges by rank: the forward ones, then the backward ones (back
	// is in settle order of its sources).
	f.off = resize(f.off, r+1)
	f.adj = f.adj[:0]
	bi := 0
	start := int32(0)
	for i := range r {
		f.off[i] = int32(len(f.adj))
		for _, w := range dag[start:dagEnd[i]] {
			f.adj = append(f.adj, st[w].rank)
		}
		start = dagEnd[i]
		for ; bi < len(back) && back[bi].from == int32(i); bi++ {
			f.adj = append(f.adj, st[back[bi].w].rank)
		}
	}
	f.off[r] = int32(len(f.adj))
	off, adj := f.off, f.adj

	// Fewest hops, breadth first from the source (rank 0).
	hops := fill(resize(f.hops, r), -1)
	queue := append(f.queue[:0], 0)
	hops[0] = 0
	for qi := 0; qi < len(queue); qi++ {
		v := queue[qi]
		for _, w := range adj[off[v]:off[v+1]] {
			if hops[w] < 0 {
				hops[w] = hops[v] + 1
				queue = append(queue, w)
			}
		}
	}
	f.hops = hops
	f.tarjan(r)
	comp := f.comp

	// Drop the backward-hop edges inside components; count in-degrees.
	indeg := fill(resize(f.indeg, r), 0)
	kept := int32(0)
	for v := range int32(r) {
		lo := off[v]
		off[v] = kept
		for _, w := range adj[lo:off[v+1]] {
			if comp[w] == comp[v] && hops[w] != hops[v]+1 {
				continue
			}
			adj[kept] = w
			kept++
			indeg[w]++
		}
	}
	off[r] = kept
	f.indeg = indeg

	// Kahn's topological order from the source; rewrite order and dag.
	nodes := append(f.nodes[:0], order...)
	f.nodes = nodes
	queue = append(queue[:0], 0)
	dag = dag[:0]
	for qi := 0; qi < len(queue); qi++ {
		v := queue[qi]
		order[qi] = nodes[v]
		for _, w := range adj[off[v]:off[v+1]] {
			dag = append(dag, nodes[w])
			if indeg[w]--; indeg[w] == 0 {
				queue = append(queue, w)
			}
		}
		dagEnd[qi] = int32(len(dag))
	}
	if len(queue) != r {
		panic("analytics: betweenness: kept tie edges are not acyclic")
	}
	f.queue = queue
	return dag
}

// tarjan sets comp to the strongly connected components of the tie edges
// (Tarjan's algorithm without recursion).
func (f *fixup) tarjan(r int) {
	off, adj := f.off, f.adj
	index := fill(resize(f.index, r), -1)
	low := resize(f.low, r)
	comp := fill(resize(f.comp, r), -1)
	stack, callV, callE := f.stack[:0], f.callV[:0], f.callE[:0]
	next, ncomp := int32(0), int32(0)
	for root := range int32(r) {
		if index[root] >= 0 {
			continue
		}
		index[root], low[root] = next, next
		next++
		stack = append(stack, root)
		callV, callE = append(callV, root), append(callE, off[root])
		for len(callV) > 0 {
			top := len(callV) - 1
			v, e := callV[top], callE[top]
			if e < off[v+1] {
				callE[top]++
				w := adj[e]
				switch {
				case index[w] < 0:
					index[w], low[w] = next, next
					next++
					stack = append(stack, w)
					callV, callE = append(callV, w), append(callE, off[w])
				case comp[w] < 0: // on the stack
					low[v] = min(low[v], index[w])
				}
				continue
			}
			callV, callE = callV[:top], callE[:top]
			if low[v] == index[v] {
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					comp[w] = ncomp
					if w == v {
						break
					}
				}
				ncomp++
			}
			if top > 0 {
				u := callV[top-1]
				low[u] = min(low[u], low[v])
			}
		}
	}
	f.index, f.low, f.comp = index, low, comp
	f.stack, f.callV, f.callE = stack, callV, callE
}

func resize(buf []int32, n int) []int32 {
	if cap(buf) < n {
		return make([]int32, n)
	}
	return buf[:n]
}

func fill(buf []int32, x int32) []int32 {
	for i := range buf {
		buf[i] = x
	}
	return buf
}
