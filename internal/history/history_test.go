package history_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/embedded/embeddedtest"
	"github.com/kolgraph/kolgraph/internal/history"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/storetest"
)

// The tests record DEGREE (weighted out-degree within the scope), whose
// values are sums of the fixture's weights. H001 holds P001 P002 P003
// P009 with ties P001->P002 0.9, P001->P003 0.6, P003->P001 0.4,
// P009->P003 0.8, P009->P001 0.7:
//
//	v1  P001 1.5 (rank 1, ties with P009 by id), P009 1.5 (2), P003 0.4 (3), P002 0 (4)
//	v2  P001->P002 reweighted to 0.5: P009 1.5 (1), P001 1.1 (2), P003 0.4 (3), P002 0 (4)
//	v3  P011 joins D001-01 with P011->P002 0.25: P009, P001, P003, P011 0.25 (4), P002 (5)
//
// H002, H003 and T2 do not change after v1.
const tol = 1e-12

var (
	t1 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	t2 = time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	t3 = time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
)

type fixed struct{ s *snapshot.Snapshot }

func (f fixed) Get() (*snapshot.Snapshot, error) { return f.s, nil }

type world struct {
	t     *testing.T
	store *embedded.Store
	rank  *scoring.Service
	snaps []*snapshot.Snapshot // by version - 1
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, store: embeddedtest.Open(t, storetest.Fixture())}
	rk, err := scoring.NewService(fixed{}, scoring.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	w.rank = rk
	w.snap()
	return w
}

// snap builds the snapshot of the store's current version.
func (w *world) snap() *snapshot.Snapshot {
	w.t.Helper()
	s, err := snapshot.Build(w.t.Context(), w.store)
	if err != nil {
		w.t.Fatal(err)
	}
	w.snaps = append(w.snaps, s)
	return s
}

func (w *world) apply(cs *kolgraph.ChangeSet) *snapshot.Snapshot {
	w.t.Helper()
	if _, err := w.store.Apply(w.t.Context(), cs); err != nil {
		w.t.Fatal(err)
	}
	return w.snap()
}

// v2 reweights P001->P002 to 0.5, with its audit entry.
func (w *world) v2() *snapshot.Snapshot {
	e := &kolgraph.Influence{From: "P001", To: "P002", Weight: 0.5, Kind: kolgraph.InfluenceReportsTo, UpdatedAt: t2}
	return w.apply(&kolgraph.ChangeSet{Influences: []*kolgraph.Influence{e},
		Audit: []kolgraph.AuditEntry{{Actor: "U01", Source: "test", Kind: kolgraph.KindInfluences,
			EntityID: kolgraph.PairID("P001", "P002"), Op: kolgraph.OpUpdate, Before: `{"weight":0.9}`, After: `{"weight":0.5}`}}})
}

// v3 adds P011 to D001-01 with a tie to P002.
func (w *world) v3() *snapshot.Snapshot {
	h := &kolgraph.HCP{ID: "P011", Name: "New Doctor", Role: kolgraph.RolePhysician, Title: "resident",
		Specialty: "cardiology", DepartmentID: "D001-01", HospitalID: "H001"}
	e := &kolgraph.Influence{From: "P011", To: "P002", Weight: 0.25, Kind: kolgraph.InfluenceCoAuthor, UpdatedAt: t3}
	return w.apply(&kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{h}, Influences: []*kolgraph.Influence{e},
		Audit: []kolgraph.AuditEntry{
			{Actor: "U01", Source: "test", Kind: kolgraph.KindHCPs, EntityID: "P011", Op: kolgraph.OpCreate, After: `{"id":"P011","email":"x@example.com"}`},
			{Actor: "U01", Source: "test", Kind: kolgraph.KindInfluences, EntityID: kolgraph.PairID("P011", "P002"), Op: kolgraph.OpCreate, After: `{"weight":0.25}`},
		}})
}

