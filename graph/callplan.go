package graph

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/graph/model"
	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/fieldservice"
	"github.com/kolgraph/kolgraph/internal/fieldwork"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// fieldDeps are the field services' inputs for the caller.
func (r *Resolver) fieldDeps(ctx context.Context) fieldservice.Deps {
	d := r.deps(ctx)
	return fieldservice.Deps{Store: d.Store, Tiering: d.Analytics.Tiering, Snapshots: d.Analytics.Snapshots}
}

// fieldConfig is the field execution settings of the current version.
func (r *Resolver) fieldConfig() fieldwork.Config {
	return r.Settings.Current().Document.Field
}

// asOf parses a date argument, today (UTC) when nil.
func asOf(v *string, now time.Time) (time.Time, error) {
	if v == nil {
		return now.UTC().Truncate(24 * time.Hour), nil
	}
	d, ok := kolgraph.ParseDate(*v)
	if !ok {
		return time.Time{}, kolgraph.Errorf(kolgraph.EINVALID, "asOf must be a date YYYY-MM-DD (got %q)", kolgraph.Clip(*v))
	}
	return d, nil
}

func (r *Resolver) callPlan(ctx context.Context, scope model.ScopeInput, product, date, month *string) (*fieldservice.CallPlan, error) {
	day, err := asOf(date, time.Now())
	if err != nil {
		return nil, err
	}
	p, err := fieldservice.BuildCallPlan(ctx, r.fieldDeps(ctx), fieldservice.CallPlanRequest{
		Scope: scopeOf(scope), ProductID: str(product), AsOf: day, Month: str(month), Config: r.fieldConfig()})
	if err != nil {
		return nil, err
	}
	usedResult(ctx, p.Result.Snapshot)
	return p, nil
}

// callPlanAccounts pages statuses (already filtered and ordered).
func callPlanAccounts(ss []*fieldwork.Status, first *int, after *string) (*model.CallPlanAccountConnection, error) {
	start, end, pi, err := offsetPage(len(ss), first, after)
	if err != nil {
		return nil, err
	}
	conn := &model.CallPlanAccountConnection{Edges: make([]*model.CallPlanAccountEdge, 0, end-start), PageInfo: pi, TotalCount: len(ss)}
	for i := start; i < end; i++ {
		conn.Edges = append(conn.Edges, &model.CallPlanAccountEdge{Cursor: encodeRankCursor(i), Node: ss[i]})
	}
	return conn, nil
}

// planAccounts are the plan's statuses of owner kam (all when nil), due
// ones only when dueOnly.
func planAccounts(p *fieldservice.CallPlan, kam *string, dueOnly bool) []*fieldwork.Status {
	var out []*fieldwork.Status
	for i := range p.Statuses {
		s := &p.Statuses[i]
		if (kam == nil || s.Account.OwnerID == *kam) && (!dueOnly || s.Due) {
			out = append(out, s)
		}
	}
	return out
}

// planOverdue are the overdue statuses, most days overdue first.
func planOverdue(p *fieldservice.CallPlan, kam *string) []*fieldwork.Status {
	var out []*fieldwork.Status
	for _, s := range p.Overdue() {
		if kam == nil || s.Account.OwnerID == *kam {
			st, _ := p.Status(s.Account.ID)
			out = append(out, st)
		}
	}
	return out
}

// planURL is the path of a call plan's download for kam: the plan's
// scope, product, date and month as query parameters.
func planURL(p *fieldservice.CallPlan, path, kam string, extra ...string) string {
	q := url.Values{}
	q.Set("kam", kam)
	switch sc := p.Result.Scope; {
	case sc.Hospital != "":
		q.Set("hospital", sc.Hospital)
	case sc.Department != "":
		q.Set("department", sc.Department)
	case sc.Territory != "":
		q.Set("territory", sc.Territory)
	}
	if p.Result.Product != nil {
		q.Set("product", p.Result.Product.ID)
	}
	q.Set("asOf", p.AsOf)
	q.Set("month", p.Month)
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return path + "?" + q.Encode()
}

