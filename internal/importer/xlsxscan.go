package importer

import (
	"archive/zip"
	"cmp"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// sheetFacts is what excelize's row iterator does not say about a sheet's
// cells, read from the sheet's XML in one streamed pass.
type sheetFacts struct {
	merges  []cellRange // merged ranges
	noValue []cellRef   // formulas without a saved value (files written by programs that do not calculate)
	bools   []cellRef   // logical cells (TRUE, FALSE), which read as 1 and 0
}

type cellRef struct{ col, row int }

type cellRange struct {
	ref            string // as the sheet names it, "D4:D6"
	col1, row1     int
	col2, row2     int
	topLeftHasText bool // set while the rows are read
}

// maxFacts bounds the cells of each kind kept per sheet: a column of
// uncalculated formulas must not cost memory per row.
const maxFacts = 1000

// scanSheets reads the facts of every sheet of the workbook in data,
// unpacking at most limit bytes in all. A workbook whose parts it cannot
// find gets no facts (excelize has read it; these checks are extra). It
// stops when ctx ends (the error) or a sheet has more rows than Excel
// allows (errTooManyRows).
func scanSheets(ctx context.Context, r io.ReaderAt, size, limit int64) (map[string]*sheetFacts, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, nil
	}
	budget := &budgetReader{n: limit}
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if decodePart(zr, "xl/workbook.xml", budget, &wb) != nil || decodePart(zr, "xl/_rels/workbook.xml.rels", budget, &rels) != nil {
		return nil, nil
	}
	target := map[string]string{}
	for _, r := range rels.Rels {
		t := r.Target
		if strings.HasPrefix(t, "/") {
			t = strings.TrimPrefix(t, "/")
		} else {
			t = path.Join("xl", t)
		}
		target[r.ID] = t
	}
	out := map[string]*sheetFacts{}
	for _, s := range wb.Sheets {
		if isNoteSheet(s.Name) {
			continue
		}
		f, err := zr.Open(target[s.RID])
		if err != nil {
			continue
		}
		budget.r = f
		facts, err := scanSheet(ctx, budget)
		f.Close()
		if ctx.Err() != nil || errors.Is(err, errTooManyRows) {
			return nil, cmp.Or(ctx.Err(), fmt.Errorf("sheet %s %w", s.Name, err))
		}
		if err != nil {
			continue
		}
		out[s.Name] = facts
	}
	return out, nil
}

// maxSheetRows is the most rows an Excel sheet has (1,048,576): a sheet
// that claims more was not saved by a spreadsheet, and reading it would
// cost time without bound (a "blank rows" bomb).
const maxSheetRows = 1 << 20

var errTooManyRows = fmt.Errorf("has more than %d rows, more than Excel allows", maxSheetRows)

func decodePart(zr *zip.Reader, name string, budget *budgetReader, v any) error {
	f, err := zr.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	budget.r = f
	return xml.NewDecoder(budget).Decode(v)
}

// budgetReader fails once more than n bytes were read through it, over
// every reader it is pointed at.
type budgetReader struct {
	r io.Reader
	n int64
}

var errBudget = errors.New("workbook unpacks beyond the limit")

func (b *budgetReader) Read(p []byte) (int, error) {
	if b.n <= 0 {
		return 0, errBudget
	}
	if int64(len(p)) > b.n {
		p = p[:b.n]
	}
	n, err := b.r.Read(p)
	b.n -= int64(n)
	return n, err
}

// scanSheet streams one sheet's XML.
func scanSheet(ctx context.Context, r io.Reader) (*sheetFacts, error) {
	facts := &sheetFacts{}
	d := xml.NewDecoder(r)
	var (
		in         cellRef
		inCell     bool
		hasF, hasV bool
		isBool     bool
		rows       int
	)
	for n := 0; ; n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return facts, nil
		}
		if err != nil {
			return nil, err
		}
		switch e := tok.(type) {
		case xml.StartElement:
			switch e.Name.Local {
			case "row":
				if rows++; rows > maxSheetRows {
					return nil, errTooManyRows
				}
				for _, a := range e.Attr {
					if n, err := strconv.Atoi(a.Value); a.Name.Local == "r" && err == nil && n > maxSheetRows {
						return nil, errTooManyRows
					}
				}
			case "c":
				inCell, hasF, hasV, isBool, in = true, false, false, false, cellRef{}
				for _, a := range e.Attr {
					switch a.Name.Local {
					case "r":
						c, r, err := excelize.CellNameToCoordinates(a.Value)
						if err == nil {
							in = cellRef{c, r}
						}
					case "t":
						isBool = a.Value == "b"
					}
				}
			case "f":
				hasF = inCell
			case "v", "is":
				hasV = inCell
			case "mergeCell":
				for _, a := range e.Attr {
					if a.Name.Local == "ref" && len(facts.merges) < maxFacts {
						if m, ok := parseRange(a.Value); ok {
							facts.merges = append(facts.merges, m)
						}
					}
				}
			}
		case xml.EndElement:
			if e.Name.Local != "c" || !inCell {
				continue
			}
			inCell = false
			if in.row == 0 {
				continue // a cell without a reference: not placed
			}
			if hasF && !hasV && len(facts.noValue) < maxFacts {
				facts.noValue = append(facts.noValue, in)
			}
			if isBool && len(facts.bools) < maxFacts {
				facts.bools = append(facts.bools, in)
			}
		}
	}
}

func parseRange(ref string) (cellRange, bool) {
	a, b, ok := strings.Cut(ref, ":")
	if !ok {
		return cellRange{}, false
	}
	c1, r1, err1 := excelize.CellNameToCoordinates(a)
	c2, r2, err2 := excelize.CellNameToCoordinates(b)
	if err1 != nil || err2 != nil {
		return cellRange{}, false
	}
	return cellRange{ref: ref, col1: min(c1, c2), row1: min(r1, r2), col2: max(c1, c2), row2: max(r1, r2)}, true
}

// covered returns the first cell of m that is not its top-left one: the
// first that reads empty.
func (m cellRange) covered() cellRef {
	if m.row2 > m.row1 {
		return cellRef{m.col1, m.row1 + 1}
	}
	return cellRef{m.col1 + 1, m.row1}
}

func cellName(c cellRef) string {
	n, err := excelize.CoordinatesToCellName(c.col, c.row)
	if err != nil {
		return "?"
	}
	return n
}
