package citation_test

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/citation"
	"github.com/kolgraph/kolgraph/internal/embedded/embeddedtest"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

// The hand-made graph: U1 knows S (0.5); S sways X (0.8), Y (0.6) and T
// (0.1); X sways T (0.5), Y sways T (0.4). From U1's contacts to T:
//
//	S X T  0.5*0.8*0.5 = 0.2
//	S Y T  0.5*0.6*0.4 = 0.12
//	S T    0.5*0.1     = 0.05
func graph() *kolgraph.ChangeSet {
	at := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	hcp := func(id string) *kolgraph.HCP {
		return &kolgraph.HCP{ID: id, Name: "Dr " + id, Role: "physician", DepartmentID: "D1", HospitalID: "H1"}
	}
	inf := func(from, to string, w float64) *kolgraph.Influence {
		return &kolgraph.Influence{From: from, To: to, Weight: w, Kind: kolgraph.InfluenceMentor, Evidence: from + " mentors " + to, UpdatedAt: at}
	}
	return &kolgraph.ChangeSet{
		Hospitals:   []*kolgraph.Hospital{{ID: "H1", Name: "H1", Tier: "3A"}},
		Departments: []*kolgraph.Department{{ID: "D1", HospitalID: "H1", Name: "Cardiology", Specialty: "cardiology"}},
		HCPs:        []*kolgraph.HCP{hcp("S"), hcp("T"), hcp("X"), hcp("Y")},
		Users:       []*kolgraph.User{{ID: "U1", Name: "KAM One", Role: "kam"}},
		Knows:       []kolgraph.Knows{{UserID: "U1", HCPID: "S", Strength: 0.5}},
		Influences: []*kolgraph.Influence{inf("S", "X", 0.8), inf("S", "Y", 0.6), inf("S", "T", 0.1),
			inf("X", "T", 0.5), inf("Y", "T", 0.4)},
	}
}

type fixed struct{ s *snapshot.Snapshot }

func (f *fixed) Get() (*snapshot.Snapshot, error) { return f.s, nil }

