package scoring_test

import (
	"context"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/memo"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// swr is the fixture with a service whose background pool the test waits on.
type swr struct {
	env
	pool *memo.Pool
	s    *scoring.Service
}

func newSWR(t *testing.T) *swr {
	t.Helper()
	e := newEnv(t)
	p := scoring.DefaultParams()
	p.Pool = memo.NewPool(1)
	s, err := scoring.NewService(e.snaps, p)
	if err != nil {
		t.Fatal(err)
	}
	return &swr{env: e, pool: p.Pool, s: s}
}

// write applies cs and installs the new snapshot (not yet revalidated).
func (x *swr) write(t *testing.T, cs *kolgraph.ChangeSet) {
	t.Helper()
	ctx := context.Background()
	if _, err := x.store.Apply(ctx, cs); err != nil {
		t.Fatal(err)
	}
	if err := x.snaps.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
}

func (x *swr) rank(t *testing.T, sc snapshot.Scope, m scoring.Metric) *scoring.Ranking {
	t.Helper()
	r, err := x.s.Ranking(context.Background(), sc, m)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

var (
	d1 = snapshot.Scope{Department: "D1"}
	d2 = snapshot.Scope{Department: "D2"}
	h1 = snapshot.Scope{Hospital: "H1"}
)

func newHCP(id, dept, pos string) *kolgraph.HCP {
	return &kolgraph.HCP{ID: id, Name: id, Role: "physician", Title: "attending", Position: pos,
		Specialty: "cardiology", DepartmentID: dept, HospitalID: "H1"}
}

func influence(from, to string, w float64, kind, evidence string) *kolgraph.Influence {
	return &kolgraph.Influence{From: from, To: to, Weight: w, Kind: kind, Evidence: evidence, UpdatedAt: time.Unix(0, 0).UTC()}
}

// After a write to its scope, a ranking is answered at once from the
// previous snapshot, naming the people of that snapshot, while the new one
// computes in the background; then the new one is served. The write adds
// an HCP whose id sorts first, so every node index shifts by one: a stale
// ranking read against the current snapshot would name the wrong people.
func TestStaleRankingWhileRecomputing(t *testing.T) {
	x := newSWR(t)
	before := x.rank(t, d1, scoring.PageRank)
	wantValues, wantOrder := values(t, before)
	x.write(t, &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{newHCP("0NEW", "D1", "staff")},
		Influences: []*kolgraph.Influence{influence("0NEW", "A", 1, kolgraph.InfluenceMentor, "")}})
	cur := x.snaps.Current()

	stale := x.rank(t, d1, scoring.PageRank)
	if stale.Snapshot != before.Snapshot || stale.Snapshot.Version >= cur.Version {
		t.Fatalf("after a write: ranking of version %d, want the previous version %d (stale)", stale.Snapshot.Version, before.Snapshot.Version)
	}
	gotValues, gotOrder := values(t, stale)
	if !slices.Equal(gotOrder, wantOrder) || !maps.Equal(gotValues, wantValues) {
		t.Errorf("stale ranking names %v %v, want the previous %v %v", gotOrder, gotValues, wantOrder, wantValues)
	}
	// By the current snapshot's numbering, the stale ranking's first node
	// is someone else: the mix-up the ranking's own snapshot prevents.
	if cur.IDs[stale.Nodes[0]] == stale.Snapshot.IDs[stale.Nodes[0]] {
		t.Fatal("the write did not shift node indices; the test proves nothing")
	}

	x.pool.Wait()
	fresh := x.rank(t, d1, scoring.PageRank)
	if fresh.Snapshot != cur {
		t.Fatalf("after the background run: version %d, want %d", fresh.Snapshot.Version, cur.Version)
	}
	if _, order := values(t, fresh); !slices.Contains(order, "0NEW") || order[0] != "0NEW" {
		t.Errorf("fresh ranking %v: want 0NEW, who sways the president, first", order)
	}
}

// An explanation read from a stale ranking names the right HCP and edges;
// a new HCP, whom the stale ranking does not hold, gets the current one.
func TestExplainOnStaleRanking(t *testing.T) {
	x := newSWR(t)
	ctx := context.Background()
	want, err := x.s.Explain(ctx, "B", d1)
	if err != nil {
		t.Fatal(err)
	}
	x.write(t, &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{newHCP("0NEW", "D1", "staff")},
		Influences: []*kolgraph.Influence{influence("0NEW", "C", 0.3, kolgraph.InfluenceMentor, "")}})
	got, err := x.s.Explain(ctx, "B", d1)
	if err != nil {
		t.Fatal(err)
	}
	if got.Ranking.Snapshot != want.Ranking.Snapshot {
		t.Fatal("the explanation after the write is not the stale one")
	}
	if got.Value != want.Value || got.Rank != want.Rank || got.Ranking.Snapshot.IDs[got.Node] != "B" {
		t.Errorf("stale explanation of B: value %v rank %d node %s; want %v %d B", got.Value, got.Rank,
			got.Ranking.Snapshot.IDs[got.Node], want.Value, want.Rank)
	}
	if len(got.TopOutgoing) == 0 || got.TopOutgoing[0].From != "B" || got.TopOutgoing[0].To != "C" {
		t.Errorf("B's top outgoing edges %+v, want B->C", got.TopOutgoing)
	}
	n, err := x.s.Explain(ctx, "0NEW", d1)
	if err != nil {
		t.Fatal(err)
	}
	if n == nil || n.Ranking.Snapshot != x.snaps.Current() || n.Ranking.Snapshot.IDs[n.Node] != "0NEW" {
		t.Errorf("explanation of the new HCP: %+v, want one on the current snapshot", n)
	}
}

