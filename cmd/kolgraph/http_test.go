package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// do sends a raw HTTP request to the service's handler.
func do(t *testing.T, h http.Handler, method, target, contentType, accept, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// TestGraphQLOverHTTP pins the GraphQL-over-HTTP behaviours clients rely on.
func TestGraphQLOverHTTP(t *testing.T) {
	h := svc.Handler()
	const q = `{ hospital(id: "H001") { id } }`
	postBody := `{"query": "{ hospital(id: \"H001\") { id } }"}`
	tests := []struct {
		name, method, target, ctype, accept, body string
		wantStatus                                int
		wantType                                  string
		wantBody                                  string
	}{
		{"GET query", "GET", "/query?query=" + url.QueryEscape(q), "", "", "", 200, "application/json", `"H001"`},
		{"POST json", "POST", "/query", "application/json", "application/json", postBody, 200, "application/json", `"H001"`},
		{"POST accepting graphql-response+json", "POST", "/query", "application/json", "application/graphql-response+json", postBody,
			200, "application/graphql-response+json", `"H001"`},
		{"malformed JSON body", "POST", "/query", "application/json", "application/graphql-response+json", `{"query": `, 400, "", `"errors"`},
		{"syntax error, graphql-response+json", "POST", "/query", "application/json", "application/graphql-response+json",
			`{"query": "{ hospital("}`, 400, "application/graphql-response+json", "GRAPHQL_PARSE_FAILED"},
		{"validation error, graphql-response+json", "POST", "/query", "application/json", "application/graphql-response+json",
			`{"query": "{ nope }"}`, 400, "application/graphql-response+json", "GRAPHQL_VALIDATION_FAILED"},
		{"resolver error is still 200", "POST", "/query", "application/json", "application/graphql-response+json",
			`{"query": "{ hcps(first: -1) { totalCount } }"}`, 200, "application/graphql-response+json", "BAD_USER_INPUT"},
		{"PUT is not allowed", "PUT", "/query", "application/json", "", postBody, 405, "application/json", "METHOD_NOT_ALLOWED"},
		{"DELETE is not allowed", "DELETE", "/query", "", "", "", 405, "application/json", "METHOD_NOT_ALLOWED"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := do(t, h, tt.method, tt.target, tt.ctype, tt.accept, tt.body)
			if rec.Code != tt.wantStatus {
				t.Errorf("status %d, want %d: %s", rec.Code, tt.wantStatus, rec.Body.String())
			}
			if ct := rec.Header().Get("Content-Type"); tt.wantType != "" && !strings.HasPrefix(ct, tt.wantType) {
				t.Errorf("Content-Type %q, want %q", ct, tt.wantType)
			}
			if !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("body %s lacks %s", rec.Body.String(), tt.wantBody)
			}
			if rec.Code == 405 && rec.Header().Get("Allow") == "" {
				t.Error("405 without an Allow header")
			}
		})
	}
}

// TestAutomaticPersistedQueries: a hash alone is unknown until the client
// has sent the document with it once; then the hash alone is enough.
func TestAutomaticPersistedQueries(t *testing.T) {
	h := svc.Handler()
	const q = `query APQProbe { hospital(id: "H002") { id } }`
	sum := sha256.Sum256([]byte(q))
	hash := hex.EncodeToString(sum[:])
	ext := `"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "` + hash + `"}}`
	rec := do(t, h, "POST", "/query", "application/json", "", `{`+ext+`}`)
	if !strings.Contains(rec.Body.String(), "PERSISTED_QUERY_NOT_FOUND") {
		t.Fatalf("unknown hash: %s", rec.Body.String())
	}
	body, _ := json.Marshal(map[string]any{"query": q})
	rec = do(t, h, "POST", "/query", "application/json", "", strings.TrimSuffix(string(body), "}")+`, `+ext+`}`)
	if !strings.Contains(rec.Body.String(), `"H002"`) {
		t.Fatalf("hash with document: %s", rec.Body.String())
	}
	rec = do(t, h, "POST", "/query", "application/json", "", `{`+ext+`}`)
	if !strings.Contains(rec.Body.String(), `"H002"`) {
		t.Errorf("known hash alone: %s", rec.Body.String())
	}
	wrong := strings.Replace(ext, hash, strings.Repeat("0", 64), 1)
	rec = do(t, h, "POST", "/query", "application/json", "", strings.TrimSuffix(string(body), "}")+`, `+wrong+`}`)
	if strings.Contains(rec.Body.String(), `"H002"`) {
		t.Errorf("a document whose hash does not match was run: %s", rec.Body.String())
	}
}

