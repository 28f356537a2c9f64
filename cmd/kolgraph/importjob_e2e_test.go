package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/seed"
)

const startImportQ = `mutation($f: [ImportFile!]!, $dry: Boolean) { startImport(format: CSV, files: $f, dryRun: $dry) { id state } }`

const importResultFields = `dryRun changed rows graphVersion notes counts { kind created updated unchanged deleted }`

const importJobQ = `query($id: ID!) { importJob(id: $id) { id state dryRun format phase
  files { name size bytesRead rows } rows checked changes written queuedAt startedAt finishedAt
  result { ` + importResultFields + ` }
  error { code message problemCount problems(first: 1000) { file line field message } } } }`

type gqlImportResult struct {
	DryRun, Changed bool
	Rows            int
	GraphVersion    string
	Notes           []string
	Counts          []map[string]any
}

type gqlProblem struct {
	File    *string
	Line    *int
	Field   *string
	Message string
}

type gqlImportJob struct {
	ID, State, Phase, Format string
	DryRun                   bool
	Files                    []struct {
		Name            string
		Size, BytesRead float64
		Rows            *int
	}
	Rows, Checked, Changes, Written int
	QueuedAt                        time.Time
	StartedAt, FinishedAt           *time.Time
	Result                          *gqlImportResult
	Error                           *struct {
		Code, Message string
		ProblemCount  int
		Problems      []gqlProblem
	}
}

// inline is the files variable of an import with content given inline.
func inline(files ...[2]string) []map[string]any {
	out := make([]map[string]any, len(files))
	for i, f := range files {
		out[i] = map[string]any{"name": f[0], "content": f[1]}
	}
	return out
}

// startJob starts an import job as authz and returns its id.
func startJob(t *testing.T, h http.Handler, authz string, files []map[string]any, dryRun bool) string {
	t.Helper()
	var got struct{ StartImport struct{ ID, State string } }
	mustQueryAuth(t, h, authz, startImportQ, map[string]any{"f": files, "dry": dryRun}, &got)
	// A job answers at once, queued or running; one that fails on its
	// first look at the files (a bad row) may be done already.
	if s := got.StartImport.State; got.StartImport.ID == "" || (s != "QUEUED" && s != "RUNNING" && s != "FAILED" && s != "SUCCEEDED") {
		t.Fatalf("startImport answered %+v, want a job", got.StartImport)
	}
	return got.StartImport.ID
}

// getJob reads a job as authz; nil when the API answers null.
func getJob(t *testing.T, h http.Handler, authz, id string) *gqlImportJob {
	t.Helper()
	var got struct{ ImportJob *gqlImportJob }
	mustQueryAuth(t, h, authz, importJobQ, map[string]any{"id": id}, &got)
	return got.ImportJob
}

