package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

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
	if _, err := svc.Scores.Ranking(context.Background(), snapshot.Scope{}, "PAGERANK"); err != nil {
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
