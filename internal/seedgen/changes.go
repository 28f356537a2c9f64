package seedgen

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
)

// ChangeDates are the days of the region's dated tie changes: four Mondays
// in the months before its newest tie (updated 2025-06-30), so that a
// fresh start has a few versions to compare (seed/README.md, "History").
var ChangeDates = []time.Time{
	time.Date(2025, 3, 17, 0, 0, 0, 0, time.UTC),
	time.Date(2025, 4, 14, 0, 0, 0, 0, time.UTC),
	time.Date(2025, 5, 19, 0, 0, 0, 0, time.UTC),
	time.Date(2025, 6, 16, 0, 0, 0, 0, time.UTC),
}

// Changes returns the dated tie changes of region cs, which Generate(cfg)
// made, for seedfile.ChangesFile. They are synthetic but consistent with
// the region: every tie whose updated_at falls on one of ChangeDates
// changed that day, added (7 in 10) or reweighted from a weight 0.15-0.35
// away; and each day three ties that the region no longer has were
// removed, co-authorships between two HCPs of one hospital: one in the
// first hospital (H001 in the seed), so that its scores move every time,
// and two in hospitals drawn at random. Replayed from the region before
// them (seedfile.Replay), they end at cs exactly. The same cfg always gives
// the same changes; cs is not modified.
func Changes(cfg Config, cs *kolgraph.ChangeSet) []seedfile.InfluenceChange {
	g := &gen{cfg: cfg.normalized()}
	r := g.rand(streamChanges)
	day := func(t time.Time) time.Time { return t.UTC().Truncate(24 * time.Hour) }
	var out []seedfile.InfluenceChange
	exists := make(map[kolgraph.EdgeKey]bool, len(cs.Influences))
	for _, e := range cs.Influences {
		exists[e.Key()] = true
		d := day(e.UpdatedAt)
		if !slices.ContainsFunc(ChangeDates, d.Equal) {
			continue
		}
		c := seedfile.InfluenceChange{Date: d, Op: seedfile.ChangeAdd, From: e.From, To: e.To, Kind: e.Kind,
			WeightAfter: e.Weight, Evidence: e.Evidence}
		if chance(r, 0.3) {
			step := uniform(r, 0.15, 0.35)
			before := round2(e.Weight - step)
			if before < 0.05 {
				before = round2(math.Min(1, e.Weight+step))
			}
			if before != e.Weight {
				c.Op, c.WeightBefore = seedfile.ChangeReweight, before
			}
		}
		out = append(out, c)
	}
	staff := map[string][]string{}
	for _, h := range cs.HCPs {
		staff[h.HospitalID] = append(staff[h.HospitalID], h.ID)
	}
	var hospitals []string
	for _, h := range cs.Hospitals {
		if len(staff[h.ID]) >= 2 {
			hospitals = append(hospitals, h.ID)
		}
	}
	slices.Sort(hospitals)
	for _, d := range ChangeDates {
		if len(hospitals) == 0 {
			break
		}
		for n := range 3 {
			h := hospitals[0]
			if n > 0 {
				h = hospitals[r.IntN(len(hospitals))]
			}
			ids := staff[h]
			for range 100 { // a free pair is found at once in any real hospital
				a, b := ids[r.IntN(len(ids))], ids[r.IntN(len(ids))]
				k := kolgraph.EdgeKey{From: a, To: b}
				if a == b || exists[k] {
					continue
				}
				exists[k] = true
				out = append(out, seedfile.InfluenceChange{Date: d, Op: seedfile.ChangeRemove, From: a, To: b,
					Kind: kolgraph.InfluenceCoAuthor, WeightBefore: round2(uniform(r, 0.3, 0.8)),
					Evidence: "co-authored a study that has closed"})
				break
			}
		}
	}
	slices.SortFunc(out, func(a, b seedfile.InfluenceChange) int {
		return cmp.Or(a.Date.Compare(b.Date), strings.Compare(a.From, b.From), strings.Compare(a.To, b.To))
	})
	return out
}
