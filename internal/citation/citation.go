// Package citation turns access paths into account-plan citations and
// tells how a citation fares on a later graph: its health.
//
// A citation (kolgraph.CitedPath) keeps the path whole as it was cited, so
// it reads back the same forever. Its health compares it with a snapshot:
//
//   - BROKEN when a part of it is gone: the citing user's KNOWS tie to the
//     source (hop 0), an HCP along it, or one of its INFLUENCES ties (hop i
//     joins node i-1 to node i, counted from 1). BrokenAt names the first
//     such hop and Reason says what is gone.
//   - else WEAKENED or STRENGTHENED when its strength now (the entry tie's
//     strength times the hop weights, read from the snapshot) differs from
//     the cited strength by more than Tolerance (relative), with the hops
//     whose weight changed;
//   - else UNCHANGED.
//
// A citation that is not UNCHANGED gets the strongest path of the current
// graph under the constraints it was found with (its PathQuery: the same
// target, sources or user, hop limit, avoided HCPs, via positions and
// minimum strength) as its Replacement, unless that is the cited path
// itself (then ReplacementNote says so, as it says why there is none).
package citation

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// Status is a citation's health on a graph.
type Status string

// The statuses.
const (
	Unchanged    Status = "UNCHANGED"
	Weakened     Status = "WEAKENED"
	Strengthened Status = "STRENGTHENED"
	Broken       Status = "BROKEN"
)

// Tolerance is the relative difference in strength below which a citation
// counts as unchanged (float noise, not a change of the graph).
const Tolerance = 1e-9

// Health is a citation's state on one snapshot.
type Health struct {
	Status       Status
	GraphVersion string
	// Strength is the path's strength now; 0 when it is broken.
	Strength float64
	// BrokenAt is the first hop that is gone (0 for the entry tie, i for
	// the tie from node i-1 to node i), -1 when nothing is.
	BrokenAt int
	// Reason says what is gone, for a broken citation, in English; Gone
	// says it as data (for documents in other languages).
	Reason string
	Gone   Gone
	// Changed are the hops whose weight changed, in path order.
	Changed []HopChange
	// Replacement is the strongest current path under the citation's
	// constraints, when the citation is not unchanged and that path is
	// another one; ReplacementNote says why there is none otherwise.
	Replacement     *access.Path
	ReplacementNote string
}

// Gone is what broke a citation: an HCP who left (HCP), a tie removed
// (From, To), or the citing user's tie to the source (Entry; User when
// the user was deleted).
type Gone struct {
	HCP, From, To string
	Entry, User   bool
	// Outside is set when HCP is still in the graph but outside the
	// caller's territories (Checker.Whole): for that caller the path is
	// broken, though nobody left.
	Outside bool
}

// HopChange is a hop of a cited path whose weight changed (Hop 0: the
// entry tie's strength).
type HopChange struct {
	Hop         int
	Then, Now   float64
	From, To    string
	Description string
}

// Cite is p as an account plan cites it: everything the path shows,
// whole, with the search it came from and why the plan cites it.
func Cite(p *access.Path, note string) kolgraph.CitedPath {
	c := kolgraph.CitedPath{PathID: p.ID, GraphVersion: p.GraphVersion, ComputedAt: p.ComputedAt,
		User: p.User, Entry: p.Entry, Strength: p.Strength, Note: note,
		Nodes: make([]kolgraph.CitedNode, len(p.Nodes)), Hops: make([]kolgraph.CitedHop, len(p.Hops))}
	for i, n := range p.Nodes {
		c.Nodes[i] = kolgraph.CitedNode{ID: n.ID, Name: n.Name}
	}
	for i, h := range p.Hops {
		c.Hops[i] = kolgraph.CitedHop{From: h.From.ID, To: h.To.ID, Kind: h.Kind, Weight: h.Weight, Evidence: h.Evidence}
	}
	if len(c.Hops) == 0 {
		c.Hops = nil
	}
	if q := p.Query; q != nil {
		c.Query = &kolgraph.PathQuery{From: slices.Clone(q.From), To: q.To, User: p.User, MaxHops: q.MaxHops,
			Avoid: slices.Clone(q.Avoid), MinStrength: q.MinStrength}
		for _, v := range q.Via {
			c.Query.Via = append(c.Query.Via, string(v))
		}
	}
	return c
}

// Checker computes citations' health with an access service's searches.
type Checker struct {
	paths *access.Service
	// Whole is the whole graph when the snapshots checked on are a
	// territory-scoped caller's view: an HCP missing from the view but in
	// Whole is outside the caller's territories, not gone (Gone.Outside).
	// nil: the snapshots checked on are the whole graph.
	Whole *snapshot.Snapshot
}

// NewChecker returns a checker whose replacements paths finds.
func NewChecker(paths *access.Service) *Checker { return &Checker{paths: paths} }

// Check returns c's health on snap. With issue, a replacement is kept for
// Path (citable, as strongestPaths' are); without, it is not (a snapshot
// that was never written, such as a what-if's). Only ctx's error fails it:
// a replacement that cannot be searched for has a note instead.
func (ck *Checker) Check(ctx context.Context, snap *snapshot.Snapshot, c *kolgraph.CitedPath, issue bool) (*Health, error) {
	h := &Health{GraphVersion: snap.GraphVersion(), BrokenAt: -1}
	h.measure(snap, ck.Whole, c)
	switch {
	case h.BrokenAt >= 0:
		h.Status = Broken
	case math.Abs(h.Strength-c.Strength) <= Tolerance*c.Strength:
		h.Status = Unchanged
		return h, nil
	case h.Strength < c.Strength:
		h.Status = Weakened
	default:
		h.Status = Strengthened
	}
	return h, ck.replace(ctx, snap, c, h, issue)
}

