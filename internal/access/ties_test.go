package access_test

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/paths"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/viewer"
	"github.com/kolgraph/kolgraph/seed"
)

// refGraph is the seed's INFLUENCES edges read from its files, for a
// reference that shares nothing with the snapshot or the search.
type refGraph struct {
	out map[string][]*kolgraph.Influence
	w   map[[2]string]float64
	in  map[string][]string
}

func newRefGraph(cs *kolgraph.ChangeSet) *refGraph {
	g := &refGraph{out: map[string][]*kolgraph.Influence{}, w: map[[2]string]float64{}, in: map[string][]string{}}
	for _, e := range cs.Influences {
		g.out[e.From] = append(g.out[e.From], e)
		g.w[[2]string{e.From, e.To}] = e.Weight
		g.in[e.To] = append(g.in[e.To], e.From)
	}
	return g
}

type refPath struct {
	ids      []string
	strength float64
}

// paths enumerates every simple path of at most maxHops edges from one of
// from (each with its entry strength) to to, in the pinned order: strength
// descending, strengths within 1e-12 (relative) of the strongest not yet
// placed counting as equal to it; among those, fewer hops, then the HCP
// ids along the path.
func (g *refGraph) paths(from map[string]float64, to string, maxHops int) []refPath {
	// Hops from each HCP to to, to skip what cannot arrive in time.
	dist := map[string]int{to: 0}
	front := []string{to}
	for d := 1; d <= maxHops && len(front) > 0; d++ {
		var next []string
		for _, v := range front {
			for _, u := range g.in[v] {
				if _, ok := dist[u]; !ok {
					dist[u] = d
					next = append(next, u)
				}
			}
		}
		front = next
	}
	var out []refPath
	var path []string
	on := map[string]bool{}
	var dfs func(v string, strength float64)
	dfs = func(v string, strength float64) {
		path = append(path, v)
		on[v] = true
		defer func() { path = path[:len(path)-1]; delete(on, v) }()
		if v == to {
			out = append(out, refPath{slices.Clone(path), strength})
			return
		}
		for _, e := range g.out[v] {
			if d, ok := dist[e.To]; !ok || on[e.To] || len(path)+d > maxHops {
				continue
			}
			dfs(e.To, strength*e.Weight)
		}
	}
	for s, entry := range from {
		if s != to {
			dfs(s, entry)
		}
	}
	slices.SortStableFunc(out, func(a, b refPath) int { return cmp.Compare(b.strength, a.strength) })
	for i := 0; i < len(out); {
		j := i + 1
		for j < len(out) && out[i].strength-out[j].strength <= 1e-12*out[i].strength {
			j++
		}
		slices.SortFunc(out[i:j], func(a, b refPath) int {
			return cmp.Or(cmp.Compare(len(a.ids), len(b.ids)), slices.Compare(a.ids, b.ids))
		})
		i = j
	}
	return out
}

// orderProblem compares an answer with the reference's first k paths (the
// same HCPs in the same order, each strength its product within 1e-12, no
// strength above the one before it) and says what differs, "" if nothing.
func orderProblem(got []*access.Path, want []refPath, k int) string {
	if len(want) > k {
		want = want[:k]
	}
	if len(got) != len(want) {
		return fmt.Sprintf("%d paths, reference %d", len(got), len(want))
	}
	for i, p := range got {
		if nodeIDs(p) != strings.Join(want[i].ids, " ") || math.Abs(p.Strength-want[i].strength) > 1e-12*want[i].strength {
			var g, w []string
			for j := range got {
				g = append(g, fmt.Sprintf("%s (%v)", nodeIDs(got[j]), got[j].Strength))
				w = append(w, fmt.Sprintf("%s (%v)", strings.Join(want[j].ids, " "), want[j].strength))
			}
			return fmt.Sprintf("path %d is %s, reference %s\ngot  %q\nwant %q", i, nodeIDs(p), strings.Join(want[i].ids, " "), g, w)
		}
		if i > 0 && p.Strength > got[i-1].Strength {
			return fmt.Sprintf("path %d (%v) stronger than path %d (%v)", i, p.Strength, i-1, got[i-1].Strength)
		}
	}
	return ""
}

func checkOrder(t *testing.T, what string, got []*access.Path, want []refPath, k int) {
	t.Helper()
	if p := orderProblem(got, want, k); p != "" {
		t.Errorf("%s: %s", what, p)
	}
}

