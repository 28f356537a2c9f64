package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// snapshot is a whole graph in a canonical form that two stores (or one
// store at two times) can be compared in: records by key, with empty slices
// as nil and times in UTC, since neither difference is observable to
// clients.
type snapshot struct {
	Territories map[string]kolgraph.Territory
	Hospitals   map[string]kolgraph.Hospital
	Departments map[string]kolgraph.Department
	HCPs        map[string]kolgraph.HCP
	Committees  map[string]kolgraph.Committee
	Memberships map[kolgraph.MembershipKey]kolgraph.Membership
	Products    map[string]kolgraph.Product
	Listings    map[kolgraph.ListingKey]kolgraph.Listing
	Shares      map[kolgraph.ProductShareKey]kolgraph.ProductShare
	Users       map[string]kolgraph.User
	Knows       map[kolgraph.KnowsKey]kolgraph.Knows
	Influences  map[kolgraph.EdgeKey]kolgraph.Influence
	Facts       map[kolgraph.PrescriptionFactKey]kolgraph.PrescriptionFact
	// Field execution.
	Interactions map[string]kolgraph.Interaction
	Owners       map[string]kolgraph.AccountOwner
	Activities   map[string]kolgraph.Activity
}

func newSnapshot() *snapshot {
	return &snapshot{
		Territories: map[string]kolgraph.Territory{},
		Hospitals:   map[string]kolgraph.Hospital{},
		Departments: map[string]kolgraph.Department{},
		HCPs:        map[string]kolgraph.HCP{},
		Committees:  map[string]kolgraph.Committee{},
		Memberships: map[kolgraph.MembershipKey]kolgraph.Membership{},
		Products:    map[string]kolgraph.Product{},
		Listings:    map[kolgraph.ListingKey]kolgraph.Listing{},
		Shares:      map[kolgraph.ProductShareKey]kolgraph.ProductShare{},
		Users:       map[string]kolgraph.User{},
		Knows:       map[kolgraph.KnowsKey]kolgraph.Knows{},
		Influences:  map[kolgraph.EdgeKey]kolgraph.Influence{},
		Facts:       map[kolgraph.PrescriptionFactKey]kolgraph.PrescriptionFact{},

		Interactions: map[string]kolgraph.Interaction{},
		Owners:       map[string]kolgraph.AccountOwner{},
		Activities:   map[string]kolgraph.Activity{},
	}
}

func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}

// canonActivity has empty lists as nil, and its actual cost copied away
// from the record it was made of (a test may change that one later).
func canonActivity(a kolgraph.Activity) kolgraph.Activity {
	a.SpeakerIDs, a.AttendeeIDs = nilIfEmpty(a.SpeakerIDs), nilIfEmpty(a.AttendeeIDs)
	if a.ActualCost != nil {
		v := *a.ActualCost
		a.ActualCost = &v
	}
	return a
}

func canonHCP(h kolgraph.HCP) kolgraph.HCP {
	h.KOLEvidence = nilIfEmpty(h.KOLEvidence)
	return h
}

func canonProduct(p kolgraph.Product) kolgraph.Product {
	p.Indications = nilIfEmpty(p.Indications)
	p.Specialties = nilIfEmpty(p.Specialties)
	return p
}

func canonUser(u kolgraph.User) kolgraph.User {
	u.Territories = nilIfEmpty(u.Territories)
	return u
}

func canonInfluence(e kolgraph.Influence) kolgraph.Influence {
	e.UpdatedAt = e.UpdatedAt.UTC()
	return e
}

