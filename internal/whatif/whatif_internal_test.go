package whatif

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// A what-if waits for a free slot within its deadline.
func TestRunWaitsForASlot(t *testing.T) {
	s := New(nil, Options{})
	s.slots <- struct{}{} // another what-if is running
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	snap := &snapshot.Snapshot{}
	if _, err := s.Run(ctx, snap, Request{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Run while the only slot is taken: %v, want the deadline's error", err)
	}
}
