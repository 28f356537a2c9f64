package scope_test

import (
	"context"
	"testing"

	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scope"
	"github.com/kolgraph/kolgraph/internal/storetest"
)

// suiteTerritories are every territory the contract suite writes.
var suiteTerritories = []string{"T1", "T2", "T3"}

// everyTerritory is the scoped store of every territory of the suite: a
// role that sees them all must find the scoped store indistinguishable
// from the store itself. What a territory scope refuses by design goes to
// the store itself: writing territories, products and users (a scoped
// caller never may), and reading the audit log.
type everyTerritory struct {
	*scope.Store
	base kolgraph.Store
}

func (s *everyTerritory) Apply(ctx context.Context, cs *kolgraph.ChangeSet) (uint64, error) {
	d := &cs.Delete
	if len(cs.Territories)+len(d.Territories)+len(cs.Products)+len(d.Products)+len(cs.Users)+len(d.Users) == 0 {
		return s.Store.Apply(ctx, cs)
	}
	v, err := s.base.Apply(ctx, cs)
	s.Store = scope.NewStore(s.base, suiteTerritories) // forget what it looked up
	return v, err
}

func (s *everyTerritory) AuditLog(ctx context.Context, f kolgraph.AuditFilter, p kolgraph.Page) (*kolgraph.AuditPage, error) {
	return s.base.AuditLog(ctx, f, p)
}

func (s *everyTerritory) Close() error { return s.base.Close() }

// TestContract runs the store contract suite through the scoped store of
// every territory, over the embedded store.
func TestContract(t *testing.T) {
	h := storetest.FileHarness(func(t *testing.T, path string) kolgraph.Store {
		base, err := embedded.Open(path, embedded.WithNoSync())
		if err != nil {
			t.Fatal(err)
		}
		return &everyTerritory{Store: scope.NewStore(base, suiteTerritories), base: base}
	})
	// A territory scope writes only what it can show is in scope, so these
	// differ by design: a hospital without a territory is outside every
	// scope, and a write naming a record that does not exist is FORBIDDEN
	// (not BAD_USER_INPUT, which would tell what exists).
	h.Skip = map[string]string{
		"Upsert":                     "writes hospitals without a territory",
		"Validation":                 "writes hospitals without a territory",
		"References":                 "unknown references are FORBIDDEN through a scope",
		"AccountPlanValidation":      "a plan without a hospital is outside every scope",
		"AccountPlanReferences":      "unknown references are FORBIDDEN through a scope",
		"PrescriptionFactValidation": "unknown references are FORBIDDEN through a scope",
		"InteractionReferences":      "unknown references are FORBIDDEN through a scope",
		"AccountOwnerReferences":     "unknown accounts are FORBIDDEN through a scope",
		"ActivityReferences":         "unknown references are FORBIDDEN through a scope",
		"History":                    "the history is written by the service through the underlying store",
		"HistoryRetention":           "the history is pruned by the service through the underlying store",
	}
	storetest.Run(t, h)
}
