package analytics

import (
	"math"
)

// MinMax rescales xs linearly to [0, 1]: (x - min) / (max - min) over the
// finite values. +Inf maps to 1; -Inf and NaN map to 0. When the finite
// values have no spread (all equal, or fewer than two) every finite value
// maps to 0: a constant carries no ranking information. The result is a new
// slice and never holds NaN.
//
// Complexity: O(n).
func MinMax(xs []float64) []float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			lo = min(lo, x)
			hi = max(hi, x)
		}
	}
	out := make([]float64, len(xs))
	span := hi - lo
	for i, x := range xs {
		switch {
		case math.IsInf(x, 1):
			out[i] = 1
		case math.IsNaN(x) || math.IsInf(x, -1):
			out[i] = 0
		case span > 0 && !math.IsInf(span, 0):
			out[i] = min(1, max(0, (x-lo)/span))
		case math.IsInf(span, 0): // finite values spanning more than MaxFloat64
			out[i] = min(1, max(0, (x/2-lo/2)/(hi/2-lo/2)))
		}
	}
	return out
}
