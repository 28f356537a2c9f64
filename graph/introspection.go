package graph

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// hideSchema keeps the schema to itself when introspection is off: an
// operation asking for __schema or __type is refused before it runs, as
// the client's error (FORBIDDEN, nothing logged), and validation messages
// say what is wrong without "Did you mean ...?" suggestions, which would
// otherwise spell out field, argument, type, enum value and input field
// names one guess at a time.
func hideSchema(srv *handler.Server) {
	srv.Use(noIntrospection{})
	srv.SetDisableSuggestion(true) // fields and scalar leafs
	srv.SetValidationRulesFn(func() *rules.Rules {
		r := rules.NewDefaultRules()
		for _, q := range []core.Rule{rules.KnownArgumentNamesRuleWithoutSuggestions,
			rules.KnownTypeNamesRuleWithoutSuggestions, rules.ValuesOfCorrectTypeRuleWithoutSuggestions} {
			r.RemoveRule(strings.TrimSuffix(q.Name, "WithoutSuggestions"))
			r.AddRule(q.Name, q.RuleFunc)
		}
		return r
	})
}

// noIntrospection refuses operations that select __schema or __type.
type noIntrospection struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = noIntrospection{}

func (noIntrospection) ExtensionName() string                   { return "NoIntrospection" }
func (noIntrospection) Validate(graphql.ExecutableSchema) error { return nil }
func (noIntrospection) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil || !introspects(oc.Operation.SelectionSet, map[string]bool{}) {
		return nil
	}
	return &gqlerror.Error{Message: "introspection is disabled on this server",
		Extensions: map[string]any{"code": kolgraph.EFORBIDDEN}}
}

// introspects reports whether a root selection set (fragments followed)
// asks for __schema or __type; __typename is not introspection.
func introspects(set ast.SelectionSet, seen map[string]bool) bool {
	for _, s := range set {
		switch s := s.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return true
			}
		case *ast.InlineFragment:
			if introspects(s.SelectionSet, seen) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && !seen[s.Name] {
				seen[s.Name] = true
				if introspects(s.Definition.SelectionSet, seen) {
					return true
				}
			}
		}
	}
	return false
}
