package kolgraph

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
	"time"
)

// HistoryPoint is one scope's scores of one metric at one graph version:
// what the influence history (internal/history) records after a snapshot
// swap, so that a ranking can be compared across versions after a restart.
// It is service data, not a graph record: storing one changes no Version
// and writes no audit entry.
type HistoryPoint struct {
	// Scope is the scope's key as snapshot.Scope.Key gives it: "all",
	// "territory:T01", "hospital:H001", "department:D001-01".
	Scope string
	// Metric is the metric's name (scoring.Metric), e.g. "INFLUENCE".
	Metric string
	// Version is the graph version the scores were computed on.
	Version uint64
	// At is when that version was written (for a seeded change, the
	// change's date), UTC.
	At time.Time
	// IDs are the scope's HCP ids, ascending; Scores are aligned with them.
	IDs    []string
	Scores []float64
}

// Bounds of a history point, so that a corrupt or hostile one cannot make
// a store hold or hand out unbounded data.
const (
	MaxHistoryHCPs  = 2_000_000
	MaxHistoryScope = 200
	MaxHistoryName  = 64
)

// Validate reports what is wrong with a point: an empty or over-long scope
// or metric, a zero version or time, ids not ascending or not ids, scores
// not aligned with them or not finite (EINVALID).
func (p *HistoryPoint) Validate() error {
	var c checker
	switch {
	case p.Scope == "" || len(p.Scope) > MaxHistoryScope || strings.ContainsRune(p.Scope, 0):
		c.add("scope", "must be 1-%d bytes without NUL (got %q)", MaxHistoryScope, p.Scope)
	case p.Scope != "all" && !validScopeKey(p.Scope):
		c.add("scope", "must be all or kind:id (got %q)", p.Scope)
	}
	if p.Metric == "" || len(p.Metric) > MaxHistoryName || strings.ContainsRune(p.Metric, 0) {
		c.add("metric", "must be 1-%d bytes without NUL (got %q)", MaxHistoryName, p.Metric)
	}
	if p.Version == 0 {
		c.add("version", "must be a written graph version (got 0)")
	}
	if p.At.IsZero() {
		c.add("at", "is required")
	}
	switch {
	case len(p.IDs) != len(p.Scores):
		c.add("scores", "has %d values for %d ids", len(p.Scores), len(p.IDs))
	case len(p.IDs) > MaxHistoryHCPs:
		c.add("ids", "has %d ids, at most %d", len(p.IDs), MaxHistoryHCPs)
	}
	for i, id := range p.IDs {
		if !ValidID(id) {
			c.add("ids", "%q is not an id", id)
			break
		}
		if i > 0 && p.IDs[i-1] >= id {
			c.add("ids", "are not strictly ascending at %q", id)
			break
		}
	}
	for _, x := range p.Scores {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			c.add("scores", "must be finite (got %v)", x)
			break
		}
	}
	if len(c.ps) > 0 {
		return Invalid(c.ps)
	}
	return nil
}

func validScopeKey(k string) bool {
	kind, id, ok := strings.Cut(k, ":")
	return ok && (kind == "hospital" || kind == "department" || kind == "territory") && ValidID(id)
}

// SameScores reports whether p and q hold the same HCPs with the same
// scores (bit for bit): the recorder stores a point only when they differ.
func (p *HistoryPoint) SameScores(q *HistoryPoint) bool {
	return slices.Equal(p.IDs, q.IDs) && slices.EqualFunc(p.Scores, q.Scores,
		func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) })
}

// EncodeHistoryScores appends the compact form of ids and scores to b, the
// one both stores keep (the embedded store as bytes, Neo4j as base64):
//
//	uvarint n, then per HCP: uvarint prefix, uvarint len(suffix), suffix,
//	8 bytes big-endian float64 bits
//
// where prefix is the length shared with the previous id (ids ascend, so
// "P000123" after "P000122" costs 3 bytes instead of 8). Scores stay
// float64: float32 would merge PageRank values that differ in the 8th
// digit, inventing ties and rank changes the graph never had, and the
// recorder compares points bit for bit. A point of the seed region's 6,000
// HCPs is about 66 kB; an unchanged scope stores nothing (see
// internal/history).
func EncodeHistoryScores(b []byte, ids []string, scores []float64) []byte {
	b = binary.AppendUvarint(b, uint64(len(ids)))
	prev := ""
	for i, id := range ids {
		n := 0
		for n < len(prev) && n < len(id) && prev[n] == id[n] {
			n++
		}
		b = binary.AppendUvarint(b, uint64(n))
		b = binary.AppendUvarint(b, uint64(len(id)-n))
		b = append(b, id[n:]...)
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(scores[i]))
		prev = id
	}
	return b
}

