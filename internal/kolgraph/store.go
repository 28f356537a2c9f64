package kolgraph

import (
	"context"
	"time"
)

// MaxPageSize is the largest page a connection may ask for.
const MaxPageSize = 500

// Page asks for up to First items after the item whose id is After, in
// ascending id order (keyset pagination: stable under concurrent writes).
// First == 0 asks for no items (the page still reports Total and HasNext):
// a zero value never means "as many as allowed", so nothing can ask for more
// than it is charged for. Values above MaxPageSize are capped at it, and a
// negative First is EINVALID. After need not be an existing id.
type Page struct {
	First int
	After string
}

// Size is the number of items the page holds at most: First, capped at
// MaxPageSize; EINVALID when First is negative.
func (p Page) Size() (int, error) {
	if p.First < 0 {
		return 0, Errorf(EINVALID, "first must not be negative (got %d)", p.First)
	}
	return min(p.First, MaxPageSize), nil
}

// HospitalFilter selects hospitals; empty fields match everything. All set
// fields must match. Beware: an empty IDs or Territories list means "no
// restriction", so a caller restricting to a set must never pass an empty set
// (return nothing itself instead).
type HospitalFilter struct {
	IDs          []string // restrict to these ids (e.g. a caller's scope)
	Territories  []string // hospital's territory is one of these
	City         string
	Province     string
	Tier         string
	NameContains string // case-insensitive substring, UTF-8 aware
}

// HCPFilter selects HCPs; empty fields match everything.
type HCPFilter struct {
	HospitalIDs  []string // HCP works in one of these hospitals
	Territories  []string // HCP's hospital is in one of these territories
	DepartmentID string
	City         string // city of the HCP's hospital
	Specialty    string
	Role         string
	Title        string
	Position     string
	KOLLevel     string // national | regional | local
	KOLOnly      bool   // only HCPs with the KOL label
	NameContains string
}

// HospitalPage is one page of hospitals with the total count of the filter.
type HospitalPage struct {
	Items   []*Hospital
	Total   int
	HasNext bool
}

// HCPPage is one page of HCPs with the total count of the filter.
type HCPPage struct {
	Items   []*HCP
	Total   int
	HasNext bool
}

// Visitor receives every record of the kinds whose callback is set, one at a
// time, in no particular order. Returning an error stops the scan with it.
type Visitor struct {
	Hospital   func(*Hospital) error
	Department func(*Department) error
	HCP        func(*HCP) error
	Committee  func(*Committee) error
	Membership func(Membership) error
	Product    func(*Product) error
	Listing    func(Listing) error
	// ProductShare visits the indication shares (ChangeSet.IndicationShares).
	ProductShare func(ProductShare) error
	Territory    func(*Territory) error
	User         func(*User) error
	Knows        func(Knows) error
	Influence    func(*Influence) error
	// PrescriptionFact visits the prescription facts.
	PrescriptionFact func(PrescriptionFact) error
	// Interaction visits the interactions.
	Interaction func(*Interaction) error
	// AccountOwner visits the account owners.
	AccountOwner func(AccountOwner) error
	// Activity visits the academic activities.
	Activity func(*Activity) error
	// ReadOnly promises that the callbacks neither modify the records they
	// get nor keep them: a store may then hand over its own copies instead
	// of fresh ones (the embedded store skips a copy per record, a million
	// allocations for a national region's ties). Leave it false when a
	// callback keeps a record.
	ReadOnly bool
}

