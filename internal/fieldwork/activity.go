package fieldwork

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
)

// CheckSpeakers refuses an activity whose speakers are not all on the
// compliant candidate list: candidates are the ids SpeakerCandidates gave
// for the activity's territory and product (the caller computes them).
// The error is EINVALID with one problem on speaker_ids per refused HCP.
func CheckSpeakers(a *kolgraph.Activity, candidates []string) error {
	var ps []kolgraph.Problem
	for _, id := range a.SpeakerIDs {
		if !slices.Contains(candidates, id) {
			ps = append(ps, kolgraph.Problem{Field: "speaker_ids", Message: fmt.Sprintf(
				"HCP %q is not on the compliant speaker candidate list for %s in %s; speakers come only from speakerCandidates, never by potential or sales",
				id, a.ProductID, a.TerritoryID)})
		}
	}
	return kolgraph.Invalid(ps)
}

// ROI is an academic activity's return (DESIGN.md, "Academic-activity
// ROI").
type ROI struct {
	// CostShare = actual cost / budget; nil while the actual cost is not
	// known or the budget is 0. CostShareMet: CostShare <= costShareMax.
	CostShare    *float64
	CostShareMet *bool
	// BeforeMonths are the beforeMonths whole months before the activity's
	// month, AfterMonths the afterMonths after it; its own month is in
	// neither (the activity's effect on it is partial).
	BeforeMonths []string
	AfterMonths  []string
	// Before and After are the attendees' prescriptions of the product in
	// each window (HCP-level facts).
	Before, After float64
	// Lift = After / Before - 1; nil when Before is 0. LiftMet: Lift >=
	// liftMin.
	Lift    *float64
	LiftMet *bool
	// LatestFactMonth is the latest month of the product's facts passed in
	// ("" for none); Provisional: the after window reaches past it, so
	// After (and Lift) will still grow.
	LatestFactMonth string
	Provisional     bool
}

// factIndex holds HCP-level facts by product and HCP, and each product's
// latest month, so an activity's ROI reads only its attendees' facts.
type factIndex struct {
	volume map[factKey]map[string]float64 // month -> volume
	latest map[string]string              // product -> latest month
}

type factKey struct{ product, hcp string }

func newFactIndex(facts []kolgraph.PrescriptionFact) factIndex {
	x := factIndex{volume: map[factKey]map[string]float64{}, latest: map[string]string{}}
	for _, f := range facts {
		if f.HCPID == "" {
			continue
		}
		k := factKey{f.ProductID, f.HCPID}
		if x.volume[k] == nil {
			x.volume[k] = map[string]float64{}
		}
		x.volume[k][f.Month] += f.Volume
		x.latest[f.ProductID] = max(x.latest[f.ProductID], f.Month)
	}
	return x
}

// roi is ActivityROI over the index: cost O(attendees x window months).
func (x factIndex) roi(cfg Config, a *kolgraph.Activity) ROI {
	var r ROI
	if a.ActualCost != nil && a.Budget > 0 {
		share := *a.ActualCost / a.Budget
		met := share <= cfg.CostShareMax
		r.CostShare, r.CostShareMet = &share, &met
	}
	m0, _ := time.Parse("2006-01", a.Date[:min(7, len(a.Date))])
	for i := cfg.BeforeMonths; i >= 1; i-- {
		r.BeforeMonths = append(r.BeforeMonths, m0.AddDate(0, -i, 0).Format("2006-01"))
	}
	for i := 1; i <= cfg.AfterMonths; i++ {
		r.AfterMonths = append(r.AfterMonths, m0.AddDate(0, i, 0).Format("2006-01"))
	}
	seen := make(map[string]bool, len(a.AttendeeIDs))
	for _, h := range a.AttendeeIDs {
		if seen[h] {
			continue // listed twice: count once
		}
		seen[h] = true
		v := x.volume[factKey{a.ProductID, h}]
		for _, m := range r.BeforeMonths {
			r.Before += v[m]
		}
		for _, m := range r.AfterMonths {
			r.After += v[m]
		}
	}
	r.LatestFactMonth = x.latest[a.ProductID]
	r.Provisional = len(r.AfterMonths) > 0 && r.AfterMonths[len(r.AfterMonths)-1] > r.LatestFactMonth
	if r.Before > 0 {
		lift := r.After/r.Before - 1
		met := lift >= cfg.LiftMin
		r.Lift, r.LiftMet = &lift, &met
	}
	return r
}

// FlagCode names a compliance or target flag.
type FlagCode string

