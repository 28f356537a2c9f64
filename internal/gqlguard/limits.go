// Package gqlguard holds the gqlgen extensions that bound what one GraphQL
// request may ask for: a cost (complexity) limit with per-field costs, a
// depth limit, alias and field-count limits, and the persisted-queries-only
// mode. They run after parsing and validation and before any resolver, so a
// rejected operation costs no store call.
package gqlguard

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Limits bound one operation; a zero field means no limit of that kind.
type Limits struct {
	// MaxComplexity bounds the operation's cost (see Cost).
	MaxComplexity int
	// MaxDepth bounds how deeply fields nest (the root fields are depth 1).
	MaxDepth int
	// MaxAliases bounds how many fields carry an alias other than their
	// name (alias bombs ask one expensive field hundreds of times).
	MaxAliases int
	// MaxFields bounds the fields of the operation with every fragment
	// spread expanded where it is used.
	MaxFields int
}

// DefaultLimits fit every query the README and the front ends use with room
// to spare: the deepest (an HCP's influence ties' HCPs' hospitals inside a
// connection) is 8 levels, the costliest the account matrix with 500
// members per cell (about 140,000).
func DefaultLimits() Limits {
	return Limits{MaxComplexity: 250_000, MaxDepth: 12, MaxAliases: 30, MaxFields: 500}
}

// ListFanout is the length charged for a list of objects that Costs does
// not name and that takes no `first`. Every such field of the schema is
// named in Costs (TestEveryListIsCosted), so this is only a fallback.
const ListFanout = 10

// UnknownListLength is the length charged for a list whose length depends
// on the data when no Sizes can tell it (the service is starting): the
// largest page, as long as any list the API pages.
const UnknownListLength = 500

// DefaultFirst is the `first` of a connection that declares no default.
const DefaultFirst = 20

// Sizes tells the cost walk how long the data's lists can be, so that a
// list is charged for what it can return rather than for a guess.
type Sizes interface {
	// ListMax returns the most items the list field ("Department.hcps")
	// can hold on the current data; ok is false when it does not know.
	ListMax(field string) (n int, ok bool)
	// ScopeAccounts returns how many accounts of level ("HCP",
	// "DEPARTMENT", "HOSPITAL") a scope argument covers, the argument as
	// the operation gives it ({hospital: ...} as a map); ok is false when
	// it does not know.
	ScopeAccounts(scope any, level string) (n int, ok bool)
}

// Field is what a field's cost may depend on: its coerced arguments, the
// field it is selected in, and the sizes of the data.
type Field struct {
	// Name is "Type.field".
	Name  string
	Args  map[string]any
	Up    *Field
	Sizes Sizes
}

// Arg returns the argument name of the field or, failing that, of the
// nearest field it is selected in that has one.
func (f *Field) Arg(name string) (any, bool) {
	for x := f; x != nil; x = x.Up {
		if v, ok := x.Args[name]; ok && v != nil {
			return v, true
		}
	}
	return nil, false
}

// Int is Arg as an int, def when absent.
func (f *Field) Int(name string, def int) int {
	v, _ := f.Arg(name)
	return intValue(v, def)
}

// sized is the length of a data-dependent list field.
func (f *Field) sized() int {
	if f.Sizes != nil {
		if n, ok := f.Sizes.ListMax(f.Name); ok {
			return n
		}
	}
	return UnknownListLength
}

// scopeAccounts is how many accounts the enclosing accountMatrix's scope
// holds at level ("": the matrix's level).
func (f *Field) scopeAccounts(at string) int {
	scope, _ := f.Arg("scope")
	var level any = at
	if at == "" {
		var ok bool
		if level, ok = f.Arg("level"); !ok {
			level = "HCP" // accountMatrix's default level
		}
	}
	if l, isStr := level.(string); isStr && f.Sizes != nil {
		if n, ok := f.Sizes.ScopeAccounts(scope, l); ok {
			return n
		}
	}
	return UnknownListLength
}

