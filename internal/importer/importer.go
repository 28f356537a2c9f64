// Package importer reads a region from the files a regional manager has —
// CSV files in the seed format, or one XLSX workbook with a sheet per kind —
// checks all of it against itself and the store, and writes it through the
// writer in one all-or-nothing change set (or, in a dry run, only says what
// would change).
//
// Parsing and checking is seedfile's: every problem comes back at once as
// (file or sheet, line or row, column, message). Records are upserts; an
// import never deletes what its files leave out.
package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// Format of the files of an import.
type Format string

const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// DefaultMaxBytes bounds one file of an import (a CSV file, or an XLSX
// workbook as uploaded).
const DefaultMaxBytes = seedfile.DefaultMaxBytes

// NoLimit is MaxBytes for files without a cap (the CLI's default: an
// operator's own files): 1 PiB, so that 16 times it still counts.
const NoLimit = 1 << 50

// File is one uploaded file: its bytes in Data, or, for a file that is not
// to be held in memory whole (an upload spooled to disk), Content and Size.
// CSV is streamed from Content; an XLSX workbook is read into memory once
// (its zip directory is at the end).
type File struct {
	Name    string
	Data    []byte
	Content io.ReaderAt // when set, read instead of Data
	Size    int64       // of Content
}

func (f File) size() int64 {
	if f.Content != nil {
		return f.Size
	}
	return int64(len(f.Data))
}

// reader reads the file from its start; each call gets its own.
func (f File) reader() *io.SectionReader {
	return io.NewSectionReader(f.readerAt(), 0, f.size())
}

func (f File) readerAt() io.ReaderAt {
	if f.Content != nil {
		return f.Content
	}
	return bytes.NewReader(f.Data)
}

// Options tunes Read and Import.
type Options struct {
	// MaxBytes bounds each file; 0 means DefaultMaxBytes. For XLSX it also
	// bounds the workbook's unpacked sheets to 16 times as much (a zip bomb
	// stops there).
	MaxBytes int64
	// MaxProblems bounds the problems reported; 0 means seedfile's default.
	MaxProblems int
}

func (o Options) maxBytes() int64 {
	if o.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return o.MaxBytes
}

// LimitFlag names the setting that raises the import limit, for messages.
const LimitFlag = "-import-max-bytes (KOLGRAPH_IMPORT_MAX_BYTES; of kolgraph import, or of kolgraph serve for the API)"

// tooLarge says that a file of size bytes is over limit and how to raise
// it.
func tooLarge(size, limit int64) string {
	return fmt.Sprintf("is %s, more than the import limit of %s; raise the limit with %s",
		byteSize(size), byteSize(limit), LimitFlag)
}

// byteSize writes n in bytes, and in MiB too from 1 MiB on:
// "163828925 bytes (156.2 MiB)".
func byteSize(n int64) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d bytes", n)
	}
	return fmt.Sprintf("%d bytes (%.1f MiB)", n, float64(n)/(1<<20))
}

// oversize stands for a file over the limit that was not read: only its
// size is known (File.Size), and the size check refuses it first.
type oversize struct{}

func (oversize) ReadAt([]byte, int64) (int, error) {
	return 0, errors.New("importer: a file over the limit is not read")
}

// Source is the source recorded in the audit log for imports.
const Source = "import"

// Result is what an import did, or would do.
type Result struct {
	*writer.Plan
	DryRun  bool
	Written bool
	// Rows is the number of records read from the files.
	Rows int
	// Version is the store's version after the import (the compared one
	// when nothing was written).
	Version uint64
	Took    time.Duration
	// Notes say what was done with the files besides reading them, as
	// "file: note": the encoding each was read as, separators, ignored
	// columns, rows and sheets, normalised cells (counted per kind).
	Notes []string
}

// Scanner is what reading an import asks the store: the ids already
// stored, for references the files do not resolve.
type Scanner interface {
	Scan(ctx context.Context, v kolgraph.Visitor) error
}

// Store is what an import reads, and what its writer compares with and
// writes to (kolgraph.Store has it).
type Store interface {
	writer.Store
}

var _ Store = kolgraph.Store(nil)

// Service imports into one store through its writer, which writes to the
// same store.
type Service struct {
	Store  Store
	Writer *writer.Service
	Opts   Options
}

// Import reads files, checks them against the store and writes them (or,
// with dryRun, compares them). actor is recorded in the audit log.
func (s *Service) Import(ctx context.Context, actor string, format Format, files []File, dryRun bool) (*Result, error) {
	return s.ImportWithProgress(ctx, actor, format, files, dryRun, nil)
}