// The flags, in the order a result lists them.
const (
	NotRegisteredInAdvance FlagCode = "NOT_REGISTERED_IN_ADVANCE"
	CostPerAttendeeOverCap FlagCode = "COST_PER_ATTENDEE_OVER_CAP"
	SpendPerHCPYearOverCap FlagCode = "SPEND_PER_HCP_YEAR_OVER_CAP"
	CostShareOverTarget    FlagCode = "COST_SHARE_OVER_TARGET"
	LiftUnderTarget        FlagCode = "LIFT_UNDER_TARGET"
)

// HCPSpend is what the activities spent on one HCP in a calendar year.
type HCPSpend struct {
	HCPID string
	Year  int
	Total float64 // CNY
}

// Flag is one thing about an activity that compliance or its owner must
// look at.
type Flag struct {
	Code FlagCode
	// Value is what was measured (cost per attendee, cost share, lift; the
	// largest yearly total for SpendPerHCPYearOverCap) and Limit the cap
	// or target it broke; both 0 for NotRegisteredInAdvance.
	Value, Limit float64
	// FromBudget: the cost per attendee was taken from the budget, the
	// actual cost being unknown.
	FromBudget bool
	// Date, Registration and RegisteredOn are the activity's, for
	// NotRegisteredInAdvance.
	Date, Registration, RegisteredOn string
	// HCPs are the HCPs over the yearly cap this activity spent on, the
	// highest total first, for SpendPerHCPYearOverCap.
	HCPs []HCPSpend
}

// Message says the flag in lang.
func (f Flag) Message(lang labels.Lang) string {
	zh := langOf(lang) == labels.ZH
	pct := func(x float64) string { return fmt.Sprintf("%.1f%%", 100*x) }
	switch f.Code {
	case NotRegisteredInAdvance:
		switch {
		case f.Registration != kolgraph.RegistrationRegistered && zh:
			return "活动前未完成合规备案（待备案）"
		case f.Registration != kolgraph.RegistrationRegistered:
			return "not registered with compliance before the activity (registration pending)"
		case zh:
			return fmt.Sprintf("备案日期%s不早于活动日期%s，未提前备案", f.RegisteredOn, f.Date)
		}
		return fmt.Sprintf("registered on %s, not before the activity's date %s", f.RegisteredOn, f.Date)
	case CostPerAttendeeOverCap:
		switch {
		case zh && f.FromBudget:
			return fmt.Sprintf("人均费用%.2f元（按预算，实际费用未知），超过上限%s元", f.Value, money(f.Limit))
		case zh:
			return fmt.Sprintf("人均费用%.2f元，超过上限%s元", f.Value, money(f.Limit))
		case f.FromBudget:
			return fmt.Sprintf("cost per attendee %.2f CNY (from the budget; actual cost unknown) is over the cap of %s CNY", f.Value, money(f.Limit))
		}
		return fmt.Sprintf("cost per attendee %.2f CNY is over the cap of %s CNY", f.Value, money(f.Limit))
	case SpendPerHCPYearOverCap:
		parts := make([]string, len(f.HCPs))
		for i, h := range f.HCPs {
			if zh {
				parts[i] = fmt.Sprintf("%s %.2f元（%d年）", h.HCPID, h.Total, h.Year)
			} else {
				parts[i] = fmt.Sprintf("%s %.2f CNY in %d", h.HCPID, h.Total, h.Year)
			}
		}
		if zh {
			return fmt.Sprintf("参与医生的年度费用超过上限%s元：%s", money(f.Limit), strings.Join(parts, "，"))
		}
		return fmt.Sprintf("spend on participating HCPs over the yearly cap of %s CNY: %s", money(f.Limit), strings.Join(parts, ", "))
	case CostShareOverTarget:
		if zh {
			return fmt.Sprintf("费用占比%s，高于目标%s", pct(f.Value), pct(f.Limit))
		}
		return fmt.Sprintf("cost share %s is over the target of %s", pct(f.Value), pct(f.Limit))
	case LiftUnderTarget:
		if zh {
			return fmt.Sprintf("处方提升%s，低于目标%s", pct(f.Value), pct(f.Limit))
		}
		return fmt.Sprintf("prescription lift %s is under the target of %s", pct(f.Value), pct(f.Limit))
	}
	return string(f.Code)
}

// Result is an activity with its ROI and flags.
type Result struct {
	Activity kolgraph.Activity
	ROI      ROI
	// CostPerAttendee is the actual cost (the budget while it is unknown)
	// over the attendees; nil without attendees.
	CostPerAttendee *float64
	Flags           []Flag
}

