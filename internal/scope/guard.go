package scope

import (
	"context"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// guarded refuses what the principal's role may not do through the store:
// writes without auth.Write, other users' KNOWS ties without the right to
// manage users, the audit log without auth.ReadAuditLog. Reads pass
// through (territories are the scoped store's business).
type guarded struct {
	kolgraph.Store
	p *auth.Principal
}

// Guard returns st as principal p may use it (st itself for a role that
// may do everything).
func Guard(st kolgraph.Store, p *auth.Principal) kolgraph.Store {
	if p.Can(auth.Write | auth.ReadAuditLog | auth.ManageUsers) {
		return st
	}
	return guarded{Store: st, p: p}
}

// Apply implements kolgraph.Store. The ties rule of Authorize is not
// checked again here: the writer's change set also deletes, with an HCP,
// the ties other users had to it, which the caller never asked for.
func (g guarded) Apply(ctx context.Context, cs *kolgraph.ChangeSet) (uint64, error) {
	if !g.p.Can(auth.Write) {
		return 0, g.readOnly()
	}
	return g.Store.Apply(ctx, cs)
}

func (g guarded) readOnly() error {
	return kolgraph.Errorf(kolgraph.EFORBIDDEN, "the %s role may not change the graph", g.p.Role)
}

// Authorize refuses, from the change set alone, what the role may not
// write: anything without auth.Write, and other users' KNOWS ties. A tie is
// where its user's access paths and cited paths start, so it belongs to
// that user; only a role that manages users (auth.ManageUsers: admin)
// writes anyone's. The writer asks before it reads the store, so a
// refusal does not reveal whether the tie exists.
func (g guarded) Authorize(cs *kolgraph.ChangeSet) error {
	if !g.p.Can(auth.Write) {
		return g.readOnly()
	}
	if g.p.Can(auth.ManageUsers) {
		return nil
	}
	keys := make([]kolgraph.KnowsKey, 0, len(cs.Knows)+len(cs.Delete.Knows))
	for _, k := range cs.Knows {
		keys = append(keys, kolgraph.KnowsKey{UserID: k.UserID, HCPID: k.HCPID})
	}
	keys = append(keys, cs.Delete.Knows...)
	for _, k := range keys {
		if k.UserID != g.p.Subject {
			return kolgraph.Errorf(kolgraph.EFORBIDDEN, "the KNOWS tie %s belongs to user %s: a %s writes only its own ties",
				kolgraph.PairID(k.UserID, k.HCPID), k.UserID, g.p.Role)
		}
	}
	return nil
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
