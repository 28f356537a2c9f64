package graph

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"hash/fnv"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kolgraph/kolgraph/graph/model"
	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/citation"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/tiering"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

// Account plans are documents written through the writer like the graph
// (audit entries, territory checks by the scoped store), by a role with
// auth.WritePlans. A change is a read-modify-write of the whole plan,
// serialised per plan id within the process (planLocks); instances of
// one deployment that write the same plan at the same moment may lose one
// of the two changes (the audit log has both).

// planMutations are the mutations that write account plans only: an
// operation of nothing else needs auth.WritePlans, not auth.Write.
var planMutations = []string{"createAccountPlan", "updateAccountPlan", "setAccountPlanStatus",
	"citePath", "uncitePath", "deleteAccountPlan", "__typename"}

// mayWriteOperation refuses a mutation operation to a principal whose role
// may not make it: account-plan mutations alone need auth.WritePlans,
// anything else auth.Write (fragments at the top level count as anything
// else).
func mayWriteOperation(ctx context.Context, op *ast.OperationDefinition) error {
	for _, sel := range op.SelectionSet {
		if f, ok := sel.(*ast.Field); !ok || !slices.Contains(planMutations, f.Name) {
			return mayWrite(ctx)
		}
	}
	p, err := auth.Authenticated(ctx)
	if err != nil {
		return err
	}
	return p.Check(auth.WritePlans)
}

// planLocks serialise the changes of one plan: a stripe per hash of its id.
type planLocks [64]sync.Mutex

func (l *planLocks) lock(id string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	m := &l[h.Sum32()%uint32(len(l))]
	m.Lock()
	return m.Unlock
}

// newPlanID is a fresh account plan id: AP-<date>-<8 random base32 chars>.
func newPlanID(now time.Time) string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return "AP-" + now.UTC().Format("20060102") + "-" + base32.StdEncoding.EncodeToString(b)
}

func (r *Resolver) accountPlan(ctx context.Context, id string) (*kolgraph.AccountPlan, error) {
	ps, err := r.deps(ctx).Store.AccountPlans(ctx, []string{id})
	if err != nil || len(ps) == 0 {
		return nil, err
	}
	return ps[0], nil
}

func (r *Resolver) listAccountPlans(ctx context.Context, in *model.AccountPlanFilter, first *int, after *string) (*model.AccountPlanConnection, error) {
	p, err := pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	var f kolgraph.AccountPlanFilter
	if in != nil {
		f = kolgraph.AccountPlanFilter{HospitalID: str(in.Hospital), ProductID: str(in.Product), OwnerID: str(in.Owner)}
		if in.Status != nil {
			f.Status = strings.ToLower(string(*in.Status))
		}
	}
	res, err := r.deps(ctx).Store.ListAccountPlans(ctx, f, p)
	if err != nil {
		return nil, err
	}
	conn := &model.AccountPlanConnection{Edges: make([]*model.AccountPlanEdge, len(res.Items)), TotalCount: res.Total}
	ids := make([]string, len(res.Items))
	for i, pl := range res.Items {
		ids[i] = pl.ID
		conn.Edges[i] = &model.AccountPlanEdge{Cursor: encodeCursor(pl.ID), Node: pl}
	}
	conn.PageInfo = pageInfo(ids, res.HasNext)
	return conn, nil
}

// createAccountPlan writes a new plan owned by input.owner or the caller.
func (r *Resolver) createAccountPlan(ctx context.Context, in model.AccountPlanInput) (*model.AccountPlanPayload, error) {
	p := &kolgraph.AccountPlan{ID: newPlanID(time.Now()), HospitalID: in.Hospital, DepartmentID: str(in.Department),
		ProductID: in.Product, OwnerID: str(in.Owner), Status: kolgraph.PlanDraft,
		PeriodStart: in.PeriodStart, PeriodEnd: in.PeriodEnd, Notes: str(in.Notes),
		Goals: goals(in.Goals), Objectives: objectives(in.Objectives), Stakeholders: stakeholders(in.Stakeholders)}
	if in.Status != nil {
		p.Status = strings.ToLower(string(*in.Status))
	}
	if p.OwnerID == "" {
		p.OwnerID, _ = viewer.UserID(ctx)
	}
	if in.StakeholdersFromChain != nil && *in.StakeholdersFromChain {
		if err := r.chainStakeholders(ctx, p); err != nil {
			return nil, err
		}
	}
	return r.writePlan(ctx, "createAccountPlan", p)
}