// Cost gives a field's own cost and the multiplier applied to the cost of
// its selections.
type Cost func(f *Field) (self, mult int)

func fixed(n int) Cost            { return func(*Field) (int, int) { return 1, n } }
func sized(f *Field) (int, int)   { return 1, f.sized() }
func byScope(f *Field) (int, int) { return 1, f.scopeAccounts("") }

// byScopeDepartments charges the departments of the enclosing
// accountMatrix's scope, whatever its level.
func byScopeDepartments(f *Field) (int, int) { return 1, f.scopeAccounts("DEPARTMENT") }

func intValue(v any, def int) int {
	switch v := v.(type) {
	case int:
		return v
	case int64:
		return int(v)
	case float64:
		return int(v)
	}
	return def
}

// Lengths of the API's fixed lists (tests check them against the schema
// and the packages that fill them).
const (
	// MaxHops is the most hops a path has (paths.MaxHopLimit).
	MaxHops = 10
	// StageKinds is the number of DecisionStageKind values.
	StageKinds = 6
	// RecordKinds is the number of RecordKind values.
	RecordKinds = 18
	// ImportFiles is the most files of an import job: one per CSV file of
	// the format (startImport refuses more).
	ImportFiles = 13
	// ScoreComponents is the number of terms of the INFLUENCE blend.
	ScoreComponents = 7
	// TopEdges is how many edges an explanation lists each way
	// (scoring.TopEdges).
	TopEdges = 5
	// MaxParameters bounds a result's parameter list.
	MaxParameters = 20
	// WhatIfHospitals is the most hospitals a what-if compares
	// (whatif.DefaultMaxHospitals), WhatIfChanges the most changes of one
	// kind (snapshot.MaxChanges), WhatIfPlans the most plans whose
	// citations it checks.
	WhatIfHospitals = 20
	WhatIfChanges   = 200
	WhatIfPlans     = 100
)

