// Package whatif answers "what happens if this KOL leaves?" (issue 14): a
// hypothetical change of the graph (HCPs who leave, INFLUENCES ties removed,
// added or reweighted) is applied to a copy of the current snapshot
// (snapshot.Variant, which shares what the change does not touch and is
// never installed or written), and the scope's rankings and its hospitals'
// decision chains are compared before and after.
//
// # Movers
//
// For INFLUENCE and one chosen metric, the scope's ranking is taken on the
// base snapshot (the live one, through the scoring service's cache, as an
// influenceRanking query would) and on the variant (computed aside,
// scoring.Service.RankingUncached, so the live cache is neither read for
// nor filled with a hypothetical graph). An HCP of the scope who is in
// both rankings moves when their value changes by more than 1e-12
// relative, or their rank changes: a gainer when the value rises (or,
// unchanged, the rank improves), a loser otherwise. Gainers and losers are
// sorted by the size of the change, largest first, then by HCP id, and cut
// to Request.Movers (default 10, at most 100); the totals are kept. The
// removed HCPs of the scope are listed apart with their value and rank
// before: they are not movers.
//
// # Decision chains
//
// For each hospital of the scope (a hospital scope: itself; a department:
// its hospital; a territory: its hospitals; no scope: every hospital), the
// decision chain for the product (access.Service.DecisionChain, see its
// rules) is built on the base and on the variant, with paths from the
// calling user's contacts (viewer.UserID; without a caller there are no
// paths, and only the people are compared). A stage is reported when it
// loses people (the removed HCPs who were at it), when it is left empty, or
// when its strongest path is lost, found, weakened or strengthened (by more
// than paths.TieTolerance, relative). At most Options.MaxHospitals
// hospitals are compared (default 20): those the change touches first (a
// removed HCP works there or sits on one of its committees, or an edited
// tie has an end there), then by id; the rest are counted in
// Result.OmittedHospitals.
//
// The chains' path ids are signed with a key of the what-if service's own,
// drawn at New: a hypothetical path is not a citation, and its id resolves
// nowhere.
//
// # Cost
//
// The variant costs one pass over the graph. Rankings of the variant are
// computed on one goroutine (see RankingUncached), and a hospital's ranking
// is carried over from the base when the change does not touch what it
// reads, so a change within one hospital costs that hospital's rankings,
// the scope's two rankings and two path searches per compared hospital.
// At most Options.Concurrent what-ifs run at once (default 1, one core);
// the others wait for a slot within their deadline. Run stops when ctx
// ends (the request's deadline).
package whatif
