package scoring_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/seed"
)

var seedStore = sync.OnceValues(func() (kolgraph.Store, error) {
	dir, err := tempDir()
	if err != nil {
		return nil, err
	}
	st, err := embedded.Open(filepath.Join(dir, "kg.db"), embedded.WithNoSync())
	if err != nil {
		return nil, err
	}
	cs, err := seedfile.Read(seed.FS)
	if err != nil {
		return nil, err
	}
	_, err = st.Apply(context.Background(), cs)
	return st, err
})

func seedSnapshots(b *testing.B) *snapshot.Manager {
	b.Helper()
	st, err := seedStore()
	if err != nil {
		b.Fatal(err)
	}
	m := snapshot.NewManager(st, zerolog.Nop())
	if err := m.Refresh(context.Background()); err != nil {
		b.Fatal(err)
	}
	return m
}

// BenchmarkFullRefresh is a write's full cost on the seed region: rebuild the
// snapshot from the store, then every HCP's INFLUENCE score in its default
// scope (its hospital: PageRank, exact betweenness, reach, degree, priors).
func BenchmarkFullRefresh(b *testing.B) {
	st, err := seedStore()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for b.Loop() {
		m := snapshot.NewManager(st, zerolog.Nop())
		if err := m.Refresh(ctx); err != nil {
			b.Fatal(err)
		}
		s, err := scoring.NewService(m, scoring.DefaultParams())
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Warm(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRegion measures each metric over the whole seed region (6,000
// HCPs, 63,000 ties), uncached.
func BenchmarkRegion(b *testing.B) {
	m := seedSnapshots(b)
	for _, metric := range scoring.Metrics {
		if metric == scoring.Eigenvector {
			continue
		}
		b.Run(string(metric), func(b *testing.B) {
			for b.Loop() {
				s, _ := scoring.NewService(m, scoring.DefaultParams())
				if _, err := s.Ranking(context.Background(), snapshot.Scope{}, metric); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
