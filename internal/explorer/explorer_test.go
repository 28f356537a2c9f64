package explorer_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/explorer"
)

func TestServes(t *testing.T) {
	tests := []struct {
		h          http.Handler
		path, want string
		status     int
	}{
		{explorer.Explorer(), "/explore", "/explore/explorer.js", 200},
		{explorer.Explorer(), "/explore/", "/explore/explorer.js", 200},
		{explorer.Explorer(), "/explore/explorer.js", "", 200},
		{explorer.Explorer(), "/explore/explorer.css", "", 200},
		{explorer.Explorer(), "/explore/nothing.js", "", 404},
		{explorer.Playground(), "/playground", "/playground/playground.js", 200},
		{explorer.Playground(), "/playground/playground.js", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			tt.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			if !strings.Contains(rec.Header().Get("Content-Security-Policy"), "default-src 'self'") {
				t.Errorf("no same-origin CSP: %q", rec.Header().Get("Content-Security-Policy"))
			}
			if tt.want != "" && !strings.Contains(rec.Body.String(), tt.want) {
				t.Errorf("body lacks %q", tt.want)
			}
		})
	}
}

// TestNoForeignURLs: the pages and the explorer's bundle name no other
// origin to load from (the CSP would block it; this catches it earlier).
func TestNoForeignURLs(t *testing.T) {
	for _, p := range []string{"/explore", "/explore/explorer.js", "/explore/explorer.css"} {
		rec := httptest.NewRecorder()
		explorer.Explorer().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		body := rec.Body.String()
		for _, bad := range []string{"cdn.", "unpkg", "jsdelivr", "googleapis", "https://fonts"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s names %q", p, bad)
			}
		}
	}
}

// TestBundleBudget: the explorer's own bundle stays within 300 KB
// gzipped (the budget; GraphiQL is only loaded on /playground).
func TestBundleBudget(t *testing.T) {
	total := 0
	for _, p := range []string{"/explore", "/explore/explorer.js", "/explore/explorer.css"} {
		rec := httptest.NewRecorder()
		explorer.Explorer().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, p, nil))
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		_, _ = zw.Write(rec.Body.Bytes())
		_ = zw.Close()
		t.Logf("%s: %d bytes, %d gzipped", p, rec.Body.Len(), buf.Len())
		total += buf.Len()
	}
	t.Logf("the explorer: %d bytes gzipped", total)
	if total > 300<<10 {
		t.Errorf("the explorer is %d bytes gzipped, over the 300 KB budget", total)
	}
}
