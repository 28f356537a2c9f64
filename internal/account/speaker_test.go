package account_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

func TestSpeakerScore(t *testing.T) {
	kol := hcp("K", "D1", "H1", kolgraph.RolePhysician, "chief", "department_head")
	kol.Specialty, kol.KOLLevel = "cardiology", kolgraph.KOLNational
	kol.KOLEvidence = []string{"guideline_author", "society_role", "guideline_author"}
	att := hcp("A", "D1", "H1", kolgraph.RolePhysician, "attending", "staff")
	att.Specialty = "cardiology"
	nurse := hcp("N", "D1", "H1", kolgraph.RoleNurse, "", "staff")
	nurse.Specialty = "cardiology"
	onc := hcp("O", "D2", "H1", kolgraph.RolePhysician, "chief", "staff")
	onc.Specialty = "oncology"
	noInfl := hcp("X", "D1", "H1", kolgraph.RolePhysician, "chief", "staff")
	noInfl.Specialty = "cardiology"

	in := account.SpeakerInput{
		HCPs:        []*kolgraph.HCP{nurse, att, kol, onc, noInfl},
		Influence:   map[string]float64{"K": 0.4, "A": 0.8, "N": 5, "O": 0.1},
		Specialties: []string{"Cardiology"},
	}
	got, err := account.SpeakerCandidates(account.DefaultSpeakerConfig(), in)
	if err != nil {
		t.Fatal(err)
	}
	// K: influence 0.4 / max 0.8 = 0.5; expertise = 0.5 x 1 (national)
	//    + 0.3 x min(1, 0.6 + 0.4) + 0.2 x 1 (chief) = 1 (the repeated
	//    guideline_author counts once); score = 0.5 x 0.5 + 0.5 x 1 = 0.75.
	// A: influence 1; expertise = 0.2 x 0.5 (attending) = 0.1;
	//    score = 0.5 + 0.05 = 0.55.
	// N is a nurse, O is not in the specialty, X has no influence value.
	if len(got) != 2 {
		t.Fatalf("got %d candidates: %+v", len(got), got)
	}
	if got[0].ID != "K" || got[0].Rank != 1 || !near(got[0].Score, 0.75) || !near(got[0].Expertise, 1) || !near(got[0].InfluenceNorm, 0.5) {
		t.Errorf("first %+v, want K with score 0.75", got[0])
	}
	if got[1].ID != "A" || got[1].Rank != 2 || !near(got[1].Score, 0.55) {
		t.Errorf("second %+v, want A with score 0.55", got[1])
	}

	cfg := account.DefaultSpeakerConfig()
	cfg.Limit = 1
	in.Specialties = nil
	got, _ = account.SpeakerCandidates(cfg, in)
	if len(got) != 1 || got[0].ID != "K" {
		t.Errorf("limit 1: %+v", got)
	}
}

// TestSpeakerInputsExcludePotential checks the compliance rule structurally:
// nothing SpeakerCandidates accepts can carry a potential, a department
// record (which holds the potential inputs), an account, a matrix or a
// segment, nor a function or interface that could smuggle one in.
func TestSpeakerInputsExcludePotential(t *testing.T) {
	forbiddenTypes := []reflect.Type{
		reflect.TypeFor[kolgraph.Department](), reflect.TypeFor[account.Potential](), reflect.TypeFor[account.Account](),
		reflect.TypeFor[account.Matrix](), reflect.TypeFor[account.Member](), reflect.TypeFor[account.Segment](),
		reflect.TypeFor[account.Scope](), reflect.TypeFor[account.PotentialModel](),
	}
	forbiddenWords := []string{"potential", "outpatient", "beds", "turnover", "penetration", "indication", "segment", "sales", "drg"}
	seen := map[reflect.Type]bool{}
	var walk func(path string, ty reflect.Type)
	walk = func(path string, ty reflect.Type) {
		if seen[ty] {
			return
		}
		seen[ty] = true
		if slices.Contains(forbiddenTypes, ty) {
			t.Errorf("%s: SpeakerCandidates accepts %v", path, ty)
		}
		switch ty.Kind() {
		case reflect.Func, reflect.Interface, reflect.Chan, reflect.UnsafePointer:
			t.Errorf("%s: SpeakerCandidates accepts a %v (%v), which could carry anything", path, ty.Kind(), ty)
		case reflect.Pointer, reflect.Slice, reflect.Array:
			walk(path+"[]", ty.Elem())
		case reflect.Map:
			walk(path+"[key]", ty.Key())
			walk(path+"[]", ty.Elem())
		case reflect.Struct:
			for f := range ty.Fields() {
				for _, w := range forbiddenWords {
					if strings.Contains(strings.ToLower(f.Name), w) {
						t.Errorf("%s.%s: field name suggests %q", path, f.Name, w)
					}
				}
				walk(path+"."+f.Name, f.Type)
			}
		}
	}
	fn := reflect.TypeOf(account.SpeakerCandidates)
	for i := range fn.NumIn() {
		walk(fmt.Sprintf("arg%d(%v)", i, fn.In(i)), fn.In(i))
	}
}

