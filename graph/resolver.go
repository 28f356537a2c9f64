// Package graph is the GraphQL layer: gqlgen's generated executor, and thin
// resolvers that turn GraphQL arguments into calls on the domain packages.
package graph

//go:generate go run github.com/99designs/gqlgen generate

import (
	"context"

	"github.com/kolgraph/kolgraph/internal/analyses"
	"github.com/kolgraph/kolgraph/internal/history"
	"github.com/kolgraph/kolgraph/internal/importer"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/settings"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// Resolver is the one place dependencies are injected into the GraphQL layer.
type Resolver struct {
	// Views choose each operation's store and analytics from the caller's
	// principal (access control, see access.go). Required: an operation
	// without a principal is refused.
	Views *analyses.Views
	// Audit records the contact data each operation hands out, whatever
	// the caller may see (the unscoped store).
	Audit AuditAppender
	// Writer makes every write (mutations, imports) with its audit entries;
	// an operation writes through its own store with Writer.On.
	Writer *writer.Service
	// Importer reads uploaded region files and writes them through Writer.
	Importer *importer.Service
	// Jobs runs the imports startImport starts (nil: none; startImport is
	// UNAVAILABLE).
	Jobs *importer.Jobs
	// Settings is the domain settings document: read by everyone,
	// changed by admins.
	Settings *settings.Service
	// History answers the influence history (nil: the service records
	// none, and its queries are UNAVAILABLE).
	History *history.Service

	plans planLocks // serialise each plan's read-modify-write (plans.go)
}

// AuditAppender appends entries to the audit log (kolgraph.Store does).
type AuditAppender interface {
	AppendAudit(ctx context.Context, entries []kolgraph.AuditEntry) error
}
