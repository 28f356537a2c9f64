package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

const planFields = `id owner status periodStart periodEnd createdBy updatedBy
	hospital { id } product { id } stakeholders { hcpId stage segment hcp { id } }
	citations { pathId note user entry strength document nodes { id name } hops { from to weight }
		health { status strength brokenAt reason replacementNote
			replacement { id strength entry { user strength } hops { from { id } to { id } weight } } } }`

type gqlCitation struct {
	PathID   string
	Note     string
	User     *string
	Entry    *float64
	Strength float64
	Document string
	Nodes    []struct{ ID, Name string }
	Hops     []struct {
		From, To string
		Weight   float64
	}
	Health struct {
		Status          string
		Strength        *float64
		BrokenAt        *int
		Reason          *string
		ReplacementNote *string
		Replacement     *struct {
			ID       string
			Strength float64
			Entry    *struct {
				User     string
				Strength float64
			}
			Hops []struct {
				From, To struct{ ID string }
				Weight   float64
			}
		}
	}
}

type gqlPlan struct {
	ID, Owner, Status, PeriodStart, PeriodEnd, CreatedBy, UpdatedBy string
	Hospital, Product                                               struct{ ID string }
	Stakeholders                                                    []struct {
		HcpID, Stage, Segment string
		Hcp                   *struct{ ID string }
	}
	Citations []gqlCitation
}

func readPlan(t *testing.T, m *Main, authz, id string) *gqlPlan {
	t.Helper()
	var got struct{ AccountPlan *gqlPlan }
	mustQueryAuth(t, m.Handler(), authz, `query($id: ID!) { accountPlan(id: $id) { `+planFields+` } }`, map[string]any{"id": id}, &got)
	return got.AccountPlan
}

