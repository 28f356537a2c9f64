package graph

import (
	"context"

	"github.com/kolgraph/kolgraph/graph/model"
	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/citation"
	"github.com/kolgraph/kolgraph/internal/gqlguard"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/whatif"
)

// maxWhatIfPlans bounds the account plans whose citations a what-if
// checks: the scope's first by id (closed ones are skipped).
const maxWhatIfPlans = gqlguard.WhatIfPlans

func (r *Resolver) whatIf(ctx context.Context, scope model.ScopeInput, removeHcps []string, removeEdges []*model.EdgeKeyInput,
	addEdges []*model.WhatIfEdgeInput, product *string, metric *scoring.Metric, movers *int) (*model.WhatIf, error) {
	a := r.deps(ctx).Analytics
	snap, err := a.Snapshots.Get()
	if err != nil {
		return nil, err
	}
	req := whatif.Request{Scope: scopeOf(scope), RemoveHCPs: removeHcps, Product: str(product), Movers: 10}
	if metric != nil {
		req.Metric = *metric
	}
	if movers != nil {
		if *movers < 1 || *movers > whatif.MaxMovers {
			return nil, kolgraph.Errorf(kolgraph.EINVALID, "movers must be in 1..%d (got %d)", whatif.MaxMovers, *movers)
		}
		req.Movers = *movers
	}
	for _, e := range removeEdges {
		req.RemoveEdges = append(req.RemoveEdges, kolgraph.EdgeKey{From: e.From, To: e.To})
	}
	for _, e := range addEdges {
		req.AddEdges = append(req.AddEdges, kolgraph.Influence{From: e.From, To: e.To, Weight: e.Weight, Kind: e.Kind, Evidence: str(e.Evidence)})
	}
	res, err := a.WhatIf.Run(ctx, snap, req)
	if err != nil {
		return nil, err
	}
	usedResult(ctx, snap)
	out := &model.WhatIf{Result: res}
	out.Citations, err = r.whatIfCitations(ctx, res, req.Scope, a.Access)
	return out, err
}

// whatIfCitations checks the citations of the scope's plans (not closed)
// on the current graph and on the what-if graph, and keeps those the
// change breaks or weakens.
func (r *Resolver) whatIfCitations(ctx context.Context, res *whatif.Result, sc snapshot.Scope, live *access.Service) ([]*model.WhatIfCitation, error) {
	f := kolgraph.AccountPlanFilter{HospitalID: sc.Hospital}
	switch {
	case sc.Department != "":
		f.HospitalID = res.Base.Departments[sc.Department].HospitalID
	case sc.Territory != "":
		f.Territories = []string{sc.Territory}
	}
	page, err := r.deps(ctx).Store.ListAccountPlans(ctx, f, kolgraph.Page{First: maxWhatIfPlans})
	if err != nil {
		return nil, err
	}
	now, then := citation.NewChecker(live), citation.NewChecker(res.Paths)
	out := []*model.WhatIfCitation{}
	for _, p := range page.Items {
		if p.Status == kolgraph.PlanClosed {
			continue
		}
		for _, c := range citations(p) {
			before, err := now.Check(ctx, res.Base, c.CitedPath, false)
			if err != nil {
				return nil, err
			}
			after, err := then.Check(ctx, res.Variant, c.CitedPath, false)
			if err != nil {
				return nil, err
			}
			if worse(before, after) {
				out = append(out, &model.WhatIfCitation{Plan: p, Citation: c, Before: before, After: after})
			}
		}
	}
	return out, nil
}

// worse reports whether a citation fares worse after than before: broken
// only after, or weaker.
func worse(before, after *citation.Health) bool {
	switch {
	case before.Status == citation.Broken:
		return false
	case after.Status == citation.Broken:
		return true
	}
	return before.Strength-after.Strength > citation.Tolerance*before.Strength
}
