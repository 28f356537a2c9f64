package snapshot

import (
	"fmt"
	"time"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Change is a hypothetical edit of a snapshot's graph (a what-if): HCPs
// that leave, with everything that is theirs, and INFLUENCES edges removed,
// added or replaced.
type Change struct {
	// RemoveHCPs are HCP ids; repeats count once.
	RemoveHCPs []string
	// RemoveEdges are existing edges; repeats count once.
	RemoveEdges []kolgraph.EdgeKey
	// AddEdges are new edges, or replacements of existing ones (weight,
	// kind and evidence), checked as an imported edge is
	// (kolgraph.Influence.Validate); UpdatedAt is not read.
	AddEdges []kolgraph.Influence
}

// MaxChanges bounds each list of a Change.
const MaxChanges = 200

// Variant returns the snapshot equal to s but for c: the removed HCPs are
// gone with their INFLUENCES edges (both ways), committee seats, users'
// KNOWS ties and places in the scope lists; the removed edges are gone,
// and the added ones are in (replacing an edge of the same ordered pair).
// Node indices are renumbered densely in id order, as in Induced, so every
// consumer of a Snapshot runs on the variant unchanged. s is never
// modified; the variant shares its records and every map the change does
// not touch (hospitals, departments, committees, products, users,
// listings, shares). Version stays s.Version: a variant is not a version
// of the graph, and nothing that caches by version may be handed one.
//
// Unknown HCP ids and removed edges that do not exist are NOT_FOUND; a list
// longer than MaxChanges, an empty or malformed id, an invalid added edge
// (weight outside (0,1], a self loop, an unknown kind), an added edge at a
// removed HCP, and an edge both removed and added are BAD_USER_INPUT.
//
// Complexity: O(n + m log d) for n HCPs, m edges and out-degree d, as
// Build's graph (the kept edges come in row order, so the rows' sorts are
// linear but where an edge is added).
func (s *Snapshot) Variant(c Change) (*Snapshot, error) {
	t0 := time.Now()
	for _, l := range []struct {
		name string
		n    int
	}{{"removeHcps", len(c.RemoveHCPs)}, {"removeEdges", len(c.RemoveEdges)}, {"addEdges", len(c.AddEdges)}} {
		if l.n > MaxChanges {
			return nil, kolgraph.Errorf(kolgraph.EINVALID, "%s lists %d changes, at most %d", l.name, l.n, MaxChanges)
		}
	}
	node := func(field, id string) (int32, error) {
		if !kolgraph.ValidID(id) {
			return 0, kolgraph.Errorf(kolgraph.EINVALID, "%s: %q is not an HCP id", field, id)
		}
		v, ok := s.index[id]
		if !ok {
			return 0, kolgraph.Errorf(kolgraph.ENOTFOUND, "%s: no HCP %q", field, id)
		}
		return v, nil
	}
	removed := make([]bool, len(s.IDs))
	for i, id := range c.RemoveHCPs {
		v, err := node(fmt.Sprintf("removeHcps[%d]", i), id)
		if err != nil {
			return nil, err
		}
		removed[v] = true
	}
	drop := make(map[int32]bool, len(c.RemoveEdges)+len(c.AddEdges)) // edge ids of s
	for i, k := range c.RemoveEdges {
		field := fmt.Sprintf("removeEdges[%d]", i)
		from, err := node(field+".from", k.From)
		if err != nil {
			return nil, err
		}
		to, err := node(field+".to", k.To)
		if err != nil {
			return nil, err
		}
		e, ok := s.Graph.EdgeBetween(from, to)
		if !ok {
			return nil, kolgraph.Errorf(kolgraph.ENOTFOUND, "%s: no INFLUENCES edge %s->%s", field, k.From, k.To)
		}
		drop[e] = true
	}
	type added struct {
		from, to int32 // indices of s
		w        float64
		kind     uint8
		evidence int32
	}
	adds := make([]added, 0, len(c.AddEdges))
	seen := make(map[kolgraph.EdgeKey]bool, len(c.AddEdges))
	texts := newTieTexts(s)
	for i, e := range c.AddEdges {
		field := fmt.Sprintf("addEdges[%d]", i)
		e.UpdatedAt = time.Time{}
		if ps := e.Validate(); len(ps) > 0 {
			for j := range ps {
				ps[j].Field = field + "." + ps[j].Field
			}
			return nil, kolgraph.Invalid(ps)
		}
		from, err := node(field+".from", e.From)
		if err != nil {
			return nil, err
		}
		to, err := node(field+".to", e.To)
		if err != nil {
			return nil, err
		}
		switch k := e.Key(); {
		case removed[from] || removed[to]:
			return nil, kolgraph.Errorf(kolgraph.EINVALID, "%s: %s->%s ties an HCP the change removes", field, e.From, e.To)
		case seen[k]:
			return nil, kolgraph.Errorf(kolgraph.EINVALID, "%s: a second %s->%s edge", field, e.From, e.To)
		default:
			seen[k] = true
		}
		if old, ok := s.Graph.EdgeBetween(from, to); ok {
			if drop[old] {
				return nil, kolgraph.Errorf(kolgraph.EINVALID, "%s: %s->%s is removed and added", field, e.From, e.To)
			}
			drop[old] = true // replaced
		}
		a := added{from: from, to: to, w: e.Weight}
		var ok bool
		if a.kind, a.evidence, ok = texts.tie(e.Kind, e.Evidence); !ok {
			return nil, kolgraph.Errorf(kolgraph.EINVALID, "%s: more than %d relationship kinds or %d evidence texts", field, maxKinds, maxEvidence)
		}
		adds = append(adds, a)
	}

	out := &Snapshot{
		Version:      s.Version,
		BuiltAt:      s.BuiltAt,
		Hospitals:    s.Hospitals,
		Departments:  s.Departments,
		Committees:   s.Committees,
		Products:     s.Products,
		Users:        s.Users,
		Listings:     s.Listings,
		Shares:       s.Shares,
		Sales:        s.Sales,
		salesLatest:  s.salesLatest,
		Contacts:     make(map[string][]Contact, len(s.Contacts)),
		kinds:        texts.kinds,
		evidence:     texts.evidence,
		byHospital:   make(map[string][]int32, len(s.byHospital)),
		byDepartment: make(map[string][]int32, len(s.byDepartment)),
		byTerritory:  make(map[string][]int32, len(s.byTerritory)),
	}
	for t := range s.byTerritory {
		out.byTerritory[t] = nil // a territory whose HCPs all leave is empty, not unknown
	}
	// Old index -> new index (-1 removed); keeping s's order keeps id order.
	local := make([]int32, len(s.IDs))
	n := len(s.IDs)
	for _, r := range removed {
		if r {
			n--
		}
	}
	out.IDs = make([]string, 0, n)
	out.HCPs = make([]*kolgraph.HCP, 0, n)
	out.Seats = make([][]Seat, 0, n)
	out.index = make(map[string]int32, n)
	for i, h := range s.HCPs {
		if removed[i] {
			local[i] = -1
			continue
		}
		v := int32(len(out.IDs))
		local[i] = v
		out.IDs = append(out.IDs, h.ID)
		out.HCPs = append(out.HCPs, h)
		out.Seats = append(out.Seats, s.Seats[i])
		out.index[h.ID] = v
		out.byHospital[h.HospitalID] = append(out.byHospital[h.HospitalID], v)
		out.byDepartment[h.DepartmentID] = append(out.byDepartment[h.DepartmentID], v)
		if hosp := s.Hospitals[h.HospitalID]; hosp != nil && hosp.TerritoryID != "" {
			out.byTerritory[hosp.TerritoryID] = append(out.byTerritory[hosp.TerritoryID], v)
		}
	}
	for u, cs := range s.Contacts {
		kept := make([]Contact, 0, len(cs))
		for _, ct := range cs {
			if v := local[ct.Node]; v >= 0 {
				kept = append(kept, Contact{Node: v, Strength: ct.Strength})
			}
		}
		if len(kept) > 0 {
			out.Contacts[u] = kept
		}
	}

	edges := make([]analytics.Edge, 0, s.Graph.Edges()+len(adds))
	tieKind := make([]uint8, 0, cap(edges))
	tieEvidence := make([]int32, 0, cap(edges))
	for u := range int32(len(s.IDs)) {
		if removed[u] {
			continue
		}
		lo, hi := s.Graph.OutEdges(u)
		for e := lo; e < hi; e++ {
			if t := local[s.Graph.Target(e)]; t >= 0 && !drop[e] {
				edges = append(edges, analytics.Edge{From: local[u], To: t, Weight: s.Graph.Weight(e)})
				k, ev := s.tieOf(e)
				tieKind, tieEvidence = append(tieKind, k), append(tieEvidence, ev)
			}
		}
	}
	for _, a := range adds {
		edges = append(edges, analytics.Edge{From: local[a.from], To: local[a.to], Weight: a.w})
		tieKind, tieEvidence = append(tieKind, a.kind), append(tieEvidence, a.evidence)
	}
	g, err := analytics.NewGraph(len(out.IDs), edges)
	if err != nil { // every edge was checked above
		panic("snapshot: Variant: " + err.Error())
	}
	out.install(g, edges, tieKind, tieEvidence)
	out.BuildTime = time.Since(t0)
	return out, nil
}
