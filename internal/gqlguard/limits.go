// Package gqlguard holds the gqlgen extensions that bound what one GraphQL
// request may ask for: a cost (complexity) limit with per-field costs, a
// depth limit, alias and field-count limits, and the persisted-queries-only
// mode. They run after parsing and validation and before any resolver, so a
// rejected operation costs no store call.
package gqlguard

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
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

// ListFanout is the assumed length of a list field without `first` (a
// hospital's departments, a department's HCPs, a committee's members).
const ListFanout = 10

// DefaultFirst is the `first` of a connection that declares no default.
const DefaultFirst = 20

// Cost gives a field's own cost and the multiplier applied to the cost of
// its selections, from its (coerced) arguments.
type Cost func(args map[string]any) (self, mult int)

// Costs are the fields whose cost is not the general rule. The rule: a
// field costs 1; a field with a `first` argument multiplies its selections
// by first (connections, rankings, member lists); any other list field
// multiplies them by ListFanout, except a connection's edges (counted by the
// connection's first). Paths are searches: k paths of up to
// maxHops hops cost k x maxHops, and their selections repeat k times.
var Costs = map[string]Cost{
	"Query.strongestPaths": func(a map[string]any) (int, int) {
		k, hops := intArg(a, "k", 3), intArg(a, "maxHops", 6)
		return k * hops, k
	},
	// A chain: about 4 stages, each with its strongest paths from the
	// caller's contacts (3 of up to 6 hops).
	"Query.decisionChain":     func(map[string]any) (int, int) { return 4 * 3 * 6, ListFanout },
	"Query.influencePath":     func(map[string]any) (int, int) { return 6, 1 },
	"Query.accountMatrix":     func(map[string]any) (int, int) { return 50, 1 },
	"Query.speakerCandidates": func(a map[string]any) (int, int) { return 50, intArg(a, "first", DefaultFirst) },
	"Query.influenceRanking":  func(a map[string]any) (int, int) { return 20, intArg(a, "first", DefaultFirst) },
}

func intArg(args map[string]any, name string, def int) int {
	switch v := args[name].(type) {
	case int:
		return v
	case int64:
		return int(v)
	case float64:
		return int(v)
	}
	return def
}

// Limit is the gqlgen extension enforcing Limits.
type Limit struct{ Limits Limits }

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
	m := Measure(oc.Operation.SelectionSet, oc.Variables, l.Limits)
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

// Measures are what Measure found.
type Measures struct {
	Complexity, Depth, Aliases, Fields int
	// Truncated: the walk stopped at MaxFields (fragments can multiply a
	// small document into millions of fields); the other numbers are then
	// lower bounds.
	Truncated bool
}

// Measure walks a selection set with fragments expanded where they are
// spread. It stops after lim.MaxFields+1 fields (if set), so its cost is
// bounded whatever the document.
func Measure(set ast.SelectionSet, vars map[string]any, lim Limits) Measures {
	w := &walker{vars: vars, maxFields: lim.MaxFields}
	m := Measures{}
	m.Complexity = w.set(set, 1)
	m.Depth, m.Aliases, m.Fields, m.Truncated = w.depth, w.aliases, w.fields, w.stop
	return m
}

type walker struct {
	vars                   map[string]any
	maxFields              int
	depth, aliases, fields int
	stop                   bool
}

const costCap = 1 << 40 // keeps products of huge `first`s from overflowing

func (w *walker) set(set ast.SelectionSet, depth int) int {
	total := 0
	for _, sel := range set {
		if w.stop {
			return total
		}
		switch s := sel.(type) {
		case *ast.Field:
			total = min(total+w.field(s, depth), costCap)
		case *ast.InlineFragment:
			total = min(total+w.set(s.SelectionSet, depth), costCap)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				total = min(total+w.set(s.Definition.SelectionSet, depth), costCap)
			}
		}
	}
	return total
}

func (w *walker) field(f *ast.Field, depth int) int {
	w.fields++
	if w.maxFields > 0 && w.fields > w.maxFields {
		w.stop = true
		return 0
	}
	w.depth = max(w.depth, depth)
	if f.Alias != "" && f.Alias != f.Name {
		w.aliases++
	}
	self, mult := 1, 1
	args := f.ArgumentMap(w.vars)
	owner := ""
	if f.ObjectDefinition != nil {
		owner = f.ObjectDefinition.Name
	}
	switch cost, ok := Costs[owner+"."+f.Name]; {
	case ok:
		self, mult = cost(args)
	case hasArg(f, "first"):
		mult = intArg(args, "first", DefaultFirst)
	case strings.HasSuffix(owner, "Connection"):
		// a connection's edges: its field's first already counted them
	case f.Definition != nil && f.Definition.Type.Elem != nil:
		mult = ListFanout
	}
	self, mult = max(self, 1), max(mult, 1)
	if len(f.SelectionSet) == 0 {
		return self
	}
	return min(self+mul(mult, w.set(f.SelectionSet, depth+1)), costCap)
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
