package kolgraph

import (
	"fmt"
	"slices"
)

// ActivityKind describes academic activities as a ChangeSet kind.
var ActivityKind = &Kind[*Activity, string]{Name: KindActivities,
	Upserts:  func(cs *ChangeSet) *[]*Activity { return &cs.Activities },
	Deletes:  func(d *Deletion) *[]string { return &d.Activities },
	Resolved: func(c *Changes) *map[string]*Activity { return &c.Activities },
	Key:      func(r *Activity) string { return r.ID }, ID: self,
	Check: (*Activity).Validate, Nil: isNil[Activity]}

// ActivityFilter selects academic activities; empty fields match
// everything and all set fields must match. From and To are inclusive
// dates YYYY-MM-DD (empty: open). Territories restricts to activities in
// one of them (a caller's scope; never pass an empty set to mean "none").
type ActivityFilter struct {
	TerritoryID string
	ProductID   string
	OwnerID     string
	From, To    string
	Territories []string
}

// Validate checks the filter's dates.
func (f *ActivityFilter) Validate() error { return checkDateRange(f.From, f.To) }

// Match reports whether a passes the filter.
func (f *ActivityFilter) Match(a *Activity) bool {
	return (f.TerritoryID == "" || a.TerritoryID == f.TerritoryID) &&
		(f.ProductID == "" || a.ProductID == f.ProductID) &&
		(f.OwnerID == "" || a.OwnerID == f.OwnerID) &&
		inDateRange(a.Date, f.From, f.To) &&
		(len(f.Territories) == 0 || slices.Contains(f.Territories, a.TerritoryID))
}

// ActivityPage is one page of academic activities, ascending by id, with
// the total count of the filter.
type ActivityPage struct {
	Items   []*Activity
	Total   int
	HasNext bool
}

// HCPIDs returns the activity's speakers and then its attendees who are
// not speakers, each once.
func (a *Activity) HCPIDs() []string {
	out := slices.Clone(a.SpeakerIDs)
	for _, h := range a.AttendeeIDs {
		if !slices.Contains(a.SpeakerIDs, h) {
			out = append(out, h)
		}
	}
	return out
}

// checkActivities checks the references of the upserted activities: the
// territory, the hospital (in that territory), the product, the owner
// (a user) and every speaker and attendee (HCPs) exist after the change.
func (c *Changes) checkActivities(f Facts, p *fieldProblems) {
	for id, a := range c.Activities {
		name := KindActivities + "/" + id
		if !c.territoryAfter(f, a.TerritoryID) {
			p.missing(name, "territory_id", "territory", a.TerritoryID)
		}
		if a.HospitalID != "" {
			switch {
			case !c.hospitalAfter(f, a.HospitalID):
				p.missing(name, "hospital_id", "hospital", a.HospitalID)
			case c.hospitalTerritoryAfter(f, a.HospitalID) != a.TerritoryID:
				p.add(name, "hospital_id", "is %q, a hospital of territory %q, not of the activity's territory %q",
					a.HospitalID, c.hospitalTerritoryAfter(f, a.HospitalID), a.TerritoryID)
			}
		}
		if !c.productAfter(f, a.ProductID) {
			p.missing(name, "product_id", "product", a.ProductID)
		}
		if !c.userAfter(f, a.OwnerID) {
			p.missing(name, "owner_id", "user", a.OwnerID)
		}
		for _, l := range []struct {
			field string
			ids   []string
		}{{"speaker_ids", a.SpeakerIDs}, {"attendee_ids", a.AttendeeIDs}} {
			for i, h := range l.ids {
				if !c.hcpAfter(f, h) {
					p.missing(name, fmt.Sprintf("%s[%d]", l.field, i), "HCP", h)
				}
			}
		}
	}
}

// MovedHospitals returns, sorted, the upserted hospitals that exist, are
// not deleted, and change territory: the activities at them must follow.
func (c *Changes) MovedHospitals(f Facts) []string {
	var out []string
	for id, h := range c.Hospitals {
		if f.HasHospital(id) && !c.DelHospitals.Has(id) && f.HospitalTerritory(id) != h.TerritoryID {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// checkMovedActivities refuses to move a hospital to another territory
// under a stored activity at it that the change set leaves as it is.
func (c *Changes) checkMovedActivities(f Facts, p *fieldProblems) {
	for _, h := range c.MovedHospitals(f) {
		for _, a := range f.ActivitiesReferencing(KindHospitals, h) {
			if _, up := c.Activities[a]; up || c.DelActivities.Has(a) {
				continue // an upserted activity's hospital was checked with it
			}
			p.add(KindActivities+"/"+a, "hospital_id",
				"its hospital %s moves to territory %q in this change set; upsert the activity too", h, c.Hospitals[h].TerritoryID)
		}
	}
}

// activityConflicts adds the deletions of records a stored activity not
// deleted in the same change set references: an activity is a compliance
// record that must not lose what it is about.
func (c *Changes) activityConflicts(f Facts, p *fieldProblems) {
	for _, ref := range []struct {
		kind string
		del  IDSet
		verb string
	}{
		{KindTerritories, c.DelTerritories, "has"}, {KindHospitals, c.DelHospitals, "hosts"},
		{KindProducts, c.DelProducts, "is the product of"}, {KindUsers, c.DelUsers, "organises"},
		{KindHCPs, c.DelHCPs, "speaks at or attends"},
	} {
		for _, id := range ref.del.Sorted() {
			for _, a := range f.ActivitiesReferencing(ref.kind, id) {
				if !c.DelActivities.Has(a) {
					p.add(ref.kind+"/"+id, "", "still %s activity %s; delete it in the same change set, or change the activity first", ref.verb, a)
				}
			}
		}
	}
}
