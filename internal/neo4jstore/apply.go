package neo4jstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Apply validates cs and writes it in one write transaction; on any error
// the transaction rolls back and nothing is written. See kolgraph.ChangeSet
// for the rules.
//
// The transaction first increments the version on the meta node. On Neo4j
// that takes the node's write lock, on NornicDB it makes a concurrent Apply
// fail its commit with a conflict that the driver retries: either way
// Applies are serialised, so the checks below see the graph they write to.
// Then, in order: read the facts the rules need (batched id lookups), check
// the rules in Go (plan.go), delete, upsert nodes in UNWIND batches, keep
// the structural relationships in step, upsert relationships.
func (s *Store) Apply(ctx context.Context, cs *kolgraph.ChangeSet) (uint64, error) {
	if cs == nil {
		return 0, kolgraph.Errorf(kolgraph.EINVALID, "no change set")
	}
	if err := cs.CheckFields(); err != nil {
		return 0, err
	}
	unlock, err := s.lockWrites(ctx)
	if err != nil {
		return 0, fmt.Errorf("neo4jstore: apply: %w", err)
	}
	defer unlock()
	c := newChanges(cs)
	if cs.CheckOnly {
		return s.check(ctx, cs, c)
	}
	// Rows are built once, outside the transaction function, which the
	// driver may run more than once. Building them also copies cs, so the
	// caller may change it as soon as Apply returns.
	w := c.rows()
	var st *staging
	if !s.unique && c.bulk() {
		if st, err = s.stage(ctx, c, w); err != nil {
			return 0, err
		}
	}
	var version uint64
	err = s.write(ctx, "apply", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		v, err := bumpVersion(ctx, tx)
		if err != nil {
			return err
		}
		if cs.IfVersion != nil && v-1 != *cs.IfVersion {
			return fmt.Errorf("neo4jstore: at version %d, not %d: %w", v-1, *cs.IfVersion, kolgraph.ErrStale)
		}
		b, err := s.loadBefore(ctx, tx, c)
		if err != nil {
			return err
		}
		st.forget(b)
		if err := c.CheckConflicts(b); err != nil {
			return err
		}
		if err := c.CheckReferences(b); err != nil {
			return err
		}
		if err := s.writeChanges(ctx, tx, c, w, b, st); err != nil {
			return err
		}
		if err := s.writeAudit(ctx, tx, v, 0, time.Now().UTC(), cs.Audit); err != nil {
			return err
		}
		version = v
		return nil
	})
	if err != nil {
		st.discard(ctx, s)
		return 0, err
	}
	return version, nil
}

// check judges c as Apply does, in a read transaction that sees one
// version of the graph, and writes nothing (ChangeSet.CheckOnly).
func (s *Store) check(ctx context.Context, cs *kolgraph.ChangeSet, c *changes) (uint64, error) {
	var version uint64
	err := s.read(ctx, "check", s.cfg.ApplyTimeout, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		var err error
		if version, err = readVersion(ctx, tx); err != nil {
			return err
		}
		if cs.IfVersion != nil && version != *cs.IfVersion {
			return fmt.Errorf("neo4jstore: at version %d, not %d: %w", version, *cs.IfVersion, kolgraph.ErrStale)
		}
		b, err := s.loadBefore(ctx, tx, c)
		if err != nil {
			return err
		}
		if err := c.CheckConflicts(b); err != nil {
			return err
		}
		return c.CheckReferences(b)
	})
	if err != nil {
		return 0, err
	}
	return version, nil
}

// bumpVersion increments the version counter and returns the new value.
func bumpVersion(ctx context.Context, tx neo4j.ManagedTransaction) (uint64, error) {
	var v uint64
	err := each(ctx, tx, "MERGE (m:KolgraphMeta {id: $id}) SET m.version = coalesce(m.version, 0) + 1 RETURN m.version",
		map[string]any{"id": metaID}, func(vals []any) error {
			d := decoder{vals: vals}
			v = uint64(d.int(0))
			return d.err
		})
	if err == nil && v == 0 {
		err = errNoVersion
	}
	return v, err
}

