package main

import (
	"bytes"
	"cmp"
	csvpkg "encoding/csv"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/seedgen"
	"github.com/kolgraph/kolgraph/seed"
)

// TestMatrixOnActuals walks issue 15's first steps as a regional manager:
// generate a year of T01's prescription facts (kolgraph generate's
// generator), import them through the API, and read opportunity,
// penetration, trends and the 20/80 view in the account matrix. Every
// figure is recomputed here from the imported rows alone.
func TestMatrixOnActuals(t *testing.T) {
	skipShort(t)
	m := ownService(t)
	h := m.Handler()
	facts := importT01Facts(t, m)

	// By hand: each HCP's volume of RX01 by month.
	const product = "RX01"
	vol := map[string]map[string]float64{}
	for _, f := range facts {
		if f.ProductID != product || f.HCPID == "" {
			continue
		}
		if vol[f.HCPID] == nil {
			vol[f.HCPID] = map[string]float64{}
		}
		vol[f.HCPID][f.Month] += f.Volume
	}
	if len(vol) == 0 {
		t.Fatalf("the generator wrote no %s facts for T01 HCPs", product)
	}
	sum := func(id string, months ...string) float64 {
		var s float64
		for _, mo := range months {
			s += vol[id][mo]
		}
		return s
	}
	quarter := []string{"2026-09", "2026-10", "2026-11"}
	before := []string{"2026-06", "2026-07", "2026-08"}
	year := []string{"2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11"}

	var got struct {
		AccountMatrix struct {
			SalesMonth *string
			Cells      []struct {
				Segment       string
				ActualMonthly *float64
				Opportunity   *float64
				Members       struct {
					Edges []struct {
						Node struct {
							ID        string
							Potential float64
							Actual    *struct {
								LatestMonth string
								Monthly     float64
								Year        float64
								Opportunity *float64
								Penetration *float64
								Trends      []struct {
									Months   int
									Volume   float64
									Previous float64
									Change   *float64
								}
							}
						}
					}
				}
			}
			Pareto struct {
				Basis    string
				Accounts int
				Top      int
				TopShare float64
				Leaders  []struct{ ID string }
			}
			PotentialPareto struct{ Basis string }
		}
	}
	mustQuery(t, h, `{ accountMatrix(scope: {territory: "T01"}, product: "RX01") {
		salesMonth
		cells { segment actualMonthly opportunity members(first: 500) { edges { node { id potential
			actual { latestMonth monthly year opportunity penetration trends { months volume previous change } } } } } }
		pareto { basis accounts top topShare leaders { id } }
		potentialPareto: pareto(basis: POTENTIAL) { basis } } }`, nil, &got)
	am := got.AccountMatrix
	if am.SalesMonth == nil || *am.SalesMonth != "2026-11" {
		t.Fatalf("salesMonth %v, want 2026-11", am.SalesMonth)
	}
	checked := 0
	for _, c := range am.Cells {
		var cellMonthly, cellOpp float64
		for _, e := range c.Members.Edges {
			n := e.Node
			a := n.Actual
			if a == nil {
				t.Fatalf("%s (T01, with facts) has no actual", n.ID)
			}
			monthly := sum(n.ID, quarter...) / 3
			if a.LatestMonth != "2026-11" || !nearly(a.Monthly, monthly) || !nearly(a.Year, sum(n.ID, year...)) {
				t.Errorf("%s: actual %+v, want monthly %v year %v", n.ID, a, monthly, sum(n.ID, year...))
			}
			if a.Opportunity == nil || !nearly(*a.Opportunity, n.Potential-monthly) {
				t.Errorf("%s: opportunity %v, want %v - %v", n.ID, a.Opportunity, n.Potential, monthly)
			}
			if n.Potential > 0 && (a.Penetration == nil || !nearly(*a.Penetration, monthly/n.Potential)) {
				t.Errorf("%s: penetration %v, want %v / %v", n.ID, a.Penetration, monthly, n.Potential)
			}
			if len(a.Trends) != 3 || a.Trends[0].Months != 3 || !nearly(a.Trends[0].Volume, sum(n.ID, quarter...)) ||
				!nearly(a.Trends[0].Previous, sum(n.ID, before...)) {
				t.Errorf("%s: trends %+v, want the quarter %v after %v", n.ID, a.Trends, sum(n.ID, quarter...), sum(n.ID, before...))
			} else if p := sum(n.ID, before...); p > 0 && (a.Trends[0].Change == nil || !nearly(*a.Trends[0].Change, sum(n.ID, quarter...)/p-1)) {
				t.Errorf("%s: 3-month change %v", n.ID, a.Trends[0].Change)
			}
			if a.Trends[2].Previous != 0 || a.Trends[2].Change != nil { // the year before has no facts
				t.Errorf("%s: 12-month trend %+v, want nothing before", n.ID, a.Trends[2])
			}
			cellMonthly += monthly
			cellOpp += n.Potential - monthly
			checked++
		}
		if len(c.Members.Edges) > 0 && (c.ActualMonthly == nil || !nearly(*c.ActualMonthly, cellMonthly) || !nearly(*c.Opportunity, cellOpp)) {
			t.Errorf("cell %s: actual %v opportunity %v, want %v %v", c.Segment, c.ActualMonthly, c.Opportunity, cellMonthly, cellOpp)
		}
	}
	if checked < 50 {
		t.Fatalf("checked %d members", checked)
	}

	// 20/80 on the year's prescriptions of the HCPs that wrote any.
	type acct struct {
		id string
		v  float64
	}
	var accts []acct
	var total float64
	for id := range vol {
		if v := sum(id, year...); v > 0 {
			accts = append(accts, acct{id, v})
			total += v
		}
	}
	slices.SortFunc(accts, func(a, b acct) int { return cmp.Or(cmp.Compare(b.v, a.v), cmp.Compare(a.id, b.id)) })
	top := int(math.Ceil(0.2*float64(len(accts)) - 1e-9))
	var topSum float64
	for _, a := range accts[:top] {
		topSum += a.v
	}
	p := am.Pareto
	if p.Basis != "ACTUAL" || p.Accounts != len(accts) || p.Top != top || !nearly(p.TopShare, topSum/total) || p.Leaders[0].ID != accts[0].id {
		t.Errorf("pareto %+v, want ACTUAL over %d accounts, top %d holding %v led by %s", p, len(accts), top, topSum/total, accts[0].id)
	}
	if am.PotentialPareto.Basis != "POTENTIAL" {
		t.Errorf("pareto(basis: POTENTIAL) has basis %s", am.PotentialPareto.Basis)
	}

	// The tiering report (CSV) carries them too.
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/reports/tiering?territory=T01&product=RX01&format=csv", nil))
	recs, err := csvpkg.NewReader(strings.NewReader(strings.TrimPrefix(rec.Body.String(), "\ufeff"))).ReadAll()
	if rec.Code != http.StatusOK || err != nil || len(recs) < 2 {
		t.Fatalf("tiering report: %d %v (%d records)", rec.Code, err, len(recs))
	}
	col := func(k string) int { return slices.Index(account.CSVHeader, k) }
	reported := 0
	for _, r := range recs[1:] {
		if _, ok := vol[r[1]]; !ok || r[col("segment")] == "未分级" {
			continue
		}
		monthly := sum(r[1], quarter...) / 3
		if r[col("actual_monthly")] != strconv.FormatFloat(monthly, 'f', 2, 64) || r[col("opportunity")] == "" {
			t.Errorf("report row %s: actual %q opportunity %q, want %.2f", r[1], r[col("actual_monthly")], r[col("opportunity")], monthly)
		}
		reported++
	}
	if reported != checked {
		t.Errorf("the report has %d rows with actuals, the matrix %d members", reported, checked)
	}

	// T02 has no facts: unknown, not zero.
	var t02 struct {
		AccountMatrix struct {
			SalesMonth *string
			Pareto     struct{ Basis string }
			Cells      []struct {
				Members struct {
					Edges []struct {
						Node struct{ Actual *struct{ Monthly float64 } }
					}
				}
			}
		}
	}
	mustQuery(t, h, `{ accountMatrix(scope: {territory: "T02"}, product: "RX01") { salesMonth pareto { basis }
		cells { members(first: 5) { edges { node { actual { monthly } } } } } } }`, nil, &t02)
	if t02.AccountMatrix.SalesMonth != nil || t02.AccountMatrix.Pareto.Basis != "POTENTIAL" {
		t.Errorf("T02 without facts: salesMonth %v, pareto basis %s", t02.AccountMatrix.SalesMonth, t02.AccountMatrix.Pareto.Basis)
	}
	for _, c := range t02.AccountMatrix.Cells {
		for _, e := range c.Members.Edges {
			if e.Node.Actual != nil {
				t.Errorf("a T02 member has an actual: %+v", e.Node.Actual)
			}
		}
	}
}

