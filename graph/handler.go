package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/rs/zerolog"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/gqlguard"
	"github.com/kolgraph/kolgraph/internal/gqlhttp"
	"github.com/kolgraph/kolgraph/internal/importer"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
)

// HandlerOptions tunes the GraphQL handler.
type HandlerOptions struct {
	// Introspection lets clients (and the playground) read the schema.
	Introspection bool
	// LoaderWait is how long a dataloader waits to collect a batch. Longer
	// batches more; every nesting level of a query pays it once (and timers
	// rarely fire sooner than ~1ms). Zero still dedupes keys per operation.
	LoaderWait time.Duration
	// QueryCache keeps parsed and validated documents; nil = an LRU of 1000.
	QueryCache graphql.Cache[*ast.QueryDocument]
	// APQCache enables automatic persisted queries (clients send a hash
	// instead of the document); nil = APQ off.
	APQCache graphql.Cache[string]
	// Limits bound each operation's cost, depth, aliases and fields.
	Limits gqlguard.Limits
	// Persisted, when set, is the persisted-queries-only mode: only these
	// documents (by sha256) run, and APQCache is not used.
	Persisted map[string]string
	// Observe, when set, is told of every executed operation: its name,
	// duration and the extensions.code of each error it returned.
	Observe func(operation string, took time.Duration, codes []string)
	// Uploads, when set, takes multipart requests (imports of files larger
	// than the body limit) from roles that write.
	Uploads *gqlhttp.Multipart
	// HeavyInFlight bounds the heavy analytics operations one credential
	// has in flight (gqlguard.InFlight); 0 = no bound.
	HeavyInFlight int
}

// DefaultHandlerOptions are the settings the service starts with.
func DefaultHandlerOptions() HandlerOptions {
	return HandlerOptions{Introspection: false, APQCache: lru.New[string](1000), Limits: gqlguard.DefaultLimits(),
		Uploads: &gqlhttp.Multipart{MaxBodyBytes: 1 << 20, MaxFileBytes: importer.DefaultMaxBytes, MaxFiles: len(seedfile.FileNames())}}
}

// NewHandler builds the GraphQL HTTP handler for r with explicit transports
// and extensions (never gqlgen's deprecated NewDefaultServer). The caller
// is the principal the HTTP layer authenticated (auth.Middleware), whose
// subject is viewer.UserID.
func NewHandler(r *Resolver, o HandlerOptions) http.Handler {
	return newServer(r, o)
}

func newServer(r *Resolver, o HandlerOptions) *handler.Server {
	srv := handler.New(NewExecutableSchema(Config{Resolvers: r}))
	srv.AddTransport(transport.Options{})
	if o.Uploads != nil {
		u := *o.Uploads
		u.Allow = mayWrite // before a byte of a file is read
		srv.AddTransport(u)
	}
	srv.AddTransport(gqlhttp.HTTP{}) // GET and POST as the GraphQL-over-HTTP spec has them
	if o.QueryCache == nil {
		o.QueryCache = lru.New[*ast.QueryDocument](1000)
	}
	srv.SetQueryCache(o.QueryCache)
	if o.Introspection {
		srv.Use(extension.Introspection{})
	} else {
		hideSchema(srv)
	}
	switch {
	case o.Persisted != nil:
		srv.Use(gqlguard.PersistedOnly{Known: o.Persisted})
	case o.APQCache != nil:
		srv.Use(extension.AutomaticPersistedQuery{Cache: o.APQCache})
	}
	srv.Use(gqlguard.Limit{Limits: o.Limits, Sizes: r.listSizes})
	srv.Use(&gqlguard.InFlight{Max: o.HeavyInFlight, Credential: credential, RetryAfter: 1})
	srv.Use(freshness{r})
	srv.AroundFields(prefetchFields) // one store call per navigation level (prefetch.go)
	srv.SetErrorPresenter(presentError)
	srv.SetRecoverFunc(recoverPanic)
	srv.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		oc := graphql.GetOperationContext(ctx)
		name := oc.OperationName
		if name == "" && oc.Operation != nil {
			name = oc.Operation.Name
		}
		// The request's logger (and so its access log line) names the operation.
		zerolog.Ctx(ctx).UpdateContext(func(c zerolog.Context) zerolog.Context { return c.Str("operation", name) })
		d, err := r.depsFor(ctx)
		if err == nil && oc.Operation != nil && oc.Operation.Operation == ast.Mutation {
			err = mayWriteOperation(ctx, oc.Operation) // dry runs too: every mutation is a write
		}
		if err != nil {
			return graphql.OneShot(&graphql.Response{Errors: gqlerror.List{presentError(ctx, err)}})
		}
		ns, reads := &notes{}, &contactReads{}
		ctx = context.WithValue(ctx, depsKey{}, d)
		ctx = context.WithValue(ctx, contactReadsKey{}, reads)
		h := next(withNotes(withLoaders(ctx, newLoaders(d.Store, o.LoaderWait)), ns))
		return func(ctx context.Context) *graphql.Response {
			resp := h(ctx)
			if resp == nil {
				return nil
			}
			if err := reads.record(ctx, r.Audit, operationSource(oc, name)); err != nil {
				resp = &graphql.Response{Errors: gqlerror.List{presentError(ctx, err)}}
			}
			if list := ns.all(); len(list) > 0 {
				if resp.Extensions == nil {
					resp.Extensions = map[string]any{}
				}
				resp.Extensions["notes"] = list
			}
			if o.Observe != nil {
				o.Observe(name, time.Since(oc.Stats.OperationStart), errorCodes(resp.Errors))
			}
			return resp
		}
	})
	return srv
}

// credential names the operation's caller for per-credential bounds.
func credential(ctx context.Context) string {
	p, err := auth.Authenticated(ctx)
	if err != nil {
		return ""
	}
	return p.Credential
}

// operationSource names an operation as the audit log's Source does:
// "query hcpCard", "mutation upsertHCP" (the name may be empty).
func operationSource(oc *graphql.OperationContext, name string) string {
	kind := "query"
	if oc.Operation != nil {
		kind = string(oc.Operation.Operation)
	}
	return strings.TrimSpace(kind + " " + name)
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

func errorCodes(errs gqlerror.List) []string {
	var codes []string
	for _, e := range errs {
		if c, ok := e.Extensions["code"].(string); ok {
			codes = append(codes, c)
		} else {
			codes = append(codes, kolgraph.EINTERNAL)
		}
	}
	return codes
}
