package neo4jstore

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// This file checks a ChangeSet against the graph as it was when the Apply
// transaction started (what loadBefore read) with the rules of
// kolgraph.ChangeSet. It is pure Go: the database is only asked for the
// facts, so the rules are the same on every server and identical to the
// embedded store's, problem names included ("hcps/P011", "influences/A->B").

// Problem.File prefixes: the kind of record, as in the embedded store.
const (
	kTerritories = "territories"
	kHospitals   = "hospitals"
	kDepartments = "departments"
	kHCPs        = "hcps"
	kCommittees  = "committees"
	kMemberships = "memberships"
	kProducts    = "products"
	kListings    = "listings"
	kUsers       = "users"
	kKnows       = "knows"
	kInfluences  = "influences"
)

// maxProblems bounds the problems one rejected change set reports.
const maxProblems = 1000

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

func (p *problems) sort() {
	slices.SortStableFunc(p.ps, func(a, b kolgraph.Problem) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return strings.Compare(a.Field, b.Field)
	})
}

func recName(kind, id string, i int) string {
	if id == "" {
		return fmt.Sprintf("%s[%d]", kind, i)
	}
	return kind + "/" + id
}

func pairName(kind, a, b string) string { return kind + "/" + a + "->" + b }

type set map[string]struct{}

func (s set) has(k string) bool { _, ok := s[k]; return ok }

func (s set) add(k string) { s[k] = struct{}{} }

func (s set) sorted() []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func setOf(ids []string) set {
	s := make(set, len(ids))
	for _, id := range ids {
		s.add(id)
	}
	return s
}

// changes is a field-valid ChangeSet with duplicates resolved: the last
// upsert of a key wins, as the ChangeSet documents.
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

	delTerritories, delHospitals, delDepartments, delHCPs set
	delCommittees, delProducts, delUsers                  set
	delMemberships                                        []kolgraph.MembershipKey
	delListings                                           []kolgraph.ListingKey
	delKnows                                              []kolgraph.KnowsKey
	delInfluences                                         []kolgraph.EdgeKey
}

func lastWins[K comparable, V any](items []V, key func(V) K) map[K]V {
	m := make(map[K]V, len(items))
	for _, it := range items {
		m[key(it)] = it
	}
	return m
}

func newChanges(cs *kolgraph.ChangeSet) *changes {
	d := &cs.Delete
	return &changes{
		territories: lastWins(cs.Territories, func(r *kolgraph.Territory) string { return r.ID }),
		hospitals:   lastWins(cs.Hospitals, func(r *kolgraph.Hospital) string { return r.ID }),
		departments: lastWins(cs.Departments, func(r *kolgraph.Department) string { return r.ID }),
		hcps:        lastWins(cs.HCPs, func(r *kolgraph.HCP) string { return r.ID }),
		committees:  lastWins(cs.Committees, func(r *kolgraph.Committee) string { return r.ID }),
		products:    lastWins(cs.Products, func(r *kolgraph.Product) string { return r.ID }),
		users:       lastWins(cs.Users, func(r *kolgraph.User) string { return r.ID }),
		memberships: lastWins(cs.Memberships, func(r kolgraph.Membership) kolgraph.MembershipKey {
			return kolgraph.MembershipKey{HCPID: r.HCPID, CommitteeID: r.CommitteeID}
		}),
		listings: lastWins(cs.Listings, func(r kolgraph.Listing) kolgraph.ListingKey {
			return kolgraph.ListingKey{HospitalID: r.HospitalID, ProductID: r.ProductID}
		}),
		knows: lastWins(cs.Knows, func(r kolgraph.Knows) kolgraph.KnowsKey {
			return kolgraph.KnowsKey{UserID: r.UserID, HCPID: r.HCPID}
		}),
		influences: lastWins(cs.Influences, func(r *kolgraph.Influence) kolgraph.EdgeKey { return r.Key() }),

		delTerritories: setOf(d.Territories),
		delHospitals:   setOf(d.Hospitals),
		delDepartments: setOf(d.Departments),
		delHCPs:        setOf(d.HCPs),
		delCommittees:  setOf(d.Committees),
		delProducts:    setOf(d.Products),
		delUsers:       setOf(d.Users),
		delMemberships: slices.Clone(d.Memberships),
		delListings:    slices.Clone(d.Listings),
		delKnows:       slices.Clone(d.Knows),
		delInfluences:  slices.Clone(d.Influences),
	}
}

// member is an HCP as a dependant: its id and hospital.
type member struct{ id, hospitalID string }

// before is what the graph held, at the start of the Apply transaction,
// about the records a change set touches or references. Maps hold only ids
// that exist; the parent maps give each node's parent id.
type before struct {
	territories set
	hospitals   set
	products    set
	users       set
	departments map[string]string // id -> hospitalId
	hcps        map[string]string // id -> departmentId
	committees  map[string]string // id -> hospitalId

	hospitalsOfTerritory  map[string][]string // deleted territories only
	departmentsOfHospital map[string][]string // deleted hospitals only
	committeesOfHospital  map[string][]string // deleted hospitals only
	hcpsOfDepartment      map[string][]member // deleted and moved departments only
}

