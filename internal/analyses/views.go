package analyses

import (
	"sync/atomic"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scope"
)

// Deps are what one request reads and writes through.
type Deps struct {
	Store     kolgraph.Store
	Analytics *Set
}

// Views choose a request's Deps from its principal: the real store and the
// full graph's analytics for roles that see every territory, the scoped
// store and the territory set's analytics (kept per set, see scope.Sets)
// for the others. Either store refuses what the role may not do
// (scope.Guard).
type Views struct {
	store kolgraph.Store
	state atomic.Pointer[viewState]
}

// viewState is what Reconfigure replaces at once: the whole graph's
// analytics and the territory sets' built with the same configuration.
type viewState struct {
	full *Set
	sets *scope.Sets[*Set]
}

// MaxSets bounds the territory sets whose analytics are kept at once.
const MaxSets = 64

// NewViews returns the views over store and full, the whole graph's
// analytics (New over store's snapshots); a territory set's analytics are
// built with full's configuration, over its induced view of
// full.Snapshots, on its first use.
func NewViews(store kolgraph.Store, full *Set) *Views {
	v := &Views{store: store}
	v.install(full)
	return v
}

func (v *Views) install(full *Set) {
	sets := &scope.Sets[*Set]{Max: MaxSets, New: func(ts []string) (*Set, error) {
		// The catalog store lives as long as the set: tiering reads only
		// territory names through it, which are looked up afresh each time.
		return New(scope.NewSnapshots(full.Snapshots, ts), scope.NewStore(v.store, ts), full.config)
	}}
	v.state.Store(&viewState{full: full, sets: sets})
}

// Reconfigure replaces the analytics with ones built with c (Set.With):
// requests that already hold theirs finish with them, later ones get the
// new. Territory sets are rebuilt on their next use.
func (v *Views) Reconfigure(c Config) error {
	full, err := v.Full().With(c)
	if err != nil {
		return err
	}
	v.install(full)
	return nil
}

// Store is the store the views restrict.
func (v *Views) Store() kolgraph.Store { return v.store }

// Full is the analytics of the whole graph.
func (v *Views) Full() *Set { return v.state.Load().full }

// For returns the Deps of principal p. Its store also refuses writes to a
// role without auth.Write and the audit log to one without
// auth.ReadAuditLog (FORBIDDEN).
func (v *Views) For(p *auth.Principal) (Deps, error) {
	st := v.state.Load()
	if !p.Scoped() {
		return Deps{Store: scope.Guard(v.store, p), Analytics: st.full}, nil
	}
	a, err := st.sets.Get(p.Territories)
	if err != nil {
		return Deps{}, err
	}
	return Deps{Store: scope.Guard(scope.NewStore(v.store, p.Territories), p), Analytics: a}, nil
}

// Revalidate brings the cached results of the full graph and of every
// territory set to the current snapshot (call it on each snapshot swap).
func (v *Views) Revalidate() {
	st := v.state.Load()
	st.full.Revalidate()
	st.sets.Each(func(s *Set) { s.Revalidate() })
}
