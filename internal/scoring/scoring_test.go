package scoring_test

import (
	"context"
	"math"
	"os"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/embedded/embeddedtest"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/memo"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// fixture: one hospital H1 with two departments.
//
//	D1: A (president), B (department_head), C (staff), E (staff)
//	D2: F (staff), G (staff)           -- 2 HCPs: too small to rank
//
// Edges (A sways B and C; B sways C; C sways E):
//
//	A->B 0.5, A->C 0.5, B->C 0.2, C->E 1.0
func fixture() *kolgraph.ChangeSet {
	hcp := func(id, dept, pos string) *kolgraph.HCP {
		return &kolgraph.HCP{ID: id, Name: id, Role: "physician", Title: "attending", Position: pos,
			Specialty: "cardiology", DepartmentID: dept, HospitalID: "H1"}
	}
	edge := func(from, to string, w float64) *kolgraph.Influence {
		return &kolgraph.Influence{From: from, To: to, Weight: w, Kind: kolgraph.InfluenceReportsTo, UpdatedAt: time.Unix(0, 0).UTC()}
	}
	return &kolgraph.ChangeSet{
		Territories: []*kolgraph.Territory{{ID: "T1", Name: "T1"}},
		Hospitals:   []*kolgraph.Hospital{{ID: "H1", Name: "H1", Tier: "3A", TerritoryID: "T1"}},
		Departments: []*kolgraph.Department{
			{ID: "D1", HospitalID: "H1", Name: "D1", Specialty: "cardiology"},
			{ID: "D2", HospitalID: "H1", Name: "D2", Specialty: "cardiology"},
		},
		HCPs: []*kolgraph.HCP{hcp("A", "D1", "president"), hcp("B", "D1", "department_head"), hcp("C", "D1", "staff"),
			hcp("E", "D1", "staff"), hcp("F", "D2", "staff"), hcp("G", "D2", "staff")},
		Influences: []*kolgraph.Influence{edge("A", "B", 0.5), edge("A", "C", 0.5), edge("B", "C", 0.2), edge("C", "E", 1.0)},
	}
}

type env struct {
	store kolgraph.Store
	snaps *snapshot.Manager
}

func newEnv(t *testing.T) env {
	t.Helper()
	st := embeddedtest.Open(t, fixture())
	m := snapshot.NewManager(st, zerolog.Nop())
	if err := m.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return env{st, m}
}

func service(t *testing.T, e env, w scoring.Weights) *scoring.Service {
	t.Helper()
	p := scoring.DefaultParams()
	p.Weights = w
	s, err := scoring.NewService(e.snaps, p)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// values returns the ranking as id -> value, and the ids in rank order.
func values(t *testing.T, r *scoring.Ranking) (map[string]float64, []string) {
	t.Helper()
	m := map[string]float64{}
	var order []string
	for i, v := range r.Nodes {
		id := r.Snapshot.IDs[v]
		m[id] = r.Values[i]
		order = append(order, id)
	}
	return m, order
}

const tol = 1e-9

func TestDirectionOfInfluence(t *testing.T) {
	e := newEnv(t)
	s := service(t, e, scoring.DefaultWeights())
	for _, m := range []scoring.Metric{scoring.PageRank, scoring.Degree, scoring.Reach, scoring.Influence} {
		t.Run(string(m), func(t *testing.T) {
			r, err := s.Ranking(context.Background(), snapshot.Scope{Department: "D1"}, m)
			if err != nil {
				t.Fatal(err)
			}
			_, order := values(t, r)
			if order[0] != "A" {
				t.Errorf("rank order %v: A, who sways B and C, must rank first", order)
			}
			if order[len(order)-1] != "E" {
				t.Errorf("rank order %v: E, who sways nobody, must rank last", order)
			}
		})
	}
}

// TestBlendComponents checks the blend against hand-computed values, one
// component at a time (every other weight zero).
func TestBlendComponents(t *testing.T) {
	tests := []struct {
		name string
		w    scoring.Weights
		want map[string]float64
	}{
		// Weighted out-degree: A 1.0, B 0.2, C 1.0, E 0 -> min-max.
		{"degree", scoring.Weights{Degree: 1}, map[string]float64{"A": 1, "B": 0.2, "C": 1, "E": 0}},
		// Position priors: president 1, department_head 0.8, staff 0.
		{"position", scoring.Weights{Position: 1}, map[string]float64{"A": 1, "B": 0.8, "C": 0, "E": 0}},
		// Reach = sum of strongest-path strengths:
		// A: B 0.5, C max(0.5, 0.5*0.2) = 0.5, E 0.5*1 = 0.5 -> 1.5
		// B: C 0.2, E 0.2 -> 0.4;  C: E 1 -> 1;  E: 0.  Min-max over [0, 1.5].
		{"reach", scoring.Weights{Reach: 1}, map[string]float64{"A": 1, "B": 0.4 / 1.5, "C": 1 / 1.5, "E": 0}},
		// Equal weights on degree and position: the mean of the two.
		{"degree+position", scoring.Weights{Degree: 1, Position: 1}, map[string]float64{"A": 1, "B": 0.5, "C": 0.5, "E": 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := service(t, newEnv(t), tt.w)
			r, err := s.Ranking(context.Background(), snapshot.Scope{Department: "D1"}, scoring.Influence)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := values(t, r)
			for id, want := range tt.want {
				if math.Abs(got[id]-want) > tol {
					t.Errorf("INFLUENCE(%s) = %v, want %v", id, got[id], want)
				}
			}
		})
	}
}

func TestExplanationAddsUp(t *testing.T) {
	e := newEnv(t)
	s := service(t, e, scoring.DefaultWeights())
	ex, err := s.Explain(context.Background(), "A", snapshot.Scope{Department: "D1"})
	if err != nil || ex == nil {
		t.Fatalf("Explain: %v, %v", ex, err)
	}
	var sum, wsum float64
	for _, c := range ex.Components {
		sum += c.Contribution
		wsum += c.Weight
	}
	if math.Abs(sum-ex.Value) > tol || math.Abs(wsum-1) > tol {
		t.Errorf("contributions sum to %v (value %v), weights to %v (want 1)", sum, ex.Value, wsum)
	}
	if ex.Rank != 0 || ex.Percentile != 1 {
		t.Errorf("A: rank %d percentile %v, want 0 and 1", ex.Rank, ex.Percentile)
	}
	// A sways B (0.5) and C (0.5); both are listed, and nobody sways A.
	if len(ex.TopOutgoing) != 2 || len(ex.TopIncoming) != 0 {
		t.Errorf("top edges out %v in %v", ex.TopOutgoing, ex.TopIncoming)
	}
	// Default scope is the HCP's hospital.
	ex, err = s.Explain(context.Background(), "A", snapshot.Scope{})
	if err != nil || ex == nil || ex.Ranking.Scope.Hospital != "H1" || len(ex.Ranking.Nodes) != 6 {
		t.Errorf("default scope: %+v, %v", ex, err)
	}
}

func TestScopes(t *testing.T) {
	e := newEnv(t)
	s := service(t, e, scoring.DefaultWeights())
	ctx := context.Background()
	tests := []struct {
		name     string
		scope    snapshot.Scope
		wantCode string
		wantN    int
	}{
		{"whole graph", snapshot.Scope{}, "", 6},
		{"territory", snapshot.Scope{Territory: "T1"}, "", 6},
		{"hospital", snapshot.Scope{Hospital: "H1"}, "", 6},
		{"too small", snapshot.Scope{Department: "D2"}, "", 0},
		{"unknown hospital", snapshot.Scope{Hospital: "nope"}, kolgraph.ENOTFOUND, 0},
		{"unknown territory", snapshot.Scope{Territory: "nope"}, kolgraph.ENOTFOUND, 0},
		{"two fields", snapshot.Scope{Hospital: "H1", Department: "D1"}, kolgraph.EINVALID, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := s.Ranking(ctx, tt.scope, scoring.PageRank)
			if code := kolgraph.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("code %q (%v), want %q", code, err, tt.wantCode)
			}
			if err == nil && len(r.Nodes) != tt.wantN {
				t.Errorf("%d ranked, want %d", len(r.Nodes), tt.wantN)
			}
			if err == nil && tt.wantN == 0 && r.Note == "" {
				t.Error("an empty ranking must say why")
			}
		})
	}
}

