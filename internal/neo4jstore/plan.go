package neo4jstore

import (
	"slices"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// This file prepares the checks of a ChangeSet against the graph as it was
// when the Apply transaction started: which facts to read (ask), and the
// facts read (before), which the rules of kolgraph.Changes then judge in
// pure Go. The database is only asked for the facts, so the rules are the
// same on every server and identical to the embedded store's, problem names
// included ("hcps/P011", "influences/A->B").

// set is a set of ids.
type set = kolgraph.IDSet

// changes is a field-valid ChangeSet with duplicates resolved (see
// kolgraph.Changes), and its relationship deletions as given.
type changes struct {
	*kolgraph.Changes
	delMemberships []kolgraph.MembershipKey
	delListings    []kolgraph.ListingKey
	delShares      []kolgraph.ProductShareKey
	delKnows       []kolgraph.KnowsKey
	delInfluences  []kolgraph.EdgeKey
	delFacts       []kolgraph.PrescriptionFactKey
	delOwners      []string
}

func newChanges(cs *kolgraph.ChangeSet) *changes {
	d := &cs.Delete
	return &changes{
		Changes:        kolgraph.ResolveChanges(cs),
		delMemberships: slices.Clone(d.Memberships),
		delListings:    slices.Clone(d.Listings),
		delShares:      slices.Clone(d.IndicationShares),
		delKnows:       slices.Clone(d.Knows),
		delInfluences:  slices.Clone(d.Influences),
		delFacts:       slices.Clone(d.Prescriptions),
		delOwners:      slices.Clone(d.Owners),
	}
}

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

	hospitalsOfTerritory  map[string][]string             // deleted territories only
	departmentsOfHospital map[string][]string             // deleted hospitals only
	committeesOfHospital  map[string][]string             // deleted hospitals only
	hcpsOfDepartment      map[string][]kolgraph.Dependant // deleted and moved departments only

	plans            map[string][]kolgraph.Stakeholder // id -> stakeholders, of the plans asked
	plansReferencing map[string]map[string][]string    // kind -> id -> plans, of deleted (and moved) records

	interactions            set                            // the deleted ones that exist
	interactionsOfHCP       map[string][]string            // deleted HCPs only
	interactionsReferencing map[string]map[string][]string // kind -> id -> interactions, of deleted users and products

	hcpHospital       map[string]string   // HCP accounts of upserted owners
	hospitalTerritory map[string]string   // hospitals the upserted owners' accounts are or are in
	userTerritories   map[string][]string // users of upserted owners

	activities            set                            // the deleted ones that exist
	activitiesReferencing map[string]map[string][]string // kind -> id -> activities, of deleted (and moved) records
}

// asked lists the ids loadBefore must look up, by kind.
type asked struct {
	territories, hospitals, departments, hcps, committees, products, users, plans set
}

