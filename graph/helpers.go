package graph

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/kolgraph/kolgraph/graph/model"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// required turns a missing referenced record into an error: a non-null field
// whose target is gone means the graph broke a reference rule.
func required[T any](v *T, err error) (*T, error) {
	if err == nil && v == nil {
		return nil, kolgraph.Errorf(kolgraph.ENOTFOUND, "referenced record not found")
	}
	return v, err
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func pointers[T any](vs []T) []*T {
	ps := make([]*T, len(vs))
	for i := range vs {
		ps[i] = &vs[i]
	}
	return ps
}

// strongestFirst orders edges by weight, heaviest first, ties by the other
// end's id, and keeps n. It copies: the loader's slice is shared.
func strongestFirst(es []*kolgraph.Influence, n int, incoming bool) []*kolgraph.Influence {
	other := func(e *kolgraph.Influence) string {
		if incoming {
			return e.From
		}
		return e.To
	}
	out := slices.Clone(es)
	slices.SortFunc(out, func(a, b *kolgraph.Influence) int {
		if c := cmp.Compare(b.Weight, a.Weight); c != 0 {
			return c
		}
		return cmp.Compare(other(a), other(b))
	})
	return out[:min(n, len(out))]
}

func (r *Resolver) listHospitals(ctx context.Context, f kolgraph.HospitalFilter, first *int, after *string) (*model.HospitalConnection, error) {
	p, err := pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	res, err := r.deps(ctx).Store.ListHospitals(ctx, f, p)
	if err != nil {
		return nil, err
	}
	conn := &model.HospitalConnection{Edges: make([]*model.HospitalEdge, len(res.Items)), TotalCount: res.Total}
	ids := make([]string, len(res.Items))
	for i, h := range res.Items {
		ids[i] = h.ID
		conn.Edges[i] = &model.HospitalEdge{Cursor: encodeCursor(h.ID), Node: h}
	}
	conn.PageInfo = pageInfo(ids, res.HasNext)
	return conn, nil
}

func (r *Resolver) listHCPs(ctx context.Context, f kolgraph.HCPFilter, first *int, after *string) (*model.HCPConnection, error) {
	p, err := pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	res, err := r.deps(ctx).Store.ListHCPs(ctx, f, p)
	if err != nil {
		return nil, err
	}
	conn := &model.HCPConnection{Edges: make([]*model.HCPEdge, len(res.Items)), TotalCount: res.Total}
	ids := make([]string, len(res.Items))
	for i, h := range res.Items {
		ids[i] = h.ID
		conn.Edges[i] = &model.HCPEdge{Cursor: encodeCursor(h.ID), Node: h}
	}
	conn.PageInfo = pageInfo(ids, res.HasNext)
	return conn, nil
}

// node finds the entity with the id whatever its kind: ids are unique across
// kinds, so at most one lookup answers. The lookups go through the loaders
// concurrently, so several node() fields in one query still batch.
func (r *Resolver) node(ctx context.Context, id string) (model.Node, error) {
	l := loadersFrom(ctx)
	lookups := []func() (model.Node, error){
		func() (model.Node, error) { return found(l.hcp.Load(ctx, id)) },
		func() (model.Node, error) { return found(l.hospital.Load(ctx, id)) },
		func() (model.Node, error) { return found(l.department.Load(ctx, id)) },
		func() (model.Node, error) { return found(l.committee.Load(ctx, id)) },
		func() (model.Node, error) { return found(l.product.Load(ctx, id)) },
		func() (model.Node, error) { return found(l.territory.Load(ctx, id)) },
	}
	results := make([]model.Node, len(lookups))
	errs := make([]error, len(lookups))
	var wg sync.WaitGroup
	for i, f := range lookups {
		wg.Go(func() { results[i], errs[i] = f() })
	}
	wg.Wait()
	for i := range lookups {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if results[i] != nil {
			return results[i], nil
		}
	}
	return nil, nil
}

// found converts a typed nil into an untyped nil Node.
func found[T any](v *T, err error) (model.Node, error) {
	if err != nil || v == nil {
		return nil, err
	}
	return v, nil
}

// flag is an optional Boolean argument, false when omitted.
func flag(b *bool) bool { return b != nil && *b }
