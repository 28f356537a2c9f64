package snapshot

import (
	"slices"
	"time"

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
// s; when it adds or removes ties, through Variant (no store read, but the
// graph is rebuilt). It reports false when t names an HCP s does not have
// or is larger than Variant takes: then only Build gives the version.
func (s *Snapshot) Next(version uint64, t Ties) (*Snapshot, bool) {
	t0 := time.Now()
	reweight := map[int32]float64{}
	kinds := map[int32]*kolgraph.Influence{}
	for _, e := range t.Upserts {
		from, ok1 := s.Index(e.From)
		to, ok2 := s.Index(e.To)
		if !ok1 || !ok2 {
			return nil, false
		}
		id, ok := s.Graph.EdgeBetween(from, to)
		if !ok {
			return s.varied(version, t, t0)
		}
		if s.Graph.Weight(id) != e.Weight {
			reweight[id] = e.Weight
		}
		if kind, ev := s.Tie(id); kind != e.Kind || ev != e.Evidence {
			kinds[id] = e
		}
	}
	if len(t.Deletes) > 0 {
		return s.varied(version, t, t0)
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
		out.edgeKind, out.edgeEvidence = slices.Clone(s.edgeKind), slices.Clone(s.edgeEvidence)
		out.kinds, out.evidence = slices.Clip(s.kinds), slices.Clip(s.evidence)
		for id, e := range kinds {
			k := slices.Index(out.kinds, e.Kind)
			if k < 0 || k > 255 {
				return nil, false
			}
			ev := slices.Index(out.evidence, e.Evidence)
			if ev < 0 {
				out.evidence = append(out.evidence, e.Evidence) // clipped: a copy, s keeps its own
				ev = len(out.evidence) - 1
			}
			out.edgeKind[id], out.edgeEvidence[id] = uint8(k), int32(ev)
		}
	}
	return out.stamped(version, t0), true
}

// varied is Next through Variant, for changes of the graph's structure.
func (s *Snapshot) varied(version uint64, t Ties, t0 time.Time) (*Snapshot, bool) {
	c := Change{RemoveEdges: t.Deletes}
	for _, e := range t.Upserts {
		c.AddEdges = append(c.AddEdges, *e)
	}
	v, err := s.Variant(c)
	if err != nil {
		return nil, false
	}
	return v.stamped(version, t0), true
}

func (s *Snapshot) stamped(version uint64, t0 time.Time) *Snapshot {
	s.Version = version
	s.BuiltAt = time.Now()
	s.BuildTime = s.BuiltAt.Sub(t0)
	return s
}
