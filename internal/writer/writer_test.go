package writer_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/embedded/embeddedtest"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/storetest"
	"github.com/kolgraph/kolgraph/internal/writer"
)

func loaded(t *testing.T) *embedded.Store {
	return embeddedtest.Open(t, storetest.Fixture())
}

func log(t *testing.T, s kolgraph.Store, f kolgraph.AuditFilter) []*kolgraph.AuditEntry {
	t.Helper()
	pg, err := s.AuditLog(t.Context(), f, kolgraph.Page{First: kolgraph.MaxPageSize})
	if err != nil {
		t.Fatal(err)
	}
	return pg.Items
}

func TestUpsertIsIdempotent(t *testing.T) {
	s := loaded(t)
	var notified atomic.Int32
	w := writer.New(s, func(uint64, *kolgraph.ChangeSet) { notified.Add(1) })
	cs := storetest.Fixture()
	res, err := w.Apply(t.Context(), "U01", "test", cs)
	if err != nil {
		t.Fatal(err)
	}
	if res.Written || res.Version != 1 || res.Total().Changed() != 0 || notified.Load() != 0 {
		t.Errorf("re-applying the stored graph: written %v, version %d, counts %+v, notified %d; want nothing written at version 1",
			res.Written, res.Version, res.Total(), notified.Load())
	}
	if got := res.Total().Unchanged; got != 3+2+5+10+3+7+3+4+4+3+4+12 {
		t.Errorf("unchanged: got %d, want every fixture record (60)", got)
	}
	if got := log(t, s, kolgraph.AuditFilter{}); len(got) != 0 {
		t.Errorf("audit log after a no-op: %d entries, want 0", len(got))
	}
}

func TestUpdateRecordsBeforeAndAfter(t *testing.T) {
	s := loaded(t)
	var notified atomic.Int32
	w := writer.New(s, func(uint64, *kolgraph.ChangeSet) { notified.Add(1) })
	hcps, _ := s.HCPs(t.Context(), []string{"P002"})
	p := *hcps[0]
	p.Title = "chief"
	res, err := w.Apply(t.Context(), "U01", "mutation upsertHCP", &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{&p},
		Influences: []*kolgraph.Influence{{From: "P002", To: "P001", Weight: 0.25, Kind: kolgraph.InfluenceReferral}}})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Written || res.Version != 2 || notified.Load() != 1 {
		t.Fatalf("written %v version %d notified %d, want true 2 1", res.Written, res.Version, notified.Load())
	}
	if c := res.Counts[kolgraph.KindHCPs]; *c != (writer.Counts{Updated: 1}) {
		t.Errorf("hcps counts: got %+v, want 1 updated", *c)
	}
	if c := res.Counts[kolgraph.KindInfluences]; *c != (writer.Counts{Created: 1}) {
		t.Errorf("influences counts: got %+v, want 1 created", *c)
	}
	got := log(t, s, kolgraph.AuditFilter{Kind: kolgraph.KindHCPs, EntityID: "P002"})
	if len(got) != 1 {
		t.Fatalf("audit of P002: %d entries, want 1", len(got))
	}
	var before, after kolgraph.HCP
	if err := json.Unmarshal([]byte(got[0].Before), &before); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(got[0].After), &after); err != nil {
		t.Fatal(err)
	}
	if before.Title != "attending" || after.Title != "chief" || got[0].Op != kolgraph.OpUpdate ||
		got[0].Actor != "U01" || got[0].Source != "mutation upsertHCP" || got[0].Version != 2 {
		t.Errorf("audit entry: got %+v, want an update by U01 from attending to chief at version 2", got[0])
	}
	edge := log(t, s, kolgraph.AuditFilter{EntityID: "P002->P001"})
	if len(edge) != 1 || edge[0].Op != kolgraph.OpCreate || edge[0].Before != "" {
		t.Errorf("audit of the new edge: got %+v, want one create", edge)
	}
}

