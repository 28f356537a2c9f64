package embedded

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

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
// one, see kolgraph.Changes) and the deletions, including relationships
// detached from deleted nodes, restricted to what exists.
type changes struct {
	*kolgraph.Changes

	delMemberships set[kolgraph.MembershipKey]
	delListings    set[kolgraph.ListingKey]
	delKnows       set[kolgraph.KnowsKey]
	delInfluences  set[kolgraph.EdgeKey]
}

type set[K comparable] map[K]struct{}

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
		Changes:        kolgraph.ResolveChanges(cs),
		delMemberships: existing(d.Memberships, g.memberships),
		delListings:    existing(d.Listings, g.listings),
		delKnows:       existing(d.Knows, g.knows),
		delInfluences:  existing(d.Influences, g.influences),
	}
	c.DelTerritories = existingIDs(d.Territories, g.territories)
	c.DelHospitals = existingIDs(d.Hospitals, g.hospitals)
	c.DelDepartments = existingIDs(d.Departments, g.departments)
	c.DelHCPs = existingIDs(d.HCPs, g.hcps)
	c.DelCommittees = existingIDs(d.Committees, g.committees)
	c.DelProducts = existingIDs(d.Products, g.products)
	c.DelUsers = existingIDs(d.Users, g.users)
	// The read model keeps the records: copy them away from the caller's.
	cloneAll(c.Territories, cloneTerritory)
	cloneAll(c.Hospitals, cloneHospital)
	cloneAll(c.Departments, cloneDepartment)
	cloneAll(c.HCPs, cloneHCP)
	cloneAll(c.Committees, cloneCommittee)
	cloneAll(c.Products, cloneProduct)
	cloneAll(c.Users, cloneUser)
	cloneAll(c.Influences, cloneInfluence)

	f := facts{g}
	if err := c.CheckConflicts(f); err != nil {
		return nil, err
	}
	if err := c.CheckReferences(f); err != nil {
		return nil, err
	}
	c.detach(g)
	return c, nil
}

func cloneAll[K comparable, V any](m map[K]V, clone func(V) V) {
	for k, v := range m {
		m[k] = clone(v)
	}
}

// existingIDs returns the ids that are keys of m.
func existingIDs[V any](ids []string, m map[string]V) kolgraph.IDSet {
	out := make(kolgraph.IDSet, len(ids))
	for _, id := range ids {
		if _, ok := m[id]; ok {
			out.Add(id)
		}
	}
	return out
}

// facts answers the rules (kolgraph.Facts) from the read model, which holds
// the graph before the change.
type facts struct{ g *graph }

func (f facts) HasTerritory(id string) bool { _, ok := f.g.territories[id]; return ok }
func (f facts) HasHospital(id string) bool  { _, ok := f.g.hospitals[id]; return ok }
func (f facts) HasHCP(id string) bool       { _, ok := f.g.hcps[id]; return ok }
func (f facts) HasCommittee(id string) bool { _, ok := f.g.committees[id]; return ok }
func (f facts) HasProduct(id string) bool   { _, ok := f.g.products[id]; return ok }
func (f facts) HasUser(id string) bool      { _, ok := f.g.users[id]; return ok }

func (f facts) DepartmentHospital(id string) (string, bool) {
	if d, ok := f.g.departments[id]; ok {
		return d.HospitalID, true
	}
	return "", false
}

func (f facts) HospitalsOfTerritory(id string) []string {
	return f.g.hospitalsByTerritory.get(id)
}
func (f facts) DepartmentsOfHospital(id string) []string { return f.g.deptsByHospital.get(id) }
func (f facts) CommitteesOfHospital(id string) []string  { return f.g.committeesByHospital.get(id) }

func (f facts) HCPsOfDepartment(id string) []kolgraph.Dependant {
	ids := f.g.hcpsByDept.get(id)
	out := make([]kolgraph.Dependant, len(ids))
	for i, h := range ids {
		out[i] = kolgraph.Dependant{ID: h, HospitalID: f.g.hcps[h].rec.HospitalID}
	}
	return out
}

