package neo4jstore_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/storetest"
)

// TestBusyStoreQueues occupies every connection of a store with calls that
// stay open (Scans whose visitor waits) for three times the store's
// Timeout. A further call waits its turn and is answered within its
// caller's deadline, instead of failing with UNAVAILABLE once Timeout has
// passed waiting for a connection; a caller whose own deadline ends first
// gets that deadline's error, when it ends.
func TestBusyStoreQueues(t *testing.T) {
	cfg := testConfig(t)
	cfg.Timeout = time.Second
	cfg.MaxConnections = 2
	wipe(t, cfg)
	s := open(t, cfg)
	defer s.Close()
	if _, err := s.Apply(t.Context(), storetest.Fixture()); err != nil {
		t.Fatal(err)
	}

	hold := make(chan struct{})
	holding := make(chan struct{}, cfg.MaxConnections)
	var wg sync.WaitGroup
	for range cfg.MaxConnections {
		wg.Go(func() {
			once := sync.OnceFunc(func() {
				holding <- struct{}{}
				<-hold
			})
			err := s.Scan(t.Context(), kolgraph.Visitor{HCP: func(*kolgraph.HCP) error { once(); return nil }})
			if err != nil {
				t.Errorf("a Scan holding a connection: %v", err)
			}
		})
	}
	defer wg.Wait()
	released := false
	release := func() {
		if !released {
			released = true
			close(hold)
		}
	}
	defer release()
	for range cfg.MaxConnections {
		select {
		case <-holding:
		case <-time.After(30 * time.Second):
			t.Fatal("the Scans did not start within 30s")
		}
	}

	t.Run("the caller's deadline ends the wait", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := s.Version(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Version with every connection busy and a 300ms deadline: got %v, want the deadline's error", err)
		}
		if took := time.Since(start); took > cfg.Timeout {
			t.Errorf("Version gave up after %v, want about its caller's 300ms", took)
		}
	})

	t.Run("a call waits its turn", func(t *testing.T) {
		const busy = 3 * time.Second // three times cfg.Timeout
		time.AfterFunc(busy, release)
		ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
		defer cancel()
		start := time.Now()
		v, err := s.Version(ctx)
		took := time.Since(start)
		if err != nil || v != 1 {
			t.Fatalf("Version with every connection busy for %v (Timeout %v): got %d, %v after %v; want 1, answered once a connection is free",
				busy, cfg.Timeout, v, err, took)
		}
		if took < busy-100*time.Millisecond {
			t.Errorf("Version answered after %v, before a connection was free (%v): the store did not bound its calls", took, busy)
		}
	})
}
