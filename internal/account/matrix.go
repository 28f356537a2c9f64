package account

import (
	"cmp"
	"math"
	"slices"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Segment is a cell of the account matrix.
type Segment string

// The segments.
const (
	SegmentA Segment = "A" // high potential, high influence
	SegmentB Segment = "B" // high potential, low influence
	SegmentC Segment = "C" // low potential, high influence
	SegmentD Segment = "D" // low potential, low influence
)

// Segments lists the segments in matrix order.
var Segments = []Segment{SegmentA, SegmentB, SegmentC, SegmentD}

// CutOffMode says how a cut-off's Value is read.
type CutOffMode string

// The cut-off modes.
const (
	// Percentile: Value is a percentile in [0, 100] of the positive values
	// of the classified accounts (see Classify).
	Percentile CutOffMode = "percentile"
	// Absolute: Value is the threshold itself, in the axis' own unit
	// (monthly patients; the influence scale passed in).
	Absolute CutOffMode = "absolute"
)

// CutOffSpec configures the cut-off of one axis.
type CutOffSpec struct {
	Mode  CutOffMode `json:"mode"`
	Value float64    `json:"value"`
}

func (c CutOffSpec) validate(axis string) error {
	switch c.Mode {
	case Percentile:
		if !finite(c.Value) || c.Value < 0 || c.Value > 100 {
			return kolgraph.Errorf(kolgraph.EINVALID, "%s cut-off: a percentile must be in [0, 100] (got %v)", axis, c.Value)
		}
	case Absolute:
		if !finite(c.Value) || c.Value < 0 {
			return kolgraph.Errorf(kolgraph.EINVALID, "%s cut-off: an absolute value must be finite and non-negative (got %v)", axis, c.Value)
		}
	default:
		return kolgraph.Errorf(kolgraph.EINVALID, "%s cut-off: mode must be %q or %q (got %q)", axis, Percentile, Absolute, c.Mode)
	}
	return nil
}

// CutOff is the cut-off a matrix used on one axis: the configured mode and
// value, and the absolute threshold they resolved to. An account is high on
// the axis when its value is positive and >= Threshold.
type CutOff struct {
	Mode      CutOffMode `json:"mode"`
	Value     float64    `json:"value"`     // as configured: a percentile or an absolute value
	Threshold float64    `json:"threshold"` // the resolved absolute threshold
	// Basis is how many values the percentile was taken over (the
	// classified accounts with a positive value); 0 in absolute mode.
	Basis int `json:"basis"`
}

// High reports whether v is high on this axis: v > 0 and v >= Threshold.
func (c CutOff) High(v float64) bool { return v > 0 && v >= c.Threshold }

// Cadence is a visit cadence and the kind of contact each visit is.
type Cadence struct {
	Code  string `json:"code"`  // BIWEEKLY, MONTHLY, QUARTERLY, DIGITAL
	Label string `json:"label"` // for people: "every 2 weeks"
	// IntervalDays between visits; 0 means no visits (digital only).
	IntervalDays int `json:"intervalDays"`
	// Contact is the kind of contact (JOINT_PLAN, ACADEMIC_EXCHANGE,
	// PRODUCT_TRAINING, ACCOUNT_REVIEW, DIGITAL) and ContactLabel says it
	// for people: "a deep conversation on the joint plan".
	Contact      string `json:"contact"`
	ContactLabel string `json:"contactLabel"`
}

// Plan is what a segment's accounts get: a playbook and a visit cadence.
type Plan struct {
	Playbook string  `json:"playbook"`
	Cadence  Cadence `json:"cadence"`
}

// Plans holds the plan of each segment.
type Plans struct {
	A Plan `json:"A"`
	B Plan `json:"B"`
	C Plan `json:"C"`
	D Plan `json:"D"`
}

// Of returns segment s's plan.
func (p Plans) Of(s Segment) Plan {
	switch s {
	case SegmentA:
		return p.A
	case SegmentB:
		return p.B
	case SegmentC:
		return p.C
	default:
		return p.D
	}
}

// MatrixConfig configures Classify for the accounts of one level.
type MatrixConfig struct {
	Potential CutOffSpec `json:"potentialCutOff"`
	Influence CutOffSpec `json:"influenceCutOff"`
	Plans     Plans      `json:"plans"`
}

// Matrices configure the matrix of each level: HCPs, departments and
// hospitals are different accounts, with their own cut-offs and wording.
type Matrices struct {
	HCP        MatrixConfig `json:"hcp"`
	Department MatrixConfig `json:"department"`
	Hospital   MatrixConfig `json:"hospital"`
}

// For returns level l's configuration (the HCP level's for an unknown
// level).
func (m Matrices) For(l Level) MatrixConfig {
	switch l {
	case LevelDepartment:
		return m.Department
	case LevelHospital:
		return m.Hospital
	}
	return m.HCP
}

// Validate checks every level.
func (m Matrices) Validate() error {
	for _, l := range []Level{LevelHCP, LevelDepartment, LevelHospital} {
		if err := m.For(l).Validate(); err != nil {
			return kolgraph.Errorf(kolgraph.EINVALID, "%s matrix: %s", l, kolgraph.ErrorMessage(err))
		}
	}
	return nil
}

// The cadences of the plans: the interval, and what each contact is
// (seed wording: a deep conversation on the joint plan every 2 weeks, an
// academic exchange monthly, a product training quarterly).
var (
	jointPlanBiweekly = Cadence{"BIWEEKLY", "every 2 weeks", 14, "JOINT_PLAN", "a deep conversation on the joint plan"}
	academicMonthly   = Cadence{"MONTHLY", "monthly", 30, "ACADEMIC_EXCHANGE", "an academic exchange"}
	trainingQuarterly = Cadence{"QUARTERLY", "quarterly", 91, "PRODUCT_TRAINING", "a product training"}
	digitalOnly       = Cadence{"DIGITAL", "digital only", 0, "DIGITAL", "digital channels only, no visits"}
	reviewBiweekly    = Cadence{"BIWEEKLY", "every 2 weeks", 14, "ACCOUNT_REVIEW", "an account review with the department heads"}
	reviewMonthly     = Cadence{"MONTHLY", "monthly", 30, "ACCOUNT_REVIEW", "an account review with the department heads"}
	exchangeQuarterly = Cadence{"QUARTERLY", "quarterly", 91, "ACADEMIC_EXCHANGE", "an academic exchange with its experts"}
	reviewQuarterly   = Cadence{"QUARTERLY", "quarterly", 91, "ACCOUNT_REVIEW", "an account review"}
)

// DefaultMatrices: the HCP level as DefaultMatrixConfig; departments with
// the same cut-offs and the department's wording; hospitals split at the
// median (50th percentile) on both axes, because a territory has a dozen
// or two hospitals and the top 30% on both axes left most of them, large
// listed teaching hospitals among them, in D. A hospital is never offered
// speaker seats, and a hospital in D still gets a quarterly account review:
// it is an account to keep, not a person to e-mail.
func DefaultMatrices() Matrices {
	hcp := DefaultMatrixConfig()
	dept := DefaultMatrixConfig()
	dept.Plans = Plans{
		A: Plan{"Joint multi-year department plan with the department head: research, patient management, performance goals", jointPlanBiweekly},
		B: Plan{"Department patient-education programme and digital content for its clinics", academicMonthly},
		C: Plan{"Department academic meetings and case discussions; speakers only from the compliant candidate list", trainingQuarterly},
		D: Plan{"Digital enablement for the department's physicians", digitalOnly},
	}
	hosp := MatrixConfig{
		Potential: CutOffSpec{Mode: Percentile, Value: 50},
		Influence: CutOffSpec{Mode: Percentile, Value: 50},
		Plans: Plans{
			A: Plan{"Key account: a hospital-level partnership across its prescribing departments, with the listing and the decision chain kept warm", reviewBiweekly},
			B: Plan{"Growth account: widen use across the prescribing departments and secure the listing", reviewMonthly},
			C: Plan{"Influence account: engage its experts and committee members through academic exchange", exchangeQuarterly},
			D: Plan{"Maintenance account: keep the listing and supply, reach its departments through digital channels", reviewQuarterly},
		},
	}
	return Matrices{HCP: hcp, Department: dept, Hospital: hosp}
}

// DefaultMatrixConfig is the HCP level's: both cut-offs at the 70th
// percentile, so "high" means the top 30% of the accounts that have any
// potential (influence) at all. The median would put about half of a
// territory's prescribers in A or B, more than a KAM can see every two
// weeks; the top 30% keeps A to roughly one account in ten when the axes
// are independent (more when they are correlated, as seniority drives both)
// and matches the Pareto view, where the top 20-30% of accounts usually
// hold most of the potential.
//
// Plans are the design's: A every 2 weeks, B monthly, C quarterly, D digital
// only, each with its kind of contact. C's academic roles are offered only
// through SpeakerCandidates (see SpeakerSelectionRule): the C list says
// whom to engage academically, never who speaks.
func DefaultMatrixConfig() MatrixConfig {
	return MatrixConfig{
		Potential: CutOffSpec{Mode: Percentile, Value: 70},
		Influence: CutOffSpec{Mode: Percentile, Value: 70},
		Plans: Plans{
			A: Plan{"Co-develop the department's joint three-year plan with this physician: research, patient management, performance goals", jointPlanBiweekly},
			B: Plan{"Patient-education and digital content programmes for this physician's patients", academicMonthly},
			C: Plan{"Academic engagement: expert exchanges and case discussions; speaker and advisor roles only from the compliant speaker-candidate list", trainingQuarterly},
			D: Plan{"Low-touch digital enablement: e-detailing and online medical education", digitalOnly},
		},
	}
}

// Validate checks the cut-offs and that every plan has a playbook and a
// cadence.
func (c MatrixConfig) Validate() error {
	if err := c.Potential.validate("potential"); err != nil {
		return err
	}
	if err := c.Influence.validate("influence"); err != nil {
		return err
	}
	for _, s := range Segments {
		p := c.Plans.Of(s)
		if p.Playbook == "" || p.Cadence.Code == "" || p.Cadence.IntervalDays < 0 {
			return kolgraph.Errorf(kolgraph.EINVALID, "segment %s needs a playbook and a cadence with a code and a non-negative interval", s)
		}
	}
	return nil
}

// Member is a classified account in a segment.
type Member struct {
	Level          Level   `json:"level"`
	ID             string  `json:"id"`
	Name           string  `json:"name"`
	HospitalID     string  `json:"hospitalId"`
	HospitalName   string  `json:"hospitalName"`
	DepartmentID   string  `json:"departmentId,omitempty"`
	DepartmentName string  `json:"departmentName,omitempty"`
	Potential      float64 `json:"potential"`
	Influence      float64 `json:"influence"`
	Segment        Segment `json:"segment"`
	Playbook       string  `json:"playbook"`
	Cadence        Cadence `json:"cadence"`
	// Listing is the product's listing status at the member's hospital
	// ("" without a product or without a record); AccessFirst says the
	// product is not listed there, so Playbook is the access playbook
	// instead of the segment's (the segment and cadence stay).
	Listing     string `json:"listing,omitempty"`
	AccessFirst bool   `json:"accessFirst,omitempty"`
	// Actual is what it prescribed (nil without facts for its hospital).
	Actual *Actual `json:"actual,omitempty"`
}

// Cell is one segment of the matrix with its members.
type Cell struct {
	Segment  Segment  `json:"segment"`
	Playbook string   `json:"playbook"`
	Cadence  Cadence  `json:"cadence"`
	Count    int      `json:"count"`
	Members  []Member `json:"members"`
}

// Unclassified is an account that could not be placed, with every reason.
type Unclassified struct {
	Level          Level    `json:"level"`
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	HospitalID     string   `json:"hospitalId"`
	HospitalName   string   `json:"hospitalName"`
	DepartmentID   string   `json:"departmentId,omitempty"`
	DepartmentName string   `json:"departmentName,omitempty"`
	Potential      *float64 `json:"potential"`
	Influence      *float64 `json:"influence"`
	Missing        []string `json:"missing,omitempty"`
	Reasons        []string `json:"reasons"`
}

// Matrix is the account matrix of a set of accounts.
type Matrix struct {
	Level     Level  `json:"level"`
	ProductID string `json:"productId,omitempty"`
	Potential CutOff `json:"potential"`
	Influence CutOff `json:"influence"`
	// Cells are A, B, C, D in that order, each present even when empty.
	Cells        []Cell         `json:"cells"`
	Classified   int            `json:"classified"`
	Unclassified []Unclassified `json:"unclassified"`
}

// Cell returns segment s's cell.
func (m *Matrix) Cell(s Segment) *Cell {
	for i := range m.Cells {
		if m.Cells[i].Segment == s {
			return &m.Cells[i]
		}
	}
	return nil
}

// Classify places accounts (all of one level, from Evaluate) in the A/B/C/D
// matrix.
//
// An account with unknown potential or unknown influence is unclassified,
// with every reason; it never lands in D. The others are classified:
//
//	high potential  = potential > 0 and potential >= potential threshold
//	high influence  = influence > 0 and influence >= influence threshold
//	A = high, high; B = high potential only; C = high influence only; D = neither
//
// Ties exactly at a threshold are high. Zero means "none" on both axes: an
// account with zero potential (a product not indicated there, the pharmacy,
// a nurse) is low on potential whatever the cut-off, and zeros are left out
// of the percentile basis, so that in a scope where most departments are
// irrelevant to the product the relevant ones are still split among
// themselves rather than all being "above a median of 0".
//
// A percentile threshold is the linear interpolation between closest ranks
// (numpy's default, Excel's PERCENTILE.INC): over the n positive values
// sorted x_0 <= ... <= x_{n-1}, h = (n-1)p/100 and
// threshold = x_floor(h) + (h - floor(h)) * (x_floor(h)+1 - x_floor(h)).
// With no positive value the threshold is 0 and nothing is high.
//
// Members are ordered by the axis the segment is high on: A, B and D by
// potential descending, then influence descending; C by influence
// descending only (C is the academic-engagement segment, so potential does not
// order it); ties last by id. Unclassified accounts keep the input order.
//
// Cost: O(n log n) for n accounts.
func Classify(cfg MatrixConfig, accounts []Account) (*Matrix, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	m := &Matrix{}
	if len(accounts) > 0 {
		m.Level, m.ProductID = accounts[0].Level, accounts[0].ProductID
	}
	var pos []float64 // positive potentials, then positive influences
	var ok []int32
	for i := range accounts {
		a := &accounts[i]
		if a.Level != m.Level || a.ProductID != m.ProductID {
			return nil, kolgraph.Errorf(kolgraph.EINVALID, "accounts of one matrix must share level and product (%s %s/%s vs %s/%s)",
				a.ID, a.Level, a.ProductID, m.Level, m.ProductID)
		}
		if a.Potential.Value == nil || a.Influence == nil {
			m.Unclassified = append(m.Unclassified, unclassified(a))
			continue
		}
		ok = append(ok, int32(i))
	}
	m.Classified = len(ok)

	pos = make([]float64, 0, len(ok))
	for _, i := range ok {
		if v := *accounts[i].Potential.Value; v > 0 {
			pos = append(pos, v)
		}
	}
	m.Potential = resolve(cfg.Potential, pos)
	pos = pos[:0]
	for _, i := range ok {
		if v := *accounts[i].Influence; v > 0 {
			pos = append(pos, v)
		}
	}
	m.Influence = resolve(cfg.Influence, pos)

	seg := make([][]int32, len(Segments))
	for _, i := range ok {
		a := &accounts[i]
		hp, hi := m.Potential.High(*a.Potential.Value), m.Influence.High(*a.Influence)
		var s int
		switch {
		case hp && hi:
			s = 0
		case hp:
			s = 1
		case hi:
			s = 2
		default:
			s = 3
		}
		seg[s] = append(seg[s], i)
	}

	// Sort compact keys rather than the accounts themselves: far fewer
	// cache misses on a 100k-account scope.
	type key struct {
		pot, infl float64
		i         int32
	}
	byPotential := func(x, y key) int {
		if c := cmp.Compare(y.pot, x.pot); c != 0 {
			return c
		}
		if c := cmp.Compare(y.infl, x.infl); c != 0 {
			return c
		}
		return cmp.Compare(accounts[x.i].ID, accounts[y.i].ID)
	}
	byInfluence := func(x, y key) int {
		if c := cmp.Compare(y.infl, x.infl); c != 0 {
			return c
		}
		return cmp.Compare(accounts[x.i].ID, accounts[y.i].ID)
	}
	var keys []key
	m.Cells = make([]Cell, len(Segments))
	for k, s := range Segments {
		keys = keys[:0]
		for _, i := range seg[k] {
			keys = append(keys, key{*accounts[i].Potential.Value, *accounts[i].Influence, i})
		}
		if s == SegmentC {
			slices.SortFunc(keys, byInfluence)
		} else {
			slices.SortFunc(keys, byPotential)
		}
		plan := cfg.Plans.Of(s)
		cell := Cell{Segment: s, Playbook: plan.Playbook, Cadence: plan.Cadence, Count: len(seg[k]),
			Members: make([]Member, len(seg[k]))}
		for j, kk := range keys {
			a := &accounts[kk.i]
			cell.Members[j] = Member{
				Level: a.Level, ID: a.ID, Name: a.Name,
				HospitalID: a.HospitalID, HospitalName: a.HospitalName,
				DepartmentID: a.DepartmentID, DepartmentName: a.DepartmentName,
				Potential: *a.Potential.Value, Influence: *a.Influence,
				Segment: s, Playbook: plan.Playbook, Cadence: plan.Cadence, Actual: a.Actual,
			}
		}
		m.Cells[k] = cell
	}
	return m, nil
}

func unclassified(a *Account) Unclassified {
	u := Unclassified{
		Level: a.Level, ID: a.ID, Name: a.Name,
		HospitalID: a.HospitalID, HospitalName: a.HospitalName,
		DepartmentID: a.DepartmentID, DepartmentName: a.DepartmentName,
		Potential: a.Potential.Value, Influence: a.Influence, Missing: a.Potential.Missing,
	}
	if a.Potential.Value == nil {
		u.Reasons = append(u.Reasons, a.Potential.Reason)
	}
	if a.Influence == nil {
		u.Reasons = append(u.Reasons, a.InfluenceReason)
	}
	return u
}

// resolve turns a cut-off spec into a threshold; pos holds the positive
// values of the classified accounts and is sorted in place.
func resolve(c CutOffSpec, pos []float64) CutOff {
	if c.Mode == Absolute {
		return CutOff{Mode: c.Mode, Value: c.Value, Threshold: c.Value}
	}
	slices.Sort(pos)
	return CutOff{Mode: c.Mode, Value: c.Value, Threshold: percentile(pos, c.Value), Basis: len(pos)}
}

// percentile is the linear interpolation between closest ranks of sorted
// (type 7 of Hyndman and Fan); 0 for an empty slice.
func percentile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	h := float64(n-1) * p / 100
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	t := sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
	// Interpolation can land a hair past the upper neighbour through
	// rounding; never let that push the maximum out of "high".
	return math.Min(t, sorted[lo+1])
}
