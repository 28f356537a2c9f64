package tiering

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

// Format is a report file format.
type Format string

// The report formats.
const (
	CSV      Format = "csv"
	HTML     Format = "html"
	Markdown Format = "md"
)

// ParseFormat reads a format name: csv, html or md (markdown also reads as
// md). Anything else is BAD_USER_INPUT.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "csv":
		return CSV, nil
	case "html", "htm":
		return HTML, nil
	case "md", "markdown":
		return Markdown, nil
	}
	return "", kolgraph.Errorf(kolgraph.EINVALID, "format must be csv, html or md (got %q)", s)
}

// ContentType is the MIME type of the format, with its charset.
func (f Format) ContentType() string {
	switch f {
	case CSV:
		return "text/csv; charset=utf-8"
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
	case HTML:
		return account.WriteHTML(w, r)
	case Markdown:
		return account.WriteMarkdown(w, r)
	}
	return kolgraph.Errorf(kolgraph.EINVALID, "format must be csv, html or md (got %q)", string(f))
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
	rep, err := res.Report(l, s.opts.Now())
	if err != nil {
		return nil, err
	}
	if user, ok := viewer.UserID(ctx); ok && s.paths != nil && l == account.LevelHCP && len(s.opts.ReportPaths.Segments) > 0 {
		if err := s.citePaths(ctx, res, rep, user); err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// citePaths fills the report rows' top influence paths from user's contacts.
func (s *Service) citePaths(ctx context.Context, res *Result, rep *account.Report, user string) error {
	if _, ok := res.Snapshot.Users[user]; !ok {
		return kolgraph.Errorf(kolgraph.ENOTFOUND, "no user %q", user)
	}
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

// Report builds the tiering report of level l of the result.
func (r *Result) Report(l account.Level, generated time.Time) (*account.Report, error) {
	v, err := r.View(l)
	if err != nil {
		return nil, err
	}
	rep := account.NewReport(v.Matrix)
	rep.Level = l
	rep.Title = "Tiering report: " + r.ScopeName
	rep.Scope = r.ScopeName
	if r.Product != nil {
		rep.ProductID, rep.ProductName = r.Product.ID, r.Product.Name
		rep.Title += ", " + r.Product.ID + " " + r.Product.Name
	}
	rep.GraphVersion, rep.GeneratedAt = r.GraphVersion, generated
	return rep, nil
}
