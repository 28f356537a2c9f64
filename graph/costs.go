package graph

import (
	"context"

	"github.com/kolgraph/kolgraph/internal/gqlguard"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// listSizes tells the cost limit how long the data's lists are, from the
// snapshot the analytics run on: the whole graph's, an upper bound for
// every principal's view. Before the first snapshot it knows nothing, and
// data-dependent lists are charged gqlguard.UnknownListLength.
func (r *Resolver) listSizes(context.Context) gqlguard.Sizes {
	if snap, err := r.Views.Full().Snapshots.Get(); err == nil {
		return snapshotSizes{snap}
	}
	return nil
}

type snapshotSizes struct{ snap *snapshot.Snapshot }

func (z snapshotSizes) ListMax(field string) (int, bool) {
	s := z.snap.Sizes()
	switch field {
	case "Query.products":
		return s.Products, true
	case "Query.territories":
		return s.Territories, true
	case "Hospital.departments":
		return s.DepartmentsPerHospital, true
	case "Hospital.committees":
		return s.CommitteesPerHospital, true
	case "Hospital.listings":
		return s.ListingsPerHospital, true
	case "Department.hcps":
		return s.HCPsPerDepartment, true
	case "Department.indicationShares":
		return s.SharesPerDepartment, true
	case "HCP.committees", "Stakeholder.committees":
		return s.SeatsPerHCP, true
	case "Committee.members":
		return s.MembersPerCommittee, true
	case "DecisionStage.people":
		// a committee's members, or people by position
		return max(s.MembersPerCommittee, s.LeadersPerHospital), true
	}
	return 0, false
}

func (z snapshotSizes) ScopeAccounts(scope any, level string) (int, bool) {
	m, _ := scope.(map[string]any)
	text := func(k string) string { v, _ := m[k].(string); return v }
	hcps, departments, hospitals, err := z.snap.ScopeSize(snapshot.Scope{
		Hospital: text("hospital"), Department: text("department"), Territory: text("territory")})
	if err != nil {
		return 0, true // the operation fails on its scope before it returns a list
	}
	switch level {
	case "HCP":
		return hcps, true
	case "DEPARTMENT":
		return departments, true
	case "HOSPITAL":
		return hospitals, true
	}
	return 0, false
}
