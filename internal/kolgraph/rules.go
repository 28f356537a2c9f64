package kolgraph

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// This file holds the rules of ChangeSet that need the stored graph: the
// second and third passes of every store's Apply, after CheckFields. A
// store resolves the change set (ResolveChanges), tells the rules what the
// graph held before the change through Facts, and gets the same problems,
// with the same names ("hcps/P011", "influences/A->B"), on every store.

// IDSet is a set of record ids.
type IDSet map[string]struct{}

// NewIDSet returns the set of ids.
func NewIDSet(ids []string) IDSet {
	s := make(IDSet, len(ids))
	for _, id := range ids {
		s[id] = struct{}{}
	}
	return s
}

// Has reports whether id is in the set.
func (s IDSet) Has(id string) bool { _, ok := s[id]; return ok }

// Add puts id in the set.
func (s IDSet) Add(id string) { s[id] = struct{}{} }

// Sorted returns the ids in increasing order.
func (s IDSet) Sorted() []string { return slices.Sorted(maps.Keys(s)) }

// Changes is a field-valid ChangeSet with duplicates resolved (the last
// upsert of a key wins, as ChangeSet documents) and its node deletions as
// sets. Records are shared with the change set, not copied.
type Changes struct {
	Territories      map[string]*Territory
	Hospitals        map[string]*Hospital
	Departments      map[string]*Department
	HCPs             map[string]*HCP
	Committees       map[string]*Committee
	Products         map[string]*Product
	Users            map[string]*User
	Memberships      map[MembershipKey]Membership
	Listings         map[ListingKey]Listing
	IndicationShares map[ProductShareKey]ProductShare
	Knows            map[KnowsKey]Knows
	Influences       map[EdgeKey]*Influence
	AccountPlans     map[string]*AccountPlan
	Prescriptions    map[PrescriptionFactKey]PrescriptionFact
	Interactions     map[string]*Interaction
	Owners           map[string]AccountOwner
	Activities       map[string]*Activity

	DelTerritories, DelHospitals, DelDepartments, DelHCPs IDSet
	DelCommittees, DelProducts, DelUsers, DelAccountPlans IDSet
	DelInteractions, DelActivities                        IDSet
}

func lastWins[K comparable, V any](items []V, key func(V) K) map[K]V {
	m := make(map[K]V, len(items))
	for _, it := range items {
		m[key(it)] = it
	}
	return m
}

// ResolveChanges resolves cs, which must have passed CheckFields.
// Relationship deletions stay in cs.Delete: no rule needs them.
func ResolveChanges(cs *ChangeSet) *Changes {
	d := &cs.Delete
	c := &Changes{
		DelTerritories: NewIDSet(d.Territories),
		DelHospitals:   NewIDSet(d.Hospitals),
		DelDepartments: NewIDSet(d.Departments),
		DelHCPs:        NewIDSet(d.HCPs),
		DelCommittees:  NewIDSet(d.Committees),
		DelProducts:    NewIDSet(d.Products),
		DelUsers:       NewIDSet(d.Users),

		DelAccountPlans: NewIDSet(d.AccountPlans),
		DelInteractions: NewIDSet(d.Interactions),
		DelActivities:   NewIDSet(d.Activities),
	}
	for _, k := range changeSetKinds {
		k.resolve(cs, c)
	}
	return c
}

// Dependant is an HCP as a department's dependant: its id and hospital.
type Dependant struct{ ID, HospitalID string }