// A scope a write did not touch keeps its ranking across versions: not
// stale, not recomputed (same ComputedAt), renumbered onto the new
// snapshot (here every index shifts: the new HCP sorts first).
func TestUntouchedScopeCarriedOver(t *testing.T) {
	x := newSWR(t)
	before := x.rank(t, d1, scoring.Influence)
	x.rank(t, h1, scoring.Influence)
	x.write(t, &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{newHCP("0NEW", "D2", "staff")},
		Influences: []*kolgraph.Influence{influence("F", "G", 0.4, kolgraph.InfluenceMentor, "")}})
	cur := x.snaps.Current()
	got := x.rank(t, d1, scoring.Influence)
	if got.Snapshot != cur {
		t.Fatalf("D1 after a write to D2: version %d, want the current %d", got.Snapshot.Version, cur.Version)
	}
	if !got.ComputedAt.Equal(before.ComputedAt) {
		t.Error("D1 was recomputed after a write to D2")
	}
	wv, wo := values(t, before)
	gv, gorder := values(t, got)
	if !slices.Equal(gorder, wo) || !maps.Equal(gv, wv) {
		t.Errorf("carried ranking %v %v, want %v %v", gorder, gv, wo, wv)
	}
	for i, v := range got.Nodes {
		if got.Rank(v) != i {
			t.Errorf("Rank(%s) = %d, want %d", cur.IDs[v], got.Rank(v), i)
		}
	}
	if e, err := x.s.Explain(context.Background(), "A", d1); err != nil || e.Ranking.Snapshot.IDs[e.Node] != "A" {
		t.Errorf("explanation of A on the carried ranking: %v, %v", e, err)
	}
	// The hospital holds both departments: it changed.
	if r := x.rank(t, h1, scoring.Influence); r.Snapshot == cur {
		t.Error("H1 after a write to its department D2: want its previous ranking, stale")
	}
	if x.pool.Wait(); x.rank(t, h1, scoring.Influence).Snapshot != cur {
		t.Error("H1 was not recomputed in the background")
	}
}

