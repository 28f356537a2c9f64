package fieldwork

import (
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
)

// ROIReport is the academic-activity ROI report over a list of
// activities: one row per activity with its cost share and lift against
// the targets and its compliance flags. Write it with WriteROIHTML or
// WriteROIXLSX.
type ROIReport struct {
	// Lang is the language of the labels (zero: Chinese).
	Lang  labels.Lang
	Title string
	// Scope names what the report covers ("Territory T01").
	Scope string
	// GeneratedAt and SettingsVersion say when and with which settings
	// the numbers were made; printed when set.
	GeneratedAt     time.Time
	SettingsVersion int
	Config          Config
	Results         []Result
}

// PlanReport is a KAM's monthly plan: the planned visits by date, the
// workload against capacity with its warning, and the KAM's overdue
// accounts. Build it with NewPlanReport; write it with WritePlanHTML or
// WritePlanXLSX.
type PlanReport struct {
	Lang        labels.Lang
	KAMID       string
	KAMName     string
	Month       string // YYYY-MM
	AsOf        string // YYYY-MM-DD
	GeneratedAt time.Time
	Visits      []Visit
	Workload    Workload
	Overdue     []Status
}

// NewPlanReport builds KAM kamID's plan report for month from plan p: its
// visits (Plan.Visits), its workload against cfg's capacity and its
// overdue accounts (most overdue first).
func NewPlanReport(cfg Config, p *Plan, lang labels.Lang, kamID, kamName, month string) (*PlanReport, error) {
	vs, err := p.Visits(kamID, month)
	if err != nil {
		return nil, err
	}
	r := &PlanReport{Lang: lang, KAMID: kamID, KAMName: kamName, Month: month, AsOf: p.AsOf, Visits: vs,
		Workload: Workload{KAMID: kamID, Month: month, Planned: len(vs), Capacity: cfg.KAMMonthlyCapacity}}
	for _, s := range p.Overdue() {
		if s.Account.OwnerID == kamID {
			r.Overdue = append(r.Overdue, s)
		}
	}
	return r, nil
}

// cell is one cell of a report table: text, or a number in a format.
type cell struct {
	text string
	num  *float64
	form numForm
}

type numForm int

const (
	asText numForm = iota
	asInt
	asMoney    // 2 decimals
	asPercent  // a fraction shown as a percentage with 1 decimal
	asQuantity // up to 2 decimals, trailing zeros dropped
)

// percent is a fraction as a percentage, as precise as it is: 30%, 12.5%.
func percent(x float64) string { return strconv.FormatFloat(100*x, 'f', -1, 64) + "%" }

// String is the cell as text (the HTML's).
func (c cell) String() string {
	if c.num == nil {
		return c.text
	}
	switch c.form {
	case asInt:
		return strconv.FormatFloat(*c.num, 'f', 0, 64)
	case asPercent:
		return strconv.FormatFloat(100**c.num, 'f', 1, 64) + "%"
	case asQuantity:
		return money(*c.num)
	}
	return strconv.FormatFloat(*c.num, 'f', 2, 64)
}

func txt(s string) cell { return cell{text: s} }

func number(x float64, f numForm) cell { return cell{num: &x, form: f} }

// optNumber is x, or "unknown" in lang when nil.
func optNumber(lang labels.Lang, x *float64, f numForm) cell {
	if x == nil {
		return txt(t(lang, "unknown"))
	}
	return number(*x, f)
}

// table is a heading row and rows of cells.
type table struct {
	Heads []string
	Rows  [][]cell
}

// check is ✓ when met, ✗ when not, "" when unknown.
func check(met *bool) string {
	switch {
	case met == nil:
		return ""
	case *met:
		return "✓"
	}
	return "✗"
}

func (r *ROIReport) lang() labels.Lang { return langOf(r.Lang) }

func (r *ROIReport) title() string {
	if r.Title == "" {
		return t(r.lang(), "Activity ROI")
	}
	return r.Title
}

func window(months []string) string {
	if len(months) == 0 {
		return ""
	}
	return months[0] + " – " + months[len(months)-1]
}

