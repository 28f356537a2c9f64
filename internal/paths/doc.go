// Package paths finds access paths: the strongest influence paths from the
// HCPs a user already knows to an HCP they want to reach, over the weighted
// INFLUENCES graph of package analytics. It is pure: no I/O, no logging, the
// standard library and internal/analytics only.
//
// # Strength and length
//
// The strength of a path is the product of its edge weights, times the
// strength of the user's tie to its first node (Query.SourceCost holds that
// tie as a length). The strongest path is the shortest under the length
// -ln(w) of each edge, and Path.Strength = exp(-Path.Length).
//
// # Order and ties
//
// Paths are ordered by
//
//  1. length, compared exactly in fixed point: each edge contributes
//     int64(g.Length(e) * 2^48) and a source int64(SourceCost * 2^48), so a
//     sum does not depend on the order it is taken in and equal sums are
//     equal (weight-1 edges add exactly 0);
//  2. fewer hops;
//  3. the node sequence, lexicographically from the source.
//
// This is a strict total order, so every answer is deterministic, and it is
// the order Dijkstra's algorithm and the spur searches below can honour
// exactly. The fixed-point unit, 2^-48 nats, is far below anything a weight
// expresses; the price of exactness is that two products equal in exact
// arithmetic but rounded apart in -ln (0.9*0.9 against 0.81) are ordered by
// their rounded lengths, a difference of about 1e-15 in strength. Package
// analytics instead treats lengths within 1e-9 as ties; that tolerance is not
// transitive, which Yen's algorithm cannot afford.
//
// # Algorithms
//
// KStrongest is Yen's k-shortest loopless paths in Lawler's form: every
// candidate stands for a subproblem (a fixed root prefix and the next nodes
// banned after it), the subproblems partition the paths not yet returned, so
// no candidate is found twice. Spur searches are A* over (node, hops,
// via-mask) states whose heuristic is an exact hop-bounded distance to the
// target, computed once per query by a reverse layered Bellman-Ford; it also
// prunes every node that cannot reach the target within the hops left. Spur
// searches are run lazily, only when their lower bound is the smallest in
// the candidate heap, and are cut off above the k-th best candidate.
//
// Via groups are handled on the product graph (node, set of satisfied
// groups). Its shortest walk may visit an original node twice (in different
// masks); such a walk is a lower bound, not an answer: when it is the
// smallest candidate its subproblem is split, Lawler-style, at every prefix
// up to the first repeated node, and the search goes on. Every answer is
// therefore a simple path and the answers are exact, but a via query whose
// strongest walks loop many times can take long: the context bounds it.
//
// Strongest is KStrongest with k = 1. StrongestEach runs one multi-source
// Dijkstra and reads off the best path to each of several targets, for the
// stages of a decision chain.
//
// All searches check their context every few hundred heap pops and return
// ctx.Err() once it is done. A Searcher keeps its buffers between queries;
// the package-level functions take one from a sync.Pool.
package paths

import "errors"

// ErrInvalidQuery is wrapped by the errors of queries that can never be
// answered as asked: K or MaxHops out of range, no sources, the target as
// the only source, node indices outside the graph, too many via groups, bad
// source costs or MinStrength. Callers map it to BAD_USER_INPUT. A valid
// query that has no path gets an empty result, not an error.
var ErrInvalidQuery = errors.New("paths: invalid query")

// Limits of a Query.
const (
	MaxK        = 20
	MaxHopLimit = 10
	MaxVia      = 4
	// MaxSourceCost bounds Query.SourceCost: -ln of the smallest positive
	// float64 is about 745, so every tie of strength in (0, 1] fits.
	MaxSourceCost = 1000
)

// lengthScale is the fixed-point unit of lengths: 2^-48 nats. An edge is at
// most -ln(5e-324) < 745 nats, so 10 edges and a source cost stay below
// 2^62.
const lengthScale = 0x1p48

// fixed converts a length in nats to fixed point (truncating).
func fixed(l float64) int64 { return int64(l * lengthScale) }
