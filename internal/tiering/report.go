package tiering

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

// Format is a report file format.
type Format string

// The report formats.
const (
	CSV      Format = "csv"
	XLSX     Format = "xlsx"
	HTML     Format = "html"
	Markdown Format = "md"
)

// ParseFormat reads a format name: csv, xlsx, html or md (markdown also
// reads as md). Anything else is BAD_USER_INPUT.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "csv":
		return CSV, nil
	case "xlsx", "excel":
		return XLSX, nil
	case "html", "htm":
		return HTML, nil
	case "md", "markdown":
		return Markdown, nil
	}
	return "", kolgraph.Errorf(kolgraph.EINVALID, "format must be csv, xlsx, html or md (got %q)", s)
}

// ContentType is the MIME type of the format, with its charset.
func (f Format) ContentType() string {
	switch f {
	case CSV:
		return "text/csv; charset=utf-8"
	case XLSX:
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	case HTML:
		return "text/html; charset=utf-8"
	}
	return "text/markdown; charset=utf-8"
}

// Write writes r in format f.
func (f Format) Write(w io.Writer, r *account.Report) error {
	switch f {
	case CSV:
		return account.WriteCSV(w, r)
	case XLSX:
		return account.WriteXLSX(w, r)
	case HTML:
		return account.WriteHTML(w, r)
	case Markdown:
		return account.WriteMarkdown(w, r)
	}
	return kolgraph.Errorf(kolgraph.EINVALID, "format must be csv, xlsx, html or md (got %q)", string(f))
}

// ParseLevel reads a report level: hcp (also the empty string), department
// or hospital.
func ParseLevel(s string) (account.Level, error) {
	switch l := account.Level(strings.ToLower(strings.TrimSpace(s))); l {
	case "":
		return account.LevelHCP, nil
	case account.LevelHCP, account.LevelDepartment, account.LevelHospital:
		return l, nil
	}
	return "", kolgraph.Errorf(kolgraph.EINVALID, "level must be hcp, department or hospital (got %q)", s)
}

// FileName is a download name for the report of req at level l in format f,
// e.g. tiering-T01-RX01-hcp.csv.
func FileName(req Request, l account.Level, f Format) string {
	parts := []string{"tiering"}
	for _, p := range []string{req.Scope.Hospital, req.Scope.Department, req.Scope.Territory} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 1 {
		parts = append(parts, "all")
	}
	if req.ProductID != "" {
		parts = append(parts, req.ProductID)
	}
	parts = append(parts, string(l))
	name := strings.Join(parts, "-") + "." + string(f)
	// Ids are the data's own; keep the name safe in a header and a file system.
	return strings.Map(func(r rune) rune {
		if r == '-' || r == '.' || r == '_' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') {
			return r
		}
		return '_'
	}, name)
}

