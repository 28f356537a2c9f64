package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/server"
)

// TestShutdownDrainsInFlight cancels the serving context while a request
// is being answered: the request still completes, new connections are
// refused, and Serve returns within the shutdown timeout.
func TestShutdownDrainsInFlight(t *testing.T) {
	started := make(chan struct{})
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		time.Sleep(300 * time.Millisecond)
		_, _ = io.WriteString(w, `{"data":{}}`)
	})
	s := server.New(server.Options{Addr: "127.0.0.1:0", RequestTimeout: 5 * time.Second, ShutdownTimeout: 5 * time.Second}, zerolog.Nop())
	s.Mount(slow)
	addr, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()

	type result struct {
		status int
		err    error
	}
	got := make(chan result, 1)
	go func() {
		resp, err := http.Post("http://"+addr.String()+"/query", "application/json", nil)
		if err != nil {
			got <- result{err: err}
			return
		}
		resp.Body.Close()
		got <- result{status: resp.StatusCode}
	}()
	<-started
	cancel()
	if r := <-got; r.err != nil || r.status != http.StatusOK {
		t.Errorf("in-flight request during shutdown: got %d, %v; want 200", r.status, r.err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return within the shutdown timeout")
	}
	if _, err := http.Get("http://" + addr.String() + "/healthz"); err == nil {
		t.Error("a new request after shutdown was accepted")
	}
}

// TestReadyzFollowsReady checks that /readyz answers 503 with the reason
// while Ready fails (store down, no snapshot yet) and 200 once it passes,
// and that /healthz stays 200 throughout.
func TestReadyzFollowsReady(t *testing.T) {
	var down error = errors.New("the graph database is unavailable")
	h := server.New(server.Options{RequestTimeout: time.Second, Ready: func(context.Context) error { return down }}, zerolog.Nop()).
		Handler(http.NotFoundHandler())
	get := func(path string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Code
	}
	if c := get("/readyz"); c != http.StatusServiceUnavailable {
		t.Errorf("/readyz while not ready: got %d, want 503", c)
	}
	// The answer is coded like every error, and the cause (a driver's
	// message may name hosts) stays in the log: /readyz is unauthenticated.
	down = errors.New("bolt: dial tcp 10.0.0.7:7687: connection refused")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	var body struct {
		Errors []struct{ Extensions struct{ Code string } }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || rec.Code != http.StatusServiceUnavailable ||
		len(body.Errors) != 1 || body.Errors[0].Extensions.Code != kolgraph.EUNAVAILABLE {
		t.Errorf("/readyz with an uncoded store error: %d %s, want 503 with code UNAVAILABLE", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "10.0.0.7") {
		t.Errorf("/readyz leaks the cause: %s", rec.Body)
	}
	if c := get("/healthz"); c != http.StatusOK {
		t.Errorf("/healthz while not ready: got %d, want 200", c)
	}
	down = nil
	if c := get("/readyz"); c != http.StatusOK {
		t.Errorf("/readyz when ready: got %d, want 200", c)
	}
}

// TestMetricsOwnAddressAndToken: with MetricsAddr, /metrics is served there
// and not on the main address; with MetricsToken, only to that bearer.
func TestMetricsOwnAddressAndToken(t *testing.T) {
	metrics := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "kolgraph_up 1\n") })
	s := server.New(server.Options{Addr: "127.0.0.1:0", MetricsAddr: "127.0.0.1:0", MetricsToken: "scrape-token",
		Metrics: metrics, RequestTimeout: time.Second, ShutdownTimeout: time.Second}, zerolog.Nop())
	s.Mount(http.NotFoundHandler())
	addr, err := s.Listen()
	if err != nil {
		t.Fatal(err)
	}
	maddr := s.MetricsAddr()
	if maddr == nil || maddr.String() == addr.String() {
		t.Fatalf("metrics address %v, want its own beside %v", maddr, addr)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx) }()
	get := func(url, authz string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if authz != "" {
			req.Header.Set("Authorization", authz)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get("http://"+addr.String()+"/metrics", "Bearer scrape-token"); code != http.StatusNotFound {
		t.Errorf("/metrics on the main address: %d, want 404", code)
	}
	for authz, want := range map[string]int{"": 401, "Bearer wrong": 401, "scrape-token": 401, "Bearer scrape-token": 200} {
		code, body := get("http://"+maddr.String()+"/metrics", authz)
		if code != want {
			t.Errorf("/metrics with %q: %d %s, want %d", authz, code, body, want)
		}
		if code == 401 && !strings.Contains(body, `"UNAUTHENTICATED"`) {
			t.Errorf("a refused scrape without a code: %s", body)
		}
		if code == 200 && body != "kolgraph_up 1\n" {
			t.Errorf("metrics body %q", body)
		}
	}
	cancel()
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if _, err := http.Get("http://" + maddr.String() + "/metrics"); err == nil {
		t.Error("the metrics listener still answers after shutdown")
	}
}
