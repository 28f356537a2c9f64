package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/telemetry"
)

// The end-to-end tests run the service's real wiring (config, store, seed,
// handler) and talk to it over HTTP like a client. They use the store that
// KOLGRAPH_STORE names (embedded by default; neo4j with KOLGRAPH_NEO4J_URI
// and friends, as .ci/run sets them against its Bolt server).
var svc *Main

// e2eSecret signs the tokens of the end-to-end tests.
const e2eSecret = "kolgraph-e2e-hs256-secret-0123456789"

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "kolgraph-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	svc = NewMain(io.Discard)
	getenv := func(k string) string {
		if k == "KOLGRAPH_DATA_DIR" {
			return dir
		}
		if k == "KOLGRAPH_LOG_LEVEL" {
			return "error"
		}
		// Requests without credentials run as the seed's admin U001 (dev
		// mode, loopback); tests that act as someone send a token.
		switch k {
		case "KOLGRAPH_AUTH_HS256_SECRET":
			return e2eSecret
		case "KOLGRAPH_DEV_MODE":
			return "true"
		case "KOLGRAPH_DEV_USER":
			return "U001"
		case "KOLGRAPH_ADDR":
			return "127.0.0.1:0"
		case "KOLGRAPH_MAX_COMPLEXITY": // some tests read a whole hospital's ties in one query
			return "1000000"
		case "KOLGRAPH_RATE_LIMIT": // tests poll; the flood test sets its own
			return "0"
		}
		return os.Getenv(k)
	}
	if err := svc.ParseFlags(noHistory, getenv); err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		return 1
	}
	if svc.Config.Store == "neo4j" && os.Getenv("KOLGRAPH_NEO4J_URI") == "" {
		fmt.Fprintln(os.Stderr, "KOLGRAPH_STORE=neo4j needs KOLGRAPH_NEO4J_URI")
		return 1
	}
	if err := svc.Open(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		return 1
	}
	defer svc.Close()
	defer closeWriteService()
	return m.Run()
}

// closeWriteService closes the write tests' service, if they started it,
// and deletes its data directory (7.9 MB that every run left in the
// temporary directory before).
func closeWriteService() {
	if writeMain == nil {
		return
	}
	writeMain.Close()
	os.RemoveAll(writeMain.Config.DataDir)
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

func (r gqlResponse) codes() []string {
	var cs []string
	for _, e := range r.Errors {
		cs = append(cs, fmt.Sprint(e.Extensions["code"]))
	}
	return cs
}

// post sends body to h's /query as JSON, with an Authorization header
// unless authz is empty.
func post(h http.Handler, authz string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// query posts a GraphQL request to h and decodes the response into data.
func query(t testing.TB, h http.Handler, q string, vars map[string]any, data any) gqlResponse {
	t.Helper()
	return queryAs(t, h, "", q, vars, data)
}

// mustQuery is query that fails the test on any GraphQL error.
func mustQuery(t testing.TB, h http.Handler, q string, vars map[string]any, data any) {
	t.Helper()
	if resp := query(t, h, q, vars, data); len(resp.Errors) > 0 {
		t.Fatalf("query failed: %+v", resp.Errors)
	}
}

func TestHospitalsFirstPage(t *testing.T) {
	var got struct {
		Hospitals struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					Name        string
					Departments []struct{ Name string }
				}
			}
		}
	}
	mustQuery(t, svc.Handler(), `{ hospitals(first: 5) { totalCount edges { node { name departments { name } } } } }`, nil, &got)
	if got.Hospitals.TotalCount < 40 {
		t.Errorf("totalCount = %d, want >= 40", got.Hospitals.TotalCount)
	}
	if len(got.Hospitals.Edges) != 5 {
		t.Fatalf("got %d edges, want 5", len(got.Hospitals.Edges))
	}
	for _, e := range got.Hospitals.Edges {
		if e.Node.Name == "" || len(e.Node.Departments) == 0 {
			t.Errorf("hospital %+v: want a name and departments", e.Node)
		}
	}
}

