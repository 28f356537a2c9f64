package graph

import (
	"context"
	"encoding/json"
	"reflect"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kolgraph/kolgraph/graph/model"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// prefetchFields is field middleware. Once a root query field has resolved
// (before its result is marshalled and its children's resolvers run), it
// walks the field's selections level by level and loads every navigation
// field of a level (departments of hospitals, edges of HCPs, HCPs at the
// ends of edges, ...) in one store call per loader, priming the loaders.
//
// So a nested query costs one store call per field and level, exactly: the
// resolvers find their records cached. The loaders' own batches depend on
// timing instead: they collect the keys that arrive within the loader wait,
// and when goroutines are slow to be scheduled (a busy machine) one level
// of a query became ~100 calls to the database.
func prefetchFields(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err != nil {
		return res, err
	}
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Object != "Query" {
		return res, err
	}
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		l.prefetchBelow(ctx, graphql.GetOperationContext(ctx), fc.Field.Selections, res)
	}
	return res, err
}

// record is a record that a selection set is resolved on.
type record struct {
	typ string // its GraphQL type
	obj any
	sel ast.SelectionSet
}

// prefetcher is a loader as prefetch sees it.
type prefetcher interface {
	prefetch(ctx context.Context, ids []string) map[string]any
}

// nav is a navigation field: which loader resolves it, with which id of its
// parent, and the records it resolves to given the loaded value.
type nav struct {
	loader   func(*loaders) prefetcher
	id       func(parent any) string
	children func(v any, f graphql.CollectedField, vars map[string]any) []any // nil: the value's records
}

// navigation lists the fields whose resolvers read a loader by an id of
// their parent, by parent type and field name. A field missing here is
// still right, only batched by the loader wait alone; a row whose loader or
// id differs from its resolver's makes that resolver call the store again
// (TestRoundTrips in cmd/kolgraph counts the calls).
var navigation = map[string]map[string]nav{
	"Hospital": {
		"territory":   {loader: func(l *loaders) prefetcher { return l.territory }, id: func(o any) string { return o.(*kolgraph.Hospital).TerritoryID }},
		"departments": {loader: func(l *loaders) prefetcher { return l.departmentsOfHospital }, id: func(o any) string { return o.(*kolgraph.Hospital).ID }},
		"committees":  {loader: func(l *loaders) prefetcher { return l.committeesOfHospital }, id: func(o any) string { return o.(*kolgraph.Hospital).ID }},
		"listings":    {loader: func(l *loaders) prefetcher { return l.listingsOfHospital }, id: func(o any) string { return o.(*kolgraph.Hospital).ID }},
	},
	"Department": {
		"hospital":         {loader: func(l *loaders) prefetcher { return l.hospital }, id: func(o any) string { return o.(*kolgraph.Department).HospitalID }},
		"hcps":             {loader: func(l *loaders) prefetcher { return l.hcpsOfDepartment }, id: func(o any) string { return o.(*kolgraph.Department).ID }},
		"indicationShares": {loader: func(l *loaders) prefetcher { return l.productSharesOfDepartment }, id: func(o any) string { return o.(*kolgraph.Department).ID }},
	},
	"HCP": {
		"department":   {loader: func(l *loaders) prefetcher { return l.department }, id: func(o any) string { return o.(*kolgraph.HCP).DepartmentID }},
		"hospital":     {loader: func(l *loaders) prefetcher { return l.hospital }, id: func(o any) string { return o.(*kolgraph.HCP).HospitalID }},
		"committees":   {loader: func(l *loaders) prefetcher { return l.membershipsOfHCP }, id: func(o any) string { return o.(*kolgraph.HCP).ID }},
		"influences":   {loader: func(l *loaders) prefetcher { return l.influencesFrom }, id: func(o any) string { return o.(*kolgraph.HCP).ID }, children: strongest(false)},
		"influencedBy": {loader: func(l *loaders) prefetcher { return l.influencesTo }, id: func(o any) string { return o.(*kolgraph.HCP).ID }, children: strongest(true)},
	},
	"Committee": {
		"hospital": {loader: func(l *loaders) prefetcher { return l.hospital }, id: func(o any) string { return o.(*kolgraph.Committee).HospitalID }},
		"members":  {loader: func(l *loaders) prefetcher { return l.membershipsOfCommitee }, id: func(o any) string { return o.(*kolgraph.Committee).ID }},
	},
	"Membership": {
		"hcp":       {loader: func(l *loaders) prefetcher { return l.hcp }, id: func(o any) string { return o.(kolgraph.Membership).HCPID }},
		"committee": {loader: func(l *loaders) prefetcher { return l.committee }, id: func(o any) string { return o.(kolgraph.Membership).CommitteeID }},
	},
	"Influence": {
		"from": {loader: func(l *loaders) prefetcher { return l.hcp }, id: func(o any) string { return o.(*kolgraph.Influence).From }},
		"to":   {loader: func(l *loaders) prefetcher { return l.hcp }, id: func(o any) string { return o.(*kolgraph.Influence).To }},
	},
	"Listing": {
		"hospital": {loader: func(l *loaders) prefetcher { return l.hospital }, id: func(o any) string { return o.(kolgraph.Listing).HospitalID }},
		"product":  {loader: func(l *loaders) prefetcher { return l.product }, id: func(o any) string { return o.(kolgraph.Listing).ProductID }},
	},
	"ProductShare": {
		"department": {loader: func(l *loaders) prefetcher { return l.department }, id: func(o any) string { return o.(kolgraph.ProductShare).DepartmentID }},
		"product":    {loader: func(l *loaders) prefetcher { return l.product }, id: func(o any) string { return o.(kolgraph.ProductShare).ProductID }},
	},
}