// Facts is what the rules need to know of the graph as it was before the
// change. A store need only answer for the records the change set touches
// or references, and the dependants lists for the deleted territories,
// hospitals and departments and the departments MovedDepartments names.
type Facts interface {
	HasTerritory(id string) bool
	HasHospital(id string) bool
	// DepartmentHospital is the hospital of department id, if it exists.
	DepartmentHospital(id string) (string, bool)
	HasHCP(id string) bool
	HasCommittee(id string) bool
	HasProduct(id string) bool
	HasUser(id string) bool

	HospitalsOfTerritory(id string) []string
	DepartmentsOfHospital(id string) []string
	CommitteesOfHospital(id string) []string
	HCPsOfDepartment(id string) []Dependant

	HasAccountPlan(id string) bool
	// AccountPlansReferencing returns the ids of the stored account plans
	// whose hospital_id, department_id, product_id or owner_id (kind
	// KindHospitals, KindDepartments, KindProducts, KindUsers) is id; asked
	// for the deleted records of those kinds and MovedDepartments.
	AccountPlansReferencing(kind, id string) []string
	// StoredStakeholders returns the stakeholders of stored plan id (nil
	// for a new plan); asked for every upserted plan.
	StoredStakeholders(id string) []Stakeholder

	// InteractionsReferencing returns the ids of the stored interactions
	// whose kam_id or product_id (kind KindUsers, KindProducts) is id;
	// asked for the deleted users and products.
	InteractionsReferencing(kind, id string) []string
	// InteractionsOfHCP returns the ids of the stored interactions of HCP
	// id; asked for the deleted HCPs (their interactions go with them).
	InteractionsOfHCP(id string) []string

	// HospitalTerritory is the territory of stored hospital id ("" when
	// none or unknown), HCPHospital the hospital of stored HCP id, and
	// UserTerritories the territories of stored user id; asked for the
	// accounts and users of the upserted owners (and the hospitals of
	// their departments and HCPs), and HospitalTerritory also for the
	// hospitals of the upserted activities and the upserted hospitals.
	HospitalTerritory(id string) string
	HCPHospital(id string) string
	UserTerritories(id string) []string

	// ActivitiesReferencing returns the ids of the stored activities whose
	// territory_id, hospital_id, product_id, owner_id or speakers and
	// attendees (kind KindTerritories, KindHospitals, KindProducts,
	// KindUsers, KindHCPs) name id; asked for the deleted records of those
	// kinds and MovedHospitals.
	ActivitiesReferencing(kind, id string) []string
}

// The *After lookups answer whether a record exists after the change:
// deletions come first, then upserts.

func (c *Changes) territoryAfter(f Facts, id string) bool {
	_, up := c.Territories[id]
	return up || f.HasTerritory(id) && !c.DelTerritories.Has(id)
}

func (c *Changes) hospitalAfter(f Facts, id string) bool {
	_, up := c.Hospitals[id]
	return up || f.HasHospital(id) && !c.DelHospitals.Has(id)
}

// departmentAfter returns the hospital of department id after the change,
// and whether it exists.
func (c *Changes) departmentAfter(f Facts, id string) (string, bool) {
	if d, ok := c.Departments[id]; ok {
		return d.HospitalID, true
	}
	if c.DelDepartments.Has(id) {
		return "", false
	}
	return f.DepartmentHospital(id)
}

func (c *Changes) hcpAfter(f Facts, id string) bool {
	_, up := c.HCPs[id]
	return up || f.HasHCP(id) && !c.DelHCPs.Has(id)
}

func (c *Changes) committeeAfter(f Facts, id string) bool {
	_, up := c.Committees[id]
	return up || f.HasCommittee(id) && !c.DelCommittees.Has(id)
}

func (c *Changes) productAfter(f Facts, id string) bool {
	_, up := c.Products[id]
	return up || f.HasProduct(id) && !c.DelProducts.Has(id)
}

func (c *Changes) userAfter(f Facts, id string) bool {
	_, up := c.Users[id]
	return up || f.HasUser(id) && !c.DelUsers.Has(id)
}

func (c *Changes) accountPlanAfter(f Facts, id string) bool {
	_, up := c.AccountPlans[id]
	return up || f.HasAccountPlan(id) && !c.DelAccountPlans.Has(id)
}

// nodeKinds are the kinds of node, each with whether id is one after the
// change: an id names one node of any kind (node(id) resolves it), so no
// two kinds may share one.
func (c *Changes) nodeKinds() []nodeKind {
	return []nodeKind{
		{KindTerritories, "territory", slices.Collect(maps.Keys(c.Territories)), c.territoryAfter},
		{KindHospitals, "hospital", slices.Collect(maps.Keys(c.Hospitals)), c.hospitalAfter},
		{KindDepartments, "department", slices.Collect(maps.Keys(c.Departments)),
			func(f Facts, id string) bool { _, ok := c.departmentAfter(f, id); return ok }},
		{KindHCPs, "HCP", slices.Collect(maps.Keys(c.HCPs)), c.hcpAfter},
		{KindCommittees, "committee", slices.Collect(maps.Keys(c.Committees)), c.committeeAfter},
		{KindProducts, "product", slices.Collect(maps.Keys(c.Products)), c.productAfter},
		{KindUsers, "user", slices.Collect(maps.Keys(c.Users)), c.userAfter},
		{KindAccountPlans, "account plan", slices.Collect(maps.Keys(c.AccountPlans)), c.accountPlanAfter},
	}
}