func TestDeleteRecordsDetachedRelationships(t *testing.T) {
	s := loaded(t)
	w := writer.New(s, nil)
	res, err := w.Apply(t.Context(), "U01", "mutation deleteHCP", &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"P001"}}})
	if err != nil {
		t.Fatal(err)
	}
	// P001: memberships C001 C002; knows U01; influences out to P002 P003
	// P006, in from P003 P009 P010.
	want := map[string]writer.Counts{
		kolgraph.KindHCPs:        {Deleted: 1},
		kolgraph.KindMemberships: {Deleted: 2},
		kolgraph.KindKnows:       {Deleted: 1},
		kolgraph.KindInfluences:  {Deleted: 6},
	}
	for k, c := range want {
		if got := res.Counts[k]; got == nil || *got != c {
			t.Errorf("%s: got %+v, want %+v", k, got, c)
		}
	}
	var ids []string
	for _, e := range log(t, s, kolgraph.AuditFilter{}) {
		if e.Op != kolgraph.OpDelete || e.After != "" || e.Before == "" {
			t.Errorf("entry %s/%s: op %s, want a delete with a before value", e.Kind, e.EntityID, e.Op)
		}
		ids = append(ids, e.Kind+"/"+e.EntityID)
	}
	slices.Sort(ids)
	wantIDs := []string{"hcps/P001", "influences/P001->P002", "influences/P001->P003", "influences/P001->P006",
		"influences/P003->P001", "influences/P009->P001", "influences/P010->P001", "knows/U01->P001",
		"memberships/P001->C001", "memberships/P001->C002"}
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("audit entries: got %q, want %q", ids, wantIDs)
	}
	// Deleting again is a no-op.
	res, err = w.Apply(t.Context(), "U01", "mutation deleteHCP", &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"P001"}}})
	if err != nil || res.Written {
		t.Errorf("deleting a deleted HCP: written %v, %v; want nothing written", res.Written, err)
	}
}

func TestRejectedWriteLeavesNoTrace(t *testing.T) {
	s := loaded(t)
	w := writer.New(s, nil)
	_, err := w.Apply(t.Context(), "U01", "test", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{
		{From: "P001", To: "P002", Weight: 0.5, Kind: kolgraph.InfluenceMentor},
		{From: "P001", To: "P404", Weight: 0.5, Kind: kolgraph.InfluenceMentor},
	}})
	if kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Fatalf("unknown HCP: got %v, want BAD_USER_INPUT", err)
	}
	if v, _ := s.Version(t.Context()); v != 1 {
		t.Errorf("version after a rejected write: %d, want 1", v)
	}
	if got := log(t, s, kolgraph.AuditFilter{}); len(got) != 0 {
		t.Errorf("audit log after a rejected write: %d entries", len(got))
	}
	_, err = w.Apply(t.Context(), "U01", "test", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{
		{From: "P001", To: "P002", Weight: 1.5, Kind: kolgraph.InfluenceMentor}}})
	var kerr *kolgraph.Error
	if !errors.As(err, &kerr) || len(kerr.Problems) != 1 || kerr.Problems[0].File != "influences/P001->P002" || kerr.Problems[0].Field != "weight" {
		t.Errorf("weight 1.5: got %v, want one problem on influences/P001->P002 field weight", err)
	}
}

