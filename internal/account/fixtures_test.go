package account_test

import (
	"math"
	"testing"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

const tol = 1e-9

func fp(x float64) *float64 { return &x }
func ip(n int) *int         { return &n }

func near(a, b float64) bool { return math.Abs(a-b) <= tol*math.Max(1, math.Abs(b)) }

// dept is the reference department of the hand-computed examples:
//
//	outpatient = 100 x 0.3 x 4      = 120
//	inpatient  = 20 x 4 x 0.25      = 20
//	potential  = 120 + 20           = 140   (rate 0.6: no DRG correction)
func dept(id, hospital, specialty string) *kolgraph.Department {
	return &kolgraph.Department{
		ID: id, HospitalID: hospital, Name: id + " 心内科", Specialty: specialty,
		WeeklyOutpatients:     ip(100),
		IndicationShare:       fp(0.3),
		ManagedBeds:           ip(20),
		BedTurnover:           fp(4),
		DischargePenetration:  fp(0.25),
		DRGEnrollmentRate:     fp(0.6),
		CompetitorPenetration: fp(0.5),
		PolicySensitivity:     fp(0.8),
	}
}

// hospital is a hospital of the given payment model (DRG, DIP, FFS).
func hospital(id, payment string) *kolgraph.Hospital {
	return &kolgraph.Hospital{ID: id, Name: "医院" + id, PaymentModel: payment}
}

func hcp(id, deptID, hospital, role, title, position string) *kolgraph.HCP {
	return &kolgraph.HCP{ID: id, Name: "医生" + id, Role: role, Title: title, Position: position,
		DepartmentID: deptID, HospitalID: hospital}
}

// staff is the reference department staff; with the default weights
//
//	head     physician chief x department_head 1 x 3 x 1.5  = 4.5
//	deputy   physician associate_chief x deputy 1 x 2.5 x 1.2 = 3
//	attend   physician attending                1 x 2        = 2
//	resident physician resident                 1 x 1        = 1
//	vp, nurse, pharmacist (not prescribers)                    0
//	sum                                                        10.5
//
// so the shares are 3/7, 2/7, 4/21, 2/21, 0, 0, 0. Only the first four
// are prescribers (accounts at the HCP level).
func staff(deptID, hospital string) []*kolgraph.HCP {
	return []*kolgraph.HCP{
		hcp(deptID+"-head", deptID, hospital, kolgraph.RolePhysician, "chief", "department_head"),
		hcp(deptID+"-deputy", deptID, hospital, kolgraph.RolePhysician, "associate_chief", "deputy_head"),
		hcp(deptID+"-attend", deptID, hospital, kolgraph.RolePhysician, "attending", "staff"),
		hcp(deptID+"-resident", deptID, hospital, kolgraph.RolePhysician, "resident", "staff"),
		hcp(deptID+"-vp", deptID, hospital, kolgraph.RoleAdministrator, "chief", "vice_president"),
		hcp(deptID+"-nurse", deptID, hospital, kolgraph.RoleNurse, "", "staff"),
		hcp(deptID+"-pharm", deptID, hospital, kolgraph.RolePharmacist, "attending", "staff"),
	}
}

var staffShares = []float64{4.5 / 10.5, 3 / 10.5, 2 / 10.5, 1 / 10.5, 0, 0, 0}

// acct builds a classified-or-not account for matrix tests; nil means
// unknown.
func acct(id string, pot, infl *float64) account.Account {
	a := account.Account{Level: account.LevelHCP, ID: id, Name: id, Potential: account.Potential{Value: pot}, Influence: infl}
	if pot == nil {
		a.Potential.Missing = []string{account.FieldBedTurnover}
		a.Potential.Reason = "potential unknown: missing bed_turnover"
	}
	if infl == nil {
		a.InfluenceReason = "no influence value for this HCP"
	}
	return a
}

func mustEvaluate(t testing.TB, cfg account.Config, s account.Scope, level account.Level) []account.Account {
	t.Helper()
	accts, err := account.Evaluate(cfg, s, level)
	if err != nil {
		t.Fatalf("Evaluate: %v", err)
	}
	return accts
}

func byID(accts []account.Account) map[string]account.Account {
	m := make(map[string]account.Account, len(accts))
	for _, a := range accts {
		m[a.ID] = a
	}
	return m
}
