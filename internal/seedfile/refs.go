package seedfile

import "github.com/kolgraph/kolgraph/internal/kolgraph"

// checkReferences reports references that neither the file set nor
// opts.Exists resolves, and HCPs whose hospital is not their department's.
// It runs after every file was read, in the order of the files (each file
// refers only to files before it, so a stream checks each record as it
// reads it, with the same result).
func (p *parser) checkReferences() {
	cs := p.cs
	checkAll(p, HospitalsFile, cs.Hospitals)
	checkAll(p, DepartmentsFile, cs.Departments)
	checkAll(p, HCPsFile, cs.HCPs)
	checkAll(p, CommitteesFile, cs.Committees)
	checkAll(p, MembershipsFile, cs.Memberships)
	checkAll(p, ListingsFile, cs.Listings)
	checkAll(p, IndicationSharesFile, cs.IndicationShares)
	checkAll(p, UsersFile, cs.Users)
	checkAll(p, KnowsFile, cs.Knows)
	checkAll(p, InfluencesFile, cs.Influences)
	checkAll(p, PrescriptionsFile, cs.Prescriptions)
}

// checkAll checks the records read from file, unless the file's header was
// unusable (its rows' columns cannot be trusted).
func checkAll[T any](p *parser, file string, recs []T) {
	if p.quiet[file] {
		return
	}
	lines := p.lines[file]
	for i, r := range recs {
		p.checkRecord(file, lines[i], r)
	}
}

// checkRecord checks the references of one record read from file at line.
func (p *parser) checkRecord(file string, line int, rec any) {
	ref := func(field, kind, id string) {
		if id == "" {
			return // a missing required id is Validate's problem
		}
		e, inSet := p.ids[id]
		if inSet && e.kind == kind {
			return
		}
		if p.opts.Exists != nil && p.opts.Exists(kind, id) || !inSet && p.incomplete[kind] {
			return
		}
		if inSet {
			p.add(file, line, field, "%q is a %s (%s line %d), not a %s", id, e.kind, e.file, e.line, kind)
			return
		}
		p.add(file, line, field, "%s %q does not exist", kind, id)
	}
	switch r := rec.(type) {
	case *kolgraph.Hospital:
		ref("territory_id", KindTerritory, r.TerritoryID)
	case *kolgraph.Department:
		ref("hospital_id", KindHospital, r.HospitalID)
		if p.deptHospital == nil {
			p.deptHospital = map[string]string{}
		}
		if _, ok := p.deptHospital[r.ID]; !ok {
			p.deptHospital[r.ID] = r.HospitalID
		}
	case *kolgraph.HCP:
		ref("department_id", KindDepartment, r.DepartmentID)
		ref("hospital_id", KindHospital, r.HospitalID)
		if dh, ok := p.deptHospital[r.DepartmentID]; ok && r.HospitalID != "" && dh != r.HospitalID {
			p.add(file, line, "hospital_id", "is %s but department %s belongs to hospital %s", r.HospitalID, r.DepartmentID, dh)
		}
	case *kolgraph.Committee:
		ref("hospital_id", KindHospital, r.HospitalID)
	case kolgraph.Membership:
		ref("committee_id", KindCommittee, r.CommitteeID)
		ref("hcp_id", KindHCP, r.HCPID)
	case kolgraph.Listing:
		ref("hospital_id", KindHospital, r.HospitalID)
		ref("product_id", KindProduct, r.ProductID)
	case kolgraph.ProductShare:
		ref("department_id", KindDepartment, r.DepartmentID)
		ref("product_id", KindProduct, r.ProductID)
	case *kolgraph.User:
		for _, t := range r.Territories {
			ref("territories", KindTerritory, t)
		}
	case kolgraph.Knows:
		ref("user_id", KindUser, r.UserID)
		ref("hcp_id", KindHCP, r.HCPID)
	case *kolgraph.Influence:
		ref("from", KindHCP, r.From)
		ref("to", KindHCP, r.To)
	case kolgraph.PrescriptionFact:
		ref("hcp_id", KindHCP, r.HCPID)
		ref("department_id", KindDepartment, r.DepartmentID)
		ref("product_id", KindProduct, r.ProductID)
	}
}
