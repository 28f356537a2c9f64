package memo_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kolgraph/kolgraph/internal/memo"
)

func st(print, version uint64) memo.Stamp { return memo.Stamp{Print: print, Version: version} }

func value(v int) memo.Compute[int] { return func(bool) (int, error) { return v, nil } }

// gate is a computation that starts, tells so, and waits to be released.
type gate struct {
	started chan struct{}
	release chan struct{}
	runs    atomic.Int32
}

func newGate() *gate { return &gate{started: make(chan struct{}, 16), release: make(chan struct{})} }

func (g *gate) compute(v int) memo.Compute[int] {
	return func(bool) (int, error) {
		g.runs.Add(1)
		g.started <- struct{}{}
		<-g.release
		return v, nil
	}
}

func TestOneRunPerInput(t *testing.T) {
	c := memo.New[string, int](0, memo.NewPool(1))
	g := newGate()
	first := make(chan memo.Result[int], 1)
	go func() {
		r, err := c.Get(t.Context(), "a", st(1, 1), g.compute(42))
		if err != nil {
			t.Error(err)
		}
		first <- r
	}()
	<-g.started // the run is registered before it starts
	var wg sync.WaitGroup
	var hits atomic.Int32
	for range 7 {
		wg.Go(func() {
			r, err := c.Get(t.Context(), "a", st(1, 1), g.compute(0))
			if err != nil || r.Value != 42 {
				t.Errorf("Get: %d, %v; want 42", r.Value, err)
			}
			if r.Hit {
				hits.Add(1)
			}
		})
	}
	// The waiters cannot be observed parked without a sleep; releasing now
	// still proves the point: every caller gets the one run's value.
	close(g.release)
	wg.Wait()
	if r := <-first; r.Value != 42 || r.Hit || r.Stale {
		t.Errorf("first caller: %+v, want a fresh miss of 42", r)
	}
	if g.runs.Load() != 1 {
		t.Errorf("runs %d, want 1", g.runs.Load())
	}
	if r, _ := c.Get(t.Context(), "a", st(1, 1), g.compute(0)); !r.Hit || r.Value != 42 || r.Stale {
		t.Errorf("cached Get: %+v; want 42 from the cache", r)
	}
}

