package access

import (
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// Position is a role a path may be asked to pass through (the GraphQL
// Position values): an HCP position, or a seat on the P&T committee.
type Position string

// The positions. The first six match HCP.Position in the data.
const (
	President         Position = "PRESIDENT"
	VicePresident     Position = "VICE_PRESIDENT"
	PharmacyDirector  Position = "PHARMACY_DIRECTOR"
	DepartmentHead    Position = "DEPARTMENT_HEAD"
	DeputyHead        Position = "DEPUTY_HEAD"
	Staff             Position = "STAFF"
	PTCommitteeChair  Position = "PT_COMMITTEE_CHAIR"
	PTCommitteeMember Position = "PT_COMMITTEE_MEMBER"
)

// Positions lists every position.
var Positions = []Position{President, VicePresident, PharmacyDirector, DepartmentHead, DeputyHead, Staff,
	PTCommitteeChair, PTCommitteeMember}

// dataPositions maps positions to HCP.Position values.
var dataPositions = map[Position]string{
	President: "president", VicePresident: "vice_president", PharmacyDirector: "pharmacy_director",
	DepartmentHead: "department_head", DeputyHead: "deputy_head", Staff: "staff",
}

// holders returns the HCPs of hospital that hold p, in node order.
func holders(snap *snapshot.Snapshot, hospital string, p Position) ([]int32, error) {
	nodes, err := snap.Nodes(snapshot.Scope{Hospital: hospital})
	if err != nil {
		return nil, err
	}
	var out []int32
	switch p {
	case PTCommitteeChair, PTCommitteeMember:
		for _, v := range nodes {
			for _, seat := range snap.Seats[v] {
				if seat.Committee.Kind == kolgraph.CommitteePT && seat.Committee.HospitalID == hospital &&
					(p == PTCommitteeMember || seat.Role == "chair") {
					out = append(out, v)
					break
				}
			}
		}
	default:
		want, ok := dataPositions[p]
		if !ok {
			return nil, kolgraph.Errorf(kolgraph.EINVALID, "unknown position %q", p)
		}
		for _, v := range nodes {
			if snap.HCPs[v].Position == want {
				out = append(out, v)
			}
		}
	}
	return out, nil
}