var errNoVersion = kolgraph.Errorf(kolgraph.EINTERNAL, "the version counter did not answer")

// fetch returns, for the ids of label that exist, the value of column col
// (a constant property expression such as "n.hospitalId", or "" for none).
func (s *Store) fetch(ctx context.Context, tx neo4j.ManagedTransaction, label, col string, ids set) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	ret := "n.id"
	if col != "" {
		ret += ", " + col
	}
	cypher := "MATCH (n:" + label + ") WHERE n.id IN $ids RETURN " + ret
	err := chunks(ids.Sorted(), s.cfg.BatchSize, func(batch []string) error {
		return each(ctx, tx, cypher, map[string]any{"ids": batch}, func(vals []any) error {
			d := decoder{vals: vals}
			id := d.str(0)
			v := ""
			if col != "" {
				v = d.str(1)
			}
			out[id] = v
			return d.err
		})
	})
	return out, err
}

// children returns, for each parent id, the ids (and, for HCPs, hospitals)
// of the nodes of label whose property prop names it.
func (s *Store) children(ctx context.Context, tx neo4j.ManagedTransaction, label, prop string, parents []string) (map[string][]kolgraph.Dependant, error) {
	out := map[string][]kolgraph.Dependant{}
	if len(parents) == 0 {
		return out, nil
	}
	cypher := "MATCH (n:" + label + ") WHERE n." + prop + " IN $ids RETURN n." + prop + ", n.id, n.hospitalId"
	err := chunks(parents, s.cfg.BatchSize, func(batch []string) error {
		return each(ctx, tx, cypher, map[string]any{"ids": batch}, func(vals []any) error {
			d := decoder{vals: vals}
			p, id, h := d.str(0), d.str(1), d.str(2)
			out[p] = append(out[p], kolgraph.Dependant{ID: id, HospitalID: h})
			return d.err
		})
	})
	for _, ms := range out {
		slices.SortFunc(ms, func(a, b kolgraph.Dependant) int { return strings.Compare(a.ID, b.ID) })
	}
	return out, err
}

func memberIDs(ms []kolgraph.Dependant) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// loadBefore reads what the rules need to know about the stored graph.
func (s *Store) loadBefore(ctx context.Context, tx neo4j.ManagedTransaction, c *changes) (*before, error) {
	a := c.ask()
	b := &before{}
	var err error
	var m map[string]string
	if m, err = s.fetch(ctx, tx, "Territory", "", a.territories); err != nil {
		return nil, err
	}
	b.territories = keysOf(m)
	if m, err = s.fetch(ctx, tx, "Hospital", "", a.hospitals); err != nil {
		return nil, err
	}
	b.hospitals = keysOf(m)
	if m, err = s.fetch(ctx, tx, "Product", "", a.products); err != nil {
		return nil, err
	}
	b.products = keysOf(m)
	if m, err = s.fetch(ctx, tx, "User", "", a.users); err != nil {
		return nil, err
	}
	b.users = keysOf(m)
	if b.departments, err = s.fetch(ctx, tx, "Department", "n.hospitalId", a.departments); err != nil {
		return nil, err
	}
	if b.hcps, err = s.fetch(ctx, tx, "HCP", "n.departmentId", a.hcps); err != nil {
		return nil, err
	}
	if b.committees, err = s.fetch(ctx, tx, "Committee", "n.hospitalId", a.committees); err != nil {
		return nil, err
	}

	// Dependants of deleted (existing) nodes, and HCPs of moved departments.
	delT := present(c.DelTerritories, b.territories.Has)
	delH := present(c.DelHospitals, b.hospitals.Has)
	delD := present(c.DelDepartments, has(b.departments))

	hosp, err := s.children(ctx, tx, "Hospital", "territoryId", delT)
	if err != nil {
		return nil, err
	}
	b.hospitalsOfTerritory = map[string][]string{}
	for t, ms := range hosp {
		b.hospitalsOfTerritory[t] = memberIDs(ms)
	}
	deps, err := s.children(ctx, tx, "Department", "hospitalId", delH)
	if err != nil {
		return nil, err
	}
	b.departmentsOfHospital = map[string][]string{}
	for h, ms := range deps {
		b.departmentsOfHospital[h] = memberIDs(ms)
	}
	comms, err := s.children(ctx, tx, "Committee", "hospitalId", delH)
	if err != nil {
		return nil, err
	}
	b.committeesOfHospital = map[string][]string{}
	for h, ms := range comms {
		b.committeesOfHospital[h] = memberIDs(ms)
	}
	if b.hcpsOfDepartment, err = s.children(ctx, tx, "HCP", "departmentId", append(delD, c.MovedDepartments(b)...)); err != nil {
		return nil, err
	}
	if err := s.loadPlanFacts(ctx, tx, c, a, b); err != nil {
		return nil, err
	}
	if err := s.loadInteractionFacts(ctx, tx, c, b); err != nil {
		return nil, err
	}
	if err := s.loadOwnerFacts(ctx, tx, c, b); err != nil {
		return nil, err
	}
	if err := s.loadActivityFacts(ctx, tx, c, b); err != nil {
		return nil, err
	}
	return b, nil
}

