package paths

import (
	"math"
	"testing"
)

// TestTieFixed: the fixed-point tolerance is TieTolerance on strengths.
func TestTieFixed(t *testing.T) {
	if want := int64(-math.Log1p(-TieTolerance) * lengthScale); tieFixed != want {
		t.Errorf("tieFixed = %d, want %d", tieFixed, want)
	}
}
