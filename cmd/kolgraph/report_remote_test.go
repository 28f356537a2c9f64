package main

import (
	"bytes"
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/auth"
)

// TestReportFromARunningService runs `kolgraph report -server` against the
// shared service while it holds its store: a KAM's token gets the report
// of their territory, with paths cited from their contacts; another
// territory is NOT_FOUND (the error names the code), and -user is refused.
func TestReportFromARunningService(t *testing.T) {
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	token := strings.TrimPrefix(bearer(t, "U004", auth.RoleKAM, []string{"T01"}), "Bearer ")
	run := func(args ...string) (string, error) {
		var stdout, stderr bytes.Buffer
		err := runReport(context.Background(), append([]string{"-server", srv.URL}, args...),
			func(k string) string {
				if k == "KOLGRAPH_TOKEN" {
					return token
				}
				return ""
			}, &stdout, &stderr)
		return stdout.String(), err
	}

	out := filepath.Join(t.TempDir(), "t01.csv")
	if _, err := run("-territory", "T01", "-product", "RX01", "-lang", "en", "-o", out); err != nil {
		t.Fatal(err)
	}
	body, recs := csvReport(t, out)
	want := prescribers(t, "T01", "RX01")
	if len(recs) != 1+len(want) {
		t.Errorf("%d records, want a header and %d prescribers", len(recs), len(want))
	}
	if !bytes.Contains(body, []byte("path-")) {
		t.Error("the KAM's report cites no path from their contacts")
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-territory", "T02"}, "NOT_FOUND"},
		{[]string{"-territory", "T01", "-user", "U005"}, "-user does not go with -server"},
	} {
		if _, err := run(tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}
