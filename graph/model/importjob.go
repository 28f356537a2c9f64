package model

import "github.com/kolgraph/kolgraph/internal/kolgraph"

// ImportJobError is why an import job failed; its problems are listed
// by a resolver (the first `first`).
type ImportJobError struct {
	Code     string
	Message  string
	Problems []kolgraph.Problem
	// ProblemCount is len(Problems).
	ProblemCount int
}
