package access_test

import (
	"context"
	"slices"
	"testing"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/viewer"
	"github.com/kolgraph/kolgraph/seed"
)

// seedEnv serves the seed region (43 hospitals, 6,000 HCPs, 63,000 edges).
func seedEnv(b *testing.B) (*env, []string) {
	b.Helper()
	cs, err := seedfile.Read(seed.FS)
	if err != nil {
		b.Fatal(err)
	}
	e := newEnv(b, cs)
	snap, _ := e.snaps.Get()
	var hospitals []string
	for id := range snap.Hospitals {
		hospitals = append(hospitals, id)
	}
	slices.Sort(hospitals)
	return e, hospitals
}

// BenchmarkDecisionChain builds the chain of one seed hospital for a product
// with paths from a KAM's 28 contacts, cycling through the hospitals. warm:
// the hospitals' INFLUENCE rankings are cached, as the service keeps them
// after every snapshot swap; cold: each chain also computes its ranking.
func BenchmarkDecisionChain(b *testing.B) {
	e, hospitals := seedEnv(b)
	ctx := viewer.WithUser(context.Background(), "U004")
	b.Run("warm", func(b *testing.B) {
		if err := e.scores.Warm(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			if _, err := e.svc.DecisionChain(ctx, hospitals[i%len(hospitals)], "RX01"); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			b.StopTimer()
			scores, err := scoring.NewService(e.snaps, scoring.DefaultParams())
			if err != nil {
				b.Fatal(err)
			}
			svc := access.NewService(e.snaps, scores, access.DefaultOptions())
			b.StartTimer()
			if _, err := svc.DecisionChain(ctx, hospitals[i%len(hospitals)], "RX01"); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkStrongestPaths: k=5 paths, at most 6 hops, from a KAM's contacts
// to each seed hospital's pharmacy director in turn.
func BenchmarkStrongestPaths(b *testing.B) {
	e, hospitals := seedEnv(b)
	snap, _ := e.snaps.Get()
	var directors []string
	for _, h := range hospitals {
		for _, p := range snap.HCPs {
			if p.HospitalID == h && p.Position == "pharmacy_director" {
				directors = append(directors, p.ID)
			}
		}
	}
	ctx := viewer.WithUser(context.Background(), "U004")
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := e.svc.StrongestPaths(ctx, access.Query{To: directors[i%len(directors)], K: 5, MaxHops: 6}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
