package analytics

import "github.com/kolgraph/kolgraph/internal/minheap"

// hitem is a heap entry: tentative length Key and hop count Hops of node ID,
// ordered by (length, hops): the order in which a Brandes pass settles
// nodes (which paths count does not depend on it).
type hitem = minheap.Item[float64]

// newNodeHeap returns an indexed heap of nodes in [0, n): each node is in it
// at most once and an improved tentative length moves its entry
// (decrease-key) instead of adding another, so the heap never holds more
// than n entries and a search pops each node once.
func newNodeHeap(n int) minheap.Heap[float64] { return minheap.NewIndexed[float64](n) }
