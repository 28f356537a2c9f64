package model

import (
	"time"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/tiering"
)

// AccountMatrix is one level of a tiering result. Everything it points to
// comes from the result's snapshot, so a response is of one graph version.
type AccountMatrix struct {
	Result *tiering.Result
	View   *tiering.View
}

func (m *AccountMatrix) Level() account.Level            { return m.View.Level }
func (m *AccountMatrix) ScopeName() string               { return m.Result.ScopeName }
func (m *AccountMatrix) Product() *kolgraph.Product      { return m.Result.Product }
func (m *AccountMatrix) InfluenceMetric() scoring.Metric { return m.Result.InfluenceMetric }
func (m *AccountMatrix) PotentialCutOff() account.CutOff { return m.View.Matrix.Potential }
func (m *AccountMatrix) InfluenceCutOff() account.CutOff { return m.View.Matrix.Influence }
func (m *AccountMatrix) ClassifiedCount() int            { return m.View.Matrix.Classified }
func (m *AccountMatrix) UnclassifiedCount() int          { return len(m.View.Matrix.Unclassified) }
func (m *AccountMatrix) GraphVersion() string            { return m.Result.GraphVersion }
func (m *AccountMatrix) ComputedAt() time.Time           { return m.Result.ComputedAt }

// Note says why no account has influence, when none has.
func (m *AccountMatrix) Note() *string { return optional(m.Result.InfluenceNote) }

// Cells are A, B, C, D in order.
func (m *AccountMatrix) Cells() []*MatrixCell {
	out := make([]*MatrixCell, len(m.View.Matrix.Cells))
	for i := range m.View.Matrix.Cells {
		out[i] = &MatrixCell{Cell: &m.View.Matrix.Cells[i], Matrix: m}
	}
	return out
}

// HeatMap is nil at the hospital level.
func (m *AccountMatrix) HeatMap() *HeatMap {
	if m.View.HeatMap == nil {
		return nil
	}
	return &HeatMap{HeatMap: m.View.HeatMap, Snapshot: m.Result.Snapshot}
}

// SalesMonth is the last month of the prescription windows, nil without
// facts.
func (m *AccountMatrix) SalesMonth() *string {
	for _, a := range m.View.Accounts {
		if a.Actual != nil {
			return &a.Actual.Latest
		}
	}
	return nil
}

// Pareto is the view's own 20/80 view, or one on the basis asked for.
func (m *AccountMatrix) Pareto(basis *account.ParetoBasis) (*account.Pareto, error) {
	if basis == nil || *basis == m.View.Pareto.Basis {
		return m.View.Pareto, nil
	}
	return account.BuildPareto(m.View.Pareto.Fraction, m.View.Accounts, *basis)
}

// MatrixCell is a segment of a matrix; its members are paged by a resolver.
type MatrixCell struct {
	*account.Cell
	Matrix *AccountMatrix
}

// ActualMonthly sums the monthly actual of the members with facts.
func (c *MatrixCell) ActualMonthly() *float64 {
	return c.sum(func(a *account.Actual) *float64 { return &a.Monthly })
}

// Opportunity sums the opportunity of the members that have one.
func (c *MatrixCell) Opportunity() *float64 {
	return c.sum(func(a *account.Actual) *float64 { return a.Opportunity })
}

func (c *MatrixCell) sum(get func(*account.Actual) *float64) *float64 {
	var total float64
	found := false
	for i := range c.Members {
		if a := c.Members[i].Actual; a != nil {
			if v := get(a); v != nil {
				total += *v
				found = true
			}
		}
	}
	if !found {
		return nil
	}
	return &total
}

// Member returns the i-th member of the cell as an AccountMember.
func (c *MatrixCell) Member(i int) *AccountMember {
	mb := &c.Cell.Members[i]
	a, _ := c.Matrix.View.Account(mb.ID)
	return &AccountMember{Member: mb, Account: a, Result: c.Matrix.Result}
}

// AccountMember is a classified account with its records.
type AccountMember struct {
	*account.Member
	Account *account.Account
	Result  *tiering.Result
}

func (m *AccountMember) PotentialTerms() *account.Potential { return &m.Account.Potential }
func (m *AccountMember) Hcp() *kolgraph.HCP                 { return m.Account.HCP }
func (m *AccountMember) Department() *kolgraph.Department   { return m.Account.Department }
func (m *AccountMember) Hospital() *kolgraph.Hospital {
	return m.Result.Snapshot.Hospitals[m.HospitalID]
}
func (m *AccountMember) Listing() *kolgraph.Listing { return listing(m.Result, m.HospitalID) }

// UnclassifiedAccount is an account that could not be placed.
type UnclassifiedAccount struct {
	*account.Unclassified
	Account *account.Account
	Result  *tiering.Result
}

