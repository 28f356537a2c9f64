package embedded

import (
	"context"
	"slices"
	"strings"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Batched lookups: O(len(ids)) map lookups plus one copy per hit.

func (s *Store) Hospitals(ctx context.Context, ids []string) ([]*kolgraph.Hospital, error) {
	out := make([]*kolgraph.Hospital, len(ids))
	err := s.read(ctx, func(g *graph) error {
		for i, id := range ids {
			if r, ok := g.hospitals[id]; ok {
				out[i] = cloneHospital(r.rec)
			}
		}
		return nil
	})
	return out, err
}

func (s *Store) Departments(ctx context.Context, ids []string) ([]*kolgraph.Department, error) {
	out := make([]*kolgraph.Department, len(ids))
	err := s.read(ctx, func(g *graph) error {
		for i, id := range ids {
			if r, ok := g.departments[id]; ok {
				out[i] = cloneDepartment(r)
			}
		}
		return nil
	})
	return out, err
}

func (s *Store) HCPs(ctx context.Context, ids []string) ([]*kolgraph.HCP, error) {
	out := make([]*kolgraph.HCP, len(ids))
	err := s.read(ctx, func(g *graph) error {
		for i, id := range ids {
			if r, ok := g.hcps[id]; ok {
				out[i] = cloneHCP(r.rec)
			}
		}
		return nil
	})
	return out, err
}

func (s *Store) Committees(ctx context.Context, ids []string) ([]*kolgraph.Committee, error) {
	out := make([]*kolgraph.Committee, len(ids))
	err := s.read(ctx, func(g *graph) error {
		for i, id := range ids {
			if r, ok := g.committees[id]; ok {
				out[i] = cloneCommittee(r)
			}
		}
		return nil
	})
	return out, err
}

func (s *Store) Products(ctx context.Context, ids []string) ([]*kolgraph.Product, error) {
	out := make([]*kolgraph.Product, len(ids))
	err := s.read(ctx, func(g *graph) error {
		for i, id := range ids {
			if r, ok := g.products[id]; ok {
				out[i] = cloneProduct(r)
			}
		}
		return nil
	})
	return out, err
}

func (s *Store) Territories(ctx context.Context, ids []string) ([]*kolgraph.Territory, error) {
	out := make([]*kolgraph.Territory, len(ids))
	err := s.read(ctx, func(g *graph) error {
		for i, id := range ids {
			if r, ok := g.territories[id]; ok {
				out[i] = cloneTerritory(r)
			}
		}
		return nil
	})
	return out, err
}

func (s *Store) Users(ctx context.Context, ids []string) ([]*kolgraph.User, error) {
	out := make([]*kolgraph.User, len(ids))
	err := s.read(ctx, func(g *graph) error {
		for i, id := range ids {
			if r, ok := g.users[id]; ok {
				out[i] = cloneUser(r)
			}
		}
		return nil
	})
	return out, err
}

func (s *Store) Influences(ctx context.Context, keys []kolgraph.EdgeKey) ([]*kolgraph.Influence, error) {
	out := make([]*kolgraph.Influence, len(keys))
	err := s.read(ctx, func(g *graph) error {
		for i, k := range keys {
			out[i] = g.ties.get(k)
		}
		return nil
	})
	return out, err
}

// ListProducts returns every product in ascending id order.
func (s *Store) ListProducts(ctx context.Context) ([]*kolgraph.Product, error) {
	var out []*kolgraph.Product
	err := s.read(ctx, func(g *graph) error {
		out = make([]*kolgraph.Product, 0, len(g.products))
		for _, p := range g.products {
			out = append(out, cloneProduct(p))
		}
		return nil
	})
	slices.SortFunc(out, func(a, b *kolgraph.Product) int { return strings.Compare(a.ID, b.ID) })
	return out, err
}

// ListTerritories returns every territory in ascending id order.
func (s *Store) ListTerritories(ctx context.Context) ([]*kolgraph.Territory, error) {
	var out []*kolgraph.Territory
	err := s.read(ctx, func(g *graph) error {
		out = make([]*kolgraph.Territory, 0, len(g.territories))
		for _, t := range g.territories {
			out = append(out, cloneTerritory(t))
		}
		return nil
	})
	slices.SortFunc(out, func(a, b *kolgraph.Territory) int { return strings.Compare(a.ID, b.ID) })
	return out, err
}

// pager collects one keyset page while counting every match: candidates
// arrive in ascending id order, items are those after p.After.
type pager[T any] struct {
	after   string
	first   int
	total   int
	items   []T
	hasNext bool
}

// exact sets the page from candidates that are all matches: Total is their
// count, and the page starts after the cursor by binary search.
func (pg *pager[T]) exact(ids []string) []string {
	pg.total = len(ids)
	start := 0
	if pg.after != "" {
		start, _ = slices.BinarySearch(ids, pg.after)
		if start < len(ids) && ids[start] == pg.after {
			start++
		}
	}
	end := min(start+pg.first, len(ids))
	pg.hasNext = end < len(ids)
	return ids[start:end]
}

// want counts a match and reports whether it belongs on the page.
func (pg *pager[T]) want(id string) bool {
	pg.total++
	if pg.after != "" && id <= pg.after {
		return false
	}
	if len(pg.items) == pg.first {
		pg.hasNext = true
		return false
	}
	return true
}

// ListHospitals pages through the hospitals matching f in ascending id
// order. Candidates come from the most selective index (the ids given, or
// the hospitals of the territories, else all); the other fields are checked
// on each candidate, so the cost is O(candidates) and Total is exact.
func (s *Store) ListHospitals(ctx context.Context, f kolgraph.HospitalFilter, p kolgraph.Page) (*kolgraph.HospitalPage, error) {
	first, err := p.Size()
	if err != nil {
		return nil, err
	}
	pg := pager[*kolgraph.Hospital]{after: p.After, first: first}
	needle := strings.ToLower(f.NameContains)
	err = s.read(ctx, func(g *graph) error {
		var cands []string
		switch {
		case len(f.IDs) > 0:
			cands = sortedUnique(f.IDs)
		case len(f.Territories) > 0:
			cands = g.union(g.hospitalsByTerritory, f.Territories)
		default:
			cands = g.allHospitals.get("")
		}
		terr := lookupSet(f.Territories)
		for _, id := range cands {
			r, ok := g.hospitals[id]
			if !ok {
				continue
			}
			h := r.rec
			if (terr != nil && !terr[h.TerritoryID]) ||
				(f.City != "" && h.City != f.City) ||
				(f.Province != "" && h.Province != f.Province) ||
				(f.Tier != "" && h.Tier != f.Tier) ||
				(needle != "" && !strings.Contains(r.lname, needle)) {
				continue
			}
			if pg.want(id) {
				pg.items = append(pg.items, cloneHospital(h))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kolgraph.HospitalPage{Items: pg.items, Total: pg.total, HasNext: pg.hasNext}, nil
}

// ListHCPs pages through the HCPs matching f in ascending id order. The
// candidates are the smallest of: the department's HCPs, the HCPs of the
// given hospitals, of the territories' hospitals, of the city's hospitals,
// or all HCPs; every filter field is then checked per candidate, so Total
// is exact. Cost: O(hospitals) to size the city candidates, O(c log c) to
// merge the candidates of several hospitals, O(c) to filter. When the
// candidates are the answer (no filter, or only the field they came from),
// Total is their count and the page a binary search: O(log c + page).
func (s *Store) ListHCPs(ctx context.Context, f kolgraph.HCPFilter, p kolgraph.Page) (*kolgraph.HCPPage, error) {
	first, err := p.Size()
	if err != nil {
		return nil, err
	}
	pg := pager[*kolgraph.HCP]{after: p.After, first: first}
	needle := strings.ToLower(f.NameContains)
	err = s.read(ctx, func(g *graph) error {
		cands, all, exact := g.hcpCandidates(f)
		if exact {
			page := pg.exact(cands)
			for _, id := range page {
				pg.items = append(pg.items, cloneHCP(g.hcps[id].rec))
			}
			return nil
		}
		hosp, terr := lookupSet(f.HospitalIDs), lookupSet(f.Territories)
		rows := g.hcpRows
		if !all {
			rows = make([]hcpRow, 0, len(cands))
			for _, id := range cands {
				rows = append(rows, g.hcps[id])
			}
		}
		for _, r := range rows {
			h, id := r.rec, r.rec.ID
			if (f.DepartmentID != "" && h.DepartmentID != f.DepartmentID) ||
				(hosp != nil && !hosp[h.HospitalID]) ||
				(f.Specialty != "" && h.Specialty != f.Specialty) ||
				(f.Role != "" && h.Role != f.Role) ||
				(f.Title != "" && h.Title != f.Title) ||
				(f.Position != "" && h.Position != f.Position) ||
				(f.KOLLevel != "" && h.KOLLevel != f.KOLLevel) ||
				(f.KOLOnly && h.KOLLevel == "") ||
				(needle != "" && !strings.Contains(r.lname, needle)) {
				continue
			}
			if terr != nil || f.City != "" {
				hr := g.hospitals[h.HospitalID].rec
				if hr == nil || (terr != nil && !terr[hr.TerritoryID]) || (f.City != "" && hr.City != f.City) {
					continue
				}
			}
			if pg.want(id) {
				pg.items = append(pg.items, cloneHCP(h))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &kolgraph.HCPPage{Items: pg.items, Total: pg.total, HasNext: pg.hasNext}, nil
}

// hcpCandidates returns ascending HCP ids that include every match of f,
// whether they are all HCPs, and whether they are exactly the matches.
func (g *graph) hcpCandidates(f kolgraph.HCPFilter) (ids []string, all, exact bool) {
	// Fields only the per-candidate check can decide.
	rest := f.Specialty != "" || f.Role != "" || f.Title != "" || f.Position != "" ||
		f.KOLLevel != "" || f.KOLOnly || f.NameContains != ""
	used, set := "", 0 // the index field the candidates come from; how many index fields are set
	best := g.allHCPs.get("")
	if f.DepartmentID != "" {
		set++
		best, used = g.hcpsByDept.get(f.DepartmentID), "department"
	}
	// Candidates from a set of hospitals: one hospital's list is free; a
	// union of several costs a sort, while scanning a candidate costs a map
	// lookup, so merge only when it cuts the candidates by 4x.
	consider := func(field string, hospitals []string) {
		set++
		n := 0
		for _, h := range hospitals {
			n += len(g.hcpsByHospital.get(h))
		}
		switch {
		case n == 0:
			best, used = nil, field
		case len(hospitals) == 1 && n <= len(best):
			best, used = g.hcpsByHospital.get(hospitals[0]), field
		case len(hospitals) > 1 && n*4 < len(best):
			best, used = g.union(g.hcpsByHospital, hospitals), field
		}
	}
	if len(f.HospitalIDs) > 0 {
		consider("hospitals", sortedUnique(f.HospitalIDs))
	}
	if len(f.Territories) > 0 {
		consider("territories", g.union(g.hospitalsByTerritory, f.Territories))
	}
	if f.City != "" {
		var hs []string
		for id, r := range g.hospitals {
			if r.rec.City == f.City {
				hs = append(hs, id)
			}
		}
		consider("city", hs)
	}
	return best, used == "", !rest && set <= 1 && (set == 0 || used != "")
}

// union returns the ascending distinct children of the given parents. With
// one parent it returns the index slice itself, which callers must not
// modify.
func (g *graph) union(ix *index, parents []string) []string {
	if len(parents) == 1 {
		return ix.get(parents[0])
	}
	var out []string
	for _, p := range sortedUnique(parents) {
		out = append(out, ix.get(p)...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func sortedUnique(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}

// lookupSet returns nil for an empty list, so that "no filter" is a nil
// check.
func lookupSet(ids []string) map[string]bool {
	if len(ids) == 0 {
		return nil
	}
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// Navigation: one inner slice per parent id, O(children) each.

func (s *Store) DepartmentsOfHospitals(ctx context.Context, hospitalIDs []string) ([][]*kolgraph.Department, error) {
	out := make([][]*kolgraph.Department, len(hospitalIDs))
	err := s.read(ctx, func(g *graph) error {
		for i, h := range hospitalIDs {
			for _, id := range g.deptsByHospital.get(h) {
				out[i] = append(out[i], cloneDepartment(g.departments[id]))
			}
		}
		return nil
	})
	return out, err
}

func (s *Store) CommitteesOfHospitals(ctx context.Context, hospitalIDs []string) ([][]*kolgraph.Committee, error) {
	out := make([][]*kolgraph.Committee, len(hospitalIDs))
	err := s.read(ctx, func(g *graph) error {
		for i, h := range hospitalIDs {
			for _, id := range g.committeesByHospital.get(h) {
				out[i] = append(out[i], cloneCommittee(g.committees[id]))
			}
		}
		return nil
	})
	return out, err
}

// ListingsOfHospitals returns each hospital's listings by product id.
func (s *Store) ListingsOfHospitals(ctx context.Context, hospitalIDs []string) ([][]kolgraph.Listing, error) {
	out := make([][]kolgraph.Listing, len(hospitalIDs))
	err := s.read(ctx, func(g *graph) error {
		for i, h := range hospitalIDs {
			for _, p := range g.listingsByHospital.get(h) {
				out[i] = append(out[i], g.listings[kolgraph.ListingKey{HospitalID: h, ProductID: p}])
			}
		}
		return nil
	})
	return out, err
}

// ProductSharesOfDepartments returns each department's indication shares
// by product id.
func (s *Store) ProductSharesOfDepartments(ctx context.Context, departmentIDs []string) ([][]kolgraph.ProductShare, error) {
	out := make([][]kolgraph.ProductShare, len(departmentIDs))
	err := s.read(ctx, func(g *graph) error {
		for i, d := range departmentIDs {
			for _, p := range g.sharesByDept.get(d) {
				out[i] = append(out[i], g.shares[kolgraph.ProductShareKey{DepartmentID: d, ProductID: p}])
			}
		}
		return nil
	})
	return out, err
}

// PrescriptionFacts looks facts up by key.
func (s *Store) PrescriptionFacts(ctx context.Context, keys []kolgraph.PrescriptionFactKey) ([]*kolgraph.PrescriptionFact, error) {
	out := make([]*kolgraph.PrescriptionFact, len(keys))
	err := s.read(ctx, func(g *graph) error {
		for i, k := range keys {
			if f, ok := g.facts[k]; ok {
				out[i] = &f
			}
		}
		return nil
	})
	return out, err
}

// PrescriptionFactsOf returns each HCP's or department's facts by product
// then month.
func (s *Store) PrescriptionFactsOf(ctx context.Context, entityIDs []string) ([][]kolgraph.PrescriptionFact, error) {
	out := make([][]kolgraph.PrescriptionFact, len(entityIDs))
	err := s.read(ctx, func(g *graph) error {
		for i, e := range entityIDs {
			for _, pm := range g.factsByEntity.get(e) {
				p, m, _ := strings.Cut(pm, keySep)
				if f, ok := g.factOf(e, p, m); ok {
					out[i] = append(out[i], f)
				}
			}
		}
		return nil
	})
	return out, err
}

func (s *Store) HCPsOfDepartments(ctx context.Context, departmentIDs []string) ([][]*kolgraph.HCP, error) {
	out := make([][]*kolgraph.HCP, len(departmentIDs))
	err := s.read(ctx, func(g *graph) error {
		for i, d := range departmentIDs {
			for _, id := range g.hcpsByDept.get(d) {
				out[i] = append(out[i], cloneHCP(g.hcps[id].rec))
			}
		}
		return nil
	})
	return out, err
}

// MembershipsOfHCPs returns each HCP's memberships by committee id.
func (s *Store) MembershipsOfHCPs(ctx context.Context, hcpIDs []string) ([][]kolgraph.Membership, error) {
	out := make([][]kolgraph.Membership, len(hcpIDs))
	err := s.read(ctx, func(g *graph) error {
		for i, h := range hcpIDs {
			for _, c := range g.membershipsByHCP.get(h) {
				out[i] = append(out[i], g.memberships[kolgraph.MembershipKey{HCPID: h, CommitteeID: c}])
			}
		}
		return nil
	})
	return out, err
}

// MembershipsOfCommittees returns each committee's memberships by HCP id.
func (s *Store) MembershipsOfCommittees(ctx context.Context, committeeIDs []string) ([][]kolgraph.Membership, error) {
	out := make([][]kolgraph.Membership, len(committeeIDs))
	err := s.read(ctx, func(g *graph) error {
		for i, c := range committeeIDs {
			for _, h := range g.membershipsByComm.get(c) {
				out[i] = append(out[i], g.memberships[kolgraph.MembershipKey{HCPID: h, CommitteeID: c}])
			}
		}
		return nil
	})
	return out, err
}

// InfluencesFrom returns the edges each HCP is the source of, by target id.
func (s *Store) InfluencesFrom(ctx context.Context, hcpIDs []string) ([][]*kolgraph.Influence, error) {
	out := make([][]*kolgraph.Influence, len(hcpIDs))
	err := s.read(ctx, func(g *graph) error {
		for i, from := range hcpIDs {
			out[i] = g.ties.from(from)
		}
		return nil
	})
	return out, err
}

// InfluencesTo returns the edges each HCP is the target of, by source id.
func (s *Store) InfluencesTo(ctx context.Context, hcpIDs []string) ([][]*kolgraph.Influence, error) {
	out := make([][]*kolgraph.Influence, len(hcpIDs))
	err := s.read(ctx, func(g *graph) error {
		for i, to := range hcpIDs {
			out[i] = g.ties.to(to)
		}
		return nil
	})
	return out, err
}

// KnowsOfUsers returns each user's contacts by HCP id.
func (s *Store) KnowsOfUsers(ctx context.Context, userIDs []string) ([][]kolgraph.Knows, error) {
	out := make([][]kolgraph.Knows, len(userIDs))
	err := s.read(ctx, func(g *graph) error {
		for i, u := range userIDs {
			for _, h := range g.knowsByUser.get(u) {
				out[i] = append(out[i], g.knows[kolgraph.KnowsKey{UserID: u, HCPID: h}])
			}
		}
		return nil
	})
	return out, err
}

// Scan copies the record pointers of the requested kinds under the read
// lock, then calls the visitor without it: a slow visitor (an export, an
// analytics build) never holds up writers, and a visitor may call back into
// the store. The pointers stay valid because records are immutable; each is
// copied before it is handed out. Within one Scan every kind comes from the
// same version of the graph.
func (s *Store) Scan(ctx context.Context, v kolgraph.Visitor) error {
	var snap scanSnapshot
	err := s.read(ctx, func(g *graph) error {
		snap = takeSnapshot(g, &v)
		return nil
	})
	if err != nil {
		return err
	}
	return snap.visit(ctx, &v)
}

type scanSnapshot struct {
	territories []*kolgraph.Territory
	hospitals   []*kolgraph.Hospital
	departments []*kolgraph.Department
	hcps        []*kolgraph.HCP
	committees  []*kolgraph.Committee
	memberships []kolgraph.Membership
	products    []*kolgraph.Product
	listings    []kolgraph.Listing
	shares      []kolgraph.ProductShare
	users       []*kolgraph.User
	knows       []kolgraph.Knows
	ties        tieScan
	facts       []kolgraph.PrescriptionFact
	inters      []*kolgraph.Interaction
	owners      []kolgraph.AccountOwner
	activities  []*kolgraph.Activity
}

func takeSnapshot(g *graph, v *kolgraph.Visitor) scanSnapshot {
	var s scanSnapshot
	if v.Territory != nil {
		s.territories = mapValues(g.territories, func(r *kolgraph.Territory) *kolgraph.Territory { return r })
	}
	if v.Hospital != nil {
		s.hospitals = mapValues(g.hospitals, func(r hospitalRow) *kolgraph.Hospital { return r.rec })
	}
	if v.Department != nil {
		s.departments = mapValues(g.departments, func(r *kolgraph.Department) *kolgraph.Department { return r })
	}
	if v.HCP != nil {
		s.hcps = mapValues(g.hcps, func(r hcpRow) *kolgraph.HCP { return r.rec })
	}
	if v.Committee != nil {
		s.committees = mapValues(g.committees, func(r *kolgraph.Committee) *kolgraph.Committee { return r })
	}
	if v.Membership != nil {
		s.memberships = mapValues(g.memberships, func(r kolgraph.Membership) kolgraph.Membership { return r })
	}
	if v.Product != nil {
		s.products = mapValues(g.products, func(r *kolgraph.Product) *kolgraph.Product { return r })
	}
	if v.Listing != nil {
		s.listings = mapValues(g.listings, func(r kolgraph.Listing) kolgraph.Listing { return r })
	}
	if v.ProductShare != nil {
		s.shares = mapValues(g.shares, func(r kolgraph.ProductShare) kolgraph.ProductShare { return r })
	}
	if v.User != nil {
		s.users = mapValues(g.users, func(r *kolgraph.User) *kolgraph.User { return r })
	}
	if v.Knows != nil {
		s.knows = mapValues(g.knows, func(r kolgraph.Knows) kolgraph.Knows { return r })
	}
	if v.Influence != nil {
		s.ties = g.ties.scan()
	}
	if v.PrescriptionFact != nil {
		s.facts = mapValues(g.facts, same[kolgraph.PrescriptionFact])
	}
	if v.Interaction != nil {
		s.inters = mapValues(g.interactions, same[*kolgraph.Interaction])
	}
	if v.AccountOwner != nil {
		s.owners = mapValues(g.owners, same[kolgraph.AccountOwner])
	}
	if v.Activity != nil {
		s.activities = mapValues(g.activities, same[*kolgraph.Activity])
	}
	return s
}

func mapValues[K comparable, V, T any](m map[K]V, f func(V) T) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, f(v))
	}
	return out
}

// visit hands every record to its callback, checking ctx every 1024 records.
func (s *scanSnapshot) visit(ctx context.Context, v *kolgraph.Visitor) error {
	n := 0
	check := func() error {
		n++
		if n%1024 == 0 {
			return ctx.Err()
		}
		return nil
	}
	ro := v.ReadOnly // the read model's records are immutable: a reader that keeps none may have them
	steps := []func() error{
		func() error { return each(s.territories, v.Territory, copier(ro, cloneTerritory), check) },
		func() error { return each(s.hospitals, v.Hospital, copier(ro, cloneHospital), check) },
		func() error { return each(s.departments, v.Department, copier(ro, cloneDepartment), check) },
		func() error { return each(s.hcps, v.HCP, copier(ro, cloneHCP), check) },
		func() error { return each(s.committees, v.Committee, copier(ro, cloneCommittee), check) },
		func() error { return each(s.memberships, v.Membership, same, check) },
		func() error { return each(s.products, v.Product, copier(ro, cloneProduct), check) },
		func() error { return each(s.listings, v.Listing, same, check) },
		func() error { return each(s.shares, v.ProductShare, same, check) },
		func() error { return each(s.users, v.User, copier(ro, cloneUser), check) },
		func() error { return each(s.knows, v.Knows, same, check) },
		func() error { return s.ties.visit(v.Influence, ro, check) },
		func() error { return each(s.facts, v.PrescriptionFact, same, check) },
		func() error { return each(s.inters, v.Interaction, copier(ro, cloneInteraction), check) },
		func() error { return each(s.owners, v.AccountOwner, same, check) },
		func() error { return each(s.activities, v.Activity, copier(ro, cloneActivity), check) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

func same[T any](v T) T { return v }

// copier is clone, or same for a read-only visitor.
func copier[T any](readOnly bool, clone func(T) T) func(T) T {
	if readOnly {
		return same[T]
	}
	return clone
}

func each[T any](items []T, fn func(T) error, clone func(T) T, check func() error) error {
	for _, it := range items {
		if err := check(); err != nil {
			return err
		}
		if err := fn(clone(it)); err != nil {
			return err
		}
	}
	return nil
}
