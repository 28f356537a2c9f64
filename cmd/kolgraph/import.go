package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/kolgraph/kolgraph/internal/bulkimport"
	"github.com/kolgraph/kolgraph/internal/config"
	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/importer"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// runImport implements `kolgraph import`: a region from a directory of CSV
// files in the seed format, or from one XLSX workbook, into the configured
// store (serve's flags and KOLGRAPH_* variables), all or nothing. With
// -dry-run it only prints what would change. The audit log records the
// actor "cli". It never seeds: importing into an empty store is how a
// region gets there.
//
// CSV files into an empty embedded store are loaded in bulk (package
// bulkimport: streamed, bounded memory, the same checks, records and audit
// entries); anything else goes through the writer (package importer).
//
// The embedded store is one process's at a time: stop serve first, or
// import through the API (the importRegion mutation).
func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kolgraph import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "directory of CSV files in the seed format (hospitals.csv, hcps.csv, ...; any subset)")
	file := fs.String("file", "", "an XLSX workbook with one sheet per kind (see -template)")
	dryRun := fs.Bool("dry-run", false, "check and compare only: print what would be created, updated, unchanged; write nothing")
	template := fs.String("template", "", "write the empty XLSX template to this file and exit")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: kolgraph import -dir DIR | -file region.xlsx [-dry-run] [flags]\n"+
			"       kolgraph import -template kolgraph-import-template.xlsx\n\n"+
			"Checks every file completely, prints every problem as file:line column: message, and writes\n"+
			"nothing unless all is well; then writes all of it in one transaction. Store flags are serve's.\n\n")
		fs.PrintDefaults()
	}
	cfg, err := config.LoadFlags(fs, args, getenv)
	if err != nil {
		return err
	}
	// The API's file-size cap guards the service against its callers; an
	// operator's own files on disk are capped only if the operator says
	// so (-import-max-bytes or KOLGRAPH_IMPORT_MAX_BYTES).
	operatorLimits(fs, &cfg)
	if *template != "" {
		data, err := importer.Template()
		if err != nil {
			return err
		}
		if err := os.WriteFile(*template, data, 0o644); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		fmt.Fprintf(stderr, "wrote the import template %s\n", *template)
		return nil
	}
	if (*dir == "") == (*file == "") {
		fs.Usage()
		return errors.New("import: give one of -dir and -file")
	}
	m := NewMain(stderr)
	m.Config, m.Log = cfg, newLogger(cfg, stderr)
	defer m.Close()
	if m.Store, err = m.openStore(ctx); err != nil {
		if errors.Is(err, embedded.ErrLocked) {
			return fmt.Errorf("import: %w\n%s", err, lockedHint)
		}
		return err
	}
	// A region's first import into an empty embedded store streams:
	// bounded memory, disk speed (package bulkimport).
	if st, ok := m.Store.(*embedded.Store); ok && *dir != "" {
		if err := importer.CheckSizes(os.DirFS(*dir), cfg.ImportMaxBytes); err != nil {
			return reportProblems(stderr, fmt.Errorf("import %s: %w", *dir, err))
		}
		rows, stop := bulkProgress(stderr)
		res, err := bulkimport.Run(ctx, os.DirFS(*dir), st, bulkimport.Options{Actor: writer.ActorCLI, DryRun: *dryRun,
			Read: seedfile.ReadOptions{MaxBytes: cfg.ImportMaxBytes}, Rows: rows})
		stop()
		if !errors.Is(err, embedded.ErrNotEmpty) {
			if err != nil {
				return reportProblems(stderr, fmt.Errorf("import %s: %w", *dir, err))
			}
			printBulk(stdout, res)
			return nil
		}
	}
	var format importer.Format
	var files []importer.File
	switch {
	case *dir != "":
		format = importer.CSV
		if files, err = importer.ReadDir(os.DirFS(*dir), cfg.ImportMaxBytes); err != nil {
			return reportProblems(stderr, fmt.Errorf("import %s: %w", *dir, err))
		}
	default:
		if strings.EqualFold(filepath.Ext(*file), ".xls") {
			return fmt.Errorf("import: %s %s", *file, seedfile.XLSNotSupported)
		}
		if !strings.EqualFold(filepath.Ext(*file), ".xlsx") {
			return fmt.Errorf("import: %s: -file takes an .xlsx workbook; use -dir for CSV files", *file)
		}
		format = importer.XLSX
		f, err := readLimited(*file, cfg.ImportMaxBytes)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		files = []importer.File{f}
	}

	svc := &importer.Service{Store: m.Store, Writer: writer.New(m.Store, nil),
		Opts: importer.Options{MaxBytes: cfg.ImportMaxBytes}}
	var progress *importer.Progress
	stop := func() {}
	if term, ok := terminal(stderr); ok {
		progress = importer.NewProgress(files)
		stop = showProgress(term, func() string { return progressLine(progress.Status()) }, 200*time.Millisecond)
	}
	res, err := svc.ImportWithProgress(ctx, writer.ActorCLI, format, files, *dryRun, progress)
	stop()
	if err != nil {
		return reportProblems(stderr, err)
	}
	printImport(stdout, res)
	return nil
}

