package history

import (
	"cmp"
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/analytics"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// Point is one HCP's score in one recorded version of a scope.
type Point struct {
	Version      uint64
	GraphVersion string // "v" + Version, as results cite it
	At           time.Time
	Score        float64
	// Rank is 1-based within the scope at that version: by score
	// descending, ties by HCP id, as rankings order them.
	Rank int
}

// Series returns hcpID's score in every recorded point of the scope and
// metric, oldest first; a point the HCP is absent from (not yet, or no
// longer, in the scope) is skipped. A scope naming several kinds, a metric
// the service does not record (Metrics) or an empty id is EINVALID; an
// HCP or scope without history (an unknown id, a department: only the
// region, territories and hospitals are recorded) gives an empty series.
func (s *Service) Series(ctx context.Context, sc snapshot.Scope, metric scoring.Metric, hcpID string) ([]Point, error) {
	return s.Reader(s.store, s.store).Series(ctx, sc, metric, hcpID)
}

// PointStore reads recorded points (kolgraph.Store does; a
// territory-scoped one shows its territories' scopes only).
type PointStore interface {
	History(ctx context.Context, scope, metric string, from, to time.Time) ([]*kolgraph.HistoryPoint, error)
	LatestHistory(ctx context.Context, scope, metric string, notAfter time.Time) (*kolgraph.HistoryPoint, error)
}

// AuditReader reads the audit log, for Changes' explanations.
type AuditReader interface {
	AuditLog(ctx context.Context, f kolgraph.AuditFilter, p kolgraph.Page) (*kolgraph.AuditPage, error)
}

// Reader answers Series and Changes from the points of one store and the
// audit log of another: a caller's own store for the points (its
// territories only) and the service's for the explanations, which the
// caller filters to what it may see (a role without the audit log still
// learns which ties of its territories changed).
type Reader struct {
	points  PointStore
	audit   AuditReader
	metrics []scoring.Metric
}

// Reader returns a reader of the service's metrics over points and audit.
func (s *Service) Reader(points PointStore, audit AuditReader) *Reader {
	return &Reader{points: points, audit: audit, metrics: s.opts.Metrics}
}

// Series is Service.Series through r's stores.
func (s *Reader) Series(ctx context.Context, sc snapshot.Scope, metric scoring.Metric, hcpID string) ([]Point, error) {
	if err := s.check(sc, metric); err != nil {
		return nil, err
	}
	if hcpID == "" {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "an HCP id is required")
	}
	ps, err := s.points.History(ctx, sc.Key(), string(metric), time.Time{}, time.Time{})
	if err != nil {
		return nil, err
	}
	var out []Point
	for _, p := range ps {
		i, ok := slices.BinarySearch(p.IDs, hcpID)
		if !ok {
			continue
		}
		x := p.Scores[i]
		rank := 1
		for j, y := range p.Scores {
			if y > x || (y == x && j < i) {
				rank++
			}
		}
		out = append(out, Point{Version: p.Version, GraphVersion: graphVersion(p.Version), At: p.At, Score: x, Rank: rank})
	}
	return out, nil
}

// Stamp names one recorded point of a scope.
type Stamp struct {
	Version      uint64
	GraphVersion string
	At           time.Time
}

// Changes are the movers of a scope and metric between two recorded
// points.
type Changes struct {
	Scope  snapshot.Scope
	Metric scoring.Metric
	// From is the last point at or before the asked time (the first point
	// when none is that old), To the latest point; both nil when the scope
	// has no history yet, equal when it has one point.
	From, To *Stamp
	// Movers are the HCPs whose score changed, entered or left the scope,
	// by |After - Before| descending, then id; at most the first asked.
	Movers []Mover
	// Total counts all movers, before the cut to first.
	Total int
	// ExplainedPartial is set when the audit log between the two versions
	// was longer than one look reads (MaxAuditScan entries): movers may
	// lack explanations then.
	ExplainedPartial bool
}

// Mover is one HCP's change between From and To. An HCP entering the
// scope has Entered set, Before 0 and RankBefore 0; one leaving has Left
// set, After 0 and RankAfter 0.
type Mover struct {
	HCPID                 string
	Before, After         float64
	Delta                 float64 // After - Before
	RankBefore, RankAfter int     // 1-based; 0 when absent
	Entered, Left         bool
	// Explained are the audit entries of versions after From up to To
	// that touch the HCP (its record, its committee seats, its influence
	// ties either way), the latest MaxExplained in log order. Entries of
	// the HCP record itself carry no Before/After: those hold personal
	// data, which goes out masked by role through the HCP, not here.
	Explained []kolgraph.AuditEntry
}

// Bounds of Changes' explanations.
const (
	MaxExplained = 5
	MaxAuditScan = 50_000
)

// Changes compares the scope's point at since (the last one at or before
// it, or the first) with its latest, and returns up to first movers (first
// above kolgraph.MaxPageSize is capped; 0 gives none, with Total). A scope
// naming several kinds, a metric the service does not record or a
// negative first is EINVALID.
func (s *Service) Changes(ctx context.Context, sc snapshot.Scope, metric scoring.Metric, since time.Time, first int) (*Changes, error) {
	return s.Reader(s.store, s.store).Changes(ctx, sc, metric, since, first)
}

