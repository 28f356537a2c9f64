package kolgraph

import "slices"

// OwnerKind describes account owners as a ChangeSet kind: one ownership
// per account, keyed by the account's id.
var OwnerKind = &Kind[AccountOwner, string]{Name: KindOwners,
	Upserts:  func(cs *ChangeSet) *[]AccountOwner { return &cs.Owners },
	Deletes:  func(d *Deletion) *[]string { return &d.Owners },
	Resolved: func(c *Changes) *map[string]AccountOwner { return &c.Owners },
	Key:      func(r AccountOwner) string { return r.AccountID }, ID: self,
	Check: func(r AccountOwner) []Problem { return r.Validate() }}

// hospitalTerritoryAfter is the territory of hospital id after the change
// ("" when it has none); the hospital's existence is checked apart.
func (c *Changes) hospitalTerritoryAfter(f Facts, id string) string {
	if h, ok := c.Hospitals[id]; ok {
		return h.TerritoryID
	}
	return f.HospitalTerritory(id)
}

// accountTerritoryAfter returns the territory of account id after the
// change (a territory is its own) and whether the account exists then as a
// territory, hospital, department or HCP.
func (c *Changes) accountTerritoryAfter(f Facts, id string) (string, bool) {
	switch {
	case c.territoryAfter(f, id):
		return id, true
	case c.hospitalAfter(f, id):
		return c.hospitalTerritoryAfter(f, id), true
	}
	if hosp, ok := c.departmentAfter(f, id); ok {
		return c.hospitalTerritoryAfter(f, hosp), true
	}
	if !c.hcpAfter(f, id) {
		return "", false
	}
	if h, ok := c.HCPs[id]; ok {
		return c.hospitalTerritoryAfter(f, h.HospitalID), true
	}
	return c.hospitalTerritoryAfter(f, f.HCPHospital(id)), true
}

// userTerritoriesAfter are the territories of user id after the change.
func (c *Changes) userTerritoriesAfter(f Facts, id string) []string {
	if u, ok := c.Users[id]; ok {
		return u.Territories
	}
	return f.UserTerritories(id)
}

// checkOwners checks the upserted account owners: the account is a
// territory, hospital, department or HCP after the change, and the owner a
// user who holds the account's territory.
func (c *Changes) checkOwners(f Facts, p *fieldProblems) {
	for id, o := range c.Owners {
		name := KindOwners + "/" + id
		terr, ok := c.accountTerritoryAfter(f, id)
		if !ok {
			p.missing(name, "account_id", "territory, hospital, department or HCP", id)
		}
		switch {
		case !c.userAfter(f, o.UserID):
			p.missing(name, "user_id", "user", o.UserID)
		case ok && terr == "":
			p.add(name, "user_id", "cannot own %s: it is in no territory", id)
		case ok && !slices.Contains(c.userTerritoriesAfter(f, o.UserID), terr):
			p.add(name, "user_id", "user %s does not hold territory %s, where %s is; an owner must", o.UserID, terr, id)
		}
	}
}