// ImportWithProgress is Import reporting its progress to p (nil: none);
// p is NewProgress(files).
func (s *Service) ImportWithProgress(ctx context.Context, actor string, format Format, files []File, dryRun bool, p *Progress) (*Result, error) {
	t0 := time.Now()
	r, err := read(ctx, format, p.counted(files), s.Store, s.Opts)
	if err != nil {
		return nil, err
	}
	cs := r.cs
	p.readAll(format, cs)
	w := s.Writer
	if p != nil {
		w = w.On(watched{Store: s.Store, p: p})
	}
	// Edges without updated_at are stamped by the writer (kept when
	// unchanged, so re-importing a file without the column changes nothing).
	res := &Result{DryRun: dryRun, Rows: countRecords(cs), Notes: r.notes}
	// What the writer or the store refuses names a record (hcps/P011):
	// say which file and line it came from, dry run and import alike.
	if dryRun {
		res.Plan, err = w.Plan(ctx, cs)
		if err != nil {
			return nil, r.locate(err)
		}
		res.Version = res.Plan.Version
	} else {
		wr, err := w.Apply(ctx, actor, Source, cs)
		if err != nil {
			return nil, r.locate(err)
		}
		res.Plan, res.Version, res.Written = wr.Plan, wr.Version, wr.Written
	}
	res.Took = time.Since(t0)
	p.update(func(p *Progress) {
		p.phase, p.checked, p.changed = PhaseDone, res.Rows, len(res.Plan.Audit)
		if res.Written {
			p.written = p.changed
		}
	})
	return res, nil
}

// Summary is what an import did without the records of its plan (the
// change set and the audit entries), which a job keeps after it ends.
type Summary struct {
	DryRun, Written, Changed bool
	// Counts by kind, as Plan.Counts.
	Counts  map[string]*writer.Counts
	Rows    int
	Version uint64
	Took    time.Duration
	Notes   []string
}

// Summary returns what the import did.
func (r *Result) Summary() Summary {
	return Summary{DryRun: r.DryRun, Written: r.Written, Changed: r.Changed(), Counts: r.Plan.Counts,
		Rows: r.Rows, Version: r.Version, Took: r.Took, Notes: r.Notes}
}

// readResult is what reading files gives: the records, the notes, and
// locate, which names the file and line (or sheet and row) of a record a
// later problem names as kind/id.
type readResult struct {
	cs     *kolgraph.ChangeSet
	notes  []string
	locate func(error) error
}

// read parses files of format into one change set of upserts, with notes
// on what was done to read them (see Result.Notes). References the files
// do not resolve are looked up in st (nil: they must resolve within the
// files). Every problem is reported in one kolgraph.Invalid error; other
// errors (the store failing) are returned as they are.
func read(ctx context.Context, format Format, files []File, st Scanner, opts Options) (*readResult, error) {
	if len(files) == 0 {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "no files to import")
	}
	var ps []kolgraph.Problem
	limit := opts.maxBytes()
	for _, f := range files {
		if f.size() > limit {
			ps = append(ps, kolgraph.Problem{File: f.Name, Message: tooLarge(f.size(), limit)})
		}
	}
	if err := kolgraph.Invalid(ps); err != nil {
		return nil, err
	}
	ex := &exists{ctx: ctx, st: st}
	ro := seedfile.ReadOptions{MaxBytes: limit, MaxProblems: opts.MaxProblems}
	if st != nil {
		ro.Exists = ex.exists
	}
	var r *readResult
	var err error
	switch format {
	case CSV:
		r, err = readCSV(files, ro)
	case XLSX:
		r, err = readXLSX(ctx, files, ro, limit)
	default:
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "unknown import format %q; use csv or xlsx", format)
	}
	if ex.err != nil { // the store failed: the problems may be wrong
		return nil, ex.err
	}
	return r, err
}

