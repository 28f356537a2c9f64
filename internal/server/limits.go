package server

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"

	"github.com/kolgraph/kolgraph/internal/gqlhttp"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// checkBody reads a /query body before the GraphQL layer does: over
// MaxBodyBytes it is 413 (a declared Content-Length is checked at once, a
// chunked body is read up to the bound and no further), and a JSON array
// (a batch of operations, which would multiply one request's cost past
// every per-operation limit) is 400. Both are BAD_USER_INPUT (a 413 with
// extensions.limit "body"). The bound is the same for every role: imports
// of larger files are multipart uploads, which pass here unread and are
// streamed, part by part within their own bounds, by the GraphQL
// handler's upload transport.
func (s *Server) checkBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody || r.Method != http.MethodPost || isMultipart(r) {
			next.ServeHTTP(w, r)
			return
		}
		limit := s.opts.MaxBodyBytes
		if limit > 0 && r.ContentLength > limit {
			gqlhttp.WriteTooLarge(w, r, gqlhttp.MediaJSON, fmt.Sprintf("the request body is larger than %d bytes", limit))
			return
		}
		var src io.Reader = r.Body
		if limit > 0 {
			src = io.LimitReader(r.Body, limit+1)
		}
		b, err := io.ReadAll(src)
		if err != nil {
			fail(w, r, kolgraph.Errorf(kolgraph.EINVALID, "the request body could not be read"))
			return
		}
		if limit > 0 && int64(len(b)) > limit {
			gqlhttp.WriteTooLarge(w, r, gqlhttp.MediaJSON, fmt.Sprintf("the request body is larger than %d bytes", limit))
			return
		}
		if t := bytes.TrimLeft(b, " \t\r\n"); len(t) > 0 && t[0] == '[' {
			fail(w, r, kolgraph.Errorf(kolgraph.EINVALID, "batched operations are not accepted: send one operation per request"))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		next.ServeHTTP(w, r)
	})
}

func isMultipart(r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "multipart/form-data"
}

// cors answers browsers' cross-origin checks for the allowed origins only.
// Credentials travel in the Authorization header, never in cookies, so no
// Allow-Credentials is sent. A preflight from another origin is 403; a plain
// request from one gets no CORS headers (the browser keeps the answer from
// its page).
func cors(origins []string, next http.Handler) http.Handler {
	if len(origins) == 0 {
		return next
	}
	anyOrigin := slices.Contains(origins, "*")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		allowed := anyOrigin || slices.Contains(origins, origin)
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if !allowed {
			if preflight {
				fail(w, r, kolgraph.Errorf(kolgraph.EFORBIDDEN, "origin not allowed"))
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		if preflight {
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id, GraphQL-Require-Preflight")
			h.Set("Access-Control-Max-Age", strconv.Itoa(600))
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After")
		next.ServeHTTP(w, r)
	})
}
