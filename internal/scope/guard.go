package scope

import (
	"context"
	"time"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// guarded refuses what the principal's role may not do through the store,
// as auth decides it (Principal.Check, CheckTie): writes without
// auth.Write (account plans alone need only auth.WritePlans), other users' KNOWS ties without auth.ManageUsers, the audit
// log without auth.ReadAuditLog. Reads pass through (territories are the
// scoped store's business).
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
	if err := g.p.Check(writes(cs)); err != nil {
		return 0, err
	}
	return g.Store.Apply(ctx, cs)
}

// Authorize refuses, from the change set alone, what the role may not
// write: anything without auth.Write (account plans alone without
// auth.WritePlans), and the KNOWS ties auth.CheckTie
// refuses (other users', unless the role manages users). The writer asks
// before it reads the store, so a refusal does not reveal whether the tie
// exists.
func (g guarded) Authorize(cs *kolgraph.ChangeSet) error {
	if err := g.p.Check(writes(cs)); err != nil {
		return err
	}
	keys := make([]kolgraph.KnowsKey, 0, len(cs.Knows)+len(cs.Delete.Knows))
	for _, k := range cs.Knows {
		keys = append(keys, kolgraph.KnowsKey{UserID: k.UserID, HCPID: k.HCPID})
	}
	keys = append(keys, cs.Delete.Knows...)
	for _, k := range keys {
		if err := g.p.CheckTie(k); err != nil {
			return err
		}
	}
	return nil
}

// writes is the capability writing cs takes: auth.WritePlans for account
// plans alone, else auth.Write.
func writes(cs *kolgraph.ChangeSet) auth.Capability {
	if cs.PlansOnly() {
		return auth.WritePlans
	}
	return auth.Write
}

// AuditLog implements kolgraph.Store.
func (g guarded) AuditLog(ctx context.Context, f kolgraph.AuditFilter, p kolgraph.Page) (*kolgraph.AuditPage, error) {
	if err := g.p.Check(auth.ReadAuditLog); err != nil {
		return nil, err
	}
	return g.Store.AuditLog(ctx, f, p)
}

// Close implements kolgraph.Store: the request's view does not own the store.
func (g guarded) Close() error { return nil }

// AppendHistory implements kolgraph.Store: a write, refused without
// auth.Write (the history service writes through the unguarded store).
func (g guarded) AppendHistory(ctx context.Context, points []*kolgraph.HistoryPoint) error {
	if err := g.p.Check(auth.Write); err != nil {
		return err
	}
	return g.Store.AppendHistory(ctx, points)
}

// PruneHistory implements kolgraph.Store: a write, as AppendHistory.
func (g guarded) PruneHistory(ctx context.Context, r kolgraph.HistoryRetention, now time.Time) (int, error) {
	if err := g.p.Check(auth.Write); err != nil {
		return 0, err
	}
	return g.Store.PruneHistory(ctx, r, now)
}
