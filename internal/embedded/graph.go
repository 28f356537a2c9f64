package embedded

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// graph is the in-memory read model: every record by its key plus the
// indices the Store's reads need. Records held here are immutable: an update
// replaces the pointer, so a reader that copied a pointer under the read lock
// may keep using it after the lock is released.
type graph struct {
	version uint64

	territories map[string]*kolgraph.Territory
	hospitals   map[string]hospitalRow
	departments map[string]*kolgraph.Department
	hcps        map[string]hcpRow
	committees  map[string]*kolgraph.Committee
	products    map[string]*kolgraph.Product
	users       map[string]*kolgraph.User
	memberships map[kolgraph.MembershipKey]kolgraph.Membership
	listings    map[kolgraph.ListingKey]kolgraph.Listing
	shares      map[kolgraph.ProductShareKey]kolgraph.ProductShare
	knows       map[kolgraph.KnowsKey]kolgraph.Knows
	ties        *ties // the influence edges (ties.go)
	plans       map[string]*kolgraph.AccountPlan
	facts       map[kolgraph.PrescriptionFactKey]kolgraph.PrescriptionFact
	// Field execution (interactions.go).
	interactions map[string]*kolgraph.Interaction
	owners       map[string]kolgraph.AccountOwner // by account id
	activities   map[string]*kolgraph.Activity

	// Ascending ids of all hospitals and HCPs, for keyset pagination
	// without a filter (single parent key "").
	allHospitals *index
	allHCPs      *index
	// hcpRows is every HCP in ascending id order: a filter that must look
	// at all of them walks this slice instead of doing a map lookup per id
	// (5x faster over the seed's 6,000). Rebuilt by seal when HCPs changed.
	hcpRows   []hcpRow
	hcpsDirty bool

	hospitalsByTerritory *index // territory -> hospital ids
	deptsByHospital      *index // hospital -> department ids
	committeesByHospital *index // hospital -> committee ids
	listingsByHospital   *index // hospital -> product ids
	listingsByProduct    *index // product -> hospital ids (detach on product delete)
	sharesByDept         *index // department -> product ids
	sharesByProduct      *index // product -> department ids (detach on product delete)
	hcpsByDept           *index // department -> HCP ids
	hcpsByHospital       *index // hospital -> HCP ids
	membershipsByHCP     *index // HCP -> committee ids
	membershipsByComm    *index // committee -> HCP ids
	knowsByUser          *index // user -> HCP ids
	knowsByHCP           *index // HCP -> user ids (detach on HCP delete)
	// Account plans by id ("") and by what they reference.
	allPlans, plansByHospital, plansByDept, plansByProduct, plansByOwner *index
	// Prescription facts by entity (HCP or department) -> product NUL
	// month, and by product -> entity NUL month (detach on delete).
	factsByEntity, factsByProduct *index
	// Interactions by id ("") and by HCP, KAM and product.
	allInteractions, interactionsByHCP, interactionsByKAM, interactionsByProduct *index
	// Account owners by user -> account ids.
	ownersByUser *index
	// Activities by id ("") and by what they reference (HCPs: speakers
	// and attendees).
	allActivities, activitiesByTerritory, activitiesByHospital, activitiesByProduct *index
	activitiesByOwner, activitiesByHCP                                              *index
}

// hospitalRow and hcpRow keep the lower-cased name next to the record so a
// NameContains filter does not lower-case every name on every query.
type hospitalRow struct {
	rec   *kolgraph.Hospital
	lname string
}

type hcpRow struct {
	rec   *kolgraph.HCP
	lname string
}

