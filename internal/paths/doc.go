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
// Paths come in the order DESIGN.md pins: strength descending, strengths
// within TieTolerance (1e-12) relative counting as equal; among equals,
// fewer hops, then the node sequence, lexicographically from the source
// (node indices; a snapshot numbers its HCPs in id order, so this is the
// order of the HCP ids along the path).
//
// Lengths are compared in fixed point: each edge contributes
// int64(g.Length(e) * 2^48) and a source int64(SourceCost * 2^48), so a sum
// does not depend on the order it is taken in (weight-1 edges add exactly
// 0). Products equal in exact arithmetic round apart in -ln by a few units
// (-ln 0.2 is one unit longer than -ln 0.5 - ln 0.4, though 0.5 x 0.4 is
// 0.2); the tolerance, 281 units (-ln(1 - 1e-12) nats), absorbs that.
//
// "Within the tolerance" is not transitive, so the equal ones are taken as
// classes: the strongest path left (the least length, the class's anchor)
// and every path within the tolerance of it form the next class, ordered by
// hops and nodes; then the strongest path after them, and so on. Classes
// come in order of length and each spans at most the tolerance, so no path
// is stronger than one before it by more than the tolerance; within a
// class a later path's Strength may exceed an earlier one's by rounding
// (below 1e-12 relative).
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
// the candidate heap, and are cut off above the k-th best candidate (plus
// the tolerance).
//
// Ties are honoured in the searches themselves. A state is dropped only
// when another of its node dominates it: a superset of its via groups, no
// more hops, no more length, and fewer hops, or a length shorter by more
// than the tolerance, or (the lengths tie) a smaller walk. So a spur search
// that goes on for the tolerance past its first (least) walk to the target
// finds every walk of its subproblem that could come first in a class, and
// the Lawler loop runs class by class: it finds the anchor as Yen's
// algorithm finds the next path, resolves every candidate whose lower bound
// lies within the anchor's class, and returns the class's paths by hops and
// nodes, branching the subproblem of each as it goes.
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
// Dijkstra and reads off the first path of the first class to each of
// several targets, for the stages of a decision chain: it settles states
// until it has passed each target's least length by the tolerance, then
// takes the target's settled walk of the fewest hops and smallest nodes
// within it.
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

// TieTolerance is the pinned tie rule's relative tolerance on strengths:
// paths whose strengths differ by at most TieTolerance times the larger
// count as equally strong.
const TieTolerance = 1e-12

// tieFixed is TieTolerance as a fixed-point length difference: strengths
// s >= t tie when s - t <= 1e-12 s, i.e. when their lengths differ by at
// most -ln(1 - 1e-12) = 1.0000000000005e-12 nats = 281.47 units of 2^-48.
const tieFixed = 281
