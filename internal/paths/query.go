package paths

import (
	"fmt"
	"math"
)

// Query asks for the strongest paths from any of Sources to Target. Node
// values are analytics.Graph indices.
type Query struct {
	// Sources are the entry points, e.g. the HCPs the user knows. A path
	// starts at exactly one of them and may pass through others. Duplicates
	// keep their smallest cost; a source in Avoid is dropped; KStrongest
	// ignores a source equal to Target (a path has at least one hop).
	Sources []int32
	// SourceCost, if not nil, is the starting length of each source, e.g.
	// -ln(strength of the user's KNOWS tie); it must be finite and in
	// [0, MaxSourceCost]. nil means 0 for all.
	SourceCost []float64
	// Target is the HCP to reach (ignored by StrongestEach).
	Target int32
	// K is the number of paths wanted, 1..MaxK (ignored by Strongest and
	// StrongestEach).
	K int
	// MaxHops bounds the INFLUENCES edges of a path, 1..MaxHopLimit.
	MaxHops int
	// Avoid lists nodes no path may contain.
	Avoid []int32
	// Via lists up to MaxVia node sets; a path must contain at least one
	// node of each (a source or the target counts). An empty set cannot be
	// satisfied: no path.
	Via [][]int32
	// MinStrength drops paths with Strength below it; 0 keeps all.
	MinStrength float64
}

// Path is one simple path.
type Path struct {
	Nodes []int32 // from the source to the target
	Edges []int32 // analytics edge ids, len(Nodes)-1 of them
	// Length is the source cost plus the sum of the edges' -ln(weight),
	// added from the source on, in float64.
	Length float64
	// Strength is exp(-Length): the product of the weights times the
	// strength of the tie to the source.
	Strength float64
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidQuery}, args...)...)
}

// validate checks the parts of q that do not depend on which function runs
// it. k < 0 skips the K check.
func validate(n int, q *Query, k int, target bool) error {
	if k >= 0 && (k < 1 || k > MaxK) {
		return invalid("k %d outside [1,%d]", k, MaxK)
	}
	if q.MaxHops < 1 || q.MaxHops > MaxHopLimit {
		return invalid("maxHops %d outside [1,%d]", q.MaxHops, MaxHopLimit)
	}
	if len(q.Sources) == 0 {
		return invalid("no sources")
	}
	if q.SourceCost != nil && len(q.SourceCost) != len(q.Sources) {
		return invalid("%d source costs for %d sources", len(q.SourceCost), len(q.Sources))
	}
	for _, c := range q.SourceCost {
		if !(c >= 0 && c <= MaxSourceCost) { // also rejects NaN
			return invalid("source cost %v outside [0,%d]", c, MaxSourceCost)
		}
	}
	if !(q.MinStrength >= 0 && q.MinStrength <= 1) {
		return invalid("minStrength %v outside [0,1]", q.MinStrength)
	}
	if len(q.Via) > MaxVia {
		return invalid("%d via groups, at most %d", len(q.Via), MaxVia)
	}
	inRange := func(what string, vs []int32) error {
		for _, v := range vs {
			if v < 0 || int(v) >= n {
				return invalid("%s node %d outside [0,%d)", what, v, n)
			}
		}
		return nil
	}
	if err := inRange("source", q.Sources); err != nil {
		return err
	}
	if target {
		if err := inRange("target", []int32{q.Target}); err != nil {
			return err
		}
	}
	if err := inRange("avoided", q.Avoid); err != nil {
		return err
	}
	for _, set := range q.Via {
		if err := inRange("via", set); err != nil {
			return err
		}
	}
	return nil
}

// maxLength is the fixed-point length above which no path can have
// MinStrength, with slack for the rounding that separates the fixed and
// float lengths (the float check on output is the exact one).
func maxLength(minStrength float64) int64 {
	if minStrength <= 0 {
		return math.MaxInt64
	}
	return fixed(-math.Log(minStrength)) + 1<<12
}
