package writer

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Counts is what a write does to the records of one kind.
type Counts struct {
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"`
	Deleted   int `json:"deleted"`
}

// Changed is the number of records the write changes.
func (c Counts) Changed() int { return c.Created + c.Updated + c.Deleted }

// Plan is a change set compared with the store at one version: what it
// creates, updates, leaves unchanged and deletes (relationships that
// deleting a node detaches included), the audit entries of those changes,
// and the change set that makes exactly them.
type Plan struct {
	// Version is the store version the plan was made against.
	Version uint64
	// Counts by kind (kolgraph.Kinds); kinds the change set does not touch
	// are absent.
	Counts map[string]*Counts
	// Audit has one entry per changed record, without Actor and Source.
	Audit []kolgraph.AuditEntry

	cs *kolgraph.ChangeSet
	// The planned HCPs and ties, with the derived fields (derive.go).
	hcps       []*kolgraph.HCP
	influences []*kolgraph.Influence
}

// Changed reports whether applying the plan would change the graph.
func (p *Plan) Changed() bool { return len(p.Audit) > 0 }

// Total sums the counts of every kind.
func (p *Plan) Total() Counts {
	var t Counts
	for _, c := range p.Counts {
		t.Created += c.Created
		t.Updated += c.Updated
		t.Unchanged += c.Unchanged
		t.Deleted += c.Deleted
	}
	return t
}

func (p *Plan) counts(kind string) *Counts {
	c := p.Counts[kind]
	if c == nil {
		c = &Counts{}
		p.Counts[kind] = c
	}
	return c
}

// lookupChunk bounds the ids of one batched store lookup: a whole region's
// import asks for tens of thousands, which a remote store should get in
// several round trips rather than one huge statement.
const lookupChunk = 5000

func chunked[K, V any](ctx context.Context, keys []K, get func(context.Context, []K) ([]V, error)) ([]V, error) {
	out := make([]V, 0, len(keys))
	for i := 0; i < len(keys); i += lookupChunk {
		vs, err := get(ctx, keys[i:min(i+lookupChunk, len(keys))])
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

// plan compares cs with the store. It reads the version before and after
// its reads and fails with ErrStale when they differ, so that every before
// value is from Plan.Version.
func plan(ctx context.Context, st Store, cs *kolgraph.ChangeSet, now time.Time) (*Plan, error) {
	v0, err := st.Version(ctx)
	if err != nil {
		return nil, err
	}
	p := &Plan{Version: v0, Counts: map[string]*Counts{}, cs: &kolgraph.ChangeSet{}}
	b := &builder{p: p, now: now}
	if err := b.run(ctx, st, cs); err != nil {
		return nil, err
	}
	v1, err := st.Version(ctx)
	if err != nil {
		return nil, err
	}
	if v1 != v0 {
		return nil, fmt.Errorf("writer: store moved from version %d to %d while planning: %w", v0, v1, kolgraph.ErrStale)
	}
	return p, nil
}

type builder struct {
	p   *Plan
	now time.Time // the update time of ties that do not bring one
	err error
}

// record encodes a record for the audit log and for comparison, in a
// canonical form (empty lists as null, times in UTC) so that a record
// equal to the stored one compares equal whatever the store returned.
func (b *builder) record(v any) string {
	data, err := json.Marshal(v)
	if err != nil && b.err == nil {
		b.err = fmt.Errorf("writer: encode record: %w", err)
	}
	return string(data)
}

func (b *builder) entry(kind, id, op, before, after string) {
	b.p.Audit = append(b.p.Audit, kolgraph.AuditEntry{Kind: kind, EntityID: id, Op: op, Before: before, After: after})
}

// kind plans one kind: deletions of existing records (dels, detached
// relationships included), then upserts, the last one per key winning.
// before holds the stored record of every key in ups and dels.
func kind[K comparable, R any](b *builder, name string, ups []R, dels []K, before map[K]R,
	key func(R) K, id func(K) string, canon func(R) R, outUps *[]R, outDels *[]K) {
	if len(ups) == 0 && len(dels) == 0 {
		return
	}
	c := b.p.counts(name)
	deleted := make(map[K]bool, len(dels))
	for _, k := range dels {
		old, ok := before[k]
		if !ok || deleted[k] {
			continue
		}
		deleted[k] = true
		c.Deleted++
		b.entry(name, id(k), kolgraph.OpDelete, b.record(canon(old)), "")
		*outDels = append(*outDels, k)
	}
	last := make(map[K]int, len(ups))
	for i, r := range ups {
		last[key(r)] = i
	}
	for i, r := range ups {
		k := key(r)
		if last[k] != i {
			continue
		}
		after := b.record(canon(r))
		old, ok := before[k]
		switch {
		case !ok || deleted[k]: // a deleted and upserted record is fresh
			c.Created++
			b.entry(name, id(k), kolgraph.OpCreate, "", after)
		default:
			prev := b.record(canon(old))
			if prev == after {
				c.Unchanged++
				continue
			}
			c.Updated++
			b.entry(name, id(k), kolgraph.OpUpdate, prev, after)
		}
		*outUps = append(*outUps, r)
	}
}

func ids[T any](rs []*T, id func(*T) string) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		if r != nil {
			out = append(out, id(r))
		}
	}
	return out
}

