package importer

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/kolgraph/kolgraph/internal/seedfile"
)

// TemplateName is the file name the template is offered under.
const TemplateName = "kolgraph-import-template.xlsx"

// TemplateContentType is the workbook's media type.
const TemplateContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

var templateNotes = []string{
	"kolgraph import template",
	"",
	"One sheet per kind of record; the first row of each sheet is its header (keep it; columns may be reordered, optional ones left out).",
	"Fill the sheets you need and delete or leave empty the others. Rows are upserts: a row replaces the record with its id; nothing is deleted.",
	"Columns and allowed values are those of the CSV seed format: see seed/README.md of kolgraph.",
	"Lists (kol_evidence, indications, specialties, territories) separate values with |.",
	"Weights and strengths are numbers in (0,1]; since is a date YYYY-MM-DD; updated_at an RFC 3339 time such as 2024-05-01T08:30:00Z.",
	"indication_shares: a department's indication share (in [0,1]) for one product; a department without a row for a product uses its indication_share on the departments sheet.",
	"prescriptions: the prescriptions (volume, a number >= 0) of one product in one month (YYYY-MM as text; a date cell reads as its month) by an HCP (hcp_id) or by a whole department (department_id): one of the two per row.",
	"Text cells must not start with = + - @ or ＝ ＋ － ＠ (spreadsheet formulas); a phone number such as +86 138 0000 0001 is fine.",
	"Import: kolgraph import -file this.xlsx [-dry-run], or the importRegion mutation (format: XLSX).",
}

// Template returns an empty workbook to fill for an XLSX import: a README
// sheet, then one sheet per kind with the header row, text columns
// formatted as text so a spreadsheet keeps ids and phone numbers as typed.
func Template() ([]byte, error) {
	wb := excelize.NewFile()
	defer wb.Close()
	const notes = "README"
	if err := wb.SetSheetName("Sheet1", notes); err != nil {
		return nil, err
	}
	for i, line := range templateNotes {
		if err := wb.SetCellStr(notes, fmt.Sprintf("A%d", i+1), line); err != nil {
			return nil, err
		}
	}
	bold, err := wb.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49})
	if err != nil {
		return nil, err
	}
	text, err := wb.NewStyle(&excelize.Style{NumFmt: 49}) // "@": text
	if err != nil {
		return nil, err
	}
	for _, file := range seedfile.FileNames() {
		sheet := strings.TrimSuffix(file, ".csv")
		if _, err := wb.NewSheet(sheet); err != nil {
			return nil, err
		}
		cols, _ := seedfile.Columns(file)
		for i, c := range cols {
			col, err := excelize.ColumnNumberToName(i + 1)
			if err != nil {
				return nil, err
			}
			if !numericColumns[c] && c != "since" && c != "updated_at" {
				if err := wb.SetColStyle(sheet, col, text); err != nil {
					return nil, err
				}
			}
			if err := wb.SetCellStr(sheet, col+"1", c); err != nil {
				return nil, err
			}
			if err := wb.SetCellStyle(sheet, col+"1", col+"1", bold); err != nil {
				return nil, err
			}
			if err := wb.SetColWidth(sheet, col, col, float64(max(12, len(c)+4))); err != nil {
				return nil, err
			}
		}
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// numericColumns are the columns that hold numbers.
var numericColumns = map[string]bool{
	"beds": true, "weekly_outpatients": true, "indication_share": true, "managed_beds": true,
	"bed_turnover": true, "discharge_penetration": true, "drg_enrollment_rate": true,
	"competitor_penetration": true, "policy_sensitivity": true, "strength": true, "weight": true,
	"volume": true,
}
