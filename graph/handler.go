package graph

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/rs/zerolog"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// HandlerOptions tunes the GraphQL handler.
type HandlerOptions struct {
	// Introspection lets clients (and the playground) read the schema.
	Introspection bool
	// LoaderWait is how long a dataloader waits to collect a batch. Longer
	// batches more; every nesting level of a query pays it once (and timers
	// rarely fire sooner than ~1ms). Zero still dedupes keys per operation.
	LoaderWait time.Duration
	// QueryCacheSize is the number of parsed and validated documents kept.
	QueryCacheSize int
}

// DefaultHandlerOptions are the settings the service starts with.
func DefaultHandlerOptions() HandlerOptions {
	return HandlerOptions{Introspection: true, LoaderWait: 0, QueryCacheSize: 1000}
}

// NewHandler builds the GraphQL HTTP handler for r with explicit transports
// and extensions (never gqlgen's deprecated NewDefaultServer).
func NewHandler(r *Resolver, o HandlerOptions) *handler.Server {
	srv := handler.New(NewExecutableSchema(Config{Resolvers: r}))
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](max(o.QueryCacheSize, 1)))
	if o.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.SetErrorPresenter(presentError)
	srv.SetRecoverFunc(recoverPanic)
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(withLoaders(ctx, newLoaders(r.Store, o.LoaderWait)))
	})
	return srv
}

// presentError gives every error a machine-readable extensions.code. Domain
// errors keep their code and message; errors gqlgen raises itself (parse,
// validation, argument coercion) carry their own code or are the client's
// fault; anything else is logged once and masked as INTERNAL, so driver
// messages and internals never reach a client.
func presentError(ctx context.Context, err error) *gqlerror.Error {
	gerr := graphql.DefaultErrorPresenter(ctx, err)
	if gerr.Extensions == nil {
		gerr.Extensions = map[string]any{}
	}
	var kerr *kolgraph.Error
	switch {
	case errors.As(err, &kerr):
		gerr.Message = kerr.Message
		gerr.Extensions["code"] = kerr.Code
		if len(kerr.Problems) > 0 {
			gerr.Extensions["problems"] = kerr.Problems
		}
		if kerr.Code == kolgraph.EINTERNAL {
			zerolog.Ctx(ctx).Error().Err(err).Str("path", gerr.Path.String()).Msg("internal error")
		}
	case errors.Is(err, context.DeadlineExceeded):
		gerr.Message = "the request took too long"
		gerr.Extensions["code"] = kolgraph.EUNAVAILABLE
	case errors.Is(err, context.Canceled):
		gerr.Message = "the request was cancelled"
		gerr.Extensions["code"] = kolgraph.EUNAVAILABLE
	case gerr.Err == nil || isInputError(gerr.Err):
		if _, ok := gerr.Extensions["code"]; !ok {
			gerr.Extensions["code"] = kolgraph.EINVALID
		}
	default:
		zerolog.Ctx(ctx).Error().Err(err).Str("path", gerr.Path.String()).Msg("internal error")
		gerr.Message = "internal error"
		gerr.Err = nil
		gerr.Extensions["code"] = kolgraph.EINTERNAL
	}
	return gerr
}

// isInputError reports errors gqlgen raises while coercing a client's
// argument values (e.g. an Int out of range): the client's fault, with a
// message meant for the client.
func isInputError(err error) bool {
	var ge *gqlerror.Error
	return errors.As(err, &ge) && ge.Rule != ""
}

// recoverPanic turns a resolver panic into an INTERNAL error and one log line
// with the stack, instead of a crashed process.
func recoverPanic(ctx context.Context, p any) error {
	zerolog.Ctx(ctx).Error().Str("panic", fmt.Sprint(p)).Bytes("stack", debug.Stack()).Msg("resolver panic")
	return kolgraph.Errorf(kolgraph.EINTERNAL, "internal error")
}
