package graph

import (
	"context"
	"strconv"
	"sync"

	"github.com/99designs/gqlgen/graphql"

	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// Analytics results (rankings, influence scores, account matrices, speaker
// candidates, decision chains) may be a previous graph version's while the
// current one is computed (stale-while-revalidate, internal/memo). Each
// resolver that hands one out records its snapshot in the operation's
// collector, and the response says which versions the answer is of:
//
//	"extensions": {"analytics": {"graphVersion": "v41", "storeGraphVersion": "v42", "stale": true}}
//
// graphVersion is the oldest result's, storeGraphVersion the store's at the
// end of the operation; stale says they differ (the answer does not show
// the latest writes yet). An operation without analytics results has no
// extensions.analytics.

// Freshness is the response extension written under "analytics".
type Freshness struct {
	GraphVersion      string `json:"graphVersion"`
	StoreGraphVersion string `json:"storeGraphVersion,omitempty"`
	Stale             bool   `json:"stale"`
}

type resultVersions struct {
	mu     sync.Mutex
	oldest uint64
	seen   bool
}

type resultVersionsKey struct{}

// usedResult records that the operation's answer holds a result computed
// on snap.
func usedResult(ctx context.Context, snap *snapshot.Snapshot) {
	rv, ok := ctx.Value(resultVersionsKey{}).(*resultVersions)
	if !ok || snap == nil {
		return
	}
	rv.mu.Lock()
	defer rv.mu.Unlock()
	if !rv.seen || snap.Version < rv.oldest {
		rv.oldest, rv.seen = snap.Version, true
	}
}

// freshness is the gqlgen extension that collects the versions of the
// analytics results an operation used and states them in the response.
type freshness struct{ r *Resolver }

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = freshness{}

func (freshness) ExtensionName() string                   { return "AnalyticsFreshness" }
func (freshness) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptResponse runs the operation with a collector and adds
// extensions.analytics when it used analytics results.
func (f freshness) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	rv := &resultVersions{}
	resp := next(context.WithValue(ctx, resultVersionsKey{}, rv))
	rv.mu.Lock()
	oldest, seen := rv.oldest, rv.seen
	rv.mu.Unlock()
	if resp == nil || !seen {
		return resp
	}
	fr := Freshness{GraphVersion: versionString(oldest)}
	if v, err := f.r.deps(ctx).Store.Version(ctx); err == nil { // unknown: no claim either way
		fr.StoreGraphVersion, fr.Stale = versionString(v), v > oldest
	}
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions["analytics"] = fr
	return resp
}

// versionString writes a version as snapshot.GraphVersion does.
func versionString(v uint64) string { return "v" + strconv.FormatUint(v, 10) }