func TestMetrics(t *testing.T) {
	h := svc.Handler()
	mustQuery(t, h, `query MetricsProbe { hospitals(first: 2) { totalCount } }`, nil, nil)
	query(t, h, `query MetricsProbeBad { hcps(first: -1) { totalCount } }`, nil, nil)
	if _, err := svc.Analytics.Scores.Ranking(context.Background(), snapshot.Scope{}, "PAGERANK"); err != nil {
		t.Fatal(err)
	}
	rec := do(t, h, "GET", "/metrics", "", "", "")
	if rec.Code != 200 {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	body := rec.Body.String()
	for _, series := range []string{
		`kolgraph_graphql_operations_total{operation="MetricsProbe",outcome="ok"}`,
		`kolgraph_graphql_operations_total{operation="MetricsProbeBad",outcome="error"}`,
		`kolgraph_graphql_operation_duration_seconds_bucket{operation="MetricsProbe"`,
		`kolgraph_graphql_errors_total{code="BAD_USER_INPUT"}`,
		`kolgraph_http_requests_total{path="/query",status="200"}`,
		`kolgraph_store_call_duration_seconds_bucket{method="ListHospitals"`,
		`kolgraph_snapshot_build_seconds_count`,
		`kolgraph_graph_nodes 6000`,
		`kolgraph_cache_requests_total{cache="query",result="miss"}`,
		`kolgraph_cache_requests_total{cache="scores"`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, series) {
			t.Errorf("/metrics lacks %s", series)
		}
	}
}

// panickingStore panics in a resolver's store call.
type panickingStore struct{ kolgraph.Store }

func (panickingStore) ListHospitals(context.Context, kolgraph.HospitalFilter, kolgraph.Page) (*kolgraph.HospitalPage, error) {
	panic("boom: secret internals")
}

func TestPanicBecomesInternal(t *testing.T) {
	m := *svc
	m.Store = panickingStore{svc.Store}
	h := m.Handler()
	resp := query(t, h, `{ hospitals { totalCount } }`, nil, nil)
	if c := resp.codes(); len(c) != 1 || c[0] != kolgraph.EINTERNAL {
		t.Fatalf("codes %v, want [INTERNAL]", c)
	}
	if strings.Contains(resp.Errors[0].Message, "boom") {
		t.Errorf("panic text leaked: %q", resp.Errors[0].Message)
	}
	// The process goes on serving.
	mustQuery(t, h, `{ hospital(id: "H001") { id } }`, nil, nil)
	rec := do(t, h, "GET", "/healthz", "", "", "")
	if b, _ := io.ReadAll(rec.Body); rec.Code != 200 {
		t.Errorf("healthz after a panic: %d %s", rec.Code, b)
	}
}

