package embedded_test

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/storetest"
)

// helperEnv switches the test binary into a helper process (see TestMain):
// its value names the role, helperPath the database file.
const (
	helperEnv  = "KOLGRAPH_EMBEDDED_HELPER"
	helperPath = "KOLGRAPH_EMBEDDED_HELPER_PATH"
)

func TestMain(m *testing.M) {
	switch os.Getenv(helperEnv) {
	case "":
		os.Exit(m.Run())
	case "writer":
		os.Exit(helperWriter(os.Getenv(helperPath)))
	case "holder":
		os.Exit(helperHolder(os.Getenv(helperPath)))
	default:
		fmt.Fprintf(os.Stderr, "unknown helper role %q\n", os.Getenv(helperEnv))
		os.Exit(2)
	}
}

func openTemp(t testing.TB, path string) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(path)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	return s
}

func TestContract(t *testing.T) {
	paths := map[kolgraph.Store]string{}
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) kolgraph.Store {
			p := filepath.Join(t.TempDir(), "kolgraph.db")
			s := openTemp(t, p)
			paths[s] = p
			return s
		},
		Reopen: func(t *testing.T, s kolgraph.Store) kolgraph.Store {
			p := paths[s]
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			s2 := openTemp(t, p)
			paths[s2] = p
			return s2
		},
	})
}

// crashChange is the i-th change set of the crash test (i from 1): a new
// hospital with a department, 40 HCPs and a chain of influences, plus a
// replacement of the shared hospital H0 whose Beds count the change sets.
func crashChange(i int) *kolgraph.ChangeSet {
	h, d := fmt.Sprintf("H%05d", i), fmt.Sprintf("D%05d", i)
	cs := &kolgraph.ChangeSet{
		Hospitals: []*kolgraph.Hospital{
			{ID: "H0", Name: "Counter", Tier: "3A", Beds: i},
			{ID: h, Name: "Crash " + h, Tier: "3A"},
		},
		Departments: []*kolgraph.Department{{ID: d, HospitalID: h, Name: "x", Specialty: "x"}},
	}
	for j := range 40 {
		id := fmt.Sprintf("P%05d-%02d", i, j)
		cs.HCPs = append(cs.HCPs, &kolgraph.HCP{ID: id, Name: "HCP " + id, Role: kolgraph.RolePhysician,
			DepartmentID: d, HospitalID: h})
		if j > 0 {
			cs.Influences = append(cs.Influences, &kolgraph.Influence{From: fmt.Sprintf("P%05d-%02d", i, j-1), To: id,
				Weight: 0.5, Kind: kolgraph.InfluenceMentor, UpdatedAt: time.Unix(int64(i), 0).UTC()})
		}
	}
	return cs
}

// helperWriter applies crash change sets forever, continuing from the
// version in the file, and prints "applied N" after each commit.
func helperWriter(path string) int {
	s, err := embedded.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	ctx := context.Background()
	v, _ := s.Version(ctx)
	for i := int(v) + 1; ; i++ {
		got, err := s.Apply(ctx, crashChange(i))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		fmt.Printf("applied %d\n", got)
	}
}

// helperHolder opens the store, says so, and keeps it open until killed.
func helperHolder(path string) int {
	if _, err := embedded.Open(path); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println("open")
	time.Sleep(time.Minute)
	return 0
}

func helper(t *testing.T, role, path string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+role, helperPath+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, bufio.NewScanner(out)
}

// TestCrashDuringApply kills a writing process with SIGKILL at random
// points and checks that the file reopens with whole change sets only: the
// version equals the number of change sets visible, each of them complete,
// none of the next one.
func TestCrashDuringApply(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "crash.db")
	acked := 0
	for round := range 3 {
		cmd, out := helper(t, "writer", path)
		// Let it commit a few change sets, then kill it mid-stream: it
		// applies back to back, so it is almost always inside an Apply.
		target := acked + 3 + round
		for out.Scan() {
			n, err := strconv.Atoi(strings.TrimPrefix(out.Text(), "applied "))
			if err != nil {
				t.Fatalf("helper said %q", out.Text())
			}
			acked = n
			if n >= target {
				break
			}
		}
		time.Sleep(time.Duration(round) * 3 * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		// Drain what it printed before dying (those were committed too)
		// before Wait, which closes the pipe and would drop unread lines.
		for out.Scan() {
			if n, err := strconv.Atoi(strings.TrimPrefix(out.Text(), "applied ")); err == nil {
				acked = n
			}
		}
		_ = cmd.Wait()

		s := openTemp(t, path)
		v := checkCrashFile(t, s, acked)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("round %d: %d acknowledged, version %d after the kill", round, acked, v)
		acked = int(v)
	}
}

