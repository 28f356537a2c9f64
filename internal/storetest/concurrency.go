package storetest

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

const (
	writers         = 4
	appliesPerWrite = 5
	hcpsPerApply    = 3
)

// writerChange is change set i of writer w: a new department with three
// HCPs chained by influences, all with ids of their own, so that writers
// never touch the same record.
func writerChange(w, i int) (*kolgraph.ChangeSet, []string) {
	hospital := []string{"H001", "H002", "H003"}[w%3]
	dept := fmt.Sprintf("DW%d-%d", w, i)
	cs := &kolgraph.ChangeSet{
		Departments: []*kolgraph.Department{{ID: dept, HospitalID: hospital, Name: "Writer " + dept, Specialty: "cardiology"}},
	}
	var ids []string
	for j := range hcpsPerApply {
		id := fmt.Sprintf("PW%d-%d-%d", w, i, j)
		ids = append(ids, id)
		cs.HCPs = append(cs.HCPs, newHCP(id, "并发 Writer "+id, dept, hospital))
		if j > 0 {
			cs.Influences = append(cs.Influences, inf(ids[j-1], id, 0.5, kolgraph.InfluenceReportsTo, ""))
		}
	}
	cs.Knows = []kolgraph.Knows{{UserID: "U03", HCPID: ids[0], Strength: 0.5}}
	return cs, ids
}

// testConcurrency runs writers with disjoint change sets and readers at
// the same time (run it with -race). Every change set must land, versions
// must count them, and no single read may see part of a change set.
func (r *runner) testConcurrency(t *testing.T) {
	s := r.loaded(t)
	ctx := t.Context()
	const total = writers * appliesPerWrite

	var (
		wg       sync.WaitGroup
		done     atomic.Bool
		mu       sync.Mutex
		versions []uint64
		errs     = make(chan error, 64)
	)
	fail := func(format string, args ...any) {
		select {
		case errs <- fmt.Errorf(format, args...):
		default:
		}
	}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range appliesPerWrite {
				cs, _ := writerChange(w, i)
				v, err := s.Apply(ctx, cs)
				if err != nil {
					fail("writer %d, change %d: %v", w, i, err)
					return
				}
				mu.Lock()
				versions = append(versions, v)
				mu.Unlock()
			}
		}()
	}

	var readers sync.WaitGroup
	reads := atomic.Int64{}
	for rd := range 2 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			var lastV uint64
			for n := 0; !done.Load() || n < 3; n++ {
				v, err := s.Version(ctx)
				if err != nil {
					fail("reader %d: Version: %v", rd, err)
					return
				}
				if v < lastV {
					fail("reader %d: Version went back from %d to %d", rd, lastV, v)
				}
				lastV = v
				// One read sees whole change sets: HCP counts move in steps of 3.
				pg, err := s.ListHCPs(ctx, kolgraph.HCPFilter{}, kolgraph.Page{First: 5})
				if err != nil {
					fail("reader %d: ListHCPs: %v", rd, err)
					return
				}
				if (pg.Total-10)%hcpsPerApply != 0 {
					fail("reader %d: ListHCPs Total %d is not 10 + 3k: a change set was half visible", rd, pg.Total)
				}
				if floor := 10 + hcpsPerApply*int(v-1); pg.Total < floor {
					fail("reader %d: Total %d after Version %d, want at least %d", rd, pg.Total, v, floor)
				}
				// Some writer's change set is visible entirely or not at all.
				_, ids := writerChange(n%writers, (n/writers)%appliesPerWrite)
				hs, err := s.HCPs(ctx, ids)
				if err != nil {
					fail("reader %d: HCPs: %v", rd, err)
					return
				}
				if seen := countNonNil(hs); seen != 0 && seen != len(ids) {
					fail("reader %d: saw %d of the %d HCPs of one change set", rd, seen, len(ids))
				}
				if rd == 0 {
					if _, err := s.InfluencesFrom(ctx, ids); err != nil {
						fail("reader %d: InfluencesFrom: %v", rd, err)
					}
				} else {
					if err := s.Scan(ctx, kolgraph.Visitor{Influence: func(*kolgraph.Influence) error { return nil }}); err != nil {
						fail("reader %d: Scan: %v", rd, err)
					}
				}
				reads.Add(1)
			}
		}()
	}
	wg.Wait()
	done.Store(true)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	slices.Sort(versions)
	want := make([]uint64, total)
	for i := range want {
		want[i] = uint64(i + 2) // the fixture was version 1
	}
	if !slices.Equal(versions, want) {
		t.Errorf("versions returned by the concurrent Applies: got %v, want each of 2..%d once", versions, total+1)
	}
	if v := version(t, s); v != total+1 {
		t.Errorf("Version: got %d, want %d", v, total+1)
	}
	for w := range writers {
		for i := range appliesPerWrite {
			_, ids := writerChange(w, i)
			if n := countNonNil(hcpsOf(t, s, ids...)); n != len(ids) {
				t.Errorf("writer %d change %d: %d of %d HCPs present", w, i, n, len(ids))
			}
			from, err := s.InfluencesFrom(ctx, ids[:1])
			if err != nil || len(from[0]) != 1 {
				t.Errorf("writer %d change %d: InfluencesFrom(%s) = %v, %v; want one edge", w, i, ids[0], from, err)
			}
		}
	}
	pg, err := s.ListHCPs(ctx, kolgraph.HCPFilter{NameContains: "并发"}, kolgraph.Page{First: 1})
	if err != nil || pg.Total != total*hcpsPerApply {
		t.Errorf("ListHCPs of the writers' HCPs: Total %v (%v), want %d", pg, err, total*hcpsPerApply)
	}
	kn, _ := s.KnowsOfUsers(ctx, []string{"U03"})
	if len(kn[0]) != total {
		t.Errorf("KnowsOfUsers(U03): got %d, want %d", len(kn[0]), total)
	}
	checkIntegrity(t, s)
	t.Logf("%d reads ran during %d concurrent applies", reads.Load(), total)
}

