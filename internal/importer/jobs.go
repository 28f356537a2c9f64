package importer

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Imports through the API run as jobs: the request that starts one gets
// its id at once, and the import runs detached from that request (whose
// connection a long import would outlive) with a deadline of its own,
// reporting its progress, until it succeeds or fails. Jobs live in the
// process's memory only: a restart forgets them (and cancels those that
// run).

// JobState is where a job is in its life.
type JobState string

const (
	JobQueued    JobState = "queued"
	JobRunning   JobState = "running"
	JobSucceeded JobState = "succeeded"
	JobFailed    JobState = "failed"
)

// JobOptions bound the jobs of a process.
type JobOptions struct {
	// Timeout is each job's deadline from the moment it starts running.
	Timeout time.Duration
	// Keep is how long a finished job is kept.
	Keep time.Duration
	// MaxJobs bounds the jobs kept, finished ones included; when a new
	// one would pass it, the oldest finished job goes.
	MaxJobs int
	// MaxPending bounds the jobs queued or running at once (their files
	// wait on disk); a job beyond it is refused.
	MaxPending int
	// Running is how many jobs run at once; the others queue.
	Running int
}

// DefaultJobOptions are the service's bounds.
func DefaultJobOptions() JobOptions {
	return JobOptions{Timeout: 30 * time.Minute, Keep: time.Hour, MaxJobs: 100, MaxPending: 10, Running: 2}
}

// Jobs runs import jobs; it is safe for concurrent use.
type Jobs struct {
	base context.Context // ends every job when done (shutdown)
	opts JobOptions
	now  func() time.Time
	slot chan struct{} // one per running job

	mu   sync.Mutex
	jobs []*Job // oldest first
	wg   sync.WaitGroup
}

// NewJobs returns the job runner; every job is cancelled when ctx is done.
func NewJobs(ctx context.Context, o JobOptions) *Jobs {
	d := DefaultJobOptions()
	if o.Timeout <= 0 {
		o.Timeout = d.Timeout
	}
	if o.Keep <= 0 {
		o.Keep = d.Keep
	}
	if o.MaxJobs <= 0 {
		o.MaxJobs = d.MaxJobs
	}
	if o.MaxPending <= 0 {
		o.MaxPending = d.MaxPending
	}
	if o.Running <= 0 {
		o.Running = d.Running
	}
	return &Jobs{base: ctx, opts: o, now: time.Now, slot: make(chan struct{}, o.Running)}
}

// JobRequest is an import to run as a job.
type JobRequest struct {
	// Owner is the subject of the principal that started it.
	Owner string
	// Service imports through the owner's store and writer (scoped to what
	// the owner may write), as the request would have.
	Service *Service
	// Actor is recorded in the audit log.
	Actor  string
	Format Format
	// Files are the job's own (see Spool): it releases them when it ends.
	Files  []File
	DryRun bool
	// Release, when set, is called once when the job ends (its files'
	// cleanup).
	Release func()
}

// Job is one import job. Its fields are fixed; Status reads the rest.
type Job struct {
	ID     string
	Owner  string
	DryRun bool
	Format Format
	Queued time.Time

	progress *Progress

	mu       sync.Mutex
	state    JobState
	started  time.Time
	finished time.Time
	summary  *Summary
	err      error
}

// JobStatus is a job's state at one moment.
type JobStatus struct {
	State             JobState
	Started, Finished time.Time // zero until then
	Progress          ProgressStatus
	// Summary of a succeeded job.
	Summary *Summary
	// Err of a failed job: a *kolgraph.Error, or an error presented as
	// UNAVAILABLE (the deadline, shutdown) or INTERNAL (see JobError).
	Err error
}

// Status returns the job's state, progress and outcome.
func (j *Job) Status() JobStatus {
	p := j.progress.Status()
	j.mu.Lock()
	defer j.mu.Unlock()
	return JobStatus{State: j.state, Started: j.started, Finished: j.finished, Progress: p, Summary: j.summary, Err: j.err}
}

// Start queues an import job and returns it at once. ctx is the starting
// request's: the job keeps its values (the logger, the principal) but not
// its cancellation or deadline; it ends with its own deadline
// (JobOptions.Timeout) or when the Jobs' context is done. Beyond
// MaxPending unfinished jobs it returns an UNAVAILABLE error (and releases
// the files).
func (js *Jobs) Start(ctx context.Context, req JobRequest) (*Job, error) {
	id, err := newJobID()
	if err != nil {
		release(req)
		return nil, err
	}
	j := &Job{ID: id, Owner: req.Owner, DryRun: req.DryRun, Format: req.Format, Queued: js.now(),
		progress: NewProgress(req.Files), state: JobQueued}
	js.mu.Lock()
	js.prune(1)
	pending := 0
	for _, o := range js.jobs {
		if !o.done() {
			pending++
		}
	}
	if pending >= js.opts.MaxPending || len(js.jobs) >= js.opts.MaxJobs {
		js.mu.Unlock()
		release(req)
		return nil, kolgraph.Errorf(kolgraph.EUNAVAILABLE,
			"%d imports are queued or running, the most this service takes; retry when one has finished", pending)
	}
	js.jobs = append(js.jobs, j)
	js.wg.Add(1)
	js.mu.Unlock()

	go js.run(context.WithoutCancel(ctx), j, req)
	return j, nil
}