// TestConcurrentWritesKeepExactBefores races writers on one record: every
// audit entry's before value must be the previous entry's after value,
// which holds only if IfVersion and the retries work.
func TestConcurrentWritesKeepExactBefores(t *testing.T) {
	s := loaded(t)
	w := writer.New(s, nil)
	w.Attempts = 1000
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 10 {
				e := &kolgraph.Influence{From: "P001", To: "P002", Weight: float64(i*10+j+1) / 100, Kind: kolgraph.InfluenceMentor}
				if _, err := w.Apply(context.Background(), "U01", "race", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{e}}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	es := log(t, s, kolgraph.AuditFilter{EntityID: "P001->P002"})
	if len(es) != 80 {
		t.Fatalf("got %d entries, want 80", len(es))
	}
	for i := 1; i < len(es); i++ {
		if es[i].Before != es[i-1].After {
			t.Fatalf("entry %d: before %s is not the previous after %s", i, es[i].Before, es[i-1].After)
		}
	}
}

// TestDerivedFields: what a caller may leave out is derived from the store
// as the write is planned, and filled into the caller's records.
func TestDerivedFields(t *testing.T) {
	s := loaded(t)
	w := writer.New(s, nil)
	ctx := t.Context()
	hs, _ := s.HCPs(ctx, []string{"P002"})
	ds, _ := s.Departments(ctx, []string{hs[0].DepartmentID})

	t.Run("an HCP's hospital is its department's", func(t *testing.T) {
		h := *hs[0]
		h.HospitalID = ""
		res, err := w.Apply(ctx, "U01", "test", &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{&h}})
		if err != nil {
			t.Fatal(err)
		}
		if h.HospitalID != ds[0].HospitalID || res.Written {
			t.Errorf("got hospital %q, written %v; want %q, nothing written", h.HospitalID, res.Written, ds[0].HospitalID)
		}
	})
	t.Run("a department that does not exist", func(t *testing.T) {
		h := *hs[0]
		h.HospitalID, h.DepartmentID = "", "D404"
		_, err := w.Apply(ctx, "U01", "test", &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{&h}})
		var inv *kolgraph.Error
		if !errors.As(err, &inv) || inv.Code != kolgraph.EINVALID || len(inv.Problems) != 1 || inv.Problems[0].Field != "department_id" {
			t.Errorf("got %v, want EINVALID on department_id", err)
		}
	})

	es, _ := s.Influences(ctx, []kolgraph.EdgeKey{storetest.Fixture().Influences[4].Key()})
	stored := *es[0]
	t.Run("an unchanged tie keeps its time", func(t *testing.T) {
		e := stored
		e.UpdatedAt = time.Time{}
		res, err := w.Plan(ctx, &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{&e}})
		if err != nil {
			t.Fatal(err)
		}
		if !e.UpdatedAt.Equal(stored.UpdatedAt) || res.Changed() {
			t.Errorf("got %v, changed %v; want the stored %v, no change", e.UpdatedAt, res.Changed(), stored.UpdatedAt)
		}
	})
	t.Run("a changed tie is stamped now", func(t *testing.T) {
		e := stored
		e.UpdatedAt, e.Evidence = time.Time{}, "a new paper"
		before := time.Now()
		if _, err := w.Apply(ctx, "U01", "test", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{&e}}); err != nil {
			t.Fatal(err)
		}
		got, _ := s.Influences(ctx, []kolgraph.EdgeKey{e.Key()})
		if e.UpdatedAt.Before(before) || !got[0].UpdatedAt.Equal(e.UpdatedAt) {
			t.Errorf("got %v, stored %v; want a time after %v, stored as such", e.UpdatedAt, got[0].UpdatedAt, before)
		}
	})
}

// slowPlan is a store whose HCP reads, once armed, run hook before they
// answer: a write that is being planned, for as long as hook takes.
type slowPlan struct {
	*embedded.Store
	hook atomic.Pointer[func()]
}

func (s *slowPlan) HCPs(ctx context.Context, ids []string) ([]*kolgraph.HCP, error) {
	if h := s.hook.Swap(nil); h != nil {
		(*h)()
	}
	return s.Store.HCPs(ctx, ids)
}

// TestWritesTakeTurns: a write that arrives while another is planned waits
// for it instead of getting in first, so the first is never stale and both
// succeed with a single attempt (issue 20: a large import failed with
// CONFLICT while colleagues wrote edges, and again on retry).
func TestWritesTakeTurns(t *testing.T) {
	s := &slowPlan{Store: loaded(t)}
	w := writer.New(s, nil)
	w.Attempts = 1
	small := make(chan error, 1)
	hook := func() {
		// While the large write is planned, a small one arrives. Had it
		// got in, it would be done within the wait below and make the
		// large write stale.
		go func() {
			_, err := w.Apply(context.Background(), "U02", "small", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{
				{From: "P001", To: "P002", Weight: 0.42, Kind: kolgraph.InfluenceMentor}}})
			small <- err
		}()
		select {
		case err := <-small:
			small <- err
		case <-time.After(300 * time.Millisecond):
		}
	}
	s.hook.Store(&hook)
	large := &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{{ID: "P011", Name: "New", Role: kolgraph.RolePhysician,
		DepartmentID: "D001-01", HospitalID: "H001"}}}
	res, err := w.Apply(t.Context(), "U01", "import", large)
	if err != nil || !res.Written {
		t.Fatalf("the large write: %v (it should not lose to the small one)", err)
	}
	if err := <-small; err != nil {
		t.Fatalf("the small write: %v", err)
	}
	es := log(t, s, kolgraph.AuditFilter{})
	if len(es) != 2 || es[0].Source != "import" || es[1].Source != "small" {
		t.Errorf("order of the writes: %+v, want the large one first", es)
	}
	// A writer that waits longer than its context allows gives up.
	release := make(chan struct{})
	block := func() { <-release }
	s.hook.Store(&block)
	go w.Apply(context.Background(), "U01", "blocker", &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{{ID: "P012", Name: "B",
		Role: kolgraph.RolePhysician, DepartmentID: "D001-01", HospitalID: "H001"}}})
	for s.hook.Load() != nil { // the blocker is being planned
		time.Sleep(time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := w.Plan(ctx, large); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("a dry run behind a write, past its deadline: got %v", err)
	}
	close(release)
}