// Costs are the fields whose cost is not the general rule, which is: a
// field costs 1; a field with a `first` argument multiplies its selections
// by first (connections, rankings, member lists); a connection's edges are
// counted by the connection's first. Heavy analytics (rankings by a metric
// of HeavyMetrics, the account matrix and the speaker candidates, which
// rank the scope by INFLUENCE) cost Heavy of their scope on top. Every other list of objects is named
// here with the most items it can return: a length fixed by the API, the
// longest such list in the data (Sizes), or the size of the enclosing
// scope. Paths are searches: k paths of up to maxHops hops cost k x
// maxHops, and their selections repeat k times. Lists of scalars (a KOL's
// evidence, a product's indications) are part of their record and cost 1.
var Costs = map[string]Cost{
	"Query.strongestPaths": func(f *Field) (int, int) {
		k, hops := f.Int("k", 3), f.Int("maxHops", 6)
		return k * hops, k
	},
	// A chain: its stages, each with its strongest paths from the caller's
	// contacts (3 of up to 6 hops).
	"Query.decisionChain":     func(*Field) (int, int) { return StageKinds * 3 * 6, 1 },
	"Query.influencePath":     func(*Field) (int, int) { return MaxHops, 1 },
	"Query.accountMatrix":     func(f *Field) (int, int) { return 50 + Heavy(f.scopeAccounts("HCP")), 1 },
	"Query.speakerCandidates": func(f *Field) (int, int) { return 50 + Heavy(f.scopeAccounts("HCP")), 1 },
	"Query.influenceRanking": func(f *Field) (int, int) {
		self := 20
		if HeavyMetric(f.Args["metric"]) {
			self += Heavy(f.scopeAccounts("HCP"))
		}
		return self, intValue(f.Args["first"], DefaultFirst)
	},
	// A network is a breadth-first search of up to first HCPs (hops
	// levels) or a scope's INFLUENCE ranking (heavy); its nodes and edges
	// are charged by first and firstEdges.
	"Query.neighborhood": func(f *Field) (int, int) { return 10 * f.Int("hops", 1), 1 },
	"Query.scopeGraph":   func(f *Field) (int, int) { return 50 + Heavy(f.scopeAccounts("HCP")), 1 },
	// A what-if ranks the scope twice (before, cached, and after) and
	// compares decision chains; its movers are charged by movers.
	"Query.whatIf":         func(f *Field) (int, int) { return 50 + 2*Heavy(f.scopeAccounts("HCP")), 1 },
	"WhatIf.movers":        fixed(2),
	"WhatIfMovers.gainers": func(f *Field) (int, int) { return 1, f.Int("movers", 10) },
	"WhatIfMovers.losers":  func(f *Field) (int, int) { return 1, f.Int("movers", 10) },
	"WhatIfMovers.removed": fixed(WhatIfChanges),
	"WhatIf.stages":        fixed(WhatIfHospitals * StageKinds),
	"WhatIf.hospitals":     fixed(WhatIfHospitals),
	"WhatIfStage.lost":     fixed(WhatIfChanges),
	"WhatIf.citations":     fixed(WhatIfPlans * kolgraph.MaxPlanCitations),
	// The influence history: an HCP's last points, a scope's first movers
	// with their latest changes (history.MaxExplained).
	"HCP.influenceHistory":   func(f *Field) (int, int) { return 5, f.Int("last", 100) },
	"RankingChanges.movers":  func(f *Field) (int, int) { return 1, f.Int("first", DefaultFirst) },
	"Query.rankingChanges":   func(*Field) (int, int) { return 20, 1 },
	"RankingMover.changes":   fixed(5),
	"InfluenceNetwork.nodes": func(f *Field) (int, int) { return 1, f.Int("first", DefaultFirst) },
	"InfluenceNetwork.edges": func(f *Field) (int, int) { return 1, f.Int("firstEdges", DefaultFirst) },
	"Query.products":         sized,
	"Query.territories":      sized,

	"Hospital.departments":            sized,
	"Hospital.committees":             sized,
	"Hospital.listings":               sized,
	"Department.hcps":                 sized,
	"Department.indicationShares":     sized,
	"HCP.committees":                  sized,
	"Committee.members":               sized,
	"DecisionStage.people":            sized,
	"DecisionChain.stages":            fixed(StageKinds),
	"InfluencePath.hops":              func(f *Field) (int, int) { return 1, f.Int("maxHops", MaxHops) },
	"AccountMatrix.cells":             fixed(4),
	"HeatMap.cells":                   byScope,
	"AccountMatrix.atRiskDepartments": byScopeDepartments,
	"Stakeholder.committees":          sized,
	"ParetoView.leaders":              byScope,
	"SpeakerCandidates.candidates": func(f *Field) (int, int) {
		return 1, f.Int("first", DefaultFirst)
	},
	"InfluenceScore.components":    fixed(ScoreComponents),
	"InfluenceScore.topOutgoing":   fixed(TopEdges),
	"InfluenceScore.topIncoming":   fixed(TopEdges),
	"InfluenceScore.parameters":    fixed(MaxParameters),
	"RankingConnection.parameters": fixed(MaxParameters),
	"DeletePayload.counts":         fixed(RecordKinds),
	"ImportResult.counts":          fixed(RecordKinds),
	"ImportJob.files":              fixed(ImportFiles),
	"ImportTemplate.csv":           fixed(RecordKinds),

	// An account plan's lists are bounded by its validation (kolgraph's
	// MaxPlan* and MaxPathHops); a citation's health searches for a
	// replacement path.
	"AccountPlan.goals":        fixed(kolgraph.MaxPlanYears),
	"AccountPlan.objectives":   fixed(kolgraph.MaxPlanObjectives),
	"AccountPlan.stakeholders": fixed(kolgraph.MaxPlanStakeholders),
	"AccountPlan.citations":    fixed(kolgraph.MaxPlanCitations),
	"Citation.nodes":           fixed(kolgraph.MaxPathHops + 1),
	"Citation.hops":            fixed(kolgraph.MaxPathHops),
	"Citation.health":          func(*Field) (int, int) { return MaxHops, 1 },
	"CitationHealth.changed":   fixed(kolgraph.MaxPathHops + 1),

	// Prescription facts are listed up to first (graph.maxFactsListed).
	"HCP.prescriptions":          func(f *Field) (int, int) { return 1, f.Int("first", 60) },
	"Department.prescriptions":   func(f *Field) (int, int) { return 1, f.Int("first", 60) },
	"PrescriptionsPayload.facts": fixed(1000),
	// A call plan tiers its scope as the account matrix does; its visits
	// are a few per account of the scope, its workloads and adherence
	// groups one per owner (a user) or segment.
	"Query.callPlan":             func(f *Field) (int, int) { return 50 + Heavy(f.scopeAccounts("HCP")), 1 },
	"CallPlan.visits":            func(f *Field) (int, int) { return 1, 3 * f.scopeAccounts("HCP") },
	"CallPlan.workloads":         sized,
	"CadenceAdherence.bySegment": fixed(4),
	"CadenceAdherence.byKam":     sized,
	// An activity's lists are bounded by its validation; its ROI and
	// flags evaluate the year's activities of the caller's territories.
	"Activity.speakers":   fixed(kolgraph.MaxActivitySpeakers),
	"Activity.attendees":  fixed(kolgraph.MaxActivityAttendees),
	"Activity.flags":      fixed(5),
	"ComplianceFlag.hcps": fixed(kolgraph.MaxActivitySpeakers + kolgraph.MaxActivityAttendees),
	"Query.activities":    func(f *Field) (int, int) { return 20, intValue(f.Args["first"], DefaultFirst) },
	// An account's trends are the fixed trend windows (3, 6, 12 months).
	"ActualSales.trends": fixed(len(account.TrendWindows)),
}

