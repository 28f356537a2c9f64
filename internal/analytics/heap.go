package analytics

// hitem is a heap entry: tentative length d and hop count h of node v.
type hitem struct {
	d float64
	h int32
	v int32
}

// before orders entries by (length, hops): the order in which a Brandes pass
// settles nodes (which paths count does not depend on it).
func before(a, b hitem) bool {
	return a.d < b.d || (a.d == b.d && a.h < b.h)
}

// minHeap is an indexed 4-ary min-heap: each node is in it at most once and
// an improved tentative length moves its entry (decrease-key) instead of
// adding another, so the heap never holds more than n entries and a search
// pops each node once. Four children per node halve the depth of a binary
// heap and keep one node's children in one cache line.
type minHeap struct {
	items []hitem
	pos   []int32 // pos[v]: index of v's entry in items, -1 if none
}

func newMinHeap(n int) minHeap {
	pos := make([]int32, n)
	for i := range pos {
		pos[i] = -1
	}
	return minHeap{pos: pos}
}

func (q *minHeap) empty() bool { return len(q.items) == 0 }

// set inserts v with key (d, h) or moves its entry to the new key.
func (q *minHeap) set(it hitem) {
	i := q.pos[it.v]
	if i < 0 {
		q.items = append(q.items, it)
		q.up(len(q.items)-1, it)
		return
	}
	old := q.items[i]
	if before(it, old) {
		q.up(int(i), it)
	} else {
		q.down(int(i), it)
	}
}

func (q *minHeap) pop() hitem {
	h := q.items
	top := h[0]
	q.pos[top.v] = -1
	last := h[len(h)-1]
	q.items = h[:len(h)-1]
	if len(q.items) > 0 {
		q.down(0, last)
	}
	return top
}

// up places it at hole i or above.
func (q *minHeap) up(i int, it hitem) {
	h, pos := q.items, q.pos
	for i > 0 {
		p := (i - 1) / 4
		if !before(it, h[p]) {
			break
		}
		h[i] = h[p]
		pos[h[i].v] = int32(i)
		i = p
	}
	h[i] = it
	pos[it.v] = int32(i)
}

// down places it at hole i or below.
func (q *minHeap) down(i int, it hitem) {
	h, pos := q.items, q.pos
	n := len(h)
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		best := c
		end := min(c+4, n)
		for j := c + 1; j < end; j++ {
			if before(h[j], h[best]) {
				best = j
			}
		}
		if !before(h[best], it) {
			break
		}
		h[i] = h[best]
		pos[h[i].v] = int32(i)
		i = best
	}
	h[i] = it
	pos[it.v] = int32(i)
}
