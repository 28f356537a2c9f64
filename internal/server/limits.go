package server

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
)

// limitBody refuses /query bodies over MaxBodyBytes with 413 before the
// GraphQL layer parses anything: a declared Content-Length is checked at
// once, a chunked body is read up to the bound and no further.
func (s *Server) limitBody(next http.Handler) http.Handler {
	max := s.opts.MaxBodyBytes
	if max <= 0 {
		return next
	}
	tooLarge := func(w http.ResponseWriter) {
		writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{"errors": []map[string]any{{
			"message":    fmt.Sprintf("the request body is larger than %d bytes", max),
			"extensions": map[string]string{"code": "BAD_USER_INPUT"}}}})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		if r.ContentLength > max {
			tooLarge(w)
			return
		}
		b, err := io.ReadAll(io.LimitReader(r.Body, max+1))
		if err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []map[string]any{{
				"message": "the request body could not be read", "extensions": map[string]string{"code": "BAD_USER_INPUT"}}}})
			return
		}
		if int64(len(b)) > max {
			tooLarge(w)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		next.ServeHTTP(w, r)
	})
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
				writeJSON(w, http.StatusForbidden, map[string]any{"errors": []map[string]any{{
					"message": "origin not allowed", "extensions": map[string]string{"code": "FORBIDDEN"}}}})
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		if preflight {
			h.Set("Access-Control-Allow-Methods", "GET, POST")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-Id")
			h.Set("Access-Control-Max-Age", strconv.Itoa(600))
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Set("Access-Control-Expose-Headers", "X-Request-Id, Retry-After")
		next.ServeHTTP(w, r)
	})
}
