package seedfile

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Defaults of ReadOptions.
const (
	// DefaultMaxBytes bounds one file: the seed's largest file is a few MB,
	// and a bound turns a runaway upload into a problem instead of an OOM.
	DefaultMaxBytes = 64 << 20
	// DefaultMaxProblems bounds the problems reported: beyond a few thousand
	// a list no longer helps a user, and a garbage file must not produce
	// millions of them.
	DefaultMaxProblems = 10_000
)

// ReadOptions tunes ReadWith. The zero value is what Read uses.
type ReadOptions struct {
	// Exists reports whether a record of kind (KindHospital, ...) with id
	// exists outside the file set, e.g. in the store an import is applied
	// to. It is asked only about references the file set does not resolve.
	// nil means every reference must resolve within the file set.
	Exists func(kind, id string) bool
	// MaxBytes bounds each file's size; 0 means DefaultMaxBytes.
	MaxBytes int64
	// MaxProblems bounds the problems returned (a last problem says how many
	// were left out); 0 means DefaultMaxProblems, negative means no bound.
	MaxProblems int
	// UTF8 says the files are UTF-8 (CSV made from a workbook's sheets,
	// which are Unicode): their encoding is not detected or noted.
	UTF8 bool
}

// Read reads the file set in fsys (see ReadWith) where every reference must
// resolve within the set.
func Read(fsys fs.FS) (*kolgraph.ChangeSet, error) {
	return ReadWith(fsys, ReadOptions{})
}

// ReadWith reads whichever of the format's files exist at the root of fsys
// (a missing file means no records of its kind) into a ChangeSet of upserts,
// records in file order.
//
// Any problem with the data makes it return a kolgraph.Invalid error listing
// every problem found, each with File, Line (1-based physical line where the
// record starts; the header is line 1) and Field (the column). Checked:
// headers (unknown, duplicate or missing required columns), column counts,
// CSV syntax, UTF-8, numbers and times, each record's Validate, duplicate
// ids and relationship keys within a file, ids used by two kinds, references
// (resolved by the file set, then by opts.Exists), an HCP's hospital against
// its department's, size limits, and CSV files that are not part of the
// format. Other errors (an unreadable file) are returned wrapped as they are.
func ReadWith(fsys fs.FS, opts ReadOptions) (*kolgraph.ChangeSet, error) {
	cs, _, err := ReadWithNotes(fsys, opts)
	return cs, err
}

// read reads the file set; the problems are p's, an error reading a file
// is p.err.
func read(fsys fs.FS, opts ReadOptions) *parser {
	p := newParser(opts)
	p.run(fsys, true)
	return p
}

func newParser(opts ReadOptions) *parser {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.MaxProblems == 0 {
		opts.MaxProblems = DefaultMaxProblems
	}
	return &parser{
		opts:  opts,
		cs:    &kolgraph.ChangeSet{},
		ids:   make(map[string]idEntry),
		lines: make(map[string][]int, len(tables)),
		quiet: make(map[string]bool),

		incomplete: make(map[string]bool),
	}
}

// run reads the files in order; references are checked at the end when
// refs says so (a stream checks them record by record).
func (p *parser) run(fsys fs.FS, refs bool) {
	p.unknownFiles(fsys)
	for i := range tables {
		if p.err = p.readFile(fsys, &tables[i]); p.err != nil {
			return
		}
		if p.full() {
			break
		}
	}
	if refs && !p.full() {
		p.checkReferences()
	}
}

// markIncomplete notes that rows of t's file could not be read.
func (p *parser) markIncomplete(t *table) {
	if kind := kindOfFile[t.file]; kind != "" {
		p.incomplete[kind] = true
	}
}

// idEntry records where a node id was first defined.
type idEntry struct {
	kind string
	file string
	line int
}

