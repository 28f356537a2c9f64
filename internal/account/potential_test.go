package account_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

func TestDepartmentPotential(t *testing.T) {
	rx := &kolgraph.Product{ID: "RX1", Specialties: []string{"cardiology", "nephrology"}}
	linear := account.DefaultPotentialModel()
	step := account.DefaultPotentialModel()
	step.DRG.Form = account.DRGStep
	none := account.DefaultPotentialModel()
	none.DRG.Form = account.DRGNone
	overridden := account.DefaultPotentialModel()
	overridden.ShareOverrides = map[account.ShareKey]float64{{DepartmentID: "D1", ProductID: "RX1"}: 0.5}

	withRate := func(r *float64) *kolgraph.Department {
		d := dept("D1", "H1", "cardiology")
		d.DRGEnrollmentRate = r
		return d
	}
	drg, dip, ffs := hospital("H1", "DRG"), hospital("H1", "dip"), hospital("H1", "FFS")
	tests := []struct {
		name    string
		model   account.PotentialModel
		d       *kolgraph.Department
		h       *kolgraph.Hospital
		p       *kolgraph.Product
		want    float64 // total
		wantDRG float64 // the correction term
		atRisk  bool
	}{
		// outpatient 120, inpatient 20 (see dept): the correction takes
		// both, 140.
		{"rate above threshold", linear, withRate(fp(0.6)), drg, rx, 140, 0, false},
		// at exactly 0.5 the department is not at risk: no correction.
		{"rate exactly 0.5", linear, withRate(fp(0.5)), drg, rx, 140, 0, false},
		{"rate 0.51", linear, withRate(fp(0.51)), drg, rx, 140, 0, false},
		// factor = 1 - 0.3 x (0.5-0.49)/0.5 = 0.994; 140 x -0.006 = -0.84.
		{"rate 0.49", linear, withRate(fp(0.49)), drg, rx, 139.16, -0.84, true},
		// factor = 1 - 0.3 x 0.25/0.5 = 0.85; 140 x -0.15 = -21.
		{"rate 0.25", linear, withRate(fp(0.25)), drg, rx, 119, -21, true},
		// DIP pays by case as DRG does (any case of the name).
		{"dip rate 0.25", linear, withRate(fp(0.25)), dip, rx, 119, -21, true},
		// fee-for-service: no correction, not at risk, whatever the rate.
		{"ffs rate 0.25", linear, withRate(fp(0.25)), ffs, rx, 140, 0, false},
		{"ffs without rate", linear, withRate(nil), ffs, rx, 140, 0, false},
		// a hospital not known: no payment model, no correction.
		{"no hospital", linear, withRate(fp(0.25)), nil, rx, 140, 0, false},
		// factor = 0.7; 140 x -0.3 = -42.
		{"rate 0", linear, withRate(fp(0)), drg, rx, 98, -42, true},
		// step: any rate under 0.5 takes the full -30%.
		{"step 0.49", step, withRate(fp(0.49)), drg, rx, 98, -42, true},
		{"step 0.5", step, withRate(fp(0.5)), drg, rx, 140, 0, false},
		// no correction: the rate is not even needed; still at risk.
		{"none without rate", none, withRate(nil), drg, rx, 140, 0, false},
		{"none rate 0.25", none, withRate(fp(0.25)), drg, rx, 140, 0, true},
		// override share 0.5: 100 x 0.5 x 4 = 200, + 20.
		{"share override", overridden, withRate(fp(0.6)), drg, rx, 220, 0, false},
		// the override is per product: another product keeps 0.3.
		{"override other product", overridden, withRate(fp(0.6)), drg,
			&kolgraph.Product{ID: "RX2", Specialties: []string{"cardiology"}}, 140, 0, false},
		// no product: the department's own inputs, overrides ignored.
		{"no product", overridden, withRate(fp(0.6)), drg, nil, 140, 0, false},
		// relevance ignores case and spaces.
		{"relevance case", linear, withRate(fp(0.6)), drg,
			&kolgraph.Product{ID: "RX3", Specialties: []string{" Cardiology "}}, 140, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.model.Department(tc.d, tc.h, tc.p)
			got, ok := p.Float()
			if !ok {
				t.Fatalf("potential unknown: %s", p.Reason)
			}
			if !near(got, tc.want) || !near(p.DRGCorrection, tc.wantDRG) {
				t.Errorf("got %v (drg %v), want %v (drg %v)", got, p.DRGCorrection, tc.want, tc.wantDRG)
			}
			if sum := p.Outpatient + p.DRGCorrection + p.Inpatient; !near(sum, got) {
				t.Errorf("terms add up to %v, value %v", sum, got)
			}
			if p.AtRisk != tc.atRisk {
				t.Errorf("at risk %v, want %v", p.AtRisk, tc.atRisk)
			}
		})
	}
}

