package importer

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
)

// A workbook has one sheet per kind, named like the CSV file without
// ".csv" (hospitals, hcps, influences, ...), with the CSV header in its
// first row (below blank rows and a title row, if any). Sheets named
// README, or starting with "_", are notes and are skipped; other sheets
// are ignored and noted. Cells are read as their stored values (a number
// formatted as a percentage reads 0.28, not 28%); a date cell in "since"
// or "updated_at" reads as that date, in "month" as its month. A formula cell reads as the value
// the spreadsheet last computed for it; one never computed, a merged cell
// and a logical value in a number column are problems (xlsxscan.go).
//
// The workbook is read by turning each sheet into CSV and reading those
// with seedfile, so XLSX and CSV imports check exactly the same things;
// problems are mapped back to the sheet and its row numbers.

// unzipFactor bounds a workbook's unpacked size relative to MaxBytes:
// sheets compress about tenfold, and a zip bomb must stop well before memory
// does.
const unzipFactor = 16

// slimWorkbook returns the workbook in r with only the parts a table is
// read from: the package and workbook structure, the worksheets, shared
// strings and styles. Pictures, drawings, pivot caches, document
// properties and the like are left out before anything is unpacked
// (their compressed bytes are copied as they are), so a part that unpacks
// to gigabytes costs nothing; the kept parts may unpack to at most limit
// bytes in all, by the sizes the archive declares (which the zip reader
// enforces as it unpacks).
func slimWorkbook(r io.ReaderAt, size, limit int64) ([]byte, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, errors.New("is not an XLSX workbook")
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var total uint64
	for _, f := range zr.File {
		if !tablePart(f.Name) {
			continue
		}
		if total += f.UncompressedSize64; total > uint64(limit) {
			return nil, fmt.Errorf("unpacks to more than %d bytes (at part %s), the limit for a workbook of this import", limit, f.Name)
		}
		raw, err := f.OpenRaw()
		if err != nil {
			return nil, errors.New("is not an XLSX workbook")
		}
		w, err := zw.CreateRaw(&f.FileHeader)
		if err != nil {
			return nil, err
		}
		if _, err := io.Copy(w, raw); err != nil {
			return nil, errors.New("is not an XLSX workbook")
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// tablePart reports whether a workbook part is one a table is read from.
func tablePart(name string) bool {
	switch name {
	case "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
		"xl/sharedStrings.xml", "xl/styles.xml":
		return true
	}
	dir, file := path.Split(name)
	return dir == "xl/worksheets/" && strings.HasSuffix(file, ".xml")
}

func sheetFile(sheet string) string { return strings.ToLower(strings.TrimSpace(sheet)) + ".csv" }

func isNoteSheet(sheet string) bool {
	s := strings.TrimSpace(sheet)
	return strings.EqualFold(s, "readme") || strings.HasPrefix(s, "_")
}

func readXLSX(ctx context.Context, files []File, ro seedfile.ReadOptions, limit int64) (*readResult, error) {
	if len(files) != 1 {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "an XLSX import is one workbook; got %d files", len(files))
	}
	f := files[0]
	var head [8]byte
	n, _ := f.reader().Read(head[:])
	if bytes.HasPrefix(head[:n], []byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1")) {
		return nil, kolgraph.Invalid([]kolgraph.Problem{{File: f.Name, Message: seedfile.XLSNotSupported}})
	}
	slim, err := slimWorkbook(f.reader(), f.size(), unzipFactor*limit)
	if err != nil {
		return nil, kolgraph.Invalid([]kolgraph.Problem{{File: f.Name, Message: err.Error()}})
	}
	wb, err := excelize.OpenReader(bytes.NewReader(slim), excelize.Options{
		UnzipSizeLimit:    unzipFactor * limit,
		UnzipXMLSizeLimit: min(unzipFactor*limit, 16<<20),
	})
	if err != nil {
		msg := "is not an XLSX workbook"
		if strings.Contains(err.Error(), "size") {
			msg = fmt.Sprintf("unpacks to more than %d bytes, the limit for a workbook of this import", unzipFactor*limit)
		}
		return nil, kolgraph.Invalid([]kolgraph.Problem{{File: f.Name, Message: msg}})
	}
	defer wb.Close()
	facts, err := scanSheets(ctx, bytes.NewReader(slim), int64(len(slim)), unzipFactor*limit)
	if errors.Is(err, errTooManyRows) {
		return nil, kolgraph.Invalid([]kolgraph.Problem{{File: f.Name, Message: err.Error()}})
	}
	if err != nil {
		return nil, err
	}

	fsys := fstest.MapFS{}
	sheets := map[string]string{} // CSV file name -> sheet name
	rowOf := map[string][]int{}   // CSV file name -> sheet row of each CSV line (index line-1)
	var ps, cellPs []kolgraph.Problem
	var notes, ignored []string
	for _, sheet := range wb.GetSheetList() {
		if isNoteSheet(sheet) {
			continue
		}
		name := sheetFile(sheet)
		if _, ok := seedfile.Columns(name); !ok {
			// A summary, a pivot, Sheet1 left empty: not the format's, and
			// nothing of it is read.
			ignored = append(ignored, sheet)
			notes = append(notes, fmt.Sprintf("%s: not a sheet of the format (%s), ignored", sheet, strings.Join(sheetNames(), ", ")))
			continue
		}
		if prev, dup := sheets[name]; dup {
			ps = append(ps, kolgraph.Problem{File: sheet, Message: fmt.Sprintf("holds the same kind as sheet %q", prev)})
			continue
		}
		sc, err := sheetCSV(ctx, wb, sheet, name, limit, facts[sheet])
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if err != nil {
			ps = append(ps, kolgraph.Problem{File: sheet, Message: err.Error()})
			continue
		}
		sheets[name] = sheet
		rowOf[name] = sc.rows
		fsys[name] = &fstest.MapFile{Data: sc.data, Mode: 0o444}
		notes = append(notes, sc.notes...)
		cellPs = append(cellPs, sc.problems...)
	}
	if err := kolgraph.Invalid(ps); err != nil {
		return nil, err
	}
	if len(fsys) == 0 {
		msg := "has no sheet of the format; expected " + strings.Join(sheetNames(), ", ")
		if len(ignored) > 0 {
			msg += fmt.Sprintf(" (its sheets %s are not)", strings.Join(ignored, ", "))
		}
		return nil, kolgraph.Invalid([]kolgraph.Problem{{File: f.Name, Message: msg}})
	}
	ro.UTF8 = true // the CSV made of the sheets: workbooks are Unicode
	cs, ns, locs, err := seedfile.ReadLocated(fsys, ro)
	if err != nil {
		return nil, mergeProblems(remap(err, sheets, rowOf), cellPs)
	}
	if err := kolgraph.Invalid(cellPs); err != nil {
		return nil, err
	}
	for _, n := range ns {
		notes = append(notes, sheets[n.File]+": "+n.Message)
	}
	locate := func(err error) error {
		err = locs.Locate(err)
		if kolgraph.ErrorCode(err) != kolgraph.EINVALID {
			return err // remap makes a list of problems; a conflict or a failure stays what it is
		}
		return remap(err, sheets, rowOf)
	}
	return &readResult{cs: cs, notes: notes, locate: locate}, nil
}

// mergeProblems adds the problems of cells that the workbook itself
// explains (merged, uncalculated) to seedfile's, in place of what seedfile
// says about the same cells (an empty required value).
func mergeProblems(err error, cellPs []kolgraph.Problem) error {
	var kerr *kolgraph.Error
	if len(cellPs) == 0 || !asError(err, &kerr) {
		return err
	}
	type cell struct {
		file, field string
		line        int
	}
	explained := map[cell]bool{}
	for _, p := range cellPs {
		explained[cell{p.File, p.Field, p.Line}] = true
	}
	ps := slices.Clone(cellPs)
	for _, p := range kerr.Problems {
		if !explained[cell{p.File, p.Field, p.Line}] {
			ps = append(ps, p)
		}
	}
	slices.SortStableFunc(ps, func(a, b kolgraph.Problem) int {
		// A problem of no file ("N more problems not listed") stays last.
		last := func(p kolgraph.Problem) int {
			if p.File == "" {
				return 1
			}
			return 0
		}
		return cmp.Or(cmp.Compare(last(a), last(b)), cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	return kolgraph.Invalid(ps)
}

func sheetNames() []string {
	var out []string
	for _, n := range seedfile.FileNames() {
		out = append(out, strings.TrimSuffix(n, ".csv"))
	}
	return out
}

// sheetCSV is a sheet made CSV for seedfile, and what was found in it.
type sheetCSVResult struct {
	data     []byte
	rows     []int // rows[i] is the sheet row that CSV line i+1 comes from
	notes    []string
	problems []kolgraph.Problem // of cells that the CSV cannot show (merged, uncalculated)
}

// sheetCSV writes a sheet as CSV: its header is the first row that is not
// blank or a title (one cell that names no column, often merged across
// the table), empty rows are left out, rows are padded to the header's
// width. facts (nil: none known) add problems for merged cells, formulas
// without a saved value and logical values in number columns.
func sheetCSV(ctx context.Context, wb *excelize.File, sheet, file string, limit int64, facts *sheetFacts) (*sheetCSVResult, error) {
	it, err := wb.Rows(sheet)
	if err != nil {
		return nil, fmt.Errorf("cannot be read: %v", err)
	}
	defer it.Close()
	if facts == nil {
		facts = &sheetFacts{}
	}
	cols, _ := seedfile.Columns(file)
	res := &sheetCSVResult{}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	var header []string
	headerRow := 0
	dateCol := map[int]string{}
	for n := 1; it.Next(); n++ {
		if n > maxSheetRows {
			return nil, errTooManyRows
		}
		if n%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		cells, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, fmt.Errorf("row %d cannot be read: %v", n, err)
		}
		for i := range facts.merges {
			if m := &facts.merges[i]; m.row1 == n && m.col1 <= len(cells) && strings.TrimSpace(cells[m.col1-1]) != "" {
				m.topLeftHasText = true
			}
		}
		if header == nil {
			if blank(cells) {
				continue
			}
			if title, ok := titleRow(cells, cols); ok {
				res.notes = append(res.notes, fmt.Sprintf("%s: row %d (%q) is a title above the header, skipped", sheet, n, kolgraph.Clip(title)))
				continue
			}
			header, headerRow = slices.Clone(cells), n
			for i, h := range header {
				if c := strings.ToLower(strings.TrimSpace(h)); c == "since" || c == "updated_at" || c == "month" {
					dateCol[i] = c
				}
			}
		} else {
			if blank(cells) {
				continue
			}
			for len(cells) < len(header) {
				cells = append(cells, "")
			}
			for len(cells) > len(header) && cells[len(cells)-1] == "" {
				cells = cells[:len(cells)-1]
			}
			for i, col := range dateCol {
				if i < len(cells) {
					cells[i] = dateCell(cells[i], col)
				}
			}
		}
		pos := buf.Len()
		if err := w.Write(cells); err != nil {
			return nil, err
		}
		w.Flush()
		for range bytes.Count(buf.Bytes()[pos:], []byte("\n")) {
			res.rows = append(res.rows, n)
		}
		if int64(buf.Len()) > unzipFactor*limit {
			return nil, fmt.Errorf("holds more than %d bytes of cells", unzipFactor*limit)
		}
	}
	if err := it.Error(); err != nil {
		return nil, fmt.Errorf("cannot be read: %v", err)
	}
	res.data = buf.Bytes()
	if header != nil {
		res.problems = cellProblems(sheet, header, headerRow, facts)
	}
	return res, nil
}

// titleRow reports a row with one non-blank cell that names no column of
// the table: a title such as "2024年 华东区 医生名单" above the header.
func titleRow(cells, cols []string) (string, bool) {
	var text string
	for _, c := range cells {
		if strings.TrimSpace(c) == "" {
			continue
		}
		if text != "" {
			return "", false
		}
		text = strings.TrimSpace(c)
	}
	return text, !slices.Contains(cols, strings.ToLower(text))
}

// cellProblems are the problems of the table's cells that its values do
// not show: a merged cell reads as empty but for its top-left one, a
// formula never calculated reads as empty, TRUE reads as 1.
func cellProblems(sheet string, header []string, headerRow int, facts *sheetFacts) []kolgraph.Problem {
	width := len(header)
	for width > 0 && strings.TrimSpace(header[width-1]) == "" {
		width--
	}
	field := func(col int) string {
		if col < 1 || col > width {
			return ""
		}
		return strings.ToLower(strings.TrimSpace(header[col-1]))
	}
	var ps []kolgraph.Problem
	for _, m := range facts.merges {
		if m.row2 < headerRow || m.col1 > width || !m.topLeftHasText {
			continue // above the table (a title), right of it, or blank throughout
		}
		c := m.covered()
		ps = append(ps, kolgraph.Problem{File: sheet, Line: c.row, Field: field(c.col), Message: fmt.Sprintf(
			"%s is a merged cell (%s): only %s holds the value, the others read as empty; unmerge the cells and fill each one",
			cellName(c), m.ref, cellName(cellRef{m.col1, m.row1}))})
	}
	for _, c := range facts.noValue {
		if c.row > headerRow && c.col <= width {
			ps = append(ps, kolgraph.Problem{File: sheet, Line: c.row, Field: field(c.col), Message: fmt.Sprintf(
				"%s is a formula with no saved value; open and save the file in Excel or WPS (which calculates it), or paste the column as values",
				cellName(c))})
		}
	}
	for _, c := range facts.bools {
		if f := field(c.col); c.row > headerRow && numericColumns[f] {
			ps = append(ps, kolgraph.Problem{File: sheet, Line: c.row, Field: f, Message: fmt.Sprintf(
				"%s is a logical value (TRUE or FALSE), not a number", cellName(c))})
		}
	}
	return ps
}

func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// dateCell turns a date cell's serial number into the text the format
// wants; anything else is left for seedfile to judge.
func dateCell(v, col string) string {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f <= 0 || f > 2958465 { // 9999-12-31
		return v
	}
	t, err := excelize.ExcelDateToTime(f, false)
	if err != nil {
		return v
	}
	switch col {
	case "since":
		return t.Format(time.DateOnly)
	case "month": // a spreadsheet turns a typed 2026-01 into 2026-01-01
		if t.Year() < 1900 || t.Year() > 2100 {
			return v // a number that is no date of this era (202601): seedfile says so
		}
		return t.Format("2006-01")
	}
	return t.UTC().Format(time.RFC3339)
}

// remap points seedfile's problems at sheets and sheet rows.
func remap(err error, sheets map[string]string, rowOf map[string][]int) error {
	var kerr *kolgraph.Error
	if !asError(err, &kerr) {
		return err
	}
	ps := make([]kolgraph.Problem, len(kerr.Problems))
	for i, p := range kerr.Problems {
		if sheet, ok := sheets[path.Base(p.File)]; ok {
			if rows := rowOf[p.File]; p.Line > 0 && p.Line <= len(rows) {
				p.Line = rows[p.Line-1]
			}
			p.File = sheet
		}
		ps[i] = p
	}
	return kolgraph.Invalid(ps)
}