// TestAccountPlanCitesPathsDurably is issue 14's "done when" for plans,
// as a KAM of T01 (U004) would try it: create a plan for H001/RX01, cite
// the decision chain's paths, restart the service, delete a tie on one
// cited path, and the plan still shows that path unchanged beside its
// health "broken at hop 2" and a replacement.
func TestAccountPlanCitesPathsDurably(t *testing.T) {
	skipShort(t)
	dir := t.TempDir()
	m, err := openEmbeddedService(t.Context(), dir)
	if err != nil {
		t.Skip(err)
	}
	kam := bearer(t, "U004", auth.RoleKAM, []string{"T01"})
	var created struct {
		CreateAccountPlan struct {
			Plan    gqlPlan
			Changed bool
		}
	}
	mustQueryAuth(t, m.Handler(), kam, `mutation { createAccountPlan(input: {hospital: "H001", product: "RX01",
		periodStart: "2027-01-01", periodEnd: "2029-12-31",
		goals: [{year: 2027, goal: "40 patients a month", target: 40, unit: "patients/month"}],
		objectives: [{area: RESEARCH, year: 2027, description: "real-world study"}, {area: PERFORMANCE, year: 2028, description: "listing at H001"}],
		stakeholders: [{hcp: "P000005", stage: PROPOSE, segment: A, nextAction: "department meeting", nextActionDue: "2027-01-15"}]})
		{ plan { `+planFields+` } changed } }`, nil, &created)
	plan := created.CreateAccountPlan.Plan
	if !created.CreateAccountPlan.Changed || !strings.HasPrefix(plan.ID, "AP-") || plan.Owner != "U004" || plan.CreatedBy != "U004" ||
		plan.Status != "DRAFT" || plan.Hospital.ID != "H001" || len(plan.Stakeholders) != 1 || plan.Stakeholders[0].Stage != "PROPOSE" {
		t.Fatalf("created plan %+v", plan)
	}

	var chain struct {
		DecisionChain struct {
			Stages []struct {
				Kind string
				Path *struct {
					ID       string
					Strength float64
				}
			}
		}
	}
	mustQueryAuth(t, m.Handler(), kam, `{ decisionChain(hospital: "H001", product: "RX01") { stages { kind path { id strength } } } }`, nil, &chain)
	var cited []string
	for _, st := range chain.DecisionChain.Stages {
		if st.Path == nil {
			continue
		}
		mustQueryAuth(t, m.Handler(), kam, `mutation($p: ID!, $x: ID!, $n: String) { citePath(plan: $p, path: $x, note: $n) { changed } }`,
			map[string]any{"p": plan.ID, "x": st.Path.ID, "n": st.Kind}, nil)
		cited = append(cited, st.Path.ID)
	}
	if len(cited) < 3 {
		t.Fatalf("the chain of H001 for U004 has %d paths; the test needs 3", len(cited))
	}
	// Citing a path twice leaves the plan as it is.
	var again struct{ CitePath struct{ Changed bool } }
	mustQueryAuth(t, m.Handler(), kam, `mutation($p: ID!, $x: ID!) { citePath(plan: $p, path: $x) { changed } }`,
		map[string]any{"p": plan.ID, "x": cited[0]}, &again)
	if again.CitePath.Changed {
		t.Error("citing a cited path again changed the plan")
	}
	before := readPlan(t, m, kam, plan.ID)
	if len(before.Citations) != len(cited) {
		t.Fatalf("%d citations, want %d", len(before.Citations), len(cited))
	}
	for i, c := range before.Citations {
		if c.PathID != cited[i] || c.Health.Status != "UNCHANGED" || c.User == nil || *c.User != "U004" || c.Entry == nil {
			t.Errorf("citation %d: %+v", i, c)
		}
		checkStrength(t, m, c)
	}

	// Restart: the plan and its citations are read from the store.
	m.Close()
	if m, err = openEmbeddedService(t.Context(), dir); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	// A cited path of at least 2 hops loses its second tie.
	i := slices.IndexFunc(before.Citations, func(c gqlCitation) bool { return len(c.Hops) >= 2 })
	if i < 0 {
		t.Fatal("no cited path has 2 hops")
	}
	hop := before.Citations[i].Hops[1]
	mustQuery(t, m.Handler(), `mutation($f: ID!, $t: ID!) { deleteInfluence(from: $f, to: $t) { deleted } }`,
		map[string]any{"f": hop.From, "t": hop.To}, nil)
	m.refreshAnalytics(t)

	after := readPlan(t, m, kam, plan.ID)
	for j, c := range after.Citations {
		if c.Document != before.Citations[j].Document {
			t.Errorf("citation %d changed on the store:\n%s\n%s", j, before.Citations[j].Document, c.Document)
		}
	}
	c := after.Citations[i]
	if c.Health.Status != "BROKEN" || c.Health.BrokenAt == nil || *c.Health.BrokenAt != 2 || c.Health.Strength != nil {
		t.Fatalf("health after deleting %s->%s: %+v", hop.From, hop.To, c.Health)
	}
	if r := *c.Health.Reason; !strings.Contains(r, hop.From) || !strings.Contains(r, hop.To) || !strings.Contains(r, "removed") {
		t.Errorf("reason %q does not name the removed tie", r)
	}
	rep := c.Health.Replacement
	if rep == nil {
		t.Fatalf("no replacement: %v", *c.Health.ReplacementNote)
	}
	// The replacement reaches the same HCP without the removed tie, and its
	// strength is its entry tie times its hop weights as the store has them.
	last := rep.Hops[len(rep.Hops)-1].To.ID
	if want := c.Nodes[len(c.Nodes)-1].ID; last != want {
		t.Errorf("the replacement ends at %s, want %s", last, want)
	}
	strength := rep.Entry.Strength
	for _, h := range rep.Hops {
		if h.From.ID == hop.From && h.To.ID == hop.To {
			t.Errorf("the replacement uses the removed tie")
		}
		strength *= storedWeight(t, m, h.From.ID, h.To.ID)
	}
	if math.Abs(strength-rep.Strength) > 1e-12 {
		t.Errorf("replacement strength %v, the store's weights give %v", rep.Strength, strength)
	}
	checkPlanDocument(t, m, kam, plan.ID, after, i)

	// Citing the replacement works: its id resolves now.
	mustQueryAuth(t, m.Handler(), kam, `mutation($p: ID!, $x: ID!) { citePath(plan: $p, path: $x, note: "replacement") { changed } }`,
		map[string]any{"p": plan.ID, "x": rep.ID}, nil)
	mustQueryAuth(t, m.Handler(), kam, `mutation($p: ID!, $x: ID!) { uncitePath(plan: $p, path: $x) { changed } }`,
		map[string]any{"p": plan.ID, "x": c.PathID}, nil)
	final := readPlan(t, m, kam, plan.ID)
	if n := len(final.Citations); n != len(cited) || final.Citations[n-1].PathID != rep.ID || final.Citations[n-1].Health.Status != "UNCHANGED" {
		t.Errorf("after replacing the broken citation: %+v", final.Citations)
	}

	checkWhatIf(t, m, kam, plan.ID, final)

	// Every change is in the audit log, by U004.
	var log struct {
		AuditLog struct {
			Edges []struct {
				Node struct{ Actor, Source, Op string }
			}
		}
	}
	mustQuery(t, m.Handler(), `query($e: ID!) { auditLog(entity: $e, kind: ACCOUNT_PLANS, first: 100) { edges { node { actor source op } } } }`,
		map[string]any{"e": plan.ID}, &log)
	wantWrites := 1 + len(cited) + 2 // create, the cites, the replacement and the uncite
	if len(log.AuditLog.Edges) != wantWrites {
		t.Errorf("%d audit entries for the plan, want %d: %+v", len(log.AuditLog.Edges), wantWrites, log.AuditLog.Edges)
	}
	for _, e := range log.AuditLog.Edges {
		if e.Node.Actor != "U004" {
			t.Errorf("audit entry by %q: %+v", e.Node.Actor, e.Node)
		}
	}
}

