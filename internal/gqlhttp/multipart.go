package gqlhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"strconv"

	"github.com/99designs/gqlgen/graphql"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// PreflightHeader must be on every multipart request. A browser sends
// multipart/form-data across origins without asking first (a "simple"
// request: a plain HTML form can), so without it a page could post an
// import to a dev-mode server on the user's machine; a custom header
// makes the browser ask (CORS preflight) and lets only allowed origins
// through. The GraphQL-over-HTTP spec's security notes suggest this name.
const PreflightHeader = "GraphQL-Require-Preflight"

// partOverhead is what a multipart part may add to its content (boundary
// and headers) when a whole request's size is bounded.
const partOverhead = 16 << 10

// Multipart is the transport of file uploads: POST multipart/form-data in
// the GraphQL multipart request spec
// (github.com/jaydenseric/graphql-multipart-request-spec): a part
// "operations" with the JSON request, a part "map" saying which variables
// each file fills, then the files. gqlgen's own MultipartForm answers
// without codes, bounds only the whole body, and holds a request without
// Content-Length in memory; this one checks the caller before reading any
// part, bounds each part as it streams, answers 413 the moment a bound is
// passed, and spools every file to a temporary file (removed when the
// request ends), so memory stays small whatever the files' sizes.
type Multipart struct {
	// MaxBodyBytes bounds the operations and map parts together (0: 1 GiB,
	// for a configuration whose body limit is off).
	MaxBodyBytes int64
	// MaxFileBytes bounds each file.
	MaxFileBytes int64
	// MaxFiles bounds the number of files of a request.
	MaxFiles int
	// Allow, when set, is asked before any part is read; its error (a
	// *kolgraph.Error) refuses the request.
	Allow func(ctx context.Context) error
	// TempDir holds the spooled files; "" is os.TempDir().
	TempDir string
}

var _ graphql.Transport = Multipart{}

func (Multipart) Supports(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && r.Method == http.MethodPost && mt == "multipart/form-data"
}

// errTooLarge marks a bound passed while reading.
type errTooLarge struct{ msg string }

func (e errTooLarge) Error() string { return e.msg }

func (m Multipart) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := Negotiate(r.Header.Get("Accept"))
	if !ok {
		WriteError(w, r, MediaJSON, kolgraph.ENOTACCEPTABLE,
			"none of the media types in Accept can be served; accept application/graphql-response+json or application/json")
		return
	}
	if r.Header.Get(PreflightHeader) == "" {
		WriteError(w, r, media, kolgraph.EINVALID,
			"a multipart request must carry the "+PreflightHeader+" header (any value), so that browsers ask before sending one across origins")
		return
	}
	if m.Allow != nil {
		if err := m.Allow(r.Context()); err != nil {
			code := kolgraph.ErrorCode(err)
			WriteError(w, r, media, code, kolgraph.ErrorMessage(err))
			return
		}
	}
	if m.MaxBodyBytes <= 0 {
		m.MaxBodyBytes = 1 << 30
	}
	whole := m.MaxBodyBytes + int64(m.MaxFiles)*(m.MaxFileBytes+partOverhead) + partOverhead
	if r.ContentLength > whole {
		WriteTooLarge(w, r, media, fmt.Sprintf("the request is %d bytes, more than %d: the operations and map parts %d bytes at most, and at most %d files of %d bytes",
			r.ContentLength, whole, m.MaxBodyBytes, m.MaxFiles, m.MaxFileBytes))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, whole)
	start := graphql.Now()
	params, cleanup, err := m.read(r)
	defer cleanup()
	var big errTooLarge
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &big):
		WriteTooLarge(w, r, media, big.msg)
		return
	case errors.As(err, &mbe):
		WriteTooLarge(w, r, media, fmt.Sprintf("the request is larger than %d bytes", whole))
		return
	case err != nil:
		WriteError(w, r, media, kolgraph.EINVALID, err.Error())
		return
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	Serve(w, r, exec, media, params)
}

// read reads the parts in the spec's order. cleanup closes and removes the
// spooled files; it is never nil.
func (m Multipart) read(r *http.Request) (*graphql.RawParams, func(), error) {
	var spooled []*os.File
	cleanup := func() {
		for _, f := range spooled {
			f.Close()
			os.Remove(f.Name())
		}
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, cleanup, fmt.Errorf("the multipart body cannot be read: %v", err)
	}
	left := m.MaxBodyBytes
	field := func(name string) ([]byte, error) {
		part, err := mr.NextPart()
		if err != nil {
			return nil, partError(err, "the request has no "+strconv.Quote(name)+" part")
		}
		if part.FormName() != name {
			return nil, fmt.Errorf("the parts must be operations, map, then the files; got %q where %q belongs", part.FormName(), name)
		}
		b, err := io.ReadAll(io.LimitReader(part, left+1))
		if err != nil {
			return nil, partError(err, "the "+name+" part cannot be read")
		}
		if left -= int64(len(b)); left < 0 {
			return nil, errTooLarge{fmt.Sprintf("the operations and map parts are larger than %d bytes", m.MaxBodyBytes)}
		}
		return b, nil
	}
	ops, err := field("operations")
	if err != nil {
		return nil, cleanup, err
	}
	params, err := Decode(bytes.NewReader(ops))
	if err != nil {
		return nil, cleanup, fmt.Errorf("operations: %v", err)
	}
	mb, err := field("map")
	if err != nil {
		return nil, cleanup, err
	}
	var files map[string][]string
	if err := json.Unmarshal(mb, &files); err != nil {
		return nil, cleanup, errors.New(`map must be a JSON object of file part names to variable paths, such as {"0": ["variables.files.0.file"]}`)
	}
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, cleanup, partError(err, "a file part cannot be read")
		}
		key := part.FormName()
		paths, ok := files[key]
		if !ok || len(paths) == 0 {
			return nil, cleanup, fmt.Errorf("the part %q is not in map (or is sent twice)", key)
		}
		delete(files, key)
		if n >= m.MaxFiles {
			return nil, cleanup, errTooLarge{fmt.Sprintf("more than %d files in one request", m.MaxFiles)}
		}
		f, err := os.CreateTemp(m.TempDir, "kolgraph-upload-*")
		if err != nil {
			return nil, cleanup, fmt.Errorf("gqlhttp: spool an upload: %w", err)
		}
		spooled = append(spooled, f)
		size, err := io.Copy(f, io.LimitReader(part, m.MaxFileBytes+1))
		if err != nil {
			return nil, cleanup, partError(err, "the file "+strconv.Quote(part.FileName())+" cannot be read")
		}
		if size > m.MaxFileBytes {
			return nil, cleanup, errTooLarge{fmt.Sprintf("the file %q is larger than the import limit of %d bytes (the server's -import-max-bytes, KOLGRAPH_IMPORT_MAX_BYTES)", part.FileName(), m.MaxFileBytes)}
		}
		for _, p := range paths {
			up := graphql.Upload{File: io.NewSectionReader(f, 0, size), Size: size, Filename: part.FileName(), ContentType: part.Header.Get("Content-Type")}
			if gerr := params.AddUpload(up, key, p); gerr != nil {
				return nil, cleanup, fmt.Errorf("map: %s", gerr.Message)
			}
		}
	}
	for key := range files {
		return nil, cleanup, fmt.Errorf("map names the part %q, which the request does not have", key)
	}
	return params, cleanup, nil
}

// partError keeps a bound passed (MaxBytesError) recognisable and words
// anything else for the client.
func partError(err error, msg string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	return errors.New(msg)
}
