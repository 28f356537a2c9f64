package snapshot

import (
	"slices"
	"time"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Ties is a write's change of INFLUENCES ties alone: upserted ties (whole,
// as stored) and deleted ones.
type Ties struct {
	Upserts []*kolgraph.Influence
	Deletes []kolgraph.EdgeKey
}

// TiesOf returns cs's change when it upserts or deletes INFLUENCES ties
// and nothing else (account plans aside: they are not part of the graph),
// and false otherwise.
func TiesOf(cs *kolgraph.ChangeSet) (Ties, bool) {
	// Plans and field execution (interactions, owners, activities) are
	// not in a snapshot: a change of them alone shares the graph.
	n := len(cs.Influences) + len(cs.Delete.Influences) + len(cs.AccountPlans) + len(cs.Delete.AccountPlans) +
		len(cs.Interactions) + len(cs.Delete.Interactions) + len(cs.Owners) + len(cs.Delete.Owners) +
		len(cs.Activities) + len(cs.Delete.Activities)
	if n != cs.Len() {
		return Ties{}, false
	}
	return Ties{Upserts: slices.DeleteFunc(slices.Clone(cs.Influences), func(e *kolgraph.Influence) bool { return e == nil }),
		Deletes: slices.Clone(cs.Delete.Influences)}, true
}

// Next returns the snapshot of version built from s and t, the change
// that made version from s.Version, without reading the store: when t
// only changes the weight, kind or evidence of ties s has, in O(m) copies
// of the weight arrays and the changed ties' texts, sharing the rest with
// s; when it adds or removes ties, by an edit of the graph's arrays
// (analytics.Graph.Edited, O(n + m) copies), sharing every node-side
// table with s. It reports false when t names an HCP s does not have, or
// deletes a tie s does not have: then only Build gives the version.
func (s *Snapshot) Next(version uint64, t Ties) (*Snapshot, bool) {
	t0 := time.Now()
	reweight := map[int32]float64{}
	kinds := map[int32]*kolgraph.Influence{}
	for _, e := range t.Upserts {
		from, to, ok := s.pair(e.Key())
		if !ok {
			return nil, false
		}
		id, ok := s.Graph.EdgeBetween(from, to)
		if !ok {
			return s.edited(version, t, t0)
		}
		if s.Graph.Weight(id) != e.Weight {
			reweight[id] = e.Weight
		}
		if kind, ev := s.Tie(id); kind != e.Kind || ev != e.Evidence {
			kinds[id] = e
		}
	}
	if len(t.Deletes) > 0 {
		return s.edited(version, t, t0)
	}
	out := *s
	if len(reweight) > 0 { // else the graph is s's: no tie's weight changed
		g, err := s.Graph.Reweighted(reweight)
		if err != nil {
			return nil, false
		}
		out.Graph = g
	}
	if len(kinds) > 0 {
		out.edgeTie = slices.Clone(s.edgeTie)
		out.kinds, out.evidence = slices.Clip(s.kinds), slices.Clip(s.evidence)
		for id, e := range kinds {
			k := slices.Index(out.kinds, e.Kind)
			if k < 0 || k >= maxKinds {
				return nil, false
			}
			ev := slices.Index(out.evidence, e.Evidence)
			if ev < 0 {
				if len(out.evidence) >= maxEvidence {
					return nil, false
				}
				out.evidence = append(out.evidence, e.Evidence) // clipped: a copy, s keeps its own
				ev = len(out.evidence) - 1
			}
			out.edgeTie[id] = packTie(uint8(k), int32(ev))
		}
	}
	return out.stamped(version, t0), true
}

// edited is Next for a change of the graph's structure (ties added or
// deleted): the deleted ties and the old versions of the upserted ones go,
// the upserted ones come in with their kinds and texts, and the per-edge
// tables follow the edge ids. Nodes are unchanged, so the ids, records,
// seats, contacts and scope lists are s's: a new tie on a national
// region's graph is a copy of its arrays (about a tenth of a second for
// 10.5M ties), where a Variant renumbers every node (seconds).
func (s *Snapshot) edited(version uint64, t Ties, t0 time.Time) (*Snapshot, bool) {
	var remove []int32
	for _, k := range t.Deletes {
		from, to, ok := s.pair(k)
		if !ok {
			return nil, false
		}
		e, ok := s.Graph.EdgeBetween(from, to)
		if !ok {
			return nil, false
		}
		remove = append(remove, e)
	}
	type tie struct {
		kind     uint8
		evidence int32
	}
	texts := newTieTexts(s)
	ties := make(map[[2]int32]tie, len(t.Upserts))
	add := make([]analytics.Edge, 0, len(t.Upserts))
	for _, e := range t.Upserts {
		from, to, ok := s.pair(e.Key())
		if !ok {
			return nil, false
		}
		if old, ok := s.Graph.EdgeBetween(from, to); ok {
			remove = append(remove, old) // replaced
		}
		kind, ev, ok := texts.tie(e.Kind, e.Evidence)
		if !ok {
			return nil, false
		}
		ties[[2]int32{from, to}] = tie{kind, ev}
		add = append(add, analytics.Edge{From: from, To: to, Weight: e.Weight})
	}
	g, was, err := s.Graph.Edited(remove, add)
	if err != nil {
		return nil, false
	}
	out := *s
	out.Graph, out.kinds, out.evidence = g, texts.kinds, texts.evidence
	out.edgeTie = make([]uint32, len(was))
	for e, old := range was {
		if old >= 0 {
			out.edgeTie[e] = s.edgeTie[old]
			continue
		}
		tt := ties[[2]int32{g.Source(int32(e)), g.Target(int32(e))}]
		out.edgeTie[e] = packTie(tt.kind, tt.evidence)
	}
	return out.stamped(version, t0), true
}

// pair returns the node indices of a tie's ends; false when s lacks one.
func (s *Snapshot) pair(k kolgraph.EdgeKey) (from, to int32, ok bool) {
	from, ok1 := s.Index(k.From)
	to, ok2 := s.Index(k.To)
	return from, to, ok1 && ok2
}

// tieTexts are a snapshot's tables of relationship kinds and evidence
// texts as a change adds to them: copies (s's tables are shared), a new
// kind appended (maxKinds at most: see packTie), a new text appended
// once, without looking for it among s's (that would take a map
// of every text of s); "" is text 0.
type tieTexts struct {
	kinds, evidence []string
	added           map[string]int32
}

func newTieTexts(s *Snapshot) *tieTexts {
	return &tieTexts{kinds: s.kinds, evidence: s.evidence, added: map[string]int32{}}
}

// tie returns the indices of kind and evidence, adding them if new; false
// when more than maxKinds kinds or maxEvidence texts would be needed.
func (t *tieTexts) tie(kind, evidence string) (uint8, int32, bool) {
	k := slices.Index(t.kinds, kind)
	if k < 0 {
		if len(t.kinds) >= maxKinds {
			return 0, 0, false
		}
		t.kinds = append(slices.Clip(t.kinds), kind)
		k = len(t.kinds) - 1
	}
	ev, ok := t.added[evidence]
	if !ok && evidence != "" {
		if len(t.evidence) >= maxEvidence {
			return 0, 0, false
		}
		t.evidence = append(slices.Clip(t.evidence), evidence)
		ev = int32(len(t.evidence) - 1)
		t.added[evidence] = ev
	}
	return uint8(k), ev, true
}

func (s *Snapshot) stamped(version uint64, t0 time.Time) *Snapshot {
	s.Version = version
	s.BuiltAt = time.Now()
	s.BuildTime = s.BuiltAt.Sub(t0)
	return s
}