func (w *world) service(o history.Options) *history.Service {
	w.t.Helper()
	if o.Metrics == nil {
		o.Metrics = []scoring.Metric{scoring.Degree}
	}
	s, err := history.New(w.store, w.rank, o, zerolog.Nop())
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

func (w *world) record(s *history.Service, snap *snapshot.Snapshot, at time.Time, want int) {
	w.t.Helper()
	n, err := s.Record(w.t.Context(), snap, at)
	if err != nil {
		w.t.Fatal(err)
	}
	if n != want {
		w.t.Errorf("Record v%d: stored %d points, want %d", snap.Version, n, want)
	}
}

func (w *world) versions(scope string) []uint64 {
	w.t.Helper()
	ps, err := w.store.History(w.t.Context(), scope, string(scoring.Degree), time.Time{}, time.Time{})
	if err != nil {
		w.t.Fatal(err)
	}
	var out []uint64
	for _, p := range ps {
		out = append(out, p.Version)
	}
	return out
}

// TestRecordStoresChangedScopesOnly: the first version stores every scope
// (region, T1, T2, H001-H003); the second only the scopes whose scores a
// reweighted tie changed; recording a version again, or from a new
// service over the same store (a restart), adds nothing.
func TestRecordStoresChangedScopesOnly(t *testing.T) {
	w := newWorld(t)
	s := w.service(history.Options{})
	w.record(s, w.snaps[0], t1, 6)
	w.record(s, w.v2(), t2, 3)
	w.record(s, w.snaps[1], t2, 0)
	w.record(w.service(history.Options{}), w.snaps[1], t2, 0)
	for scope, want := range map[string][]uint64{
		"all": {1, 2}, "territory:T1": {1, 2}, "hospital:H001": {1, 2},
		"territory:T2": {1}, "hospital:H002": {1}, "hospital:H003": {1},
	} {
		if got := w.versions(scope); !slices.Equal(got, want) {
			t.Errorf("%s: versions %v, want %v", scope, got, want)
		}
	}
	ps, err := w.store.History(t.Context(), "hospital:H001", "DEGREE", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	wantIDs := []string{"P001", "P002", "P003", "P009"}
	for i, want := range [][]float64{{1.5, 0, 0.4, 1.5}, {1.1, 0, 0.4, 1.5}} {
		p := ps[i]
		if !slices.Equal(p.IDs, wantIDs) || !p.At.Equal([]time.Time{t1, t2}[i]) {
			t.Errorf("point %d: ids %v at %v, want %v at %v", i, p.IDs, p.At, wantIDs, []time.Time{t1, t2}[i])
		}
		for j := range want {
			if math.Abs(p.Scores[j]-want[j]) > tol {
				t.Errorf("point %d: %s = %v, want %v", i, p.IDs[j], p.Scores[j], want[j])
			}
		}
	}
}

// TestSeries: an HCP's score and rank per recorded version of the scope;
// versions before it joined are skipped.
func TestSeries(t *testing.T) {
	w := newWorld(t)
	s := w.service(history.Options{})
	w.record(s, w.snaps[0], t1, 6)
	w.record(s, w.v2(), t2, 3)
	w.record(s, w.v3(), t3, 3)
	h1 := snapshot.Scope{Hospital: "H001"}
	for _, c := range []struct {
		id   string
		want []history.Point
	}{
		{"P001", []history.Point{{1, "v1", t1, 1.5, 1}, {2, "v2", t2, 1.1, 2}, {3, "v3", t3, 1.1, 2}}},
		{"P009", []history.Point{{1, "v1", t1, 1.5, 2}, {2, "v2", t2, 1.5, 1}, {3, "v3", t3, 1.5, 1}}},
		{"P002", []history.Point{{1, "v1", t1, 0, 4}, {2, "v2", t2, 0, 4}, {3, "v3", t3, 0, 5}}},
		{"P011", []history.Point{{3, "v3", t3, 0.25, 4}}},
		{"P004", nil}, // another hospital's
	} {
		got, err := s.Series(t.Context(), h1, scoring.Degree, c.id)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(c.want) {
			t.Fatalf("%s: got %+v, want %+v", c.id, got, c.want)
		}
		for i, g := range got {
			wp := c.want[i]
			if g.Version != wp.Version || g.GraphVersion != wp.GraphVersion || !g.At.Equal(wp.At) ||
				math.Abs(g.Score-wp.Score) > tol || g.Rank != wp.Rank {
				t.Errorf("%s point %d: got %+v, want %+v", c.id, i, g, wp)
			}
		}
	}
	if _, err := s.Series(t.Context(), snapshot.Scope{Hospital: "H001", Territory: "T1"}, scoring.Degree, "P001"); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("two scope kinds: got %v, want EINVALID", err)
	}
	for _, m := range []scoring.Metric{"NOPE", scoring.Influence} {
		if _, err := s.Series(t.Context(), h1, m, "P001"); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
			t.Errorf("metric %s, not recorded: got %v, want EINVALID", m, err)
		}
	}
	if _, err := s.Series(t.Context(), h1, scoring.Degree, ""); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("empty id: got %v, want EINVALID", err)
	}
}

