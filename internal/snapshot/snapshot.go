// Package snapshot holds the in-memory form of the influence graph that the
// analytics run on: dense node indices for HCPs, the weighted graph in compact
// adjacency arrays, and the node sets of every scope (hospital, department,
// territory). A Snapshot is immutable once built; the Manager rebuilds it when
// the store's version changes and swaps it in atomically, so readers never
// wait for a rebuild and always see one consistent version.
package snapshot

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Snapshot is one consistent version of the graph.
type Snapshot struct {
	// Version is the store version the snapshot was built from.
	Version uint64
	BuiltAt time.Time
	// BuildTime is how long Build took.
	BuildTime time.Duration

	// IDs maps a node index to its HCP id; HCPs to its record. Indices are
	// assigned in ascending id order, so they are stable for a given graph.
	IDs   []string
	HCPs  []*kolgraph.HCP
	index map[string]int32

	// Graph is the INFLUENCES graph over all HCPs.
	Graph *analytics.Graph

	// Seats lists each node's committee seats, in committee id order.
	Seats [][]Seat

	Hospitals   map[string]*kolgraph.Hospital
	Departments map[string]*kolgraph.Department
	Committees  map[string]*kolgraph.Committee
	Products    map[string]*kolgraph.Product
	Users       map[string]*kolgraph.User

	// Listings maps a hospital id to its product listings, sorted by
	// product id.
	Listings map[string][]kolgraph.Listing
	// Shares are the per-product indication shares of departments, which
	// replace a department's default share in the product's potential.
	Shares map[kolgraph.ProductShareKey]float64
	// Contacts maps a user id to the HCPs the user KNOWS, sorted by node
	// index: the entry points of access paths, of this version.
	Contacts map[string][]Contact
	// Sales are the prescription facts by HCP or department id, each
	// sorted by product then month: the actual prescriptions that tiering
	// sets against potential. Nil when the store holds none.
	Sales map[string][]Sale
	// salesLatest is each product's latest month in Sales, "" any
	// product's (indexSales).
	salesLatest map[string]int32

	// The relationship kind and evidence of each INFLUENCES edge, by
	// analytics edge id, as indices into kinds and evidence packed in one
	// word (packTie; see Tie): what a cited path shows for a hop. 4 bytes
	// per edge plus distinct texts, so that with the graph's 28 a tie
	// takes 32.
	edgeTie  []uint32
	kinds    []string
	evidence []string

	byHospital   map[string][]int32
	byDepartment map[string][]int32
	byTerritory  map[string][]int32

	// sizes and deptsOf (departments per hospital id) size API lists.
	sizes   ListSizes
	deptsOf map[string]int
}

// Sale is one month of a product's prescriptions by an HCP or a
// department (kolgraph.PrescriptionFact, 32 bytes instead of 88).
type Sale struct {
	ProductID string
	Month     int32 // kolgraph.MonthNumber
	Volume    float64
}

// LatestSale is the latest month (kolgraph.MonthNumber) with a sale of
// product ("": any product) in the snapshot; false when it has none.
func (s *Snapshot) LatestSale(product string) (int32, bool) {
	m, ok := s.salesLatest[product]
	return m, ok
}

// indexSales sets each product's latest month from Sales, once per
// snapshot rather than once per question.
func (s *Snapshot) indexSales() {
	s.salesLatest = nil
	for _, ss := range s.Sales {
		for _, x := range ss {
			if s.salesLatest == nil {
				s.salesLatest = map[string]int32{}
			}
			for _, p := range []string{x.ProductID, ""} {
				if m, ok := s.salesLatest[p]; !ok || x.Month > m {
					s.salesLatest[p] = x.Month
				}
			}
		}
	}
}

// Seat is a committee seat of an HCP.
type Seat struct {
	Committee *kolgraph.Committee
	Role      string
}

// Contact is a user's KNOWS tie to the HCP of node index Node.
type Contact struct {
	Node     int32
	Strength float64
}

