package fieldwork

import (
	"fmt"
	"math"
	"slices"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Config is the field-execution part of the settings document ("field").
type Config struct {
	// CostShareMax is the target of an activity's cost share (actual cost
	// / budget): at most 0.30, the seed model's (DESIGN.md).
	CostShareMax float64 `json:"costShareMax"`
	// LiftMin is the target of an activity's prescription lift (after /
	// before - 1): at least 0.50, the seed model's.
	LiftMin float64 `json:"liftMin"`
	// BeforeMonths and AfterMonths are the whole months before and after
	// the activity's month that its lift compares: 3 each, the design's.
	BeforeMonths int `json:"beforeMonths"`
	AfterMonths  int `json:"afterMonths"`
	// MaxCostPerAttendee caps an activity's cost per attendee (CNY).
	MaxCostPerAttendee float64 `json:"maxCostPerAttendee"`
	// MaxSpendPerHCPYear caps what the activities spend on one HCP in a
	// calendar year (CNY).
	MaxSpendPerHCPYear float64 `json:"maxSpendPerHcpYear"`
	// KAMMonthlyCapacity is how many visits a KAM can make in a month.
	KAMMonthlyCapacity int `json:"kamMonthlyCapacity"`
	// VisitKinds are the interaction kinds that count as a visit for the
	// cadence (kolgraph.InteractionKinds).
	VisitKinds []string `json:"visitKinds"`
	// SpeakerShortlist is how far down the compliant candidate list
	// (speakerCandidates of the activity's territory and product, ranked
	// on influence and expertise only) a speaker may come from: the top
	// 20 by default, the list speakerCandidates shows by default; 0
	// admits every eligible candidate.
	SpeakerShortlist int `json:"speakerShortlist"`
}

// Default is the default configuration.
//
// The ROI targets and windows are the design's seed model. The caps are
// review thresholds, not law: China sets no CNY figure for either, so a
// company's compliance team should set its own.
//   - maxCostPerAttendee 500: a department or city meeting's meal within
//     the 200-300 CNY per head that company meal policies commonly allow,
//     plus a share of venue and materials; a higher figure per head looks
//     like hospitality rather than education.
//   - maxSpendPerHcpYear 6000: twelve meetings a year at the per-attendee
//     cap, one a month; more than that on one person is a relationship to
//     review, not a programme.
//   - kamMonthlyCapacity 80: four in-depth visits per working day over
//     about 20 working days. A KAM's visit is a conversation on a joint
//     plan or an academic exchange, not a rep's five-minute detail, and the
//     rest of the day goes to travel between hospitals, meetings and notes.
//   - visitKinds visit and meeting: both are in person; a call or a
//     digital touch does not keep a face-to-face cadence.
func Default() Config {
	return Config{
		CostShareMax:       0.30,
		LiftMin:            0.50,
		BeforeMonths:       3,
		AfterMonths:        3,
		MaxCostPerAttendee: 500,
		MaxSpendPerHCPYear: 6000,
		KAMMonthlyCapacity: 80,
		VisitKinds:         []string{kolgraph.InteractionVisit, kolgraph.InteractionMeeting},
		SpeakerShortlist:   20,
	}
}

// Validate checks every field; the error is EINVALID with one problem per
// wrong field, each naming it by its JSON name.
func (c Config) Validate() error {
	var ps []kolgraph.Problem
	bad := func(field, format string, args ...any) {
		ps = append(ps, kolgraph.Problem{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	finite := func(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
	if !finite(c.CostShareMax) || c.CostShareMax <= 0 || c.CostShareMax > 10 {
		bad("costShareMax", "must be in (0, 10], a fraction of the budget (got %v)", c.CostShareMax)
	}
	if !finite(c.LiftMin) || c.LiftMin < -1 || c.LiftMin > 100 {
		bad("liftMin", "must be in [-1, 100], a relative change (got %v)", c.LiftMin)
	}
	if c.BeforeMonths < 1 || c.BeforeMonths > 24 {
		bad("beforeMonths", "must be 1 to 24 months (got %d)", c.BeforeMonths)
	}
	if c.AfterMonths < 1 || c.AfterMonths > 24 {
		bad("afterMonths", "must be 1 to 24 months (got %d)", c.AfterMonths)
	}
	if !finite(c.MaxCostPerAttendee) || c.MaxCostPerAttendee <= 0 {
		bad("maxCostPerAttendee", "must be a positive amount in CNY (got %v)", c.MaxCostPerAttendee)
	}
	if !finite(c.MaxSpendPerHCPYear) || c.MaxSpendPerHCPYear <= 0 {
		bad("maxSpendPerHcpYear", "must be a positive amount in CNY (got %v)", c.MaxSpendPerHCPYear)
	}
	if c.KAMMonthlyCapacity < 1 || c.KAMMonthlyCapacity > 1000 {
		bad("kamMonthlyCapacity", "must be 1 to 1000 visits a month (got %d)", c.KAMMonthlyCapacity)
	}
	if c.SpeakerShortlist < 0 || c.SpeakerShortlist > 10000 {
		bad("speakerShortlist", "must be 0 (every eligible candidate) to 10000 (got %d)", c.SpeakerShortlist)
	}
	if len(c.VisitKinds) == 0 {
		bad("visitKinds", "must name at least one interaction kind (%q)", kolgraph.InteractionKinds)
	}
	for i, k := range c.VisitKinds {
		switch {
		case !slices.Contains(kolgraph.InteractionKinds, k):
			bad("visitKinds", "%q is not an interaction kind (one of %q)", k, kolgraph.InteractionKinds)
		case slices.Index(c.VisitKinds, k) < i:
			bad("visitKinds", "names %q twice", k)
		}
	}
	return kolgraph.Invalid(ps)
}

// countsAsVisit reports whether interaction kind k keeps the cadence.
func (c Config) countsAsVisit(k string) bool { return slices.Contains(c.VisitKinds, k) }
