package importer_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/importer"
	"github.com/kolgraph/kolgraph/internal/seedgen/seedgentest"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// BenchmarkImportRegion imports a generated region's CSV files into a new
// embedded store, as `kolgraph import -dir` does (read, check, plan, write
// with its audit entries, update the read model), at growing sizes: ns/row
// must stay flat as the region grows (issue 17: it grew 6x from the seed
// to the 100,000-HCP region). The largest size runs only with
// KOLGRAPH_BENCH_HCPS set, e.g. KOLGRAPH_BENCH_HCPS=100000:
//
//	go test -run '^$' -bench ImportRegion -benchtime 1x ./internal/importer/
func BenchmarkImportRegion(b *testing.B) {
	for _, hcps := range seedgentest.Sizes(b, 6000, 30000) {
		b.Run(fmt.Sprintf("hcps=%d", hcps), func(b *testing.B) {
			dir, rows := seedgentest.RegionDir(b, hcps)
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				s, err := embedded.Open(filepath.Join(b.TempDir(), "import.db"), embedded.WithNoSync())
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				files, err := importer.ReadDir(os.DirFS(dir), importer.NoLimit)
				if err != nil {
					b.Fatal(err)
				}
				svc := &importer.Service{Store: s, Writer: writer.New(s, nil), Opts: importer.Options{MaxBytes: importer.NoLimit}}
				res, err := svc.Import(b.Context(), writer.ActorCLI, importer.CSV, files, false)
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if got := res.Total().Created; got != rows {
					b.Fatalf("created %d records, want %d", got, rows)
				}
				s.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
			b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
