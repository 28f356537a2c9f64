package kolgraph

// Kind describes one kind of record a ChangeSet carries: where its upserts
// and deletions are, its key, the id that names it in problems and the
// audit log, and its field check. R is the record (*Hospital, Membership),
// K its key (the id, or a relationship's key type). Code that does the same
// for every kind (CheckFields, ResolveChanges, the writer's plan, the
// scoped store's checks, the embedded store's buckets) goes through these
// descriptors, so a new kind is its ChangeSet, Deletion and Changes fields,
// one row here and one in each of those tables (and in keep.go's when it
// has optional fields an import may leave out).
type Kind[R any, K comparable] struct {
	// Name is the kind in the audit log and Problem.File ("hcps").
	Name string
	// Upserts and Deletes point at the kind's lists in a change set.
	Upserts func(*ChangeSet) *[]R
	Deletes func(*Deletion) *[]K
	// Resolved points at the kind's upserts in Changes.
	Resolved func(*Changes) *map[K]R
	// Key is a record's key; ID names a key: the id, or PairID.
	Key func(R) K
	ID  func(K) string
	// Check reports the problems of a record's own fields (Validate).
	Check func(R) []Problem
	// Derivable is Check for a record the writer completes: a field the
	// writer derives may be empty (nil: Check).
	Derivable func(R) []Problem
	// Nil reports a missing record (nil: records are values).
	Nil func(R) bool
}

// name names record r, the i-th upsert of its kind, in a problem: kind/id,
// or kind[i] when it has no id.
func (k *Kind[R, K]) name(r R, i int) string { return recName(k.Name, k.ID(k.Key(r)), i) }

// checkFields adds the field problems of the kind's upserts in cs.
func (k *Kind[R, K]) checkFields(cs *ChangeSet, p *fieldProblems, derivable bool) {
	check := k.Check
	if derivable && k.Derivable != nil {
		check = k.Derivable
	}
	for i, r := range *k.Upserts(cs) {
		if k.Nil != nil && k.Nil(r) {
			p.add(recName(k.Name, "", i), "", "is nil")
			continue
		}
		p.fields(k.name(r, i), check(r))
	}
}

// size is the number of the kind's upserts and deletions in cs.
func (k *Kind[R, K]) size(cs *ChangeSet) int {
	return len(*k.Upserts(cs)) + len(*k.Deletes(&cs.Delete))
}

// resolve puts the kind's winning upserts in c.
func (k *Kind[R, K]) resolve(cs *ChangeSet, c *Changes) {
	*k.Resolved(c) = lastWins(*k.Upserts(cs), k.Key)
}

// Keys returns the keys of the kind's records that cs upserts (nil ones
// left out) and then of those it deletes, in their order.
func (k *Kind[R, K]) Keys(cs *ChangeSet) []K {
	ups, dels := *k.Upserts(cs), *k.Deletes(&cs.Delete)
	out := make([]K, 0, len(ups)+len(dels))
	for _, r := range ups {
		if k.Nil == nil || !k.Nil(r) {
			out = append(out, k.Key(r))
		}
	}
	return append(out, dels...)
}

// KindName is Name, for AnyKind.
func (k *Kind[R, K]) KindName() string { return k.Name }

// Touches reports whether cs upserts or deletes records of the kind.
func (k *Kind[R, K]) Touches(cs *ChangeSet) bool {
	return len(*k.Upserts(cs)) > 0 || len(*k.Deletes(&cs.Delete)) > 0
}

// upsertIDs returns the ids of the kind's upserts in cs, in order ("" for
// a nil record).
func (k *Kind[R, K]) upsertIDs(cs *ChangeSet) []string {
	ups := *k.Upserts(cs)
	out := make([]string, len(ups))
	for i, r := range ups {
		if k.Nil == nil || !k.Nil(r) {
			out[i] = k.ID(k.Key(r))
		}
	}
	return out
}

// AnyKind is a Kind whatever its types, for tables of kinds.
type AnyKind interface {
	KindName() string
	Touches(cs *ChangeSet) bool
	size(cs *ChangeSet) int
	checkFields(cs *ChangeSet, p *fieldProblems, derivable bool)
	resolve(cs *ChangeSet, c *Changes)
	upsertIDs(cs *ChangeSet) []string
}

