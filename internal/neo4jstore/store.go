package neo4jstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Config says where the database is and how long calls may take. Zero
// durations and sizes take the defaults below.
type Config struct {
	URI      string // bolt://host:7687 (one server), neo4j://host:7687 (routing: clusters, Aura)
	User     string
	Password string
	Database string // "" means the server's default database

	// Timeout bounds every read call (lookups, lists, navigation, Version)
	// from when it is admitted (see MaxConnections), connection acquisition
	// included, so that a dead database fails the call with EUNAVAILABLE
	// instead of hanging it. Default 5s.
	Timeout time.Duration
	// ConnectTimeout bounds establishing one TCP+Bolt connection.
	// Default: Timeout, at most 5s.
	ConnectTimeout time.Duration
	// PingTimeout bounds Ping (readiness probes). Default 2s.
	PingTimeout time.Duration
	// ApplyTimeout bounds one Apply: a whole seed load is one transaction.
	// Default 10m.
	ApplyTimeout time.Duration
	// ScanTimeout bounds one Scan of the whole graph. Default 30m.
	ScanTimeout time.Duration
	// MaxRetryTime bounds the driver's retries of transient failures
	// (leader switch, deadlock, dropped connection) inside one call.
	// Default: Timeout.
	MaxRetryTime time.Duration
	// BatchSize is the number of rows per UNWIND statement. Default 5000.
	BatchSize int
	// MaxConnections bounds the calls of this Store that run at once, and
	// so the connections they hold. Further calls queue in-process, bounded
	// by their caller's context only: Timeout starts once a call is
	// admitted, so a busy (not dead) database makes calls wait instead of
	// failing them. Default 32, well below the servers' connection limits
	// (NornicDB closes the 101st connection; the driver then retries it
	// for MaxRetryTime).
	MaxConnections int
}

func (c Config) withDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Second
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = min(c.Timeout, 5*time.Second)
	}
	if c.PingTimeout <= 0 {
		c.PingTimeout = 2 * time.Second
	}
	if c.ApplyTimeout <= 0 {
		c.ApplyTimeout = 10 * time.Minute
	}
	if c.ScanTimeout <= 0 {
		c.ScanTimeout = 30 * time.Minute
	}
	if c.MaxRetryTime <= 0 {
		c.MaxRetryTime = c.Timeout
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 5000
	}
	if c.MaxConnections <= 0 {
		c.MaxConnections = 32
	}
	return c
}

// Store is the Neo4j implementation of kolgraph.Store. It holds the one
// driver of the process; every call runs in a managed transaction, so the
// driver retries transient failures and routes to the right cluster member.
type Store struct {
	driver neo4j.DriverWithContext
	cfg    Config
	// unique is whether ids are guarded by uniqueness constraints (Neo4j)
	// or only indexed (NornicDB; see schema.go).
	unique bool
	closed atomic.Bool
	// writing admits one Apply or AppendAudit of this process at a time
	// (see lockWrites).
	writing chan struct{}
	// calls admits MaxConnections calls at a time (see admit).
	calls chan struct{}
}

// admit waits until fewer than MaxConnections calls of this Store run, or
// ctx ends; the caller must call the returned release.
//
// The driver's pool queues too, but bounded by its acquisition timeout,
// which is Timeout: a burst of calls to a slow server then fails with
// UNAVAILABLE although every call would have been answered. Queueing here,
// before a call's own Timeout starts, lets the caller's deadline decide.
func (s *Store) admit(ctx context.Context) (release func(), err error) {
	select {
	case s.calls <- struct{}{}:
		return func() { <-s.calls }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// lockWrites waits until no other Apply or AppendAudit of this Store runs,
// or ctx ends; the caller must call the returned unlock.
//
// The server orders writers on its own: they all write the meta node, which
// on Neo4j takes its write lock and on NornicDB makes all but one fail at
// commit and retry. That still orders kolgraph processes sharing one
// database. But NornicDB v1.2.3 was seen, once in a few dozen CI runs, to
// commit two concurrent version increments both (two Applies answered the
// same version) and to leave the nodes their deletes had tombstoned in its
// label index for good. Queueing in-process first means writes of one
// service never race inside the server; it costs nothing, as the server
// would serialise them anyway.
func (s *Store) lockWrites(ctx context.Context) (unlock func(), err error) {
	select {
	case s.writing <- struct{}{}:
		return func() { <-s.writing }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

var _ kolgraph.Store = (*Store)(nil)

// Open connects to the database, checks that it answers with the given
// credentials, and migrates its schema (constraints, indexes, the version
// node). The returned Store must be closed.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	cfg = cfg.withDefaults()
	if cfg.URI == "" {
		return nil, errors.New("neo4jstore: open: no URI")
	}
	d, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.BasicAuth(cfg.User, cfg.Password, ""), func(c *neo4j.Config) {
		c.SocketConnectTimeout = cfg.ConnectTimeout
		c.ConnectionAcquisitionTimeout = cfg.Timeout
		c.MaxTransactionRetryTime = cfg.MaxRetryTime
		// Admitted calls never wait for the pool; the spare connections
		// serve Ping, which readiness probes call whatever the load.
		c.MaxConnectionPoolSize = cfg.MaxConnections + 2
		// Check connections idle for a while before use: after a server
		// restart the pool holds dead ones, and this finds them without
		// failing a call.
		c.ConnectionLivenessCheckTimeout = 30 * time.Second
	})
	if err != nil {
		return nil, fmt.Errorf("neo4jstore: open %s: %w", cfg.URI, err)
	}
	s := &Store{driver: d, cfg: cfg, writing: make(chan struct{}, 1), calls: make(chan struct{}, cfg.MaxConnections)}
	if err := s.connect(ctx); err != nil {
		_ = d.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		_ = d.Close(context.WithoutCancel(ctx))
		return nil, err
	}
	return s, nil
}

// connect verifies connectivity and credentials, and learns which server
// this is.
func (s *Store) connect(ctx context.Context) error {
	cctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	info, err := s.driver.GetServerInfo(cctx)
	if err != nil {
		if isAuthError(err) {
			return fmt.Errorf("neo4jstore: open %s: authentication failed for user %q: check the user and password: %w",
				s.cfg.URI, s.cfg.User, err)
		}
		return wrap(ctx, "open "+s.cfg.URI, err)
	}
	// NornicDB announces itself as "NornicDB/<version>"; see schema.go for
	// why it gets indexes instead of uniqueness constraints.
	s.unique = !strings.HasPrefix(info.Agent(), "NornicDB/")
	return nil
}

func isAuthError(err error) bool {
	var ae *neo4j.InvalidAuthenticationError
	if errors.As(err, &ae) {
		return true
	}
	var ne *neo4j.Neo4jError
	return errors.As(err, &ne) && (ne.Code == "Neo.ClientError.Security.Unauthorized" ||
		ne.Code == "Neo.ClientError.Security.AuthenticationRateLimit")
}

// Close closes the driver. A second Close is a no-op.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timeout)
	defer cancel()
	if err := s.driver.Close(ctx); err != nil {
		return fmt.Errorf("neo4jstore: close: %w", err)
	}
	return nil
}

// Ping reports whether the database answers, within PingTimeout.
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return fmt.Errorf("neo4jstore: ping: %w", errClosed)
	}
	cctx, cancel := context.WithTimeout(ctx, s.cfg.PingTimeout)
	defer cancel()
	return wrap(ctx, "ping", s.driver.VerifyConnectivity(cctx))
}

