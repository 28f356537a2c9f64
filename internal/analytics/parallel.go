package analytics

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// blockSize is the number of nodes whose partial sums are added sequentially
// before the per-block partials are added in block order. Fixing it (and not
// the worker count) fixes every floating-point sum, hence determinism.
const blockSize = 1024

// parallelMinEdges: below this many edges per iteration the goroutine
// hand-off costs more than it saves.
const parallelMinEdges = 1 << 15

func workerCount(req int) int {
	if req <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return req
}

// blockSpans splits the node blocks of g into at most w contiguous spans of
// about equal work (nodes + out-edges). It returns block boundaries: span i
// is blocks [b[i], b[i+1]).
func blockSpans(g *Graph, w int) []int {
	nb := (g.n + blockSize - 1) / blockSize
	if w > nb {
		w = nb
	}
	if w < 1 || len(g.outTo) < parallelMinEdges {
		w = 1
	}
	total := int64(g.n) + int64(len(g.outTo))
	b := make([]int, 1, w+1)
	for i := 1; i < w; i++ {
		want := total * int64(i) / int64(w)
		blk := b[len(b)-1]
		for blk < nb {
			end := min((blk+1)*blockSize, g.n)
			if int64(end)+int64(g.outOff[end]) > want {
				break
			}
			blk++
		}
		if blk > b[len(b)-1] {
			b = append(b, blk)
		}
	}
	if len(b) == 1 || b[len(b)-1] != nb {
		b = append(b, nb)
	}
	return b
}

// runSpans calls fn(b0, b1) for every span in spans, concurrently, the first
// on the calling goroutine.
func runSpans(spans []int, fn func(b0, b1 int)) {
	if len(spans) == 2 {
		fn(spans[0], spans[1])
		return
	}
	var wg sync.WaitGroup
	for i := 1; i < len(spans)-1; i++ {
		b0, b1 := spans[i], spans[i+1]
		wg.Go(func() { fn(b0, b1) })
	}
	fn(spans[0], spans[1])
	wg.Wait()
}

// blockRange returns the nodes [lo, hi) of block b.
func blockRange(n, b int) (lo, hi int) {
	return b * blockSize, min((b+1)*blockSize, n)
}

// sumInOrder adds the partials in index order.
func sumInOrder(p []float64) float64 {
	var s float64
	for _, v := range p {
		s += v
	}
	return s
}

type yieldKey struct{}

// Yielding marks ctx as a background computation's: the kernels then give
// up their processor (runtime.Gosched) between units of work of about a
// millisecond or less (a source of betweenness or reach, an iteration of
// PageRank or eigenvector), so that a request which becomes runnable while
// background work holds every processor waits for one unit, not for the
// scheduler's 10 ms time slice, and pause for pauseFor after each runFor
// of work (see runFor). A yield with nothing else to run returns at once.
func Yielding(ctx context.Context) context.Context {
	return context.WithValue(ctx, yieldKey{}, true)
}

// yielder returns what a kernel calls between its units of work under
// ctx: for a Yielding context gosched, and a pause of pauseFor once
// runFor has passed since the last one; nothing otherwise.
func yielder(ctx context.Context) func() {
	if y, _ := ctx.Value(yieldKey{}).(bool); !y {
		return func() {}
	}
	var last atomic.Int64 // when the kernel last paused, in ns since start
	start := time.Now()
	return func() {
		gosched()
		now := int64(time.Since(start))
		if l := last.Load(); time.Duration(now-l) >= runFor && last.CompareAndSwap(l, now) {
			time.Sleep(pauseFor)
		}
	}
}

// A background kernel pauses for pauseFor after each runFor of work:
// yielding hands the processor to a waiting goroutine, but keeps the
// core busy as far as the operating system knows, and on a machine whose
// cores other work shares (a benchmark's client, another service) a
// request's thread then waits for the system's time slice.
const (
	runFor   = 4 * time.Millisecond
	pauseFor = time.Millisecond
)

// gosched is runtime.Gosched; tests count the calls.
var gosched = runtime.Gosched