// pollJob polls the job until it has finished (at most a minute).
func pollJob(t *testing.T, h http.Handler, authz, id string) *gqlImportJob {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		j := getJob(t, h, authz, id)
		if j == nil {
			t.Fatalf("job %s: null", id)
		}
		if j.State == "SUCCEEDED" || j.State == "FAILED" {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s still %s (%s) after a minute", id, j.State, j.Phase)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func seedBytes(t *testing.T, name string) []byte {
	t.Helper()
	data, err := fs.ReadFile(seed.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestImportJobAnswersAsImportRegion: a job of a small import succeeds,
// reports its progress to the end, and its result is what importRegion
// answers for the same files; so is a job that writes.
func TestImportJobAnswersAsImportRegion(t *testing.T) {
	h := writeService(t).Handler()
	admin := bearer(t, "U001", auth.RoleAdmin, nil)
	depts := seedBytes(t, "departments.csv")
	files := inline([2]string{"departments.csv", string(depts)},
		[2]string{"influences.csv", "from,to,weight,kind,evidence\nP000001,P000002,0.41,mentor,\n"})

	var direct struct{ ImportRegion gqlImportResult }
	mustQueryAuth(t, h, admin, `mutation($f: [ImportFile!]!) { importRegion(format: CSV, files: $f, dryRun: true) { `+importResultFields+` } }`,
		map[string]any{"f": files}, &direct)
	j := pollJob(t, h, admin, startJob(t, h, admin, files, true))
	if j.State != "SUCCEEDED" || j.Result == nil || j.Error != nil {
		t.Fatalf("dry-run job: %+v", j)
	}
	if !reflect.DeepEqual(*j.Result, direct.ImportRegion) {
		t.Errorf("job result %+v, importRegion %+v", *j.Result, direct.ImportRegion)
	}
	rows := bytes.Count(depts, []byte("\n")) - 1
	if !j.DryRun || j.Format != "CSV" || j.Phase != "DONE" || j.Rows != rows+1 || j.Checked != rows+1 || j.Changes != 1 || j.Written != 0 {
		t.Errorf("dry-run job progress: %+v; want done, %d rows checked, 1 change, nothing written", j, rows+1)
	}
	if len(j.Files) != 2 || j.Files[0].Name != "departments.csv" || j.Files[0].Size != float64(len(depts)) ||
		j.Files[0].BytesRead != j.Files[0].Size || j.Files[0].Rows == nil || *j.Files[0].Rows != rows ||
		j.Files[1].Rows == nil || *j.Files[1].Rows != 1 {
		t.Errorf("files: %+v; want departments.csv with %d rows all read, influences.csv with 1", j.Files, rows)
	}
	if j.StartedAt == nil || j.FinishedAt == nil || j.StartedAt.Before(j.QueuedAt) || j.FinishedAt.Before(*j.StartedAt) {
		t.Errorf("times: queued %v started %v finished %v", j.QueuedAt, j.StartedAt, j.FinishedAt)
	}

	j = pollJob(t, h, admin, startJob(t, h, admin, files[1:], false))
	if j.State != "SUCCEEDED" || j.Result == nil || !j.Result.Changed || j.Result.DryRun || j.Written != 1 {
		t.Fatalf("job that writes: %+v", j)
	}
	var edge struct {
		Hcp struct {
			Influences []struct {
				To     struct{ ID string }
				Weight float64
			}
		}
	}
	mustQueryAuth(t, h, admin, `{ hcp(id: "P000001") { influences(first: 500) { to { id } weight } } }`, nil, &edge)
	written := false
	for _, e := range edge.Hcp.Influences {
		written = written || (e.To.ID == "P000002" && e.Weight == 0.41)
	}
	if !written {
		t.Errorf("after the job: %+v, want P000001->P000002 weighing 0.41", edge.Hcp.Influences)
	}
}

// TestImportJobProblemsAsImportRegion: a job of a bad file fails with the
// problems importRegion gives (file, line, column), and writes nothing.
func TestImportJobProblemsAsImportRegion(t *testing.T) {
	h := writeService(t).Handler()
	admin := bearer(t, "U001", auth.RoleAdmin, nil)
	files := inline([2]string{"influences.csv", "from,to,weight,kind,evidence\nP000001,P000002,1.2,mentor,\nP000001,P999999,0.5,mentor,\n"})
	x := ask(t, h, admin, `mutation($f: [ImportFile!]!) { importRegion(format: CSV, files: $f) { rows } }`, map[string]any{"f": files})
	if len(x.resp.Errors) != 1 {
		t.Fatalf("importRegion: %s, want one error", x.body)
	}
	var want []gqlProblem
	raw, _ := json.Marshal(x.resp.Errors[0].Extensions["problems"])
	if err := json.Unmarshal(raw, &want); err != nil || len(want) < 2 {
		t.Fatalf("importRegion's problems: %s (%v)", raw, err)
	}
	j := pollJob(t, h, admin, startJob(t, h, admin, files, false))
	if j.State != "FAILED" || j.Error == nil || j.Result != nil || j.Written != 0 {
		t.Fatalf("job: %+v, want FAILED with an error", j)
	}
	if j.Error.Code != kolgraph.EINVALID || j.Error.Message != x.resp.Errors[0].Message || j.Error.ProblemCount != len(want) {
		t.Errorf("error %s %q (%d problems), want %s %q (%d)", j.Error.Code, j.Error.Message, j.Error.ProblemCount,
			kolgraph.EINVALID, x.resp.Errors[0].Message, len(want))
	}
	if !reflect.DeepEqual(j.Error.Problems, want) {
		t.Errorf("problems %s, want %s", show(j.Error.Problems), show(want))
	}
	if j.Phase != "READING" {
		t.Errorf("phase %s, want READING, where it failed", j.Phase)
	}
}

func show(v any) string { b, _ := json.Marshal(v); return string(b) }

// TestImportJobVisibility: a job is its starter's; another kam gets null,
// an admin sees it, an unknown id is null.
func TestImportJobVisibility(t *testing.T) {
	h := writeService(t).Handler()
	owner := bearer(t, "U004", auth.RoleKAM, []string{"T01"})
	other := bearer(t, "U005", auth.RoleKAM, []string{"T01"})
	admin := bearer(t, "U001", auth.RoleAdmin, nil)
	id := startJob(t, h, owner, inline([2]string{"influences.csv", "from,to,weight,kind,evidence\nP000001,P000002,0.41,mentor,\n"}), true)
	if j := pollJob(t, h, owner, id); j.State != "SUCCEEDED" {
		t.Fatalf("the kam's own job: %+v", j)
	}
	if j := getJob(t, h, other, id); j != nil {
		t.Errorf("another kam sees the job: %+v", j)
	}
	if j := getJob(t, h, admin, id); j == nil || j.ID != id {
		t.Errorf("the admin gets %+v, want the job", j)
	}
	listed := func(authz string, first int, after *string) (ids []string, next *string) {
		t.Helper()
		var got struct {
			ImportJobs struct {
				Edges    []struct{ Node struct{ ID string } }
				PageInfo struct {
					HasNextPage bool
					EndCursor   *string
				}
			}
		}
		mustQueryAuth(t, h, authz, `query($first: Int, $after: String) { importJobs(first: $first, after: $after) {
			edges { node { id } } pageInfo { hasNextPage endCursor } } }`, map[string]any{"first": first, "after": after}, &got)
		for _, e := range got.ImportJobs.Edges {
			ids = append(ids, e.Node.ID)
		}
		if got.ImportJobs.PageInfo.HasNextPage {
			next = got.ImportJobs.PageInfo.EndCursor
		}
		return ids, next
	}
	if ids, _ := listed(owner, 100, nil); !slices.Contains(ids, id) {
		t.Errorf("the owner's importJobs %v lack its job %s", ids, id)
	}
	if ids, _ := listed(other, 100, nil); slices.Contains(ids, id) {
		t.Errorf("another kam's importJobs %v list the job %s", ids, id)
	}
	pollJob(t, h, admin, startJob(t, h, admin, inline([2]string{"influences.csv", "from,to,weight,kind,evidence\nP000001,P000002,0.41,mentor,\n"}), true))
	var all []string // the admin's, page by page
	for page, after := 0, (*string)(nil); page < 100; page++ {
		ids, next := listed(admin, 1, after)
		all = append(all, ids...)
		if next == nil {
			break
		}
		after = next
	}
	seen := map[string]bool{}
	for _, x := range all {
		seen[x] = true
	}
	if !slices.Contains(all, id) || len(all) < 2 || len(seen) != len(all) {
		t.Errorf("the admin's importJobs, one a page: %v; want every job once, %s among them", all, id)
	}
	if j := getJob(t, h, admin, "AAAAAAAAAAAAAAAAAAAAAAAAAA"); j != nil {
		t.Errorf("an unknown id: %+v, want null", j)
	}
	viewer := bearer(t, "U010", auth.RoleViewer, []string{"T01"})
	x := ask(t, h, viewer, startImportQ, map[string]any{"f": inline([2]string{"influences.csv", "from,to\n"})})
	if c := x.codes(); len(c) != 1 || c[0] != kolgraph.EFORBIDDEN {
		t.Errorf("a viewer's startImport: %s, want FORBIDDEN", x.body)
	}
}

// TestImportJobScopedToTerritories: a kam's job writes through the kam's
// territories as importRegion does: a tie outside them fails the job.
func TestImportJobScopedToTerritories(t *testing.T) {
	h := writeService(t).Handler()
	kam := bearer(t, "U007", auth.RoleKAM, []string{"T02"})
	files := inline([2]string{"influences.csv", "from,to,weight,kind,evidence\nP000001,P000002,0.42,mentor,\n"}) // T01's
	x := ask(t, h, kam, `mutation($f: [ImportFile!]!) { importRegion(format: CSV, files: $f, dryRun: true) { rows } }`, map[string]any{"f": files})
	j := pollJob(t, h, kam, startJob(t, h, kam, files, true))
	if len(x.resp.Errors) == 0 || j.State != "FAILED" || j.Error.Code != x.codes()[0] || j.Error.Message != x.resp.Errors[0].Message {
		t.Errorf("outside the kam's territory: importRegion %s, job %+v; want the same refusal", x.body, j)
	}
}

// TestImportJobOutlivesItsRequest: the request that started the job is
// cancelled the moment it has its answer (the client went away); the
// job goes on and writes.
func TestImportJobOutlivesItsRequest(t *testing.T) {
	h := writeService(t).Handler()
	admin := bearer(t, "U001", auth.RoleAdmin, nil)
	hcps := strings.Replace(string(seedBytes(t, "hcps.csv")), "刘", "柳", -1)
	body, _ := json.Marshal(map[string]any{"query": startImportQ, "variables": map[string]any{"f": inline([2]string{"hcps.csv", hcps})}})
	ctx, cancel := context.WithCancel(context.Background())
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", admin)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	cancel()
	var resp struct {
		Data struct{ StartImport struct{ ID string } }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil || resp.Data.StartImport.ID == "" {
		t.Fatalf("startImport: %d %s", rec.Code, rec.Body)
	}
	j := pollJob(t, h, admin, resp.Data.StartImport.ID)
	if j.State != "SUCCEEDED" || j.Written == 0 || j.Written != j.Changes {
		t.Fatalf("job after its request was cancelled: %+v", j)
	}
	t.Cleanup(func() { // the names as the seed has them, for the other tests
		restore := inline([2]string{"hcps.csv", string(seedBytes(t, "hcps.csv"))})
		mustQueryAuth(t, h, admin, `mutation($f: [ImportFile!]!) { importRegion(format: CSV, files: $f) { rows } }`, map[string]any{"f": restore}, nil)
	})
}

// reweighted is the seed's influences.csv with every weight changed.
func reweighted(t *testing.T) string {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(seedBytes(t, "influences.csv")))
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for i, rec := range recs {
		if i > 0 {
			wt, _ := strconv.ParseFloat(rec[2], 64)
			rec[2] = strconv.FormatFloat(max(0.01, wt*0.9), 'f', 3, 64)
		}
		w.Write(rec)
	}
	w.Flush()
	return b.String()
}

// TestImportJobDuringSteadyWrites: a whole region's influences (63,000
// ties) import as a job while another client upserts ties every few
// milliseconds; the job succeeds (no CONFLICT) and so do the upserts.
func TestImportJobDuringSteadyWrites(t *testing.T) {
	skipWholeRegionCLI(t)
	m := ownService(t)
	h := m.Handler()
	admin := bearer(t, "U001", auth.RoleAdmin, nil)
	file := reweighted(t)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var upserts, failed atomic.Int32
	var firstErr atomic.Value
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
			q := fmt.Sprintf(`mutation { upsertInfluence(input: {from: "P000001", to: "P000002", weight: %.2f, kind: "mentor"}) { changed } }`, 0.3+float64(i%50)/100)
			x := ask(t, h, admin, q, nil)
			upserts.Add(1)
			if len(x.resp.Errors) > 0 {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, string(x.body))
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	body, ct := uploadBody(t, `mutation($files: [ImportFile!]!) { startImport(format: CSV, files: $files) { id } }`,
		upload{"influences.csv", strings.NewReader(file)}) // 4.9 MB: over the JSON body limit
	x, _ := sendUpload(t, h, admin, body, int64(body.Len()), ct, true)
	var started struct{ StartImport struct{ ID string } }
	if err := json.Unmarshal(x.resp.Data, &started); err != nil || started.StartImport.ID == "" {
		close(stop)
		wg.Wait()
		t.Fatalf("startImport: %d %s", x.status, x.body)
	}
	id := started.StartImport.ID
	sawProgress := false
	deadline := time.Now().Add(2 * time.Minute)
	var j *gqlImportJob
	for {
		j = getJob(t, h, admin, id)
		if j.State == "SUCCEEDED" || j.State == "FAILED" || time.Now().After(deadline) {
			break
		}
		if j.State == "RUNNING" && (j.Files[0].BytesRead > 0 || j.Phase != "READING") {
			sawProgress = true
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	if j.State != "SUCCEEDED" || j.Written < 60000 {
		t.Fatalf("the import during steady writes: %s %+v", j.State, j.Error)
	}
	if !sawProgress {
		t.Errorf("no progress seen while the job ran")
	}
	if n := failed.Load(); n > 0 || upserts.Load() < 5 {
		t.Errorf("%d of %d upserts failed (first: %v)", n, upserts.Load(), firstErr.Load())
	}
}

// TestImportJobUpload: a job's uploaded files are read after the request
// that brought them (whose spooled files are removed when it ends), and
// the job's own copies are removed when it ends.
func TestImportJobUpload(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	m := *writeService(t)
	m.Config.MaxBodyBytes = 16 << 10 // departments.csv must be an upload
	h := m.Handler()
	admin := bearer(t, "U001", auth.RoleAdmin, nil)
	depts := seedBytes(t, "departments.csv")
	q := `mutation($files: [ImportFile!]!) { startImport(format: CSV, files: $files, dryRun: true) { id state } }`
	body, ct := uploadBody(t, q, upload{"departments.csv", bytes.NewReader(depts)})
	x, _ := sendUpload(t, h, admin, body, int64(body.Len()), ct, true)
	var got struct{ StartImport struct{ ID string } }
	if err := json.Unmarshal(x.resp.Data, &got); err != nil || got.StartImport.ID == "" {
		t.Fatalf("startImport upload: %d %s", x.status, x.body)
	}
	j := pollJob(t, h, admin, got.StartImport.ID)
	rows := bytes.Count(depts, []byte("\n")) - 1
	if j.State != "SUCCEEDED" || j.Result.Rows != rows || j.Result.Changed || len(j.Files) != 1 || j.Files[0].Size != float64(len(depts)) {
		t.Fatalf("upload job: %+v %+v; want a dry run of %d unchanged rows", j, j.Result, rows)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		left, _ := os.ReadDir(tmp)
		if len(left) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("files left behind after the job: %v", left)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