// TestGraphQLOverHTTPAudit runs, without Node, every check of the
// graphql-http audit suite (github.com/graphql/graphql-http, auditServer)
// that CI also runs against the built service (.ci/graphql-http-audit.sh):
// the same requests, the same expectations, under the audit's ids. Like
// CI it runs with introspection on, since the audit's requests use __type.
// Every error answer must also carry extensions.code.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	m := *svc
	m.Config.Introspection = true
	h := m.Handler()
	const (
		gr   = "application/graphql-response+json"
		js   = "application/json"
		ok   = `{"query":"{ __typename }"}`
		typ  = `query Type($name: String!) { __type(name: $name) { name } }`
		bad  = `{ "not a JSON`
		unkn = `{"query":"{ 8f31403dfe404bccbb0e835f2629c6a7 }"}`
		coer = `{"query":"query CoerceFailure($id: ID!){ __typename }","variables":{"id":null}}`
	)
	get := func(params ...string) string {
		v := url.Values{}
		for i := 0; i < len(params); i += 2 {
			v.Set(params[i], params[i+1])
		}
		return "/query?" + v.Encode()
	}
	type check struct {
		id, rule                 string
		method, target           string
		ctype, accept, body      string
		lo, hi                   int    // status range
		wantType                 string // Content-Type contains
		noErrors, noData, noBody bool
	}
	is := func(s int) (int, int) { return s, s }
	var checks []check
	add := func(id, rule, method, target, ctype, accept, body string, lo, hi int, opts ...func(*check)) {
		c := check{id: id, rule: rule, method: method, target: target, ctype: ctype, accept: accept, body: body, lo: lo, hi: hi}
		for _, o := range opts {
			o(&c)
		}
		checks = append(checks, c)
	}
	ctypeHas := func(s string) func(*check) { return func(c *check) { c.wantType = s } }
	noErrors := func(c *check) { c.noErrors = true }
	noData := func(c *check) { c.noData = true }
	lo, hi := is(200)
	add("22EB", "SHOULD accept application/graphql-response+json and match the content-type", "POST", "/query", js, gr, ok, lo, hi, ctypeHas(gr))
	add("4655", "MUST accept application/json and match the content-type", "POST", "/query", js, js, ok, lo, hi, ctypeHas(js))
	add("47DE", "SHOULD accept */* and use application/json for the content-type", "POST", "/query", js, "*/*", ok, lo, hi, ctypeHas(js))
	add("80D8", "SHOULD assume application/json content-type when accept is missing", "POST", "/query", js, "", ok, lo, hi, ctypeHas(js))
	add("82A3", "MUST use utf-8 encoding when responding", "POST", "/query", js, "", ok, lo, hi)
	add("BF61", "MUST accept utf-8 encoded request", "POST", "/query", js+"; charset=utf-8", "", `{"query":"{ __type(name: \"Run🏃Swim🏊\") { name } }"}`, lo, hi)
	add("78D5", "MUST assume utf-8 in request if encoding is unspecified", "POST", "/query", js, "", ok, lo, hi)
	add("2C94", "MUST accept POST requests", "POST", "/query", js, "", ok, lo, hi)
	add("5A70", "MAY accept application/x-www-form-urlencoded formatted GET requests", "GET", get("query", "{ __typename }"), "", "", "", lo, hi)
	add("9C48", "MAY NOT allow executing mutations on GET requests", "GET", get("query", "mutation { __typename }"), "", gr, "", 400, 499)
	add("9ABE", "SHOULD respond with 4xx status code if content-type is not supplied on POST requests", "POST", "/query", "", "", ok, 400, 499)
	add("03D4", "MUST accept application/json POST requests", "POST", "/query", js, "", ok, lo, hi)
	add("A5BF", "MAY use 400 status code when request body is missing on POST", "POST", "/query", js, "", "", 400, 400)
	add("423L", "MAY use 400 status code on missing {query} parameter", "POST", "/query", js, gr, `{"notquery":"{ __typename }"}`, 400, 400)
	for i, v := range []string{`{"obj":"ect"}`, `0`, `false`, `["array"]`} {
		add(fmt.Sprintf("LKJ%d", i), "MAY use 400 status code on "+v+" {query} parameter", "POST", "/query", js, "", `{"query":`+v+`}`, 400, 400)
		add(fmt.Sprintf("6C0%d", i), "MAY use 400 status code on "+v+" {operationName} parameter", "POST", "/query", js, "", `{"operationName":`+v+`,"query":"{ __typename }"}`, 400, 400)
	}
	add("34A2", "SHOULD allow string {query} parameter when accepting application/graphql-response+json", "POST", "/query", js, gr, ok, lo, hi)
	add("13EE", "MUST allow string {query} parameter when accepting application/json", "POST", "/query", js, js, ok, lo, hi, noErrors)
	named := `{"operationName":"Query","query":"query Query { __typename }"}`
	add("8161", "SHOULD allow string {operationName} parameter when accepting application/graphql-response+json", "POST", "/query", js, gr, named, lo, hi)
	add("B8B3", "MUST allow string {operationName} parameter when accepting application/json", "POST", "/query", js, js, named, lo, hi, noErrors)
	for i, p := range []string{"variables", "operationName", "extensions"} {
		null := `{"query":"{ __typename }","` + p + `":null}`
		add(fmt.Sprintf("94B%d", i), "SHOULD allow null {"+p+"} parameter when accepting application/graphql-response+json", "POST", "/query", js, gr, null, lo, hi, noErrors)
		add(fmt.Sprintf("022%d", i), "MUST allow null {"+p+"} parameter when accepting application/json", "POST", "/query", js, js, null, lo, hi, noErrors)
	}
	for i, v := range []string{`"string"`, `0`, `false`, `["array"]`} {
		add(fmt.Sprintf("476%d", i), "MAY use 400 status code on "+v+" {variables} parameter", "POST", "/query", js, "", `{"query":"{ __typename }","variables":`+v+`}`, 400, 400)
		add(fmt.Sprintf("58B%d", i), "MAY use 400 status code on "+v+" {extensions} parameter", "POST", "/query", js, "", `{"query":"{ __typename }","extensions":`+v+`}`, 400, 400)
	}
	vars := `{"query":` + mustJSON(typ) + `,"variables":{"name":"sometype"}}`
	add("2EA1", "SHOULD allow map {variables} parameter when accepting application/graphql-response+json", "POST", "/query", js, gr, vars, lo, hi)
	add("28B9", "MUST allow map {variables} parameter when accepting application/json", "POST", "/query", js, js, vars, lo, hi, noErrors)
	getVars := get("query", typ, "variables", `{"name":"sometype"}`)
	add("D6D5", "MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/graphql-response+json", "GET", getVars, "", gr, "", lo, hi, noErrors)
	add("6A70", "MAY allow URL-encoded JSON string {variables} parameter in GETs when accepting application/json", "GET", getVars, "", js, "", lo, hi, noErrors)
	ext := `{"query":"{ __typename }","extensions":{"some":"value"}}`
	add("428F", "SHOULD allow map {extensions} parameter when accepting application/graphql-response+json", "POST", "/query", js, gr, ext, lo, hi)
	add("1B7A", "MUST allow map {extensions} parameter when accepting application/json", "POST", "/query", js, js, ext, lo, hi, noErrors)
	add("B6DC", "MAY use 2xx, 4xx, or 5xx status codes on JSON parsing failure when accepting application/json", "POST", "/query", js, js, bad, 200, 599)
	add("BCF8", "SHOULD use 400 status code on JSON parsing failure when accepting application/json", "POST", "/query", js, js, bad, 400, 400)
	add("B7N8", "SHOULD use 400 status code on JSON parsing failure when accepting application/graphql-response+json", "POST", "/query", js, gr, bad, 400, 400)
	add("8764", "MAY use 4xx or 5xx status codes if parameters are invalid", "POST", "/query", js, "", `{"qeury":"{ __typename }"}`, 400, 599)
	add("3E3A", "MAY use 400 status code if parameters are invalid", "POST", "/query", js, "", `{"qeury":"{ __typename }"}`, 400, 400)
	add("572B", "SHOULD use 200 status code on document parsing failure when accepting application/json", "POST", "/query", js, js, `{"query":"{"}`, lo, hi)
	add("FDE2", "SHOULD use 200 status code on document validation failure when accepting application/json", "POST", "/query", js, js, unkn, lo, hi)
	add("7B9B", "SHOULD use a status code of 200 on variable coercion failure when accepting application/json", "POST", "/query", js, js, coer, lo, hi)
	add("865D", "SHOULD use 4xx or 5xx status codes on document parsing failure when accepting application/graphql-response+json", "POST", "/query", js, gr, `{"query":"{"}`, 400, 599)
	add("556A", "SHOULD use 400 status code on document parsing failure when accepting application/graphql-response+json", "POST", "/query", js, gr, `{"query":"{"}`, 400, 400)
	add("D586", "SHOULD not contain the data entry on document parsing failure when accepting application/graphql-response+json", "POST", "/query", js, gr, `{"query":"{"}`, 400, 400, noData)
	add("51FE", "SHOULD use 4xx or 5xx status codes on document validation failure when accepting application/graphql-response+json", "POST", "/query", js, gr, unkn, 400, 599)
	add("74FF", "SHOULD use 400 status code on document validation failure when accepting application/graphql-response+json", "POST", "/query", js, gr, unkn, 400, 400)
	add("5E5B", "SHOULD not contain the data entry on document validation failure when accepting application/graphql-response+json", "POST", "/query", js, gr, unkn, 400, 400, noData)
	add("86EE", "SHOULD use a status code of 400 on variable coercion failure when accepting application/graphql-response+json", "POST", "/query", js, gr, coer, 400, 400)

	for _, c := range checks {
		t.Run(c.id, func(t *testing.T) {
			rec := do(t, h, c.method, c.target, c.ctype, c.accept, c.body)
			body := rec.Body.Bytes()
			if rec.Code < c.lo || rec.Code > c.hi {
				t.Errorf("%s: status %d, want %d..%d: %s", c.rule, rec.Code, c.lo, c.hi, body)
			}
			if ct := rec.Header().Get("Content-Type"); c.wantType != "" && !strings.Contains(ct, c.wantType) {
				t.Errorf("%s: Content-Type %q", c.rule, ct)
			}
			if !utf8.Valid(body) {
				t.Errorf("%s: the body is not UTF-8", c.rule)
			}
			var resp map[string]json.RawMessage
			if err := json.Unmarshal(body, &resp); err != nil {
				t.Fatalf("%s: the body is not a JSON object: %s", c.rule, body)
			}
			if _, has := resp["errors"]; c.noErrors && has {
				t.Errorf("%s: errors in %s", c.rule, body)
			}
			if _, has := resp["data"]; c.noData && has {
				t.Errorf("%s: a data entry in %s", c.rule, body)
			}
			var gr gqlResponse
			_ = json.Unmarshal(body, &gr)
			for _, e := range gr.Errors {
				if code, _ := e.Extensions["code"].(string); code == "" {
					t.Errorf("an error without extensions.code: %s", body)
				}
			}
		})
	}
}