// chainStakeholders appends to p's stakeholders the people of its
// hospital's decision chain for its product, as the chain and the
// hospital's HCP matrix describe them, up to kolgraph.MaxPlanStakeholders.
func (r *Resolver) chainStakeholders(ctx context.Context, p *kolgraph.AccountPlan) error {
	a := r.deps(ctx).Analytics
	chain, err := a.Access.DecisionChain(ctx, p.HospitalID, p.ProductID)
	if err != nil {
		return err
	}
	res, err := a.Tiering.Tiering(ctx, tiering.Request{Scope: snapshot.Scope{Hospital: p.HospitalID}, ProductID: p.ProductID})
	if err != nil {
		return err
	}
	segment := map[string]string{}
	if m := res.HCPs.Matrix; m != nil {
		for _, c := range m.Cells {
			for _, mb := range c.Members {
				segment[mb.ID] = string(c.Segment)
			}
		}
	}
	have := kolgraph.NewIDSet(p.StakeholderIDs())
	for _, st := range chain.Stages {
		for _, mb := range st.People {
			if len(p.Stakeholders) == kolgraph.MaxPlanStakeholders || have.Has(mb.HCP.ID) {
				continue
			}
			have.Add(mb.HCP.ID)
			sh := kolgraph.Stakeholder{HCPID: mb.HCP.ID, Role: mb.Role, Stage: string(st.Kind), Segment: segment[mb.HCP.ID], OwnerID: p.OwnerID}
			if mb.Influence != nil {
				v := mb.Influence.Value
				sh.Influence = &v
			}
			p.Stakeholders = append(p.Stakeholders, sh)
		}
	}
	return nil
}

// changePlan applies change to the stored plan id and writes it, under the
// plan's lock; an unknown plan (or one out of the caller's territories) is
// NOT_FOUND.
func (r *Resolver) changePlan(ctx context.Context, mutation, id string, change func(*kolgraph.AccountPlan) error) (*model.AccountPlanPayload, error) {
	defer r.plans.lock(id)()
	stored, err := r.accountPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	if stored == nil {
		return nil, kolgraph.Errorf(kolgraph.ENOTFOUND, "no account plan %q", id)
	}
	p := *stored
	if err := change(&p); err != nil {
		return nil, err
	}
	return r.writePlan(ctx, mutation, &p)
}

func (r *Resolver) writePlan(ctx context.Context, mutation string, p *kolgraph.AccountPlan) (*model.AccountPlanPayload, error) {
	res, err := r.write(ctx, mutation, &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{p}})
	if err != nil {
		return nil, err
	}
	return &model.AccountPlanPayload{Plan: p, Changed: res.Written, GraphVersion: graphVersion(res.Version)}, nil
}

func (r *Resolver) updateAccountPlan(ctx context.Context, id string, in model.AccountPlanPatch) (*model.AccountPlanPayload, error) {
	return r.changePlan(ctx, "updateAccountPlan", id, func(p *kolgraph.AccountPlan) error {
		set := func(dst *string, v *string) {
			if v != nil {
				*dst = *v
			}
		}
		set(&p.DepartmentID, in.Department)
		set(&p.OwnerID, in.Owner)
		set(&p.PeriodStart, in.PeriodStart)
		set(&p.PeriodEnd, in.PeriodEnd)
		set(&p.Notes, in.Notes)
		if in.Goals != nil {
			p.Goals = goals(in.Goals)
		}
		if in.Objectives != nil {
			p.Objectives = objectives(in.Objectives)
		}
		if in.Stakeholders != nil {
			p.Stakeholders = stakeholders(in.Stakeholders)
		}
		return nil
	})
}

func (r *Resolver) setAccountPlanStatus(ctx context.Context, id string, status model.PlanStatus) (*model.AccountPlanPayload, error) {
	return r.changePlan(ctx, "setAccountPlanStatus", id, func(p *kolgraph.AccountPlan) error {
		p.Status = strings.ToLower(string(status))
		return nil
	})
}

