package main

import (
	"bytes"
	"encoding/csv"
	"math"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

const matrixQuery = `query($scope: ScopeInput!, $product: ID, $level: AccountLevel) {
  accountMatrix(scope: $scope, product: $product, level: $level) {
    level scopeName product { id } influenceMetric graphVersion note
    potentialCutOff { mode value threshold basis }
    influenceCutOff { mode value threshold basis }
    classifiedCount unclassifiedCount
    cells {
      segment playbook count cadence { code label intervalDays }
      members(first: 500) {
        totalCount pageInfo { hasNextPage endCursor }
        edges { node { id segment potential influence playbook cadence { code }
          potentialTerms { value outpatient drgCorrection inpatient share }
          hcp { id } department { id } hospital { id territory { id } } } }
      }
    }
    unclassified(first: 500) { totalCount edges { node { id missing reasons department { id } } } }
    pareto { accounts top topShare leaders { id potential } }
    heatMap { bins edges counts unknown cells { id bin value } }
  }
}`

type cutOff struct {
	Mode      string
	Value     float64
	Threshold float64
	Basis     int
}

type matrixAnswer struct {
	AccountMatrix struct {
		Level, ScopeName, InfluenceMetric, GraphVersion string
		Note                                            *string
		Product                                         *struct{ ID string }
		PotentialCutOff, InfluenceCutOff                cutOff
		ClassifiedCount, UnclassifiedCount              int
		Cells                                           []struct {
			Segment, Playbook string
			Count             int
			Cadence           struct {
				Code, Label  string
				IntervalDays int
			}
			Members struct {
				TotalCount int
				PageInfo   struct {
					HasNextPage bool
					EndCursor   *string
				}
				Edges []struct {
					Node struct {
						ID, Segment, Playbook string
						Potential, Influence  float64
						Cadence               struct{ Code string }
						PotentialTerms        struct {
							Value                                       *float64
							Outpatient, DrgCorrection, Inpatient, Share float64
						}
						HCP        *struct{ ID string }
						Department *struct{ ID string }
						Hospital   struct {
							ID        string
							Territory struct{ ID string }
						}
					}
				}
			}
		}
		Unclassified struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					ID               string
					Missing, Reasons []string
					Department       *struct{ ID string }
				}
			}
		}
		Pareto struct {
			Accounts, Top int
			TopShare      float64
			Leaders       []struct {
				ID        string
				Potential float64
			}
		}
		HeatMap *struct {
			Bins    int
			Edges   []float64
			Counts  []int
			Unknown int
			Cells   []struct {
				ID    string
				Bin   int
				Value *float64
			}
		}
	}
}

