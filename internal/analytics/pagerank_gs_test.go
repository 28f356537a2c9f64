package analytics_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/analytics/analyticstest"
)

// regions caches generated region graphs by size.
var regions sync.Map // int -> func() *analytics.Graph

// region is the influence graph of the generated region of hcps HCPs.
func region(tb testing.TB, hcps int) *analytics.Graph {
	tb.Helper()
	f, _ := regions.LoadOrStore(hcps, sync.OnceValues(func() (*analytics.Graph, error) {
		return analytics.NewGraph(analyticstest.Region(hcps))
	}))
	g, err := f.(func() (*analytics.Graph, error))()
	if err != nil {
		tb.Fatal(err)
	}
	return g
}

// exact is g's PageRank to float precision: the power iteration with a
// tolerance 10^6 below the default.
func exact(tb testing.TB, g *analytics.Graph) []float64 {
	tb.Helper()
	x, err := analytics.PowerIteration(context.Background(), g, analytics.Options{Tol: 1e-16, MaxIter: 5000})
	if err != nil {
		tb.Fatal(err)
	}
	return x
}

func l1(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += math.Abs(a[i] - b[i])
	}
	return s
}

// bound is the L1 error PageRank guarantees: d/(1-d) * n * Tol.
func bound(n int, tol float64) float64 { return 0.85 / 0.15 * float64(n) * tol }

// iterations returns how many iterations (sweeps) PageRank takes on g
// with opts: the least MaxIter that converges (a run with a larger one
// stops at the same point).
func iterations(tb testing.TB, g *analytics.Graph, opts analytics.Options,
	pr func(context.Context, *analytics.Graph, analytics.Options) ([]float64, error)) int {
	tb.Helper()
	lo, hi := 1, 1000 // the answer is in [lo, hi]
	for lo < hi {
		opts.MaxIter = (lo + hi) / 2
		_, err := pr(context.Background(), g, opts)
		switch {
		case err == nil:
			hi = opts.MaxIter
		case errors.Is(err, analytics.ErrNotConverged):
			lo = opts.MaxIter + 1
		default:
			tb.Fatal(err)
		}
	}
	return lo
}

type graphCase struct {
	name string
	g    func(testing.TB) *analytics.Graph
}

func gsCases() []graphCase {
	fixture := func(f func(testing.TB) named) func(testing.TB) *analytics.Graph {
		return func(tb testing.TB) *analytics.Graph { return f(tb).g }
	}
	return []graphCase{
		{"karate", fixture(karate)},
		{"les misérables", fixture(func(tb testing.TB) named { return lesMis(tb, true) })},
		{"directed influence graph", fixture(influence)},
		{"random 40", func(tb testing.TB) *analytics.Graph { return mustGraph(tb, 40, randomGraph(40, 0.06, false, 3)) }},
		{"power law 20k", func(tb testing.TB) *analytics.Graph { return mustGraph(tb, 20000, powerLaw(20000, 5, 7)) }},
		{"region 10k", func(tb testing.TB) *analytics.Graph { return region(tb, 10000) }},
	}
}

// TestPageRankGaussSeidelBound: the sweeps meet the documented bound
// d/(1-d)*n*Tol on the fixed point, at every tolerance, on the reference
// graphs and on generated ones of PageRank's Gauss-Seidel sizes.
func TestPageRankGaussSeidelBound(t *testing.T) {
	for _, c := range gsCases() {
		t.Run(c.name, func(t *testing.T) {
			g := c.g(t)
			want := exact(t, g)
			for _, tol := range []float64{analytics.DefaultPageRankTol, 1e-12, 1e-14} {
				got, err := analytics.GaussSeidel(context.Background(), g, analytics.Options{Tol: tol})
				if err != nil {
					t.Fatal(err)
				}
				if d, b := l1(got, want), bound(g.Nodes(), tol); !(d <= b) {
					t.Errorf("tol %g: L1 error %.3g, bound %.3g", tol, d, b)
				}
				if s := sum(got); !within(s, 1, 1e-12) {
					t.Errorf("tol %g: sum = %v, want 1", tol, s)
				}
			}
		})
	}
}

