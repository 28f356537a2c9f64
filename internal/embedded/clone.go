package embedded

import (
	"slices"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Records cross the Store boundary by deep copy in both directions: the
// graph keeps its own immutable copies of what Apply was given, and callers
// get copies they may mutate (a resolver masking personal data, say)
// without corrupting the store. A copy costs one allocation per record plus
// one per slice or pointer field.

func cloneTerritory(t *kolgraph.Territory) *kolgraph.Territory { c := *t; return &c }

func cloneHospital(h *kolgraph.Hospital) *kolgraph.Hospital { c := *h; return &c }

func cloneCommittee(m *kolgraph.Committee) *kolgraph.Committee { c := *m; return &c }

func cloneDepartment(d *kolgraph.Department) *kolgraph.Department {
	c := *d
	c.WeeklyOutpatients = clonePtr(d.WeeklyOutpatients)
	c.IndicationShare = clonePtr(d.IndicationShare)
	c.ManagedBeds = clonePtr(d.ManagedBeds)
	c.BedTurnover = clonePtr(d.BedTurnover)
	c.DischargePenetration = clonePtr(d.DischargePenetration)
	c.DRGEnrollmentRate = clonePtr(d.DRGEnrollmentRate)
	c.CompetitorPenetration = clonePtr(d.CompetitorPenetration)
	c.PolicySensitivity = clonePtr(d.PolicySensitivity)
	return &c
}

func cloneHCP(h *kolgraph.HCP) *kolgraph.HCP {
	c := *h
	c.KOLEvidence = slices.Clone(h.KOLEvidence)
	return &c
}

func cloneProduct(p *kolgraph.Product) *kolgraph.Product {
	c := *p
	c.Indications = slices.Clone(p.Indications)
	c.Specialties = slices.Clone(p.Specialties)
	return &c
}

func cloneUser(u *kolgraph.User) *kolgraph.User {
	c := *u
	c.Territories = slices.Clone(u.Territories)
	return &c
}

func cloneInfluence(e *kolgraph.Influence) *kolgraph.Influence { c := *e; return &c }

func cloneAccountPlan(p *kolgraph.AccountPlan) *kolgraph.AccountPlan {
	c := *p
	c.Goals = slices.Clone(p.Goals)
	for i := range c.Goals {
		c.Goals[i].Target = clonePtr(c.Goals[i].Target)
	}
	c.Objectives = slices.Clone(p.Objectives)
	c.Stakeholders = slices.Clone(p.Stakeholders)
	for i := range c.Stakeholders {
		c.Stakeholders[i].Influence = clonePtr(c.Stakeholders[i].Influence)
	}
	c.Citations = slices.Clone(p.Citations)
	for i := range c.Citations {
		cp := &c.Citations[i]
		cp.Nodes = slices.Clone(cp.Nodes)
		cp.Hops = slices.Clone(cp.Hops)
		if q := cp.Query; q != nil {
			qc := *q
			qc.From, qc.Avoid, qc.Via = slices.Clone(q.From), slices.Clone(q.Avoid), slices.Clone(q.Via)
			cp.Query = &qc
		}
	}
	return &c
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