func TestEigenvectorOnHierarchyIsCoded(t *testing.T) {
	s := service(t, newEnv(t), scoring.DefaultWeights())
	// D1's ties are acyclic: the power iteration does not converge.
	_, err := s.Ranking(context.Background(), snapshot.Scope{Department: "D1"}, scoring.Eigenvector)
	if kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("got %v, want a BAD_USER_INPUT error saying why", err)
	}
}

func TestNewVersionIsRecomputed(t *testing.T) {
	e := newEnv(t)
	p := scoring.DefaultParams()
	p.Weights, p.Pool = scoring.Weights{Degree: 1}, memo.NewPool(1)
	s, err := scoring.NewService(e.snaps, p)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sc := snapshot.Scope{Department: "D1"}
	r1, err := s.Ranking(ctx, sc, scoring.Influence)
	if err != nil {
		t.Fatal(err)
	}
	if r2, _ := s.Ranking(ctx, sc, scoring.Influence); r2 != r1 {
		t.Error("same version: want the cached ranking")
	}
	// E now sways A strongly: E's out-degree becomes the largest.
	cs := &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{{From: "E", To: "A", Weight: 1, Kind: kolgraph.InfluenceMentor, UpdatedAt: time.Unix(0, 0).UTC()}}}
	if _, err := e.store.Apply(ctx, cs); err != nil {
		t.Fatal(err)
	}
	if err := e.snaps.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	// The first answer is the previous version's, while the new one
	// computes in the background (see TestStaleRankingWhileRecomputing).
	if r, _ := s.Ranking(ctx, sc, scoring.Influence); r != r1 {
		t.Error("want the previous ranking at once after a write")
	}
	p.Pool.Wait()
	r3, err := s.Ranking(ctx, sc, scoring.Influence)
	if err != nil {
		t.Fatal(err)
	}
	if r3.Snapshot.Version == r1.Snapshot.Version {
		t.Fatal("graph version did not change after a write")
	}
	got, _ := values(t, r3)
	if got["E"] != 1 {
		t.Errorf("after the write E's degree score = %v, want 1", got["E"])
	}
}

