package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/seed"
)

// prescribers returns the HCPs of territory tid that product's matrix and
// report classify, by the rule read off the seed independently of the
// code: the physicians of departments whose specialty is one of the
// product's.
func prescribers(t *testing.T, tid, product string) map[string]bool {
	t.Helper()
	cs, err := seedfile.Read(seed.FS)
	if err != nil {
		t.Fatal(err)
	}
	hosp := map[string]bool{}
	for _, h := range cs.Hospitals {
		if h.TerritoryID == tid {
			hosp[h.ID] = true
		}
	}
	var specialties []string
	for _, p := range cs.Products {
		if p.ID == product {
			specialties = p.Specialties
		}
	}
	depts := map[string]bool{}
	for _, d := range cs.Departments {
		if hosp[d.HospitalID] && slices.Contains(specialties, d.Specialty) {
			depts[d.ID] = true
		}
	}
	out := map[string]bool{}
	for _, h := range cs.HCPs {
		if depts[h.DepartmentID] && h.Role == kolgraph.RolePhysician {
			out[h.ID] = true
		}
	}
	if len(out) == 0 {
		t.Fatalf("no prescribers of %s in %s", product, tid)
	}
	return out
}

// csvReport reads a CSV report file: its bytes and its records (the
// byte-order mark dropped).
func csvReport(t *testing.T, file string) ([]byte, [][]string) {
	t.Helper()
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return body, recs
}

// TestReportCommand runs `kolgraph report` on a fresh embedded store, which
// it seeds like serve does.
func TestReportCommand(t *testing.T) {
	skipWholeRegionCLI(t)
	dataDir, outDir := t.TempDir(), t.TempDir()
	getenv := func(k string) string {
		switch k {
		case "KOLGRAPH_DATA_DIR":
			return dataDir
		case "KOLGRAPH_LOG_LEVEL":
			return "error"
		case "KOLGRAPH_STORE":
			return "embedded"
		}
		return ""
	}
	report := func(args ...string) (string, string, error) {
		var stdout, stderr bytes.Buffer
		err := runReport(context.Background(), args, getenv, &stdout, &stderr)
		return stdout.String(), stderr.String(), err
	}

	csvFile := filepath.Join(outDir, "t01.csv")
	_, msg, err := report("-territory", "T01", "-product", "RX01", "-o", csvFile)
	if err != nil {
		t.Fatalf("report: %v (%s)", err, msg)
	}
	if !strings.Contains(msg, "wrote "+csvFile) {
		t.Errorf("summary %q", msg)
	}
	body, recs := csvReport(t, csvFile)
	want := prescribers(t, "T01", "RX01")
	if len(recs) != 1+len(want) {
		t.Fatalf("%d records, want a header and the %d prescribers of RX01 in T01", len(recs), len(want))
	}
	segments := map[string]int{}
	seg := slices.Index(account.CSVHeader, "segment")
	for _, r := range recs[1:] {
		if !want[r[1]] {
			t.Errorf("row of %s, not a T01 HCP", r[1])
		}
		segments[r[seg]]++
	}
	// Chinese by default: 分级 A类 ... D类.
	for _, s := range []string{"A类", "B类", "C类", "D类"} {
		if segments[s] == 0 {
			t.Errorf("no row in segment %s (%v)", s, segments)
		}
	}

	// As a KAM, A rows cite paths from the KAM's contacts.
	withPaths, _, err := report("-territory", "T01", "-product", "RX01", "-user", "U004", "-lang", "en")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(withPaths, ",A,") || !strings.Contains(withPaths, "path-") {
		t.Error("report as U004 cites no influence path")
	}
	if strings.Contains(string(body), "path-") {
		t.Error("anonymous report cites paths")
	}

	// Markdown to stdout, department rows, format from the flag.
	md, _, err := report("-hospital", "H001", "-product", "RX02", "-format", "md", "-level", "department", "-lang", "en")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(md, "# Tiering report: Hospital H001") || !strings.Contains(md, "| D001-07 |") || !strings.Contains(md, "## Summary") {
		t.Errorf("markdown report:\n%.400s", md)
	}
	// The format follows the file's extension.
	htmlFile := filepath.Join(outDir, "t02.html")
	if _, _, err := report("-territory", "T02", "-o", htmlFile); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(htmlFile); !bytes.HasPrefix(b, []byte("<!DOCTYPE html>")) {
		t.Errorf("%s is not HTML: %.60s", htmlFile, b)
	}

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-territory", "T01", "-product", "RX99"}, `no product "RX99"`},
		{[]string{"-territory", "T99"}, `no territory "T99"`},
		{[]string{"-territory", "T01", "-format", "pdf"}, "format must be csv, xlsx, html or md"},
		{[]string{"-territory", "T01", "-lang", "fr"}, "-lang must be zh-CN or en"},
		{[]string{"-territory", "T01", "-level", "ward"}, "level must be"},
		{[]string{"-territory", "T01", "-user", "U999"}, `no user "U999"`},
	} {
		if _, _, err := report(tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("report %v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}
