package account

import (
	"cmp"
	"math"
	"slices"
	"strings"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// SpeakerConfig configures SpeakerCandidates. Nothing in it refers to
// potential, segments or sales, and nothing may (SpeakerSelectionRule).
//
//	score     = (InfluenceWeight x influence/maxInfluence + ExpertiseWeight x expertise)
//	            / (InfluenceWeight + ExpertiseWeight)
//	expertise = (LevelWeight x KOLLevel[level] + EvidenceWeight x min(1, sum_e Evidence[e])
//	             + TitleWeight x Title[title]) / (LevelWeight + EvidenceWeight + TitleWeight)
//
// maxInfluence is the largest influence among the eligible HCPs, so both
// terms are in [0, 1] whatever scale influence comes in; missing keys weigh 0.
type SpeakerConfig struct {
	InfluenceWeight float64 `json:"influenceWeight"`
	ExpertiseWeight float64 `json:"expertiseWeight"`

	LevelWeight    float64            `json:"levelWeight"`
	EvidenceWeight float64            `json:"evidenceWeight"`
	TitleWeight    float64            `json:"titleWeight"`
	KOLLevel       map[string]float64 `json:"kolLevel"`
	Evidence       map[string]float64 `json:"evidence"`
	Title          map[string]float64 `json:"title"`

	// Roles are the roles eligible to speak.
	Roles []string `json:"roles"`
	// Limit caps the list; <= 0 returns every eligible HCP.
	Limit int `json:"-"`
}

// DefaultSpeakerConfig weighs influence and expertise equally: a seat at a
// regional academic meeting is worth offering to someone peers listen to
// (influence) and who has something to teach (expertise). Within expertise
// the KOL level counts most (0.5), then the evidence for it (0.3: guideline
// authorship 0.6, congress speaking 0.5, society role 0.4, trial
// investigator 0.4, capped at 1), then the title (0.2: chief 1, associate
// chief 0.8, attending 0.5, resident 0.2). Physicians and pharmacists are
// eligible (clinical pharmacists speak on rational drug use); the top 20 are
// returned.
func DefaultSpeakerConfig() SpeakerConfig {
	return SpeakerConfig{
		InfluenceWeight: 0.5, ExpertiseWeight: 0.5,
		LevelWeight: 0.5, EvidenceWeight: 0.3, TitleWeight: 0.2,
		KOLLevel: map[string]float64{kolgraph.KOLNational: 1, kolgraph.KOLRegional: 0.7, kolgraph.KOLLocal: 0.4},
		Evidence: map[string]float64{"guideline_author": 0.6, "congress_speaker": 0.5, "society_role": 0.4, "trial_investigator": 0.4},
		Title:    map[string]float64{"chief": 1, "associate_chief": 0.8, "attending": 0.5, "resident": 0.2},
		Roles:    []string{kolgraph.RolePhysician, kolgraph.RolePharmacist},
		Limit:    20,
	}
}

// Validate rejects negative, non-finite or all-zero weights.
func (c SpeakerConfig) Validate() error {
	ws := []float64{c.InfluenceWeight, c.ExpertiseWeight, c.LevelWeight, c.EvidenceWeight, c.TitleWeight}
	for _, m := range []map[string]float64{c.KOLLevel, c.Evidence, c.Title} {
		for _, v := range m {
			ws = append(ws, v)
		}
	}
	for _, w := range ws {
		if !finite(w) || w < 0 {
			return kolgraph.Errorf(kolgraph.EINVALID, "speaker weights must be finite and non-negative (got %v)", w)
		}
	}
	if c.InfluenceWeight+c.ExpertiseWeight == 0 {
		return kolgraph.Errorf(kolgraph.EINVALID, "speaker weights: influence and expertise weights must not both be zero")
	}
	if c.ExpertiseWeight > 0 && c.LevelWeight+c.EvidenceWeight+c.TitleWeight == 0 {
		return kolgraph.Errorf(kolgraph.EINVALID, "speaker weights: expertise needs a positive level, evidence or title weight")
	}
	return nil
}

// SpeakerInput is everything SpeakerCandidates looks at. It holds no
// potential and no segment by construction; pass every HCP of the scope, never
// a list already filtered by potential or segment (the C segment included).
type SpeakerInput struct {
	HCPs []*kolgraph.HCP
	// Influence is each HCP's influence; HCPs without a value are not ranked.
	Influence map[string]float64
	// Specialties restricts candidates to these specialties (e.g. the
	// product's therapeutic areas: expertise, not potential); empty = any.
	Specialties []string
}

// Speaker is one ranked speaker or advisor candidate with the terms of the
// score. It carries no contact data.
type Speaker struct {
	Rank          int      `json:"rank"`
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	HospitalID    string   `json:"hospitalId"`
	DepartmentID  string   `json:"departmentId"`
	Specialty     string   `json:"specialty"`
	Title         string   `json:"title"`
	KOLLevel      string   `json:"kolLevel,omitempty"`
	KOLEvidence   []string `json:"kolEvidence,omitempty"`
	Influence     float64  `json:"influence"`     // as given
	InfluenceNorm float64  `json:"influenceNorm"` // influence / max influence of the eligible
	Expertise     float64  `json:"expertise"`
	Score         float64  `json:"score"`
}

// SpeakerCandidates ranks HCPs for speaker and advisor roles (the C
// playbook points at it, never at a segment's members).
//
// Compliance rule (SpeakerSelectionRule): prescribing potential is NEVER an
// input to choosing speakers or advisors. The ranking uses influence and
// expertise only (KOL level, KOL evidence, title, specialty); the inputs
// exclude potential structurally (no type accepted here can carry it), and
// changing any potential leaves the result unchanged.
//
// Eligible: an HCP whose role is in cfg.Roles, whose specialty is in
// in.Specialties (when given) and who has an influence value. Order: score
// descending, then id; at most cfg.Limit. Cost: O(n log n).
func SpeakerCandidates(cfg SpeakerConfig, in SpeakerInput) ([]Speaker, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	// Score compact records and build a Speaker only for those returned.
	type cand struct {
		h                *kolgraph.HCP
		infl, exp, score float64
	}
	var cands []cand
	maxInfl := 0.0
	for _, h := range in.HCPs {
		if !slices.Contains(cfg.Roles, h.Role) {
			continue
		}
		if len(in.Specialties) > 0 && !slices.ContainsFunc(in.Specialties, func(s string) bool {
			return strings.EqualFold(strings.TrimSpace(s), strings.TrimSpace(h.Specialty))
		}) {
			continue
		}
		v, ok := in.Influence[h.ID]
		if !ok {
			continue
		}
		if !finite(v) || v < 0 {
			return nil, kolgraph.Errorf(kolgraph.EINVALID, "influence of %s must be finite and non-negative (got %v)", h.ID, v)
		}
		maxInfl = math.Max(maxInfl, v)
		cands = append(cands, cand{h: h, infl: v, exp: cfg.expertise(h)})
	}
	wsum := cfg.InfluenceWeight + cfg.ExpertiseWeight
	norm := func(v float64) float64 {
		if maxInfl > 0 {
			return v / maxInfl
		}
		return 0
	}
	for i := range cands {
		c := &cands[i]
		c.score = (cfg.InfluenceWeight*norm(c.infl) + cfg.ExpertiseWeight*c.exp) / wsum
	}
	slices.SortFunc(cands, func(a, b cand) int {
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.h.ID, b.h.ID)
	})
	if cfg.Limit > 0 && len(cands) > cfg.Limit {
		cands = cands[:cfg.Limit]
	}
	out := make([]Speaker, len(cands))
	for i, c := range cands {
		h := c.h
		out[i] = Speaker{
			Rank: i + 1, ID: h.ID, Name: h.Name, HospitalID: h.HospitalID, DepartmentID: h.DepartmentID,
			Specialty: h.Specialty, Title: h.Title, KOLLevel: h.KOLLevel, KOLEvidence: h.KOLEvidence,
			Influence: c.infl, InfluenceNorm: norm(c.infl), Expertise: c.exp, Score: c.score,
		}
	}
	return out, nil
}

func (c SpeakerConfig) expertise(h *kolgraph.HCP) float64 {
	wsum := c.LevelWeight + c.EvidenceWeight + c.TitleWeight
	if wsum == 0 {
		return 0
	}
	var ev float64
	for i, e := range h.KOLEvidence {
		if !slices.Contains(h.KOLEvidence[:i], e) { // a repeated item is one piece of evidence
			ev += c.Evidence[e]
		}
	}
	return (c.LevelWeight*c.KOLLevel[h.KOLLevel] + c.EvidenceWeight*math.Min(1, ev) + c.TitleWeight*c.Title[h.Title]) / wsum
}