// byID fetches the stored records of ids (deduplicated) into a map.
func byID[T any](ctx context.Context, ids []string, get func(context.Context, []string) ([]*T, error),
	id func(*T) string) (map[string]*T, error) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	got, err := chunked(ctx, ids, get)
	if err != nil {
		return nil, err
	}
	m := make(map[string]*T, len(got))
	for _, r := range got {
		if r != nil {
			m[id(r)] = r
		}
	}
	return m, nil
}

func nonNil[T any](rs []*T) []*T {
	return slices.DeleteFunc(slices.Clone(rs), func(r *T) bool { return r == nil })
}

func (b *builder) run(ctx context.Context, st Store, cs *kolgraph.ChangeSet) error {
	d := &cs.Delete
	out := b.p.cs
	od := &out.Delete

	// Relationships that deleting a node removes with it (see
	// kolgraph.ChangeSet), made explicit so that each gets its audit entry.
	det, err := detached(ctx, st, d)
	if err != nil {
		return err
	}

	// Nodes.
	territories, err := byID(ctx, append(ids(cs.Territories, func(r *kolgraph.Territory) string { return r.ID }), d.Territories...),
		st.Territories, func(r *kolgraph.Territory) string { return r.ID })
	if err != nil {
		return err
	}
	kind(b, kolgraph.KindTerritories, nonNil(cs.Territories), d.Territories, territories,
		func(r *kolgraph.Territory) string { return r.ID }, same, canonPtr[kolgraph.Territory], &out.Territories, &od.Territories)

	hospitals, err := byID(ctx, append(ids(cs.Hospitals, func(r *kolgraph.Hospital) string { return r.ID }), d.Hospitals...),
		st.Hospitals, func(r *kolgraph.Hospital) string { return r.ID })
	if err != nil {
		return err
	}
	kind(b, kolgraph.KindHospitals, nonNil(cs.Hospitals), d.Hospitals, hospitals,
		func(r *kolgraph.Hospital) string { return r.ID }, same, canonPtr[kolgraph.Hospital], &out.Hospitals, &od.Hospitals)

	departments, err := byID(ctx, append(ids(cs.Departments, func(r *kolgraph.Department) string { return r.ID }), d.Departments...),
		st.Departments, func(r *kolgraph.Department) string { return r.ID })
	if err != nil {
		return err
	}
	kind(b, kolgraph.KindDepartments, nonNil(cs.Departments), d.Departments, departments,
		func(r *kolgraph.Department) string { return r.ID }, same, canonPtr[kolgraph.Department], &out.Departments, &od.Departments)

	if b.p.hcps, err = withHospitals(ctx, st, cs.HCPs, cs.Departments); err != nil {
		return err
	}
	hcps, err := byID(ctx, append(ids(cs.HCPs, func(r *kolgraph.HCP) string { return r.ID }), d.HCPs...),
		st.HCPs, func(r *kolgraph.HCP) string { return r.ID })
	if err != nil {
		return err
	}
	kind(b, kolgraph.KindHCPs, nonNil(b.p.hcps), d.HCPs, hcps,
		func(r *kolgraph.HCP) string { return r.ID }, same, canonHCP, &out.HCPs, &od.HCPs)

	committees, err := byID(ctx, append(ids(cs.Committees, func(r *kolgraph.Committee) string { return r.ID }), d.Committees...),
		st.Committees, func(r *kolgraph.Committee) string { return r.ID })
	if err != nil {
		return err
	}
	kind(b, kolgraph.KindCommittees, nonNil(cs.Committees), d.Committees, committees,
		func(r *kolgraph.Committee) string { return r.ID }, same, canonPtr[kolgraph.Committee], &out.Committees, &od.Committees)

	products, err := byID(ctx, append(ids(cs.Products, func(r *kolgraph.Product) string { return r.ID }), d.Products...),
		st.Products, func(r *kolgraph.Product) string { return r.ID })
	if err != nil {
		return err
	}
	kind(b, kolgraph.KindProducts, nonNil(cs.Products), d.Products, products,
		func(r *kolgraph.Product) string { return r.ID }, same, canonProduct, &out.Products, &od.Products)

	users, err := byID(ctx, append(ids(cs.Users, func(r *kolgraph.User) string { return r.ID }), d.Users...),
		st.Users, func(r *kolgraph.User) string { return r.ID })
	if err != nil {
		return err
	}
	kind(b, kolgraph.KindUsers, nonNil(cs.Users), d.Users, users,
		func(r *kolgraph.User) string { return r.ID }, same, canonUser, &out.Users, &od.Users)

	// Relationships.
	memberships, err := storedMemberships(ctx, st, cs, det)
	if err != nil {
		return err
	}
	kind(b, kolgraph.KindMemberships, cs.Memberships, append(slices.Clone(d.Memberships), det.Memberships...), memberships,
		membershipKey, func(k kolgraph.MembershipKey) string { return kolgraph.PairID(k.HCPID, k.CommitteeID) },
		same, &out.Memberships, &od.Memberships)

	listings, err := storedListings(ctx, st, cs, det)
	if err != nil {
		return err
	}
	kind(b, kolgraph.KindListings, cs.Listings, append(slices.Clone(d.Listings), det.Listings...), listings,
		listingKey, func(k kolgraph.ListingKey) string { return kolgraph.PairID(k.HospitalID, k.ProductID) },
		same, &out.Listings, &od.Listings)

	knows, err := storedKnows(ctx, st, cs, det)
	if err != nil {
		return err
	}
	kind(b, kolgraph.KindKnows, cs.Knows, append(slices.Clone(d.Knows), det.Knows...), knows,
		knowsKey, func(k kolgraph.KnowsKey) string { return kolgraph.PairID(k.UserID, k.HCPID) },
		same, &out.Knows, &od.Knows)

	influences, err := storedInfluences(ctx, st, cs, det)
	if err != nil {
		return err
	}
	b.p.influences = stamped(cs.Influences, influences, b.now)
	kind(b, kolgraph.KindInfluences, nonNil(b.p.influences), append(slices.Clone(d.Influences), det.Influences...), influences,
		func(r *kolgraph.Influence) kolgraph.EdgeKey { return r.Key() },
		func(k kolgraph.EdgeKey) string { return kolgraph.PairID(k.From, k.To) },
		canonInfluence, &out.Influences, &od.Influences)
	return b.err
}