// Store is the system of record. Every adapter (the embedded store, Neo4j)
// implements it and passes the contract suite in internal/storetest.
//
// Batched lookups return one entry per requested id, in the order asked, nil
// (or an empty slice) where nothing matches; they never fail for unknown ids.
type Store interface {
	Hospitals(ctx context.Context, ids []string) ([]*Hospital, error)
	Departments(ctx context.Context, ids []string) ([]*Department, error)
	HCPs(ctx context.Context, ids []string) ([]*HCP, error)
	Committees(ctx context.Context, ids []string) ([]*Committee, error)
	Products(ctx context.Context, ids []string) ([]*Product, error)
	Territories(ctx context.Context, ids []string) ([]*Territory, error)
	Users(ctx context.Context, ids []string) ([]*User, error)
	Influences(ctx context.Context, keys []EdgeKey) ([]*Influence, error)

	ListHospitals(ctx context.Context, f HospitalFilter, p Page) (*HospitalPage, error)
	ListHCPs(ctx context.Context, f HCPFilter, p Page) (*HCPPage, error)
	// ListProducts and ListTerritories return everything, ascending by id.
	ListProducts(ctx context.Context) ([]*Product, error)
	ListTerritories(ctx context.Context) ([]*Territory, error)

	// Navigation, batched by parent id; each inner slice is sorted by id
	// (memberships by committee then HCP; influences by the other end).
	DepartmentsOfHospitals(ctx context.Context, hospitalIDs []string) ([][]*Department, error)
	CommitteesOfHospitals(ctx context.Context, hospitalIDs []string) ([][]*Committee, error)
	ListingsOfHospitals(ctx context.Context, hospitalIDs []string) ([][]Listing, error)
	// ProductSharesOfDepartments: each department's indication shares, by
	// product id.
	ProductSharesOfDepartments(ctx context.Context, departmentIDs []string) ([][]ProductShare, error)
	HCPsOfDepartments(ctx context.Context, departmentIDs []string) ([][]*HCP, error)
	MembershipsOfHCPs(ctx context.Context, hcpIDs []string) ([][]Membership, error)
	MembershipsOfCommittees(ctx context.Context, committeeIDs []string) ([][]Membership, error)
	InfluencesFrom(ctx context.Context, hcpIDs []string) ([][]*Influence, error)
	InfluencesTo(ctx context.Context, hcpIDs []string) ([][]*Influence, error)
	KnowsOfUsers(ctx context.Context, userIDs []string) ([][]Knows, error)

	// AccountPlans looks plans up by id, as the other batched lookups.
	AccountPlans(ctx context.Context, ids []string) ([]*AccountPlan, error)
	// ListAccountPlans returns one page of the plans matching f, ascending
	// by id (keyset pagination as Page says). An invalid filter is
	// EINVALID.
	ListAccountPlans(ctx context.Context, f AccountPlanFilter, p Page) (*AccountPlanPage, error)

	// PrescriptionFacts looks facts up by key, as the other batched
	// lookups (nil where none is stored).
	PrescriptionFacts(ctx context.Context, keys []PrescriptionFactKey) ([]*PrescriptionFact, error)
	// PrescriptionFactsOf: the facts of each HCP or department (ids name
	// one record whatever its kind), by product id then month.
	PrescriptionFactsOf(ctx context.Context, entityIDs []string) ([][]PrescriptionFact, error)

	// Interactions looks interactions up by id, as the other batched
	// lookups.
	Interactions(ctx context.Context, ids []string) ([]*Interaction, error)
	// InteractionsOfHCPs: each HCP's interactions, by date then id.
	InteractionsOfHCPs(ctx context.Context, hcpIDs []string) ([][]*Interaction, error)
	// ListInteractions returns one page of the interactions matching f,
	// ascending by id (keyset pagination as Page says). An invalid filter
	// (a bound that is not a date) is EINVALID.
	ListInteractions(ctx context.Context, f InteractionFilter, p Page) (*InteractionPage, error)

	// AccountOwners looks the owners of accounts (territory, hospital,
	// department or HCP ids) up, as the other batched lookups (nil where
	// an account has none).
	AccountOwners(ctx context.Context, accountIDs []string) ([]*AccountOwner, error)

	// Activities looks academic activities up by id, as the other batched
	// lookups.
	Activities(ctx context.Context, ids []string) ([]*Activity, error)
	// ListActivities returns one page of the activities matching f,
	// ascending by id (keyset pagination as Page says). An invalid filter
	// (a bound that is not a date) is EINVALID.
	ListActivities(ctx context.Context, f ActivityFilter, p Page) (*ActivityPage, error)

	// Scan streams whole kinds, for analytics snapshots and exports.
	Scan(ctx context.Context, v Visitor) error

	// Version counts applied change sets: 0 for a store that was never
	// written. It changes whenever the graph does.
	Version(ctx context.Context) (uint64, error)

	// Apply validates cs against the stored graph and writes it in one
	// transaction: all of it or, on any error, nothing. It returns the new
	// version. See ChangeSet for the rules.
	Apply(ctx context.Context, cs *ChangeSet) (uint64, error)

	// AuditLog returns the audit entries matching f, ordered by (Version,
	// Seq) ascending, i.e. in the order they were applied; p.After is an
	// AuditEntry.Cursor (entries strictly after it), p.First as for the
	// other pages. An invalid filter or cursor is EINVALID.
	AuditLog(ctx context.Context, f AuditFilter, p Page) (*AuditPage, error)

	// AppendAudit records entries that change nothing (Op read: who was
	// handed whose personal data) in the audit log, in one transaction, all
	// or nothing: at the current version, after the entries already there,
	// with At as for Apply. The version does not change. Entries failing
	// CheckAuditAppend are EINVALID. Concurrent calls (and Applies) are
	// serialised, so Seq never repeats within a version.
	AppendAudit(ctx context.Context, entries []AuditEntry) error

	// AppendHistory stores points of the influence history in one
	// transaction, all or nothing; a point with the scope, metric and
	// version of a stored one replaces it. Points are not graph writes:
	// the version does not change and nothing is audited. A point failing
	// HistoryPoint.Validate is EINVALID.
	AppendHistory(ctx context.Context, points []*HistoryPoint) error
	// History returns the points of one scope and metric whose At is in
	// [from, to) (a zero bound is open), ascending by Version.
	History(ctx context.Context, scope, metric string, from, to time.Time) ([]*HistoryPoint, error)
	// LatestHistory returns the point of one scope and metric with the
	// highest Version among those whose At is not after notAfter (zero:
	// any), or nil when there is none.
	LatestHistory(ctx context.Context, scope, metric string, notAfter time.Time) (*HistoryPoint, error)
	// PruneHistory drops the points r drops at now (see
	// HistoryRetention.Drop), in one transaction, and returns how many.
	PruneHistory(ctx context.Context, r HistoryRetention, now time.Time) (int, error)

	// Ping reports whether the store can serve (readiness).
	Ping(ctx context.Context) error
	Close() error
}
