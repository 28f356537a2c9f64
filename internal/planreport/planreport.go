// Package planreport renders an account plan as a document to print or
// paste: HTML (printable) and Markdown, in Chinese or English. It cites
// each path with its id, its hops as they were cited, and its health on
// the graph of the moment (and the replacement, when there is one).
package planreport

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/citation"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// Report is a plan with what its document shows beside it.
type Report struct {
	Plan *kolgraph.AccountPlan
	Lang labels.Lang
	// Names of the records the plan refers to, as the store has them now
	// ("" for one that is gone).
	Hospital, Department, Product, Owner string
	// HCPs maps the stakeholders' ids to their names now.
	HCPs      map[string]string
	Citations []Citation
	// GraphVersion is the graph the health was computed on.
	GraphVersion string
	GeneratedAt  time.Time
}

// Citation is a cited path with its health now.
type Citation struct {
	*kolgraph.CitedPath
	Health *citation.Health
	// ShowEntry says whether the reader may see the citing user's tie.
	ShowEntry bool
}

// Deps are what a report is built from: the caller's store and analytics,
// and for a territory-scoped caller the whole graph (see
// citation.Checker.Whole; nil for a caller who sees it all).
type Deps struct {
	Store     kolgraph.Store
	Snapshots snapshot.Source
	Paths     *access.Service
	Whole     snapshot.Source
}

// Build reads plan id through d (so the caller's territories and masking
// apply) and computes its citations' health. An unknown plan, or one out
// of the caller's territories, is NOT_FOUND.
func Build(ctx context.Context, d Deps, id string, lang labels.Lang, now time.Time) (*Report, error) {
	ps, err := d.Store.AccountPlans(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 || ps[0] == nil {
		return nil, kolgraph.Errorf(kolgraph.ENOTFOUND, "no account plan %q", id)
	}
	p := ps[0]
	r := &Report{Plan: p, Lang: lang, GeneratedAt: now.UTC(), HCPs: map[string]string{}}
	if err := r.names(ctx, d.Store); err != nil {
		return nil, err
	}
	snap, err := d.Snapshots.Get()
	if err != nil {
		return nil, err
	}
	r.GraphVersion = snap.GraphVersion()
	ck := citation.NewChecker(d.Paths)
	if d.Whole != nil {
		if ck.Whole, err = d.Whole.Get(); err != nil {
			return nil, err
		}
	}
	for i := range p.Citations {
		c := &p.Citations[i]
		h, err := ck.Check(ctx, snap, c, true)
		if err != nil {
			return nil, err
		}
		r.Citations = append(r.Citations, Citation{CitedPath: c, Health: h, ShowEntry: access.MaySeeTies(ctx, c.User)})
	}
	return r, nil
}

// names looks up the names of what the plan refers to.
func (r *Report) names(ctx context.Context, st kolgraph.Store) error {
	p := r.Plan
	hs, err := st.Hospitals(ctx, []string{p.HospitalID})
	if err != nil {
		return err
	}
	if len(hs) > 0 && hs[0] != nil {
		r.Hospital = hs[0].Name
	}
	if p.DepartmentID != "" {
		ds, err := st.Departments(ctx, []string{p.DepartmentID})
		if err != nil {
			return err
		}
		if len(ds) > 0 && ds[0] != nil {
			r.Department = ds[0].Name
		}
	}
	prs, err := st.Products(ctx, []string{p.ProductID})
	if err != nil {
		return err
	}
	if len(prs) > 0 && prs[0] != nil {
		r.Product = prs[0].Name
	}
	us, err := st.Users(ctx, []string{p.OwnerID})
	if err != nil {
		return err
	}
	if len(us) > 0 && us[0] != nil {
		r.Owner = us[0].Name
	}
	ids := p.StakeholderIDs()
	hcps, err := st.HCPs(ctx, ids)
	if err != nil {
		return err
	}
	for i, h := range hcps {
		if h != nil {
			r.HCPs[ids[i]] = h.Name
		}
	}
	return nil
}

// Format is a plan document's format.
type Format string

// The formats.
const (
	HTML     Format = "html"
	Markdown Format = "md"
)

// ParseFormat reads html (the default for "") or md (markdown); anything
// else is BAD_USER_INPUT.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "html", "htm":
		return HTML, nil
	case "md", "markdown":
		return Markdown, nil
	}
	return "", kolgraph.Errorf(kolgraph.EINVALID, "format must be html or md (got %q)", s)
}

// ContentType is the format's MIME type.
func (f Format) ContentType() string {
	if f == Markdown {
		return "text/markdown; charset=utf-8"
	}
	return "text/html; charset=utf-8"
}