// writeRows are the UNWIND parameters of a change set, built once.
type writeRows struct {
	territories, hospitals, departments, hcps, committees, products, users []any
	kol, notKOL                                                            []string
	memberships, listings, shares, knows, influences                       []map[string]any
	plans                                                                  []any
	facts                                                                  []any
	interactions                                                           []any
	owners                                                                 []any
	activities                                                             []any
}

func sortedMap[K comparable, V any](m map[K]V, less func(a, b K) int) []V {
	ks := make([]K, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, less)
	out := make([]V, len(ks))
	for i, k := range ks {
		out[i] = m[k]
	}
	return out
}

// rows builds the parameters, in key order so that a batch touches nearby
// index entries and runs are reproducible.
func (c *changes) rows() *writeRows {
	w := &writeRows{}
	for _, r := range sortedMap(c.Territories, strings.Compare) {
		w.territories = append(w.territories, map[string]any(territoryProps(r)))
	}
	for _, r := range sortedMap(c.Hospitals, strings.Compare) {
		w.hospitals = append(w.hospitals, map[string]any(hospitalProps(r)))
	}
	for _, r := range sortedMap(c.Departments, strings.Compare) {
		w.departments = append(w.departments, map[string]any(departmentProps(r)))
	}
	for _, r := range sortedMap(c.HCPs, strings.Compare) {
		w.hcps = append(w.hcps, map[string]any(hcpProps(r)))
		if r.IsKOL() {
			w.kol = append(w.kol, r.ID)
		} else {
			w.notKOL = append(w.notKOL, r.ID)
		}
	}
	for _, r := range sortedMap(c.Committees, strings.Compare) {
		w.committees = append(w.committees, map[string]any(committeeProps(r)))
	}
	for _, r := range sortedMap(c.Products, strings.Compare) {
		w.products = append(w.products, map[string]any(productProps(r)))
	}
	for _, r := range sortedMap(c.Users, strings.Compare) {
		w.users = append(w.users, map[string]any(userProps(r)))
	}
	for _, r := range sortedMap(c.AccountPlans, strings.Compare) {
		w.plans = append(w.plans, map[string]any(accountPlanProps(r)))
	}
	w.facts = c.factRows()
	w.owners = c.ownerRows()
	for _, r := range sortedMap(c.Activities, strings.Compare) {
		w.activities = append(w.activities, map[string]any(activityProps(r)))
	}
	for _, r := range sortedMap(c.Interactions, strings.Compare) {
		w.interactions = append(w.interactions, map[string]any(interactionProps(r)))
	}
	for _, r := range sortedMap(c.Memberships, func(a, b kolgraph.MembershipKey) int {
		return cmpPair(a.HCPID, a.CommitteeID, b.HCPID, b.CommitteeID)
	}) {
		w.memberships = append(w.memberships, map[string]any(membershipRow(r)))
	}
	for _, r := range sortedMap(c.Listings, func(a, b kolgraph.ListingKey) int {
		return cmpPair(a.HospitalID, a.ProductID, b.HospitalID, b.ProductID)
	}) {
		w.listings = append(w.listings, map[string]any(listingRow(r)))
	}
	for _, r := range sortedMap(c.IndicationShares, func(a, b kolgraph.ProductShareKey) int {
		return cmpPair(a.DepartmentID, a.ProductID, b.DepartmentID, b.ProductID)
	}) {
		w.shares = append(w.shares, map[string]any(shareRow(r)))
	}
	for _, r := range sortedMap(c.Knows, func(a, b kolgraph.KnowsKey) int {
		return cmpPair(a.UserID, a.HCPID, b.UserID, b.HCPID)
	}) {
		w.knows = append(w.knows, map[string]any(knowsRow(r)))
	}
	for _, r := range sortedMap(c.Influences, func(a, b kolgraph.EdgeKey) int {
		return cmpPair(a.From, a.To, b.From, b.To)
	}) {
		w.influences = append(w.influences, map[string]any(influenceRow(r)))
	}
	return w
}