// Evaluate computes each activity's ROI (ActivityROI over factList) and
// its flags, in the activities' order:
//   - NotRegisteredInAdvance: registration pending, or registered on or
//     after the activity's date;
//   - CostPerAttendeeOverCap: cost per attendee > maxCostPerAttendee;
//   - SpendPerHCPYearOverCap: each activity spends its cost (actual, else
//     budget) evenly on its participants, the distinct attendees and
//     speakers; an HCP's spend is summed per calendar year over all the
//     activities passed in (pass a whole year's to see the whole
//     spend), and every activity that spent on an HCP whose year is over
//     maxSpendPerHcpYear is flagged, naming those HCPs and their totals;
//   - CostShareOverTarget: cost share > costShareMax;
//   - LiftUnderTarget: lift < liftMin, only once final (not provisional):
//     a lift still counting months of missing data is no finding yet.
//
// Cost O(facts + activities x participants x window months).
//
// latest gives, per product id, the latest month with facts in the whole
// data when factList holds only the attendees' (nil: the latest of
// factList); a later month of factList still wins.
func Evaluate(cfg Config, activities []kolgraph.Activity, factList []kolgraph.PrescriptionFact, latest map[string]string) []Result {
	type hy struct {
		hcp  string
		year int
	}
	spend := map[hy]float64{}
	participants := make([][]string, len(activities))
	for i := range activities {
		a := &activities[i]
		ps := participantsOf(a)
		participants[i] = ps
		if len(ps) == 0 {
			continue
		}
		cost, _ := costOf(a)
		for _, h := range ps {
			spend[hy{h, yearOf(a.Date)}] += cost / float64(len(ps))
		}
	}
	facts := newFactIndex(factList)
	for p, m := range latest {
		facts.latest[p] = max(facts.latest[p], m)
	}
	out := make([]Result, len(activities))
	for i := range activities {
		a := &activities[i]
		r := Result{Activity: *a, ROI: facts.roi(cfg, a)}
		if a.Registration != kolgraph.RegistrationRegistered || a.RegisteredOn >= a.Date {
			r.Flags = append(r.Flags, Flag{Code: NotRegisteredInAdvance, Date: a.Date, Registration: a.Registration, RegisteredOn: a.RegisteredOn})
		}
		if n := len(a.AttendeeIDs); n > 0 {
			cost, fromBudget := costOf(a)
			per := cost / float64(n)
			r.CostPerAttendee = &per
			if per > cfg.MaxCostPerAttendee {
				r.Flags = append(r.Flags, Flag{Code: CostPerAttendeeOverCap, Value: per, Limit: cfg.MaxCostPerAttendee, FromBudget: fromBudget})
			}
		}
		var over []HCPSpend
		for _, h := range participants[i] {
			y := yearOf(a.Date)
			if t := spend[hy{h, y}]; t > cfg.MaxSpendPerHCPYear {
				over = append(over, HCPSpend{HCPID: h, Year: y, Total: t})
			}
		}
		if len(over) > 0 {
			slices.SortFunc(over, func(a, b HCPSpend) int { return cmp.Or(cmp.Compare(b.Total, a.Total), cmp.Compare(a.HCPID, b.HCPID)) })
			r.Flags = append(r.Flags, Flag{Code: SpendPerHCPYearOverCap, Value: over[0].Total, Limit: cfg.MaxSpendPerHCPYear, HCPs: over})
		}
		if s := r.ROI.CostShare; s != nil && !*r.ROI.CostShareMet {
			r.Flags = append(r.Flags, Flag{Code: CostShareOverTarget, Value: *s, Limit: cfg.CostShareMax})
		}
		if l := r.ROI.Lift; l != nil && !*r.ROI.LiftMet && !r.ROI.Provisional {
			r.Flags = append(r.Flags, Flag{Code: LiftUnderTarget, Value: *l, Limit: cfg.LiftMin})
		}
		out[i] = r
	}
	return out
}

// costOf is the activity's actual cost, or its budget while that is
// unknown (fromBudget).
func costOf(a *kolgraph.Activity) (cost float64, fromBudget bool) {
	if a.ActualCost != nil {
		return *a.ActualCost, false
	}
	return a.Budget, true
}

// participantsOf are the distinct attendees and speakers, in that order.
func participantsOf(a *kolgraph.Activity) []string {
	out := slices.Clone(a.AttendeeIDs)
	for _, s := range a.SpeakerIDs {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func yearOf(date string) int {
	d, _ := kolgraph.ParseDate(date)
	return d.Year()
}

// money is an amount without trailing zeros: 500, 6000, 499.5.
func money(x float64) string {
	s := fmt.Sprintf("%.2f", x)
	return strings.TrimSuffix(strings.TrimRight(strings.TrimRight(s, "0"), "."), ".")
}
