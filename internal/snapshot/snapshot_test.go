package snapshot_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/embedded/embeddedtest"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/storetest"
)

func openStore(t *testing.T) kolgraph.Store {
	return embeddedtest.Open(t, storetest.Fixture())
}

func TestBuildMatchesStore(t *testing.T) {
	st := openStore(t)
	fx := storetest.Fixture()
	s, err := snapshot.Build(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.IDs) != len(fx.HCPs) || s.Graph.Edges() != len(fx.Influences) {
		t.Fatalf("snapshot has %d nodes, %d edges; fixture %d, %d", len(s.IDs), s.Graph.Edges(), len(fx.HCPs), len(fx.Influences))
	}
	for i := 1; i < len(s.IDs); i++ {
		if s.IDs[i-1] >= s.IDs[i] {
			t.Fatalf("node ids not in ascending order: %v", s.IDs)
		}
	}
	for _, e := range fx.Influences {
		from, ok1 := s.Index(e.From)
		to, ok2 := s.Index(e.To)
		if !ok1 || !ok2 {
			t.Fatalf("edge %s->%s: unknown end", e.From, e.To)
		}
		id, ok := s.Graph.EdgeBetween(from, to)
		if !ok || s.Graph.Weight(id) != e.Weight {
			t.Errorf("edge %s->%s: in snapshot %v, weight %v, want %v", e.From, e.To, ok, s.Graph.Weight(id), e.Weight)
		}
	}
	// Every edge keeps its kind and evidence at its graph edge id.
	for _, e := range fx.Influences {
		from, _ := s.Index(e.From)
		to, _ := s.Index(e.To)
		id, _ := s.Graph.EdgeBetween(from, to)
		if kind, ev := s.Tie(id); kind != e.Kind || ev != e.Evidence {
			t.Errorf("edge %s->%s: tie (%q, %q), want (%q, %q)", e.From, e.To, kind, ev, e.Kind, e.Evidence)
		}
	}
	// Indication shares are there for the potential of each product.
	if len(s.Shares) != len(fx.IndicationShares) {
		t.Errorf("%d indication shares, fixture %d", len(s.Shares), len(fx.IndicationShares))
	}
	for _, r := range fx.IndicationShares {
		if got, ok := s.Shares[kolgraph.ProductShareKind.Key(r)]; !ok || got != r.Share {
			t.Errorf("share %s/%s: got %v (%v), want %v", r.DepartmentID, r.ProductID, got, ok, r.Share)
		}
	}
	// Users, their contacts, products and listings are there for access paths.
	if len(s.Users) != len(fx.Users) || len(s.Products) != len(fx.Products) {
		t.Errorf("%d users, %d products; fixture %d, %d", len(s.Users), len(s.Products), len(fx.Users), len(fx.Products))
	}
	for _, k := range fx.Knows {
		v, _ := s.Index(k.HCPID)
		found := false
		for _, c := range s.Contacts[k.UserID] {
			found = found || (c.Node == v && c.Strength == k.Strength)
		}
		if !found {
			t.Errorf("contact %s->%s (%v) missing from %v", k.UserID, k.HCPID, k.Strength, s.Contacts[k.UserID])
		}
	}
	nl := 0
	for h, ls := range s.Listings {
		nl += len(ls)
		for i, l := range ls {
			if l.HospitalID != h || (i > 0 && ls[i-1].ProductID >= l.ProductID) {
				t.Errorf("listings of %s out of order or misfiled: %v", h, ls)
			}
		}
	}
	if nl != len(fx.Listings) {
		t.Errorf("%d listings, want %d", nl, len(fx.Listings))
	}
	// Every hospital scope holds exactly that hospital's HCPs.
	for _, h := range fx.Hospitals {
		nodes, err := s.Nodes(snapshot.Scope{Hospital: h.ID})
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for _, p := range fx.HCPs {
			if p.HospitalID == h.ID {
				want++
			}
		}
		if len(nodes) != want {
			t.Errorf("hospital %s: %d nodes, want %d", h.ID, len(nodes), want)
		}
		for _, v := range nodes {
			if s.HCPs[v].HospitalID != h.ID {
				t.Errorf("hospital %s scope holds %s of %s", h.ID, s.IDs[v], s.HCPs[v].HospitalID)
			}
		}
	}
}