type hcpPage struct {
	Hcps struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Edges []struct {
			Cursor string
			Node   struct{ ID, Name, Position string }
		}
	}
}

// TestPaginationWalk pages through a filtered HCP connection and checks the
// pages add up to totalCount, in ascending id order, without duplicates.
func TestPaginationWalk(t *testing.T) {
	const q = `query($after: String) { hcps(filter: {role: "pharmacist"}, first: 37, after: $after) {
		totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id } } } }`
	var after any
	var ids []string
	total := -1
	for page := 0; page < 100; page++ {
		var got hcpPage
		mustQuery(t, svc.Handler(), q, map[string]any{"after": after}, &got)
		if total == -1 {
			total = got.Hcps.TotalCount
		} else if total != got.Hcps.TotalCount {
			t.Fatalf("totalCount changed between pages: %d then %d", total, got.Hcps.TotalCount)
		}
		for _, e := range got.Hcps.Edges {
			if len(ids) > 0 && e.Node.ID <= ids[len(ids)-1] {
				t.Fatalf("ids out of order: %s after %s", e.Node.ID, ids[len(ids)-1])
			}
			ids = append(ids, e.Node.ID)
		}
		if !got.Hcps.PageInfo.HasNextPage {
			break
		}
		after = *got.Hcps.PageInfo.EndCursor
	}
	if total < 100 || len(ids) != total {
		t.Errorf("walked %d pharmacists, totalCount %d", len(ids), total)
	}
}

