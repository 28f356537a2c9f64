// Package viewer carries the identity of the calling user in a request's
// context, so domain code can ask "who is asking" without knowing how the
// caller was authenticated.
//
// auth.Middleware sets it to the subject of the request's verified
// credential (a bearer token or an API key); no header names the user.
package viewer

import "context"

type userKey struct{}

// WithUser returns a copy of ctx carrying the user id; an empty id means
// nobody (ctx is returned unchanged).
func WithUser(ctx context.Context, userID string) context.Context {
	if userID == "" {
		return ctx
	}
	return context.WithValue(ctx, userKey{}, userID)
}

// UserID returns the calling user's id and whether there is one.
func UserID(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(userKey{}).(string)
	return id, ok && id != ""
}
