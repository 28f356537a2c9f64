package account

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
)

// Report is a tiering report of a territory or hospital: a summary a
// regional manager reads first, then every account with its potential,
// influence, segment, cadence and playbook, segment by segment. Build it
// with NewReport, fill the metadata, the summary and (optionally) each
// row's extra columns and Paths, then write it with WriteCSV, WriteXLSX,
// WriteHTML or WriteMarkdown.
type Report struct {
	// Lang is the language of the labels (zero: Chinese, the default).
	Lang  labels.Lang
	Title string
	// Scope names what the report covers, e.g. "Territory T01 Zhejiang North".
	Scope       string
	Level       Level
	ProductID   string
	ProductName string
	// GraphVersion and GeneratedAt say which data the numbers come from;
	// printed when set.
	GraphVersion string
	GeneratedAt  time.Time
	Potential    CutOff
	Influence    CutOff
	// Settings are the settings the numbers were computed with: printed
	// when Version is set.
	Settings SettingsStamp
	Summary  Summary
	Rows     []ReportRow
}

// SettingsStamp says which version of the domain settings a result used,
// and the values behind it that the report does not show elsewhere (the
// cut-offs, playbooks and cadences are shown with the segments).
type SettingsStamp struct {
	Version int
	// Values are named settings, names in English (translated like every
	// label), values numbers or codes.
	Values []SettingValue
}

// SettingValue is one named setting.
type SettingValue struct{ Name, Value string }

// Summary is what a manager reads first.
type Summary struct {
	// Segments are A, B, C, D with their counts and plans.
	Segments     []SegmentLine
	Unclassified int
	// Pareto is the 20/80 line (nil when not computed).
	Pareto *Pareto
	// AtRisk are the departments at risk under DRG/DIP.
	AtRisk []AtRiskLine
	// Hottest are the hottest heat-map cells, hottest first.
	Hottest []HeatLine
	// Speakers is the compliant speaker shortlist (SpeakerSelectionRule).
	Speakers []Speaker
	// Stakeholders counts the access stakeholders by first stage, in
	// chain order.
	Stakeholders []StageCount
}

// SegmentLine is one segment of the summary.
type SegmentLine struct {
	Segment  Segment
	Count    int
	Playbook string
	Cadence  Cadence
}

// AtRiskLine is a department at risk under DRG/DIP payment.
type AtRiskLine struct {
	ID, Name, HospitalName, PaymentModel string
	EnrollmentRate                       float64
	Potential                            *float64
}

// HeatLine is one heat-map cell of the summary.
type HeatLine struct {
	ID, Name, HospitalName string
	Heat                   float64
}

// StageCount is how many stakeholders a decision-chain stage has.
type StageCount struct {
	Stage string
	Count int
}

// ReportRow is one HCP, department or hospital of a report.
type ReportRow struct {
	Level          Level
	ID             string
	Name           string
	HospitalName   string
	DepartmentName string
	// Title and KOLLevel are an HCP's; Owner names the KAMs who cover the
	// account's territory; Listing is the product's listing status at its
	// hospital; AtRisk says the department is at risk under DRG/DIP.
	Title, KOLLevel, Owner, Listing string
	// KeyMonitoring and NationalInsurance are the product's market access
	// at the account's hospital.
	KeyMonitoring, NationalInsurance bool
	AtRisk                           bool
	AccessFirst                      bool
	Potential                        *float64 // monthly patients; nil = unknown
	Influence                        *float64
	// Actual is what the account prescribed (nil: no facts for it).
	Actual *Actual
	// Percentile is the share of the report's accounts of known influence
	// with a lower influence, 0-100 (PERCENT_RANK); nil when unknown.
	Percentile *float64
	Segment    Segment // "" when unclassified
	Cadence    Cadence
	Playbook   string
	// NextVisit is when the first visit is due from the report's date at
	// the segment's cadence (zero for digital only and the unclassified).
	NextVisit time.Time
	// Note says why an account is unclassified.
	Note string
	// Paths are the account's top influence paths (filled by the caller
	// from the access-path search; empty is fine).
	Paths []ReportPath
}

// ReportPath is one influence path cited in a report.
type ReportPath struct {
	ID       string  // the citable path id
	Strength float64 // product of the edge weights
	Summary  string  // e.g. "王芳 -> 李强 -> 张伟"
}

