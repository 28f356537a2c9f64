// Package analytics holds the pure graph algorithms behind kolgraph's
// influence scores and access paths: PageRank, betweenness, eigenvector
// centrality, weighted degree, reach and strongest paths, computed over a
// compact adjacency snapshot (Graph). It does no I/O and no logging and
// imports only the standard library.
//
// # Direction
//
// An edge A->B with weight w in (0, 1] means "A sways B with strength w". The
// centralities reward the one who sways: PageRank and eigenvector centrality
// are computed on the reversed edges (B->A), so score flows from the swayed
// to the one who sways them, exactly as networkx
// pagerank(G.reverse(), weight="weight") and
// eigenvector_centrality(G.reverse(), weight="weight") do.
//
// # Lengths and ties
//
// Paths use the length -ln(w) of each edge, precomputed once per Graph, so a
// shortest path is a strongest path (largest product of weights) and its
// strength is exp(-length). Betweenness counts every shortest path, however
// many hops it takes (the pinned BETWEENNESS metric). Two lengths tie when
// they differ by at most TieRelative (1e-9) relative, as igraph compares
// them, so that 0.5*0.4 ties with 0.2 although their float lengths differ in
// the last bits (networkx compares exactly and misses such ties). Weight 1
// gives length 0; a cycle of such edges would give endless equally short
// walks, so inside one, and only there, fewer hops win (see Betweenness).
// Package paths searches strongest paths with its own tie rule.
//
// # Concurrency and determinism
//
// The long-running functions take a context.Context and return ctx.Err()
// once it is done; they use up to Workers goroutines (default GOMAXPROCS).
// Their results are bit-for-bit identical for every worker count: every sum
// is taken in an order fixed by the graph (fixed blocks of nodes, fixed lanes
// of sources), never by scheduling.
//
// # Errors and panics
//
// Bad input data (weights, self loops, duplicate edges, option values) is
// reported as an error wrapping ErrInvalidGraph or ErrInvalidOption; a power
// iteration that runs out of iterations returns its last vector with an error
// wrapping ErrNotConverged. Panics, prefixed "analytics: ", are reserved for
// programmer errors such as node indices out of range.
package analytics

import "errors"

var (
	// ErrInvalidGraph is wrapped by NewGraph's errors: a weight outside
	// (0, 1], a self loop, an index out of range or a duplicate edge.
	ErrInvalidGraph = errors.New("analytics: invalid graph")
	// ErrInvalidOption is wrapped when an option value is out of its range.
	ErrInvalidOption = errors.New("analytics: invalid option")
	// ErrNotConverged is wrapped when a power iteration did not reach its
	// tolerance within its iteration limit; the last iterate is returned
	// with it.
	ErrNotConverged = errors.New("analytics: power iteration did not converge")
)

// TieRelative is the relative tolerance within which Betweenness counts two
// path lengths as equal: a and b tie when |a-b| <= TieRelative*max(a,b), as
// the pinned definition says (igraph also compares relatively). A length 0
// ties only with 0.
const TieRelative = 1e-9