func tempDir() (string, error) { return os.MkdirTemp("", "kolgraph-scoring-") }

// TestBetweennessOptions: exact up to the limit (every seed scope, the
// region included), then a share of the scope, at least the minimum.
func TestBetweennessOptions(t *testing.T) {
	def := scoring.DefaultParams()
	small := scoring.Params{BetweennessExactMax: 100, BetweennessSources: 50, BetweennessShare: 0.25, Seed: 7}
	tests := []struct {
		name string
		p    scoring.Params
		n    int
		want int // sources; 0 = exact
	}{
		{"territory T02", def, 2093, 0},
		{"seed region", def, 6000, 0},
		{"at the limit", def, 10_000, 0},
		{"above the limit", def, 10_001, 5001},
		{"share", small, 1000, 250},
		{"minimum", small, 101, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.p.BetweennessOptions(tt.n)
			if o.Sources != tt.want || o.Seed != tt.p.Seed {
				t.Errorf("n=%d: %d sources with seed %d, want %d with seed %d", tt.n, o.Sources, o.Seed, tt.want, tt.p.Seed)
			}
		})
	}
}

// TestBetweennessErrorBound: a sampled betweenness says so and carries the
// bound analytics computed, for BETWEENNESS and for INFLUENCE; an exact one
// has bound 0.
func TestBetweennessErrorBound(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	sc := snapshot.Scope{Department: "D1"} // 4 HCPs
	p := scoring.DefaultParams()
	p.BetweennessExactMax, p.BetweennessSources = 3, 3
	sampled, err := scoring.NewService(e.snaps, p)
	if err != nil {
		t.Fatal(err)
	}
	snap, _ := e.snaps.Get()
	nodes, _ := snap.Nodes(sc)
	sub, _ := analytics.Subgraph(snap.Graph, nodes)
	want, err := analytics.Betweenness(ctx, sub, p.BetweennessOptions(len(nodes)))
	if err != nil {
		t.Fatal(err)
	}
	exact := service(t, e, scoring.DefaultWeights())
	for _, m := range []scoring.Metric{scoring.Betweenness, scoring.Influence} {
		r, err := sampled.Ranking(ctx, sc, m)
		if err != nil {
			t.Fatal(err)
		}
		if r.BetweennessExact || r.BetweennessSources != 3 || r.BetweennessErrorBound != want.ErrorBound {
			t.Errorf("%s sampled: exact %v, %d sources, bound %v; want false, 3, %v", m, r.BetweennessExact, r.BetweennessSources, r.BetweennessErrorBound, want.ErrorBound)
		}
		r, err = exact.Ranking(ctx, sc, m)
		if err != nil {
			t.Fatal(err)
		}
		if !r.BetweennessExact || r.BetweennessSources != 4 || r.BetweennessErrorBound != 0 {
			t.Errorf("%s exact: exact %v, %d sources, bound %v; want true, 4, 0", m, r.BetweennessExact, r.BetweennessSources, r.BetweennessErrorBound)
		}
	}
}