// nodeKind is one kind of node for the cross-kind id rule: the ids the
// change set upserts, and whether an id is one of the kind after it.
type nodeKind struct {
	name, singular string
	upserted       []string
	after          func(f Facts, id string) bool
}

// checkIDsUnique refuses an upserted node whose id another kind of node
// holds after the change (stored, or upserted in the same change set).
func (c *Changes) checkIDsUnique(f Facts, p *fieldProblems) {
	kinds := c.nodeKinds()
	for i, k := range kinds {
		for _, id := range k.upserted {
			for j, other := range kinds {
				if i != j && other.after(f, id) {
					p.add(k.name+"/"+id, "id", "%q is already the id of a %s; an id names one record, whatever its kind", id, other.singular)
					break
				}
			}
		}
	}
}

// UpsertedNodeIDs returns the ids of the nodes cs upserts, of every kind:
// a store must tell the rules whether any other kind holds them
// (CheckReferences refuses an id two kinds share).
func (c *Changes) UpsertedNodeIDs() IDSet {
	ids := IDSet{}
	for _, k := range c.nodeKinds() {
		for _, id := range k.upserted {
			ids.Add(id)
		}
	}
	return ids
}

// MovedDepartments returns, sorted, the upserted departments that exist,
// are not deleted, and change hospital: their HCPs must follow them.
func (c *Changes) MovedDepartments(f Facts) []string {
	var out []string
	for id, d := range c.Departments {
		if old, ok := f.DepartmentHospital(id); ok && !c.DelDepartments.Has(id) && old != d.HospitalID {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// CheckConflicts refuses to delete a hospital that still has departments or
// committees, or a department that still has HCPs, unless those are deleted
// too (ECONFLICT naming each). Dependants are those of the graph before the
// change: moving one away in the same change set does not count, as
// deletions come first.
func (c *Changes) CheckConflicts(f Facts) error {
	var p fieldProblems
	for _, h := range c.DelHospitals.Sorted() {
		for _, d := range f.DepartmentsOfHospital(h) {
			if !c.DelDepartments.Has(d) {
				p.add(KindHospitals+"/"+h, "", "still has department %s; delete it in the same change set", d)
			}
		}
		for _, m := range f.CommitteesOfHospital(h) {
			if !c.DelCommittees.Has(m) {
				p.add(KindHospitals+"/"+h, "", "still has committee %s; delete it in the same change set", m)
			}
		}
	}
	for _, d := range c.DelDepartments.Sorted() {
		for _, h := range f.HCPsOfDepartment(d) {
			if !c.DelHCPs.Has(h.ID) {
				p.add(KindDepartments+"/"+d, "", "still has HCP %s; delete it in the same change set", h.ID)
			}
		}
	}
	// Account plans keep their hospital, department, product and owner:
	// a plan is a record of work that must not lose what it is about.
	for _, ref := range []struct {
		kind string
		del  IDSet
		verb string
	}{
		{KindHospitals, c.DelHospitals, "has"}, {KindDepartments, c.DelDepartments, "has"},
		{KindProducts, c.DelProducts, "is the product of"}, {KindUsers, c.DelUsers, "owns"},
	} {
		for _, id := range ref.del.Sorted() {
			for _, plan := range f.AccountPlansReferencing(ref.kind, id) {
				if !c.DelAccountPlans.Has(plan) {
					p.add(ref.kind+"/"+id, "", "still %s account plan %s; delete it in the same change set, or change the plan first", ref.verb, plan)
				}
			}
		}
	}
	// Interactions keep their KAM and product: a logged contact must not
	// lose who made it or what it was about (its HCP takes it along).
	gone := IDSet{}
	for id := range c.DelInteractions {
		gone.Add(id)
	}
	for h := range c.DelHCPs {
		for _, in := range f.InteractionsOfHCP(h) {
			gone.Add(in)
		}
	}
	for _, ref := range []struct {
		kind string
		del  IDSet
		verb string
	}{
		{KindProducts, c.DelProducts, "is the product of"}, {KindUsers, c.DelUsers, "made"},
	} {
		for _, id := range ref.del.Sorted() {
			for _, in := range f.InteractionsReferencing(ref.kind, id) {
				if !gone.Has(in) {
					p.add(ref.kind+"/"+id, "", "still %s interaction %s; delete it in the same change set", ref.verb, in)
				}
			}
		}
	}
	c.activityConflicts(f, &p)
	if len(p.ps) == 0 {
		return nil
	}
	msg := p.ps[0].String()
	if len(p.ps) > 1 {
		msg = fmt.Sprintf("%d problems; first: %s", len(p.ps), msg)
	}
	return &Error{Code: ECONFLICT, Message: "cannot delete: " + msg, Problems: p.ps}
}

// CheckReferences checks that every reference of an upserted record
// resolves after the change, and that untouched records stay consistent:
// hospitals of a deleted territory, HCPs of a department that moves to
// another hospital (EINVALID naming each, sorted by record and field).
func (c *Changes) CheckReferences(f Facts) error {
	var p fieldProblems
	missing := func(file, field, kind, id string) {
		p.add(file, field, "references %s %q, which does not exist after this change set", kind, id)
	}
	for id, h := range c.Hospitals {
		if h.TerritoryID != "" && !c.territoryAfter(f, h.TerritoryID) {
			missing(KindHospitals+"/"+id, "territory_id", "territory", h.TerritoryID)
		}
	}
	for id, d := range c.Departments {
		if !c.hospitalAfter(f, d.HospitalID) {
			missing(KindDepartments+"/"+id, "hospital_id", "hospital", d.HospitalID)
		}
	}
	for id, h := range c.HCPs {
		switch hosp, ok := c.departmentAfter(f, h.DepartmentID); {
		case !ok:
			missing(KindHCPs+"/"+id, "department_id", "department", h.DepartmentID)
		case hosp != h.HospitalID:
			p.add(KindHCPs+"/"+id, "hospital_id", "is %q but department %s belongs to hospital %q",
				h.HospitalID, h.DepartmentID, hosp)
		}
	}
	for id, m := range c.Committees {
		if !c.hospitalAfter(f, m.HospitalID) {
			missing(KindCommittees+"/"+id, "hospital_id", "hospital", m.HospitalID)
		}
	}
	// end checks one end of a relationship.
	end := func(name, field, kind, id string, exists bool) {
		if !exists {
			missing(name, field, kind, id)
		}
	}
	for k := range c.Memberships {
		name := pairName(KindMemberships, k.HCPID, k.CommitteeID)
		end(name, "hcp_id", "HCP", k.HCPID, c.hcpAfter(f, k.HCPID))
		end(name, "committee_id", "committee", k.CommitteeID, c.committeeAfter(f, k.CommitteeID))
	}
	for k := range c.Listings {
		name := pairName(KindListings, k.HospitalID, k.ProductID)
		end(name, "hospital_id", "hospital", k.HospitalID, c.hospitalAfter(f, k.HospitalID))
		end(name, "product_id", "product", k.ProductID, c.productAfter(f, k.ProductID))
	}
	for k := range c.IndicationShares {
		name := pairName(KindIndicationShares, k.DepartmentID, k.ProductID)
		_, ok := c.departmentAfter(f, k.DepartmentID)
		end(name, "department_id", "department", k.DepartmentID, ok)
		end(name, "product_id", "product", k.ProductID, c.productAfter(f, k.ProductID))
	}
	for k := range c.Knows {
		name := pairName(KindKnows, k.UserID, k.HCPID)
		end(name, "user_id", "user", k.UserID, c.userAfter(f, k.UserID))
		end(name, "hcp_id", "HCP", k.HCPID, c.hcpAfter(f, k.HCPID))
	}
	for k := range c.Influences {
		name := pairName(KindInfluences, k.From, k.To)
		end(name, "from", "HCP", k.From, c.hcpAfter(f, k.From))
		end(name, "to", "HCP", k.To, c.hcpAfter(f, k.To))
	}

	c.checkPlans(f, &p)
	c.checkFacts(f, &p)
	c.checkInteractions(f, &p)
	c.checkOwners(f, &p)
	c.checkActivities(f, &p)
	c.checkMovedActivities(f, &p)
	c.checkIDsUnique(f, &p)

	// Untouched records whose references this change set breaks.
	for _, t := range c.DelTerritories.Sorted() {
		if _, back := c.Territories[t]; back {
			continue
		}
		for _, h := range f.HospitalsOfTerritory(t) {
			if _, up := c.Hospitals[h]; up || c.DelHospitals.Has(h) {
				continue // upserts were checked above; deleted ones are gone
			}
			p.add(KindHospitals+"/"+h, "territory_id",
				"references territory %q, which this change set deletes; move or delete the hospital too", t)
		}
	}
	for _, id := range c.MovedDepartments(f) {
		d := c.Departments[id]
		for _, plan := range f.AccountPlansReferencing(KindDepartments, id) {
			if _, up := c.AccountPlans[plan]; up || c.DelAccountPlans.Has(plan) {
				continue // an upserted plan's department was checked with it
			}
			p.add(KindAccountPlans+"/"+plan, "hospital_id",
				"its department %s moves to hospital %q in this change set; upsert the plan too", id, d.HospitalID)
		}
		for _, h := range f.HCPsOfDepartment(id) {
			if _, up := c.HCPs[h.ID]; up || c.DelHCPs.Has(h.ID) {
				continue
			}
			p.add(KindHCPs+"/"+h.ID, "hospital_id",
				"is %q but its department %s moves to hospital %q in this change set; upsert the HCP too",
				h.HospitalID, id, d.HospitalID)
		}
	}
	// Sort what was collected (map order is random); a "too many" marker
	// stays last.
	slices.SortStableFunc(p.ps[:min(len(p.ps), maxFieldProblems)], func(a, b Problem) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return strings.Compare(a.Field, b.Field)
	})
	return Invalid(p.ps)
}

// checkPlans checks the references of the upserted account plans.
func (c *Changes) checkPlans(f Facts, p *fieldProblems) {
	missing := func(file, field, kind, id string) {
		p.add(file, field, "references %s %q, which does not exist after this change set", kind, id)
	}
	for id, pl := range c.AccountPlans {
		name := KindAccountPlans + "/" + id
		if !c.hospitalAfter(f, pl.HospitalID) {
			missing(name, "hospital_id", "hospital", pl.HospitalID)
		}
		if pl.DepartmentID != "" {
			switch hosp, ok := c.departmentAfter(f, pl.DepartmentID); {
			case !ok:
				missing(name, "department_id", "department", pl.DepartmentID)
			case hosp != pl.HospitalID:
				p.add(name, "department_id", "is %q, a department of hospital %q, not of the plan's hospital %q",
					pl.DepartmentID, hosp, pl.HospitalID)
			}
		}
		if !c.productAfter(f, pl.ProductID) {
			missing(name, "product_id", "product", pl.ProductID)
		}
		if !c.userAfter(f, pl.OwnerID) {
			missing(name, "owner_id", "user", pl.OwnerID)
		}
		// A stakeholder the stored plan had keeps an HCP or owner who has
		// left since; a new one, or a new owner, must exist.
		// (A plan deleted and upserted in one change set is fresh.)
		kept := map[string]Stakeholder{}
		if !c.DelAccountPlans.Has(id) {
			for _, s := range f.StoredStakeholders(id) {
				kept[s.HCPID] = s
			}
		}
		for i, s := range pl.Stakeholders {
			old, had := kept[s.HCPID]
			if !had && !c.hcpAfter(f, s.HCPID) {
				missing(name, fmt.Sprintf("stakeholders[%d].hcp_id", i), "HCP", s.HCPID)
			}
			if s.OwnerID != "" && !(had && old.OwnerID == s.OwnerID) && !c.userAfter(f, s.OwnerID) {
				missing(name, fmt.Sprintf("stakeholders[%d].owner_id", i), "user", s.OwnerID)
			}
		}
	}
}
