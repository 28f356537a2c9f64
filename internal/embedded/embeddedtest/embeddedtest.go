// Package embeddedtest gives tests of other packages an embedded store in a
// temporary directory, the way net/http/httptest gives them a server.
package embeddedtest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Open returns an embedded store in tb's temporary directory, without
// fsync (a test never survives a power cut), loaded with cs unless cs is
// nil, and closed when tb ends.
func Open(tb testing.TB, cs *kolgraph.ChangeSet) *embedded.Store {
	tb.Helper()
	st, err := embedded.Open(filepath.Join(tb.TempDir(), "kg.db"), embedded.WithNoSync())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	if cs != nil {
		if _, err := st.Apply(context.Background(), cs); err != nil {
			tb.Fatal(err)
		}
	}
	return st
}
