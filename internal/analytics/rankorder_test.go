package analytics_test

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/analytics"
)

// rankOrderRef is RankOrder by comparison: values descending as
// cmp.Compare orders them (NaN lowest, -0 = 0), ties by index.
func rankOrderRef(xs []float64) []int32 {
	order := make([]int32, len(xs))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := cmp.Compare(xs[b], xs[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return order
}

func TestRankOrder(t *testing.T) {
	special := []float64{math.NaN(), math.Inf(1), math.Inf(-1), 0, math.Copysign(0, -1), -1, 1,
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64, 0.5, 0.25}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 7, 1023, 1024, 5000} {
		for _, kind := range []string{"special", "few distinct", "uniform", "pagerank-like", "close"} {
			xs := make([]float64, n)
			for i := range xs {
				switch kind {
				case "special":
					xs[i] = special[rng.IntN(len(special))]
				case "few distinct":
					xs[i] = float64(rng.IntN(5)) / 4
				case "uniform":
					xs[i] = rng.NormFloat64()
				case "pagerank-like":
					xs[i] = (1 + rng.ExpFloat64()) / float64(n)
				case "close": // within 2^-20 of each other: one run of the radix sort
					xs[i] = (1 + float64(rng.IntN(50))*0x1p-40) * float64(1-2*rng.IntN(2))
				}
			}
			got, want := analytics.RankOrder(xs), rankOrderRef(xs)
			if !slices.Equal(got, want) {
				t.Errorf("n=%d %s: order differs from the comparison sort", n, kind)
			}
			pct, byRank := analytics.PercentRank(xs), analytics.RankPercentiles(xs, got)
			for k, i := range got {
				if math.Float64bits(byRank[k]) != math.Float64bits(pct[i]) {
					t.Errorf("n=%d %s: RankPercentiles at rank %d = %v, PercentRank %v", n, kind, k, byRank[k], pct[i])
					break
				}
			}
		}
	}
}

// BenchmarkRankOrder orders the PageRank of the 100,000-HCP region, as a
// ranking over the whole region does, and, for comparison, sorts it with
// ties broken by HCP id string (what the ranking did before).
func BenchmarkRankOrder(b *testing.B) {
	g := region(b, 100_000)
	xs, err := analytics.PageRank(context.Background(), g, analytics.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("radix", func(b *testing.B) {
		for b.Loop() {
			analytics.RankOrder(xs)
		}
	})
	b.Run("comparison-by-id", func(b *testing.B) {
		ids := make([]string, len(xs))
		for i := range ids {
			ids[i] = fmt.Sprintf("P%06d", i)
		}
		for b.Loop() {
			order := make([]int, len(xs))
			for i := range order {
				order[i] = i
			}
			slices.SortFunc(order, func(a, b int) int {
				if c := cmp.Compare(xs[b], xs[a]); c != 0 {
					return c
				}
				return cmp.Compare(ids[a], ids[b])
			})
		}
	})
}