func waitVersion(t *testing.T, m *snapshot.Manager, v uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if s := m.Current(); s != nil && s.Version == v {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("snapshot version %d, want %d", m.Current().Version, v)
}

func addEdge(t *testing.T, st kolgraph.Store) uint64 {
	t.Helper()
	fx := storetest.Fixture()
	a, b := fx.HCPs[0].ID, fx.HCPs[len(fx.HCPs)-1].ID
	v, err := st.Apply(context.Background(), &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{
		{From: b, To: a, Weight: 0.42, Kind: kolgraph.InfluenceMentor, UpdatedAt: time.Unix(1, 0).UTC()}}})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestManagerFollowsWrites(t *testing.T) {
	for _, tt := range []struct {
		name   string
		notify bool
		poll   time.Duration
	}{
		{"notified", true, time.Hour},
		{"polled", false, 20 * time.Millisecond},
	} {
		t.Run(tt.name, func(t *testing.T) {
			st := openStore(t)
			m := snapshot.NewManager(st, zerolog.Nop())
			m.Poll, m.Debounce = tt.poll, 10*time.Millisecond
			var swaps []uint64
			var mu sync.Mutex
			m.OnSwap(func(s *snapshot.Snapshot) { mu.Lock(); swaps = append(swaps, s.Version); mu.Unlock() })
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if err := m.Start(ctx); err != nil {
				t.Fatal(err)
			}
			v0 := m.Current().Version
			v := addEdge(t, st)
			if v != v0+1 {
				t.Fatalf("store version %d after one write on %d", v, v0)
			}
			if tt.notify {
				m.Notify()
			}
			waitVersion(t, m, v)
			mu.Lock()
			defer mu.Unlock()
			if len(swaps) != 2 || swaps[0] != v0 || swaps[1] != v {
				t.Errorf("swaps %v, want [%d %d]", swaps, v0, v)
			}
		})
	}
}

// TestReadersSeeWholeSnapshots reads while writes and rebuilds happen: every
// snapshot a reader gets is complete (its graph and ids agree).
func TestReadersSeeWholeSnapshots(t *testing.T) {
	st := openStore(t)
	m := snapshot.NewManager(st, zerolog.Nop())
	m.Poll, m.Debounce = time.Hour, time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := m.Start(ctx); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				s, err := m.Get()
				if err != nil || s.Graph.Nodes() != len(s.IDs) || len(s.Seats) != len(s.IDs) {
					t.Errorf("torn snapshot: %v", err)
					return
				}
			}
		})
	}
	fx := storetest.Fixture()
	for i := range 5 {
		_, err := st.Apply(ctx, &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{{From: fx.HCPs[i+1].ID, To: fx.HCPs[0].ID,
			Weight: 0.5, Kind: kolgraph.InfluenceReferral, UpdatedAt: time.Unix(2, 0).UTC()}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
}

// failingStore fails Version after a point, like a database going away.
type failingStore struct {
	kolgraph.Store
	fail bool
}

func (f *failingStore) Version(ctx context.Context) (uint64, error) {
	if f.fail {
		return 0, errors.New("database went away")
	}
	return f.Store.Version(ctx)
}

func TestFailedRebuildKeepsPrevious(t *testing.T) {
	fs := &failingStore{Store: openStore(t)}
	m := snapshot.NewManager(fs, zerolog.Nop())
	if err := m.Ready(context.Background()); err == nil {
		t.Error("ready before the first snapshot")
	}
	if err := m.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := m.Current()
	fs.fail = true
	if err := m.Refresh(context.Background()); err == nil {
		t.Fatal("refresh against a failing store succeeded")
	}
	if m.Current() != before || m.Ready(context.Background()) != nil {
		t.Error("a failed rebuild must keep serving the previous snapshot")
	}
}

// TestSeatsInCommitteeOrder: P009 and P001 sit on C002 and C001; whatever
// order a store scans memberships in (the embedded store's is map order),
// every build lists them C001 first (a store's scan order leaked into each
// snapshot, so every write made every INFLUENCE ranking's input look new).
// The store here hands memberships over in descending committee order, so
// a build that kept the scan order fails.
func TestSeatsInCommitteeOrder(t *testing.T) {
	st := descendingSeats{openStore(t)}
	for range 2 {
		s, err := snapshot.Build(context.Background(), st)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range []string{"P001", "P009"} {
			i, _ := s.Index(id)
			var got []string
			for _, seat := range s.Seats[i] {
				got = append(got, seat.Committee.ID)
			}
			if !slices.Equal(got, []string{"C001", "C002"}) {
				t.Fatalf("%s seats %v, want [C001 C002]", id, got)
			}
		}
	}
}

// descendingSeats is a store whose Scan visits memberships in descending
// committee id order, after everything else.
type descendingSeats struct{ kolgraph.Store }

func (d descendingSeats) Scan(ctx context.Context, v kolgraph.Visitor) error {
	visit := v.Membership
	if visit == nil {
		return d.Store.Scan(ctx, v)
	}
	var ms []kolgraph.Membership
	v.Membership = func(m kolgraph.Membership) error { ms = append(ms, m); return nil }
	if err := d.Store.Scan(ctx, v); err != nil {
		return err
	}
	slices.SortFunc(ms, func(a, b kolgraph.Membership) int { return strings.Compare(b.CommitteeID, a.CommitteeID) })
	for _, m := range ms {
		if err := visit(m); err != nil {
			return err
		}
	}
	return nil
}
