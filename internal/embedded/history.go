package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// The influence history lives in the file but not in the read model: only
// the history service reads it, a scope at a time, from bbolt.
//
//	history  key scope NUL metric NUL version(8, big-endian)
//	         -> at (Unix ns, 8, big-endian), kolgraph.EncodeHistoryScores
//
// Keys sort by scope, metric and version, so one scope and metric's points
// are one cursor walk in version order, and the time sits first in the
// value so that a walk over stamps (retention, the latest point) does not
// decode scores.
const bHistory = "history"

func historyPrefix(scope, metric string) []byte {
	b := make([]byte, 0, len(scope)+len(metric)+2+8)
	b = append(b, scope...)
	b = append(b, keySep...)
	b = append(b, metric...)
	return append(b, keySep...)
}

func historyKey(p *kolgraph.HistoryPoint) []byte {
	return binary.BigEndian.AppendUint64(historyPrefix(p.Scope, p.Metric), p.Version)
}

// historyStamp decodes a key and the time at the head of its value.
func historyStamp(k, v []byte) (kolgraph.HistoryStamp, error) {
	scope, rest, ok1 := bytes.Cut(k, []byte(keySep))
	metric, ver, ok2 := bytes.Cut(rest, []byte(keySep))
	if !ok1 || !ok2 || len(ver) != 8 || len(v) < 8 {
		return kolgraph.HistoryStamp{}, fmt.Errorf("embedded: history entry %q: %w", k, errCorrupt)
	}
	return kolgraph.HistoryStamp{Scope: string(scope), Metric: string(metric), Version: binary.BigEndian.Uint64(ver),
		At: time.Unix(0, int64(binary.BigEndian.Uint64(v))).UTC()}, nil
}

func decodeHistory(k, v []byte) (*kolgraph.HistoryPoint, error) {
	st, err := historyStamp(k, v)
	if err != nil {
		return nil, err
	}
	ids, scores, err := kolgraph.DecodeHistoryScores(v[8:])
	if err != nil {
		return nil, fmt.Errorf("embedded: history entry %q: %w", k, err)
	}
	return &kolgraph.HistoryPoint{Scope: st.Scope, Metric: st.Metric, Version: st.Version, At: st.At, IDs: ids, Scores: scores}, nil
}

// AppendHistory implements kolgraph.Store: the points are encoded first,
// then written in one bbolt transaction.
func (s *Store) AppendHistory(ctx context.Context, points []*kolgraph.HistoryPoint) error {
	kvs := make([]kv, len(points))
	for i, p := range points {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("history point %d: %w", i, err)
		}
		v := binary.BigEndian.AppendUint64(nil, uint64(p.At.UnixNano()))
		kvs[i] = kv{historyKey(p), kolgraph.EncodeHistoryScores(v, p.IDs, p.Scores)}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed.Load() {
		return errClosed()
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bHistory))
		for _, e := range kvs {
			if err := b.Put(e.k, e.v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("embedded: append history: %w", err)
	}
	return nil
}

// walkHistory calls fn with the stamp, key and value of each point of
// scope and metric, in version order, until fn returns false, then the
// finish functions, in the same read transaction (keys and values are
// valid only inside it).
func (s *Store) walkHistory(ctx context.Context, scope, metric string, fn func(st kolgraph.HistoryStamp, k, v []byte) (bool, error),
	finish ...func() error) error {
	if s.closed.Load() {
		return errClosed()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	prefix := historyPrefix(scope, metric)
	return s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket([]byte(bHistory)).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			st, err := historyStamp(k, v)
			if err != nil {
				return err
			}
			more, err := fn(st, k, v)
			if err != nil {
				return err
			}
			if !more {
				break
			}
		}
		for _, f := range finish {
			if err := f(); err != nil {
				return err
			}
		}
		return nil
	})
}

// History implements kolgraph.Store: O(points of the scope and metric).
func (s *Store) History(ctx context.Context, scope, metric string, from, to time.Time) ([]*kolgraph.HistoryPoint, error) {
	var out []*kolgraph.HistoryPoint
	err := s.walkHistory(ctx, scope, metric, func(st kolgraph.HistoryStamp, k, v []byte) (bool, error) {
		if (!from.IsZero() && st.At.Before(from)) || (!to.IsZero() && !st.At.Before(to)) {
			return true, nil
		}
		p, err := decodeHistory(k, v)
		if err != nil {
			return false, err
		}
		out = append(out, p)
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// LatestHistory implements kolgraph.Store: a walk over the stamps of the
// scope and metric, decoding one point.
func (s *Store) LatestHistory(ctx context.Context, scope, metric string, notAfter time.Time) (*kolgraph.HistoryPoint, error) {
	var last *kolgraph.HistoryPoint
	var lastK, lastV []byte // valid until the walk's transaction ends
	err := s.walkHistory(ctx, scope, metric, func(st kolgraph.HistoryStamp, k, v []byte) (bool, error) {
		if !notAfter.IsZero() && st.At.After(notAfter) {
			return true, nil
		}
		lastK, lastV = k, v
		return true, nil
	}, func() (err error) {
		if lastK != nil {
			last, err = decodeHistory(lastK, lastV)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return last, nil
}

// PruneHistory implements kolgraph.Store: one write transaction reads
// every stamp, O(points), and deletes what r drops.
func (s *Store) PruneHistory(ctx context.Context, r kolgraph.HistoryRetention, now time.Time) (int, error) {
	if err := r.Validate(); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.closed.Load() {
		return 0, errClosed()
	}
	n := 0
	err := s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bHistory))
		var stamps []kolgraph.HistoryStamp
		err := b.ForEach(func(k, v []byte) error {
			st, err := historyStamp(k, v)
			stamps = append(stamps, st)
			return err
		})
		if err != nil {
			return err
		}
		for _, st := range r.Drop(stamps, now) {
			p := kolgraph.HistoryPoint{Scope: st.Scope, Metric: st.Metric, Version: st.Version}
			if err := b.Delete(historyKey(&p)); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("embedded: prune history: %w", err)
	}
	return n, nil
}