// add records cs as upserts (the fixture has no deletions); a later record
// with the same key replaces an earlier one.
func (s *snapshot) add(cs *kolgraph.ChangeSet) *snapshot {
	for _, r := range cs.Territories {
		s.Territories[r.ID] = *r
	}
	for _, r := range cs.Hospitals {
		s.Hospitals[r.ID] = *r
	}
	for _, r := range cs.Departments {
		s.Departments[r.ID] = *r
	}
	for _, r := range cs.HCPs {
		s.HCPs[r.ID] = canonHCP(*r)
	}
	for _, r := range cs.Committees {
		s.Committees[r.ID] = *r
	}
	for _, r := range cs.Memberships {
		s.Memberships[kolgraph.MembershipKey{HCPID: r.HCPID, CommitteeID: r.CommitteeID}] = r
	}
	for _, r := range cs.Products {
		s.Products[r.ID] = canonProduct(*r)
	}
	for _, r := range cs.Listings {
		s.Listings[kolgraph.ListingKey{HospitalID: r.HospitalID, ProductID: r.ProductID}] = r
	}
	for _, r := range cs.IndicationShares {
		s.Shares[kolgraph.ProductShareKind.Key(r)] = r
	}
	for _, r := range cs.Users {
		s.Users[r.ID] = canonUser(*r)
	}
	for _, r := range cs.Knows {
		s.Knows[kolgraph.KnowsKey{UserID: r.UserID, HCPID: r.HCPID}] = r
	}
	for _, r := range cs.Influences {
		s.Influences[r.Key()] = canonInfluence(*r)
	}
	for _, r := range cs.Prescriptions {
		s.Facts[r.Key()] = r
	}
	for _, r := range cs.Interactions {
		s.Interactions[r.ID] = *r
	}
	for _, r := range cs.Owners {
		s.Owners[r.AccountID] = r
	}
	for _, r := range cs.Activities {
		s.Activities[r.ID] = canonActivity(*r)
	}
	return s
}

// snapshotOf is the graph a fresh store holds after applying cs.
func snapshotOf(cs *kolgraph.ChangeSet) *snapshot { return newSnapshot().add(cs) }

// takeSnapshot reads the whole store through Scan. A key seen twice is a
// store bug, reported as an error.
func takeSnapshot(t *testing.T, st kolgraph.Store) *snapshot {
	t.Helper()
	return scanSnapshot(t, st, false)
}

// scanSnapshot is takeSnapshot with the visitor's ReadOnly set to
// readOnly: the callbacks copy what they keep, so either must see the same.
func scanSnapshot(t *testing.T, st kolgraph.Store, readOnly bool) *snapshot {
	t.Helper()
	s := newSnapshot()
	var dups []string
	dup := func(kind string, k any) { dups = append(dups, fmt.Sprintf("%s %v", kind, k)) }
	err := st.Scan(context.Background(), kolgraph.Visitor{
		ReadOnly: readOnly,
		Territory: func(r *kolgraph.Territory) error {
			if _, ok := s.Territories[r.ID]; ok {
				dup("territory", r.ID)
			}
			s.Territories[r.ID] = *r
			return nil
		},
		Hospital: func(r *kolgraph.Hospital) error {
			if _, ok := s.Hospitals[r.ID]; ok {
				dup("hospital", r.ID)
			}
			s.Hospitals[r.ID] = *r
			return nil
		},
		Department: func(r *kolgraph.Department) error {
			if _, ok := s.Departments[r.ID]; ok {
				dup("department", r.ID)
			}
			s.Departments[r.ID] = *r
			return nil
		},
		HCP: func(r *kolgraph.HCP) error {
			if _, ok := s.HCPs[r.ID]; ok {
				dup("hcp", r.ID)
			}
			s.HCPs[r.ID] = canonHCP(*r)
			return nil
		},
		Committee: func(r *kolgraph.Committee) error {
			if _, ok := s.Committees[r.ID]; ok {
				dup("committee", r.ID)
			}
			s.Committees[r.ID] = *r
			return nil
		},
		Membership: func(r kolgraph.Membership) error {
			k := kolgraph.MembershipKey{HCPID: r.HCPID, CommitteeID: r.CommitteeID}
			if _, ok := s.Memberships[k]; ok {
				dup("membership", k)
			}
			s.Memberships[k] = r
			return nil
		},
		Product: func(r *kolgraph.Product) error {
			if _, ok := s.Products[r.ID]; ok {
				dup("product", r.ID)
			}
			s.Products[r.ID] = canonProduct(*r)
			return nil
		},
		Listing: func(r kolgraph.Listing) error {
			k := kolgraph.ListingKey{HospitalID: r.HospitalID, ProductID: r.ProductID}
			if _, ok := s.Listings[k]; ok {
				dup("listing", k)
			}
			s.Listings[k] = r
			return nil
		},
		ProductShare: func(r kolgraph.ProductShare) error {
			k := kolgraph.ProductShareKind.Key(r)
			if _, ok := s.Shares[k]; ok {
				dup("indication share", k)
			}
			s.Shares[k] = r
			return nil
		},
		User: func(r *kolgraph.User) error {
			if _, ok := s.Users[r.ID]; ok {
				dup("user", r.ID)
			}
			s.Users[r.ID] = canonUser(*r)
			return nil
		},
		Knows: func(r kolgraph.Knows) error {
			k := kolgraph.KnowsKey{UserID: r.UserID, HCPID: r.HCPID}
			if _, ok := s.Knows[k]; ok {
				dup("knows", k)
			}
			s.Knows[k] = r
			return nil
		},
		Influence: func(r *kolgraph.Influence) error {
			if _, ok := s.Influences[r.Key()]; ok {
				dup("influence", r.Key())
			}
			s.Influences[r.Key()] = canonInfluence(*r)
			return nil
		},
		PrescriptionFact: func(r kolgraph.PrescriptionFact) error {
			if _, ok := s.Facts[r.Key()]; ok {
				dup("prescription fact", r.Key())
			}
			s.Facts[r.Key()] = r
			return nil
		},
		Interaction: func(r *kolgraph.Interaction) error {
			if _, ok := s.Interactions[r.ID]; ok {
				dup("interaction", r.ID)
			}
			s.Interactions[r.ID] = *r
			return nil
		},
		AccountOwner: func(r kolgraph.AccountOwner) error {
			if _, ok := s.Owners[r.AccountID]; ok {
				dup("account owner", r.AccountID)
			}
			s.Owners[r.AccountID] = r
			return nil
		},
		Activity: func(r *kolgraph.Activity) error {
			if _, ok := s.Activities[r.ID]; ok {
				dup("activity", r.ID)
			}
			s.Activities[r.ID] = canonActivity(*r)
			return nil
		},
	})
	if err != nil {
		t.Fatalf("Scan: %v", err)
	}
	if len(dups) > 0 {
		t.Errorf("Scan visited records twice: %v", dups)
	}
	return s
}