func checkCrashFile(t *testing.T, s *embedded.Store, acked int) uint64 {
	t.Helper()
	ctx := t.Context()
	v, err := s.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// An acknowledged change set is durable; at most one more (killed
	// after the commit, before it printed) may be there.
	if int(v) < acked || int(v) > acked+1 {
		t.Fatalf("version %d after kill, acknowledged %d", v, acked)
	}
	h0, _ := s.Hospitals(ctx, []string{"H0"})
	if h0[0] == nil || h0[0].Beds != int(v) {
		t.Errorf("counter hospital: got %+v, want Beds = version %d", h0[0], v)
	}
	pg, err := s.ListHCPs(ctx, kolgraph.HCPFilter{}, kolgraph.Page{First: 1})
	if err != nil || pg.Total != 40*int(v) {
		t.Errorf("HCPs: got %+v, %v; want %d (40 per change set)", pg, err, 40*v)
	}
	edges := 0
	if err := s.Scan(ctx, kolgraph.Visitor{Influence: func(*kolgraph.Influence) error { edges++; return nil }}); err != nil {
		t.Fatal(err)
	}
	if edges != 39*int(v) {
		t.Errorf("influences: got %d, want %d", edges, 39*v)
	}
	for i := 1; i <= int(v)+1; i++ {
		want := 40
		if i > int(v) {
			want = 0
		}
		hs, err := s.HCPsOfDepartments(ctx, []string{fmt.Sprintf("D%05d", i)})
		if err != nil || len(hs[0]) != want {
			t.Errorf("change set %d: %d HCPs (%v), want %d", i, len(hs[0]), err, want)
		}
	}
	return v
}

// TestLockedByAnotherProcess checks that a second process cannot open a
// file in use, and says so within the lock timeout instead of hanging.
func TestLockedByAnotherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	path := filepath.Join(t.TempDir(), "locked.db")
	cmd, out := helper(t, "holder", path)
	if !out.Scan() || out.Text() != "open" {
		t.Fatalf("holder did not open the store: %q", out.Text())
	}
	start := time.Now()
	s, err := embedded.Open(path, embedded.WithLockTimeout(300*time.Millisecond))
	took := time.Since(start)
	if err == nil {
		s.Close()
		t.Fatal("Open of a file locked by another process succeeded")
	}
	if !errors.Is(err, embedded.ErrLocked) {
		t.Errorf("error: got %v, want ErrLocked", err)
	}
	if took > 3*time.Second {
		t.Errorf("Open took %v to fail, want about the 300ms timeout", took)
	}
	t.Logf("locked: %v after %v", err, took.Round(time.Millisecond))

	// The lock dies with its process.
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	s = openTemp(t, path)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestOpenErrors(t *testing.T) {
	_, err := embedded.Open(filepath.Join(t.TempDir(), "missing", "dir", "x.db"))
	if err == nil || kolgraph.ErrorCode(err) != kolgraph.EINTERNAL {
		t.Errorf("Open in a missing directory: got %v, want an internal error", err)
	}
}

