package fieldservice

import (
	"context"
	"time"

	"github.com/kolgraph/kolgraph/internal/fieldwork"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/tiering"
)

// SpeakerCandidates are the ids of the compliant speaker candidates for an
// activity: the first shortlist (0: all) of the speakerCandidates of its
// territory and product (ranked on influence and expertise only, never
// potential or sales).
func SpeakerCandidates(ctx context.Context, d Deps, a *kolgraph.Activity, shortlist int) ([]string, error) {
	res, err := d.Tiering.Tiering(ctx, tiering.Request{Scope: snapshot.Scope{Territory: a.TerritoryID}, ProductID: a.ProductID})
	if err != nil {
		return nil, err
	}
	n := len(res.Speakers)
	if shortlist > 0 {
		n = min(n, shortlist)
	}
	ids := make([]string, n)
	for i, s := range res.Speakers[:n] {
		ids[i] = s.ID
	}
	return ids, nil
}

// CheckActivity refuses an activity whose speakers are not all on the
// compliant shortlist of its territory and product (cfg.SpeakerShortlist;
// EINVALID naming each, fieldwork.CheckSpeakers).
func CheckActivity(ctx context.Context, d Deps, cfg fieldwork.Config, a *kolgraph.Activity) error {
	if len(a.SpeakerIDs) == 0 {
		return nil
	}
	ids, err := SpeakerCandidates(ctx, d, a, cfg.SpeakerShortlist)
	if err != nil {
		return err
	}
	return fieldwork.CheckSpeakers(a, ids)
}

// Evaluate returns the ROI and compliance flags of acts, in their order.
// The yearly spend per HCP counts every activity the store shows in the
// calendar years of acts (for a territory-scoped caller: its
// territories'), and the lift reads the attendees' facts from the current
// snapshot, whose latest month of each product says whether a lift is
// final.
func Evaluate(ctx context.Context, d Deps, cfg fieldwork.Config, acts []*kolgraph.Activity) ([]fieldwork.Result, error) {
	if len(acts) == 0 {
		return nil, nil
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	first, last := acts[0].Date[:4], acts[0].Date[:4]
	for _, a := range acts {
		first, last = min(first, a.Date[:4]), max(last, a.Date[:4])
	}
	all, err := listAll(ctx, d.Store, kolgraph.ActivityFilter{From: first + "-01-01", To: last + "-12-31"})
	if err != nil {
		return nil, err
	}
	index := make(map[string]int, len(all))
	for i := range all {
		index[all[i].ID] = i
	}
	for _, a := range acts { // one not stored (yet) counts too
		if _, ok := index[a.ID]; !ok {
			index[a.ID] = len(all)
			all = append(all, *a)
		}
	}
	snap, err := d.Snapshots.Get()
	if err != nil {
		return nil, err
	}
	facts, latest := attendeeFacts(snap, all)
	rs := fieldwork.Evaluate(cfg, all, facts, latest)
	out := make([]fieldwork.Result, len(acts))
	for i, a := range acts {
		out[i] = rs[index[a.ID]]
	}
	return out, nil
}

// listAll reads every activity matching f, page by page.
func listAll(ctx context.Context, st kolgraph.Store, f kolgraph.ActivityFilter) ([]kolgraph.Activity, error) {
	var out []kolgraph.Activity
	p := kolgraph.Page{First: kolgraph.MaxPageSize}
	for {
		pg, err := st.ListActivities(ctx, f, p)
		if err != nil {
			return nil, err
		}
		for _, a := range pg.Items {
			out = append(out, *a)
		}
		if !pg.HasNext || len(pg.Items) == 0 {
			return out, nil
		}
		p.After = pg.Items[len(pg.Items)-1].ID
	}
}

// attendeeFacts are the facts of the activities' attendees for their
// products, and each product's latest month with facts in the snapshot.
func attendeeFacts(snap *snapshot.Snapshot, acts []kolgraph.Activity) ([]kolgraph.PrescriptionFact, map[string]string) {
	products := map[string]bool{}
	wanted := map[string]map[string]bool{} // HCP -> products
	for _, a := range acts {
		products[a.ProductID] = true
		for _, h := range a.AttendeeIDs {
			if wanted[h] == nil {
				wanted[h] = map[string]bool{}
			}
			wanted[h][a.ProductID] = true
		}
	}
	var facts []kolgraph.PrescriptionFact
	for h, ps := range wanted {
		for _, s := range snap.Sales[h] {
			if ps[s.ProductID] {
				facts = append(facts, kolgraph.PrescriptionFact{HCPID: h, ProductID: s.ProductID, Month: kolgraph.MonthName(int(s.Month)), Volume: s.Volume})
			}
		}
	}
	months := make(map[string]string, len(products))
	for p := range products {
		if m, ok := snap.LatestSale(p); ok {
			months[p] = kolgraph.MonthName(int(m))
		}
	}
	return facts, months
}

// ActivityRequest asks for the activity ROI report of the activities of a
// territory (empty: all the caller sees), product and owner (empty: any)
// dated within [From, To] (dates, inclusive; empty: open).
type ActivityRequest struct {
	TerritoryID, ProductID, OwnerID, From, To string
	Config                                    fieldwork.Config
	// SettingsVersion is printed on the report.
	SettingsVersion int
}

// ActivityReport is the ROI report of req's activities, in id order.
func ActivityReport(ctx context.Context, d Deps, req ActivityRequest, lang labels.Lang) (*fieldwork.ROIReport, error) {
	acts, err := listAll(ctx, d.Store, kolgraph.ActivityFilter{TerritoryID: req.TerritoryID, ProductID: req.ProductID,
		OwnerID: req.OwnerID, From: req.From, To: req.To})
	if err != nil {
		return nil, err
	}
	ptrs := make([]*kolgraph.Activity, len(acts))
	for i := range acts {
		ptrs[i] = &acts[i]
	}
	rs, err := Evaluate(ctx, d, req.Config, ptrs)
	if err != nil {
		return nil, err
	}
	scope := labels.T(lang, "All territories")
	if req.TerritoryID != "" {
		scope = labels.T(lang, "Territory") + " " + req.TerritoryID
	}
	if req.ProductID != "" {
		scope += " · " + req.ProductID
	}
	if req.From != "" || req.To != "" {
		scope += " · " + req.From + "–" + req.To
	}
	return &fieldwork.ROIReport{Lang: lang, Scope: scope,
		GeneratedAt: time.Now(), SettingsVersion: req.SettingsVersion, Config: req.Config, Results: rs}, nil
}