// diff lists the differences between two snapshots, at most 20.
func (s *snapshot) diff(want *snapshot) []string {
	var out []string
	diffMap(&out, "territory", s.Territories, want.Territories)
	diffMap(&out, "hospital", s.Hospitals, want.Hospitals)
	diffMap(&out, "department", s.Departments, want.Departments)
	diffMap(&out, "hcp", s.HCPs, want.HCPs)
	diffMap(&out, "committee", s.Committees, want.Committees)
	diffMap(&out, "membership", s.Memberships, want.Memberships)
	diffMap(&out, "product", s.Products, want.Products)
	diffMap(&out, "listing", s.Listings, want.Listings)
	diffMap(&out, "indication share", s.Shares, want.Shares)
	diffMap(&out, "user", s.Users, want.Users)
	diffMap(&out, "knows", s.Knows, want.Knows)
	diffMap(&out, "influence", s.Influences, want.Influences)
	diffMap(&out, "prescription fact", s.Facts, want.Facts)
	diffMap(&out, "interaction", s.Interactions, want.Interactions)
	diffMap(&out, "account owner", s.Owners, want.Owners)
	diffMap(&out, "activity", s.Activities, want.Activities)
	if len(out) > 20 {
		out = append(out[:20], fmt.Sprintf("... and %d more", len(out)-20))
	}
	return out
}

func diffMap[K comparable, V any](out *[]string, kind string, got, want map[K]V) {
	keys := slices.SortedFunc(maps.Keys(got), cmpAny)
	for _, k := range keys {
		w, ok := want[k]
		switch {
		case !ok:
			*out = append(*out, fmt.Sprintf("%s %v: unexpected %s", kind, k, show(got[k])))
		case !reflect.DeepEqual(got[k], w):
			*out = append(*out, fmt.Sprintf("%s %v:\n\tgot  %s\n\twant %s", kind, k, show(got[k]), show(w)))
		}
	}
	for _, k := range slices.SortedFunc(maps.Keys(want), cmpAny) {
		if _, ok := got[k]; !ok {
			*out = append(*out, fmt.Sprintf("%s %v: missing, want %s", kind, k, show(want[k])))
		}
	}
}