var errHistoryCorrupt = errors.New("corrupt history scores")

// DecodeHistoryScores reverses EncodeHistoryScores; b must hold exactly
// one encoding.
func DecodeHistoryScores(b []byte) (ids []string, scores []float64, err error) {
	n, k := binary.Uvarint(b)
	// Every HCP takes at least 11 bytes: a bound on n before allocating.
	if k <= 0 || n > MaxHistoryHCPs || n > uint64(len(b))/11 {
		return nil, nil, errHistoryCorrupt
	}
	b = b[k:]
	// The ids are built in one buffer and cut from one string: two
	// allocations instead of one per HCP (a region's series decodes
	// 6,000 ids per point).
	ends := make([]int, n)
	scores = make([]float64, n)
	buf := make([]byte, 0, len(b))
	prev := 0 // start of the previous id in buf
	for i := range ends {
		pre, k1 := binary.Uvarint(b)
		if k1 <= 0 || (i == 0 && pre > 0) || (i > 0 && pre > uint64(ends[i-1]-prev)) {
			return nil, nil, errHistoryCorrupt
		}
		b = b[k1:]
		suf, k2 := binary.Uvarint(b)
		if k2 <= 0 || suf > uint64(len(b)) || uint64(len(b))-uint64(k2) < suf+8 {
			return nil, nil, errHistoryCorrupt
		}
		b = b[k2:]
		start := len(buf)
		buf = append(buf, buf[prev:prev+int(pre)]...)
		buf = append(buf, b[:suf]...)
		b = b[suf:]
		scores[i] = math.Float64frombits(binary.BigEndian.Uint64(b))
		b = b[8:]
		ends[i], prev = len(buf), start
	}
	if len(b) != 0 {
		return nil, nil, errHistoryCorrupt
	}
	all := string(buf)
	ids = make([]string, n)
	for i, end := range ends {
		start := 0
		if i > 0 {
			start = ends[i-1]
		}
		ids[i] = all[start:end]
	}
	return ids, scores, nil
}

// HistoryStamp is a stored point without its scores: what retention
// decides on.
type HistoryStamp struct {
	Scope, Metric string
	Version       uint64
	At            time.Time
}

// HistoryRetention says which points are kept: every point younger than
// KeepAll; then at most one per UTC day (the day's last: the highest
// version) younger than MaxAge; none older. The newest point of each
// scope and metric is always kept whatever its age: it still describes
// the scope's current scores, and the recorder compares the next version
// with it.
type HistoryRetention struct {
	KeepAll time.Duration
	MaxAge  time.Duration
}

// DefaultHistoryRetention keeps every point for 30 days and a daily one
// for 400 days.
func DefaultHistoryRetention() HistoryRetention {
	return HistoryRetention{KeepAll: 30 * 24 * time.Hour, MaxAge: 400 * 24 * time.Hour}
}

// Validate checks that both durations are positive and KeepAll is not
// longer than MaxAge (EINVALID).
func (r HistoryRetention) Validate() error {
	if r.KeepAll <= 0 || r.MaxAge <= 0 || r.KeepAll > r.MaxAge {
		return Errorf(EINVALID, "history retention: keep-all (%v) and max age (%v) must be positive, keep-all not longer", r.KeepAll, r.MaxAge)
	}
	return nil
}

// Drop returns the points of stamps that r drops at now, in any order.
// stamps may mix scopes and metrics and come in any order. O(n log n).
func (r HistoryRetention) Drop(stamps []HistoryStamp, now time.Time) []HistoryStamp {
	s := slices.Clone(stamps)
	// By scope, metric, then newest first: the first of a group is its
	// newest point, the first of a day within it the day's last.
	slices.SortFunc(s, func(a, b HistoryStamp) int {
		if c := strings.Compare(a.Scope, b.Scope); c != 0 {
			return c
		}
		if c := strings.Compare(a.Metric, b.Metric); c != 0 {
			return c
		}
		switch {
		case a.Version > b.Version:
			return -1
		case a.Version < b.Version:
			return 1
		}
		return 0
	})
	var out []HistoryStamp
	for i, p := range s {
		newest := i == 0 || s[i-1].Scope != p.Scope || s[i-1].Metric != p.Metric
		age := now.Sub(p.At)
		switch {
		case newest, age < r.KeepAll:
		case age >= r.MaxAge:
			out = append(out, p)
		case sameDay(s[i-1].At, p.At):
			// A later point of the same scope, metric and day is kept or
			// was already dropped for the same day: this one goes.
			out = append(out, p)
		}
	}
	return out
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.UTC().Date()
	by, bm, bd := b.UTC().Date()
	return ay == by && am == bm && ad == bd
}