// checkStrength holds a citation's strength to its entry tie times its hop
// weights, read back from the store.
func checkStrength(t *testing.T, m *Main, c gqlCitation) {
	t.Helper()
	s := *c.Entry
	for _, h := range c.Hops {
		if w := storedWeight(t, m, h.From, h.To); w != h.Weight {
			t.Errorf("hop %s->%s cited with weight %v, stored %v", h.From, h.To, h.Weight, w)
		}
		s *= h.Weight
	}
	if math.Abs(s-c.Strength) > 1e-12 {
		t.Errorf("citation %s: strength %v, entry times weights %v", c.PathID, c.Strength, s)
	}
}

func storedWeight(t *testing.T, m *Main, from, to string) float64 {
	t.Helper()
	es, err := m.Store.Influences(context.Background(), []kolgraph.EdgeKey{{From: from, To: to}})
	if err != nil || len(es) != 1 || es[0] == nil {
		t.Fatalf("no stored tie %s->%s (%v)", from, to, err)
	}
	return es[0].Weight
}

// TestAccountPlanRoles: a kam writes plans in its own territories,
// strategists anywhere, viewers and compliance read; the citing user's
// tie is shown only to that user and admins; bad input is refused with
// its code and writes nothing.
func TestAccountPlanRoles(t *testing.T) {
	skipShort(t)
	m := ownService(t)
	h := m.Handler()
	kam := bearer(t, "U004", auth.RoleKAM, []string{"T01"})
	kamT02 := bearer(t, "U007", auth.RoleKAM, []string{"T02"})
	strategist := bearer(t, "U002", auth.RoleStrategist, nil)
	viewer := bearer(t, "U006", auth.RoleViewer, []string{"T01"})
	compliance := bearer(t, "U003", auth.RoleCompliance, nil)
	create := func(authz, hospital, extra string) exchange {
		if !strings.Contains(extra, "periodEnd") {
			extra += `, periodEnd: "2027-12-31"`
		}
		return ask(t, h, authz, fmt.Sprintf(`mutation { createAccountPlan(input: {hospital: %q, product: "RX01",
			periodStart: "2027-01-01"%s}) { plan { id owner } } }`, hospital, extra), nil)
	}
	planID := func(x exchange) string {
		t.Helper()
		if len(x.resp.Errors) > 0 {
			t.Fatalf("create: %s", x.body)
		}
		var d struct {
			CreateAccountPlan struct{ Plan struct{ ID string } }
		}
		if err := json.Unmarshal(x.resp.Data, &d); err != nil {
			t.Fatal(err)
		}
		return d.CreateAccountPlan.Plan.ID
	}
	mine := planID(create(kam, "H001", ""))
	planID(create(strategist, "H001", `, owner: "U005"`))
	for _, tt := range []struct {
		name, authz, hospital, extra, code string
	}{
		{"a viewer", viewer, "H001", "", "FORBIDDEN"},
		{"compliance", compliance, "H001", "", "FORBIDDEN"},
		{"a kam outside its territories", kamT02, "H001", "", "FORBIDDEN"},
		{"a period ending before it starts", kam, "H001", `, periodEnd: "2026-12-31"`, "BAD_USER_INPUT"},
		{"an unknown stakeholder", strategist, "H001", `, stakeholders: [{hcp: "P999999"}]`, "BAD_USER_INPUT"},
		// A kam is not told whether an HCP outside its territories exists.
		{"a kam's unknown stakeholder", kam, "H001", `, stakeholders: [{hcp: "P999999"}]`, "FORBIDDEN"},
		{"an unknown hospital", strategist, "H999", "", "BAD_USER_INPUT"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			x := create(tt.authz, tt.hospital, tt.extra)
			if got := x.resp.codes(); !slices.Equal(got, []string{tt.code}) {
				t.Errorf("codes %v, want %s: %s", got, tt.code, x.body)
			}
		})
	}
	// A strategist may write plans but not the graph, not even in the
	// same operation as a plan.
	x := ask(t, h, strategist, `mutation { deleteAccountPlan(id: "AP-none") { deleted } upsertTerritory(input: {id: "T09", name: "x"}) { changed } }`, nil)
	if got := x.resp.codes(); !slices.Equal(got, []string{"FORBIDDEN"}) {
		t.Errorf("a strategist's graph write beside a plan's: %v", got)
	}

	var list struct {
		AccountPlans struct {
			TotalCount int
			Edges      []struct{ Node struct{ ID, Owner string } }
		}
	}
	mustQueryAuth(t, h, compliance, `{ accountPlans(filter: {hospital: "H001"}) { totalCount edges { node { id owner } } } }`, nil, &list)
	if list.AccountPlans.TotalCount != 2 {
		t.Errorf("compliance sees %d plans of H001, want 2", list.AccountPlans.TotalCount)
	}
	mustQueryAuth(t, h, kamT02, `{ accountPlans { totalCount edges { node { id owner } } } }`, nil, &list)
	if list.AccountPlans.TotalCount != 0 {
		t.Errorf("a kam of T02 sees %d plans of T01", list.AccountPlans.TotalCount)
	}
	if p := readPlan(t, m, kamT02, mine); p != nil {
		t.Errorf("a kam of T02 reads a plan of T01")
	}
	mustQueryAuth(t, h, strategist, `{ accountPlans(filter: {owner: "U005"}) { totalCount edges { node { id owner } } } }`, nil, &list)
	if list.AccountPlans.TotalCount != 1 || list.AccountPlans.Edges[0].Node.Owner != "U005" {
		t.Errorf("plans owned by U005: %+v", list.AccountPlans)
	}

	// U004 cites one of its paths; a viewer reads the citation without
	// U004's tie, U004 with it.
	var chain struct {
		DecisionChain struct {
			Stages []struct{ Path *struct{ ID string } }
		}
	}
	mustQueryAuth(t, h, kam, `{ decisionChain(hospital: "H001", product: "RX01") { stages { path { id } } } }`, nil, &chain)
	i := slices.IndexFunc(chain.DecisionChain.Stages, func(s struct{ Path *struct{ ID string } }) bool { return s.Path != nil })
	if i < 0 {
		t.Fatal("no path in H001's chain for U004")
	}
	mustQueryAuth(t, h, kam, `mutation($p: ID!, $x: ID!) { citePath(plan: $p, path: $x) { changed } }`,
		map[string]any{"p": mine, "x": chain.DecisionChain.Stages[i].Path.ID}, nil)
	if c := readPlan(t, m, kam, mine).Citations[0]; c.Entry == nil {
		t.Error("U004 does not see its own tie in its citation")
	}
	if c := readPlan(t, m, viewer, mine).Citations[0]; c.Entry != nil || c.User == nil || *c.User != "U004" {
		t.Errorf("a viewer sees U004's tie: %+v", c)
	}
	// A viewer may not cite, a malformed id is BAD_USER_INPUT, a path
	// that no longer resolves NOT_FOUND, a status change is recorded.
	for _, tt := range []struct {
		authz, query, code string
	}{
		{viewer, `mutation($p: ID!) { setAccountPlanStatus(id: $p, status: ACTIVE) { changed } }`, "FORBIDDEN"},
		{kam, `mutation($p: ID!) { citePath(plan: $p, path: "not-a-path") { changed } }`, "BAD_USER_INPUT"},
		{kam, `mutation($p: ID!) { citePath(plan: $p, path: "path-AgEEVTAwNAT4C_cLwwOEAUqGsLepn3oUOkzlpVIyfug") { changed } }`, "NOT_FOUND"},
		{kam, `mutation { setAccountPlanStatus(id: "AP-none", status: ACTIVE) { changed } }`, "NOT_FOUND"},
		{kamT02, `mutation($p: ID!) { setAccountPlanStatus(id: $p, status: ACTIVE) { changed } }`, "NOT_FOUND"},
	} {
		x := ask(t, h, tt.authz, tt.query, map[string]any{"p": mine})
		if strings.Contains(tt.query, "AP-none") {
			x = ask(t, h, tt.authz, tt.query, nil)
		}
		if got := x.resp.codes(); !slices.Equal(got, []string{tt.code}) {
			t.Errorf("%s: codes %v, want %s: %s", tt.query, got, tt.code, x.body)
		}
	}
	var st struct {
		SetAccountPlanStatus struct{ Plan struct{ Status string } }
	}
	mustQueryAuth(t, h, kam, `mutation($p: ID!) { setAccountPlanStatus(id: $p, status: ACTIVE) { plan { status } } }`, map[string]any{"p": mine}, &st)
	if st.SetAccountPlanStatus.Plan.Status != "ACTIVE" {
		t.Errorf("status %q", st.SetAccountPlanStatus.Plan.Status)
	}
	mustQueryAuth(t, h, viewer, `{ accountPlans(filter: {status: ACTIVE}) { totalCount edges { node { id owner } } } }`, nil, &list)
	if list.AccountPlans.TotalCount != 1 || list.AccountPlans.Edges[0].Node.ID != mine {
		t.Errorf("active plans: %+v", list.AccountPlans)
	}
}

