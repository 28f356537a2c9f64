package kolgraph

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"
	"unicode/utf8"
)

// Account plan statuses.
const (
	PlanDraft  = "draft"
	PlanActive = "active"
	PlanClosed = "closed"
)

// Objective areas of an A account's joint three-year department plan (the
// seed's playbook: research, patient management, performance goals).
const (
	AreaResearch          = "research"
	AreaPatientManagement = "patient_management"
	AreaPerformance       = "performance"
)

// Allowed values of the account plans' enumerated fields. DecisionStages
// are the decision-chain stage kinds of internal/access, in chain order (a
// test there holds the two lists equal).
var (
	PlanStatuses   = []string{PlanDraft, PlanActive, PlanClosed}
	ObjectiveAreas = []string{AreaResearch, AreaPatientManagement, AreaPerformance}
	DecisionStages = []string{"PROPOSE", "PHARMACY_REVIEW", "DRG_REVIEW", "PT_DECISION", "PROCUREMENT", "SIGN_OFF"}
	Segments       = []string{"A", "B", "C", "D"}
)

// Bounds of an account plan. MaxPlanBytes bounds its JSON, which the audit
// log keeps whole before and after every change (MaxAuditText); the others
// keep one list from eating that budget unnoticed.
const (
	MaxPlanBytes        = 60 << 10
	MaxPlanYears        = 5
	MaxPlanObjectives   = 60
	MaxPlanStakeholders = 100
	MaxPlanCitations    = 50
	MaxPathHops         = 20
	MaxNotesLen         = 10000
)