// TestPageRankGaussSeidelParts holds the sweeps to the same bound with the
// nodes split in two parts wherever they are split, a third and half of
// the nodes here: on these graphs many ties cross, the case where the
// stopping rule must count every previous score the other part read. On
// one core or two the result is the same bit for bit.
func TestPageRankGaussSeidelParts(t *testing.T) {
	for _, c := range gsCases() {
		t.Run(c.name, func(t *testing.T) {
			g := c.g(t)
			want := exact(t, g)
			for _, h := range []int{g.Nodes() / 3, g.Nodes() / 2} {
				for _, tol := range []float64{analytics.DefaultPageRankTol, 1e-12} {
					one, err1 := analytics.GaussSeidelSplit(context.Background(), g, analytics.Options{Tol: tol, Workers: 1}, h)
					two, err2 := analytics.GaussSeidelSplit(context.Background(), g, analytics.Options{Tol: tol, Workers: 2}, h)
					if err := errors.Join(err1, err2); err != nil {
						t.Fatal(err)
					}
					if d, b := l1(two, want), bound(g.Nodes(), tol); !(d <= b) {
						t.Errorf("split at %d, tol %g: L1 error %.3g, bound %.3g", h, tol, d, b)
					}
					if !slices.Equal(one, two) {
						t.Errorf("split at %d, tol %g: one core and two differ", h, tol)
					}
				}
			}
		})
	}
}

// TestPageRankGaussSeidelResidual checks the stopping rule's r after each
// sweep: r must bound the residual ||G x - x||_1 the sweep leaves, computed
// from its definition (googleStep), and equal sum_v c(v)|dx(v)| for the
// column sums c of the entries of G read at their previous value,
// counted here entry by entry from which node reads which score when
// (oldReads), for one part and for two split where many ties cross. An r
// that missed a score read before it moved would stop the sweeps early.
func TestPageRankGaussSeidelResidual(t *testing.T) {
	for _, c := range gsCases() {
		t.Run(c.name, func(t *testing.T) {
			g := c.g(t)
			n := g.Nodes()
			if n > 2000 {
				t.Skip("oldReads is quadratic")
			}
			uniform, skewed := make([]float64, n), make([]float64, n)
			for v := range n {
				uniform[v] = 1 / float64(n)
				skewed[v] = float64(v%7) * float64(v%3)
			}
			for _, h := range []int{0, n / 3, n / 2} {
				for _, d := range []float64{0.85, 0.3} {
					col := oldReads(g, d, h)
					for name, start := range map[string][]float64{"uniform": uniform, "skewed": skewed} {
						rs, xs := analytics.Sweeps(g, d, start, h, 6)
						prev := start
						for k, x := range xs {
							var want float64
							for v := range x {
								want += col[v] * math.Abs(x[v]-prev[v])
							}
							prev = x
							if !within(rs[k], want, 1e-9) {
								t.Errorf("split at %d, damping %v, %s start, sweep %d: r = %.9g, sum c|dx| = %.9g", h, d, name, k, rs[k], want)
							}
							if res := l1(googleStep(g, d, x), x); !(res <= rs[k]*(1+1e-9)) {
								t.Errorf("split at %d, damping %v, %s start, sweep %d: residual %.6g above its bound r = %.6g",
									h, d, name, k, res, rs[k])
							}
						}
					}
				}
			}
		})
	}
}

// oldReads returns the column sums of G over the entries (u, v) for which
// a sweep split at h reads v's previous score when it sets u's: the parts
// are [h, n) and [0, h), each swept in decreasing order, so u reads v's
// previous score when v is in the other part or when v is in u's part at
// or below u (not yet visited, or u itself). Entry by entry, O(n^2).
func oldReads(g *analytics.Graph, d float64, h int) []float64 {
	n := g.Nodes()
	inW := make([]float64, n)
	w := make(map[[2]int32]float64)
	for u := range int32(n) {
		to, ws := g.OutNeighbors(u)
		for i, v := range to {
			inW[v] += ws[i]
			w[[2]int32{u, v}] = ws[i]
		}
	}
	col := make([]float64, n)
	for u := range n {
		for v := range n {
			if (u >= h) == (v >= h) && v > u {
				continue // v is visited before u: u reads its new score
			}
			e := (1 - d) / float64(n)
			if inW[v] == 0 {
				e += d / float64(n)
			} else {
				e += d * w[[2]int32{int32(u), int32(v)}] / inW[v]
			}
			col[v] += e
		}
	}
	return col
}

// googleStep is G x for the unscaled x: every node u gets
// d * sum_{u->v} w(u,v)/W_in(v) * x(v) plus (d*D + (1-d)*S)/n, S the sum
// of x and D its part on the nodes nobody sways.
func googleStep(g *analytics.Graph, d float64, x []float64) []float64 {
	n := g.Nodes()
	inW := make([]float64, n)
	for u := range int32(n) {
		to, w := g.OutNeighbors(u)
		for i, v := range to {
			inW[v] += w[i]
		}
	}
	var s, dang float64
	for v, xv := range x {
		s += xv
		if inW[v] == 0 {
			dang += xv
		}
	}
	out := make([]float64, n)
	for u := range int32(n) {
		to, w := g.OutNeighbors(u)
		var sum float64
		for i, v := range to {
			sum += w[i] / inW[v] * x[v]
		}
		out[u] = d*sum + (d*dang+(1-d)*s)/float64(n)
	}
	return out
}