// TestSpeakersIgnorePotential is the property form of the compliance rule:
// over random potentials (department inputs, share overrides, products),
// which move accounts between segments, the speaker list stays the same.
func TestSpeakersIgnorePotential(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	cfg := account.DefaultConfig()
	var depts []*kolgraph.Department
	var hcps []*kolgraph.HCP
	infl := map[string]float64{}
	specs := []string{"cardiology", "nephrology", "oncology", "pharmacy"}
	levels := []string{"", "", "", kolgraph.KOLLocal, kolgraph.KOLRegional, kolgraph.KOLNational}
	evidence := []string{"guideline_author", "society_role", "congress_speaker", "trial_investigator"}
	for di := range 12 {
		d := dept(fmt.Sprintf("D%02d", di), "H1", specs[di%len(specs)])
		depts = append(depts, d)
		for _, h := range staff(d.ID, "H1") {
			h.Specialty = d.Specialty
			h.KOLLevel = levels[rng.IntN(len(levels))]
			if h.KOLLevel != "" {
				h.KOLEvidence = []string{evidence[rng.IntN(len(evidence))]}
			}
			hcps = append(hcps, h)
			infl[h.ID] = rng.Float64()
		}
	}
	speakers := func() []account.Speaker {
		t.Helper()
		s, err := account.SpeakerCandidates(cfg.Speakers, account.SpeakerInput{HCPs: hcps, Influence: infl})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	base := speakers()
	if len(base) == 0 {
		t.Fatal("no speaker candidates")
	}
	var firstSegments map[string]account.Segment
	segmentsMoved := false
	for trial := range 200 {
		for _, d := range depts {
			d.WeeklyOutpatients = ip(rng.IntN(3000))
			d.IndicationShare = fp(rng.Float64())
			d.ManagedBeds = ip(rng.IntN(150))
			d.BedTurnover = fp(6 * rng.Float64())
			d.DischargePenetration = fp(rng.Float64())
			d.DRGEnrollmentRate = fp(rng.Float64())
			if rng.IntN(10) == 0 {
				d.BedTurnover = nil // unknown potential too
			}
		}
		cfg.Potential.ShareOverrides = map[account.ShareKey]float64{{DepartmentID: "D00", ProductID: "RX1"}: rng.Float64()}
		product := &kolgraph.Product{ID: "RX1", Specialties: specs[:1+rng.IntN(3)]}
		accts := mustEvaluate(t, cfg, account.Scope{Departments: depts, HCPs: hcps, Product: product, Influence: infl}, account.LevelHCP)
		m, err := account.Classify(cfg.Matrices.HCP, accts)
		if err != nil {
			t.Fatal(err)
		}
		segs := segments(m)
		if trial == 0 {
			firstSegments = segs
		} else if !maps.Equal(segs, firstSegments) {
			segmentsMoved = true
		}
		if got := speakers(); !reflect.DeepEqual(got, base) {
			t.Fatalf("trial %d: the speaker list changed with potential", trial)
		}
	}
	if !segmentsMoved {
		t.Fatal("the random potentials never moved an account between segments; the property was not exercised")
	}
}
