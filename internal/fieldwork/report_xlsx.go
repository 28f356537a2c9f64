package fieldwork

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// WriteROIXLSX writes r as an Excel workbook (excelize): a summary sheet
// (scope, targets and caps) and an activities sheet with the HTML's rows,
// headed in the report's language, amounts, shares and counts as numbers.
// Text cells are string cells, and text a spreadsheet would take for a
// formula also gets a leading quote (sheetText).
func WriteROIXLSX(w io.Writer, r *ROIReport) error {
	l := r.lang()
	return writeXLSX(w, t(l, "Summary"), r.title(), r.summary(), []xlsxTable{{t(l, "Activities"), r.activities()}})
}

// WritePlanXLSX writes r as an Excel workbook: a summary sheet (the KAM,
// month, workload against capacity and its warning), the planned visits
// and the overdue accounts, one sheet each.
func WritePlanXLSX(w io.Writer, r *PlanReport) error {
	l := r.lang()
	return writeXLSX(w, t(l, "Summary"), r.title(), r.summary(), []xlsxTable{
		{t(l, "Planned visits"), r.visits()},
		{t(l, "Overdue accounts"), r.overdue()},
	})
}

type xlsxTable struct {
	sheet string
	table
}

// writeXLSX writes a summary sheet (title in A1, then name/value lines)
// and one sheet per table (headings in row 1, frozen, with a filter).
func writeXLSX(w io.Writer, summary, title string, lines [][2]string, tables []xlsxTable) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", summary); err != nil {
		return err
	}
	rows := [][]any{{sheetText(title)}}
	for _, ln := range lines {
		rows = append(rows, []any{sheetText(ln[0]), sheetText(ln[1])})
	}
	for i, row := range rows {
		if err := f.SetSheetRow(summary, cellName(1, i+1), &row); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(summary, "A", "A", 28); err != nil {
		return err
	}
	if err := f.SetColWidth(summary, "B", "B", 60); err != nil {
		return err
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return err
	}
	pct, err := f.NewStyle(&excelize.Style{CustomNumFmt: ptrString("0.0%")})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	for _, tb := range tables {
		if _, err := f.NewSheet(tb.sheet); err != nil {
			return err
		}
		heads := make([]any, len(tb.Heads))
		for i, h := range tb.Heads {
			heads[i] = sheetText(h)
		}
		if err := f.SetSheetRow(tb.sheet, "A1", &heads); err != nil {
			return err
		}
		for i, row := range tb.Rows {
			for j, c := range row {
				name := cellName(j+1, i+2)
				if c.num == nil {
					if err := f.SetCellStr(tb.sheet, name, sheetText(c.text)); err != nil {
						return fmt.Errorf("xlsx %s %s: %w", tb.sheet, name, err)
					}
					if err := f.SetCellStyle(tb.sheet, name, name, wrap); err != nil {
						return err
					}
					continue
				}
				if err := f.SetCellFloat(tb.sheet, name, *c.num, -1, 64); err != nil {
					return err
				}
				style := map[numForm]int{asMoney: money, asPercent: pct}[c.form]
				if style != 0 {
					if err := f.SetCellStyle(tb.sheet, name, name, style); err != nil {
						return err
					}
				}
			}
		}
		last := cellName(len(tb.Heads), len(tb.Rows)+1)
		if err := f.SetPanes(tb.sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
		if err := f.AutoFilter(tb.sheet, "A1:"+last, nil); err != nil {
			return err
		}
		if err := f.SetColWidth(tb.sheet, "A", cellCol(len(tb.Heads)), 14); err != nil {
			return err
		}
	}
	return f.Write(w)
}

func cellName(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}

func cellCol(col int) string {
	name, _ := excelize.ColumnNumberToName(col)
	return name
}

func ptrString(s string) *string { return &s }
