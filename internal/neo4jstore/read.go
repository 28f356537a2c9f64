package neo4jstore

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Reads use a small Cypher subset that gives the same answers on Neo4j 5,
// Aura and NornicDB: a MATCH on one label (or one relationship pattern)
// with WHERE on plain properties and `IN $list`, returning plain property
// columns; grouping, sorting and de-duplication happen in Go. Lists of ids
// are sent in batches of Config.BatchSize.
//
// A relationship pattern starts at the node its ids bind, whichever way
// the relationship points, and takes them one by one from UNWIND:
// `UNWIND $ids AS id MATCH (b:HCP {id: id})<-[r:INFLUENCES]-(a:HCP)`.
// NornicDB (v1.2.3) expands a pattern from its first node and filters
// afterwards, so `(a)-[r]->(b) WHERE b.id IN $ids` walks every relationship
// of the type (17 s for one HCP's incoming INFLUENCES of the seed region on
// a busy CI machine); and a pattern filtered by `IN $ids` costs the square
// of the list (100 ids 0.4 s, 300 ids 3 s, 3,000 ids beyond a minute) where
// the UNWIND form is linear (0.1 s, 0.4 s, 5 s). Neo4j plans all of them
// alike. TestPatternsStartAtTheirIDs checks every statement.

// uniq returns ids without duplicates, in first-seen order.
func uniq(ids []string) []string {
	seen := make(map[string]struct{}, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if _, ok := seen[id]; !ok {
			seen[id] = struct{}{}
			out = append(out, id)
		}
	}
	return out
}

// chunks calls fn with consecutive slices of at most n items.
func chunks[T any](items []T, n int, fn func([]T) error) error {
	for len(items) > 0 {
		k := min(n, len(items))
		if err := fn(items[:k]); err != nil {
			return err
		}
		items = items[k:]
	}
	return nil
}

// byID fetches the rows of cypher (which takes $ids and returns the key in
// column key) for ids, and returns them keyed.
func (s *Store) byID(ctx context.Context, tx neo4j.ManagedTransaction, cypher string, ids []string, key int) (map[string][]any, error) {
	rows := make(map[string][]any, len(ids))
	err := chunks(validIDs(uniq(ids)), s.cfg.BatchSize, func(batch []string) error {
		return each(ctx, tx, cypher, map[string]any{"ids": batch}, func(vals []any) error {
			if k, ok := vals[key].(string); ok {
				rows[k] = vals
			}
			return nil
		})
	})
	return rows, err
}