// activities is the report's table: one row per activity.
func (r *ROIReport) activities() table {
	l := r.lang()
	tb := table{}
	for _, h := range []string{"Activity", "Kind", "Date", "Budget", "Actual cost", "Cost share", "",
		"Attendees", "Before window", "Before", "After window", "After", "Lift", "", "Compliance flags"} {
		tb.Heads = append(tb.Heads, t(l, h))
	}
	// The check columns say their target: "Cost share ≤ 30%".
	tb.Heads[6] = t(l, "Cost share") + " ≤ " + percent(r.Config.CostShareMax)
	tb.Heads[13] = t(l, "Lift") + " ≥ " + percent(r.Config.LiftMin)
	for _, res := range r.Results {
		a, roi := res.Activity, res.ROI
		liftCheck := check(roi.LiftMet)
		if roi.Provisional {
			liftCheck = strings.TrimSpace(liftCheck + " " + t(l, "provisional"))
		}
		flags := make([]string, len(res.Flags))
		for i, f := range res.Flags {
			flags[i] = string(f.Code) + ": " + f.Message(l)
		}
		tb.Rows = append(tb.Rows, []cell{
			txt(a.Name), txt(t(l, a.Kind)), txt(a.Date), number(a.Budget, asMoney), optNumber(l, a.ActualCost, asMoney),
			optNumber(l, roi.CostShare, asPercent), txt(check(roi.CostShareMet)), number(float64(len(a.AttendeeIDs)), asInt),
			txt(window(roi.BeforeMonths)), number(roi.Before, asQuantity), txt(window(roi.AfterMonths)), number(roi.After, asQuantity),
			optNumber(l, roi.Lift, asPercent), txt(liftCheck), txt(strings.Join(flags, "\n")),
		})
	}
	return tb
}