func TestFailureNotKept(t *testing.T) {
	c := memo.New[string, int](0, memo.NewPool(1))
	boom := errors.New("boom")
	if _, err := c.Get(t.Context(), "a", st(1, 1), func(bool) (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("Get: %v, want boom", err)
	}
	r, err := c.Get(t.Context(), "a", st(1, 1), value(7))
	if err != nil || r.Value != 7 || r.Hit {
		t.Errorf("Get after a failure: %+v, %v; want a new run giving 7", r, err)
	}
}

func TestCallerGivesUpRunGoesOn(t *testing.T) {
	c := memo.New[string, int](0, memo.NewPool(1))
	release := make(chan struct{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := c.Get(ctx, "a", st(1, 1), func(bool) (int, error) { <-release; return 5, nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Get with an ended context: %v, want context.Canceled", err)
	}
	close(release)
	v, _, err := c.Fresh(t.Context(), "a", st(1, 1), func(bool) (int, error) { return 0, errors.New("second run") })
	if err != nil || v != 5 {
		t.Errorf("Fresh after the first caller gave up: %d, %v; want the first run's 5", v, err)
	}
}

// A changed input is answered with the previous result at once, stale,
// while the new one computes on the pool; then the new one is served.
func TestStaleWhileRevalidate(t *testing.T) {
	pool := memo.NewPool(1)
	c := memo.New[string, int](0, pool)
	if _, err := c.Get(t.Context(), "a", st(1, 1), value(1)); err != nil {
		t.Fatal(err)
	}
	g := newGate()
	r, err := c.Get(t.Context(), "a", st(2, 2), g.compute(2))
	if err != nil || r.Value != 1 || !r.Stale || r.Stamp != st(1, 1) {
		t.Fatalf("Get of a changed input: %+v, %v; want the stale 1 of (1,1)", r, err)
	}
	<-g.started
	// Asked again while it computes: still stale, no second run.
	if r, _ := c.Get(t.Context(), "a", st(2, 2), g.compute(-1)); r.Value != 1 || !r.Stale {
		t.Errorf("second Get while revalidating: %+v, want the stale 1", r)
	}
	close(g.release)
	pool.Wait()
	if r, _ := c.Get(t.Context(), "a", st(2, 2), g.compute(-1)); r.Value != 2 || r.Stale || r.Stamp != st(2, 2) {
		t.Errorf("Get after the background run: %+v, want a fresh 2", r)
	}
	if g.runs.Load() != 1 {
		t.Errorf("%d background runs, want 1", g.runs.Load())
	}
}

// An unchanged input (same Print) at a new version hits directly.
func TestPrintReusedAcrossVersions(t *testing.T) {
	c := memo.New[string, int](0, memo.NewPool(1))
	c.Get(t.Context(), "a", st(7, 1), value(1))
	r, err := c.Get(t.Context(), "a", st(7, 5), func(bool) (int, error) { t.Error("recomputed an unchanged input"); return 0, nil })
	if err != nil || r.Value != 1 || r.Stale || r.Stamp != st(7, 1) {
		t.Errorf("Get of the same print at version 5: %+v, %v; want the version-1 result, fresh", r, err)
	}
	// Put carries it over to version 5; an older version does not replace it.
	if !c.Put("a", st(7, 5), 10) || c.Put("a", st(7, 3), 30) || c.Put("a", st(8, 9), 80) {
		t.Error("Put: want only the newer version of the same print installed")
	}
	if r, _ := c.Get(t.Context(), "a", st(7, 5), value(0)); r.Value != 10 || r.Stamp != st(7, 5) {
		t.Errorf("after Put: %+v, want 10 at (7,5)", r)
	}
}

// A failed background run leaves the stale result and is not retried for
// the same input; a new input is tried again.
func TestBackgroundFailureKeepsStale(t *testing.T) {
	pool := memo.NewPool(1)
	c := memo.New[string, int](0, pool)
	c.Get(t.Context(), "a", st(1, 1), value(1))
	var runs atomic.Int32
	fail := func(bool) (int, error) { runs.Add(1); return 0, errors.New("boom") }
	c.Get(t.Context(), "a", st(2, 2), fail)
	pool.Wait()
	if r, err := c.Get(t.Context(), "a", st(2, 2), fail); err != nil || r.Value != 1 || !r.Stale {
		t.Errorf("Get after a failed background run: %+v, %v; want the stale 1", r, err)
	}
	pool.Wait()
	if runs.Load() != 1 {
		t.Errorf("%d runs of the failing input, want 1", runs.Load())
	}
	c.Get(t.Context(), "a", st(3, 3), value(3))
	pool.Wait()
	if r, _ := c.Get(t.Context(), "a", st(3, 3), value(0)); r.Value != 3 || r.Stale {
		t.Errorf("a new input after a failure: %+v, want a fresh 3", r)
	}
}

// The pool runs at most its bound of computations at once, in order.
func TestPoolBound(t *testing.T) {
	pool := memo.NewPool(2)
	var running, most atomic.Int32
	release := make(chan struct{})
	started := make(chan int, 10)
	for i := range 5 {
		pool.Go(func() {
			n := running.Add(1)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
			started <- i
			<-release
			running.Add(-1)
		})
	}
	a, b := <-started, <-started
	select {
	case i := <-started:
		t.Fatalf("task %d started while %d and %d ran on a pool of 2", i, a, b)
	default:
	}
	close(release)
	pool.Wait()
	if most.Load() != 2 {
		t.Errorf("at most %d tasks ran at once, want 2", most.Load())
	}
	if len(started) != 3 {
		t.Errorf("%d more tasks ran, want 3", len(started))
	}
}

// Fresh takes a background run still queued behind a busy pool and runs it
// itself: a pool worker waiting on it must not deadlock.
func TestFreshTakesQueuedRun(t *testing.T) {
	pool := memo.NewPool(1)
	c := memo.New[string, int](0, pool)
	c.Get(t.Context(), "a", st(1, 1), value(1))
	busy := make(chan struct{})
	pool.Go(func() { <-busy }) // the only worker is taken
	if r, _ := c.Get(t.Context(), "a", st(2, 2), value(2)); !r.Stale {
		t.Fatalf("want a stale answer, got %+v", r)
	}
	v, got, err := c.Fresh(t.Context(), "a", st(2, 2), value(-1))
	if err != nil || v != 2 || got != st(2, 2) {
		t.Errorf("Fresh: %d %+v %v; want the queued run's 2", v, got, err)
	}
	close(busy)
	pool.Wait()
}

// A first ask while the key's first run (of an older input) is in
// progress waits for that run instead of starting a second, and gets its
// result as stale.
func TestFirstAskJoinsRunningRun(t *testing.T) {
	pool := memo.NewPool(1)
	c := memo.New[string, int](0, pool)
	g := newGate()
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Get(t.Context(), "a", st(1, 1), g.compute(1))
	}()
	<-g.started
	got := make(chan memo.Result[int], 1)
	go func() {
		r, _ := c.Get(t.Context(), "a", st(2, 2), value(2))
		got <- r
	}()
	close(g.release)
	<-done
	r := <-got
	pool.Wait()
	if g.runs.Load() != 1 {
		t.Errorf("%d runs of the first input", g.runs.Load())
	}
	// Either the second caller joined the first run (stale 1) or it came
	// after it ended (then it is a stale hit too): never a wait for input 2.
	if r.Value != 1 || !r.Stale {
		t.Errorf("second caller: %+v, want the first run's 1, stale", r)
	}
	if r, _ := c.Get(t.Context(), "a", st(2, 2), value(0)); r.Value != 2 || r.Stale {
		t.Errorf("after the background run: %+v, want a fresh 2", r)
	}
}

func TestLeastRecentlyUsedGoesFirst(t *testing.T) {
	c := memo.New[string, int](2, memo.NewPool(1))
	one := value(1)
	c.Get(t.Context(), "a", st(1, 1), one)
	c.Get(t.Context(), "b", st(1, 1), one)
	c.Get(t.Context(), "a", st(1, 1), one) // a is now the most recent
	c.Get(t.Context(), "c", st(1, 1), one) // evicts b
	if r, _ := c.Get(t.Context(), "a", st(1, 1), one); !r.Hit {
		t.Error("a was evicted, want b evicted")
	}
	if r, _ := c.Get(t.Context(), "b", st(1, 1), one); r.Hit {
		t.Error("b is still cached, want it evicted")
	}
}

func TestEntriesAndDrop(t *testing.T) {
	c := memo.New[string, int](0, memo.NewPool(1))
	c.Get(t.Context(), "a", st(1, 1), value(1))
	es := c.Entries()
	if len(es) != 1 || es[0].Key != "a" || es[0].Value != 1 || es[0].Stamp != st(1, 1) || es[0].Running {
		t.Fatalf("Entries: %+v", es)
	}
	c.Drop("a", st(2, 2)) // not its stamp: kept
	if len(c.Entries()) != 1 {
		t.Error("Drop of another stamp dropped the result")
	}
	c.Drop("a", st(1, 1))
	if len(c.Entries()) != 0 {
		t.Error("Drop kept the result")
	}
}

// A run a caller waits for is told it is not in the background; a run on
// the pool, or one a background computation asks Fresh for, is.
func TestBackgroundFlag(t *testing.T) {
	pool := memo.NewPool(1)
	c := memo.New[string, bool](0, pool)
	flag := func(bg bool) (bool, error) { return bg, nil }
	if r, _ := c.Get(t.Context(), "a", st(1, 1), flag); r.Value {
		t.Error("a first ask ran in the background")
	}
	c.Get(t.Context(), "a", st(2, 2), flag)
	pool.Wait()
	if r, _ := c.Get(t.Context(), "a", st(2, 2), flag); !r.Value || r.Stale {
		t.Errorf("the revalidation: %+v, want a background run", r)
	}
	if v, _, _ := c.Fresh(memo.InBackground(t.Context()), "b", st(1, 1), flag); !v {
		t.Error("Fresh from a background computation ran in the foreground")
	}
	if v, _, _ := c.Fresh(t.Context(), "c", st(1, 1), flag); v {
		t.Error("Fresh from a request ran in the background")
	}
}

// A first ask that joined another input's run, which failed, runs its own.
func TestJoinedRunFailsOwnRuns(t *testing.T) {
	c := memo.New[string, int](0, memo.NewPool(1))
	started, release := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Get(t.Context(), "a", st(1, 1), func(bool) (int, error) { close(started); <-release; return 0, errors.New("boom") })
	}()
	<-started
	got := make(chan memo.Result[int], 1)
	go func() {
		r, err := c.Get(t.Context(), "a", st(2, 2), value(2))
		if err != nil {
			t.Error(err)
		}
		got <- r
	}()
	close(release)
	<-done
	if r := <-got; r.Value != 2 || r.Stale {
		t.Errorf("second caller: %+v, want its own fresh 2", r)
	}
}
