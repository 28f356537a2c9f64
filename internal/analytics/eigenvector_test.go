package analytics_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/analytics"
)

// Reference values: networkx 3.6.1 eigenvector_centrality(G.reverse(),
// weight="weight"), see analyticstest/testdata/reference.py.
func TestEigenvectorReferences(t *testing.T) {
	tests := []struct {
		name    string
		fixture func(testing.TB) named
		want    map[string]float64
	}{
		{"karate", karate, map[string]float64{
			"0": 0.35548349418519426, "33": 0.37337121301323495, "32": 0.3086510477336959,
			"2": 0.3171893899684447, "11": 0.05285416945233646,
		}},
		// Direction: A, who sways B and C who sway others, comes first;
		// F, who sways only D weakly, last.
		{"directed influence graph", influence, map[string]float64{
			"A": 0.6240509403247847, "B": 0.43450313556426945, "C": 0.34060873161537253,
			"D": 0.46425958098567177, "E": 0.2841577188977355, "F": 0.09731687040683802,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.fixture(t)
			got, err := analytics.Eigenvector(context.Background(), f.g, analytics.EigenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			checkNamed(t, f, got, tt.want, 1e-9)
		})
	}
}

func TestEigenvectorEdgeCases(t *testing.T) {
	ctx := context.Background()
	got, err := analytics.Eigenvector(ctx, mustGraph(t, 4, nil), analytics.EigenOptions{})
	if err != nil || !slices.Equal(got, []float64{0.5, 0.5, 0.5, 0.5}) {
		t.Errorf("no edges: got %v, %v; want 1/sqrt(4) each (networkx)", got, err)
	}
	if got, err := analytics.Eigenvector(ctx, mustGraph(t, 0, nil), analytics.EigenOptions{}); err != nil || len(got) != 0 {
		t.Errorf("empty: got %v, %v", got, err)
	}
	// A pure hierarchy has no dominant eigenvector; networkx fails to
	// converge too.
	dag := mustGraph(t, 3, []analytics.Edge{{From: 0, To: 1, Weight: 1}, {From: 1, To: 2, Weight: 1}, {From: 0, To: 2, Weight: 1}})
	got, err = analytics.Eigenvector(ctx, dag, analytics.EigenOptions{})
	if !errors.Is(err, analytics.ErrNotConverged) || len(got) != 3 {
		t.Errorf("DAG: got %v, %v; want the last iterate and ErrNotConverged", got, err)
	}
	if _, err := analytics.Eigenvector(ctx, dag, analytics.EigenOptions{Tol: -1}); !errors.Is(err, analytics.ErrInvalidOption) {
		t.Errorf("negative tolerance: got %v", err)
	}
}

func TestEigenvectorDeterministic(t *testing.T) {
	g := mustGraph(t, 20000, powerLaw(20000, 5, 4))
	a, errA := analytics.Eigenvector(context.Background(), g, analytics.EigenOptions{Workers: 1, MaxIter: 30})
	b, errB := analytics.Eigenvector(context.Background(), g, analytics.EigenOptions{Workers: 2, MaxIter: 30})
	if !slices.Equal(a, b) || (errA == nil) != (errB == nil) {
		t.Errorf("workers=1 and workers=2 differ (%v, %v)", errA, errB)
	}
}
