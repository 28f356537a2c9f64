package scope

import (
	"context"
	"fmt"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Apply implements kolgraph.Store: every record the change set writes or
// deletes must be in scope before and after the change (a hospital cannot
// be moved into or out of the set, nor an account plan), an account plan's
// new stakeholders must be HCPs in scope, and territories, products and
// users cannot change at all; otherwise the whole change set is FORBIDDEN and
// nothing is written.
func (s *Store) Apply(ctx context.Context, cs *kolgraph.ChangeSet) (uint64, error) {
	if err := s.check(ctx, cs); err != nil {
		return 0, err
	}
	v, err := s.base.Apply(ctx, cs)
	if err == nil { // what was looked up before may have changed
		s.mu.Lock()
		clear(s.hosp)
		clear(s.hcp)
		s.mu.Unlock()
	}
	return v, err
}

func forbidden(kind, id string) error {
	return kolgraph.Errorf(kolgraph.EFORBIDDEN, "%s/%s is outside your territories", kind, id)
}

func (s *Store) check(ctx context.Context, cs *kolgraph.ChangeSet) error {
	for _, k := range []kolgraph.AnyKind{kolgraph.TerritoryKind, kolgraph.ProductKind, kolgraph.UserKind} {
		if k.Touches(cs) {
			return kolgraph.Errorf(kolgraph.EFORBIDDEN, "%s can only be changed by a role that sees every territory", k.KindName())
		}
	}

	// Hospitals written by this change set count with their new territory
	// (which must be in the set); all others as stored.
	written := map[string]bool{}
	for _, h := range cs.Hospitals {
		if !s.in[h.TerritoryID] {
			return forbidden(kolgraph.KindHospitals, h.ID)
		}
		written[h.ID] = true
	}
	// Existing hospitals must be in scope as stored, whatever they become.
	if err := s.existingIn(ctx, kolgraph.KindHospitals, kolgraph.HospitalKind.Keys(cs), func(ids []string) ([]string, error) {
		hs, err := s.base.Hospitals(ctx, ids)
		return hospitalsOf(hs, func(h *kolgraph.Hospital) string { return h.ID }), err
	}); err != nil {
		return err
	}
	hospitalIn := func(ids ...string) (map[string]bool, error) {
		var ask []string
		for _, id := range ids {
			if !written[id] {
				ask = append(ask, id)
			}
		}
		in, err := s.hospitals(ctx, ask)
		if err != nil {
			return nil, err
		}
		out := map[string]bool{}
		for _, id := range ids {
			out[id] = written[id] || in[id] != nil
		}
		return out, nil
	}

	// Departments, HCPs, committees, listings and indication shares: the
	// new hospital and, for records that exist, the stored one.
	var recs []rec
	for _, k := range inHospitals {
		recs = k.written(cs, recs)
	}
	var hids []string
	for _, r := range recs {
		hids = append(hids, r.hospital)
	}
	in, err := hospitalIn(hids...)
	if err != nil {
		return err
	}
	for _, r := range recs {
		if !in[r.hospital] {
			return forbidden(r.kind, r.id)
		}
	}
	for _, k := range inHospitals {
		if err := k.stored(ctx, s, cs); err != nil {
			return err
		}
	}

	// Relationships: every HCP and committee they name is in scope, either
	// written by this change set (checked above) or as stored.
	newHCP, newCom := map[string]bool{}, map[string]bool{}
	for _, x := range cs.HCPs {
		newHCP[x.ID] = true
	}
	for _, x := range cs.Committees {
		newCom[x.ID] = true
	}
	var ends []end
	ends = endsOf(ends, kolgraph.MembershipKind, cs, func(k kolgraph.MembershipKey) []end {
		return []end{{hcp: k.HCPID, committee: k.CommitteeID}}
	})
	ends = endsOf(ends, kolgraph.KnowsKind, cs, func(k kolgraph.KnowsKey) []end { return []end{{hcp: k.HCPID}} })
	ends = endsOf(ends, kolgraph.InfluenceKind, cs, func(k kolgraph.EdgeKey) []end { return []end{{hcp: k.From}, {hcp: k.To}} })
	var hcpIDs, comIDs []string
	for _, e := range ends {
		if !newHCP[e.hcp] {
			hcpIDs = append(hcpIDs, e.hcp)
		}
		if e.committee != "" && !newCom[e.committee] {
			comIDs = append(comIDs, e.committee)
		}
	}
	inH, err := s.hcps(ctx, hcpIDs)
	if err != nil {
		return err
	}
	coms, err := s.Committees(ctx, comIDs)
	if err != nil {
		return err
	}
	inC := map[string]bool{}
	for _, c := range coms {
		if c != nil {
			inC[c.ID] = true
		}
	}
	for _, e := range ends {
		if !(newHCP[e.hcp] || inH[e.hcp]) || (e.committee != "" && !(newCom[e.committee] || inC[e.committee])) {
			return forbidden(e.kind, e.id)
		}
	}
	if err := s.checkOwners(ctx, cs); err != nil {
		return err
	}
	if err := s.checkActivities(ctx, cs, newHCP); err != nil {
		return err
	}
	return s.checkStakeholders(ctx, cs, newHCP)
}

// rec is a record a change set writes, with the hospital it is in after.
type rec struct{ kind, id, hospital string }

// hospitalScoped is a kind whose records are each in one hospital.
type hospitalScoped interface {
	// written appends the records cs writes (listings: or deletes), each
	// with its hospital after the change.
	written(cs *kolgraph.ChangeSet, recs []rec) []rec
	// stored checks that those of the records cs writes or deletes that
	// exist are in scope as stored.
	stored(ctx context.Context, s *Store, cs *kolgraph.ChangeSet) error
}

// inHospitals is the table of the hospital-scoped kinds, in the order
// they are checked.
var inHospitals = []hospitalScoped{
	nodeInHospital[kolgraph.Department]{kolgraph.DepartmentKind,
		func(x *kolgraph.Department) string { return x.HospitalID }, kolgraph.Store.Departments},
	nodeInHospital[kolgraph.HCP]{kolgraph.HCPKind,
		func(x *kolgraph.HCP) string { return x.HospitalID }, kolgraph.Store.HCPs},
	nodeInHospital[kolgraph.Committee]{kolgraph.CommitteeKind,
		func(x *kolgraph.Committee) string { return x.HospitalID }, kolgraph.Store.Committees},
	listingsInHospital{},
	sharesInHospital{},
	factsInHospital{},
	interactionsInHospital{},
	nodeInHospital[kolgraph.AccountPlan]{kolgraph.AccountPlanKind, planHospital, kolgraph.Store.AccountPlans},
}

type nodeInHospital[T any] struct {
	kind     *kolgraph.Kind[*T, string]
	hospital func(*T) string
	get      func(kolgraph.Store, context.Context, []string) ([]*T, error)
}

func (n nodeInHospital[T]) written(cs *kolgraph.ChangeSet, recs []rec) []rec {
	for _, x := range *n.kind.Upserts(cs) {
		recs = append(recs, rec{n.kind.Name, n.kind.Key(x), n.hospital(x)})
	}
	return recs
}

func (n nodeInHospital[T]) stored(ctx context.Context, s *Store, cs *kolgraph.ChangeSet) error {
	return s.existingIn(ctx, n.kind.Name, n.kind.Keys(cs), func(ids []string) ([]string, error) {
		xs, err := n.get(s.base, ctx, ids)
		return hospitalsOf(xs, n.hospital), err
	})
}

// listingsInHospital: a listing is in its hospital, written or deleted.
type listingsInHospital struct{}

func (listingsInHospital) written(cs *kolgraph.ChangeSet, recs []rec) []rec {
	for _, k := range kolgraph.ListingKind.Keys(cs) {
		recs = append(recs, rec{kolgraph.KindListings, kolgraph.ListingKind.ID(k), k.HospitalID})
	}
	return recs
}

func (listingsInHospital) stored(context.Context, *Store, *kolgraph.ChangeSet) error { return nil }

// sharesInHospital: an indication share is in its department's hospital:
// the department's new one when the change set upserts it (written), else
// the stored one (stored), where an unknown department is out of scope, as
// an unknown HCP is for the relationships below.
type sharesInHospital struct{}

func (sharesInHospital) written(cs *kolgraph.ChangeSet, recs []rec) []rec {
	hosp := upsertedDepartments(cs)
	for _, k := range kolgraph.ProductShareKind.Keys(cs) {
		if h, ok := hosp[k.DepartmentID]; ok {
			recs = append(recs, rec{kolgraph.KindIndicationShares, kolgraph.ProductShareKind.ID(k), h})
		}
	}
	return recs
}

func (sharesInHospital) stored(ctx context.Context, s *Store, cs *kolgraph.ChangeSet) error {
	hosp := upsertedDepartments(cs)
	var keys []kolgraph.ProductShareKey
	var ids []string
	for _, k := range kolgraph.ProductShareKind.Keys(cs) {
		if _, ok := hosp[k.DepartmentID]; !ok {
			keys = append(keys, k)
			ids = append(ids, k.DepartmentID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	ds, err := s.base.Departments(ctx, ids)
	if err != nil {
		return err
	}
	hs := hospitalsOf(ds, func(d *kolgraph.Department) string { return d.HospitalID })
	in, err := s.hospitals(ctx, hs)
	if err != nil {
		return err
	}
	for i, k := range keys {
		if in[hs[i]] == nil {
			return forbidden(kolgraph.KindIndicationShares, kolgraph.ProductShareKind.ID(k))
		}
	}
	return nil
}

// factsInHospital: a prescription fact is in its HCP's or department's
// hospital: the new one when the change set upserts the HCP or department
// (written), else the stored one (stored), where an unknown HCP or
// department is out of scope, as for indication shares.
type factsInHospital struct{}

// upsertedEntities maps the HCPs and departments cs upserts to their
// hospital.
func upsertedEntities(cs *kolgraph.ChangeSet) map[string]string {
	out := upsertedDepartments(cs)
	for _, h := range cs.HCPs {
		if h != nil {
			out[h.ID] = h.HospitalID
		}
	}
	return out
}

func (factsInHospital) written(cs *kolgraph.ChangeSet, recs []rec) []rec {
	if !kolgraph.PrescriptionFactKind.Touches(cs) {
		return recs
	}
	hosp := upsertedEntities(cs)
	for _, k := range kolgraph.PrescriptionFactKind.Keys(cs) {
		if h, ok := hosp[k.EntityID()]; ok {
			recs = append(recs, rec{kolgraph.KindPrescriptions, k.ID(), h})
		}
	}
	return recs
}

func (factsInHospital) stored(ctx context.Context, s *Store, cs *kolgraph.ChangeSet) error {
	if !kolgraph.PrescriptionFactKind.Touches(cs) {
		return nil
	}
	hosp := upsertedEntities(cs)
	// An entity id is looked up as both kinds: it names one record
	// whatever its kind, and a key that gives the wrong one (which matches
	// no fact) is judged by the record the id names.
	var keys []kolgraph.PrescriptionFactKey
	entities := kolgraph.IDSet{}
	for _, k := range kolgraph.PrescriptionFactKind.Keys(cs) {
		if _, ok := hosp[k.EntityID()]; ok {
			continue
		}
		keys = append(keys, k)
		entities.Add(k.EntityID())
	}
	if len(keys) == 0 {
		return nil
	}
	stored := map[string]string{} // entity -> stored hospital
	hs, err := s.base.HCPs(ctx, entities.Sorted())
	if err != nil {
		return err
	}
	for _, h := range hs {
		if h != nil {
			stored[h.ID] = h.HospitalID
		}
	}
	ds, err := s.base.Departments(ctx, entities.Sorted())
	if err != nil {
		return err
	}
	for _, d := range ds {
		if d != nil {
			stored[d.ID] = d.HospitalID
		}
	}
	var ids []string
	for _, h := range stored {
		ids = append(ids, h)
	}
	in, err := s.hospitals(ctx, ids)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if h, ok := stored[k.EntityID()]; !ok || in[h] == nil {
			return forbidden(kolgraph.KindPrescriptions, k.ID())
		}
	}
	return nil
}

// upsertedDepartments maps the departments cs upserts to their hospital
// (the last upsert wins).
func upsertedDepartments(cs *kolgraph.ChangeSet) map[string]string {
	out := map[string]string{}
	for _, d := range cs.Departments {
		if d != nil {
			out[d.ID] = d.HospitalID
		}
	}
	return out
}

// end is an HCP (and a committee) a relationship names.
type end struct{ kind, id, hcp, committee string }

// endsOf appends the ends of the relationships of kind k that cs writes
// or deletes.
func endsOf[R any, K comparable](ends []end, k *kolgraph.Kind[R, K], cs *kolgraph.ChangeSet, of func(K) []end) []end {
	for _, key := range k.Keys(cs) {
		for _, e := range of(key) {
			e.kind, e.id = k.Name, k.ID(key)
			ends = append(ends, e)
		}
	}
	return ends
}

// existingIn checks that each of ids that exists is stored in a hospital in
// scope; hospitalsOf gives the stored hospital of each ("" where absent).
func (s *Store) existingIn(ctx context.Context, kind string, ids []string, hospitalsOf func([]string) ([]string, error)) error {
	if len(ids) == 0 {
		return nil
	}
	hs, err := hospitalsOf(ids)
	if err != nil {
		return err
	}
	if len(hs) != len(ids) {
		return fmt.Errorf("scope: %s lookup returned %d rows for %d ids", kind, len(hs), len(ids))
	}
	var present []string
	for _, h := range hs {
		if h != "" {
			present = append(present, h)
		}
	}
	in, err := s.hospitals(ctx, present)
	if err != nil {
		return err
	}
	for i, h := range hs {
		if h != "" && in[h] == nil {
			return forbidden(kind, ids[i])
		}
	}
	return nil
}

// hospitalsOf maps records to their hospital id ("" for nil).
func hospitalsOf[T any](xs []*T, hospital func(*T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		if x != nil {
			out[i] = hospital(x)
		}
	}
	return out
}