// TestSeedTieOrder checks strongestPaths on the seed region against the
// reference enumeration: the examples, every pair whose direct edge
// equals a two-hop product, and random queries from given HCPs and from a
// user's contacts.
func TestSeedTieOrder(t *testing.T) {
	if testing.Short() {
		t.Skip("the seed region in -short mode")
	}
	cs, err := seedfile.Read(seed.FS)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnv(t, cs)
	ref := newRefGraph(cs)
	ctx := context.Background()
	ask := func(t *testing.T, ctx context.Context, q access.Query) []*access.Path {
		t.Helper()
		res, err := e.svc.StrongestPaths(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return res.Paths
	}

	t.Run("issue examples", func(t *testing.T) {
		// Direct 0.2 against P001554 P001569 P001551 = 0.5 x 0.4.
		got := ask(t, ctx, access.Query{From: []string{"P001554"}, To: "P001551", K: 1, MaxHops: access.DefaultMaxHops})
		if len(got) != 1 {
			t.Fatalf("k=1: %d paths", len(got))
		}
		if nodeIDs(got[0]) != "P001554 P001551" || got[0].Strength != 0.2 {
			t.Errorf("k=1: got %s (%v), want the direct edge (0.2)", nodeIDs(got[0]), got[0].Strength)
		}
		checkOrder(t, "P001554 to P001551", got, ref.paths(map[string]float64{"P001554": 1}, "P001551", access.DefaultMaxHops), 1)
		// Strengths rose between #16 and #17.
		got = ask(t, ctx, access.Query{From: []string{"P000702"}, To: "P004488", K: 17, MaxHops: access.DefaultMaxHops})
		checkOrder(t, "P000702 to P004488", got, ref.paths(map[string]float64{"P000702": 1}, "P004488", access.DefaultMaxHops), 17)
	})

	t.Run("direct edge equals a two-hop product", func(t *testing.T) {
		type pair struct{ from, to string }
		var pairs []pair
		for _, d := range cs.Influences {
			for _, e1 := range ref.out[d.From] {
				if w2, ok := ref.w[[2]string{e1.To, d.To}]; ok {
					if p := e1.Weight * w2; math.Abs(p-d.Weight) <= 1e-12*math.Max(p, d.Weight) {
						pairs = append(pairs, pair{d.From, d.To})
						break
					}
				}
			}
		}
		if len(pairs) != 34 {
			t.Errorf("%d pairs where a direct edge equals a two-hop product, the issue counts 34", len(pairs))
		}
		wrong := 0
		for _, p := range pairs {
			for _, hops := range []int{2, 4} {
				got := ask(t, ctx, access.Query{From: []string{p.from}, To: p.to, K: paths.MaxK, MaxHops: hops})
				if problem := orderProblem(got, ref.paths(map[string]float64{p.from: 1}, p.to, hops), paths.MaxK); problem != "" {
					t.Logf("%s to %s, maxHops %d: %s", p.from, p.to, hops, problem)
					wrong++
					break
				}
			}
		}
		if wrong > 0 {
			t.Errorf("%d of %d pairs out of the pinned order", wrong, len(pairs))
		}
	})

	t.Run("random queries", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(18, 5))
		ids := make([]string, len(cs.HCPs))
		for i, h := range cs.HCPs {
			ids[i] = h.ID
		}
		contacts := map[string]map[string]float64{}
		for _, k := range cs.Knows {
			if contacts[k.UserID] == nil {
				contacts[k.UserID] = map[string]float64{}
			}
			contacts[k.UserID][k.HCPID] = k.Strength
		}
		users := slices.Sorted(func(yield func(string) bool) {
			for u := range contacts {
				if !yield(u) {
					return
				}
			}
		})
		for range 150 {
			to := ids[rng.IntN(len(ids))]
			q := access.Query{To: to, K: 1 + rng.IntN(20), MaxHops: 1 + rng.IntN(4)}
			qctx := ctx
			var from map[string]float64
			if rng.IntN(2) == 0 {
				u := users[rng.IntN(len(users))]
				qctx, from = viewer.WithUser(ctx, u), contacts[u]
				if _, ok := from[to]; ok {
					continue
				}
			} else {
				f := ids[rng.IntN(len(ids))]
				if f == to {
					continue
				}
				q.From, from = []string{f}, map[string]float64{f: 1}
			}
			checkOrder(t, "query "+strings.Join(q.From, ",")+" to "+to, ask(t, qctx, q), ref.paths(from, to, q.MaxHops), q.K)
		}
	})
}

