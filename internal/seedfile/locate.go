package seedfile

import (
	"errors"
	"io/fs"
	"slices"
	"strings"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Locations say where the records of a file set came from: the line of
// each record of each file, in the order of the change set's upserts.
type Locations struct {
	cs    *kolgraph.ChangeSet
	lines map[string][]int
}

// ReadLocated is ReadWithNotes that also returns where each record was
// read, to name the file and line of the problems a store or the writer
// finds later (Locate).
func ReadLocated(fsys fs.FS, opts ReadOptions) (*kolgraph.ChangeSet, []Note, *Locations, error) {
	p := read(fsys, opts)
	if p.err != nil {
		return nil, nil, nil, p.err
	}
	if err := kolgraph.Invalid(p.problems()); err != nil {
		return nil, nil, nil, err
	}
	return p.cs, p.notes, &Locations{cs: p.cs, lines: p.lines}, nil
}

// Locate rewrites the problems of err that name a record of the files as
// kind/id ("hcps/P011", "influences/P001->P002": what the stores and the
// writer say) to the file and line the record was read from, the record
// named in the message. Problems about records the files do not hold (a
// stored HCP whose department moves) keep their name. Other errors are
// returned as they are.
func (l *Locations) Locate(err error) error {
	var e *kolgraph.Error
	if l == nil || !errors.As(err, &e) || len(e.Problems) == 0 {
		return err
	}
	ids := map[string][]string{}
	out := *e
	out.Problems = slices.Clone(e.Problems)
	changed := false
	for i, p := range out.Problems {
		kind, id, ok := strings.Cut(p.File, "/")
		file := kind + ".csv"
		if !ok || p.Line != 0 || fileIndex(file) < 0 {
			continue
		}
		if _, seen := ids[kind]; !seen {
			ids[kind] = kolgraph.UpsertIDs(l.cs, kind)
		}
		at := lastIndex(ids[kind], id)
		lines := l.lines[file]
		if at < 0 || at >= len(lines) {
			continue
		}
		out.Problems[i] = kolgraph.Problem{File: file, Line: lines[at], Field: p.Field, Message: p.Message}
		changed = true
	}
	if !changed {
		return err
	}
	if out.Code == kolgraph.EINVALID {
		return kolgraph.Invalid(out.Problems) // the message names the first problem's file and line
	}
	return &out
}

// lastIndex is the index of the last id in ids (the upsert that wins), -1
// if none.
func lastIndex(ids []string, id string) int {
	for i := len(ids) - 1; i >= 0; i-- {
		if ids[i] == id {
			return i
		}
	}
	return -1
}