// HeavyCost is the cost of a heavy analytics result per size class of its
// scope (see Heavy).
const HeavyCost = 1000

// Heavy is the cost of a heavy analytics result over a scope of n HCPs:
// HeavyCost per started thousand HCPs. Betweenness and reach are one
// search per HCP of the scope (O(n m)); the size class keeps a whole
// region's ranking dearer than a hospital's without making an
// operation's cost depend on the cache (a cached result costs the same).
func Heavy(n int) int { return HeavyCost * max(1, (n+999)/1000) }

// HeavyMetrics are the ranking metrics whose computation is heavy: one
// shortest-path search per HCP of the scope (BETWEENNESS, REACH, and
// INFLUENCE, which blends them) or a power iteration that may need many
// rounds (EIGENVECTOR). PAGERANK and DEGREE are light.
var HeavyMetrics = []string{"INFLUENCE", "BETWEENNESS", "REACH", "EIGENVECTOR"}

// HeavyMetric reports whether a ranking's metric argument (absent: the
// default INFLUENCE) is heavy.
func HeavyMetric(metric any) bool {
	m, ok := metric.(string)
	if !ok || m == "" {
		m = "INFLUENCE"
	}
	return slices.Contains(HeavyMetrics, m)
}

// Limit is the gqlgen extension enforcing Limits.
type Limit struct {
	Limits Limits
	// Sizes, when set, tells the lengths of the data's lists for the
	// operation about to run; nil charges UnknownListLength for them.
	Sizes func(ctx context.Context) Sizes
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = Limit{}

// ExtensionName implements graphql.HandlerExtension.
func (Limit) ExtensionName() string { return "QueryLimits" }

// Validate implements graphql.HandlerExtension.
func (Limit) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext measures the operation and refuses it, with
// BAD_USER_INPUT naming the limit, when it is over one.
func (l Limit) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	var sizes Sizes
	if l.Sizes != nil {
		sizes = l.Sizes(ctx)
	}
	m := MeasureSized(oc.Operation.SelectionSet, oc.Variables, l.Limits, sizes)
	for _, c := range []struct {
		name      string
		got, max  int
		truncated bool
	}{
		{"depth", m.Depth, l.Limits.MaxDepth, false},
		{"aliases", m.Aliases, l.Limits.MaxAliases, false},
		{"fields", m.Fields, l.Limits.MaxFields, m.Truncated},
		{"complexity", m.Complexity, l.Limits.MaxComplexity, m.Truncated},
	} {
		if c.max > 0 && (c.got > c.max || c.truncated) {
			msg := fmt.Sprintf("the operation's %s is %d; at most %d is allowed", c.name, c.got, c.max)
			if c.truncated {
				msg = fmt.Sprintf("the operation has more than %d fields (fragments expanded)", l.Limits.MaxFields)
			}
			return &gqlerror.Error{Message: msg, Extensions: map[string]any{
				"code": "BAD_USER_INPUT", "limit": c.name, "max": c.max}}
		}
	}
	return nil
}