// asked lists the ids loadBefore must look up, by kind.
type asked struct {
	territories, hospitals, departments, hcps, committees, products, users set
}

// ask returns the ids whose existence or parent the plan needs: every
// reference to a record the change set does not upsert, every upserted
// record that may exist already (to find its old parent), and every
// deleted record.
func (c *changes) ask() asked {
	a := asked{territories: set{}, hospitals: set{}, departments: set{}, hcps: set{}, committees: set{},
		products: set{}, users: set{}}
	ref := func(s set, upserted bool, id string) {
		if !upserted {
			s.add(id)
		}
	}
	for _, h := range c.hospitals {
		if h.TerritoryID != "" {
			_, up := c.territories[h.TerritoryID]
			ref(a.territories, up, h.TerritoryID)
		}
	}
	for id, d := range c.departments {
		a.departments.add(id)
		_, up := c.hospitals[d.HospitalID]
		ref(a.hospitals, up, d.HospitalID)
	}
	for id, h := range c.hcps {
		a.hcps.add(id)
		_, up := c.departments[h.DepartmentID]
		ref(a.departments, up, h.DepartmentID)
	}
	for id, m := range c.committees {
		a.committees.add(id)
		_, up := c.hospitals[m.HospitalID]
		ref(a.hospitals, up, m.HospitalID)
	}
	for k := range c.memberships {
		_, up := c.hcps[k.HCPID]
		ref(a.hcps, up, k.HCPID)
		_, up = c.committees[k.CommitteeID]
		ref(a.committees, up, k.CommitteeID)
	}
	for k := range c.listings {
		_, up := c.hospitals[k.HospitalID]
		ref(a.hospitals, up, k.HospitalID)
		_, up = c.products[k.ProductID]
		ref(a.products, up, k.ProductID)
	}
	for k := range c.knows {
		_, up := c.users[k.UserID]
		ref(a.users, up, k.UserID)
		_, up = c.hcps[k.HCPID]
		ref(a.hcps, up, k.HCPID)
	}
	for k := range c.influences {
		_, up := c.hcps[k.From]
		ref(a.hcps, up, k.From)
		_, up = c.hcps[k.To]
		ref(a.hcps, up, k.To)
	}
	for _, pair := range []struct{ dst, del set }{
		{a.territories, c.delTerritories}, {a.hospitals, c.delHospitals}, {a.departments, c.delDepartments},
		{a.hcps, c.delHCPs}, {a.committees, c.delCommittees}, {a.products, c.delProducts}, {a.users, c.delUsers},
	} {
		for id := range pair.del {
			pair.dst.add(id)
		}
	}
	return a
}

