package account

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Names of the department inputs, as the import columns spell them, so a
// reason such as "missing bed_turnover" tells a user which cell to fill.
const (
	FieldWeeklyOutpatients     = "weekly_outpatients"
	FieldIndicationShare       = "indication_share"
	FieldManagedBeds           = "managed_beds"
	FieldBedTurnover           = "bed_turnover"
	FieldDischargePenetration  = "discharge_penetration"
	FieldDRGEnrollmentRate     = "drg_enrollment_rate"
	FieldCompetitorPenetration = "competitor_penetration"
	FieldPolicySensitivity     = "policy_sensitivity"
	FieldProductSpecialties    = "product.specialties"
)

// DRGForm is the shape of the DRG enrollment-rate correction.
type DRGForm string

// The DRG correction forms.
const (
	// DRGLinear lowers outpatient potential in proportion to how far the
	// enrollment rate r is below the threshold T:
	//	factor(r) = 1 - c * (T - r) / T   for r < T,   1 otherwise.
	// It is continuous at T, so a department at 0.49 is not worth a cliff
	// less than one at 0.51.
	DRGLinear DRGForm = "linear"
	// DRGStep lowers every department under the threshold by the same
	// fraction: factor(r) = 1 - c for r < T, 1 otherwise.
	DRGStep DRGForm = "step"
	// DRGNone switches the correction off; the enrollment rate is then not
	// needed.
	DRGNone DRGForm = "none"
)

// DRGCorrection configures the outpatient correction for departments whose
// indication enrollment rate under DRG/DIP payment is low. Such departments
// run their indication at a loss under case-based payment and restrict
// costly new medicines, so their outpatient potential is lowered.
type DRGCorrection struct {
	Form        DRGForm `json:"form"`
	Threshold   float64 `json:"threshold"`   // T in (0, 1]: rates under it are corrected (0.5)
	Coefficient float64 `json:"coefficient"` // c in [0, 1]: the largest relative reduction, at rate 0 (0.3)
}

// Factor is the multiplier applied to the outpatient term at enrollment rate
// rate; it lies in [1-c, 1].
func (c DRGCorrection) Factor(rate float64) float64 {
	if c.Form == DRGNone || rate >= c.Threshold {
		return 1
	}
	if c.Form == DRGStep {
		return 1 - c.Coefficient
	}
	return 1 - c.Coefficient*(c.Threshold-rate)/c.Threshold
}

// ShareKey names one (department, product) pair of IndicationShare overrides.
type ShareKey struct{ DepartmentID, ProductID string }

// HCPWeights give each HCP a prescribing weight; an HCP's share of the
// department's potential is their weight over the sum of the weights of the
// department's HCPs:
//
//	w(h)     = Role[role] * Title[title] * Position[position]
//	share(h) = w(h) / sum_{h' in dept} w(h')
//
// A role absent from Role weighs 0 (does not prescribe), a title absent from
// Title weighs OtherTitle, a position absent from Position multiplies by 1.
// The shares of a department sum to 1 whenever one of its HCPs has a positive
// weight; if none has (only nurses, say), every share is 0.
type HCPWeights struct {
	Role       map[string]float64 `json:"role"`
	Title      map[string]float64 `json:"title"`
	OtherTitle float64            `json:"otherTitle"`
	Position   map[string]float64 `json:"position"`
}

// Weight is w(h).
func (w HCPWeights) Weight(h *kolgraph.HCP) float64 {
	t, ok := w.Title[h.Title]
	if !ok {
		t = w.OtherTitle
	}
	p, ok := w.Position[h.Position]
	if !ok {
		p = 1
	}
	return w.Role[h.Role] * t * p
}