func newGraph() *graph {
	return &graph{
		territories: map[string]*kolgraph.Territory{},
		hospitals:   map[string]hospitalRow{},
		departments: map[string]*kolgraph.Department{},
		hcps:        map[string]hcpRow{},
		committees:  map[string]*kolgraph.Committee{},
		products:    map[string]*kolgraph.Product{},
		users:       map[string]*kolgraph.User{},
		memberships: map[kolgraph.MembershipKey]kolgraph.Membership{},
		listings:    map[kolgraph.ListingKey]kolgraph.Listing{},
		shares:      map[kolgraph.ProductShareKey]kolgraph.ProductShare{},
		knows:       map[kolgraph.KnowsKey]kolgraph.Knows{},
		ties:        newTies(),
		plans:       map[string]*kolgraph.AccountPlan{},
		facts:       map[kolgraph.PrescriptionFactKey]kolgraph.PrescriptionFact{},

		interactions: map[string]*kolgraph.Interaction{},
		owners:       map[string]kolgraph.AccountOwner{},
		activities:   map[string]*kolgraph.Activity{},

		allHospitals:         newIndex(),
		allHCPs:              newIndex(),
		hospitalsByTerritory: newIndex(),
		deptsByHospital:      newIndex(),
		committeesByHospital: newIndex(),
		listingsByHospital:   newIndex(),
		listingsByProduct:    newIndex(),
		sharesByDept:         newIndex(),
		sharesByProduct:      newIndex(),
		hcpsByDept:           newIndex(),
		hcpsByHospital:       newIndex(),
		membershipsByHCP:     newIndex(),
		membershipsByComm:    newIndex(),
		knowsByUser:          newIndex(),
		knowsByHCP:           newIndex(),
		allPlans:             newIndex(),
		plansByHospital:      newIndex(),
		plansByDept:          newIndex(),
		plansByProduct:       newIndex(),
		plansByOwner:         newIndex(),
		factsByEntity:        newIndex(),
		factsByProduct:       newIndex(),

		allInteractions:       newIndex(),
		interactionsByHCP:     newIndex(),
		interactionsByKAM:     newIndex(),
		interactionsByProduct: newIndex(),
		ownersByUser:          newIndex(),

		allActivities:         newIndex(),
		activitiesByTerritory: newIndex(),
		activitiesByHospital:  newIndex(),
		activitiesByProduct:   newIndex(),
		activitiesByOwner:     newIndex(),
		activitiesByHCP:       newIndex(),
	}
}

func (g *graph) indices() []*index {
	return []*index{g.allHospitals, g.allHCPs, g.hospitalsByTerritory,
		g.deptsByHospital, g.committeesByHospital, g.listingsByHospital,
		g.listingsByProduct, g.sharesByDept, g.sharesByProduct, g.hcpsByDept, g.hcpsByHospital, g.membershipsByHCP,
		g.membershipsByComm, g.knowsByUser,
		g.knowsByHCP, g.allPlans, g.plansByHospital, g.plansByDept, g.plansByProduct, g.plansByOwner,
		g.factsByEntity, g.factsByProduct,
		g.allInteractions, g.interactionsByHCP, g.interactionsByKAM, g.interactionsByProduct,
		g.ownersByUser, g.allActivities, g.activitiesByTerritory, g.activitiesByHospital, g.activitiesByProduct,
		g.activitiesByOwner, g.activitiesByHCP}
}

// seal sorts every index touched since the last seal. Call it once after a
// batch of put/delete calls, before readers see the graph.
func (g *graph) seal() {
	for _, ix := range g.indices() {
		ix.seal()
	}
	if g.hcpsDirty {
		ids := g.allHCPs.get("")
		rows := make([]hcpRow, len(ids))
		for i, id := range ids {
			rows[i] = g.hcps[id]
		}
		g.hcpRows, g.hcpsDirty = rows, false
	}
}

// The put* and del* methods keep the maps and indices in step. They are
// only called with the write lock held (or before the graph is published),
// and a batch must delete before it puts (see index).

func (g *graph) putTerritory(t *kolgraph.Territory) { g.territories[t.ID] = t }

func (g *graph) delTerritory(id string) { delete(g.territories, id) }