// TestPageRankGaussSeidelNetworkx compares the sweeps with the networkx
// values of TestPageRankReferences. Those are networkx's iterate at its
// tolerance, not the fixed point (les misérables: Fantine 1.1e-9 off it),
// so a solver that is not networkx's own iteration agrees with them within
// the error bound the two results share, 2*d/(1-d)*n*Tol, and the fixed
// point within networkx's bound alone.
func TestPageRankGaussSeidelNetworkx(t *testing.T) {
	tests := []struct {
		name string
		f    func(testing.TB) named
		want map[string]float64
	}{
		{"karate", karate, map[string]float64{
			"0": 0.09699728637778936, "33": 0.100919181399898, "32": 0.07169322527506007,
			"2": 0.05707850946441561, "11": 0.009564745563621722,
		}},
		{"les misérables", func(tb testing.TB) named { return lesMis(tb, true) }, map[string]float64{
			"Valjean": 0.09955810927473782, "Myriel": 0.039231580229564335, "Gavroche": 0.028302632940222755,
			"Marius": 0.051668107407030726, "Fantine": 0.027163511362995007, "Napoleon": 0.003023756575495912,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f(t)
			nx := bound(f.g.Nodes(), analytics.DefaultPageRankTol)
			got, err := analytics.GaussSeidel(context.Background(), f.g, analytics.Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkNamed(t, f, got, tt.want, 2*nx)
			checkNamed(t, f, exact(t, f.g), tt.want, nx)
		})
	}
}

// TestPageRankSolverBySize: PageRank runs networkx's power iteration below
// GaussSeidelMinEdges edges (so it is networkx's result, bit for bit) and
// Gauss-Seidel from there.
func TestPageRankSolverBySize(t *testing.T) {
	ctx := context.Background()
	small := mustGraph(t, 6000, powerLaw(6000, 10, 3))
	big := mustGraph(t, 8000, powerLaw(8000, 10, 3))
	if small.Edges() >= analytics.GaussSeidelMinEdges || big.Edges() < analytics.GaussSeidelMinEdges {
		t.Fatalf("sizes %d and %d edges do not straddle %d", small.Edges(), big.Edges(), analytics.GaussSeidelMinEdges)
	}
	for _, c := range []struct {
		g    *analytics.Graph
		want func(context.Context, *analytics.Graph, analytics.Options) ([]float64, error)
	}{{small, analytics.PowerIteration}, {big, analytics.GaussSeidel}} {
		got, err1 := analytics.PageRank(ctx, c.g, analytics.Options{})
		want, err2 := c.want(ctx, c.g, analytics.Options{})
		if err := errors.Join(err1, err2); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%d edges: PageRank differs from the solver of its size", c.g.Edges())
		}
	}
}