// PotentialModel computes prescribing potential in patients per month.
//
// For a department d of hospital h and product p (all inputs from the
// department record):
//
//	outpatient = weekly_outpatients * share * WeeksPerMonth
//	inpatient  = managed_beds * bed_turnover * discharge_penetration
//	drg        = (outpatient + inpatient) * (DRG.Factor(drg_enrollment_rate) - 1)   (<= 0)
//	             only when h pays by case (DRG or DIP), else 0
//	potential  = outpatient + inpatient + drg
//
// share is ShareOverrides[(d, p)] when set, else the department's
// indication_share. Bed turnover is patients per bed per month and discharge
// penetration is already the indication's medication share at discharge, so
// the inpatient term is monthly patients without an indication share. The
// enrollment-rate correction exists because case-based payment (DRG, DIP)
// pays a fixed amount per case, mostly for inpatients: a department that
// runs its indication at a loss restricts costly new medicines on the ward
// and in the clinic alike. Under fee-for-service (FFS) it does not apply and
// the enrollment rate is not needed. A department under DRG or DIP whose
// enrollment rate is below DRG.Threshold is at risk (Potential.AtRisk),
// whatever the correction's form.
//
// The order of the rules matters and is the same everywhere:
//  1. a department whose specialty is in NonPrescribing (the pharmacy) has
//     potential 0 whatever its inputs: it dispenses and reviews, it does not
//     prescribe; its people weigh in on decisions as access stakeholders;
//  2. with a product: a product that lists no specialties has unknown
//     relevance, so potential is unknown; a department whose specialty is
//     not among the product's Specialties has potential 0 whatever its
//     inputs (certain: the product is not used there);
//  3. a department missing any input the formula needs has potential nil,
//     with the missing fields named; never 0.
//
// With no product the potential is the department's own, as its data carry
// it: its indication_share, no relevance filter and no overrides. The inputs
// are recorded per department, not per product, so that is what they
// measure; a maximum over products would make a number depend on the
// product catalogue.
type PotentialModel struct {
	// WeeksPerMonth turns weekly outpatients into monthly ones (4, as the
	// design states; 52/12 = 4.33 would be calendar-exact and lifts every
	// outpatient term by 8%, which changes no ranking).
	WeeksPerMonth float64       `json:"weeksPerMonth"`
	DRG           DRGCorrection `json:"drg"`
	// ShareOverrides replace a department's indication_share for one
	// product, when the share differs by product.
	ShareOverrides map[ShareKey]float64 `json:"-"`
	// NonPrescribing lists specialties with no prescribing potential of
	// their own (compared case-insensitively).
	NonPrescribing []string   `json:"nonPrescribing"`
	HCP            HCPWeights `json:"hcpWeights"`
}

// DefaultPotentialModel returns the documented defaults.
//
// DRG: linear below 0.5 with c = 0.3, i.e. a department with no enrollment
// keeps 70% of its outpatient potential and one at 0.25 keeps 85%. The
// threshold is where the design puts the DRG risk; 0.3 is a prior, not an
// estimate (no published coefficient exists): large enough to move a
// department at risk down a segment boundary, small enough not to outweigh a
// two-fold difference in patient volume. Calibrate it against sales data.
//
// HCP weights: a physician's weight grows with title (chief 3, associate
// chief 2.5, attending 2, resident 1, none 1): senior titles run the
// specialist clinics and set the ward's regimens. The department head counts
// 1.5x and a deputy head 1.2x: they decide the department's protocols.
// Only physicians prescribe (weight 1 by role): pharmacists and nurses do
// not prescribe in Chinese hospitals, and administrators (the president,
// vice presidents, even with a clinical seat) are access stakeholders, who
// decide listings rather than write prescriptions (see Prescriber).
func DefaultPotentialModel() PotentialModel {
	return PotentialModel{
		WeeksPerMonth:  4,
		DRG:            DRGCorrection{Form: DRGLinear, Threshold: 0.5, Coefficient: 0.3},
		NonPrescribing: []string{"pharmacy"},
		HCP: HCPWeights{
			Role: map[string]float64{
				kolgraph.RolePhysician:     1,
				kolgraph.RoleAdministrator: 0,
				kolgraph.RolePharmacist:    0,
				kolgraph.RoleNurse:         0,
			},
			Title: map[string]float64{
				"chief":           3,
				"associate_chief": 2.5,
				"attending":       2,
				"resident":        1,
			},
			OtherTitle: 1,
			Position: map[string]float64{
				"department_head": 1.5,
				"deputy_head":     1.2,
			},
		},
	}
}

