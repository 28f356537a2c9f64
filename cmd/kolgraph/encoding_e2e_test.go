package main

import (
	"encoding/base64"
	"flag"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/config"
	"github.com/kolgraph/kolgraph/internal/importer"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// gbkHCPs is an hcps.csv as Excel on Chinese Windows saves it (GBK), whose
// bytes happen to be valid UTF-8 too ("֣ΰΰ").
func gbkHCPs(t *testing.T, department, hospital string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().String(
		"id,name,role,department_id,hospital_id\nP990020,郑伟伟,physician," + department + "," + hospital + "\n")
	if err != nil {
		t.Fatal(err)
	}
	return []byte(b)
}

// TestImportSaysTheEncodingThroughTheAPI: the import result's notes say
// which encoding a file was read as, the same for the dry run and the
// import.
func TestImportSaysTheEncodingThroughTheAPI(t *testing.T) {
	h := writeService(t).Handler()
	q := `mutation($f: [ImportFile!]!) { importRegion(format: CSV, files: $f, dryRun: true) { rows notes } }`
	var got struct {
		ImportRegion struct {
			Rows  int
			Notes []string
		}
	}
	mustQuery(t, h, q, map[string]any{"f": []map[string]any{{"name": "hcps.csv", "encoding": "BASE64",
		"content": base64.StdEncoding.EncodeToString(gbkHCPs(t, "D001-01", "H001"))}}}, &got)
	if got.ImportRegion.Rows != 1 || !slices.ContainsFunc(got.ImportRegion.Notes, func(n string) bool {
		return strings.HasPrefix(n, "hcps.csv: read as GB18030")
	}) {
		t.Errorf("got %+v, want 1 row and the note hcps.csv: read as GB18030", got.ImportRegion)
	}
}

// TestCLIImportSaysTheEncoding imports a GBK hcps.csv with the CLI: the
// name is stored intact and the output says how the file was read.
func TestCLIImportSaysTheEncoding(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("hospitals.csv", []byte("id,name,tier\nH1,Hospital,3A\n"))
	write("departments.csv", []byte("id,hospital_id,name,specialty\nD1,H1,Cardiology,cardiology\n"))
	write("hcps.csv", gbkHCPs(t, "D1", "H1"))
	dataDir := t.TempDir()
	out, stderr, err := runCLI(t, dataDir, "import", "-dir", dir)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "note: hcps.csv: read as GB18030") {
		t.Errorf("output does not say the encoding:\n%s", out)
	}
	st := openEmbedded(t, dataDir)
	hs, err := st.HCPs(t.Context(), []string{"P990020"})
	if err != nil || len(hs) != 1 || hs[0].Name != "郑伟伟" {
		t.Errorf("stored HCP: got %+v, %v; want the name 郑伟伟", hs, err)
	}
}

// TestCLIImportWhileServeHoldsTheStore: the refusal points to the import
// through the running service.
func TestCLIImportWhileServeHoldsTheStore(t *testing.T) {
	dataDir := t.TempDir()
	openEmbedded(t, dataDir) // as serve holds it
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hospitals.csv"), []byte("id,name,tier\nH1,Hospital,3A\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, err := runCLI(t, dataDir, "import", "-dir", dir)
	if err == nil || !strings.Contains(err.Error(), "locked by another process") || !strings.Contains(err.Error(), "the importRegion mutation on /query") {
		t.Errorf("got %v, want the lock named and the API import pointed to", err)
	}
}

// TestCLIImportOfAnXLSFile says how to convert it.
func TestCLIImportOfAnXLSFile(t *testing.T) {
	_, _, err := runCLI(t, t.TempDir(), "import", "-file", "region.xls")
	if err == nil || !strings.Contains(err.Error(), "open it in Excel or WPS and save it as .xlsx") {
		t.Errorf("got %v, want how to convert an .xls file", err)
	}
}

// TestCLIFileSizeCapIsTheOperatorsChoice: the CLI reads an operator's own
// file past the API's 64 MiB cap unless -import-max-bytes (or its
// variable) asks for one (issue 17: it refused a 67 MB file by default).
// The file is one 65 MiB hospital name, so reading it gets as far as the
// name's own limit.
func TestCLIFileSizeCapIsTheOperatorsChoice(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads a 65 MiB file")
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "hospitals.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(f, "id,name,tier\nH1,"+strings.Repeat("x", 65<<20)+",3A\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, stderr, err := runCLI(t, t.TempDir(), "import", "-dry-run", "-dir", dir)
	if err == nil || strings.Contains(stderr, "import limit") || !strings.Contains(stderr, `field "name": is longer than`) {
		t.Errorf("without a cap: %v\n%.300s", err, stderr)
	}
	_, stderr, err = runCLI(t, t.TempDir(), "import", "-dry-run", "-import-max-bytes", "1048576", "-dir", dir)
	if err == nil || !strings.Contains(stderr, "import limit") {
		t.Errorf("with -import-max-bytes: %v\n%.300s", err, stderr)
	}
}

// TestCLIImportLimitsAreTheOperatorsChoice: kolgraph import neither caps
// files nor bounds one Neo4j call by serve's 5 s unless the command line or
// the environment asks (the seed region's import through a busy NornicDB
// failed on a 5,000-tie lookup).
func TestCLIImportLimitsAreTheOperatorsChoice(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		env     map[string]string
		timeout time.Duration
		cap     int64
	}{
		{"defaults", nil, nil, importNeo4jTimeout, importer.NoLimit},
		{"flags", []string{"-neo4j-timeout", "3s", "-import-max-bytes", "1024"}, nil, 3 * time.Second, 1024},
		{"environment", nil, map[string]string{"KOLGRAPH_NEO4J_TIMEOUT": "7s"}, 7 * time.Second, importer.NoLimit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("kolgraph import", flag.ContinueOnError)
			cfg, err := config.LoadFlags(fs, tc.args, func(k string) string { return tc.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			operatorLimits(fs, &cfg)
			if cfg.Neo4jTimeout != tc.timeout || cfg.ImportMaxBytes != tc.cap {
				t.Errorf("timeout %v, cap %d; want %v, %d", cfg.Neo4jTimeout, cfg.ImportMaxBytes, tc.timeout, tc.cap)
			}
		})
	}
}
