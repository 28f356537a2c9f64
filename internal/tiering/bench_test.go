package tiering_test

import (
	"context"
	"io"
	"testing"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/embedded/embeddedtest"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/seedgen"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/tiering"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

// BenchmarkTerritory is one uncached tiering of a seed territory for a
// product (T01: 15 hospitals, ~2,000 HCPs): product, listings, three
// matrices, heat maps, Pareto views and speakers. The INFLUENCE ranking it
// needs is computed once before the timer, as a running service has it
// warm; the report variants add writing the HCP report.
func BenchmarkTerritory(b *testing.B) {
	e := shared(b)
	req := tiering.Request{Scope: snapshot.Scope{Territory: "T01"}, ProductID: "RX01"}
	if _, err := e.scores.Ranking(context.Background(), req.Scope, scoring.Influence); err != nil {
		b.Fatal(err)
	}
	fresh := func(b *testing.B) *tiering.Service {
		svc, err := tiering.New(e.snaps, e.scores, e.store, e.paths, tiering.DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		return svc
	}
	b.Run("result", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := fresh(b).Tiering(context.Background(), req); err != nil {
				b.Fatal(err)
			}
		}
	})
	for _, f := range []tiering.Format{tiering.CSV, tiering.HTML, tiering.Markdown} {
		b.Run("report-"+string(f), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rep, err := fresh(b).Report(context.Background(), req, account.LevelHCP)
				if err != nil {
					b.Fatal(err)
				}
				if err := f.Write(io.Discard, rep); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("report-csv-with-paths", func(b *testing.B) { // as user U004 (KAM of T01)
		ctx := viewer.WithUser(context.Background(), "U004")
		b.ReportAllocs()
		for b.Loop() {
			rep, err := fresh(b).Report(ctx, req, account.LevelHCP)
			if err != nil {
				b.Fatal(err)
			}
			if err := tiering.CSV.Write(io.Discard, rep); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		svc := fresh(b)
		for b.Loop() {
			if _, err := svc.Tiering(context.Background(), req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// fixedScores ranks every HCP of a scope by a fixed value (its weighted
// out-degree), standing in for an INFLUENCE ranking whose own cost scoring's
// benchmarks measure.
type fixedScores struct{ snaps snapshot.Source }

func (f fixedScores) RankingOn(_ context.Context, snap *snapshot.Snapshot, sc snapshot.Scope, _ scoring.Metric) (*scoring.Ranking, error) {
	nodes, err := snap.Nodes(sc)
	if err != nil {
		return nil, err
	}
	r := &scoring.Ranking{Snapshot: snap, Nodes: nodes, Values: make([]float64, len(nodes))}
	for i, v := range nodes {
		_, ws := snap.Graph.OutNeighbors(v)
		for _, w := range ws {
			r.Values[i] += w
		}
	}
	return r, nil
}

// BenchmarkAll100k tiers a generated region of 100,000 HCPs (~700
// hospitals, ~7,400 departments) as one scope for a product: everything
// BenchmarkTerritory does, at the size the issue asks to stay well under a
// second.
func BenchmarkAll100k(b *testing.B) {
	cs := seedgen.Generate(seedgen.Config{Seed: 1, HCPs: 100_000})
	st := embeddedtest.Open(b, cs)
	ctx := context.Background()
	m := snapshot.NewManager(st, zerolog.Nop())
	if err := m.Refresh(ctx); err != nil {
		b.Fatal(err)
	}
	req := tiering.Request{ProductID: "RX01"}
	b.ReportAllocs()
	for b.Loop() {
		svc, err := tiering.New(m, fixedScores{m}, st, nil, tiering.DefaultOptions())
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.Tiering(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
