package kolgraph

import "fmt"

// CheckFields checks every record of cs on its own (Validate) and the
// audit entries, and returns every problem at once (EINVALID), naming each
// record as kind/id (kind[i] when it has no id) or kind/a->b for
// relationships. It is the first pass of every store's Apply; the checks
// against the stored graph (conflicts, references) are the store's.
func (cs *ChangeSet) CheckFields() error {
	var p fieldProblems
	for i, r := range cs.Territories {
		if r == nil {
			p.add(recName(KindTerritories, "", i), "", "is nil")
			continue
		}
		p.fields(recName(KindTerritories, r.ID, i), r.Validate())
	}
	for i, r := range cs.Hospitals {
		if r == nil {
			p.add(recName(KindHospitals, "", i), "", "is nil")
			continue
		}
		p.fields(recName(KindHospitals, r.ID, i), r.Validate())
	}
	for i, r := range cs.Departments {
		if r == nil {
			p.add(recName(KindDepartments, "", i), "", "is nil")
			continue
		}
		p.fields(recName(KindDepartments, r.ID, i), r.Validate())
	}
	for i, r := range cs.HCPs {
		if r == nil {
			p.add(recName(KindHCPs, "", i), "", "is nil")
			continue
		}
		p.fields(recName(KindHCPs, r.ID, i), r.Validate())
	}
	for i, r := range cs.Committees {
		if r == nil {
			p.add(recName(KindCommittees, "", i), "", "is nil")
			continue
		}
		p.fields(recName(KindCommittees, r.ID, i), r.Validate())
	}
	for i, r := range cs.Products {
		if r == nil {
			p.add(recName(KindProducts, "", i), "", "is nil")
			continue
		}
		p.fields(recName(KindProducts, r.ID, i), r.Validate())
	}
	for i, r := range cs.Users {
		if r == nil {
			p.add(recName(KindUsers, "", i), "", "is nil")
			continue
		}
		p.fields(recName(KindUsers, r.ID, i), r.Validate())
	}
	for _, r := range cs.Memberships {
		p.fields(pairName(KindMemberships, r.HCPID, r.CommitteeID), r.Validate())
	}
	for _, r := range cs.Listings {
		p.fields(pairName(KindListings, r.HospitalID, r.ProductID), r.Validate())
	}
	for _, r := range cs.Knows {
		p.fields(pairName(KindKnows, r.UserID, r.HCPID), r.Validate())
	}
	for i, r := range cs.Influences {
		if r == nil {
			p.add(recName(KindInfluences, "", i), "", "is nil")
			continue
		}
		p.fields(pairName(KindInfluences, r.From, r.To), r.Validate())
	}
	for i := range cs.Audit {
		p.fields(fmt.Sprintf("audit[%d]", i), cs.Audit[i].Validate())
		if cs.Audit[i].Op == OpRead {
			p.add(fmt.Sprintf("audit[%d]", i), "op", "a change set records changes; reads are appended with AppendAudit")
		}
	}
	return Invalid(p.ps)
}

// maxFieldProblems bounds the problems CheckFields reports.
const maxFieldProblems = 1000

type fieldProblems struct{ ps []Problem }

func (p *fieldProblems) add(file, field, format string, args ...any) {
	if len(p.ps) == maxFieldProblems {
		p.ps = append(p.ps, Problem{Message: "too many problems; stopped here"})
	}
	if len(p.ps) > maxFieldProblems {
		return
	}
	p.ps = append(p.ps, Problem{File: file, Field: field, Message: fmt.Sprintf(format, args...)})
}

func (p *fieldProblems) fields(file string, ps []Problem) {
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