// The fingerprint covers what each metric reads, and only that.
func TestFingerprintCoversWhatMetricsRead(t *testing.T) {
	committee := &kolgraph.Committee{ID: "C1", Name: "P&T", Kind: kolgraph.CommitteePT, HospitalID: "H1"}
	tests := []struct {
		name                  string
		cs                    *kolgraph.ChangeSet
		pagerank, influenceOK bool // kept (carried over) after the write
	}{
		{"edge kind and evidence", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{
			influence("A", "B", 0.5, kolgraph.InfluenceCoAuthor, "a paper")}}, true, true},
		{"HCP name", &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{func() *kolgraph.HCP {
			h := newHCP("B", "D1", "department_head")
			h.Name = "Dr B"
			return h
		}()}}, true, true},
		{"edge weight", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{
			influence("A", "B", 0.6, kolgraph.InfluenceReportsTo, "")}}, false, false},
		{"new edge", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{
			influence("E", "A", 0.1, kolgraph.InfluenceReportsTo, "")}}, false, false},
		{"edge out of the scope", &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{
			influence("E", "F", 0.1, kolgraph.InfluenceReportsTo, "")}}, true, true},
		{"position", &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{newHCP("C", "D1", "deputy_head")}}, true, false},
		{"KOL level", &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{func() *kolgraph.HCP {
			h := newHCP("C", "D1", "staff")
			h.KOLLevel, h.KOLEvidence = kolgraph.KOLNational, []string{"guideline author"}
			return h
		}()}}, true, false},
		{"committee seat", &kolgraph.ChangeSet{Committees: []*kolgraph.Committee{committee},
			Memberships: []kolgraph.Membership{{HCPID: "C", CommitteeID: "C1", Role: "chair"}}}, true, false},
		{"HCP moved out", &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{newHCP("E", "D2", "staff")}}, false, false},
		{"other department", &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{newHCP("H", "D2", "staff")}}, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := newSWR(t)
			pr, in := x.rank(t, d1, scoring.PageRank), x.rank(t, d1, scoring.Influence)
			x.write(t, tt.cs)
			cur := x.snaps.Current()
			if cur.Version == pr.Snapshot.Version {
				t.Fatal("the write did not change the graph")
			}
			for _, c := range []struct {
				m    scoring.Metric
				old  *scoring.Ranking
				kept bool
			}{{scoring.PageRank, pr, tt.pagerank}, {scoring.Influence, in, tt.influenceOK}} {
				r := x.rank(t, d1, c.m)
				if kept := r.Snapshot == cur && r.ComputedAt.Equal(c.old.ComputedAt); kept != c.kept {
					t.Errorf("%s: carried over %v, want %v", c.m, kept, c.kept)
				}
				if !c.kept && r.Snapshot != c.old.Snapshot {
					t.Errorf("%s: a changed scope's first answer is of version %d, want the stale %d", c.m, r.Snapshot.Version, c.old.Snapshot.Version)
				}
			}
			x.pool.Wait()
		})
	}
}

// Revalidate carries unchanged rankings over at the swap, recomputes the
// changed ones asked for lately, and drops the rankings of scopes that are
// gone.
func TestRevalidate(t *testing.T) {
	x := newSWR(t)
	a := x.rank(t, d1, scoring.PageRank)
	x.rank(t, d2, scoring.PageRank)
	x.rank(t, h1, scoring.PageRank)
	x.write(t, &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{influence("F", "G", 0.4, kolgraph.InfluenceMentor, "")}})
	x.s.Revalidate()
	x.pool.Wait()
	cur := x.snaps.Current()
	var computed []string
	x.s.CacheObserver = func(hit bool) {
		if !hit {
			computed = append(computed, "miss")
		}
	}
	if r := x.rank(t, d1, scoring.PageRank); r.Snapshot != cur || !r.ComputedAt.Equal(a.ComputedAt) {
		t.Error("D1 (untouched) was not carried over at the swap")
	}
	if r := x.rank(t, h1, scoring.PageRank); r.Snapshot != cur {
		t.Error("H1 (changed, asked lately) was not recomputed at the swap")
	}
	if len(computed) > 0 {
		t.Errorf("requests after the swap computed: %v", computed)
	}
}

// The first ask of a scope computes while the caller waits, as it always
// did; only later asks are answered stale.
func TestFirstAskWaits(t *testing.T) {
	x := newSWR(t)
	x.write(t, &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{influence("F", "G", 0.4, kolgraph.InfluenceMentor, "")}})
	if r := x.rank(t, h1, scoring.Reach); r.Snapshot != x.snaps.Current() {
		t.Errorf("first ask after a write: version %d, want the current", r.Snapshot.Version)
	}
}

// A service whose rankings nobody asked for within Retain drops them at
// the swap without reading its snapshot: the next ask computes afresh.
func TestRevalidateDropsIdleService(t *testing.T) {
	e := newEnv(t)
	p := scoring.DefaultParams()
	p.Pool, p.Retain = memo.NewPool(1), time.Nanosecond // everything is idle at once
	s, err := scoring.NewService(e.snaps, p)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, _ := s.Ranking(ctx, d1, scoring.PageRank)
	x := &swr{env: e, pool: p.Pool, s: s}
	x.write(t, &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{influence("F", "G", 0.4, kolgraph.InfluenceMentor, "")}})
	s.Revalidate()
	var misses int
	s.CacheObserver = func(hit bool) {
		if !hit {
			misses++
		}
	}
	if r := x.rank(t, d1, scoring.PageRank); r.Snapshot != x.snaps.Current() || r.ComputedAt.Equal(a.ComputedAt) || misses != 1 {
		t.Errorf("after an idle swap: version %d, recomputed %v, misses %d; want a first ask on the current snapshot",
			r.Snapshot.Version, !r.ComputedAt.Equal(a.ComputedAt), misses)
	}
}