// ask returns the ids whose existence or parent the plan needs: every
// reference to a record the change set does not upsert, every upserted
// record that may exist already (to find its old parent), and every
// deleted record.
func (c *changes) ask() asked {
	a := asked{territories: set{}, hospitals: set{}, departments: set{}, hcps: set{}, committees: set{},
		products: set{}, users: set{}, plans: set{}}
	ref := func(s set, upserted bool, id string) {
		if !upserted {
			s.Add(id)
		}
	}
	for _, h := range c.Hospitals {
		if h.TerritoryID != "" {
			_, up := c.Territories[h.TerritoryID]
			ref(a.territories, up, h.TerritoryID)
		}
	}
	for id, d := range c.Departments {
		a.departments.Add(id)
		_, up := c.Hospitals[d.HospitalID]
		ref(a.hospitals, up, d.HospitalID)
	}
	for id, h := range c.HCPs {
		a.hcps.Add(id)
		_, up := c.Departments[h.DepartmentID]
		ref(a.departments, up, h.DepartmentID)
	}
	for id, m := range c.Committees {
		a.committees.Add(id)
		_, up := c.Hospitals[m.HospitalID]
		ref(a.hospitals, up, m.HospitalID)
	}
	for k := range c.Memberships {
		_, up := c.HCPs[k.HCPID]
		ref(a.hcps, up, k.HCPID)
		_, up = c.Committees[k.CommitteeID]
		ref(a.committees, up, k.CommitteeID)
	}
	for k := range c.Listings {
		_, up := c.Hospitals[k.HospitalID]
		ref(a.hospitals, up, k.HospitalID)
		_, up = c.Products[k.ProductID]
		ref(a.products, up, k.ProductID)
	}
	for k := range c.IndicationShares {
		_, up := c.Departments[k.DepartmentID]
		ref(a.departments, up, k.DepartmentID)
		_, up = c.Products[k.ProductID]
		ref(a.products, up, k.ProductID)
	}
	for k := range c.Knows {
		_, up := c.Users[k.UserID]
		ref(a.users, up, k.UserID)
		_, up = c.HCPs[k.HCPID]
		ref(a.hcps, up, k.HCPID)
	}
	for k := range c.Influences {
		_, up := c.HCPs[k.From]
		ref(a.hcps, up, k.From)
		_, up = c.HCPs[k.To]
		ref(a.hcps, up, k.To)
	}
	for k := range c.Prescriptions {
		if k.HCPID != "" {
			_, up := c.HCPs[k.HCPID]
			ref(a.hcps, up, k.HCPID)
		} else {
			_, up := c.Departments[k.DepartmentID]
			ref(a.departments, up, k.DepartmentID)
		}
		_, up := c.Products[k.ProductID]
		ref(a.products, up, k.ProductID)
	}
	for _, in := range c.Interactions {
		_, up := c.HCPs[in.HCPID]
		ref(a.hcps, up, in.HCPID)
		_, up = c.Users[in.KAMID]
		ref(a.users, up, in.KAMID)
		if in.ProductID != "" {
			_, up = c.Products[in.ProductID]
			ref(a.products, up, in.ProductID)
		}
	}
	// An owner's account is looked up as every kind it may be.
	for id, o := range c.Owners {
		for _, s := range []set{a.territories, a.hospitals, a.departments, a.hcps} {
			s.Add(id)
		}
		_, up := c.Users[o.UserID]
		ref(a.users, up, o.UserID)
	}
	for _, act := range c.Activities {
		_, up := c.Territories[act.TerritoryID]
		ref(a.territories, up, act.TerritoryID)
		if act.HospitalID != "" {
			_, up = c.Hospitals[act.HospitalID]
			ref(a.hospitals, up, act.HospitalID)
		}
		_, up = c.Products[act.ProductID]
		ref(a.products, up, act.ProductID)
		_, up = c.Users[act.OwnerID]
		ref(a.users, up, act.OwnerID)
		for _, h := range act.HCPIDs() {
			_, up = c.HCPs[h]
			ref(a.hcps, up, h)
		}
	}
	for id, p := range c.AccountPlans {
		a.plans.Add(id)
		_, up := c.Hospitals[p.HospitalID]
		ref(a.hospitals, up, p.HospitalID)
		if p.DepartmentID != "" {
			_, up = c.Departments[p.DepartmentID]
			ref(a.departments, up, p.DepartmentID)
		}
		_, up = c.Products[p.ProductID]
		ref(a.products, up, p.ProductID)
		_, up = c.Users[p.OwnerID]
		ref(a.users, up, p.OwnerID)
		for _, s := range p.Stakeholders {
			_, up = c.HCPs[s.HCPID]
			ref(a.hcps, up, s.HCPID)
			if s.OwnerID != "" {
				_, up = c.Users[s.OwnerID]
				ref(a.users, up, s.OwnerID)
			}
		}
	}
	for id := range c.DelAccountPlans {
		a.plans.Add(id)
	}
	for _, pair := range []struct{ dst, del set }{
		{a.territories, c.DelTerritories}, {a.hospitals, c.DelHospitals}, {a.departments, c.DelDepartments},
		{a.hcps, c.DelHCPs}, {a.committees, c.DelCommittees}, {a.products, c.DelProducts}, {a.users, c.DelUsers},
	} {
		for id := range pair.del {
			pair.dst.Add(id)
		}
	}
	// An upserted node's id must not be another kind's: look it up as
	// every kind.
	for id := range c.UpsertedNodeIDs() {
		for _, s := range []set{a.territories, a.hospitals, a.departments, a.hcps, a.committees, a.products, a.users, a.plans} {
			s.Add(id)
		}
	}
	return a
}

// before implements kolgraph.Facts.

func (b *before) HasTerritory(id string) bool { return b.territories.Has(id) }
func (b *before) HasHospital(id string) bool  { return b.hospitals.Has(id) }
func (b *before) HasProduct(id string) bool   { return b.products.Has(id) }
func (b *before) HasUser(id string) bool      { return b.users.Has(id) }
func (b *before) HasHCP(id string) bool       { _, ok := b.hcps[id]; return ok }
func (b *before) HasCommittee(id string) bool { _, ok := b.committees[id]; return ok }

func (b *before) DepartmentHospital(id string) (string, bool) {
	h, ok := b.departments[id]
	return h, ok
}

func (b *before) HospitalsOfTerritory(id string) []string  { return b.hospitalsOfTerritory[id] }
func (b *before) DepartmentsOfHospital(id string) []string { return b.departmentsOfHospital[id] }
func (b *before) CommitteesOfHospital(id string) []string  { return b.committeesOfHospital[id] }
func (b *before) HCPsOfDepartment(id string) []kolgraph.Dependant {
	return b.hcpsOfDepartment[id]
}

func (b *before) HasAccountPlan(id string) bool { _, ok := b.plans[id]; return ok }

func (b *before) AccountPlansReferencing(kind, id string) []string {
	return b.plansReferencing[kind][id]
}

func (b *before) StoredStakeholders(id string) []kolgraph.Stakeholder { return b.plans[id] }

// untouched reports whether this change set neither upserts nor deletes a
// node with this id, of any kind (ids are compared across kinds, which can
// only make the answer more cautious).
func (c *changes) untouched(id string) bool {
	if _, ok := c.HCPs[id]; ok {
		return false
	}
	if _, ok := c.Hospitals[id]; ok {
		return false
	}
	if _, ok := c.Committees[id]; ok {
		return false
	}
	if _, ok := c.Products[id]; ok {
		return false
	}
	if _, ok := c.Users[id]; ok {
		return false
	}
	if _, ok := c.Departments[id]; ok {
		return false
	}
	return !c.DelHCPs.Has(id) && !c.DelHospitals.Has(id) && !c.DelCommittees.Has(id) &&
		!c.DelProducts.Has(id) && !c.DelUsers.Has(id) && !c.DelDepartments.Has(id)
}
