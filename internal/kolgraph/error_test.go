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
