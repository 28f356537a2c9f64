package kolgraph

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes. They are what clients see in a GraphQL error's
// extensions.code; anything that is not a *Error is reported as EINTERNAL.
const (
	ENOTFOUND        = "NOT_FOUND"
	EINVALID         = "BAD_USER_INPUT"
	ECONFLICT        = "CONFLICT"
	EFORBIDDEN       = "FORBIDDEN"
	EUNAUTHENTICATED = "UNAUTHENTICATED"
	EUNAVAILABLE     = "UNAVAILABLE"
	EINTERNAL        = "INTERNAL"
)

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
	if len(e.Problems) == 0 {
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
