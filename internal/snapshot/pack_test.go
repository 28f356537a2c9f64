package snapshot

import "testing"

// TestPackTie checks that a tie's word gives back its kind and evidence
// indices at the edges of their ranges.
func TestPackTie(t *testing.T) {
	s := &Snapshot{}
	for _, k := range []uint8{0, 1, maxKinds - 1} {
		for _, ev := range []int32{0, 1, 12345, maxEvidence - 1} {
			s.edgeTie = []uint32{packTie(k, ev)}
			if gk, gev := s.tieOf(0); gk != k || gev != ev {
				t.Errorf("packTie(%d, %d) reads back as (%d, %d)", k, ev, gk, gev)
			}
		}
	}
}
