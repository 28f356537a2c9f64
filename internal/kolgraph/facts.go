package kolgraph

import "time"

// KindPrescriptions are PrescriptionFact records.
const KindPrescriptions = "prescriptions"

// PrescriptionFact is one month of actual prescriptions of a product by an
// HCP, or by a department as a whole (exactly one of HCPID and DepartmentID
// is set): Volume prescriptions (>= 0) in Month ("YYYY-MM"). Facts are data
// about their HCP or department: deleting it, or the product, deletes them.
// Opportunity (potential - actual) and penetration (actual / potential) are
// read from them.
type PrescriptionFact struct {
	HCPID        string  `json:"hcpId,omitempty"`
	DepartmentID string  `json:"departmentId,omitempty"`
	ProductID    string  `json:"productId"`
	Month        string  `json:"month"` // YYYY-MM
	Volume       float64 `json:"volume"`
}

// PrescriptionFactKey identifies a fact: its HCP or department (one set),
// product and month.
type PrescriptionFactKey struct{ HCPID, DepartmentID, ProductID, Month string }

// Key is the fact's key.
func (f *PrescriptionFact) Key() PrescriptionFactKey {
	return PrescriptionFactKey{HCPID: f.HCPID, DepartmentID: f.DepartmentID, ProductID: f.ProductID, Month: f.Month}
}

// EntityID is the id of the fact's HCP or department.
func (k PrescriptionFactKey) EntityID() string {
	if k.HCPID != "" {
		return k.HCPID
	}
	return k.DepartmentID
}

// ID names the fact in problems and the audit log: entity->product@month
// ("P001->PR01@2026-01").
func (k PrescriptionFactKey) ID() string { return PairID(k.EntityID(), k.ProductID) + "@" + k.Month }

// ValidMonth reports whether m is a month "YYYY-MM" (01-12).
func ValidMonth(m string) bool {
	_, err := time.Parse("2006-01", m)
	return err == nil && len(m) == 7
}

// Validate reports the problems of the fact's own fields.
func (f *PrescriptionFact) Validate() []Problem {
	var c checker
	switch {
	case f.HCPID == "" && f.DepartmentID == "":
		c.add("hcp_id", "one of hcp_id and department_id must be set")
	case f.HCPID != "" && f.DepartmentID != "":
		c.add("department_id", "must be empty when hcp_id is set: a fact is an HCP's or a department's, not both")
	}
	c.optID("hcp_id", f.HCPID)
	c.optID("department_id", f.DepartmentID)
	c.id("product_id", f.ProductID)
	if !ValidMonth(f.Month) {
		c.add("month", "must be a month YYYY-MM (got %q)", f.Month)
	}
	c.nonNeg("volume", &f.Volume)
	return c.ps
}

// PrescriptionFactKind describes prescription facts as a ChangeSet kind.
var PrescriptionFactKind = &Kind[PrescriptionFact, PrescriptionFactKey]{Name: KindPrescriptions,
	Upserts:  func(cs *ChangeSet) *[]PrescriptionFact { return &cs.Prescriptions },
	Deletes:  func(d *Deletion) *[]PrescriptionFactKey { return &d.Prescriptions },
	Resolved: func(c *Changes) *map[PrescriptionFactKey]PrescriptionFact { return &c.Prescriptions },
	Key:      func(r PrescriptionFact) PrescriptionFactKey { return r.Key() },
	ID:       PrescriptionFactKey.ID,
	Check:    func(r PrescriptionFact) []Problem { return r.Validate() }}

// checkFacts checks the references of the upserted facts: the HCP or
// department and the product exist after the change.
func (c *Changes) checkFacts(f Facts, p *fieldProblems) {
	missing := func(file, field, kind, id string) {
		p.add(file, field, "references %s %q, which does not exist after this change set", kind, id)
	}
	for k := range c.Prescriptions {
		name := KindPrescriptions + "/" + k.ID()
		if k.HCPID != "" && !c.hcpAfter(f, k.HCPID) {
			missing(name, "hcp_id", "HCP", k.HCPID)
		}
		if k.DepartmentID != "" {
			if _, ok := c.departmentAfter(f, k.DepartmentID); !ok {
				missing(name, "department_id", "department", k.DepartmentID)
			}
		}
		if !c.productAfter(f, k.ProductID) {
			missing(name, "product_id", "product", k.ProductID)
		}
	}
}

// MonthNumber numbers a month "YYYY-MM" as year x 12 + month - 1, so that
// consecutive months are consecutive numbers; false when m is not a month.
func MonthNumber(m string) (int, bool) {
	t, err := time.Parse("2006-01", m)
	if err != nil || len(m) != 7 {
		return 0, false
	}
	return t.Year()*12 + int(t.Month()) - 1, true
}

// MonthName is the month "YYYY-MM" that MonthNumber numbers n.
func MonthName(n int) string {
	return time.Date(n/12, time.Month(n%12+1), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
}