func countNonNil[T any](xs []*T) int {
	n := 0
	for _, x := range xs {
		if x != nil {
			n++
		}
	}
	return n
}

// testPersistence closes and reopens a store (when the harness can) and
// checks that the graph, its version and its indices survived.
func (r *runner) testPersistence(t *testing.T) {
	if r.h.Reopen == nil {
		t.Skip("the harness cannot reopen stores")
	}
	ctx := t.Context()
	s := r.loaded(t)
	apply(t, s, &kolgraph.ChangeSet{
		Delete: kolgraph.Deletion{HCPs: []string{"P002"}},
		HCPs:   []*kolgraph.HCP{newHCP("P011", "Persisted 持久", "D003-02", "H003")},
	})
	before := takeSnapshot(t, s)

	s = r.reopen(t, s)
	if v := version(t, s); v != 2 {
		t.Errorf("Version after reopen: got %d, want 2", v)
	}
	if d := takeSnapshot(t, s).diff(before); len(d) > 0 {
		t.Errorf("graph after reopen differs (got vs before):\n%s", joinLines(d))
	}
	// The indices are rebuilt, not only the records.
	wantIDs(t, "HCPs of T2", listHCPs(t, s, kolgraph.HCPFilter{Territories: []string{"T2"}}),
		[]string{"P006", "P007", "P008", "P011"})
	wantIDs(t, "HCPs named 持久", listHCPs(t, s, kolgraph.HCPFilter{NameContains: "持久"}), []string{"P011"})
	nav, err := s.HCPsOfDepartments(ctx, []string{"D001-01", "D003-02"})
	if err != nil {
		t.Fatal(err)
	}
	wantNav(t, "HCPsOfDepartments", navIDs(nav, hcpID), [][]string{{"P001"}, {"P008", "P011"}})
	from, _ := s.InfluencesFrom(ctx, []string{"P001"})
	wantNav(t, "InfluencesFrom(P001)", navIDs(from, func(e *kolgraph.Influence) string { return e.To }),
		[][]string{{"P003", "P006"}})
	if v := apply(t, s, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"P011"}}}); v != 3 {
		t.Errorf("first Apply after reopen returned %d, want 3", v)
	}

	s = r.reopen(t, s)
	if v := version(t, s); v != 3 {
		t.Errorf("Version after second reopen: got %d, want 3", v)
	}
	if got := hcpsOf(t, s, "P011", "P001"); got[0] != nil || got[1] == nil {
		t.Errorf("HCPs P011, P001 after second reopen: got %s, want [nil P001]", show(got))
	}
}

func (r *runner) reopen(t *testing.T, s kolgraph.Store) kolgraph.Store {
	t.Helper()
	s2 := r.h.Reopen(t, s)
	if s2 == nil {
		t.Fatal("Harness.Reopen returned nil")
	}
	t.Cleanup(func() { _ = s2.Close() })
	return s2
}

func (r *runner) testClose(t *testing.T) {
	s := r.loaded(t)
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping on an open store: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := s.Ping(t.Context()); kolgraph.ErrorCode(err) != kolgraph.EUNAVAILABLE {
		t.Errorf("Ping after Close: got %v (code %q), want code %q", err, kolgraph.ErrorCode(err), kolgraph.EUNAVAILABLE)
	}
}
