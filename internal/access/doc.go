// Package access answers the account manager's question "through whom can I
// reach the people who decide, and how strong is that route?" on the
// current analytics snapshot: strongest influence paths with constraints,
// the decision chain of a hospital for a product, and citable paths that
// can be fetched again by id.
//
// It does no I/O: everything comes from the snapshot (one consistent graph
// version) and from the influence rankings of package scoring. The caller's
// identity comes from the request context (package viewer). Searches run
// package paths and are bounded by the request context.
//
// # Strongest paths
//
// A path's strength is the product of its INFLUENCES weights; a path that
// starts from the calling user's contacts also multiplies in the strength
// of the user's KNOWS tie to its first HCP (the search adds -ln(strength)
// as the source's starting cost). Paths are ordered strongest first;
// strengths within paths.TieTolerance (1e-12, relative) of the strongest
// path not yet listed count as equal to it, and equal ones come by fewer
// hops, then by the HCP ids along the path (package paths). A path listed
// after one it equals reports at most that one's strength (they differ by
// rounding only; its citation, fetched by id, keeps its own product), so
// strengths never rise along the list. k is 1..20 (default 3), maxHops 1..10
// (default 6). Via positions are held at the target's hospital: via
// PHARMACY_DIRECTOR means the pharmacy director of the hospital the target
// works in, and every path must contain one HCP of each via position (the
// source or the target counts).
//
// # Decision chain
//
// The chain of a hospital for a product is derived from the hospital's data,
// stage by stage, in this order:
//
//  1. PROPOSE: the department head proposes. The HCPs with position
//     department_head in each clinical department whose specialty is one of
//     the product's specialties (every clinical department without a
//     product; the pharmacy is not clinical). A matching department without
//     a department_head is represented by its deputy_head(s).
//  2. PHARMACY_REVIEW: the pharmacy department reviews. The hospital's
//     pharmacy_director(s); without one, the department_head of the
//     hospital's pharmacy department (specialty "pharmacy").
//  3. DRG_REVIEW, only when the hospital has a committee of kind drg: it
//     assesses the cost impact under DRG/DIP payment. Its members.
//  4. PT_DECISION: the pharmacy & therapeutics committee decides. The
//     members of the hospital's committees of kind pt.
//  5. PROCUREMENT, only when the hospital has a committee of kind
//     procurement: it selects the product for purchase. Its members.
//  6. SIGN_OFF: the president signs. The hospital's president(s); without
//     one, its vice_president(s).
//
// So a hospital's own data override the default four-stage chain: its
// committees (by kind) add the DRG and procurement stages, a committee's
// member roles order its stage (chair, then secretary, then members, each
// by influence), and missing positions fall back as stated. A stage the data
// cannot fill is kept, empty, with a note. People of a stage carry their
// INFLUENCE score within the hospital and the strongest path (up to 6 hops)
// from the calling user's contacts; the stage's path is the first of
// theirs in the order of paths above.
//
// # Citable paths
//
// A path's id encodes the graph version, the user whose contact it starts
// from (if any), the node sequence of that version's snapshot, and a 16-byte
// tag: HMAC-SHA256 under the service's key (Options.IDKey) of the rest of
// the id and of everything the path shows (HCP ids, weights, kinds,
// evidence, the contact's strength), so no one without the key can make or
// alter an id. The same hops on the same version always get the same id
// under one key. Path(id) answers from a bounded store of paths issued by
// this process (Options.StoredPaths, the most recently issued or resolved
// ones survive), and otherwise re-derives the path from the current
// snapshot when its version is the id's, comparing tags in constant time.
// So an id resolves, on every instance with the key and after restarts,
// for as long as the graph is unchanged, and after a change for as long as
// the issuing process keeps it among its stored paths; past both, with
// another key, altered, or in the retired unsigned format, it resolves to
// nothing (nil, no error).
//
// A path that starts from a user's contacts shows that user's KNOWS tie,
// so its id is bound to the user: Path answers FORBIDDEN to any caller but
// that user (viewer.UserID) and admins (auth.ManageUsers), before looking
// the id up.
package access