func TestDRGFactorIsContinuousAtThreshold(t *testing.T) {
	c := account.DefaultPotentialModel().DRG
	for _, tc := range []struct{ rate, want float64 }{
		{0, 0.7}, {0.25, 0.85}, {0.4999999, 1 - 0.3*0.0000001/0.5}, {0.5, 1}, {0.9, 1}, {1, 1},
	} {
		if got := c.Factor(tc.rate); !near(got, tc.want) {
			t.Errorf("Factor(%v) = %v, want %v", tc.rate, got, tc.want)
		}
	}
}

func TestMissingInputsAreUnknownNeverZero(t *testing.T) {
	rx := &kolgraph.Product{ID: "RX1", Specialties: []string{"cardiology"}}
	m := account.DefaultPotentialModel()
	tests := []struct {
		name  string
		clear func(*kolgraph.Department)
		want  []string
	}{
		{"weekly outpatients", func(d *kolgraph.Department) { d.WeeklyOutpatients = nil }, []string{"weekly_outpatients"}},
		{"indication share", func(d *kolgraph.Department) { d.IndicationShare = nil }, []string{"indication_share"}},
		{"drg rate", func(d *kolgraph.Department) { d.DRGEnrollmentRate = nil }, []string{"drg_enrollment_rate"}},
		{"beds", func(d *kolgraph.Department) { d.ManagedBeds = nil }, []string{"managed_beds"}},
		{"turnover", func(d *kolgraph.Department) { d.BedTurnover = nil }, []string{"bed_turnover"}},
		{"penetration", func(d *kolgraph.Department) { d.DischargePenetration = nil }, []string{"discharge_penetration"}},
		{"two", func(d *kolgraph.Department) { d.ManagedBeds, d.IndicationShare = nil, nil }, []string{"indication_share", "managed_beds"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := dept("D1", "H1", "cardiology")
			tc.clear(d)
			for _, p := range []*kolgraph.Product{rx, nil} {
				pot := m.Department(d, hospital("H1", "DRG"), p)
				if pot.Known() {
					t.Fatalf("product %v: potential %v, want unknown", p, *pot.Value)
				}
				if !slices.Equal(pot.Missing, tc.want) {
					t.Errorf("missing %v, want %v", pot.Missing, tc.want)
				}
				for _, f := range tc.want {
					if !strings.Contains(pot.Reason, f) {
						t.Errorf("reason %q does not name %s", pot.Reason, f)
					}
				}
			}
		})
	}
	// Policy sensitivity and competitor penetration are not potential
	// inputs: their absence leaves the potential known.
	d := dept("D1", "H1", "cardiology")
	d.PolicySensitivity, d.CompetitorPenetration = nil, nil
	if !m.Department(d, hospital("H1", "DRG"), rx).Known() {
		t.Error("heat-map inputs made the potential unknown")
	}
	// Under fee-for-service the enrollment rate is not an input.
	d = dept("D1", "H1", "cardiology")
	d.DRGEnrollmentRate = nil
	if p := m.Department(d, hospital("H1", "FFS"), rx); !p.Known() {
		t.Errorf("FFS department without an enrollment rate: %s", p.Reason)
	}
}

func TestZeroPotential(t *testing.T) {
	m := account.DefaultPotentialModel()
	onc := &kolgraph.Product{ID: "RX2", Specialties: []string{"oncology"}}
	incomplete := dept("D1", "H1", "cardiology")
	incomplete.WeeklyOutpatients = nil
	pharmacy := &kolgraph.Department{ID: "D9", HospitalID: "H1", Name: "药学部", Specialty: "pharmacy"}
	tests := []struct {
		name   string
		d      *kolgraph.Department
		p      *kolgraph.Product
		reason string
	}{
		{"irrelevant product", dept("D1", "H1", "cardiology"), onc, "not indicated for cardiology"},
		// irrelevance is certain whatever the inputs: zero, not unknown.
		{"irrelevant product, inputs missing", incomplete, onc, "not indicated"},
		{"pharmacy, no inputs", pharmacy, nil, "no prescribing potential"},
		{"pharmacy, relevant product", pharmacy, &kolgraph.Product{ID: "RX4", Specialties: []string{"pharmacy"}}, "no prescribing potential"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := m.Department(tc.d, hospital("H1", "DRG"), tc.p)
			if v, ok := p.Float(); !ok || v != 0 {
				t.Fatalf("got %v (known %v), want 0", v, ok)
			}
			if !strings.Contains(p.Reason, tc.reason) {
				t.Errorf("reason %q, want it to contain %q", p.Reason, tc.reason)
			}
		})
	}
	// A product that lists no specialties: relevance unknown, so potential
	// unknown (an optional import column must not zero a whole territory).
	p := m.Department(dept("D1", "H1", "cardiology"), nil, &kolgraph.Product{ID: "RX9"})
	if p.Known() || !slices.Equal(p.Missing, []string{account.FieldProductSpecialties}) {
		t.Errorf("product without specialties: known %v, missing %v", p.Known(), p.Missing)
	}
}