// Validate reports a configuration that cannot give meaningful potentials.
func (m PotentialModel) Validate() error {
	bad := func(format string, args ...any) error {
		return kolgraph.Errorf(kolgraph.EINVALID, "potential model: "+format, args...)
	}
	if !finite(m.WeeksPerMonth) || m.WeeksPerMonth <= 0 {
		return bad("weeks per month must be positive (got %v)", m.WeeksPerMonth)
	}
	switch m.DRG.Form {
	case DRGLinear, DRGStep:
		if !finite(m.DRG.Threshold) || m.DRG.Threshold <= 0 || m.DRG.Threshold > 1 {
			return bad("DRG threshold must be in (0, 1] (got %v)", m.DRG.Threshold)
		}
		if !finite(m.DRG.Coefficient) || m.DRG.Coefficient < 0 || m.DRG.Coefficient > 1 {
			return bad("DRG coefficient must be in [0, 1] (got %v)", m.DRG.Coefficient)
		}
	case DRGNone:
	default:
		return bad("DRG form must be %q, %q or %q (got %q)", DRGLinear, DRGStep, DRGNone, m.DRG.Form)
	}
	for k, v := range m.ShareOverrides {
		if !finite(v) || v < 0 || v > 1 {
			return bad("indication share override for %s/%s must be in [0, 1] (got %v)", k.DepartmentID, k.ProductID, v)
		}
	}
	for _, ws := range []map[string]float64{m.HCP.Role, m.HCP.Title, m.HCP.Position} {
		for k, v := range ws {
			if !finite(v) || v < 0 {
				return bad("HCP weight %q must be finite and non-negative (got %v)", k, v)
			}
		}
	}
	if !finite(m.HCP.OtherTitle) || m.HCP.OtherTitle < 0 {
		return bad("HCP weight for other titles must be finite and non-negative (got %v)", m.HCP.OtherTitle)
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Potential is a prescribing potential in patients per month, with the terms
// that produced it. Value is nil when the potential is unknown; Missing then
// names the inputs that are missing and Reason says so in words. Reason also
// says why a known potential is zero.
//
// The terms add up: *Value == Outpatient + DRGCorrection + Inpatient. For an
// HCP every term is the department's times Share; for a hospital every term
// is the sum over its departments.
type Potential struct {
	Value           *float64 `json:"value"`
	Outpatient      float64  `json:"outpatient"`                // weekly outpatients x share x weeks, before the correction
	DRGCorrection   float64  `json:"drgCorrection"`             // <= 0; 0 unless the hospital pays by case
	Inpatient       float64  `json:"inpatient"`                 // before the correction
	IndicationShare float64  `json:"indicationShare,omitempty"` // the share used (department level)
	// ShareFromProduct: IndicationShare is the product's own share at the
	// department (ShareOverrides), not the department's default.
	ShareFromProduct bool     `json:"shareFromProduct,omitempty"`
	Share            float64  `json:"share"` // fraction of the department's potential (1 for departments and hospitals)
	Missing          []string `json:"missing,omitempty"`
	Reason           string   `json:"reason,omitempty"`
	// CaseBased: the hospital pays by case (DRG or DIP), so the enrollment
	// correction applies. For a hospital: any of its departments.
	CaseBased bool `json:"caseBased"`
	// AtRisk: under DRG or DIP with an enrollment rate below the
	// threshold (departments and their HCPs; a hospital is at risk when
	// one of its departments is, see AtRiskDepartments).
	AtRisk bool `json:"atRisk"`
	// AtRiskDepartments are a hospital's departments at risk, in scope
	// order (hospitals only).
	AtRiskDepartments []string `json:"atRiskDepartments,omitempty"`
	// Departments and KnownDepartments count a hospital's departments and
	// those of known potential: a hospital's potential sums the known
	// ones, and is unknown only when none is (hospitals only).
	Departments      int `json:"departments,omitempty"`
	KnownDepartments int `json:"knownDepartments,omitempty"`
}

// CaseBased reports whether a hospital's payment model pays per case:
// DRG or DIP (any case). FFS, fee-for-service and a blank model do not.
func CaseBased(paymentModel string) bool {
	m := strings.TrimSpace(paymentModel)
	return strings.EqualFold(m, "DRG") || strings.EqualFold(m, "DIP")
}

// Known reports whether the potential is known.
func (p Potential) Known() bool { return p.Value != nil }

// Float returns the value and whether it is known.
func (p Potential) Float() (float64, bool) {
	if p.Value == nil {
		return 0, false
	}
	return *p.Value, true
}

func zeroPotential(reason string) Potential {
	return Potential{Value: new(float64), Share: 1, Reason: reason}
}

func (m PotentialModel) nonPrescribing(specialty string) bool {
	for _, s := range m.NonPrescribing {
		if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(specialty)) {
			return true
		}
	}
	return false
}

// Prescribes reports whether department d prescribes product p (nil: its
// own potential): it is not a non-prescribing specialty (the pharmacy), and
// with a product its specialty is one of the product's. A product that
// lists no specialties has unknown relevance: its departments are kept, of
// unknown potential, rather than silently dropped.
func (m PotentialModel) Prescribes(d *kolgraph.Department, p *kolgraph.Product) bool {
	if m.nonPrescribing(d.Specialty) {
		return false
	}
	return p == nil || len(p.Specialties) == 0 || Relevant(p, d.Specialty)
}

// Prescriber reports whether HCP h of department d is a prescriber of
// product p: their role has a positive prescribing weight (physicians, by
// default) and their department prescribes p. Only prescribers are
// classified in a product's matrix; the people who decide a listing
// (pharmacy, committees, hospital leaders) are access stakeholders.
func (m PotentialModel) Prescriber(h *kolgraph.HCP, d *kolgraph.Department, p *kolgraph.Product) bool {
	return m.HCP.Role[h.Role] > 0 && m.Prescribes(d, p)
}

// Relevant reports whether product p is indicated for specialty: whether the
// specialty is among p.Specialties (case-insensitive, spaces trimmed).
func Relevant(p *kolgraph.Product, specialty string) bool {
	for _, s := range p.Specialties {
		if strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(specialty)) {
			return true
		}
	}
	return false
}