// TestChanges: movers by |delta| between the point at "since" and the
// latest, an entering HCP, and the audit entries that explain each.
func TestChanges(t *testing.T) {
	w := newWorld(t)
	s := w.service(history.Options{})
	w.record(s, w.snaps[0], t1, 6)
	w.record(s, w.v2(), t2, 3)
	w.record(s, w.v3(), t3, 3)
	h1 := snapshot.Scope{Hospital: "H001"}

	ch, err := s.Changes(t.Context(), h1, scoring.Degree, t1.Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	if ch.From == nil || ch.To == nil || ch.From.Version != 1 || ch.To.Version != 3 || ch.From.GraphVersion != "v1" || !ch.To.At.Equal(t3) {
		t.Fatalf("From %+v To %+v, want v1 and v3", ch.From, ch.To)
	}
	if ch.Total != 2 || len(ch.Movers) != 2 {
		t.Fatalf("movers %+v (total %d), want P001 and P011", ch.Movers, ch.Total)
	}
	p001, p011 := ch.Movers[0], ch.Movers[1]
	if p001.HCPID != "P001" || math.Abs(p001.Delta+0.4) > tol || p001.RankBefore != 1 || p001.RankAfter != 2 || p001.Entered || p001.Left {
		t.Errorf("first mover %+v, want P001 -0.4, rank 1 -> 2", p001)
	}
	if p011.HCPID != "P011" || !p011.Entered || p011.Before != 0 || math.Abs(p011.After-0.25) > tol || p011.RankBefore != 0 || p011.RankAfter != 4 {
		t.Errorf("second mover %+v, want P011 entering at 0.25, rank 4", p011)
	}
	if len(p001.Explained) != 1 || p001.Explained[0].EntityID != "P001->P002" || p001.Explained[0].Version != 2 {
		t.Errorf("P001 explained by %+v, want the reweight of P001->P002 at v2", p001.Explained)
	}
	if len(p011.Explained) != 2 || p011.Explained[0].Kind != kolgraph.KindHCPs || p011.Explained[0].After != "" ||
		p011.Explained[1].EntityID != "P011->P002" {
		t.Errorf("P011 explained by %+v, want its creation (no personal data) and its tie", p011.Explained)
	}

	// Since before the first point: from the first point. first caps.
	ch, err = s.Changes(t.Context(), h1, scoring.Degree, t1.Add(-time.Hour), 1)
	if err != nil {
		t.Fatal(err)
	}
	if ch.From.Version != 1 || ch.Total != 2 || len(ch.Movers) != 1 || ch.Movers[0].HCPID != "P001" {
		t.Errorf("since before the history: from v%d, movers %+v (total %d); want v1, P001 of 2", ch.From.Version, ch.Movers, ch.Total)
	}
	// Since the latest: nothing moved.
	ch, err = s.Changes(t.Context(), h1, scoring.Degree, t3, 10)
	if err != nil {
		t.Fatal(err)
	}
	if ch.From.Version != 3 || ch.Total != 0 {
		t.Errorf("since the latest point: from v%d, %d movers; want v3, none", ch.From.Version, ch.Total)
	}
	// A scope never recorded: no points, no error.
	ch, err = s.Changes(t.Context(), snapshot.Scope{Department: "D001-01"}, scoring.Degree, t3, 10)
	if err != nil || ch.From != nil || ch.To != nil || ch.Total != 0 {
		t.Errorf("a scope without history: %+v, %v", ch, err)
	}
	if _, err := s.Changes(t.Context(), h1, scoring.Degree, t3, -1); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("negative first: got %v, want EINVALID", err)
	}
}

// TestDebounce: versions notified in a burst are recorded once, at the
// last; the first is never recorded (not invented either).
func TestDebounce(t *testing.T) {
	w := newWorld(t)
	s := w.service(history.Options{Debounce: 100 * time.Millisecond})
	v2 := w.v2()
	s.Start(t.Context())
	s.Notify(w.snaps[0])
	s.Notify(v2)
	deadline := time.Now().Add(10 * time.Second)
	for len(w.versions("all")) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := w.versions("all"); !slices.Equal(got, []uint64{2}) {
		t.Errorf("after a burst of v1, v2: versions %v, want [2]", got)
	}
	if got := w.versions("hospital:H002"); !slices.Equal(got, []uint64{2}) {
		t.Errorf("H002 first recorded at %v, want [2]", got)
	}
}

// TestBackfill: dated versions are recorded in order at their own dates
// before a notified one.
func TestBackfill(t *testing.T) {
	w := newWorld(t)
	s := w.service(history.Options{Debounce: time.Hour})
	v2 := w.v2()
	s.Start(t.Context())
	s.Backfill([]history.Dated{{Snapshot: w.snaps[0], At: t1}, {Snapshot: v2, At: t2}})
	deadline := time.Now().Add(10 * time.Second)
	for len(w.versions("all")) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	ps, err := w.store.History(t.Context(), "all", "DEGREE", time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 2 || !ps[0].At.Equal(t1) || !ps[1].At.Equal(t2) {
		t.Errorf("backfilled points: %d, want v1 at %v and v2 at %v", len(ps), t1, t2)
	}
}

// TestBackfillBeforeNotified: versions backfilled while a notified one
// waits for its debounce are recorded first; the notified one after.
func TestBackfillBeforeNotified(t *testing.T) {
	w := newWorld(t)
	s := w.service(history.Options{Debounce: 200 * time.Millisecond})
	v2 := w.v2()
	s.Start(t.Context())
	s.Notify(v2)
	time.Sleep(50 * time.Millisecond) // v2 is waiting for its debounce
	s.Backfill([]history.Dated{{Snapshot: w.snaps[0], At: t1}})
	deadline := time.Now().Add(10 * time.Second)
	for len(w.versions("all")) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := w.versions("all"); !slices.Equal(got, []uint64{1, 2}) {
		t.Errorf("versions %v, want [1 2]", got)
	}
}
