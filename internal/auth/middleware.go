package auth

import (
	"math"
	"net/http"
	"strconv"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/gqlhttp"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

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
				writeError(w, r, kolgraph.EUNAUTHENTICATED, kolgraph.ErrorMessage(err))
				return
			}
			if ok, retry := lim.Allow(p.Credential); !ok {
				w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retry.Seconds()))))
				writeError(w, r, kolgraph.ERATELIMITED, "too many requests for this credential; retry later")
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
// client of /query already parses, at the code's status.
func writeError(w http.ResponseWriter, r *http.Request, code, msg string) {
	w.Header().Set("Cache-Control", "no-store")
	gqlhttp.WriteError(w, r, gqlhttp.MediaJSON, code, msg)
}
