package bulkimport_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/bulkimport"
	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/seedgen/seedgentest"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// BenchmarkBulkRegion bulk-loads a generated region's CSV files into a new
// embedded store, as `kolgraph import -dir` does into an empty one, at
// growing sizes: rows/s must stay within 1.5x from the seed to a national
// network (issue 17), and the heap must not grow with the rows (peak-heap
// is the runtime's peak heap in use, sampled as the load runs). Larger
// sizes run with KOLGRAPH_BENCH_HCPS, e.g. 100000 or 1000000:
//
//	go test -run '^$' -bench BulkRegion -benchtime 1x ./internal/bulkimport/
func BenchmarkBulkRegion(b *testing.B) {
	for _, hcps := range seedgentest.Sizes(b, 6000, 30000) {
		b.Run(fmt.Sprintf("hcps=%d", hcps), func(b *testing.B) {
			dir, rows := seedgentest.RegionDir(b, hcps)
			var peak uint64
			for b.Loop() {
				b.StopTimer()
				s, err := embedded.Open(filepath.Join(b.TempDir(), "import.db"), embedded.WithNoSync())
				if err != nil {
					b.Fatal(err)
				}
				stop := sampleHeap(&peak)
				b.StartTimer()
				res, err := bulkimport.Run(b.Context(), os.DirFS(dir), s, bulkimport.Options{Actor: writer.ActorCLI,
					Read: seedfile.ReadOptions{MaxBytes: 1 << 50}})
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				stop()
				if res.Rows != rows || !res.Written {
					b.Fatalf("loaded %d rows (written %v), want %d", res.Rows, res.Written, rows)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
			b.ReportMetric(float64(b.N*rows)/b.Elapsed().Seconds(), "rows/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

// sampleHeap records the largest heap in use into peak every 20 ms until
// stop is called.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			*peak = max(*peak, m.HeapInuse)
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-exited }
}
