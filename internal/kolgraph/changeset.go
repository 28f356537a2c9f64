package kolgraph

// ChangeSet is one atomic write: deletions first, then upserts. Upserts are
// keyed by id (relationships by their end ids) and replace the whole record,
// so applying the same ChangeSet twice leaves the same graph.
//
// Rules every Store enforces inside the transaction (EINVALID on violation,
// nothing written):
//   - a record's references exist after the change: a department's hospital,
//     an HCP's department (and HCP.HospitalID equals that department's
//     hospital), a committee's hospital, a hospital's territory (when set), and
//     both ends of every membership, listing, indication share, knows and
//     influence;
//   - deleting a hospital, department or committee that still has dependants
//     (departments, HCPs, committees) not deleted in the same change is
//     ECONFLICT, judged on the graph before the change; deleting an HCP,
//     committee, product or user removes the relationships that touch it
//     (detach delete), deleting a hospital removes its listings and
//     deleting a department its indication shares;
//   - a prescription fact's HCP or department and its product exist after
//     the change; deleting one of them deletes its facts (they are data
//     about it, like indication shares);
//   - an account plan's hospital, department (of that hospital), product
//     and owner exist after the change, and so does each stakeholder's HCP
//     and owner unless the stored plan already had that stakeholder with
//     them (people leave; a plan keeps whom it worked with); deleting a
//     hospital, department, product or user that a plan not deleted in the
//     same change references is ECONFLICT, and a department that moves to
//     another hospital takes its plans' hospital_id with it or is EINVALID;
//   - an interaction's HCP, KAM (a user) and product (when set) exist after
//     the change; deleting the HCP deletes its interactions (notes about a
//     person go with the person), deleting a user or product that an
//     interaction not deleted in the same change references is ECONFLICT.
//
// Within one change set the last record with a given key wins; a delete and
// an upsert of the same id give a fresh record with no relationships. Every
// successful Apply adds exactly 1 to the version, a re-apply included.
// Problems name the record in Problem.File as kind/id (e.g. "hcps/P001",
// "influences/P001->P002") and the snake_case field in Problem.Field; field
// problems are reported before conflicts, conflicts before references.
//
// IfVersion, when set, makes Apply check first, inside the transaction,
// that the store is still at that version, and fail with ErrStale (nothing
// written) if not: a writer that read the records it changes (to record
// their before values, or to decide what to change) at version v sets
// IfVersion to v, so its reading and its write are one consistent step.
//
// CheckOnly makes Apply judge the change set exactly as it would (fields,
// IfVersion, conflicts, references, against the stored graph) and write
// nothing: it returns the current version, or the error the write would
// have. A dry run asks it, so a dry run and the write never disagree.
//
// Audit entries are stored in the same transaction as the change, in their
// order, with Version, Seq and At assigned by the store; each must pass
// AuditEntry.Validate (EINVALID naming "audit[i]" otherwise). The store does
// not compare them with the change: the writer vouches for them.
type ChangeSet struct {
	Territories []*Territory
	Hospitals   []*Hospital
	Departments []*Department
	HCPs        []*HCP
	Committees  []*Committee
	Memberships []Membership
	Products    []*Product
	Listings    []Listing
	// IndicationShares are the per-product indication shares of
	// departments.
	IndicationShares []ProductShare
	Users            []*User
	Knows            []Knows
	Influences       []*Influence
	AccountPlans     []*AccountPlan
	// Prescriptions are monthly prescription facts (PrescriptionFact).
	Prescriptions []PrescriptionFact
	// Interactions, Owners and Activities are field execution (field.go).
	Interactions []*Interaction
	// Owners are keyed by AccountID: one owner per account.
	Owners     []AccountOwner
	Activities []*Activity

	Delete Deletion

	IfVersion *uint64
	CheckOnly bool
	// Keep names, per kind (Kind names: "hcps"), optional fields the
	// upserts do not give, which the writer keeps from the stored records
	// (keep.go).
	Keep  map[string][]string
	Audit []AuditEntry
}

// Deletion names what a ChangeSet removes.
type Deletion struct {
	Territories      []string
	Hospitals        []string
	Departments      []string
	HCPs             []string
	Committees       []string
	Memberships      []MembershipKey
	Products         []string
	Listings         []ListingKey
	IndicationShares []ProductShareKey
	Users            []string
	Knows            []KnowsKey
	Influences       []EdgeKey
	AccountPlans     []string
	Prescriptions    []PrescriptionFactKey
	Interactions     []string
	Owners           []string // account ids
	Activities       []string
}

// MembershipKey identifies a MEMBER_OF relationship.
type MembershipKey struct{ HCPID, CommitteeID string }

// ListingKey identifies a LISTS relationship.
type ListingKey struct{ HospitalID, ProductID string }

// ProductShareKey identifies a TREATS relationship (an indication share).
type ProductShareKey struct{ DepartmentID, ProductID string }

// KnowsKey identifies a KNOWS relationship.
type KnowsKey struct{ UserID, HCPID string }

// Len is the number of records cs upserts and deletes, all kinds together
// (relationships that deleting a node detaches not counted).
func (cs *ChangeSet) Len() int {
	n := 0
	for _, k := range changeSetKinds {
		n += k.size(cs)
	}
	return n
}

// PlansOnly reports whether cs upserts or deletes account plans and
// nothing else: the writes auth.WritePlans allows.
func (cs *ChangeSet) PlansOnly() bool {
	n := AccountPlanKind.size(cs)
	return n > 0 && n == cs.Len()
}

// Empty reports whether the change set changes nothing in the graph
// (audit entries aside).
func (cs *ChangeSet) Empty() bool {
	for _, k := range changeSetKinds {
		if k.Touches(cs) {
			return false
		}
	}
	return true
}
