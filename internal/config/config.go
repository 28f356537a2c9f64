// Package config is kolgraph's configuration: one struct with defaults, where
// every flag has an environment variable twin (KOLGRAPH_ + the flag name in
// upper snake case). Precedence: flag, then environment, then default.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// Config is everything `kolgraph serve` can be told.
type Config struct {
	Addr            string
	Store           string // embedded | neo4j
	DataDir         string
	Seed            bool
	Neo4jURI        string
	Neo4jUser       string
	Neo4jPassword   string
	Neo4jDatabase   string
	Neo4jTimeout    time.Duration
	LogLevel        string
	LogFormat       string
	Introspection   bool
	Playground      bool
	LoaderWait      time.Duration
	RequestTimeout  time.Duration
	ShutdownTimeout time.Duration
	ImportMaxBytes  int64 // per imported file (README, "Import")
	ImportTimeout   time.Duration

	// Authentication and limits (README, "Access control").
	AuthHS256Secret     string
	AuthRS256PublicKey  string // PEM file
	AuthRS256PrivateKey string // PEM file; used by `kolgraph token` only
	APIKeys             string // comma-separated NAME:ROLE:TERRITORIES:SHA256HEX[:GRANTS]
	DevMode             bool
	DevUser             string
	RateLimit           float64
	RateBurst           int
	MaxComplexity       int
	MaxDepth            int
	MaxAliases          int
	MaxFields           int
	MaxBodyBytes        int64
	PersistedQueries    string // JSON file; set: persisted-queries-only mode
	CORSOrigins         string // comma-separated
	MetricsAddr         string // "": /metrics on Addr
	MetricsToken        string // "": /metrics without credentials
	HeavyPerCredential  int    // heavy analytics operations in flight per credential; 0 = no limit

	// AnalyticsWorkers bounds the background recomputations of analytics
	// results after writes (README, "Analytics caching"); 0 = half the CPUs.
	AnalyticsWorkers int

	// PathIDKey signs path ids (README, "Access paths and decision chains").
	PathIDKey string

	// Settings is the domain settings file (JSON; README, "Settings"):
	// "" for the defaults.
	Settings string

	// The influence history (internal/history): the metrics
	// recorded (comma-separated; "" records none), how long every point
	// is kept, how long a daily one is, and how long writes must pause
	// before the version current then is recorded.
	HistoryMetrics  string
	HistoryKeepAll  time.Duration
	HistoryMaxAge   time.Duration
	HistoryDebounce time.Duration
}

// Default returns the configuration a newcomer gets with no flags at all: the
// embedded store under ./data, seeded with the sample region, on loopback.
func Default() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		Store:           "embedded",
		DataDir:         "data",
		Seed:            true,
		Neo4jURI:        "neo4j://localhost:7687",
		Neo4jUser:       "neo4j",
		Neo4jDatabase:   "",
		Neo4jTimeout:    5 * time.Second,
		LogLevel:        "info",
		LogFormat:       "json",
		Introspection:   false,
		Playground:      false,
		LoaderWait:      0,
		RequestTimeout:  30 * time.Second,
		ShutdownTimeout: 15 * time.Second,
		ImportMaxBytes:  64 << 20,
		ImportTimeout:   30 * time.Minute,
		DevUser:         "dev",
		RateLimit:       20,
		RateBurst:       40,
		MaxComplexity:   250_000,
		MaxDepth:        12,
		MaxAliases:      30,
		MaxFields:       500,
		MaxBodyBytes:    1 << 20,

		HeavyPerCredential: 2,

		HistoryMetrics:  "INFLUENCE,PAGERANK",
		HistoryKeepAll:  30 * 24 * time.Hour,
		HistoryMaxAge:   400 * 24 * time.Hour,
		HistoryDebounce: 5 * time.Second,
	}
}

// secret flags are masked whenever the configuration is printed or logged.
var secret = map[string]bool{"neo4j-password": true, "auth-hs256-secret": true, "api-keys": true,
	"metrics-token": true, "path-id-key": true}

