package kolgraph

import (
	"fmt"
	"slices"
)

// A ChangeSet's Keep names, per kind, optional fields its upserts do not
// give (an import file without those columns): the writer takes them from
// the stored record, so a file with some columns never wipes the others.
// A new record gets them empty. Stores do not resolve Keep: a change set
// that reaches a store with it is EINVALID (CheckFields); the writer's
// CheckFieldsToDerive accepts it.
//
// keeper is the table behind it: for each kind that has optional fields,
// their names (the snake_case of Problem.Field and the CSV columns) and a
// function that returns a record with those fields taken from the stored
// one. Fields the writer derives itself (an HCP's hospital_id, a tie's
// updated_at) are not keepable: their own rule decides them.
type keeper struct {
	fields []string
	keep   func(r, stored any, fields []string) any
}

var keepers = map[string]keeper{
	KindHospitals: {[]string{"province", "city", "beds", "ownership", "payment_model", "territory_id"},
		func(r, s any, fs []string) any {
			c, st := *r.(*Hospital), s.(*Hospital)
			for _, f := range fs {
				switch f {
				case "province":
					c.Province = st.Province
				case "city":
					c.City = st.City
				case "beds":
					c.Beds = st.Beds
				case "ownership":
					c.Ownership = st.Ownership
				case "payment_model":
					c.PaymentModel = st.PaymentModel
				case "territory_id":
					c.TerritoryID = st.TerritoryID
				}
			}
			return &c
		}},
	KindDepartments: {[]string{"weekly_outpatients", "indication_share", "managed_beds", "bed_turnover",
		"discharge_penetration", "drg_enrollment_rate", "competitor_penetration", "policy_sensitivity"},
		func(r, s any, fs []string) any {
			c, st := *r.(*Department), s.(*Department)
			for _, f := range fs {
				switch f {
				case "weekly_outpatients":
					c.WeeklyOutpatients = st.WeeklyOutpatients
				case "indication_share":
					c.IndicationShare = st.IndicationShare
				case "managed_beds":
					c.ManagedBeds = st.ManagedBeds
				case "bed_turnover":
					c.BedTurnover = st.BedTurnover
				case "discharge_penetration":
					c.DischargePenetration = st.DischargePenetration
				case "drg_enrollment_rate":
					c.DRGEnrollmentRate = st.DRGEnrollmentRate
				case "competitor_penetration":
					c.CompetitorPenetration = st.CompetitorPenetration
				case "policy_sensitivity":
					c.PolicySensitivity = st.PolicySensitivity
				}
			}
			return &c
		}},
	KindHCPs: {[]string{"title", "position", "specialty", "kol_level", "kol_evidence", "phone", "email", "wechat"},
		func(r, s any, fs []string) any {
			c, st := *r.(*HCP), s.(*HCP)
			for _, f := range fs {
				switch f {
				case "title":
					c.Title = st.Title
				case "position":
					c.Position = st.Position
				case "specialty":
					c.Specialty = st.Specialty
				case "kol_level":
					c.KOLLevel = st.KOLLevel
				case "kol_evidence":
					c.KOLEvidence = slices.Clone(st.KOLEvidence)
				case "phone":
					c.Phone = st.Phone
				case "email":
					c.Email = st.Email
				case "wechat":
					c.WeChat = st.WeChat
				}
			}
			return &c
		}},
	KindProducts: {[]string{"indications", "specialties"},
		func(r, s any, fs []string) any {
			c, st := *r.(*Product), s.(*Product)
			for _, f := range fs {
				switch f {
				case "indications":
					c.Indications = slices.Clone(st.Indications)
				case "specialties":
					c.Specialties = slices.Clone(st.Specialties)
				}
			}
			return &c
		}},
	KindUsers: {[]string{"territories"},
		func(r, s any, fs []string) any {
			c, st := *r.(*User), s.(*User)
			if slices.Contains(fs, "territories") {
				c.Territories = slices.Clone(st.Territories)
			}
			return &c
		}},
	KindListings: {[]string{"since", "key_monitoring", "national_insurance"},
		func(r, s any, fs []string) any {
			c, st := r.(Listing), s.(Listing)
			for _, f := range fs {
				switch f {
				case "since":
					c.Since = st.Since
				case "key_monitoring":
					c.KeyMonitoring = st.KeyMonitoring
				case "national_insurance":
					c.NationalInsurance = st.NationalInsurance
				}
			}
			return c
		}},
	KindInfluences: {[]string{"evidence"},
		func(r, s any, fs []string) any {
			c, st := *r.(*Influence), s.(*Influence)
			if slices.Contains(fs, "evidence") {
				c.Evidence = st.Evidence
			}
			return &c
		}},
}

// KeepableFields returns the optional fields of kind that Keep may name.
func KeepableFields(kind string) []string { return keepers[kind].fields }

// Kept returns ups with, for each record whose key has a stored record
// in before, the fields cs.Keep names for the kind taken from it (copies;
// ups is not changed). Without fields to keep it returns ups.
func Kept[R any, K comparable](cs *ChangeSet, k *Kind[R, K], ups []R, before map[K]R) []R {
	fields := cs.Keep[k.Name]
	if len(fields) == 0 {
		return ups
	}
	kp := keepers[k.Name]
	out := slices.Clone(ups)
	for i, r := range out {
		if k.Nil != nil && k.Nil(r) {
			continue
		}
		if stored, ok := before[k.Key(r)]; ok && (k.Nil == nil || !k.Nil(stored)) {
			out[i] = kp.keep(r, stored, fields).(R)
		}
	}
	return out
}

// checkKeep reports Keep's problems: an unknown kind or field, or any Keep
// at all where the writer does not resolve it (resolved: false).
func (cs *ChangeSet) checkKeep(p *fieldProblems, resolved bool) {
	for kind, fields := range cs.Keep {
		if len(fields) == 0 {
			continue
		}
		if !resolved {
			p.add("keep", kind, "fields to keep are resolved by the writer; a store does not take them")
			continue
		}
		kp, ok := keepers[kind]
		if !ok {
			p.add("keep", kind, "%s has no optional fields to keep", kind)
			continue
		}
		for _, f := range fields {
			if !slices.Contains(kp.fields, f) {
				p.add("keep", kind, "%s", fmt.Sprintf("%q is not an optional field of %s (one of %q)", f, kind, kp.fields))
			}
		}
	}
}
