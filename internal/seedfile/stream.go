package seedfile

import (
	"io/fs"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Record is one record as Stream reads it: where it was read, and the
// record, of the ChangeSet's element types (*kolgraph.Territory,
// *kolgraph.Hospital, *kolgraph.Department, *kolgraph.HCP,
// *kolgraph.Committee, kolgraph.Membership, *kolgraph.Product,
// kolgraph.Listing, kolgraph.ProductShare, *kolgraph.User, kolgraph.Knows,
// *kolgraph.Influence, kolgraph.PrescriptionFact).
type Record struct {
	File string
	Line int
	Rec  any
}

// Streamed is what Stream found: the notes, and the problems, which a
// consumer completes with its own (Err).
type Streamed struct {
	Notes []Note
	p     *parser
}

// Stream reads the file set as ReadWithNotes does, but hands each record to
// emit as it is read instead of keeping it, so that memory grows with the
// ids of the nodes (kept for the references), not with the rows: a
// national network's ties stream through. Records come in the order of
// the files (FileNames), each file's in its own order, and every decoded
// record is emitted, also after problems were found, so that one run finds
// every problem; a record with a problem may be emitted.
//
// One check is the consumer's: a relationship key (or a fact's entity,
// product and month) given twice in a file, which Stream does not keep
// every key to find. Its error is an error reading a file (not a problem
// with the data); problems come from Streamed.Err.
func Stream(fsys fs.FS, opts ReadOptions, emit func(Record)) (*Streamed, error) {
	p := newParser(opts)
	p.emit = emit
	p.run(fsys, false)
	if p.err != nil {
		return nil, p.err
	}
	return &Streamed{Notes: p.notes, p: p}, nil
}

// Err returns every problem found, the consumer's extra ones with them,
// as ReadWith does: sorted by file and line, one per cell, bounded by
// MaxProblems, in a kolgraph.Invalid error; nil when there are none.
func (s *Streamed) Err(extra ...kolgraph.Problem) error {
	s.p.ps = append(s.p.ps, extra...)
	err := kolgraph.Invalid(s.p.problems())
	s.p.ps = s.p.ps[:len(s.p.ps)-len(extra)]
	return err
}

// Failed reports whether Stream found a problem.
func (s *Streamed) Failed() bool { return len(s.p.ps) > 0 }
