package gqlhttp_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/rs/zerolog"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/kolgraph/kolgraph/internal/gqlhttp"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

func TestNegotiate(t *testing.T) {
	const gr, js = gqlhttp.MediaGraphQLResponse, gqlhttp.MediaJSON
	tests := []struct {
		accept string
		want   string
		ok     bool
	}{
		{"", js, true},
		{"*/*", js, true},
		{"application/*", js, true},
		{"application/json", js, true},
		{"application/graphql-response+json", gr, true},
		{"application/graphql-response+json; charset=utf-8, application/json; charset=utf-8", gr, true},
		{"application/json, application/graphql-response+json", js, true},
		{"application/json;q=0.5, application/graphql-response+json", gr, true},
		{"text/html, application/graphql-response+json;q=0.1", gr, true},
		{"application/json; charset=latin1, */*;q=0.1", js, true},
		{"application/graphql-response+json; charset=latin1", "", false},
		{"text/html", "", false},
		{"application/json;q=0", "", false},
		{"application/json;q=nope", "", false},
		{";;;", "", false},
	}
	for _, tt := range tests {
		got, ok := gqlhttp.Negotiate(tt.accept)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Negotiate(%q) = %q, %v; want %q, %v", tt.accept, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		body, query, err string
	}{
		{`{"query":"{ a }","variables":{"n":1},"extensions":null,"operationName":null}`, "{ a }", ""},
		{`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"ab"}}}`, "", ""},
		{``, "", "not valid JSON"},
		{`{"query":`, "", "not valid JSON"},
		{`[{"query":"{ a }"}]`, "", "must be a JSON object"},
		{`{"query":1}`, "", "query is a JSON number"},
		{`{"query":"{ a }","variables":[7]}`, "", "variables is a JSON array"},
		{`{"query":"{ a }"} {}`, "", "more than one JSON value"},
		{`{"qeury":"{ a }"}`, "", "no query"},
	}
	for _, tt := range tests {
		p, err := gqlhttp.Decode(strings.NewReader(tt.body))
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("Decode(%s): %v", tt.body, err)
		case tt.err == "" && p.Query != tt.query:
			t.Errorf("Decode(%s).Query = %q, want %q", tt.body, p.Query, tt.query)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("Decode(%s) error %v, want one saying %q", tt.body, err, tt.err)
		}
	}
}

// fakeExec answers every operation with resp (nil: the context ended).
type fakeExec struct{ resp *graphql.Response }

func (fakeExec) CreateOperationContext(context.Context, *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	return &graphql.OperationContext{Operation: &ast.OperationDefinition{Operation: ast.Query}}, nil
}

func (f fakeExec) DispatchOperation(ctx context.Context, _ *graphql.OperationContext) (graphql.ResponseHandler, context.Context) {
	return func(context.Context) *graphql.Response { return f.resp }, ctx
}

func (fakeExec) DispatchError(_ context.Context, list gqlerror.List) *graphql.Response {
	return &graphql.Response{Errors: list}
}