// TestTransportErrorsCoded: what the transport refuses on its own carries
// extensions.code and the status the GraphQL-over-HTTP spec names, and a
// request error with application/graphql-response+json has the status of
// its code.
func TestTransportErrorsCoded(t *testing.T) {
	writesShared(t)
	h := svc.Handler()
	const body = `{"query":"{ graphVersion }"}`
	for _, tc := range []struct {
		name, method, target, ctype, accept, body string
		status                                    int
		code, allow                               string
	}{
		{"POST in another media type", "POST", "/query", "text/plain", "", body, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"POST without a Content-Type", "POST", "/query", "", "", body, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"JSON in another charset", "POST", "/query", "application/json; charset=latin1", "", body, 415, "UNSUPPORTED_MEDIA_TYPE", ""},
		{"Accept naming nothing served", "POST", "/query", "application/json", "text/html", body, 406, "NOT_ACCEPTABLE", ""},
		{"Accept with q=0 only", "POST", "/query", "application/json", "application/json;q=0", body, 406, "NOT_ACCEPTABLE", ""},
		{"mutation with GET", "GET", "/query?query=" + url.QueryEscape(`mutation { deleteHCP(id: "P000001") { deleted } }`), "", "", "", 405, "METHOD_NOT_ALLOWED", "POST"},
		{"PUT", "PUT", "/query", "application/json", "", body, 405, "METHOD_NOT_ALLOWED", "GET, POST, OPTIONS"},
		{"bad JSON", "POST", "/query", "application/json", "", `{"query": `, 400, kolgraph.EINVALID, ""},
		{"two JSON values", "POST", "/query", "application/json", "", body + body, 400, kolgraph.EINVALID, ""},
		{"introspection off, graphql-response+json", "POST", "/query", "application/json", "application/graphql-response+json", `{"query":"{ __schema { types { name } } }"}`, 403, kolgraph.EFORBIDDEN, ""},
		{"introspection off, json", "POST", "/query", "application/json", "application/json", `{"query":"{ __schema { types { name } } }"}`, 200, kolgraph.EFORBIDDEN, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := do(t, h, tc.method, tc.target, tc.ctype, tc.accept, tc.body)
			var resp gqlResponse
			_ = json.Unmarshal(rec.Body.Bytes(), &resp)
			if rec.Code != tc.status || !slices.Equal(resp.codes(), []string{tc.code}) {
				t.Errorf("got %d %s, want %d with code %s", rec.Code, rec.Body.String(), tc.status, tc.code)
			}
			if got := rec.Header().Get("Allow"); got != tc.allow {
				t.Errorf("Allow %q, want %q", got, tc.allow)
			}
		})
	}
	// The mutation sent with GET did not run.
	var got struct{ Hcp *struct{ ID string } }
	mustQuery(t, h, `{ hcp(id: "P000001") { id } }`, nil, &got)
	if got.Hcp == nil {
		t.Error("a mutation sent with GET deleted P000001")
	}
}

