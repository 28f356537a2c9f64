package graph

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/graph/model"
	"github.com/kolgraph/kolgraph/internal/importer"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// Mutations are thin: each turns its input into a kolgraph.ChangeSet and
// hands it to the writer, which validates, compares with the store, writes
// in one transaction with the audit entries, and notifies the analytics.

func graphVersion(v uint64) string { return "v" + strconv.FormatUint(v, 10) }

// write applies cs for the calling user; source names the mutation in the
// audit log.
func (r *Resolver) write(ctx context.Context, mutation string, cs *kolgraph.ChangeSet) (*writer.Result, error) {
	return r.writer(ctx).Apply(ctx, writer.Actor(ctx), "mutation "+mutation, cs)
}

// deleted reports a delete's result.
func deleted(res *writer.Result) *model.DeletePayload {
	return &model.DeletePayload{
		Deleted:      res.Written,
		Counts:       kindCounts(res.Plan.Counts),
		GraphVersion: graphVersion(res.Version),
	}
}

// kindCounts lists a plan's counts in the order of kolgraph.Kinds.
func kindCounts(counts map[string]*writer.Counts) []*model.KindCounts {
	out := []*model.KindCounts{}
	for _, k := range kolgraph.Kinds {
		if c, ok := counts[k]; ok {
			out = append(out, &model.KindCounts{Kind: model.RecordKind(strings.ToUpper(k)),
				Created: c.Created, Updated: c.Updated, Unchanged: c.Unchanged, Deleted: c.Deleted})
		}
	}
	return out
}

func hospitalFromInput(in model.HospitalInput) *kolgraph.Hospital {
	h := &kolgraph.Hospital{ID: in.ID, Name: in.Name, Tier: in.Tier, Province: str(in.Province), City: str(in.City),
		Ownership: str(in.Ownership), PaymentModel: str(in.PaymentModel), TerritoryID: str(in.Territory)}
	if in.Beds != nil {
		h.Beds = *in.Beds
	}
	return h
}

func departmentFromInput(in model.DepartmentInput) *kolgraph.Department {
	return &kolgraph.Department{ID: in.ID, HospitalID: in.Hospital, Name: in.Name, Specialty: in.Specialty,
		WeeklyOutpatients: in.WeeklyOutpatients, IndicationShare: in.IndicationShare, ManagedBeds: in.ManagedBeds,
		BedTurnover: in.BedTurnover, DischargePenetration: in.DischargeMedicationPenetration,
		DRGEnrollmentRate: in.DrgEnrollmentRate, CompetitorPenetration: in.CompetitorPenetration,
		PolicySensitivity: in.PolicySensitivity}
}

// hcpFromInput builds the HCP; its hospital is its department's, which the
// writer fills in.
func hcpFromInput(in model.HCPInput) *kolgraph.HCP {
	return &kolgraph.HCP{ID: in.ID, Name: in.Name, Role: in.Role, Title: str(in.Title), Position: str(in.Position),
		Specialty: str(in.Specialty), DepartmentID: in.Department, KOLLevel: str(in.KolLevel),
		KOLEvidence: slices.Clone(in.KolEvidence), Phone: str(in.Phone), Email: str(in.Email), WeChat: str(in.Wechat)}
}

// upsertHCP writes the HCP; the writer takes its hospital from its
// department (and fills it into h).
func (r *Resolver) upsertHCP(ctx context.Context, in model.HCPInput) (*model.HCPPayload, error) {
	h := hcpFromInput(in)
	res, err := r.write(ctx, "upsertHCP", &kolgraph.ChangeSet{HCPs: []*kolgraph.HCP{h}})
	if err != nil {
		return nil, err
	}
	return &model.HCPPayload{Hcp: h, Changed: res.Written, GraphVersion: graphVersion(res.Version)}, nil
}

func productFromInput(in model.ProductInput) *kolgraph.Product {
	return &kolgraph.Product{ID: in.ID, Name: in.Name, Indications: slices.Clone(in.Indications),
		Specialties: slices.Clone(in.Specialties)}
}

func userFromInput(in model.UserInput) *kolgraph.User {
	return &kolgraph.User{ID: in.ID, Name: in.Name, Role: in.Role, Territories: slices.Clone(in.Territories)}
}

// influenceFromInput builds the edge. Without updatedAt the writer keeps
// the stored edge's time when weight, kind and evidence are unchanged (so
// a repeated upsert is a no-op), and stamps it now otherwise.
func influenceFromInput(in model.InfluenceInput) *kolgraph.Influence {
	e := &kolgraph.Influence{From: in.From, To: in.To, Weight: in.Weight, Kind: in.Kind, Evidence: str(in.Evidence)}
	if in.UpdatedAt != nil {
		e.UpdatedAt = in.UpdatedAt.UTC()
	}
	return e
}

