package access

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/paths"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

// Query asks for the strongest paths to To. Without From, the paths start
// from every HCP the calling user (viewer.UserID) KNOWS.
type Query struct {
	From        []string
	To          string
	K           int // 1..paths.MaxK
	MaxHops     int // 1..paths.MaxHopLimit
	Avoid       []string
	Via         []Position
	MinStrength float64 // [0,1]
}

// Result is the answer to a Query: the paths, strongest first, and when
// there are none, why.
type Result struct {
	Paths  []*Path
	Reason string
}

// StrongestPaths answers q on the current snapshot. Out-of-range k, maxHops
// or minStrength, to among from or avoid, too many via positions, and no
// sources at all (no from, no calling user) are BAD_USER_INPUT; unknown ids
// are NOT_FOUND; a query that cannot have a path gets an empty Result with a
// Reason. The search stops with ctx's error when ctx is done.
func (s *Service) StrongestPaths(ctx context.Context, q Query) (*Result, error) {
	snap, err := s.snaps.Get()
	if err != nil {
		return nil, err
	}
	user, _ := viewer.UserID(ctx)
	return s.search(ctx, snap, q, user, true)
}

// SearchOn answers q as StrongestPaths does, on snap, with paths from the
// contacts of user (not the caller's) when q has no From. Unless issue is
// set the paths are not kept for Path, so their ids resolve only while
// snap is current: a search on a graph that was never written (a what-if)
// must not issue ids that name its paths.
func (s *Service) SearchOn(ctx context.Context, snap *snapshot.Snapshot, q Query, user string, issue bool) (*Result, error) {
	return s.search(ctx, snap, q, user, issue)
}

// search answers q on snap, from q.From or else user's contacts ("": no
// user), keeping the paths for Path when issue is set.
func (s *Service) search(ctx context.Context, snap *snapshot.Snapshot, q Query, user string, issue bool) (*Result, error) {
	switch {
	case q.K < 1 || q.K > paths.MaxK:
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "k must be in 1..%d (got %d)", paths.MaxK, q.K)
	case q.MaxHops < 1 || q.MaxHops > paths.MaxHopLimit:
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "maxHops must be in 1..%d (got %d)", paths.MaxHopLimit, q.MaxHops)
	case !(q.MinStrength >= 0 && q.MinStrength <= 1):
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "minStrength must be in [0,1] (got %v)", q.MinStrength)
	}
	to, err := indexOf(snap, q.To)
	if err != nil {
		return nil, err
	}
	if slices.Contains(q.From, q.To) {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "from and to are the same HCP (%s)", q.To)
	}
	if slices.Contains(q.Avoid, q.To) {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "to (%s) is also in avoid", q.To)
	}
	pq := paths.Query{Target: to, K: q.K, MaxHops: q.MaxHops, MinStrength: q.MinStrength}
	if pq.Avoid, err = indicesOf(snap, q.Avoid); err != nil {
		return nil, err
	}
	src, err := sources(snap, q.From, user)
	if err != nil {
		return nil, err
	}
	src.drop(to)
	src.drop(pq.Avoid...)
	if len(src.nodes) == 0 {
		return &Result{Paths: []*Path{}, Reason: src.noneLeft(q.To)}, nil
	}
	pq.Sources, pq.SourceCost = src.nodes, src.costs

	via := slices.Compact(slices.Sorted(slices.Values(q.Via)))
	if len(via) > paths.MaxVia {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "at most %d via positions (got %d)", paths.MaxVia, len(via))
	}
	hospital := snap.HCPs[to].HospitalID
	for _, p := range via {
		set, err := holders(snap, hospital, p)
		if err != nil {
			return nil, err
		}
		if len(set) == 0 {
			return &Result{Paths: []*Path{}, Reason: fmt.Sprintf("nobody at %s (the target's hospital) holds %s", hospital, p)}, nil
		}
		pq.Via = append(pq.Via, set)
	}

	found, err := paths.KStrongest(ctx, snap.Graph, pq)
	if errors.Is(err, paths.ErrInvalidQuery) {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "%v", err)
	}
	if err != nil {
		return nil, err
	}
	res := &Result{Paths: make([]*Path, len(found))}
	at := s.now()
	for i, sp := range found {
		p := s.fromSearch(snap, src.user, src.strength, sp, at, &q, issue)
		if i > 0 && p.Strength > res.Paths[i-1].Strength {
			// It ties with the path before (the search's order allows no
			// more than the tolerance) and has more hops or later ids:
			// listed as no stronger, since they count as equal.
			listed := *p
			listed.Strength = res.Paths[i-1].Strength
			p = &listed
		}
		res.Paths[i] = p
	}
	if len(found) == 0 {
		res.Reason = fmt.Sprintf("no path from %s to %s within %d hops meets the constraints", src.describe(), q.To, q.MaxHops)
	}
	return res, nil
}