// NewReport lists the matrix's members segment by segment (A, B, C, D, each
// in the matrix's order), then the unclassified accounts with their
// reasons, with the segment counts of the summary and each row's influence
// percentile among the report's accounts.
func NewReport(m *Matrix) *Report {
	r := &Report{Level: m.Level, ProductID: m.ProductID, Potential: m.Potential, Influence: m.Influence}
	for _, c := range m.Cells {
		r.Summary.Segments = append(r.Summary.Segments, SegmentLine{Segment: c.Segment, Count: c.Count, Playbook: c.Playbook, Cadence: c.Cadence})
		for _, mb := range c.Members {
			p, i := mb.Potential, mb.Influence
			r.Rows = append(r.Rows, ReportRow{
				Level: mb.Level, ID: mb.ID, Name: mb.Name, HospitalName: mb.HospitalName, DepartmentName: mb.DepartmentName,
				Potential: &p, Influence: &i, Segment: mb.Segment, Cadence: mb.Cadence, Playbook: mb.Playbook,
				Listing: mb.Listing, AccessFirst: mb.AccessFirst, Actual: mb.Actual,
			})
		}
	}
	r.Summary.Unclassified = len(m.Unclassified)
	for _, u := range m.Unclassified {
		r.Rows = append(r.Rows, ReportRow{
			Level: u.Level, ID: u.ID, Name: u.Name, HospitalName: u.HospitalName, DepartmentName: u.DepartmentName,
			Potential: u.Potential, Influence: u.Influence, Note: "unclassified: " + strings.Join(u.Reasons, "; "),
		})
	}
	percentRanks(r.Rows)
	return r
}

// percentRanks sets each row's Percentile: 100 x (rows of known influence
// strictly below it) / (rows of known influence - 1), 100 for a single one.
func percentRanks(rows []ReportRow) {
	var vs []float64
	for _, row := range rows {
		if row.Influence != nil {
			vs = append(vs, *row.Influence)
		}
	}
	slices.Sort(vs)
	pcts := make([]float64, len(rows))
	for i := range rows {
		if rows[i].Influence == nil {
			continue
		}
		below, _ := slices.BinarySearch(vs, *rows[i].Influence)
		pcts[i] = 100
		if len(vs) > 1 {
			pcts[i] = 100 * float64(below) / float64(len(vs)-1)
		}
		rows[i].Percentile = &pcts[i]
	}
}

// SetNextVisits dates each classified row's first visit from the report's
// GeneratedAt at its cadence.
func (r *Report) SetNextVisits() {
	for i := range r.Rows {
		row := &r.Rows[i]
		if row.Segment != "" && row.Cadence.IntervalDays > 0 && !r.GeneratedAt.IsZero() {
			row.NextVisit = r.GeneratedAt.AddDate(0, 0, row.Cadence.IntervalDays)
		}
	}
}

// column is one column of a report's account table: its CSV key, its
// heading (an English label, translated by package labels) and its cell.
type column struct {
	key, heading string
	cell         func(r *Report, row *ReportRow) string
}

