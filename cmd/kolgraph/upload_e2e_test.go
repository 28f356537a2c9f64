package main

import (
	"bytes"
	"encoding/json"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/gqlhttp"
	"github.com/kolgraph/kolgraph/internal/importer"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/seed"
	"github.com/xuri/excelize/v2"
)

const importUpload = `mutation($files: [ImportFile!]!) { importRegion(format: CSV, files: $files, dryRun: true) { dryRun changed rows } }`

// countingReader counts what the server read of a request body.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// upload is one file of a multipart request.
type upload struct {
	name string
	data io.Reader
}

// uploadBody is a multipart request (the GraphQL multipart request spec)
// of q, whose $files get one entry { file } per upload.
func uploadBody(t *testing.T, q string, files ...upload) (body *bytes.Buffer, contentType string) {
	t.Helper()
	body = &bytes.Buffer{}
	mw := multipart.NewWriter(body)
	vars, fileMap := make([]map[string]any, len(files)), map[string][]string{}
	for i := range files {
		vars[i] = map[string]any{"file": nil}
		fileMap[strconv.Itoa(i)] = []string{"variables.files." + strconv.Itoa(i) + ".file"}
	}
	ops, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"files": vars}})
	fm, _ := json.Marshal(fileMap)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(mw.WriteField("operations", string(ops)))
	must(mw.WriteField("map", string(fm)))
	for i, f := range files {
		fw, err := mw.CreateFormFile(strconv.Itoa(i), f.name)
		must(err)
		_, err = io.Copy(fw, f.data)
		must(err)
	}
	must(mw.Close())
	return body, mw.FormDataContentType()
}