func cmpPair(a1, a2, b1, b2 string) int {
	if c := strings.Compare(a1, b1); c != 0 {
		return c
	}
	return strings.Compare(a2, b2)
}

// relType describes one relationship type for the generic statements.
type relType struct {
	typ, from, to string
	props         []string // property names, in the rows under the same names
}

var (
	memberOf   = relType{"MEMBER_OF", "HCP", "Committee", []string{"role"}}
	lists      = relType{"LISTS", "Hospital", "Product", []string{"status", "since", "keyMonitoring", "nationalInsurance"}}
	treats     = relType{"TREATS", "Department", "Product", []string{"share"}}
	knowsRel   = relType{"KNOWS", "User", "HCP", []string{"strength"}}
	influences = relType{"INFLUENCES", "HCP", "HCP", []string{"weight", "kind", "evidence", "updatedAt"}}
	partOf     = relType{"PART_OF", "Department", "Hospital", nil}
	worksIn    = relType{"WORKS_IN", "HCP", "Department", nil}
	governs    = relType{"GOVERNS", "Committee", "Hospital", nil}
)

func (r relType) match() string {
	return "MATCH (a:" + r.from + " {id: k.a})-[r:" + r.typ + "]->(b:" + r.to + " {id: k.b})"
}

// deleteStmt deletes the relationships whose end ids are in $rows.
func (r relType) deleteStmt() string { return "UNWIND $rows AS k " + r.match() + " DELETE r" }

// mergeStmt creates or updates the relationships in $rows (k.a, k.b: the
// ends' ids), replacing all their properties. settled says whether every
// end of every row is a node that this transaction has not written.
//
// Two shapes, because of NornicDB v1.2.3, whose UNWIND fast paths look
// nodes up in the committed index, which does not yet hold the nodes the
// transaction itself wrote:
//
//   - `MATCH (a {id: k.a}) MATCH (b {id: k.b}) MERGE (a)-[r]->(b)` runs
//     on such a fast path (under a millisecond a row) but silently writes
//     nothing when an end was written earlier in the transaction;
//   - `MATCH (a {id: k.a}), (b {id: k.b}) MERGE (a)-[r]->(b)` is correct
//     for every node, but NornicDB runs it row by row with label scans
//     (which is why bulk writes stage their new nodes first: see staging).
//
// Both are plain Cypher with the same meaning on Neo4j, where they cost the
// same.
func (r relType) mergeStmt(settled bool) string {
	sep := ") MATCH (b:"
	if !settled {
		sep = "), (b:"
	}
	q := "UNWIND $rows AS k MATCH (a:" + r.from + " {id: k.a}" + sep + r.to + " {id: k.b}) MERGE (a)-[r:" + r.typ + "]->(b)"
	for i, p := range r.props {
		if i == 0 {
			q += " SET "
		} else {
			q += ", "
		}
		q += "r." + p + " = k." + p
	}
	return q
}

