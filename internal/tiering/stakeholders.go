package tiering

import (
	"cmp"
	"context"
	"slices"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// Stakeholder is a person of the scope who decides whether a product is
// listed, bought and paid for at their hospital rather than prescribing
// it: the access side of the account plan, listed apart from the matrix.
//
// The rule (DESIGN.md, "Account matrix, second edition"): pharmacists and
// the pharmacy director (PHARMACY_REVIEW), members of the hospital's DRG
// committee (DRG_REVIEW), P&T committee (PT_DECISION) and procurement
// committee (PROCUREMENT), the president and vice presidents (SIGN_OFF).
// Nurses are neither prescribers nor stakeholders. A committee member who
// is also a prescriber of the product is listed here too (Prescriber), as
// the same person decides both ways.
type Stakeholder struct {
	HCP *kolgraph.HCP
	// Stages are the decision-chain stages the person sits in, in chain
	// order; Stage is the first of them, which orders the list.
	Stages []access.StageKind
	// Roles say why, one per stage: "pharmacist", "pharmacy_director",
	// "president", "vice_president", or "chair"/"secretary"/"member" of a
	// committee (Committees[i] is that committee's id, "" otherwise).
	Roles      []string
	Committees []string
	// Influence is the person's INFLUENCE score in the scope; nil when
	// the scope is too small to rank.
	Influence *access.Score
	// Prescriber: the person is also one of the product's prescribers.
	Prescriber bool
	// Playbook is what the first stage asks of the field force.
	Playbook string
}

// Stage is the first stage the stakeholder sits in.
func (s *Stakeholder) Stage() access.StageKind { return s.Stages[0] }

// AccessPlaybooks say what the field force does at each stage of the
// decision chain.
type AccessPlaybooks map[access.StageKind]string

// DefaultAccessPlaybooks: what each stage decides on, and so what to bring.
func DefaultAccessPlaybooks() AccessPlaybooks {
	return AccessPlaybooks{
		access.PharmacyReview: "Bring the pharmacy the evidence dossier, the budget-impact model and the listing application; ask for the pharmacy review",
		access.DRGReview:      "Show the cost per DRG/DIP case with and without the product; agree how it fits the department's case budget",
		access.PTDecision:     "Brief the P&T members on clinical value and guideline position before the committee meets",
		access.Procurement:    "Settle supply, price and tender terms with procurement",
		access.SignOff:        "Present the strategic fit and the partnership plan to the hospital leadership",
	}
}

// stageOrder is each stage's place in the chain.
var stageOrder = func() map[access.StageKind]int {
	m := make(map[access.StageKind]int, len(access.StageKinds))
	for i, k := range access.StageKinds {
		m[k] = i
	}
	return m
}()

var committeeStage = map[string]access.StageKind{
	kolgraph.CommitteeDRG:         access.DRGReview,
	kolgraph.CommitteePT:          access.PTDecision,
	kolgraph.CommitteeProcurement: access.Procurement,
}

// stakeholders lists the access stakeholders among the scope's HCPs
// (nodes of snap), ordered by hospital id, first stage, influence
// (highest first) and id. prescriber says whether an HCP is one of the
// product's prescribers.
func stakeholders(snap *snapshot.Snapshot, nodes []int32, rk *scoring.Ranking, prescriber func(id string) bool, plays AccessPlaybooks) []Stakeholder {
	var out []Stakeholder
	for _, v := range nodes {
		h := snap.HCPs[v]
		st := Stakeholder{HCP: h, Prescriber: prescriber(h.ID)}
		add := func(stage access.StageKind, role, committee string) {
			st.Stages = append(st.Stages, stage)
			st.Roles = append(st.Roles, role)
			st.Committees = append(st.Committees, committee)
		}
		switch {
		case h.Position == "pharmacy_director":
			add(access.PharmacyReview, h.Position, "")
		case h.Role == kolgraph.RolePharmacist:
			add(access.PharmacyReview, kolgraph.RolePharmacist, "")
		}
		for _, seat := range snap.Seats[v] {
			if stage, ok := committeeStage[seat.Committee.Kind]; ok {
				add(stage, seat.Role, seat.Committee.ID)
			}
		}
		if h.Position == "president" || h.Position == "vice_president" {
			add(access.SignOff, h.Position, "")
		}
		if len(st.Stages) == 0 {
			continue
		}
		sortStages(&st)
		st.Playbook = plays[st.Stage()]
		if i := rk.Rank(v); i >= 0 {
			st.Influence = &access.Score{Value: rk.Values[i], Percentile: rk.Percentiles[i], Rank: i + 1}
		}
		out = append(out, st)
	}
	infl := func(s *Stakeholder) float64 {
		if s.Influence == nil {
			return -1
		}
		return s.Influence.Value
	}
	slices.SortFunc(out, func(a, b Stakeholder) int {
		return cmp.Or(cmp.Compare(a.HCP.HospitalID, b.HCP.HospitalID),
			cmp.Compare(stageOrder[a.Stage()], stageOrder[b.Stage()]),
			cmp.Compare(infl(&b), infl(&a)),
			cmp.Compare(a.HCP.ID, b.HCP.ID))
	})
	return out
}

// sortStages puts a stakeholder's stages (with their roles and
// committees) in chain order, stably.
func sortStages(st *Stakeholder) {
	idx := make([]int, len(st.Stages))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return cmp.Compare(stageOrder[st.Stages[a]], stageOrder[st.Stages[b]])
	})
	stages, roles, comms := slices.Clone(st.Stages), slices.Clone(st.Roles), slices.Clone(st.Committees)
	for i, j := range idx {
		st.Stages[i], st.Roles[i], st.Committees[i] = stages[j], roles[j], comms[j]
	}
}

// StakeholderPaths finds, in one search, the strongest path from the
// calling user's contacts to each stakeholder of res (up to
// Options.ReportPaths.MaxHops hops). Without paths (no Paths service),
// Reach.Paths is nil and the note says so.
func (s *Service) StakeholderPaths(ctx context.Context, res *Result) (access.Reach, error) {
	if s.paths == nil {
		return access.Reach{Note: "paths are not available here"}, nil
	}
	targets := make([]int32, len(res.Stakeholders))
	for i, st := range res.Stakeholders {
		targets[i], _ = res.Snapshot.Index(st.HCP.ID)
	}
	hops := s.opts.ReportPaths.MaxHops
	if hops < 1 {
		hops = access.DefaultMaxHops
	}
	return s.paths.PathsTo(ctx, res.Snapshot, targets, hops, res.ComputedAt)
}

// atRisk lists the departments of v (a department view) that are at risk
// under DRG/DIP payment, most potential first.
func atRisk(v *View) []account.Account {
	var out []account.Account
	for _, a := range v.Accounts {
		if a.Potential.AtRisk {
			out = append(out, a)
		}
	}
	pot := func(a account.Account) float64 { x, _ := a.Potential.Float(); return x }
	slices.SortStableFunc(out, func(a, b account.Account) int {
		return cmp.Or(cmp.Compare(pot(b), pot(a)), cmp.Compare(a.ID, b.ID))
	})
	return out
}