// Tie returns the relationship kind and evidence of INFLUENCES edge e (an
// analytics edge id of Graph). Evidence is "" when the data gives none.
func (s *Snapshot) Tie(e int32) (kind, evidence string) {
	k, ev := s.tieOf(e)
	return s.kinds[k], s.evidence[ev]
}

// A tie's kind index takes the low kindBits bits of its word and its
// evidence index the rest: at most maxKinds kinds (there are 6) and
// maxEvidence distinct evidence texts.
const (
	kindBits    = 4
	maxKinds    = 1 << kindBits
	maxEvidence = 1 << (32 - kindBits)
)

// packTie is the word of a tie of kind index k and evidence index ev,
// which must be below maxKinds and maxEvidence.
func packTie(k uint8, ev int32) uint32 { return uint32(ev)<<kindBits | uint32(k) }

// tieOf returns the kind and evidence indices of edge e.
func (s *Snapshot) tieOf(e int32) (uint8, int32) {
	t := s.edgeTie[e]
	return uint8(t & (maxKinds - 1)), int32(t >> kindBits)
}

// GraphVersion is the version string results cite.
func (s *Snapshot) GraphVersion() string { return "v" + strconv.FormatUint(s.Version, 10) }

// Index returns the node index of an HCP id.
func (s *Snapshot) Index(id string) (int32, bool) {
	i, ok := s.index[id]
	return i, ok
}

// Scope names a subgraph: one hospital, department or territory; all empty
// means the whole graph. At most one may be set.
type Scope struct {
	Hospital, Department, Territory string
}

// Key is a canonical string for caching.
func (sc Scope) Key() string {
	switch {
	case sc.Hospital != "":
		return "hospital:" + sc.Hospital
	case sc.Department != "":
		return "department:" + sc.Department
	case sc.Territory != "":
		return "territory:" + sc.Territory
	}
	return "all"
}

// Nodes returns the sorted node indices of the scope's HCPs. Unknown scope ids
// are NOT_FOUND; more than one scope field is BAD_USER_INPUT.
func (s *Snapshot) Nodes(sc Scope) ([]int32, error) {
	set := 0
	for _, v := range []string{sc.Hospital, sc.Department, sc.Territory} {
		if v != "" {
			set++
		}
	}
	if set > 1 {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "a scope names one of hospital, department or territory, not several")
	}
	switch {
	case sc.Hospital != "":
		if _, ok := s.Hospitals[sc.Hospital]; !ok {
			return nil, kolgraph.Errorf(kolgraph.ENOTFOUND, "no hospital %q", sc.Hospital)
		}
		return s.byHospital[sc.Hospital], nil
	case sc.Department != "":
		if _, ok := s.Departments[sc.Department]; !ok {
			return nil, kolgraph.Errorf(kolgraph.ENOTFOUND, "no department %q", sc.Department)
		}
		return s.byDepartment[sc.Department], nil
	case sc.Territory != "":
		nodes, ok := s.byTerritory[sc.Territory]
		if !ok {
			return nil, kolgraph.Errorf(kolgraph.ENOTFOUND, "no territory %q", sc.Territory)
		}
		return nodes, nil
	}
	all := make([]int32, len(s.IDs))
	for i := range all {
		all[i] = int32(i)
	}
	return all, nil
}

// Store is what a snapshot is built from: the store's version and one scan
// of its records (kolgraph.Store has them).
type Store interface {
	Version(ctx context.Context) (uint64, error)
	Scan(ctx context.Context, v kolgraph.Visitor) error
}

var _ Store = kolgraph.Store(nil)