type parser struct {
	opts ReadOptions
	cs   *kolgraph.ChangeSet
	ps   []kolgraph.Problem
	ids  map[string]idEntry
	// lines holds, per file, the line of each record appended to cs, so
	// that the reference pass can point at it.
	lines map[string][]int
	// quiet marks files whose header is unusable: their rows are still read
	// so their ids resolve references elsewhere, but their own row problems
	// and references are not reported (they would all repeat the header's).
	quiet map[string]bool
	// sizeHint estimates the rows of the file being read, to size maps.
	sizeHint int
	// incomplete marks kinds whose file had rows that could not be read
	// (CSV syntax, size): a reference to an id of that kind that does not
	// resolve may point at such a row, so it is not reported.
	incomplete map[string]bool

	// emit receives each record when streaming (Stream), instead of cs.
	emit func(Record)
	// deptHospital holds each department's hospital, for the check of an
	// HCP's hospital.
	deptHospital map[string]string

	notes []Note
	norm  map[string]int // normalised cells of the file being read, by what was done
	err   error          // reading a file failed (not a problem with its data)
}

func (p *parser) add(file string, line int, field, format string, args ...any) {
	p.ps = append(p.ps, kolgraph.Problem{File: file, Line: line, Field: field, Message: fmt.Sprintf(format, args...)})
}

// full reports whether enough problems were found to stop reading: well
// past MaxProblems, so that deduplication still leaves a full list and the
// count of those left out is exact for all but garbage input.
func (p *parser) full() bool {
	return p.opts.MaxProblems > 0 && len(p.ps) > 2*p.opts.MaxProblems+1000
}

// problems sorts the problems by file and line, keeps one per cell (a bad
// id is also a dangling reference; the first message is the useful one)
// and applies MaxProblems.
func (p *parser) problems() []kolgraph.Problem {
	slices.SortStableFunc(p.ps, func(a, b kolgraph.Problem) int {
		return cmp.Or(cmp.Compare(fileIndex(a.File), fileIndex(b.File)), cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	type cell struct {
		file, field string
		line        int
	}
	seen := make(map[cell]bool)
	out := p.ps[:0]
	for _, pr := range p.ps {
		if pr.Field != "" {
			c := cell{pr.File, pr.Field, pr.Line}
			if seen[c] {
				continue
			}
			seen[c] = true
		}
		out = append(out, pr)
	}
	if limit := p.opts.MaxProblems; limit > 0 && len(out) > limit {
		note := fmt.Sprintf("%d more problems not listed", len(out)-limit)
		if p.full() {
			note += "; reading stopped early"
		}
		out = append(out[:limit], kolgraph.Problem{Message: note})
	}
	return out
}

// unknownFiles reports CSV files that are not part of the format: a file
// named hcp.csv instead of hcps.csv would otherwise be skipped silently.
func (p *parser) unknownFiles(fsys fs.FS) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return // not listable: only the known names are looked at
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.EqualFold(path.Ext(name), ".csv") || fileIndex(name) >= 0 {
			continue
		}
		p.add(name, 0, "", "is not a file of the format; expected one of %s", strings.Join(FileNames(), ", "))
	}
}

// errTooLarge is returned by limitedReader past the limit.
var errTooLarge = errors.New("file too large")

// limitedReader fails with errTooLarge once more than n bytes were read,
// where io.LimitReader would silently truncate.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(b []byte) (int, error) {
	if l.n < 0 {
		return 0, errTooLarge
	}
	if int64(len(b)) > l.n+1 {
		b = b[:l.n+1]
	}
	n, err := l.r.Read(b)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errTooLarge
	}
	return n, err
}

