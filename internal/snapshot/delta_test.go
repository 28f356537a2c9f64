package snapshot_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/writer"
	"github.com/kolgraph/kolgraph/seed"
)

// scans counts the store's scans: a snapshot built from the store scans
// it, one derived from the last does not.
type scans struct {
	kolgraph.Store
	n atomic.Int32
}

func (s *scans) Scan(ctx context.Context, v kolgraph.Visitor) error {
	s.n.Add(1)
	return s.Store.Scan(ctx, v)
}

// tieTime is the update time of the ties the tests write.
var tieTime = time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)

// deriving returns a store that counts its scans, a manager on it at its
// current version and a writer that tells the manager of its writes.
func deriving(t *testing.T) (*scans, *snapshot.Manager, *writer.Service) {
	t.Helper()
	st := &scans{Store: openStore(t)}
	m := snapshot.NewManager(st, zerolog.Nop())
	if err := m.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st, m, writer.New(st, m.Written)
}

// TestDerivedSnapshotsEqualBuild writes through the writer, as the
// service does, and after each write checks the manager's snapshot
// against one built from the store: equal in every node, edge, weight,
// kind, evidence, seat, contact and scope list, and at the same version;
// derived (no store scan) for changes of ties alone, built for the rest.
func TestDerivedSnapshotsEqualBuild(t *testing.T) {
	ctx := context.Background()
	st, m, w := deriving(t)
	tie := func(from, to string, weight float64, kind, ev string) *kolgraph.Influence {
		return &kolgraph.Influence{From: from, To: to, Weight: weight, Kind: kind, Evidence: ev, UpdatedAt: tieTime}
	}
	for _, tt := range []struct {
		name    string
		cs      *kolgraph.ChangeSet
		derived bool
	}{
		{"a weight", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{tie("P004", "P010", 0.25, kolgraph.InfluenceMentor, "")}}, true},
		{"a kind and new evidence", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{tie("P004", "P005", 0.8, kolgraph.InfluenceCommitteePeer, "P&T 2026")}}, true},
		{"weights and kinds at once", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{
			tie("P004", "P010", 0.5, kolgraph.InfluenceMentor, ""), tie("P002", "P004", 0.9, kolgraph.InfluenceMentor, "referrals 2023")}}, true},
		{"a new tie", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{tie("P005", "P004", 0.4, kolgraph.InfluenceReferral, "new")}}, true},
		{"a deleted tie", &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Influences: []kolgraph.EdgeKey{{From: "P002", To: "P004"}}}}, true},
		{"an account plan", &kolgraph.ChangeSet{AccountPlans: []*kolgraph.AccountPlan{{ID: "AP1", HospitalID: "H001", ProductID: "PR01",
			OwnerID: "U01", Status: kolgraph.PlanDraft, PeriodStart: "2027-01-01", PeriodEnd: "2027-12-31"}}}, true},
		{"field execution", &kolgraph.ChangeSet{Interactions: []*kolgraph.Interaction{{ID: "IN1", HCPID: "P004", KAMID: "U01",
			Date: "2026-04-01", Kind: kolgraph.InteractionVisit}}, Owners: []kolgraph.AccountOwner{{AccountID: "P004", UserID: "U01"}}}, true},
		{"prescription facts", &kolgraph.ChangeSet{Prescriptions: []kolgraph.PrescriptionFact{
			{HCPID: "P004", ProductID: "PR01", Month: "2026-03", Volume: 12}, {HCPID: "P004", ProductID: "PR01", Month: "2026-01", Volume: 7},
			{DepartmentID: "D001-01", ProductID: "PR01", Month: "2026-02", Volume: 3}}}, false},
		{"an HCP deleted", &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"P010"}}}, false},
		{"a tie after a build", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{tie("P004", "P005", 0.6, kolgraph.InfluenceReportsTo, "")}}, true},
	} {
		before := st.n.Load()
		prev := m.Current()
		prevDesc := describe(t, prev)
		res, err := w.Apply(ctx, "test", "test", tt.cs)
		if err != nil || !res.Written {
			t.Fatalf("%s: %v %+v", tt.name, err, res)
		}
		if err := m.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		got := m.Current()
		if derived := st.n.Load() == before; derived != tt.derived {
			t.Errorf("%s: derived %v, want %v", tt.name, derived, tt.derived)
		}
		want, err := snapshot.Build(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := describe(t, got), describe(t, want); !slices.Equal(g, w) {
			t.Errorf("%s: the snapshot differs from one built from the store:\n got %q\nwant %q", tt.name, g, w)
		}
		if got.Version != res.Version {
			t.Errorf("%s: version %d, the write made %d", tt.name, got.Version, res.Version)
		}
		if after := describe(t, prev); !slices.Equal(after, prevDesc) {
			t.Errorf("%s: deriving changed the previous snapshot", tt.name)
		}
	}
}