// FileName is a download name: account-plan-<id>.<format>.
func (r *Report) FileName(f Format) string { return "account-plan-" + r.Plan.ID + "." + string(f) }

// Write writes r in format f.
func (f Format) Write(w io.Writer, r *Report) error {
	if f == Markdown {
		return writeMarkdown(w, r)
	}
	return htmlPlan.Execute(w, r)
}

func (r *Report) t(s string) string { return labels.T(r.Lang, s) }

// named is "name (id)", or the id alone without a name.
func named(name, id string) string {
	if name == "" {
		return id
	}
	return name + " (" + id + ")"
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', 4, 64) }

// hops is a path as one line: name (id) -[kind weight]-> name (id) ...
func (r *Report) hops(c *kolgraph.CitedPath) string {
	var b strings.Builder
	for i, n := range c.Nodes {
		if i > 0 && i-1 < len(c.Hops) {
			h := c.Hops[i-1]
			fmt.Fprintf(&b, " —[%s %s]→ ", h.Kind, num(h.Weight))
		}
		b.WriteString(named(n.Name, n.ID))
	}
	return b.String()
}

// pathLine is a live path as one line, for a replacement: as it would be
// cited.
func (r *Report) pathLine(p *access.Path) string {
	c := citation.Cite(p, "")
	return r.hops(&c)
}

// health is a citation's health in words.
func (r *Report) health(c Citation) string {
	h := c.Health
	switch h.Status {
	case citation.Broken:
		return fmt.Sprintf(r.t("broken at hop %d: %s"), h.BrokenAt, r.gone(c))
	case citation.Unchanged:
		return r.t("unchanged")
	}
	return fmt.Sprintf(r.t("%s: strength %s then, %s now"), r.t(strings.ToLower(string(h.Status))), num(c.Strength), num(h.Strength))
}

// gone says what broke c, in the report's language.
func (r *Report) gone(c Citation) string {
	g := c.Health.Gone
	name := func(id string) string {
		for _, n := range c.Nodes {
			if n.ID == id {
				return named(n.Name, id)
			}
		}
		return id
	}
	switch {
	case g.Entry && g.User:
		return fmt.Sprintf(r.t("user %s was deleted"), g.From)
	case g.HCP != "" && g.Outside:
		return fmt.Sprintf(r.t("%s is outside your territories"), name(g.HCP))
	case g.HCP != "":
		return fmt.Sprintf(r.t("%s left"), name(g.HCP))
	case g.Entry:
		return fmt.Sprintf(r.t("%s no longer knows %s"), g.From, name(g.To))
	case g.From != "":
		return fmt.Sprintf(r.t("the tie %s → %s was removed"), name(g.From), name(g.To))
	}
	return c.Health.Reason
}

// entry is the citing user's tie, as the reader may see it.
func (r *Report) entry(c Citation) string {
	switch {
	case c.User == "":
		return ""
	case c.ShowEntry:
		return fmt.Sprintf(r.t("from the contacts of %s (tie %s)"), c.User, num(c.Entry))
	}
	return fmt.Sprintf(r.t("from the contacts of %s"), c.User)
}

func writeMarkdown(w io.Writer, r *Report) error {
	p := r.Plan
	md := account.MarkdownText
	var b strings.Builder
	fmt.Fprintf(&b, "# %s %s\n\n", md(r.t("Account plan")), md(p.ID))
	item := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "- %s: %s\n", md(r.t(k)), md(v))
		}
	}
	item("Hospital", named(r.Hospital, p.HospitalID))
	if p.DepartmentID != "" {
		item("Department", named(r.Department, p.DepartmentID))
	}
	item("Product", named(r.Product, p.ProductID))
	item("Owner", named(r.Owner, p.OwnerID))
	item("Status", r.t(p.Status))
	item("Period", p.PeriodStart+" – "+p.PeriodEnd)
	item("Updated", p.UpdatedAt.UTC().Format(time.RFC3339)+" "+p.UpdatedBy)
	item("Graph version", r.GraphVersion)
	item("Generated", r.GeneratedAt.Format(time.RFC3339))
	if len(p.Goals) > 0 {
		fmt.Fprintf(&b, "\n## %s\n\n| %s | %s | %s |\n|---|---|--:|\n", md(r.t("Goals")), md(r.t("Year")), md(r.t("Goal")), md(r.t("Target")))
		for _, g := range p.Goals {
			target := ""
			if g.Target != nil {
				target = strings.TrimSpace(num(*g.Target) + " " + g.Unit)
			}
			fmt.Fprintf(&b, "| %d | %s | %s |\n", g.Year, md(g.Goal), md(target))
		}
	}
	if len(p.Objectives) > 0 {
		fmt.Fprintf(&b, "\n## %s\n\n| %s | %s | %s | %s |\n|---|---|---|---|\n", md(r.t("Objectives")), md(r.t("Area")), md(r.t("Year")),
			md(r.t("Objective")), md(r.t("Measure")))
		for _, o := range p.Objectives {
			fmt.Fprintf(&b, "| %s | %d | %s | %s |\n", md(r.t(o.Area)), o.Year, md(o.Description), md(o.Measure))
		}
	}
	if len(p.Stakeholders) > 0 {
		fmt.Fprintf(&b, "\n## %s\n\n| HCP | %s | %s | %s | %s | %s | %s |\n|---|---|---|---|--:|---|---|\n", md(r.t("Stakeholders")),
			md(r.t("Role")), md(r.t("Stage")), md(r.t("Segment")), md(r.t("Influence")), md(r.t("Next action")), md(r.t("Due")))
		for _, s := range p.Stakeholders {
			infl := ""
			if s.Influence != nil {
				infl = num(*s.Influence)
			}
			stage := ""
			if s.Stage != "" {
				stage = r.t(s.Stage)
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n", md(named(r.HCPs[s.HCPID], s.HCPID)), md(s.Role), md(stage),
				md(s.Segment), infl, md(s.NextAction), md(s.NextActionDue))
		}
	}
	if len(r.Citations) > 0 {
		fmt.Fprintf(&b, "\n## %s\n", md(r.t("Cited paths")))
		for i, c := range r.Citations {
			fmt.Fprintf(&b, "\n### %d. %s\n\n", i+1, md(c.Note))
			fmt.Fprintf(&b, "- %s: `%s`\n", md(r.t("Path id")), c.PathID)
			item("Strength", fmt.Sprintf("%s (%s, %s)", num(c.Strength), c.GraphVersion, c.ComputedAt.UTC().Format(time.RFC3339)))
			item("Entry", r.entry(c))
			item("Hops", r.hops(c.CitedPath))
			item("Health", r.health(c))
			if rep := c.Health.Replacement; rep != nil {
				fmt.Fprintf(&b, "- %s: `%s`, %s\n", md(r.t("Replacement")), rep.ID,
					md(fmt.Sprintf("%s %s: %s", r.t("strength"), num(rep.Strength), r.pathLine(rep))))
			} else if c.Health.ReplacementNote != "" {
				item("Replacement", c.Health.ReplacementNote)
			}
		}
	}
	if p.Notes != "" {
		fmt.Fprintf(&b, "\n## %s\n\n%s\n", md(r.t("Notes")), md(p.Notes))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

var htmlPlan = template.Must(template.New("plan").Funcs(template.FuncMap{
	"t":     func(r *Report, s string) string { return r.t(s) },
	"named": named,
	"num":   num,
	"nump":  func(f *float64) string { return num(*f) },
	"inc":   func(i int) int { return i + 1 },
	"when":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"hops":  func(r *Report, c Citation) string { return r.hops(c.CitedPath) },
	"line":  func(r *Report, p *access.Path) string { return r.pathLine(p) },
	"health": func(r *Report, c Citation) string {
		return r.health(c)
	},
	"entry": func(r *Report, c Citation) string { return r.entry(c) },
	"lower": func(s citation.Status) string { return strings.ToLower(string(s)) },
	"hcp":   func(r *Report, id string) string { return named(r.HCPs[id], id) },
}).Parse(`<!DOCTYPE html>
<html lang="{{.Lang}}">
<head>
<meta charset="utf-8">
<title>{{t . "Account plan"}} {{.Plan.ID}}</title>
<style>
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2em;color:#222;max-width:60em}
table{border-collapse:collapse;margin-bottom:1.5em}th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right}dl{display:grid;grid-template-columns:9em 1fr;gap:.2em 1em}dt{font-weight:600}dd{margin:0}
.cite{border:1px solid #ccc;padding:.5em 1em;margin:1em 0;page-break-inside:avoid}
.unchanged{color:#2e7d32}.weakened{color:#b26a00}.strengthened{color:#1565c0}.broken{color:#c62828;font-weight:600}
code{font-size:.85em;word-break:break-all}
@media print{body{margin:0}a{color:inherit}}
</style>
</head>
<body>
{{- $r := .}}{{$p := .Plan}}
<h1>{{t . "Account plan"}} {{$p.ID}}</h1>
<dl>
<dt>{{t . "Hospital"}}</dt><dd>{{named .Hospital $p.HospitalID}}</dd>
{{- if $p.DepartmentID}}<dt>{{t . "Department"}}</dt><dd>{{named .Department $p.DepartmentID}}</dd>{{end}}
<dt>{{t . "Product"}}</dt><dd>{{named .Product $p.ProductID}}</dd>
<dt>{{t . "Owner"}}</dt><dd>{{named .Owner $p.OwnerID}}</dd>
<dt>{{t . "Status"}}</dt><dd>{{t . $p.Status}}</dd>
<dt>{{t . "Period"}}</dt><dd>{{$p.PeriodStart}} – {{$p.PeriodEnd}}</dd>
<dt>{{t . "Updated"}}</dt><dd>{{when $p.UpdatedAt}} {{$p.UpdatedBy}}</dd>
<dt>{{t . "Graph version"}}</dt><dd>{{.GraphVersion}}</dd>
<dt>{{t . "Generated"}}</dt><dd>{{when .GeneratedAt}}</dd>
</dl>
{{- if $p.Goals}}
<h2>{{t . "Goals"}}</h2>
<table><thead><tr><th>{{t . "Year"}}</th><th>{{t . "Goal"}}</th><th>{{t . "Target"}}</th></tr></thead><tbody>
{{- range $p.Goals}}
<tr><td>{{.Year}}</td><td>{{.Goal}}</td><td class="n">{{if .Target}}{{nump .Target}} {{.Unit}}{{end}}</td></tr>
{{- end}}
</tbody></table>
{{- end}}
{{- if $p.Objectives}}
<h2>{{t . "Objectives"}}</h2>
<table><thead><tr><th>{{t . "Area"}}</th><th>{{t . "Year"}}</th><th>{{t . "Objective"}}</th><th>{{t . "Measure"}}</th></tr></thead><tbody>
{{- range $p.Objectives}}
<tr><td>{{t $r .Area}}</td><td>{{.Year}}</td><td>{{.Description}}</td><td>{{.Measure}}</td></tr>
{{- end}}
</tbody></table>
{{- end}}
{{- if $p.Stakeholders}}
<h2>{{t . "Stakeholders"}}</h2>
<table><thead><tr><th>HCP</th><th>{{t . "Role"}}</th><th>{{t . "Stage"}}</th><th>{{t . "Segment"}}</th><th>{{t . "Influence"}}</th><th>{{t . "Next action"}}</th><th>{{t . "Due"}}</th></tr></thead><tbody>
{{- range $p.Stakeholders}}
<tr><td>{{hcp $r .HCPID}}</td><td>{{.Role}}</td><td>{{if .Stage}}{{t $r .Stage}}{{end}}</td><td>{{.Segment}}</td><td class="n">{{if .Influence}}{{nump .Influence}}{{end}}</td><td>{{.NextAction}}</td><td>{{.NextActionDue}}</td></tr>
{{- end}}
</tbody></table>
{{- end}}
{{- if .Citations}}
<h2>{{t . "Cited paths"}}</h2>
{{- range $i, $c := .Citations}}
<div class="cite">
<h3>{{inc $i}}. {{$c.Note}}</h3>
<dl>
<dt>{{t $r "Path id"}}</dt><dd><code>{{$c.PathID}}</code></dd>
<dt>{{t $r "Strength"}}</dt><dd>{{num $c.Strength}} ({{$c.GraphVersion}}, {{when $c.ComputedAt}})</dd>
{{- with entry $r $c}}<dt>{{t $r "Entry"}}</dt><dd>{{.}}</dd>{{end}}
<dt>{{t $r "Hops"}}</dt><dd>{{hops $r $c}}</dd>
<dt>{{t $r "Health"}}</dt><dd class="{{lower $c.Health.Status}}">{{health $r $c}}</dd>
{{- with $c.Health.Replacement}}
<dt>{{t $r "Replacement"}}</dt><dd><code>{{.ID}}</code>, {{t $r "strength"}} {{num .Strength}}: {{line $r .}}</dd>
{{- else}}{{with $c.Health.ReplacementNote}}<dt>{{t $r "Replacement"}}</dt><dd>{{.}}</dd>{{end}}
{{- end}}
</dl>
</div>
{{- end}}
{{- end}}
{{- if $p.Notes}}
<h2>{{t . "Notes"}}</h2>
<p style="white-space:pre-wrap">{{$p.Notes}}</p>
{{- end}}
</body>
</html>
`))
