package neo4jstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// An account plan is a document: (:AccountPlan {id, hospitalId,
// departmentId, productId, ownerId, status, body}), where body is the
// plan's JSON as kolgraph encodes it and the other properties are copies
// of its fields for the filters and the reference checks. Keeping the
// nested content (goals, stakeholders, cited paths) as one string is
// what every server stores and returns unchanged: no nested maps (which
// Neo4j does not store as properties), no floats that come back as
// integers (NornicDB), so a cited path reads back byte-identical.

const planCols = "n.id, n.body"

func accountPlanProps(p *kolgraph.AccountPlan) props {
	body, err := json.Marshal(p)
	if err != nil {
		// Validate has encoded the plan already: a failure here is a bug.
		panic("neo4jstore: encode account plan " + p.ID + ": " + err.Error())
	}
	r := props{"id": p.ID, "hospitalId": p.HospitalID, "productId": p.ProductID, "ownerId": p.OwnerID,
		"status": p.Status, "body": string(body)}
	r.str("departmentId", p.DepartmentID)
	return r
}

func decodeAccountPlan(vals []any) (*kolgraph.AccountPlan, error) {
	d := decoder{vals: vals}
	id, body := d.str(0), d.str(1)
	if d.err != nil {
		return nil, d.err
	}
	p := &kolgraph.AccountPlan{}
	if err := json.Unmarshal([]byte(body), p); err != nil {
		return nil, fmt.Errorf("account plan %s: %w", id, err)
	}
	if p.ID != id {
		return nil, fmt.Errorf("account plan %s: body has id %q", id, p.ID)
	}
	return p, nil
}

// AccountPlans implements kolgraph.Store.
func (s *Store) AccountPlans(ctx context.Context, ids []string) ([]*kolgraph.AccountPlan, error) {
	return lookup(ctx, s, "load account plans", "AccountPlan", planCols, ids, decodeAccountPlan)
}

// ListAccountPlans implements kolgraph.Store, in one read transaction: the
// ids and hospitals of the plans matching the plain filters, the
// territories of those hospitals when asked, then the bodies of the page
// (order, territory and paging in Go, as for the other lists).
func (s *Store) ListAccountPlans(ctx context.Context, f kolgraph.AccountPlanFilter, p kolgraph.Page) (*kolgraph.AccountPlanPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	size, err := p.Size()
	if err != nil {
		return nil, err
	}
	var out *kolgraph.AccountPlanPage
	err = s.read(ctx, "list account plans", s.cfg.Timeout, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		out = &kolgraph.AccountPlanPage{}
		w := &where{params: map[string]any{}}
		for _, c := range []struct{ prop, v string }{
			{"hospitalId", f.HospitalID}, {"productId", f.ProductID}, {"ownerId", f.OwnerID}, {"status", f.Status},
		} {
			if c.v != "" {
				w.text(c.prop, false, c.v)
			}
		}
		hospital := map[string]string{}
		err := each(ctx, tx, "MATCH (n:AccountPlan)"+w.clause()+" RETURN n.id, n.hospitalId"+w.goCols(), w.params, func(vals []any) error {
			d := decoder{vals: vals}
			if w.keep(vals[2:]) {
				hospital[d.str(0)] = d.str(1)
			}
			return d.err
		})
		if err != nil {
			return err
		}
		if len(f.Territories) > 0 {
			hs := set{}
			for _, h := range hospital {
				hs.Add(h)
			}
			terr, err := s.fetch(ctx, tx, "Hospital", "n.territoryId", hs)
			if err != nil {
				return err
			}
			for id, h := range hospital {
				if !slices.Contains(f.Territories, terr[h]) {
					delete(hospital, id)
				}
			}
		}
		ids := keysOf(hospital).Sorted()
		out.Total = len(ids)
		start, _ := slices.BinarySearch(ids, p.After)
		if p.After != "" && start < len(ids) && ids[start] == p.After {
			start++
		}
		want := ids[start:min(len(ids), start+size+1)]
		if len(want) > size {
			want, out.HasNext = want[:size], true
		}
		if len(want) == 0 {
			return nil
		}
		rows, err := s.byID(ctx, tx, "MATCH (n:AccountPlan) WHERE n.id IN $ids RETURN "+planCols, want, 0)
		if err != nil {
			return err
		}
		for _, id := range want {
			vals, ok := rows[id]
			if !ok {
				continue // deleted since the first statement (reads not repeatable)
			}
			pl, err := decodeAccountPlan(vals)
			if err != nil {
				return err
			}
			out.Items = append(out.Items, pl)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// loadPlanFacts reads what the rules need about account plans: the stored
// stakeholders of the plans asked (a.plans), and the plans that reference
// the deleted hospitals, departments, products and users and the moved
// departments.
func (s *Store) loadPlanFacts(ctx context.Context, tx neo4j.ManagedTransaction, c *changes, a asked, b *before) error {
	bodies, err := s.fetch(ctx, tx, "AccountPlan", "n.body", a.plans)
	if err != nil {
		return err
	}
	b.plans = make(map[string][]kolgraph.Stakeholder, len(bodies))
	for id, body := range bodies {
		var p struct {
			Stakeholders []kolgraph.Stakeholder `json:"stakeholders"`
		}
		if err := json.Unmarshal([]byte(body), &p); err != nil {
			return fmt.Errorf("neo4jstore: account plan %s: %w", id, err)
		}
		b.plans[id] = p.Stakeholders
	}
	b.plansReferencing = map[string]map[string][]string{}
	for _, ref := range []struct {
		kind, prop string
		ids        []string
	}{
		{kolgraph.KindHospitals, "hospitalId", present(c.DelHospitals, b.hospitals.Has)},
		{kolgraph.KindDepartments, "departmentId", append(present(c.DelDepartments, has(b.departments)), c.MovedDepartments(b)...)},
		{kolgraph.KindProducts, "productId", present(c.DelProducts, b.products.Has)},
		{kolgraph.KindUsers, "ownerId", present(c.DelUsers, b.users.Has)},
	} {
		got, err := s.children(ctx, tx, "AccountPlan", ref.prop, ref.ids)
		if err != nil {
			return err
		}
		m := map[string][]string{}
		for id, ps := range got {
			m[id] = memberIDs(ps)
		}
		b.plansReferencing[ref.kind] = m
	}
	return nil
}
