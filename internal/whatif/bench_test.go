package whatif_test

import (
	"context"
	"testing"

	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/viewer"
	"github.com/kolgraph/kolgraph/internal/whatif"
	"github.com/kolgraph/kolgraph/seed"
)

// BenchmarkWhatIfSeedTopKOL removes H001's most influential HCP (its
// INFLUENCE ranking's first) from the seed region (43 hospitals, 6,000
// HCPs, 63,000 edges) and compares INFLUENCE and PAGERANK and the decision
// chains for RX01, with paths from a KAM's 28 contacts, over the hospital
// and over its territory. The live rankings are warm, as the service keeps
// them (every hospital's INFLUENCE; the scope's own after a first what-if);
// each run builds the variant and computes its rankings aside. Figures (2
// shared cores): hospital 28 ms, 3,562 allocs; territory T01 (15
// hospitals, ~2,000 HCPs) 2.1 s, nearly all of it the territory's INFLUENCE
// of the variant (exact betweenness and reach on one core).
func BenchmarkWhatIfSeedTopKOL(b *testing.B) {
	cs, err := seedfile.Read(seed.FS)
	if err != nil {
		b.Fatal(err)
	}
	snap, scores := env(b, cs)
	ctx := viewer.WithUser(context.Background(), "U004")
	if err := scores.Warm(ctx); err != nil {
		b.Fatal(err)
	}
	top, err := scores.Ranking(ctx, snapshot.Scope{Hospital: "H001"}, scoring.Influence)
	if err != nil {
		b.Fatal(err)
	}
	kol := snap.IDs[top.Nodes[0]]
	svc := whatif.New(scores, whatif.Options{})
	for _, sc := range []snapshot.Scope{{Hospital: "H001"}, {Territory: snap.Hospitals["H001"].TerritoryID}} {
		b.Run(sc.Key(), func(b *testing.B) {
			req := whatif.Request{Scope: sc, RemoveHCPs: []string{kol}, Product: "RX01", Metric: scoring.PageRank}
			res, err := svc.Run(ctx, snap, req) // fills the live cache with the scope's rankings before
			if err != nil {
				b.Fatal(err)
			}
			b.Logf("removing %s: %d hospitals compared, %d stage changes, %d+%d INFLUENCE movers",
				kol, len(res.Hospitals), len(res.Stages), res.Movers[0].GainersTotal, res.Movers[0].LosersTotal)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := svc.Run(ctx, snap, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