// TestMetricsAccess: /metrics is open by default; with -metrics-token only
// that bearer reads it; with -metrics-addr it is not on the main address.
func TestMetricsAccess(t *testing.T) {
	get := func(h http.Handler, authz string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := get(svc.Handler(), ""); rec.Code != http.StatusOK {
		t.Errorf("default /metrics: %d", rec.Code)
	}
	m := *svc
	m.Config.MetricsToken = "metrics-scrape-token"
	h := m.Handler()
	for authz, want := range map[string]int{"": 401, "Bearer nope": 401, bearer(t, "U001", "admin", nil): 401, "Bearer metrics-scrape-token": 200} {
		rec := get(h, authz)
		if rec.Code != want {
			t.Errorf("/metrics with %.20q: %d, want %d", authz, rec.Code, want)
		}
		if want == 401 && !strings.Contains(rec.Body.String(), `"UNAUTHENTICATED"`) {
			t.Errorf("refused scrape without a code: %s", rec.Body.String())
		}
	}
	m = *svc
	m.Config.MetricsAddr = "127.0.0.1:0"
	if rec := get(m.Handler(), ""); rec.Code != http.StatusNotFound {
		t.Errorf("/metrics on the main address with -metrics-addr: %d, want 404", rec.Code)
	}
}

// TestPlaygroundOnlyWhenAsked: the playground is served in dev mode or
// with -playground, not by default; the explorer always (its data comes
// through /query, with the caller's credentials).
func TestPlaygroundOnlyWhenAsked(t *testing.T) {
	for _, tc := range []struct {
		name            string
		dev, playground bool
		want            int
	}{
		{"default", false, false, http.StatusNotFound},
		{"-playground", false, true, http.StatusOK},
		{"dev mode", true, false, http.StatusOK},
	} {
		m := *svc
		m.Config.DevMode, m.Config.Playground = tc.dev, tc.playground
		rec := do(t, m.Handler(), "GET", "/playground", "", "", "")
		if rec.Code != tc.want {
			t.Errorf("%s: GET /playground is %d, want %d", tc.name, rec.Code, tc.want)
		}
		if rec := do(t, m.Handler(), "GET", "/explore", "", "", ""); rec.Code != http.StatusOK {
			t.Errorf("%s: GET /explore is %d, want 200", tc.name, rec.Code)
		}
	}
}