func (g *graph) putHospital(h *kolgraph.Hospital) {
	old, ok := g.hospitals[h.ID]
	switch {
	case !ok:
		g.allHospitals.add("", h.ID)
		g.hospitalsByTerritory.add(h.TerritoryID, h.ID)
	case old.rec.TerritoryID != h.TerritoryID:
		g.hospitalsByTerritory.del(old.rec.TerritoryID, h.ID)
		g.hospitalsByTerritory.add(h.TerritoryID, h.ID)
	}
	g.hospitals[h.ID] = hospitalRow{rec: h, lname: strings.ToLower(h.Name)}
}

func (g *graph) delHospital(id string) {
	old, ok := g.hospitals[id]
	if !ok {
		return
	}
	g.allHospitals.del("", id)
	g.hospitalsByTerritory.del(old.rec.TerritoryID, id)
	delete(g.hospitals, id)
}

func (g *graph) putDepartment(d *kolgraph.Department) {
	old, ok := g.departments[d.ID]
	switch {
	case !ok:
		g.deptsByHospital.add(d.HospitalID, d.ID)
	case old.HospitalID != d.HospitalID:
		g.deptsByHospital.del(old.HospitalID, d.ID)
		g.deptsByHospital.add(d.HospitalID, d.ID)
	}
	g.departments[d.ID] = d
}

func (g *graph) delDepartment(id string) {
	old, ok := g.departments[id]
	if !ok {
		return
	}
	g.deptsByHospital.del(old.HospitalID, id)
	delete(g.departments, id)
}

func (g *graph) putHCP(h *kolgraph.HCP) {
	old, ok := g.hcps[h.ID]
	if !ok {
		g.allHCPs.add("", h.ID)
		g.hcpsByDept.add(h.DepartmentID, h.ID)
		g.hcpsByHospital.add(h.HospitalID, h.ID)
	} else {
		if old.rec.DepartmentID != h.DepartmentID {
			g.hcpsByDept.del(old.rec.DepartmentID, h.ID)
			g.hcpsByDept.add(h.DepartmentID, h.ID)
		}
		if old.rec.HospitalID != h.HospitalID {
			g.hcpsByHospital.del(old.rec.HospitalID, h.ID)
			g.hcpsByHospital.add(h.HospitalID, h.ID)
		}
	}
	g.hcps[h.ID] = hcpRow{rec: h, lname: strings.ToLower(h.Name)}
	g.hcpsDirty = true
}

func (g *graph) delHCP(id string) {
	old, ok := g.hcps[id]
	if !ok {
		return
	}
	g.allHCPs.del("", id)
	g.hcpsByDept.del(old.rec.DepartmentID, id)
	g.hcpsByHospital.del(old.rec.HospitalID, id)
	delete(g.hcps, id)
	g.hcpsDirty = true
}

func (g *graph) putCommittee(c *kolgraph.Committee) {
	old, ok := g.committees[c.ID]
	switch {
	case !ok:
		g.committeesByHospital.add(c.HospitalID, c.ID)
	case old.HospitalID != c.HospitalID:
		g.committeesByHospital.del(old.HospitalID, c.ID)
		g.committeesByHospital.add(c.HospitalID, c.ID)
	}
	g.committees[c.ID] = c
}

func (g *graph) delCommittee(id string) {
	old, ok := g.committees[id]
	if !ok {
		return
	}
	g.committeesByHospital.del(old.HospitalID, id)
	delete(g.committees, id)
}

func (g *graph) putProduct(p *kolgraph.Product) { g.products[p.ID] = p }

func (g *graph) delProduct(id string) { delete(g.products, id) }

func (g *graph) putUser(u *kolgraph.User) { g.users[u.ID] = u }

func (g *graph) delUser(id string) { delete(g.users, id) }

// planRef is an index entry of an account plan: under parent in ix.
type planRef struct {
	ix     *index
	parent string
}

// planRefs are the index entries of a plan: by id, and by what it
// references.
func (g *graph) planRefs(p *kolgraph.AccountPlan) []planRef {
	refs := []planRef{{g.allPlans, ""}, {g.plansByHospital, p.HospitalID}, {g.plansByProduct, p.ProductID},
		{g.plansByOwner, p.OwnerID}}
	if p.DepartmentID != "" {
		refs = append(refs, planRef{g.plansByDept, p.DepartmentID})
	}
	return refs
}

