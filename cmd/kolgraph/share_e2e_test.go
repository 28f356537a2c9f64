package main

import (
	"math"
	"net/http"
	"slices"
	"strconv"
	"testing"

	"github.com/kolgraph/kolgraph/internal/auth"
)

// seedPotential recomputes a department's monthly potential for a product
// from the seed's departments.csv and hospitals.csv with the documented
// formula, given the indication share to use:
//
//	outpatient = weekly_outpatients x share x 4
//	inpatient  = managed_beds x bed_turnover x discharge_penetration
//	x (1 - 0.3 x (0.5 - rate) / 0.5) when the hospital pays by DRG or DIP
//	and the enrollment rate is under 0.5
//
// It also returns the department's default share and hospital.
func seedPotential(t *testing.T, dept string, share *float64) (potential, defShare float64, hospital string) {
	t.Helper()
	num := func(row map[string]string, col string) float64 {
		v, err := strconv.ParseFloat(row[col], 64)
		if err != nil {
			t.Fatalf("%s %s: %v", dept, col, err)
		}
		return v
	}
	var d map[string]string
	for _, r := range csvRowsOf(t, "departments.csv") {
		if r["id"] == dept {
			d = r
		}
	}
	if d == nil {
		t.Fatalf("no department %s in the seed", dept)
	}
	payment := ""
	for _, h := range csvRowsOf(t, "hospitals.csv") {
		if h["id"] == d["hospital_id"] {
			payment = h["payment_model"]
		}
	}
	s := num(d, "indication_share")
	if share != nil {
		s = *share
	}
	out := num(d, "weekly_outpatients") * s * 4
	in := num(d, "managed_beds") * num(d, "bed_turnover") * num(d, "discharge_penetration")
	factor := 1.0
	if rate := num(d, "drg_enrollment_rate"); (payment == "DRG" || payment == "DIP") && rate < 0.5 {
		factor = 1 - 0.3*(0.5-rate)/0.5
	}
	return (out + in) * factor, num(d, "indication_share"), d["hospital_id"]
}

// departmentMember is a department of a department-level matrix.
type departmentMember struct {
	ID             string
	Potential      float64
	PotentialTerms struct{ ShareFromProduct bool }
}

// departmentMatrix returns the departments of hospital's department-level
// matrix for product, classified or not, with their potentials.
func departmentMatrix(t *testing.T, h http.Handler, hospital, product string) (map[string]departmentMember, map[string]*float64) {
	t.Helper()
	var got struct {
		AccountMatrix struct {
			Cells []struct {
				Members struct {
					Edges []struct{ Node departmentMember }
				}
			}
			HeatMap struct {
				Cells []struct {
					ID        string
					Potential *float64
				}
			}
		}
	}
	mustQuery(t, h, `query($h: ID!, $p: ID) { accountMatrix(scope: {hospital: $h}, product: $p, level: DEPARTMENT) {
		cells { members(first: 100) { edges { node { id potential potentialTerms { shareFromProduct } } } } }
		heatMap { cells { id potential } } } }`, map[string]any{"h": hospital, "p": product}, &got)
	members := map[string]departmentMember{}
	for _, c := range got.AccountMatrix.Cells {
		for _, e := range c.Members.Edges {
			members[e.Node.ID] = e.Node
		}
	}
	pots := map[string]*float64{}
	for _, c := range got.AccountMatrix.HeatMap.Cells {
		pots[c.ID] = c.Potential
	}
	return members, pots
}