// TestAccountMatrixTerritory is the "done when": the matrix of a
// seed territory for a seed product has all four segments with counts,
// cut-offs and playbooks, and every member sits on the right side of the
// reported cut-offs.
func TestAccountMatrixTerritory(t *testing.T) {
	h := svc.Handler()
	var got matrixAnswer
	mustQuery(t, h, matrixQuery, map[string]any{"scope": map[string]any{"territory": "T01"}, "product": "RX01"}, &got)
	m := got.AccountMatrix
	if m.Level != "HCP" || m.Product == nil || m.Product.ID != "RX01" || m.InfluenceMetric != "INFLUENCE" || !strings.Contains(m.ScopeName, "T01") {
		t.Errorf("header: level %s product %+v metric %s scope %q", m.Level, m.Product, m.InfluenceMetric, m.ScopeName)
	}
	for _, c := range []cutOff{m.PotentialCutOff, m.InfluenceCutOff} {
		if c.Mode != "PERCENTILE" || c.Value != 70 || c.Threshold <= 0 || c.Basis == 0 {
			t.Errorf("cut-off %+v, want the 70th percentile of a non-empty basis", c)
		}
	}

	want := map[string]struct{ playbook, cadence string }{
		"A": {"joint three-year plan", "BIWEEKLY"},
		"B": {"Patient-education", "MONTHLY"},
		// never speaker seats chosen by segment: only the compliant list
		"C": {"only from the compliant speaker-candidate list", "QUARTERLY"},
		"D": {"Low-touch digital enablement", "DIGITAL"},
	}
	total := 0
	var segs []string
	for _, c := range m.Cells {
		segs = append(segs, c.Segment)
		w := want[c.Segment]
		if c.Count == 0 || c.Members.TotalCount != c.Count {
			t.Errorf("segment %s: count %d, members total %d; want a populated cell", c.Segment, c.Count, c.Members.TotalCount)
		}
		if !strings.Contains(c.Playbook, w.playbook) || c.Cadence.Code != w.cadence {
			t.Errorf("segment %s: playbook %q cadence %+v; want %q, %s", c.Segment, c.Playbook, c.Cadence, w.playbook, w.cadence)
		}
		total += c.Count
		highP, highI := c.Segment == "A" || c.Segment == "B", c.Segment == "A" || c.Segment == "C"
		for _, e := range c.Members.Edges {
			n := e.Node
			// the cell's playbook, or access first where RX01 is not listed
			// (TestMatrixAsARegionalManagerUsesIt checks which)
			if n.Segment != c.Segment || (n.Playbook != c.Playbook && !strings.HasPrefix(n.Playbook, "Access first")) || n.Cadence.Code != c.Cadence.Code {
				t.Fatalf("%s in cell %s says segment %s, playbook %q", n.ID, c.Segment, n.Segment, n.Playbook)
			}
			if got := n.Potential > 0 && n.Potential >= m.PotentialCutOff.Threshold; got != highP {
				t.Errorf("%s in %s: potential %v vs threshold %v", n.ID, c.Segment, n.Potential, m.PotentialCutOff.Threshold)
			}
			if got := n.Influence > 0 && n.Influence >= m.InfluenceCutOff.Threshold; got != highI {
				t.Errorf("%s in %s: influence %v vs threshold %v", n.ID, c.Segment, n.Influence, m.InfluenceCutOff.Threshold)
			}
			pt := n.PotentialTerms
			if pt.Value == nil || math.Abs(pt.Outpatient+pt.DrgCorrection+pt.Inpatient-n.Potential) > 1e-9*math.Max(1, n.Potential) {
				t.Errorf("%s: terms %+v do not add up to %v", n.ID, pt, n.Potential)
			}
			if n.HCP == nil || n.HCP.ID != n.ID || n.Department == nil || n.Hospital.Territory.ID != "T01" {
				t.Errorf("%s: hcp %+v department %+v hospital %+v", n.ID, n.HCP, n.Department, n.Hospital)
			}
		}
	}
	if !slices.Equal(segs, []string{"A", "B", "C", "D"}) {
		t.Errorf("cells %v, want A B C D", segs)
	}
	hcps := prescribers(t, "T01", "RX01")
	if total != m.ClassifiedCount || total+m.UnclassifiedCount != len(hcps) {
		t.Errorf("cells hold %d, classified %d, unclassified %d; T01 has %d prescribers of RX01", total, m.ClassifiedCount, m.UnclassifiedCount, len(hcps))
	}
	if m.Pareto.Accounts == 0 || m.Pareto.Top != int(math.Ceil(0.2*float64(m.Pareto.Accounts)-1e-9)) || m.Pareto.TopShare <= 0.2 || m.Pareto.TopShare > 1 {
		t.Errorf("pareto %+v", m.Pareto)
	}
	if m.HeatMap == nil || len(m.HeatMap.Cells) != len(hcps) || len(m.HeatMap.Counts) != m.HeatMap.Bins+1 {
		t.Errorf("heat map: %d cells for %d prescribers", len(m.HeatMap.Cells), len(hcps))
	}
}

// TestAccountMatrixLevels: departments and hospitals are classified too;
// departments with a missing input are unclassified with the field named;
// hospitals have no heat map.
func TestAccountMatrixLevels(t *testing.T) {
	h := svc.Handler()
	var dept matrixAnswer
	mustQuery(t, h, matrixQuery, map[string]any{"scope": map[string]any{"territory": "T01"}, "product": "RX02", "level": "DEPARTMENT"}, &dept)
	m := dept.AccountMatrix
	missing := map[string]string{}
	for _, e := range m.Unclassified.Edges {
		missing[e.Node.ID] = strings.Join(e.Node.Missing, ",")
	}
	if missing["D007-07"] != "weekly_outpatients" || missing["D013-07"] != "bed_turnover" {
		t.Errorf("unclassified departments %v; want D007-07 (weekly_outpatients) and D013-07 (bed_turnover)", missing)
	}
	for _, c := range m.Cells {
		for _, e := range c.Members.Edges {
			if e.Node.HCP != nil || e.Node.Department == nil || e.Node.Department.ID != e.Node.ID {
				t.Fatalf("department member %s: hcp %+v department %+v", e.Node.ID, e.Node.HCP, e.Node.Department)
			}
			if _, ok := missing[e.Node.ID]; ok {
				t.Errorf("%s is unclassified and in segment %s", e.Node.ID, c.Segment)
			}
		}
	}

	var hosp matrixAnswer
	mustQuery(t, h, matrixQuery, map[string]any{"scope": map[string]any{"territory": "T01"}, "product": "RX01", "level": "HOSPITAL"}, &hosp)
	if hosp.AccountMatrix.HeatMap != nil || hosp.AccountMatrix.ClassifiedCount+hosp.AccountMatrix.UnclassifiedCount != 15 {
		t.Errorf("hospital level: heat map %v, %d+%d accounts; want no heat map and the 15 hospitals of T01",
			hosp.AccountMatrix.HeatMap != nil, hosp.AccountMatrix.ClassifiedCount, hosp.AccountMatrix.UnclassifiedCount)
	}
}

