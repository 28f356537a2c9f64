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
	if cs.CheckOnly {
		return g.version, nil
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
	delShares      set[kolgraph.ProductShareKey]
	delKnows       set[kolgraph.KnowsKey]
	delInfluences  set[kolgraph.EdgeKey]
	delFacts       set[kolgraph.PrescriptionFactKey]
	delOwners      set[string]
}

type set[K comparable] map[K]struct{}

// existing returns the keys of ks that are present in m.
func existing[K comparable, V any](ks []K, m map[K]V) set[K] {
	return existingBy(ks, func(k K) bool { _, ok := m[k]; return ok })
}

// existingBy returns the keys of ks that has reports present.
func existingBy[K comparable](ks []K, has func(K) bool) set[K] {
	out := make(set[K], len(ks))
	for _, k := range ks {
		if has(k) {
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
		delShares:      existing(d.IndicationShares, g.shares),
		delKnows:       existing(d.Knows, g.knows),
		delInfluences:  existingBy(d.Influences, g.ties.has),
		delFacts:       existing(d.Prescriptions, g.facts),
		delOwners:      existing(d.Owners, g.owners),
	}
	c.DelTerritories = existingIDs(d.Territories, g.territories)
	c.DelHospitals = existingIDs(d.Hospitals, g.hospitals)
	c.DelDepartments = existingIDs(d.Departments, g.departments)
	c.DelHCPs = existingIDs(d.HCPs, g.hcps)
	c.DelCommittees = existingIDs(d.Committees, g.committees)
	c.DelProducts = existingIDs(d.Products, g.products)
	c.DelUsers = existingIDs(d.Users, g.users)
	c.DelAccountPlans = existingIDs(d.AccountPlans, g.plans)
	c.DelInteractions = existingIDs(d.Interactions, g.interactions)
	c.DelActivities = existingIDs(d.Activities, g.activities)
	// The read model keeps the records: copy them away from the caller's.
	for _, b := range buckets {
		b.cloneChanges(c)
	}

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

func (f facts) HasAccountPlan(id string) bool { _, ok := f.g.plans[id]; return ok }

func (f facts) AccountPlansReferencing(kind, id string) []string {
	switch kind {
	case kolgraph.KindHospitals:
		return f.g.plansByHospital.get(id)
	case kolgraph.KindDepartments:
		return f.g.plansByDept.get(id)
	case kolgraph.KindProducts:
		return f.g.plansByProduct.get(id)
	case kolgraph.KindUsers:
		return f.g.plansByOwner.get(id)
	}
	return nil
}

func (f facts) StoredStakeholders(id string) []kolgraph.Stakeholder {
	if p, ok := f.g.plans[id]; ok {
		return p.Stakeholders
	}
	return nil
}

func (f facts) HCPsOfDepartment(id string) []kolgraph.Dependant {
	ids := f.g.hcpsByDept.get(id)
	out := make([]kolgraph.Dependant, len(ids))
	for i, h := range ids {
		out[i] = kolgraph.Dependant{ID: h, HospitalID: f.g.hcps[h].rec.HospitalID}
	}
	return out
}

// detach adds to the deletions every stored relationship that touches a
// deleted HCP, committee, product, user, hospital or department (a
// hospital can only be deleted without departments and committees, so
// only listings remain; a department without HCPs, so only its indication
// shares and facts), every prescription fact of a deleted HCP,
// department or product, every interaction of a deleted HCP, and the
// ownership of every deleted account or user.
func (c *changes) detach(g *graph) {
	for h := range c.DelHCPs {
		for _, m := range g.membershipsByHCP.get(h) {
			c.delMemberships[kolgraph.MembershipKey{HCPID: h, CommitteeID: m}] = struct{}{}
		}
		for _, u := range g.knowsByHCP.get(h) {
			c.delKnows[kolgraph.KnowsKey{UserID: u, HCPID: h}] = struct{}{}
		}
		for _, to := range g.ties.targets(h) {
			c.delInfluences[kolgraph.EdgeKey{From: h, To: to}] = struct{}{}
		}
		for _, from := range g.ties.sources(h) {
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
		for _, d := range g.sharesByProduct.get(p) {
			c.delShares[kolgraph.ProductShareKey{DepartmentID: d, ProductID: p}] = struct{}{}
		}
	}
	for d := range c.DelDepartments {
		for _, p := range g.sharesByDept.get(d) {
			c.delShares[kolgraph.ProductShareKey{DepartmentID: d, ProductID: p}] = struct{}{}
		}
	}
	for h := range c.DelHospitals {
		for _, p := range g.listingsByHospital.get(h) {
			c.delListings[kolgraph.ListingKey{HospitalID: h, ProductID: p}] = struct{}{}
		}
	}
	// Facts are data about their HCP or department and product: they go
	// with it.
	for _, ids := range []kolgraph.IDSet{c.DelHCPs, c.DelDepartments} {
		for e := range ids {
			for _, pm := range g.factsByEntity.get(e) {
				p, m, _ := strings.Cut(pm, keySep)
				c.delFactOf(g, e, p, m)
			}
		}
	}
	for p := range c.DelProducts {
		for _, em := range g.factsByProduct.get(p) {
			e, m, _ := strings.Cut(em, keySep)
			c.delFactOf(g, e, p, m)
		}
	}
	// Interactions are notes about their HCP: they go with it.
	for h := range c.DelHCPs {
		for _, id := range g.interactionsByHCP.get(h) {
			c.DelInteractions.Add(id)
		}
	}
	for u := range c.DelUsers {
		for _, h := range g.knowsByUser.get(u) {
			c.delKnows[kolgraph.KnowsKey{UserID: u, HCPID: h}] = struct{}{}
		}
	}
	c.detachOwners(g)
}

// delFactOf adds the stored fact of entity, product and month to the
// deletions.
func (c *changes) delFactOf(g *graph, entity, product, month string) {
	if f, ok := g.factOf(entity, product, month); ok {
		c.delFacts[f.Key()] = struct{}{}
	}
}

// applyTo replays the changes on the read model: relationships, then nodes
// deleted, then nodes and relationships upserted, as the bbolt write did.
func (c *changes) applyTo(g *graph) {
	for _, b := range buckets {
		b.deleteFrom(g, c)
	}
	for _, b := range buckets {
		b.putInto(g, c)
	}
}

// bulkPuts is the batch size from which a bucket's pages are filled to 90%
// instead of bbolt's 50%: a large batch is mostly appended in key order
// (an import), and half-empty pages would double the file and the write.
const bulkPuts = 1024

// kv is one encoded record.
type kv struct{ k, v []byte }

// write encodes the changes and stores them with the new version in one
// bbolt transaction. Records are encoded back to back into large chunks
// (bbolt only needs values to live until the commit; see slab). Puts are sorted by
// key: bbolt appends in order far faster than it inserts at random.
func (s *Store) write(c *changes, version uint64, at time.Time, audit []kolgraph.AuditEntry) error {
	// The audit entries are encoded on another core while the records are
	// (a region's import has as many of each).
	type encoded struct {
		a   *auditPuts
		err error
	}
	auditDone := make(chan encoded, 1)
	go func() {
		a, err := encodeAudit(version, 0, at, audit)
		auditDone <- encoded{a, err}
	}()
	dels := map[string][][]byte{}
	puts := map[string][]kv{}
	var values slab
	put := func(bucket string, k []byte, appendRec func([]byte) []byte) {
		puts[bucket] = append(puts[bucket], kv{k, values.encode(appendRec)})
	}
	del := func(bucket string, k []byte) { dels[bucket] = append(dels[bucket], k) }
	for _, b := range buckets {
		b.write(c, del, put)
	}
	for _, kvs := range puts {
		slices.SortFunc(kvs, func(a, b kv) int { return bytes.Compare(a.k, b.k) })
	}
	enc := <-auditDone
	if enc.err != nil {
		return enc.err
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
		if err := enc.a.put(tx); err != nil {
			return err
		}
		return tx.Bucket([]byte(bMeta)).Put(metaVersion, u64(version))
	})
	if err != nil {
		return fmt.Errorf("embedded: apply change set %d: %w", version, err)
	}
	return nil
}