// strongest returns the edges the influences (or influencedBy) resolver
// keeps of an HCP's edges: the first `first`, strongest first.
func strongest(incoming bool) func(v any, f graphql.CollectedField, vars map[string]any) []any {
	return func(v any, f graphql.CollectedField, vars map[string]any) []any {
		es, _ := v.([]*kolgraph.Influence)
		if n, ok := intArg(f.ArgumentMap(vars)["first"]); ok {
			n, err := limitArg(&n, 50)
			if err != nil {
				return nil // the resolver reports it
			}
			es = strongestFirst(es, n, incoming)
		}
		return items(es)
	}
}

// intArg reads an Int argument as the executor may hold it.
func intArg(v any) (int, bool) {
	switch v := v.(type) {
	case int:
		return v, true
	case int64:
		return int(v), true
	case json.Number:
		n, err := v.Int64()
		return int(n), err == nil
	}
	return 0, false
}

// prefetchBelow prefetches the navigation fields of sel below the result v
// of a root field.
func (l *loaders) prefetchBelow(ctx context.Context, oc *graphql.OperationContext, sel ast.SelectionSet, v any) {
	level := records(oc, sel, v, nil)
	for len(level) > 0 && ctx.Err() == nil {
		type want struct {
			field graphql.CollectedField
			nav   nav
			p     prefetcher
			id    string
		}
		var wants []want
		ids := map[prefetcher][]string{}
		for _, r := range level {
			l.prime(r.obj)
			for _, f := range graphql.CollectFields(oc, r.sel, []string{r.typ, "Node"}) {
				n, ok := navigation[r.typ][f.Name]
				if !ok {
					continue
				}
				id := n.id(r.obj)
				if id == "" {
					continue
				}
				p := n.loader(l)
				wants = append(wants, want{f, n, p, id})
				ids[p] = append(ids[p], id)
			}
		}
		// One call per loader, the loaders of a level at once.
		var mu sync.Mutex
		var wg sync.WaitGroup
		got := make(map[prefetcher]map[string]any, len(ids))
		for p, list := range ids {
			wg.Go(func() {
				vs := p.prefetch(ctx, uniq(list))
				mu.Lock()
				got[p] = vs
				mu.Unlock()
			})
		}
		wg.Wait()
		var next []record
		for _, w := range wants {
			v, ok := got[w.p][w.id]
			if !ok {
				continue
			}
			children := items(v)
			if w.nav.children != nil {
				children = w.nav.children(v, w.field, oc.Variables)
			}
			for _, c := range children {
				next = records(oc, w.field.Selections, c, next)
			}
		}
		level = next
	}
}

// prime caches a record that a level resolved to by other means than its
// own loader (a page of a connection, the HCPs of a department), so that
// lookups of it by id need no store call.
func (l *loaders) prime(obj any) {
	switch o := obj.(type) {
	case *kolgraph.Hospital:
		l.hospital.prime(o.ID, o)
	case *kolgraph.Department:
		l.department.prime(o.ID, o)
	case *kolgraph.HCP:
		l.hcp.prime(o.ID, o)
	case *kolgraph.Committee:
		l.committee.prime(o.ID, o)
	case *kolgraph.Product:
		l.product.prime(o.ID, o)
	case *kolgraph.Territory:
		l.territory.prime(o.ID, o)
	}
}

// records appends to out the records that v (a record, a list of them, or
// a connection or edge holding them) resolves sel on.
func records(oc *graphql.OperationContext, sel ast.SelectionSet, v any, out []record) []record {
	if v == nil {
		return out
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return out
		}
	case reflect.Slice:
		for i := range rv.Len() {
			out = records(oc, sel, rv.Index(i).Interface(), out)
		}
		return out
	}
	var typ string
	switch o := v.(type) {
	case *model.HospitalConnection:
		return through(oc, sel, "HospitalConnection", "edges", o.Edges, out)
	case *model.HospitalEdge:
		return through(oc, sel, "HospitalEdge", "node", o.Node, out)
	case *model.HCPConnection:
		return through(oc, sel, "HCPConnection", "edges", o.Edges, out)
	case *model.HCPEdge:
		return through(oc, sel, "HCPEdge", "node", o.Node, out)
	case *kolgraph.Hospital:
		typ = "Hospital"
	case *kolgraph.Department:
		typ = "Department"
	case *kolgraph.HCP:
		typ = "HCP"
	case *kolgraph.Committee:
		typ = "Committee"
	case kolgraph.Membership:
		typ = "Membership"
	case *kolgraph.Membership:
		return records(oc, sel, *o, out)
	case *kolgraph.Influence:
		typ = "Influence"
	case kolgraph.Listing:
		typ = "Listing"
	case *kolgraph.Listing:
		return records(oc, sel, *o, out)
	case kolgraph.ProductShare:
		typ = "ProductShare"
	case *kolgraph.ProductShare:
		return records(oc, sel, *o, out)
	case *kolgraph.Territory:
		typ = "Territory"
	case *kolgraph.Product:
		typ = "Product"
	default:
		return out // not a record the navigation table knows
	}
	return append(out, record{typ: typ, obj: v, sel: sel})
}

// through follows the field name of a connection or edge type (no store
// call) to the records below it.
func through(oc *graphql.OperationContext, sel ast.SelectionSet, typ, name string, v any, out []record) []record {
	for _, f := range graphql.CollectFields(oc, sel, []string{typ}) {
		if f.Name == name {
			out = records(oc, f.Selections, v, out)
		}
	}
	return out
}

// items returns the elements of a slice value, or the value itself.
func items(v any) []any {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return []any{v}
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out
}

// uniq returns ids without duplicates, in first-seen order.
func uniq(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := ids[:0:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
