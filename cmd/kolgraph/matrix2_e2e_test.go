package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/seed"
)

// TestMatrixAsARegionalManagerUsesIt asks for T01/RX01 as KAM U004 would
// and checks the second edition's rules against the seed records:
//   - no prescriber segment holds a physician of a non-indicated
//     specialty, a pharmacist, a nurse or an administrator;
//   - the stakeholders are the pharmacy and committee people and the
//     hospital leaders, with paths from U004's contacts;
//   - H003 (fee-for-service) is not DRG-cut and the at-risk departments
//     are those of DRG/DIP hospitals under 0.5;
//   - members at hospitals where RX01 is not listed get the access-first
//     playbook; cadences say what kind of contact they are.
func TestMatrixAsARegionalManagerUsesIt(t *testing.T) {
	cs, err := seedfile.Read(seed.FS)
	if err != nil {
		t.Fatal(err)
	}
	want := prescribers(t, "T01", "RX01")
	listed := map[string]bool{}
	for _, l := range cs.Listings {
		if l.ProductID == "RX01" && l.Status == "listed" {
			listed[l.HospitalID] = true
		}
	}
	payment := map[string]string{}
	for _, h := range cs.Hospitals {
		payment[h.ID] = h.PaymentModel
	}
	var got struct {
		AccountMatrix struct {
			Cells []struct {
				Segment string
				Cadence struct{ Code, Contact, ContactLabel string }
				Members struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							ID             string
							Playbook       string
							AccessFirst    bool
							Listing        *struct{ Status string }
							Hospital       struct{ ID string }
							HCP            struct{ Role, Specialty string }
							PotentialTerms struct {
								DrgCorrection float64
								CaseBased     bool
								AtRisk        bool
							}
						}
					}
				}
			}
			AtRiskDepartments []struct {
				Department     struct{ ID string }
				Hospital       struct{ ID string }
				PaymentModel   string
				EnrollmentRate float64
			}
			Stakeholders struct {
				TotalCount int
				User       *string
				Edges      []struct {
					Node struct {
						HCP      struct{ ID, Role, Position string }
						Stage    string
						Playbook string
						Path     *struct {
							Hops []struct{ To struct{ ID string } }
						}
					}
				}
			}
		}
	}
	mustQueryAs(t, svc.Handler(), "U004", `{ accountMatrix(scope: {territory: "T01"}, product: "RX01") {
		cells { segment cadence { code contact contactLabel }
			members(first: 500) { totalCount edges { node { id playbook accessFirst listing { status } hospital { id }
				hcp { role specialty } potentialTerms { drgCorrection caseBased atRisk } } } } }
		atRiskDepartments { department { id } hospital { id } paymentModel enrollmentRate }
		stakeholders(first: 500) { totalCount user edges { node { hcp { id role position } stage playbook path { hops { to { id } } } } } } } }`, nil, &got)
	m := got.AccountMatrix

	total := 0
	for _, c := range m.Cells {
		if c.Cadence.Contact == "" || c.Cadence.ContactLabel == "" {
			t.Errorf("segment %s: cadence %+v says no kind of contact", c.Segment, c.Cadence)
		}
		total += c.Members.TotalCount
		for _, e := range c.Members.Edges {
			n := e.Node
			if !want[n.ID] {
				t.Errorf("%s (%s, %s) is in segment %s but does not prescribe RX01", n.ID, n.HCP.Role, n.HCP.Specialty, c.Segment)
			}
			if n.AccessFirst == listed[n.Hospital.ID] {
				t.Errorf("%s at %s: access first %v, listed %v", n.ID, n.Hospital.ID, n.AccessFirst, listed[n.Hospital.ID])
			}
			if n.AccessFirst && !strings.HasPrefix(n.Playbook, "Access first") {
				t.Errorf("%s: playbook %q at a hospital where RX01 is not listed", n.ID, n.Playbook)
			}
			if n.Hospital.ID == "H003" && (n.PotentialTerms.DrgCorrection != 0 || n.PotentialTerms.CaseBased || n.PotentialTerms.AtRisk) {
				t.Errorf("%s at the FFS hospital H003: %+v", n.ID, n.PotentialTerms)
			}
		}
	}
	if total != len(want) {
		t.Errorf("the cells hold %d HCPs, RX01 has %d prescribers in T01", total, len(want))
	}

	if len(m.AtRiskDepartments) == 0 {
		t.Error("no department at risk in T01")
	}
	for _, d := range m.AtRiskDepartments {
		if (d.PaymentModel != "DRG" && d.PaymentModel != "DIP") || payment[d.Hospital.ID] != d.PaymentModel || d.EnrollmentRate >= 0.5 {
			t.Errorf("at risk: %+v (hospital pays %s)", d, payment[d.Hospital.ID])
		}
	}

	st := m.Stakeholders
	if st.User == nil || *st.User != "U004" || st.TotalCount == 0 || len(st.Edges) != st.TotalCount {
		t.Fatalf("stakeholders: total %d, %d edges, user %v", st.TotalCount, len(st.Edges), st.User)
	}
	withPath := 0
	for _, e := range st.Edges {
		n := e.Node
		if n.HCP.Role == kolgraph.RoleNurse || n.Playbook == "" || n.Stage == "" || n.Stage == "PROPOSE" {
			t.Errorf("stakeholder %+v", n)
		}
		if n.Path != nil {
			withPath++
			if hops := n.Path.Hops; len(hops) > 0 && hops[len(hops)-1].To.ID != n.HCP.ID {
				t.Errorf("path to %s ends at %s", n.HCP.ID, hops[len(hops)-1].To.ID)
			}
		}
	}
	if withPath == 0 {
		t.Error("U004 reaches no stakeholder")
	}
	t.Logf("T01/RX01: %d prescribers in the matrix, %d stakeholders (%d with a path from U004), %d departments at risk",
		total, st.TotalCount, withPath, len(m.AtRiskDepartments))
}