func cmpAny[K any](a, b K) int {
	x, y := fmt.Sprint(a), fmt.Sprint(b)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

// show prints a record with pointer fields dereferenced.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	return string(b)
}

// wantSnapshot fails t unless the store holds exactly want.
func wantSnapshot(t *testing.T, st kolgraph.Store, want *snapshot) {
	t.Helper()
	if d := takeSnapshot(t, st).diff(want); len(d) > 0 {
		t.Errorf("store differs from the expected graph (got vs want):\n%s", joinLines(d))
	}
}

func joinLines(ls []string) string {
	var b []byte
	for _, l := range ls {
		b = append(b, l...)
		b = append(b, '\n')
	}
	return string(b)
}

// checkIntegrity fails t if any reference in the store dangles: what every
// successful Apply must guarantee.
func checkIntegrity(t *testing.T, st kolgraph.Store) {
	t.Helper()
	s := takeSnapshot(t, st)
	var bad []string
	f := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	for id, h := range s.Hospitals {
		if _, ok := s.Territories[h.TerritoryID]; h.TerritoryID != "" && !ok {
			f("hospital %s: territory %s missing", id, h.TerritoryID)
		}
	}
	for id, d := range s.Departments {
		if _, ok := s.Hospitals[d.HospitalID]; !ok {
			f("department %s: hospital %s missing", id, d.HospitalID)
		}
	}
	for id, h := range s.HCPs {
		d, ok := s.Departments[h.DepartmentID]
		switch {
		case !ok:
			f("hcp %s: department %s missing", id, h.DepartmentID)
		case d.HospitalID != h.HospitalID:
			f("hcp %s: hospital %s but department %s is in %s", id, h.HospitalID, d.ID, d.HospitalID)
		}
	}
	for id, c := range s.Committees {
		if _, ok := s.Hospitals[c.HospitalID]; !ok {
			f("committee %s: hospital %s missing", id, c.HospitalID)
		}
	}
	for k := range s.Memberships {
		if _, ok := s.HCPs[k.HCPID]; !ok {
			f("membership %v: hcp missing", k)
		}
		if _, ok := s.Committees[k.CommitteeID]; !ok {
			f("membership %v: committee missing", k)
		}
	}
	for k := range s.Listings {
		if _, ok := s.Hospitals[k.HospitalID]; !ok {
			f("listing %v: hospital missing", k)
		}
		if _, ok := s.Products[k.ProductID]; !ok {
			f("listing %v: product missing", k)
		}
	}
	for k := range s.Shares {
		if _, ok := s.Departments[k.DepartmentID]; !ok {
			f("indication share %v: department missing", k)
		}
		if _, ok := s.Products[k.ProductID]; !ok {
			f("indication share %v: product missing", k)
		}
	}
	for k := range s.Knows {
		if _, ok := s.Users[k.UserID]; !ok {
			f("knows %v: user missing", k)
		}
		if _, ok := s.HCPs[k.HCPID]; !ok {
			f("knows %v: hcp missing", k)
		}
	}
	for k := range s.Influences {
		if _, ok := s.HCPs[k.From]; !ok {
			f("influence %v: from missing", k)
		}
		if _, ok := s.HCPs[k.To]; !ok {
			f("influence %v: to missing", k)
		}
	}
	if len(bad) > 0 {
		slices.Sort(bad)
		t.Errorf("dangling references after a successful Apply:\n%s", joinLines(bad))
	}
}

// clone returns a copy of s that a test may edit into the graph it expects
// after a change.
func (s *snapshot) clone() *snapshot {
	return &snapshot{
		Territories: maps.Clone(s.Territories),
		Hospitals:   maps.Clone(s.Hospitals),
		Departments: maps.Clone(s.Departments),
		HCPs:        maps.Clone(s.HCPs),
		Committees:  maps.Clone(s.Committees),
		Memberships: maps.Clone(s.Memberships),
		Products:    maps.Clone(s.Products),
		Listings:    maps.Clone(s.Listings),
		Shares:      maps.Clone(s.Shares),
		Users:       maps.Clone(s.Users),
		Knows:       maps.Clone(s.Knows),
		Influences:  maps.Clone(s.Influences),
	}
}
