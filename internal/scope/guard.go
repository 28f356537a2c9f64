package scope

import (
	"context"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// guarded refuses what the principal's role may not do through the store:
// writes without auth.Write, the audit log without auth.ReadAuditLog. Reads
// pass through (territories are the scoped store's business).
type guarded struct {
	kolgraph.Store
	p *auth.Principal
}

func guard(st kolgraph.Store, p *auth.Principal) kolgraph.Store {
	if p.Can(auth.Write) && p.Can(auth.ReadAuditLog) {
		return st
	}
	return guarded{Store: st, p: p}
}

// Apply implements kolgraph.Store.
func (g guarded) Apply(ctx context.Context, cs *kolgraph.ChangeSet) (uint64, error) {
	if !g.p.Can(auth.Write) {
		return 0, kolgraph.Errorf(kolgraph.EFORBIDDEN, "the %s role may not change the graph", g.p.Role)
	}
	return g.Store.Apply(ctx, cs)
}

// AuditLog implements kolgraph.Store.
func (g guarded) AuditLog(ctx context.Context, f kolgraph.AuditFilter, p kolgraph.Page) (*kolgraph.AuditPage, error) {
	if !g.p.Can(auth.ReadAuditLog) {
		return nil, kolgraph.Errorf(kolgraph.EFORBIDDEN, "the %s role may not read the audit log", g.p.Role)
	}
	return g.Store.AuditLog(ctx, f, p)
}

// Close implements kolgraph.Store: the request's view does not own the store.
func (g guarded) Close() error { return nil }