// sourceSet is where paths start: given HCPs, or a user's contacts with the
// cost -ln(strength) of each tie.
type sourceSet struct {
	user     string
	nodes    []int32
	costs    []float64         // nil for given sources
	strength map[int32]float64 // the user's ties
	given    int
	ids      []string // the given sources, for messages
}

// sources resolves from, or user's contacts when from is empty ("": no
// user).
func sources(snap *snapshot.Snapshot, from []string, user string) (*sourceSet, error) {
	if len(from) > 0 {
		nodes, err := indicesOf(snap, from)
		if err != nil {
			return nil, err
		}
		return &sourceSet{nodes: nodes, given: len(nodes), ids: from}, nil
	}
	if user == "" {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "give from, or call as a user so that paths start from the HCPs the user knows")
	}
	contacts, known := contactsOf(snap, user)
	if !known {
		return nil, kolgraph.Errorf(kolgraph.ENOTFOUND, "the caller %q is not a user of the graph, so it has no contacts to start from: give from, or call as a user (a token for one, or -dev-user)", user)
	}
	set := &sourceSet{user: user, strength: make(map[int32]float64, len(contacts)), given: len(contacts)}
	for _, c := range contacts {
		set.nodes = append(set.nodes, c.Node)
		set.costs = append(set.costs, -math.Log(c.Strength))
		set.strength[c.Node] = c.Strength
	}
	return set, nil
}

// contactsOf returns the HCPs user knows; known is false when user is not
// a user of the graph (dev mode's "dev", a deleted user's token).
func contactsOf(snap *snapshot.Snapshot, user string) (contacts []snapshot.Contact, known bool) {
	if _, ok := snap.Users[user]; !ok {
		return nil, false
	}
	return snap.Contacts[user], true
}

// drop removes the given nodes from the sources.
func (ss *sourceSet) drop(vs ...int32) {
	for _, v := range vs {
		for i := 0; i < len(ss.nodes); i++ {
			if ss.nodes[i] == v {
				ss.nodes = slices.Delete(ss.nodes, i, i+1)
				if ss.costs != nil {
					ss.costs = slices.Delete(ss.costs, i, i+1)
				}
				i--
			}
		}
	}
}

func (ss *sourceSet) describe() string {
	switch {
	case ss.user != "":
		return fmt.Sprintf("the HCPs %s knows", ss.user)
	case len(ss.ids) == 1:
		return ss.ids[0]
	}
	return fmt.Sprintf("any of %s", strings.Join(ss.ids, ", "))
}

// noneLeft says why no source is left.
func (ss *sourceSet) noneLeft(to string) string {
	switch {
	case ss.user != "" && ss.given == 0:
		return fmt.Sprintf("user %s knows no HCP yet", ss.user)
	case ss.user != "":
		return fmt.Sprintf("the only HCPs %s knows are %s itself or avoided", ss.user, to)
	}
	return "every HCP of from is avoided"
}

func indexOf(snap *snapshot.Snapshot, id string) (int32, error) {
	v, ok := snap.Index(id)
	if !ok {
		return 0, kolgraph.Errorf(kolgraph.ENOTFOUND, "no HCP %q", id)
	}
	return v, nil
}

func indicesOf(snap *snapshot.Snapshot, ids []string) ([]int32, error) {
	out := make([]int32, 0, len(ids))
	for _, id := range ids {
		v, err := indexOf(snap, id)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
