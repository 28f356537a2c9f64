// Package server is kolgraph's HTTP side: routing (/query, the explorer and
// the playground, health and readiness, tiering report downloads), request
// ids and access logs, per-request deadlines, and a graceful shutdown that
// drains in-flight requests.
package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/rs/zerolog"
	"github.com/rs/zerolog/hlog"

	"github.com/kolgraph/kolgraph/internal/explorer"
	"github.com/kolgraph/kolgraph/internal/gqlhttp"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Options configures the server.
type Options struct {
	Addr            string
	Playground      bool
	RequestTimeout  time.Duration
	ShutdownTimeout time.Duration
	// Ready reports whether the service can serve (store reachable, ...).
	Ready func(ctx context.Context) error
	// Metrics, when set, is served at /metrics: on MetricsAddr when that
	// is set (and then not on Addr), and only to requests bearing
	// MetricsToken when that is set.
	Metrics      http.Handler
	MetricsAddr  string
	MetricsToken string
	// ObserveHTTP, when set, is told the path and status of every request.
	ObserveHTTP func(path string, status int)
	// Tiering, when set, serves tiering reports at GET /reports/tiering.
	Tiering TieringReports
	// Plans, when set, serves account plan documents at GET /reports/plan.
	Plans PlanReports
	// Field, when set, serves a KAM's monthly plan at GET
	// /reports/kam-plan, its visits as an iCalendar file at GET
	// /reports/calendar and the academic activities' ROI report at GET
	// /reports/activities.
	Field FieldReports
	// ImportTemplate, when set, serves the empty import workbook at
	// GET /import/template.xlsx (the importTemplate query's, as a file).
	ImportTemplate *Download
	// Auth, when set, guards /query, every /reports/ endpoint and
	// /import/template.xlsx (authentication,
	// rate limiting); health, readiness and metrics stay open.
	Auth func(http.Handler) http.Handler
	// MaxBodyBytes bounds a /query request body (413 beyond), whoever
	// sends it; 0: no bound. Multipart bodies (file uploads) are left to
	// the GraphQL handler's upload transport, which bounds each part.
	MaxBodyBytes int64
	// CORSOrigins are the origins browsers may call the API from ("*":
	// any); empty: no cross-origin access.
	CORSOrigins []string
}

// Server serves the GraphQL handler and the operational endpoints.
type Server struct {
	opts Options
	log  zerolog.Logger
	http *http.Server
	ln   net.Listener
	// metrics serves /metrics alone on MetricsAddr, when that is set.
	metrics   *http.Server
	metricsLn net.Listener
}

// New builds a server; Mount gives it the GraphQL handler to serve.
func New(o Options, log zerolog.Logger) *Server {
	s := &Server{opts: o, log: log}
	s.http = &http.Server{
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      o.RequestTimeout + 10*time.Second,
		IdleTimeout:       120 * time.Second,
	}
	if o.Metrics != nil && o.MetricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", s.metricsHandler())
		s.metrics = &http.Server{Handler: hlog.NewHandler(log)(mux), ReadHeaderTimeout: 5 * time.Second, WriteTimeout: 30 * time.Second}
	}
	return s
}

