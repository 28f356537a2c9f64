package server_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/rs/zerolog"

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
	if c := get("/healthz"); c != http.StatusOK {
		t.Errorf("/healthz while not ready: got %d, want 200", c)
	}
	down = nil
	if c := get("/readyz"); c != http.StatusOK {
		t.Errorf("/readyz when ready: got %d, want 200", c)
	}
}
