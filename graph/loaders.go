package graph

import (
	"context"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// loaders batch the lookups of one GraphQL operation so that a query fanning
// out over N parents costs one store call per field and level, not N.
type loaders struct {
	hospital   *dataloadgen.Loader[string, *kolgraph.Hospital]
	department *dataloadgen.Loader[string, *kolgraph.Department]
	hcp        *dataloadgen.Loader[string, *kolgraph.HCP]
	committee  *dataloadgen.Loader[string, *kolgraph.Committee]
	product    *dataloadgen.Loader[string, *kolgraph.Product]
	territory  *dataloadgen.Loader[string, *kolgraph.Territory]

	departmentsOfHospital *dataloadgen.Loader[string, []*kolgraph.Department]
	committeesOfHospital  *dataloadgen.Loader[string, []*kolgraph.Committee]
	listingsOfHospital    *dataloadgen.Loader[string, []kolgraph.Listing]
	hcpsOfDepartment      *dataloadgen.Loader[string, []*kolgraph.HCP]
	membershipsOfHCP      *dataloadgen.Loader[string, []kolgraph.Membership]
	membershipsOfCommitee *dataloadgen.Loader[string, []kolgraph.Membership]
	influencesFrom        *dataloadgen.Loader[string, []*kolgraph.Influence]
	influencesTo          *dataloadgen.Loader[string, []*kolgraph.Influence]
	influence             *dataloadgen.Loader[kolgraph.EdgeKey, *kolgraph.Influence]
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
		hospital:   dataloadgen.NewLoader(batch(s.Hospitals), o),
		department: dataloadgen.NewLoader(batch(s.Departments), o),
		hcp:        dataloadgen.NewLoader(batch(s.HCPs), o),
		committee:  dataloadgen.NewLoader(batch(s.Committees), o),
		product:    dataloadgen.NewLoader(batch(s.Products), o),
		territory:  dataloadgen.NewLoader(batch(s.Territories), o),

		departmentsOfHospital: dataloadgen.NewLoader(batch(s.DepartmentsOfHospitals), o),
		committeesOfHospital:  dataloadgen.NewLoader(batch(s.CommitteesOfHospitals), o),
		listingsOfHospital:    dataloadgen.NewLoader(batch(s.ListingsOfHospitals), o),
		hcpsOfDepartment:      dataloadgen.NewLoader(batch(s.HCPsOfDepartments), o),
		membershipsOfHCP:      dataloadgen.NewLoader(batch(s.MembershipsOfHCPs), o),
		membershipsOfCommitee: dataloadgen.NewLoader(batch(s.MembershipsOfCommittees), o),
		influencesFrom:        dataloadgen.NewLoader(batch(s.InfluencesFrom), o),
		influencesTo:          dataloadgen.NewLoader(batch(s.InfluencesTo), o),
		influence:             dataloadgen.NewLoader(batch(s.Influences), o),
	}
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