// work is the body of a managed transaction. It may run more than once
// (the driver retries transient failures), so it must start from scratch.
type work func(ctx context.Context, tx neo4j.ManagedTransaction) error

// read runs fn in a managed read transaction bounded by timeout.
func (s *Store) read(ctx context.Context, op string, timeout time.Duration, fn work) error {
	return s.exec(ctx, op, timeout, false, fn)
}

// write runs fn in one managed write transaction bounded by ApplyTimeout.
func (s *Store) write(ctx context.Context, op string, fn work) error {
	return s.exec(ctx, op, s.cfg.ApplyTimeout, true, fn)
}

func (s *Store) exec(ctx context.Context, op string, timeout time.Duration, write bool, fn work) error {
	if s.closed.Load() {
		return fmt.Errorf("neo4jstore: %s: %w", op, errClosed)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("neo4jstore: %s: %w", op, err)
	}
	release, err := s.admit(ctx)
	if err != nil {
		return fmt.Errorf("neo4jstore: %s: %w", op, err)
	}
	defer release()
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	mode := neo4j.AccessModeRead
	if write {
		mode = neo4j.AccessModeWrite
	}
	sess := s.driver.NewSession(cctx, neo4j.SessionConfig{DatabaseName: s.cfg.Database, AccessMode: mode})
	defer func() { _ = sess.Close(context.WithoutCancel(cctx)) }()
	body := func(tx neo4j.ManagedTransaction) (any, error) { return nil, fn(cctx, tx) }
	// The server aborts the transaction too when it outlives the call.
	txTimeout := neo4j.WithTxTimeout(timeout)
	if write {
		_, err = sess.ExecuteWrite(cctx, body, txTimeout)
	} else {
		_, err = sess.ExecuteRead(cctx, body, txTimeout)
	}
	return wrap(ctx, op, unwrapNoRetry(err))
}

// each runs one statement in tx and calls fn with every record's values as
// they stream in; the slice is only valid during the call.
func each(ctx context.Context, tx neo4j.ManagedTransaction, cypher string, params map[string]any, fn func(vals []any) error) error {
	res, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return err
	}
	for res.Next(ctx) {
		if err := fn(res.Record().Values); err != nil {
			return err
		}
	}
	return res.Err()
}

// exec1 runs one statement for its effect, discarding any records (NornicDB
// returns a "matched" record for some statements without RETURN).
func exec1(ctx context.Context, tx neo4j.ManagedTransaction, cypher string, params map[string]any) error {
	res, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return err
	}
	_, err = res.Consume(ctx)
	return err
}

// metaID is the id of the one KolgraphMeta node, which holds the version
// counter and the schema version.
const metaID = "kolgraph"

// Version returns the number of change sets applied.
func (s *Store) Version(ctx context.Context) (uint64, error) {
	var v uint64
	err := s.read(ctx, "version", s.cfg.Timeout, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		var err error
		v, err = readVersion(ctx, tx)
		return err
	})
	return v, err
}

// readVersion reads the version counter in tx (0 for a store never
// written).
func readVersion(ctx context.Context, tx neo4j.ManagedTransaction) (uint64, error) {
	var v uint64
	err := each(ctx, tx, "MATCH (m:KolgraphMeta {id: $id}) RETURN m.version", map[string]any{"id": metaID},
		func(vals []any) error {
			d := decoder{vals: vals}
			if n := d.int(0); uint64(n) > v {
				v = uint64(n)
			}
			return d.err
		})
	return v, err
}