// errReader fails every read with err.
type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// readFile parses one file, if it exists, appending its records to p.cs.
func (p *parser) readFile(fsys fs.FS, t *table) error {
	f, err := fsys.Open(t.file)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("seedfile: open %s: %w", t.file, err)
	}
	p.sizeHint = 0
	clear(p.norm) // of a file whose reading stopped early
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
		if st.Size() > p.opts.MaxBytes {
			f.Close()
			p.add(t.file, 0, "", "is %d bytes, more than the limit of %d", st.Size(), p.opts.MaxBytes)
			p.markIncomplete(t)
			return nil
		}
		p.sizeHint = int(st.Size() / 100)
	}

	// The encoding is decided on the whole file: from memory when it fits
	// sniffWindow (the file is read once), else by a first pass over it.
	raw := &limitedReader{f, p.opts.MaxBytes}
	window := sniffWindow
	if size >= 0 && size < sniffWindow {
		window = max(int(size)+1, 16) // Peek then sees io.EOF
	}
	in := bufio.NewReaderSize(raw, window)
	head, err := in.Peek(window)
	var enc sniffed
	switch {
	case p.opts.UTF8:
		enc, err = sniffed{enc: EncodingUTF8}, nil
	case errors.Is(err, io.EOF):
		enc, err = sniff(bytes.NewReader(head), len(head), func() io.Reader { return bytes.NewReader(head) })
	case err == nil:
		var extra fs.File // a third read, if the GB18030 reading is needed
		again := func() io.Reader {
			f, err := fsys.Open(t.file)
			if err != nil {
				return errReader{err}
			}
			extra = f
			return &limitedReader{f, p.opts.MaxBytes}
		}
		enc, err = sniff(in, 64<<10, again)
		if extra != nil {
			extra.Close()
		}
		if err == nil {
			f.Close()
			if f, err = fsys.Open(t.file); err != nil {
				return fmt.Errorf("seedfile: open %s: %w", t.file, err)
			}
			raw = &limitedReader{f, p.opts.MaxBytes}
			in = bufio.NewReaderSize(raw, 64<<10)
		}
	}
	defer f.Close()
	if errors.Is(err, errTooLarge) {
		p.add(t.file, 0, "", "is larger than the limit of %d bytes", p.opts.MaxBytes)
		p.markIncomplete(t)
		return nil
	}
	if err != nil {
		return fmt.Errorf("seedfile: read %s: %w", t.file, err)
	}
	if enc.problem != "" {
		// One problem for the file: every cell would repeat it.
		p.add(t.file, enc.line, "", "%s", enc.problem)
		p.quiet[t.file] = true
		p.markIncomplete(t)
		return nil
	}
	if _, err := in.Discard(enc.skip); err != nil {
		return fmt.Errorf("seedfile: read %s: %w", t.file, err)
	}
	switch {
	case p.opts.UTF8:
	case enc.detail != "":
		p.note(t.file, NoteEncoding, "read as %s (%s)", enc.enc, enc.detail)
	default:
		p.note(t.file, NoteEncoding, "read as %s", enc.enc)
	}
	br := bufio.NewReaderSize(enc.decoder(in), 64<<10)
	cr := csv.NewReader(br)
	cr.Comma = p.separator(t.file, br)
	cr.ReuseRecord = true
	// Rows may be longer than the header by blank cells, or shorter by the
	// header's trailing blank columns (row.fit checks).
	cr.FieldsPerRecord = -1

	rd := &row{p: p, t: t, kind: kindOfFile[t.file]}
	decode := decoders[t.file]
	defer func() {
		p.lines[t.file] = rd.lines
		if rd.quiet {
			p.quiet[t.file] = true
		}
	}()
	header := true
	blanks := 0
	lastOffset := int64(-1)
	for !p.full() {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if errors.Is(err, errTooLarge) {
			p.add(t.file, 0, "", "is larger than the limit of %d bytes", p.opts.MaxBytes)
			p.markIncomplete(t)
			return nil
		}
		var pe *csv.ParseError
		if err != nil && !errors.As(err, &pe) {
			return fmt.Errorf("seedfile: read %s: %w", t.file, err)
		}
		// A ParseError leaves the reader past the bad line; this guard only
		// protects against a reader that stops making progress.
		if off := cr.InputOffset(); off == lastOffset && err != nil {
			break
		} else {
			lastOffset = off
		}
		if header {
			if err != nil {
				p.add(t.file, pe.Line, "", "cannot parse the header: %v", pe.Err)
				p.quiet[t.file] = true
				p.markIncomplete(t)
				return nil
			}
			if blankRecord(rec) {
				blanks++
				continue
			}
			header = false
			rd.line, _ = cr.FieldPos(0)
			rd.header(rec)
			continue
		}
		if err != nil {
			p.add(t.file, pe.Line, "", "is not valid CSV (column %d): %v", pe.Column, pe.Err)
			p.markIncomplete(t)
			continue
		}
		if blankRecord(rec) {
			blanks++
			continue
		}
		line, _ := cr.FieldPos(0)
		rd.start(rec, line)
		if !rd.fit() { // the columns cannot be trusted
			p.markIncomplete(t)
			continue
		}
		rd.checkUTF8()
		rd.normalise()
		decode(p, rd)
	}
	if header {
		p.add(t.file, 1, "", "is empty: the header row is missing")
		p.quiet[t.file] = true
		p.markIncomplete(t)
	}
	if blanks > 0 {
		p.note(t.file, NoteLayout, "%d blank rows ignored", blanks)
	}
	p.flushNormalised(t.file)
	return nil
}

