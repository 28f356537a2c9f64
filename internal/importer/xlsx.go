package importer

import (
	"bytes"
	"encoding/csv"
	"fmt"
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
// first row. Sheets named README, or starting with "_", are notes and are
// skipped. Cells are read as their stored values (a number formatted as a
// percentage reads 0.28, not 28%); a date cell in "since" or "updated_at"
// reads as that date. A formula cell reads as the value the spreadsheet
// last computed for it.
//
// The workbook is read by turning each sheet into CSV and reading those
// with seedfile, so XLSX and CSV imports check exactly the same things;
// problems are mapped back to the sheet and its row numbers.

// unzipFactor bounds a workbook's unpacked size relative to MaxBytes:
// sheets compress about tenfold, and a zip bomb must stop well before memory
// does.
const unzipFactor = 16

func sheetFile(sheet string) string { return strings.ToLower(strings.TrimSpace(sheet)) + ".csv" }

func isNoteSheet(sheet string) bool {
	s := strings.TrimSpace(sheet)
	return strings.EqualFold(s, "readme") || strings.HasPrefix(s, "_")
}

func readXLSX(files []File, ro seedfile.ReadOptions, limit int64) (*kolgraph.ChangeSet, []string, error) {
	if len(files) != 1 {
		return nil, nil, kolgraph.Errorf(kolgraph.EINVALID, "an XLSX import is one workbook; got %d files", len(files))
	}
	f := files[0]
	wb, err := excelize.OpenReader(f.reader(), excelize.Options{
		UnzipSizeLimit:    unzipFactor * limit,
		UnzipXMLSizeLimit: min(unzipFactor*limit, 16<<20),
	})
	if err != nil {
		msg := "is not an XLSX workbook"
		if strings.Contains(err.Error(), "size") {
			msg = fmt.Sprintf("unpacks to more than %d bytes, the limit for a workbook of this import", unzipFactor*limit)
		}
		return nil, nil, kolgraph.Invalid([]kolgraph.Problem{{File: f.Name, Message: msg}})
	}
	defer wb.Close()

	fsys := fstest.MapFS{}
	sheets := map[string]string{} // CSV file name -> sheet name
	rowOf := map[string][]int{}   // CSV file name -> sheet row of each CSV line (index line-1)
	var ps []kolgraph.Problem
	var notes []string
	for _, sheet := range wb.GetSheetList() {
		if isNoteSheet(sheet) {
			continue
		}
		name := sheetFile(sheet)
		if _, ok := seedfile.Columns(name); !ok {
			ps = append(ps, kolgraph.Problem{File: sheet, Message: fmt.Sprintf(
				"is not a sheet of the format; expected one of %s (or README for notes)", strings.Join(sheetNames(), ", "))})
			continue
		}
		if prev, dup := sheets[name]; dup {
			ps = append(ps, kolgraph.Problem{File: sheet, Message: fmt.Sprintf("holds the same kind as sheet %q", prev)})
			continue
		}
		data, rows, err := sheetCSV(wb, sheet, limit)
		if err != nil {
			ps = append(ps, kolgraph.Problem{File: sheet, Message: err.Error()})
			continue
		}
		sheets[name] = sheet
		rowOf[name] = rows
		fsys[name] = &fstest.MapFile{Data: data, Mode: 0o444}
	}
	if err := kolgraph.Invalid(ps); err != nil {
		return nil, nil, err
	}
	if len(fsys) == 0 {
		return nil, nil, kolgraph.Invalid([]kolgraph.Problem{{File: f.Name,
			Message: "has no sheet of the format; expected " + strings.Join(sheetNames(), ", ")}})
	}
	cs, ns, err := seedfile.ReadWithNotes(fsys, ro)
	if err != nil {
		return nil, nil, remap(err, sheets, rowOf)
	}
	for _, n := range ns {
		if n.Kind == seedfile.NoteEncoding { // the CSV made of a sheet, always UTF-8
			continue
		}
		notes = append(notes, sheets[n.File]+": "+n.Message)
	}
	return cs, notes, nil
}

func sheetNames() []string {
	var out []string
	for _, n := range seedfile.FileNames() {
		out = append(out, strings.TrimSuffix(n, ".csv"))
	}
	return out
}

// sheetCSV writes a sheet as CSV: its first row is the header, empty rows
// are left out, rows are padded to the header's width. rows[i] is the sheet
// row that CSV line i+1 comes from.
func sheetCSV(wb *excelize.File, sheet string, limit int64) ([]byte, []int, error) {
	it, err := wb.Rows(sheet)
	if err != nil {
		return nil, nil, fmt.Errorf("cannot be read: %v", err)
	}
	defer it.Close()
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	var rows []int
	var header []string
	dateCol := map[int]string{}
	for n := 1; it.Next(); n++ {
		cells, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, nil, fmt.Errorf("row %d cannot be read: %v", n, err)
		}
		if header == nil {
			header = slices.Clone(cells)
			for i, h := range header {
				if c := strings.TrimSpace(h); c == "since" || c == "updated_at" {
					dateCol[i] = c
				}
			}
			if header == nil {
				header = []string{}
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
		rec := cells
		if n == 1 {
			rec = header
		}
		if err := w.Write(rec); err != nil {
			return nil, nil, err
		}
		w.Flush()
		for range bytes.Count(buf.Bytes()[pos:], []byte("\n")) {
			rows = append(rows, n)
		}
		if int64(buf.Len()) > unzipFactor*limit {
			return nil, nil, fmt.Errorf("holds more than %d bytes of cells", unzipFactor*limit)
		}
	}
	if err := it.Error(); err != nil {
		return nil, nil, fmt.Errorf("cannot be read: %v", err)
	}
	return buf.Bytes(), rows, nil
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
	if col == "since" {
		return t.Format(time.DateOnly)
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
