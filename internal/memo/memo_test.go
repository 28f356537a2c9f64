package memo_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/memo"
)

func TestOneRunPerKey(t *testing.T) {
	c := memo.New[string, int](0)
	var runs atomic.Int32
	release := make(chan struct{})
	compute := func() (int, error) {
		runs.Add(1)
		<-release
		return 42, nil
	}
	var wg sync.WaitGroup
	var hits atomic.Int32
	for range 8 {
		wg.Go(func() {
			v, hit, err := c.Get(t.Context(), 1, "a", compute)
			if err != nil || v != 42 {
				t.Errorf("Get: %d, %v; want 42", v, err)
			}
			if hit {
				hits.Add(1)
			}
		})
	}
	// Let every caller find the run before it ends.
	for runs.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(10 * time.Millisecond)
	close(release)
	wg.Wait()
	if runs.Load() != 1 || hits.Load() != 7 {
		t.Errorf("runs %d, hits %d; want 1 run and 7 hits", runs.Load(), hits.Load())
	}
	if v, hit, _ := c.Get(t.Context(), 1, "a", compute); !hit || v != 42 || runs.Load() != 1 {
		t.Errorf("cached Get: %d, hit %v, runs %d; want 42 from the cache", v, hit, runs.Load())
	}
}

func TestFailureNotKept(t *testing.T) {
	c := memo.New[string, int](0)
	boom := errors.New("boom")
	if _, _, err := c.Get(t.Context(), 1, "a", func() (int, error) { return 0, boom }); !errors.Is(err, boom) {
		t.Fatalf("Get: %v, want boom", err)
	}
	v, hit, err := c.Get(t.Context(), 1, "a", func() (int, error) { return 7, nil })
	if err != nil || v != 7 || hit {
		t.Errorf("Get after a failure: %d, hit %v, %v; want a new run giving 7", v, hit, err)
	}
}

func TestCallerGivesUpRunGoesOn(t *testing.T) {
	c := memo.New[string, int](0)
	release := make(chan struct{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := c.Get(ctx, 1, "a", func() (int, error) { <-release; return 5, nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("Get with an ended context: %v, want context.Canceled", err)
	}
	close(release)
	v, hit, err := c.Get(t.Context(), 1, "a", func() (int, error) { return 0, errors.New("second run") })
	if err != nil || v != 5 || !hit {
		t.Errorf("Get after the first caller gave up: %d, hit %v, %v; want the first run's 5", v, hit, err)
	}
}

func TestNewerVersionDropsOlder(t *testing.T) {
	c := memo.New[string, int](0)
	one := func() (int, error) { return 1, nil }
	c.Get(t.Context(), 1, "a", one)
	c.Get(t.Context(), 1, "b", one)
	c.Get(t.Context(), 2, "a", one)
	if _, hit, _ := c.Get(t.Context(), 1, "b", one); hit {
		t.Error("a version-1 result outlived a version-2 one")
	}
	// An older version asked late does not evict the newer one.
	if _, hit, _ := c.Get(t.Context(), 2, "a", one); !hit {
		t.Error("a late version-1 request dropped the version-2 result")
	}
	c.Forget(3)
	if _, hit, _ := c.Get(t.Context(), 2, "a", one); hit {
		t.Error("Forget(3) kept a version-2 result")
	}
}

func TestLeastRecentlyUsedGoesFirst(t *testing.T) {
	c := memo.New[string, int](2)
	one := func() (int, error) { return 1, nil }
	c.Get(t.Context(), 1, "a", one)
	c.Get(t.Context(), 1, "b", one)
	c.Get(t.Context(), 1, "a", one) // a is now the most recent
	c.Get(t.Context(), 1, "c", one) // evicts b
	if _, hit, _ := c.Get(t.Context(), 1, "a", one); !hit {
		t.Error("a was evicted, want b evicted")
	}
	if _, hit, _ := c.Get(t.Context(), 1, "b", one); hit {
		t.Error("b is still cached, want it evicted")
	}
}
