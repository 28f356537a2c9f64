// Package writer is the one way kolgraph writes to its store: mutations and
// imports hand it a kolgraph.ChangeSet, and it
//
//   - compares the change set with the store (Plan): what it creates,
//     updates, leaves unchanged and deletes, relationships detached by node
//     deletions included;
//   - writes only what changes, in one Store.Apply, with an audit entry per
//     changed record (who, what, before and after) in the same transaction,
//     and IfVersion set to the version it compared against, so the before
//     values are exactly what the write replaced (on ErrStale it compares
//     again and retries);
//   - tells the analytics (Notify) so rankings follow the write.
//
// A change set that changes nothing is not applied: the version stays, and
// no audit entry is written. That is what makes upserts and re-imports
// idempotent in the log as well as in the graph.
package writer

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

// Actors that are not users.
const (
	ActorCLI       = "cli"
	ActorAnonymous = "anonymous"
)

// Actor is who a write from ctx is recorded as: the calling user, or
// "anonymous".
func Actor(ctx context.Context) string {
	if id, ok := viewer.UserID(ctx); ok {
		return id
	}
	return ActorAnonymous
}

// Store is what the writer reads to compare a change set with, and
// writes it to (kolgraph.Store has it).
type Store interface {
	Version(ctx context.Context) (uint64, error)
	Apply(ctx context.Context, cs *kolgraph.ChangeSet) (uint64, error)
	Scan(ctx context.Context, v kolgraph.Visitor) error

	Territories(ctx context.Context, ids []string) ([]*kolgraph.Territory, error)
	Hospitals(ctx context.Context, ids []string) ([]*kolgraph.Hospital, error)
	Departments(ctx context.Context, ids []string) ([]*kolgraph.Department, error)
	HCPs(ctx context.Context, ids []string) ([]*kolgraph.HCP, error)
	Committees(ctx context.Context, ids []string) ([]*kolgraph.Committee, error)
	Products(ctx context.Context, ids []string) ([]*kolgraph.Product, error)
	Users(ctx context.Context, ids []string) ([]*kolgraph.User, error)
	Influences(ctx context.Context, keys []kolgraph.EdgeKey) ([]*kolgraph.Influence, error)
	AccountPlans(ctx context.Context, ids []string) ([]*kolgraph.AccountPlan, error)
	Interactions(ctx context.Context, ids []string) ([]*kolgraph.Interaction, error)
	AccountOwners(ctx context.Context, ids []string) ([]*kolgraph.AccountOwner, error)
	Activities(ctx context.Context, ids []string) ([]*kolgraph.Activity, error)

	MembershipsOfHCPs(ctx context.Context, ids []string) ([][]kolgraph.Membership, error)
	MembershipsOfCommittees(ctx context.Context, ids []string) ([][]kolgraph.Membership, error)
	ListingsOfHospitals(ctx context.Context, ids []string) ([][]kolgraph.Listing, error)
	ProductSharesOfDepartments(ctx context.Context, ids []string) ([][]kolgraph.ProductShare, error)
	KnowsOfUsers(ctx context.Context, ids []string) ([][]kolgraph.Knows, error)
	InfluencesFrom(ctx context.Context, ids []string) ([][]*kolgraph.Influence, error)
	InfluencesTo(ctx context.Context, ids []string) ([][]*kolgraph.Influence, error)
	PrescriptionFactsOf(ctx context.Context, ids []string) ([][]kolgraph.PrescriptionFact, error)
	InteractionsOfHCPs(ctx context.Context, ids []string) ([][]*kolgraph.Interaction, error)
}

var _ Store = kolgraph.Store(nil)

// Service writes change sets; it is safe for concurrent use.
//
// Writes (and dry runs) through one Service, and the services On returns,
// take turns: each compares its change set with the store and writes it
// while the others wait (in arrival order, as long as their context
// allows). A large import therefore never loses its write to the small
// ones that arrive while it is planned, and they queue behind it instead
// of failing. Writes by other processes on the same store still race; the
// IfVersion check and Attempts handle them.
type Service struct {
	store  Store
	notify func(version uint64, cs *kolgraph.ChangeSet)
	now    func() time.Time
	turn   chan struct{} // shared by On's copies
	// Attempts bounds how often a write is compared again after another
	// write got in first (ErrStale).
	Attempts int
}