// checkWhatIf removes H001's most influential HCP in a what-if: they are
// listed as removed with their live standing, are no mover, the live
// ranking is unchanged afterwards, and the citations that break are
// exactly those passing through them (removing an HCP changes no other
// tie, so no other citation can fare worse).
func checkWhatIf(t *testing.T, m *Main, authz, planID string, plan *gqlPlan) {
	t.Helper()
	type ranked struct {
		Hcp   struct{ ID string }
		Value float64
		Rank  int
	}
	var rk struct {
		InfluenceRanking struct{ Edges []struct{ Node ranked } }
	}
	const ranking = `{ influenceRanking(scope: {hospital: "H001"}, first: 5) { edges { node { hcp { id } value rank } } } }`
	mustQueryAuth(t, m.Handler(), authz, ranking, nil, &rk)
	top := rk.InfluenceRanking.Edges[0].Node
	var got struct {
		WhatIf struct {
			Movers []struct {
				Metric          string
				Gainers, Losers []struct {
					Hcp                   struct{ ID string }
					Before, After, Delta  float64
					RankBefore, RankAfter int
				}
				Removed []struct {
					Hcp        struct{ ID string }
					Before     float64
					RankBefore int
				}
			}
			Stages []struct {
				Kind string
				Lost []struct{ ID string }
			}
			Citations []struct {
				Plan          struct{ ID string }
				Citation      struct{ PathID string }
				Before, After struct {
					Status string
				}
			}
		}
	}
	mustQueryAuth(t, m.Handler(), authz, `query($top: ID!) { whatIf(scope: {hospital: "H001"}, removeHcps: [$top], product: "RX01", metric: PAGERANK, movers: 5) {
		movers { metric gainers { hcp { id } before after delta rankBefore rankAfter } losers { hcp { id } before after delta rankBefore rankAfter } removed { hcp { id } before rankBefore } }
		stages { kind lost { id } }
		citations { plan { id } citation { pathId } before { status } after { status } } } }`, map[string]any{"top": top.Hcp.ID}, &got)
	w := got.WhatIf
	if len(w.Movers) != 2 || w.Movers[0].Metric != "INFLUENCE" || w.Movers[1].Metric != "PAGERANK" {
		t.Fatalf("movers %+v", w.Movers)
	}
	inf := w.Movers[0]
	if len(inf.Removed) != 1 || inf.Removed[0].Hcp.ID != top.Hcp.ID || inf.Removed[0].RankBefore != 1 || inf.Removed[0].Before != top.Value {
		t.Errorf("removed %+v, want %s at rank 1 with %v", inf.Removed, top.Hcp.ID, top.Value)
	}
	for _, mm := range w.Movers {
		if len(mm.Gainers) == 0 || len(mm.Gainers) > 5 || len(mm.Losers) > 5 {
			t.Errorf("%s: %d gainers, %d losers (5 asked for)", mm.Metric, len(mm.Gainers), len(mm.Losers))
		}
		for _, g := range mm.Gainers {
			if g.Hcp.ID == top.Hcp.ID || g.Delta != g.After-g.Before || (g.Delta <= 0 && g.RankAfter >= g.RankBefore) {
				t.Errorf("%s gainer %+v", mm.Metric, g)
			}
		}
		for _, l := range mm.Losers {
			if l.Hcp.ID == top.Hcp.ID || l.Delta >= 0 && l.RankAfter <= l.RankBefore {
				t.Errorf("%s loser %+v", mm.Metric, l)
			}
		}
	}
	var again struct {
		InfluenceRanking struct{ Edges []struct{ Node ranked } }
	}
	mustQueryAuth(t, m.Handler(), authz, ranking, nil, &again)
	if fmt.Sprint(again) != fmt.Sprint(rk) {
		t.Errorf("the live ranking changed after a what-if:\n%v\n%v", rk, again)
	}
	var through []string
	for _, c := range plan.Citations {
		if slices.ContainsFunc(c.Nodes, func(n struct{ ID, Name string }) bool { return n.ID == top.Hcp.ID }) {
			through = append(through, c.PathID)
		}
	}
	var broken []string
	for _, c := range w.Citations {
		if c.Plan.ID != planID || c.Before.Status != "UNCHANGED" || c.After.Status != "BROKEN" {
			t.Errorf("citation %+v", c)
		}
		broken = append(broken, c.Citation.PathID)
	}
	if len(through) == 0 || !slices.Equal(broken, through) {
		t.Errorf("citations broken by removing %s: %v; those through them: %v", top.Hcp.ID, broken, through)
	}
	if !slices.ContainsFunc(w.Stages, func(s struct {
		Kind string
		Lost []struct{ ID string }
	}) bool {
		return len(s.Lost) == 1 && s.Lost[0].ID == top.Hcp.ID
	}) {
		t.Errorf("no decision stage loses %s: %+v", top.Hcp.ID, w.Stages)
	}
}