// sendUpload posts a multipart body to /query; size -1 sends it without a
// Content-Length. It returns the exchange and how much of the body the
// server read.
func sendUpload(t *testing.T, h http.Handler, authz string, body io.Reader, size int64, contentType string, preflight bool) (exchange, int64) {
	t.Helper()
	cr := &countingReader{r: body}
	req := httptest.NewRequest(http.MethodPost, "/query", cr)
	req.ContentLength = size
	req.Header.Set("Content-Type", contentType)
	if preflight {
		req.Header.Set(gqlhttp.PreflightHeader, "1")
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	x := exchange{status: rec.Code, body: rec.Body.Bytes()}
	_ = json.Unmarshal(x.body, &x.resp)
	return x, cr.n
}

// TestBodyLimitForEveryRole: a JSON body over -max-body-bytes is 413 for
// every role, those that write included (before, a kam's bound was four
// times the import limit, 256 MiB, read whole into memory), and the server
// stops reading at the bound.
func TestBodyLimitForEveryRole(t *testing.T) {
	h := svc.Handler()
	pad := strings.Repeat("x", 10<<20)
	body := []byte(`{"query":"{ graphVersion }","pad":"` + pad + `"}`)
	for _, tc := range []struct{ name, authz string }{
		{"admin", bearer(t, "U001", auth.RoleAdmin, nil)},
		{"kam", bearer(t, "U004", auth.RoleKAM, []string{"T01"})},
		{"viewer", bearer(t, "U005", auth.RoleViewer, []string{"T01"})},
		{"dev mode", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := send(t, h, tc.authz, body)
			if x.status != http.StatusRequestEntityTooLarge || !slices.Equal(x.codes(), []string{kolgraph.EINVALID}) || x.resp.Errors[0].Extensions["limit"] != "body" {
				t.Errorf("a 10 MiB body: %d %.300s, want 413 BAD_USER_INPUT with limit body", x.status, x.body)
			}
			// Without a Content-Length: read up to the bound, not to the end.
			cr := &countingReader{r: bytes.NewReader(body)}
			req := httptest.NewRequest(http.MethodPost, "/query", cr)
			req.ContentLength = -1
			req.Header.Set("Content-Type", "application/json")
			if tc.authz != "" {
				req.Header.Set("Authorization", tc.authz)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusRequestEntityTooLarge || cr.n > svc.Config.MaxBodyBytes+64<<10 {
				t.Errorf("a chunked 10 MiB body: %d after reading %d bytes, want 413 after at most the bound", rec.Code, cr.n)
			}
		})
	}
}

// TestImportUpload: a file larger than the body limit imports as a
// multipart upload (streamed to disk, bounded per file by
// -import-max-bytes), while the same file inline is 413; uploads are
// refused before their files are read when the role may not write, the
// CSRF header is missing, a file or the whole request is over its bound.
func TestImportUpload(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where the spooled uploads go
	m := *svc
	m.Config.MaxBodyBytes = 16 << 10 // below departments.csv, so that the test stays light on a Bolt server
	h := m.Handler()
	depts, err := fs.ReadFile(seed.FS, "departments.csv")
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(depts)) <= m.Config.MaxBodyBytes {
		t.Fatalf("departments.csv is %d bytes, not over the body limit", len(depts))
	}
	rows := bytes.Count(depts, []byte("\n")) - 1
	kam := bearer(t, "U004", auth.RoleKAM, []string{"T01"})
	admin := bearer(t, "U001", auth.RoleAdmin, nil)

	t.Run("inline over the body limit", func(t *testing.T) {
		x := ask(t, h, admin, importUpload, map[string]any{"files": []map[string]any{{"name": "departments.csv", "content": string(depts)}}})
		if x.status != http.StatusRequestEntityTooLarge {
			t.Errorf("got %d %.300s, want 413", x.status, x.body)
		}
	})
	t.Run("upload", func(t *testing.T) {
		body, ct := uploadBody(t, importUpload, upload{"departments.csv", bytes.NewReader(depts)})
		x, _ := sendUpload(t, h, admin, body, int64(body.Len()), ct, true)
		var got struct {
			ImportRegion struct {
				DryRun, Changed bool
				Rows            int
			}
		}
		_ = json.Unmarshal(x.resp.Data, &got)
		if x.status != http.StatusOK || len(x.resp.Errors) > 0 || got.ImportRegion.Rows != rows || got.ImportRegion.Changed || !got.ImportRegion.DryRun {
			t.Errorf("got %d %.300s, want a dry run of %d unchanged rows", x.status, x.body, rows)
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("spooled files left behind: %v", left)
		}
	})
	t.Run("upload with a problem", func(t *testing.T) {
		body, ct := uploadBody(t, importUpload, upload{"influences.csv", strings.NewReader("from,to,weight,kind,evidence\nP000001,P000002,1.2,mentor,\n")})
		x, _ := sendUpload(t, h, admin, body, -1, ct, true)
		if !slices.Equal(x.codes(), []string{kolgraph.EINVALID}) || !bytes.Contains(x.body, []byte(`"line":2`)) {
			t.Errorf("got %d %.300s, want BAD_USER_INPUT naming line 2", x.status, x.body)
		}
	})

	big := func() io.Reader { return io.LimitReader(zeros{}, 10<<20) }
	small := *svc
	small.Config.ImportMaxBytes = 200 << 10
	sh := small.Handler()
	for _, tc := range []struct {
		name      string
		h         http.Handler
		authz     string
		declared  bool // send Content-Length
		preflight bool
		status    int
		code      string
		maxRead   int64
	}{
		{"a role that may not write", h, bearer(t, "U005", auth.RoleViewer, []string{"T01"}), false, true, http.StatusForbidden, kolgraph.EFORBIDDEN, 0},
		{"no CSRF header", h, kam, false, false, http.StatusBadRequest, kolgraph.EINVALID, 0},
		{"a file over the import limit", sh, kam, false, true, http.StatusRequestEntityTooLarge, kolgraph.EINVALID, 300 << 10},
		{"a declared length over every bound", sh, kam, true, true, http.StatusRequestEntityTooLarge, kolgraph.EINVALID, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, ct := uploadBody(t, importUpload, upload{"hcps.csv", big()})
			size := int64(-1)
			if tc.declared {
				size = int64(body.Len())
			}
			x, read := sendUpload(t, tc.h, tc.authz, body, size, ct, tc.preflight)
			if x.status != tc.status || !slices.Equal(x.codes(), []string{tc.code}) {
				t.Errorf("got %d %.300s, want %d %s", x.status, x.body, tc.status, tc.code)
			}
			if read > tc.maxRead {
				t.Errorf("read %d bytes of a 10 MiB upload before refusing it, want at most %d", read, tc.maxRead)
			}
			if left, _ := os.ReadDir(tmp); len(left) > 0 {
				t.Errorf("spooled files left behind: %v", left)
			}
		})
	}
}

// zeros reads as an endless run of '0'.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = '0'
	}
	return len(p), nil
}

// TestImportTemplateDownload: GET /import/template.xlsx, which the schema
// describes, serves the template workbook (issue 20: it answered 404).
func TestImportTemplateDownload(t *testing.T) {
	rec := httptest.NewRecorder()
	svc.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/import/template.xlsx", nil))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != importer.TemplateContentType ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), importer.TemplateName) {
		t.Fatalf("GET /import/template.xlsx: %d %v", rec.Code, rec.Header())
	}
	wb, err := excelize.OpenReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	for _, f := range seedfile.FileNames() {
		sheet := strings.TrimSuffix(f, ".csv")
		cols, _ := seedfile.Columns(f)
		row, err := wb.GetRows(sheet)
		if err != nil || len(row) == 0 || !slices.Equal(row[0], cols) {
			t.Errorf("sheet %s: header %v (%v), want %v", sheet, row, err, cols)
		}
	}
}