// mergeRels upserts the relationships rows (maps with "a", "b" and the
// properties), each with the statement shape its ends allow.
func (s *Store) mergeRels(ctx context.Context, tx neo4j.ManagedTransaction, rel relType, rows []map[string]any, settled func(id string) bool, st *staging) error {
	var fast, slow []any
	for _, row := range rows {
		a, b := row["a"].(string), row["b"].(string)
		if st.done(rel.typ, a, b) {
			continue // written with the staged nodes
		}
		if settled(a) && settled(b) {
			fast = append(fast, row)
		} else {
			slow = append(slow, row)
		}
	}
	if err := s.batches(ctx, tx, rel.mergeStmt(true), fast); err != nil {
		return err
	}
	return s.batches(ctx, tx, rel.mergeStmt(false), slow)
}

// batches runs stmt with $rows set to consecutive batches of rows, and
// any further parameters given as name, value pairs.
func (s *Store) batches(ctx context.Context, tx neo4j.ManagedTransaction, stmt string, rows []any, more ...any) error {
	return chunks(rows, s.cfg.BatchSize, func(batch []any) error {
		p := map[string]any{"rows": batch}
		for i := 0; i+1 < len(more); i += 2 {
			p[more[i].(string)] = more[i+1]
		}
		return exec1(ctx, tx, stmt, p)
	})
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func pairRows[K any](keys []K, pair func(K) (string, string)) []any {
	out := make([]any, len(keys))
	for i, k := range keys {
		a, b := pair(k)
		out[i] = map[string]any{"a": a, "b": b}
	}
	return out
}

// writeChanges performs the validated change: relationship deletions, node
// deletions (detaching what touches them), node upserts, structural
// relationships, relationship upserts.
func (s *Store) writeChanges(ctx context.Context, tx neo4j.ManagedTransaction, c *changes, w *writeRows, b *before, st *staging) error {
	// Relationships deleted by key.
	for _, d := range []struct {
		rel  relType
		rows []any
	}{
		{memberOf, pairRows(c.delMemberships, func(k kolgraph.MembershipKey) (string, string) { return k.HCPID, k.CommitteeID })},
		{lists, pairRows(c.delListings, func(k kolgraph.ListingKey) (string, string) { return k.HospitalID, k.ProductID })},
		{treats, pairRows(c.delShares, func(k kolgraph.ProductShareKey) (string, string) { return k.DepartmentID, k.ProductID })},
		{knowsRel, pairRows(c.delKnows, func(k kolgraph.KnowsKey) (string, string) { return k.UserID, k.HCPID })},
		{influences, pairRows(c.delInfluences, func(k kolgraph.EdgeKey) (string, string) { return k.From, k.To })},
	} {
		if err := s.batches(ctx, tx, d.rel.deleteStmt(), d.rows); err != nil {
			return err
		}
	}

	// Nodes deleted, with every relationship that touches them. Only ids
	// that exist are sent: deleting an unknown id is a no-op. A node that
	// the change set also upserts is replaced: it keeps its identity but
	// loses every relationship, and the upsert below rewrites all its
	// properties, which is what deleting and re-creating it means.
	// (Deleting and re-creating one id in one transaction also trips a
	// NornicDB index bug; see deleteNodes.)
	for _, d := range []struct {
		label    string
		ids      []string
		upserted func(string) bool
	}{
		{"HCP", present(c.DelHCPs, has(b.hcps)), has(c.HCPs)},
		{"Committee", present(c.DelCommittees, has(b.committees)), has(c.Committees)},
		{"Department", present(c.DelDepartments, has(b.departments)), has(c.Departments)},
		{"Hospital", present(c.DelHospitals, b.hospitals.Has), has(c.Hospitals)},
		{"Territory", present(c.DelTerritories, b.territories.Has), has(c.Territories)},
		{"Product", present(c.DelProducts, b.products.Has), has(c.Products)},
		{"User", present(c.DelUsers, b.users.Has), has(c.Users)},
		{"AccountPlan", present(c.DelAccountPlans, has(b.plans)), has(c.AccountPlans)},
		{"Interaction", c.deletedInteractions(b), has(c.Interactions)},
		{"Activity", present(c.DelActivities, b.activities.Has), has(c.Activities)},
	} {
		var gone, replaced []string
		for _, id := range d.ids {
			if d.upserted(id) {
				replaced = append(replaced, id)
			} else {
				gone = append(gone, id)
			}
		}
		if err := detachNodes(ctx, tx, s, d.label, replaced); err != nil {
			return err
		}
		if err := deleteNodes(ctx, tx, s, d.label, gone); err != nil {
			return err
		}
	}

	// Prescription facts: those deleted, with their deleted HCP,
	// department or product, and those upserted.
	if err := s.writeFacts(ctx, tx, c, w.facts); err != nil {
		return err
	}
	// Account owners: those deleted, with their deleted account or user,
	// and those upserted.
	if err := s.writeOwners(ctx, tx, c, w.owners); err != nil {
		return err
	}

	// Nodes upserted (those staged are written already).
	if err := s.upsertNodes(ctx, tx, w, b, st); err != nil {
		return err
	}
	settled := func(id string) bool { return c.untouched(id) || st.has(id) }

	// Structural relationships follow the parent ids.
	if err := relink(ctx, tx, s, settled, st, partOf, c.DelDepartments, b.departments,
		sortedMap(c.Departments, strings.Compare), func(d *kolgraph.Department) (string, string) { return d.ID, d.HospitalID }); err != nil {
		return err
	}
	if err := relink(ctx, tx, s, settled, st, worksIn, c.DelHCPs, b.hcps,
		sortedMap(c.HCPs, strings.Compare), func(h *kolgraph.HCP) (string, string) { return h.ID, h.DepartmentID }); err != nil {
		return err
	}
	if err := relink(ctx, tx, s, settled, st, governs, c.DelCommittees, b.committees,
		sortedMap(c.Committees, strings.Compare), func(m *kolgraph.Committee) (string, string) { return m.ID, m.HospitalID }); err != nil {
		return err
	}

	// Relationships upserted.
	for _, u := range []struct {
		rel  relType
		rows []map[string]any
	}{
		{memberOf, w.memberships}, {lists, w.listings}, {treats, w.shares}, {knowsRel, w.knows}, {influences, w.influences},
	} {
		if err := s.mergeRels(ctx, tx, u.rel, u.rows, settled, st); err != nil {
			return err
		}
	}
	return nil
}

// upsertNodes writes the upserted nodes: MERGE by id, then SET n = row
// replaces every property (a property missing from the row is removed).
// Then the KOL labels follow the records.
func (s *Store) upsertNodes(ctx context.Context, tx neo4j.ManagedTransaction, w *writeRows, b *before, st *staging) error {
	for _, u := range w.nodes() {
		var rows []any
		for _, r := range u.rows {
			if !st.has(r.(map[string]any)["id"].(string)) {
				rows = append(rows, r)
			}
		}
		if err := s.batches(ctx, tx, "UNWIND $rows AS r MERGE (n:"+u.label+" {id: r.id}) SET n = r", rows); err != nil {
			return err
		}
	}
	var kol []string
	for _, id := range w.kol {
		if !st.has(id) {
			kol = append(kol, id)
		}
	}
	if err := s.batches(ctx, tx, "MATCH (n:HCP) WHERE n.id IN $rows SET n:KOL", anys(kol)); err != nil {
		return err
	}
	var wasThere []string // only nodes that existed can carry a stale KOL label
	for _, id := range w.notKOL {
		if _, ok := b.hcps[id]; ok { // existing, or replaced (kept, see writeChanges)
			wasThere = append(wasThere, id)
		}
	}
	return s.batches(ctx, tx, "MATCH (n:HCP) WHERE n.id IN $rows REMOVE n:KOL", anys(wasThere))
}

// nodeRows are the upserted nodes of one label.
type nodeRows struct {
	label string
	rows  []any
}

// nodes lists the upserted nodes by label, parents before children.
func (w *writeRows) nodes() []nodeRows {
	return []nodeRows{
		{"Territory", w.territories}, {"Hospital", w.hospitals}, {"Department", w.departments},
		{"HCP", w.hcps}, {"Committee", w.committees}, {"Product", w.products}, {"User", w.users},
		{"AccountPlan", w.plans}, {"Interaction", w.interactions}, {"Activity", w.activities},
	}
}

func present(del kolgraph.IDSet, have func(string) bool) []string {
	var out []string
	for _, id := range del.Sorted() {
		if have(id) {
			out = append(out, id)
		}
	}
	return out
}

// relink keeps a structural relationship (child)-[:T]->(parent) in step
// with the upserted children's parent ids: it removes the old relationship
// of a child whose parent changed, and creates the relationship of every
// child that is new, recreated or moved. A child whose parent did not
// change keeps its relationship untouched.
func relink[T any](ctx context.Context, tx neo4j.ManagedTransaction, s *Store, settled func(string) bool, st *staging, rel relType, deleted kolgraph.IDSet, old map[string]string,
	children []T, link func(T) (child, parent string)) error {
	var unlink []any
	var create []map[string]any
	for _, ch := range children {
		id, parent := link(ch)
		was, existed := old[id]
		existed = existed && !deleted.Has(id)
		if existed && was == parent {
			continue
		}
		if existed {
			unlink = append(unlink, map[string]any{"a": id})
		}
		create = append(create, map[string]any{"a": id, "b": parent})
	}
	stmt := "UNWIND $rows AS k MATCH (a:" + rel.from + " {id: k.a})-[r:" + rel.typ + "]->(:" + rel.to + ") DELETE r"
	if err := s.batches(ctx, tx, stmt, unlink); err != nil {
		return err
	}
	return s.mergeRels(ctx, tx, rel, create, settled, st)
}

// deleteNodes deletes the nodes of label with the given ids, and every
// relationship that touches them, in two steps: first the id is removed
// (tombstoning the node), then the tombstones are deleted. NornicDB
// (v1.2.3) keeps a stale entry in its property index when a node is deleted
// with its id still set, so that a node later created with the same id is
// invisible to keyed lookups (`{id: $id}`) and a MERGE by that id creates a
// duplicate; removing the property first keeps its index right. On Neo4j
// the two steps cost the same as one.
func deleteNodes(ctx context.Context, tx neo4j.ManagedTransaction, s *Store, label string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	// The tombstone is this call's own, so that the second step deletes
	// exactly these nodes.
	var mark [8]byte
	_, _ = rand.Read(mark[:])
	m := hex.EncodeToString(mark[:])
	if err := s.batches(ctx, tx, "MATCH (n:"+label+") WHERE n.id IN $rows SET n.kolgraphDeleted = $mark REMOVE n.id", anys(ids), "mark", m); err != nil {
		return err
	}
	return exec1(ctx, tx, "MATCH (n:"+label+") WHERE n.kolgraphDeleted = $mark DETACH DELETE n", map[string]any{"mark": m})
}

// detachNodes deletes every relationship of the nodes of label with the
// given ids, keeping the nodes.
func detachNodes(ctx context.Context, tx neo4j.ManagedTransaction, s *Store, label string, ids []string) error {
	for _, stmt := range []string{
		"UNWIND $rows AS id MATCH (n:" + label + " {id: id})-[r]->() DELETE r",
		"UNWIND $rows AS id MATCH (n:" + label + " {id: id})<-[r]-() DELETE r",
	} {
		if err := s.batches(ctx, tx, stmt, anys(ids)); err != nil {
			return err
		}
	}
	return nil
}

func has[V any](m map[string]V) func(string) bool {
	return func(id string) bool { _, ok := m[id]; return ok }
}

// keysOf returns the keys of m as a set.
func keysOf[V any](m map[string]V) set {
	out := make(set, len(m))
	for k := range m {
		out.Add(k)
	}
	return out
}
