package writer

import (
	"bytes"
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
	plans      []*kolgraph.AccountPlan
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
func plan(ctx context.Context, st Store, cs *kolgraph.ChangeSet, now time.Time, actor string) (*Plan, error) {
	v0, err := st.Version(ctx)
	if err != nil {
		return nil, err
	}
	p := &Plan{Version: v0, Counts: map[string]*Counts{}, cs: &kolgraph.ChangeSet{}}
	b := &builder{p: p, now: now, actor: actor}
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
	p     *Plan
	now   time.Time // the update time of ties that do not bring one, and of changed plans
	actor string    // who changes plans
	err   error

	// One encoder over one buffer for every record: a record's JSON is
	// copied once, into its audit string.
	buf bytes.Buffer
	enc *json.Encoder
}

// record encodes a record for the audit log and for comparison, in a
// canonical form (empty lists as null, times in UTC) so that a record
// equal to the stored one compares equal whatever the store returned.
func (b *builder) record(v any) string {
	if b.enc == nil {
		b.enc = json.NewEncoder(&b.buf)
	}
	b.buf.Reset()
	if err := b.enc.Encode(v); err != nil && b.err == nil {
		b.err = fmt.Errorf("writer: encode record: %w", err)
	}
	// Encode ends the value with a newline, Marshal does not.
	return string(bytes.TrimSuffix(b.buf.Bytes(), []byte("\n")))
}

func (b *builder) entry(kind, id, op, before, after string) {
	b.p.Audit = append(b.p.Audit, kolgraph.AuditEntry{Kind: kind, EntityID: id, Op: op, Before: before, After: after})
}

// kind plans one kind: deletions of existing records (dels, detached
// relationships included), then upserts, the last one per key winning,
// into the plan's change set. before holds the stored record of every key
// in ups and dels.
func kind[R any, K comparable](b *builder, k *kolgraph.Kind[R, K], ups []R, dels []K, before map[K]R, canon func(R) R) {
	if len(ups) == 0 && len(dels) == 0 {
		return
	}
	c := b.p.counts(k.Name)
	outUps, outDels := k.Upserts(b.p.cs), k.Deletes(&b.p.cs.Delete)
	deleted := make(map[K]bool, len(dels))
	for _, key := range dels {
		old, ok := before[key]
		if !ok || deleted[key] {
			continue
		}
		deleted[key] = true
		c.Deleted++
		b.entry(k.Name, k.ID(key), kolgraph.OpDelete, b.record(canon(old)), "")
		*outDels = append(*outDels, key)
	}
	last := make(map[K]int, len(ups))
	for i, r := range ups {
		last[k.Key(r)] = i
	}
	for i, r := range ups {
		key := k.Key(r)
		if last[key] != i {
			continue
		}
		after := b.record(canon(r))
		old, ok := before[key]
		switch {
		case !ok || deleted[key]: // a deleted and upserted record is fresh
			c.Created++
			b.entry(k.Name, k.ID(key), kolgraph.OpCreate, "", after)
		default:
			prev := b.record(canon(old))
			if prev == after {
				c.Unchanged++
				continue
			}
			c.Updated++
			b.entry(k.Name, k.ID(key), kolgraph.OpUpdate, prev, after)
		}
		*outUps = append(*outUps, r)
	}
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

// run plans the kinds in the order of kolgraph's table, nodes before the
// relationships; in is cs with the derived fields (derive.go) filled in as
// the plan reaches them.
func (b *builder) run(ctx context.Context, st Store, cs *kolgraph.ChangeSet) error {
	in := *cs
	// One entry per record at most (plus detached relationships): sized
	// once instead of regrown, which for a region's import is ~1M entries.
	b.p.Audit = make([]kolgraph.AuditEntry, 0, cs.Len())
	// Relationships that deleting a node removes with it (see
	// kolgraph.ChangeSet), made explicit so that each gets its audit entry.
	det, err := detached(ctx, st, &cs.Delete)
	if err != nil {
		return err
	}

	node(ctx, b, kolgraph.TerritoryKind, &in, st.Territories, canonPtr)
	node(ctx, b, kolgraph.HospitalKind, &in, st.Hospitals, canonPtr)
	node(ctx, b, kolgraph.DepartmentKind, &in, st.Departments, canonPtr)
	if b.err == nil {
		b.p.hcps, b.err = withHospitals(ctx, st, cs.HCPs, cs.Departments)
		in.HCPs = b.p.hcps
	}
	node(ctx, b, kolgraph.HCPKind, &in, st.HCPs, canonHCP)
	node(ctx, b, kolgraph.CommitteeKind, &in, st.Committees, canonPtr)
	node(ctx, b, kolgraph.ProductKind, &in, st.Products, canonProduct)
	node(ctx, b, kolgraph.UserKind, &in, st.Users, canonUser)

	rel(ctx, b, kolgraph.MembershipKind, &in, det, st.MembershipsOfHCPs,
		func(k kolgraph.MembershipKey) string { return k.HCPID })
	rel(ctx, b, kolgraph.ListingKind, &in, det, st.ListingsOfHospitals,
		func(k kolgraph.ListingKey) string { return k.HospitalID })
	rel(ctx, b, kolgraph.ProductShareKind, &in, det, st.ProductSharesOfDepartments,
		func(k kolgraph.ProductShareKey) string { return k.DepartmentID })
	rel(ctx, b, kolgraph.KnowsKind, &in, det, st.KnowsOfUsers,
		func(k kolgraph.KnowsKey) string { return k.UserID })
	if b.err != nil {
		return b.err
	}
	influences, err := storedInfluences(ctx, st, cs, det)
	if err != nil {
		return err
	}
	b.p.influences = stamped(kolgraph.Kept(cs, kolgraph.InfluenceKind, cs.Influences, influences), influences, b.now)
	kind(b, kolgraph.InfluenceKind, nonNil(b.p.influences), withDetached(kolgraph.InfluenceKind, &in, det),
		influences, canonInfluence)
	b.accountPlans(ctx, st, cs)
	rel(ctx, b, kolgraph.PrescriptionFactKind, &in, det, st.PrescriptionFactsOf,
		func(k kolgraph.PrescriptionFactKey) string { return k.EntityID() })
	doc(ctx, b, kolgraph.InteractionKind, &in, det, st.Interactions)
	b.owners(ctx, st, &in, det)
	doc(ctx, b, kolgraph.ActivityKind, &in, det, st.Activities)
	return b.err
}

// owners plans the account owners, with those that deleting their account
// or user takes along (det).
func (b *builder) owners(ctx context.Context, st Store, in *kolgraph.ChangeSet, det *kolgraph.Deletion) {
	if b.err != nil {
		return
	}
	k := kolgraph.OwnerKind
	ups, dels := in.Owners, withDetached(k, in, det)
	ids := make([]string, 0, len(ups)+len(dels))
	for _, r := range ups {
		ids = append(ids, r.AccountID)
	}
	stored, err := byID(ctx, append(ids, dels...), st.AccountOwners, func(o *kolgraph.AccountOwner) string { return o.AccountID })
	if err != nil {
		b.err = err
		return
	}
	before := make(map[string]kolgraph.AccountOwner, len(stored))
	for id, o := range stored {
		before[id] = *o
	}
	kind(b, k, ups, dels, before, same)
}

// doc plans a document kind keyed by id whose records deleting another
// record takes along (det): each of those deletions is audited too.
func doc[T any](ctx context.Context, b *builder, k *kolgraph.Kind[*T, string], in *kolgraph.ChangeSet, det *kolgraph.Deletion,
	get func(context.Context, []string) ([]*T, error)) {
	if b.err != nil {
		return
	}
	ups, dels := nonNil(*k.Upserts(in)), withDetached(k, in, det)
	ids := make([]string, 0, len(ups)+len(dels))
	for _, r := range ups {
		ids = append(ids, k.Key(r))
	}
	before, err := byID(ctx, append(ids, dels...), get, k.Key)
	if err != nil {
		b.err = err
		return
	}
	kind(b, k, ups, dels, before, canonPtr)
}

// accountPlans plans the account plans, stamped with who changes them
// and when (derive.go).
func (b *builder) accountPlans(ctx context.Context, st Store, cs *kolgraph.ChangeSet) {
	if b.err != nil {
		return
	}
	k := kolgraph.AccountPlanKind
	ups, dels := nonNil(cs.AccountPlans), cs.Delete.AccountPlans
	ids := make([]string, 0, len(ups)+len(dels))
	for _, r := range ups {
		ids = append(ids, r.ID)
	}
	before, err := byID(ctx, append(ids, dels...), st.AccountPlans, k.Key)
	if err != nil {
		b.err = err
		return
	}
	b.p.plans = b.stampPlans(cs.AccountPlans, before, kolgraph.NewIDSet(dels))
	kind(b, k, nonNil(b.p.plans), dels, before, canonPtr)
}

// node plans a node kind, reading the stored records by id. It does
// nothing after an error (b.err).
func node[T any](ctx context.Context, b *builder, k *kolgraph.Kind[*T, string], in *kolgraph.ChangeSet,
	get func(context.Context, []string) ([]*T, error), canon func(*T) *T) {
	if b.err != nil {
		return
	}
	ups, dels := nonNil(*k.Upserts(in)), *k.Deletes(&in.Delete)
	ids := make([]string, 0, len(ups)+len(dels))
	for _, r := range ups {
		ids = append(ids, k.Key(r))
	}
	before, err := byID(ctx, append(ids, dels...), get, k.Key)
	if err != nil {
		b.err = err
		return
	}
	kind(b, k, kolgraph.Kept(in, k, ups, before), dels, before, canon)
}

// rel plans a relationship kind whose stored records are read through
// their parent end (get, parent); det holds the relationships that
// deleting nodes detaches.
func rel[R any, K comparable](ctx context.Context, b *builder, k *kolgraph.Kind[R, K], in *kolgraph.ChangeSet, det *kolgraph.Deletion,
	get func(context.Context, []string) ([][]R, error), parent func(K) string) {
	if b.err != nil {
		return
	}
	ups, dels := *k.Upserts(in), withDetached(k, in, det)
	want := make(map[K]bool, len(ups)+len(dels))
	var parents []string
	add := func(key K) {
		if !want[key] {
			want[key] = true
			parents = append(parents, parent(key))
		}
	}
	for _, r := range ups {
		add(k.Key(r))
	}
	for _, key := range dels {
		add(key)
	}
	before, err := storedRels(ctx, parents, get, k.Key, want)
	if err != nil {
		b.err = err
		return
	}
	kind(b, k, kolgraph.Kept(in, k, ups, before), dels, before, same)
}

// withDetached returns in's deletions of kind k followed by det's.
func withDetached[R any, K comparable](k *kolgraph.Kind[R, K], in *kolgraph.ChangeSet, det *kolgraph.Deletion) []K {
	return append(slices.Clone(*k.Deletes(&in.Delete)), *k.Deletes(det)...)
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

// detached finds the stored relationships that the deletions in d remove
// with their nodes.
func detached(ctx context.Context, st Store, d *kolgraph.Deletion) (*kolgraph.Deletion, error) {
	out := &kolgraph.Deletion{}
	for _, detach := range []func() error{
		func() error { return detachedOf(ctx, d.HCPs, st.MembershipsOfHCPs, kolgraph.MembershipKind, out) },
		func() error { return detachedOf(ctx, d.HCPs, st.InfluencesFrom, kolgraph.InfluenceKind, out) },
		func() error { return detachedOf(ctx, d.HCPs, st.InfluencesTo, kolgraph.InfluenceKind, out) },
		func() error {
			return detachedOf(ctx, d.Committees, st.MembershipsOfCommittees, kolgraph.MembershipKind, out)
		},
		func() error { return detachedOf(ctx, d.Hospitals, st.ListingsOfHospitals, kolgraph.ListingKind, out) },
		func() error {
			return detachedOf(ctx, d.Departments, st.ProductSharesOfDepartments, kolgraph.ProductShareKind, out)
		},
		func() error { return detachedOf(ctx, d.Users, st.KnowsOfUsers, kolgraph.KnowsKind, out) },
		func() error {
			return detachedOf(ctx, d.HCPs, st.PrescriptionFactsOf, kolgraph.PrescriptionFactKind, out)
		},
		func() error {
			return detachedOf(ctx, d.Departments, st.PrescriptionFactsOf, kolgraph.PrescriptionFactKind, out)
		},
		func() error { return detachedOf(ctx, d.HCPs, st.InteractionsOfHCPs, kolgraph.InteractionKind, out) },
		func() error { return ownersOf(ctx, st, d, out) },
	} {
		if err := detach(); err != nil {
			return nil, err
		}
	}
	// No lookup goes from a product to its listings, indication shares
	// and prescription facts or from an HCP to the users who know them:
	// scan those kinds when needed (deleting a product is rare).
	delHCP := setOf(d.HCPs)
	delProduct := setOf(d.Products)
	var v kolgraph.Visitor
	if len(delHCP) > 0 {
		v.Knows = func(k kolgraph.Knows) error {
			if delHCP[k.HCPID] {
				out.Knows = append(out.Knows, kolgraph.KnowsKind.Key(k))
			}
			return nil
		}
	}
	if len(delProduct) > 0 {
		v.Listing = func(l kolgraph.Listing) error {
			if delProduct[l.ProductID] {
				out.Listings = append(out.Listings, kolgraph.ListingKind.Key(l))
			}
			return nil
		}
		v.ProductShare = func(r kolgraph.ProductShare) error {
			if delProduct[r.ProductID] {
				out.IndicationShares = append(out.IndicationShares, kolgraph.ProductShareKind.Key(r))
			}
			return nil
		}
		v.PrescriptionFact = func(f kolgraph.PrescriptionFact) error {
			if delProduct[f.ProductID] {
				out.Prescriptions = append(out.Prescriptions, f.Key())
			}
			return nil
		}
	}
	if delUser := setOf(d.Users); len(delUser) > 0 {
		// No lookup goes from a user to the accounts it owns either.
		v.AccountOwner = func(o kolgraph.AccountOwner) error {
			if delUser[o.UserID] {
				out.Owners = append(out.Owners, o.AccountID)
			}
			return nil
		}
	}
	if v.Knows != nil || v.Listing != nil || v.AccountOwner != nil {
		if err := st.Scan(ctx, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ownersOf adds to out the accounts among the deleted territories,
// hospitals, departments and HCPs of d that have an owner.
func ownersOf(ctx context.Context, st Store, d *kolgraph.Deletion, out *kolgraph.Deletion) error {
	var ids []string
	for _, l := range [][]string{d.Territories, d.Hospitals, d.Departments, d.HCPs} {
		ids = append(ids, l...)
	}
	if len(ids) == 0 {
		return nil
	}
	got, err := chunked(ctx, ids, st.AccountOwners)
	if err != nil {
		return err
	}
	for _, o := range got {
		if o != nil {
			out.Owners = append(out.Owners, o.AccountID)
		}
	}
	return nil
}

// detachedOf adds to out the keys of the stored relationships of kind k
// that get returns for the deleted nodes ids.
func detachedOf[R any, K comparable](ctx context.Context, ids []string, get func(context.Context, []string) ([][]R, error),
	k *kolgraph.Kind[R, K], out *kolgraph.Deletion) error {
	if len(ids) == 0 {
		return nil
	}
	rows, err := chunked(ctx, ids, get)
	if err != nil {
		return err
	}
	dels := k.Deletes(out)
	for _, inner := range rows {
		for _, r := range inner {
			*dels = append(*dels, k.Key(r))
		}
	}
	return nil
}

func setOf(ids []string) map[string]bool {
	m := make(map[string]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
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

// AuditJSON is a record as the audit log holds it (an entry's Before and
// After), in the canonical form the writer compares records in: what a
// bulk load writes for each record it creates, as Apply would.
func AuditJSON(rec any) (string, error) {
	switch r := rec.(type) {
	case *kolgraph.HCP:
		rec = canonHCP(r)
	case *kolgraph.Product:
		rec = canonProduct(r)
	case *kolgraph.User:
		rec = canonUser(r)
	case *kolgraph.Influence:
		rec = canonInfluence(r)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return "", fmt.Errorf("writer: encode record: %w", err)
	}
	return string(b), nil
}