func (c *Config) register(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (host:port) of the HTTP server")
	fs.StringVar(&c.Store, "store", c.Store, "store: embedded (local bbolt file) or neo4j")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "directory of the embedded store's data")
	fs.BoolVar(&c.Seed, "seed", c.Seed, "load the sample region when the store is empty")
	fs.StringVar(&c.Neo4jURI, "neo4j-uri", c.Neo4jURI, "Neo4j URI: bolt://host:7687 (one server) or neo4j://host:7687 (routing, clusters, Aura: neo4j+s://)")
	fs.StringVar(&c.Neo4jUser, "neo4j-user", c.Neo4jUser, "Neo4j user")
	fs.StringVar(&c.Neo4jPassword, "neo4j-password", c.Neo4jPassword, "Neo4j password (never logged)")
	fs.StringVar(&c.Neo4jDatabase, "neo4j-database", c.Neo4jDatabase, "Neo4j database name (empty: the server's default)")
	fs.DurationVar(&c.Neo4jTimeout, "neo4j-timeout", c.Neo4jTimeout, "how long one Neo4j call may take, connecting included, before failing with UNAVAILABLE (calls beyond the connection pool queue until their request's deadline)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn, error")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: json or console")
	fs.BoolVar(&c.Introspection, "introspection", c.Introspection, "allow GraphQL introspection")
	fs.BoolVar(&c.Playground, "playground", c.Playground, "serve the GraphQL playground at /playground (dev mode serves it too); it is bundled and loads nothing from elsewhere")
	fs.DurationVar(&c.LoaderWait, "loader-wait", c.LoaderWait, "how long a dataloader collects keys before one batched store call; 0 = automatic: none on the embedded store (its lookups are in-memory calls), 1ms on neo4j (where a call is a round trip)")
	fs.DurationVar(&c.RequestTimeout, "request-timeout", c.RequestTimeout, "deadline of one GraphQL request, propagated to the store")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "how long shutdown waits for in-flight requests")
	fs.Int64Var(&c.ImportMaxBytes, "import-max-bytes", c.ImportMaxBytes, "largest file an import through the API accepts, in bytes (each CSV file or uploaded file, or the XLSX workbook; its unpacked sheets may be 16 times as large); kolgraph import caps files only when it is given")
	fs.DurationVar(&c.ImportTimeout, "import-timeout", c.ImportTimeout, "deadline of one import job (startImport), from when it starts running; the job runs detached from the request that started it")
	fs.StringVar(&c.AuthHS256Secret, "auth-hs256-secret", c.AuthHS256Secret, "secret (at least 32 bytes) that verifies and signs HS256 bearer tokens (never logged)")
	fs.StringVar(&c.AuthRS256PublicKey, "auth-rs256-public-key", c.AuthRS256PublicKey, "PEM file of the RSA public key that verifies RS256 bearer tokens")
	fs.StringVar(&c.AuthRS256PrivateKey, "auth-rs256-private-key", c.AuthRS256PrivateKey, "PEM file of the RSA private key `kolgraph token` signs RS256 tokens with (not read by serve)")
	fs.StringVar(&c.APIKeys, "api-keys", c.APIKeys, "API keys as comma-separated NAME:ROLE:T01|T02:SHA256HEX[:GRANTS] entries: the sha256 of each key, never the key (`kolgraph token -api-key` makes one)")
	fs.BoolVar(&c.DevMode, "dev-mode", c.DevMode, "let requests without credentials in as an admin named -dev-user (for the playground); refused unless -addr is a loopback address")
	fs.StringVar(&c.DevUser, "dev-user", c.DevUser, "the user id requests without credentials run as in dev mode (their KNOWS ties start access paths)")
	fs.Float64Var(&c.RateLimit, "rate-limit", c.RateLimit, "requests per second each credential may make on average (token bucket); 0 = no limit")
	fs.IntVar(&c.RateBurst, "rate-burst", c.RateBurst, "requests a credential may make at once before -rate-limit applies")
	fs.IntVar(&c.MaxComplexity, "max-complexity", c.MaxComplexity, "largest cost of one GraphQL operation (connections count by first, paths by k x maxHops); 0 = no limit")
	fs.IntVar(&c.MaxDepth, "max-depth", c.MaxDepth, "deepest field nesting of one operation; 0 = no limit")
	fs.IntVar(&c.MaxAliases, "max-aliases", c.MaxAliases, "most aliased fields in one operation; 0 = no limit")
	fs.IntVar(&c.MaxFields, "max-fields", c.MaxFields, "most fields in one operation, fragments expanded; 0 = no limit")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", c.MaxBodyBytes, "largest /query JSON request body in bytes, for every role (413 beyond; larger import files are multipart uploads); 0 = no limit")
	fs.StringVar(&c.PersistedQueries, "persisted-queries", c.PersistedQueries, "JSON file of the allowed queries (array of documents, or sha256 -> document); set: only these run (persisted-queries-only mode)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", c.MetricsAddr, "listen address (host:port) of /metrics alone, e.g. a port only the monitoring network reaches; empty = /metrics on -addr")
	fs.StringVar(&c.MetricsToken, "metrics-token", c.MetricsToken, "bearer token /metrics requires (never logged); empty = /metrics answers without credentials")
	fs.StringVar(&c.CORSOrigins, "cors-origins", c.CORSOrigins, "comma-separated origins browsers may call the API from (* = any); empty = no cross-origin access")
	fs.StringVar(&c.Settings, "settings", c.Settings, "JSON file of domain settings (cut-offs, DRG/DIP, cadences, playbooks, influence weights) over the defaults; when it changes it becomes the current settings version at start; empty = the defaults")
	fs.IntVar(&c.HeavyPerCredential, "heavy-per-credential", c.HeavyPerCredential, "heavy analytics operations (influenceRanking by INFLUENCE, BETWEENNESS, REACH or EIGENVECTOR, accountMatrix, speakerCandidates) one credential may have in flight; beyond it an operation is refused with RATE_LIMITED and extensions.retryAfter; 0 = no limit")
	fs.IntVar(&c.AnalyticsWorkers, "analytics-workers", c.AnalyticsWorkers, "background workers that recompute analytics results after writes while the previous ones are served (stale-while-revalidate); 0 = half the CPUs, at least 1")
	fs.StringVar(&c.HistoryMetrics, "history-metrics", c.HistoryMetrics, "comma-separated metrics the influence history records for the region, every territory and every hospital after each graph version; empty = no history")
	fs.DurationVar(&c.HistoryKeepAll, "history-keep-all", c.HistoryKeepAll, "how long every recorded history point is kept; older ones are thinned to the last of each day")
	fs.DurationVar(&c.HistoryMaxAge, "history-max-age", c.HistoryMaxAge, "how long a daily history point is kept (the newest point of a scope is kept whatever its age)")
	fs.DurationVar(&c.HistoryDebounce, "history-debounce", c.HistoryDebounce, "how long writes must pause before the influence history records the version current then (versions written meanwhile are not recorded)")
	fs.StringVar(&c.PathIDKey, "path-id-key", c.PathIDKey, "secret (at least 32 bytes) that signs path ids; instances sharing it resolve each other's ids; empty: derived from -auth-hs256-secret, else random per process (never logged)")
}

