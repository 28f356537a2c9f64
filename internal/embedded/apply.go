package embedded

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// maxProblems bounds the problems one rejected change set reports; a bad
// bulk import would otherwise produce one per record.
const maxProblems = 1000

// Apply validates cs against the current graph, writes it in one bbolt
// transaction and then updates the read model; see kolgraph.ChangeSet for
// the rules. Cost: O(size of cs + relationships of deleted nodes) to
// validate and update memory, plus bbolt's O(k log n) puts and a commit.
func (s *Store) Apply(ctx context.Context, cs *kolgraph.ChangeSet) (uint64, error) {
	if cs == nil {
		return 0, kolgraph.Errorf(kolgraph.EINVALID, "no change set")
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed.Load() {
		return 0, errClosed()
	}
	// Only Apply mutates s.g, and we hold wmu: reading it without s.mu is
	// safe and lets readers carry on while we validate and write.
	g := s.g
	if cs.IfVersion != nil && *cs.IfVersion != g.version {
		return 0, fmt.Errorf("embedded: at version %d, not %d: %w", g.version, *cs.IfVersion, kolgraph.ErrStale)
	}
	c, err := plan(g, cs)
	if err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	version := g.version + 1
	at := s.auditTime()
	if err := s.write(c, version, at, cs.Audit); err != nil {
		return 0, err
	}
	if len(cs.Audit) > 0 {
		s.lastAuditAt = at
	}
	// The commit succeeded: memory must follow, and nothing below can fail.
	s.mu.Lock()
	c.applyTo(g)
	g.version = version
	g.seal()
	s.mu.Unlock()
	return version, nil
}

// changes is a validated ChangeSet resolved against the graph: the winning
// upsert per key (deep copies; a later duplicate in cs replaces an earlier
// one) and the deletions, including relationships detached from deleted
// nodes, restricted to what exists.
type changes struct {
	territories map[string]*kolgraph.Territory
	hospitals   map[string]*kolgraph.Hospital
	departments map[string]*kolgraph.Department
	hcps        map[string]*kolgraph.HCP
	committees  map[string]*kolgraph.Committee
	products    map[string]*kolgraph.Product
	users       map[string]*kolgraph.User
	memberships map[kolgraph.MembershipKey]kolgraph.Membership
	listings    map[kolgraph.ListingKey]kolgraph.Listing
	knows       map[kolgraph.KnowsKey]kolgraph.Knows
	influences  map[kolgraph.EdgeKey]*kolgraph.Influence

	delTerritories, delHospitals, delDepartments, delHCPs set[string]
	delCommittees, delProducts, delUsers                  set[string]
	delMemberships                                        set[kolgraph.MembershipKey]
	delListings                                           set[kolgraph.ListingKey]
	delKnows                                              set[kolgraph.KnowsKey]
	delInfluences                                         set[kolgraph.EdgeKey]
}

type set[K comparable] map[K]struct{}

func (s set[K]) has(k K) bool { _, ok := s[k]; return ok }

// existing returns the keys of ks that are present in m.
func existing[K comparable, V any](ks []K, m map[K]V) set[K] {
	out := make(set[K], len(ks))
	for _, k := range ks {
		if _, ok := m[k]; ok {
			out[k] = struct{}{}
		}
	}
	return out
}

// problems collects what is wrong with a change set, naming each record as
// "<kind>/<id>" in Problem.File.
type problems struct{ ps []kolgraph.Problem }

func (p *problems) add(file, field, format string, args ...any) {
	if len(p.ps) == maxProblems {
		p.ps = append(p.ps, kolgraph.Problem{Message: "too many problems; stopped here"})
	}
	if len(p.ps) > maxProblems {
		return
	}
	p.ps = append(p.ps, kolgraph.Problem{File: file, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (p *problems) fields(file string, ps []kolgraph.Problem) {
	for _, q := range ps {
		p.add(file, q.Field, "%s", q.Message)
	}
}

func recName(kind, id string, i int) string {
	if id == "" {
		return fmt.Sprintf("%s[%d]", kind, i)
	}
	return kind + "/" + id
}

func pairName(kind, a, b string) string { return kind + "/" + a + "->" + b }

// plan checks cs in three passes, each returning on its own problems:
// fields of every record (EINVALID), deletions that would orphan dependants
// (ECONFLICT), references in the graph as it will be after the change
// (EINVALID). Deletions come first, then upserts, so a record deleted and
// upserted in one change set is replaced and loses its relationships.
func plan(g *graph, cs *kolgraph.ChangeSet) (*changes, error) {
	if err := cs.CheckFields(); err != nil {
		return nil, err
	}
	d := &cs.Delete
	c := &changes{
		territories: make(map[string]*kolgraph.Territory, len(cs.Territories)),
		hospitals:   make(map[string]*kolgraph.Hospital, len(cs.Hospitals)),
		departments: make(map[string]*kolgraph.Department, len(cs.Departments)),
		hcps:        make(map[string]*kolgraph.HCP, len(cs.HCPs)),
		committees:  make(map[string]*kolgraph.Committee, len(cs.Committees)),
		products:    make(map[string]*kolgraph.Product, len(cs.Products)),
		users:       make(map[string]*kolgraph.User, len(cs.Users)),
		memberships: make(map[kolgraph.MembershipKey]kolgraph.Membership, len(cs.Memberships)),
		listings:    make(map[kolgraph.ListingKey]kolgraph.Listing, len(cs.Listings)),
		knows:       make(map[kolgraph.KnowsKey]kolgraph.Knows, len(cs.Knows)),
		influences:  make(map[kolgraph.EdgeKey]*kolgraph.Influence, len(cs.Influences)),

		delTerritories: existing(d.Territories, g.territories),
		delHospitals:   existing(d.Hospitals, g.hospitals),
		delDepartments: existing(d.Departments, g.departments),
		delHCPs:        existing(d.HCPs, g.hcps),
		delCommittees:  existing(d.Committees, g.committees),
		delProducts:    existing(d.Products, g.products),
		delUsers:       existing(d.Users, g.users),
		delMemberships: existing(d.Memberships, g.memberships),
		delListings:    existing(d.Listings, g.listings),
		delKnows:       existing(d.Knows, g.knows),
		delInfluences:  existing(d.Influences, g.influences),
	}
	for _, r := range cs.Territories {
		c.territories[r.ID] = cloneTerritory(r)
	}
	for _, r := range cs.Hospitals {
		c.hospitals[r.ID] = cloneHospital(r)
	}
	for _, r := range cs.Departments {
		c.departments[r.ID] = cloneDepartment(r)
	}
	for _, r := range cs.HCPs {
		c.hcps[r.ID] = cloneHCP(r)
	}
	for _, r := range cs.Committees {
		c.committees[r.ID] = cloneCommittee(r)
	}
	for _, r := range cs.Products {
		c.products[r.ID] = cloneProduct(r)
	}
	for _, r := range cs.Users {
		c.users[r.ID] = cloneUser(r)
	}
	for _, r := range cs.Memberships {
		c.memberships[kolgraph.MembershipKey{HCPID: r.HCPID, CommitteeID: r.CommitteeID}] = r
	}
	for _, r := range cs.Listings {
		c.listings[kolgraph.ListingKey{HospitalID: r.HospitalID, ProductID: r.ProductID}] = r
	}
	for _, r := range cs.Knows {
		c.knows[kolgraph.KnowsKey{UserID: r.UserID, HCPID: r.HCPID}] = r
	}
	for _, r := range cs.Influences {
		c.influences[r.Key()] = cloneInfluence(r)
	}

	if err := c.checkConflicts(g); err != nil {
		return nil, err
	}
	if err := c.checkReferences(g); err != nil {
		return nil, err
	}
	c.detach(g)
	return c, nil
}

// checkConflicts refuses to delete a hospital that still has departments or
// committees, or a department that still has HCPs, unless those are deleted
// too. Dependants are those of the graph before the change: moving one away
// in the same change set does not count, as deletions come first.
func (c *changes) checkConflicts(g *graph) error {
	var p problems
	for _, h := range sortedKeys(c.delHospitals) {
		for _, d := range g.deptsByHospital.get(h) {
			if !c.delDepartments.has(d) {
				p.add(bHospitals+"/"+h, "", "still has department %s; delete it in the same change set", d)
			}
		}
		for _, m := range g.committeesByHospital.get(h) {
			if !c.delCommittees.has(m) {
				p.add(bHospitals+"/"+h, "", "still has committee %s; delete it in the same change set", m)
			}
		}
	}
	for _, d := range sortedKeys(c.delDepartments) {
		for _, h := range g.hcpsByDept.get(d) {
			if !c.delHCPs.has(h) {
				p.add(bDepartments+"/"+d, "", "still has HCP %s; delete it in the same change set", h)
			}
		}
	}
	if len(p.ps) == 0 {
		return nil
	}
	msg := p.ps[0].String()
	if len(p.ps) > 1 {
		msg = fmt.Sprintf("%d problems; first: %s", len(p.ps), msg)
	}
	return &kolgraph.Error{Code: kolgraph.ECONFLICT, Message: "cannot delete: " + msg, Problems: p.ps}
}

// The *After lookups see the graph as it will be after the change.

func (c *changes) territoryAfter(g *graph, id string) bool {
	if _, ok := c.territories[id]; ok {
		return true
	}
	_, ok := g.territories[id]
	return ok && !c.delTerritories.has(id)
}

func (c *changes) hospitalAfter(g *graph, id string) bool {
	if _, ok := c.hospitals[id]; ok {
		return true
	}
	_, ok := g.hospitals[id]
	return ok && !c.delHospitals.has(id)
}

func (c *changes) departmentAfter(g *graph, id string) *kolgraph.Department {
	if d, ok := c.departments[id]; ok {
		return d
	}
	if c.delDepartments.has(id) {
		return nil
	}
	return g.departments[id]
}

func (c *changes) hcpAfter(g *graph, id string) bool {
	if _, ok := c.hcps[id]; ok {
		return true
	}
	_, ok := g.hcps[id]
	return ok && !c.delHCPs.has(id)
}

func (c *changes) committeeAfter(g *graph, id string) bool {
	if _, ok := c.committees[id]; ok {
		return true
	}
	_, ok := g.committees[id]
	return ok && !c.delCommittees.has(id)
}

func (c *changes) productAfter(g *graph, id string) bool {
	if _, ok := c.products[id]; ok {
		return true
	}
	_, ok := g.products[id]
	return ok && !c.delProducts.has(id)
}

func (c *changes) userAfter(g *graph, id string) bool {
	if _, ok := c.users[id]; ok {
		return true
	}
	_, ok := g.users[id]
	return ok && !c.delUsers.has(id)
}

// checkReferences checks that every reference of an upserted record
// resolves after the change, and that untouched records stay consistent:
// hospitals of a deleted territory, HCPs of a department that moves to
// another hospital. Problems are sorted by record so that they are
// reported deterministically.
func (c *changes) checkReferences(g *graph) error {
	var p problems
	missing := func(file, field, kind, id string) {
		p.add(file, field, "references %s %q, which does not exist after this change set", kind, id)
	}
	for id, h := range c.hospitals {
		if h.TerritoryID != "" && !c.territoryAfter(g, h.TerritoryID) {
			missing(bHospitals+"/"+id, "territory_id", "territory", h.TerritoryID)
		}
	}
	for id, d := range c.departments {
		if !c.hospitalAfter(g, d.HospitalID) {
			missing(bDepartments+"/"+id, "hospital_id", "hospital", d.HospitalID)
		}
	}
	for id, h := range c.hcps {
		switch d := c.departmentAfter(g, h.DepartmentID); {
		case d == nil:
			missing(bHCPs+"/"+id, "department_id", "department", h.DepartmentID)
		case d.HospitalID != h.HospitalID:
			p.add(bHCPs+"/"+id, "hospital_id", "is %q but department %s belongs to hospital %q",
				h.HospitalID, d.ID, d.HospitalID)
		}
	}
	for id, m := range c.committees {
		if !c.hospitalAfter(g, m.HospitalID) {
			missing(bCommittees+"/"+id, "hospital_id", "hospital", m.HospitalID)
		}
	}
	for k := range c.memberships {
		name := pairName(bMemberships, k.HCPID, k.CommitteeID)
		if !c.hcpAfter(g, k.HCPID) {
			missing(name, "hcp_id", "HCP", k.HCPID)
		}
		if !c.committeeAfter(g, k.CommitteeID) {
			missing(name, "committee_id", "committee", k.CommitteeID)
		}
	}
	for k := range c.listings {
		name := pairName(bListings, k.HospitalID, k.ProductID)
		if !c.hospitalAfter(g, k.HospitalID) {
			missing(name, "hospital_id", "hospital", k.HospitalID)
		}
		if !c.productAfter(g, k.ProductID) {
			missing(name, "product_id", "product", k.ProductID)
		}
	}
	for k := range c.knows {
		name := pairName(bKnows, k.UserID, k.HCPID)
		if !c.userAfter(g, k.UserID) {
			missing(name, "user_id", "user", k.UserID)
		}
		if !c.hcpAfter(g, k.HCPID) {
			missing(name, "hcp_id", "HCP", k.HCPID)
		}
	}
	for k := range c.influences {
		name := pairName(bInfluences, k.From, k.To)
		if !c.hcpAfter(g, k.From) {
			missing(name, "from", "HCP", k.From)
		}
		if !c.hcpAfter(g, k.To) {
			missing(name, "to", "HCP", k.To)
		}
	}

	// Untouched records whose references this change set breaks.
	for _, t := range sortedKeys(c.delTerritories) {
		if _, back := c.territories[t]; back {
			continue
		}
		for _, h := range g.hospitalsByTerritory.get(t) {
			if _, up := c.hospitals[h]; up || c.delHospitals.has(h) {
				continue // upserts were checked above; deleted ones are gone
			}
			p.add(bHospitals+"/"+h, "territory_id",
				"references territory %q, which this change set deletes; move or delete the hospital too", t)
		}
	}
	for id, d := range c.departments {
		old, ok := g.departments[id]
		if !ok || c.delDepartments.has(id) || old.HospitalID == d.HospitalID {
			continue
		}
		for _, h := range g.hcpsByDept.get(id) {
			if _, up := c.hcps[h]; up || c.delHCPs.has(h) {
				continue
			}
			p.add(bHCPs+"/"+h, "hospital_id",
				"is %q but its department %s moves to hospital %q in this change set; upsert the HCP too",
				g.hcps[h].rec.HospitalID, id, d.HospitalID)
		}
	}
	// Sort what was collected; a "too many" marker stays last.
	slices.SortStableFunc(p.ps[:min(len(p.ps), maxProblems)], func(a, b kolgraph.Problem) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return strings.Compare(a.Field, b.Field)
	})
	return kolgraph.Invalid(p.ps)
}

// detach adds to the deletions every stored relationship that touches a
// deleted HCP, committee, product, user or hospital (a hospital can only be
// deleted without departments and committees, so only listings remain).
func (c *changes) detach(g *graph) {
	for h := range c.delHCPs {
		for _, m := range g.membershipsByHCP.get(h) {
			c.delMemberships[kolgraph.MembershipKey{HCPID: h, CommitteeID: m}] = struct{}{}
		}
		for _, u := range g.knowsByHCP.get(h) {
			c.delKnows[kolgraph.KnowsKey{UserID: u, HCPID: h}] = struct{}{}
		}
		for _, to := range g.influencesOut.get(h) {
			c.delInfluences[kolgraph.EdgeKey{From: h, To: to}] = struct{}{}
		}
		for _, from := range g.influencesIn.get(h) {
			c.delInfluences[kolgraph.EdgeKey{From: from, To: h}] = struct{}{}
		}
	}
	for m := range c.delCommittees {
		for _, h := range g.membershipsByComm.get(m) {
			c.delMemberships[kolgraph.MembershipKey{HCPID: h, CommitteeID: m}] = struct{}{}
		}
	}
	for p := range c.delProducts {
		for _, h := range g.listingsByProduct.get(p) {
			c.delListings[kolgraph.ListingKey{HospitalID: h, ProductID: p}] = struct{}{}
		}
	}
	for h := range c.delHospitals {
		for _, p := range g.listingsByHospital.get(h) {
			c.delListings[kolgraph.ListingKey{HospitalID: h, ProductID: p}] = struct{}{}
		}
	}
	for u := range c.delUsers {
		for _, h := range g.knowsByUser.get(u) {
			c.delKnows[kolgraph.KnowsKey{UserID: u, HCPID: h}] = struct{}{}
		}
	}
}

// applyTo replays the changes on the read model: relationships, then nodes
// deleted, then nodes and relationships upserted, as the bbolt write did.
func (c *changes) applyTo(g *graph) {
	for k := range c.delMemberships {
		g.delMembership(k)
	}
	for k := range c.delListings {
		g.delListing(k)
	}
	for k := range c.delKnows {
		g.delKnows(k)
	}
	for k := range c.delInfluences {
		g.delInfluence(k)
	}
	for id := range c.delHCPs {
		g.delHCP(id)
	}
	for id := range c.delCommittees {
		g.delCommittee(id)
	}
	for id := range c.delDepartments {
		g.delDepartment(id)
	}
	for id := range c.delHospitals {
		g.delHospital(id)
	}
	for id := range c.delTerritories {
		g.delTerritory(id)
	}
	for id := range c.delProducts {
		g.delProduct(id)
	}
	for id := range c.delUsers {
		g.delUser(id)
	}
	for _, r := range c.territories {
		g.putTerritory(r)
	}
	for _, r := range c.hospitals {
		g.putHospital(r)
	}
	for _, r := range c.departments {
		g.putDepartment(r)
	}
	for _, r := range c.hcps {
		g.putHCP(r)
	}
	for _, r := range c.committees {
		g.putCommittee(r)
	}
	for _, r := range c.products {
		g.putProduct(r)
	}
	for _, r := range c.users {
		g.putUser(r)
	}
	for _, r := range c.memberships {
		g.putMembership(r)
	}
	for _, r := range c.listings {
		g.putListing(r)
	}
	for _, r := range c.knows {
		g.putKnows(r)
	}
	for _, r := range c.influences {
		g.putInfluence(r)
	}
}

// bulkPuts is the batch size from which a bucket's pages are filled to 90%
// instead of bbolt's 50%: a large batch is mostly appended in key order
// (an import), and half-empty pages would double the file and the write.
const bulkPuts = 1024

// kv is one encoded record.
type kv struct{ k, v []byte }

// write encodes the changes and stores them with the new version in one
// bbolt transaction. Records are encoded back to back into one buffer
// (bbolt only needs values to live until the commit). Puts are sorted by
// key: bbolt appends in order far faster than it inserts at random.
func (s *Store) write(c *changes, version uint64, at time.Time, audit []kolgraph.AuditEntry) error {
	dels := map[string][][]byte{}
	puts := map[string][]kv{}
	var buf []byte
	put := func(bucket string, k []byte, appendRec func([]byte) []byte) {
		start := len(buf)
		buf = appendRec(buf)
		puts[bucket] = append(puts[bucket], kv{k, buf[start:len(buf):len(buf)]})
	}
	delIDs := func(bucket string, ids set[string]) {
		for id := range ids {
			dels[bucket] = append(dels[bucket], []byte(id))
		}
	}
	delIDs(bTerritories, c.delTerritories)
	delIDs(bHospitals, c.delHospitals)
	delIDs(bDepartments, c.delDepartments)
	delIDs(bHCPs, c.delHCPs)
	delIDs(bCommittees, c.delCommittees)
	delIDs(bProducts, c.delProducts)
	delIDs(bUsers, c.delUsers)
	for k := range c.delMemberships {
		dels[bMemberships] = append(dels[bMemberships], pairKey(k.HCPID, k.CommitteeID))
	}
	for k := range c.delListings {
		dels[bListings] = append(dels[bListings], pairKey(k.HospitalID, k.ProductID))
	}
	for k := range c.delKnows {
		dels[bKnows] = append(dels[bKnows], pairKey(k.UserID, k.HCPID))
	}
	for k := range c.delInfluences {
		dels[bInfluences] = append(dels[bInfluences], pairKey(k.From, k.To))
	}
	for id, r := range c.territories {
		put(bTerritories, []byte(id), func(b []byte) []byte { return appendTerritory(b, r) })
	}
	for id, r := range c.hospitals {
		put(bHospitals, []byte(id), func(b []byte) []byte { return appendHospital(b, r) })
	}
	for id, r := range c.departments {
		put(bDepartments, []byte(id), func(b []byte) []byte { return appendDepartment(b, r) })
	}
	for id, r := range c.hcps {
		put(bHCPs, []byte(id), func(b []byte) []byte { return appendHCP(b, r) })
	}
	for id, r := range c.committees {
		put(bCommittees, []byte(id), func(b []byte) []byte { return appendCommittee(b, r) })
	}
	for id, r := range c.products {
		put(bProducts, []byte(id), func(b []byte) []byte { return appendProduct(b, r) })
	}
	for id, r := range c.users {
		put(bUsers, []byte(id), func(b []byte) []byte { return appendUser(b, r) })
	}
	for k, r := range c.memberships {
		put(bMemberships, pairKey(k.HCPID, k.CommitteeID), func(b []byte) []byte { return appendMembership(b, r) })
	}
	for k, r := range c.listings {
		put(bListings, pairKey(k.HospitalID, k.ProductID), func(b []byte) []byte { return appendListing(b, r) })
	}
	for k, r := range c.knows {
		put(bKnows, pairKey(k.UserID, k.HCPID), func(b []byte) []byte { return appendKnows(b, r) })
	}
	for k, r := range c.influences {
		put(bInfluences, pairKey(k.From, k.To), func(b []byte) []byte { return appendInfluence(b, r) })
	}
	for _, kvs := range puts {
		slices.SortFunc(kvs, func(a, b kv) int { return bytes.Compare(a.k, b.k) })
	}

	err := s.db.Update(func(tx *bolt.Tx) error {
		for name, keys := range dels {
			b := tx.Bucket([]byte(name))
			for _, k := range keys {
				if err := b.Delete(k); err != nil {
					return fmt.Errorf("delete %s/%q: %w", name, k, err)
				}
			}
		}
		for name, kvs := range puts {
			b := tx.Bucket([]byte(name))
			if len(kvs) >= bulkPuts {
				b.FillPercent = 0.9
			}
			for _, e := range kvs {
				if err := b.Put(e.k, e.v); err != nil {
					return fmt.Errorf("put %s/%q: %w", name, e.k, err)
				}
			}
		}
		if err := putAudit(tx, version, 0, at, audit); err != nil {
			return err
		}
		return tx.Bucket([]byte(bMeta)).Put(metaVersion, u64(version))
	})
	if err != nil {
		return fmt.Errorf("embedded: apply change set %d: %w", version, err)
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
