package seedfile

// checkReferences reports references that neither the file set nor
// opts.Exists resolves, and HCPs whose hospital is not their department's.
// It runs after every file was read, so files may refer to each other in
// any order.
func (p *parser) checkReferences() {
	cs := p.cs
	p.each(HospitalsFile, len(cs.Hospitals), func(i int, ref refFunc) {
		ref("territory_id", KindTerritory, cs.Hospitals[i].TerritoryID)
	})
	deptHospital := make(map[string]string, len(cs.Departments))
	p.each(DepartmentsFile, len(cs.Departments), func(i int, ref refFunc) {
		d := cs.Departments[i]
		ref("hospital_id", KindHospital, d.HospitalID)
		if _, ok := deptHospital[d.ID]; !ok {
			deptHospital[d.ID] = d.HospitalID
		}
	})
	p.each(HCPsFile, len(cs.HCPs), func(i int, ref refFunc) {
		h := cs.HCPs[i]
		ref("department_id", KindDepartment, h.DepartmentID)
		ref("hospital_id", KindHospital, h.HospitalID)
		if dh, ok := deptHospital[h.DepartmentID]; ok && h.HospitalID != "" && dh != h.HospitalID {
			p.add(HCPsFile, p.lines[HCPsFile][i], "hospital_id",
				"is %s but department %s belongs to hospital %s", h.HospitalID, h.DepartmentID, dh)
		}
	})
	p.each(CommitteesFile, len(cs.Committees), func(i int, ref refFunc) {
		ref("hospital_id", KindHospital, cs.Committees[i].HospitalID)
	})
	p.each(MembershipsFile, len(cs.Memberships), func(i int, ref refFunc) {
		ref("committee_id", KindCommittee, cs.Memberships[i].CommitteeID)
		ref("hcp_id", KindHCP, cs.Memberships[i].HCPID)
	})
	p.each(ListingsFile, len(cs.Listings), func(i int, ref refFunc) {
		ref("hospital_id", KindHospital, cs.Listings[i].HospitalID)
		ref("product_id", KindProduct, cs.Listings[i].ProductID)
	})
	p.each(IndicationSharesFile, len(cs.IndicationShares), func(i int, ref refFunc) {
		ref("department_id", KindDepartment, cs.IndicationShares[i].DepartmentID)
		ref("product_id", KindProduct, cs.IndicationShares[i].ProductID)
	})
	p.each(UsersFile, len(cs.Users), func(i int, ref refFunc) {
		for _, t := range cs.Users[i].Territories {
			ref("territories", KindTerritory, t)
		}
	})
	p.each(KnowsFile, len(cs.Knows), func(i int, ref refFunc) {
		ref("user_id", KindUser, cs.Knows[i].UserID)
		ref("hcp_id", KindHCP, cs.Knows[i].HCPID)
	})
	p.each(InfluencesFile, len(cs.Influences), func(i int, ref refFunc) {
		ref("from", KindHCP, cs.Influences[i].From)
		ref("to", KindHCP, cs.Influences[i].To)
	})
	p.each(PrescriptionsFile, len(cs.Prescriptions), func(i int, ref refFunc) {
		ref("hcp_id", KindHCP, cs.Prescriptions[i].HCPID)
		ref("department_id", KindDepartment, cs.Prescriptions[i].DepartmentID)
		ref("product_id", KindProduct, cs.Prescriptions[i].ProductID)
	})
}

// refFunc checks that id names an existing record of kind; field is the
// column holding it.
type refFunc func(field, kind, id string)

// each calls check for the n records read from file, unless the file's
// header was unusable (its rows' columns cannot be trusted).
func (p *parser) each(file string, n int, check func(i int, ref refFunc)) {
	if p.quiet[file] {
		return
	}
	lines := p.lines[file]
	for i := range n {
		line := lines[i]
		check(i, func(field, kind, id string) {
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
		})
	}
}
