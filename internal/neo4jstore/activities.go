package neo4jstore

import (
	"context"
	"slices"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// An academic activity is a document, like an account plan:
//
//	(:Activity {id, territoryId, hospitalId, productId, ownerId, date, hcpIds, body})
//
// body is its JSON; the other properties are copies of its fields for the
// filters and the rules (hcpIds: its speakers and attendees). It has no
// relationships.

func activityProps(a *kolgraph.Activity) props {
	r := props{"id": a.ID, "territoryId": a.TerritoryID, "productId": a.ProductID, "ownerId": a.OwnerID, "date": a.Date,
		"body": docBody(a, a.ID)}
	r.str("hospitalId", a.HospitalID)
	r.strs("hcpIds", a.HCPIDs())
	return r
}

func decodeActivity(vals []any) (*kolgraph.Activity, error) {
	return decodeDoc(vals, func(a *kolgraph.Activity) string { return a.ID })
}

// Activities implements kolgraph.Store.
func (s *Store) Activities(ctx context.Context, ids []string) ([]*kolgraph.Activity, error) {
	return lookup(ctx, s, "load activities", "Activity", docCols, ids, decodeActivity)
}

// ListActivities implements kolgraph.Store, in one read transaction: the
// ids, territories and dates of the activities matching the plain filters,
// then the bodies of the page.
func (s *Store) ListActivities(ctx context.Context, f kolgraph.ActivityFilter, p kolgraph.Page) (*kolgraph.ActivityPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	size, err := p.Size()
	if err != nil {
		return nil, err
	}
	var out *kolgraph.ActivityPage
	err = s.read(ctx, "list activities", s.cfg.Timeout, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		out = &kolgraph.ActivityPage{}
		w := &where{params: map[string]any{}}
		for _, c := range []struct{ prop, v string }{{"territoryId", f.TerritoryID}, {"productId", f.ProductID}, {"ownerId", f.OwnerID}} {
			if c.v != "" {
				w.text(c.prop, false, c.v)
			}
		}
		ids := set{}
		err := each(ctx, tx, "MATCH (n:Activity)"+w.clause()+" RETURN n.id, n.territoryId, n.date"+w.goCols(), w.params, func(vals []any) error {
			d := decoder{vals: vals}
			id, terr, date := d.str(0), d.str(1), d.str(2)
			if w.keep(vals[3:]) && (f.From == "" || date >= f.From) && (f.To == "" || date <= f.To) &&
				(len(f.Territories) == 0 || slices.Contains(f.Territories, terr)) {
				ids.Add(id)
			}
			return d.err
		})
		if err != nil {
			return err
		}
		out.Items, out.Total, out.HasNext, err = docPage(ctx, s, tx, "Activity", ids.Sorted(), p.After, size, decodeActivity)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// loadActivityFacts reads what the rules need about activities: which
// deleted ones exist, the territories of the upserted hospitals and of
// the hospitals of the upserted activities, and the activities that
// reference the deleted territories, hospitals, products, users and HCPs
// and the hospitals that move.
func (s *Store) loadActivityFacts(ctx context.Context, tx neo4j.ManagedTransaction, c *changes, b *before) error {
	m, err := s.fetch(ctx, tx, "Activity", "", c.DelActivities)
	if err != nil {
		return err
	}
	b.activities = keysOf(m)
	hospitals := set{}
	for id := range c.Hospitals {
		hospitals.Add(id)
	}
	for _, a := range c.Activities {
		if a.HospitalID != "" {
			hospitals.Add(a.HospitalID)
		}
	}
	terr, err := s.fetch(ctx, tx, "Hospital", "n.territoryId", hospitals)
	if err != nil {
		return err
	}
	for h, t := range terr {
		b.hospitalTerritory[h] = t
	}
	b.activitiesReferencing = map[string]map[string][]string{}
	for _, ref := range []struct {
		kind, prop string
		ids        []string
	}{
		{kolgraph.KindTerritories, "territoryId", present(c.DelTerritories, b.territories.Has)},
		{kolgraph.KindHospitals, "hospitalId", append(present(c.DelHospitals, b.hospitals.Has), c.MovedHospitals(b)...)},
		{kolgraph.KindProducts, "productId", present(c.DelProducts, b.products.Has)},
		{kolgraph.KindUsers, "ownerId", present(c.DelUsers, b.users.Has)},
	} {
		got, err := s.children(ctx, tx, "Activity", ref.prop, ref.ids)
		if err != nil {
			return err
		}
		m := map[string][]string{}
		for id, ds := range got {
			m[id] = memberIDs(ds)
		}
		b.activitiesReferencing[ref.kind] = m
	}
	// Speakers and attendees are a list property, which not every server
	// indexes or matches alike: the activities are few, so their lists are
	// read and matched here, and only when HCPs are deleted.
	delHCPs := kolgraph.NewIDSet(present(c.DelHCPs, has(b.hcps)))
	byHCP := map[string][]string{}
	b.activitiesReferencing[kolgraph.KindHCPs] = byHCP
	if len(delHCPs) == 0 {
		return nil
	}
	return each(ctx, tx, "MATCH (n:Activity) RETURN n.id, n.hcpIds", nil, func(vals []any) error {
		d := decoder{vals: vals}
		id := d.str(0)
		for _, h := range d.strs(1) {
			if delHCPs.Has(h) {
				byHCP[h] = append(byHCP[h], id)
			}
		}
		return d.err
	})
}

func (b *before) ActivitiesReferencing(kind, id string) []string {
	ids := slices.Clone(b.activitiesReferencing[kind][id])
	slices.Sort(ids)
	return ids
}
