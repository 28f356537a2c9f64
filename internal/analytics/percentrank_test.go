package analytics

import (
	"cmp"
	"slices"
)

// PercentRank returns, for each value, the fraction of the other values that
// are strictly lower: |{j != i : x_j < x_i}| / (n - 1), in [0, 1]. Ties share
// the same percentile, the highest value gets 1 if it is unique, and a single
// value gets 0 (the definition of SQL's PERCENT_RANK). NaN ranks below every
// number, -Inf included, and ties with other NaNs. The result never holds
// NaN.
//
// It is the reference RankPercentiles is checked against (a second sort,
// O(n log n)); rankings use RankPercentiles.
func PercentRank(xs []float64) []float64 {
	n := len(xs)
	out := make([]float64, n)
	if n < 2 {
		return out
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	// cmp.Compare orders NaN first.
	slices.SortFunc(idx, func(i, j int) int { return cmp.Compare(xs[i], xs[j]) })
	lower := 0
	for k, i := range idx {
		if k > 0 && cmp.Compare(xs[idx[k-1]], xs[i]) != 0 {
			lower = k
		}
		out[i] = float64(lower) / float64(n-1)
	}
	return out
}
