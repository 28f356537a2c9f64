package importer_test

import (
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/kolgraph/kolgraph/internal/importer"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// importBoth runs files as a dry run, then as an import, and checks that
// both give the same notes and counts; it returns the import's result.
func importBoth(t *testing.T, format importer.Format, files []importer.File) *importer.Result {
	t.Helper()
	s := store(t)
	svc := &importer.Service{Store: s, Writer: writer.New(s, nil)}
	dry, err := svc.Import(t.Context(), "U01", format, files, true)
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	res, err := svc.Import(t.Context(), "U01", format, files, false)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if !slices.Equal(dry.Notes, res.Notes) {
		t.Errorf("notes: dry run %q, import %q", dry.Notes, res.Notes)
	}
	if dry.Total() != res.Total() {
		t.Errorf("counts: dry run %+v, import %+v", dry.Total(), res.Total())
	}
	return res
}

func wantNote(t *testing.T, notes []string, want string) {
	t.Helper()
	if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, want) }) {
		t.Errorf("no note %q in %q", want, notes)
	}
}

// TestGBKImport: a GBK hcps.csv whose bytes are valid UTF-8 imports with
// its names intact and says it was read as GB18030.
func TestGBKImport(t *testing.T) {
	data, err := simplifiedchinese.GB18030.NewEncoder().String(hcpHeader + "P011,郑伟伟,physician,,,,D001-01,H001,,,,,\n")
	if err != nil {
		t.Fatal(err)
	}
	res := importBoth(t, importer.CSV, []importer.File{{Name: "hcps.csv", Data: []byte(data)}})
	wantNote(t, res.Notes, "hcps.csv: read as GB18030")
	if c := res.Counts[kolgraph.KindHCPs]; c == nil || c.Created != 1 {
		t.Errorf("counts: got %+v, want 1 created", res.Counts)
	}
}
