package scope

import (
	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/tiering"
)

// Analytics are the analytics services over one snapshot source: the full
// graph, or one territory set's induced view.
type Analytics struct {
	Snapshots snapshot.Source
	Scores    *scoring.Service
	Access    *access.Service
	Tiering   *tiering.Service
}

// Deps are what one request reads and writes through.
type Deps struct {
	Store     kolgraph.Store
	Analytics *Analytics
}

// Builder makes the analytics services of a territory set over its view
// (the same parameters as the full graph's); catalog is the set's scoped
// store, for tiering's territory names.
type Builder func(src snapshot.Source, catalog kolgraph.Store) (*Analytics, error)

// Views choose a request's Deps from its principal: the real store and
// analytics for roles that see every territory, the scoped store and the
// territory set's analytics (kept per set, see Sets) for the others.
type Views struct {
	store kolgraph.Store
	full  *Analytics
	sets  Sets[*Analytics]
}

// MaxSets bounds the territory sets whose analytics are kept at once.
const MaxSets = 64

// NewViews returns views over store and the full graph's analytics.
func NewViews(store kolgraph.Store, full *Analytics, build Builder) *Views {
	v := &Views{store: store, full: full}
	v.sets = Sets[*Analytics]{Max: MaxSets, New: func(ts []string) (*Analytics, error) {
		// The catalog store lives as long as the set: tiering reads only
		// territory names through it, which are looked up afresh each time.
		return build(NewSnapshots(full.Snapshots, ts), NewStore(store, ts))
	}}
	return v
}

// Store is the store the views restrict.
func (v *Views) Store() kolgraph.Store { return v.store }

// For returns the Deps of principal p. Its store also refuses writes to a
// role without auth.Write and the audit log to one without
// auth.ReadAuditLog (FORBIDDEN).
func (v *Views) For(p *auth.Principal) (Deps, error) {
	if !p.Scoped() {
		return Deps{Store: guard(v.store, p), Analytics: v.full}, nil
	}
	a, err := v.sets.Get(p.Territories)
	if err != nil {
		return Deps{}, err
	}
	return Deps{Store: guard(NewStore(v.store, p.Territories), p), Analytics: a}, nil
}

// Forget drops the cached rankings of versions other than keep in every
// territory set (call it with the full graph's on each snapshot swap).
func (v *Views) Forget(keep uint64) {
	v.sets.Each(func(a *Analytics) { a.Scores.Forget(keep) })
}
