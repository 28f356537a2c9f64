package paths

// qitem is an entry of the state heap: f = length + heuristic.
type qitem struct {
	f    int64
	hops int32
	idx  int32
}

func (a qitem) before(b qitem) bool {
	return a.f < b.f || (a.f == b.f && a.hops < b.hops)
}

// stateHeap is a 4-ary min-heap with lazy deletion: an improved state is
// pushed again and its stale entries are skipped when popped.
type stateHeap []qitem

func (q *stateHeap) push(it qitem) {
	h := append(*q, it)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !it.before(h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = it
	*q = h
}

func (q *stateHeap) pop() qitem {
	h := *q
	top := h[0]
	last := h[len(h)-1]
	h = h[:len(h)-1]
	*q = h
	n := len(h)
	if n == 0 {
		return top
	}
	i := 0
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		best := c
		for j := c + 1; j < min(c+4, n); j++ {
			if h[j].before(h[best]) {
				best = j
			}
		}
		if !h[best].before(last) {
			break
		}
		h[i] = h[best]
		i = best
	}
	h[i] = last
	return top
}
