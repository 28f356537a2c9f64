// Package gqlhttp serves GraphQL over HTTP for gqlgen's executor as the
// GraphQL-over-HTTP specification (graphql.github.io/graphql-over-http)
// words it, where gqlgen's own GET and POST transports depart from it:
//
//   - The response media type follows Accept (q-values honoured):
//     application/graphql-response+json or application/json; a missing
//     Accept, */* and application/* get application/json, which legacy
//     clients expect; an Accept naming neither is 406.
//   - A request the server cannot read as a GraphQL-over-HTTP request
//     (not JSON, a query that is not a string, variables that are not a
//     map, no query at all) is 400 under either media type; a POST body
//     that is not application/json is 415.
//   - A request error (the document does not parse or validate, no
//     operation of that name, variables that do not coerce, a server rule
//     such as a cost limit) is answered without a data entry: with
//     application/json at status 200, as the legacy media type's clients
//     require; with application/graphql-response+json at 400 (401, 403,
//     429, 503 or 500 when the error's code says so: kolgraph.HTTPStatus).
//   - An executed operation is 200 under both, with its data (null when
//     the execution produced none) and field errors.
//   - A mutation sent with GET is 405 with Allow: POST, and is not run.
//
// Every error answer, these included, carries extensions.code.
package gqlhttp

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/rs/zerolog"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// The response media types.
const (
	MediaJSON            = "application/json"
	MediaGraphQLResponse = "application/graphql-response+json"
)

// HTTP is the transport of GET and POST application/json requests. It
// claims every GET and POST: a POST in another media type is 415 here, so
// a transport for another one (Multipart) is added before it.
type HTTP struct{}

var _ graphql.Transport = HTTP{}

func (HTTP) Supports(r *http.Request) bool {
	return r.Method == http.MethodGet || r.Method == http.MethodPost
}

func (HTTP) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := Negotiate(r.Header.Get("Accept"))
	if !ok {
		WriteError(w, r, MediaJSON, kolgraph.ENOTACCEPTABLE,
			"none of the media types in Accept can be served; accept application/graphql-response+json or application/json")
		return
	}
	start := graphql.Now()
	var params *graphql.RawParams
	var err error
	if r.Method == http.MethodGet {
		params, err = fromQuery(r.URL.RawQuery)
	} else {
		if ct := r.Header.Get("Content-Type"); !isJSON(ct) {
			WriteError(w, r, media, kolgraph.EUNSUPPORTEDMEDIA,
				"a POST body must be application/json (or multipart/form-data for file uploads), not "+strconv.Quote(ct))
			return
		}
		params, err = Decode(r.Body)
	}
	if err != nil {
		WriteError(w, r, media, kolgraph.EINVALID, err.Error())
		return
	}
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	Serve(w, r, exec, media, params)
}

// Serve runs a decoded request and writes its answer in media.
func Serve(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor, media string, params *graphql.RawParams) {
	ctx := r.Context()
	params.Headers = r.Header
	oc, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
		status := http.StatusOK
		if media == MediaGraphQLResponse {
			status = RequestErrorStatus(resp.Errors)
		}
		write(w, r, media, status, resp, false)
		return
	}
	if r.Method == http.MethodGet && oc.Operation.Operation != ast.Query {
		w.Header().Set("Allow", "POST")
		WriteError(w, r, media, kolgraph.EMETHODNOTALLOWED,
			"a "+string(oc.Operation.Operation)+" must be sent with POST; GET runs queries only")
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, oc)
	resp := responses(ctx)
	if resp == nil { // the request's context ended before a response
		resp = coded(kolgraph.EUNAVAILABLE, "the request was cancelled or took too long")
		status := http.StatusOK
		if media == MediaGraphQLResponse {
			status = RequestErrorStatus(resp.Errors)
		}
		write(w, r, media, status, resp, false)
		return
	}
	write(w, r, media, http.StatusOK, resp, true)
}

// RequestErrorStatus is the status of a request error answered as
// application/graphql-response+json: the first error's code's.
func RequestErrorStatus(errs gqlerror.List) int {
	code := ""
	if len(errs) > 0 {
		code, _ = errs[0].Extensions["code"].(string)
	}
	return kolgraph.HTTPStatus(code)
}