// columns are the account table's columns, in every format.
var columns = []column{
	{"level", "Level", func(r *Report, row *ReportRow) string { return r.t(string(row.Level)) }},
	{"id", "ID", func(_ *Report, row *ReportRow) string { return row.ID }},
	{"name", "Name", func(_ *Report, row *ReportRow) string { return row.Name }},
	{"hospital", "Hospital", func(_ *Report, row *ReportRow) string { return row.HospitalName }},
	{"department", "Department", func(_ *Report, row *ReportRow) string { return row.DepartmentName }},
	{"title", "Title", func(r *Report, row *ReportRow) string { return r.t(row.Title) }},
	{"kol_level", "KOL level", func(r *Report, row *ReportRow) string { return r.t(row.KOLLevel) }},
	{"owner", "Owner", func(_ *Report, row *ReportRow) string { return row.Owner }},
	{"listing", "Listing", func(r *Report, row *ReportRow) string { return r.t(row.Listing) }},
	{"key_monitoring", "Key monitoring", func(r *Report, row *ReportRow) string { return r.yes(row.KeyMonitoring) }},
	{"national_insurance", "National insurance", func(r *Report, row *ReportRow) string { return r.yes(row.NationalInsurance) }},
	{"at_risk", "At risk", func(r *Report, row *ReportRow) string { return r.yes(row.AtRisk) }},
	{"segment", "Segment", func(r *Report, row *ReportRow) string {
		if row.Segment == "" {
			return r.t("unclassified")
		}
		return r.t(string(row.Segment))
	}},
	{"potential_monthly_patients", "Potential (patients/month)", func(_ *Report, row *ReportRow) string { return num(row.Potential, 2) }},
	{"actual_monthly", "Actual (prescriptions/month)", func(_ *Report, row *ReportRow) string {
		return actual(row, func(a *Actual) *float64 { return &a.Monthly }, 2)
	}},
	{"opportunity", "Opportunity (per month)", func(_ *Report, row *ReportRow) string {
		return actual(row, func(a *Actual) *float64 { return a.Opportunity }, 2)
	}},
	{"penetration", "Penetration", func(_ *Report, row *ReportRow) string {
		return actual(row, func(a *Actual) *float64 { return a.Penetration }, 3)
	}},
	{"trend_3_months", "3-month trend", func(_ *Report, row *ReportRow) string {
		return actual(row, func(a *Actual) *float64 { return a.Trends[0].Change }, 3)
	}},
	{"influence", "Influence", func(_ *Report, row *ReportRow) string { return num(row.Influence, 4) }},
	{"influence_percentile", "Influence percentile", func(_ *Report, row *ReportRow) string { return num(row.Percentile, 1) }},
	{"cadence", "Cadence", func(r *Report, row *ReportRow) string { return r.t(row.Cadence.Label) }},
	{"contact", "Contact", func(r *Report, row *ReportRow) string { return r.t(row.Cadence.ContactLabel) }},
	{"next_visit_by", "Next visit by", func(_ *Report, row *ReportRow) string { return day(row.NextVisit) }},
	{"playbook", "Playbook", func(r *Report, row *ReportRow) string { return r.playbook(row) }},
	{"note", "Note", func(_ *Report, row *ReportRow) string { return row.Note }},
	{"top_paths", "Top influence paths", func(_ *Report, row *ReportRow) string { return pathsText(row.Paths) }},
}

// CSVHeader is the header row WriteCSV writes: stable machine names, in
// every language.
var CSVHeader = func() []string {
	h := make([]string, len(columns))
	for i, c := range columns {
		h[i] = c.key
	}
	return h
}()

// yes is a flag cell: "yes" in the report's language, or empty.
func (r *Report) yes(b bool) string {
	if b {
		return r.t("yes")
	}
	return ""
}

// t translates a label into the report's language.
func (r *Report) t(s string) string {
	if s == "" {
		return ""
	}
	return labels.T(r.lang(), s)
}

func (r *Report) lang() labels.Lang {
	if r.Lang == "" {
		return labels.ZH
	}
	return r.Lang
}

// playbook is a row's playbook in the report's language: access first
// where the product is not listed, else the segment's.
func (r *Report) playbook(row *ReportRow) string {
	if row.AccessFirst {
		return labels.AccessFirst(r.lang(), r.ProductID, row.Listing)
	}
	return r.t(row.Playbook)
}

// cells returns a row's cells, in column order.
func (r *Report) cells(row *ReportRow) []string {
	out := make([]string, len(columns))
	for i, c := range columns {
		out[i] = c.cell(r, row)
	}
	return out
}

