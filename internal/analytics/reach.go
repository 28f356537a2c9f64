package analytics

import (
	"context"
	"math"
	"sync"
	"sync/atomic"

	"github.com/kolgraph/kolgraph/internal/minheap"
)

// ReachOptions configures Reach.
type ReachOptions struct {
	// Workers is the number of goroutines; 0 or less means GOMAXPROCS.
	Workers int
}

// Reach returns, for every node s, the total strength of its strongest paths
// to everyone else (the pinned REACH metric, a harmonic-style closeness that
// is safe with weight 1):
//
//	reach(s) = sum_{t != s} max over paths s~>t of prod w = sum_{t != s} exp(-d(s,t))
//
// Unreachable nodes contribute 0. It runs Dijkstra from every node, spread
// over Workers; each node's sum is taken in its own settle order, so the
// result does not depend on the worker count.
//
// Complexity: O(n (n + m) log n) time, O(n) memory per worker.
func Reach(ctx context.Context, g *Graph, opts ReachOptions) ([]float64, error) {
	n := g.n
	out := make([]float64, n)
	w := min(workerCount(opts.Workers), max(n, 1))
	var next atomic.Int64
	var wg sync.WaitGroup
	yield := yielder(ctx)
	for range w {
		wg.Go(func() {
			dist := make([]float64, n)
			for i := range dist {
				dist[i] = math.Inf(1)
			}
			var seen []int32
			q := newNodeHeap(n)
			for {
				s := int32(next.Add(1) - 1)
				if int(s) >= n || ctx.Err() != nil {
					return
				}
				yield()
				out[s] = reachFrom(g, s, dist, &seen, &q)
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// reachFrom runs a distance-only Dijkstra from s over the reusable buffers
// (dist all +Inf on entry and on return) and sums exp(-d) over the others.
func reachFrom(g *Graph, s int32, dist []float64, seen *[]int32, q *minheap.Heap[float64]) float64 {
	outOff, outTo, outCost := g.outOff, g.outTo, g.outCost
	touched := (*seen)[:0]
	dist[s] = 0
	touched = append(touched, s)
	q.Set(hitem{Key: 0, Hops: 0, ID: s})
	var sum float64
	for q.Len() > 0 {
		it := q.Pop()
		v := it.ID
		if v != s {
			sum += math.Exp(-it.Key)
		}
		e0, e1 := outOff[v], outOff[v+1]
		to := outTo[e0:e1]
		cost := outCost[e0:e1]
		cost = cost[:len(to)]
		dist[v] = math.Inf(-1) // settled: no nd is below it
		for i, w := range to {
			nd := it.Key + cost[i]
			if nd < dist[w] {
				if math.IsInf(dist[w], 1) {
					touched = append(touched, w)
				}
				dist[w] = nd
				q.Set(hitem{Key: nd, Hops: 0, ID: w})
			}
		}
	}
	for _, v := range touched {
		dist[v] = math.Inf(1)
	}
	*seen = touched
	return sum
}