// importT01Facts generates a year of T01's prescription facts to 2026-11
// (kolgraph generate's generator), imports them through importRegion as
// a user would, and waits for the analytics of the new version.
func importT01Facts(t *testing.T, m *Main) []kolgraph.PrescriptionFact {
	t.Helper()
	h := m.Handler()
	base, err := seedfile.Read(seed.FS)
	if err != nil {
		t.Fatal(err)
	}
	cfg := seedgen.DefaultFactsConfig()
	cfg.Territory, cfg.End, cfg.Months = "T01", "2026-11", 12
	facts, err := seedgen.Facts(cfg, base)
	if err != nil {
		t.Fatal(err)
	}
	var csv bytes.Buffer
	err = seedfile.WriteFiles(func(name string) (io.WriteCloser, error) {
		if name == seedfile.PrescriptionsFile {
			return nopCloser{&csv}, nil
		}
		return nopCloser{io.Discard}, nil
	}, &kolgraph.ChangeSet{Prescriptions: facts})
	if err != nil {
		t.Fatal(err)
	}
	var imp struct{ ImportRegion struct{ Rows int } }
	mustQuery(t, h, `mutation($f: [ImportFile!]!) { importRegion(format: CSV, files: $f) { rows } }`,
		map[string]any{"f": []map[string]any{{"name": seedfile.PrescriptionsFile, "content": csv.String()}}}, &imp)
	if imp.ImportRegion.Rows != len(facts) {
		t.Fatalf("imported %d rows, generated %d", imp.ImportRegion.Rows, len(facts))
	}
	m.refreshAnalytics(t)
	return facts
}