// lockedHint is what to do when a running service holds the embedded
// store: the same import goes through its API.
// operatorLimits lifts serve's per-request limits that an operator's own
// import has no use for, unless the command line or the environment set
// them: the file size cap and the Neo4j per-call timeout.
func operatorLimits(fs *flag.FlagSet, cfg *config.Config) {
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if !given["import-max-bytes"] {
		cfg.ImportMaxBytes = importer.NoLimit
	}
	if !given["neo4j-timeout"] {
		cfg.Neo4jTimeout = importNeo4jTimeout
	}
}

// importNeo4jTimeout bounds one Neo4j call of kolgraph import unless
// -neo4j-timeout says otherwise: an import's lookups read thousands of
// records per call, where serve's 5 s default is meant for one request's
// reads (the seed region's import failed on it against a busy NornicDB).
// Connecting still gives up after 5 s.
const importNeo4jTimeout = 10 * time.Minute

const lockedHint = "The store is held by a running kolgraph serve (the embedded store is one process's at a time). " +
	"Stop it and run the import again, or import through the running service: the importRegion mutation on /query " +
	"(or startImport, which answers at once with a job to poll, for a large import; " +
	"format CSV or XLSX, dryRun: true to check first; files as content or multipart uploads, e.g. " +
	"curl -F operations=... -F map=... -F 0=@hcps.csv http://127.0.0.1:8080/query; see the README, \"Import\")."

