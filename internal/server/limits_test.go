package server_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/server"
)

// echo reads the body and answers 200.
var echo = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	w.WriteHeader(http.StatusOK)
})

func TestBodyLimit(t *testing.T) {
	h := server.New(server.Options{RequestTimeout: time.Second, MaxBodyBytes: 100}, zerolog.Nop()).Handler(echo)
	for _, tc := range []struct {
		name    string
		body    string
		chunked bool
		want    int
	}{
		{"small", strings.Repeat("x", 100), false, http.StatusOK},
		{"declared too large", strings.Repeat("x", 101), false, http.StatusRequestEntityTooLarge},
		{"chunked too large", strings.Repeat("x", 5000), true, http.StatusRequestEntityTooLarge},
		{"chunked small", "{}", true, http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(tc.body))
			if tc.chunked {
				r.ContentLength = -1
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.want {
				t.Fatalf("got %d %s, want %d", w.Code, w.Body, tc.want)
			}
			if tc.want != http.StatusOK && !strings.Contains(w.Body.String(), `"BAD_USER_INPUT"`) {
				t.Errorf("body %s lacks the error code", w.Body)
			}
		})
	}
}

func TestCORS(t *testing.T) {
	h := server.New(server.Options{RequestTimeout: time.Second, CORSOrigins: []string{"https://app.example"},
		Auth: func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnauthorized) })
		}}, zerolog.Nop()).Handler(echo)
	do := func(method, origin string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, "/query", nil)
		r.Header.Set("Origin", origin)
		if method == http.MethodOptions {
			r.Header.Set("Access-Control-Request-Method", "POST")
			r.Header.Set("Access-Control-Request-Headers", "authorization")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	// A preflight carries no credentials: it is answered before auth.
	w := do(http.MethodOptions, "https://app.example")
	if w.Code != http.StatusNoContent || w.Header().Get("Access-Control-Allow-Origin") != "https://app.example" ||
		!strings.Contains(w.Header().Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Errorf("allowed preflight: %d %v", w.Code, w.Header())
	}
	if w := do(http.MethodOptions, "https://evil.example"); w.Code != http.StatusForbidden || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin: %d %v", w.Code, w.Header())
	}
	if w := do(http.MethodPost, "https://evil.example"); w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("request from another origin got CORS headers: %v", w.Header())
	}
	if w := do(http.MethodPost, "https://app.example"); w.Code != http.StatusUnauthorized || w.Header().Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("allowed origin without a token: %d %v; want 401 readable by the page", w.Code, w.Header())
	}
}

func TestAuthGuardsQueryNotHealth(t *testing.T) {
	deny := func(http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnauthorized) })
	}
	h := server.New(server.Options{RequestTimeout: time.Second, Auth: deny, Tiering: &fakeReports{}}, zerolog.Nop()).Handler(echo)
	for path, want := range map[string]int{"/query": 401, "/reports/tiering?territory=T01": 401, "/healthz": 200, "/readyz": 200} {
		w := httptest.NewRecorder()
		method := http.MethodGet
		h.ServeHTTP(w, httptest.NewRequest(method, path, nil))
		if w.Code != want {
			t.Errorf("%s: got %d, want %d", path, w.Code, want)
		}
	}
}

func TestBatchRefused(t *testing.T) {
	h := server.New(server.Options{RequestTimeout: time.Second}, zerolog.Nop()).Handler(echo)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/query", strings.NewReader(` [{"query":"{a}"},{"query":"{b}"}]`)))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), `"BAD_USER_INPUT"`) {
		t.Errorf("a batch: got %d %s, want 400 BAD_USER_INPUT", w.Code, w.Body)
	}
}
