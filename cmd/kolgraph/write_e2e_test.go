package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/seed"
)

// The write tests get their own service and store (seeded like serve), so
// that the read tests' seed answers stay as they are.
var (
	writeOnce sync.Once
	writeMain *Main
	writeErr  error
)

func writeService(t testing.TB) *Main {
	t.Helper()
	writeOnce.Do(func() {
		dir, err := os.MkdirTemp("", "kolgraph-write-e2e-")
		if err != nil {
			writeErr = err
			return
		}
		writeMain, writeErr = openEmbeddedService(context.Background(), dir)
	})
	if writeErr != nil {
		t.Skip("write service:", writeErr)
	}
	return writeMain
}

// ownService is openEmbeddedService in a temporary directory for test t,
// closed when t ends; t is skipped where it cannot run (on Neo4j).
func ownService(t *testing.T) *Main {
	t.Helper()
	m, err := openEmbeddedService(t.Context(), t.TempDir())
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { m.Store.Close() })
	return m
}

// noHistory are the flags of a service that records no influence history.
var noHistory = []string{"-history-metrics="}

// openEmbeddedService opens a service of its own on an embedded store in
// dir, seeded like serve, in dev mode (requests without a token run as an
// admin), with the flags args. Without args it records no influence
// history (noHistory): the recorder ranks the region and every territory
// and hospital for each seeded version, minutes of a core that the tests
// of other things should not compete with. It refuses to run on Neo4j
// (KOLGRAPH_STORE=neo4j), whose one database the shared service uses.
func openEmbeddedService(ctx context.Context, dir string, args ...string) (*Main, error) {
	if args == nil {
		args = noHistory
	}
	m := NewMain(io.Discard)
	getenv := func(k string) string {
		switch k {
		case "KOLGRAPH_DATA_DIR":
			return dir
		case "KOLGRAPH_LOG_LEVEL":
			return "error"
		case "KOLGRAPH_AUTH_HS256_SECRET":
			return e2eSecret
		case "KOLGRAPH_DEV_MODE": // requests without a token run as an admin
			return "true"
		case "KOLGRAPH_ADDR":
			return "127.0.0.1:0"
		case "KOLGRAPH_RATE_LIMIT": // the tests poll the analytics
			return "0"
		}
		return os.Getenv(k)
	}
	if err := m.ParseFlags(args, getenv); err != nil {
		return nil, err
	}
	if m.Config.Store == "neo4j" {
		return nil, fmt.Errorf("the tests with a service of their own run on the embedded store only")
	}
	if err := m.Open(ctx); err != nil {
		return nil, err
	}
	return m, nil
}

