package auth

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

// CodeRateLimited is the extensions.code of a request refused by the rate
// limiter (HTTP 429 with Retry-After).
const CodeRateLimited = "RATE_LIMITED"

// Middleware authenticates every request to next: without valid
// credentials it answers 401 UNAUTHENTICATED, over the credential's rate
// 429 RATE_LIMITED; otherwise the principal is put in the context (and its
// subject is viewer.UserID, the caller whose contacts start access paths).
// lim may be nil (no rate limit).
func Middleware(a *Authenticator, lim *Limiter) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p, err := a.Authenticate(r)
			if err != nil {
				w.Header().Set("WWW-Authenticate", `Bearer realm="kolgraph"`)
				writeError(w, http.StatusUnauthorized, kolgraph.EUNAUTHENTICATED, kolgraph.ErrorMessage(err))
				return
			}
			if ok, retry := lim.Allow(p.Credential); !ok {
				w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
				writeError(w, http.StatusTooManyRequests, CodeRateLimited, "too many requests for this credential; retry later")
				return
			}
			ctx := WithPrincipal(r.Context(), p)
			ctx = viewer.WithUser(ctx, p.Subject)
			zerolog.Ctx(ctx).UpdateContext(func(c zerolog.Context) zerolog.Context {
				return c.Str("sub", p.Subject).Str("role", string(p.Role))
			})
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// writeError answers in the shape of a GraphQL error response, which every
// client of /query already parses.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{"message": msg, "extensions": map[string]string{"code": code}}},
	})
}
