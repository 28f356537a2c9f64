package access

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/paths"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

// StageKind names a stage of a decision chain (the GraphQL
// DecisionStageKind values); the package doc gives the rules.
type StageKind string

// The stage kinds, in chain order.
const (
	Propose        StageKind = "PROPOSE"
	PharmacyReview StageKind = "PHARMACY_REVIEW"
	DRGReview      StageKind = "DRG_REVIEW"
	PTDecision     StageKind = "PT_DECISION"
	Procurement    StageKind = "PROCUREMENT"
	SignOff        StageKind = "SIGN_OFF"
)

// StageKinds lists the stage kinds in chain order.
var StageKinds = []StageKind{Propose, PharmacyReview, DRGReview, PTDecision, Procurement, SignOff}

// Chain is the decision chain of a hospital for a product.
type Chain struct {
	Hospital *kolgraph.Hospital
	Product  *kolgraph.Product // nil without a product
	Listing  *kolgraph.Listing // the product's listing; nil when there is no record
	Stages   []*Stage
	// User is the caller whose contacts the paths start from ("" for none).
	User         string
	MaxHops      int
	GraphVersion string
	ComputedAt   time.Time
	// Snapshot is the graph the chain was built on: its hospital's
	// INFLUENCE ranking's, which may be older than the current one while
	// the current ranking is computed (scoring.Service.Ranking).
	Snapshot *snapshot.Snapshot
	// Note says why there are no paths (no caller, no contacts).
	Note string
}

// Stage is one step of a chain.
type Stage struct {
	Order       int // 1-based
	Kind        StageKind
	Description string
	// Rule says which data put the people here.
	Rule      string
	Committee *kolgraph.Committee // the deciding body, for committee stages
	People    []*Member
	// Path is the strongest of the people's paths (nil when none).
	Path *Path
	// Note explains an empty stage.
	Note string
}

// Member is a person at a stage.
type Member struct {
	HCP *kolgraph.HCP
	// Role is why the HCP is here: a position, or a committee role.
	Role string
	// Influence is the HCP's INFLUENCE score in the hospital; nil when the
	// hospital is too small to rank.
	Influence *Score
	// Path is the strongest path from the caller's contacts; nil when none.
	Path *Path
}

// Score is an INFLUENCE value with its standing in the scope.
type Score struct {
	Value      float64
	Percentile float64 // share of the scope strictly below, in [0,1]
	Rank       int     // 1 for the most influential
}

const pharmacySpecialty = "pharmacy"

// DecisionChain builds the decision chain of hospital for product (""
// for none) on the snapshot of the hospital's INFLUENCE ranking, with
// paths from the calling user's contacts. Unknown hospital, product or user
// ids are NOT_FOUND; with no caller the chain has no paths and a Note.
func (s *Service) DecisionChain(ctx context.Context, hospital, product string) (*Chain, error) {
	rk, err := s.scores.Ranking(ctx, snapshot.Scope{Hospital: hospital}, scoring.Influence)
	if err != nil {
		return nil, err
	}
	snap := rk.Snapshot
	c := &Chain{Hospital: snap.Hospitals[hospital], MaxHops: s.opts.ChainMaxHops,
		GraphVersion: snap.GraphVersion(), ComputedAt: s.now(), Snapshot: snap}
	if product != "" {
		if c.Product = snap.Products[product]; c.Product == nil {
			return nil, kolgraph.Errorf(kolgraph.ENOTFOUND, "no product %q", product)
		}
		for _, l := range snap.Listings[hospital] {
			if l.ProductID == product {
				c.Listing = &l
			}
		}
	}
	nodes, err := snap.Nodes(snapshot.Scope{Hospital: hospital})
	if err != nil {
		return nil, err
	}
	b := chainBuilder{snap: snap, rk: rk, hospital: hospital, nodes: nodes}
	c.Stages = b.stages(c.Product)
	if err := s.chainPaths(ctx, snap, c); err != nil {
		return nil, err
	}
	return c, nil
}

type chainBuilder struct {
	snap     *snapshot.Snapshot
	rk       *scoring.Ranking
	hospital string
	nodes    []int32
}

func (b *chainBuilder) stages(product *kolgraph.Product) []*Stage {
	var out []*Stage
	add := func(st *Stage) {
		st.Order = len(out) + 1
		if len(st.People) == 0 && st.Note == "" {
			st.Note = "nobody in the data fills this stage"
		}
		out = append(out, st)
	}
	add(b.propose(product))
	add(b.pharmacyReview())
	for _, c := range b.committees(kolgraph.CommitteeDRG) {
		add(b.committeeStage(DRGReview, "the DRG committee assesses the cost impact under DRG/DIP payment", c))
	}
	pts := b.committees(kolgraph.CommitteePT)
	for _, c := range pts {
		add(b.committeeStage(PTDecision, "the pharmacy & therapeutics committee decides on the formulary listing", c))
	}
	if len(pts) == 0 {
		add(&Stage{Kind: PTDecision, Description: "the pharmacy & therapeutics committee decides on the formulary listing",
			Rule: "members of the hospital's committees of kind pt", Note: "the data has no P&T committee for " + b.hospital})
	}
	for _, c := range b.committees(kolgraph.CommitteeProcurement) {
		add(b.committeeStage(Procurement, "the procurement committee selects the product for purchase", c))
	}
	add(b.signOff())
	return out
}

