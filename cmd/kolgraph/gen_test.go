package main

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/seedfile"
)

// TestGenerateFacts: -facts-territory adds prescriptions.csv and leaves the
// other files as the seed's; without it there is no such file; a bad
// window is refused.
func TestGenerateFacts(t *testing.T) {
	dir := t.TempDir()
	if err := runGenerate([]string{"-out", dir, "-facts-territory", "T01", "-facts-months", "3", "-facts-end", "2026-02"}, io.Discard); err != nil {
		t.Fatal(err)
	}
	cs, err := seedfile.Read(os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	months := map[string]bool{}
	for _, f := range cs.Prescriptions {
		months[f.Month] = true
	}
	if len(cs.Prescriptions) < 100 || len(months) != 3 || !months["2025-12"] || !months["2026-02"] {
		t.Errorf("facts: got %d in months %v, want 3 months 2025-12..2026-02", len(cs.Prescriptions), months)
	}
	got, _ := os.ReadFile(filepath.Join(dir, seedfile.HCPsFile))
	want, _ := os.ReadFile(filepath.Join("..", "..", "seed", seedfile.HCPsFile))
	if !bytes.Equal(got, want) {
		t.Error("hcps.csv with facts differs from the seed's")
	}

	plain := t.TempDir()
	if err := runGenerate([]string{"-out", plain}, io.Discard); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(plain, seedfile.PrescriptionsFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("default output: %s exists (%v), want none", seedfile.PrescriptionsFile, err)
	}
	for _, args := range [][]string{
		{"-out", t.TempDir(), "-facts-territory", "T01", "-facts-end", "2026-13"},
		{"-out", t.TempDir(), "-facts-territory", "T01", "-facts-months", "0"},
		{"-out", t.TempDir(), "-facts-territory", "T99"},
	} {
		if err := runGenerate(args, io.Discard); err == nil || !strings.HasPrefix(err.Error(), "generate: ") {
			t.Errorf("generate %q: got %v, want a generate: error", args, err)
		}
	}
}
