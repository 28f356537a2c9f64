package analytics_test

import (
	"math"
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/analytics"
)

func TestMinMax(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	tests := []struct {
		name string
		in   []float64
		want []float64
	}{
		{"plain", []float64{2, 4, 3}, []float64{0, 1, 0.5}},
		{"constant", []float64{7, 7}, []float64{0, 0}},
		{"empty", nil, []float64{}},
		{"non-finite", []float64{1, nan, 3, inf, -inf}, []float64{0, 0, 1, 1, 0}},
		{"huge span", []float64{-math.MaxFloat64, 0, math.MaxFloat64}, []float64{0, 0.5, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := analytics.MinMax(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPercentRank(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		name string
		in   []float64
		want []float64
	}{
		{"distinct", []float64{30, 10, 20}, []float64{1, 0, 0.5}},
		{"ties share", []float64{5, 1, 5, 3, 1}, []float64{0.75, 0, 0.75, 0.5, 0}},
		{"single", []float64{4}, []float64{0}},
		{"all equal", []float64{2, 2, 2}, []float64{0, 0, 0}},
		{"NaN lowest", []float64{nan, math.Inf(-1), 1, nan}, []float64{0, 2.0 / 3, 1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := analytics.PercentRank(tt.in); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDegree(t *testing.T) {
	f := influence(t)
	out, in := analytics.Degree(f.g)
	checkNamed(t, f, out, map[string]float64{"A": 1.5, "B": 1.3, "D": 1.2, "E": 1.4, "F": 0.2}, 1e-15)
	checkNamed(t, f, in, map[string]float64{"A": 0.3, "B": 1.3, "C": 1.4, "D": 0.9, "F": 1.0}, 1e-15)
}
