package kolgraph

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Allowed values of the enumerated fields.
var (
	Roles          = []string{RolePhysician, RolePharmacist, RoleNurse, RoleAdministrator}
	Titles         = []string{"", "chief", "associate_chief", "attending", "resident"}
	KOLLevels      = []string{"", KOLNational, KOLRegional, KOLLocal}
	CommitteeKinds = []string{CommitteePT, CommitteeProcurement, CommitteeDRG, CommitteeEthics}
	CommitteeRoles = []string{"chair", "member", "secretary"}
	ListingStatus  = []string{"listed", "pending", "not_listed", "delisted"}
	Ownerships     = []string{"public", "private"}
	PaymentModels  = []string{"DRG", "DIP", "FFS"}
	UserRoles      = []string{"admin", "strategist", "kam", "compliance", "viewer"}
	InfluenceKinds = []string{InfluenceReportsTo, InfluenceMentor, InfluenceCoAuthor,
		InfluenceReferral, InfluenceCommitteePeer, InfluenceSocietyPeer}
)

var datePattern = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// MaxTextLen bounds every free-text field, in bytes.
const MaxTextLen = 1000

type checker struct{ ps []Problem }

func (c *checker) add(field, format string, args ...any) {
	c.ps = append(c.ps, Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

// ValidID reports whether s has the syntax of an id, the data's own stable
// keys (H001, D001-03, P000123): 1-64 ASCII letters, digits and _.:-,
// starting with a letter or digit; no record has an id without it. It is
// the regular expression ^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$ written out
// (a test holds the two equal): every imported row checks two or three
// ids, and the regexp engine was a tenth of a large import's time.
func ValidID(s string) bool {
	if len(s) == 0 || len(s) > 64 || !isAlnum(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !isAlnum(c) && c != '_' && c != '.' && c != ':' && c != '-' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func (c *checker) id(field, v string) {
	if !ValidID(v) {
		c.add(field, "must be an id of 1-64 letters, digits and _.:- (got %q)", v)
	}
}

func (c *checker) optID(field, v string) {
	if v != "" {
		c.id(field, v)
	}
}

func (c *checker) text(field, v string, required bool) {
	switch {
	case !utf8.ValidString(v):
		c.add(field, "is not valid UTF-8")
	case required && v == "":
		c.add(field, "is required")
	case len(v) > MaxTextLen:
		c.add(field, "is longer than %d bytes", MaxTextLen)
	case containsNUL(v):
		c.add(field, "contains a NUL byte")
	case FormulaLike(v) && !(field == "phone" && phonePattern.MatchString(v)):
		r, _ := utf8.DecodeRuneInString(strings.TrimLeftFunc(v, formulaBlank))
		c.add(field, "starts with %q, which a spreadsheet would run as a formula (got %q); "+
			"remove the leading character (an apostrophe in front does not help: Excel drops it when it saves)", r, Clip(v))
	}
}

// FormulaLike reports whether text would be taken for a formula by a
// spreadsheet that opens a file holding it (CSV/formula injection): it
// starts with a tab or a carriage return (OWASP's list), or, after
// any leading blanks (spaces, tabs, line breaks, the ideographic and
// no-break spaces, invisible format characters such as a byte-order mark,
// which spreadsheets skip or users cannot see), it starts with = + - @ or
// the full-width ＝ ＋ － ＠ that Excel in CJK locales also reads as
// formulas. It is one rule for all the data: no record's text may start
// so, whether a mutation or an import brings it (Validate), settings texts
// neither, and exports escape such text.
func FormulaLike(s string) bool {
	if s != "" && (s[0] == '\t' || s[0] == '\r') { // OWASP: a leading tab or CR alone is escaped too
		return true
	}
	r, _ := utf8.DecodeRuneInString(strings.TrimLeftFunc(s, formulaBlank))
	return strings.ContainsRune("=+-@＝＋－＠", r)
}

// formulaBlank is what a spreadsheet skips, or a person does not see,
// before a formula's first character.
func formulaBlank(r rune) bool {
	return unicode.IsSpace(r) || unicode.Is(unicode.Cf, r)
}

// phonePattern is an international phone number such as +86 138 0000 0001:
// a "+" that no spreadsheet evaluates into anything but the number.
var phonePattern = regexp.MustCompile(`^\+[0-9][0-9 ()-]*$`)

// Clip shortens text quoted in a problem's message to about 40 bytes: a
// problem list must stay readable even when a field holds megabytes.
func Clip(s string) string {
	const limit = 40
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func containsNUL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			return true
		}
	}
	return false
}

func (c *checker) oneOf(field, v string, allowed []string) {
	if !slices.Contains(allowed, v) {
		c.add(field, "must be one of %q (got %q)", allowed, v)
	}
}

func (c *checker) unit(field string, v *float64) {
	if v != nil && (math.IsNaN(*v) || *v < 0 || *v > 1) {
		c.add(field, "must be between 0 and 1 (got %v)", *v)
	}
}

func (c *checker) nonNegInt(field string, v *int) {
	if v != nil && *v < 0 {
		c.add(field, "must not be negative (got %d)", *v)
	}
}

func (c *checker) nonNeg(field string, v *float64) {
	if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0) || *v < 0) {
		c.add(field, "must be a non-negative number (got %v)", *v)
	}
}

// weight checks w in (0,1].
func (c *checker) weight(field string, w float64) {
	if math.IsNaN(w) || w <= 0 || w > 1 {
		c.add(field, "must be in (0, 1] (got %v)", w)
	}
}