// New returns a service writing to st; notify (may be nil) is called after
// every write that changed the graph, with the version it made and the
// change set as written (the records whole, with the deletions they
// carried along).
func New(st Store, notify func(version uint64, cs *kolgraph.ChangeSet)) *Service {
	return &Service{store: st, notify: notify, now: time.Now, turn: make(chan struct{}, 1), Attempts: 8}
}

// wait takes the write turn, or fails when ctx ends first.
func (s *Service) wait(ctx context.Context) (release func(), err error) {
	select {
	case s.turn <- struct{}{}:
		return func() { <-s.turn }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("writer: waiting for the write before this one: %w", ctx.Err())
	}
}

// On returns the service writing to st instead (e.g. a request's scoped
// store), with the same notification and attempts.
func (s *Service) On(st Store) *Service {
	c := *s
	c.store = st
	return &c
}

// Result is what a write did.
type Result struct {
	*Plan
	// Version is the store's version after the write; Plan.Version when
	// nothing changed.
	Version uint64
	// Written reports whether the change set was applied.
	Written bool
}

// authorizer is a store that refuses some change sets from what they say
// alone (the role guard of internal/scope does: other users' KNOWS ties).
// The writer asks it before reading anything, so that a refusal neither
// depends on nor reveals what is stored.
type authorizer interface {
	Authorize(cs *kolgraph.ChangeSet) error
}

// check is what a change set must pass before the store is read: the
// store's authorization, then the records' own fields, as the store checks
// them but for the fields the writer derives (derive.go).
func (s *Service) check(cs *kolgraph.ChangeSet) error {
	if a, ok := s.store.(authorizer); ok {
		if err := a.Authorize(cs); err != nil {
			return err
		}
	}
	if cs == nil {
		return kolgraph.Errorf(kolgraph.EINVALID, "no change set")
	}
	return cs.CheckFieldsToDerive()
}

// Plan compares cs with the store without writing: a dry run. Field
// problems of the records are reported first (EINVALID), as Apply would;
// then the store judges what Apply would write, with the rules of its own
// Apply (ChangeSet.CheckOnly), so a dry run passes exactly what the write
// would.
func (s *Service) Plan(ctx context.Context, cs *kolgraph.ChangeSet) (*Plan, error) {
	if err := s.check(cs); err != nil {
		return nil, err
	}
	release, err := s.wait(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	for range max(s.Attempts, 1) {
		var p *Plan
		if p, err = plan(ctx, s.store, cs, s.now(), Actor(ctx)); err == nil {
			if err = s.judge(ctx, p); err == nil {
				p.fill(cs)
				return p, nil
			}
		}
		if !errors.Is(err, kolgraph.ErrStale) {
			return nil, err
		}
	}
	return nil, err
}

// judge asks the store whether it would apply what p writes, at the
// version p was planned at.
func (s *Service) judge(ctx context.Context, p *Plan) error {
	if !p.Changed() {
		return nil
	}
	w := *p.cs
	w.IfVersion, w.CheckOnly, w.Audit = &p.Version, true, nil
	_, err := s.store.Apply(ctx, &w)
	return err
}

// Apply writes what cs changes, recording actor and source (e.g. "import",
// "mutation upsertHCP") in the audit log. The store validates the whole
// change set; nothing is written on any error.
func (s *Service) Apply(ctx context.Context, actor, source string, cs *kolgraph.ChangeSet) (*Result, error) {
	if err := s.check(cs); err != nil {
		return nil, err
	}
	release, err := s.wait(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	for range max(s.Attempts, 1) {
		var p *Plan
		if p, err = plan(ctx, s.store, cs, s.now(), actor); err != nil {
			if errors.Is(err, kolgraph.ErrStale) {
				continue
			}
			return nil, err
		}
		if !p.Changed() {
			p.fill(cs)
			return &Result{Plan: p, Version: p.Version}, nil
		}
		w := p.cs
		w.IfVersion = &p.Version
		for i := range p.Audit { // in place: a region's entries are not copied
			p.Audit[i].Actor, p.Audit[i].Source = actor, source
		}
		w.Audit = p.Audit
		var v uint64
		if v, err = s.store.Apply(ctx, w); err != nil {
			if errors.Is(err, kolgraph.ErrStale) {
				continue
			}
			return nil, err
		}
		if s.notify != nil {
			s.notify(v, w)
		}
		p.fill(cs)
		return &Result{Plan: p, Version: v, Written: true}, nil
	}
	return nil, fmt.Errorf("writer: %d attempts lost to concurrent writes: %w", s.Attempts, err)
}
