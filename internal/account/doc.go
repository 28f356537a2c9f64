// Package account turns a scope's departments, HCPs and influence values into
// what a key-account manager acts on: prescribing potential (monthly
// patients), the A/B/C/D account matrix with its playbooks and visit
// cadences, a heat map, a Pareto view, speaker candidates and a tiering
// report (CSV, HTML, Markdown).
//
// It is pure domain logic: it imports the standard library and
// internal/kolgraph only, does no I/O except writing reports to an
// io.Writer, and never logs. Influence values are computed elsewhere
// (internal/scoring) and passed in, so this package does not care which
// influence metric the caller chose.
//
// # Flow
//
//	accts, err := account.Evaluate(cfg, scope, account.LevelHCP) // potential + influence per account
//	m, err := account.Classify(cfg.Matrix, accts)                // A/B/C/D
//	h, err := account.BuildHeatMap(cfg.HeatMap, accts)
//	p, err := account.BuildPareto(cfg.ParetoFraction, accts, account.BasisPotential)
//	r := account.NewReport(m)                                    // then WriteCSV / WriteHTML / WriteMarkdown
//	s, err := account.SpeakerCandidates(cfg.Speakers, account.SpeakerInput{...})
//
// # Unknown is not zero
//
// A department whose data lack an input the potential formula needs has
// potential nil (unknown) with the missing fields named; it and its HCPs are
// reported as unclassified by Classify, never put in D. Zero is reserved for
// what is known to be zero: a product not indicated for the department's
// specialty, a non-prescribing department (the pharmacy), an HCP who does not
// prescribe (nurse).
//
// # Compliance rule
//
// SpeakerSelectionRule: prescribing potential is never an input to choosing
// speakers or advisors. SpeakerCandidates takes HCP records, influence
// values and specialties only; no type it accepts can carry a potential, and
// a test checks both that structurally and by varying potentials at random.
package account

// SpeakerSelectionRule is the compliance rule behind SpeakerCandidates, worded
// for API descriptions and reports.
const SpeakerSelectionRule = "Prescribing potential is never an input to choosing speakers or advisors: " +
	"candidates are ranked on influence and expertise only (KOL level, KOL evidence, title, specialty). " +
	"Segment membership, sales and potential play no part."