// Department computes the potential of department d of hospital h (nil:
// not known, so no case-based payment) for product p (nil: the
// department's own potential, see PotentialModel).
func (m PotentialModel) Department(d *kolgraph.Department, h *kolgraph.Hospital, p *kolgraph.Product) Potential {
	if m.nonPrescribing(d.Specialty) {
		return zeroPotential(fmt.Sprintf("%s has no prescribing potential of its own", d.Specialty))
	}
	share, fromProduct := d.IndicationShare, false
	if p != nil {
		if len(p.Specialties) == 0 {
			return Potential{Share: 1, Missing: []string{FieldProductSpecialties},
				Reason: fmt.Sprintf("product %s lists no specialties, so where it is used is unknown", p.ID)}
		}
		if !Relevant(p, d.Specialty) {
			return zeroPotential(fmt.Sprintf("product %s is not indicated for %s", p.ID, d.Specialty))
		}
		if s, ok := m.ShareOverrides[ShareKey{d.ID, p.ID}]; ok {
			share, fromProduct = &s, true
		}
	}
	caseBased := h != nil && CaseBased(h.PaymentModel)
	correct := caseBased && m.DRG.Form != DRGNone

	var missing []string
	if d.WeeklyOutpatients == nil {
		missing = append(missing, FieldWeeklyOutpatients)
	}
	if share == nil {
		missing = append(missing, FieldIndicationShare)
	}
	if correct && d.DRGEnrollmentRate == nil {
		missing = append(missing, FieldDRGEnrollmentRate)
	}
	if d.ManagedBeds == nil {
		missing = append(missing, FieldManagedBeds)
	}
	if d.BedTurnover == nil {
		missing = append(missing, FieldBedTurnover)
	}
	if d.DischargePenetration == nil {
		missing = append(missing, FieldDischargePenetration)
	}
	atRisk := caseBased && d.DRGEnrollmentRate != nil && *d.DRGEnrollmentRate < m.DRG.Threshold
	if len(missing) > 0 {
		return Potential{Share: 1, Missing: missing, Reason: "potential unknown: missing " + strings.Join(missing, ", "),
			CaseBased: caseBased, AtRisk: atRisk}
	}

	out := float64(*d.WeeklyOutpatients) * *share * m.WeeksPerMonth
	in := float64(*d.ManagedBeds) * *d.BedTurnover * *d.DischargePenetration
	var corr float64
	if correct {
		corr = (out + in) * (m.DRG.Factor(*d.DRGEnrollmentRate) - 1)
	}
	v := out + in + corr
	pot := Potential{Value: &v, Outpatient: out, DRGCorrection: corr, Inpatient: in, IndicationShare: *share,
		ShareFromProduct: fromProduct, Share: 1, CaseBased: caseBased, AtRisk: atRisk}
	if v == 0 {
		pot.Reason = "inputs give zero patients"
	}
	return pot
}