// Build reads the store once and builds a snapshot of version v. The store is
// read with Scan (streamed); the version is read first, so a write that lands
// during the scan makes the next rebuild, never a lost update.
func Build(ctx context.Context, st Store) (*Snapshot, error) {
	t0 := time.Now()
	v, err := st.Version(ctx)
	if err != nil {
		return nil, fmt.Errorf("snapshot: read version: %w", err)
	}
	s := &Snapshot{
		Version:      v,
		Hospitals:    map[string]*kolgraph.Hospital{},
		Departments:  map[string]*kolgraph.Department{},
		Committees:   map[string]*kolgraph.Committee{},
		Products:     map[string]*kolgraph.Product{},
		Users:        map[string]*kolgraph.User{},
		Listings:     map[string][]kolgraph.Listing{},
		Shares:       map[kolgraph.ProductShareKey]float64{},
		Contacts:     map[string][]Contact{},
		byHospital:   map[string][]int32{},
		byDepartment: map[string][]int32{},
		byTerritory:  map[string][]int32{},
	}
	var memberships []kolgraph.Membership
	var territories []string
	var knows []kolgraph.Knows
	products := interner{}
	err = st.Scan(ctx, kolgraph.Visitor{
		Hospital:   func(h *kolgraph.Hospital) error { s.Hospitals[h.ID] = h; return nil },
		Department: func(d *kolgraph.Department) error { s.Departments[d.ID] = d; return nil },
		Committee:  func(c *kolgraph.Committee) error { s.Committees[c.ID] = c; return nil },
		Territory:  func(t *kolgraph.Territory) error { territories = append(territories, t.ID); return nil },
		HCP:        func(h *kolgraph.HCP) error { s.HCPs = append(s.HCPs, h); return nil },
		Membership: func(m kolgraph.Membership) error { memberships = append(memberships, m); return nil },
		Product:    func(p *kolgraph.Product) error { s.Products[p.ID] = p; return nil },
		User:       func(u *kolgraph.User) error { s.Users[u.ID] = u; return nil },
		Listing: func(l kolgraph.Listing) error {
			s.Listings[l.HospitalID] = append(s.Listings[l.HospitalID], l)
			return nil
		},
		ProductShare: func(r kolgraph.ProductShare) error {
			s.Shares[kolgraph.ProductShareKind.Key(r)] = r.Share
			return nil
		},
		Knows: func(k kolgraph.Knows) error { knows = append(knows, k); return nil },
		PrescriptionFact: func(f kolgraph.PrescriptionFact) error {
			m, ok := kolgraph.MonthNumber(f.Month)
			if !ok {
				return fmt.Errorf("prescription fact %s: month %q", f.Key().ID(), f.Month)
			}
			if s.Sales == nil {
				s.Sales = map[string][]Sale{}
			}
			p := products.intern(f.ProductID)
			id := f.Key().EntityID()
			s.Sales[id] = append(s.Sales[id], Sale{ProductID: p, Month: int32(m), Volume: f.Volume})
			return nil
		},
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot: scan entities: %w", err)
	}
	for _, ss := range s.Sales {
		slices.SortFunc(ss, func(a, b Sale) int {
			return cmp.Or(cmp.Compare(a.ProductID, b.ProductID), cmp.Compare(a.Month, b.Month))
		})
	}
	s.indexSales()
	slices.SortFunc(s.HCPs, func(a, b *kolgraph.HCP) int { return cmp.Compare(a.ID, b.ID) })
	n := len(s.HCPs)
	s.IDs = make([]string, n)
	s.index = make(map[string]int32, n)
	s.Seats = make([][]Seat, n)
	for i, h := range s.HCPs {
		s.IDs[i] = h.ID
		s.index[h.ID] = int32(i)
		s.byHospital[h.HospitalID] = append(s.byHospital[h.HospitalID], int32(i))
		s.byDepartment[h.DepartmentID] = append(s.byDepartment[h.DepartmentID], int32(i))
		if hosp := s.Hospitals[h.HospitalID]; hosp != nil && hosp.TerritoryID != "" {
			s.byTerritory[hosp.TerritoryID] = append(s.byTerritory[hosp.TerritoryID], int32(i))
		}
	}
	for _, t := range territories {
		if _, ok := s.byTerritory[t]; !ok {
			s.byTerritory[t] = nil // known territory without HCPs: empty, not NOT_FOUND
		}
	}
	for h, ls := range s.Listings {
		slices.SortFunc(ls, func(a, b kolgraph.Listing) int { return cmp.Compare(a.ProductID, b.ProductID) })
		s.Listings[h] = ls
	}
	for _, k := range knows {
		if i, ok := s.index[k.HCPID]; ok {
			s.Contacts[k.UserID] = append(s.Contacts[k.UserID], Contact{Node: i, Strength: k.Strength})
		}
	}
	for _, cs := range s.Contacts {
		slices.SortFunc(cs, func(a, b Contact) int { return int(a.Node) - int(b.Node) })
	}
	// Seats in committee id order: a store scans in no particular order,
	// and every snapshot must list an HCP's seats alike (explanations,
	// fingerprints of what a ranking read).
	slices.SortFunc(memberships, func(a, b kolgraph.Membership) int {
		return cmp.Or(cmp.Compare(a.HCPID, b.HCPID), cmp.Compare(a.CommitteeID, b.CommitteeID))
	})
	for _, m := range memberships {
		i, ok := s.index[m.HCPID]
		if c := s.Committees[m.CommitteeID]; ok && c != nil {
			s.Seats[i] = append(s.Seats[i], Seat{Committee: c, Role: m.Role})
		}
	}

	var edges []analytics.Edge
	// Kinds and evidence texts repeat a lot (evidence is often a template
	// sentence), so each edge keeps small indices into interned tables.
	var tieKind []uint8
	var tieEvidence []int32
	kindIdx, evIdx := map[string]uint8{}, map[string]int32{"": 0}
	s.evidence = []string{""}
	err = st.Scan(ctx, kolgraph.Visitor{ReadOnly: true, Influence: func(e *kolgraph.Influence) error {
		from, ok1 := s.index[e.From]
		to, ok2 := s.index[e.To]
		if !ok1 || !ok2 {
			return fmt.Errorf("edge %s->%s references an unknown HCP", e.From, e.To)
		}
		k, ok := kindIdx[e.Kind]
		if !ok {
			if len(s.kinds) >= maxKinds {
				return fmt.Errorf("edge %s->%s: more than %d relationship kinds", e.From, e.To, maxKinds)
			}
			k = uint8(len(s.kinds))
			kindIdx[e.Kind] = k
			s.kinds = append(s.kinds, e.Kind)
		}
		ev, ok := evIdx[e.Evidence]
		if !ok {
			if len(s.evidence) >= maxEvidence {
				return fmt.Errorf("edge %s->%s: more than %d distinct evidence texts", e.From, e.To, maxEvidence)
			}
			ev = int32(len(s.evidence))
			evIdx[e.Evidence] = ev
			s.evidence = append(s.evidence, e.Evidence)
		}
		edges = append(edges, analytics.Edge{From: from, To: to, Weight: e.Weight})
		tieKind, tieEvidence = append(tieKind, k), append(tieEvidence, ev)
		return nil // keeps strings only, never the record (ReadOnly)
	}})
	if err != nil {
		return nil, fmt.Errorf("snapshot: scan influences: %w", err)
	}
	g, err := analytics.NewGraph(n, edges)
	if err != nil {
		return nil, fmt.Errorf("snapshot: build graph: %w", err)
	}
	s.install(g, edges, tieKind, tieEvidence)
	s.BuiltAt = time.Now()
	s.BuildTime = s.BuiltAt.Sub(t0)
	return s, nil
}

// install makes g, built from edges, s's graph, the i-th edge's tie of
// kind tieKind[i] and evidence tieEvidence[i], and sizes s's lists. The
// graph orders edges by (source, target), so each tie goes to its edge's
// id.
func (s *Snapshot) install(g *analytics.Graph, edges []analytics.Edge, tieKind []uint8, tieEvidence []int32) {
	s.Graph = g
	s.edgeTie = make([]uint32, len(edges))
	for i, e := range edges {
		id, _ := g.EdgeBetween(e.From, e.To)
		s.edgeTie[id] = packTie(tieKind[i], tieEvidence[i])
	}
	s.computeSizes()
}

// interner shares one copy of each distinct string (a region's facts name
// a handful of products a million times).
type interner map[string]string

func (in interner) intern(s string) string {
	if v, ok := in[s]; ok {
		return v
	}
	in[s] = s
	return s
}