func TestFilters(t *testing.T) {
	var hospitals struct {
		Hospitals struct{ TotalCount int }
	}
	mustQuery(t, svc.Handler(), `{ hospitals { totalCount } }`, nil, &hospitals)
	nHospitals := hospitals.Hospitals.TotalCount

	tests := []struct {
		name   string
		filter string
		check  func(t *testing.T, total int, nodes []map[string]any)
	}{
		{"every hospital has one pharmacy director", `{position: "pharmacy_director"}`, func(t *testing.T, total int, _ []map[string]any) {
			if total != nHospitals {
				t.Errorf("pharmacy directors = %d, want %d (one per hospital)", total, nHospitals)
			}
		}},
		{"Chinese name substring", `{nameContains: "王"}`, func(t *testing.T, total int, nodes []map[string]any) {
			if total == 0 {
				t.Fatal("no HCP named with 王")
			}
			for _, n := range nodes {
				if !strings.Contains(n["name"].(string), "王") {
					t.Errorf("%v does not contain 王", n["name"])
				}
			}
		}},
		{"national KOLs", `{kolLevel: "national"}`, func(t *testing.T, total int, nodes []map[string]any) {
			if total == 0 {
				t.Fatal("no national KOL")
			}
			for _, n := range nodes {
				if n["kolLevel"] != "national" || n["isKOL"] != true {
					t.Errorf("%v is not a national KOL", n)
				}
			}
		}},
		{"no match", `{nameContains: "no such name"}`, func(t *testing.T, total int, nodes []map[string]any) {
			if total != 0 || len(nodes) != 0 {
				t.Errorf("total %d, %d nodes; want none", total, len(nodes))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got struct {
				Hcps struct {
					TotalCount int
					Edges      []struct{ Node map[string]any }
				}
			}
			mustQuery(t, svc.Handler(), `{ hcps(filter: `+tt.filter+`, first: 100) { totalCount edges { node { id name kolLevel isKOL position } } } }`, nil, &got)
			var nodes []map[string]any
			for _, e := range got.Hcps.Edges {
				nodes = append(nodes, e.Node)
			}
			tt.check(t, got.Hcps.TotalCount, nodes)
		})
	}

	t.Run("hospitals by city agree with the city field", func(t *testing.T) {
		var all struct {
			Hospitals struct {
				Edges []struct{ Node struct{ ID, City string } }
			}
		}
		mustQuery(t, svc.Handler(), `{ hospitals(first: 500) { edges { node { id city } } } }`, nil, &all)
		city := all.Hospitals.Edges[0].Node.City
		want := 0
		for _, e := range all.Hospitals.Edges {
			if e.Node.City == city {
				want++
			}
		}
		var got struct{ Hospitals struct{ TotalCount int } }
		mustQuery(t, svc.Handler(), `query($c: String) { hospitals(filter: {city: $c}) { totalCount } }`, map[string]any{"c": city}, &got)
		if got.Hospitals.TotalCount != want {
			t.Errorf("hospitals in %s = %d, want %d", city, got.Hospitals.TotalCount, want)
		}
	})
}

// navigationQuery walks hospital -> department -> HCP -> committees and
// influence edges, and back.
const navigationQuery = `{ hospital(id: "H001") { id territory { id }
	committees { id kind members { role hcp { id } } }
	departments { id hospital { id } hcps { id department { id } hospital { id }
		influences(first: 5) { from { id } to { id } weight } influencedBy(first: 5) { to { id } } } } } }`

// TestNavigation runs navigationQuery, checking each step agrees with the
// other.
func TestNavigation(t *testing.T) {
	var got struct {
		Hospital struct {
			ID         string
			Territory  struct{ ID string }
			Committees []struct {
				ID, Kind string
				Members  []struct {
					Role string
					Hcp  struct{ ID string }
				}
			}
			Departments []struct {
				ID       string
				Hospital struct{ ID string }
				Hcps     []struct {
					ID         string
					Department struct{ ID string }
					Hospital   struct{ ID string }
					Influences []struct {
						From   struct{ ID string }
						To     struct{ ID string }
						Weight float64
					}
					InfluencedBy []struct {
						To struct{ ID string }
					}
				}
			}
		}
	}
	mustQuery(t, svc.Handler(), navigationQuery, nil, &got)
	h := got.Hospital
	if h.ID != "H001" || h.Territory.ID == "" {
		t.Fatalf("hospital = %+v", h)
	}
	kinds := map[string]bool{}
	for _, c := range h.Committees {
		kinds[c.Kind] = true
		if len(c.Members) == 0 {
			t.Errorf("committee %s has no members", c.ID)
		}
	}
	if !kinds["pt"] || !kinds["procurement"] {
		t.Errorf("committee kinds %v, want pt and procurement", kinds)
	}
	edges := 0
	for _, d := range h.Departments {
		if d.Hospital.ID != h.ID {
			t.Errorf("department %s: hospital %s", d.ID, d.Hospital.ID)
		}
		for _, p := range d.Hcps {
			if p.Department.ID != d.ID || p.Hospital.ID != h.ID {
				t.Errorf("hcp %s: department %s hospital %s, want %s %s", p.ID, p.Department.ID, p.Hospital.ID, d.ID, h.ID)
			}
			for i, e := range p.Influences {
				edges++
				if e.From.ID != p.ID {
					t.Errorf("outgoing edge of %s starts at %s", p.ID, e.From.ID)
				}
				if i > 0 && e.Weight > p.Influences[i-1].Weight {
					t.Errorf("influences of %s not strongest first", p.ID)
				}
			}
			for _, e := range p.InfluencedBy {
				if e.To.ID != p.ID {
					t.Errorf("incoming edge of %s ends at %s", p.ID, e.To.ID)
				}
			}
		}
	}
	if edges == 0 {
		t.Error("no influence edges in H001")
	}
}

// TestRoundTrips pins the store calls of nested queries: one per loader
// and level of the query, whatever the loader wait and however goroutines
// are scheduled. A loader wait of 0 stands for a machine too busy to
// schedule a level's resolvers within any wait: the dataloaders' batches
// alone then make a call per parent (on NornicDB, ~100 full scans for the
// influencedBy level of navigationQuery, which timed out).
func TestRoundTrips(t *testing.T) {
	tests := []struct {
		name, query string
		want        map[string]int
	}{
		{"navigationQuery", navigationQuery, map[string]int{
			"Hospitals":   1, // the root field's own lookup
			"Territories": 1, "CommitteesOfHospitals": 1, "DepartmentsOfHospitals": 1,
			"MembershipsOfCommittees": 1, "HCPsOfDepartments": 1, // members' HCPs and departments' hospital are cached by then
			"InfluencesFrom": 1, "InfluencesTo": 1, // HCPs' departments and hospitals are cached
			"HCPs": 1, // the other ends of the edges
		}},
		{"hospitals page to the HCPs' edges", `{ hospitals(first: 20) { edges { node { departments { hospital { id }
			hcps { influences(first: 3) { weight } } } } } } }`, map[string]int{
			"ListHospitals": 1, "DepartmentsOfHospitals": 1, "HCPsOfDepartments": 1, "InfluencesFrom": 1,
		}},
		{"an HCP's edges and their ends' departments", `query($id: ID!) { hcp(id: $id) { influences(first: 2) { to { id department { name } } }
			influencedBy { from { hospital { name } } } } }`, map[string]int{
			"HCPs": 2, "InfluencesFrom": 1, "InfluencesTo": 1, "Departments": 1, "Hospitals": 1,
		}},
	}
	for _, tt := range tests {
		for _, wait := range []time.Duration{0, time.Millisecond} {
			t.Run(fmt.Sprintf("%s/wait=%v", tt.name, wait), func(t *testing.T) {
				metrics := telemetry.New()
				m := *svc
				m.Store = metrics.InstrumentStore(svc.Store)
				m.Config.LoaderWait = wait
				var data map[string]any
				start := time.Now()
				mustQuery(t, m.Handler(), tt.query, map[string]any{"id": "P000001"}, &data)
				t.Logf("answered in %v", time.Since(start))
				if got := storeCalls(t, metrics); !maps.Equal(got, tt.want) {
					t.Errorf("store calls %v, want %v", got, tt.want)
				}
			})
		}
	}
}

// storeCalls returns the store calls metrics has seen, by method.
func storeCalls(t *testing.T, metrics *telemetry.Metrics) map[string]int {
	t.Helper()
	families, err := metrics.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	calls := map[string]int{}
	for _, f := range families {
		if f.GetName() != "kolgraph_store_call_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "method" {
					calls[l.GetValue()] += int(m.GetHistogram().GetSampleCount())
				}
			}
		}
	}
	return calls
}

