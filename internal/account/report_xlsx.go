package account

import (
	"fmt"
	"io"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// XLSX sheet names, by language.
const (
	xlsxSummaryZH, xlsxSummaryEN   = "摘要", "Summary"
	xlsxAccountsZH, xlsxAccountsEN = "客户", "Accounts"
)

// WriteXLSX writes r as an Excel workbook (excelize): a summary sheet
// (segments with their plans, cut-offs in words, the 20/80 line, the
// departments at risk, the hottest heat-map cells, the speaker shortlist)
// and an accounts sheet with the same rows and cells as WriteCSV, headed
// in the report's language, numbers as numbers. A text cell is always a
// string cell, so nothing in it runs as a formula.
func WriteXLSX(w io.Writer, r *Report) error {
	f := excelize.NewFile()
	defer f.Close()
	summary, accounts := xlsxSummaryZH, xlsxAccountsZH
	if r.lang() != "zh-CN" {
		summary, accounts = xlsxSummaryEN, xlsxAccountsEN
	}
	if err := f.SetSheetName("Sheet1", summary); err != nil {
		return err
	}
	if _, err := f.NewSheet(accounts); err != nil {
		return err
	}

	// The summary sheet, one block under the other.
	row := 1
	put := func(vals ...any) error {
		cell, err := excelize.CoordinatesToCellName(1, row)
		if err != nil {
			return err
		}
		row++
		return f.SetSheetRow(summary, cell, &vals)
	}
	lines := [][]any{
		{r.Title},
		{r.t("Scope"), r.Scope},
		{r.t("Product"), r.ProductID + " " + r.ProductName},
		{r.t("Level"), r.t(string(r.Level))},
		{r.t("Graph version"), r.GraphVersion},
		{r.t("Generated"), r.GeneratedAt.UTC().Format("2006-01-02 15:04")},
		{r.t("Settings version"), r.Settings.Version},
		{},
		{r.t("Segment"), r.t("Accounts"), r.t("Playbook"), r.t("Cadence"), r.t("Contact")},
	}
	for _, sl := range r.Summary.Segments {
		lines = append(lines, []any{r.t(string(sl.Segment)), sl.Count, r.t(sl.Playbook), r.t(sl.Cadence.Label), r.t(sl.Cadence.ContactLabel)})
	}
	lines = append(lines, []any{r.t("unclassified"), r.Summary.Unclassified}, []any{},
		[]any{r.t("Potential cut-off"), CutOffText(r.lang(), r.Potential)},
		[]any{r.t("Influence cut-off"), CutOffText(r.lang(), r.Influence)},
		[]any{r.t("The 20/80 line"), ParetoText(r.lang(), r.Summary.Pareto)})
	for _, v := range r.Settings.Values {
		lines = append(lines, []any{r.t(v.Name), r.t(v.Value)})
	}
	lines = append(lines, []any{},
		[]any{r.t("Departments at risk under DRG/DIP")},
		[]any{r.t("ID"), r.t("Department"), r.t("Hospital"), r.t("Payment model"), r.t("Enrollment rate"), r.t("Potential (patients/month)")})
	for _, a := range r.Summary.AtRisk {
		l := []any{a.ID, a.Name, a.HospitalName, a.PaymentModel, a.EnrollmentRate}
		if a.Potential != nil {
			l = append(l, *a.Potential)
		}
		lines = append(lines, l)
	}
	lines = append(lines, []any{}, []any{r.t("Hottest heat-map cells")}, []any{r.t("ID"), r.t("Name"), r.t("Hospital"), r.t("Heat")})
	for _, h := range r.Summary.Hottest {
		lines = append(lines, []any{h.ID, h.Name, h.HospitalName, h.Heat})
	}
	lines = append(lines, []any{}, []any{r.t("Compliant speaker shortlist")}, []any{r.t("ID"), r.t("Name"), r.t("Title"), r.t("KOL level"), r.t("Score")})
	for _, s := range r.Summary.Speakers {
		lines = append(lines, []any{s.ID, s.Name, r.t(s.Title), r.t(s.KOLLevel), s.Score})
	}
	lines = append(lines, []any{r.t(SpeakerSelectionRule)})
	for _, l := range lines {
		if err := put(l...); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(summary, "A", "A", 28); err != nil {
		return err
	}
	if err := f.SetColWidth(summary, "C", "C", 60); err != nil {
		return err
	}

	// The accounts sheet: the CSV's rows.
	heads := make([]any, len(columns))
	for i, c := range columns {
		heads[i] = r.t(c.heading)
	}
	if err := f.SetSheetRow(accounts, "A1", &heads); err != nil {
		return err
	}
	numeric := map[string]bool{"potential_monthly_patients": true, "influence": true, "influence_percentile": true}
	for i := range r.Rows {
		cells := r.cells(&r.Rows[i])
		vals := make([]any, len(cells))
		for j, c := range cells {
			vals[j] = c
			if numeric[columns[j].key] && c != "" {
				if v, err := strconv.ParseFloat(c, 64); err == nil {
					vals[j] = v
				}
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return err
		}
		if err := f.SetSheetRow(accounts, cell, &vals); err != nil {
			return fmt.Errorf("xlsx row %d: %w", i+2, err)
		}
	}
	if err := f.SetPanes(accounts, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	if err := f.AutoFilter(accounts, "A1:"+lastCell(len(columns), len(r.Rows)+1), nil); err != nil {
		return err
	}
	return f.Write(w)
}

func lastCell(col, row int) string {
	name, _ := excelize.CoordinatesToCellName(col, row)
	return name
}
