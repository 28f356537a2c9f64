package model

import (
	"github.com/99designs/gqlgen/graphql"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// MarshalID and UnmarshalID implement the ID scalar (gqlgen.yml binds ID
// here). An id is the data's own stable id, and no record has the empty
// one, so an empty string is refused wherever an ID is read: an argument,
// an input field, a list element, a variable. It is never taken to mean "not
// given" (omit the argument or send null for that). The error is
// BAD_USER_INPUT and names no schema element beyond the argument's path.
func MarshalID(s string) graphql.Marshaler { return graphql.MarshalID(s) }

// UnmarshalID is graphql.UnmarshalID refusing the empty string.
func UnmarshalID(v any) (string, error) {
	s, err := graphql.UnmarshalID(v)
	if err != nil {
		return "", kolgraph.Errorf(kolgraph.EINVALID, "an id must be a string: %v", err)
	}
	if s == "" {
		return "", kolgraph.Errorf(kolgraph.EINVALID, "an empty string is not an id; omit the argument instead")
	}
	return s, nil
}