func reportFormat(f *model.ReportFormat) string {
	if f == nil {
		return "html"
	}
	return strings.ToLower(string(*f))
}

// accountOwnership resolves who owns account id: its own row, or for an
// HCP, department or hospital the most specific one above it.
func (r *Resolver) accountOwnership(ctx context.Context, id string) (*model.AccountOwnership, error) {
	st := r.deps(ctx).Store
	// The chain from the account up: an HCP's department and hospital, a
	// department's hospital, then the hospital's territory.
	chain, hospital := []string{id}, id
	if hs, err := st.HCPs(ctx, []string{id}); err != nil {
		return nil, err
	} else if hs[0] != nil {
		chain, hospital = append(chain, hs[0].DepartmentID, hs[0].HospitalID), hs[0].HospitalID
	} else if ds, err := st.Departments(ctx, []string{id}); err != nil {
		return nil, err
	} else if ds[0] != nil {
		chain, hospital = append(chain, ds[0].HospitalID), ds[0].HospitalID
	}
	hs, err := st.Hospitals(ctx, []string{hospital})
	if err != nil {
		return nil, err
	}
	if hs[0] != nil && hs[0].TerritoryID != "" {
		chain = append(chain, hs[0].TerritoryID)
	}
	os, err := st.AccountOwners(ctx, chain)
	if err != nil {
		return nil, err
	}
	for i, o := range os {
		if o != nil {
			return &model.AccountOwnership{Account: id, OwnerID: o.UserID, AssignedTo: chain[i]}, nil
		}
	}
	return nil, nil
}

// mayAssignOwners: who owns which account is a manager's decision, an
// admin's (ManageUsers), not a KAM's.
func mayAssignOwners(ctx context.Context) error {
	p, err := auth.Authenticated(ctx)
	if err != nil {
		return err
	}
	return p.Check(auth.ManageUsers, "assign account owners")
}

func (r *Resolver) assignAccountOwner(ctx context.Context, account, user string) (*model.AccountOwnership, error) {
	if err := mayAssignOwners(ctx); err != nil {
		return nil, err
	}
	if _, err := r.write(ctx, "assignAccountOwner", &kolgraph.ChangeSet{Owners: []kolgraph.AccountOwner{{AccountID: account, UserID: user}}}); err != nil {
		return nil, err
	}
	return &model.AccountOwnership{Account: account, OwnerID: user, AssignedTo: account}, nil
}

func (r *Resolver) unassignAccountOwner(ctx context.Context, account string) (*model.DeletePayload, error) {
	if err := mayAssignOwners(ctx); err != nil {
		return nil, err
	}
	res, err := r.write(ctx, "unassignAccountOwner", &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Owners: []string{account}}})
	if err != nil {
		return nil, err
	}
	return deleted(res), nil
}

// accountOwners lists the owner assignments the caller's store shows (of
// user, when given), by account id.
func (r *Resolver) accountOwners(ctx context.Context, user *string, first *int, after *string) (*model.AccountOwnershipConnection, error) {
	var rows []kolgraph.AccountOwner
	err := r.deps(ctx).Store.Scan(ctx, kolgraph.Visitor{AccountOwner: func(o kolgraph.AccountOwner) error {
		if user == nil || o.UserID == *user {
			rows = append(rows, o)
		}
		return nil
	}})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rows, func(a, b kolgraph.AccountOwner) int { return strings.Compare(a.AccountID, b.AccountID) })
	start, end, pi, err := offsetPage(len(rows), first, after)
	if err != nil {
		return nil, err
	}
	conn := &model.AccountOwnershipConnection{Edges: make([]*model.AccountOwnershipEdge, 0, end-start), PageInfo: pi, TotalCount: len(rows)}
	for i := start; i < end; i++ {
		o := rows[i]
		conn.Edges = append(conn.Edges, &model.AccountOwnershipEdge{Cursor: encodeRankCursor(i),
			Node: &model.AccountOwnership{Account: o.AccountID, OwnerID: o.UserID, AssignedTo: o.AccountID}})
	}
	return conn, nil
}