// measure walks c on snap: the entry tie, then every hop, recording the
// first part that is gone, the weights that changed and the strength now.
func (h *Health) measure(snap, whole *snapshot.Snapshot, c *kolgraph.CitedPath) {
	if len(c.Nodes) == 0 {
		h.BrokenAt, h.Reason = 0, "the citation has no HCPs"
		return
	}
	name := func(i int) string { return fmt.Sprintf("%s (%s)", c.Nodes[i].Name, c.Nodes[i].ID) }
	// missing says why node i is not in snap, and records it in h.Gone.
	missing := func(i int) string {
		h.Gone.HCP = c.Nodes[i].ID
		if whole != nil {
			if _, ok := whole.Index(c.Nodes[i].ID); ok {
				h.Gone.Outside = true
				return name(i) + " is outside your territories"
			}
		}
		return name(i) + " left the graph"
	}
	idx := make([]int32, len(c.Nodes))
	for i, n := range c.Nodes {
		v, ok := snap.Index(n.ID)
		if !ok {
			idx[i] = -1
			continue
		}
		idx[i] = v
	}
	strength := 1.0
	if c.User != "" {
		entry, why := entryNow(snap, c.User, idx[0])
		if why != "" {
			h.BrokenAt, h.Reason = 0, fmt.Sprintf("the entry tie is gone: %s %s", why, name(0))
			h.Gone = Gone{Entry: true, User: snap.Users[c.User] == nil, From: c.User, To: c.Nodes[0].ID}
			if idx[0] < 0 {
				h.Reason = "the entry tie is gone: " + missing(0)
			}
			return
		}
		if math.Abs(entry-c.Entry) > Tolerance*c.Entry {
			h.Changed = append(h.Changed, HopChange{Hop: 0, Then: c.Entry, Now: entry, To: c.Nodes[0].ID,
				Description: fmt.Sprintf("%s's tie to %s", c.User, name(0))})
		}
		strength = entry
	}
	for i, hop := range c.Hops {
		from, to := i, i+1
		switch {
		case to >= len(idx):
			h.BrokenAt, h.Reason = i+1, "the citation's hops do not match its HCPs"
			return
		case idx[from] < 0:
			h.BrokenAt, h.Reason = i+1, missing(from)
			return
		case idx[to] < 0:
			h.BrokenAt, h.Reason = i+1, missing(to)
			return
		}
		e, ok := snap.Graph.EdgeBetween(idx[from], idx[to])
		if !ok {
			h.BrokenAt, h.Reason = i+1, fmt.Sprintf("the tie %s → %s was removed", name(from), name(to))
			h.Gone = Gone{From: hop.From, To: hop.To}
			return
		}
		w := snap.Graph.Weight(e)
		if math.Abs(w-hop.Weight) > Tolerance*hop.Weight {
			h.Changed = append(h.Changed, HopChange{Hop: i + 1, Then: hop.Weight, Now: w, From: hop.From, To: hop.To,
				Description: fmt.Sprintf("%s → %s", name(from), name(to))})
		}
		strength *= w
	}
	h.Strength = strength
}

// entryNow is user's tie strength to node v of snap, or why there is none.
func entryNow(snap *snapshot.Snapshot, user string, v int32) (float64, string) {
	if _, ok := snap.Users[user]; !ok {
		return 0, "user " + user + " was deleted, so no longer knows"
	}
	for _, ct := range snap.Contacts[user] {
		if ct.Node == v {
			return ct.Strength, ""
		}
	}
	return 0, user + " no longer knows"
}

// replace searches for c's replacement under its constraints.
func (ck *Checker) replace(ctx context.Context, snap *snapshot.Snapshot, c *kolgraph.CitedPath, h *Health, issue bool) error {
	pq := c.Query
	if pq == nil {
		h.ReplacementNote = "the citation does not record the search it came from"
		return nil
	}
	if _, ok := snap.Index(pq.To); !ok {
		h.ReplacementNote = fmt.Sprintf("the target %s left the graph", pq.To)
		return nil
	}
	q := access.Query{To: pq.To, K: 1, MaxHops: pq.MaxHops, MinStrength: pq.MinStrength}
	if q.MaxHops == 0 {
		q.MaxHops = access.DefaultMaxHops
	}
	present := func(ids []string) []string {
		return slices.DeleteFunc(slices.Clone(ids), func(id string) bool { _, ok := snap.Index(id); return !ok })
	}
	// HCPs that left can neither start nor be avoided on a path.
	q.From, q.Avoid = present(pq.From), present(pq.Avoid)
	if len(pq.From) > 0 && len(q.From) == 0 {
		h.ReplacementNote = "every HCP the search started from left the graph"
		return nil
	}
	for _, v := range pq.Via {
		q.Via = append(q.Via, access.Position(v))
	}
	user := ""
	if len(q.From) == 0 {
		user = pq.User
	}
	res, err := ck.paths.SearchOn(ctx, snap, q, user, issue)
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case err != nil:
		var ke *kolgraph.Error
		if !errors.As(err, &ke) {
			return err
		}
		h.ReplacementNote = "no replacement: " + ke.Message
		return nil
	case len(res.Paths) == 0:
		h.ReplacementNote = "no replacement: " + res.Reason
		return nil
	}
	p := res.Paths[0]
	if sameNodes(p, c) {
		h.ReplacementNote = "the cited path is still the strongest under its constraints"
		return nil
	}
	h.Replacement = p
	return nil
}

func sameNodes(p *access.Path, c *kolgraph.CitedPath) bool {
	if len(p.Nodes) != len(c.Nodes) || p.User != c.User {
		return false
	}
	for i, n := range p.Nodes {
		if n.ID != c.Nodes[i].ID {
			return false
		}
	}
	return true
}
