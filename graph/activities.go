package graph

import (
	"context"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/graph/model"
	"github.com/kolgraph/kolgraph/internal/fieldservice"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// evaluated wraps activities with their ROI and compliance findings,
// evaluated together (one read of the year's activities and facts).
func (r *Resolver) evaluated(ctx context.Context, acts []*kolgraph.Activity) ([]*model.Activity, error) {
	cfg := r.fieldConfig()
	rs, err := fieldservice.Evaluate(ctx, r.fieldDeps(ctx), cfg, acts)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Activity, len(acts))
	for i, a := range acts {
		out[i] = &model.Activity{Activity: a, Result: &rs[i], Config: cfg}
	}
	return out, nil
}

func (r *Resolver) activity(ctx context.Context, id string) (*model.Activity, error) {
	as, err := r.deps(ctx).Store.Activities(ctx, []string{id})
	if err != nil || len(as) == 0 || as[0] == nil {
		return nil, err
	}
	out, err := r.evaluated(ctx, as)
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

func (r *Resolver) listActivities(ctx context.Context, in *model.ActivityFilter, first *int, after *string) (*model.ActivityConnection, error) {
	p, err := pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	var f kolgraph.ActivityFilter
	if in != nil {
		f = kolgraph.ActivityFilter{TerritoryID: str(in.Territory), ProductID: str(in.Product), OwnerID: str(in.Owner), From: str(in.From), To: str(in.To)}
	}
	res, err := r.deps(ctx).Store.ListActivities(ctx, f, p)
	if err != nil {
		return nil, err
	}
	acts, err := r.evaluated(ctx, res.Items)
	if err != nil {
		return nil, err
	}
	conn := &model.ActivityConnection{Edges: make([]*model.ActivityEdge, len(acts)), TotalCount: res.Total}
	ids := make([]string, len(acts))
	for i, a := range acts {
		ids[i] = a.ID
		conn.Edges[i] = &model.ActivityEdge{Cursor: encodeCursor(a.ID), Node: a}
	}
	conn.PageInfo = pageInfo(ids, res.HasNext)
	return conn, nil
}

// recordActivity writes an activity whose speakers are all compliant
// candidates, then evaluates it.
func (r *Resolver) recordActivity(ctx context.Context, in model.ActivityInput, now time.Time) (*model.ActivityPayload, error) {
	a := &kolgraph.Activity{ID: str(in.ID), Name: in.Name, Kind: strings.ToLower(string(in.Kind)), Date: in.Date,
		TerritoryID: in.Territory, HospitalID: str(in.Hospital), ProductID: in.Product, OwnerID: str(in.Owner),
		Budget: in.Budget, ActualCost: in.ActualCost, SpeakerIDs: in.Speakers, AttendeeIDs: in.Attendees,
		Registration: kolgraph.RegistrationPending, RegisteredOn: str(in.RegisteredOn)}
	if in.Registration != nil {
		a.Registration = strings.ToLower(string(*in.Registration))
	}
	if a.ID == "" {
		a.ID = newID("ACT", now)
	}
	if a.OwnerID == "" {
		a.OwnerID = writer.Actor(ctx)
	}
	if err := actsFor(ctx, a.OwnerID, "record activities"); err != nil {
		return nil, err
	}
	if old, err := r.deps(ctx).Store.Activities(ctx, []string{a.ID}); err != nil {
		return nil, err
	} else if len(old) > 0 && old[0] != nil {
		if err := actsFor(ctx, old[0].OwnerID, "change activities"); err != nil {
			return nil, err
		}
	}
	// Own fields first, so that a bad date is named as such rather than
	// as an unknown territory of the speaker check.
	ps := a.Validate()
	for i := range ps {
		ps[i].File = kolgraph.KindActivities + "/" + a.ID
	}
	if err := kolgraph.Invalid(ps); err != nil {
		return nil, err
	}
	if err := fieldservice.CheckActivity(ctx, r.fieldDeps(ctx), r.fieldConfig(), a); err != nil {
		return nil, err
	}
	res, err := r.write(ctx, "recordActivity", &kolgraph.ChangeSet{Activities: []*kolgraph.Activity{a}})
	if err != nil {
		return nil, err
	}
	acts, err := r.evaluated(ctx, []*kolgraph.Activity{a})
	if err != nil {
		return nil, err
	}
	return &model.ActivityPayload{Activity: acts[0], GraphVersion: graphVersion(res.Version)}, nil
}

// deleteActivity deletes an activity of the caller (any, for an admin).
func (r *Resolver) deleteActivity(ctx context.Context, id string) (*model.DeletePayload, error) {
	as, err := r.deps(ctx).Store.Activities(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if len(as) > 0 && as[0] != nil {
		if err := actsFor(ctx, as[0].OwnerID, "delete activities"); err != nil {
			return nil, err
		}
	}
	res, err := r.write(ctx, "deleteActivity", &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Activities: []string{id}}})
	if err != nil {
		return nil, err
	}
	return deleted(res), nil
}

// hcpsByID loads HCPs in the order of ids (each must exist).
func hcpsByID(ctx context.Context, ids []string) ([]*kolgraph.HCP, error) {
	out := make([]*kolgraph.HCP, 0, len(ids))
	for _, id := range ids {
		h, err := required(loadersFrom(ctx).hcp.Load(ctx, id))
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}