func nearly(a, b float64) bool { return math.Abs(a-b) <= 1e-6*math.Max(1, math.Abs(b)) }

// TestPrescriptionsAPI records, reads and deletes facts through GraphQL:
// a bad fact names its field and writes nothing.
func TestPrescriptionsAPI(t *testing.T) {
	skipShort(t)
	m := ownService(t)
	h := m.Handler()
	const rec = `mutation($f: [PrescriptionFactInput!]!) { recordPrescriptions(facts: $f) { changed facts { hcp { id } product { id } month volume } } }`
	fact := func(month string, v float64) map[string]any {
		return map[string]any{"hcp": "P000001", "product": "RX01", "month": month, "volume": v}
	}
	var got struct {
		RecordPrescriptions struct {
			Changed bool
			Facts   []struct {
				Hcp     struct{ ID string }
				Product struct{ ID string }
				Month   string
				Volume  float64
			}
		}
	}
	mustQuery(t, h, rec, map[string]any{"f": []any{fact("2026-01", 4), fact("2026-02", 6), fact("2026-03", 9)}}, &got)
	if !got.RecordPrescriptions.Changed || len(got.RecordPrescriptions.Facts) != 3 || got.RecordPrescriptions.Facts[2].Hcp.ID != "P000001" {
		t.Fatalf("recordPrescriptions: %+v", got)
	}
	v0, _ := m.Store.Version(t.Context())
	resp := query(t, h, rec, map[string]any{"f": []any{fact("2026-04", 1), fact("2026-13", 2)}}, nil)
	if len(resp.Errors) != 1 || resp.codes()[0] != kolgraph.EINVALID {
		t.Fatalf("a bad month: %+v", resp.Errors)
	}
	if ps, _ := resp.Errors[0].Extensions["problems"].([]any); len(ps) != 1 || ps[0].(map[string]any)["field"] != "month" {
		t.Errorf("problems %v, want the month", resp.Errors[0].Extensions["problems"])
	}
	if v, _ := m.Store.Version(t.Context()); v != v0 {
		t.Errorf("the rejected facts wrote version %d", v)
	}
	var read struct {
		Hcp struct {
			Prescriptions []struct {
				Month  string
				Volume float64
			}
		}
	}
	mustQuery(t, h, `{ hcp(id: "P000001") { prescriptions(product: "RX01", from: "2026-02", to: "2026-04") { month volume } } }`, nil, &read)
	if ps := read.Hcp.Prescriptions; len(ps) != 2 || ps[0].Month != "2026-02" || ps[0].Volume != 6 || ps[1].Month != "2026-03" {
		t.Errorf("prescriptions Feb-Apr: %+v, want February 6 and March 9", ps)
	}
	var del struct{ DeletePrescriptions struct{ Deleted bool } }
	mustQuery(t, h, `mutation { deletePrescriptions(keys: [{hcp: "P000001", product: "RX01", month: "2026-02"}]) { deleted } }`, nil, &del)
	mustQuery(t, h, `{ hcp(id: "P000001") { prescriptions { month } } }`, nil, &read)
	if !del.DeletePrescriptions.Deleted || len(read.Hcp.Prescriptions) != 2 {
		t.Errorf("after deleting February: deleted %v, left %+v", del.DeletePrescriptions.Deleted, read.Hcp.Prescriptions)
	}
}