func release(req JobRequest) {
	if req.Release != nil {
		req.Release()
	}
}

// run waits for a slot, then imports.
func (js *Jobs) run(values context.Context, j *Job, req JobRequest) {
	defer js.wg.Done()
	defer release(req)
	ctx, cancel := context.WithCancel(values)
	defer cancel()
	stop := context.AfterFunc(js.base, cancel)
	defer stop()
	select {
	case js.slot <- struct{}{}:
		defer func() { <-js.slot }()
	case <-ctx.Done():
		j.finish(js.now(), nil, fmt.Errorf("importer: job %s cancelled while queued: %w", j.ID, context.Cause(ctx)))
		return
	}
	ctx, cancelT := context.WithTimeout(ctx, js.opts.Timeout)
	defer cancelT()
	j.mu.Lock()
	j.state, j.started = JobRunning, js.now()
	j.mu.Unlock()
	res, err := req.Service.ImportWithProgress(ctx, req.Actor, req.Format, req.Files, req.DryRun, j.progress)
	log := zerolog.Ctx(ctx)
	if err != nil {
		var kerr *kolgraph.Error
		if !errors.As(err, &kerr) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
			// reported as INTERNAL: say why once, here
			log.Error().Err(err).Str("job", j.ID).Msg("import job failed")
		}
		j.finish(js.now(), nil, err)
		log.Info().Str("job", j.ID).Str("owner", j.Owner).Bool("dry_run", j.DryRun).Str("code", kolgraph.ErrorCode(err)).
			Msg("import job failed")
		return
	}
	s := res.Summary()
	j.finish(js.now(), &s, nil)
	log.Info().Str("job", j.ID).Str("owner", j.Owner).Bool("dry_run", j.DryRun).Int("rows", s.Rows).
		Bool("written", s.Written).Uint64("version", s.Version).Dur("took", s.Took).Msg("import job succeeded")
}

func (j *Job) finish(at time.Time, s *Summary, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.finished, j.summary, j.err = at, s, err
	if err != nil {
		j.state = JobFailed
	} else {
		j.state = JobSucceeded
	}
}

func (j *Job) done() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.state == JobSucceeded || j.state == JobFailed
}

func (j *Job) expired(now time.Time, keep time.Duration) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return (j.state == JobSucceeded || j.state == JobFailed) && now.Sub(j.finished) >= keep
}

// prune drops expired jobs, and the oldest finished ones beyond MaxJobs
// less room (1 to make room for a new one). js.mu is held.
func (js *Jobs) prune(room int) {
	now := js.now()
	js.jobs = slices.DeleteFunc(js.jobs, func(j *Job) bool { return j.expired(now, js.opts.Keep) })
	for len(js.jobs) > js.opts.MaxJobs-room {
		i := slices.IndexFunc(js.jobs, (*Job).done)
		if i < 0 {
			return
		}
		js.jobs = slices.Delete(js.jobs, i, i+1)
	}
}

// Get returns the job with id, or nil when there is none (never was, or
// expired).
func (js *Jobs) Get(id string) *Job {
	js.mu.Lock()
	defer js.mu.Unlock()
	js.prune(0)
	for _, j := range js.jobs {
		if j.ID == id {
			return j
		}
	}
	return nil
}

// List returns the jobs kept, newest first.
func (js *Jobs) List() []*Job {
	js.mu.Lock()
	defer js.mu.Unlock()
	js.prune(0)
	out := slices.Clone(js.jobs)
	slices.Reverse(out)
	return out
}

// Wait waits until every job has ended (after the context given to
// NewJobs is done, they end soon).
func (js *Jobs) Wait() { js.wg.Wait() }

// newJobID is 128 random bits in base32: unguessable, so that an id alone
// reveals nothing (access is still checked by owner).
func newJobID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("importer: job id: %w", err)
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]), nil
}

// Spool copies files into files of their own (in dir, "" for os.TempDir;
// content already in memory stays there), so that a job can read them
// after the request that brought them has ended and removed its uploads.
// release removes the copies; it is never nil.
func Spool(dir string, files []File) (out []File, release func(), err error) {
	var spooled []*os.File
	release = func() {
		for _, f := range spooled {
			f.Close()
			os.Remove(f.Name())
		}
	}
	out = make([]File, len(files))
	for i, f := range files {
		if f.Content == nil {
			out[i] = f
			continue
		}
		if _, ok := f.Content.(oversize); ok {
			out[i] = f
			continue
		}
		t, err := os.CreateTemp(dir, "kolgraph-import-*")
		if err != nil {
			release()
			return nil, func() {}, fmt.Errorf("importer: spool %s: %w", f.Name, err)
		}
		spooled = append(spooled, t)
		n, err := io.Copy(t, io.NewSectionReader(f.Content, 0, f.Size))
		if err != nil {
			release()
			return nil, func() {}, fmt.Errorf("importer: spool %s: %w", f.Name, err)
		}
		out[i] = File{Name: f.Name, Content: t, Size: n}
	}
	return out, release, nil
}