type env struct {
	store kolgraph.Store
	src   *fixed
	paths *access.Service
	check *citation.Checker
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{store: embeddedtest.Open(t, graph()), src: &fixed{}}
	e.rebuild(t)
	scores, err := scoring.NewService(e.src, scoring.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	e.paths = access.NewService(e.src, scores, access.DefaultOptions())
	e.check = citation.NewChecker(e.paths)
	return e
}

func (e *env) rebuild(t *testing.T) *snapshot.Snapshot {
	t.Helper()
	s, err := snapshot.Build(context.Background(), e.store)
	if err != nil {
		t.Fatal(err)
	}
	e.src.s = s
	return s
}

func (e *env) apply(t *testing.T, cs *kolgraph.ChangeSet) *snapshot.Snapshot {
	t.Helper()
	if _, err := e.store.Apply(context.Background(), cs); err != nil {
		t.Fatal(err)
	}
	return e.rebuild(t)
}

// cite cites U1's strongest path to T under q.
func (e *env) cite(t *testing.T, q access.Query) kolgraph.CitedPath {
	t.Helper()
	res, err := e.paths.StrongestPaths(viewer.WithUser(context.Background(), "U1"), q)
	if err != nil || len(res.Paths) == 0 {
		t.Fatalf("no path to cite: %v %+v", err, res)
	}
	return citation.Cite(res.Paths[0], "the P&T chair")
}

func ids(p *access.Path) string {
	var out []string
	for _, n := range p.Nodes {
		out = append(out, n.ID)
	}
	return strings.Join(out, " ")
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12 }

func TestCiteKeepsThePathWhole(t *testing.T) {
	e := newEnv(t)
	c := e.cite(t, access.Query{To: "T", K: 3, MaxHops: 4, Avoid: []string{"Y"}, MinStrength: 0.01})
	if got := []string{c.Nodes[0].ID, c.Nodes[1].ID, c.Nodes[2].ID}; !slices.Equal(got, []string{"S", "X", "T"}) || len(c.Nodes) != 3 {
		t.Fatalf("cited nodes %v, want S X T", c.Nodes)
	}
	if !near(c.Strength, 0.2) || c.Entry != 0.5 || c.User != "U1" || c.Note != "the P&T chair" {
		t.Errorf("strength %v entry %v user %q note %q; want 0.2, 0.5, U1", c.Strength, c.Entry, c.User, c.Note)
	}
	if c.Hops[1] != (kolgraph.CitedHop{From: "X", To: "T", Kind: kolgraph.InfluenceMentor, Weight: 0.5, Evidence: "X mentors T"}) {
		t.Errorf("hop 2 %+v", c.Hops[1])
	}
	want := kolgraph.PathQuery{To: "T", User: "U1", MaxHops: 4, Avoid: []string{"Y"}, MinStrength: 0.01}
	if b1, b2 := mustJSON(t, c.Query), mustJSON(t, want); b1 != b2 {
		t.Errorf("query %s, want %s", b1, b2)
	}
	if !strings.HasPrefix(c.PathID, "path-") || c.GraphVersion != "v1" {
		t.Errorf("id %q version %q", c.PathID, c.GraphVersion)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestHealth changes the graph under a cited S X T in every way the
// package doc names and checks status, hop, strength and replacement
// against the values worked out by hand in graph's comment.
func TestHealth(t *testing.T) {
	upsert := func(from, to string, w float64) *kolgraph.ChangeSet {
		return &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{{From: from, To: to, Weight: w,
			Kind: kolgraph.InfluenceMentor, Evidence: from + " mentors " + to, UpdatedAt: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}}}
	}
	for _, tt := range []struct {
		name     string
		change   *kolgraph.ChangeSet
		avoid    []string
		status   citation.Status
		brokenAt int
		reason   string
		strength float64
		changed  []int
		replaced string // the replacement's HCPs, "" for none
		replStr  float64
		replNote string
		gone     citation.Gone
	}{
		{name: "unchanged", status: citation.Unchanged, brokenAt: -1, strength: 0.2},
		{name: "a weight falls", change: upsert("X", "T", 0.25), status: citation.Weakened, brokenAt: -1, strength: 0.1,
			changed: []int{2}, replaced: "S Y T", replStr: 0.12},
		{name: "a weight falls a little", change: upsert("X", "T", 0.4), status: citation.Weakened, brokenAt: -1, strength: 0.16,
			changed: []int{2}, replNote: "still the strongest"},
		{name: "a weight rises", change: upsert("S", "X", 0.9), status: citation.Strengthened, brokenAt: -1, strength: 0.225,
			changed: []int{1}, replNote: "still the strongest"},
		{name: "the entry tie weakens", change: &kolgraph.ChangeSet{Knows: []kolgraph.Knows{{UserID: "U1", HCPID: "S", Strength: 0.25}}},
			status: citation.Weakened, brokenAt: -1, strength: 0.1, changed: []int{0}, replNote: "still the strongest"},
		{name: "hop 2 is removed", change: &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Influences: []kolgraph.EdgeKey{{From: "X", To: "T"}}}},
			status: citation.Broken, brokenAt: 2, reason: "the tie Dr X (X) → Dr T (T) was removed", replaced: "S Y T", replStr: 0.12,
			gone: citation.Gone{From: "X", To: "T"}},
		{name: "hop 2 is removed, Y avoided", avoid: []string{"Y"},
			change: &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Influences: []kolgraph.EdgeKey{{From: "X", To: "T"}}}},
			status: citation.Broken, brokenAt: 2, reason: "was removed", replaced: "S T", replStr: 0.05, gone: citation.Gone{From: "X", To: "T"}},
		{name: "X leaves", change: &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"X"}}},
			status: citation.Broken, brokenAt: 1, reason: "Dr X (X) left the graph", replaced: "S Y T", replStr: 0.12, gone: citation.Gone{HCP: "X"}},
		{name: "the entry tie is gone", change: &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Knows: []kolgraph.KnowsKey{{UserID: "U1", HCPID: "S"}}}},
			status: citation.Broken, brokenAt: 0, reason: "U1 no longer knows Dr S (S)", replNote: "knows no HCP",
			gone: citation.Gone{Entry: true, From: "U1", To: "S"}},
		{name: "the target leaves", change: &kolgraph.ChangeSet{Delete: kolgraph.Deletion{HCPs: []string{"T"}}},
			status: citation.Broken, brokenAt: 2, reason: "Dr T (T) left the graph", replNote: "the target T left the graph", gone: citation.Gone{HCP: "T"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.cite(t, access.Query{To: "T", K: 1, MaxHops: 4, Avoid: tt.avoid})
			before := mustJSON(t, c)
			snap := e.src.s
			if tt.change != nil {
				snap = e.apply(t, tt.change)
			}
			h, err := e.check.Check(context.Background(), snap, &c, true)
			if err != nil {
				t.Fatal(err)
			}
			if h.Status != tt.status || h.BrokenAt != tt.brokenAt || !near(h.Strength, tt.strength) {
				t.Errorf("status %s brokenAt %d strength %v; want %s %d %v", h.Status, h.BrokenAt, h.Strength, tt.status, tt.brokenAt, tt.strength)
			}
			if h.Gone != tt.gone {
				t.Errorf("gone %+v, want %+v", h.Gone, tt.gone)
			}
			if !strings.Contains(h.Reason, tt.reason) || (tt.reason == "") != (h.Reason == "") {
				t.Errorf("reason %q, want it to say %q", h.Reason, tt.reason)
			}
			var changed []int
			for _, c := range h.Changed {
				changed = append(changed, c.Hop)
			}
			if !slices.Equal(changed, tt.changed) {
				t.Errorf("changed hops %v, want %v", changed, tt.changed)
			}
			switch {
			case tt.replaced != "":
				if h.Replacement == nil {
					t.Fatalf("no replacement (%s), want %s", h.ReplacementNote, tt.replaced)
				}
				if ids(h.Replacement) != tt.replaced || !near(h.Replacement.Strength, tt.replStr) {
					t.Errorf("replacement %s (%v), want %s (%v)", ids(h.Replacement), h.Replacement.Strength, tt.replaced, tt.replStr)
				}
				// A replacement on the current graph is citable: its id resolves.
				if got, err := e.paths.Path(viewer.WithUser(context.Background(), "U1"), h.Replacement.ID); err != nil || got == nil {
					t.Errorf("the replacement's id does not resolve: %v", err)
				}
			case h.Replacement != nil:
				t.Errorf("replacement %s, want none", ids(h.Replacement))
			}
			if !strings.Contains(h.ReplacementNote, tt.replNote) {
				t.Errorf("replacement note %q, want it to say %q", h.ReplacementNote, tt.replNote)
			}
			if after := mustJSON(t, c); after != before {
				t.Errorf("checking changed the citation:\n%s\n%s", before, after)
			}
		})
	}
}