// AccountPlan is a key-account manager's plan for one hospital (or one of
// its departments) and one product over a period: yearly goals, objectives,
// the stakeholders worked with, and the access paths cited as evidence,
// each kept whole (CitedPath) so that it reads back the same forever.
//
// It is a document, not part of the influence graph: stores keep it as
// its JSON (the encoding below), which is what makes citations byte-exact.
// CreatedBy/At and UpdatedBy/At are the writer's: it sets them from the
// actor and the clock of the write that changes the plan (a caller's
// values are replaced), and keeps them when an upsert changes nothing.
type AccountPlan struct {
	ID           string `json:"id"`
	HospitalID   string `json:"hospitalId"`
	DepartmentID string `json:"departmentId,omitempty"` // a department of HospitalID, or the whole hospital
	ProductID    string `json:"productId"`
	OwnerID      string `json:"ownerId"` // the user who owns the plan
	Status       string `json:"status"`  // draft | active | closed
	// PeriodStart and PeriodEnd are dates YYYY-MM-DD, start <= end, at most
	// MaxPlanYears calendar years.
	PeriodStart  string        `json:"periodStart"`
	PeriodEnd    string        `json:"periodEnd"`
	Goals        []YearGoal    `json:"goals,omitempty"`
	Objectives   []Objective   `json:"objectives,omitempty"`
	Stakeholders []Stakeholder `json:"stakeholders,omitempty"`
	Citations    []CitedPath   `json:"citations,omitempty"`
	Notes        string        `json:"notes,omitempty"`

	CreatedBy string    `json:"createdBy"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedBy string    `json:"updatedBy"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// YearGoal is the plan's goal for one calendar year of its period, e.g.
// "120 patients a month on RX01" (Target 120, Unit "patients/month").
type YearGoal struct {
	Year   int      `json:"year"`
	Goal   string   `json:"goal"`
	Target *float64 `json:"target,omitempty"`
	Unit   string   `json:"unit,omitempty"`
}

// Objective is one objective of the joint department plan: its area
// (research, patient management, performance), the year of the period it
// is for, what it is and how it is measured.
type Objective struct {
	Area        string `json:"area"`
	Year        int    `json:"year"`
	Description string `json:"description"`
	Measure     string `json:"measure,omitempty"`
}

// Stakeholder is an HCP the plan works with, as the decision chain and
// the account matrix describe them when the plan was written: their role,
// decision-chain stage, segment and influence, the user who owns the
// relationship and the next action.
type Stakeholder struct {
	HCPID         string   `json:"hcpId"`
	Role          string   `json:"role,omitempty"`    // e.g. "department head", "P&T chair"
	Stage         string   `json:"stage,omitempty"`   // one of DecisionStages
	Segment       string   `json:"segment,omitempty"` // A | B | C | D
	Influence     *float64 `json:"influence,omitempty"`
	OwnerID       string   `json:"ownerId,omitempty"` // a user
	NextAction    string   `json:"nextAction,omitempty"`
	NextActionDue string   `json:"nextActionDue,omitempty"` // YYYY-MM-DD
}

// CitedPath is an access path as it was when cited, whole: the path id
// and graph version it was computed on, the people along it and every hop
// with its kind, weight and evidence, and its strength (Entry times the
// product of the weights). It never changes with the graph: comparing it
// with the current graph (its health) is the reader's job.
type CitedPath struct {
	PathID       string    `json:"pathId"`
	GraphVersion string    `json:"graphVersion"`
	ComputedAt   time.Time `json:"computedAt"`
	// User is the user whose contact the path starts from ("" when the
	// sources were given); Entry the strength of that KNOWS tie (1
	// without a user).
	User     string      `json:"user,omitempty"`
	Entry    float64     `json:"entry"`
	Nodes    []CitedNode `json:"nodes"`          // source to target; Hops join them
	Hops     []CitedHop  `json:"hops,omitempty"` // none when the contact is the target
	Strength float64     `json:"strength"`
	// Query is how the path was asked for, so that a replacement can be
	// searched under the same constraints; nil when not known.
	Query *PathQuery `json:"query,omitempty"`
	// Note says why the plan cites it (e.g. "the P&T decision stage").
	Note string `json:"note,omitempty"`
}

// CitedNode is an HCP on a cited path, with the name it had then.
type CitedNode struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// CitedHop is one INFLUENCES tie of a cited path: From sways To.
type CitedHop struct {
	From     string  `json:"from"`
	To       string  `json:"to"`
	Kind     string  `json:"kind"`
	Weight   float64 `json:"weight"`
	Evidence string  `json:"evidence,omitempty"`
}

// PathQuery is the strongest-path search a citation came from.
type PathQuery struct {
	From    []string `json:"from,omitempty"`
	To      string   `json:"to"`
	User    string   `json:"user,omitempty"`
	MaxHops int      `json:"maxHops,omitempty"`
	Avoid   []string `json:"avoid,omitempty"`
	Via     []string `json:"via,omitempty"` // positions, as the API names them
	// MinStrength is the weakest path the search would list, in [0, 1].
	MinStrength float64 `json:"minStrength,omitempty"`
	Product     string  `json:"product,omitempty"`
}

// AccountPlanFilter selects account plans; empty fields match everything,
// and all set fields must match. Territories restricts to plans whose
// hospital is in one of them (a caller's scope; never pass an empty set
// to mean "none").
type AccountPlanFilter struct {
	HospitalID  string
	ProductID   string
	OwnerID     string
	Status      string
	Territories []string
}

// Validate checks the filter's enumerated field.
func (f *AccountPlanFilter) Validate() error {
	if f.Status != "" && !slices.Contains(PlanStatuses, f.Status) {
		return Errorf(EINVALID, "status must be one of %q (got %q)", PlanStatuses, f.Status)
	}
	return nil
}

// Match reports whether p passes the filter; territory is the territory of
// p's hospital.
func (f *AccountPlanFilter) Match(p *AccountPlan, territory string) bool {
	return (f.HospitalID == "" || p.HospitalID == f.HospitalID) &&
		(f.ProductID == "" || p.ProductID == f.ProductID) &&
		(f.OwnerID == "" || p.OwnerID == f.OwnerID) &&
		(f.Status == "" || p.Status == f.Status) &&
		(len(f.Territories) == 0 || slices.Contains(f.Territories, territory))
}

// AccountPlanPage is one page of account plans, ascending by id, with the
// total count of the filter.
type AccountPlanPage struct {
	Items   []*AccountPlan
	Total   int
	HasNext bool
}

// StakeholderIDs returns the HCP ids of the plan's stakeholders.
func (p *AccountPlan) StakeholderIDs() []string {
	out := make([]string, len(p.Stakeholders))
	for i, s := range p.Stakeholders {
		out[i] = s.HCPID
	}
	return out
}

// Validate reports what is wrong with the plan's own fields, each named by
// its snake_case path ("citations[0].hops[1].weight"); references to other
// records are checked by the Store.
func (p *AccountPlan) Validate() []Problem {
	ps := p.validateContent()
	var c checker
	c.id("created_by", p.CreatedBy)
	c.id("updated_by", p.UpdatedBy)
	if p.CreatedAt.IsZero() {
		c.add("created_at", "is required")
	}
	if p.UpdatedAt.IsZero() {
		c.add("updated_at", "is required")
	} else if p.UpdatedAt.Before(p.CreatedAt) {
		c.add("updated_at", "must not be before created_at")
	}
	return append(ps, c.ps...)
}

// validateDerivable is Validate for a plan the writer completes: who and
// when are the writer's to set.
func (p *AccountPlan) validateDerivable() []Problem { return p.validateContent() }

func (p *AccountPlan) validateContent() []Problem {
	var c checker
	c.id("id", p.ID)
	c.id("hospital_id", p.HospitalID)
	c.optID("department_id", p.DepartmentID)
	c.id("product_id", p.ProductID)
	c.id("owner_id", p.OwnerID)
	c.oneOf("status", p.Status, PlanStatuses)
	first, last := c.period(p.PeriodStart, p.PeriodEnd)
	inPeriod := func(field string, y int) {
		if first != 0 && (y < first || y > last) {
			c.add(field, "must be a year of the period %d-%d (got %d)", first, last, y)
		}
	}

	years := map[int]bool{}
	for i, g := range p.Goals {
		f := fmt.Sprintf("goals[%d].", i)
		inPeriod(f+"year", g.Year)
		if years[g.Year] {
			c.add(f+"year", "%d already has a goal; one goal per year", g.Year)
		}
		years[g.Year] = true
		c.text(f+"goal", g.Goal, true)
		c.finite(f+"target", g.Target)
		c.text(f+"unit", g.Unit, false)
	}
	if len(p.Goals) > MaxPlanYears {
		c.add("goals", "has %d goals; at most one per year of the period", len(p.Goals))
	}

	if len(p.Objectives) > MaxPlanObjectives {
		c.add("objectives", "has %d objectives, more than %d", len(p.Objectives), MaxPlanObjectives)
	}
	for i, o := range p.Objectives {
		f := fmt.Sprintf("objectives[%d].", i)
		c.oneOf(f+"area", o.Area, ObjectiveAreas)
		inPeriod(f+"year", o.Year)
		c.text(f+"description", o.Description, true)
		c.text(f+"measure", o.Measure, false)
	}

	if len(p.Stakeholders) > MaxPlanStakeholders {
		c.add("stakeholders", "has %d stakeholders, more than %d", len(p.Stakeholders), MaxPlanStakeholders)
	}
	seen := map[string]bool{}
	for i, s := range p.Stakeholders {
		f := fmt.Sprintf("stakeholders[%d].", i)
		c.id(f+"hcp_id", s.HCPID)
		if seen[s.HCPID] && s.HCPID != "" {
			c.add(f+"hcp_id", "%s is already a stakeholder of the plan", s.HCPID)
		}
		seen[s.HCPID] = true
		c.text(f+"role", s.Role, false)
		if s.Stage != "" {
			c.oneOf(f+"stage", s.Stage, DecisionStages)
		}
		if s.Segment != "" {
			c.oneOf(f+"segment", s.Segment, Segments)
		}
		c.unit(f+"influence", s.Influence)
		c.optID(f+"owner_id", s.OwnerID)
		c.text(f+"next_action", s.NextAction, false)
		if s.NextActionDue != "" {
			c.date(f+"next_action_due", s.NextActionDue)
		}
	}

	if len(p.Citations) > MaxPlanCitations {
		c.add("citations", "has %d cited paths, more than %d", len(p.Citations), MaxPlanCitations)
	}
	cited := map[string]bool{}
	for i := range p.Citations {
		f := fmt.Sprintf("citations[%d].", i)
		cp := &p.Citations[i]
		if cited[cp.PathID] && cp.PathID != "" {
			c.add(f+"path_id", "the plan cites this path already")
		}
		cited[cp.PathID] = true
		cp.check(&c, f)
	}

	c.longText("notes", p.Notes, MaxNotesLen)
	if len(c.ps) == 0 {
		if b, err := json.Marshal(p); err != nil {
			c.add("", "cannot be encoded: %v", err)
		} else if len(b) > MaxPlanBytes {
			c.add("", "is %d bytes as JSON, more than %d; cite fewer paths or shorten the texts", len(b), MaxPlanBytes)
		}
	}
	return c.ps
}

// strengthTolerance is how far a cited strength may be from Entry times the
// product of the hop weights, relatively: rounding, not a different path.
const strengthTolerance = 1e-9

// check adds the problems of a cited path, its fields prefixed by f.
func (cp *CitedPath) check(c *checker, f string) {
	c.text(f+"path_id", cp.PathID, true)
	c.text(f+"graph_version", cp.GraphVersion, true)
	if cp.ComputedAt.IsZero() {
		c.add(f+"computed_at", "is required")
	}
	c.optID(f+"user", cp.User)
	c.weight(f+"entry", cp.Entry)
	if len(cp.Nodes) == 0 {
		c.add(f+"nodes", "is required: a path has at least one HCP")
	}
	if len(cp.Hops) > MaxPathHops {
		c.add(f+"hops", "has %d hops, more than %d", len(cp.Hops), MaxPathHops)
	}
	if len(cp.Nodes) > 0 && len(cp.Hops) != len(cp.Nodes)-1 {
		c.add(f+"hops", "has %d hops for %d nodes; a path has one hop fewer than nodes", len(cp.Hops), len(cp.Nodes))
	}
	for j, n := range cp.Nodes {
		g := fmt.Sprintf("%snodes[%d].", f, j)
		c.id(g+"id", n.ID)
		c.text(g+"name", n.Name, true)
	}
	strength := cp.Entry
	for j, h := range cp.Hops {
		g := fmt.Sprintf("%shops[%d].", f, j)
		c.id(g+"from", h.From)
		c.id(g+"to", h.To)
		if j < len(cp.Nodes)-1 && (h.From != cp.Nodes[j].ID || h.To != cp.Nodes[j+1].ID) {
			c.add(g+"from", "must join nodes %d and %d (%s->%s), got %s->%s", j, j+1, cp.Nodes[j].ID, cp.Nodes[j+1].ID, h.From, h.To)
		}
		c.oneOf(g+"kind", h.Kind, InfluenceKinds)
		c.weight(g+"weight", h.Weight)
		c.text(g+"evidence", h.Evidence, false)
		strength *= h.Weight
	}
	if math.IsNaN(cp.Strength) || math.Abs(cp.Strength-strength) > strengthTolerance*math.Max(strength, math.SmallestNonzeroFloat64) {
		c.add(f+"strength", "is %v but entry times the hop weights is %v", cp.Strength, strength)
	}
	c.text(f+"note", cp.Note, false)
	if q := cp.Query; q != nil {
		g := f + "query."
		for _, id := range q.From {
			c.id(g+"from", id)
		}
		c.id(g+"to", q.To)
		c.optID(g+"user", q.User)
		if q.MaxHops < 0 || q.MaxHops > MaxPathHops {
			c.add(g+"max_hops", "must be between 0 and %d (got %d)", MaxPathHops, q.MaxHops)
		}
		for _, id := range q.Avoid {
			c.id(g+"avoid", id)
		}
		for _, v := range q.Via {
			c.text(g+"via", v, true)
		}
		c.unit(g+"min_strength", &q.MinStrength)
		c.optID(g+"product", q.Product)
	}
}

// period checks a plan's period and returns its first and last calendar
// years (0, 0 when it is not valid).
func (c *checker) period(start, end string) (first, last int) {
	s, okS := c.date("period_start", start)
	e, okE := c.date("period_end", end)
	if !okS || !okE {
		return 0, 0
	}
	switch {
	case e.Before(s):
		c.add("period_end", "must not be before period_start (%s)", start)
		return 0, 0
	case e.Year()-s.Year()+1 > MaxPlanYears:
		c.add("period_end", "makes a period of %d calendar years, more than %d", e.Year()-s.Year()+1, MaxPlanYears)
		return 0, 0
	}
	return s.Year(), e.Year()
}

// date checks a date YYYY-MM-DD.
func (c *checker) date(field, v string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, v)
	if err != nil || !datePattern.MatchString(v) {
		c.add(field, "must be a date YYYY-MM-DD (got %q)", Clip(v))
		return time.Time{}, false
	}
	return t, true
}

func (c *checker) finite(field string, v *float64) {
	if v != nil && (math.IsNaN(*v) || math.IsInf(*v, 0)) {
		c.add(field, "must be a number (got %v)", *v)
	}
}

// longText is text with its own length limit (notes), the other rules as
// for every text.
func (c *checker) longText(field, v string, limit int) {
	switch {
	case len(v) > limit:
		c.add(field, "is longer than %d bytes", limit)
	case !utf8.ValidString(v):
		c.add(field, "is not valid UTF-8")
	case containsNUL(v):
		c.add(field, "contains a NUL byte")
	default:
		// The remaining rule (no formula) looks at the start only.
		cut := min(len(v), MaxTextLen)
		for cut > 0 && cut < len(v) && !utf8.RuneStart(v[cut]) {
			cut--
		}
		c.text(field, v[:cut], false)
	}
}
