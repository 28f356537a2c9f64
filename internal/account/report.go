package account

import (
	"encoding/csv"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Report is a tiering report of a territory or hospital: every account with
// its potential, influence, segment, cadence and playbook. Build it with
// NewReport, fill the metadata and (optionally) each row's Paths, then write
// it with WriteCSV, WriteHTML or WriteMarkdown.
type Report struct {
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
	Rows         []ReportRow
}

// ReportRow is one HCP, department or hospital of a report.
type ReportRow struct {
	Level          Level
	ID             string
	Name           string
	HospitalName   string
	DepartmentName string
	Potential      *float64 // monthly patients; nil = unknown
	Influence      *float64
	Segment        Segment // "" when unclassified
	Cadence        string
	Playbook       string
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
// in the matrix's order), then the unclassified accounts with their reasons.
func NewReport(m *Matrix) *Report {
	r := &Report{Level: m.Level, ProductID: m.ProductID, Potential: m.Potential, Influence: m.Influence}
	for _, c := range m.Cells {
		for _, mb := range c.Members {
			p, i := mb.Potential, mb.Influence
			r.Rows = append(r.Rows, ReportRow{
				Level: mb.Level, ID: mb.ID, Name: mb.Name, HospitalName: mb.HospitalName, DepartmentName: mb.DepartmentName,
				Potential: &p, Influence: &i, Segment: mb.Segment, Cadence: mb.Cadence.Label, Playbook: mb.Playbook,
			})
		}
	}
	for _, u := range m.Unclassified {
		r.Rows = append(r.Rows, ReportRow{
			Level: u.Level, ID: u.ID, Name: u.Name, HospitalName: u.HospitalName, DepartmentName: u.DepartmentName,
			Potential: u.Potential, Influence: u.Influence, Note: "unclassified: " + strings.Join(u.Reasons, "; "),
		})
	}
	return r
}

// CSVHeader is the header row WriteCSV writes.
var CSVHeader = []string{"level", "id", "name", "hospital", "department", "segment",
	"potential_monthly_patients", "influence", "cadence", "playbook", "note", "top_paths"}

// WriteCSV writes r as one CSV table (RFC 4180, UTF-8, CSVHeader then one
// row per account; an unknown number is an empty cell).
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
	for _, row := range r.Rows {
		rec := []string{
			csvText(string(row.Level)), csvText(row.ID), csvText(row.Name),
			csvText(row.HospitalName), csvText(row.DepartmentName), csvText(string(row.Segment)),
			num(row.Potential, 2), num(row.Influence, 4),
			csvText(row.Cadence), csvText(row.Playbook), csvText(row.Note), csvText(pathsText(row.Paths)),
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

func num(v *float64, prec int) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', prec, 64)
}

func pathsText(ps []ReportPath) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = fmt.Sprintf("%s (%s): %s", p.ID, strconv.FormatFloat(p.Strength, 'f', 3, 64), p.Summary)
	}
	return strings.Join(parts, "; ")
}

var reportFuncs = template.FuncMap{
	"num":  num,
	"when": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"rule": func() string { return SpeakerSelectionRule },
	"str":  func(f float64) string { return strconv.FormatFloat(f, 'f', 3, 64) },
	"cut":  cutText,
}

func cutText(c CutOff) string {
	if c.Mode == Percentile {
		return fmt.Sprintf("%sth percentile of %d positive values = %s", strconv.FormatFloat(c.Value, 'f', -1, 64), c.Basis,
			strconv.FormatFloat(c.Threshold, 'f', 4, 64))
	}
	return "absolute " + strconv.FormatFloat(c.Threshold, 'f', 4, 64)
}

var htmlReport = template.Must(template.New("report").Funcs(reportFuncs).Parse(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2em}
table{border-collapse:collapse}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
td.n{text-align:right}.seg-A{background:#fde2e2}.seg-B{background:#fff1d6}.seg-C{background:#e0efff}.seg-D{background:#eee}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<dl>
{{- if .Scope}}<dt>Scope</dt><dd>{{.Scope}}</dd>{{end}}
{{- if .ProductID}}<dt>Product</dt><dd>{{.ProductID}}{{if .ProductName}} {{.ProductName}}{{end}}</dd>{{end}}
<dt>Potential cut-off</dt><dd>{{cut .Potential}} monthly patients (high when &gt; 0 and at or above it)</dd>
<dt>Influence cut-off</dt><dd>{{cut .Influence}} (high when &gt; 0 and at or above it)</dd>
{{- if .GraphVersion}}<dt>Graph version</dt><dd>{{.GraphVersion}}</dd>{{end}}
{{- if not .GeneratedAt.IsZero}}<dt>Generated</dt><dd>{{when .GeneratedAt}}</dd>{{end}}
</dl>
<table>
<thead><tr><th>Segment</th><th>Level</th><th>ID</th><th>Name</th><th>Hospital</th><th>Department</th><th>Potential (patients/month)</th><th>Influence</th><th>Cadence</th><th>Playbook</th><th>Top influence paths</th></tr></thead>
<tbody>
{{- range .Rows}}
<tr{{if .Segment}} class="seg-{{.Segment}}"{{end}}><td>{{if .Segment}}{{.Segment}}{{else}}unclassified{{end}}</td><td>{{.Level}}</td><td>{{.ID}}</td><td>{{.Name}}</td><td>{{.HospitalName}}</td><td>{{.DepartmentName}}</td><td class="n">{{num .Potential 2}}</td><td class="n">{{num .Influence 4}}</td><td>{{.Cadence}}</td><td>{{if .Note}}{{.Note}}{{else}}{{.Playbook}}{{end}}</td><td>{{range $i, $p := .Paths}}{{if $i}}<br>{{end}}{{$p.Summary}} ({{str $p.Strength}}, {{$p.ID}}){{end}}</td></tr>
{{- end}}
</tbody>
</table>
<p><small>{{rule}}</small></p>
</body>
</html>
`))

// WriteHTML writes r as a standalone UTF-8 HTML page (html/template: every
// value is escaped).
func WriteHTML(w io.Writer, r *Report) error {
	return htmlReport.Execute(w, r)
}

// WriteMarkdown writes r as a Markdown (CommonMark/GFM table) document for
// account plans. Text is escaped: the characters that are markup inside a
// table cell (\ ` * _ [ ] < > | ~ & !) get a backslash and line breaks
// become spaces, so a name can neither break the table nor inject a link or
// HTML.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", mdText(r.Title))
	if r.Scope != "" {
		fmt.Fprintf(&b, "- Scope: %s\n", mdText(r.Scope))
	}
	if r.ProductID != "" {
		fmt.Fprintf(&b, "- Product: %s\n", mdText(strings.TrimSpace(r.ProductID+" "+r.ProductName)))
	}
	fmt.Fprintf(&b, "- Potential cut-off: %s monthly patients (high when > 0 and at or above it)\n", mdText(cutText(r.Potential)))
	fmt.Fprintf(&b, "- Influence cut-off: %s (high when > 0 and at or above it)\n", mdText(cutText(r.Influence)))
	if r.GraphVersion != "" {
		fmt.Fprintf(&b, "- Graph version: %s\n", mdText(r.GraphVersion))
	}
	if !r.GeneratedAt.IsZero() {
		fmt.Fprintf(&b, "- Generated: %s\n", r.GeneratedAt.UTC().Format(time.RFC3339))
	}
	b.WriteString("\n| Segment | Level | ID | Name | Hospital | Department | Potential (patients/month) | Influence | Cadence | Playbook | Top influence paths |\n")
	b.WriteString("|---|---|---|---|---|---|--:|--:|---|---|---|\n")
	for _, row := range r.Rows {
		seg, plan := string(row.Segment), row.Playbook
		if seg == "" {
			seg = "unclassified"
		}
		if row.Note != "" {
			plan = row.Note
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			seg, mdText(string(row.Level)), mdText(row.ID), mdText(row.Name), mdText(row.HospitalName),
			mdText(row.DepartmentName), num(row.Potential, 2), num(row.Influence, 4),
			mdText(row.Cadence), mdText(plan), mdText(pathsText(row.Paths)))
	}
	fmt.Fprintf(&b, "\n%s\n", mdText(SpeakerSelectionRule))
	_, err := io.WriteString(w, b.String())
	return err
}

var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `<`, `\<`, `>`, `\>`,
	`|`, `\|`, `~`, `\~`, `&`, `\&`, `!`, `\!`, "\r\n", " ", "\n", " ", "\r", " ")

func mdText(s string) string { return mdEscaper.Replace(s) }