// metricsHandler is Metrics behind MetricsToken, when that is set.
func (s *Server) metricsHandler() http.Handler {
	want := []byte("Bearer " + s.opts.MetricsToken)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.opts.MetricsToken != "" && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="kolgraph metrics"`)
			fail(w, r, kolgraph.Errorf(kolgraph.EUNAUTHENTICATED, "/metrics needs the metrics bearer token"))
			return
		}
		s.opts.Metrics.ServeHTTP(w, r)
	})
}

// Mount sets the GraphQL handler the server serves.
func (s *Server) Mount(gql http.Handler) { s.http.Handler = s.Handler(gql) }

// Handler is the full HTTP handler, also used directly by tests and
// benchmarks so they go through exactly what a client meets.
func (s *Server) Handler(gql http.Handler) http.Handler {
	mux := http.NewServeMux()
	guard := func(h http.Handler) http.Handler { return h }
	if s.opts.Auth != nil {
		guard = s.opts.Auth
	}
	mux.Handle("/query", s.withDeadline(guard(s.checkBody(gql))))
	// The front ends are embedded and public (static files; their data
	// comes through /query like any client's): / opens the explorer.
	mux.Handle("GET /{$}", http.RedirectHandler("/explore", http.StatusFound))
	mux.Handle("GET /explore", explorer.Explorer())
	mux.Handle("GET /explore/", explorer.Explorer())
	if s.opts.Playground {
		mux.Handle("GET /playground", explorer.Playground())
		mux.Handle("GET /playground/", explorer.Playground())
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", s.readyz)
	if s.opts.Metrics != nil && s.opts.MetricsAddr == "" {
		mux.Handle("GET /metrics", s.metricsHandler())
	}
	if s.opts.Tiering != nil {
		mux.Handle("GET /reports/tiering", s.withTimeout(guard(s.tieringReport(s.opts.Tiering))))
	}
	if s.opts.Plans != nil {
		mux.Handle("GET /reports/plan", s.withTimeout(guard(s.planReport(s.opts.Plans))))
	}
	if f := s.opts.Field; f != nil {
		mux.Handle("GET /reports/kam-plan", s.withTimeout(guard(s.kamPlan(f))))
		mux.Handle("GET /reports/calendar", s.withTimeout(guard(s.calendar(f))))
		mux.Handle("GET /reports/activities", s.withTimeout(guard(s.activityReport(f))))
	}
	if d := s.opts.ImportTemplate; d != nil {
		mux.Handle("GET /import/template.xlsx", s.withTimeout(guard(d)))
	}

	var h http.Handler = coded(mux)
	h = cors(s.opts.CORSOrigins, h)
	h = hlog.AccessHandler(func(r *http.Request, status, size int, d time.Duration) {
		hlog.FromRequest(r).Info().Str("method", r.Method).Str("path", r.URL.Path).
			Int("status", status).Int("size", size).Dur("duration", d).Msg("request")
		if s.opts.ObserveHTTP != nil {
			s.opts.ObserveHTTP(r.URL.Path, status)
		}
	})(h)
	h = hlog.RequestIDHandler("request_id", "X-Request-Id")(h)
	h = hlog.NewHandler(s.log)(h)
	return h
}

// coded answers the mux's own refusals (no route: 404; a method the route
// does not take: 405, with its Allow header) as every other error here is
// answered: JSON with extensions.code, not the mux's plain text.
func coded(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		probe := &statusOnly{header: w.Header()}
		h.ServeHTTP(probe, r)
		err := kolgraph.Errorf(kolgraph.ENOTFOUND, "no such endpoint: %s", r.URL.Path)
		if probe.status == http.StatusMethodNotAllowed {
			err = kolgraph.Errorf(kolgraph.EMETHODNOTALLOWED, "%s is not allowed on %s", r.Method, r.URL.Path)
		}
		w.Header().Del("X-Content-Type-Options")
		fail(w, r, err)
	})
}

// statusOnly keeps the status and headers a handler sets, not its body.
type statusOnly struct {
	header http.Header
	status int
}

func (s *statusOnly) Header() http.Header         { return s.header }
func (s *statusOnly) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusOnly) WriteHeader(status int)      { s.status = status }

func (s *Server) withDeadline(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodPost, http.MethodOptions:
		default: // GraphQL over HTTP: only GET and POST carry requests
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			fail(w, r, kolgraph.Errorf(kolgraph.EMETHODNOTALLOWED, "use GET or POST"))
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), s.opts.RequestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// withTimeout bounds a request by RequestTimeout, like GraphQL requests.
func (s *Server) withTimeout(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), s.opts.RequestTimeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.opts.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.opts.Ready(ctx); err != nil {
			// Whatever the cause (an uncoded store error included) this is
			// 503, which probes act on; the cause, which may name hosts or
			// carry a driver's message, goes to the log, not to an
			// unauthenticated client.
			hlog.FromRequest(r).Warn().Err(err).Msg("not ready")
			fail(w, r, kolgraph.Errorf(kolgraph.EUNAVAILABLE, "not ready: the store or the first analytics snapshot is not available yet"))
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// fail answers err as every endpoint answers an error: a GraphQL-shaped
// body with its code (gqlhttp.WriteError) at the code's status in the one
// table (kolgraph.HTTPStatus), and a message safe for the client. Only an
// INTERNAL error is a failure of ours: logged here at error level, with the
// detail the client does not get. Any other code is the client's (4xx) or
// a known condition (503), which the request's access log line records,
// code included, at info level.
func fail(w http.ResponseWriter, r *http.Request, err error) {
	code := kolgraph.ErrorCode(err)
	if code == kolgraph.EINTERNAL {
		hlog.FromRequest(r).Error().Err(err).Str("path", r.URL.Path).Msg("request failed")
	}
	gqlhttp.WriteError(w, r, gqlhttp.MediaJSON, code, kolgraph.ErrorMessage(err))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Listen binds the address, and MetricsAddr when /metrics has its own (so
// callers learn the ports before serving).
func (s *Server) Listen() (net.Addr, error) {
	ln, err := net.Listen("tcp", s.opts.Addr)
	if err != nil {
		return nil, err
	}
	if s.metrics != nil {
		if s.metricsLn, err = net.Listen("tcp", s.opts.MetricsAddr); err != nil {
			ln.Close()
			return nil, fmt.Errorf("metrics: %w", err)
		}
	}
	s.ln = ln
	return ln.Addr(), nil
}

// MetricsAddr is the bound address of /metrics' own listener (nil when
// /metrics is served on the main address); valid after Listen.
func (s *Server) MetricsAddr() net.Addr {
	if s.metricsLn == nil {
		return nil
	}
	return s.metricsLn.Addr()
}

// Serve serves until ctx is done, then shuts down gracefully: it stops
// accepting, waits up to ShutdownTimeout for in-flight requests, and returns.
func (s *Server) Serve(ctx context.Context) error {
	if s.ln == nil {
		if _, err := s.Listen(); err != nil {
			return err
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- s.http.Serve(s.ln) }()
	merrc := make(chan error, 1)
	if s.metrics != nil {
		go func() { merrc <- s.metrics.Serve(s.metricsLn) }()
	}
	select {
	case err := <-errc:
		s.closeMetrics()
		return err
	case err := <-merrc:
		_ = s.http.Close()
		return fmt.Errorf("metrics: %w", err)
	case <-ctx.Done():
	}
	s.log.Info().Dur("timeout", s.opts.ShutdownTimeout).Msg("shutting down: draining in-flight requests")
	sctx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	defer s.closeMetrics() // scrapes may go on while requests drain
	if err := s.http.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func (s *Server) closeMetrics() {
	if s.metrics != nil {
		_ = s.metrics.Close()
	}
}