func (g *graph) putAccountPlan(p *kolgraph.AccountPlan) {
	g.delAccountPlan(p.ID)
	for _, r := range g.planRefs(p) {
		r.ix.add(r.parent, p.ID)
	}
	g.plans[p.ID] = p
}

func (g *graph) delAccountPlan(id string) {
	old, ok := g.plans[id]
	if !ok {
		return
	}
	for _, r := range g.planRefs(old) {
		r.ix.del(r.parent, id)
	}
	delete(g.plans, id)
}

func (g *graph) putMembership(m kolgraph.Membership) {
	k := kolgraph.MembershipKey{HCPID: m.HCPID, CommitteeID: m.CommitteeID}
	if _, ok := g.memberships[k]; !ok {
		g.membershipsByHCP.add(m.HCPID, m.CommitteeID)
		g.membershipsByComm.add(m.CommitteeID, m.HCPID)
	}
	g.memberships[k] = m
}

func (g *graph) delMembership(k kolgraph.MembershipKey) {
	if _, ok := g.memberships[k]; !ok {
		return
	}
	g.membershipsByHCP.del(k.HCPID, k.CommitteeID)
	g.membershipsByComm.del(k.CommitteeID, k.HCPID)
	delete(g.memberships, k)
}

func (g *graph) putListing(l kolgraph.Listing) {
	k := kolgraph.ListingKey{HospitalID: l.HospitalID, ProductID: l.ProductID}
	if _, ok := g.listings[k]; !ok {
		g.listingsByHospital.add(l.HospitalID, l.ProductID)
		g.listingsByProduct.add(l.ProductID, l.HospitalID)
	}
	g.listings[k] = l
}

func (g *graph) delListing(k kolgraph.ListingKey) {
	if _, ok := g.listings[k]; !ok {
		return
	}
	g.listingsByHospital.del(k.HospitalID, k.ProductID)
	g.listingsByProduct.del(k.ProductID, k.HospitalID)
	delete(g.listings, k)
}

func (g *graph) putProductShare(s kolgraph.ProductShare) {
	k := kolgraph.ProductShareKey{DepartmentID: s.DepartmentID, ProductID: s.ProductID}
	if _, ok := g.shares[k]; !ok {
		g.sharesByDept.add(s.DepartmentID, s.ProductID)
		g.sharesByProduct.add(s.ProductID, s.DepartmentID)
	}
	g.shares[k] = s
}

func (g *graph) delProductShare(k kolgraph.ProductShareKey) {
	if _, ok := g.shares[k]; !ok {
		return
	}
	g.sharesByDept.del(k.DepartmentID, k.ProductID)
	g.sharesByProduct.del(k.ProductID, k.DepartmentID)
	delete(g.shares, k)
}

func (g *graph) putFact(f kolgraph.PrescriptionFact) {
	k := f.Key()
	if _, ok := g.facts[k]; !ok {
		g.factsByEntity.add(k.EntityID(), k.ProductID+keySep+k.Month)
		g.factsByProduct.add(k.ProductID, k.EntityID()+keySep+k.Month)
	}
	g.facts[k] = f
}

func (g *graph) delFact(k kolgraph.PrescriptionFactKey) {
	if _, ok := g.facts[k]; !ok {
		return
	}
	g.factsByEntity.del(k.EntityID(), k.ProductID+keySep+k.Month)
	g.factsByProduct.del(k.ProductID, k.EntityID()+keySep+k.Month)
	delete(g.facts, k)
}

// factOf returns the stored fact of entity, product and month: the
// indices hold no entity kind, so both are tried.
func (g *graph) factOf(entity, product, month string) (kolgraph.PrescriptionFact, bool) {
	if f, ok := g.facts[kolgraph.PrescriptionFactKey{HCPID: entity, ProductID: product, Month: month}]; ok {
		return f, true
	}
	f, ok := g.facts[kolgraph.PrescriptionFactKey{DepartmentID: entity, ProductID: product, Month: month}]
	return f, ok
}

