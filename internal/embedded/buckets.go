package embedded

import (
	"fmt"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// bucket is one record kind as the file and the read model hold it: its
// bbolt key, its codec (record.go), its deep copy (clone.go) and its
// read-model put and delete (graph.go). The table of buckets drives Open's
// load, Apply's write and the read model's update, so a new kind is one row.
type bucket[R any, K comparable] struct {
	kind *kolgraph.Kind[R, K]
	// key is the bbolt key of a record; keyIs compares a stored key with
	// a record's without allocating (Open reads every record).
	key    func(K) []byte
	keyIs  func([]byte, K) bool
	encode func([]byte, R) []byte
	decode func([]byte) (R, error)
	clone  func(R) R // nil for values
	put    func(*graph, R)
	del    func(*graph, K)
	// loadRaw, when set, is load for a kind the read model keeps in a
	// form of its own, decoding and checking the stored record without
	// building it (the ties).
	loadRaw func(g *graph, k, v []byte) error
	// deleted is the kind's deletions in a planned change.
	deleted func(*changes) map[K]struct{}
}

// kindBucket is a bucket whatever its types, for the table.
type kindBucket interface {
	name() string
	load(g *graph, k, v []byte) error
	cloneChanges(c *changes)
	write(c *changes, del func(bucket string, k []byte), put func(bucket string, k []byte, appendRec func([]byte) []byte))
	deleteFrom(g *graph, c *changes)
	putInto(g *graph, c *changes)
	appendBulk(arena []byte, rec any, line int, o *BulkOptions) ([]byte, bool, error)
}

func (b *bucket[R, K]) name() string { return b.kind.Name }

// load decodes one stored record into g. The key is checked against the
// record so that a corrupt file is reported instead of silently producing
// an inconsistent read model.
func (b *bucket[R, K]) load(g *graph, k, v []byte) error {
	if b.loadRaw != nil {
		return b.loadRaw(g, k, v)
	}
	r, err := b.decode(v)
	if err != nil {
		return fmt.Errorf("embedded: decode %s/%q: %w", b.kind.Name, k, err)
	}
	if !b.keyIs(k, b.kind.Key(r)) {
		return fmt.Errorf("embedded: %s/%q: key does not match record", b.kind.Name, k)
	}
	b.put(g, r)
	return nil
}

// cloneChanges copies the upserts away from the caller's records: the read
// model keeps them.
func (b *bucket[R, K]) cloneChanges(c *changes) {
	if b.clone == nil {
		return
	}
	m := *b.kind.Resolved(c.Changes)
	for k, r := range m {
		m[k] = b.clone(r)
	}
}

func (b *bucket[R, K]) write(c *changes, del func(string, []byte), put func(string, []byte, func([]byte) []byte)) {
	for k := range b.deleted(c) {
		del(b.kind.Name, b.key(k))
	}
	for k, r := range *b.kind.Resolved(c.Changes) {
		put(b.kind.Name, b.key(k), func(buf []byte) []byte { return b.encode(buf, r) })
	}
}

func (b *bucket[R, K]) deleteFrom(g *graph, c *changes) {
	for k := range b.deleted(c) {
		b.del(g, k)
	}
}

func (b *bucket[R, K]) putInto(g *graph, c *changes) {
	for _, r := range *b.kind.Resolved(c.Changes) {
		b.put(g, r)
	}
}

func idKey(id string) []byte        { return []byte(id) }
func idIs(k []byte, id string) bool { return string(k) == id }

// buckets is the table, in the order Open loads the kinds.
var buckets = []kindBucket{
	&bucket[*kolgraph.Territory, string]{kind: kolgraph.TerritoryKind, key: idKey, keyIs: idIs,
		encode: appendTerritory, decode: decodeTerritory, clone: cloneTerritory,
		put: (*graph).putTerritory, del: (*graph).delTerritory,
		deleted: func(c *changes) map[string]struct{} { return c.DelTerritories }},
	&bucket[*kolgraph.Hospital, string]{kind: kolgraph.HospitalKind, key: idKey, keyIs: idIs,
		encode: appendHospital, decode: decodeHospital, clone: cloneHospital,
		put: (*graph).putHospital, del: (*graph).delHospital,
		deleted: func(c *changes) map[string]struct{} { return c.DelHospitals }},
	&bucket[*kolgraph.Department, string]{kind: kolgraph.DepartmentKind, key: idKey, keyIs: idIs,
		encode: appendDepartment, decode: decodeDepartment, clone: cloneDepartment,
		put: (*graph).putDepartment, del: (*graph).delDepartment,
		deleted: func(c *changes) map[string]struct{} { return c.DelDepartments }},
	&bucket[*kolgraph.HCP, string]{kind: kolgraph.HCPKind, key: idKey, keyIs: idIs,
		encode: appendHCP, decode: decodeHCP, clone: cloneHCP,
		put: (*graph).putHCP, del: (*graph).delHCP,
		deleted: func(c *changes) map[string]struct{} { return c.DelHCPs }},
	&bucket[*kolgraph.Committee, string]{kind: kolgraph.CommitteeKind, key: idKey, keyIs: idIs,
		encode: appendCommittee, decode: decodeCommittee, clone: cloneCommittee,
		put: (*graph).putCommittee, del: (*graph).delCommittee,
		deleted: func(c *changes) map[string]struct{} { return c.DelCommittees }},
	&bucket[kolgraph.Membership, kolgraph.MembershipKey]{kind: kolgraph.MembershipKind,
		key:    func(k kolgraph.MembershipKey) []byte { return pairKey(k.HCPID, k.CommitteeID) },
		keyIs:  func(b []byte, k kolgraph.MembershipKey) bool { return pairIs(b, k.HCPID, k.CommitteeID) },
		encode: appendMembership, decode: decodeMembership,
		put: (*graph).putMembership, del: (*graph).delMembership,
		deleted: func(c *changes) map[kolgraph.MembershipKey]struct{} { return c.delMemberships }},
	&bucket[*kolgraph.Product, string]{kind: kolgraph.ProductKind, key: idKey, keyIs: idIs,
		encode: appendProduct, decode: decodeProduct, clone: cloneProduct,
		put: (*graph).putProduct, del: (*graph).delProduct,
		deleted: func(c *changes) map[string]struct{} { return c.DelProducts }},
	&bucket[kolgraph.Listing, kolgraph.ListingKey]{kind: kolgraph.ListingKind,
		key:    func(k kolgraph.ListingKey) []byte { return pairKey(k.HospitalID, k.ProductID) },
		keyIs:  func(b []byte, k kolgraph.ListingKey) bool { return pairIs(b, k.HospitalID, k.ProductID) },
		encode: appendListing, decode: decodeListing,
		put: (*graph).putListing, del: (*graph).delListing,
		deleted: func(c *changes) map[kolgraph.ListingKey]struct{} { return c.delListings }},
	&bucket[kolgraph.ProductShare, kolgraph.ProductShareKey]{kind: kolgraph.ProductShareKind,
		key:    func(k kolgraph.ProductShareKey) []byte { return pairKey(k.DepartmentID, k.ProductID) },
		keyIs:  func(b []byte, k kolgraph.ProductShareKey) bool { return pairIs(b, k.DepartmentID, k.ProductID) },
		encode: appendProductShare, decode: decodeProductShare,
		put: (*graph).putProductShare, del: (*graph).delProductShare,
		deleted: func(c *changes) map[kolgraph.ProductShareKey]struct{} { return c.delShares }},
	&bucket[*kolgraph.User, string]{kind: kolgraph.UserKind, key: idKey, keyIs: idIs,
		encode: appendUser, decode: decodeUser, clone: cloneUser,
		put: (*graph).putUser, del: (*graph).delUser,
		deleted: func(c *changes) map[string]struct{} { return c.DelUsers }},
	&bucket[kolgraph.Knows, kolgraph.KnowsKey]{kind: kolgraph.KnowsKind,
		key:    func(k kolgraph.KnowsKey) []byte { return pairKey(k.UserID, k.HCPID) },
		keyIs:  func(b []byte, k kolgraph.KnowsKey) bool { return pairIs(b, k.UserID, k.HCPID) },
		encode: appendKnows, decode: decodeKnows,
		put: (*graph).putKnows, del: (*graph).delKnows,
		deleted: func(c *changes) map[kolgraph.KnowsKey]struct{} { return c.delKnows }},
	&bucket[*kolgraph.Influence, kolgraph.EdgeKey]{kind: kolgraph.InfluenceKind,
		key:    func(k kolgraph.EdgeKey) []byte { return pairKey(k.From, k.To) },
		keyIs:  func(b []byte, k kolgraph.EdgeKey) bool { return pairIs(b, k.From, k.To) },
		encode: appendInfluence, decode: decodeInfluence, clone: cloneInfluence,
		put: (*graph).putInfluence, del: (*graph).delInfluence, loadRaw: (*graph).loadInfluence,
		deleted: func(c *changes) map[kolgraph.EdgeKey]struct{} { return c.delInfluences }},
	&bucket[*kolgraph.AccountPlan, string]{kind: kolgraph.AccountPlanKind, key: idKey, keyIs: idIs,
		encode: appendAccountPlan, decode: decodeAccountPlan, clone: cloneAccountPlan,
		put: (*graph).putAccountPlan, del: (*graph).delAccountPlan,
		deleted: func(c *changes) map[string]struct{} { return c.DelAccountPlans }},
	&bucket[kolgraph.PrescriptionFact, kolgraph.PrescriptionFactKey]{kind: kolgraph.PrescriptionFactKind,
		key: factKey, keyIs: func(b []byte, k kolgraph.PrescriptionFactKey) bool { return string(b) == string(factKey(k)) },
		encode: appendPrescriptionFact, decode: decodePrescriptionFact,
		put: (*graph).putFact, del: (*graph).delFact,
		deleted: func(c *changes) map[kolgraph.PrescriptionFactKey]struct{} { return c.delFacts }},
	&bucket[*kolgraph.Interaction, string]{kind: kolgraph.InteractionKind, key: idKey, keyIs: idIs,
		encode: appendInteraction, decode: decodeInteraction, clone: cloneInteraction,
		put: (*graph).putInteraction, del: (*graph).delInteraction,
		deleted: func(c *changes) map[string]struct{} { return c.DelInteractions }},
	&bucket[kolgraph.AccountOwner, string]{kind: kolgraph.OwnerKind, key: idKey, keyIs: idIs,
		encode: appendOwner, decode: decodeOwner,
		put: (*graph).putOwner, del: (*graph).delOwner,
		deleted: func(c *changes) map[string]struct{} { return c.delOwners }},
	&bucket[*kolgraph.Activity, string]{kind: kolgraph.ActivityKind, key: idKey, keyIs: idIs,
		encode: appendActivity, decode: decodeActivity, clone: cloneActivity,
		put: (*graph).putActivity, del: (*graph).delActivity,
		deleted: func(c *changes) map[string]struct{} { return c.DelActivities }},
}
