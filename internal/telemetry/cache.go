package telemetry

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// CountingCache wraps a gqlgen cache (query documents, APQ) to count hits.
type CountingCache[T any] struct {
	graphql.Cache[T]
	Name    string
	Metrics *Metrics
}

// Get looks key up and records the outcome.
func (c CountingCache[T]) Get(ctx context.Context, key string) (T, bool) {
	v, ok := c.Cache.Get(ctx, key)
	c.Metrics.CacheLookup(c.Name, ok)
	return v, ok
}
