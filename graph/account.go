package graph

import (
	"context"

	"github.com/kolgraph/kolgraph/graph/model"
	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/tiering"
)

// accountMatrix is one level of the tiering result of scope and product.
func (r *Resolver) accountMatrix(ctx context.Context, scope model.ScopeInput, product *string, level *account.Level) (*model.AccountMatrix, error) {
	l := account.LevelHCP
	if level != nil {
		l = *level
	}
	res, err := r.deps(ctx).Analytics.Tiering.Tiering(ctx, tiering.Request{Scope: scopeOf(scope), ProductID: str(product)})
	if err != nil {
		return nil, err
	}
	usedResult(ctx, res.Snapshot) // everything below reads res.Snapshot, the result's own
	v, err := res.View(l)
	if err != nil {
		return nil, err
	}
	return &model.AccountMatrix{Result: res, View: v}, nil
}

func matrixCell(m *model.AccountMatrix, s account.Segment) *model.MatrixCell {
	for _, c := range m.Cells() {
		if c.Segment == s {
			return c
		}
	}
	// Classify always makes the four cells; the enum admits no other value.
	panic("graph: account matrix without a cell " + string(s))
}

func cellMembers(c *model.MatrixCell, first *int, after *string) (*model.AccountMemberConnection, error) {
	start, end, pi, err := offsetPage(len(c.Members), first, after)
	if err != nil {
		return nil, err
	}
	conn := &model.AccountMemberConnection{Edges: make([]*model.AccountMemberEdge, 0, end-start), PageInfo: pi, TotalCount: len(c.Members)}
	for i := start; i < end; i++ {
		conn.Edges = append(conn.Edges, &model.AccountMemberEdge{Cursor: encodeRankCursor(i), Node: c.Member(i)})
	}
	return conn, nil
}

func unclassifiedAccounts(m *model.AccountMatrix, first *int, after *string) (*model.UnclassifiedConnection, error) {
	us := m.View.Matrix.Unclassified
	start, end, pi, err := offsetPage(len(us), first, after)
	if err != nil {
		return nil, err
	}
	conn := &model.UnclassifiedConnection{Edges: make([]*model.UnclassifiedEdge, 0, end-start), PageInfo: pi, TotalCount: len(us)}
	for i := start; i < end; i++ {
		a, _ := m.View.Account(us[i].ID)
		conn.Edges = append(conn.Edges, &model.UnclassifiedEdge{Cursor: encodeRankCursor(i),
			Node: &model.UnclassifiedAccount{Unclassified: &us[i], Account: a, Result: m.Result}})
	}
	return conn, nil
}

// stakeholders pages the access stakeholders of a matrix's scope, each
// with the strongest path from the caller's contacts (one search for all
// of them).
func (r *Resolver) stakeholders(ctx context.Context, m *model.AccountMatrix, first *int, after *string) (*model.StakeholderConnection, error) {
	all := m.Result.Stakeholders
	start, end, pi, err := offsetPage(len(all), first, after)
	if err != nil {
		return nil, err
	}
	reach, err := r.deps(ctx).Analytics.Tiering.StakeholderPaths(ctx, m.Result)
	if err != nil {
		return nil, err
	}
	conn := &model.StakeholderConnection{Edges: make([]*model.StakeholderEdge, 0, end-start), PageInfo: pi,
		TotalCount: len(all), User: optional(reach.User), Note: optional(reach.Note)}
	for i := start; i < end; i++ {
		st := &model.Stakeholder{Stakeholder: &all[i], Snapshot: m.Result.Snapshot}
		if reach.Paths != nil {
			st.Path = reach.Paths[i]
		}
		conn.Edges = append(conn.Edges, &model.StakeholderEdge{Cursor: encodeRankCursor(i), Node: st})
	}
	return conn, nil
}

// speakerCandidates lists the scope's speaker candidates. The tiering
// service ranks them without potential (account.SpeakerSelectionRule); this
// resolver only cuts the list.
func (r *Resolver) speakerCandidates(ctx context.Context, scope model.ScopeInput, product *string, first *int) (*model.SpeakerCandidates, error) {
	n, err := limitArg(first, 20)
	if err != nil {
		return nil, err
	}
	res, err := r.deps(ctx).Analytics.Tiering.Tiering(ctx, tiering.Request{Scope: scopeOf(scope), ProductID: str(product)})
	if err != nil {
		return nil, err
	}
	usedResult(ctx, res.Snapshot)
	out := &model.SpeakerCandidates{
		Rule: account.SpeakerSelectionRule, Specialties: res.SpeakerSpecialties, TotalCount: len(res.Speakers),
		GraphVersion: res.GraphVersion, ComputedAt: res.ComputedAt,
	}
	if out.Specialties == nil {
		out.Specialties = []string{}
	}
	for i := range res.Speakers[:min(n, len(res.Speakers))] {
		out.Candidates = append(out.Candidates, &model.SpeakerCandidate{Speaker: &res.Speakers[i], Snapshot: res.Snapshot})
	}
	if out.Candidates == nil {
		out.Candidates = []*model.SpeakerCandidate{}
	}
	return out, nil
}