// TestMatrixLabelsInChinese: with Accept-Language zh-CN the API says the
// playbooks, cadences, kinds of contact and the access-first playbook in
// Chinese; without it, in English; ids and codes never change.
func TestMatrixLabelsInChinese(t *testing.T) {
	const q = `{ accountMatrix(scope: {territory: "T01"}, product: "RX01") {
		cells { segment playbook cadence { code label contactLabel }
			members(first: 200) { edges { node { id accessFirst playbook } } } }
		stakeholders(first: 1) { edges { node { stage stageLabel playbook } } } } }`
	type answer struct {
		AccountMatrix struct {
			Cells []struct {
				Segment, Playbook string
				Cadence           struct{ Code, Label, ContactLabel string }
				Members           struct {
					Edges []struct {
						Node struct {
							ID          string
							AccessFirst bool
							Playbook    string
						}
					}
				}
			}
			Stakeholders struct {
				Edges []struct {
					Node struct{ Stage, StageLabel, Playbook string }
				}
			}
		}
	}
	get := func(acceptLanguage string) (a answer) {
		queryInLanguage(t, acceptLanguage, q, &a)
		return a
	}
	zh, en := get("zh-CN,zh;q=0.9,en;q=0.5"), get("")
	a := zh.AccountMatrix.Cells[0]
	if a.Segment != "A" || a.Cadence.Code != "BIWEEKLY" || a.Cadence.Label != "每两周" ||
		a.Cadence.ContactLabel != "围绕联合计划的深度沟通" || !strings.HasPrefix(a.Playbook, "与该医生共同制定") {
		t.Errorf("zh-CN cell A: %+v", a)
	}
	if e := en.AccountMatrix.Cells[0]; e.Cadence.Label != "every 2 weeks" || !strings.HasPrefix(e.Playbook, "Co-develop") {
		t.Errorf("English cell A: %+v", e)
	}
	accessFirst := 0
	for _, c := range zh.AccountMatrix.Cells {
		for _, e := range c.Members.Edges {
			if e.Node.AccessFirst {
				accessFirst++
				if !strings.HasPrefix(e.Node.Playbook, "准入优先：RX01在本院") {
					t.Errorf("%s: access-first playbook %q", e.Node.ID, e.Node.Playbook)
				}
			}
		}
	}
	if accessFirst == 0 {
		t.Error("no access-first member to check")
	}
	if s := zh.AccountMatrix.Stakeholders.Edges[0].Node; s.Stage != "PHARMACY_REVIEW" || s.StageLabel != "药剂科审核" || !strings.HasPrefix(s.Playbook, "向药剂科提交") {
		t.Errorf("zh-CN stakeholder %+v", s)
	}
}

