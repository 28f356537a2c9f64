package importer_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/importer"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// gatedStore holds every Scan (an import asks one for the ids its files
// do not resolve) until gate is closed or the caller's context ends.
type gatedStore struct {
	kolgraph.Store
	gate    chan struct{}
	scanned chan struct{} // gets a value as each Scan starts waiting
}

func (g gatedStore) Scan(ctx context.Context, v kolgraph.Visitor) error {
	select {
	case g.scanned <- struct{}{}:
	default:
	}
	select {
	case <-g.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.Store.Scan(ctx, v)
}

// newHCP is an hcps.csv adding HCP id to a fixture department (so the
// import asks the store about it).
func newHCP(id string) []importer.File {
	return []importer.File{{Name: "hcps.csv", Data: []byte(hcpHeader + id + ",A,physician,,,,D001-01,H001,,,,,\n")}}
}

// request is a job importing files through a service whose store scans
// only once gate is closed; released counts its Release calls.
func request(t *testing.T, g gatedStore, files []importer.File, released *atomic.Int32) importer.JobRequest {
	t.Helper()
	return importer.JobRequest{Owner: "U01", Actor: "U01", Format: importer.CSV, Files: files,
		Service: &importer.Service{Store: g, Writer: writer.New(g, nil)},
		Release: func() { released.Add(1) }}
}

func gated(t *testing.T) gatedStore {
	return gatedStore{Store: store(t), gate: make(chan struct{}), scanned: make(chan struct{}, 16)}
}

// waitFor polls j until cond holds, failing after 10 s.
func waitFor(t *testing.T, j *importer.Job, what string, cond func(importer.JobStatus) bool) importer.JobStatus {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := j.Status()
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s: %s never happened; status %+v", j.ID, what, st)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func finished(st importer.JobStatus) bool {
	return st.State == importer.JobSucceeded || st.State == importer.JobFailed
}

// TestJobOutlivesItsRequest: a job goes on after the context that started
// it is cancelled, and ends with the synchronous import's counts.
func TestJobOutlivesItsRequest(t *testing.T) {
	g := gated(t)
	close(g.gate)
	js := importer.NewJobs(t.Context(), importer.JobOptions{})
	var released atomic.Int32
	ctx, cancel := context.WithCancel(t.Context())
	j, err := js.Start(ctx, request(t, g, newHCP("P011"), &released))
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if len(j.ID) != 26 {
		t.Errorf("id %q: want 26 base32 characters (128 bits)", j.ID)
	}
	st := waitFor(t, j, "the end", finished)
	if st.State != importer.JobSucceeded || st.Summary == nil || st.Summary.Counts[kolgraph.KindHCPs].Created != 1 || !st.Summary.Written {
		t.Fatalf("got %+v (%v), want succeeded creating 1 HCP", st, st.Err)
	}
	p := st.Progress
	if p.Phase != importer.PhaseDone || p.Rows != 1 || p.Checked != 1 || p.Written != 1 ||
		len(p.Files) != 1 || p.Files[0].Rows != 1 || p.Files[0].BytesRead != p.Files[0].Size || p.Files[0].Size == 0 {
		t.Errorf("progress %+v, want done with 1 row read, checked and written", p)
	}
	if st.Started.IsZero() || st.Finished.Before(st.Started) {
		t.Errorf("started %v finished %v", st.Started, st.Finished)
	}
	js.Wait()
	if released.Load() != 1 {
		t.Errorf("files released %d times, want once", released.Load())
	}
}

// TestJobsQueueAndRefuse: jobs beyond Running queue; beyond MaxPending
// they are refused (UNAVAILABLE) and their files released at once.
func TestJobsQueueAndRefuse(t *testing.T) {
	g := gated(t)
	js := importer.NewJobs(t.Context(), importer.JobOptions{Running: 1, MaxPending: 2})
	var released atomic.Int32
	a, err := js.Start(t.Context(), request(t, g, newHCP("P011"), &released))
	if err != nil {
		t.Fatal(err)
	}
	<-g.scanned // a runs
	b, err := js.Start(t.Context(), request(t, g, newHCP("P012"), &released))
	if err != nil {
		t.Fatal(err)
	}
	_, err = js.Start(t.Context(), request(t, g, newHCP("P013"), &released))
	if kolgraph.ErrorCode(err) != kolgraph.EUNAVAILABLE || released.Load() != 1 {
		t.Fatalf("a third job: %v, %d released; want UNAVAILABLE and its files released", err, released.Load())
	}
	if sa, sb := a.Status(), b.Status(); sa.State != importer.JobRunning || sa.Progress.Phase != importer.PhaseReading || sb.State != importer.JobQueued {
		t.Errorf("states %s (%s), %s; want running (reading), queued", sa.State, sa.Progress.Phase, sb.State)
	}
	close(g.gate)
	for _, j := range []*importer.Job{a, b} {
		if st := waitFor(t, j, "the end", finished); st.State != importer.JobSucceeded {
			t.Errorf("job %s: %s %v", j.ID, st.State, st.Err)
		}
	}
	if got := js.List(); len(got) != 2 || got[0] != b || got[1] != a {
		t.Errorf("List: %v, want b, a (newest first)", got)
	}
	js.Wait()
	if released.Load() != 3 {
		t.Errorf("released %d times, want 3", released.Load())
	}
}

// TestJobsExpireAndAreBounded: a finished job is kept for Keep, and at
// most MaxJobs are kept (the oldest finished goes first).
func TestJobsExpireAndAreBounded(t *testing.T) {
	g := gated(t)
	close(g.gate)
	js := importer.NewJobs(t.Context(), importer.JobOptions{MaxJobs: 2, Keep: time.Hour})
	var now atomic.Int64
	now.Store(time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC).UnixNano())
	importer.SetClock(js, func() time.Time { return time.Unix(0, now.Load()) })
	var released atomic.Int32
	var ids []string
	for i, id := range []string{"P011", "P012", "P013"} {
		j, err := js.Start(t.Context(), request(t, g, newHCP(id), &released))
		if err != nil {
			t.Fatalf("job %d: %v", i, err)
		}
		waitFor(t, j, "the end", finished)
		ids = append(ids, j.ID)
		now.Add(int64(time.Minute))
	}
	if js.Get(ids[0]) != nil || js.Get(ids[1]) == nil || js.Get(ids[2]) == nil {
		t.Errorf("after 3 jobs with MaxJobs 2: want the first gone, the others kept")
	}
	now.Add(int64(time.Hour - 2*time.Minute)) // the second finished an hour ago
	if js.Get(ids[1]) != nil || js.Get(ids[2]) == nil {
		t.Errorf("an hour after the second finished: want it gone, the third kept")
	}
	if js.Get("nonexistent") != nil {
		t.Error("an unknown id gave a job")
	}
}