// Measures are what MeasureSized found.
type Measures struct {
	Complexity, Depth, Aliases, Fields int
	// Truncated: the walk stopped at MaxFields (fragments can multiply a
	// small document into millions of fields); the other numbers are then
	// lower bounds.
	Truncated bool
}

// MeasureSized walks a selection set with fragments expanded where they are
// spread, with the lengths of the data's lists known (sizes may be nil). It
// stops after lim.MaxFields+1 fields (if set), so its cost is bounded
// whatever the document.
func MeasureSized(set ast.SelectionSet, vars map[string]any, lim Limits, sizes Sizes) Measures {
	w := &walker{vars: vars, maxFields: lim.MaxFields, sizes: sizes}
	m := Measures{}
	m.Complexity = w.set(set, nil, 1)
	m.Depth, m.Aliases, m.Fields, m.Truncated = w.depth, w.aliases, w.fields, w.stop
	return m
}

type walker struct {
	vars                   map[string]any
	sizes                  Sizes
	maxFields              int
	depth, aliases, fields int
	stop                   bool
}

const costCap = 1 << 40 // keeps products of huge `first`s from overflowing

func (w *walker) set(set ast.SelectionSet, up *Field, depth int) int {
	total := 0
	for _, sel := range set {
		if w.stop {
			return total
		}
		switch s := sel.(type) {
		case *ast.Field:
			total = min(total+w.field(s, up, depth), costCap)
		case *ast.InlineFragment:
			total = min(total+w.set(s.SelectionSet, up, depth), costCap)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				total = min(total+w.set(s.Definition.SelectionSet, up, depth), costCap)
			}
		}
	}
	return total
}

func (w *walker) field(f *ast.Field, up *Field, depth int) int {
	w.fields++
	if w.maxFields > 0 && w.fields > w.maxFields {
		w.stop = true
		return 0
	}
	w.depth = max(w.depth, depth)
	if f.Alias != "" && f.Alias != f.Name {
		w.aliases++
	}
	owner := ""
	if f.ObjectDefinition != nil {
		owner = f.ObjectDefinition.Name
	}
	fld := &Field{Name: owner + "." + f.Name, Args: f.ArgumentMap(w.vars), Up: up, Sizes: w.sizes}
	self, mult := 1, 1
	switch cost, ok := Costs[fld.Name]; {
	case ok:
		self, mult = cost(fld)
	case hasArg(f, "first"):
		mult = intValue(fld.Args["first"], DefaultFirst)
	case strings.HasSuffix(owner, "Connection"):
		// a connection's edges: its field's first already counted them
	case f.Definition != nil && f.Definition.Type.Elem != nil:
		mult = ListFanout
	}
	self, mult = max(self, 1), max(mult, 1)
	if len(f.SelectionSet) == 0 {
		return self
	}
	return min(self+mul(mult, w.set(f.SelectionSet, fld, depth+1)), costCap)
}

// mul multiplies non-negative a and b, saturating at costCap.
func mul(a, b int) int {
	if a != 0 && b > costCap/a {
		return costCap
	}
	return a * b
}

func hasArg(f *ast.Field, name string) bool {
	return f.Definition != nil && f.Definition.Arguments.ForName(name) != nil
}
