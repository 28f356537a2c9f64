package access

import (
	"context"
	"time"

	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// Snapshots gives the current graph snapshot (snapshot.Manager does).
type Snapshots interface {
	Get() (*snapshot.Snapshot, error)
}

// Rankings gives a scope's ranking by a metric (scoring.Service does).
type Rankings interface {
	Ranking(ctx context.Context, sc snapshot.Scope, m scoring.Metric) (*scoring.Ranking, error)
}

// Options tune a Service.
type Options struct {
	// StoredPaths bounds the issued paths kept for Path (about 0.5 KB
	// each); the most recently issued or resolved survive.
	StoredPaths int
	// ChainMaxHops bounds the paths of a decision chain.
	ChainMaxHops int
}

// DefaultOptions are the settings the service starts with.
func DefaultOptions() Options { return Options{StoredPaths: 100_000, ChainMaxHops: DefaultMaxHops} }

// Defaults of a path query.
const (
	DefaultK       = 3
	DefaultMaxHops = 6
)

// Service answers access-path questions. It is safe for concurrent use.
type Service struct {
	snaps  Snapshots
	scores Rankings
	opts   Options
	issued *issued
	now    func() time.Time
}

// NewService returns a service over snaps and scores.
func NewService(snaps Snapshots, scores Rankings, o Options) *Service {
	if o.StoredPaths <= 0 {
		o.StoredPaths = DefaultOptions().StoredPaths
	}
	if o.ChainMaxHops <= 0 {
		o.ChainMaxHops = DefaultMaxHops
	}
	return &Service{snaps: snaps, scores: scores, opts: o, issued: newIssued(o.StoredPaths), now: time.Now}
}