// row is the record being decoded, with the header's column positions.
type row struct {
	p     *parser
	t     *table
	pos   []int    // column of the table -> index in the record, -1 if absent
	names []string // index in the record -> known column name or "", up to the last named column

	headerLen int    // cells of the header, with trailing blank ones
	norms     []norm // index in the record -> what normalise does to its cells
	rec       []string
	line      int

	kind  string            // of the file's records, "" for relationships
	quiet bool              // the header is unusable: row problems are not reported
	lines []int             // line of each decoded record
	seen  map[[2]string]int // relationship key -> line
}

// header checks the header row and records the column positions. Blank
// cells at its end (a spreadsheet's formatted but empty columns) are not
// columns; names are matched trimmed and in any case.
func (r *row) header(rec []string) {
	file, line := r.t.file, r.line
	r.pos = slices.Repeat([]int{-1}, len(r.t.cols))
	width := len(rec)
	for width > 0 && headerName(rec[width-1]) == "" {
		width--
	}
	if n := len(rec) - width; n > 0 {
		r.p.note(file, NoteLayout, "%d empty columns at the end of the header ignored", n)
	}
	r.names = make([]string, width)
	r.norms = make([]norm, width)
	r.headerLen = len(rec)
	for i, name := range rec[:width] {
		name = headerName(name)
		c := r.t.index(name)
		known := c >= 0
		switch dup := known && r.pos[c] >= 0; {
		case !utf8.ValidString(name):
			r.p.add(file, line, "", "column %d of the header is not valid UTF-8", i+1)
		case name == "":
			r.p.add(file, line, "", "column %d of the header is empty; name it or delete the column", i+1)
		case !known:
			cols, _ := Columns(file)
			r.p.add(file, line, name, "is not a column of %s; expected %s", file, strings.Join(cols, ", "))
		case dup:
			r.p.add(file, line, name, "appears twice in the header")
		default:
			r.pos[c] = i
			r.names[i] = r.t.cols[c].name
			r.norms[i] = normOf(r.names[i])
		}
	}
	var absent []string
	for ci, c := range r.t.cols {
		switch {
		case r.pos[ci] >= 0:
		case c.required:
			r.p.add(file, line, c.name, "required column is missing from the header")
			r.quiet = true
		case slices.Contains(kolgraph.KeepableFields(r.t.kind()), c.name):
			absent = append(absent, c.name)
		}
	}
	// A column left out keeps the stored value (kolgraph.ChangeSet.Keep);
	// an empty cell in a column that is there clears it.
	if len(absent) > 0 {
		if r.p.cs.Keep == nil {
			r.p.cs.Keep = map[string][]string{}
		}
		r.p.cs.Keep[r.t.kind()] = absent
		r.p.note(file, NoteLayout, "columns left out keep their stored values: %s", strings.Join(absent, ", "))
	}
}

// fit checks the current record's length against the header's and cuts it
// to the header's columns: cells past them must be blank (a row written
// wider than others), and a row may stop early only in the header's
// trailing blank columns.
func (r *row) fit() bool {
	width := len(r.names)
	if len(r.rec) > width && !blankRecord(r.rec[width:]) {
		j := width
		for strings.TrimSpace(r.rec[j]) == "" {
			j++
		}
		if j < r.headerLen {
			r.problem("", "has a value in column %d, which has no name in the header", j+1)
		} else {
			r.problem("", "has %d fields, the header has %d", len(r.rec), r.headerLen)
		}
		return false
	}
	if len(r.rec) < width {
		r.problem("", "has %d fields, the header has %d", len(r.rec), width)
		return false
	}
	r.rec = r.rec[:width]
	return true
}

func (r *row) start(rec []string, line int) {
	r.rec = rec
	r.line = line
}