// TestPageRankGaussSeidelTies: nodes with the same out-edges (all who sway
// nobody, the people each swaying the same few) get the same score bit for
// bit, as under the power iteration, so that rankings order them by id.
func TestPageRankGaussSeidelTies(t *testing.T) {
	g := region(t, 10000)
	got, err := analytics.PageRank(context.Background(), g, analytics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	groups := map[string][]int32{}
	for u := range int32(g.Nodes()) {
		to, w := g.OutNeighbors(u)
		key := fmt.Sprint(to, w)
		groups[key] = append(groups[key], u)
	}
	var tied int
	for key, us := range groups {
		for _, u := range us[1:] {
			if got[u] != got[us[0]] {
				t.Errorf("out-edges %s: node %d has %v, node %d %v", strings.TrimSpace(key), us[0], got[us[0]], u, got[u])
			}
		}
		if len(us) > 1 {
			tied += len(us)
		}
	}
	if tied < g.Nodes()/10 {
		t.Errorf("only %d of %d nodes share their out-edges: the test checks little", tied, g.Nodes())
	}
}

// TestPageRankStart: a start vector changes where the iteration starts,
// not what it converges to, and one close to the result saves sweeps.
func TestPageRankStart(t *testing.T) {
	ctx := context.Background()
	g := region(t, 10000)
	n := g.Nodes()
	cold, err := analytics.PageRank(ctx, g, analytics.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Run("wrong length is ignored", func(t *testing.T) {
		got, err := analytics.PageRank(ctx, g, analytics.Options{Start: make([]float64, n-1)})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, cold) {
			t.Error("a start of n-1 entries changed the result")
		}
	})
	t.Run("invalid", func(t *testing.T) {
		for _, bad := range []float64{-1e-9, math.NaN(), math.Inf(1)} {
			start := slices.Repeat([]float64{1}, n)
			start[n/2] = bad
			if _, err := analytics.PageRank(ctx, g, analytics.Options{Start: start}); !errors.Is(err, analytics.ErrInvalidOption) {
				t.Errorf("entry %v: got %v, want ErrInvalidOption", bad, err)
			}
		}
		if _, err := analytics.PageRank(ctx, g, analytics.Options{Start: make([]float64, n)}); !errors.Is(err, analytics.ErrInvalidOption) {
			t.Errorf("all zero: got %v, want ErrInvalidOption", err)
		}
	})
	t.Run("previous version", func(t *testing.T) {
		// The graph after a write: the ties of one node in 200 reweighted.
		var edges []analytics.Edge
		for u := range int32(n) {
			to, w := g.OutNeighbors(u)
			for i, v := range to {
				e := analytics.Edge{From: u, To: v, Weight: w[i]}
				if u%200 == 0 {
					e.Weight = max(0.01, w[i]/2)
				}
				edges = append(edges, e)
			}
		}
		after := mustGraph(t, n, edges)
		want := exact(t, after)
		for _, start := range [][]float64{nil, cold, slices.Repeat([]float64{7}, n)} {
			got, err := analytics.PageRank(ctx, after, analytics.Options{Start: start})
			if err != nil {
				t.Fatal(err)
			}
			if d, b := l1(got, want), bound(n, analytics.DefaultPageRankTol); !(d <= b) {
				t.Errorf("start %v...: L1 error %.3g, bound %.3g", start[:min(len(start), 1)], d, b)
			}
		}
		sweepsCold := iterations(t, after, analytics.Options{}, analytics.PageRank)
		sweepsWarm := iterations(t, after, analytics.Options{Start: cold}, analytics.PageRank)
		t.Logf("sweeps after the write: %d from 1/n, %d from the previous result", sweepsCold, sweepsWarm)
		if !(sweepsWarm < sweepsCold) {
			t.Errorf("warm start took %d sweeps, cold %d", sweepsWarm, sweepsCold)
		}
	})
	t.Run("the fixed point", func(t *testing.T) {
		for _, g := range []*analytics.Graph{g, influence(t).g} {
			if it := iterations(t, g, analytics.Options{Start: exact(t, g)}, analytics.PageRank); it != 1 {
				t.Errorf("%d edges: %d iterations from the fixed point, want 1", g.Edges(), it)
			}
		}
	})
}

func TestPageRankGaussSeidelEdgeCases(t *testing.T) {
	ctx := context.Background()
	g := region(t, 10000)
	got, err := analytics.PageRank(ctx, g, analytics.Options{MaxIter: 2})
	if !errors.Is(err, analytics.ErrNotConverged) {
		t.Errorf("2 sweeps: got %v, want ErrNotConverged", err)
	}
	if s := sum(got); !within(s, 1, 1e-12) {
		t.Errorf("2 sweeps: sum = %v, want 1", s)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := analytics.PageRank(cctx, g, analytics.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v", err)
	}
}

// TestPageRankIgraph checks PageRank against igraph's PRPACK, an independent
// implementation, on graphs of both solvers' sizes: to float precision the
// two agree within 1e-8/n per node, and at the default tolerance within
// its bound (plus igraph's own tolerance). It skips when /usr/bin/python3
// has no igraph, and with -short.
func TestPageRankIgraph(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Python")
	}
	for _, c := range []graphCase{
		{"les misérables", func(tb testing.TB) *analytics.Graph { return lesMis(tb, true).g }},
		{"region 10k", func(tb testing.TB) *analytics.Graph { return region(tb, 10000) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := c.g(t)
			n := g.Nodes()
			ig := analyticstest.IgraphPageRank(t, g, 0.85, 1)
			for _, tol := range []float64{analytics.DefaultPageRankTol, 1e-17} {
				got, err := analytics.PageRank(context.Background(), g, analytics.Options{Tol: tol, MaxIter: 1000})
				if err != nil {
					t.Fatal(err)
				}
				var worst float64
				for v := range got {
					worst = max(worst, math.Abs(got[v]-ig.Scores[v]))
				}
				d := l1(got, ig.Scores)
				t.Logf("tol %g: max |kolgraph - igraph| = %.3g (%.3g/n), L1 %.3g", tol, worst, worst*float64(n), d)
				if tol < 1e-16 && !(worst < 1e-8/float64(n)) {
					t.Errorf("tol %g: max |kolgraph - igraph| = %.3g, want < 1e-8/n = %.3g", tol, worst, 1e-8/float64(n))
				}
				if b := bound(n, tol) + 1e-10; !(d <= b) { // PRPACK solves to 1e-10
					t.Errorf("tol %g: L1 |kolgraph - igraph| = %.3g, bound %.3g", tol, d, b)
				}
			}
		})
	}
}