func TestAccountMatrixPaging(t *testing.T) {
	h := svc.Handler()
	q := `query($after: String) { accountMatrix(scope: {territory: "T01"}, product: "RX01") {
	  cell(segment: D) { count members(first: 7, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } } } }`
	type page struct {
		AccountMatrix struct {
			Cell struct {
				Count   int
				Members struct {
					TotalCount int
					PageInfo   struct {
						HasNextPage bool
						EndCursor   string
					}
					Edges []struct{ Node struct{ ID string } }
				}
			}
		}
	}
	var first, second page
	mustQuery(t, h, q, nil, &first)
	p1 := first.AccountMatrix.Cell.Members
	if len(p1.Edges) != 7 || !p1.PageInfo.HasNextPage {
		t.Fatalf("first page: %d edges, hasNext %v", len(p1.Edges), p1.PageInfo.HasNextPage)
	}
	mustQuery(t, h, q, map[string]any{"after": p1.PageInfo.EndCursor}, &second)
	p2 := second.AccountMatrix.Cell.Members
	if len(p2.Edges) != 7 || p2.Edges[0].Node.ID == p1.Edges[6].Node.ID {
		t.Errorf("second page %+v overlaps or is short", p2.Edges)
	}
}

// TestSpeakerCandidatesAPI: the list states its compliance rule and comes
// from the product's specialties.
func TestSpeakerCandidatesAPI(t *testing.T) {
	var got struct {
		SpeakerCandidates struct {
			Rule        string
			Specialties []string
			TotalCount  int
			Candidates  []struct {
				Rank                        int
				Score, Influence, Expertise float64
				HCP                         struct{ ID, Specialty, Role string }
			}
		}
	}
	mustQuery(t, svc.Handler(), `{ speakerCandidates(scope: {territory: "T01"}, product: "RX02", first: 5) {
	  rule specialties totalCount candidates { rank score influence expertise hcp { id specialty role } } } }`, nil, &got)
	s := got.SpeakerCandidates
	if !strings.Contains(s.Rule, "never an input") || !slices.Equal(s.Specialties, []string{"oncology", "respiratory"}) {
		t.Errorf("rule %q specialties %v", s.Rule, s.Specialties)
	}
	if len(s.Candidates) != 5 || s.TotalCount < 5 {
		t.Fatalf("%d candidates of %d", len(s.Candidates), s.TotalCount)
	}
	for i, c := range s.Candidates {
		if c.Rank != i+1 || (i > 0 && c.Score > s.Candidates[i-1].Score) || !slices.Contains(s.Specialties, c.HCP.Specialty) {
			t.Errorf("candidate %d: %+v", i, c)
		}
	}
}

func TestAccountMatrixErrors(t *testing.T) {
	h := svc.Handler()
	for _, tc := range []struct {
		vars map[string]any
		code string
	}{
		{map[string]any{"scope": map[string]any{"territory": "T01"}, "product": "RX99"}, "NOT_FOUND"},
		{map[string]any{"scope": map[string]any{"territory": "T99"}}, "NOT_FOUND"},
		{map[string]any{"scope": map[string]any{"territory": "T01", "hospital": "H001"}}, "BAD_USER_INPUT"},
	} {
		resp := query(t, h, `query($scope: ScopeInput!, $product: ID) { accountMatrix(scope: $scope, product: $product) { classifiedCount } }`, tc.vars, nil)
		if codes := resp.codes(); !slices.Equal(codes, []string{tc.code}) {
			t.Errorf("%v: codes %v, want %s", tc.vars, codes, tc.code)
		}
	}
}

// TestTieringReportEndpoint: the report downloads for the territory and has
// a row per HCP of it.
func TestTieringReportEndpoint(t *testing.T) {
	rec := httptest.NewRecorder()
	svc.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/reports/tiering?territory=T01&product=RX01&format=csv", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("content type %q", ct)
	}
	if d, p, _ := mime.ParseMediaType(rec.Header().Get("Content-Disposition")); d != "attachment" || p["filename"] != "tiering-T01-RX01-hcp.csv" {
		t.Errorf("content disposition %q", rec.Header().Get("Content-Disposition"))
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(rec.Body.Bytes(), []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	hcps := prescribers(t, "T01", "RX01")
	if len(recs) != 1+len(hcps) {
		t.Fatalf("%d records, want a header and %d prescribers", len(recs), len(hcps))
	}
	for _, r := range recs[1:] {
		if !hcps[r[1]] {
			t.Errorf("row of %s, not a T01 prescriber of RX01", r[1])
		}
	}

	for url, status := range map[string]int{
		"/reports/tiering?territory=T99":                   http.StatusNotFound,
		"/reports/tiering?territory=T01&product=RX99":      http.StatusNotFound,
		"/reports/tiering?territory=T01&format=pdf":        http.StatusBadRequest,
		"/reports/tiering?territory=T01&hospital=H001":     http.StatusBadRequest,
		"/reports/tiering?territory=T01&format=md&level=x": http.StatusBadRequest,
	} {
		rec := httptest.NewRecorder()
		svc.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, url, nil))
		if rec.Code != status || !strings.Contains(rec.Body.String(), `"message"`) {
			t.Errorf("%s: status %d %s, want %d with a message", url, rec.Code, rec.Body, status)
		}
	}
}

func TestReportSubcommandIsListed(t *testing.T) {
	var out bytes.Buffer
	if err := run(t.Context(), []string{"help"}, func(string) string { return "" }, &out, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "kolgraph report") {
		t.Errorf("usage does not list report:\n%s", out.String())
	}
}
