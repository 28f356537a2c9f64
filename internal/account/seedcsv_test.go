package account_test

import (
	"encoding/csv"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/seed"
)

// csvRows reads one of the seed's CSV files as maps from column to cell,
// with encoding/csv alone: the expectations below are computed from the
// files themselves, not from the importer's records.
func csvRows(t *testing.T, name string) []map[string]string {
	t.Helper()
	f, err := seed.FS.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	out := make([]map[string]string, 0, len(recs)-1)
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, col := range recs[0] {
			m[col] = r[i]
		}
		out = append(out, m)
	}
	return out
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}

// TestSeedProductFitFromCSV recomputes, from the seed's CSV files, who a
// product's matrix classifies in territory T01 and every department's
// potential under the payment-model rule, and compares with Evaluate:
//
//   - prescribers of a product are the physicians of departments whose
//     specialty is one of the product's (never a pharmacist, a nurse, an
//     administrator or a physician of another specialty);
//   - the enrollment correction (linear, threshold 0.5, coefficient 0.3)
//     applies to outpatient + inpatient potential at DRG and DIP hospitals
//     only, and a department there under the threshold is at risk.
func TestSeedProductFitFromCSV(t *testing.T) {
	cs := seedRegion(t)
	cfg := account.DefaultConfig()
	payment := map[string]string{}
	inT01 := map[string]bool{}
	for _, h := range csvRows(t, "hospitals.csv") {
		payment[h["id"]] = h["payment_model"]
		inT01[h["id"]] = h["territory_id"] == "T01"
	}
	depts := map[string]map[string]string{}
	for _, d := range csvRows(t, "departments.csv") {
		depts[d["id"]] = d
	}
	specialties := map[string][]string{}
	for _, p := range csvRows(t, "products.csv") {
		specialties[p["id"]] = strings.Split(p["specialties"], "|")
	}
	hcps := csvRows(t, "hcps.csv")

	for _, product := range []string{"RX01", "RX02", "RX03"} {
		t.Run(product, func(t *testing.T) {
			var want []string
			for _, h := range hcps {
				if inT01[h["hospital_id"]] && h["role"] == "physician" &&
					slices.Contains(specialties[product], depts[h["department_id"]]["specialty"]) {
					want = append(want, h["id"])
				}
			}
			slices.Sort(want)
			s := territoryScope(cs, "T01", product)
			var got []string
			for _, a := range mustEvaluate(t, cfg, s, account.LevelHCP) {
				got = append(got, a.ID)
				if a.HCP.Role != "physician" {
					t.Errorf("%s (%s) is classified as a prescriber", a.ID, a.HCP.Role)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%d prescribers, the CSVs give %d", len(got), len(want))
			}
			t.Logf("%s: %d prescribers of %d HCPs in T01", product, len(got), len(s.HCPs))

			// Department potentials and risk, recomputed.
			accts := mustEvaluate(t, cfg, s, account.LevelDepartment)
			var wantDepts []string
			for id, d := range depts {
				if inT01[d["hospital_id"]] && slices.Contains(specialties[product], d["specialty"]) {
					wantDepts = append(wantDepts, id)
				}
			}
			if len(accts) != len(wantDepts) {
				t.Errorf("%d departments, the CSVs give %d", len(accts), len(wantDepts))
			}
			for _, a := range accts {
				d := depts[a.ID]
				if d["weekly_outpatients"] == "" || d["indication_share"] == "" || d["managed_beds"] == "" ||
					d["bed_turnover"] == "" || d["discharge_penetration"] == "" {
					if a.Potential.Known() {
						t.Errorf("%s: a cell is blank, potential %v", a.ID, *a.Potential.Value)
					}
					continue
				}
				out := num(t, d["weekly_outpatients"]) * num(t, d["indication_share"]) * 4
				in := num(t, d["managed_beds"]) * num(t, d["bed_turnover"]) * num(t, d["discharge_penetration"])
				want := out + in
				caseBased := payment[d["hospital_id"]] == "DRG" || payment[d["hospital_id"]] == "DIP"
				atRisk := false
				if caseBased {
					r := num(t, d["drg_enrollment_rate"])
					if r < 0.5 {
						atRisk = true
						want *= 1 - 0.3*(0.5-r)/0.5
					}
				}
				got, ok := a.Potential.Float()
				if !ok || math.Abs(got-want) > 1e-9*math.Max(1, want) {
					t.Errorf("%s (%s): potential %v (known %v), want %v", a.ID, payment[d["hospital_id"]], got, ok, want)
				}
				if a.Potential.AtRisk != atRisk {
					t.Errorf("%s: at risk %v, want %v", a.ID, a.Potential.AtRisk, atRisk)
				}
			}
		})
	}

	// H003 pays fee-for-service: none of its departments is corrected or
	// at risk, though D003-06's enrollment rate is 0.29.
	for _, a := range mustEvaluate(t, cfg, territoryScope(cs, "T01", "RX01"), account.LevelDepartment) {
		if a.HospitalID == "H003" && (a.Potential.DRGCorrection != 0 || a.Potential.AtRisk) {
			t.Errorf("%s at the FFS hospital H003: correction %v, at risk %v", a.ID, a.Potential.DRGCorrection, a.Potential.AtRisk)
		}
	}
}
