// Package graph is the GraphQL layer: gqlgen's generated executor, and thin
// resolvers that turn GraphQL arguments into calls on the domain packages.
package graph

//go:generate go run github.com/99designs/gqlgen generate

import (
	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/importer"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scope"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/tiering"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// Resolver is the one place dependencies are injected into the GraphQL layer.
type Resolver struct {
	Store     kolgraph.Store
	Snapshots *snapshot.Manager
	Scores    *scoring.Service
	Access    *access.Service
	Tiering   *tiering.Service
	// Writer makes every write (mutations, imports) with its audit entries.
	Writer *writer.Service
	// Importer reads uploaded region files and writes them through Writer.
	Importer *importer.Service
	// Views choose each operation's store and analytics from the caller's
	// principal (access control, see access.go); nil: none, the services
	// above are used as they are (only for tests and benchmarks of the
	// GraphQL layer itself).
	Views *scope.Views
}