func same[T any](v T) T { return v }

func canonPtr[T any](r *T) *T { return r }

func canonHCP(r *kolgraph.HCP) *kolgraph.HCP {
	c := *r
	if len(c.KOLEvidence) == 0 {
		c.KOLEvidence = nil
	}
	return &c
}

func canonProduct(r *kolgraph.Product) *kolgraph.Product {
	c := *r
	if len(c.Indications) == 0 {
		c.Indications = nil
	}
	if len(c.Specialties) == 0 {
		c.Specialties = nil
	}
	return &c
}

func canonUser(r *kolgraph.User) *kolgraph.User {
	c := *r
	if len(c.Territories) == 0 {
		c.Territories = nil
	}
	return &c
}

func canonInfluence(r *kolgraph.Influence) *kolgraph.Influence {
	c := *r
	c.UpdatedAt = c.UpdatedAt.UTC()
	return &c
}

func membershipKey(r kolgraph.Membership) kolgraph.MembershipKey {
	return kolgraph.MembershipKey{HCPID: r.HCPID, CommitteeID: r.CommitteeID}
}

func listingKey(r kolgraph.Listing) kolgraph.ListingKey {
	return kolgraph.ListingKey{HospitalID: r.HospitalID, ProductID: r.ProductID}
}

func knowsKey(r kolgraph.Knows) kolgraph.KnowsKey {
	return kolgraph.KnowsKey{UserID: r.UserID, HCPID: r.HCPID}
}