// summary are the report's header lines: name and value.
func (r *ROIReport) summary() [][2]string {
	l := r.lang()
	c := r.Config
	var lines [][2]string
	if r.Scope != "" {
		lines = append(lines, [2]string{t(l, "Scope"), r.Scope})
	}
	if !r.GeneratedAt.IsZero() {
		lines = append(lines, [2]string{t(l, "Generated"), r.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC")})
	}
	if r.SettingsVersion > 0 {
		lines = append(lines, [2]string{t(l, "Settings version"), strconv.Itoa(r.SettingsVersion)})
	}
	return append(lines,
		[2]string{t(l, "Cost share target"), "≤ " + percent(c.CostShareMax)},
		[2]string{t(l, "Lift target"), "≥ " + percent(c.LiftMin)},
		[2]string{t(l, "Windows (months before / after)"), strconv.Itoa(c.BeforeMonths) + " / " + strconv.Itoa(c.AfterMonths)},
		[2]string{t(l, "Cap per attendee"), money(c.MaxCostPerAttendee) + " " + t(l, "CNY")},
		[2]string{t(l, "Cap per HCP a year"), money(c.MaxSpendPerHCPYear) + " " + t(l, "CNY")})
}

func (r *PlanReport) lang() labels.Lang { return langOf(r.Lang) }

func (r *PlanReport) title() string { return t(r.lang(), "Call plan") + " · " + r.Month }

// visits is the plan's table of visits, by date.
func (r *PlanReport) visits() table {
	l := r.lang()
	tb := table{}
	for _, h := range []string{"Date", "Account ID", "Name", "Hospital", "Department", "Segment", "Cadence", "Contact", "Overdue days"} {
		tb.Heads = append(tb.Heads, t(l, h))
	}
	for _, v := range r.Visits {
		a := v.Account
		od := txt("")
		if v.DaysOverdue > 0 {
			od = number(float64(v.DaysOverdue), asInt)
		}
		tb.Rows = append(tb.Rows, []cell{txt(v.Date), txt(a.ID), txt(a.Name), txt(a.HospitalName), txt(a.DepartmentName),
			txt(string(a.Segment)), txt(t(l, a.Cadence.Label)), txt(t(l, a.Cadence.ContactLabel)), od})
	}
	return tb
}

// overdue is the plan's table of overdue accounts, most overdue first.
func (r *PlanReport) overdue() table {
	l := r.lang()
	tb := table{}
	for _, h := range []string{"Account ID", "Name", "Hospital", "Segment", "Cadence", "Last visit", "Next due", "Overdue days"} {
		tb.Heads = append(tb.Heads, t(l, h))
	}
	for _, s := range r.Overdue {
		a := s.Account
		last := s.LastVisit
		if last == "" {
			last = t(l, "never")
		}
		tb.Rows = append(tb.Rows, []cell{txt(a.ID), txt(a.Name), txt(a.HospitalName), txt(string(a.Segment)),
			txt(t(l, a.Cadence.Label)), txt(last), txt(s.NextDue), number(float64(s.DaysOverdue), asInt)})
	}
	return tb
}

// summary are the plan's header lines.
func (r *PlanReport) summary() [][2]string {
	l := r.lang()
	w := r.Workload
	lines := [][2]string{
		{t(l, "KAM"), strings.TrimSpace(r.KAMName + " (" + r.KAMID + ")")},
		{t(l, "Month"), r.Month},
		{t(l, "As of"), r.AsOf},
	}
	if !r.GeneratedAt.IsZero() {
		lines = append(lines, [2]string{t(l, "Generated"), r.GeneratedAt.UTC().Format("2006-01-02 15:04 UTC")})
	}
	return append(lines,
		[2]string{t(l, "Planned visits"), strconv.Itoa(w.Planned)},
		[2]string{t(l, "Capacity"), strconv.Itoa(w.Capacity)},
		[2]string{t(l, "Utilisation"), strconv.FormatFloat(100*w.Utilisation(), 'f', 1, 64) + "%"},
		[2]string{t(l, "Workload"), r.workloadText()})
}

func (r *PlanReport) workloadText() string {
	if w := r.Workload.Warning(r.lang()); w != "" {
		return w
	}
	return t(r.lang(), "Within capacity")
}

// htmlPage is one printable report page: a title, header lines, an
// optional warning, and titled tables.
type htmlPage struct {
	Lang    labels.Lang
	Title   string
	Lines   [][2]string
	Warning string
	Tables  []htmlTable
}

type htmlTable struct {
	Title string
	table
	Empty string
}

var htmlReport = template.Must(template.New("report").Funcs(template.FuncMap{
	"lines": func(c cell) []string { return strings.Split(c.String(), "\n") },
	"num":   func(c cell) bool { return c.num != nil },
}).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin-bottom:1.5em}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right}dl{display:grid;grid-template-columns:14em 1fr;gap:.2em 1em}dt{font-weight:600}dd{margin:0}
.warning{color:#c62828;font-weight:600}
@media print{body{margin:0}thead{display:table-header-group}tr{page-break-inside:avoid}}
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<dl>
{{- range .Lines}}
<dt>{{index . 0}}</dt><dd>{{index . 1}}</dd>
{{- end}}
</dl>
{{- if .Warning}}
<p class="warning">{{.Warning}}</p>
{{- end}}
{{- range .Tables}}
{{- if .Title}}
<h2>{{.Title}}</h2>
{{- end}}
{{- if .Rows}}
<table><thead><tr>{{range .Heads}}<th>{{.}}</th>{{end}}</tr></thead><tbody>
{{- range .Rows}}
<tr>{{range .}}<td{{if num .}} class="n"{{end}}>{{range $i, $l := lines .}}{{if $i}}<br>{{end}}{{$l}}{{end}}</td>{{end}}</tr>
{{- end}}
</tbody></table>
{{- else}}
<p>{{.Empty}}</p>
{{- end}}
{{- end}}
</body>
</html>
`))

// WriteROIHTML writes r as a standalone printable UTF-8 HTML page
// (html/template: every value is escaped).
func WriteROIHTML(w io.Writer, r *ROIReport) error {
	l := r.lang()
	return htmlReport.Execute(w, htmlPage{Lang: l, Title: r.title(), Lines: r.summary(),
		Tables: []htmlTable{{table: r.activities(), Empty: t(l, "none")}}})
}

// WritePlanHTML writes r as a standalone printable UTF-8 HTML page: the
// workload with its warning, the planned visits by date, the overdue
// accounts.
func WritePlanHTML(w io.Writer, r *PlanReport) error {
	l := r.lang()
	return htmlReport.Execute(w, htmlPage{Lang: l, Title: r.title(), Lines: r.summary(),
		Warning: r.Workload.Warning(l),
		Tables: []htmlTable{
			{Title: t(l, "Planned visits"), table: r.visits(), Empty: t(l, "none")},
			{Title: t(l, "Overdue accounts"), table: r.overdue(), Empty: t(l, "none")},
		}})
}

// sheetText is a text cell as written to a spreadsheet: text a
// spreadsheet would run as a formula (kolgraph.FormulaLike) gets a
// leading single quote, as the tiering report's CSV does.
func sheetText(s string) string {
	if kolgraph.FormulaLike(s) {
		return "'" + s
	}
	return s
}