// EnvName is the environment variable that sets flag name.
func EnvName(flagName string) string {
	return "KOLGRAPH_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// Load parses args over the environment over the defaults. It returns
// flag.ErrHelp when -h was asked for (the usage went to out).
func Load(args []string, getenv func(string) string, out io.Writer) (Config, error) {
	fs := flag.NewFlagSet("kolgraph serve", flag.ContinueOnError)
	fs.SetOutput(out)
	return LoadFlags(fs, args, getenv)
}

// LoadFlags is Load on the caller's flag set, which may already hold flags
// of its own (a subcommand's, such as report's -territory): the
// configuration's flags are added to it and args are parsed once, so both
// kinds can be mixed on one command line.
func LoadFlags(fs *flag.FlagSet, args []string, getenv func(string) string) (Config, error) {
	c := Default()
	own := flag.NewFlagSet("", flag.ContinueOnError)
	c.register(own)
	c.register(fs)
	var errs []error
	own.VisitAll(func(f *flag.Flag) { // the environment sets configuration flags only
		if v := getenv(EnvName(f.Name)); v != "" {
			if err := fs.Set(f.Name, v); err != nil {
				errs = append(errs, fmt.Errorf("%s=%q: %w", EnvName(f.Name), v, err))
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return c, err
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	return c, c.Validate()
}

// Validate checks values that flag parsing cannot.
func (c Config) Validate() error {
	var errs []error
	switch c.Store {
	case "embedded", "neo4j":
	default:
		errs = append(errs, fmt.Errorf("store must be embedded or neo4j (got %q)", c.Store))
	}
	switch c.LogFormat {
	case "json", "console":
	default:
		errs = append(errs, fmt.Errorf("log-format must be json or console (got %q)", c.LogFormat))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log-level must be debug, info, warn or error (got %q)", c.LogLevel))
	}
	if c.ImportMaxBytes <= 0 {
		errs = append(errs, fmt.Errorf("import-max-bytes must be positive (got %d)", c.ImportMaxBytes))
	}
	if c.LoaderWait < 0 {
		errs = append(errs, fmt.Errorf("loader-wait must not be negative (got %s)", c.LoaderWait))
	}
	if c.RateLimit < 0 || c.RateBurst < 1 {
		errs = append(errs, fmt.Errorf("rate-limit must not be negative and rate-burst must be positive (got %v, %d)", c.RateLimit, c.RateBurst))
	}
	for name, n := range map[string]int64{"max-complexity": int64(c.MaxComplexity), "max-depth": int64(c.MaxDepth),
		"heavy-per-credential": int64(c.HeavyPerCredential), "analytics-workers": int64(c.AnalyticsWorkers),
		"max-aliases": int64(c.MaxAliases), "max-fields": int64(c.MaxFields), "max-body-bytes": c.MaxBodyBytes} {
		if n < 0 {
			errs = append(errs, fmt.Errorf("%s must not be negative (got %d)", name, n))
		}
	}
	for name, d := range map[string]time.Duration{"request-timeout": c.RequestTimeout, "import-timeout": c.ImportTimeout, "shutdown-timeout": c.ShutdownTimeout, "neo4j-timeout": c.Neo4jTimeout} {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("%s must be positive (got %s)", name, d))
		}
	}
	if c.HistoryKeepAll <= 0 || c.HistoryMaxAge < c.HistoryKeepAll || c.HistoryDebounce <= 0 {
		errs = append(errs, fmt.Errorf("history-keep-all must be positive, history-max-age not shorter and history-debounce positive (got %s, %s, %s)",
			c.HistoryKeepAll, c.HistoryMaxAge, c.HistoryDebounce))
	}
	if n := len(c.PathIDKey); n > 0 && n < 32 {
		errs = append(errs, fmt.Errorf("path-id-key must be at least 32 bytes (got %d)", n))
	}
	return errors.Join(errs...)
}

// List splits a comma-separated setting, dropping blanks.
func List(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// EffectiveLoaderWait resolves the automatic loader wait for the store.
// Timers on common VMs fire no sooner than ~1ms, so any non-zero wait costs
// about that per query level: worth it only where a store call is a round
// trip.
func (c Config) EffectiveLoaderWait() time.Duration {
	switch {
	case c.LoaderWait > 0:
		return c.LoaderWait
	case c.Store == "neo4j":
		return time.Millisecond
	}
	return 0
}

// Fields returns the configuration as flag name -> value with secrets masked,
// for logging at start-up.
func (c Config) Fields() map[string]any {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	c.register(fs)
	m := map[string]any{}
	fs.VisitAll(func(f *flag.Flag) {
		v := f.Value.String()
		if secret[f.Name] && v != "" {
			v = "***"
		}
		m[f.Name] = v
	})
	return m
}
