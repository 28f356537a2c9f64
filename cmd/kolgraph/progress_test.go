package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/importer"
)

// TestProgressOnlyOnATerminal: the CLI's progress line goes to a terminal
// only, never to a file or a buffer (whose output tests parse).
func TestProgressOnlyOnATerminal(t *testing.T) {
	if _, ok := terminal(&bytes.Buffer{}); ok {
		t.Error("a buffer is taken for a terminal")
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, ok := terminal(f); ok {
		t.Error("a regular file is taken for a terminal")
	}
}

func TestProgressLine(t *testing.T) {
	p := importer.NewProgress([]importer.File{{Name: "hcps.csv", Data: make([]byte, 1000)}, {Name: "influences.csv", Data: make([]byte, 3000)}})
	var b bytes.Buffer
	stop := showProgress(&b, func() string { return progressLine(p.Status()) }, time.Millisecond)
	time.Sleep(20 * time.Millisecond)
	stop()
	out := b.String()
	if !strings.Contains(out, "\rimport: reading   0% of 0.0 MB\033[K") || !strings.HasSuffix(out, "\r\033[K") {
		t.Errorf("progress output %q: want the reading line, cleared at the end", out)
	}
	for _, tc := range []struct {
		s    importer.ProgressStatus
		want string
	}{
		{importer.ProgressStatus{Phase: importer.PhaseReading, Files: []importer.FileProgress{
			{Name: "hcps.csv", Size: 1_000_000, BytesRead: 1_000_000}, {Name: "influences.csv", Size: 3_000_000, BytesRead: 500_000}}},
			"import: reading  38% of 4.0 MB (influences.csv)"},
		{importer.ProgressStatus{Phase: importer.PhaseChecking, Rows: 70803}, "import: checking 70803 rows against the store"},
		{importer.ProgressStatus{Phase: importer.PhaseWriting, Changes: 7}, "import: writing 7 changed records"},
	} {
		if got := progressLine(tc.s); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}