func readCSV(files []File, ro seedfile.ReadOptions) (*readResult, error) {
	fsys := filesFS{}
	var ps []kolgraph.Problem
	for _, f := range files {
		name := path.Base(strings.ReplaceAll(f.Name, `\`, "/"))
		if _, ok := seedfile.Columns(name); !ok {
			msg := fmt.Sprintf("is not a file of the format; expected one of %s", strings.Join(seedfile.FileNames(), ", "))
			switch strings.ToLower(path.Ext(name)) {
			case ".xlsx":
				msg = seedfile.XLSXAsCSV
			case ".xls":
				msg = seedfile.XLSNotSupported
			}
			ps = append(ps, kolgraph.Problem{File: f.Name, Message: msg})
			continue
		}
		if _, dup := fsys[name]; dup {
			ps = append(ps, kolgraph.Problem{File: f.Name, Message: "is given twice"})
			continue
		}
		fsys[name] = f
	}
	if err := kolgraph.Invalid(ps); err != nil {
		return nil, err
	}
	cs, ns, locs, err := seedfile.ReadLocated(fsys, ro)
	if err != nil {
		return nil, err
	}
	notes := make([]string, len(ns))
	for i, n := range ns {
		notes[i] = n.String()
	}
	return &readResult{cs: cs, notes: notes, locate: locs.Locate}, nil
}

// filesFS serves files by name, each opened as a stream over its content
// (so an upload on disk is read once, in 64 KiB steps, never whole).
type filesFS map[string]File

func (m filesFS) Open(name string) (fs.File, error) {
	f, ok := m[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &openFile{SectionReader: f.reader(), name: name}, nil
}

type openFile struct {
	*io.SectionReader
	name string
}

func (f *openFile) Stat() (fs.FileInfo, error) { return fileInfo{f.name, f.Size()}, nil }
func (f *openFile) Close() error               { return nil }

type fileInfo struct {
	name string
	size int64
}

func (i fileInfo) Name() string       { return i.name }
func (i fileInfo) Size() int64        { return i.size }
func (i fileInfo) Mode() fs.FileMode  { return 0o444 }
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return false }
func (i fileInfo) Sys() any           { return nil }

// ReadDir reads the format's files in dir into Files, for the CLI. A file
// over maxBytes is not read whole: the import then reports it as too large.
func ReadDir(fsys fs.FS, maxBytes int64) ([]File, error) {
	var out []File
	for _, name := range seedfile.FileNames() {
		f, err := fsys.Open(name)
		if err != nil {
			if isNotExist(err) {
				continue
			}
			return nil, err
		}
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > maxBytes {
			f.Close() // refused by its size, which the message gives
			out = append(out, File{Name: name, Content: oversize{}, Size: st.Size()})
			continue
		}
		data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		out = append(out, File{Name: name, Data: data})
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range entries { // stray CSV files are a problem, not ignored
		if !e.IsDir() && strings.EqualFold(path.Ext(e.Name()), ".csv") {
			if _, ok := seedfile.Columns(e.Name()); !ok {
				out = append(out, File{Name: e.Name()})
			}
		}
	}
	if len(out) == 0 {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "no files of the format (%s) found", strings.Join(seedfile.FileNames(), ", "))
	}
	return out, nil
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

func countRecords(cs *kolgraph.ChangeSet) int {
	return len(cs.Territories) + len(cs.Hospitals) + len(cs.Departments) + len(cs.HCPs) +
		len(cs.Committees) + len(cs.Memberships) + len(cs.Products) + len(cs.Listings) +
		len(cs.IndicationShares) + len(cs.Users) + len(cs.Knows) + len(cs.Influences) + len(cs.Prescriptions)
}

// exists answers seedfile's reference questions from the store: the first
// question about a kind reads every id of that kind once (one Scan), since
// an import that does not carry its parents asks about many of them.
type exists struct {
	ctx context.Context
	st  Scanner
	ids map[string]map[string]bool
	err error
}

func (e *exists) exists(kind, id string) bool {
	if e.err != nil {
		return true // reported as the store's error, not as a problem
	}
	if e.ids == nil {
		e.ids = map[string]map[string]bool{}
	}
	m, ok := e.ids[kind]
	if !ok {
		m = map[string]bool{}
		e.ids[kind] = m
		add := func(id string) error { m[id] = true; return nil }
		var v kolgraph.Visitor
		switch kind {
		case seedfile.KindTerritory:
			v.Territory = func(r *kolgraph.Territory) error { return add(r.ID) }
		case seedfile.KindHospital:
			v.Hospital = func(r *kolgraph.Hospital) error { return add(r.ID) }
		case seedfile.KindDepartment:
			v.Department = func(r *kolgraph.Department) error { return add(r.ID) }
		case seedfile.KindHCP:
			v.HCP = func(r *kolgraph.HCP) error { return add(r.ID) }
		case seedfile.KindCommittee:
			v.Committee = func(r *kolgraph.Committee) error { return add(r.ID) }
		case seedfile.KindProduct:
			v.Product = func(r *kolgraph.Product) error { return add(r.ID) }
		case seedfile.KindUser:
			v.User = func(r *kolgraph.User) error { return add(r.ID) }
		default:
			return false
		}
		if err := e.st.Scan(e.ctx, v); err != nil {
			e.err = fmt.Errorf("importer: read stored %s ids: %w", kind, err)
			return true
		}
	}
	return m[id]
}

func asError(err error, target **kolgraph.Error) bool { return errors.As(err, target) }

// CheckSizes refuses the format's files in fsys that are over limit, as an
// import of them would (a streamed import reads them from disk instead of
// as Files).
func CheckSizes(fsys fs.FS, limit int64) error {
	var ps []kolgraph.Problem
	for _, name := range seedfile.FileNames() {
		st, err := fs.Stat(fsys, name)
		if err != nil {
			continue // absent, or reading it says why
		}
		if st.Mode().IsRegular() && st.Size() > limit {
			ps = append(ps, kolgraph.Problem{File: name, Message: tooLarge(st.Size(), limit)})
		}
	}
	return kolgraph.Invalid(ps)
}
