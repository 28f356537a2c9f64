package bulkimport_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/bulkimport"
	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/importer"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/writer"
)

const seedDir = "../../seed"

func open(t *testing.T, dir string) *embedded.Store {
	t.Helper()
	st, err := embedded.Open(filepath.Join(dir, "kolgraph.db"), embedded.WithNoSync())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// viaWriter imports dir through the transactional import (the writer), the
// reference the bulk load must equal.
func viaWriter(t *testing.T, dir string) (*embedded.Store, error) {
	t.Helper()
	st := open(t, t.TempDir())
	files, err := importer.ReadDir(os.DirFS(dir), importer.NoLimit)
	if err != nil {
		t.Fatal(err)
	}
	svc := &importer.Service{Store: st, Writer: writer.New(st, nil), Opts: importer.Options{MaxBytes: importer.NoLimit}}
	_, err = svc.Import(context.Background(), writer.ActorCLI, importer.CSV, files, false)
	return st, err
}

// viaBulk bulk-loads dir into a new store and opens it again.
func viaBulk(t *testing.T, dir string, buffer int) (*embedded.Store, *bulkimport.Result) {
	t.Helper()
	data := t.TempDir()
	st := open(t, data)
	res, err := bulkimport.Run(context.Background(), os.DirFS(dir), st,
		bulkimport.Options{Actor: writer.ActorCLI, Buffer: buffer})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Written || res.Version != 1 {
		t.Fatalf("bulk load: written %v at v%d, want written at v1", res.Written, res.Version)
	}
	return open(t, data), res
}

// records are a store's records as the audit log encodes them, by
// kind/id.
func records(t *testing.T, st *embedded.Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	add := func(kind string, key func() string, rec any) error {
		j, err := writer.AuditJSON(rec)
		out[kind+"/"+key()] = j
		return err
	}
	err := st.Scan(context.Background(), kolgraph.Visitor{
		Territory:  func(r *kolgraph.Territory) error { return add("territories", func() string { return r.ID }, r) },
		Hospital:   func(r *kolgraph.Hospital) error { return add("hospitals", func() string { return r.ID }, r) },
		Department: func(r *kolgraph.Department) error { return add("departments", func() string { return r.ID }, r) },
		HCP:        func(r *kolgraph.HCP) error { return add("hcps", func() string { return r.ID }, r) },
		Committee:  func(r *kolgraph.Committee) error { return add("committees", func() string { return r.ID }, r) },
		Membership: func(r kolgraph.Membership) error {
			return add("memberships", func() string { return r.HCPID + ">" + r.CommitteeID }, r)
		},
		Product: func(r *kolgraph.Product) error { return add("products", func() string { return r.ID }, r) },
		Listing: func(r kolgraph.Listing) error {
			return add("listings", func() string { return r.HospitalID + ">" + r.ProductID }, r)
		},
		ProductShare: func(r kolgraph.ProductShare) error {
			return add("shares", func() string { return r.DepartmentID + ">" + r.ProductID }, r)
		},
		User: func(r *kolgraph.User) error { return add("users", func() string { return r.ID }, r) },
		Knows: func(r kolgraph.Knows) error {
			return add("knows", func() string { return r.UserID + ">" + r.HCPID }, r)
		},
		Influence: func(r *kolgraph.Influence) error {
			return add("influences", func() string { return r.From + ">" + r.To }, r)
		},
		PrescriptionFact: func(r kolgraph.PrescriptionFact) error {
			return add("facts", func() string { return r.Key().ID() }, r)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// auditEntry is what an entry says, without where it stands in the log.
type auditEntry struct{ Actor, Source, Op, Before, After string }

// audit reads a store's whole audit log by kind/entity, and the versions
// and times its entries carry.
func audit(t *testing.T, st *embedded.Store) (map[string]auditEntry, map[string]bool) {
	t.Helper()
	out, stamps := map[string]auditEntry{}, map[string]bool{}
	p := kolgraph.Page{First: kolgraph.MaxPageSize}
	for {
		page, err := st.AuditLog(context.Background(), kolgraph.AuditFilter{}, p)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Items {
			k := e.Kind + "/" + e.EntityID
			if _, dup := out[k]; dup {
				t.Fatalf("two entries for %s", k)
			}
			out[k] = auditEntry{e.Actor, e.Source, e.Op, e.Before, e.After}
			stamps[fmt.Sprintf("v%d", e.Version)] = true
		}
		if !page.HasNext {
			return out, stamps
		}
		p.After = page.Items[len(page.Items)-1].Cursor()
	}
}

// TestBulkEqualsTheWriter: the seed region bulk-loaded is the store the
// transactional import makes of it, record for record, with the same audit
// entries (one create per record, by cli from import), at version 1; and a
// record's history is found through the entity index.
func TestBulkEqualsTheWriter(t *testing.T) {
	want, err := viaWriter(t, seedDir)
	if err != nil {
		t.Fatal(err)
	}
	got, res := viaBulk(t, seedDir, 0)
	if res.Rows != 70803 || res.Counts[kolgraph.KindInfluences] != 63000 || res.Counts[kolgraph.KindHCPs] != 6000 {
		t.Errorf("read %d rows, counts %v; want the seed's 70,803 rows, 6,000 HCPs and 63,000 ties", res.Rows, res.Counts)
	}
	wr, gr := records(t, want), records(t, got)
	if len(gr) != len(wr) || len(gr) != 70803 {
		t.Fatalf("%d records bulk-loaded, %d through the writer, want 70,803 each", len(gr), len(wr))
	}
	for k, w := range wr {
		if gr[k] != w {
			t.Fatalf("%s: bulk %s, writer %s", k, gr[k], w)
		}
	}
	wa, _ := audit(t, want)
	ga, versions := audit(t, got)
	if len(ga) != len(wa) || len(ga) != 70803 {
		t.Fatalf("%d audit entries bulk-loaded, %d through the writer, want 70,803 each", len(ga), len(wa))
	}
	for k, w := range wa {
		if g := ga[k]; g != w {
			t.Fatalf("audit %s: bulk %+v, writer %+v", k, g, w)
		}
	}
	if len(versions) != 1 || !versions["v1"] {
		t.Errorf("bulk entries at versions %v, want all at v1", versions)
	}
	v, _ := got.Version(context.Background())
	if v != 1 {
		t.Errorf("bulk-loaded store at v%d, want v1", v)
	}
	for _, f := range []kolgraph.AuditFilter{
		{EntityID: "P000001"},
		{Kind: kolgraph.KindInfluences, EntityID: kolgraph.PairID("P000001", "P000002")},
	} {
		page, err := got.AuditLog(context.Background(), f, kolgraph.Page{First: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 1 || page.Items[0].Op != kolgraph.OpCreate || page.Items[0].After != ga[page.Items[0].Kind+"/"+f.EntityID].After {
			t.Errorf("history of %s: %+v, want its one create", f.EntityID, page.Items)
		}
	}
}

// copySeed copies the seed's files into a new directory, with edit
// applied to each file's lines (nil: unchanged).
func copySeed(t *testing.T, edit map[string]func([]string) []string) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir(seedDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".csv") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(seedDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if f := edit[e.Name()]; f != nil {
			lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
			data = []byte(strings.Join(f(lines), "\n") + "\n")
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestBulkMergesShuffledRuns: rows in no order, buffered 64 KiB at a time
// (dozens of runs), load into the same store as the seed in its order.
func TestBulkMergesShuffledRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 2))
	shuffle := func(lines []string) []string {
		body := slices.Clone(lines[1:])
		rng.Shuffle(len(body), func(i, j int) { body[i], body[j] = body[j], body[i] })
		return append([]string{lines[0]}, body...)
	}
	dir := copySeed(t, map[string]func([]string) []string{
		"influences.csv": shuffle, "hcps.csv": shuffle, "memberships.csv": shuffle,
	})
	want, _ := viaBulk(t, seedDir, 0)
	got, _ := viaBulk(t, dir, 64<<10)
	wr, gr := records(t, want), records(t, got)
	if len(gr) != len(wr) {
		t.Fatalf("%d records from shuffled rows, %d from the seed", len(gr), len(wr))
	}
	for k, w := range wr {
		if gr[k] != w {
			t.Fatalf("%s: shuffled %s, seed %s", k, gr[k], w)
		}
	}
	page, err := got.AuditLog(context.Background(), kolgraph.AuditFilter{EntityID: kolgraph.PairID("P000001", "P000002")}, kolgraph.Page{First: 10})
	if err != nil || len(page.Items) != 1 {
		t.Errorf("history of a tie after shuffled runs: %v, %+v", err, page)
	}
}

// problemSet is the (file, line, field) of each problem of err.
func problemSet(t *testing.T, err error) []string {
	t.Helper()
	var e *kolgraph.Error
	if !errors.As(err, &e) || e.Code != kolgraph.EINVALID {
		t.Fatalf("got %v, want problems", err)
	}
	var out []string
	for _, p := range e.Problems {
		out = append(out, fmt.Sprintf("%s:%d %s", p.File, p.Line, p.Field))
	}
	slices.Sort(out)
	return out
}

// TestBulkReportsEveryProblemAndWritesNothing: a bad cell, a dangling
// reference and a tie given twice 60,000 lines apart (across runs) come
// back together, at the lines and columns the transactional import names,
// and the store stays empty; a dry run writes nothing either.
func TestBulkReportsEveryProblemAndWritesNothing(t *testing.T) {
	dir := copySeed(t, map[string]func([]string) []string{
		"hcps.csv": func(l []string) []string {
			cells := strings.Split(l[4], ",")
			cells[3] = "professor-ish" // title
			l[4] = strings.Join(cells, ",")
			return l
		},
		"memberships.csv": func(l []string) []string {
			return append(l, strings.Split(l[1], ",")[0]+",P9999,member")
		},
		"influences.csv": func(l []string) []string { return append(l, l[1]) },
	})
	data := t.TempDir()
	st := open(t, data)
	_, err := bulkimport.Run(context.Background(), os.DirFS(dir), st, bulkimport.Options{Actor: writer.ActorCLI, Buffer: 256 << 10})
	got := problemSet(t, err)
	_, werr := viaWriter(t, dir)
	want := problemSet(t, werr)
	if !slices.Equal(got, want) || len(got) != 3 {
		t.Errorf("bulk problems %q, transactional import's %q; want the same three", got, want)
	}
	// The ties came in order until the repeat, so the first was already
	// in the new file, which does not keep lines: the problem names the
	// tie and its second line.
	if !strings.Contains(err.Error(), "influences.csv:63002: duplicate key (P000001, P000002) (given earlier in the file)") {
		t.Errorf("the repeated tie is not named: %v", err)
	}
	if v, err := st.Version(context.Background()); err != nil || v != 0 {
		t.Errorf("after refused problems the store is at v%d (%v), want still empty", v, err)
	}
	// A dry run sorts every key through runs: the same problems, the
	// repeat with its first line.
	_, err = bulkimport.Run(context.Background(), os.DirFS(dir), st, bulkimport.Options{Actor: writer.ActorCLI, DryRun: true})
	if got := problemSet(t, err); !slices.Equal(got, want) || !strings.Contains(err.Error(), "(P000001, P000002) (first at line 2)") {
		t.Errorf("dry run: %q, %v", got, err)
	}
	res, err := bulkimport.Run(context.Background(), os.DirFS(seedDir), st, bulkimport.Options{Actor: writer.ActorCLI, DryRun: true})
	if err != nil || res.Written || res.Counts[kolgraph.KindHCPs] != 6000 {
		t.Fatalf("dry run: %+v, %v", res, err)
	}
	if v, err := st.Version(context.Background()); err != nil || v != 0 {
		t.Errorf("after a dry run the store is at v%d (%v), want still empty", v, err)
	}
	if entries, _ := os.ReadDir(data); len(entries) != 1 {
		t.Errorf("left behind in the data directory: %v", entries)
	}
	// What a killed load left behind goes with the next one.
	for _, stale := range []string{"kolgraph.db.bulk-123", "kolgraph.db.bulk-new"} {
		if err := os.WriteFile(filepath.Join(data, stale), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := bulkimport.Run(context.Background(), os.DirFS(seedDir), st, bulkimport.Options{Actor: writer.ActorCLI, DryRun: true}); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(data); len(entries) != 1 {
		t.Errorf("a killed load's files stay in the data directory: %v", entries)
	}
}

// TestBulkFindsRepeatsInShuffledRows: rows in no order go through runs,
// where a repeated key is found with the line of its first row.
func TestBulkFindsRepeatsInShuffledRows(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 8))
	dir := copySeed(t, map[string]func([]string) []string{
		"memberships.csv": func(l []string) []string {
			body := slices.Clone(l[1:])
			rng.Shuffle(len(body), func(i, j int) { body[i], body[j] = body[j], body[i] })
			out := append([]string{l[0]}, body...)
			return append(out, out[10]) // line 11 again
		},
	})
	st := open(t, t.TempDir())
	_, err := bulkimport.Run(context.Background(), os.DirFS(dir), st, bulkimport.Options{Actor: writer.ActorCLI, Buffer: 16 << 10})
	n := len(problemSet(t, err))
	if n != 1 || !strings.Contains(err.Error(), "(first at line 11)") {
		t.Errorf("got %d problems: %v; want the repeat of line 11", n, err)
	}
}

// TestBulkNeedsAnEmptyStore: a store that holds anything is not replaced.
func TestBulkNeedsAnEmptyStore(t *testing.T) {
	st, err := viaWriter(t, seedDir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = bulkimport.Run(context.Background(), os.DirFS(seedDir), st, bulkimport.Options{Actor: writer.ActorCLI})
	if !errors.Is(err, embedded.ErrNotEmpty) {
		t.Errorf("bulk load into a loaded store: %v, want ErrNotEmpty", err)
	}
}