// citePath stores the path pathID names in the plan, whole. The id must
// resolve for the caller now (influencePath's rules).
func (r *Resolver) citePath(ctx context.Context, planID, pathID string, note *string) (*model.AccountPlanPayload, error) {
	return r.changePlan(ctx, "citePath", planID, func(p *kolgraph.AccountPlan) error {
		if slices.ContainsFunc(p.Citations, func(c kolgraph.CitedPath) bool { return c.PathID == pathID }) {
			return nil
		}
		path, err := r.deps(ctx).Analytics.Access.Path(ctx, pathID)
		if err != nil {
			return err
		}
		if path == nil {
			return kolgraph.Errorf(kolgraph.ENOTFOUND, "path %q no longer resolves (the graph changed since it was found, or the service restarted): search again and cite the new id", pathID)
		}
		p.Citations = append(slices.Clone(p.Citations), citation.Cite(path, str(note)))
		return nil
	})
}

func (r *Resolver) uncitePath(ctx context.Context, planID, pathID string) (*model.AccountPlanPayload, error) {
	return r.changePlan(ctx, "uncitePath", planID, func(p *kolgraph.AccountPlan) error {
		p.Citations = slices.DeleteFunc(slices.Clone(p.Citations), func(c kolgraph.CitedPath) bool { return c.PathID == pathID })
		return nil
	})
}

func (r *Resolver) deleteAccountPlan(ctx context.Context, id string) (*model.DeletePayload, error) {
	defer r.plans.lock(id)()
	res, err := r.write(ctx, "deleteAccountPlan", &kolgraph.ChangeSet{Delete: kolgraph.Deletion{AccountPlans: []string{id}}})
	if err != nil {
		return nil, err
	}
	return deleted(res), nil
}

func goals(in []*model.YearGoalInput) []kolgraph.YearGoal {
	var out []kolgraph.YearGoal
	for _, g := range in {
		out = append(out, kolgraph.YearGoal{Year: g.Year, Goal: g.Goal, Target: g.Target, Unit: str(g.Unit)})
	}
	return out
}

func objectives(in []*model.PlanObjectiveInput) []kolgraph.Objective {
	var out []kolgraph.Objective
	for _, o := range in {
		out = append(out, kolgraph.Objective{Area: strings.ToLower(string(o.Area)), Year: o.Year,
			Description: o.Description, Measure: str(o.Measure)})
	}
	return out
}

func stakeholders(in []*model.PlanStakeholderInput) []kolgraph.Stakeholder {
	var out []kolgraph.Stakeholder
	for _, s := range in {
		st := kolgraph.Stakeholder{HCPID: s.Hcp, Role: str(s.Role), Influence: s.Influence, OwnerID: str(s.Owner),
			NextAction: str(s.NextAction), NextActionDue: str(s.NextActionDue)}
		if s.Stage != nil {
			st.Stage = string(*s.Stage)
		}
		if s.Segment != nil {
			st.Segment = string(*s.Segment)
		}
		out = append(out, st)
	}
	return out
}

// citations are p's citations as the API shows them.
func citations(p *kolgraph.AccountPlan) []*model.Citation {
	out := make([]*model.Citation, len(p.Citations))
	for i := range p.Citations {
		out[i] = &model.Citation{CitedPath: &p.Citations[i], Plan: p}
	}
	return out
}

// citationDocument is the citation as stored: its JSON, which reads back
// byte for byte.
func citationDocument(c *model.Citation) (string, error) {
	b, err := json.Marshal(c.CitedPath)
	return string(b), err
}

// citationHealth compares c with the caller's current graph; a
// replacement it finds is citable.
func (r *Resolver) citationHealth(ctx context.Context, c *model.Citation) (*citation.Health, error) {
	a := r.deps(ctx).Analytics
	snap, err := a.Snapshots.Get()
	if err != nil {
		return nil, err
	}
	ck := citation.NewChecker(a.Access)
	if ck.Whole, err = r.wholeGraph(ctx); err != nil {
		return nil, err
	}
	h, err := ck.Check(ctx, snap, c.CitedPath, true)
	if err == nil {
		usedResult(ctx, snap)
	}
	return h, err
}

// wholeGraph is the whole graph's snapshot when the caller sees a
// territory view of it (so that a citation leaving the caller's
// territories reads as such, not as a person who left), else nil.
func (r *Resolver) wholeGraph(ctx context.Context) (*snapshot.Snapshot, error) {
	p, err := auth.Authenticated(ctx)
	if err != nil || !p.Scoped() {
		return nil, err
	}
	return r.Views.Full().Snapshots.Get()
}
