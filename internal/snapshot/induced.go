package snapshot

import (
	"slices"
	"time"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Induced returns the snapshot of the same version restricted to the
// hospitals of the given territories: their departments (with their
// indication shares), committees, listings and HCPs, the INFLUENCES edges between those HCPs only, the
// committee seats at their committees, and each user's contacts among
// them. Products and users are kept whole (a caller must find itself).
// Node indices are renumbered densely in id order, so every consumer of a
// Snapshot (rankings, paths, decision chains, the account matrix) runs on
// it unchanged and can neither pass through nor name an HCP outside it.
// Territories that s does not know are ignored.
//
// Complexity: O(n + m) for the n HCPs and m edges of s.
func (s *Snapshot) Induced(territories []string) *Snapshot {
	t0 := time.Now()
	in := make(map[string]bool, len(territories))
	for _, t := range territories {
		in[t] = true
	}
	out := &Snapshot{
		Version:      s.Version,
		BuiltAt:      s.BuiltAt,
		Hospitals:    map[string]*kolgraph.Hospital{},
		Departments:  map[string]*kolgraph.Department{},
		Committees:   map[string]*kolgraph.Committee{},
		Products:     s.Products,
		Users:        s.Users,
		Listings:     map[string][]kolgraph.Listing{},
		Shares:       map[kolgraph.ProductShareKey]float64{},
		Contacts:     map[string][]Contact{},
		kinds:        s.kinds,
		evidence:     s.evidence,
		byHospital:   map[string][]int32{},
		byDepartment: map[string][]int32{},
		byTerritory:  map[string][]int32{},
	}
	for id, h := range s.Hospitals {
		if h.TerritoryID != "" && in[h.TerritoryID] {
			out.Hospitals[id] = h
			if ls, ok := s.Listings[id]; ok {
				out.Listings[id] = ls
			}
		}
	}
	for id, d := range s.Departments {
		if out.Hospitals[d.HospitalID] != nil {
			out.Departments[id] = d
		}
	}
	for k, v := range s.Shares {
		if out.Departments[k.DepartmentID] != nil {
			out.Shares[k] = v
		}
	}
	for id, ss := range s.Sales {
		if _, ok := out.Departments[id]; ok {
			out.sale(id, ss)
		}
	}
	for id, c := range s.Committees {
		if out.Hospitals[c.HospitalID] != nil {
			out.Committees[id] = c
		}
	}
	for t := range in {
		if _, ok := s.byTerritory[t]; ok {
			out.byTerritory[t] = nil
		}
	}

	// Old index -> new index (-1 outside); s's indices are in id order, so
	// keeping the order keeps the new ones in id order too.
	local := make([]int32, len(s.IDs))
	var nodes []int32
	for i, h := range s.HCPs {
		local[i] = -1
		if out.Hospitals[h.HospitalID] == nil {
			continue
		}
		v := int32(len(nodes))
		local[i] = v
		nodes = append(nodes, int32(i))
		out.IDs = append(out.IDs, h.ID)
		out.HCPs = append(out.HCPs, h)
		var seats []Seat
		for _, st := range s.Seats[i] {
			if out.Committees[st.Committee.ID] != nil {
				seats = append(seats, st)
			}
		}
		out.Seats = append(out.Seats, seats)
		out.byHospital[h.HospitalID] = append(out.byHospital[h.HospitalID], v)
		out.byDepartment[h.DepartmentID] = append(out.byDepartment[h.DepartmentID], v)
		if ss, ok := s.Sales[h.ID]; ok {
			out.sale(h.ID, ss)
		}
		t := out.Hospitals[h.HospitalID].TerritoryID
		out.byTerritory[t] = append(out.byTerritory[t], v)
	}
	out.index = make(map[string]int32, len(out.IDs))
	for i, id := range out.IDs {
		out.index[id] = int32(i)
	}
	for u, cs := range s.Contacts {
		var kept []Contact
		for _, c := range cs {
			if v := local[c.Node]; v >= 0 {
				kept = append(kept, Contact{Node: v, Strength: c.Strength})
			}
		}
		if len(kept) > 0 {
			out.Contacts[u] = kept
		}
	}

	out.Graph, _ = analytics.Subgraph(s.Graph, nodes)
	// Subgraph numbers the kept edges in (source, target) order, as the
	// parent does; walk the parent the same way to carry each edge's tie.
	out.edgeTie = make([]uint32, 0, out.Graph.Edges())
	for _, v := range nodes {
		lo, hi := s.Graph.OutEdges(v)
		for e := lo; e < hi; e++ {
			if local[s.Graph.Target(e)] >= 0 {
				out.edgeTie = append(out.edgeTie, s.edgeTie[e])
			}
		}
	}
	if len(out.edgeTie) != out.Graph.Edges() {
		panic("snapshot: Induced: edge ties out of step with the subgraph")
	}
	out.indexSales()
	out.computeSizes()
	out.BuildTime = time.Since(t0)
	return out
}

// sale keeps an HCP's or department's sales in an induced snapshot.
func (s *Snapshot) sale(id string, ss []Sale) {
	if s.Sales == nil {
		s.Sales = map[string][]Sale{}
	}
	s.Sales[id] = ss
}

// Territories returns the ids of the territories the snapshot knows, sorted.
func (s *Snapshot) Territories() []string {
	ts := make([]string, 0, len(s.byTerritory))
	for t := range s.byTerritory {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	return ts
}