// WriteCSV writes r as one CSV table (RFC 4180, UTF-8, CSVHeader then one
// row per account, segment by segment, the unclassified last; an unknown
// number is an empty cell; labels in the report's language).
//
// The file starts with a UTF-8 byte-order mark: Excel opens a CSV without
// one in the ANSI code page (GBK on Chinese Windows), which garbles Chinese
// names; with it Excel reads UTF-8, and the seed importer and most tools
// skip it.
//
// Formula injection: a spreadsheet runs a cell that starts with = + - or @
// (and, after trimming, tab or CR) as a formula, so any text cell starting
// with one of those, or with their full-width forms (＝ ＋ － ＠) that
// Excel in CJK locales also accepts, is prefixed with a single quote.
// Numbers are written by this package and are never prefixed.
func WriteCSV(w io.Writer, r *Report) error {
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for i := range r.Rows {
		rec := r.cells(&r.Rows[i])
		for j := range rec {
			rec[j] = csvText(rec[j])
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvText neutralises a text cell a spreadsheet would run as a formula
// (kolgraph.FormulaLike, the rule that keeps such text out of the data).
func csvText(s string) string {
	if kolgraph.FormulaLike(s) {
		return "'" + s
	}
	return s
}

// actual is a cell of the row's actual: empty without facts.
func actual(row *ReportRow, get func(*Actual) *float64, prec int) string {
	if row.Actual == nil {
		return ""
	}
	return num(get(row.Actual), prec)
}

func num(v *float64, prec int) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', prec, 64)
}

func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02")
}

func pathsText(ps []ReportPath) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = fmt.Sprintf("%s (%s): %s", p.ID, strconv.FormatFloat(p.Strength, 'f', 3, 64), p.Summary)
	}
	return strings.Join(parts, "; ")
}

// CutOffText says a cut-off in words in lang.
func CutOffText(lang labels.Lang, c CutOff) string {
	th := strconv.FormatFloat(c.Threshold, 'f', 4, 64)
	if c.Mode == Percentile {
		v := strconv.FormatFloat(c.Value, 'f', -1, 64)
		if lang == labels.EN {
			return fmt.Sprintf("%sth percentile of %d positive values = %s", v, c.Basis, th)
		}
		return fmt.Sprintf("%d个正值的第%s百分位 = %s", c.Basis, v, th)
	}
	if lang == labels.EN {
		return "absolute " + th
	}
	return "绝对值 " + th
}

// ParetoText says the 20/80 line in words in lang.
func ParetoText(lang labels.Lang, p *Pareto) string {
	if p == nil || p.Accounts == 0 {
		return labels.T(lang, "none")
	}
	if p.Basis == BasisActual {
		if lang == labels.EN {
			return fmt.Sprintf("the top %d of %d prescribing accounts (%.0f%%) wrote %.1f%% of the last 12 months' prescriptions", p.Top, p.Accounts, 100*p.Fraction, 100*p.TopShare)
		}
		return fmt.Sprintf("有处方的%d个客户中，前%d个（%.0f%%）贡献了近12个月处方量的%.1f%%", p.Accounts, p.Top, 100*p.Fraction, 100*p.TopShare)
	}
	if lang == labels.EN {
		return fmt.Sprintf("the top %d of %d accounts with potential (%.0f%%) hold %.1f%% of it", p.Top, p.Accounts, 100*p.Fraction, 100*p.TopShare)
	}
	return fmt.Sprintf("有潜力的%d个客户中，前%d个（%.0f%%）占潜力的%.1f%%", p.Accounts, p.Top, 100*p.Fraction, 100*p.TopShare)
}

// rowsOf returns the rows of segment s ("" for the unclassified).
func (r *Report) rowsOf(s Segment) []ReportRow {
	var out []ReportRow
	for _, row := range r.Rows {
		if row.Segment == s {
			out = append(out, row)
		}
	}
	return out
}

// section is one segment's part of a report.
type section struct {
	Heading string
	Segment Segment
	Plan    string
	Rows    []ReportRow
}

// sections are the report's segments with their rows, then the
// unclassified (when any).
func (r *Report) sections() []section {
	var out []section
	for _, sl := range r.Summary.Segments {
		out = append(out, section{Heading: r.t(string(sl.Segment)), Segment: sl.Segment,
			Plan: r.t(sl.Playbook) + " · " + r.t(sl.Cadence.Label) + " · " + r.t(sl.Cadence.ContactLabel),
			Rows: r.rowsOf(sl.Segment)})
	}
	if rows := r.rowsOf(""); len(rows) > 0 {
		out = append(out, section{Heading: r.t("Unclassified accounts"), Rows: rows})
	}
	return out
}

// sectionColumns are the columns of a segment's table (the segment is the
// section's; the level is the report's).
var sectionColumns = func() []column {
	var out []column
	for _, c := range columns {
		if c.key != "level" && c.key != "segment" {
			out = append(out, c)
		}
	}
	return out
}()