func (r *row) problem(field, format string, args ...any) {
	if !r.quiet {
		r.p.add(r.t.file, r.line, field, format, args...)
	}
}

// validate adds a record's own problems, located at this row.
func (r *row) validate(ps []kolgraph.Problem) {
	for _, pr := range ps {
		r.problem(pr.Field, "%s", pr.Message)
	}
}

func (r *row) checkUTF8() {
	for i, v := range r.rec {
		name := r.names[i]
		if name == "" {
			continue
		}
		// Formula-like text is the records' rule (kolgraph's Validate, the
		// same for mutations), reported at this row with the others.
		if !utf8.ValidString(v) {
			r.problem(name, "is not valid UTF-8")
		} else if strings.Contains(v, "\uFFFD") {
			r.problem(name, "contains %q (U+FFFD), the mark a program leaves where it could not read a character: "+
				"the text was damaged before it got here; export it again from the original as CSV UTF-8", utf8.RuneError)
		}
	}
}

// str returns the cell of col, "" if the header lacks it.
func (r *row) str(col string) string {
	// A linear scan of at most 13 short names beats hashing the name.
	i := r.pos[r.t.index(col)]
	if i < 0 {
		return ""
	}
	return r.rec[i]
}

// num returns the trimmed cell of col; numbers tolerate the spaces that
// hand-edited files tend to have.
func (r *row) num(col string) string { return strings.TrimSpace(r.str(col)) }

// yesNo reads a yes/no cell: yes, true, 1 or 是 are yes; no, false, 0, 否
// and a blank cell are no (any case); anything else is a problem naming
// the line and field.
func (r *row) yesNo(col string) bool {
	switch v := strings.ToLower(strings.TrimSpace(r.str(col))); v {
	case "yes", "y", "true", "1", "是":
		return true
	case "", "no", "n", "false", "0", "否":
		return false
	default:
		r.problem(col, "must be yes or no (got %q)", v)
		return false
	}
}

// int reads an integer cell; empty reads as 0.
func (r *row) int(col string) int {
	v := r.optInt(col)
	if v == nil {
		return 0
	}
	return *v
}

func (r *row) optInt(col string) *int {
	s := r.num(col)
	if s == "" {
		return nil
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		r.problem(col, "is not an integer (got %q)", kolgraph.Clip(s))
		return nil
	}
	return &v
}

// float reads a required number: an empty cell is a problem, not zero.
func (r *row) float(col string) float64 {
	if r.num(col) == "" {
		r.problem(col, "is required")
		return 0
	}
	v := r.optFloat(col)
	if v == nil {
		return 0
	}
	return *v
}

func (r *row) optFloat(col string) *float64 {
	s := r.num(col)
	if s == "" {
		return nil
	}
	// Plain decimals only: ParseFloat also takes hex (0x1p-1), Inf and NaN.
	if !isDecimal(s) {
		r.problem(col, "%s", numberProblem(col, kolgraph.Clip(s)))
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		r.problem(col, "is not a finite number (got %q)", kolgraph.Clip(s))
		return nil
	}
	if underflows(s, v) {
		r.problem(col, "underflows: %q is too small to be stored (below about 1e-308) and would read as 0; write 0 or a plain decimal", kolgraph.Clip(s))
		return nil
	}
	return &v
}

// list splits a multi-valued cell on "|", trimming each value.
func (r *row) list(col string) []string {
	s := r.str(col)
	if strings.TrimSpace(s) == "" {
		return nil
	}
	vs := strings.Split(s, ListSeparator)
	for i, v := range vs {
		vs[i] = strings.TrimSpace(v)
	}
	return vs
}

func (r *row) time(col string) time.Time {
	s := r.num(col)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		r.problem(col, "is not an RFC 3339 time such as 2024-05-01T00:00:00Z, or a date and time such as 2024-05-01 08:30 (read as China time) (got %q)", kolgraph.Clip(s))
	}
	return t
}