func (u *UnclassifiedAccount) Hcp() *kolgraph.HCP               { return u.Account.HCP }
func (u *UnclassifiedAccount) Department() *kolgraph.Department { return u.Account.Department }
func (u *UnclassifiedAccount) Hospital() *kolgraph.Hospital {
	return u.Result.Snapshot.Hospitals[u.HospitalID]
}

// HeatMap is a heat map with the snapshot its cells' records come from.
type HeatMap struct {
	*account.HeatMap
	Snapshot *snapshot.Snapshot
}

// Cells are the heat map's cells in id order.
func (h *HeatMap) Cells() []*HeatCell {
	out := make([]*HeatCell, len(h.HeatMap.Cells))
	for i := range h.HeatMap.Cells {
		out[i] = &HeatCell{HeatCell: &h.HeatMap.Cells[i], Snapshot: h.Snapshot}
	}
	return out
}

// HeatCell is one cell of a heat map.
type HeatCell struct {
	*account.HeatCell
	Snapshot *snapshot.Snapshot
}

func (c *HeatCell) Hcp() *kolgraph.HCP {
	if c.Level != account.LevelHCP {
		return nil
	}
	if i, ok := c.Snapshot.Index(c.ID); ok {
		return c.Snapshot.HCPs[i]
	}
	return nil
}
func (c *HeatCell) Department() *kolgraph.Department { return c.Snapshot.Departments[c.DepartmentID] }
func (c *HeatCell) Hospital() *kolgraph.Hospital     { return c.Snapshot.Hospitals[c.HospitalID] }

// SpeakerCandidates is the speaker list of a scope.
type SpeakerCandidates struct {
	Rule         string
	Specialties  []string
	TotalCount   int
	Candidates   []*SpeakerCandidate
	GraphVersion string
	ComputedAt   time.Time
}

// SpeakerCandidate is one ranked candidate with their record.
type SpeakerCandidate struct {
	*account.Speaker
	Snapshot *snapshot.Snapshot
}

func (s *SpeakerCandidate) Hcp() *kolgraph.HCP {
	i, _ := s.Snapshot.Index(s.ID)
	return s.Snapshot.HCPs[i]
}

func listing(r *tiering.Result, hospital string) *kolgraph.Listing {
	if l, ok := r.Listings[hospital]; ok {
		return &l
	}
	return nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// AtRiskDepartments are the scope's departments at risk under DRG/DIP.
func (m *AccountMatrix) AtRiskDepartments() []*AtRiskDepartment {
	out := make([]*AtRiskDepartment, 0, len(m.Result.AtRisk))
	for i := range m.Result.AtRisk {
		out = append(out, &AtRiskDepartment{Account: &m.Result.AtRisk[i], Result: m.Result})
	}
	return out
}

// AtRiskDepartment is a department account at risk.
type AtRiskDepartment struct {
	Account *account.Account
	Result  *tiering.Result
}

func (a *AtRiskDepartment) Department() *kolgraph.Department { return a.Account.Department }
func (a *AtRiskDepartment) Hospital() *kolgraph.Hospital {
	return a.Result.Snapshot.Hospitals[a.Account.HospitalID]
}
func (a *AtRiskDepartment) PaymentModel() string { return a.Hospital().PaymentModel }

// EnrollmentRate is set for every department at risk (the rule needs it).
func (a *AtRiskDepartment) EnrollmentRate() float64 { return *a.Account.Department.DRGEnrollmentRate }
func (a *AtRiskDepartment) Potential() *float64     { return a.Account.Potential.Value }

// Segment is the department's segment in the department matrix.
func (a *AtRiskDepartment) Segment() *account.Segment {
	for _, c := range a.Result.Departments.Matrix.Cells {
		for _, mb := range c.Members {
			if mb.ID == a.Account.ID {
				return &c.Segment
			}
		}
	}
	return nil
}

// Stakeholder is an access stakeholder with the path to them.
type Stakeholder struct {
	*tiering.Stakeholder
	Snapshot *snapshot.Snapshot
	Path     *access.Path
}

func (s *Stakeholder) Hcp() *kolgraph.HCP { return s.HCP }
func (s *Stakeholder) Hospital() *kolgraph.Hospital {
	return s.Snapshot.Hospitals[s.HCP.HospitalID]
}

// Committees are the committees of the committee roles (nil for the
// others).
func (s *Stakeholder) Committees() []*kolgraph.Committee {
	out := make([]*kolgraph.Committee, len(s.Stakeholder.Committees))
	for i, id := range s.Stakeholder.Committees {
		if id != "" {
			out[i] = s.Snapshot.Committees[id]
		}
	}
	return out
}
