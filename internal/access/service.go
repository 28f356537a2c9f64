package access

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

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
	// IDKey signs path ids (HMAC-SHA256), at least MinIDKeyBytes long.
	// Services that share it (instances of one deployment) resolve each
	// other's ids. Empty: a random key drawn once per process, shared by
	// its services, so ids stop resolving when the process restarts.
	IDKey []byte
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
	snaps   snapshot.Source
	scores  Rankings
	opts    Options
	signers sync.Pool // *signer, with the path-id key
	issued  *issued
	now     func() time.Time
}

// NewService returns a service over snaps and scores. It panics when
// o.IDKey is set but shorter than MinIDKeyBytes (the configuration checks
// its setting).
func NewService(snaps snapshot.Source, scores Rankings, o Options) *Service {
	if o.StoredPaths <= 0 {
		o.StoredPaths = DefaultOptions().StoredPaths
	}
	if o.ChainMaxHops <= 0 {
		o.ChainMaxHops = DefaultMaxHops
	}
	key := o.IDKey
	switch {
	case len(key) == 0:
		key = processKey()
	case len(key) < MinIDKeyBytes:
		panic(fmt.Sprintf("access: a path-id key of %d bytes, at least %d needed", len(key), MinIDKeyBytes))
	}
	o.IDKey = nil
	key = slices.Clone(key)
	s := &Service{snaps: snaps, scores: scores, opts: o, issued: newIssued(o.StoredPaths), now: time.Now}
	s.signers.New = func() any { return &signer{mac: hmac.New(sha256.New, key)} }
	return s
}