// checkPlanDocument downloads the plan as Markdown and HTML: each cited
// path with its id, hops and health (broken is the i-th), in Chinese by
// default; another territory's kam gets 404, a bad format 400.
func checkPlanDocument(t *testing.T, m *Main, authz, id string, plan *gqlPlan, broken int) {
	t.Helper()
	get := func(authz, query string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/reports/plan?"+query, nil)
		req.Header.Set("Authorization", authz)
		rec := httptest.NewRecorder()
		m.Handler().ServeHTTP(rec, req)
		return rec
	}
	md := get(authz, "id="+id+"&format=md")
	if md.Code != http.StatusOK || !strings.HasPrefix(md.Header().Get("Content-Type"), "text/markdown") {
		t.Fatalf("markdown: %d %s", md.Code, md.Body)
	}
	body := md.Body.String()
	for j, c := range plan.Citations {
		if !strings.Contains(body, "`"+c.PathID+"`") {
			t.Errorf("the document does not cite %s", c.PathID)
		}
		if first := c.Nodes[0]; !strings.Contains(body, first.Name+" ("+first.ID+")") {
			t.Errorf("citation %d: no hop from %s", j, first.ID)
		}
	}
	hop := plan.Citations[broken].Hops[1]
	if want := "在第 2 跳断开"; !strings.Contains(body, want) || !strings.Contains(body, hop.From) || !strings.Contains(body, "的影响关系已删除") {
		t.Errorf("the document does not say the citation broke at hop 2:\n%s", body)
	}
	if r := plan.Citations[broken].Health.Replacement; r == nil || !strings.Contains(body, "`"+r.ID+"`") {
		t.Errorf("the document does not give the replacement")
	}
	html := get(authz, "id="+id+"&lang=en")
	if html.Code != http.StatusOK || !strings.Contains(html.Body.String(), "broken at hop 2") || !strings.Contains(html.Body.String(), "<h2>Cited paths</h2>") {
		t.Errorf("html: %d %.400s", html.Code, html.Body)
	}
	if rec := get(bearer(t, "U007", auth.RoleKAM, []string{"T02"}), "id="+id); rec.Code != http.StatusNotFound {
		t.Errorf("a kam of T02: %d", rec.Code)
	}
	if rec := get(authz, "id="+id+"&format=pdf"); rec.Code != http.StatusBadRequest {
		t.Errorf("format pdf: %d", rec.Code)
	}
}