// lookup implements the batched lookups by id: one entry per id asked, in
// order, nil where nothing matches. Every entry is decoded on its own, so a
// duplicated id yields two independent records.
func lookup[T any](ctx context.Context, s *Store, op, label, cols string, ids []string, decode func([]any) (*T, error)) ([]*T, error) {
	out := make([]*T, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	cypher := "MATCH (n:" + label + ") WHERE n.id IN $ids RETURN " + cols
	err := s.read(ctx, op, s.cfg.Timeout, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		rows, err := s.byID(ctx, tx, cypher, ids, 0)
		if err != nil {
			return err
		}
		for i, id := range ids {
			out[i] = nil
			if vals, ok := rows[id]; ok {
				if out[i], err = decode(vals); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (s *Store) Hospitals(ctx context.Context, ids []string) ([]*kolgraph.Hospital, error) {
	return lookup(ctx, s, "load hospitals", "Hospital", hospitalCols, ids, decodeHospital)
}

func (s *Store) Departments(ctx context.Context, ids []string) ([]*kolgraph.Department, error) {
	return lookup(ctx, s, "load departments", "Department", departmentCols, ids, decodeDepartment)
}

func (s *Store) HCPs(ctx context.Context, ids []string) ([]*kolgraph.HCP, error) {
	return lookup(ctx, s, "load hcps", "HCP", hcpCols, ids, decodeHCP)
}

func (s *Store) Committees(ctx context.Context, ids []string) ([]*kolgraph.Committee, error) {
	return lookup(ctx, s, "load committees", "Committee", committeeCols, ids, decodeCommittee)
}

func (s *Store) Products(ctx context.Context, ids []string) ([]*kolgraph.Product, error) {
	return lookup(ctx, s, "load products", "Product", productCols, ids, decodeProduct)
}

func (s *Store) Territories(ctx context.Context, ids []string) ([]*kolgraph.Territory, error) {
	return lookup(ctx, s, "load territories", "Territory", territoryCols, ids, decodeTerritory)
}

func (s *Store) Users(ctx context.Context, ids []string) ([]*kolgraph.User, error) {
	return lookup(ctx, s, "load users", "User", userCols, ids, decodeUser)
}

// Influences looks edges up by their ordered pair of HCP ids.
func (s *Store) Influences(ctx context.Context, keys []kolgraph.EdgeKey) ([]*kolgraph.Influence, error) {
	out := make([]*kolgraph.Influence, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	seen := make(map[kolgraph.EdgeKey]bool, len(keys))
	var params []any
	for _, k := range keys {
		if !seen[k] && kolgraph.ValidID(k.From) && kolgraph.ValidID(k.To) {
			seen[k] = true
			params = append(params, map[string]any{"a": k.From, "b": k.To})
		}
	}
	const cypher = "UNWIND $keys AS k MATCH (a:HCP {id: k.a})-[r:INFLUENCES]->(b:HCP {id: k.b}) RETURN " + influenceCols
	err := s.read(ctx, "load influences", s.cfg.Timeout, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		rows := make(map[kolgraph.EdgeKey][]any, len(params))
		err := chunks(params, s.cfg.BatchSize, func(batch []any) error {
			return each(ctx, tx, cypher, map[string]any{"keys": batch}, func(vals []any) error {
				a, _ := vals[0].(string)
				b, _ := vals[1].(string)
				rows[kolgraph.EdgeKey{From: a, To: b}] = vals
				return nil
			})
		})
		if err != nil {
			return err
		}
		for i, k := range keys {
			out[i] = nil
			if vals, ok := rows[k]; ok {
				if out[i], err = decodeInfluence(vals); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// all returns every node of a label, sorted by id.
func all[T any](ctx context.Context, s *Store, op, label, cols string, decode func([]any) (*T, error), id func(*T) string) ([]*T, error) {
	var out []*T
	err := s.read(ctx, op, s.cfg.Timeout, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		out = out[:0]
		return each(ctx, tx, "MATCH (n:"+label+") RETURN "+cols, nil, func(vals []any) error {
			r, err := decode(vals)
			out = append(out, r)
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *T) int { return strings.Compare(id(a), id(b)) })
	return out, nil
}

func (s *Store) ListProducts(ctx context.Context) ([]*kolgraph.Product, error) {
	return all(ctx, s, "list products", "Product", productCols, decodeProduct, func(p *kolgraph.Product) string { return p.ID })
}

func (s *Store) ListTerritories(ctx context.Context) ([]*kolgraph.Territory, error) {
	return all(ctx, s, "list territories", "Territory", territoryCols, decodeTerritory, func(t *kolgraph.Territory) string { return t.ID })
}

// where accumulates the conditions of a filter. Only constant fragments
// are concatenated; every value is a parameter.
type where struct {
	conds   []string
	params  map[string]any
	goConds []goCond
}

func (w *where) add(cond, name string, v any) {
	w.conds = append(w.conds, cond)
	if name != "" {
		w.params[name] = v
	}
}

// goCond is a condition evaluated in Go on the records a query returns.
type goCond struct {
	prop     string
	contains bool // else equality
	value    string
}

// text adds prop = v (or prop CONTAINS v), in Cypher when v is plain text
// and in Go when it has brackets: NornicDB (v1.2.3) splices parameter
// values into its query text before parsing, and a value such as
// `"}) MATCH (n) RETURN n //` then fails the statement with a syntax error
// (it never runs as Cypher, but the caller would get an internal error).
func (w *where) text(prop string, contains bool, v string) {
	if strings.ContainsAny(v, "(){}[]") {
		w.goConds = append(w.goConds, goCond{prop, contains, v})
		return
	}
	op := " = $"
	if contains {
		op = " CONTAINS $"
	}
	w.add("n."+prop+op+prop, prop, v)
}

// ids adds prop IN list for the list's valid ids (see validIDs).
func (w *where) ids(prop, name string, list []string) {
	w.add("n."+prop+" IN $"+name, name, validIDs(list))
}

// validIDs drops the strings that cannot be ids (kolgraph.ValidID): no
// record has them, and they never reach the server (see where.text).
func validIDs(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if kolgraph.ValidID(id) {
			out = append(out, id)
		}
	}
	return out
}

// keep reports whether the values of the goConds' properties pass them.
func (w *where) keep(vals []any) bool {
	for i, c := range w.goConds {
		v, _ := vals[i].(string)
		if c.contains && !strings.Contains(v, c.value) || !c.contains && v != c.value {
			return false
		}
	}
	return true
}

// goCols returns ", n.p1, n.p2" for the goConds' properties.
func (w *where) goCols() string {
	var b strings.Builder
	for _, c := range w.goConds {
		b.WriteString(", n." + c.prop)
	}
	return b.String()
}

func (w *where) clause() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// page runs a keyset page in one read transaction: the ids matching the
// filter (which also gives the total), sorted in Go, then the records of
// the first+1 ids after p.After (the extra one tells whether there is a
// next page).
//
// The order and the limit are applied in Go rather than with ORDER BY and
// LIMIT: NornicDB (v1.2.3) returns duplicated rows for ORDER BY ... LIMIT
// when the same statement runs again, and this keeps the store's Cypher in
// the portable subset. The cost is one id per matching record per page,
// a few milliseconds for the 100k HCPs of a large region.
func page[T any](ctx context.Context, s *Store, tx neo4j.ManagedTransaction, label, cols string, w *where, after string, first int,
	decode func([]any) (*T, error)) (items []*T, total int, hasNext bool, err error) {
	var ids []string
	err = each(ctx, tx, "MATCH (n:"+label+")"+w.clause()+" RETURN n.id"+w.goCols(), w.params, func(vals []any) error {
		d := decoder{vals: vals}
		if w.keep(vals[1:]) {
			ids = append(ids, d.str(0))
		}
		return d.err
	})
	if err != nil {
		return nil, 0, false, err
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	total = len(ids)
	start, _ := slices.BinarySearch(ids, after)
	if after != "" && start < len(ids) && ids[start] == after {
		start++
	}
	want := ids[start:min(len(ids), start+first+1)]
	if len(want) > first {
		want, hasNext = want[:first], true
	}
	if len(want) == 0 {
		return nil, total, hasNext, nil
	}
	rows, err := s.byID(ctx, tx, "MATCH (n:"+label+") WHERE n.id IN $ids RETURN "+cols, want, 0)
	if err != nil {
		return nil, 0, false, err
	}
	items = make([]*T, 0, len(want))
	for _, id := range want {
		vals, ok := rows[id]
		if !ok {
			continue // gone since the first statement: a concurrent delete, on servers whose reads are not repeatable
		}
		r, err := decode(vals)
		if err != nil {
			return nil, 0, false, err
		}
		items = append(items, r)
	}
	return items, total, hasNext, nil
}

// ListHospitals pages through the hospitals matching f in ascending id
// order.
func (s *Store) ListHospitals(ctx context.Context, f kolgraph.HospitalFilter, p kolgraph.Page) (*kolgraph.HospitalPage, error) {
	first, err := p.Size()
	if err != nil {
		return nil, err
	}
	w := &where{params: map[string]any{}}
	if len(f.IDs) > 0 {
		w.ids("id", "ids", f.IDs)
	}
	if len(f.Territories) > 0 {
		w.ids("territoryId", "territories", f.Territories)
	}
	if f.City != "" {
		w.text("city", false, f.City)
	}
	if f.Province != "" {
		w.text("province", false, f.Province)
	}
	if f.Tier != "" {
		w.text("tier", false, f.Tier)
	}
	if f.NameContains != "" {
		w.text("nameLower", true, strings.ToLower(f.NameContains))
	}
	out := &kolgraph.HospitalPage{}
	err = s.read(ctx, "list hospitals", s.cfg.Timeout, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		var err error
		out.Items, out.Total, out.HasNext, err = page(ctx, s, tx, "Hospital", hospitalCols, w, p.After, first, decodeHospital)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ListHCPs pages through the HCPs matching f in ascending id order. The
// conditions on the HCP's hospital (ids, territories, city) are resolved to
// one set of hospital ids first, in the same transaction, so that the page
// query stays a single-label MATCH.
func (s *Store) ListHCPs(ctx context.Context, f kolgraph.HCPFilter, p kolgraph.Page) (*kolgraph.HCPPage, error) {
	first, err := p.Size()
	if err != nil {
		return nil, err
	}
	out := &kolgraph.HCPPage{}
	err = s.read(ctx, "list hcps", s.cfg.Timeout, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		*out = kolgraph.HCPPage{}
		hospitals, restricted, err := s.hospitalScope(ctx, tx, f)
		if err != nil {
			return err
		}
		if restricted && len(hospitals) == 0 {
			return nil // no hospital qualifies: nothing matches
		}
		w := &where{params: map[string]any{}}
		if restricted {
			w.ids("hospitalId", "hospitals", hospitals)
		}
		if f.DepartmentID != "" {
			w.text("departmentId", false, f.DepartmentID)
		}
		for _, c := range []struct{ prop, v string }{
			{"specialty", f.Specialty}, {"role", f.Role}, {"title", f.Title},
			{"position", f.Position}, {"kolLevel", f.KOLLevel},
		} {
			if c.v != "" {
				w.text(c.prop, false, c.v)
			}
		}
		if f.KOLOnly {
			w.add("n:KOL", "", nil)
		}
		if f.NameContains != "" {
			w.text("nameLower", true, strings.ToLower(f.NameContains))
		}
		out.Items, out.Total, out.HasNext, err = page(ctx, s, tx, "HCP", hcpCols, w, p.After, first, decodeHCP)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// hospitalScope resolves the hospital conditions of f to the set of
// hospital ids an HCP must work in; restricted is false when f has none.
func (s *Store) hospitalScope(ctx context.Context, tx neo4j.ManagedTransaction, f kolgraph.HCPFilter) (ids []string, restricted bool, err error) {
	var set map[string]bool
	narrow := func(next []string) {
		m := make(map[string]bool, len(next))
		for _, id := range next {
			if set == nil || set[id] {
				m[id] = true
			}
		}
		set = m
	}
	if len(f.HospitalIDs) > 0 {
		narrow(validIDs(f.HospitalIDs))
	}
	w := &where{params: map[string]any{}}
	if len(f.Territories) > 0 {
		w.ids("territoryId", "territories", f.Territories)
	}
	if f.City != "" {
		w.text("city", false, f.City)
	}
	if len(w.conds)+len(w.goConds) > 0 {
		var found []string
		err := each(ctx, tx, "MATCH (n:Hospital)"+w.clause()+" RETURN n.id"+w.goCols(), w.params, func(vals []any) error {
			if id, ok := vals[0].(string); ok && w.keep(vals[1:]) {
				found = append(found, id)
			}
			return nil
		})
		if err != nil {
			return nil, false, err
		}
		narrow(found)
	}
	if set == nil {
		return nil, false, nil
	}
	for id := range set {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, true, nil
}

// group implements the navigation methods: cypher takes $ids and returns
// the parent id in column key; the rows are grouped by parent, decoded once
// per position asked and sorted with cmp.
func group[T any](ctx context.Context, s *Store, op, cypher string, ids []string, key int,
	decode func([]any) (T, error), compare func(a, b T) int) ([][]T, error) {
	out := make([][]T, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	err := s.read(ctx, op, s.cfg.Timeout, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		rows := make(map[string][][]any, len(ids))
		err := chunks(validIDs(uniq(ids)), s.cfg.BatchSize, func(batch []string) error {
			return each(ctx, tx, cypher, map[string]any{"ids": batch}, func(vals []any) error {
				if k, ok := vals[key].(string); ok {
					rows[k] = append(rows[k], vals)
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
		for i, id := range ids {
			out[i] = nil
			for _, vals := range rows[id] {
				r, err := decode(vals)
				if err != nil {
					return err
				}
				out[i] = append(out[i], r)
			}
			slices.SortFunc(out[i], compare)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func byNodeID[T any](id func(T) string) func(a, b T) int {
	return func(a, b T) int { return strings.Compare(id(a), id(b)) }
}

func (s *Store) DepartmentsOfHospitals(ctx context.Context, hospitalIDs []string) ([][]*kolgraph.Department, error) {
	return group(ctx, s, "load departments of hospitals",
		"MATCH (n:Department) WHERE n.hospitalId IN $ids RETURN "+departmentCols, hospitalIDs, 1,
		decodeDepartment, byNodeID(func(d *kolgraph.Department) string { return d.ID }))
}

func (s *Store) CommitteesOfHospitals(ctx context.Context, hospitalIDs []string) ([][]*kolgraph.Committee, error) {
	return group(ctx, s, "load committees of hospitals",
		"MATCH (n:Committee) WHERE n.hospitalId IN $ids RETURN "+committeeCols, hospitalIDs, 3,
		decodeCommittee, byNodeID(func(c *kolgraph.Committee) string { return c.ID }))
}

func (s *Store) HCPsOfDepartments(ctx context.Context, departmentIDs []string) ([][]*kolgraph.HCP, error) {
	return group(ctx, s, "load hcps of departments",
		"MATCH (n:HCP) WHERE n.departmentId IN $ids RETURN "+hcpCols, departmentIDs, 6,
		decodeHCP, byNodeID(func(h *kolgraph.HCP) string { return h.ID }))
}

func (s *Store) ListingsOfHospitals(ctx context.Context, hospitalIDs []string) ([][]kolgraph.Listing, error) {
	return group(ctx, s, "load listings of hospitals",
		"UNWIND $ids AS id MATCH (a:Hospital {id: id})-[r:LISTS]->(b:Product) RETURN "+listingCols, hospitalIDs, 0,
		decodeListing, byNodeID(func(l kolgraph.Listing) string { return l.ProductID }))
}

func (s *Store) ProductSharesOfDepartments(ctx context.Context, departmentIDs []string) ([][]kolgraph.ProductShare, error) {
	return group(ctx, s, "load indication shares of departments",
		"UNWIND $ids AS id MATCH (a:Department {id: id})-[r:TREATS]->(b:Product) RETURN "+shareCols, departmentIDs, 0,
		decodeProductShare, byNodeID(func(r kolgraph.ProductShare) string { return r.ProductID }))
}

func compareMembership(a, b kolgraph.Membership) int {
	return cmp.Or(strings.Compare(a.CommitteeID, b.CommitteeID), strings.Compare(a.HCPID, b.HCPID))
}

func (s *Store) MembershipsOfHCPs(ctx context.Context, hcpIDs []string) ([][]kolgraph.Membership, error) {
	return group(ctx, s, "load memberships of hcps",
		"UNWIND $ids AS id MATCH (a:HCP {id: id})-[r:MEMBER_OF]->(b:Committee) RETURN "+membershipCols, hcpIDs, 0,
		decodeMembership, compareMembership)
}

func (s *Store) MembershipsOfCommittees(ctx context.Context, committeeIDs []string) ([][]kolgraph.Membership, error) {
	return group(ctx, s, "load memberships of committees",
		"UNWIND $ids AS id MATCH (b:Committee {id: id})<-[r:MEMBER_OF]-(a:HCP) RETURN "+membershipCols, committeeIDs, 1,
		decodeMembership, compareMembership)
}

func (s *Store) InfluencesFrom(ctx context.Context, hcpIDs []string) ([][]*kolgraph.Influence, error) {
	return group(ctx, s, "load influences from hcps",
		"UNWIND $ids AS id MATCH (a:HCP {id: id})-[r:INFLUENCES]->(b:HCP) RETURN "+influenceCols, hcpIDs, 0,
		decodeInfluence, byNodeID(func(e *kolgraph.Influence) string { return e.To }))
}

func (s *Store) InfluencesTo(ctx context.Context, hcpIDs []string) ([][]*kolgraph.Influence, error) {
	return group(ctx, s, "load influences to hcps",
		"UNWIND $ids AS id MATCH (b:HCP {id: id})<-[r:INFLUENCES]-(a:HCP) RETURN "+influenceCols, hcpIDs, 1,
		decodeInfluence, byNodeID(func(e *kolgraph.Influence) string { return e.From }))
}

func (s *Store) KnowsOfUsers(ctx context.Context, userIDs []string) ([][]kolgraph.Knows, error) {
	return group(ctx, s, "load knows of users",
		"UNWIND $ids AS id MATCH (a:User {id: id})-[r:KNOWS]->(b:HCP) RETURN "+knowsCols, userIDs, 0,
		decodeKnows, byNodeID(func(k kolgraph.Knows) string { return k.HCPID }))
}
