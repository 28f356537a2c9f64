// Package seedgentest writes generated regions for the benchmarks that
// import them.
package seedgentest

import (
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/seedgen"
)

// Sizes are the regions (numbers of HCPs) a benchmark runs at: defaults,
// and the size KOLGRAPH_BENCH_HCPS names when it is set (a national one
// takes minutes, so only on request).
func Sizes(tb testing.TB, defaults ...int) []int {
	tb.Helper()
	sizes := defaults
	if n := os.Getenv("KOLGRAPH_BENCH_HCPS"); n != "" {
		var hcps int
		if _, err := fmt.Sscan(n, &hcps); err != nil || hcps <= 0 {
			tb.Fatalf("KOLGRAPH_BENCH_HCPS=%q: not a positive number", n)
		}
		sizes = append(sizes, hcps)
	}
	return sizes
}

// RegionDir writes the generated region of hcps HCPs (the default seed) as
// the CSV files of the format into a new temporary directory, and returns
// the directory and the number of rows. The region's records are garbage
// once it returns.
func RegionDir(tb testing.TB, hcps int) (dir string, rows int) {
	tb.Helper()
	dir = tb.TempDir()
	cs := seedgen.Generate(seedgen.Config{Seed: seedgen.DefaultConfig().Seed, HCPs: hcps})
	if err := seedfile.Write(dir, cs); err != nil {
		tb.Fatal(err)
	}
	rows = cs.Len()
	cs = nil
	runtime.GC()
	return dir, rows
}
