package telemetry_test

import (
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
	storetest.Run(t, storetest.FileHarness(func(t *testing.T, path string) kolgraph.Store {
		base, err := embedded.Open(path, embedded.WithNoSync())
		if err != nil {
			t.Fatal(err)
		}
		return m.InstrumentStore(base)
	}))
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