func TestShares(t *testing.T) {
	m := account.DefaultPotentialModel()
	got := m.Shares(staff("D1", "H1"))
	var sum float64
	for i := range got {
		sum += got[i]
		if !near(got[i], staffShares[i]) {
			t.Errorf("share %d = %v, want %v", i, got[i], staffShares[i])
		}
	}
	if !near(sum, 1) {
		t.Errorf("shares sum to %v, want 1", sum)
	}
	nurses := []*kolgraph.HCP{hcp("N1", "D1", "H1", kolgraph.RoleNurse, "", ""), hcp("N2", "D1", "H1", kolgraph.RoleNurse, "", "")}
	if got := m.Shares(nurses); got[0] != 0 || got[1] != 0 {
		t.Errorf("nurses' shares %v, want zeros", got)
	}
}

func TestEvaluateLevels(t *testing.T) {
	cfg := account.DefaultConfig()
	rx := &kolgraph.Product{ID: "RX1", Specialties: []string{"cardiology"}}
	d1 := dept("D1", "H1", "cardiology") // 140
	d2 := dept("D2", "H1", "cardiology")
	d2.WeeklyOutpatients = ip(200)     // 200 x 0.3 x 4 + 20 = 260
	d3 := dept("D3", "H1", "oncology") // irrelevant to RX1: 0
	d4 := dept("D4", "H2", "cardiology")
	d4.BedTurnover = nil // unknown
	hcps := append(append(append(staff("D1", "H1"), staff("D2", "H1")...), staff("D3", "H1")...), staff("D4", "H2")...)
	infl := map[string]float64{}
	for i, h := range hcps {
		infl[h.ID] = float64(i % 5)
	}
	s := account.Scope{
		Hospitals:   []*kolgraph.Hospital{{ID: "H1", Name: "杭州泽馨中心医院"}, {ID: "H2", Name: "湖州医院"}, {ID: "H3", Name: "空医院"}},
		Departments: []*kolgraph.Department{d1, d2, d3, d4},
		HCPs:        hcps, Product: rx, Influence: infl,
	}

	t.Run("hcp", func(t *testing.T) {
		accts := byID(mustEvaluate(t, cfg, s, account.LevelHCP))
		// head of D1: 140 x 3/7 = 60; of D2: 260 x 3/7.
		for id, want := range map[string]float64{"D1-head": 60, "D2-head": 260 * 3.0 / 7, "D1-resident": 140 * 2.0 / 21} {
			if got, ok := accts[id].Potential.Float(); !ok || !near(got, want) {
				t.Errorf("%s: got %v (known %v), want %v", id, got, ok, want)
			}
		}
		// Only prescribers of RX1 are accounts: physicians of the
		// cardiology departments; not D3 (oncology), nor the vice
		// president, the nurse or the pharmacist anywhere.
		var ids []string
		for id := range accts {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		var want []string
		for _, d := range []string{"D1", "D2", "D4"} {
			want = append(want, d+"-attend", d+"-deputy", d+"-head", d+"-resident")
		}
		if !slices.Equal(ids, want) {
			t.Errorf("accounts %v, want %v", ids, want)
		}
		if accts["D4-head"].Potential.Known() {
			t.Error("HCP of a department with unknown potential has a known potential")
		}
		if a := accts["D1-head"]; a.HospitalName != "杭州泽馨中心医院" || a.DepartmentID != "D1" || *a.Influence != 0 {
			t.Errorf("D1-head: %+v", a)
		}
		var sum float64
		for _, h := range staff("D1", "H1")[:4] {
			sum += *accts[h.ID].Potential.Value
		}
		if !near(sum, 140) {
			t.Errorf("D1's prescribers' potentials sum to %v, want 140", sum)
		}
	})
	t.Run("department", func(t *testing.T) {
		accts := byID(mustEvaluate(t, cfg, s, account.LevelDepartment))
		if got := *accts["D2"].Potential.Value; !near(got, 260) {
			t.Errorf("D2 %v, want 260", got)
		}
		// max of the staff's influence values (i%5 over 7 HCPs: max 4).
		if got := *accts["D1"].Influence; got != 4 {
			t.Errorf("D1 influence %v, want 4", got)
		}
	})
	t.Run("hospital", func(t *testing.T) {
		got := mustEvaluate(t, cfg, s, account.LevelHospital)
		if ids := []string{got[0].ID, got[1].ID, got[2].ID}; !slices.Equal(ids, []string{"H1", "H2", "H3"}) {
			t.Fatalf("hospitals %v", ids)
		}
		// 140 + 260 + 0.
		if v, ok := got[0].Potential.Float(); !ok || !near(v, 400) {
			t.Errorf("H1 %v (known %v), want 400", v, ok)
		}
		if got[1].Potential.Known() || !strings.Contains(got[1].Potential.Reason, "D4") {
			t.Errorf("H2 should be unknown because of D4: %+v", got[1].Potential)
		}
		if got[2].Potential.Known() || got[2].Influence != nil {
			t.Errorf("H3 has no departments: %+v", got[2])
		}
	})
}

func TestEvaluateRejects(t *testing.T) {
	cfg := account.DefaultConfig()
	d := dept("D1", "H1", "cardiology")
	tests := []struct {
		name  string
		s     account.Scope
		level account.Level
	}{
		{"duplicate department", account.Scope{Departments: []*kolgraph.Department{d, d}}, account.LevelHCP},
		{"duplicate HCP", account.Scope{Departments: []*kolgraph.Department{d}, HCPs: append(staff("D1", "H1"), staff("D1", "H1")[0])}, account.LevelHCP},
		{"HCP outside the scope", account.Scope{Departments: []*kolgraph.Department{d}, HCPs: staff("D2", "H1")}, account.LevelHCP},
		{"negative influence", account.Scope{Departments: []*kolgraph.Department{d}, HCPs: staff("D1", "H1"),
			Influence: map[string]float64{"D1-head": -1}}, account.LevelHCP},
		{"level", account.Scope{}, "ward"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := account.Evaluate(cfg, tc.s, tc.level)
			if kolgraph.ErrorCode(err) != kolgraph.EINVALID {
				t.Errorf("got %v, want %s", err, kolgraph.EINVALID)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	if err := account.DefaultConfig().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	tests := []struct {
		name string
		edit func(*account.Config)
	}{
		{"zero config", func(c *account.Config) { *c = account.Config{} }},
		{"weeks", func(c *account.Config) { c.Potential.WeeksPerMonth = 0 }},
		{"drg form", func(c *account.Config) { c.Potential.DRG.Form = "quadratic" }},
		{"drg coefficient", func(c *account.Config) { c.Potential.DRG.Coefficient = 1.5 }},
		{"share override", func(c *account.Config) {
			c.Potential.ShareOverrides = map[account.ShareKey]float64{{DepartmentID: "D1", ProductID: "RX1"}: 2}
		}},
		{"percentile", func(c *account.Config) { c.Matrices.HCP.Potential.Value = 101 }},
		{"absolute", func(c *account.Config) {
			c.Matrices.Hospital.Influence = account.CutOffSpec{Mode: account.Absolute, Value: -1}
		}},
		{"plan", func(c *account.Config) { c.Matrices.Department.Plans.C.Playbook = "" }},
		{"bins", func(c *account.Config) { c.HeatMap.Bins = 0 }},
		{"edges", func(c *account.Config) {
			c.HeatMap = account.HeatMapConfig{Mode: account.BinFixed, Edges: []float64{2, 1}}
		}},
		{"pareto", func(c *account.Config) { c.ParetoFraction = 0 }},
		{"aggregate", func(c *account.Config) { c.GroupInfluence = "median" }},
		{"speaker weights", func(c *account.Config) { c.Speakers.InfluenceWeight, c.Speakers.ExpertiseWeight = 0, 0 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := account.DefaultConfig()
			tc.edit(&c)
			err := c.Validate()
			var e *kolgraph.Error
			if !errors.As(err, &e) || e.Code != kolgraph.EINVALID {
				t.Errorf("got %v, want %s", err, kolgraph.EINVALID)
			}
		})
	}
}
