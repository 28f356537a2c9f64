package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Domain errors the driver's errors are translated into. Their messages are
// what a client may see; the driver's own message stays in the wrapped
// chain for the log.
var (
	errUnavailable = &kolgraph.Error{Code: kolgraph.EUNAVAILABLE, Message: "the graph database is unavailable"}
	errTimeout     = &kolgraph.Error{Code: kolgraph.EUNAVAILABLE, Message: "the graph database did not answer in time"}
	errConflict    = &kolgraph.Error{Code: kolgraph.ECONFLICT, Message: "the change conflicts with a concurrent one; retry it"}
	errClosed      = &kolgraph.Error{Code: kolgraph.EUNAVAILABLE, Message: "the Neo4j store is closed"}
)

// wrap translates err, returned by the driver while doing op, into a domain
// error at the storage boundary:
//
//   - domain errors (validation, conflicts found by Apply) pass through;
//   - the caller's own cancellation passes through as the context error;
//   - connectivity, pool, routing and retry-exhaustion errors, our own
//     per-call deadline, and Neo4j's transient and security errors are
//     EUNAVAILABLE: the store cannot serve now, the request is fine;
//   - uniqueness violations (a concurrent writer created the same key) are
//     ECONFLICT;
//   - anything else (Cypher errors, decoding) is internal.
//
// parent is the caller's context: a deadline that expired there is the
// caller's, one that expired only in the derived context is ours.
func wrap(parent context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	var ke *kolgraph.Error
	if errors.As(err, &ke) {
		return fmt.Errorf("neo4jstore: %s: %w", op, err)
	}
	if pe := parent.Err(); pe != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, pe)) {
		return fmt.Errorf("neo4jstore: %s: %w", op, pe)
	}
	if d := classify(err); d != nil {
		return fmt.Errorf("neo4jstore: %s: %w: %w", op, d, err)
	}
	return fmt.Errorf("neo4jstore: %s: %w", op, err)
}

// classify returns the domain error for a driver error, nil for internal.
func classify(err error) *kolgraph.Error {
	if errors.Is(err, context.DeadlineExceeded) {
		return errTimeout
	}
	var (
		ce  *neo4j.ConnectivityError
		tel *neo4j.TransactionExecutionLimit
		ue  *neo4j.UsageError
		ne  *neo4j.Neo4jError
		nt  net.Error
		ae  *neo4j.InvalidAuthenticationError
		te  *neo4j.TokenExpiredError
	)
	switch {
	case errors.As(err, &ce), errors.As(err, &tel), errors.As(err, &nt), errors.As(err, &ae), errors.As(err, &te),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return errUnavailable
	case errors.As(err, &ue):
		// The driver reports a closed driver or pool as a usage error.
		if strings.Contains(ue.Message, "closed") {
			return errClosed
		}
		return nil
	case errors.As(err, &ne):
		return classifyNeo4j(ne)
	}
	return nil
}

func classifyNeo4j(e *neo4j.Neo4jError) *kolgraph.Error {
	switch {
	case e.Code == "Neo.ClientError.Schema.ConstraintValidationFailed",
		// NornicDB checks uniqueness at commit and reports it as a failed
		// commit whose message names the violation.
		e.Code == "Neo.ClientError.Transaction.TransactionCommitFailed" && strings.Contains(strings.ToLower(e.Msg), "constraint violation"):
		return errConflict
	case strings.HasPrefix(e.Code, "Neo.TransientError."),
		strings.HasPrefix(e.Code, "Neo.ClientError.Security."),
		strings.HasPrefix(e.Code, "Neo.ClientError.Cluster."),
		e.Code == "Neo.DatabaseError.General.DatabaseUnavailable":
		return errUnavailable
	}
	return nil
}

// noRetry hides an error from the driver's retry logic. Scan wraps errors in
// it once records have been handed to the visitor: a retried transaction
// would visit them again.
type noRetry struct{ err error }

func (e noRetry) Error() string { return e.err.Error() }

// unwrapNoRetry returns the error inside a noRetry, or err itself.
func unwrapNoRetry(err error) error {
	var nr noRetry
	if errors.As(err, &nr) {
		return nr.err
	}
	return err
}