// TestIndicationShareByMutation sets a nephrology department's share for
// RX03 (diabetic kidney disease) through upsertIndicationShare and checks
// that its RX03 potential is then the one recomputed by hand from the seed
// CSVs with that share, that RX01 (also indicated in nephrology) keeps the
// department's default share, that the department lists the share, that
// the write is audited, that a kam cannot set one outside its territories,
// and that deleting it falls back to the default.
func TestIndicationShareByMutation(t *testing.T) {
	const dept, share = "D001-06", 0.55
	w := writeService(t)
	h := w.Handler()
	refresh := func() {
		t.Helper()
		w.refreshAnalytics(t)
	}
	check := func(when, product string, want float64, fromProduct bool) {
		t.Helper()
		_, _, hosp := seedPotential(t, dept, nil)
		members, pots := departmentMatrix(t, h, hosp, product)
		if p := pots[dept]; p == nil || math.Abs(*p-want) > 1e-9 {
			t.Errorf("%s, %s: heat-map potential of %s %v, want %v", when, product, dept, p, want)
		}
		m, ok := members[dept]
		if !ok {
			t.Fatalf("%s, %s: %s is not in the matrix", when, product, dept)
		}
		if math.Abs(m.Potential-want) > 1e-9 || m.PotentialTerms.ShareFromProduct != fromProduct {
			t.Errorf("%s, %s: member %s potential %v (share from product %v), want %v (%v)",
				when, product, dept, m.Potential, m.PotentialTerms.ShareFromProduct, want, fromProduct)
		}
	}

	def, defShare, _ := seedPotential(t, dept, nil)
	withShare, _, _ := seedPotential(t, dept, new(float64(share)))
	if defShare == share || def == withShare {
		t.Fatalf("test bug: the share %v must differ from the default %v", share, defShare)
	}
	check("before", "RX03", def, false)

	var up struct {
		UpsertIndicationShare struct {
			IndicationShare struct {
				Department struct{ ID string }
				Product    struct{ ID string }
				Share      float64
			}
			Changed      bool
			GraphVersion string
		}
	}
	mustQuery(t, h, `mutation($d: ID!, $s: Float!) { upsertIndicationShare(department: $d, product: "RX03", share: $s) {
		indicationShare { department { id } product { id } share } changed graphVersion } }`,
		map[string]any{"d": dept, "s": share}, &up)
	if u := up.UpsertIndicationShare; !u.Changed || u.IndicationShare.Department.ID != dept ||
		u.IndicationShare.Product.ID != "RX03" || u.IndicationShare.Share != share {
		t.Fatalf("upsertIndicationShare: got %+v", u)
	}
	refresh()
	check("with the share", "RX03", withShare, true)
	check("with the RX03 share", "RX01", def, false)

	var listed struct {
		Department struct {
			IndicationShares []struct {
				Product struct{ ID string }
				Share   float64
			}
		}
	}
	mustQuery(t, h, `query($d: ID!) { department(id: $d) { indicationShares { product { id } share } } }`,
		map[string]any{"d": dept}, &listed)
	if s := listed.Department.IndicationShares; len(s) != 1 || s[0].Product.ID != "RX03" || s[0].Share != share {
		t.Errorf("Department.indicationShares: got %+v, want RX03 %v", s, share)
	}

	var log struct {
		AuditLog struct {
			Edges []struct {
				Node struct{ Kind, Entity, Op, Source, After string }
			}
		}
	}
	mustQuery(t, h, `{ auditLog(kind: INDICATION_SHARES) { edges { node { kind entity op source after } } } }`, nil, &log)
	found := slices.ContainsFunc(log.AuditLog.Edges, func(e struct {
		Node struct{ Kind, Entity, Op, Source, After string }
	}) bool {
		n := e.Node
		return n.Entity == dept+"->RX03" && n.Op == "create" && n.Source == "mutation upsertIndicationShare"
	})
	if !found {
		t.Errorf("no audit entry for the share: %+v", log.AuditLog.Edges)
	}

	// A kam of another territory may not set it (D001-06 is in T01).
	x := ask(t, h, bearer(t, "U-kam-T02", auth.RoleKAM, []string{"T02"}),
		`mutation { upsertIndicationShare(department: "D001-06", product: "RX01", share: 0.1) { changed } }`, nil)
	if codes := x.codes(); len(codes) != 1 || codes[0] != "FORBIDDEN" {
		t.Errorf("kam of T02: got %s, want FORBIDDEN", x.body)
	}
	// A share outside [0,1] is BAD_USER_INPUT naming the field.
	x = ask(t, h, "", `mutation { upsertIndicationShare(department: "D001-06", product: "RX03", share: 1.5) { changed } }`, nil)
	if codes := x.codes(); len(codes) != 1 || codes[0] != "BAD_USER_INPUT" {
		t.Errorf("share 1.5: got %s, want BAD_USER_INPUT", x.body)
	}

	var del struct {
		DeleteIndicationShare struct {
			Deleted bool
			Counts  []struct {
				Kind    string
				Deleted int
			}
		}
	}
	mustQuery(t, h, `mutation($d: ID!) { deleteIndicationShare(department: $d, product: "RX03") { deleted counts { kind deleted } } }`,
		map[string]any{"d": dept}, &del)
	if d := del.DeleteIndicationShare; !d.Deleted || len(d.Counts) != 1 || d.Counts[0].Kind != "INDICATION_SHARES" || d.Counts[0].Deleted != 1 {
		t.Errorf("deleteIndicationShare: got %+v", d)
	}
	refresh()
	check("after the delete", "RX03", def, false)
}