// UpsertIDs returns the ids (PairID for relationships) of the upserts of
// kind in cs, in order, "" for a nil record; nil for an unknown kind. A
// problem names a record as kind/id: this says which upsert it was.
func UpsertIDs(cs *ChangeSet, kind string) []string {
	for _, k := range changeSetKinds {
		if k.KindName() == kind {
			return k.upsertIDs(cs)
		}
	}
	return nil
}

// The kinds of a ChangeSet, one descriptor each.
var (
	TerritoryKind = &Kind[*Territory, string]{Name: KindTerritories,
		Upserts:  func(cs *ChangeSet) *[]*Territory { return &cs.Territories },
		Deletes:  func(d *Deletion) *[]string { return &d.Territories },
		Resolved: func(c *Changes) *map[string]*Territory { return &c.Territories },
		Key:      func(r *Territory) string { return r.ID }, ID: self,
		Check: (*Territory).Validate, Nil: isNil[Territory]}
	HospitalKind = &Kind[*Hospital, string]{Name: KindHospitals,
		Upserts:  func(cs *ChangeSet) *[]*Hospital { return &cs.Hospitals },
		Deletes:  func(d *Deletion) *[]string { return &d.Hospitals },
		Resolved: func(c *Changes) *map[string]*Hospital { return &c.Hospitals },
		Key:      func(r *Hospital) string { return r.ID }, ID: self,
		Check: (*Hospital).Validate, Nil: isNil[Hospital]}
	DepartmentKind = &Kind[*Department, string]{Name: KindDepartments,
		Upserts:  func(cs *ChangeSet) *[]*Department { return &cs.Departments },
		Deletes:  func(d *Deletion) *[]string { return &d.Departments },
		Resolved: func(c *Changes) *map[string]*Department { return &c.Departments },
		Key:      func(r *Department) string { return r.ID }, ID: self,
		Check: (*Department).Validate, Nil: isNil[Department]}
	HCPKind = &Kind[*HCP, string]{Name: KindHCPs,
		Upserts:  func(cs *ChangeSet) *[]*HCP { return &cs.HCPs },
		Deletes:  func(d *Deletion) *[]string { return &d.HCPs },
		Resolved: func(c *Changes) *map[string]*HCP { return &c.HCPs },
		Key:      func(r *HCP) string { return r.ID }, ID: self,
		Check: (*HCP).Validate, Derivable: (*HCP).validateDerivable, Nil: isNil[HCP]}
	CommitteeKind = &Kind[*Committee, string]{Name: KindCommittees,
		Upserts:  func(cs *ChangeSet) *[]*Committee { return &cs.Committees },
		Deletes:  func(d *Deletion) *[]string { return &d.Committees },
		Resolved: func(c *Changes) *map[string]*Committee { return &c.Committees },
		Key:      func(r *Committee) string { return r.ID }, ID: self,
		Check: (*Committee).Validate, Nil: isNil[Committee]}
	ProductKind = &Kind[*Product, string]{Name: KindProducts,
		Upserts:  func(cs *ChangeSet) *[]*Product { return &cs.Products },
		Deletes:  func(d *Deletion) *[]string { return &d.Products },
		Resolved: func(c *Changes) *map[string]*Product { return &c.Products },
		Key:      func(r *Product) string { return r.ID }, ID: self,
		Check: (*Product).Validate, Nil: isNil[Product]}
	UserKind = &Kind[*User, string]{Name: KindUsers,
		Upserts:  func(cs *ChangeSet) *[]*User { return &cs.Users },
		Deletes:  func(d *Deletion) *[]string { return &d.Users },
		Resolved: func(c *Changes) *map[string]*User { return &c.Users },
		Key:      func(r *User) string { return r.ID }, ID: self,
		Check: (*User).Validate, Nil: isNil[User]}
	MembershipKind = &Kind[Membership, MembershipKey]{Name: KindMemberships,
		Upserts:  func(cs *ChangeSet) *[]Membership { return &cs.Memberships },
		Deletes:  func(d *Deletion) *[]MembershipKey { return &d.Memberships },
		Resolved: func(c *Changes) *map[MembershipKey]Membership { return &c.Memberships },
		Key:      func(r Membership) MembershipKey { return MembershipKey{HCPID: r.HCPID, CommitteeID: r.CommitteeID} },
		ID:       func(k MembershipKey) string { return PairID(k.HCPID, k.CommitteeID) },
		Check:    func(r Membership) []Problem { return r.Validate() }}
	ListingKind = &Kind[Listing, ListingKey]{Name: KindListings,
		Upserts:  func(cs *ChangeSet) *[]Listing { return &cs.Listings },
		Deletes:  func(d *Deletion) *[]ListingKey { return &d.Listings },
		Resolved: func(c *Changes) *map[ListingKey]Listing { return &c.Listings },
		Key:      func(r Listing) ListingKey { return ListingKey{HospitalID: r.HospitalID, ProductID: r.ProductID} },
		ID:       func(k ListingKey) string { return PairID(k.HospitalID, k.ProductID) },
		Check:    func(r Listing) []Problem { return r.Validate() }}
	ProductShareKind = &Kind[ProductShare, ProductShareKey]{Name: KindIndicationShares,
		Upserts:  func(cs *ChangeSet) *[]ProductShare { return &cs.IndicationShares },
		Deletes:  func(d *Deletion) *[]ProductShareKey { return &d.IndicationShares },
		Resolved: func(c *Changes) *map[ProductShareKey]ProductShare { return &c.IndicationShares },
		Key: func(r ProductShare) ProductShareKey {
			return ProductShareKey{DepartmentID: r.DepartmentID, ProductID: r.ProductID}
		},
		ID:    func(k ProductShareKey) string { return PairID(k.DepartmentID, k.ProductID) },
		Check: func(r ProductShare) []Problem { return r.Validate() }}
	KnowsKind = &Kind[Knows, KnowsKey]{Name: KindKnows,
		Upserts:  func(cs *ChangeSet) *[]Knows { return &cs.Knows },
		Deletes:  func(d *Deletion) *[]KnowsKey { return &d.Knows },
		Resolved: func(c *Changes) *map[KnowsKey]Knows { return &c.Knows },
		Key:      func(r Knows) KnowsKey { return KnowsKey{UserID: r.UserID, HCPID: r.HCPID} },
		ID:       func(k KnowsKey) string { return PairID(k.UserID, k.HCPID) },
		Check:    func(r Knows) []Problem { return r.Validate() }}
	InfluenceKind = &Kind[*Influence, EdgeKey]{Name: KindInfluences,
		Upserts:  func(cs *ChangeSet) *[]*Influence { return &cs.Influences },
		Deletes:  func(d *Deletion) *[]EdgeKey { return &d.Influences },
		Resolved: func(c *Changes) *map[EdgeKey]*Influence { return &c.Influences },
		Key:      (*Influence).Key,
		ID:       func(k EdgeKey) string { return PairID(k.From, k.To) },
		Check:    (*Influence).Validate, Nil: isNil[Influence]}
	AccountPlanKind = &Kind[*AccountPlan, string]{Name: KindAccountPlans,
		Upserts:  func(cs *ChangeSet) *[]*AccountPlan { return &cs.AccountPlans },
		Deletes:  func(d *Deletion) *[]string { return &d.AccountPlans },
		Resolved: func(c *Changes) *map[string]*AccountPlan { return &c.AccountPlans },
		Key:      func(r *AccountPlan) string { return r.ID }, ID: self,
		Check: (*AccountPlan).Validate, Derivable: (*AccountPlan).validateDerivable, Nil: isNil[AccountPlan]}
)

// changeSetKinds is the table: nodes, then the relationships between them,
// then the account plans, prescription facts and field execution records
// that reference them, in the order problems are reported and changes
// planned.
var changeSetKinds = []AnyKind{TerritoryKind, HospitalKind, DepartmentKind, HCPKind,
	CommitteeKind, ProductKind, UserKind, MembershipKind, ListingKind, ProductShareKind, KnowsKind, InfluenceKind,
	AccountPlanKind, PrescriptionFactKind, InteractionKind, OwnerKind, ActivityKind}

func self(id string) string { return id }

func isNil[T any](r *T) bool { return r == nil }