// register records a node id and reports duplicates within the file and
// ids another kind already uses.
func (p *parser) register(r *row, id string) {
	if id == "" {
		return
	}
	t, line, kind := r.t, r.line, r.kind
	prev, ok := p.ids[id]
	switch {
	case !ok:
		p.ids[id] = idEntry{kind, t.file, line}
	case r.quiet:
	case prev.kind == kind:
		p.add(t.file, line, "id", "duplicate id %q (first at line %d)", id, prev.line)
	default:
		p.add(t.file, line, "id", "id %q is already used by a %s (%s line %d)", id, prev.kind, prev.file, prev.line)
	}
}

// key reports a relationship key seen twice in one file. A stream leaves
// it to its consumer (see Stream): the set of every key of a national
// network's ties would be most of the memory the stream saves.
func (r *row) key(a, b string) {
	if r.p.emit != nil {
		return
	}
	seen := r.seen
	if seen == nil {
		seen = make(map[[2]string]int, r.p.sizeHint)
		r.seen = seen
	}
	k := [2]string{a, b}
	if first, ok := seen[k]; ok {
		r.problem("", "duplicate key (%s, %s) (first at line %d)", a, b, first)
		return
	}
	seen[k] = r.line
}

// node registers a decoded node record's id and line.
func (p *parser) node(r *row, id string) {
	if p.emit != nil {
		// The id outlives the row: a copy, not a slice of the row's line.
		id = strings.Clone(id)
	}
	p.register(r, id)
	if p.emit == nil {
		r.lines = append(r.lines, r.line)
	}
}

// rel records a decoded relationship's line.
func (p *parser) rel(r *row) {
	if p.emit == nil {
		r.lines = append(r.lines, r.line)
	}
}

// collect appends a decoded record to the change set, or, when streaming,
// checks its references (every file refers only to files read before it)
// and hands it to the consumer.
func collect[T any](p *parser, r *row, to *[]T, rec T) {
	if p.emit == nil {
		*to = append(*to, rec)
		return
	}
	if !r.quiet {
		p.checkRecord(r.t.file, r.line, rec)
	}
	p.emit(Record{File: r.t.file, Line: r.line, Rec: rec})
}

var kindOfFile = map[string]string{
	TerritoriesFile: KindTerritory,
	HospitalsFile:   KindHospital,
	DepartmentsFile: KindDepartment,
	HCPsFile:        KindHCP,
	CommitteesFile:  KindCommittee,
	ProductsFile:    KindProduct,
	UsersFile:       KindUser,
}