// Report returns the tiering report of req at level l: every account of the
// level, segment by segment, then the unclassified ones with their reasons,
// with the scope, product, cut-offs and graph version in the header.
//
// When ctx carries a user (viewer.UserID) and the service has Paths, an HCP
// report cites, for each row in Options.ReportPaths.Segments, the strongest
// influence paths from the user's contacts to that HCP (citable ids, as
// influencePath resolves them). An unknown user is NOT_FOUND.
func (s *Service) Report(ctx context.Context, req Request, l account.Level) (*account.Report, error) {
	res, err := s.Tiering(ctx, req)
	if err != nil {
		return nil, err
	}
	rep, err := res.Report(l, s.opts.Now(), req.Lang)
	if err != nil {
		return nil, err
	}
	// Paths start from a user's contacts: a caller who is not a user of
	// the graph (dev mode's "dev", an API key named for a system) gets the
	// report without them.
	user, ok := viewer.UserID(ctx)
	if _, known := res.Snapshot.Users[user]; ok && known && s.paths != nil && l == account.LevelHCP && len(s.opts.ReportPaths.Segments) > 0 {
		if err := s.citePaths(ctx, res, rep, user); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// citePaths fills the report rows' top influence paths from user's contacts.
func (s *Service) citePaths(ctx context.Context, res *Result, rep *account.Report, user string) error {
	rp := s.opts.ReportPaths
	segs := make([]string, len(rp.Segments))
	for i, sg := range rp.Segments {
		segs[i] = string(sg)
	}
	rep.Scope += fmt.Sprintf("; top influence paths to segment %s HCPs from the contacts of user %s (up to %d, at most %d hops)",
		strings.Join(segs, "/"), user, rp.K, rp.MaxHops)
	for i := range rep.Rows {
		row := &rep.Rows[i]
		if !slices.Contains(rp.Segments, row.Segment) {
			continue
		}
		found, err := s.paths.StrongestPaths(ctx, access.Query{To: row.ID, K: rp.K, MaxHops: rp.MaxHops})
		if err != nil {
			return fmt.Errorf("paths to %s: %w", row.ID, err)
		}
		for _, p := range found.Paths {
			names := make([]string, len(p.Nodes))
			for j, h := range p.Nodes {
				names[j] = h.Name + " (" + h.ID + ")"
			}
			row.Paths = append(row.Paths, account.ReportPath{ID: p.ID, Strength: p.Strength, Summary: strings.Join(names, " -> ")})
		}
	}
	return nil
}

// Report builds the tiering report of level l of the result in lang: the
// summary (segments, cut-offs, 20/80 line, at-risk departments, the ten
// hottest heat-map cells, the ten best speaker candidates, stakeholders by
// stage), then every account with its title, KOL level, owner (the KAMs
// covering its territory), listing status, at-risk flag, influence
// percentile and the date its first visit is due.
func (r *Result) Report(l account.Level, generated time.Time, lang labels.Lang) (*account.Report, error) {
	v, err := r.View(l)
	if err != nil {
		return nil, err
	}
	if lang == "" {
		lang = labels.ZH
	}
	rep := account.NewReport(v.Matrix)
	rep.Lang, rep.Level = lang, l
	rep.Scope = scopeWords(lang, r.ScopeName)
	rep.Title = labels.T(lang, "Tiering report") + ": " + rep.Scope
	if r.Product != nil {
		rep.ProductID, rep.ProductName = r.Product.ID, r.Product.Name
		rep.Title += ", " + r.Product.ID + " " + r.Product.Name
	}
	rep.GraphVersion, rep.GeneratedAt, rep.Settings = r.GraphVersion, generated, r.Settings
	rep.SetNextVisits()
	r.fillRows(rep)
	r.fillSummary(rep, v)
	return rep, nil
}

// scopeWords says a scope name ("Territory T01 Zhejiang North") in lang:
// its first word translated, the ids and names kept.
func scopeWords(lang labels.Lang, name string) string {
	if name == "All hospitals" {
		return labels.T(lang, name)
	}
	word, rest, ok := strings.Cut(name, " ")
	if !ok {
		return name
	}
	return labels.T(lang, word) + " " + rest
}

// fillRows adds what the snapshot knows to each row.
func (r *Result) fillRows(rep *account.Report) {
	owners := r.owners()
	for i := range rep.Rows {
		row := &rep.Rows[i]
		a, ok := r.accountOf(row.Level, row.ID)
		if !ok {
			continue
		}
		if a.HCP != nil {
			row.Title, row.KOLLevel = a.HCP.Title, a.HCP.KOLLevel
		}
		row.AtRisk = a.Potential.AtRisk
		if h := r.Snapshot.Hospitals[a.HospitalID]; h != nil {
			row.Owner = strings.Join(owners[h.TerritoryID], ", ")
		}
		if r.Product != nil {
			l := r.Listings[a.HospitalID]
			if row.Listing == "" {
				row.Listing = l.Status
			}
			row.KeyMonitoring, row.NationalInsurance = l.KeyMonitoring, l.NationalInsurance
		}
	}
}

func (r *Result) accountOf(l account.Level, id string) (*account.Account, bool) {
	v, err := r.View(l)
	if err != nil {
		return nil, false
	}
	return v.Account(id)
}

// owners are the names of the KAMs covering each territory, by name.
func (r *Result) owners() map[string][]string {
	out := map[string][]string{}
	for _, u := range r.Snapshot.Users {
		if u.Role != "kam" {
			continue
		}
		for _, t := range u.Territories {
			out[t] = append(out[t], u.Name)
		}
	}
	for _, names := range out {
		slices.Sort(names)
	}
	return out
}

// SummaryItems is how many heat-map cells and speakers a report's summary
// lists.
const SummaryItems = 10

func (r *Result) fillSummary(rep *account.Report, v *View) {
	rep.Summary.Pareto = v.Pareto
	for _, a := range r.AtRisk {
		line := account.AtRiskLine{ID: a.ID, Name: a.Name, HospitalName: a.HospitalName, Potential: a.Potential.Value}
		if h := r.Snapshot.Hospitals[a.HospitalID]; h != nil {
			line.PaymentModel = h.PaymentModel
		}
		if a.Department != nil && a.Department.DRGEnrollmentRate != nil {
			line.EnrollmentRate = *a.Department.DRGEnrollmentRate
		}
		rep.Summary.AtRisk = append(rep.Summary.AtRisk, line)
	}
	if v.HeatMap != nil {
		var hot []account.HeatLine
		for _, c := range v.HeatMap.Cells {
			if c.Value != nil && *c.Value > 0 {
				name := c.Name
				hname := ""
				if h := r.Snapshot.Hospitals[c.HospitalID]; h != nil {
					hname = h.Name
				}
				hot = append(hot, account.HeatLine{ID: c.ID, Name: name, HospitalName: hname, Heat: *c.Value})
			}
		}
		slices.SortStableFunc(hot, func(a, b account.HeatLine) int { return cmp.Or(cmp.Compare(b.Heat, a.Heat), cmp.Compare(a.ID, b.ID)) })
		rep.Summary.Hottest = hot[:min(len(hot), SummaryItems)]
	}
	rep.Summary.Speakers = r.Speakers[:min(len(r.Speakers), SummaryItems)]
	counts := map[access.StageKind]int{}
	for _, st := range r.Stakeholders {
		counts[st.Stage()]++
	}
	for _, k := range []access.StageKind{access.PharmacyReview, access.DRGReview, access.PTDecision, access.Procurement, access.SignOff} {
		if counts[k] > 0 {
			rep.Summary.Stakeholders = append(rep.Summary.Stakeholders, account.StageCount{Stage: string(k), Count: counts[k]})
		}
	}
}