// readLimited reads a workbook; one over limit is not read, and the
// import refuses it giving its size.
func readLimited(path string, limit int64) (importer.File, error) {
	name := filepath.Base(path)
	f, err := os.Open(path)
	if err != nil {
		return importer.File{}, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > limit {
		return importer.File{Name: name, Content: f, Size: st.Size()}, nil
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	return importer.File{Name: name, Data: data}, err
}

// reportProblems prints a rejected import's problems, one a line, and
// returns a short error for the exit status.
func reportProblems(w io.Writer, err error) error {
	var kerr *kolgraph.Error
	if !errors.As(err, &kerr) || len(kerr.Problems) == 0 {
		return err
	}
	for _, p := range kerr.Problems {
		fmt.Fprintln(w, p.String())
	}
	return fmt.Errorf("import rejected, nothing written: %d problems (%s)", len(kerr.Problems), kerr.Code)
}

func printImport(w io.Writer, res *importer.Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tcreated\tupdated\tunchanged\tdeleted\t")
	for _, k := range kolgraph.Kinds {
		if c, ok := res.Counts[k]; ok {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", k, c.Created, c.Updated, c.Unchanged, c.Deleted)
		}
	}
	t := res.Total()
	fmt.Fprintf(tw, "total\t%d\t%d\t%d\t%d\t\n", t.Created, t.Updated, t.Unchanged, t.Deleted)
	tw.Flush()
	for _, n := range res.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	switch {
	case res.DryRun:
		fmt.Fprintf(w, "dry run: %d rows checked against graph v%d, %d records would change; nothing written (%v)\n",
			res.Rows, res.Version, t.Changed(), res.Took.Round(time.Millisecond))
	case res.Written:
		fmt.Fprintf(w, "imported %d rows: %d records changed, graph now v%d (%v)\n",
			res.Rows, t.Changed(), res.Version, res.Took.Round(time.Millisecond))
	default:
		fmt.Fprintf(w, "imported %d rows: nothing changed, graph stays v%d (%v)\n",
			res.Rows, res.Version, res.Took.Round(time.Millisecond))
	}
}

// printBulk prints what a bulk import did, as printImport does: every
// record is created.
func printBulk(w io.Writer, res *bulkimport.Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "kind\tcreated\tupdated\tunchanged\tdeleted\t")
	total := 0
	for _, k := range kolgraph.Kinds {
		if n, ok := res.Counts[k]; ok {
			fmt.Fprintf(tw, "%s\t%d\t0\t0\t0\t\n", k, n)
			total += n
		}
	}
	fmt.Fprintf(tw, "total\t%d\t0\t0\t0\t\n", total)
	tw.Flush()
	for _, n := range res.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	rate := float64(res.Rows) / max(res.Took.Seconds(), 1e-9)
	if res.DryRun {
		fmt.Fprintf(w, "dry run: %d rows checked against an empty store, %d records would be created; nothing written (%v, %.0f rows/s)\n",
			res.Rows, total, res.Took.Round(time.Millisecond), rate)
		return
	}
	fmt.Fprintf(w, "imported %d rows into an empty store in bulk: %d records created, graph now v%d (%v, %.0f rows/s)\n",
		res.Rows, total, res.Version, res.Took.Round(time.Millisecond), rate)
}

// bulkProgress shows the rows a bulk import has read on stderr, if it is
// a terminal, every 200 ms until stop, which clears the line; rows is nil
// otherwise.
func bulkProgress(stderr io.Writer) (rows *atomic.Int64, stop func()) {
	term, ok := terminal(stderr)
	if !ok {
		return nil, func() {}
	}
	rows = &atomic.Int64{}
	return rows, showProgress(term, func() string { return fmt.Sprintf("import: read %d rows", rows.Load()) },
		200*time.Millisecond)
}

// terminal returns w as the terminal it is, if it is one (a character
// device: not a file, pipe or test buffer).
func terminal(w io.Writer) (*os.File, bool) {
	f, ok := w.(*os.File)
	if !ok {
		return nil, false
	}
	st, err := f.Stat()
	return f, err == nil && st.Mode()&os.ModeCharDevice != 0
}

// showProgress rewrites one line of w with line() every tick, until stop
// is called, which clears the line.
func showProgress(w io.Writer, line func() string, tick time.Duration) (stop func()) {
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(tick)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-t.C:
				fmt.Fprintf(w, "\r%s\033[K", line())
			}
		}
	}()
	return func() {
		close(done)
		<-exited
	}
}

// progressLine says where an import is: "reading 45% of 5.2 MB
// (influences.csv)", "checking 70803 rows", "writing 7 records".
func progressLine(s importer.ProgressStatus) string {
	switch s.Phase {
	case importer.PhaseReading:
		var size, read int64
		current := ""
		for _, f := range s.Files {
			size += f.Size
			read += min(f.BytesRead, f.Size)
			if f.BytesRead > 0 && f.BytesRead < f.Size {
				current = " (" + f.Name + ")"
			}
		}
		pct := 0.0
		if size > 0 {
			pct = 100 * float64(read) / float64(size)
		}
		return fmt.Sprintf("import: reading %3.0f%% of %.1f MB%s", pct, float64(size)/1e6, current)
	case importer.PhaseChecking:
		return fmt.Sprintf("import: checking %d rows against the store", s.Rows)
	case importer.PhaseWriting:
		return fmt.Sprintf("import: writing %d changed records", s.Changes)
	}
	return "import: done"
}