// movedDepartments returns the upserted departments that exist, are not
// deleted, and change hospital: their HCPs must follow them.
func (c *changes) movedDepartments(b *before) []string {
	var out []string
	for id, d := range c.departments {
		if old, ok := b.departments[id]; ok && !c.delDepartments.has(id) && old != d.HospitalID {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// The *After lookups answer whether a record exists after the change:
// deletions come first, then upserts.

func (c *changes) territoryAfter(b *before, id string) bool {
	_, up := c.territories[id]
	return up || b.territories.has(id) && !c.delTerritories.has(id)
}

func (c *changes) hospitalAfter(b *before, id string) bool {
	_, up := c.hospitals[id]
	return up || b.hospitals.has(id) && !c.delHospitals.has(id)
}

// departmentAfter returns the hospital of department id after the change,
// and whether it exists.
func (c *changes) departmentAfter(b *before, id string) (string, bool) {
	if d, ok := c.departments[id]; ok {
		return d.HospitalID, true
	}
	if c.delDepartments.has(id) {
		return "", false
	}
	h, ok := b.departments[id]
	return h, ok
}

func (c *changes) hcpAfter(b *before, id string) bool {
	if _, up := c.hcps[id]; up {
		return true
	}
	_, ok := b.hcps[id]
	return ok && !c.delHCPs.has(id)
}

func (c *changes) committeeAfter(b *before, id string) bool {
	if _, up := c.committees[id]; up {
		return true
	}
	_, ok := b.committees[id]
	return ok && !c.delCommittees.has(id)
}

func (c *changes) productAfter(b *before, id string) bool {
	_, up := c.products[id]
	return up || b.products.has(id) && !c.delProducts.has(id)
}

func (c *changes) userAfter(b *before, id string) bool {
	_, up := c.users[id]
	return up || b.users.has(id) && !c.delUsers.has(id)
}

// checkConflicts refuses to delete a hospital that still has departments or
// committees, or a department that still has HCPs, unless those are deleted
// too. Dependants are those of the graph before the change: moving one away
// in the same change set does not count, as deletions come first.
func (c *changes) checkConflicts(b *before) error {
	var p problems
	for _, h := range c.delHospitals.sorted() {
		for _, d := range b.departmentsOfHospital[h] {
			if !c.delDepartments.has(d) {
				p.add(kHospitals+"/"+h, "", "still has department %s; delete it in the same change set", d)
			}
		}
		for _, m := range b.committeesOfHospital[h] {
			if !c.delCommittees.has(m) {
				p.add(kHospitals+"/"+h, "", "still has committee %s; delete it in the same change set", m)
			}
		}
	}
	for _, d := range c.delDepartments.sorted() {
		for _, h := range b.hcpsOfDepartment[d] {
			if !c.delHCPs.has(h.id) {
				p.add(kDepartments+"/"+d, "", "still has HCP %s; delete it in the same change set", h.id)
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

// checkReferences checks that every reference of an upserted record
// resolves after the change, and that untouched records stay consistent:
// hospitals of a deleted territory, HCPs of a department that moves to
// another hospital.
func (c *changes) checkReferences(b *before) error {
	var p problems
	missing := func(file, field, kind, id string) {
		p.add(file, field, "references %s %q, which does not exist after this change set", kind, id)
	}
	for id, h := range c.hospitals {
		if h.TerritoryID != "" && !c.territoryAfter(b, h.TerritoryID) {
			missing(kHospitals+"/"+id, "territory_id", "territory", h.TerritoryID)
		}
	}
	for id, d := range c.departments {
		if !c.hospitalAfter(b, d.HospitalID) {
			missing(kDepartments+"/"+id, "hospital_id", "hospital", d.HospitalID)
		}
	}
	for id, h := range c.hcps {
		switch hosp, ok := c.departmentAfter(b, h.DepartmentID); {
		case !ok:
			missing(kHCPs+"/"+id, "department_id", "department", h.DepartmentID)
		case hosp != h.HospitalID:
			p.add(kHCPs+"/"+id, "hospital_id", "is %q but department %s belongs to hospital %q",
				h.HospitalID, h.DepartmentID, hosp)
		}
	}
	for id, m := range c.committees {
		if !c.hospitalAfter(b, m.HospitalID) {
			missing(kCommittees+"/"+id, "hospital_id", "hospital", m.HospitalID)
		}
	}
	for k := range c.memberships {
		name := pairName(kMemberships, k.HCPID, k.CommitteeID)
		if !c.hcpAfter(b, k.HCPID) {
			missing(name, "hcp_id", "HCP", k.HCPID)
		}
		if !c.committeeAfter(b, k.CommitteeID) {
			missing(name, "committee_id", "committee", k.CommitteeID)
		}
	}
	for k := range c.listings {
		name := pairName(kListings, k.HospitalID, k.ProductID)
		if !c.hospitalAfter(b, k.HospitalID) {
			missing(name, "hospital_id", "hospital", k.HospitalID)
		}
		if !c.productAfter(b, k.ProductID) {
			missing(name, "product_id", "product", k.ProductID)
		}
	}
	for k := range c.knows {
		name := pairName(kKnows, k.UserID, k.HCPID)
		if !c.userAfter(b, k.UserID) {
			missing(name, "user_id", "user", k.UserID)
		}
		if !c.hcpAfter(b, k.HCPID) {
			missing(name, "hcp_id", "HCP", k.HCPID)
		}
	}
	for k := range c.influences {
		name := pairName(kInfluences, k.From, k.To)
		if !c.hcpAfter(b, k.From) {
			missing(name, "from", "HCP", k.From)
		}
		if !c.hcpAfter(b, k.To) {
			missing(name, "to", "HCP", k.To)
		}
	}

	// Untouched records whose references this change set breaks.
	for _, t := range c.delTerritories.sorted() {
		if _, back := c.territories[t]; back {
			continue
		}
		for _, h := range b.hospitalsOfTerritory[t] {
			if _, up := c.hospitals[h]; up || c.delHospitals.has(h) {
				continue // upserts were checked above; deleted ones are gone
			}
			p.add(kHospitals+"/"+h, "territory_id",
				"references territory %q, which this change set deletes; move or delete the hospital too", t)
		}
	}
	for _, id := range c.movedDepartments(b) {
		d := c.departments[id]
		for _, h := range b.hcpsOfDepartment[id] {
			if _, up := c.hcps[h.id]; up || c.delHCPs.has(h.id) {
				continue
			}
			p.add(kHCPs+"/"+h.id, "hospital_id",
				"is %q but its department %s moves to hospital %q in this change set; upsert the HCP too",
				h.hospitalID, id, d.HospitalID)
		}
	}
	p.sort()
	return kolgraph.Invalid(p.ps)
}

// untouched reports whether this change set neither upserts nor deletes a
// node with this id, of any kind (ids are compared across kinds, which can
// only make the answer more cautious).
func (c *changes) untouched(id string) bool {
	if _, ok := c.hcps[id]; ok {
		return false
	}
	if _, ok := c.hospitals[id]; ok {
		return false
	}
	if _, ok := c.committees[id]; ok {
		return false
	}
	if _, ok := c.products[id]; ok {
		return false
	}
	if _, ok := c.users[id]; ok {
		return false
	}
	if _, ok := c.departments[id]; ok {
		return false
	}
	return !c.delHCPs.has(id) && !c.delHospitals.has(id) && !c.delCommittees.has(id) &&
		!c.delProducts.has(id) && !c.delUsers.has(id) && !c.delDepartments.has(id)
}