// TestPlanStakeholdersFromChain: a plan created with stakeholdersFromChain
// lists, after the stakeholder given, every person of the hospital's
// decision chain once, with the stage, role and influence the chain gives
// and the segment the hospital's account matrix gives (none for access
// stakeholders, who are not classified).
func TestPlanStakeholdersFromChain(t *testing.T) {
	skipShort(t)
	m := ownService(t)
	kam := bearer(t, "U004", auth.RoleKAM, []string{"T01"})
	type person struct {
		Hcp       struct{ ID string }
		Role      string
		Influence *struct{ Value float64 }
	}
	var chain struct {
		DecisionChain struct {
			Stages []struct {
				Kind   string
				People []person
			}
		}
	}
	mustQueryAuth(t, m.Handler(), kam, `{ decisionChain(hospital: "H001", product: "RX01") { stages { kind people { hcp { id } role influence { value } } } } }`, nil, &chain)
	var matrix struct {
		AccountMatrix struct {
			Cells []struct {
				Segment string
				Members struct {
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
	}
	mustQueryAuth(t, m.Handler(), kam, `{ accountMatrix(scope: {hospital: "H001"}, product: "RX01") { cells { segment members(first: 500) { edges { node { id } } } } } }`, nil, &matrix)
	segment := map[string]string{}
	for _, c := range matrix.AccountMatrix.Cells {
		for _, e := range c.Members.Edges {
			segment[e.Node.ID] = c.Segment
		}
	}
	var created struct {
		CreateAccountPlan struct {
			Plan struct {
				Stakeholders []struct {
					HcpID, Role, Stage string
					Segment            *string
					Influence          *float64
					Owner              string
				}
			}
		}
	}
	mustQueryAuth(t, m.Handler(), kam, `mutation { createAccountPlan(input: {hospital: "H001", product: "RX01", periodStart: "2027-01-01",
		periodEnd: "2027-12-31", stakeholders: [{hcp: "P000005", role: "my contact"}], stakeholdersFromChain: true})
		{ plan { stakeholders { hcpId role stage segment influence owner } } } }`, nil, &created)
	got := created.CreateAccountPlan.Plan.Stakeholders
	if len(got) == 0 || got[0].HcpID != "P000005" || got[0].Role != "my contact" {
		t.Fatalf("the given stakeholder does not come first: %+v", got)
	}
	i := 1
	seen := map[string]bool{"P000005": true}
	for _, st := range chain.DecisionChain.Stages {
		for _, p := range st.People {
			if seen[p.Hcp.ID] {
				continue
			}
			seen[p.Hcp.ID] = true
			if i >= len(got) {
				t.Fatalf("%d stakeholders; the chain has more people", len(got))
			}
			g := got[i]
			i++
			if g.HcpID != p.Hcp.ID || g.Stage != st.Kind || g.Role != p.Role || g.Owner != "U004" ||
				(p.Influence == nil) != (g.Influence == nil) || (p.Influence != nil && *g.Influence != p.Influence.Value) {
				t.Errorf("stakeholder %+v; the chain has %s at %s as %s (%+v)", g, p.Hcp.ID, st.Kind, p.Role, p.Influence)
			}
			if want := segment[p.Hcp.ID]; (g.Segment == nil) != (want == "") || (g.Segment != nil && *g.Segment != want) {
				t.Errorf("%s's segment %v, the matrix says %q", g.HcpID, g.Segment, want)
			}
		}
	}
	if i != len(got) || i < 5 {
		t.Errorf("%d stakeholders, the chain gives %d", len(got), i)
	}
}

// skipShort skips, under -short, a test of its own service that checks
// what a user sees rather than how requests interleave: CI's race and
// Neo4j runs use -short, and each such service seeds the region anew.
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("a service of its own: run without -short")
	}
}
