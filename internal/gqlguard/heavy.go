package gqlguard

import (
	"context"
	"fmt"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// InFlight is the gqlgen extension that bounds the heavy analytics
// operations (see HeavyFields) one credential has in flight: beyond Max,
// an operation is refused at once with RATE_LIMITED, extensions.limit
// "heavy", max and retryAfter (seconds), before any resolver runs. A heavy
// result may be computed for seconds after a write; the bound keeps one
// client from holding the service's cores with many at once, while the
// cost limit bounds what one operation may ask for.
type InFlight struct {
	// Max is the bound; 0 means none.
	Max int
	// Credential names the caller of the operation in ctx; "" is not
	// bounded.
	Credential func(ctx context.Context) string
	// RetryAfter is the hint given with a refusal, in seconds.
	RetryAfter int

	mu      sync.Mutex
	running map[string]int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
} = (*InFlight)(nil)

// ExtensionName implements graphql.HandlerExtension.
func (*InFlight) ExtensionName() string { return "HeavyInFlight" }

// Validate implements graphql.HandlerExtension.
func (*InFlight) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptOperation counts a heavy operation against its credential
// while it runs (until its response is made).
func (l *InFlight) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if l.Max <= 0 || l.Credential == nil || oc == nil || oc.Operation == nil ||
		HeavyFields(oc.Operation.SelectionSet, oc.Variables) == 0 {
		return next(ctx)
	}
	who := l.Credential(ctx)
	if who == "" {
		return next(ctx)
	}
	if !l.acquire(who) {
		return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{{
			Message: fmt.Sprintf("too many heavy analytics operations in flight for this credential (at most %d); retry in %d s",
				l.Max, l.RetryAfter),
			Extensions: map[string]any{"code": "RATE_LIMITED", "limit": "heavy", "max": l.Max, "retryAfter": l.RetryAfter},
		}}})
	}
	h := next(ctx)
	var once sync.Once
	return func(ctx context.Context) *graphql.Response {
		defer once.Do(func() { l.release(who) })
		return h(ctx)
	}
}

func (l *InFlight) acquire(who string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.running[who] >= l.Max {
		return false
	}
	if l.running == nil {
		l.running = map[string]int{}
	}
	l.running[who]++
	return true
}

func (l *InFlight) release(who string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.running[who]--; l.running[who] <= 0 {
		delete(l.running, who)
	}
}

// HeavyFields counts the heavy analytics fields at the root of an
// operation (fragments expanded): rankings by a metric of HeavyMetrics,
// account matrices, speaker candidates, scope graphs (drawn by their
// INFLUENCE ranking) and what-ifs (which rank the scope's what-if graph).
func HeavyFields(set ast.SelectionSet, vars map[string]any) int {
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.ObjectDefinition == nil || s.ObjectDefinition.Name != "Query" {
				continue
			}
			switch s.Name {
			case "accountMatrix", "speakerCandidates", "scopeGraph", "whatIf":
				n++
			case "influenceRanking":
				if HeavyMetric(s.ArgumentMap(vars)["metric"]) {
					n++
				}
			}
		case *ast.InlineFragment:
			n += HeavyFields(s.SelectionSet, vars)
		case *ast.FragmentSpread:
			if s.Definition != nil {
				n += HeavyFields(s.Definition.SelectionSet, vars)
			}
		}
	}
	return n
}
