// Package minheap is the 4-ary min-heap under the graph searches: Dijkstra
// in package analytics and the (node, hops) state searches of package paths.
//
// Its items are ordered by (Key, Hops): a search's tentative length, ties
// going to fewer hops. The order is built in rather than passed as a
// comparison function because the compiler inlines it: a function value
// cannot be inlined, and in Brandes betweenness, the hottest loop, one cost
// about 30% more CPU time.
//
// Four children per node halve the depth of a binary heap and keep one
// node's children in one cache line. Push, Set and Pop cost O(log n) (at
// most 4 comparisons per level on the way down). Items of equal (Key, Hops)
// come out in an order fixed by the sequence of calls, so a search over the
// heap is deterministic.
package minheap

// Item is a heap entry: ID reached at length Key in Hops hops.
type Item[K int64 | float64] struct {
	Key  K
	Hops int32
	ID   int32
}

// before orders items by (Key, Hops).
func before[K int64 | float64](a, b Item[K]) bool {
	return a.Key < b.Key || (a.Key == b.Key && a.Hops < b.Hops)
}

// Heap is a min-heap of items. Made by New, it holds any items: a search
// pushes an improved entry again and skips the stale ones when it pops them
// (lazy deletion). Made by NewIndexed, it holds at most one item per ID in
// [0, n), and Set moves an item to its new key (decrease-key), so it never
// holds more than n items.
type Heap[K int64 | float64] struct {
	items []Item[K]
	pos   []int32 // indexed heaps only: pos[id] = index in items, -1 if none
}

// New returns an empty heap for Push and Pop.
func New[K int64 | float64]() Heap[K] { return Heap[K]{} }

// NewIndexed returns an empty heap of items with IDs in [0, n), for Set and
// Pop.
func NewIndexed[K int64 | float64](n int) Heap[K] {
	pos := make([]int32, n)
	for i := range pos {
		pos[i] = -1
	}
	return Heap[K]{pos: pos}
}

// Len returns the number of items.
func (h *Heap[K]) Len() int { return len(h.items) }

// Reset empties h, keeping its memory, in O(1) (O(Len) if indexed).
func (h *Heap[K]) Reset() {
	if h.pos != nil {
		for _, x := range h.items {
			h.pos[x.ID] = -1
		}
	}
	h.items = h.items[:0]
}

// Push adds x. On an indexed heap, x.ID must not be in h: use Set.
func (h *Heap[K]) Push(x Item[K]) {
	h.items = append(h.items, x)
	h.up(len(h.items)-1, x)
}

// Set inserts x into an indexed heap, or moves the item with x's ID to x.
func (h *Heap[K]) Set(x Item[K]) {
	i := h.pos[x.ID]
	switch {
	case i < 0:
		h.Push(x)
	case before(x, h.items[i]):
		h.up(int(i), x)
	default:
		h.down(int(i), x)
	}
}

// Pop removes and returns the least item; h must not be empty.
func (h *Heap[K]) Pop() Item[K] {
	items := h.items
	top := items[0]
	if h.pos != nil {
		h.pos[top.ID] = -1
	}
	last := items[len(items)-1]
	h.items = items[:len(items)-1]
	if len(h.items) > 0 {
		h.down(0, last)
	}
	return top
}

// up places x at hole i or above.
func (h *Heap[K]) up(i int, x Item[K]) {
	items, pos := h.items, h.pos
	for i > 0 {
		p := (i - 1) / 4
		if !before(x, items[p]) {
			break
		}
		put(items, pos, i, items[p])
		i = p
	}
	put(items, pos, i, x)
}

// down places x at hole i or below.
func (h *Heap[K]) down(i int, x Item[K]) {
	items, pos := h.items, h.pos
	n := len(items)
	for {
		c := 4*i + 1
		if c >= n {
			break
		}
		best := c
		end := min(c+4, n)
		for j := c + 1; j < end; j++ {
			if before(items[j], items[best]) {
				best = j
			}
		}
		if !before(items[best], x) {
			break
		}
		put(items, pos, i, items[best])
		i = best
	}
	put(items, pos, i, x)
}

// put stores x at index i and, in an indexed heap, records where.
func put[K int64 | float64](items []Item[K], pos []int32, i int, x Item[K]) {
	items[i] = x
	if pos != nil {
		pos[x.ID] = int32(i)
	}
}