// detached finds the stored relationships that the deletions in d remove
// with their nodes.
func detached(ctx context.Context, st Store, d *kolgraph.Deletion) (*kolgraph.Deletion, error) {
	out := &kolgraph.Deletion{}
	if len(d.HCPs) > 0 {
		ms, err := chunked(ctx, d.HCPs, st.MembershipsOfHCPs)
		if err != nil {
			return nil, err
		}
		for _, inner := range ms {
			for _, m := range inner {
				out.Memberships = append(out.Memberships, membershipKey(m))
			}
		}
		for _, dir := range []func(context.Context, []string) ([][]*kolgraph.Influence, error){st.InfluencesFrom, st.InfluencesTo} {
			es, err := chunked(ctx, d.HCPs, dir)
			if err != nil {
				return nil, err
			}
			for _, inner := range es {
				for _, e := range inner {
					out.Influences = append(out.Influences, e.Key())
				}
			}
		}
	}
	if len(d.Committees) > 0 {
		ms, err := chunked(ctx, d.Committees, st.MembershipsOfCommittees)
		if err != nil {
			return nil, err
		}
		for _, inner := range ms {
			for _, m := range inner {
				out.Memberships = append(out.Memberships, membershipKey(m))
			}
		}
	}
	if len(d.Hospitals) > 0 {
		ls, err := chunked(ctx, d.Hospitals, st.ListingsOfHospitals)
		if err != nil {
			return nil, err
		}
		for _, inner := range ls {
			for _, l := range inner {
				out.Listings = append(out.Listings, listingKey(l))
			}
		}
	}
	if len(d.Users) > 0 {
		ks, err := chunked(ctx, d.Users, st.KnowsOfUsers)
		if err != nil {
			return nil, err
		}
		for _, inner := range ks {
			for _, k := range inner {
				out.Knows = append(out.Knows, knowsKey(k))
			}
		}
	}
	// No lookup goes from a product to its listings or from an HCP to the
	// users who know them: scan those two small kinds when needed.
	delHCP := setOf(d.HCPs)
	delProduct := setOf(d.Products)
	var v kolgraph.Visitor
	if len(delHCP) > 0 {
		v.Knows = func(k kolgraph.Knows) error {
			if delHCP[k.HCPID] {
				out.Knows = append(out.Knows, knowsKey(k))
			}
			return nil
		}
	}
	if len(delProduct) > 0 {
		v.Listing = func(l kolgraph.Listing) error {
			if delProduct[l.ProductID] {
				out.Listings = append(out.Listings, listingKey(l))
			}
			return nil
		}
	}
	if v.Knows != nil || v.Listing != nil {
		if err := st.Scan(ctx, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func setOf(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// storedMemberships returns the stored memberships of every key the change
// set and the detached deletions name, read through their HCPs.
func storedMemberships(ctx context.Context, st Store, cs *kolgraph.ChangeSet, det *kolgraph.Deletion) (map[kolgraph.MembershipKey]kolgraph.Membership, error) {
	want := map[kolgraph.MembershipKey]bool{}
	var hcps []string
	add := func(k kolgraph.MembershipKey) {
		if !want[k] {
			want[k] = true
			hcps = append(hcps, k.HCPID)
		}
	}
	for _, r := range cs.Memberships {
		add(membershipKey(r))
	}
	for _, k := range cs.Delete.Memberships {
		add(k)
	}
	for _, k := range det.Memberships {
		add(k)
	}
	return storedRels(ctx, hcps, st.MembershipsOfHCPs, membershipKey, want)
}

func storedListings(ctx context.Context, st Store, cs *kolgraph.ChangeSet, det *kolgraph.Deletion) (map[kolgraph.ListingKey]kolgraph.Listing, error) {
	want := map[kolgraph.ListingKey]bool{}
	var hospitals []string
	add := func(k kolgraph.ListingKey) {
		if !want[k] {
			want[k] = true
			hospitals = append(hospitals, k.HospitalID)
		}
	}
	for _, r := range cs.Listings {
		add(listingKey(r))
	}
	for _, k := range cs.Delete.Listings {
		add(k)
	}
	for _, k := range det.Listings {
		add(k)
	}
	return storedRels(ctx, hospitals, st.ListingsOfHospitals, listingKey, want)
}

func storedKnows(ctx context.Context, st Store, cs *kolgraph.ChangeSet, det *kolgraph.Deletion) (map[kolgraph.KnowsKey]kolgraph.Knows, error) {
	want := map[kolgraph.KnowsKey]bool{}
	var users []string
	add := func(k kolgraph.KnowsKey) {
		if !want[k] {
			want[k] = true
			users = append(users, k.UserID)
		}
	}
	for _, r := range cs.Knows {
		add(knowsKey(r))
	}
	for _, k := range cs.Delete.Knows {
		add(k)
	}
	for _, k := range det.Knows {
		add(k)
	}
	return storedRels(ctx, users, st.KnowsOfUsers, knowsKey, want)
}

// storedRels reads the relationships of parents and keeps the wanted keys.
func storedRels[K comparable, R any](ctx context.Context, parents []string,
	get func(context.Context, []string) ([][]R, error), key func(R) K, want map[K]bool) (map[K]R, error) {
	slices.Sort(parents)
	parents = slices.Compact(parents)
	got, err := chunked(ctx, parents, get)
	if err != nil {
		return nil, err
	}
	out := make(map[K]R, len(want))
	for _, inner := range got {
		for _, r := range inner {
			if k := key(r); want[k] {
				out[k] = r
			}
		}
	}
	return out, nil
}

func storedInfluences(ctx context.Context, st Store, cs *kolgraph.ChangeSet, det *kolgraph.Deletion) (map[kolgraph.EdgeKey]*kolgraph.Influence, error) {
	seen := map[kolgraph.EdgeKey]bool{}
	var keys []kolgraph.EdgeKey
	add := func(k kolgraph.EdgeKey) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, r := range cs.Influences {
		if r != nil {
			add(r.Key())
		}
	}
	for _, k := range cs.Delete.Influences {
		add(k)
	}
	for _, k := range det.Influences {
		add(k)
	}
	got, err := chunked(ctx, keys, st.Influences)
	if err != nil {
		return nil, err
	}
	out := make(map[kolgraph.EdgeKey]*kolgraph.Influence, len(got))
	for _, r := range got {
		if r != nil {
			out[r.Key()] = r
		}
	}
	return out, nil
}