// Validate reports what is wrong with the record's own fields (references to
// other records are checked by the Store).
func (h *Hospital) Validate() []Problem {
	var c checker
	c.id("id", h.ID)
	c.text("name", h.Name, true)
	c.text("tier", h.Tier, true)
	c.text("province", h.Province, false)
	c.text("city", h.City, false)
	if h.Beds < 0 {
		c.add("beds", "must not be negative (got %d)", h.Beds)
	}
	if h.Ownership != "" {
		c.oneOf("ownership", h.Ownership, Ownerships)
	}
	if h.PaymentModel != "" {
		c.oneOf("payment_model", h.PaymentModel, PaymentModels)
	}
	c.optID("territory_id", h.TerritoryID)
	return c.ps
}

func (d *Department) Validate() []Problem {
	var c checker
	c.id("id", d.ID)
	c.id("hospital_id", d.HospitalID)
	c.text("name", d.Name, true)
	c.text("specialty", d.Specialty, true)
	c.nonNegInt("weekly_outpatients", d.WeeklyOutpatients)
	c.unit("indication_share", d.IndicationShare)
	c.nonNegInt("managed_beds", d.ManagedBeds)
	c.nonNeg("bed_turnover", d.BedTurnover)
	c.unit("discharge_penetration", d.DischargePenetration)
	c.unit("drg_enrollment_rate", d.DRGEnrollmentRate)
	c.unit("competitor_penetration", d.CompetitorPenetration)
	c.unit("policy_sensitivity", d.PolicySensitivity)
	return c.ps
}

func (h *HCP) Validate() []Problem {
	var c checker
	c.id("id", h.ID)
	c.text("name", h.Name, true)
	c.oneOf("role", h.Role, Roles)
	c.oneOf("title", h.Title, Titles)
	c.text("position", h.Position, false)
	c.text("specialty", h.Specialty, false)
	c.id("department_id", h.DepartmentID)
	c.id("hospital_id", h.HospitalID)
	c.oneOf("kol_level", h.KOLLevel, KOLLevels)
	if h.KOLLevel == "" && len(h.KOLEvidence) > 0 {
		c.add("kol_evidence", "is set but kol_level is empty")
	}
	for _, e := range h.KOLEvidence {
		c.text("kol_evidence", e, true)
	}
	c.text("phone", h.Phone, false)
	c.text("email", h.Email, false)
	c.text("wechat", h.WeChat, false)
	return c.ps
}

// validateDerivable is Validate for an HCP the writer completes: it may
// leave hospital_id empty, as the writer derives it from the department.
func (h *HCP) validateDerivable() []Problem {
	ps := h.Validate()
	if h.HospitalID == "" {
		ps = slices.DeleteFunc(ps, func(p Problem) bool { return p.Field == "hospital_id" })
	}
	return ps
}

func (m *Committee) Validate() []Problem {
	var c checker
	c.id("id", m.ID)
	c.text("name", m.Name, true)
	c.oneOf("kind", m.Kind, CommitteeKinds)
	c.id("hospital_id", m.HospitalID)
	return c.ps
}

func (m *Membership) Validate() []Problem {
	var c checker
	c.id("hcp_id", m.HCPID)
	c.id("committee_id", m.CommitteeID)
	c.oneOf("role", m.Role, CommitteeRoles)
	return c.ps
}

func (p *Product) Validate() []Problem {
	var c checker
	c.id("id", p.ID)
	c.text("name", p.Name, true)
	for _, s := range p.Indications {
		c.text("indications", s, true)
	}
	for _, s := range p.Specialties {
		c.text("specialties", s, true)
	}
	return c.ps
}

func (l *Listing) Validate() []Problem {
	var c checker
	c.id("hospital_id", l.HospitalID)
	c.id("product_id", l.ProductID)
	c.oneOf("status", l.Status, ListingStatus)
	if l.Since != "" && !datePattern.MatchString(l.Since) {
		c.add("since", "must be a date YYYY-MM-DD (got %q)", l.Since)
	}
	return c.ps
}

// Validate names the share "indication_share", as the department's default
// and the import column do.
func (s *ProductShare) Validate() []Problem {
	var c checker
	c.id("department_id", s.DepartmentID)
	c.id("product_id", s.ProductID)
	c.unit("indication_share", &s.Share)
	return c.ps
}

func (t *Territory) Validate() []Problem {
	var c checker
	c.id("id", t.ID)
	c.text("name", t.Name, true)
	return c.ps
}

func (u *User) Validate() []Problem {
	var c checker
	c.id("id", u.ID)
	c.text("name", u.Name, true)
	c.oneOf("role", u.Role, UserRoles)
	for _, t := range u.Territories {
		c.id("territories", t)
	}
	return c.ps
}

func (k *Knows) Validate() []Problem {
	var c checker
	c.id("user_id", k.UserID)
	c.id("hcp_id", k.HCPID)
	c.weight("strength", k.Strength)
	return c.ps
}

func (e *Influence) Validate() []Problem {
	var c checker
	c.id("from", e.From)
	c.id("to", e.To)
	if e.From == e.To && e.From != "" {
		c.add("to", "must differ from from: an HCP does not influence themself")
	}
	c.weight("weight", e.Weight)
	c.oneOf("kind", e.Kind, InfluenceKinds)
	c.text("evidence", e.Evidence, false)
	return c.ps
}
