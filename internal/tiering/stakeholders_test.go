package tiering_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

// TestStakeholdersOfT01 checks the access stakeholders of T01 for RX01
// against the rule applied to the seed records directly: pharmacists and
// pharmacy directors (PHARMACY_REVIEW), members of DRG, P&T and
// procurement committees (their stages), presidents and vice presidents
// (SIGN_OFF); nobody else, and never a nurse.
func TestStakeholdersOfT01(t *testing.T) {
	e := shared(t)
	res := tiers(t, e, snapshot.Scope{Territory: "T01"}, "RX01")
	hosp, _, prescribers := territory(e.cs, "T01", "RX01")

	kind := map[string]string{}
	for _, c := range e.cs.Committees {
		kind[c.ID] = c.Kind
	}
	want := map[string][]access.StageKind{}
	inT01 := map[string]bool{}
	for _, h := range e.cs.HCPs {
		if !hosp[h.HospitalID] {
			continue
		}
		inT01[h.ID] = true
		if h.Role == kolgraph.RolePharmacist || h.Position == "pharmacy_director" {
			want[h.ID] = append(want[h.ID], access.PharmacyReview)
		}
	}
	for _, m := range e.cs.Memberships {
		if !inT01[m.HCPID] {
			continue
		}
		switch kind[m.CommitteeID] {
		case kolgraph.CommitteeDRG:
			want[m.HCPID] = append(want[m.HCPID], access.DRGReview)
		case kolgraph.CommitteePT:
			want[m.HCPID] = append(want[m.HCPID], access.PTDecision)
		case kolgraph.CommitteeProcurement:
			want[m.HCPID] = append(want[m.HCPID], access.Procurement)
		}
	}
	for _, h := range e.cs.HCPs {
		if inT01[h.ID] && (h.Position == "president" || h.Position == "vice_president") {
			want[h.ID] = append(want[h.ID], access.SignOff)
		}
	}

	got := map[string][]access.StageKind{}
	stages := map[access.StageKind]int{}
	for i, st := range res.Stakeholders {
		got[st.HCP.ID] = st.Stages
		stages[st.Stage()]++
		if st.HCP.Role == kolgraph.RoleNurse {
			t.Errorf("nurse %s is a stakeholder", st.HCP.ID)
		}
		if st.Prescriber != prescribers[st.HCP.ID] {
			t.Errorf("%s: prescriber %v, want %v", st.HCP.ID, st.Prescriber, prescribers[st.HCP.ID])
		}
		if st.Playbook == "" || st.Influence == nil {
			t.Errorf("%s: playbook %q influence %v", st.HCP.ID, st.Playbook, st.Influence)
		}
		if i > 0 {
			prev := res.Stakeholders[i-1]
			if prev.HCP.HospitalID > st.HCP.HospitalID {
				t.Errorf("%s before %s: not by hospital", prev.HCP.ID, st.HCP.ID)
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d stakeholders, the rule gives %d", len(got), len(want))
	}
	for id, w := range want {
		g := got[id]
		// the same stages, whatever the order they were listed in
		ws := slices.Clone(w)
		gs := slices.Clone(g)
		slices.Sort(ws)
		slices.Sort(gs)
		if !slices.Equal(gs, ws) {
			t.Errorf("%s: stages %v, want %v", id, g, w)
		}
	}
	t.Logf("T01/RX01: %d stakeholders by first stage %v", len(res.Stakeholders), stages)
	// Every stage of the chain is staffed somewhere in T01 (but DRG review:
	// the seed has P&T and procurement committees only).
	staffed := map[access.StageKind]bool{}
	for _, st := range res.Stakeholders {
		for _, k := range st.Stages {
			staffed[k] = true
		}
	}
	for _, k := range []access.StageKind{access.PharmacyReview, access.PTDecision, access.Procurement, access.SignOff} {
		if !staffed[k] {
			t.Errorf("no stakeholder at stage %s", k)
		}
	}
}

// TestStakeholderPaths: with a calling user, each stakeholder reached gets
// the strongest path from the user's contacts, ending at them; without one
// there are none and the note says why.
func TestStakeholderPaths(t *testing.T) {
	e := shared(t)
	res := tiers(t, e, snapshot.Scope{Territory: "T01"}, "RX01")
	reach, err := e.svc.StakeholderPaths(viewer.WithUser(context.Background(), "U004"), res)
	if err != nil {
		t.Fatal(err)
	}
	if reach.User != "U004" || len(reach.Paths) != len(res.Stakeholders) {
		t.Fatalf("user %q, %d paths for %d stakeholders", reach.User, len(reach.Paths), len(res.Stakeholders))
	}
	contacts := map[string]float64{}
	for _, k := range e.cs.Knows {
		if k.UserID == "U004" {
			contacts[k.HCPID] = k.Strength
		}
	}
	found := 0
	for i, p := range reach.Paths {
		if p == nil {
			continue
		}
		found++
		if p.Target().ID != res.Stakeholders[i].HCP.ID {
			t.Errorf("path %d ends at %s, want %s", i, p.Target().ID, res.Stakeholders[i].HCP.ID)
		}
		s, ok := contacts[p.Source().ID]
		if !ok {
			t.Errorf("path %d starts at %s, not a contact of U004", i, p.Source().ID)
			continue
		}
		prod := s
		for _, h := range p.Hops {
			prod *= h.Weight
		}
		if math.Abs(prod-p.Strength) > 1e-9 {
			t.Errorf("path %d: strength %v, the hops multiply to %v", i, p.Strength, prod)
		}
	}
	if found == 0 {
		t.Error("U004 reaches no stakeholder of T01")
	}
	t.Logf("U004 reaches %d of %d stakeholders", found, len(res.Stakeholders))

	none, err := e.svc.StakeholderPaths(context.Background(), res)
	if err != nil || none.Paths != nil || none.Note == "" {
		t.Errorf("without a caller: %+v, %v", none, err)
	}
}

// TestAtRiskDepartments recomputes the at-risk list of T01 for RX01 from
// the seed records: RX01's departments at DRG or DIP hospitals with an
// enrollment rate under 0.5, and none of H003 (fee-for-service).
func TestAtRiskDepartments(t *testing.T) {
	e := shared(t)
	res := tiers(t, e, snapshot.Scope{Territory: "T01"}, "RX01")
	_, depts, _ := territory(e.cs, "T01", "RX01")
	payment := map[string]string{}
	for _, h := range e.cs.Hospitals {
		payment[h.ID] = h.PaymentModel
	}
	var want []string
	for _, d := range e.cs.Departments {
		if depts[d.ID] && (payment[d.HospitalID] == "DRG" || payment[d.HospitalID] == "DIP") &&
			d.DRGEnrollmentRate != nil && *d.DRGEnrollmentRate < 0.5 {
			want = append(want, d.ID)
		}
	}
	var got []string
	for _, a := range res.AtRisk {
		got = append(got, a.ID)
		if a.HospitalID == "H003" {
			t.Errorf("%s of the FFS hospital H003 is at risk", a.ID)
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("at risk %v, want %v", got, want)
	}
}
