package paths

import "github.com/kolgraph/kolgraph/internal/minheap"

// qitem is an entry of the state heap: state ID, Key = f = length +
// heuristic, ordered by (f, hops).
type qitem = minheap.Item[int64]
