// Command kolgraph serves the kolgraph GraphQL API and carries the project's
// tools as subcommands.
//
//	kolgraph serve      run the service (embedded store seeded with the sample region by default)
//	kolgraph generate   write a synthetic region (the seed, or a scaled-up graph for benchmarks)
//	kolgraph report     write the tiering report of a territory, hospital or department
//	kolgraph token      issue a bearer token (or an API key) for a user and role
//	kolgraph import     import a region from CSV files or an XLSX workbook (all or nothing; -dry-run)
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/rs/zerolog"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kolgraph/kolgraph/graph"
	"github.com/kolgraph/kolgraph/internal/analyses"
	"github.com/kolgraph/kolgraph/internal/config"
	"github.com/kolgraph/kolgraph/internal/gqlguard"
	"github.com/kolgraph/kolgraph/internal/history"
	"github.com/kolgraph/kolgraph/internal/importer"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/memo"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/server"
	"github.com/kolgraph/kolgraph/internal/settings"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/telemetry"
	"github.com/kolgraph/kolgraph/internal/writer"
	"github.com/kolgraph/kolgraph/seed"
)

const usage = `kolgraph: who really decides in a hospital, as a GraphQL API.

Usage:
  kolgraph serve [flags]       run the GraphQL service (kolgraph serve -h for flags)
  kolgraph generate [flags]    write a synthetic region as CSV (kolgraph generate -h)
  kolgraph report [flags]      write a tiering report: kolgraph report -territory T01 -product RX01 -o t01.csv
                               (-format csv|html|md; kolgraph report -h)
  kolgraph import [flags]      import a region: kolgraph import -dir DIR | -file region.xlsx [-dry-run]
                               (kolgraph import -template FILE writes the XLSX template; kolgraph import -h)
  kolgraph token [flags]       issue a bearer token: kolgraph token -sub U004 -role kam -territories T01 -ttl 8h
                               (signed with -auth-hs256-secret or -auth-rs256-private-key; -api-key makes an API key)
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "kolgraph:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "serve":
		m := NewMain(stderr)
		if err := m.ParseFlags(args[1:], getenv); err != nil {
			return err
		}
		if err := m.Run(ctx); err != nil {
			_ = m.Close()
			return err
		}
		return m.Close()
	case "generate":
		return runGenerate(args[1:], stdout)
	case "report":
		return runReport(ctx, args[1:], getenv, stdout, stderr)
	case "token":
		return runToken(args[1:], getenv, stdout, stderr)
	case "import":
		return runImport(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
}

// Main is the running service: configuration in, a serving process out.
type Main struct {
	Config    config.Config
	Log       zerolog.Logger
	Store     kolgraph.Store
	Snapshots *snapshot.Manager
	// Analytics are the whole graph's analytics services.
	Analytics *analyses.Set
	Writer    *writer.Service
	Importer  *importer.Service
	// Jobs runs the API's import jobs (startImport) until Open's context
	// is done.
	Jobs    *importer.Jobs
	Metrics *telemetry.Metrics
	// Views pick each request's store and analytics from its principal.
	Views *analyses.Views
	// Settings is the domain settings document's current version.
	Settings *settings.Service
	// History records the influence history after each graph version
	// (nil when -history-metrics is empty).
	History *history.Service

	stopHistory context.CancelFunc
	// seeded are the versions the seed wrote, dated, until History
	// records them.
	seeded []history.Dated

	pool   *memo.Pool // background recomputations of every analytics service
	stderr io.Writer
}

// NewMain returns a Main with the default configuration.
func NewMain(stderr io.Writer) *Main {
	return &Main{Config: config.Default(), stderr: stderr}
}

// ParseFlags reads flags over KOLGRAPH_* environment variables.
func (m *Main) ParseFlags(args []string, getenv func(string) string) error {
	c, err := config.Load(args, getenv, m.stderr)
	if err != nil {
		return err
	}
	m.Config = c
	m.Log = newLogger(c, m.stderr)
	return nil
}

func newLogger(c config.Config, w io.Writer) zerolog.Logger {
	if c.LogFormat == "console" {
		w = zerolog.ConsoleWriter{Out: w, TimeFormat: time.TimeOnly}
	}
	lvl, err := zerolog.ParseLevel(c.LogLevel)
	if err != nil {
		lvl = zerolog.InfoLevel
	}
	return zerolog.New(w).Level(lvl).With().Timestamp().Str("service", "kolgraph").Logger()
}

// Open opens the store, seeds it when empty, and builds the first analytics
// snapshot; the snapshot is then kept current until ctx is done.
func (m *Main) Open(ctx context.Context) error {
	// Opening builds the store's indices and the first snapshot: a heap
	// that only grows, so collections on the way find little to free.
	// Collect less often until then (the heap is handed back once the
	// first scores are warm, below).
	// An operator's GOGC (or GOGC=off with GOMEMLIMIT) wins: a national
	// region's heap at 400% would pass through several times what it
	// keeps.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	st, err := m.openStore(ctx)
	if err != nil {
		return err
	}
	m.Metrics = telemetry.New()
	m.Store = m.Metrics.InstrumentStore(st)
	metrics, err := history.ParseMetrics(m.Config.HistoryMetrics)
	if err != nil {
		return err
	}
	if err := m.seedIfEmpty(ctx, len(metrics) > 0); err != nil {
		return err
	}
	m.Snapshots = snapshot.NewManager(m.Store, m.Log)
	m.Writer = writer.New(m.Store, m.Snapshots.Written)
	m.Importer = &importer.Service{Store: m.Store, Writer: m.Writer, Opts: importer.Options{MaxBytes: m.Config.ImportMaxBytes}}
	m.Jobs = importer.NewJobs(ctx, importer.JobOptions{Timeout: m.Config.ImportTimeout})
	if err := m.openSettings(ctx, false); err != nil {
		return err
	}
	if m.Analytics, err = analyses.New(m.Snapshots, m.Store, m.configFor(m.Settings.Current())); err != nil {
		return err
	}
	m.Views = analyses.NewViews(m.Store, m.Analytics)
	m.Settings.OnChange(func(v *settings.Version) {
		if err := m.Views.Reconfigure(m.configFor(v)); err != nil { // validated before it was recorded
			m.Log.Error().Err(err).Int("settings_version", v.Number).Msg("applying the settings failed")
			return
		}
		m.Log.Info().Int("settings_version", v.Number).Str("actor", v.Actor).Msg("settings changed")
	})
	if len(metrics) > 0 {
		if err := m.startHistory(ctx, metrics); err != nil {
			return err
		}
	}
	go m.Settings.Watch(ctx, settingsRefresh, func(err error) {
		m.Log.Warn().Err(err).Msg("reading the settings versions failed")
	})
	var started sync.Once
	var warming atomic.Bool
	m.Snapshots.OnSwap(func(s *snapshot.Snapshot) {
		m.Metrics.ObserveSnapshot(s.Version, len(s.IDs), s.Graph.Edges(), s.BuildTime)
		m.Views.Revalidate()
		if m.History != nil {
			m.History.Notify(s)
		}
		first := !warming.Swap(true)
		go func() { // every HCP's default score ready before it is asked for
			restore := func() {}
			if first {
				restore = boundWarmHeap()
			}
			if err := m.Views.Full().Scores.Warm(ctx); err != nil && ctx.Err() == nil {
				m.Log.Warn().Err(err).Msg("warming influence scores failed")
			}
			restore()
			// Opening the store, the first snapshot and the first scores
			// leave a heap of garbage twice the size of what stays (the
			// runtime keeps it for the next collections); hand it back to
			// the system once, so a new instance's resident memory is
			// what it holds, not what it passed through.
			started.Do(debug.FreeOSMemory)
		}()
	})
	if err := m.Snapshots.Start(ctx); err != nil {
		return fmt.Errorf("build the analytics snapshot: %w", err)
	}
	return nil
}

// boundWarmHeap bounds the heap while the first scores warm to half again
// what the store and the snapshot keep, unless the operator set
// GOMEMLIMIT: warming every hospital's ranking of a national region turns
// over gigabytes, and with the collector's default headroom (twice the
// kept heap) a million-HCP region's 4.5 GB passed through 14 GB. The
// collector runs more often meanwhile. It returns what restores the limit.
func boundWarmHeap() (restore func()) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return func() {}
	}
	runtime.GC() // what is kept, without the garbage of opening
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	limit := max(int64(ms.HeapAlloc)*3/2, 256<<20)
	prev := debug.SetMemoryLimit(limit)
	return func() { debug.SetMemoryLimit(prev) }
}

// startHistory starts the influence history's recorder until ctx is done
// or Close: first the versions the seed wrote, at their dates, then after
// each snapshot swap (the first one included, so a start records the
// current version unless the store has its scores already).
func (m *Main) startHistory(ctx context.Context, metrics []scoring.Metric) error {
	h, err := history.New(m.Store, fullScores{m.Views}, history.Options{
		Metrics:   metrics,
		Retention: kolgraph.HistoryRetention{KeepAll: m.Config.HistoryKeepAll, MaxAge: m.Config.HistoryMaxAge},
		Debounce:  m.Config.HistoryDebounce,
	}, m.Log)
	if err != nil {
		return err
	}
	hctx, stop := context.WithCancel(ctx)
	m.History, m.stopHistory = h, stop
	h.Backfill(m.seeded)
	m.seeded = nil
	h.Start(hctx)
	return nil
}

// fullScores ranks with the whole graph's scoring service as it is at the
// call (settings may replace the analytics set).
type fullScores struct{ v *analyses.Views }

func (f fullScores) RankingOn(ctx context.Context, snap *snapshot.Snapshot, sc snapshot.Scope, m scoring.Metric) (*scoring.Ranking, error) {
	return f.v.Full().Scores.RankingOn(ctx, snap, sc, m)
}

// ready reports whether the store answers and the analytics can serve.
func (m *Main) ready(ctx context.Context) error {
	if err := m.Store.Ping(ctx); err != nil {
		return err
	}
	return m.Snapshots.Ready(ctx)
}

// build makes the HTTP server and the GraphQL handler from the
// configuration: authentication, rate limits, query limits, persisted
// queries, CORS and the body bound.
func (m *Main) build() (*server.Server, http.Handler, error) {
	authGuard, err := guard(m.Config)
	if err != nil {
		return nil, nil, err
	}
	if m.Views == nil || m.Views.Store() != m.Store { // a Main whose store was replaced (tests)
		m.Views = analyses.NewViews(m.Store, m.Analytics)
	}
	o := graph.DefaultHandlerOptions()
	if m.Config.PersistedQueries != "" {
		if o.Persisted, err = gqlguard.LoadPersisted(m.Config.PersistedQueries); err != nil {
			return nil, nil, fmt.Errorf("persisted queries: %w", err)
		}
	}
	return m.server(authGuard), m.graphQL(o), nil
}

func (m *Main) graphQL(o graph.HandlerOptions) http.Handler {
	o.Limits = limits(m.Config)
	o.Introspection = m.Config.Introspection
	o.LoaderWait = m.Config.EffectiveLoaderWait()
	o.QueryCache = telemetry.CountingCache[*ast.QueryDocument]{Cache: lru.New[*ast.QueryDocument](1000), Name: "query", Metrics: m.Metrics}
	o.APQCache = telemetry.CountingCache[string]{Cache: lru.New[string](1000), Name: "apq", Metrics: m.Metrics}
	o.Observe = m.Metrics.ObserveOperation
	o.Uploads.MaxBodyBytes, o.Uploads.MaxFileBytes = m.Config.MaxBodyBytes, m.Config.ImportMaxBytes
	o.HeavyInFlight = m.Config.HeavyPerCredential
	return graph.NewHandler(&graph.Resolver{Views: m.Views, Audit: m.Store, Writer: m.Writer, Importer: m.Importer,
		Jobs: m.Jobs, Settings: m.Settings, History: m.History}, o)
}

func (m *Main) server(authGuard func(http.Handler) http.Handler) *server.Server {
	return server.New(server.Options{
		Addr:            m.Config.Addr,
		Playground:      m.Config.Playground || m.Config.DevMode,
		RequestTimeout:  m.Config.RequestTimeout,
		ShutdownTimeout: m.Config.ShutdownTimeout,
		Ready:           m.ready,
		Metrics:         m.Metrics.Handler(),
		MetricsAddr:     m.Config.MetricsAddr,
		MetricsToken:    m.Config.MetricsToken,
		ObserveHTTP:     m.Metrics.ObserveHTTP,
		Tiering:         scopedReports{m.Views, m.Settings},
		Plans:           scopedReports{m.Views, m.Settings},
		Field:           scopedReports{m.Views, m.Settings},
		ImportTemplate: &server.Download{Name: importer.TemplateName, ContentType: importer.TemplateContentType,
			Content: importer.Template},
		Auth:         authGuard,
		MaxBodyBytes: m.Config.MaxBodyBytes,
		CORSOrigins:  config.List(m.Config.CORSOrigins),
	}, m.Log)
}

// Run opens the store, seeds it when empty, and serves until ctx is done.
func (m *Main) Run(ctx context.Context) error {
	started := time.Now()
	m.Log.Info().Fields(m.Config.Fields()).Msg("starting")
	m.logPathIDKey()
	if _, err := guard(m.Config); err != nil { // before opening anything
		return err
	}
	if err := m.Open(ctx); err != nil {
		return err
	}
	srv, gql, err := m.build()
	if err != nil {
		return err
	}
	if m.Config.DevMode {
		m.Log.Warn().Str("user", m.Config.DevUser).Msg("dev mode: requests without credentials run as an admin")
	}
	srv.Mount(gql)
	addr, err := srv.Listen()
	if err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Addr, err)
	}
	ev := m.Log.Info().Str("addr", addr.String()).Dur("startup", time.Since(started))
	if ma := srv.MetricsAddr(); ma != nil {
		ev = ev.Str("metrics_addr", ma.String())
	}
	ev.Msgf("serving GraphQL at http://%s/query", addr)
	err = srv.Serve(ctx)
	m.Jobs.Wait() // ctx is done: the jobs were cancelled, and end before the store closes
	return err
}

// seedIfEmpty loads the sample region into a store that was never written:
// the region as it was before its dated tie changes (seed.Changes), then
// one change set per date, so that the influence history has a few
// versions from the start. With dated set, each version's snapshot is
// kept, with its date, for the history to record. An invalid seed stops
// start-up with the file, line and field, and writes nothing.
func (m *Main) seedIfEmpty(ctx context.Context, dated bool) error {
	if !m.Config.Seed {
		return nil
	}
	v, err := m.Store.Version(ctx)
	if err != nil {
		return fmt.Errorf("read store version: %w", err)
	}
	if v != 0 {
		m.Log.Info().Uint64("version", v).Msg("store has data; not seeding")
		return nil
	}
	t0 := time.Now()
	cs, err := seedfile.Read(seed.FS)
	if err != nil {
		return fmt.Errorf("seed region is invalid: %w", err)
	}
	changes, err := seedfile.ReadChanges(bytes.NewReader(seed.Changes))
	if err != nil {
		return fmt.Errorf("seed region is invalid: %w", err)
	}
	hist, err := seedfile.Replay(cs, changes)
	if err != nil {
		return fmt.Errorf("seed region is invalid: %w", err)
	}
	apply := func(cs *kolgraph.ChangeSet, at time.Time) error {
		v, err := m.Store.Apply(ctx, cs)
		if err != nil {
			return fmt.Errorf("load seed region: %w", err)
		}
		if !dated {
			return nil
		}
		// A dated step changes ties alone: its snapshot derives from the
		// one before (as after a write), the first is built.
		var snap *snapshot.Snapshot
		if n := len(m.seeded); n > 0 {
			if t, ok := snapshot.TiesOf(cs); ok {
				snap, _ = m.seeded[n-1].Snapshot.Next(v, t)
			}
		}
		if snap == nil {
			if snap, err = snapshot.Build(ctx, m.Store); err != nil {
				return fmt.Errorf("load seed region: %w", err)
			}
		}
		m.seeded = append(m.seeded, history.Dated{Snapshot: snap, At: at})
		return nil
	}
	if err := apply(hist.Initial, hist.Start); err != nil {
		return err
	}
	for _, st := range hist.Steps {
		if err := apply(st.Changes, st.Date); err != nil {
			return err
		}
	}
	m.Log.Info().Int("hcps", len(cs.HCPs)).Int("influences", len(cs.Influences)).Int("dated_changes", len(changes)).
		Int("versions", 1+len(hist.Steps)).Dur("took", time.Since(t0)).Msg("loaded the seed region")
	return nil
}

// Close stops the history's recorder and releases the store.
func (m *Main) Close() error {
	if m.stopHistory != nil {
		m.stopHistory()
		m.History.Wait()
	}
	if m.Store != nil {
		return m.Store.Close()
	}
	return nil
}
