package importer

import (
	"context"
	"errors"
	"io"
	"path"
	"strings"
	"sync"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// Phase is where an import is: reading its files (parsing and checking
// every row's fields and references), checking what it changes against the
// store (including the wait for the write turn), writing, or done.
type Phase string

const (
	PhaseReading  Phase = "reading"
	PhaseChecking Phase = "checking"
	PhaseWriting  Phase = "writing"
	PhaseDone     Phase = "done"
)

// Progress is an import's progress, updated while it runs and safe to read
// meanwhile (Status). A failed import keeps the phase it failed in.
type Progress struct {
	mu      sync.Mutex
	phase   Phase
	files   []FileProgress
	rows    int // records read, over all files (known once read)
	checked int // records compared with the store
	changed int // records the write changes (known once checked)
	written int // records written
}

// FileProgress is how far one file has been read.
type FileProgress struct {
	Name string
	Size int64
	// BytesRead is how much of the file the latest reading of it has read.
	// A CSV file over 1 MiB is read twice, first to decide its encoding,
	// so it runs up to Size twice; an XLSX workbook is read into memory
	// first, then its sheets are unpacked.
	BytesRead int64
	// Rows is the number of records read from the file, known once every
	// file has been read (-1 before).
	Rows int
}

// ProgressStatus is a copy of a Progress at one moment.
type ProgressStatus struct {
	Phase Phase
	Files []FileProgress
	// Rows read (all files), records Checked against the store, records
	// the write Changes and records Written.
	Rows, Checked, Changes, Written int
}

// NewProgress returns the progress of an import of files, in the reading
// phase.
func NewProgress(files []File) *Progress {
	p := &Progress{phase: PhaseReading, files: make([]FileProgress, len(files))}
	for i, f := range files {
		p.files[i] = FileProgress{Name: f.Name, Size: f.size(), Rows: -1}
	}
	return p
}

// Status returns a copy of the progress.
func (p *Progress) Status() ProgressStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	files := make([]FileProgress, len(p.files))
	copy(files, p.files)
	return ProgressStatus{Phase: p.phase, Files: files, Rows: p.rows, Checked: p.checked,
		Changes: p.changed, Written: p.written}
}

func (p *Progress) update(f func(p *Progress)) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	f(p)
}

func (p *Progress) setPhase(ph Phase) { p.update(func(p *Progress) { p.phase = ph }) }

// read notes that file i's latest reading is at n bytes.
func (p *Progress) read(i int, n int64) {
	p.update(func(p *Progress) { p.files[i].BytesRead = n })
}

// readAll notes what every file held, once read.
func (p *Progress) readAll(format Format, cs *kolgraph.ChangeSet) {
	p.update(func(p *Progress) {
		p.rows = countRecords(cs)
		for i := range p.files {
			if format == XLSX {
				p.files[i].Rows = p.rows
			} else {
				p.files[i].Rows = recordsOfFile(cs, p.files[i].Name)
			}
			p.files[i].BytesRead = p.files[i].Size
		}
		p.phase = PhaseChecking
	})
}

// recordsOfFile counts the records of cs that CSV file name holds.
func recordsOfFile(cs *kolgraph.ChangeSet, name string) int {
	switch path.Base(strings.ReplaceAll(name, `\`, "/")) {
	case "territories.csv":
		return len(cs.Territories)
	case "hospitals.csv":
		return len(cs.Hospitals)
	case "departments.csv":
		return len(cs.Departments)
	case "hcps.csv":
		return len(cs.HCPs)
	case "committees.csv":
		return len(cs.Committees)
	case "memberships.csv":
		return len(cs.Memberships)
	case "products.csv":
		return len(cs.Products)
	case "listings.csv":
		return len(cs.Listings)
	case "indication_shares.csv":
		return len(cs.IndicationShares)
	case "users.csv":
		return len(cs.Users)
	case "knows.csv":
		return len(cs.Knows)
	case "influences.csv":
		return len(cs.Influences)
	case "prescriptions.csv":
		return len(cs.Prescriptions)
	}
	return 0
}

// counted is files whose readers report to p the bytes they have read.
func (p *Progress) counted(files []File) []File {
	if p == nil {
		return files
	}
	out := make([]File, len(files))
	for i, f := range files {
		out[i] = File{Name: f.Name, Content: &countingReaderAt{r: f.readerAt(), report: func(n int64) { p.read(i, n) }}, Size: f.size()}
	}
	return out
}

// countingReaderAt reports the furthest offset read since the last read
// from offset 0 (a new reading of the file).
type countingReaderAt struct {
	r      io.ReaderAt
	report func(n int64)
	mu     sync.Mutex
	far    int64
}

func (c *countingReaderAt) ReadAt(b []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(b, off)
	c.mu.Lock()
	if off == 0 {
		c.far = 0
	}
	if end := off + int64(n); end > c.far {
		c.far = end
		c.report(end)
	}
	c.mu.Unlock()
	return n, err
}

// watched is the writer's store with the write itself reported to p (the
// writer calls Apply with CheckOnly to judge a dry run, and without to
// write).
type watched struct {
	writer.Store
	p *Progress
}

func (w watched) Apply(ctx context.Context, cs *kolgraph.ChangeSet) (uint64, error) {
	if cs.CheckOnly {
		return w.Store.Apply(ctx, cs)
	}
	w.p.update(func(p *Progress) {
		p.phase, p.checked, p.changed = PhaseWriting, p.rows, len(cs.Audit)
	})
	v, err := w.Store.Apply(ctx, cs)
	if errors.Is(err, kolgraph.ErrStale) { // compared again
		w.p.setPhase(PhaseChecking)
	}
	return v, err
}

// Authorize passes the store's own authorization on (see the writer's
// authorizer): wrapping must not lose it.
func (w watched) Authorize(cs *kolgraph.ChangeSet) error {
	if a, ok := w.Store.(interface {
		Authorize(cs *kolgraph.ChangeSet) error
	}); ok {
		return a.Authorize(cs)
	}
	return nil
}