// tieRegion: X sways A directly at 0.02 and B through Y at 0.1 x 0.2, which
// float64 rounds to 0.020000000000000004: a product equal to 0.02 that
// comes out larger. A and B head the two clinical departments; U knows X
// (1).
func tieRegion() *kolgraph.ChangeSet {
	hcp := func(id, dept, pos string) *kolgraph.HCP {
		return &kolgraph.HCP{ID: id, Name: "Dr " + id, Role: "physician", Position: pos, DepartmentID: dept, HospitalID: "HT"}
	}
	inf := func(from, to string, w float64) *kolgraph.Influence {
		return &kolgraph.Influence{From: from, To: to, Weight: w, Kind: kolgraph.InfluenceReferral, UpdatedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	}
	return &kolgraph.ChangeSet{
		Hospitals: []*kolgraph.Hospital{{ID: "HT", Name: "Hospital T", Tier: "3A"}},
		Departments: []*kolgraph.Department{
			{ID: "DT-CARD", HospitalID: "HT", Name: "Cardiology", Specialty: "cardiology"},
			{ID: "DT-ONC", HospitalID: "HT", Name: "Oncology", Specialty: "oncology"},
		},
		HCPs: []*kolgraph.HCP{hcp("A", "DT-CARD", "department_head"), hcp("B", "DT-ONC", "department_head"),
			hcp("X", "DT-CARD", "staff"), hcp("Y", "DT-ONC", "staff")},
		Users: []*kolgraph.User{{ID: "U", Name: "KAM", Role: "kam"}},
		Knows: []kolgraph.Knows{{UserID: "U", HCPID: "X", Strength: 1}},
		Influences: []*kolgraph.Influence{inf("X", "A", 0.02), inf("X", "Y", 0.1), inf("Y", "B", 0.2),
			inf("Y", "A", 0.2)},
	}
}

// TestTiedStrengthsListed: X A (0.02) and X Y A (0.1 x 0.2, one ulp above)
// count as equally strong; the direct one comes first, and the list does
// not report the second as stronger. The second's own citation keeps its
// own product.
func TestTiedStrengthsListed(t *testing.T) {
	a, b := 0.1, 0.2 // variables: constants would multiply exactly
	if a*b <= 0.02 {
		t.Fatalf("the premise does not hold: 0.1 x 0.2 = %v", a*b)
	}
	e := newEnv(t, tieRegion())
	ctx := context.Background()
	res, err := e.svc.StrongestPaths(ctx, access.Query{From: []string{"X"}, To: "A", K: 2, MaxHops: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Paths) != 2 || nodeIDs(res.Paths[0]) != "X A" || nodeIDs(res.Paths[1]) != "X Y A" {
		t.Fatalf("got %v", res.Paths)
	}
	if res.Paths[0].Strength != 0.02 || res.Paths[1].Strength != 0.02 {
		t.Errorf("strengths %v, %v; want 0.02 for both", res.Paths[0].Strength, res.Paths[1].Strength)
	}
	cited, err := e.svc.Path(ctx, res.Paths[1].ID)
	if err != nil || cited == nil || cited.Strength != a*b {
		t.Errorf("the second path cited alone: %v, %v; want strength %v", cited, err, a*b)
	}
}

// TestChainStageTie: the PROPOSE stage's path is the first of its people's
// paths in the pinned order: U's path to A (one hop, 0.02) before the one
// to B (two hops, 0.1 x 0.2, rounded above 0.02).
func TestChainStageTie(t *testing.T) {
	e := newEnv(t, tieRegion())
	c, err := e.svc.DecisionChain(viewer.WithUser(context.Background(), "U"), "HT", "")
	if err != nil {
		t.Fatal(err)
	}
	st := c.Stages[0]
	if st.Kind != access.Propose || len(st.People) != 2 {
		t.Fatalf("first stage %s with %d people", st.Kind, len(st.People))
	}
	if st.Path == nil || nodeIDs(st.Path) != "X A" {
		t.Errorf("stage path %v, want X A", st.Path.Nodes)
	}
}
