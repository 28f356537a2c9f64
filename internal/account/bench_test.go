package account_test

import (
	"testing"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedgen"
)

// bigScope is a generated region of 100,000 HCPs (about 700 hospitals and
// 7,400 departments) as one scope, with weighted out-degree as influence.
func bigScope(b *testing.B) account.Scope {
	b.Helper()
	cs := seedgen.Generate(seedgen.Config{Seed: 1, HCPs: 100_000})
	s := account.Scope{Hospitals: cs.Hospitals, Departments: cs.Departments, HCPs: cs.HCPs, Influence: weightedOutDegree(cs)}
	for _, p := range cs.Products {
		if p.ID == "RX01" {
			s.Product = p
		}
	}
	if s.Product == nil {
		s.Product = &kolgraph.Product{ID: "RX01", Specialties: []string{"cardiology", "nephrology", "geriatrics"}}
	}
	return s
}

// BenchmarkClassify100k: potential and matrix of a 100k-HCP scope, the work
// behind one accountMatrix query on a large territory.
func BenchmarkClassify100k(b *testing.B) {
	s := bigScope(b)
	cfg := account.DefaultConfig()
	for _, level := range []account.Level{account.LevelHCP, account.LevelDepartment} {
		b.Run(string(level), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				accts, err := account.Evaluate(cfg, s, level)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := account.Classify(cfg.Matrices.HCP, accts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkHeatMapAndPareto100k(b *testing.B) {
	s := bigScope(b)
	cfg := account.DefaultConfig()
	accts, err := account.Evaluate(cfg, s, account.LevelHCP)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := account.BuildHeatMap(cfg.HeatMap, accts); err != nil {
			b.Fatal(err)
		}
		if _, err := account.BuildPareto(cfg.ParetoFraction, accts, account.BasisPotential); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSpeakerCandidates100k(b *testing.B) {
	s := bigScope(b)
	cfg := account.DefaultConfig()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := account.SpeakerCandidates(cfg.Speakers, account.SpeakerInput{HCPs: s.HCPs, Influence: s.Influence}); err != nil {
			b.Fatal(err)
		}
	}
}