// TestServeWithoutResponse: an operation whose context ended before it
// answered is a coded UNAVAILABLE, not a crash; one that answered without
// data still has its data entry.
func TestServeWithoutResponse(t *testing.T) {
	for _, tc := range []struct {
		accept string
		resp   *graphql.Response
		status int
		body   string
	}{
		{"application/json", nil, 200, `{"errors":[{"message":"the request was cancelled or took too long","extensions":{"code":"UNAVAILABLE"}}]}`},
		{"application/graphql-response+json", nil, 503, `{"errors":[{"message":"the request was cancelled or took too long","extensions":{"code":"UNAVAILABLE"}}]}`},
		{"application/json", &graphql.Response{}, 200, `{"data":null}`},
	} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("POST", "/query", strings.NewReader(`{"query":"{ a }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", tc.accept)
		gqlhttp.HTTP{}.Do(rec, req, fakeExec{tc.resp})
		if rec.Code != tc.status || rec.Body.String() != tc.body {
			t.Errorf("%s: %d %s, want %d %s", tc.accept, rec.Code, rec.Body, tc.status, tc.body)
		}
	}
}

// TestMultipartProtocolErrors: requests that break the multipart request
// spec's shape are 400 with a code, and a well-formed one runs.
func TestMultipartProtocolErrors(t *testing.T) {
	ops := `{"query":"mutation($f: Upload) { a(f: $f) }","variables":{"f":null}}`
	for _, tc := range []struct {
		name   string
		parts  [][2]string // form name, content; a name starting with "@" is a file
		status int
		want   string
	}{
		{"well formed", [][2]string{{"operations", ops}, {"map", `{"0":["variables.f"]}`}, {"@0", "x"}}, 200, `"data":null`},
		{"map first", [][2]string{{"map", `{}`}, {"operations", ops}}, 400, "operations, map, then the files"},
		{"no map", [][2]string{{"operations", ops}}, 400, `no \"map\" part`},
		{"map not an object", [][2]string{{"operations", ops}, {"map", `[1]`}}, 400, "map must be a JSON object"},
		{"a file map does not name", [][2]string{{"operations", ops}, {"map", `{}`}, {"@0", "x"}}, 400, `part \"0\" is not in map`},
		{"a file map names but is missing", [][2]string{{"operations", ops}, {"map", `{"0":["variables.f"]}`}}, 400, "does not have"},
		{"a path outside variables", [][2]string{{"operations", ops}, {"map", `{"0":["query"]}`}, {"@0", "x"}}, 400, "map:"},
		{"operations not JSON", [][2]string{{"operations", `{`}, {"map", `{}`}}, 400, "operations: the request body is not valid JSON"},
		{"operations over the bound", [][2]string{{"operations", `{"query":"` + strings.Repeat(" ", 2000) + `{ a }"}`}, {"map", `{}`}}, 413, `"limit":"body"`},
		{"too many files", [][2]string{{"operations", `{"query":"{ a }","variables":{"a":null,"b":null,"c":null}}`},
			{"map", `{"0":["variables.a"],"1":["variables.b"],"2":["variables.c"]}`}, {"@0", "x"}, {"@1", "x"}, {"@2", "x"}}, 413, "more than 2 files"},
		{"a file over the bound", [][2]string{{"operations", ops}, {"map", `{"0":["variables.f"]}`}, {"@0", strings.Repeat("x", 101)}}, 413, "larger than the import limit of 100 bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			for _, p := range tc.parts {
				if name, ok := strings.CutPrefix(p[0], "@"); ok {
					fw, _ := mw.CreateFormFile(name, "f.csv")
					_, _ = fw.Write([]byte(p[1]))
				} else {
					_ = mw.WriteField(p[0], p[1])
				}
			}
			_ = mw.Close()
			req := httptest.NewRequest("POST", "/query", &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.Header.Set(gqlhttp.PreflightHeader, "1")
			rec := httptest.NewRecorder()
			tr := gqlhttp.Multipart{MaxBodyBytes: 1000, MaxFileBytes: 100, MaxFiles: 2, TempDir: t.TempDir()}
			if !tr.Supports(req) {
				t.Fatal("a multipart POST is not supported")
			}
			tr.Do(rec, req, fakeExec{&graphql.Response{}})
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
				t.Errorf("%d %s, want %d with %s", rec.Code, rec.Body, tc.status, tc.want)
			}
			if tc.status != 200 && !strings.Contains(rec.Body.String(), `"code":"BAD_USER_INPUT"`) {
				t.Errorf("a refusal without its code: %s", rec.Body)
			}
		})
	}
}

// TestErrorAnswerCodeOnLog: an error answer's code goes on the request's
// logger, so that the access log line names the client error (the line
// hlog.AccessHandler writes after the handler returns).
func TestErrorAnswerCodeOnLog(t *testing.T) {
	for _, tc := range []struct {
		name, contentType, accept string
		code                      string
	}{
		{"415", "text/plain", "application/json", kolgraph.EUNSUPPORTEDMEDIA},
		{"406", "application/json", "text/html", kolgraph.ENOTACCEPTABLE},
		{"no response", "application/json", "application/graphql-response+json", kolgraph.EUNAVAILABLE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			l := zerolog.New(&logs)
			req := httptest.NewRequest("POST", "/query", strings.NewReader(`{"query":"{ a }"}`))
			req = req.WithContext(l.WithContext(req.Context()))
			req.Header.Set("Content-Type", tc.contentType)
			req.Header.Set("Accept", tc.accept)
			rec := httptest.NewRecorder()
			gqlhttp.HTTP{}.Do(rec, req, fakeExec{})
			if want := kolgraph.HTTPStatus(tc.code); rec.Code != want || !strings.Contains(rec.Body.String(), `"code":"`+tc.code+`"`) {
				t.Errorf("%d %s, want %d with code %s", rec.Code, rec.Body, want, tc.code)
			}
			zerolog.Ctx(req.Context()).Info().Msg("request")
			if !strings.Contains(logs.String(), `"code":"`+tc.code+`"`) {
				t.Errorf("access line %s lacks the code %s", logs.String(), tc.code)
			}
		})
	}
}
