package analytics_test

import (
	"context"
	"testing"

	"github.com/kolgraph/kolgraph/internal/analytics"
)

// TestYielding checks that the kernels yield their processor between units
// of work under a Yielding context (a source of betweenness or reach, an
// iteration of PageRank or eigenvector) and never otherwise.
func TestYielding(t *testing.T) {
	small := mustGraph(t, 2000, powerLaw(2000, 3, 5)) // power iteration
	large := region(t, 10_000)                        // Gauss-Seidel sweeps
	kernels := []struct {
		name string
		run  func(ctx context.Context) error
		min  int
	}{
		{"betweenness", func(ctx context.Context) error {
			_, err := analytics.Betweenness(ctx, small, analytics.BetweennessOptions{})
			return err
		}, small.Nodes()},
		{"reach", func(ctx context.Context) error {
			_, err := analytics.Reach(ctx, small, analytics.ReachOptions{})
			return err
		}, small.Nodes()},
		{"pagerank power iteration", func(ctx context.Context) error {
			_, err := analytics.PageRank(ctx, small, analytics.Options{})
			return err
		}, 2},
		{"pagerank sweeps", func(ctx context.Context) error {
			_, err := analytics.PageRank(ctx, large, analytics.Options{})
			return err
		}, 2},
		{"eigenvector", func(ctx context.Context) error {
			_, err := analytics.Eigenvector(ctx, large, analytics.EigenOptions{})
			return err
		}, 2},
	}
	for _, k := range kernels {
		for _, yielding := range []bool{false, true} {
			ctx := context.Background()
			if yielding {
				ctx = analytics.Yielding(ctx)
			}
			stop := analytics.CountYields()
			err := k.run(ctx)
			n := stop()
			if err != nil {
				t.Fatalf("%s: %v", k.name, err)
			}
			if yielding && n < k.min || !yielding && n != 0 {
				t.Errorf("%s, yielding %v: %d yields", k.name, yielding, n)
			}
		}
	}
}
