package neo4jstore_test

import (
	"context"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedgen"
)

// counts tallies what a Scan visits.
type counts struct{ hcps, kols, departments, committees, memberships, knows, influences int }

func scanCounts(t testing.TB, s kolgraph.Store) counts {
	t.Helper()
	var c counts
	err := s.Scan(t.Context(), kolgraph.Visitor{
		HCP: func(h *kolgraph.HCP) error {
			c.hcps++
			if h.IsKOL() {
				c.kols++
			}
			return nil
		},
		Department: func(*kolgraph.Department) error { c.departments++; return nil },
		Committee:  func(*kolgraph.Committee) error { c.committees++; return nil },
		Membership: func(kolgraph.Membership) error { c.memberships++; return nil },
		Knows:      func(kolgraph.Knows) error { c.knows++; return nil },
		Influence:  func(*kolgraph.Influence) error { c.influences++; return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func want(cs *kolgraph.ChangeSet) counts {
	c := counts{hcps: len(cs.HCPs), departments: len(cs.Departments), committees: len(cs.Committees),
		memberships: len(cs.Memberships), knows: len(cs.Knows), influences: len(cs.Influences)}
	for _, h := range cs.HCPs {
		if h.IsKOL() {
			c.kols++
		}
	}
	return c
}

// TestBulkLoad writes a generated region large enough to take the bulk path
// (new nodes staged first on NornicDB) and checks that every record and
// relationship arrived, navigation included, and that a second run of the
// same load changes nothing but the version.
func TestBulkLoad(t *testing.T) {
	cfg := testConfig(t)
	wipe(t, cfg)
	s := open(t, cfg)
	defer s.Close()
	cs := seedgen.Generate(seedgen.Config{Seed: 7, HCPs: bulkHCPs()})
	start := time.Now()
	if _, err := s.Apply(t.Context(), cs); err != nil {
		t.Fatal(err)
	}
	t.Logf("loaded %d HCPs and %d influences in %v", len(cs.HCPs), len(cs.Influences), time.Since(start))
	if got, w := scanCounts(t, s), want(cs); got != w {
		t.Fatalf("after the load: got %+v, want %+v", got, w)
	}
	d := cs.Departments[len(cs.Departments)-1]
	var staff []string
	for _, h := range cs.HCPs {
		if h.DepartmentID == d.ID {
			staff = append(staff, h.ID)
		}
	}
	nav, err := s.HCPsOfDepartments(t.Context(), []string{d.ID})
	if err != nil || len(nav[0]) != len(staff) {
		t.Fatalf("HCPsOfDepartments(%s): got %d (%v), want %d", d.ID, len(nav[0]), err, len(staff))
	}
	if _, err := s.Apply(t.Context(), seedgen.Generate(seedgen.Config{Seed: 7, HCPs: bulkHCPs()})); err != nil {
		t.Fatal(err)
	}
	if got, w := scanCounts(t, s), want(cs); got != w {
		t.Fatalf("after a re-run: got %+v, want %+v", got, w)
	}
}

// TestBulkLoadFailsWhole checks that a bulk load with one bad reference
// writes nothing, the nodes staged ahead included.
func TestBulkLoadFailsWhole(t *testing.T) {
	cfg := testConfig(t)
	wipe(t, cfg)
	s := open(t, cfg)
	defer s.Close()
	cs := seedgen.Generate(seedgen.Config{Seed: 8, HCPs: 300})
	last := *cs.Influences[len(cs.Influences)-1]
	last.To = "P-NOWHERE"
	cs.Influences[len(cs.Influences)-1] = &last
	_, err := s.Apply(t.Context(), cs)
	if kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Fatalf("Apply with a dangling influence: got %v, want %s", err, kolgraph.EINVALID)
	}
	if got := scanCounts(t, s); got != (counts{}) {
		t.Fatalf("after the failed load: got %+v, want nothing", got)
	}
	if v, err := s.Version(context.Background()); err != nil || v != 0 {
		t.Fatalf("Version: got %d, %v; want 0", v, err)
	}
}

// BenchmarkScanInfluences measures the snapshot's stream over a generated
// region the size of the seed region (6,000 HCPs, 63,000 INFLUENCES):
// relationships per second of wall time (bound by the server) and per
// second of this process's CPU (the driver side).
func BenchmarkScanInfluences(b *testing.B) {
	cfg := testConfig(b)
	wipe(b, cfg)
	s := open(b, cfg)
	defer s.Close()
	cs := seedgen.Generate(seedgen.Config{Seed: 1, HCPs: 6000})
	start := time.Now()
	if _, err := s.Apply(b.Context(), cs); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d HCPs and %d influences in %v", len(cs.HCPs), len(cs.Influences), time.Since(start))
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if err := s.Scan(b.Context(), kolgraph.Visitor{Influence: func(*kolgraph.Influence) error { n++; return nil }}); err != nil {
			b.Fatal(err)
		}
		if n != len(cs.Influences) {
			b.Fatalf("scanned %d influences, want %d", n, len(cs.Influences))
		}
	}
	b.ReportMetric(float64(len(cs.Influences))*float64(b.N)/b.Elapsed().Seconds(), "rels/s")
	// The driver side alone: relationships per second of this process's
	// CPU (receiving, decoding and visiting), whatever the server's speed.
	b.ReportMetric(float64(len(cs.Influences))*float64(b.N)/(cpuTime()-cpu0).Seconds(), "rels/cpu-s")
}

// cpuTime is the CPU time this process has used (user and system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// bulkHCPs is the size of TestBulkLoad's region: KOLGRAPH_TEST_BULK_HCPS,
// default 600 (6,000 influences).
func bulkHCPs() int {
	if n, err := strconv.Atoi(os.Getenv("KOLGRAPH_TEST_BULK_HCPS")); err == nil && n > 0 {
		return n
	}
	return 600
}