// Shares returns each HCP's share of their department's potential,
// share(h) = w(h) / sum w over hcps (see HCPWeights). hcps must be all the
// HCPs of one department.
func (m PotentialModel) Shares(hcps []*kolgraph.HCP) []float64 {
	shares := make([]float64, len(hcps))
	var sum float64
	for i, h := range hcps {
		shares[i] = m.HCP.Weight(h)
		sum += shares[i]
	}
	for i := range shares {
		if sum > 0 {
			shares[i] /= sum
		} else {
			shares[i] = 0
		}
	}
	return shares
}

// hcpPotential scales department potential dp by an HCP's share; slot holds
// the value (callers pass one element of a shared array: one allocation per
// scope, not per HCP).
func hcpPotential(dp Potential, h *kolgraph.HCP, share float64, slot *float64) Potential {
	p := Potential{
		Outpatient:       dp.Outpatient * share,
		DRGCorrection:    dp.DRGCorrection * share,
		Inpatient:        dp.Inpatient * share,
		IndicationShare:  dp.IndicationShare,
		ShareFromProduct: dp.ShareFromProduct,
		Share:            share,
		Missing:          dp.Missing,
		Reason:           dp.Reason,
		CaseBased:        dp.CaseBased,
		AtRisk:           dp.AtRisk,
	}
	if dp.Value == nil {
		return p
	}
	*slot = *dp.Value * share
	p.Value = slot
	if share == 0 && *dp.Value > 0 {
		p.Reason = fmt.Sprintf("%s: no prescribing share", h.Role)
	}
	return p
}

// hospitalPotential sums the potentials of a hospital's departments. A
// department of unknown potential leaves the sum out of it, named in
// Missing and Reason, so that one blank cell does not hide a hospital; the
// potential is unknown only when no department's is known.
func hospitalPotential(depts []*kolgraph.Department, pots []Potential) Potential {
	p := Potential{Share: 1, Departments: len(depts)}
	if len(depts) == 0 {
		p.Reason = "potential unknown: no department data"
		return p
	}
	var unknown []string
	var v float64
	for i, dp := range pots {
		p.CaseBased = p.CaseBased || dp.CaseBased
		if dp.AtRisk {
			p.AtRisk = true
			p.AtRiskDepartments = append(p.AtRiskDepartments, depts[i].ID)
		}
		if dp.Value == nil {
			unknown = append(unknown, depts[i].ID)
			for _, f := range dp.Missing {
				if !slices.Contains(p.Missing, f) {
					p.Missing = append(p.Missing, f)
				}
			}
			continue
		}
		p.KnownDepartments++
		v += *dp.Value
		p.Outpatient += dp.Outpatient
		p.DRGCorrection += dp.DRGCorrection
		p.Inpatient += dp.Inpatient
	}
	if len(unknown) == len(depts) {
		p.Outpatient, p.DRGCorrection, p.Inpatient = 0, 0, 0
		p.Reason = "potential unknown in every department: " + strings.Join(unknown, ", ")
		return p
	}
	if len(unknown) > 0 {
		p.Reason = fmt.Sprintf("sum of %d of %d departments; unknown in %s", p.KnownDepartments, len(depts), strings.Join(unknown, ", "))
	}
	p.Value = &v
	return p
}