// decoders turn one row into a record, in the order of the format's files.
var decoders = map[string]func(p *parser, r *row){
	TerritoriesFile: func(p *parser, r *row) {
		t := &kolgraph.Territory{ID: r.str("id"), Name: r.str("name")}
		r.validate(t.Validate())
		p.node(r, t.ID)
		collect(p, r, &p.cs.Territories, t)
	},
	HospitalsFile: func(p *parser, r *row) {
		h := &kolgraph.Hospital{
			ID: r.str("id"), Name: r.str("name"), Tier: r.str("tier"),
			Province: r.str("province"), City: r.str("city"), Beds: r.int("beds"),
			Ownership: r.str("ownership"), PaymentModel: r.str("payment_model"),
			TerritoryID: r.str("territory_id"),
		}
		r.validate(h.Validate())
		p.node(r, h.ID)
		collect(p, r, &p.cs.Hospitals, h)
	},
	DepartmentsFile: func(p *parser, r *row) {
		d := &kolgraph.Department{
			ID: r.str("id"), HospitalID: r.str("hospital_id"), Name: r.str("name"),
			Specialty:             r.str("specialty"),
			WeeklyOutpatients:     r.optInt("weekly_outpatients"),
			IndicationShare:       r.optFloat("indication_share"),
			ManagedBeds:           r.optInt("managed_beds"),
			BedTurnover:           r.optFloat("bed_turnover"),
			DischargePenetration:  r.optFloat("discharge_penetration"),
			DRGEnrollmentRate:     r.optFloat("drg_enrollment_rate"),
			CompetitorPenetration: r.optFloat("competitor_penetration"),
			PolicySensitivity:     r.optFloat("policy_sensitivity"),
		}
		r.validate(d.Validate())
		p.node(r, d.ID)
		collect(p, r, &p.cs.Departments, d)
	},
	HCPsFile: func(p *parser, r *row) {
		h := &kolgraph.HCP{
			ID: r.str("id"), Name: r.str("name"), Role: r.str("role"), Title: r.str("title"),
			Position: r.str("position"), Specialty: r.str("specialty"),
			DepartmentID: r.str("department_id"), HospitalID: r.str("hospital_id"),
			KOLLevel: r.str("kol_level"), KOLEvidence: r.list("kol_evidence"),
			Phone: r.str("phone"), Email: r.str("email"), WeChat: r.str("wechat"),
		}
		r.validate(h.Validate())
		p.node(r, h.ID)
		collect(p, r, &p.cs.HCPs, h)
	},
	CommitteesFile: func(p *parser, r *row) {
		c := &kolgraph.Committee{ID: r.str("id"), Name: r.str("name"), Kind: r.str("kind"), HospitalID: r.str("hospital_id")}
		r.validate(c.Validate())
		p.node(r, c.ID)
		collect(p, r, &p.cs.Committees, c)
	},
	MembershipsFile: func(p *parser, r *row) {
		m := kolgraph.Membership{HCPID: r.str("hcp_id"), CommitteeID: r.str("committee_id"), Role: r.str("role")}
		r.validate(m.Validate())
		r.key(m.CommitteeID, m.HCPID)
		p.rel(r)
		collect(p, r, &p.cs.Memberships, m)
	},
	ProductsFile: func(p *parser, r *row) {
		pr := &kolgraph.Product{ID: r.str("id"), Name: r.str("name"), Indications: r.list("indications"), Specialties: r.list("specialties")}
		r.validate(pr.Validate())
		p.node(r, pr.ID)
		collect(p, r, &p.cs.Products, pr)
	},
	ListingsFile: func(p *parser, r *row) {
		l := kolgraph.Listing{HospitalID: r.str("hospital_id"), ProductID: r.str("product_id"), Status: r.str("status"), Since: r.str("since"),
			KeyMonitoring: r.yesNo("key_monitoring"), NationalInsurance: r.yesNo("national_insurance")}
		r.validate(l.Validate())
		r.key(l.HospitalID, l.ProductID)
		p.rel(r)
		collect(p, r, &p.cs.Listings, l)
	},
	IndicationSharesFile: func(p *parser, r *row) {
		s := kolgraph.ProductShare{DepartmentID: r.str("department_id"), ProductID: r.str("product_id"),
			Share: r.float("indication_share")}
		r.validate(s.Validate())
		r.key(s.DepartmentID, s.ProductID)
		p.rel(r)
		collect(p, r, &p.cs.IndicationShares, s)
	},
	UsersFile: func(p *parser, r *row) {
		u := &kolgraph.User{ID: r.str("id"), Name: r.str("name"), Role: r.str("role"), Territories: r.list("territories")}
		r.validate(u.Validate())
		p.node(r, u.ID)
		collect(p, r, &p.cs.Users, u)
	},
	KnowsFile: func(p *parser, r *row) {
		k := kolgraph.Knows{UserID: r.str("user_id"), HCPID: r.str("hcp_id"), Strength: r.float("strength")}
		r.validate(k.Validate())
		r.key(k.UserID, k.HCPID)
		p.rel(r)
		collect(p, r, &p.cs.Knows, k)
	},
	InfluencesFile: func(p *parser, r *row) {
		e := &kolgraph.Influence{
			From: r.str("from"), To: r.str("to"), Weight: r.float("weight"), Kind: r.str("kind"),
			Evidence: r.str("evidence"), UpdatedAt: r.time("updated_at"),
		}
		r.validate(e.Validate())
		r.key(e.From, e.To)
		p.rel(r)
		collect(p, r, &p.cs.Influences, e)
	},
	PrescriptionsFile: func(p *parser, r *row) {
		f := kolgraph.PrescriptionFact{HCPID: r.str("hcp_id"), DepartmentID: r.str("department_id"),
			ProductID: r.str("product_id"), Month: r.str("month"), Volume: r.float("volume")}
		r.validate(f.Validate())
		k := f.Key()
		r.key(k.EntityID(), k.ProductID+", "+k.Month)
		p.rel(r)
		collect(p, r, &p.cs.Prescriptions, f)
	},
}
