package fieldwork_test

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/fieldwork"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
)

// territory is a large territory: 2000 accounts over 20 KAMs, a tenth A,
// a fifth B, a third C, the rest D, each with a year of interactions
// (40: visits, calls and digital touches).
func territory() []fieldwork.Account {
	cad := map[account.Segment]account.Cadence{account.SegmentA: biweekly, account.SegmentB: monthly, account.SegmentC: quarterly, account.SegmentD: digital}
	kinds := kolgraph.InteractionKinds
	start := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	out := make([]fieldwork.Account, 2000)
	for i := range out {
		seg := account.SegmentD
		switch {
		case i%10 == 0:
			seg = account.SegmentA
		case i%5 == 1:
			seg = account.SegmentB
		case i%3 == 2:
			seg = account.SegmentC
		}
		id := fmt.Sprintf("H%04d", i)
		a := fieldwork.Account{ID: id, Name: id, Segment: seg, Cadence: cad[seg], OwnerID: fmt.Sprintf("K%02d", i%20)}
		for j := range 40 {
			a.Interactions = append(a.Interactions, kolgraph.Interaction{ID: fmt.Sprintf("%s-%d", id, j), HCPID: id, KAMID: a.OwnerID,
				Kind: kinds[(i+j)%len(kinds)], Date: start.AddDate(0, 0, (i+9*j)%365).Format(time.DateOnly)})
		}
		out[i] = a
	}
	return out
}

// BenchmarkCallPlan: a territory's statuses, one KAM's month, its
// calendar and the territory's 90-day adherence.
func BenchmarkCallPlan(b *testing.B) {
	accs := territory()
	cfg := fieldwork.Default()
	asOf := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	for b.Loop() {
		p := fieldwork.NewPlan(cfg, asOf, accs)
		vs, err := p.Visits("K00", "2026-12")
		if err != nil || len(vs) == 0 {
			b.Fatalf("visits: %d, %v", len(vs), err)
		}
		if err := fieldwork.WriteICS(io.Discard, labels.ZH, "K00", vs, asOf); err != nil {
			b.Fatal(err)
		}
		if _, err := fieldwork.CadenceAdherence(cfg, asOf, 90, accs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEvaluate: a year of 300 activities of 50 attendees each, over
// two years of monthly facts of 2000 HCPs for two products (96,000).
func BenchmarkEvaluate(b *testing.B) {
	var acts []kolgraph.Activity
	for i := range 300 {
		a := kolgraph.Activity{ID: fmt.Sprintf("A%03d", i), Date: fmt.Sprintf("2026-%02d-15", 1+i%12), ProductID: fmt.Sprintf("PR%d", i%2),
			Budget: 20000, Registration: kolgraph.RegistrationPending, SpeakerIDs: []string{fmt.Sprintf("H%04d", i%37)}}
		for j := range 50 {
			a.AttendeeIDs = append(a.AttendeeIDs, fmt.Sprintf("H%04d", (i*50+j)%2000))
		}
		acts = append(acts, a)
	}
	var facts []kolgraph.PrescriptionFact
	for h := range 2000 {
		for m := range 24 {
			for p := range 2 {
				facts = append(facts, kolgraph.PrescriptionFact{HCPID: fmt.Sprintf("H%04d", h), ProductID: fmt.Sprintf("PR%d", p),
					Month: time.Date(2025, time.Month(1+m), 1, 0, 0, 0, 0, time.UTC).Format("2006-01"), Volume: float64(h%17 + m)})
			}
		}
	}
	cfg := fieldwork.Default()
	for b.Loop() {
		if rs := fieldwork.Evaluate(cfg, acts, facts, nil); len(rs) != len(acts) {
			b.Fatal(len(rs))
		}
	}
}
