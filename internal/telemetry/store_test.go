package telemetry_test

import (
	"path/filepath"
	"testing"

	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/storetest"
	"github.com/kolgraph/kolgraph/internal/telemetry"
)

// TestContract runs the store contract suite through the instrumented
// store: measuring a call must not change what it does.
func TestContract(t *testing.T) {
	m := telemetry.New()
	paths := map[kolgraph.Store]string{}
	open := func(t *testing.T, path string) kolgraph.Store {
		base, err := embedded.Open(path, embedded.WithNoSync())
		if err != nil {
			t.Fatal(err)
		}
		s := m.InstrumentStore(base)
		paths[s] = path
		return s
	}
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) kolgraph.Store { return open(t, filepath.Join(t.TempDir(), "kg.db")) },
		Reopen: func(t *testing.T, s kolgraph.Store) kolgraph.Store {
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			return open(t, paths[s])
		},
	})
	families, err := m.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	var calls uint64
	for _, f := range families {
		if f.GetName() == "kolgraph_store_call_duration_seconds" {
			for _, s := range f.GetMetric() {
				calls += s.GetHistogram().GetSampleCount()
			}
		}
	}
	if calls == 0 {
		t.Error("the suite's store calls were not measured")
	}
}
