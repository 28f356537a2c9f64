package snapshot

// ListSizes are the longest lists of each kind a snapshot's graph holds:
// what a list field of the API can return at most, so that a request can be
// charged for what it may receive before it runs (see gqlguard).
type ListSizes struct {
	HCPsPerDepartment      int
	HCPsPerHospital        int
	DepartmentsPerHospital int
	CommitteesPerHospital  int
	ListingsPerHospital    int
	SharesPerDepartment    int
	MembersPerCommittee    int
	SeatsPerHCP            int
	// LeadersPerHospital counts a hospital's HCPs with a leading position
	// (anything but staff): the people a decision stage can name, beside
	// a committee's members.
	LeadersPerHospital int
	Products           int
	Territories        int
}

func (s *Snapshot) computeSizes() {
	z := ListSizes{Products: len(s.Products), Territories: len(s.byTerritory)}
	for _, nodes := range s.byDepartment {
		z.HCPsPerDepartment = max(z.HCPsPerDepartment, len(nodes))
	}
	leaders := map[string]int{}
	for _, nodes := range s.byHospital {
		z.HCPsPerHospital = max(z.HCPsPerHospital, len(nodes))
	}
	members := map[string]int{}
	for i, h := range s.HCPs {
		if h.Position != "" && h.Position != "staff" {
			leaders[h.HospitalID]++
			z.LeadersPerHospital = max(z.LeadersPerHospital, leaders[h.HospitalID])
		}
		z.SeatsPerHCP = max(z.SeatsPerHCP, len(s.Seats[i]))
		for _, seat := range s.Seats[i] {
			members[seat.Committee.ID]++
			z.MembersPerCommittee = max(z.MembersPerCommittee, members[seat.Committee.ID])
		}
	}
	s.deptsOf = map[string]int{}
	for _, d := range s.Departments {
		s.deptsOf[d.HospitalID]++
		z.DepartmentsPerHospital = max(z.DepartmentsPerHospital, s.deptsOf[d.HospitalID])
	}
	committees := map[string]int{}
	for _, c := range s.Committees {
		committees[c.HospitalID]++
		z.CommitteesPerHospital = max(z.CommitteesPerHospital, committees[c.HospitalID])
	}
	for _, ls := range s.Listings {
		z.ListingsPerHospital = max(z.ListingsPerHospital, len(ls))
	}
	shares := map[string]int{}
	for k := range s.Shares {
		shares[k.DepartmentID]++
		z.SharesPerDepartment = max(z.SharesPerDepartment, shares[k.DepartmentID])
	}
	s.sizes = z
}

// Sizes returns the longest lists of the snapshot's graph.
func (s *Snapshot) Sizes() ListSizes { return s.sizes }

// ScopeSize returns how many HCPs, departments and hospitals a scope
// covers; unknown or ambiguous scopes are the errors of Nodes.
func (s *Snapshot) ScopeSize(sc Scope) (hcps, departments, hospitals int, err error) {
	nodes, err := s.Nodes(sc)
	if err != nil {
		return 0, 0, 0, err
	}
	switch {
	case sc.Hospital != "":
		return len(nodes), s.deptsOf[sc.Hospital], 1, nil
	case sc.Department != "":
		return len(nodes), 1, 1, nil
	case sc.Territory != "":
		for _, h := range s.Hospitals {
			if h.TerritoryID == sc.Territory {
				departments += s.deptsOf[h.ID]
				hospitals++
			}
		}
		return len(nodes), departments, hospitals, nil
	}
	return len(nodes), len(s.Departments), len(s.Hospitals), nil
}