// detach adds to the deletions every stored relationship that touches a
// deleted HCP, committee, product, user or hospital (a hospital can only be
// deleted without departments and committees, so only listings remain).
func (c *changes) detach(g *graph) {
	for h := range c.DelHCPs {
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
	for m := range c.DelCommittees {
		for _, h := range g.membershipsByComm.get(m) {
			c.delMemberships[kolgraph.MembershipKey{HCPID: h, CommitteeID: m}] = struct{}{}
		}
	}
	for p := range c.DelProducts {
		for _, h := range g.listingsByProduct.get(p) {
			c.delListings[kolgraph.ListingKey{HospitalID: h, ProductID: p}] = struct{}{}
		}
	}
	for h := range c.DelHospitals {
		for _, p := range g.listingsByHospital.get(h) {
			c.delListings[kolgraph.ListingKey{HospitalID: h, ProductID: p}] = struct{}{}
		}
	}
	for u := range c.DelUsers {
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
	for id := range c.DelHCPs {
		g.delHCP(id)
	}
	for id := range c.DelCommittees {
		g.delCommittee(id)
	}
	for id := range c.DelDepartments {
		g.delDepartment(id)
	}
	for id := range c.DelHospitals {
		g.delHospital(id)
	}
	for id := range c.DelTerritories {
		g.delTerritory(id)
	}
	for id := range c.DelProducts {
		g.delProduct(id)
	}
	for id := range c.DelUsers {
		g.delUser(id)
	}
	for _, r := range c.Territories {
		g.putTerritory(r)
	}
	for _, r := range c.Hospitals {
		g.putHospital(r)
	}
	for _, r := range c.Departments {
		g.putDepartment(r)
	}
	for _, r := range c.HCPs {
		g.putHCP(r)
	}
	for _, r := range c.Committees {
		g.putCommittee(r)
	}
	for _, r := range c.Products {
		g.putProduct(r)
	}
	for _, r := range c.Users {
		g.putUser(r)
	}
	for _, r := range c.Memberships {
		g.putMembership(r)
	}
	for _, r := range c.Listings {
		g.putListing(r)
	}
	for _, r := range c.Knows {
		g.putKnows(r)
	}
	for _, r := range c.Influences {
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
	delIDs := func(bucket string, ids kolgraph.IDSet) {
		for id := range ids {
			dels[bucket] = append(dels[bucket], []byte(id))
		}
	}
	delIDs(bTerritories, c.DelTerritories)
	delIDs(bHospitals, c.DelHospitals)
	delIDs(bDepartments, c.DelDepartments)
	delIDs(bHCPs, c.DelHCPs)
	delIDs(bCommittees, c.DelCommittees)
	delIDs(bProducts, c.DelProducts)
	delIDs(bUsers, c.DelUsers)
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
	for id, r := range c.Territories {
		put(bTerritories, []byte(id), func(b []byte) []byte { return appendTerritory(b, r) })
	}
	for id, r := range c.Hospitals {
		put(bHospitals, []byte(id), func(b []byte) []byte { return appendHospital(b, r) })
	}
	for id, r := range c.Departments {
		put(bDepartments, []byte(id), func(b []byte) []byte { return appendDepartment(b, r) })
	}
	for id, r := range c.HCPs {
		put(bHCPs, []byte(id), func(b []byte) []byte { return appendHCP(b, r) })
	}
	for id, r := range c.Committees {
		put(bCommittees, []byte(id), func(b []byte) []byte { return appendCommittee(b, r) })
	}
	for id, r := range c.Products {
		put(bProducts, []byte(id), func(b []byte) []byte { return appendProduct(b, r) })
	}
	for id, r := range c.Users {
		put(bUsers, []byte(id), func(b []byte) []byte { return appendUser(b, r) })
	}
	for k, r := range c.Memberships {
		put(bMemberships, pairKey(k.HCPID, k.CommitteeID), func(b []byte) []byte { return appendMembership(b, r) })
	}
	for k, r := range c.Listings {
		put(bListings, pairKey(k.HospitalID, k.ProductID), func(b []byte) []byte { return appendListing(b, r) })
	}
	for k, r := range c.Knows {
		put(bKnows, pairKey(k.UserID, k.HCPID), func(b []byte) []byte { return appendKnows(b, r) })
	}
	for k, r := range c.Influences {
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
