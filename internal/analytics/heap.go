package analytics

// hitem is a heap entry: tentative length d and hop count h of node v.
type hitem struct {
	d float64
	h int32
	v int32
}

// before orders entries by (length, hops), the path order of the package.
func before(a, b hitem) bool {
	return a.d < b.d || (a.d == b.d && a.h < b.h)
}

// minHeap is a 4-ary min-heap of hitems with lazy deletion: a node whose
// tentative length improves is pushed again and stale entries are skipped
// when popped. Four children per node halve the depth of a binary heap and
// keep the children of one node in one cache line.
type minHeap []hitem

func (q *minHeap) push(it hitem) {
	h := append(*q, it)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 4
		if !before(it, h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = it
	*q = h
}

func (q *minHeap) pop() hitem {
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
		// Smallest of up to four children.
		best := c
		end := min(c+4, n)
		for j := c + 1; j < end; j++ {
			if before(h[j], h[best]) {
				best = j
			}
		}
		if !before(h[best], last) {
			break
		}
		h[i] = h[best]
		i = best
	}
	h[i] = last
	return top
}