// TestOpenRefusesBadFiles: a corrupt record or a file from a newer
// kolgraph must fail Open clearly, not load a wrong graph.
func TestOpenRefusesBadFiles(t *testing.T) {
	for _, tc := range []struct {
		name, bucket, key string
		value             []byte
		want              string
	}{
		{"CorruptRecord", "hcps", "P001", []byte{1, 0xff}, `hcps/"P001"`},
		{"KeyMismatch", "hospitals", "H001", nil, `hospitals/"H001": key does not match`},
		// Ties load through a path of their own (ties.go), checked alike.
		{"CorruptTie", "influences", "P001\x00P003", []byte{1, 0xff}, `influences/"P001\x00P003"`},
		{"TieKeyMismatch", "influences", "P001\x00P003", nil, `influences/"P001\x00P003": key does not match`},
		{"NewerSchema", "meta", "schema", binary.BigEndian.AppendUint64(nil, 99), "schema version 99"},
		{"CorruptPlan", "account_plans", "AP1", []byte(`j{"id":"AP1",`), `account_plans/"AP1"`},
		{"PlanNotJSON", "account_plans", "AP1", []byte{1, 2, 3}, `account_plans/"AP1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := fixtureFile(t)
			editFile(t, path, func(tx *bolt.Tx) error {
				b := tx.Bucket([]byte(tc.bucket))
				v := tc.value
				if v == nil { // another record's bytes under this key
					v = b.Get([]byte("H002"))
					if tc.bucket == "influences" {
						v = b.Get([]byte("P001\x00P006"))
					}
				}
				return b.Put([]byte(tc.key), v)
			})
			s, err := embedded.Open(path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) || kolgraph.ErrorCode(err) != kolgraph.EINTERNAL {
				t.Errorf("Open: got %v, want an internal error mentioning %s", err, tc.want)
			}
		})
	}
}

// TestOpenUpgradesSchema1: a file of the first layout (no account_plans
// bucket) opens, gets the bucket and is marked with the current layout, so
// that a build that does not know plans refuses it.
func TestOpenUpgradesSchema1(t *testing.T) {
	path := fixtureFile(t)
	editFile(t, path, func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("account_plans")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), binary.BigEndian.AppendUint64(nil, 1))
	})
	s := openTemp(t, path)
	plan := storetest.NewPlan("AP1", "H001", "PR01", "U01")
	if _, err := s.Apply(t.Context(), &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{plan}}); err != nil {
		t.Fatalf("a plan in an upgraded file: %v", err)
	}
	s.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema")); binary.BigEndian.Uint64(v) != 5 {
			t.Errorf("schema after upgrade: %v, want 5", v)
		}
		if tx.Bucket([]byte("account_plans")).Get([]byte("AP1")) == nil {
			t.Error("the plan is not in the account_plans bucket")
		}
		return nil
	})
}

// TestOpenUpgradesSchema2: a file of the second layout (no history
// bucket) opens, gets the bucket and is marked with the current layout, so
// that a build that does not record history refuses it.
func TestOpenUpgradesSchema2(t *testing.T) {
	path := fixtureFile(t)
	editFile(t, path, func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("history")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), binary.BigEndian.AppendUint64(nil, 2))
	})
	s := openTemp(t, path)
	p := &kolgraph.HistoryPoint{Scope: "hospital:H001", Metric: "INFLUENCE", Version: 1,
		At: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC), IDs: []string{"P001"}, Scores: []float64{0.5}}
	if err := s.AppendHistory(t.Context(), []*kolgraph.HistoryPoint{p}); err != nil {
		t.Fatalf("history in an upgraded file: %v", err)
	}
	s.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema")); binary.BigEndian.Uint64(v) != 5 {
			t.Errorf("schema after upgrade: %v, want 5", v)
		}
		if n := tx.Bucket([]byte("history")).Stats().KeyN; n != 1 {
			t.Errorf("history bucket holds %d points, want 1", n)
		}
		return nil
	})
}

// TestOpenUpgradesSchema3: a file of the third layout (no prescriptions
// bucket) opens, gets the bucket and is marked with the current layout, so
// that a build that does not know facts (and would leave a deleted HCP's
// behind) refuses it; its records are all there.
func TestOpenUpgradesSchema3(t *testing.T) {
	path := fixtureFile(t)
	editFile(t, path, func(tx *bolt.Tx) error {
		if err := tx.DeleteBucket([]byte("prescriptions")); err != nil {
			return err
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), binary.BigEndian.AppendUint64(nil, 3))
	})
	s := openTemp(t, path)
	f := kolgraph.PrescriptionFact{HCPID: "P001", ProductID: "PR01", Month: "2026-01", Volume: 12}
	if _, err := s.Apply(t.Context(), &kolgraph.ChangeSet{Prescriptions: []kolgraph.PrescriptionFact{f}}); err != nil {
		t.Fatalf("a fact in an upgraded file: %v", err)
	}
	if hs, err := s.HCPs(t.Context(), []string{"P001"}); err != nil || hs[0] == nil {
		t.Errorf("HCP P001 after the upgrade: got %v, %v", hs, err)
	}
	s.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema")); binary.BigEndian.Uint64(v) != 5 {
			t.Errorf("schema after upgrade: %v, want 5", v)
		}
		if n := tx.Bucket([]byte("prescriptions")).Stats().KeyN; n != 1 {
			t.Errorf("prescriptions bucket holds %d facts, want 1", n)
		}
		return nil
	})
}

// schema5Buckets are the buckets the fifth layout added.
var schema5Buckets = []string{"interactions", "owners", "activities"}

// TestOpenUpgradesSchema4: a file of the fourth layout (no field execution
// buckets) opens, gets them and is marked with the current layout, so that
// a build that does not know them (and would leave a deleted HCP's
// interactions behind) refuses it; its records are all there.
func TestOpenUpgradesSchema4(t *testing.T) {
	path := fixtureFile(t)
	editFile(t, path, func(tx *bolt.Tx) error {
		for _, b := range schema5Buckets {
			if err := tx.DeleteBucket([]byte(b)); err != nil {
				return err
			}
		}
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), binary.BigEndian.AppendUint64(nil, 4))
	})
	s := openTemp(t, path)
	in := &kolgraph.Interaction{ID: "I1", HCPID: "P001", KAMID: "U01", Date: "2026-01-05", Kind: kolgraph.InteractionVisit}
	if _, err := s.Apply(t.Context(), &kolgraph.ChangeSet{Interactions: []*kolgraph.Interaction{in}}); err != nil {
		t.Fatalf("an interaction in an upgraded file: %v", err)
	}
	if hs, err := s.HCPs(t.Context(), []string{"P001"}); err != nil || hs[0] == nil {
		t.Errorf("HCP P001 after the upgrade: got %v, %v", hs, err)
	}
	s.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket([]byte("meta")).Get([]byte("schema")); binary.BigEndian.Uint64(v) != 5 {
			t.Errorf("schema after upgrade: %v, want 5", v)
		}
		for _, b := range schema5Buckets {
			if tx.Bucket([]byte(b)) == nil {
				t.Errorf("no %s bucket after the upgrade", b)
			}
		}
		if n := tx.Bucket([]byte("interactions")).Stats().KeyN; n != 1 {
			t.Errorf("interactions bucket holds %d records, want 1", n)
		}
		return nil
	})
}

// fixtureFile returns the path of a closed store file holding the fixture.
func fixtureFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fixture.db")
	s := openTemp(t, path)
	if _, err := s.Apply(t.Context(), storetest.Fixture()); err != nil {
		t.Fatal(err)
	}
	s.Close()
	return path
}

// editFile changes the closed store file at path below the store, in one
// bbolt transaction: the damage or the old layout a test opens.
func editFile(t *testing.T, path string, edit func(*bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(edit)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestClosedStore(t *testing.T) {
	s := openTemp(t, filepath.Join(t.TempDir(), "c.db"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	ctx := t.Context()
	if _, err := s.HCPs(ctx, []string{"P1"}); kolgraph.ErrorCode(err) != kolgraph.EUNAVAILABLE {
		t.Errorf("HCPs after Close: got %v, want UNAVAILABLE", err)
	}
	if _, err := s.Apply(ctx, storetest.Fixture()); kolgraph.ErrorCode(err) != kolgraph.EUNAVAILABLE {
		t.Errorf("Apply after Close: got %v, want UNAVAILABLE", err)
	}
}

func TestProblemsNameRecords(t *testing.T) {
	s := openTemp(t, filepath.Join(t.TempDir(), "p.db"))
	defer s.Close()
	cs := storetest.Fixture()
	cs.HCPs[0].Role = "surgeon"
	cs.Influences = append(cs.Influences, &kolgraph.Influence{From: "P001", To: "PX", Weight: 0.5, Kind: kolgraph.InfluenceMentor})
	_, err := s.Apply(t.Context(), cs)
	var e *kolgraph.Error
	if !errors.As(err, &e) || e.Code != kolgraph.EINVALID {
		t.Fatalf("got %v, want EINVALID", err)
	}
	// Field problems are reported before reference problems.
	want := kolgraph.Problem{File: "hcps/P007", Field: "role"}
	if len(e.Problems) != 1 || e.Problems[0].File != want.File || e.Problems[0].Field != want.Field {
		t.Errorf("problems: got %+v, want one for %s field %s", e.Problems, want.File, want.Field)
	}
	cs.HCPs[0].Role = kolgraph.RolePhysician
	_, err = s.Apply(t.Context(), cs)
	if !errors.As(err, &e) || len(e.Problems) != 1 || e.Problems[0].File != "influences/P001->PX" || e.Problems[0].Field != "to" {
		t.Errorf("got %v, want one problem for influences/P001->PX field to", err)
	}
}
