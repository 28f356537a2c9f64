package scope

import (
	"context"
	"fmt"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Apply implements kolgraph.Store: every record the change set writes or
// deletes must be in scope before and after the change (a hospital cannot
// be moved into or out of the set), and territories, products and users
// cannot change at all; otherwise the whole change set is FORBIDDEN and
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
	d := &cs.Delete
	switch {
	case len(cs.Territories) > 0 || len(d.Territories) > 0:
		return kolgraph.Errorf(kolgraph.EFORBIDDEN, "territories can only be changed by a role that sees every territory")
	case len(cs.Products) > 0 || len(d.Products) > 0:
		return kolgraph.Errorf(kolgraph.EFORBIDDEN, "products can only be changed by a role that sees every territory")
	case len(cs.Users) > 0 || len(d.Users) > 0:
		return kolgraph.Errorf(kolgraph.EFORBIDDEN, "users can only be changed by a role that sees every territory")
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
	var stored []string
	for _, h := range cs.Hospitals {
		stored = append(stored, h.ID)
	}
	stored = append(stored, d.Hospitals...)
	// Existing hospitals must be in scope as stored, whatever they become.
	if err := s.existingIn(ctx, kolgraph.KindHospitals, stored, func(ids []string) ([]string, error) {
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

	// Departments, HCPs and committees: the new hospital and, for records
	// that exist, the stored one.
	type rec struct{ kind, id, hospital string }
	var recs []rec
	for _, x := range cs.Departments {
		recs = append(recs, rec{kolgraph.KindDepartments, x.ID, x.HospitalID})
	}
	for _, x := range cs.HCPs {
		recs = append(recs, rec{kolgraph.KindHCPs, x.ID, x.HospitalID})
	}
	for _, x := range cs.Committees {
		recs = append(recs, rec{kolgraph.KindCommittees, x.ID, x.HospitalID})
	}
	for _, l := range cs.Listings {
		recs = append(recs, rec{kolgraph.KindListings, kolgraph.PairID(l.HospitalID, l.ProductID), l.HospitalID})
	}
	for _, k := range d.Listings {
		recs = append(recs, rec{kolgraph.KindListings, kolgraph.PairID(k.HospitalID, k.ProductID), k.HospitalID})
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
	ids := func(kind string, extra []string) []string {
		var out []string
		for _, r := range recs {
			if r.kind == kind {
				out = append(out, r.id)
			}
		}
		return append(out, extra...)
	}
	if err := s.existingIn(ctx, kolgraph.KindDepartments, ids(kolgraph.KindDepartments, d.Departments), func(ids []string) ([]string, error) {
		xs, err := s.base.Departments(ctx, ids)
		return hospitalsOf(xs, func(x *kolgraph.Department) string { return x.HospitalID }), err
	}); err != nil {
		return err
	}
	if err := s.existingIn(ctx, kolgraph.KindHCPs, ids(kolgraph.KindHCPs, d.HCPs), func(ids []string) ([]string, error) {
		xs, err := s.base.HCPs(ctx, ids)
		return hospitalsOf(xs, func(x *kolgraph.HCP) string { return x.HospitalID }), err
	}); err != nil {
		return err
	}
	if err := s.existingIn(ctx, kolgraph.KindCommittees, ids(kolgraph.KindCommittees, d.Committees), func(ids []string) ([]string, error) {
		xs, err := s.base.Committees(ctx, ids)
		return hospitalsOf(xs, func(x *kolgraph.Committee) string { return x.HospitalID }), err
	}); err != nil {
		return err
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
	type end struct{ kind, id, hcp, committee string }
	var ends []end
	for _, m := range cs.Memberships {
		ends = append(ends, end{kolgraph.KindMemberships, kolgraph.PairID(m.HCPID, m.CommitteeID), m.HCPID, m.CommitteeID})
	}
	for _, k := range d.Memberships {
		ends = append(ends, end{kolgraph.KindMemberships, kolgraph.PairID(k.HCPID, k.CommitteeID), k.HCPID, k.CommitteeID})
	}
	for _, k := range cs.Knows {
		ends = append(ends, end{kolgraph.KindKnows, kolgraph.PairID(k.UserID, k.HCPID), k.HCPID, ""})
	}
	for _, k := range d.Knows {
		ends = append(ends, end{kolgraph.KindKnows, kolgraph.PairID(k.UserID, k.HCPID), k.HCPID, ""})
	}
	for _, e := range cs.Influences {
		id := kolgraph.PairID(e.From, e.To)
		ends = append(ends, end{kolgraph.KindInfluences, id, e.From, ""}, end{kolgraph.KindInfluences, id, e.To, ""})
	}
	for _, k := range d.Influences {
		id := kolgraph.PairID(k.From, k.To)
		ends = append(ends, end{kolgraph.KindInfluences, id, k.From, ""}, end{kolgraph.KindInfluences, id, k.To, ""})
	}
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
	return nil
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