// Changes is Service.Changes through r's stores.
func (s *Reader) Changes(ctx context.Context, sc snapshot.Scope, metric scoring.Metric, since time.Time, first int) (*Changes, error) {
	if err := s.check(sc, metric); err != nil {
		return nil, err
	}
	size, err := kolgraph.Page{First: first}.Size()
	if err != nil {
		return nil, err
	}
	out := &Changes{Scope: sc, Metric: metric}
	to, err := s.points.LatestHistory(ctx, sc.Key(), string(metric), time.Time{})
	if err != nil || to == nil {
		return out, err
	}
	from, err := s.points.LatestHistory(ctx, sc.Key(), string(metric), since)
	if err != nil {
		return nil, err
	}
	if from == nil {
		ps, err := s.points.History(ctx, sc.Key(), string(metric), time.Time{}, time.Time{})
		if err != nil {
			return nil, err
		}
		from = ps[0] // to exists, so there is a first point
	}
	out.From, out.To = stampOf(from), stampOf(to)
	movers := diff(from, to)
	out.Total = len(movers)
	out.Movers = movers[:min(size, len(movers))]
	if len(out.Movers) > 0 && to.Version > from.Version {
		out.ExplainedPartial, err = s.explain(ctx, from.Version, to.Version, out.Movers)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// diff returns the movers from p to q, sorted.
func diff(p, q *kolgraph.HistoryPoint) []Mover {
	rp, rq := ranks(p), ranks(q)
	var out []Mover
	i, j := 0, 0
	for i < len(p.IDs) || j < len(q.IDs) {
		var m Mover
		switch {
		case j == len(q.IDs) || (i < len(p.IDs) && p.IDs[i] < q.IDs[j]):
			m = Mover{HCPID: p.IDs[i], Before: p.Scores[i], RankBefore: rp[i], Left: true}
			i++
		case i == len(p.IDs) || q.IDs[j] < p.IDs[i]:
			m = Mover{HCPID: q.IDs[j], After: q.Scores[j], RankAfter: rq[j], Entered: true}
			j++
		default:
			m = Mover{HCPID: p.IDs[i], Before: p.Scores[i], After: q.Scores[j], RankBefore: rp[i], RankAfter: rq[j]}
			i++
			j++
			if m.Before == m.After {
				continue
			}
		}
		m.Delta = m.After - m.Before
		out = append(out, m)
	}
	slices.SortFunc(out, func(a, b Mover) int {
		if c := cmp.Compare(math.Abs(b.Delta), math.Abs(a.Delta)); c != 0 {
			return c
		}
		return strings.Compare(a.HCPID, b.HCPID)
	})
	return out
}

// ranks are the 1-based ranks of p's HCPs, aligned with p.IDs.
func ranks(p *kolgraph.HistoryPoint) []int {
	out := make([]int, len(p.IDs))
	for r, i := range analytics.RankOrder(p.Scores) {
		out[i] = r + 1
	}
	return out
}

// explain fills the movers' Explained from the audit log entries of
// versions (from, to]: one walk from the cursor after from, at most
// MaxAuditScan entries; it reports whether the walk stopped early.
func (s *Reader) explain(ctx context.Context, from, to uint64, movers []Mover) (partial bool, err error) {
	idx := make(map[string]int, len(movers))
	for i, m := range movers {
		idx[m.HCPID] = i
	}
	add := func(id string, e *kolgraph.AuditEntry) {
		i, ok := idx[id]
		if !ok {
			return
		}
		ex := &movers[i].Explained
		if len(*ex) == MaxExplained {
			*ex = (*ex)[1:] // keep the latest
		}
		*ex = append(*ex, *e)
	}
	after := (&kolgraph.AuditEntry{Version: from, Seq: kolgraph.MaxAuditSeq}).Cursor()
	for scanned := 0; ; {
		page, err := s.audit.AuditLog(ctx, kolgraph.AuditFilter{}, kolgraph.Page{First: kolgraph.MaxPageSize, After: after})
		if err != nil {
			return false, err
		}
		for _, e := range page.Items {
			if e.Version > to {
				return false, nil
			}
			if scanned++; scanned > MaxAuditScan {
				return true, nil
			}
			after = e.Cursor()
			if e.Op == kolgraph.OpRead {
				continue
			}
			switch e.Kind {
			case kolgraph.KindHCPs:
				c := *e
				c.Before, c.After = "", ""
				add(e.EntityID, &c)
			case kolgraph.KindInfluences, kolgraph.KindMemberships:
				a, b, _ := strings.Cut(e.EntityID, "->")
				add(a, e)
				if e.Kind == kolgraph.KindInfluences && b != a {
					add(b, e)
				}
			}
		}
		if !page.HasNext {
			return false, nil
		}
	}
}

func stampOf(p *kolgraph.HistoryPoint) *Stamp {
	return &Stamp{Version: p.Version, GraphVersion: graphVersion(p.Version), At: p.At}
}

func graphVersion(v uint64) string { return "v" + strconv.FormatUint(v, 10) }

// check validates a scope and metric of a query: one scope kind at most,
// a metric the service records.
func (s *Reader) check(sc snapshot.Scope, m scoring.Metric) error {
	n := 0
	for _, v := range []string{sc.Hospital, sc.Department, sc.Territory} {
		if v != "" {
			n++
		}
	}
	if n > 1 {
		return kolgraph.Errorf(kolgraph.EINVALID, "a scope names one of hospital, department or territory, not several")
	}
	if !slices.Contains(s.metrics, m) {
		return kolgraph.Errorf(kolgraph.EINVALID, "the influence history records %s, not %q", metricList(s.metrics), m)
	}
	return nil
}

func metricList(ms []scoring.Metric) string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = string(m)
	}
	return strings.Join(out, ", ")
}

// Metrics are the metrics the service records, which Series and Changes
// answer for.
func (s *Service) Metrics() []scoring.Metric { return slices.Clone(s.opts.Metrics) }
