package neo4jstore_test

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/storetest"
)

// control runs the Bolt server's control script (.ci/nornicdb.sh) with a
// command, or skips t when the server is not one this suite started.
func control(t *testing.T, cmd string) {
	t.Helper()
	script := os.Getenv("KOLGRAPH_TEST_NEO4J_CONTROL")
	if script == "" {
		t.Skip("the Bolt server was not started by .ci/nornicdb.sh: cannot stop and restart it")
	}
	out, err := exec.Command("bash", script, cmd).CombinedOutput()
	if err != nil {
		t.Fatalf("nornicdb.sh %s: %v\n%s", cmd, err, out)
	}
}

// TestServerGoesAwayAndComesBack stops the Bolt server under an open
// store: calls fail fast with UNAVAILABLE (no hang beyond the timeout),
// Ping says so, and once the server is back the same Store serves again
// without being reopened.
func TestServerGoesAwayAndComesBack(t *testing.T) {
	cfg := testConfig(t)
	if os.Getenv("KOLGRAPH_TEST_NEO4J_CONTROL") == "" {
		t.Skip("the Bolt server was not started by .ci/nornicdb.sh: cannot stop and restart it")
	}
	cfg.Timeout = 2 * time.Second
	wipe(t, cfg)
	s := open(t, cfg)
	defer s.Close()
	if _, err := s.Apply(t.Context(), storetest.Fixture()); err != nil {
		t.Fatal(err)
	}

	control(t, "kill")
	resumed := false
	defer func() {
		if !resumed {
			control(t, "resume")
		}
	}()
	for _, call := range []struct {
		name string
		run  func() error
	}{
		{"Ping", func() error { return s.Ping(t.Context()) }},
		{"Version", func() error { _, err := s.Version(t.Context()); return err }},
		{"HCPs", func() error { _, err := s.HCPs(t.Context(), []string{"P001"}); return err }},
		{"Apply", func() error {
			_, err := s.Apply(t.Context(), &kolgraph.ChangeSet{Territories: []*kolgraph.Territory{{ID: "T9", Name: "x"}}})
			return err
		}},
	} {
		start := time.Now()
		err := call.run()
		took := time.Since(start)
		if code := kolgraph.ErrorCode(err); code != kolgraph.EUNAVAILABLE {
			t.Errorf("%s with the server down: got %v (code %q), want code %q", call.name, err, code, kolgraph.EUNAVAILABLE)
		}
		// The bound: acquiring a connection (Timeout), the driver's retries
		// of a connectivity failure (MaxRetryTime, default Timeout), and the
		// last attempt's acquisition: 3 x Timeout, plus slack for CI.
		if limit := 3*cfg.Timeout + time.Second; took > limit {
			t.Errorf("%s with the server down took %v, want at most %v (3 x the %v timeout)", call.name, took, limit, cfg.Timeout)
		}
	}

	control(t, "resume")
	resumed = true
	deadline := time.Now().Add(30 * time.Second)
	for {
		v, err := s.Version(t.Context())
		if err == nil {
			if v != 1 {
				t.Errorf("Version after the restart: got %d, want 1 (the failed Apply wrote nothing)", v)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the store did not recover within 30s of the server's restart: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping after the restart: %v", err)
	}
	hs, err := s.HCPs(t.Context(), []string{"P001"})
	if err != nil || hs[0] == nil {
		t.Errorf("HCPs after the restart: got %v, %v; want P001", hs, err)
	}
}