// executed is a GraphQL response with its data entry always present.
type executed struct {
	Errors     gqlerror.List   `json:"errors,omitempty"`
	Data       json.RawMessage `json:"data"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

// refused is a GraphQL response to a request that was not executed: the
// GraphQL spec leaves its data entry out.
type refused struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

func write(w http.ResponseWriter, r *http.Request, media string, status int, resp *graphql.Response, ran bool) {
	var body any = refused{Errors: resp.Errors, Extensions: resp.Extensions}
	if !ran && len(resp.Errors) > 0 {
		noteCode(r, resp.Errors[0])
	}
	if ran {
		data := resp.Data
		if data == nil {
			data = json.RawMessage("null")
		}
		body = executed{Errors: resp.Errors, Data: data, Extensions: resp.Extensions}
	}
	b, err := json.Marshal(body)
	if err != nil { // a failure of ours: logged, and answered as INTERNAL
		zerolog.Ctx(r.Context()).Error().Err(err).Msg("encode the response")
		status = kolgraph.HTTPStatus(kolgraph.EINTERNAL)
		b = []byte(`{"errors":[{"message":"internal error","extensions":{"code":"` + kolgraph.EINTERNAL + `"}}]}`)
	}
	w.Header().Set("Content-Type", media+"; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// WriteError answers one error with code, at code's status in the one
// table (kolgraph.HTTPStatus), without a data entry: the transport's own
// refusals, and every other endpoint's errors, which clients of /query
// then parse alike.
func WriteError(w http.ResponseWriter, r *http.Request, media, code, msg string) {
	write(w, r, media, kolgraph.HTTPStatus(code), coded(code, msg), false)
}

// WriteTooLarge answers a request over a size bound: 413, BAD_USER_INPUT
// with extensions.limit "body" (like the query limits, which are
// BAD_USER_INPUT with the limit's name); the one status that refines its
// code's.
func WriteTooLarge(w http.ResponseWriter, r *http.Request, media, msg string) {
	write(w, r, media, http.StatusRequestEntityTooLarge, &graphql.Response{Errors: gqlerror.List{{Message: msg,
		Extensions: map[string]any{"code": kolgraph.EINVALID, "limit": "body"}}}}, false)
}

// noteCode puts an error answer's code on the request's logger, so that
// its access log line (info level) says which client error it was; a
// failure of ours (INTERNAL) is logged at error level where it happens.
func noteCode(r *http.Request, e *gqlerror.Error) {
	code, _ := e.Extensions["code"].(string)
	if code == "" {
		return
	}
	zerolog.Ctx(r.Context()).UpdateContext(func(c zerolog.Context) zerolog.Context { return c.Str("code", code) })
}

// coded is a response of one error with code.
func coded(code, msg string) *graphql.Response {
	return &graphql.Response{Errors: gqlerror.List{{Message: msg, Extensions: map[string]any{"code": code}}}}
}

// isJSON reports whether a Content-Type is application/json in UTF-8 (the
// charset, when given, must say so).
func isJSON(ct string) bool {
	mt, ps, err := mime.ParseMediaType(ct)
	if err != nil || mt != MediaJSON {
		return false
	}
	cs, ok := ps["charset"]
	return !ok || strings.EqualFold(cs, "utf-8")
}

// Negotiate picks the response media type for an Accept header: the
// supported type with the highest q (the first listed among equals), where
// */* and application/* mean application/json; "" is application/json.
// ok is false when Accept names no supported type.
func Negotiate(accept string) (media string, ok bool) {
	if strings.TrimSpace(accept) == "" {
		return MediaJSON, true
	}
	best := -1.0
	for part := range strings.SplitSeq(accept, ",") {
		mt, ps, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		var m string
		switch mt {
		case MediaGraphQLResponse, MediaJSON:
			m = mt
		case "*/*", "application/*":
			m = MediaJSON
		default:
			continue
		}
		if cs, ok := ps["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
			continue
		}
		q := 1.0
		if s, ok := ps["q"]; ok {
			if q, err = strconv.ParseFloat(s, 64); err != nil {
				continue
			}
		}
		if q > 0 && q > best {
			media, best = m, q
		}
	}
	return media, best > 0
}

// Decode reads a POST body: one JSON object whose query is a string,
// operationName a string, variables and extensions maps (each may be null
// or left out, but a request needs a query or a persisted query's hash).
func Decode(body io.Reader) (*graphql.RawParams, error) {
	var p graphql.RawParams
	dec := json.NewDecoder(body)
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return nil, badJSON(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("the request body holds more than one JSON value")
	}
	return &p, check(&p)
}

func badJSON(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field != "" {
		return errors.New("the request's " + te.Field + " is a JSON " + te.Value + "; see the GraphQL-over-HTTP request parameters")
	}
	if errors.As(err, &te) {
		return errors.New("the request body must be a JSON object, not a " + te.Value)
	}
	return errors.New("the request body is not valid JSON: " + err.Error())
}

func check(p *graphql.RawParams) error {
	if p.Query == "" {
		if _, apq := p.Extensions["persistedQuery"]; !apq {
			return errors.New("the request has no query")
		}
	}
	return nil
}

// fromQuery reads a GET request's parameters from its URL query.
func fromQuery(raw string) (*graphql.RawParams, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, errors.New("the URL query cannot be read: " + err.Error())
	}
	p := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	for name, into := range map[string]*map[string]any{"variables": &p.Variables, "extensions": &p.Extensions} {
		if s := q.Get(name); s != "" {
			dec := json.NewDecoder(strings.NewReader(s))
			dec.UseNumber()
			if err := dec.Decode(into); err != nil {
				return nil, errors.New("the " + name + " parameter must be a JSON object")
			}
		}
	}
	return p, check(p)
}
