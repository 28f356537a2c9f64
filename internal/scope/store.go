// Package scope is where territory scoping is enforced, once, below the
// resolvers: a kolgraph.Store decorator that shows only the hospitals of a
// territory set and everything hanging off them, and an analytics snapshot
// view induced by the same set (see Snapshots). A caller restricted to its
// territories is handed these instead of the real store and snapshots, so
// no query shape (lookup by id, node, filters, nested fields, connections,
// rankings, paths, decision chains, the account matrix) can reach past them,
// and a new field cannot forget to check. The package knows no analytics
// service: internal/analyses builds a territory set's over its Snapshots.
package scope

import (
	"context"
	"slices"
	"sync"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Store is a kolgraph.Store restricted to the hospitals of a territory set.
//
// What is in scope: a hospital whose territory is in the set; a department,
// committee, listing or HCP of such a hospital, and an indication share of
// such a department; a membership whose HCP and committee are in scope; an
// INFLUENCES tie whose two ends are; a KNOWS tie to an HCP in scope; an
// interaction with an HCP in scope; the owner of an account in scope (a
// territory of the set, or a hospital, department or HCP in scope); an
// academic activity of a territory of the set; the territories of the set;
// users, with only the set's territories listed. Products are a catalog and always visible.
// Everything else behaves as if it did not exist: lookups return nil,
// lists, totals and cursors are computed on the scoped view (a cursor is an
// id, so a forged one only positions the page), navigation drops it.
//
// Writes (Apply) may only touch records in scope, and may not change
// territories, products or users; anything else is FORBIDDEN. The audit log
// is not readable through a territory scope (the roles that read it see
// every territory). Close does not close the underlying store.
//
// A Store remembers which hospitals and HCPs it found in scope, so it is
// meant to live for one request; it is safe for concurrent use.
type Store struct {
	base  kolgraph.Store
	terrs []string
	in    map[string]bool

	mu   sync.Mutex
	hosp map[string]*kolgraph.Hospital // looked up; nil: unknown or out of scope
	hcp  map[string]*kolgraph.HCP      // looked up; nil: unknown or out of scope
}

var _ kolgraph.Store = (*Store)(nil)

// NewStore returns base restricted to territories.
func NewStore(base kolgraph.Store, territories []string) *Store {
	ts := slices.Clone(territories)
	slices.Sort(ts)
	ts = slices.Compact(ts)
	in := make(map[string]bool, len(ts))
	for _, t := range ts {
		in[t] = true
	}
	return &Store{base: base, terrs: ts, in: in, hosp: map[string]*kolgraph.Hospital{}, hcp: map[string]*kolgraph.HCP{}}
}

// Territories returns the territory set of the scope, sorted.
func (s *Store) TerritorySet() []string { return slices.Clone(s.terrs) }

// hospitals returns the in-scope hospitals among ids, by id, asking the base
// store only for ids not seen before.
func (s *Store) hospitals(ctx context.Context, ids []string) (map[string]*kolgraph.Hospital, error) {
	// The answer is built from what this call reads, never by reading the
	// cache again: an Apply may clear it in between.
	out := make(map[string]*kolgraph.Hospital, len(ids))
	var ask []string
	s.mu.Lock()
	for _, id := range ids {
		if h, ok := s.hosp[id]; ok {
			if h != nil {
				out[id] = h
			}
		} else if id != "" {
			ask = append(ask, id)
		}
	}
	s.mu.Unlock()
	if len(ask) == 0 {
		return out, nil
	}
	slices.Sort(ask)
	ask = slices.Compact(ask)
	hs, err := s.base.Hospitals(ctx, ask)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, id := range ask {
		var in *kolgraph.Hospital
		if h := hs[i]; h != nil && s.in[h.TerritoryID] {
			in = h
			out[id] = h
		}
		s.hosp[id] = in
	}
	return out, nil
}

// hcps returns which of ids are HCPs in scope, asking the base store only
// for ids not seen before (a tie's ends, then the same HCPs as the tie's
// targets, cost one lookup).
func (s *Store) hcps(ctx context.Context, ids []string) (map[string]bool, error) {
	rs, err := s.hcpRecords(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(rs))
	for id := range rs {
		out[id] = true
	}
	return out, nil
}

// hcpRecords returns the HCPs of ids in scope, by id; as hospitals, it
// answers from what this call reads.
func (s *Store) hcpRecords(ctx context.Context, ids []string) (map[string]*kolgraph.HCP, error) {
	out := make(map[string]*kolgraph.HCP, len(ids))
	var ask []string
	s.mu.Lock()
	for _, id := range ids {
		if h, ok := s.hcp[id]; ok {
			if h != nil {
				out[id] = h
			}
		} else {
			ask = append(ask, id)
		}
	}
	s.mu.Unlock()
	if len(ask) == 0 {
		return out, nil
	}
	slices.Sort(ask)
	ask = slices.Compact(ask)
	hs, err := s.base.HCPs(ctx, ask)
	if err != nil {
		return nil, err
	}
	if hs, err = s.keepHCPs(ctx, hs); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, id := range ask {
		if hs[i] != nil {
			out[id] = hs[i]
		} else if _, ok := s.hcp[id]; !ok {
			s.hcp[id] = nil // unknown
		}
	}
	return out, nil
}

// keepHCPs blanks the HCPs of hs outside the scope (in place) and
// remembers the verdict for each.
func (s *Store) keepHCPs(ctx context.Context, hs []*kolgraph.HCP) ([]*kolgraph.HCP, error) {
	hids := make([]string, 0, len(hs))
	for _, h := range hs {
		if h != nil {
			hids = append(hids, h.HospitalID)
		}
	}
	in, err := s.hospitals(ctx, hids)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, h := range hs {
		if h == nil {
			continue
		}
		if in[h.HospitalID] != nil {
			s.hcp[h.ID] = h
		} else {
			s.hcp[h.ID], hs[i] = nil, nil
		}
	}
	return hs, nil
}

// keepByHospital blanks the entries of xs whose hospital is out of scope.
func keepByHospital[T any](ctx context.Context, s *Store, xs []*T, hospital func(*T) string) ([]*T, error) {
	hids := make([]string, 0, len(xs))
	for _, x := range xs {
		if x != nil {
			hids = append(hids, hospital(x))
		}
	}
	in, err := s.hospitals(ctx, hids)
	if err != nil {
		return nil, err
	}
	for i, x := range xs {
		if x != nil && in[hospital(x)] == nil {
			xs[i] = nil
		}
	}
	return xs, nil
}

// Hospitals implements kolgraph.Store.
func (s *Store) Hospitals(ctx context.Context, ids []string) ([]*kolgraph.Hospital, error) {
	in, err := s.hospitals(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*kolgraph.Hospital, len(ids))
	for i, id := range ids {
		out[i] = in[id]
	}
	return out, nil
}

// Departments implements kolgraph.Store.
func (s *Store) Departments(ctx context.Context, ids []string) ([]*kolgraph.Department, error) {
	ds, err := s.base.Departments(ctx, ids)
	if err != nil {
		return nil, err
	}
	return keepByHospital(ctx, s, ds, func(d *kolgraph.Department) string { return d.HospitalID })
}

// HCPs implements kolgraph.Store. HCPs looked up before in this request
// are answered from memory.
func (s *Store) HCPs(ctx context.Context, ids []string) ([]*kolgraph.HCP, error) {
	in, err := s.hcpRecords(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make([]*kolgraph.HCP, len(ids))
	for i, id := range ids {
		out[i] = in[id]
	}
	return out, nil
}

// Committees implements kolgraph.Store.
func (s *Store) Committees(ctx context.Context, ids []string) ([]*kolgraph.Committee, error) {
	cs, err := s.base.Committees(ctx, ids)
	if err != nil {
		return nil, err
	}
	return keepByHospital(ctx, s, cs, func(c *kolgraph.Committee) string { return c.HospitalID })
}

// Products implements kolgraph.Store: the catalog is not scoped.
func (s *Store) Products(ctx context.Context, ids []string) ([]*kolgraph.Product, error) {
	return s.base.Products(ctx, ids)
}

// Territories implements kolgraph.Store.
func (s *Store) Territories(ctx context.Context, ids []string) ([]*kolgraph.Territory, error) {
	ts, err := s.base.Territories(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, t := range ts {
		if t != nil && !s.in[t.ID] {
			ts[i] = nil
		}
	}
	return ts, nil
}

// Users implements kolgraph.Store: users with the set's territories only.
func (s *Store) Users(ctx context.Context, ids []string) ([]*kolgraph.User, error) {
	us, err := s.base.Users(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, u := range us {
		if u == nil {
			continue
		}
		c := *u
		c.Territories = slices.DeleteFunc(slices.Clone(u.Territories), func(t string) bool { return !s.in[t] })
		us[i] = &c
	}
	return us, nil
}

// Influences implements kolgraph.Store.
func (s *Store) Influences(ctx context.Context, keys []kolgraph.EdgeKey) ([]*kolgraph.Influence, error) {
	es, err := s.base.Influences(ctx, keys)
	if err != nil {
		return nil, err
	}
	return s.keepEdges(ctx, es)
}

func (s *Store) keepEdges(ctx context.Context, es []*kolgraph.Influence) ([]*kolgraph.Influence, error) {
	ends := make([]string, 0, 2*len(es))
	for _, e := range es {
		if e != nil {
			ends = append(ends, e.From, e.To)
		}
	}
	in, err := s.hcps(ctx, ends)
	if err != nil {
		return nil, err
	}
	for i, e := range es {
		if e != nil && !(in[e.From] && in[e.To]) {
			es[i] = nil
		}
	}
	return es, nil
}

// territories narrows a filter's territory list to the scope; ok is false
// when nothing can match (an empty list would mean "no restriction").
func (s *Store) territories(asked []string) (ts []string, ok bool) {
	if len(asked) == 0 {
		return s.terrs, len(s.terrs) > 0
	}
	for _, t := range asked {
		if s.in[t] {
			ts = append(ts, t)
		}
	}
	return ts, len(ts) > 0
}

// ListHospitals implements kolgraph.Store; totals count the scope only.
func (s *Store) ListHospitals(ctx context.Context, f kolgraph.HospitalFilter, p kolgraph.Page) (*kolgraph.HospitalPage, error) {
	ts, ok := s.territories(f.Territories)
	if !ok {
		if p.First < 0 {
			return s.base.ListHospitals(ctx, f, p) // the store's own BAD_USER_INPUT
		}
		return &kolgraph.HospitalPage{}, nil
	}
	f.Territories = ts
	return s.base.ListHospitals(ctx, f, p)
}

// ListHCPs implements kolgraph.Store; totals count the scope only.
func (s *Store) ListHCPs(ctx context.Context, f kolgraph.HCPFilter, p kolgraph.Page) (*kolgraph.HCPPage, error) {
	ts, ok := s.territories(f.Territories)
	if !ok {
		if p.First < 0 {
			return s.base.ListHCPs(ctx, f, p)
		}
		return &kolgraph.HCPPage{}, nil
	}
	f.Territories = ts
	return s.base.ListHCPs(ctx, f, p)
}

// ListProducts implements kolgraph.Store: the catalog is not scoped.
func (s *Store) ListProducts(ctx context.Context) ([]*kolgraph.Product, error) {
	return s.base.ListProducts(ctx)
}

// ListTerritories implements kolgraph.Store: the set's territories.
func (s *Store) ListTerritories(ctx context.Context) ([]*kolgraph.Territory, error) {
	ts, err := s.base.ListTerritories(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ts, func(t *kolgraph.Territory) bool { return !s.in[t.ID] }), nil
}

// ofHospitals blanks the rows of hospitals out of scope.
func ofHospitals[T any](ctx context.Context, s *Store, hids []string, rows [][]T) ([][]T, error) {
	in, err := s.hospitals(ctx, hids)
	if err != nil {
		return nil, err
	}
	for i, id := range hids {
		if in[id] == nil {
			rows[i] = nil
		}
	}
	return rows, nil
}

// DepartmentsOfHospitals implements kolgraph.Store.
func (s *Store) DepartmentsOfHospitals(ctx context.Context, hids []string) ([][]*kolgraph.Department, error) {
	rows, err := s.base.DepartmentsOfHospitals(ctx, hids)
	if err != nil {
		return nil, err
	}
	return ofHospitals(ctx, s, hids, rows)
}

// CommitteesOfHospitals implements kolgraph.Store.
func (s *Store) CommitteesOfHospitals(ctx context.Context, hids []string) ([][]*kolgraph.Committee, error) {
	rows, err := s.base.CommitteesOfHospitals(ctx, hids)
	if err != nil {
		return nil, err
	}
	return ofHospitals(ctx, s, hids, rows)
}

// ListingsOfHospitals implements kolgraph.Store.
func (s *Store) ListingsOfHospitals(ctx context.Context, hids []string) ([][]kolgraph.Listing, error) {
	rows, err := s.base.ListingsOfHospitals(ctx, hids)
	if err != nil {
		return nil, err
	}
	return ofHospitals(ctx, s, hids, rows)
}

// ProductSharesOfDepartments implements kolgraph.Store: the shares of
// departments in scope.
func (s *Store) ProductSharesOfDepartments(ctx context.Context, dids []string) ([][]kolgraph.ProductShare, error) {
	ds, err := s.Departments(ctx, dids)
	if err != nil {
		return nil, err
	}
	rows, err := s.base.ProductSharesOfDepartments(ctx, dids)
	if err != nil {
		return nil, err
	}
	for i, d := range ds {
		if d == nil {
			rows[i] = nil
		}
	}
	return rows, nil
}

// entitiesIn reports which of ids name an HCP or a department in scope.
func (s *Store) entitiesIn(ctx context.Context, ids []string) (map[string]bool, error) {
	in, err := s.hcps(ctx, ids)
	if err != nil {
		return nil, err
	}
	ds, err := s.Departments(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if d != nil {
			in[d.ID] = true
		}
	}
	return in, nil
}

// PrescriptionFacts implements kolgraph.Store: facts of HCPs and
// departments in scope.
func (s *Store) PrescriptionFacts(ctx context.Context, keys []kolgraph.PrescriptionFactKey) ([]*kolgraph.PrescriptionFact, error) {
	rows, err := s.base.PrescriptionFacts(ctx, keys)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.EntityID()
	}
	in, err := s.entitiesIn(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, k := range keys {
		if !in[k.EntityID()] {
			rows[i] = nil
		}
	}
	return rows, nil
}

// PrescriptionFactsOf implements kolgraph.Store: the facts of HCPs and
// departments in scope.
func (s *Store) PrescriptionFactsOf(ctx context.Context, ids []string) ([][]kolgraph.PrescriptionFact, error) {
	in, err := s.entitiesIn(ctx, ids)
	if err != nil {
		return nil, err
	}
	rows, err := s.base.PrescriptionFactsOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		if !in[id] {
			rows[i] = nil
		}
	}
	return rows, nil
}

// HCPsOfDepartments implements kolgraph.Store.
func (s *Store) HCPsOfDepartments(ctx context.Context, dids []string) ([][]*kolgraph.HCP, error) {
	rows, err := s.base.HCPsOfDepartments(ctx, dids)
	if err != nil {
		return nil, err
	}
	var all []*kolgraph.HCP
	for _, r := range rows {
		all = append(all, r...)
	}
	kept, err := s.keepHCPs(ctx, slices.Clone(all))
	if err != nil {
		return nil, err
	}
	in := make(map[string]bool, len(kept))
	for _, h := range kept {
		if h != nil {
			in[h.ID] = true
		}
	}
	for i, r := range rows {
		rows[i] = slices.DeleteFunc(slices.Clone(r), func(h *kolgraph.HCP) bool { return !in[h.ID] })
	}
	return rows, nil
}

// MembershipsOfHCPs implements kolgraph.Store.
func (s *Store) MembershipsOfHCPs(ctx context.Context, ids []string) ([][]kolgraph.Membership, error) {
	rows, err := s.base.MembershipsOfHCPs(ctx, ids)
	if err != nil {
		return nil, err
	}
	return s.keepMemberships(ctx, rows)
}

// MembershipsOfCommittees implements kolgraph.Store.
func (s *Store) MembershipsOfCommittees(ctx context.Context, ids []string) ([][]kolgraph.Membership, error) {
	rows, err := s.base.MembershipsOfCommittees(ctx, ids)
	if err != nil {
		return nil, err
	}
	return s.keepMemberships(ctx, rows)
}

// keepMemberships keeps the memberships whose HCP and committee are in
// scope (a row of a parent out of scope ends up empty).
func (s *Store) keepMemberships(ctx context.Context, rows [][]kolgraph.Membership) ([][]kolgraph.Membership, error) {
	var hids, cids []string
	for _, r := range rows {
		for _, m := range r {
			hids, cids = append(hids, m.HCPID), append(cids, m.CommitteeID)
		}
	}
	inH, err := s.hcps(ctx, hids)
	if err != nil {
		return nil, err
	}
	cs, err := s.Committees(ctx, cids)
	if err != nil {
		return nil, err
	}
	inC := map[string]bool{}
	for _, c := range cs {
		if c != nil {
			inC[c.ID] = true
		}
	}
	for i, r := range rows {
		rows[i] = slices.DeleteFunc(slices.Clone(r), func(m kolgraph.Membership) bool { return !inH[m.HCPID] || !inC[m.CommitteeID] })
	}
	return rows, nil
}

// InfluencesFrom implements kolgraph.Store.
func (s *Store) InfluencesFrom(ctx context.Context, ids []string) ([][]*kolgraph.Influence, error) {
	rows, err := s.base.InfluencesFrom(ctx, ids)
	if err != nil {
		return nil, err
	}
	return s.keepEdgeRows(ctx, rows)
}

// InfluencesTo implements kolgraph.Store.
func (s *Store) InfluencesTo(ctx context.Context, ids []string) ([][]*kolgraph.Influence, error) {
	rows, err := s.base.InfluencesTo(ctx, ids)
	if err != nil {
		return nil, err
	}
	return s.keepEdgeRows(ctx, rows)
}

func (s *Store) keepEdgeRows(ctx context.Context, rows [][]*kolgraph.Influence) ([][]*kolgraph.Influence, error) {
	var ends []string
	for _, r := range rows {
		for _, e := range r {
			ends = append(ends, e.From, e.To)
		}
	}
	in, err := s.hcps(ctx, ends)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		rows[i] = slices.DeleteFunc(slices.Clone(r), func(e *kolgraph.Influence) bool { return !in[e.From] || !in[e.To] })
	}
	return rows, nil
}

// KnowsOfUsers implements kolgraph.Store: ties to HCPs in scope only.
func (s *Store) KnowsOfUsers(ctx context.Context, ids []string) ([][]kolgraph.Knows, error) {
	rows, err := s.base.KnowsOfUsers(ctx, ids)
	if err != nil {
		return nil, err
	}
	var hids []string
	for _, r := range rows {
		for _, k := range r {
			hids = append(hids, k.HCPID)
		}
	}
	in, err := s.hcps(ctx, hids)
	if err != nil {
		return nil, err
	}
	for i, r := range rows {
		rows[i] = slices.DeleteFunc(slices.Clone(r), func(k kolgraph.Knows) bool { return !in[k.HCPID] })
	}
	return rows, nil
}

// Scan implements kolgraph.Store: a first pass learns what is in scope
// (hospitals, HCPs, committees), a second hands v only that.
func (s *Store) Scan(ctx context.Context, v kolgraph.Visitor) error {
	hosp, hcp, com := map[string]bool{}, map[string]bool{}, map[string]bool{}
	hcpHospital, comHospital, deptHospital := map[string]string{}, map[string]string{}, map[string]string{}
	err := s.base.Scan(ctx, kolgraph.Visitor{
		Hospital: func(h *kolgraph.Hospital) error {
			if s.in[h.TerritoryID] {
				hosp[h.ID] = true
			}
			return nil
		},
		HCP:        func(h *kolgraph.HCP) error { hcpHospital[h.ID] = h.HospitalID; return nil },
		Committee:  func(c *kolgraph.Committee) error { comHospital[c.ID] = c.HospitalID; return nil },
		Department: func(d *kolgraph.Department) error { deptHospital[d.ID] = d.HospitalID; return nil },
	})
	if err != nil {
		return err
	}
	for id, h := range hcpHospital {
		hcp[id] = hosp[h]
	}
	for id, h := range comHospital {
		com[id] = hosp[h]
	}
	w := kolgraph.Visitor{ReadOnly: v.ReadOnly}
	if v.Hospital != nil {
		w.Hospital = func(h *kolgraph.Hospital) error { return when(hosp[h.ID], v.Hospital, h) }
	}
	if v.Department != nil {
		w.Department = func(d *kolgraph.Department) error { return when(hosp[d.HospitalID], v.Department, d) }
	}
	if v.HCP != nil {
		w.HCP = func(h *kolgraph.HCP) error { return when(hcp[h.ID], v.HCP, h) }
	}
	if v.Committee != nil {
		w.Committee = func(c *kolgraph.Committee) error { return when(com[c.ID], v.Committee, c) }
	}
	if v.Membership != nil {
		w.Membership = func(m kolgraph.Membership) error { return when(hcp[m.HCPID] && com[m.CommitteeID], v.Membership, m) }
	}
	w.Product = v.Product
	if v.Listing != nil {
		w.Listing = func(l kolgraph.Listing) error { return when(hosp[l.HospitalID], v.Listing, l) }
	}
	if v.ProductShare != nil {
		w.ProductShare = func(r kolgraph.ProductShare) error {
			return when(hosp[deptHospital[r.DepartmentID]], v.ProductShare, r)
		}
	}
	if v.Territory != nil {
		w.Territory = func(t *kolgraph.Territory) error { return when(s.in[t.ID], v.Territory, t) }
	}
	if v.User != nil {
		w.User = func(u *kolgraph.User) error {
			c := *u
			c.Territories = slices.DeleteFunc(slices.Clone(u.Territories), func(t string) bool { return !s.in[t] })
			return v.User(&c)
		}
	}
	if v.Knows != nil {
		w.Knows = func(k kolgraph.Knows) error { return when(hcp[k.HCPID], v.Knows, k) }
	}
	if v.Influence != nil {
		w.Influence = func(e *kolgraph.Influence) error { return when(hcp[e.From] && hcp[e.To], v.Influence, e) }
	}
	if v.PrescriptionFact != nil {
		w.PrescriptionFact = func(f kolgraph.PrescriptionFact) error {
			in := hcp[f.HCPID] || f.HCPID == "" && hosp[deptHospital[f.DepartmentID]]
			return when(in, v.PrescriptionFact, f)
		}
	}
	if v.AccountOwner != nil {
		w.AccountOwner = func(o kolgraph.AccountOwner) error {
			a := o.AccountID
			return when(s.in[a] || hosp[a] || hosp[deptHospital[a]] || hcp[a], v.AccountOwner, o)
		}
	}
	if v.Activity != nil {
		w.Activity = func(a *kolgraph.Activity) error { return when(s.in[a.TerritoryID], v.Activity, a) }
	}
	if v.Interaction != nil {
		w.Interaction = func(in *kolgraph.Interaction) error { return when(hcp[in.HCPID], v.Interaction, in) }
	}
	return s.base.Scan(ctx, w)
}

func when[T any](ok bool, f func(T) error, x T) error {
	if !ok {
		return nil
	}
	return f(x)
}

// Version implements kolgraph.Store.
func (s *Store) Version(ctx context.Context) (uint64, error) { return s.base.Version(ctx) }

// Ping implements kolgraph.Store.
func (s *Store) Ping(ctx context.Context) error { return s.base.Ping(ctx) }

// Close implements kolgraph.Store; the underlying store stays open.
func (s *Store) Close() error { return nil }

// AppendAudit implements kolgraph.Store: recording who read what is the
// service's duty whatever the caller may see, so it goes to the underlying
// store.
func (s *Store) AppendAudit(ctx context.Context, entries []kolgraph.AuditEntry) error {
	return s.base.AppendAudit(ctx, entries)
}

// AuditLog implements kolgraph.Store: the audit log records every
// territory's changes and is read by roles that see all of them.
func (s *Store) AuditLog(context.Context, kolgraph.AuditFilter, kolgraph.Page) (*kolgraph.AuditPage, error) {
	return nil, kolgraph.Errorf(kolgraph.EFORBIDDEN, "the audit log is readable by the admin and compliance roles only")
}