// TestMarketAccess: a hospital's listings say key monitoring and national
// insurance as the seed's listings.csv has them, and upsertListing writes
// them (an omitted flag is false: an upsert replaces the whole listing).
func TestMarketAccess(t *testing.T) {
	writesShared(t)
	want := map[string][2]bool{}
	for _, l := range csvRowsOf(t, "listings.csv") {
		if l["hospital_id"] == "H001" {
			want[l["product_id"]] = [2]bool{l["key_monitoring"] == "yes", l["national_insurance"] == "yes"}
		}
	}
	type listings struct {
		Hospital struct {
			Listings []struct {
				Product                          struct{ ID string }
				KeyMonitoring, NationalInsurance bool
			}
		}
	}
	var got listings
	mustQuery(t, svc.Handler(), `{ hospital(id: "H001") { listings { product { id } keyMonitoring nationalInsurance } } }`, nil, &got)
	if len(got.Hospital.Listings) != len(want) || len(want) == 0 {
		t.Fatalf("%d listings, the seed has %d", len(got.Hospital.Listings), len(want))
	}
	keyMonitored := false
	for _, l := range got.Hospital.Listings {
		if w := want[l.Product.ID]; [2]bool{l.KeyMonitoring, l.NationalInsurance} != w {
			t.Errorf("H001/%s: key monitoring %v, national insurance %v; the seed says %v", l.Product.ID, l.KeyMonitoring, l.NationalInsurance, w)
		}
		keyMonitored = keyMonitored || l.KeyMonitoring
	}
	if !keyMonitored {
		t.Error("no key-monitored product at H001 to check")
	}

	w := writeService(t)
	h := w.Handler()
	var up struct {
		UpsertListing struct {
			Listing struct{ KeyMonitoring, NationalInsurance bool }
		}
	}
	mustQuery(t, h, `mutation { upsertListing(input: {hospital: "H002", product: "RX03", status: "listed", since: "2026-11-30", keyMonitoring: true}) {
		listing { keyMonitoring nationalInsurance } } }`, nil, &up)
	if l := up.UpsertListing.Listing; !l.KeyMonitoring || l.NationalInsurance {
		t.Errorf("upserted listing %+v", l)
	}
	var after listings
	mustQuery(t, h, `{ hospital(id: "H002") { listings { product { id } keyMonitoring nationalInsurance } } }`, nil, &after)
	for _, l := range after.Hospital.Listings {
		if l.Product.ID == "RX03" && (!l.KeyMonitoring || l.NationalInsurance) {
			t.Errorf("H002/RX03 reads back %+v", l)
		}
	}
}

// csvRowsOf reads one of the seed's CSV files as maps from column to cell
// with encoding/csv alone.
func csvRowsOf(t *testing.T, name string) []map[string]string {
	t.Helper()
	f, err := seed.FS.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]string
	for _, r := range recs[1:] {
		m := map[string]string{}
		for i, c := range recs[0] {
			m[c] = r[i]
		}
		out = append(out, m)
	}
	return out
}

// TestChainLabelsInChinese: with Accept-Language zh-CN a decision chain's
// stages say their kind and what happens in Chinese, and people their
// position and title; without it, in English. Kinds and codes stay.
func TestChainLabelsInChinese(t *testing.T) {
	const q = `{ decisionChain(hospital: "H001", product: "RX01") { stages { kind label description
		people { hcp { position title positionLabel } } } } }`
	type answer struct {
		DecisionChain struct {
			Stages []struct {
				Kind, Label, Description string
				People                   []struct {
					Hcp struct{ Position, Title, PositionLabel string }
				}
			}
		}
	}
	get := func(acceptLanguage string) (a answer) {
		queryInLanguage(t, acceptLanguage, q, &a)
		return a
	}
	hasHan := func(s string) bool {
		for _, r := range s {
			if unicode.Is(unicode.Han, r) {
				return true
			}
		}
		return false
	}
	zh, en := get("zh-CN"), get("")
	if len(zh.DecisionChain.Stages) == 0 || len(zh.DecisionChain.Stages) != len(en.DecisionChain.Stages) {
		t.Fatalf("%d stages in Chinese, %d in English", len(zh.DecisionChain.Stages), len(en.DecisionChain.Stages))
	}
	for i, st := range zh.DecisionChain.Stages {
		e := en.DecisionChain.Stages[i]
		if st.Kind != e.Kind || !hasHan(st.Label) || !hasHan(st.Description) || hasHan(e.Label) || hasHan(e.Description) {
			t.Errorf("stage %s: zh %q / %q, en %q / %q", st.Kind, st.Label, st.Description, e.Label, e.Description)
		}
		for j, p := range st.People {
			if p.Hcp.Position != "staff" && p.Hcp.Position != "" && !hasHan(p.Hcp.PositionLabel) {
				t.Errorf("stage %s person %d: position label %q", st.Kind, j, p.Hcp.PositionLabel)
			}
			if ep := e.People[j].Hcp; ep.Position != "" && ep.Position != "staff" && !strings.HasPrefix(ep.PositionLabel, ep.Position) {
				t.Errorf("stage %s person %d: English position label %q", st.Kind, j, ep.PositionLabel)
			}
		}
	}
}

// queryInLanguage runs q on the shared service with the Accept-Language
// header (none when empty) and decodes its data into data; an error fails
// the test.
func queryInLanguage(t *testing.T, acceptLanguage, q string, data any) {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q})
	req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if acceptLanguage != "" {
		req.Header.Set("Accept-Language", acceptLanguage)
	}
	rec := httptest.NewRecorder()
	svc.Handler().ServeHTTP(rec, req)
	var resp struct {
		Data   json.RawMessage
		Errors []any
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || len(resp.Errors) > 0 {
		t.Fatalf("%q: %v %v", acceptLanguage, err, resp.Errors)
	}
	if err := json.Unmarshal(resp.Data, data); err != nil {
		t.Fatalf("%q: decode data: %v", acceptLanguage, err)
	}
}
