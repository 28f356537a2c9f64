package importer_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/importer"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/writer"
	"github.com/xuri/excelize/v2"
)

// importBoth runs files as a dry run, then as an import into a fixture
// store, and checks that both give the same notes and counts; it returns
// the import's result and the store.
func importBoth(t *testing.T, format importer.Format, files []importer.File) (*importer.Result, *embedded.Store) {
	t.Helper()
	s := store(t)
	svc := &importer.Service{Store: s, Writer: writer.New(s, nil)}
	dry, err := svc.Import(t.Context(), "U01", format, files, true)
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	res, err := svc.Import(t.Context(), "U01", format, files, false)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if !slices.Equal(dry.Notes, res.Notes) {
		t.Errorf("notes: dry run %q, import %q", dry.Notes, res.Notes)
	}
	if dry.Total() != res.Total() {
		t.Errorf("counts: dry run %+v, import %+v", dry.Total(), res.Total())
	}
	return res, s
}

func wantNote(t *testing.T, notes []string, want string) {
	t.Helper()
	if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, want) }) {
		t.Errorf("no note %q in %q", want, notes)
	}
}

// TestGBKImport: a GBK hcps.csv whose bytes are valid UTF-8 imports with
// its names intact and says it was read as GB18030.
func TestGBKImport(t *testing.T) {
	data, err := simplifiedchinese.GB18030.NewEncoder().String(hcpHeader + "P011,郑伟伟,physician,,,,D001-01,H001,,,,,\n")
	if err != nil {
		t.Fatal(err)
	}
	res, _ := importBoth(t, importer.CSV, []importer.File{{Name: "hcps.csv", Data: []byte(data)}})
	wantNote(t, res.Notes, "hcps.csv: read as GB18030")
	if c := res.Counts[kolgraph.KindHCPs]; c == nil || c.Created != 1 {
		t.Errorf("counts: got %+v, want 1 created", res.Counts)
	}
}

// sheet is one sheet of a test workbook: rows from A1 down, then edits
// (merges, formulas, logical values) made with excelize.
type sheet struct {
	name string
	rows [][]any
	edit func(wb *excelize.File, name string) error
}