func (g *graph) putKnows(kn kolgraph.Knows) {
	k := kolgraph.KnowsKey{UserID: kn.UserID, HCPID: kn.HCPID}
	if _, ok := g.knows[k]; !ok {
		g.knowsByUser.add(kn.UserID, kn.HCPID)
		g.knowsByHCP.add(kn.HCPID, kn.UserID)
	}
	g.knows[k] = kn
}

func (g *graph) delKnows(k kolgraph.KnowsKey) {
	if _, ok := g.knows[k]; !ok {
		return
	}
	g.knowsByUser.del(k.UserID, k.HCPID)
	g.knowsByHCP.del(k.HCPID, k.UserID)
	delete(g.knows, k)
}

func (g *graph) putInfluence(e *kolgraph.Influence) {
	// A tie shares its ids with its HCPs' records and its kind and
	// evidence with every equal text (ties.go): a national region's ten
	// million ties would otherwise hold forty million strings of their
	// own. e is not kept.
	if h, ok := g.hcps[e.From]; ok {
		e.From = h.rec.ID
	}
	if h, ok := g.hcps[e.To]; ok {
		e.To = h.rec.ID
	}
	g.ties.put(e)
}

func (g *graph) delInfluence(k kolgraph.EdgeKey) { g.ties.del(k) }

// loadInfluence is the ties' bucket load (see bucket.load) without a
// record: the stored bytes go to the ties' tables, which copy only an id
// or a text they did not hold (an HCP's id from its record).
func (g *graph) loadInfluence(k, v []byte) error {
	e, err := decodeInfluenceView(v)
	if err != nil {
		return fmt.Errorf("embedded: decode %s/%q: %w", kolgraph.KindInfluences, k, err)
	}
	if !pairIs(k, e.from, e.to) {
		return fmt.Errorf("embedded: %s/%q: key does not match record", kolgraph.KindInfluences, k)
	}
	g.ties.putView(&e, func(id []byte) string {
		if h, ok := g.hcps[string(id)]; ok {
			return h.rec.ID
		}
		return string(id)
	})
	return nil
}

// index maps a parent id to the ascending ids of its children. An add that
// keeps the order (the common case: Open reads keys in order, and new ids
// tend to sort last) is a plain append; one that breaks it marks the parent
// dirty, and seal sorts each dirty parent once. A bulk load of n children
// so costs O(n log n) at worst instead of O(n²) for sorted inserts. Deletes
// use binary search on clean parents and a linear scan on dirty ones, which
// only happens if a batch deletes after it added.
type index struct {
	m     map[string]*children
	dirty []*children
}

type children struct {
	ids   []string
	dirty bool
}

func newIndex() *index { return &index{m: map[string]*children{}} }

func (ix *index) get(parent string) []string {
	if c := ix.m[parent]; c != nil {
		return c.ids
	}
	return nil
}

func (ix *index) add(parent, child string) {
	c := ix.m[parent]
	if c == nil {
		c = &children{}
		ix.m[parent] = c
	}
	if n := len(c.ids); n > 0 && c.ids[n-1] >= child && !c.dirty {
		c.dirty = true
		ix.dirty = append(ix.dirty, c)
	}
	c.ids = append(c.ids, child)
}

func (ix *index) del(parent, child string) {
	c := ix.m[parent]
	if c == nil {
		return
	}
	i, found := -1, false
	if c.dirty {
		i = slices.Index(c.ids, child)
		found = i >= 0
	} else {
		i, found = slices.BinarySearch(c.ids, child)
	}
	if !found {
		return
	}
	c.ids = slices.Delete(c.ids, i, i+1)
	if len(c.ids) == 0 {
		delete(ix.m, parent) // a dirty entry left in ix.dirty is harmless
	}
}

func (ix *index) seal() {
	for _, c := range ix.dirty {
		slices.Sort(c.ids)
		c.ids = slices.Compact(c.ids)
		c.dirty = false
	}
	clear(ix.dirty)
	ix.dirty = ix.dirty[:0]
}