// openEmbedded opens the embedded store in dataDir as serve would, closed
// when t ends (the CLI tests look at what a command left there).
func openEmbedded(t *testing.T, dataDir string) kolgraph.Store {
	t.Helper()
	m := NewMain(io.Discard)
	m.Config.Store, m.Config.DataDir = "embedded", dataDir
	st, err := m.openStore(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// cliEnv runs CLI commands against their own embedded data directory.
func cliEnv(dir string) func(string) string {
	return func(k string) string {
		switch k {
		case "KOLGRAPH_DATA_DIR":
			return dir
		case "KOLGRAPH_LOG_LEVEL":
			return "error"
		case "KOLGRAPH_STORE":
			return "embedded"
		}
		return ""
	}
}

func runCLI(t *testing.T, dir string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(t.Context(), args, cliEnv(dir), &out, &errOut)
	return out.String(), errOut.String(), err
}

var countRow = regexp.MustCompile(`(?m)^\s*(\w+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$`)

// importCounts parses the table kolgraph import prints.
func importCounts(t *testing.T, out string) map[string][4]int {
	t.Helper()
	got := map[string][4]int{}
	for _, m := range countRow.FindAllStringSubmatch(out, -1) {
		var c [4]int
		for i := range c {
			c[i], _ = strconv.Atoi(m[i+2])
		}
		got[m[1]] = c
	}
	if len(got) == 0 {
		t.Fatalf("no counts in the output:\n%s", out)
	}
	return got
}

// TestImportModifiedSeedCopy imports the seed with the CLI, then a copy
// with a few rows changed and added: the dry run and the real run report
// exactly those rows, the store then equals the copy, and the audit log
// names exactly them.
func TestImportModifiedSeedCopy(t *testing.T) {
	skipWholeRegionCLI(t)
	dataDir := t.TempDir()
	if _, stderr, err := runCLI(t, dataDir, "import", "-dir", "../../seed"); err != nil {
		t.Fatalf("import the seed: %v\n%s", err, stderr)
	}
	cs, err := seedfile.Read(seed.FS)
	if err != nil {
		t.Fatal(err)
	}
	// Three HCPs change, one is new; two edges change, one is new.
	cs.HCPs[10].Title = "chief"
	cs.HCPs[2000].Name += "（改）"
	cs.HCPs[5999].KOLLevel, cs.HCPs[5999].KOLEvidence = kolgraph.KOLLocal, []string{"congress_speaker"}
	newHCP := *cs.HCPs[0]
	newHCP.ID, newHCP.Name, newHCP.Position = "P900001", "新医生", "staff"
	cs.HCPs = append(cs.HCPs, &newHCP)
	cs.Influences[0].Weight = 0.11
	cs.Influences[40000].Evidence = "met at the 2025 congress"
	cs.Influences = append(cs.Influences, &kolgraph.Influence{From: "P900001", To: cs.HCPs[1].ID, Weight: 0.5,
		Kind: kolgraph.InfluenceMentor, UpdatedAt: cs.Influences[0].UpdatedAt})
	changed := []string{"hcps/" + cs.HCPs[10].ID, "hcps/" + cs.HCPs[2000].ID, "hcps/" + cs.HCPs[5999].ID, "hcps/P900001",
		"influences/" + kolgraph.PairID(cs.Influences[0].From, cs.Influences[0].To),
		"influences/" + kolgraph.PairID(cs.Influences[40000].From, cs.Influences[40000].To),
		"influences/" + kolgraph.PairID("P900001", cs.HCPs[1].ID)}
	slices.Sort(changed)
	copyDir := t.TempDir()
	if err := seedfile.Write(copyDir, cs); err != nil {
		t.Fatal(err)
	}

	want := map[string][4]int{ // created, updated, unchanged, deleted
		"hcps":       {1, 3, 5997, 0},
		"influences": {1, 2, 62998, 0},
		"hospitals":  {0, 0, 43, 0},
		"total":      {2, 5, 70803 - 5, 0},
	}
	dry, _, err := runCLI(t, dataDir, "import", "-dir", copyDir, "-dry-run")
	if err != nil {
		t.Fatal(err)
	}
	real, _, err := runCLI(t, dataDir, "import", "-dir", copyDir)
	if err != nil {
		t.Fatal(err)
	}
	dryCounts, realCounts := importCounts(t, dry), importCounts(t, real)
	for k, w := range want {
		if dryCounts[k] != w {
			t.Errorf("dry run %s: got %v, want %v", k, dryCounts[k], w)
		}
	}
	if fmt.Sprint(dryCounts) != fmt.Sprint(realCounts) {
		t.Errorf("dry run and real run disagree:\n%s\n%s", dry, real)
	}
	if !strings.Contains(dry, "nothing written") || !strings.Contains(real, "graph now v2") {
		t.Errorf("summaries: dry %q, real %q", dry, real)
	}

	st := openEmbedded(t, dataDir)
	// The store now holds exactly the copy.
	again, err := seedfile.ReadWith(os.DirFS(copyDir), seedfile.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stored := &kolgraph.ChangeSet{}
	err = st.Scan(t.Context(), kolgraph.Visitor{
		HCP:       func(h *kolgraph.HCP) error { stored.HCPs = append(stored.HCPs, h); return nil },
		Influence: func(e *kolgraph.Influence) error { stored.Influences = append(stored.Influences, e); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	var a, b bytes.Buffer
	writeTwo := func(buf *bytes.Buffer, cs *kolgraph.ChangeSet) {
		err := seedfile.WriteFiles(func(name string) (io.WriteCloser, error) { return nopCloser{buf}, nil },
			&kolgraph.ChangeSet{HCPs: cs.HCPs, Influences: cs.Influences})
		if err != nil {
			t.Fatal(err)
		}
	}
	writeTwo(&a, again)
	writeTwo(&b, stored)
	if a.String() != b.String() {
		t.Error("the store's HCPs and influences differ from the imported copy")
	}
	var logged []string
	for _, e := range allAudit(t, st, kolgraph.AuditFilter{}) {
		if e.Version == 2 {
			logged = append(logged, e.Kind+"/"+e.EntityID)
			if e.Actor != "cli" || e.Source != "import" {
				t.Errorf("entry %s: actor %q source %q, want cli, import", e.EntityID, e.Actor, e.Source)
			}
		}
	}
	slices.Sort(logged)
	if !slices.Equal(logged, changed) {
		t.Errorf("audit log of the import: got %q, want %q", logged, changed)
	}
}

// allAudit reads every audit entry matching f.
func allAudit(t *testing.T, st kolgraph.Store, f kolgraph.AuditFilter) []*kolgraph.AuditEntry {
	t.Helper()
	var out []*kolgraph.AuditEntry
	p := kolgraph.Page{First: kolgraph.MaxPageSize}
	for {
		pg, err := st.AuditLog(t.Context(), f, p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pg.Items...)
		if !pg.HasNext {
			return out
		}
		p.After = pg.Items[len(pg.Items)-1].Cursor()
	}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// TestImportOneBadRowWritesNothing breaks one row among the seed's 63,000
// influences: the CLI and the API reject the whole import, name that row,
// and write nothing.
func TestImportOneBadRowWritesNothing(t *testing.T) {
	cs, err := seedfile.Read(seed.FS)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := seedfile.Write(dir, cs); err != nil {
		t.Fatal(err)
	}
	// Rows are written sorted by (from, to); find the line of one edge and
	// break its weight in the file.
	path := filepath.Join(dir, seedfile.InfluencesFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	const bad = 41234 // a line number in the file (the header is line 1)
	fields := strings.Split(lines[bad-1], ",")
	fields[2] = "1.5"
	lines[bad-1] = strings.Join(fields, ",")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}

	dataDir := t.TempDir()
	_, stderr, err := runCLI(t, dataDir, "import", "-dir", dir)
	if err == nil || !strings.Contains(err.Error(), "nothing written") {
		t.Fatalf("CLI import with a bad row: got %v, want a rejection", err)
	}
	wantLine := fmt.Sprintf(`influences.csv:%d field "weight": must be in (0, 1] (got 1.5)`, bad)
	if strings.TrimSpace(stderr) != wantLine {
		t.Errorf("CLI problems: got %q, want exactly %q", stderr, wantLine)
	}
	m := NewMain(io.Discard)
	m.Config.Store, m.Config.DataDir = "embedded", dataDir
	st, err := m.openStore(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := st.Version(t.Context()); v != 0 {
		t.Errorf("store version after the rejected import: %d, want 0", v)
	}
	st.Close()

	// The same through the API, on a seeded store: files of megabytes are
	// uploads (multipart), beyond the JSON body limit.
	w := writeService(t)
	h := w.Handler()
	v0, _ := w.Store.Version(t.Context())
	var files []upload
	for _, name := range []string{seedfile.HCPsFile, seedfile.InfluencesFile} {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		files = append(files, upload{name, f})
	}
	body, ct := uploadBody(t, `mutation($files: [ImportFile!]!) { importRegion(format: CSV, files: $files) { changed } }`, files...)
	x, _ := sendUpload(t, h, "", body, int64(body.Len()), ct, true)
	resp := x.resp
	if len(resp.Errors) != 1 || resp.codes()[0] != kolgraph.EINVALID {
		t.Fatalf("API import with a bad row: got %+v, want one BAD_USER_INPUT", resp.Errors)
	}
	ps, _ := resp.Errors[0].Extensions["problems"].([]any)
	if len(ps) != 1 {
		t.Fatalf("problems: got %v, want one", resp.Errors[0].Extensions["problems"])
	}
	p := ps[0].(map[string]any)
	if p["file"] != seedfile.InfluencesFile || p["line"] != float64(bad) || p["field"] != "weight" {
		t.Errorf("problem: got %v, want influences.csv line %d field weight", p, bad)
	}
	if v, _ := w.Store.Version(t.Context()); v != v0 {
		t.Errorf("version after the rejected API import: %d, want %d", v, v0)
	}
}

// TestMutationShowsInRanking adds an HCP with strong ties to a hospital and
// checks the ranking after the analytics refresh puts them first, at the
// graph version the mutation returned.
func TestMutationShowsInRanking(t *testing.T) {
	w := writeService(t)
	h := w.Handler()
	const rank = `query($m: InfluenceMetric!) { graphVersion influenceRanking(scope: {hospital: "H002"}, metric: $m, first: 1) {
		edges { node { rank hcp { id } } } } }`
	var before struct {
		InfluenceRanking struct {
			Edges []struct {
				Node struct{ Hcp struct{ ID string } }
			}
		}
	}
	mustQuery(t, h, rank, map[string]any{"m": "DEGREE"}, &before)

	var dept struct {
		Hospital struct{ Departments []struct{ ID string } }
	}
	mustQuery(t, h, `{ hospital(id: "H002") { departments { id } } }`, nil, &dept)
	var hcps struct {
		Hcps struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	mustQuery(t, h, `{ hcps(filter: {hospital: "H002"}, first: 40) { edges { node { id } } } }`, nil, &hcps)

	var created struct {
		UpsertHCP struct {
			Hcp struct {
				ID, Name string
				Hospital struct{ ID string }
			}
			Changed      bool
			GraphVersion string
		}
	}
	mustQueryAs(t, h, "U001", `mutation { upsertHCP(input: {id: "P800001", name: "新主任", role: "physician", title: "chief",
		position: "department_head", department: "`+dept.Hospital.Departments[0].ID+`", kolLevel: "regional",
		kolEvidence: ["guideline_author"]}) { hcp { id name hospital { id } } changed graphVersion } }`, nil, &created)
	if !created.UpsertHCP.Changed || created.UpsertHCP.Hcp.Hospital.ID != "H002" {
		t.Fatalf("upsertHCP: got %+v, want a new HCP in H002", created.UpsertHCP)
	}
	var version string
	for _, e := range hcps.Hcps.Edges {
		var r struct{ UpsertInfluence struct{ GraphVersion string } }
		mustQueryAs(t, h, "U001", `mutation($to: ID!) { upsertInfluence(input: {from: "P800001", to: $to, weight: 1,
			kind: "reports_to", evidence: "new head of department"}) { graphVersion } }`, map[string]any{"to": e.Node.ID}, &r)
		version = r.UpsertInfluence.GraphVersion
	}
	w.refreshAnalytics(t)
	var after struct {
		GraphVersion     string
		InfluenceRanking struct {
			Edges []struct {
				Node struct {
					Rank int
					Hcp  struct{ ID string }
				}
			}
		}
	}
	mustQuery(t, h, rank, map[string]any{"m": "DEGREE"}, &after)
	if after.GraphVersion != version {
		t.Errorf("graphVersion after the refresh: got %s, want %s (the last mutation's)", after.GraphVersion, version)
	}
	if got := after.InfluenceRanking.Edges[0].Node.Hcp.ID; got != "P800001" {
		t.Errorf("first by DEGREE in H002 after the mutations: got %s, want P800001 (before: %s)", got,
			before.InfluenceRanking.Edges[0].Node.Hcp.ID)
	}
}

// TestAuditLogShowsChanges changes an HCP, deletes an edge and reads both
// back from auditLog with who, before and after; a repeated upsert is
// idempotent and logs nothing.
func TestAuditLogShowsChanges(t *testing.T) {
	w := writeService(t)
	h := w.Handler()
	var cur struct {
		Hcp struct {
			ID, Name, Role, Title, Position, Specialty string
			Department                                 struct{ ID string }
			Influences                                 []struct{ To struct{ ID string } }
		}
	}
	mustQuery(t, h, `{ hcp(id: "P000002") { id name role title position specialty department { id } influences(first: 1) { to { id } } } }`, nil, &cur)
	c := cur.Hcp
	upsert := `mutation($in: HCPInput!) { upsertHCP(input: $in) { changed graphVersion hcp { title } } }`
	in := map[string]any{"id": c.ID, "name": c.Name, "role": c.Role, "title": "resident", "position": c.Position,
		"specialty": c.Specialty, "department": c.Department.ID}
	var res struct {
		UpsertHCP struct {
			Changed      bool
			GraphVersion string
		}
	}
	mustQueryAs(t, h, "U002", upsert, map[string]any{"in": in}, &res)
	if !res.UpsertHCP.Changed {
		t.Fatal("changing the title reported changed: false")
	}
	v1 := res.UpsertHCP.GraphVersion
	mustQueryAs(t, h, "U002", upsert, map[string]any{"in": in}, &res)
	if res.UpsertHCP.Changed || res.UpsertHCP.GraphVersion != v1 {
		t.Errorf("repeating the upsert: changed %v at %s, want false at %s", res.UpsertHCP.Changed, res.UpsertHCP.GraphVersion, v1)
	}
	var del struct {
		DeleteInfluence struct {
			Deleted bool
			Counts  []struct {
				Kind    string
				Deleted int
			}
		}
	}
	to := c.Influences[0].To.ID
	mustQueryAs(t, h, "U002", `mutation($to: ID!) { deleteInfluence(from: "P000002", to: $to) { deleted counts { kind deleted } } }`,
		map[string]any{"to": to}, &del)
	if !del.DeleteInfluence.Deleted || len(del.DeleteInfluence.Counts) != 1 || del.DeleteInfluence.Counts[0].Deleted != 1 {
		t.Errorf("deleteInfluence: got %+v, want one influence deleted", del.DeleteInfluence)
	}

	type entry struct {
		Node struct {
			At, Actor, Source, Kind, Entity, Op, GraphVersion string
			Before, After                                     *string
		}
	}
	var log struct {
		AuditLog struct{ Edges []entry }
	}
	mustQuery(t, h, `{ auditLog(entity: "P000002", kind: HCPS) { edges { node { at actor source kind entity op before after graphVersion } } } }`, nil, &log)
	if len(log.AuditLog.Edges) != 1 {
		t.Fatalf("audit log of P000002: got %d entries, want 1 (the repeat wrote nothing)", len(log.AuditLog.Edges))
	}
	e := log.AuditLog.Edges[0].Node
	var before, after kolgraph.HCP
	if e.Before == nil || e.After == nil {
		t.Fatalf("entry without before/after: %+v", e)
	}
	_ = jsonUnmarshal(*e.Before, &before)
	_ = jsonUnmarshal(*e.After, &after)
	if e.Actor != "U002" || e.Source != "mutation upsertHCP" || e.Op != "update" || e.GraphVersion != v1 ||
		before.Title != c.Title || after.Title != "resident" {
		t.Errorf("audit entry: got %+v (titles %q -> %q), want U002's update from %q to resident at %s", e, before.Title, after.Title, c.Title, v1)
	}
	mustQuery(t, h, `query($e: ID!) { auditLog(entity: $e) { edges { node { at actor source kind entity op before after graphVersion } } } }`,
		map[string]any{"e": kolgraph.PairID("P000002", to)}, &log)
	if len(log.AuditLog.Edges) != 1 || log.AuditLog.Edges[0].Node.Op != "delete" || log.AuditLog.Edges[0].Node.After != nil ||
		log.AuditLog.Edges[0].Node.Kind != "INFLUENCES" {
		t.Errorf("audit log of the deleted edge: got %+v, want one delete without after", log.AuditLog.Edges)
	}
}

func TestMutationBadInput(t *testing.T) {
	w := writeService(t)
	h := w.Handler()
	v0, _ := w.Store.Version(t.Context())
	for _, tc := range []struct {
		name, q, code, field string
	}{
		{"weight above 1", `mutation { upsertInfluence(input: {from: "P000001", to: "P000002", weight: 1.5, kind: "mentor"}) { changed } }`, kolgraph.EINVALID, "weight"},
		{"weight 0", `mutation { upsertInfluence(input: {from: "P000001", to: "P000002", weight: 0, kind: "mentor"}) { changed } }`, kolgraph.EINVALID, "weight"},
		{"unknown HCP", `mutation { upsertInfluence(input: {from: "P000001", to: "P999999", weight: 0.5, kind: "mentor"}) { changed } }`, kolgraph.EINVALID, "to"},
		{"unknown kind", `mutation { upsertInfluence(input: {from: "P000001", to: "P000002", weight: 0.5, kind: "friend"}) { changed } }`, kolgraph.EINVALID, "kind"},
		{"unknown department", `mutation { upsertHCP(input: {id: "P800009", name: "X", role: "physician", department: "D999-99"}) { changed } }`, kolgraph.EINVALID, "department_id"},
		{"bad role", `mutation { upsertHCP(input: {id: "P800009", name: "X", role: "surgeon", department: "D001-01"}) { changed } }`, kolgraph.EINVALID, "role"},
		{"bad id", `mutation { upsertTerritory(input: {id: "T 9", name: "X"}) { changed } }`, kolgraph.EINVALID, "id"},
		{"hospital with departments", `mutation { deleteHospital(id: "H001") { deleted } }`, kolgraph.ECONFLICT, ""},
		{"strength above 1", `mutation { upsertKnows(input: {user: "U004", hcp: "P000001", strength: 2}) { changed } }`, kolgraph.EINVALID, "strength"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := query(t, h, tc.q, nil, nil)
			if len(resp.Errors) != 1 || resp.codes()[0] != tc.code {
				t.Fatalf("got %+v, want one %s", resp.Errors, tc.code)
			}
			if tc.field != "" {
				ps, _ := resp.Errors[0].Extensions["problems"].([]any)
				if len(ps) == 0 || ps[0].(map[string]any)["field"] != tc.field {
					t.Errorf("problems: got %v, want field %s", ps, tc.field)
				}
			}
		})
	}
	if v, _ := w.Store.Version(t.Context()); v != v0 {
		t.Errorf("version after rejected mutations: %d, want %d", v, v0)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