// book builds a workbook of sheets in order.
func book(t *testing.T, sheets ...sheet) []byte {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	for i, sh := range sheets {
		if i == 0 {
			if err := wb.SetSheetName("Sheet1", sh.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := wb.NewSheet(sh.name); err != nil {
			t.Fatal(err)
		}
		for r, row := range sh.rows {
			if row == nil {
				continue
			}
			if err := wb.SetSheetRow(sh.name, fmt.Sprintf("A%d", r+1), &row); err != nil {
				t.Fatal(err)
			}
		}
		if sh.edit != nil {
			if err := sh.edit(wb, sh.name); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestXLSXAsPeopleLeaveIt: a workbook with a summary sheet, an empty
// Sheet1, a merged title row, headers in capitals and blank header cells
// at the end imports, and the notes say what was skipped.
func TestXLSXAsPeopleLeaveIt(t *testing.T) {
	data := book(t,
		sheet{name: "汇总", rows: [][]any{{"区域", "医生数"}, {"华东", 2}}},
		sheet{name: "HCPs", rows: [][]any{
			{"2024年 华东区 医生名单"},
			{"ID", " Name ", "Role", "Department_ID", "HOSPITAL_ID", " ", " "},
			{"P011", "郑伟伟", "physician", "D001-01", "H001"},
			{"P012", "Иван Петров", "nurse", "D001-01", "H001"},
			nil,
			{"", "", ""},
		}, edit: func(wb *excelize.File, name string) error { return wb.MergeCell(name, "A1", "E1") }},
		sheet{name: "Sheet1"},
	)
	res, s := importBoth(t, importer.XLSX, []importer.File{{Name: "region.xlsx", Data: data}})
	for _, w := range []string{
		"汇总: not a sheet of the format", "Sheet1: not a sheet of the format",
		`HCPs: row 1 ("2024年 华东区 医生名单") is a title above the header, skipped`,
		"HCPs: 2 empty columns at the end of the header ignored",
	} {
		wantNote(t, res.Notes, w)
	}
	if c := res.Counts[kolgraph.KindHCPs]; c == nil || c.Created != 2 {
		t.Errorf("counts: got %+v, want 2 HCPs created", res.Counts)
	}
	// Workbooks are Unicode: no encoding is guessed (Cyrillic alone would
	// look like GBK read as UTF-8).
	hs, err := s.HCPs(t.Context(), []string{"P012"})
	if err != nil || len(hs) != 1 || hs[0].Name != "Иван Петров" {
		t.Errorf("P012: got %+v, %v; want the name Иван Петров", hs, err)
	}
}

// TestXLSXCellsThatReadEmpty: merged cells, formulas never calculated and
// logical values are named as what they are, with their cell.
func TestXLSXCellsThatReadEmpty(t *testing.T) {
	hcps := [][]any{
		{"id", "name", "role", "department_id", "hospital_id"},
		{"P011", "郑伟伟", "physician", "D001-01", "H001"},
		{"P012", "李娜", "nurse", nil, "H001"},
	}
	tests := []struct {
		name  string
		sheet sheet
		want  kolgraph.Problem
	}{
		{"merged cell", sheet{name: "hcps", rows: hcps, edit: func(wb *excelize.File, s string) error { return wb.MergeCell(s, "D2", "D3") }},
			kolgraph.Problem{File: "hcps", Line: 3, Field: "department_id", Message: "D3 is a merged cell (D2:D3)"}},
		{"formula without a saved value", sheet{name: "hcps", rows: hcps, edit: func(wb *excelize.File, s string) error {
			return wb.SetCellFormula(s, "D3", `VLOOKUP(A3,Sheet2!A:B,2,FALSE)`)
		}}, kolgraph.Problem{File: "hcps", Line: 3, Field: "department_id", Message: "D3 is a formula with no saved value; open and save the file in Excel"}},
		{"TRUE as a weight", sheet{name: "influences", rows: [][]any{{"from", "to", "weight", "kind"}, {"P001", "P002", nil, "mentor"}},
			edit: func(wb *excelize.File, s string) error { return wb.SetCellBool(s, "C2", true) }},
			kolgraph.Problem{File: "influences", Line: 2, Field: "weight", Message: "C2 is a logical value (TRUE or FALSE), not a number"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := store(t)
			svc := &importer.Service{Store: s, Writer: writer.New(s, nil)}
			for _, dry := range []bool{true, false} {
				_, err := svc.Import(t.Context(), "U01", importer.XLSX, []importer.File{{Name: "region.xlsx", Data: book(t, tt.sheet)}}, dry)
				ps := problems(t, err)
				wantProblem(t, ps, tt.want.File, tt.want.Line, tt.want.Field, tt.want.Message)
				if len(ps) != 1 {
					t.Errorf("dry run %v: got %d problems, want 1: %v", dry, len(ps), ps)
				}
			}
		})
	}
}

// TestXLSFileSaysHowToConvert: an Excel 97-2003 workbook is refused with
// how to convert it.
func TestXLSFileSaysHowToConvert(t *testing.T) {
	s := store(t)
	svc := &importer.Service{Store: s, Writer: writer.New(s, nil)}
	xls := append([]byte("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1"), make([]byte, 504)...)
	_, err := svc.Import(t.Context(), "U01", importer.XLSX, []importer.File{{Name: "region.xls", Data: xls}}, true)
	wantProblem(t, problems(t, err), "region.xls", 0, "", "open it in Excel or WPS and save it as .xlsx")
	_, err = svc.Import(t.Context(), "U01", importer.CSV, []importer.File{{Name: "hcps.csv", Data: xls}}, true)
	wantProblem(t, problems(t, err), "hcps.csv", 0, "", "open it in Excel or WPS and save it as .xlsx")
}

// TestXLSXSentAsCSV: a workbook given as CSV, by name or by content, is
// named as a workbook (it used to be a CSV syntax error).
func TestXLSXSentAsCSV(t *testing.T) {
	s := store(t)
	svc := &importer.Service{Store: s, Writer: writer.New(s, nil)}
	wb := book(t, sheet{name: "hcps", rows: [][]any{{"id"}}})
	for _, name := range []string{"region.xlsx", "hcps.csv"} {
		_, err := svc.Import(t.Context(), "U01", importer.CSV, []importer.File{{Name: name, Data: wb}}, true)
		wantProblem(t, problems(t, err), name, 0, "", "is an XLSX workbook, not a CSV file; import it as .xlsx")
	}
}

// TestLocalFormatsNoted: normalised cells are counted in the notes, the
// same in the dry run and the import.
func TestLocalFormatsNoted(t *testing.T) {
	res, _ := importBoth(t, importer.CSV, []importer.File{{Name: "hospitals.csv",
		Data: []byte("id,name,tier,beds\nH009,新医院,3A,１２００\nH010,另一家医院,3B,\"1,200\"\n")}})
	wantNote(t, res.Notes, "hospitals.csv: 1 cell with full-width digits or punctuation")
	wantNote(t, res.Notes, "hospitals.csv: 1 cell with thousands separators (1,200) removed")
}

// TestOversizeFileFromDisk: a file over the limit is refused with its real
// size (it was "limit+1 bytes") and the setting that raises the limit.
func TestOversizeFileFromDisk(t *testing.T) {
	data := hcpHeader + strings.Repeat("P011,A,physician,,,,D001-01,H001,,,,,\n", 10)
	files, err := importer.ReadDir(fstest.MapFS{"hcps.csv": {Data: []byte(data)}}, 100)
	if err != nil {
		t.Fatal(err)
	}
	s := store(t)
	svc := &importer.Service{Store: s, Writer: writer.New(s, nil), Opts: importer.Options{MaxBytes: 100}}
	_, err = svc.Import(t.Context(), "U01", importer.CSV, files, true)
	wantProblem(t, problems(t, err), "hcps.csv", 0, "",
		fmt.Sprintf("is %d bytes, more than the import limit of 100 bytes; raise the limit with -import-max-bytes", len(data)))
}
