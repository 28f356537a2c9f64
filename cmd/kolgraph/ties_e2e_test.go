package main

import "testing"

// TestStrongestPathsTieExamples asks the API issue 18's tie examples: a
// direct edge of 0.2 against P001554 P001569 P001551 (0.5 x 0.4), and a
// list whose 16th and 17th paths tie to 1e-16.
func TestStrongestPathsTieExamples(t *testing.T) {
	h := svc.Handler()
	const q = `query($from: ID!, $to: ID!, $k: Int) { strongestPaths(from: [$from], to: $to, k: $k) { ` + pathFields + ` } }`
	ids := hopIDs

	var got struct{ StrongestPaths []gqlPath }
	mustQuery(t, h, q, map[string]any{"from": "P001554", "to": "P001551", "k": 1}, &got)
	if len(got.StrongestPaths) != 1 || ids(got.StrongestPaths[0]) != "P001554 P001551" || got.StrongestPaths[0].Strength != 0.2 {
		t.Errorf("k=1: got %+v, want the direct edge at 0.2", got.StrongestPaths)
	}

	mustQuery(t, h, q, map[string]any{"from": "P000702", "to": "P004488", "k": 17}, &got)
	ps := got.StrongestPaths
	if len(ps) != 17 {
		t.Fatalf("%d paths, want 17", len(ps))
	}
	for i := 1; i < len(ps); i++ {
		if ps[i].Strength > ps[i-1].Strength {
			t.Errorf("path %d (%v) stronger than path %d (%v)", i+1, ps[i].Strength, i, ps[i-1].Strength)
		}
	}
	// 0.000169128 both, to 1e-16: six hops each, so the ids decide.
	if a, b := ids(ps[15]), ids(ps[16]); a != "P000702 P000274 P001221 P002407 P004858 P004484 P004488" ||
		b != "P000702 P001310 P002930 P002583 P004500 P004484 P004488" {
		t.Errorf("paths 16 and 17: %s, %s", a, b)
	}
}
