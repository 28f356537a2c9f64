package graph

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/graph/model"
	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/importer"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// Import jobs: startImport runs importRegion's import detached from the
// request (importer.Jobs), through the same scoped importer, and
// importJob reports it to its starter and to admins.

func importFormat(format model.ImportFormat) importer.Format {
	if format == model.ImportFormatXlsx {
		return importer.XLSX
	}
	return importer.CSV
}

func (r *Resolver) startImport(ctx context.Context, format model.ImportFormat, files []*model.ImportFile, dryRun *bool) (*model.ImportJob, error) {
	if r.Jobs == nil {
		return nil, kolgraph.Errorf(kolgraph.EUNAVAILABLE, "this service runs no import jobs; use importRegion")
	}
	p, err := auth.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if n := len(seedfile.FileNames()); len(files) > n {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "an import is at most %d files, one per kind (got %d)", n, len(files))
	}
	fs, err := importFiles(format, files)
	if err != nil {
		return nil, err
	}
	// The job's own view of the store, as the request's is built: a scoped
	// store remembers what it found in scope and is meant for one operation.
	d, err := r.Views.For(p)
	if err != nil {
		return nil, err
	}
	// Uploads are the request's temporary files, removed when it ends.
	own, release, err := importer.Spool("", fs)
	if err != nil {
		return nil, err
	}
	j, err := r.Jobs.Start(ctx, importer.JobRequest{Owner: p.Subject, Service: r.importerOn(d.Store), Actor: writer.Actor(ctx),
		Format: importFormat(format), Files: own, DryRun: dryRun != nil && *dryRun, Release: release})
	if err != nil {
		return nil, err
	}
	return r.importJobModel(ctx, j), nil
}

// mayReadJob: a job is its starter's; a role that writes every territory
// (admin) sees every job.
func mayReadJob(p *auth.Principal, j *importer.Job) bool {
	return j.Owner == p.Subject || (p.Can(auth.AllTerritories) && p.Can(auth.Write))
}

func (r *Resolver) importJob(ctx context.Context, id string) (*model.ImportJob, error) {
	p, err := auth.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if r.Jobs == nil {
		return nil, nil
	}
	j := r.Jobs.Get(id)
	if j == nil || !mayReadJob(p, j) {
		return nil, nil
	}
	return r.importJobModel(ctx, j), nil
}

func (r *Resolver) importJobs(ctx context.Context, first *int, after *string) (*model.ImportJobConnection, error) {
	p, err := auth.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	pg, err := pageArgs(first, after)
	if err != nil {
		return nil, err
	}
	var jobs []*importer.Job
	if r.Jobs != nil {
		jobs = slices.DeleteFunc(r.Jobs.List(), func(j *importer.Job) bool { return !mayReadJob(p, j) })
	}
	if pg.After != "" {
		i := slices.IndexFunc(jobs, func(j *importer.Job) bool { return j.ID == pg.After })
		if i < 0 {
			return nil, kolgraph.Errorf(kolgraph.EINVALID, "the job of cursor %q is no longer kept; start from the first page", *after)
		}
		jobs = jobs[i+1:]
	}
	hasNext := len(jobs) > pg.First
	jobs = jobs[:min(pg.First, len(jobs))]
	conn := &model.ImportJobConnection{Edges: make([]*model.ImportJobEdge, len(jobs))}
	ids := make([]string, len(jobs))
	for i, j := range jobs {
		ids[i] = j.ID
		conn.Edges[i] = &model.ImportJobEdge{Cursor: encodeCursor(j.ID), Node: r.importJobModel(ctx, j)}
	}
	conn.PageInfo = pageInfo(ids, hasNext)
	return conn, nil
}

var jobStates = map[importer.JobState]model.ImportJobState{
	importer.JobQueued: model.ImportJobStateQueued, importer.JobRunning: model.ImportJobStateRunning,
	importer.JobSucceeded: model.ImportJobStateSucceeded, importer.JobFailed: model.ImportJobStateFailed,
}

// importJobModel is the job as it is now.
func (r *Resolver) importJobModel(ctx context.Context, j *importer.Job) *model.ImportJob {
	st := j.Status()
	pr := st.Progress
	format := model.ImportFormatCSV
	if j.Format == importer.XLSX {
		format = model.ImportFormatXlsx
	}
	m := &model.ImportJob{ID: j.ID, State: jobStates[st.State], DryRun: j.DryRun, Format: format,
		Phase: model.ImportPhase(strings.ToUpper(string(pr.Phase))),
		Files: make([]*model.ImportJobFile, len(pr.Files)),
		Rows:  pr.Rows, Checked: pr.Checked, Changes: pr.Changes, Written: pr.Written,
		QueuedAt: j.Queued.UTC(), StartedAt: timeOrNil(st.Started), FinishedAt: timeOrNil(st.Finished)}
	if st.State == importer.JobQueued {
		m.Phase = model.ImportPhaseQueued
	}
	for i, f := range pr.Files {
		m.Files[i] = &model.ImportJobFile{Name: f.Name, Size: float64(f.Size), BytesRead: float64(f.BytesRead)}
		if f.Rows >= 0 {
			rows := f.Rows
			m.Files[i].Rows = &rows
		}
	}
	if st.Summary != nil {
		m.Result = importResult(*st.Summary)
	}
	if st.Err != nil {
		m.Error = jobError(st.Err)
	}
	return m
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

// jobError is a failed job's error as presentError would have shown it
// to importRegion's caller (the job logged an internal one when it failed).
func jobError(err error) *model.ImportJobError {
	var kerr *kolgraph.Error
	switch {
	case errors.As(err, &kerr):
		return &model.ImportJobError{Code: kerr.Code, Message: kerr.Message, Problems: kerr.Problems, ProblemCount: len(kerr.Problems)}
	case errors.Is(err, context.DeadlineExceeded):
		return &model.ImportJobError{Code: kolgraph.EUNAVAILABLE,
			Message: "the import took longer than its deadline (the server's -import-timeout); nothing was written"}
	case errors.Is(err, context.Canceled):
		return &model.ImportJobError{Code: kolgraph.EUNAVAILABLE,
			Message: "the import was cancelled: the service shut down; nothing was written"}
	}
	return &model.ImportJobError{Code: kolgraph.EINTERNAL, Message: "internal error"}
}

func jobProblems(e *model.ImportJobError, first *int) ([]*model.ImportProblem, error) {
	n := 100
	if first != nil {
		n = *first
	}
	if n < 0 {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "first must not be negative (got %d)", n)
	}
	ps := e.Problems[:min(n, len(e.Problems))]
	out := make([]*model.ImportProblem, len(ps))
	for i, p := range ps {
		out[i] = &model.ImportProblem{File: optional(p.File), Field: optional(p.Field), Message: p.Message}
		if p.Line > 0 {
			line := p.Line
			out[i].Line = &line
		}
	}
	return out, nil
}

// importResult is what an import did as importRegion answers it.
func importResult(s importer.Summary) *model.ImportResult {
	return &model.ImportResult{DryRun: s.DryRun, Changed: s.Changed, Counts: kindCounts(s.Counts),
		Rows: s.Rows, GraphVersion: graphVersion(s.Version), Notes: notesOrEmpty(s.Notes)}
}
