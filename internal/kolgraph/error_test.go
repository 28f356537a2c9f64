package kolgraph_test

import (
	"net/http"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

func TestHTTPStatus(t *testing.T) {
	for _, tc := range []struct {
		code string
		want int
	}{
		{kolgraph.EINVALID, http.StatusBadRequest},
		{kolgraph.EUNAUTHENTICATED, http.StatusUnauthorized},
		{kolgraph.EFORBIDDEN, http.StatusForbidden},
		{kolgraph.ENOTFOUND, http.StatusNotFound},
		{kolgraph.EMETHODNOTALLOWED, http.StatusMethodNotAllowed},
		{kolgraph.ENOTACCEPTABLE, http.StatusNotAcceptable},
		{kolgraph.ECONFLICT, http.StatusConflict},
		{kolgraph.EUNSUPPORTEDMEDIA, http.StatusUnsupportedMediaType},
		{kolgraph.ERATELIMITED, http.StatusTooManyRequests},
		{kolgraph.EINTERNAL, http.StatusInternalServerError},
		{kolgraph.EUNAVAILABLE, http.StatusServiceUnavailable},
		// GraphQL's request errors: the client's to fix.
		{"GRAPHQL_PARSE_FAILED", http.StatusBadRequest},
		{"GRAPHQL_VALIDATION_FAILED", http.StatusBadRequest},
		{"PERSISTED_QUERY_NOT_FOUND", http.StatusBadRequest},
	} {
		if got := kolgraph.HTTPStatus(tc.code); got != tc.want {
			t.Errorf("HTTPStatus(%s) = %d, want %d", tc.code, got, tc.want)
		}
	}
	// An uncoded error is INTERNAL, whatever the table says of strangers.
	if got := kolgraph.HTTPStatus(kolgraph.ErrorCode(http.ErrHandlerTimeout)); got != http.StatusInternalServerError {
		t.Errorf("status of an uncoded error %d, want 500", got)
	}
}

// TestErrorSaysAProblemOnce: an error whose one problem is its message
// says it once; more problems are listed after the message.
func TestErrorSaysAProblemOnce(t *testing.T) {
	p := kolgraph.Problem{File: "account_plans/AP1", Field: "owner_id", Message: "references user \"U9\", which does not exist"}
	one := &kolgraph.Error{Code: kolgraph.EINVALID, Message: p.String(), Problems: []kolgraph.Problem{p}}
	if got, want := one.Error(), "kolgraph: BAD_USER_INPUT: "+p.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	q := kolgraph.Problem{File: "hcps.csv", Line: 3, Field: "id", Message: "duplicate"}
	two := &kolgraph.Error{Code: kolgraph.EINVALID, Message: "2 problems", Problems: []kolgraph.Problem{p, q}}
	if got, want := two.Error(), "kolgraph: BAD_USER_INPUT: 2 problems; "+p.String()+"; "+q.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
