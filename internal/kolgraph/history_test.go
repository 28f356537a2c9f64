package kolgraph_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

func TestHistoryScoresRoundTrip(t *testing.T) {
	ids := []string{"P000122", "P000123", "P0010", "Q", "Q1"}
	scores := []float64{0.1 + 0.2, math.SmallestNonzeroFloat64, 0, -1, math.MaxFloat64}
	b := kolgraph.EncodeHistoryScores(nil, ids, scores)
	gotIDs, gotScores, err := kolgraph.DecodeHistoryScores(b)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gotIDs, ids) || !slices.Equal(gotScores, scores) {
		t.Errorf("round trip: got %v %v, want %v %v", gotIDs, gotScores, ids, scores)
	}
	// "P000123" after "P000122" shares 6 bytes: 1+1+1 bytes of lengths and
	// suffix, 8 of score.
	if want := 1 + (1 + 1 + 7 + 8) + (1 + 1 + 1 + 8) + (1 + 1 + 2 + 8) + (1 + 1 + 1 + 8) + (1 + 1 + 1 + 8); len(b) != want {
		t.Errorf("encoded size: got %d bytes, want %d", len(b), want)
	}
	for n := range len(b) {
		if _, _, err := kolgraph.DecodeHistoryScores(b[:n]); err == nil {
			t.Errorf("a truncation to %d bytes decoded", n)
		}
	}
	if _, _, err := kolgraph.DecodeHistoryScores(append(b, 0)); err == nil {
		t.Error("trailing bytes decoded")
	}
}

func TestHistoryPointValidate(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := func() *kolgraph.HistoryPoint {
		return &kolgraph.HistoryPoint{Scope: "hospital:H001", Metric: "INFLUENCE", Version: 1, At: at,
			IDs: []string{"P1", "P2"}, Scores: []float64{0.5, 0.25}}
	}
	if err := ok().Validate(); err != nil {
		t.Fatalf("a valid point: %v", err)
	}
	for name, edit := range map[string]func(p *kolgraph.HistoryPoint){
		"EmptyScope":   func(p *kolgraph.HistoryPoint) { p.Scope = "" },
		"BadScopeKind": func(p *kolgraph.HistoryPoint) { p.Scope = "city:X" },
		"NoMetric":     func(p *kolgraph.HistoryPoint) { p.Metric = "" },
		"VersionZero":  func(p *kolgraph.HistoryPoint) { p.Version = 0 },
		"NoTime":       func(p *kolgraph.HistoryPoint) { p.At = time.Time{} },
		"Unaligned":    func(p *kolgraph.HistoryPoint) { p.Scores = p.Scores[:1] },
		"Unsorted":     func(p *kolgraph.HistoryPoint) { p.IDs[0], p.IDs[1] = p.IDs[1], p.IDs[0] },
		"Repeated":     func(p *kolgraph.HistoryPoint) { p.IDs[1] = p.IDs[0] },
		"NotAnID":      func(p *kolgraph.HistoryPoint) { p.IDs[0] = "" },
		"NaN":          func(p *kolgraph.HistoryPoint) { p.Scores[0] = math.NaN() },
	} {
		t.Run(name, func(t *testing.T) {
			p := ok()
			edit(p)
			if err := p.Validate(); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
				t.Errorf("got %v, want EINVALID", err)
			}
		})
	}
}