// TestDerivedBacklogEqualsBuild: versions written while the manager was
// busy are derived at once (one rebuild of the graph, not one each), the
// last write of each tie winning, into the snapshot built from the store.
func TestDerivedBacklogEqualsBuild(t *testing.T) {
	ctx := context.Background()
	st, m, w := deriving(t)
	tie := func(from, to string, weight float64) *kolgraph.Influence {
		return &kolgraph.Influence{From: from, To: to, Weight: weight, Kind: kolgraph.InfluenceMentor, UpdatedAt: tieTime}
	}
	del := func(from, to string) *kolgraph.ChangeSet {
		return &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Influences: []kolgraph.EdgeKey{{From: from, To: to}}}}
	}
	ups := func(es ...*kolgraph.Influence) *kolgraph.ChangeSet { return &kolgraph.ChangeSet{Influences: es} }
	before := st.n.Load()
	var last uint64
	for _, cs := range []*kolgraph.ChangeSet{
		ups(tie("P005", "P004", 0.4)),                           // a new tie
		ups(tie("P005", "P004", 0.7), tie("P004", "P010", 0.2)), // reweighted, and an old one too
		del("P002", "P004"),                                     // an old tie goes
		ups(tie("P010", "P005", 0.3)), del("P010", "P005"),      // a new tie that goes again
		del("P004", "P010"), ups(tie("P004", "P010", 0.9)), // an old tie gone and back
	} {
		res, err := w.Apply(ctx, "test", "test", cs)
		if err != nil || !res.Written {
			t.Fatalf("%v %+v", err, res)
		}
		last = res.Version
	}
	if err := m.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if st.n.Load() != before {
		t.Error("a backlog of tie writes was built from the store, not derived")
	}
	want, err := snapshot.Build(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	got := m.Current()
	if g, w := describe(t, got), describe(t, want); !slices.Equal(g, w) {
		t.Errorf("the derived snapshot differs from one built from the store:\n got %q\nwant %q", g, w)
	}
	if got.Version != last {
		t.Errorf("version %d, the writes made %d", got.Version, last)
	}
}

// TestWrittenByAnotherProcess: a version this process did not write (no
// Written) is built from the store, even when later ones were.
func TestWrittenByAnotherProcess(t *testing.T) {
	ctx := context.Background()
	st := &scans{Store: openStore(t)}
	m := snapshot.NewManager(st, zerolog.Nop())
	if err := m.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	cs := func(w float64) *kolgraph.ChangeSet {
		return &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{{From: "P004", To: "P010", Weight: w, Kind: kolgraph.InfluenceMentor,
			UpdatedAt: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}}}
	}
	other := writer.New(st, nil)
	if _, err := other.Apply(ctx, "other", "test", cs(0.2)); err != nil {
		t.Fatal(err)
	}
	mine := writer.New(st, m.Written)
	if _, err := mine.Apply(ctx, "me", "test", cs(0.3)); err != nil {
		t.Fatal(err)
	}
	before := st.n.Load()
	if err := m.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if st.n.Load() == before {
		t.Error("a version written elsewhere was derived, not built")
	}
	e, _ := m.Current().Graph.EdgeBetween(mustIndex(t, m.Current(), "P004"), mustIndex(t, m.Current(), "P010"))
	if w := m.Current().Graph.Weight(e); w != 0.3 {
		t.Errorf("weight %v, want 0.3", w)
	}
}

// BenchmarkNextSnapshot is what a write of one tie costs the analytics'
// graph: Build reads the whole store again; Next derives the version from
// the last snapshot, by reweighting (an existing tie's weight) or through
// Variant (a new tie). The seed region by default; KOLGRAPH_BENCH_DB names
// an embedded store file to measure instead (e.g. the 100,000-HCP region
// after `kolgraph import`; it is opened read-only in effect: nothing is
// written).
func BenchmarkNextSnapshot(b *testing.B) {
	ctx := context.Background()
	var st kolgraph.Store
	if path := os.Getenv("KOLGRAPH_BENCH_DB"); path != "" {
		s, err := embedded.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		st = s
	} else {
		s, err := embedded.Open(filepath.Join(b.TempDir(), "kg.db"), embedded.WithNoSync())
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
		cs, err := seedfile.Read(seed.FS)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Apply(ctx, cs); err != nil {
			b.Fatal(err)
		}
		st = s
	}
	base, err := snapshot.Build(ctx, st)
	if err != nil {
		b.Fatal(err)
	}
	// An existing tie, and a pair of HCPs without one.
	e := int32(0)
	from, to := base.Graph.Source(e), base.Graph.Target(e)
	kind, ev := base.Tie(e)
	reweight := snapshot.Ties{Upserts: []*kolgraph.Influence{{From: base.IDs[from], To: base.IDs[to], Weight: 0.123, Kind: kind, Evidence: ev}}}
	var add snapshot.Ties
	for v := int32(1); v < int32(len(base.IDs)); v++ {
		if _, ok := base.Graph.EdgeBetween(0, v); !ok {
			add.Upserts = []*kolgraph.Influence{{From: base.IDs[0], To: base.IDs[v], Weight: 0.5, Kind: kolgraph.InfluenceMentor}}
			break
		}
	}
	b.Run("Build", func(b *testing.B) {
		for b.Loop() {
			if _, err := snapshot.Build(ctx, st); err != nil {
				b.Fatal(err)
			}
		}
	})
	for name, t := range map[string]snapshot.Ties{"Reweight": reweight, "NewTie": add} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, ok := base.Next(base.Version+1, t); !ok {
					b.Fatal("not derived")
				}
			}
		})
	}
}