// TestUnissuedReplacement: a replacement found on a graph that was never
// written (issue false) does not resolve by its id.
func TestUnissuedReplacement(t *testing.T) {
	e := newEnv(t)
	c := e.cite(t, access.Query{To: "T", K: 1, MaxHops: 4})
	snap := e.apply(t, &kolgraph.ChangeSet{Delete: kolgraph.Deletion{Influences: []kolgraph.EdgeKey{{From: "X", To: "T"}}}})
	h, err := e.check.Check(context.Background(), snap, &c, false)
	if err != nil || h.Replacement == nil {
		t.Fatalf("%v %+v", err, h)
	}
	// On a later version only issued paths resolve (from the service's
	// memory); the same search with issue resolves, as TestHealth checks.
	e.apply(t, &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{{From: "S", To: "X", Weight: 0.7,
		Kind: kolgraph.InfluenceMentor, UpdatedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}}})
	if got, err := e.paths.Path(viewer.WithUser(context.Background(), "U1"), h.Replacement.ID); err != nil || got != nil {
		t.Errorf("an unissued replacement resolved: %v %v", got, err)
	}
	h2, err := e.check.Check(context.Background(), snap, &c, true)
	if err != nil || h2.Replacement == nil {
		t.Fatalf("%v %+v", err, h2)
	}
	if got, err := e.paths.Path(viewer.WithUser(context.Background(), "U1"), h2.Replacement.ID); err != nil || got == nil {
		t.Errorf("an issued replacement did not resolve on a later version: %v", err)
	}
}

// TestOutsideTheCallersTerritories: on a territory view, an HCP of the
// path in another territory is outside the caller's territories (with the
// whole graph to tell), not gone.
func TestOutsideTheCallersTerritories(t *testing.T) {
	cs := graph()
	cs.Territories = []*kolgraph.Territory{{ID: "T1", Name: "one"}, {ID: "T2", Name: "two"}}
	cs.Hospitals[0].TerritoryID = "T1"
	cs.Hospitals = append(cs.Hospitals, &kolgraph.Hospital{ID: "H2", Name: "H2", Tier: "3A", TerritoryID: "T2"})
	cs.Departments = append(cs.Departments, &kolgraph.Department{ID: "D2", HospitalID: "H2", Name: "Oncology", Specialty: "oncology"})
	for _, h := range cs.HCPs {
		if h.ID == "X" {
			h.DepartmentID, h.HospitalID = "D2", "H2"
		}
	}
	e := &env{store: embeddedtest.Open(t, cs), src: &fixed{}}
	whole := e.rebuild(t)
	scores, err := scoring.NewService(e.src, scoring.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	e.paths = access.NewService(e.src, scores, access.DefaultOptions())
	c := e.cite(t, access.Query{To: "T", K: 1, MaxHops: 4})
	if c.Nodes[1].ID != "X" {
		t.Fatalf("cited %v, want the path through X", c.Nodes)
	}
	view := whole.Induced([]string{"T1"})
	ck := citation.NewChecker(access.NewService(&fixed{view}, scores, access.DefaultOptions()))
	h, err := ck.Check(context.Background(), view, &c, false)
	if err != nil {
		t.Fatal(err)
	}
	if h.Gone != (citation.Gone{HCP: "X"}) || !strings.Contains(h.Reason, "left the graph") {
		t.Errorf("without the whole graph: %+v %q", h.Gone, h.Reason)
	}
	ck.Whole = whole
	if h, err = ck.Check(context.Background(), view, &c, false); err != nil {
		t.Fatal(err)
	}
	if h.Status != citation.Broken || h.BrokenAt != 1 || h.Gone != (citation.Gone{HCP: "X", Outside: true}) ||
		h.Reason != "Dr X (X) is outside your territories" {
		t.Errorf("with the whole graph: %s at %d, %+v %q", h.Status, h.BrokenAt, h.Gone, h.Reason)
	}
	if h.Replacement == nil || ids(h.Replacement) != "S Y T" {
		t.Errorf("the replacement within T1: %v (%s)", h.Replacement, h.ReplacementNote)
	}
}