// heatBars draws the hottest cells as an inline SVG bar chart (no script,
// no external resource), hottest first.
func heatBars(r *Report) template.HTML {
	hs := r.Summary.Hottest
	if len(hs) == 0 {
		return ""
	}
	maxHeat := hs[0].Heat
	const rowH, labelW, barW = 22, 260, 420
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" role="img" aria-label="%s">`,
		labelW+barW+90, rowH*len(hs)+4, template.HTMLEscapeString(r.t("Hottest heat-map cells")))
	for i, h := range hs {
		w := 0.0
		if maxHeat > 0 {
			w = barW * h.Heat / maxHeat
		}
		y := i*rowH + 2
		// hotter cells redder: from amber to red
		red := 200 + int(55*h.Heat/max(maxHeat, 1e-12))
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="13">%s</text>`, y+15, template.HTMLEscapeString(h.Name+" · "+h.HospitalName))
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="rgb(%d,90,40)"/>`, labelW, y, w, rowH-6, red)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="12">%s</text>`, float64(labelW)+w+6, y+14, strconv.FormatFloat(h.Heat, 'f', 1, 64))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every text above is escaped
}

var reportFuncs = template.FuncMap{
	"num":    num,
	"day":    day,
	"when":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"rule":   func(r *Report) string { return r.t(SpeakerSelectionRule) },
	"str":    func(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) },
	"cut":    func(r *Report, c CutOff) string { return CutOffText(r.lang(), c) },
	"pareto": func(r *Report) string { return ParetoText(r.lang(), r.Summary.Pareto) },
	"t":      func(r *Report, s string) string { return r.t(s) },
	"cells": func(r *Report, row ReportRow) []string {
		out := make([]string, len(sectionColumns))
		for i, c := range sectionColumns {
			out[i] = c.cell(r, &row)
		}
		return out
	},
	"heads": func(r *Report) []string {
		out := make([]string, len(sectionColumns))
		for i, c := range sectionColumns {
			out[i] = r.t(c.heading)
		}
		return out
	},
	"bars": heatBars,
	"lang": func(r *Report) string { return string(r.lang()) },
}

var htmlReport = template.Must(template.New("report").Funcs(reportFuncs).Parse(`<!DOCTYPE html>
<html lang="{{lang .}}">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin-bottom:1.5em}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right}
h2.seg-A{border-left:.4em solid #d9534f;padding-left:.4em}h2.seg-B{border-left:.4em solid #f0ad4e;padding-left:.4em}
h2.seg-C{border-left:.4em solid #5b9bd5;padding-left:.4em}h2.seg-D{border-left:.4em solid #999;padding-left:.4em}
.plan{color:#555}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<dl>
{{- if .Scope}}<dt>{{t . "Scope"}}</dt><dd>{{.Scope}}</dd>{{end}}
{{- if .ProductID}}<dt>{{t . "Product"}}</dt><dd>{{.ProductID}}{{if .ProductName}} {{.ProductName}}{{end}}</dd>{{end}}
<dt>{{t . "Level"}}</dt><dd>{{t . (printf "%s" .Level)}}</dd>
{{- if .GraphVersion}}<dt>{{t . "Graph version"}}</dt><dd>{{.GraphVersion}}</dd>{{end}}
{{- if not .GeneratedAt.IsZero}}<dt>{{t . "Generated"}}</dt><dd>{{when .GeneratedAt}}</dd>{{end}}
{{- if .Settings.Version}}<dt>{{t . "Settings version"}}</dt><dd>{{.Settings.Version}}</dd>{{end}}
</dl>
<h2>{{t . "Summary"}}</h2>
<table>
<thead><tr><th>{{t . "Segment"}}</th><th>{{t . "Accounts"}}</th><th>{{t . "Playbook"}}</th><th>{{t . "Cadence"}}</th><th>{{t . "Contact"}}</th></tr></thead>
<tbody>
{{- $r := .}}
{{- range .Summary.Segments}}
<tr><td>{{t $r (printf "%s" .Segment)}}</td><td class="n">{{.Count}}</td><td>{{t $r .Playbook}}</td><td>{{t $r .Cadence.Label}}</td><td>{{t $r .Cadence.ContactLabel}}</td></tr>
{{- end}}
<tr><td>{{t . "unclassified"}}</td><td class="n">{{.Summary.Unclassified}}</td><td></td><td></td><td></td></tr>
</tbody>
</table>
<dl>
<dt>{{t . "Potential cut-off"}}</dt><dd>{{cut . .Potential}}</dd>
<dt>{{t . "Influence cut-off"}}</dt><dd>{{cut . .Influence}}</dd>
<dt>{{t . "The 20/80 line"}}</dt><dd>{{pareto .}}</dd>
{{- range .Settings.Values}}
<dt>{{t $r .Name}}</dt><dd>{{t $r .Value}}</dd>
{{- end}}
</dl>
<h3>{{t . "Departments at risk under DRG/DIP"}}</h3>
{{- if .Summary.AtRisk}}
<table>
<thead><tr><th>{{t . "ID"}}</th><th>{{t . "Department"}}</th><th>{{t . "Hospital"}}</th><th>{{t . "Payment model"}}</th><th>{{t . "Enrollment rate"}}</th><th>{{t . "Potential (patients/month)"}}</th></tr></thead>
<tbody>
{{- range .Summary.AtRisk}}
<tr><td>{{.ID}}</td><td>{{.Name}}</td><td>{{.HospitalName}}</td><td>{{.PaymentModel}}</td><td class="n">{{str .EnrollmentRate}}</td><td class="n">{{num .Potential 1}}</td></tr>
{{- end}}
</tbody>
</table>
{{- else}}<p>{{t . "none"}}</p>{{end}}
{{- if .Summary.Hottest}}
<h3>{{t . "Hottest heat-map cells"}}</h3>
{{bars .}}
{{- end}}
{{- if .Summary.Stakeholders}}
<h3>{{t . "Access stakeholders"}}</h3>
<table>
<thead><tr><th>{{t . "Stage"}}</th><th>{{t . "Accounts"}}</th></tr></thead>
<tbody>
{{- range .Summary.Stakeholders}}
<tr><td>{{t $r .Stage}}</td><td class="n">{{.Count}}</td></tr>
{{- end}}
</tbody>
</table>
{{- end}}
{{- if .Summary.Speakers}}
<h3>{{t . "Compliant speaker shortlist"}}</h3>
<table>
<thead><tr><th>{{t . "ID"}}</th><th>{{t . "Name"}}</th><th>{{t . "Title"}}</th><th>{{t . "KOL level"}}</th><th>{{t . "Score"}}</th></tr></thead>
<tbody>
{{- range .Summary.Speakers}}
<tr><td>{{.ID}}</td><td>{{.Name}}</td><td>{{t $r .Title}}</td><td>{{t $r .KOLLevel}}</td><td class="n">{{str .Score}}</td></tr>
{{- end}}
</tbody>
</table>
<p><small>{{rule $r}}</small></p>
{{- end}}
{{- range .Sections}}
<h2{{if .Segment}} class="seg-{{.Segment}}"{{end}}>{{.Heading}} ({{len .Rows}})</h2>
{{- if .Plan}}<p class="plan">{{.Plan}}</p>{{end}}
<table>
<thead><tr>{{range heads $r}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>
{{- range .Rows}}
<tr>{{range cells $r .}}<td>{{.}}</td>{{end}}</tr>
{{- end}}
</tbody>
</table>
{{- end}}
<p><small>{{rule .}}</small></p>
</body>
</html>
`))

// Sections are the report's segments with their rows (for templates).
func (r *Report) Sections() []section { return r.sections() }

// WriteHTML writes r as a standalone UTF-8 HTML page (html/template: every
// value is escaped): the summary first (segments with their plans, the
// cut-offs in words, the 20/80 line, the departments at risk, the hottest
// heat-map cells as a picture, the stakeholders by stage, the compliant
// speaker shortlist), then one section per segment.
func WriteHTML(w io.Writer, r *Report) error {
	return htmlReport.Execute(w, r)
}

// WriteMarkdown writes r as a Markdown (CommonMark/GFM tables) document for
// account plans: the summary, then one table per segment. Text is escaped:
// the characters that are markup inside a table cell (\ ` * _ [ ] < > | ~
// & !) get a backslash and line breaks become spaces, so a name can neither
// break the table nor inject a link or HTML.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", mdText(r.Title))
	item := func(k, v string) { fmt.Fprintf(&b, "- %s: %s\n", mdText(r.t(k)), mdText(v)) }
	if r.Scope != "" {
		item("Scope", r.Scope)
	}
	if r.ProductID != "" {
		item("Product", strings.TrimSpace(r.ProductID+" "+r.ProductName))
	}
	item("Level", r.t(string(r.Level)))
	if r.GraphVersion != "" {
		item("Graph version", r.GraphVersion)
	}
	if !r.GeneratedAt.IsZero() {
		item("Generated", r.GeneratedAt.UTC().Format(time.RFC3339))
	}
	if r.Settings.Version > 0 {
		item("Settings version", strconv.Itoa(r.Settings.Version))
	}
	fmt.Fprintf(&b, "\n## %s\n\n", mdText(r.t("Summary")))
	fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n|---|--:|---|---|---|\n", mdText(r.t("Segment")), mdText(r.t("Accounts")),
		mdText(r.t("Playbook")), mdText(r.t("Cadence")), mdText(r.t("Contact")))
	for _, sl := range r.Summary.Segments {
		fmt.Fprintf(&b, "| %s | %d | %s | %s | %s |\n", mdText(r.t(string(sl.Segment))), sl.Count, mdText(r.t(sl.Playbook)),
			mdText(r.t(sl.Cadence.Label)), mdText(r.t(sl.Cadence.ContactLabel)))
	}
	fmt.Fprintf(&b, "| %s | %d |  |  |  |\n\n", mdText(r.t("unclassified")), r.Summary.Unclassified)
	item("Potential cut-off", CutOffText(r.lang(), r.Potential))
	item("Influence cut-off", CutOffText(r.lang(), r.Influence))
	item("The 20/80 line", ParetoText(r.lang(), r.Summary.Pareto))
	for _, v := range r.Settings.Values {
		item(v.Name, r.t(v.Value))
	}
	if len(r.Summary.AtRisk) > 0 {
		var ds []string
		for _, a := range r.Summary.AtRisk {
			ds = append(ds, fmt.Sprintf("%s %s (%s, %s %s)", a.ID, a.Name, a.HospitalName, a.PaymentModel, strconv.FormatFloat(a.EnrollmentRate, 'f', 2, 64)))
		}
		item("Departments at risk under DRG/DIP", strings.Join(ds, "; "))
	}
	if len(r.Summary.Speakers) > 0 {
		var sp []string
		for _, s := range r.Summary.Speakers {
			sp = append(sp, s.Name+" ("+s.ID+")")
		}
		item("Compliant speaker shortlist", strings.Join(sp, ", "))
	}
	heads := make([]string, len(sectionColumns))
	for i, c := range sectionColumns {
		heads[i] = mdText(r.t(c.heading))
	}
	for _, sec := range r.sections() {
		fmt.Fprintf(&b, "\n## %s (%d)\n\n", mdText(sec.Heading), len(sec.Rows))
		if sec.Plan != "" {
			fmt.Fprintf(&b, "%s\n\n", mdText(sec.Plan))
		}
		fmt.Fprintf(&b, "| %s |\n|%s\n", strings.Join(heads, " | "), strings.Repeat("---|", len(heads)))
		for i := range sec.Rows {
			cells := make([]string, len(sectionColumns))
			for j, c := range sectionColumns {
				cells[j] = mdText(c.cell(r, &sec.Rows[i]))
			}
			fmt.Fprintf(&b, "| %s |\n", strings.Join(cells, " | "))
		}
	}
	fmt.Fprintf(&b, "\n%s\n", mdText(r.t(SpeakerSelectionRule)))
	_, err := io.WriteString(w, b.String())
	return err
}

var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`,
	`|`, `\|`, `~`, `\~`, `&`, `\&`, `!`, `\!`, "\r\n", " ", "\n", " ", "\r", " ")

func mdText(s string) string { return mdEscaper.Replace(s) }

// MarkdownText is s escaped for Markdown text and table cells, as the
// tiering reports escape theirs (see WriteMarkdown).
func MarkdownText(s string) string { return mdText(s) }
