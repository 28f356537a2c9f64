package neo4jstore

import (
	"cmp"
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// A point of the influence history is a document, as a plan is:
// (:HistoryPoint {id, scope, metric, version, at, body}), where id is
// scope|metric|version (the key a point replaces by), at is Unix
// nanoseconds (UTC) and body is kolgraph.EncodeHistoryScores in base64: a
// string, which every server stores and returns unchanged (no float
// arrays that NornicDB may hand back as integers), a third of the size of
// a JSON list of scores. Points are not part of the graph: no relationship
// touches them and Scan does not visit them. Selection by time and the
// order by version are made in Go, on the (scope, metric) index's rows.

func historyID(scope, metric string, version uint64) string {
	return scope + "|" + metric + "|" + strconv.FormatUint(version, 10)
}

// AppendHistory implements kolgraph.Store: one MERGE per point, in one
// write transaction (a point of a large scope is a large parameter; one
// per statement keeps each message bounded).
func (s *Store) AppendHistory(ctx context.Context, points []*kolgraph.HistoryPoint) error {
	rows := make([]map[string]any, len(points))
	for i, p := range points {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("history point %d: %w", i, err)
		}
		rows[i] = map[string]any{
			"id": historyID(p.Scope, p.Metric, p.Version), "scope": p.Scope, "metric": p.Metric,
			"version": int64(p.Version), "at": p.At.UnixNano(),
			"body": base64.StdEncoding.EncodeToString(kolgraph.EncodeHistoryScores(nil, p.IDs, p.Scores)),
		}
	}
	if len(rows) == 0 {
		return ctx.Err()
	}
	return s.write(ctx, "append history", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		for _, r := range rows {
			if err := exec1(ctx, tx, "UNWIND $rows AS r MERGE (n:HistoryPoint {id: r.id}) SET n = r",
				map[string]any{"rows": []any{r}}); err != nil {
				return err
			}
		}
		return nil
	})
}

// historyStamps reads the stamps (and ids) of the points of one scope and
// metric, or of all points when scope is "", in version order.
func historyStamps(ctx context.Context, tx neo4j.ManagedTransaction, scope, metric string) ([]kolgraph.HistoryStamp, []string, error) {
	var stamps []kolgraph.HistoryStamp
	var ids []string
	q, p := "MATCH (n:HistoryPoint) RETURN n.id, n.scope, n.metric, n.version, n.at", map[string]any{}
	if scope != "" {
		q = "MATCH (n:HistoryPoint) WHERE n.scope = $scope AND n.metric = $metric RETURN n.id, n.scope, n.metric, n.version, n.at"
		p = map[string]any{"scope": scope, "metric": metric}
	}
	err := each(ctx, tx, q, p, func(vals []any) error {
		d := decoder{vals: vals}
		ids = append(ids, d.str(0))
		stamps = append(stamps, kolgraph.HistoryStamp{Scope: d.str(1), Metric: d.str(2), Version: uint64(d.int(3)),
			At: time.Unix(0, int64(d.int(4))).UTC()})
		return d.err
	})
	if err != nil {
		return nil, nil, err
	}
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		x, y := stamps[a], stamps[b]
		return cmp.Or(strings.Compare(x.Scope, y.Scope), strings.Compare(x.Metric, y.Metric), cmp.Compare(x.Version, y.Version))
	})
	sortedS, sortedI := make([]kolgraph.HistoryStamp, len(order)), make([]string, len(order))
	for i, j := range order {
		sortedS[i], sortedI[i] = stamps[j], ids[j]
	}
	return sortedS, sortedI, nil
}

// historyBodies reads the points of ids, in that order.
func historyBodies(ctx context.Context, tx neo4j.ManagedTransaction, ids []string) ([]*kolgraph.HistoryPoint, error) {
	byID := make(map[string]*kolgraph.HistoryPoint, len(ids))
	err := each(ctx, tx, "MATCH (n:HistoryPoint) WHERE n.id IN $ids RETURN n.id, n.scope, n.metric, n.version, n.at, n.body",
		map[string]any{"ids": ids}, func(vals []any) error {
			d := decoder{vals: vals}
			id, body := d.str(0), d.str(5)
			p := &kolgraph.HistoryPoint{Scope: d.str(1), Metric: d.str(2), Version: uint64(d.int(3)), At: time.Unix(0, int64(d.int(4))).UTC()}
			if d.err != nil {
				return d.err
			}
			raw, err := base64.StdEncoding.DecodeString(body)
			if err != nil {
				return fmt.Errorf("history point %s: %w", id, err)
			}
			if p.IDs, p.Scores, err = kolgraph.DecodeHistoryScores(raw); err != nil {
				return fmt.Errorf("history point %s: %w", id, err)
			}
			byID[id] = p
			return nil
		})
	if err != nil {
		return nil, err
	}
	out := make([]*kolgraph.HistoryPoint, 0, len(ids))
	for _, id := range ids {
		if p := byID[id]; p != nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// History implements kolgraph.Store: the stamps of the scope and metric,
// then the bodies of those in the time range.
func (s *Store) History(ctx context.Context, scope, metric string, from, to time.Time) ([]*kolgraph.HistoryPoint, error) {
	var out []*kolgraph.HistoryPoint
	err := s.read(ctx, "read history", s.cfg.Timeout, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		stamps, ids, err := historyStamps(ctx, tx, scope, metric)
		if err != nil {
			return err
		}
		var want []string
		for i, st := range stamps {
			if (from.IsZero() || !st.At.Before(from)) && (to.IsZero() || st.At.Before(to)) {
				want = append(want, ids[i])
			}
		}
		if len(want) == 0 {
			out = nil
			return nil
		}
		out, err = historyBodies(ctx, tx, want)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// LatestHistory implements kolgraph.Store: the stamps of the scope and
// metric, then one body.
func (s *Store) LatestHistory(ctx context.Context, scope, metric string, notAfter time.Time) (*kolgraph.HistoryPoint, error) {
	var out *kolgraph.HistoryPoint
	err := s.read(ctx, "read history", s.cfg.Timeout, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		out = nil
		stamps, ids, err := historyStamps(ctx, tx, scope, metric)
		if err != nil {
			return err
		}
		last := ""
		for i, st := range stamps {
			if notAfter.IsZero() || !st.At.After(notAfter) {
				last = ids[i]
			}
		}
		if last == "" {
			return nil
		}
		ps, err := historyBodies(ctx, tx, []string{last})
		if len(ps) == 1 {
			out = ps[0]
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// PruneHistory implements kolgraph.Store: every stamp is read and the
// dropped points deleted, in one write transaction.
func (s *Store) PruneHistory(ctx context.Context, r kolgraph.HistoryRetention, now time.Time) (int, error) {
	if err := r.Validate(); err != nil {
		return 0, err
	}
	n := 0
	err := s.write(ctx, "prune history", func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		n = 0
		stamps, _, err := historyStamps(ctx, tx, "", "")
		if err != nil {
			return err
		}
		var drop []string
		for _, st := range r.Drop(stamps, now) {
			drop = append(drop, historyID(st.Scope, st.Metric, st.Version))
		}
		n = len(drop)
		return deleteNodes(ctx, tx, s, "HistoryPoint", drop)
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