// importFiles turns the input's files into the importer's: inline content
// decoded, uploads passed on as they lie on disk (read as a stream, never
// copied into memory whole).
func importFiles(format model.ImportFormat, files []*model.ImportFile) ([]importer.File, error) {
	var out []importer.File
	var ps []kolgraph.Problem
	for i, f := range files {
		name := str(f.Name)
		if name == "" && f.File != nil {
			name = f.File.Filename
		}
		if name == "" {
			name = fmt.Sprintf("files[%d]", i)
		}
		switch {
		case (f.Content == nil) == (f.File == nil):
			ps = append(ps, kolgraph.Problem{File: name, Message: "give exactly one of content (inline) and file (an upload)"})
		case f.File != nil:
			if f.Encoding != nil {
				ps = append(ps, kolgraph.Problem{File: name, Message: "an upload is the file's bytes; encoding is for inline content"})
				continue
			}
			ra, ok := f.File.File.(io.ReaderAt)
			if !ok {
				ps = append(ps, kolgraph.Problem{File: name, Message: "the upload cannot be read"})
				continue
			}
			out = append(out, importer.File{Name: name, Content: ra, Size: f.File.Size})
		default:
			enc := model.ContentEncodingText
			if f.Encoding != nil {
				enc = *f.Encoding
			}
			if format == model.ImportFormatXlsx {
				enc = model.ContentEncodingBase64
			}
			data := []byte(*f.Content)
			if enc == model.ContentEncodingBase64 {
				var err error
				if data, err = base64.StdEncoding.DecodeString(strings.TrimSpace(*f.Content)); err != nil {
					ps = append(ps, kolgraph.Problem{File: name, Message: "content is not valid base64: " + err.Error()})
					continue
				}
			}
			out = append(out, importer.File{Name: name, Data: data})
		}
	}
	if err := kolgraph.Invalid(ps); err != nil {
		return nil, err
	}
	return out, nil
}

func (r *Resolver) importRegion(ctx context.Context, format model.ImportFormat, files []*model.ImportFile, dryRun *bool) (*model.ImportResult, error) {
	fs, err := importFiles(format, files)
	if err != nil {
		return nil, err
	}
	res, err := r.importer(ctx).Import(ctx, writer.Actor(ctx), importFormat(format), fs, dryRun != nil && *dryRun)
	if err != nil {
		return nil, err
	}
	return importResult(res.Summary()), nil
}

// notesOrEmpty returns notes, never nil: the field is a non-null list.
func notesOrEmpty(notes []string) []string {
	if notes == nil {
		return []string{}
	}
	return notes
}

func (r *Resolver) auditLog(ctx context.Context, entity *string, kind *model.RecordKind, op *model.AuditOp, from, to *time.Time,
	first *int, after *string) (*model.AuditConnection, error) {
	p, err := pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	f := kolgraph.AuditFilter{EntityID: str(entity)}
	if kind != nil {
		f.Kind = strings.ToLower(string(*kind))
	}
	if op != nil {
		f.Op = strings.ToLower(string(*op))
	}
	if from != nil {
		f.From = *from
	}
	if to != nil {
		f.To = *to
	}
	pg, err := r.deps(ctx).Store.AuditLog(ctx, f, p)
	if err != nil {
		return nil, err
	}
	conn := &model.AuditConnection{Edges: make([]*model.AuditEdge, len(pg.Items))}
	cursors := make([]string, len(pg.Items))
	for i, e := range pg.Items {
		cursors[i] = e.Cursor()
		conn.Edges[i] = &model.AuditEdge{Cursor: encodeCursor(cursors[i]), Node: e}
	}
	conn.PageInfo = pageInfo(cursors, pg.HasNext)
	return conn, nil
}

func importTemplate() (*model.ImportTemplate, error) {
	data, err := importer.Template()
	if err != nil {
		return nil, err
	}
	t := &model.ImportTemplate{Name: importer.TemplateName,
		ContentType: importer.TemplateContentType,
		Content:     base64.StdEncoding.EncodeToString(data)}
	for _, f := range seedfile.FileNames() {
		cols, _ := seedfile.Columns(f)
		t.CSV = append(t.CSV, &model.CSVFileHeader{File: f, Columns: cols})
	}
	return t, nil
}
