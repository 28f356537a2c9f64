package minheap_test

import (
	"cmp"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/minheap"
)

type item = minheap.Item[int64]

func byKeyHops(a, b item) int { return cmp.Or(cmp.Compare(a.Key, b.Key), cmp.Compare(a.Hops, b.Hops)) }

// TestPushPop: pops come out in (Key, Hops) order, whatever the pushes.
func TestPushPop(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	h := minheap.New[int64]()
	for round := range 50 {
		var want []item
		for i := range rng.IntN(200) {
			it := item{Key: rng.Int64N(20), Hops: rng.Int32N(4), ID: int32(i)}
			h.Push(it)
			want = append(want, it)
		}
		slices.SortStableFunc(want, byKeyHops)
		for i, w := range want {
			if got := h.Pop(); byKeyHops(got, w) != 0 {
				t.Fatalf("round %d pop %d: got %+v, want key %d hops %d", round, i, got, w.Key, w.Hops)
			}
		}
		if h.Len() != 0 {
			t.Fatalf("round %d: %d items left", round, h.Len())
		}
	}
}

// TestIndexedSet: Set moves an item up or down; the heap holds one item per
// ID, Pop frees the ID, and Reset empties it.
func TestIndexedSet(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 100
	h := minheap.NewIndexed[float64](n)
	for round := range 30 {
		cur := map[int32]minheap.Item[float64]{}
		for range 500 {
			it := minheap.Item[float64]{Key: float64(rng.IntN(50)), Hops: rng.Int32N(3), ID: rng.Int32N(n)}
			h.Set(it)
			cur[it.ID] = it
		}
		if h.Len() != len(cur) {
			t.Fatalf("round %d: %d items, want %d", round, h.Len(), len(cur))
		}
		if round%3 == 0 {
			h.Reset()
			continue
		}
		prev := minheap.Item[float64]{Key: -1}
		for h.Len() > 0 {
			got := h.Pop()
			if got != cur[got.ID] {
				t.Fatalf("round %d: popped %+v, last set %+v", round, got, cur[got.ID])
			}
			if got.Key < prev.Key || (got.Key == prev.Key && got.Hops < prev.Hops) {
				t.Fatalf("round %d: %+v after %+v", round, got, prev)
			}
			delete(cur, got.ID)
			prev = got
		}
	}
}
