// Package fieldservice gathers what field execution (internal/fieldwork)
// computes on: the account matrix's segments and cadences, the accounts'
// owners and logged interactions, the academic activities and the
// prescription facts, read from one store and its tiering service. The
// GraphQL resolvers and the report endpoints call it, so both answer
// alike.
package fieldservice

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/fieldwork"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/tiering"
)

// Deps are what the services read: the caller's store (territory-scoped
// for a scoped caller) and its tiering service.
type Deps struct {
	Store     kolgraph.Store
	Tiering   *tiering.Service
	Snapshots snapshot.Source
}

// CallPlanRequest asks for the call plan of a scope's HCP accounts for a
// product (none: each department's own potential), as of a date.
type CallPlanRequest struct {
	Scope     snapshot.Scope
	ProductID string
	AsOf      time.Time
	// Month is the month of visits and workloads, YYYY-MM (default AsOf's).
	Month  string
	Config fieldwork.Config
}

// CallPlan is a call plan with the matrix it was planned from.
type CallPlan struct {
	// Result is the tiering result the segments and cadences come from.
	Result *tiering.Result
	Config fieldwork.Config
	// Month is the month of visits and workloads, YYYY-MM.
	Month string
	*fieldwork.Plan
	// Unowned counts the accounts with a cadence that nobody owns.
	Unowned int
	index   map[string]int
}

// Status returns the status of HCP id, false when it is not an account of
// the plan.
func (p *CallPlan) Status(id string) (*fieldwork.Status, bool) {
	i, ok := p.index[id]
	if !ok {
		return nil, false
	}
	return &p.Statuses[i], true
}

// BuildCallPlan plans the classified HCP accounts of req's scope: each
// with its segment's cadence from the account matrix, its owner (the most
// specific of its own, its department's, hospital's and territory's,
// fieldwork.ResolveOwner) and its interactions.
func BuildCallPlan(ctx context.Context, d Deps, req CallPlanRequest) (*CallPlan, error) {
	if err := req.Config.Validate(); err != nil {
		return nil, err
	}
	if req.Month == "" {
		req.Month = req.AsOf.UTC().Format("2006-01")
	}
	if !kolgraph.ValidMonth(req.Month) {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "month must be YYYY-MM (got %q)", kolgraph.Clip(req.Month))
	}
	res, err := d.Tiering.Tiering(ctx, tiering.Request{Scope: req.Scope, ProductID: req.ProductID})
	if err != nil {
		return nil, err
	}
	snap := res.Snapshot
	var accts []fieldwork.Account
	for _, c := range res.HCPs.Matrix.Cells {
		for _, m := range c.Members {
			a := fieldwork.Account{ID: m.ID, Name: m.Name, HospitalID: m.HospitalID, HospitalName: m.HospitalName,
				DepartmentID: m.DepartmentID, DepartmentName: m.DepartmentName, Segment: m.Segment, Cadence: m.Cadence}
			if h := snap.Hospitals[m.HospitalID]; h != nil {
				a.TerritoryID = h.TerritoryID
			}
			accts = append(accts, a)
		}
	}
	slices.SortFunc(accts, func(a, b fieldwork.Account) int { return strings.Compare(a.ID, b.ID) })
	if err := owners(ctx, d.Store, accts); err != nil {
		return nil, err
	}
	ids := make([]string, len(accts))
	for i := range accts {
		ids[i] = accts[i].ID
	}
	ins, err := d.Store.InteractionsOfHCPs(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i := range accts {
		for _, in := range ins[i] {
			accts[i].Interactions = append(accts[i].Interactions, *in)
		}
	}
	p := &CallPlan{Result: res, Config: req.Config, Month: req.Month, Plan: fieldwork.NewPlan(req.Config, req.AsOf, accts), index: map[string]int{}}
	for i, s := range p.Statuses {
		p.index[s.Account.ID] = i
		if s.Account.OwnerID == "" && s.Account.Cadence.IntervalDays > 0 {
			p.Unowned++
		}
	}
	return p, nil
}

// owners sets each account's owner from one batched lookup of the owners
// of its HCP, department, hospital and territory.
func owners(ctx context.Context, st kolgraph.Store, accts []fieldwork.Account) error {
	seen := map[string]bool{}
	var ids []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, a := range accts {
		add(a.ID)
		add(a.DepartmentID)
		add(a.HospitalID)
		add(a.TerritoryID)
	}
	os, err := st.AccountOwners(ctx, ids)
	if err != nil {
		return err
	}
	var rows []kolgraph.AccountOwner
	for _, o := range os {
		if o != nil {
			rows = append(rows, *o)
		}
	}
	for i := range accts {
		a := &accts[i]
		a.OwnerID, _ = fieldwork.ResolveOwner(rows, a.ID, a.DepartmentID, a.HospitalID, a.TerritoryID)
	}
	return nil
}

// Owners are the users who own at least one account of the plan, sorted.
func (p *CallPlan) Owners() []string {
	var out []string
	for _, s := range p.Statuses {
		if s.Account.OwnerID != "" {
			out = append(out, s.Account.OwnerID)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Workloads are every owner's planned visits in the plan's month against
// the capacity, most loaded first (then by user id).
func (p *CallPlan) Workloads() ([]fieldwork.Workload, error) {
	var all []fieldwork.Visit
	for _, kam := range p.Owners() {
		vs, err := p.Visits(kam, p.Month)
		if err != nil {
			return nil, err
		}
		all = append(all, vs...)
	}
	ws := fieldwork.Workloads(p.Config, p.Month, all)
	slices.SortStableFunc(ws, func(a, b fieldwork.Workload) int {
		if a.Planned != b.Planned {
			return b.Planned - a.Planned
		}
		return strings.Compare(a.KAMID, b.KAMID)
	})
	return ws, nil
}

// Accounts are the plan's accounts, in id order.
func (p *CallPlan) Accounts() []fieldwork.Account {
	out := make([]fieldwork.Account, len(p.Statuses))
	for i, s := range p.Statuses {
		out[i] = s.Account
	}
	return out
}

// KAMMonth is KAM kam's month in the call plan of req: the planned
// visits, the workload against the capacity and the KAM's overdue
// accounts, with the KAM's name (NOT_FOUND for a user the store does not
// show the caller).
func KAMMonth(ctx context.Context, d Deps, req CallPlanRequest, kam string, lang labels.Lang) (*fieldwork.PlanReport, *CallPlan, error) {
	us, err := d.Store.Users(ctx, []string{kam})
	if err != nil {
		return nil, nil, err
	}
	if len(us) == 0 || us[0] == nil {
		return nil, nil, kolgraph.Errorf(kolgraph.ENOTFOUND, "no user %q", kam)
	}
	p, err := BuildCallPlan(ctx, d, req)
	if err != nil {
		return nil, nil, err
	}
	rep, err := fieldwork.NewPlanReport(req.Config, p.Plan, lang, kam, us[0].Name, p.Month)
	if err != nil {
		return nil, nil, err
	}
	rep.GeneratedAt = time.Now()
	return rep, p, nil
}
