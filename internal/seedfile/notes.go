package seedfile

import (
	"fmt"
	"io/fs"
	"slices"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Kinds of Note.
const (
	NoteEncoding  = "encoding"  // the encoding a file was read as
	NoteLayout    = "layout"    // separator, ignored columns or rows
	NoteNormalise = "normalise" // cells rewritten to the format's form
)

// Note is something the reader did with a file that a user should know,
// though nothing was wrong: the encoding it read, the separator it found,
// the cells it normalised (counted per file and kind, never per cell).
type Note struct {
	File    string
	Kind    string
	Message string
}

func (n Note) String() string { return n.File + ": " + n.Message }

// ReadWithNotes is ReadWith that also returns the notes on the files read,
// in file order.
func ReadWithNotes(fsys fs.FS, opts ReadOptions) (*kolgraph.ChangeSet, []Note, error) {
	p := read(fsys, opts)
	if p.err != nil {
		return nil, nil, p.err
	}
	if err := kolgraph.Invalid(p.problems()); err != nil {
		return nil, nil, err
	}
	return p.cs, p.notes, nil
}

func (p *parser) note(file, kind, format string, args ...any) {
	p.notes = append(p.notes, Note{File: file, Kind: kind, Message: fmt.Sprintf(format, args...)})
}

// normalised counts a cell of the current file rewritten as what says
// ("in full-width digits made half-width": the note reads "12 cells in
// full-width ...").
func (p *parser) normalised(what string) {
	if p.norm == nil {
		p.norm = map[string]int{}
	}
	p.norm[what]++
}

// flushNormalised turns the current file's counts into notes.
func (p *parser) flushNormalised(file string) {
	whats := make([]string, 0, len(p.norm))
	for w := range p.norm {
		whats = append(whats, w)
	}
	slices.Sort(whats)
	for _, w := range whats {
		n := p.norm[w]
		cells := "cells"
		if n == 1 {
			cells = "cell"
		}
		p.note(file, NoteNormalise, "%d %s %s", n, cells, w)
	}
	clear(p.norm)
}
