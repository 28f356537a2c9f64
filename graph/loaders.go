package graph

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// loaders batch the lookups of one GraphQL operation so that a query fanning
// out over N parents costs one store call per field and level, not N.
//
// Two mechanisms do it. Below a root field, prefetch (prefetch.go) walks
// the operation's selections level by level once the root field has
// resolved and loads each navigation field of a level in one store call,
// priming these loaders: the resolvers then find their records cached,
// however their goroutines are scheduled. Everywhere else (below analytics
// results, for instance) the dataloadgen batches collect the keys that
// arrive within the loader wait; on a busy machine a level can then take a
// few batches.
type loaders struct {
	hospital   *loader[*kolgraph.Hospital]
	department *loader[*kolgraph.Department]
	hcp        *loader[*kolgraph.HCP]
	committee  *loader[*kolgraph.Committee]
	product    *loader[*kolgraph.Product]
	territory  *loader[*kolgraph.Territory]
	user       *loader[*kolgraph.User]

	departmentsOfHospital     *loader[[]*kolgraph.Department]
	committeesOfHospital      *loader[[]*kolgraph.Committee]
	listingsOfHospital        *loader[[]kolgraph.Listing]
	productSharesOfDepartment *loader[[]kolgraph.ProductShare]
	hcpsOfDepartment          *loader[[]*kolgraph.HCP]
	membershipsOfHCP          *loader[[]kolgraph.Membership]
	membershipsOfCommitee     *loader[[]kolgraph.Membership]
	influencesFrom            *loader[[]*kolgraph.Influence]
	influencesTo              *loader[[]*kolgraph.Influence]
	influence                 *dataloadgen.Loader[kolgraph.EdgeKey, *kolgraph.Influence]
	prescriptionsOf           *loader[[]kolgraph.PrescriptionFact]
}

// batch adapts a Store batch method (one result per key, in order) to a
// dataloadgen fetch function.
func batch[K comparable, V any](f func(context.Context, []K) ([]V, error)) func(context.Context, []K) ([]V, []error) {
	return func(ctx context.Context, keys []K) ([]V, []error) {
		vs, err := f(ctx, keys)
		if err != nil {
			return nil, []error{err}
		}
		return vs, nil
	}
}

func newLoaders(s kolgraph.Store, wait time.Duration) *loaders {
	o := dataloadgen.WithWait(wait)
	return &loaders{
		hospital:   newLoader(s.Hospitals, o),
		department: newLoader(s.Departments, o),
		hcp:        newLoader(s.HCPs, o),
		committee:  newLoader(s.Committees, o),
		product:    newLoader(s.Products, o),
		territory:  newLoader(s.Territories, o),
		user:       newLoader(s.Users, o),

		departmentsOfHospital:     newLoader(s.DepartmentsOfHospitals, o),
		committeesOfHospital:      newLoader(s.CommitteesOfHospitals, o),
		listingsOfHospital:        newLoader(s.ListingsOfHospitals, o),
		productSharesOfDepartment: newLoader(s.ProductSharesOfDepartments, o),
		hcpsOfDepartment:          newLoader(s.HCPsOfDepartments, o),
		membershipsOfHCP:          newLoader(s.MembershipsOfHCPs, o),
		membershipsOfCommitee:     newLoader(s.MembershipsOfCommittees, o),
		influencesFrom:            newLoader(s.InfluencesFrom, o),
		influencesTo:              newLoader(s.InfluencesTo, o),
		influence:                 dataloadgen.NewLoader(batch(s.Influences), o),
		prescriptionsOf:           newLoader(s.PrescriptionFactsOf, o),
	}
}

// loader is a dataloadgen loader by id that can also fetch many ids in one
// store call on demand (prefetch), priming its cache with the results.
type loader[V any] struct {
	*dataloadgen.Loader[string, V]
	fetch func(context.Context, []string) ([]V, error)

	mu sync.Mutex
	// known holds the ids this operation has asked for or primed.
	known map[string]bool
	// failed holds the error of a prefetch for each of its ids, so that
	// their resolvers report it instead of asking again.
	failed map[string]error
}

func newLoader[V any](fetch func(context.Context, []string) ([]V, error), o ...dataloadgen.Option) *loader[V] {
	return &loader[V]{Loader: dataloadgen.NewLoader(batch(fetch), o...), fetch: fetch,
		known: map[string]bool{}, failed: map[string]error{}}
}

// Load returns the record of id: primed, or fetched in a batch.
func (l *loader[V]) Load(ctx context.Context, id string) (V, error) {
	l.mu.Lock()
	l.known[id] = true
	err := l.failed[id]
	l.mu.Unlock()
	if err != nil {
		var zero V
		return zero, err
	}
	return l.Loader.Load(ctx, id)
}

// prime caches v as the record of id unless this operation has it already.
func (l *loader[V]) prime(id string, v V) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.known[id] {
		l.known[id] = true
		l.Loader.Prime(id, v)
	}
}

// prefetch returns the records of ids: the ones this operation has not
// asked for yet come from one store call and are primed; the others are
// read through Load (cached, or in a batch already under way). On a
// store error it returns nil, and the Loads of the ids it fetched report
// the error.
func (l *loader[V]) prefetch(ctx context.Context, ids []string) map[string]any {
	out := make(map[string]any, len(ids))
	var missing, have []string
	l.mu.Lock()
	for _, id := range ids {
		switch {
		case l.known[id]:
			have = append(have, id)
		default:
			l.known[id] = true
			missing = append(missing, id)
		}
	}
	l.mu.Unlock()
	if len(missing) > 0 {
		vs, err := l.fetch(ctx, missing)
		if err == nil && len(vs) != len(missing) {
			err = fmt.Errorf("graph: prefetch: the store returned %d records for %d ids", len(vs), len(missing))
		}
		if err != nil {
			l.mu.Lock()
			for _, id := range missing {
				l.failed[id] = err
			}
			l.mu.Unlock()
			return nil
		}
		for i, id := range missing {
			l.Loader.Prime(id, vs[i])
			out[id] = vs[i]
		}
	}
	for _, id := range have {
		if v, err := l.Load(ctx, id); err == nil {
			out[id] = v
		}
	}
	return out
}

type loadersKey struct{}

func withLoaders(ctx context.Context, l *loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

// loadersFrom returns the operation's loaders. The handler installs them
// around every operation, so a missing value is a wiring bug.
func loadersFrom(ctx context.Context) *loaders {
	l, ok := ctx.Value(loadersKey{}).(*loaders)
	if !ok {
		panic("graph: no dataloaders in context; use graph.NewHandler")
	}
	return l
}
