package graph

import (
	"encoding/base64"
	"math"
	"strconv"
	"strings"

	"github.com/kolgraph/kolgraph/graph/model"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// cursorPrefix versions the opaque cursor format: a cursor is the base64 of
// "c1:" and the id of the last item seen (keyset pagination by id).
const cursorPrefix = "c1:"

func encodeCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cursorPrefix + id))
}

func decodeCursor(c string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || !strings.HasPrefix(string(b), cursorPrefix) || len(b) == len(cursorPrefix) {
		return "", kolgraph.Errorf(kolgraph.EINVALID, "malformed cursor %q", c)
	}
	return string(b[len(cursorPrefix):]), nil
}

// pageArgs validates a connection's first/after arguments.
func pageArgs(first *int, after *string) (kolgraph.Page, error) {
	p := kolgraph.Page{First: 20}
	if first != nil {
		p.First = *first
	}
	if p.First < 0 || p.First > kolgraph.MaxPageSize {
		return p, kolgraph.Errorf(kolgraph.EINVALID, "first must be between 0 and %d (got %d)", kolgraph.MaxPageSize, p.First)
	}
	if after != nil && *after != "" {
		id, err := decodeCursor(*after)
		if err != nil {
			return p, err
		}
		p.After = id
	}
	return p, nil
}

// Ranking cursors are offsets into the ranking ("r1:" + offset). A ranking
// is recomputed when the graph version changes, so pages of different
// versions may overlap; each page reports its graphVersion.
const rankCursorPrefix = "r1:"

// maxRankOffset bounds a decoded offset: no list paged by offset holds more
// items than a graph holds HCPs, far below it, and arithmetic on a larger
// offset (the next page's start) could overflow.
const maxRankOffset = math.MaxInt32

// decodeRankCursor returns the offset of the item a cursor names. Only
// cursors encodeRankCursor could have made are accepted: canonical decimal
// digits, no sign, at most maxRankOffset.
func decodeRankCursor(c string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	s, ok := strings.CutPrefix(string(b), rankCursorPrefix)
	if err != nil || !ok {
		return 0, kolgraph.Errorf(kolgraph.EINVALID, "malformed cursor %q", c)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > maxRankOffset || strconv.Itoa(n) != s {
		return 0, kolgraph.Errorf(kolgraph.EINVALID, "malformed cursor %q", c)
	}
	return n, nil
}

func encodeRankCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(rankCursorPrefix + strconv.Itoa(offset)))
}

// offsetPage resolves first/after over a list of n items paged by offset
// cursors (the ranking's): the half-open range [start, end) and its
// PageInfo.
func offsetPage(n int, first *int, after *string) (start, end int, pi *model.PageInfo, err error) {
	k, err := limitArg(first, 20)
	if err != nil {
		return 0, 0, nil, err
	}
	if after != nil && *after != "" {
		if start, err = decodeRankCursor(*after); err != nil {
			return 0, 0, nil, err
		}
		start++
	}
	start = min(start, n)
	end = min(start+k, n)
	pi = &model.PageInfo{HasNextPage: end < n, HasPreviousPage: start > 0}
	if end > start {
		s, e := encodeRankCursor(start), encodeRankCursor(end-1)
		pi.StartCursor, pi.EndCursor = &s, &e
	}
	return start, end, pi, nil
}

// limitArg validates a plain list's first argument (default def).
func limitArg(first *int, def int) (int, error) {
	n := def
	if first != nil {
		n = *first
	}
	if n < 0 || n > kolgraph.MaxPageSize {
		return 0, kolgraph.Errorf(kolgraph.EINVALID, "first must be between 0 and %d (got %d)", kolgraph.MaxPageSize, n)
	}
	return n, nil
}

func pageInfo(ids []string, hasNext bool) *model.PageInfo {
	pi := &model.PageInfo{HasNextPage: hasNext}
	if len(ids) > 0 {
		start, end := encodeCursor(ids[0]), encodeCursor(ids[len(ids)-1])
		pi.StartCursor, pi.EndCursor = &start, &end
	}
	return pi
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func ids(p *string) []string {
	if p == nil || *p == "" {
		return nil
	}
	return []string{*p}
}

func hospitalFilter(f *model.HospitalFilter) kolgraph.HospitalFilter {
	if f == nil {
		return kolgraph.HospitalFilter{}
	}
	return kolgraph.HospitalFilter{
		Territories:  ids(f.Territory),
		City:         str(f.City),
		Province:     str(f.Province),
		Tier:         str(f.Tier),
		NameContains: str(f.NameContains),
	}
}

func hcpFilter(f *model.HCPFilter) kolgraph.HCPFilter {
	if f == nil {
		return kolgraph.HCPFilter{}
	}
	return kolgraph.HCPFilter{
		HospitalIDs:  ids(f.Hospital),
		Territories:  ids(f.Territory),
		DepartmentID: str(f.Department),
		City:         str(f.City),
		Specialty:    str(f.Specialty),
		Role:         str(f.Role),
		Title:        str(f.Title),
		Position:     str(f.Position),
		KOLLevel:     str(f.KolLevel),
		KOLOnly:      f.KolOnly != nil && *f.KolOnly,
		NameContains: str(f.NameContains),
	}
}