func TestNode(t *testing.T) {
	tests := []struct{ id, typename string }{
		{"H001", "Hospital"}, {"P000001", "HCP"}, {"T01", "Territory"}, {"C001-PT", "Committee"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			var got struct {
				Node *struct {
					Typename string `json:"__typename"`
					ID       string
				}
			}
			mustQuery(t, svc.Handler(), `query($id: ID!) { node(id: $id) { __typename id } }`, map[string]any{"id": tt.id}, &got)
			if got.Node == nil || got.Node.Typename != tt.typename || got.Node.ID != tt.id {
				t.Errorf("node(%s) = %+v, want a %s", tt.id, got.Node, tt.typename)
			}
		})
	}
}

// TestBadInput pins the error codes clients rely on.
func TestBadInput(t *testing.T) {
	tests := []struct {
		name, query string
		wantCode    string // "" = no error, data null
	}{
		{"unknown hcp is null, no error", `{ hcp(id: "P999999999") { id } }`, ""},
		{"unknown node is null, no error", `{ node(id: "nothing-here") { id } }`, ""},
		{"negative first", `{ hospitals(first: -1) { totalCount } }`, kolgraph.EINVALID},
		{"first above the maximum", `{ hcps(first: 501) { totalCount } }`, kolgraph.EINVALID},
		{"malformed cursor", `{ hcps(after: "not-a-cursor") { totalCount } }`, kolgraph.EINVALID},
		{"cursor of another format", `{ hcps(after: "YWJj") { totalCount } }`, kolgraph.EINVALID},
		{"negative nested first", `{ hcp(id: "P000001") { influences(first: -5) { weight } } }`, kolgraph.EINVALID},
		{"unknown field", `{ hospital(id: "H001") { nope } }`, "GRAPHQL_VALIDATION_FAILED"},
		{"syntax error", `{ hospital(id: `, "GRAPHQL_PARSE_FAILED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := query(t, svc.Handler(), tt.query, nil, nil)
			if tt.wantCode == "" {
				if len(resp.Errors) > 0 {
					t.Fatalf("errors: %+v", resp.Errors)
				}
				if !strings.Contains(string(resp.Data), "null") {
					t.Errorf("data = %s, want a null", resp.Data)
				}
				return
			}
			codes := resp.codes()
			if len(codes) == 0 || codes[0] != tt.wantCode {
				t.Errorf("codes = %v (%+v), want %s", codes, resp.Errors, tt.wantCode)
			}
		})
	}
}

