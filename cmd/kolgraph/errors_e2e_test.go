package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// TestReportErrorStatuses: /reports/tiering answers its errors as /query
// does, with extensions.code at the status kolgraph.HTTPStatus gives that
// code, whether the error comes from the auth guard, the rate limiter, the
// scope or the endpoint's own checks.
func TestReportErrorStatuses(t *testing.T) {
	strict := *svc
	strict.Config.DevMode = false // no credential is no one, not the dev admin
	h := strict.Handler()
	limited := strict
	limited.Config.RateLimit, limited.Config.RateBurst = 0.001, 1
	lh := limited.Handler()
	viewer := bearer(t, "U005", auth.RoleViewer, []string{"T01"})
	flood := bearer(t, "U006", auth.RoleViewer, []string{"T01"})
	report := func(h http.Handler, method, authz, query string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "/reports/tiering?"+query, nil)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	// The one request the limiter lets through (cheap: a bad parameter).
	if rec := report(lh, http.MethodGet, flood, "teritory=T01"); rec.Code != http.StatusBadRequest {
		t.Fatalf("the burst's request: %d %s", rec.Code, rec.Body)
	}
	for _, tc := range []struct {
		name   string
		h      http.Handler
		method string
		authz  string
		query  string
		status int
		code   string
		header string // a header the answer must carry
	}{
		{"no credential", h, http.MethodGet, "", "territory=T01", 401, kolgraph.EUNAUTHENTICATED, "WWW-Authenticate"},
		{"a forged token", h, http.MethodGet, "Bearer not.a.token", "territory=T01", 401, kolgraph.EUNAUTHENTICATED, "WWW-Authenticate"},
		{"over the credential's rate", lh, http.MethodGet, flood, "territory=T01", 429, kolgraph.ERATELIMITED, "Retry-After"},
		// Another territory is hidden, not refused: its existence is not
		// confirmed to a caller that may not read it.
		{"another territory", h, http.MethodGet, viewer, "territory=T02", 404, kolgraph.ENOTFOUND, ""},
		{"a misspelt parameter", h, http.MethodGet, viewer, "teritory=T01", 400, kolgraph.EINVALID, ""},
		{"POST", h, http.MethodPost, viewer, "territory=T01", 405, kolgraph.EMETHODNOTALLOWED, "Allow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := report(tc.h, tc.method, tc.authz, tc.query)
			var body gqlResponse
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("%d, body %.200q: %v", rec.Code, rec.Body, err)
			}
			if codes := body.codes(); rec.Code != tc.status || len(codes) != 1 || codes[0] != tc.code {
				t.Errorf("%d %.300s, want %d with code %s", rec.Code, rec.Body, tc.status, tc.code)
			}
			if got := kolgraph.HTTPStatus(tc.code); got != tc.status {
				t.Errorf("the table says %d for %s, the test %d", got, tc.code, tc.status)
			}
			if tc.header != "" && rec.Header().Get(tc.header) == "" {
				t.Errorf("no %s header", tc.header)
			}
		})
	}
}
