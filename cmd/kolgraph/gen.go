package main

import (
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/seedgen"
)

// runGenerate implements `kolgraph generate`: it writes a synthetic region
// as the seed file format. With no flags it reproduces the committed seed/
// exactly (a test in internal/seedgen holds it to that); -hcps scales the
// region up, e.g. for benchmarks, with every other size derived from it;
// -facts-territory adds prescriptions.csv, synthetic monthly prescription
// facts of that territory's prescribers (seedgen.Facts), which the default
// output leaves out.
func runGenerate(args []string, stdout io.Writer) error {
	def := seedgen.DefaultConfig()
	fs := flag.NewFlagSet("generate", flag.ContinueOnError)
	fs.SetOutput(stdout)
	out := fs.String("out", "seed", "directory to write the CSV files into (created if missing)")
	hcps := fs.Int("hcps", def.HCPs, "number of HCPs; hospitals, KOLs, territories, users and edges scale with it")
	seed := fs.Uint64("seed", def.Seed, "random seed: another value gives another, equally plausible region")
	defFacts := seedgen.DefaultFactsConfig()
	factsTerritory := fs.String("facts-territory", "", "also write prescriptions.csv: monthly prescription facts of this territory's prescribers, tied to their potential (e.g. T01; empty: none)")
	factsMonths := fs.Int("facts-months", defFacts.Months, "months of facts, ending with -facts-end")
	factsEnd := fs.String("facts-end", defFacts.End, "last month of facts, YYYY-MM")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: kolgraph generate [flags]\n\nWrites a synthetic region (no real person's data) as CSV files; see seed/README.md.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("generate: unexpected argument %q", fs.Arg(0))
	}
	if *hcps < 1 {
		return fmt.Errorf("generate: -hcps must be positive (got %d)", *hcps)
	}

	start := time.Now()
	cfg := seedgen.Config{Seed: *seed, HCPs: *hcps}
	cs := seedgen.Generate(cfg)
	changes := seedgen.Changes(cfg, cs)
	if *factsTerritory != "" {
		facts, err := seedgen.Facts(seedgen.FactsConfig{Seed: *seed, Territory: *factsTerritory, Months: *factsMonths, End: *factsEnd}, cs)
		if err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		cs.Prescriptions = facts
	}
	generated := time.Since(start)
	if err := seedfile.Write(*out, cs); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	if err := seedfile.WriteChangesFile(*out, changes); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s: %d territories, %d hospitals, %d departments, %d HCPs, %d committees, %d memberships, "+
		"%d products, %d listings, %d indication shares, %d users, %d knows, %d influences, %d dated tie changes, %d prescription facts (generated in %v, written in %v)\n",
		*out, len(cs.Territories), len(cs.Hospitals), len(cs.Departments), len(cs.HCPs), len(cs.Committees),
		len(cs.Memberships), len(cs.Products), len(cs.Listings), len(cs.IndicationShares), len(cs.Users), len(cs.Knows), len(cs.Influences), len(changes),
		len(cs.Prescriptions),
		generated.Round(time.Millisecond), (time.Since(start) - generated).Round(time.Millisecond))
	return nil
}