func TestHealth(t *testing.T) {
	for _, path := range []string{"/healthz", "/readyz"} {
		rec := httptest.NewRecorder()
		svc.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s: status %d: %s", path, rec.Code, rec.Body.String())
		}
	}
	rec := httptest.NewRecorder()
	svc.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "/explore" {
		t.Errorf("/: status %d to %q, want a redirect to the explorer", rec.Code, rec.Header().Get("Location"))
	}
	rec = httptest.NewRecorder()
	svc.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/playground", nil))
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "/playground/playground.js") {
		t.Errorf("playground: status %d", rec.Code)
	}
}

// BenchmarkHCPRead reads an HCP with its department, hospital and 50
// influence edges through the HTTP handler, as a client would.
func BenchmarkHCPRead(b *testing.B) {
	ctx := context.Background()
	deg := map[string]int{}
	if err := svc.Store.Scan(ctx, kolgraph.Visitor{Influence: func(e *kolgraph.Influence) error {
		deg[e.From]++
		return nil
	}}); err != nil {
		b.Fatal(err)
	}
	hub := ""
	for id, d := range deg {
		if d >= 50 && (hub == "" || id < hub) {
			hub = id
		}
	}
	if hub == "" {
		b.Fatal("no HCP with 50 outgoing edges in the seed")
	}
	h := svc.Handler()
	q := `query($id: ID!) { hcp(id: $id) { id name position department { name } hospital { name city }
		influences(first: 50) { weight kind to { id name } } } }`
	vars := map[string]any{"id": hub}
	var check struct{ Hcp struct{ Influences []any } }
	mustQuery(b, h, q, vars, &check)
	if len(check.Hcp.Influences) != 50 {
		b.Fatalf("got %d edges, want 50", len(check.Hcp.Influences))
	}
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		read(b, h, "", body)
	}
}

// skipWholeRegionCLI skips, in -short mode, a test that runs a subcommand
// over a whole seeded store of its own (seed, snapshot, INFLUENCE
// rankings): minutes under the race detector, where .ci/run runs this
// package with -short. Those runs are one process doing one thing after
// another; the service's concurrency is raced by the other tests, and the
// tests step runs these in full.
func skipWholeRegionCLI(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("a subcommand over a whole seeded store of its own: run without -short")
	}
}

// Handler is the service's whole HTTP handler over the open store, with
// the access control the configuration asks for. A configuration that
// cannot be served is a programming error here: Run reports it instead.
// refreshAnalytics installs the snapshot of the store's version, as the
// manager does after a write, and waits for the background recomputations
// the swap starts: later requests get the current version's results.
func (m *Main) refreshAnalytics(t testing.TB) {
	t.Helper()
	if err := m.Snapshots.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	m.pool.Wait()
}

// writesShared is for a test that writes to the shared service (and
// leaves its records as it found them): when it ends, the analytics catch
// up with the store, so that the next test never reads a snapshot of the
// test's intermediate writes (on a slow Bolt server a rebuild takes
// seconds, and a test reading the matrix right after a delete saw the
// deleted HCP).
func writesShared(t *testing.T) {
	t.Cleanup(func() {
		if err := svc.Snapshots.Refresh(context.Background()); err != nil {
			t.Errorf("refresh the shared service's analytics: %v", err)
		}
		svc.pool.Wait()
	})
}

func (m *Main) Handler() http.Handler {
	srv, gql, err := m.build()
	if err != nil {
		panic(fmt.Sprintf("kolgraph: %v", err))
	}
	return srv.Handler(gql)
}
