// Package bulkimport loads a region's CSV files into an empty embedded
// store at disk speed and in bounded memory: the first import of a
// national network, which the transactional import (package importer)
// would have to hold whole as objects, change set and audit entries.
//
// The files are streamed once (seedfile.Stream): each row is decoded and
// checked as it is read, on one core, while the other encodes the records
// and their audit entries, which embedded.Bulk appends in key order to a
// new store file (rows out of order go through sorted runs merged at the
// end). Every problem is still reported at once with its file, line and
// column, a key given twice among them however far apart its rows are;
// with any, nothing is kept. Otherwise the new file replaces the empty one
// in one rename: all or nothing, as an import through the writer. The audit log gets what the writer would write, one
// "create" entry per record with the record as After, by the actor cli
// with the source import, all at one version.
//
// Memory: the ids of the nodes (for the references), two buffers of
// embedded.DefaultBulkBuffer and one bbolt transaction's pages; not the
// rows.
package bulkimport

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/importer"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// Options tune Run.
type Options struct {
	// Actor is recorded in the audit log ("cli").
	Actor  string
	DryRun bool
	// Read bounds the files and the problems reported.
	Read seedfile.ReadOptions
	// Buffer is embedded.BulkOptions.Buffer.
	Buffer int
	// Rows, when set, counts the rows read as they are (for progress).
	Rows *atomic.Int64
}

// Result is what Run did, or would do: every record is created.
type Result struct {
	// Counts are the records by kind (kolgraph.Kinds names).
	Counts  map[string]int
	Rows    int
	DryRun  bool
	Written bool
	// Version is the store's version after the import (0 when nothing was
	// written).
	Version uint64
	Took    time.Duration
	// Notes are the reader's, as "file: note".
	Notes []string
}

// batch is how many records the reader hands over at a time.
const batch = 4096

// Run imports the CSV files of fsys into st, which must be empty
// (embedded.ErrNotEmpty otherwise). When written, st is closed (its file
// replaced); open the store again to read the region. Problems with the
// files come back as one kolgraph.Invalid error, and st is left as it was.
func Run(ctx context.Context, fsys fs.FS, st *embedded.Store, opts Options) (*Result, error) {
	t0 := time.Now()
	at := t0.UTC()
	b, err := st.Bulk(embedded.BulkOptions{Actor: opts.Actor, Source: importer.Source, At: at,
		AuditJSON: writer.AuditJSON, Buffer: opts.Buffer, DryRun: opts.DryRun})
	if err != nil {
		return nil, err
	}
	defer b.Abort()

	// The reader decodes and checks on one goroutine; this one encodes.
	type read struct {
		s   *seedfile.Streamed
		err error
	}
	recs := make(chan []seedfile.Record, 4)
	done := make(chan read, 1)
	stop := make(chan struct{})
	go func() {
		var buf []seedfile.Record
		s, err := seedfile.Stream(fsys, opts.Read, func(r seedfile.Record) {
			buf = append(buf, r)
			if len(buf) == batch {
				select {
				case recs <- buf:
				case <-stop:
				}
				buf = make([]seedfile.Record, 0, batch)
			}
		})
		if len(buf) > 0 {
			select {
			case recs <- buf:
			case <-stop:
			}
		}
		close(recs)
		done <- read{s, err}
	}()
	rows := 0
	var addErr error
	for rs := range recs {
		if addErr != nil || ctx.Err() != nil {
			continue // drain: the reader stops at the end of its file
		}
		for _, r := range rs {
			if addErr = b.Add(stamped(r.Rec, at), r.Line); addErr != nil {
				close(stop)
				break
			}
		}
		rows += len(rs)
		if opts.Rows != nil {
			opts.Rows.Store(int64(rows))
		}
	}
	rd := <-done
	switch {
	case rd.err != nil:
		return nil, rd.err
	case addErr != nil:
		return nil, addErr
	case ctx.Err() != nil:
		return nil, ctx.Err()
	}
	if rows == 0 && !rd.s.Failed() {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "no records to import: none of %s has a row",
			strings.Join(seedfile.FileNames(), ", "))
	}
	res, err := b.Finish(ctx, !opts.DryRun && !rd.s.Failed())
	if err != nil {
		return nil, err
	}
	if err := rd.s.Err(duplicates(res.Duplicates)...); err != nil {
		return nil, err
	}
	out := &Result{Counts: res.Counts, Rows: rows, DryRun: opts.DryRun, Written: res.Written,
		Version: res.Version, Took: time.Since(t0)}
	for _, n := range rd.s.Notes {
		out.Notes = append(out.Notes, n.String())
	}
	return out, nil
}

// stamped gives a tie without an update time the import's, as the writer
// does for a tie it creates.
func stamped(rec any, at time.Time) any {
	if e, ok := rec.(*kolgraph.Influence); ok && e.UpdatedAt.IsZero() {
		e.UpdatedAt = at
	}
	return rec
}

// nodeKinds are the kinds whose repeated ids the reader reports itself.
var nodeKinds = map[string]bool{
	kolgraph.KindTerritories: true, kolgraph.KindHospitals: true, kolgraph.KindDepartments: true,
	kolgraph.KindHCPs: true, kolgraph.KindCommittees: true, kolgraph.KindProducts: true, kolgraph.KindUsers: true,
}

// duplicates are the problems of keys given twice: the relationship's file
// (named as its kind) and line, as the transactional import says them.
func duplicates(ds []embedded.Duplicate) []kolgraph.Problem {
	var ps []kolgraph.Problem
	for _, d := range ds {
		if nodeKinds[d.Kind] {
			continue
		}
		first := fmt.Sprintf("first at line %d", d.FirstLine)
		if d.FirstLine == 0 {
			first = "given earlier in the file"
		}
		ps = append(ps, kolgraph.Problem{File: d.Kind + ".csv", Line: d.Line,
			Message: fmt.Sprintf("duplicate key (%s) (%s)", strings.ReplaceAll(d.EntityID, "->", ", "), first)})
	}
	return ps
}