// TestJobsEndWithTheirDeadlineAndOnShutdown: a job past its Timeout fails
// (the deadline), and cancelling the Jobs' context fails the running and
// the queued ones.
func TestJobsEndWithTheirDeadlineAndOnShutdown(t *testing.T) {
	g := gated(t)
	var released atomic.Int32
	slow := importer.NewJobs(t.Context(), importer.JobOptions{Timeout: 50 * time.Millisecond})
	j, err := slow.Start(t.Context(), request(t, g, newHCP("P011"), &released))
	if err != nil {
		t.Fatal(err)
	}
	if st := waitFor(t, j, "the end", finished); st.State != importer.JobFailed || !errors.Is(st.Err, context.DeadlineExceeded) {
		t.Errorf("past its deadline: %s %v, want failed with the deadline", st.State, st.Err)
	}

	base, shutdown := context.WithCancel(t.Context())
	js := importer.NewJobs(base, importer.JobOptions{Running: 1})
	a, _ := js.Start(t.Context(), request(t, g, newHCP("P012"), &released))
	<-g.scanned
	b, _ := js.Start(t.Context(), request(t, g, newHCP("P013"), &released))
	shutdown()
	js.Wait()
	for _, j := range []*importer.Job{a, b} {
		if st := j.Status(); st.State != importer.JobFailed || !errors.Is(st.Err, context.Canceled) {
			t.Errorf("after shutdown: %s %v, want failed, cancelled", st.State, st.Err)
		}
	}
	if released.Load() != 3 {
		t.Errorf("released %d times, want 3", released.Load())
	}
}
