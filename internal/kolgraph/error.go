package kolgraph

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Error codes. They are what clients see in an error's extensions.code,
// from /query and every other endpoint; anything that is not a *Error is
// reported as EINTERNAL. Each has its HTTP status in HTTPStatus's table.
const (
	ENOTFOUND        = "NOT_FOUND"
	EINVALID         = "BAD_USER_INPUT"
	ECONFLICT        = "CONFLICT"
	EFORBIDDEN       = "FORBIDDEN"
	EUNAUTHENTICATED = "UNAUTHENTICATED"
	ERATELIMITED     = "RATE_LIMITED" // a credential over its request rate
	EUNAVAILABLE     = "UNAVAILABLE"
	EINTERNAL        = "INTERNAL"

	// The HTTP layer's own refusals of a request it cannot take as sent.
	EMETHODNOTALLOWED = "METHOD_NOT_ALLOWED"
	ENOTACCEPTABLE    = "NOT_ACCEPTABLE"
	EUNSUPPORTEDMEDIA = "UNSUPPORTED_MEDIA_TYPE"
)

// httpStatus is the one table from code to HTTP status, shared by /query's
// request errors, the report downloads and every other endpoint.
var httpStatus = map[string]int{
	ENOTFOUND:         http.StatusNotFound,
	EINVALID:          http.StatusBadRequest,
	ECONFLICT:         http.StatusConflict,
	EFORBIDDEN:        http.StatusForbidden,
	EUNAUTHENTICATED:  http.StatusUnauthorized,
	ERATELIMITED:      http.StatusTooManyRequests,
	EUNAVAILABLE:      http.StatusServiceUnavailable,
	EINTERNAL:         http.StatusInternalServerError,
	EMETHODNOTALLOWED: http.StatusMethodNotAllowed,
	ENOTACCEPTABLE:    http.StatusNotAcceptable,
	EUNSUPPORTEDMEDIA: http.StatusUnsupportedMediaType,
}

// HTTPStatus is the HTTP status of an error code. A code not in the table
// is not ours but GraphQL's (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED,
// PERSISTED_QUERY_NOT_FOUND, ...): a request error the client fixes in what
// it sent, 400. (ErrorCode never yields such a code: an uncoded error is
// EINTERNAL.)
func HTTPStatus(code string) int {
	if s, ok := httpStatus[code]; ok {
		return s
	}
	return http.StatusBadRequest
}

// Error is the domain error: a machine-readable Code and a message that is
// safe to show to a client.
type Error struct {
	Code    string
	Message string
	// Problems lists every row-level problem of a rejected import or input,
	// when there is more than one thing to say.
	Problems []Problem
}

func (e *Error) Error() string {
	if len(e.Problems) == 0 || (len(e.Problems) == 1 && e.Problems[0].String() == e.Message) {
		return fmt.Sprintf("kolgraph: %s: %s", e.Code, e.Message)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "kolgraph: %s: %s", e.Code, e.Message)
	for i, p := range e.Problems {
		if i == 10 {
			fmt.Fprintf(&b, "; and %d more", len(e.Problems)-10)
			break
		}
		b.WriteString("; ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Errorf builds a *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// ErrorMessage returns the client-safe message of err: the *Error's message,
// or a generic text for internal errors so that driver messages never leak.
func ErrorMessage(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Message
	default:
		return "internal error"
	}
}

// Problem is one thing wrong with an input: where (file or sheet, 1-based
// line, column/field) and what.
type Problem struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
	}
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	if p.Field != "" {
		if b.Len() > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "field %q", p.Field)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Invalid returns an EINVALID error carrying problems, or nil when there are
// none.
func Invalid(problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	msg := problems[0].String()
	if len(problems) > 1 {
		msg = fmt.Sprintf("%d problems; first: %s", len(problems), msg)
	}
	return &Error{Code: EINVALID, Message: msg, Problems: problems}
}