func (b *chainBuilder) propose(product *kolgraph.Product) *Stage {
	st := &Stage{Kind: Propose, Description: "the head of a department that would prescribe it proposes the product"}
	var depts []*kolgraph.Department
	for _, d := range b.snap.Departments {
		if d.HospitalID != b.hospital || d.Specialty == pharmacySpecialty {
			continue
		}
		if product == nil || slices.Contains(product.Specialties, d.Specialty) {
			depts = append(depts, d)
		}
	}
	slices.SortFunc(depts, func(x, y *kolgraph.Department) int { return cmp.Compare(x.ID, y.ID) })
	if product == nil {
		st.Rule = "department_head of every clinical department (deputy_head where a department has no head)"
	} else {
		st.Rule = fmt.Sprintf("department_head of the clinical departments treating %s's specialties (%s); deputy_head where a department has no head",
			product.ID, strings.Join(product.Specialties, ", "))
		if len(depts) == 0 {
			st.Note = fmt.Sprintf("no department of %s has one of %s's specialties", b.hospital, product.ID)
		}
	}
	for _, d := range depts {
		heads := b.withPosition("department_head", d.ID)
		if len(heads) == 0 {
			heads = b.withPosition("deputy_head", d.ID)
		}
		st.People = append(st.People, heads...)
	}
	b.byInfluence(st.People)
	return st
}

func (b *chainBuilder) pharmacyReview() *Stage {
	st := &Stage{Kind: PharmacyReview, Description: "the pharmacy department reviews the product",
		Rule: "the hospital's pharmacy_director; without one, the department_head of its pharmacy department"}
	st.People = b.withPosition("pharmacy_director", "")
	if len(st.People) == 0 {
		for _, v := range b.nodes {
			h := b.snap.HCPs[v]
			if d := b.snap.Departments[h.DepartmentID]; d != nil && d.Specialty == pharmacySpecialty && h.Position == "department_head" {
				st.People = append(st.People, b.member(v, h.Position))
			}
		}
	}
	b.byInfluence(st.People)
	return st
}

func (b *chainBuilder) signOff() *Stage {
	st := &Stage{Kind: SignOff, Description: "the president signs the listing",
		Rule: "the hospital's president; without one, its vice_president(s)"}
	st.People = b.withPosition("president", "")
	if len(st.People) == 0 {
		st.People = b.withPosition("vice_president", "")
	}
	b.byInfluence(st.People)
	return st
}

// committees returns the hospital's committees of kind, by id.
func (b *chainBuilder) committees(kind string) []*kolgraph.Committee {
	var out []*kolgraph.Committee
	for _, c := range b.snap.Committees {
		if c.HospitalID == b.hospital && c.Kind == kind {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(x, y *kolgraph.Committee) int { return cmp.Compare(x.ID, y.ID) })
	return out
}

var roleOrder = map[string]int{"chair": 0, "secretary": 1, "member": 2}

// committeeStage lists c's members: chair, secretary, members, each group
// by influence. Members working at other hospitals are included: they sit
// on the committee.
func (b *chainBuilder) committeeStage(kind StageKind, desc string, c *kolgraph.Committee) *Stage {
	st := &Stage{Kind: kind, Description: desc, Committee: c,
		Rule: fmt.Sprintf("members of %s (kind %s), chair first, then secretary, then members", c.ID, c.Kind)}
	for v, seats := range b.snap.Seats {
		for _, seat := range seats {
			if seat.Committee.ID == c.ID {
				st.People = append(st.People, b.member(int32(v), seat.Role))
			}
		}
	}
	b.byInfluence(st.People)
	slices.SortStableFunc(st.People, func(x, y *Member) int {
		return cmp.Compare(rank(roleOrder, x.Role), rank(roleOrder, y.Role))
	})
	return st
}

func rank(order map[string]int, role string) int {
	if r, ok := order[role]; ok {
		return r
	}
	return len(order)
}

// withPosition returns the hospital's HCPs of position (in department dept
// when not ""), as members.
func (b *chainBuilder) withPosition(position, dept string) []*Member {
	var out []*Member
	for _, v := range b.nodes {
		h := b.snap.HCPs[v]
		if h.Position == position && (dept == "" || h.DepartmentID == dept) {
			out = append(out, b.member(v, position))
		}
	}
	return out
}

func (b *chainBuilder) member(v int32, role string) *Member {
	m := &Member{HCP: b.snap.HCPs[v], Role: role}
	if i := b.rk.Rank(v); i >= 0 { // a member from another hospital is not ranked in this one
		m.Influence = &Score{Value: b.rk.Values[i], Percentile: b.rk.Percentiles[i], Rank: i + 1}
	}
	return m
}

// byInfluence orders people most influential first; unranked last; ties
// by id.
func (b *chainBuilder) byInfluence(ms []*Member) {
	val := func(m *Member) float64 {
		if m.Influence == nil {
			return math.Inf(-1)
		}
		return m.Influence.Value
	}
	slices.SortStableFunc(ms, func(x, y *Member) int {
		if c := cmp.Compare(val(y), val(x)); c != 0 {
			return c
		}
		return cmp.Compare(x.HCP.ID, y.HCP.ID)
	})
}

// chainPaths finds, in one search, the strongest path from the caller's
// contacts to every person of the chain.
func (s *Service) chainPaths(ctx context.Context, snap *snapshot.Snapshot, c *Chain) error {
	var targets []int32
	for _, st := range c.Stages {
		for _, m := range st.People {
			v, _ := snap.Index(m.HCP.ID)
			targets = append(targets, v)
		}
	}
	found, err := s.PathsTo(ctx, snap, targets, c.MaxHops, c.ComputedAt)
	if err != nil {
		return err
	}
	c.User, c.Note = found.User, found.Note
	if found.Paths == nil {
		return nil
	}
	i := 0
	for _, st := range c.Stages {
		var ps []*Path
		for _, m := range st.People {
			if m.Path = found.Paths[i]; m.Path != nil {
				ps = append(ps, m.Path)
			}
			i++
		}
		st.Path = firstPath(ps)
	}
	return nil
}

// Reach is the strongest path from the calling user's contacts to each of
// a list of targets.
type Reach struct {
	// User is the caller whose contacts the paths start from ("" for none).
	User string
	// Paths[i] is the path to the i-th target, nil when there is none;
	// Paths is nil when there is no caller or the caller knows nobody.
	Paths []*Path
	// Note says why there are no paths at all.
	Note string
}

// PathsTo finds, in one search of at most maxHops hops, the strongest path
// from the calling user's contacts (the strength of the tie multiplied in)
// to each target node of snap, stamped at. Without a calling user, or when
// the user knows nobody, Reach.Paths is nil and Reach.Note says why.
func (s *Service) PathsTo(ctx context.Context, snap *snapshot.Snapshot, targets []int32, maxHops int, at time.Time) (Reach, error) {
	user, ok := viewer.UserID(ctx)
	if !ok {
		return Reach{Note: "no calling user: paths start from the HCPs a user knows"}, nil
	}
	contacts, known := contactsOf(snap, user)
	if !known {
		return Reach{Note: fmt.Sprintf("the caller %s is not a user of the graph, so no paths start from its contacts", user)}, nil
	}
	if len(contacts) == 0 {
		return Reach{User: user, Note: fmt.Sprintf("user %s knows no HCP yet, so there are no paths", user)}, nil
	}
	q := paths.Query{MaxHops: maxHops}
	strength := make(map[int32]float64, len(contacts))
	for _, ct := range contacts {
		q.Sources = append(q.Sources, ct.Node)
		q.SourceCost = append(q.SourceCost, -math.Log(ct.Strength))
		strength[ct.Node] = ct.Strength
	}
	found, err := paths.StrongestEach(ctx, snap.Graph, q, targets)
	if err != nil {
		return Reach{}, err
	}
	out := Reach{User: user, Paths: make([]*Path, len(targets))}
	for i, sp := range found {
		if sp.Nodes != nil {
			asked := &Query{To: snap.IDs[targets[i]], K: 1, MaxHops: maxHops}
			out.Paths[i] = s.fromSearch(snap, user, strength, sp, at, asked, true)
		}
	}
	return out, nil
}

// firstPath returns the path of ps that the pinned order puts first: of those
// whose strength is within paths.TieTolerance (relative) of the strongest,
// the one of the fewest hops, then of the smallest HCP ids along it; nil
// for none.
func firstPath(ps []*Path) *Path {
	var top *Path
	for _, p := range ps {
		if top == nil || p.Strength > top.Strength {
			top = p
		}
	}
	best := top
	for _, p := range ps {
		if top.Strength-p.Strength > paths.TieTolerance*top.Strength {
			continue
		}
		if c := cmp.Compare(len(p.Hops), len(best.Hops)); c < 0 || (c == 0 && slices.CompareFunc(p.Nodes, best.Nodes, byID) < 0) {
			best = p
		}
	}
	return best
}

func byID(a, b *kolgraph.HCP) int { return cmp.Compare(a.ID, b.ID) }
