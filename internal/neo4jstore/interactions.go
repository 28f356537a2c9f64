package neo4jstore

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// An interaction is a document, like an account plan:
//
//	(:Interaction {id, hcpId, kamId, productId, date, body})
//
// body is its JSON; the other properties are copies of its fields for the
// filters, the HCP's interactions (indexed hcpId) and the rules (kamId,
// productId). It has no relationships.

const docCols = "n.id, n.body"

func interactionProps(in *kolgraph.Interaction) props {
	r := props{"id": in.ID, "hcpId": in.HCPID, "kamId": in.KAMID, "date": in.Date, "body": docBody(in, in.ID)}
	r.str("productId", in.ProductID)
	return r
}

// docBody is a document's JSON.
func docBody(r any, id string) string {
	body, err := json.Marshal(r)
	if err != nil {
		// The records are plain fields that always encode: a failure is a bug.
		panic("neo4jstore: encode " + id + ": " + err.Error())
	}
	return string(body)
}

// decodeDoc decodes the docCols of a document whose id is id(r).
func decodeDoc[T any](vals []any, id func(*T) string) (*T, error) {
	d := decoder{vals: vals}
	key, body := d.str(0), d.str(1)
	if d.err != nil {
		return nil, d.err
	}
	r := new(T)
	if err := json.Unmarshal([]byte(body), r); err != nil {
		return nil, fmt.Errorf("document %s: %w", key, err)
	}
	if got := id(r); got != key {
		return nil, fmt.Errorf("document %s: body has id %q", key, got)
	}
	return r, nil
}

func decodeInteraction(vals []any) (*kolgraph.Interaction, error) {
	return decodeDoc(vals, func(in *kolgraph.Interaction) string { return in.ID })
}

// Interactions implements kolgraph.Store.
func (s *Store) Interactions(ctx context.Context, ids []string) ([]*kolgraph.Interaction, error) {
	return lookup(ctx, s, "load interactions", "Interaction", docCols, ids, decodeInteraction)
}

// InteractionsOfHCPs implements kolgraph.Store: by date, then id.
func (s *Store) InteractionsOfHCPs(ctx context.Context, hcpIDs []string) ([][]*kolgraph.Interaction, error) {
	return group(ctx, s, "load interactions of HCPs",
		"MATCH (n:Interaction) WHERE n.hcpId IN $ids RETURN "+docCols+", n.hcpId", hcpIDs, 2,
		decodeInteraction, func(a, b *kolgraph.Interaction) int {
			return cmp.Or(strings.Compare(a.Date, b.Date), strings.Compare(a.ID, b.ID))
		})
}

// ListInteractions implements kolgraph.Store, in one read transaction: the
// ids, HCPs and dates of the interactions matching the plain filters, the
// territories of those HCPs when asked, then the bodies of the page.
func (s *Store) ListInteractions(ctx context.Context, f kolgraph.InteractionFilter, p kolgraph.Page) (*kolgraph.InteractionPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	size, err := p.Size()
	if err != nil {
		return nil, err
	}
	var out *kolgraph.InteractionPage
	err = s.read(ctx, "list interactions", s.cfg.Timeout, func(ctx context.Context, tx neo4j.ManagedTransaction) error {
		out = &kolgraph.InteractionPage{}
		w := &where{params: map[string]any{}}
		for _, c := range []struct{ prop, v string }{{"hcpId", f.HCPID}, {"kamId", f.KAMID}, {"productId", f.ProductID}} {
			if c.v != "" {
				w.text(c.prop, false, c.v)
			}
		}
		hcp := map[string]string{}
		err := each(ctx, tx, "MATCH (n:Interaction)"+w.clause()+" RETURN n.id, n.hcpId, n.date"+w.goCols(), w.params, func(vals []any) error {
			d := decoder{vals: vals}
			id, h, date := d.str(0), d.str(1), d.str(2)
			if w.keep(vals[3:]) && (f.From == "" || date >= f.From) && (f.To == "" || date <= f.To) {
				hcp[id] = h
			}
			return d.err
		})
		if err != nil {
			return err
		}
		if len(f.Territories) > 0 {
			terr, err := s.hcpTerritories(ctx, tx, hcp)
			if err != nil {
				return err
			}
			for id, h := range hcp {
				if !slices.Contains(f.Territories, terr[h]) {
					delete(hcp, id)
				}
			}
		}
		out.Items, out.Total, out.HasNext, err = docPage(ctx, s, tx, "Interaction", keysOf(hcp).Sorted(), p.After, size, decodeInteraction)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// hcpTerritories returns the territory of the hospital of each HCP among
// the values of refs (HCPs or hospitals not found are absent).
func (s *Store) hcpTerritories(ctx context.Context, tx neo4j.ManagedTransaction, refs map[string]string) (map[string]string, error) {
	hs := set{}
	for _, h := range refs {
		hs.Add(h)
	}
	hosp, err := s.fetch(ctx, tx, "HCP", "n.hospitalId", hs)
	if err != nil {
		return nil, err
	}
	ids := set{}
	for _, h := range hosp {
		ids.Add(h)
	}
	terr, err := s.fetch(ctx, tx, "Hospital", "n.territoryId", ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(hosp))
	for h, hospital := range hosp {
		if t, ok := terr[hospital]; ok {
			out[h] = t
		}
	}
	return out, nil
}

// docPage is a keyset page of documents of label: ids are those matching
// the filter, ascending; it reads the bodies of up to size of them after
// after (one more tells whether there is a next page).
func docPage[T any](ctx context.Context, s *Store, tx neo4j.ManagedTransaction, label string, ids []string, after string, size int,
	decode func([]any) (*T, error)) (items []*T, total int, hasNext bool, err error) {
	total = len(ids)
	start, _ := slices.BinarySearch(ids, after)
	if after != "" && start < len(ids) && ids[start] == after {
		start++
	}
	want := ids[start:min(len(ids), start+size+1)]
	if len(want) > size {
		want, hasNext = want[:size], true
	}
	if len(want) == 0 {
		return nil, total, hasNext, nil
	}
	rows, err := s.byID(ctx, tx, "MATCH (n:"+label+") WHERE n.id IN $ids RETURN "+docCols, want, 0)
	if err != nil {
		return nil, 0, false, err
	}
	for _, id := range want {
		vals, ok := rows[id]
		if !ok {
			continue // deleted since the first statement (reads not repeatable)
		}
		r, err := decode(vals)
		if err != nil {
			return nil, 0, false, err
		}
		items = append(items, r)
	}
	return items, total, hasNext, nil
}

// loadInteractionFacts reads what the rules and the write need about
// interactions: which deleted ones exist, those of the deleted HCPs, and
// those that reference the deleted users and products.
func (s *Store) loadInteractionFacts(ctx context.Context, tx neo4j.ManagedTransaction, c *changes, b *before) error {
	m, err := s.fetch(ctx, tx, "Interaction", "", c.DelInteractions)
	if err != nil {
		return err
	}
	b.interactions = keysOf(m)
	b.interactionsOfHCP = map[string][]string{}
	got, err := s.children(ctx, tx, "Interaction", "hcpId", present(c.DelHCPs, has(b.hcps)))
	if err != nil {
		return err
	}
	for h, ds := range got {
		b.interactionsOfHCP[h] = memberIDs(ds)
	}
	b.interactionsReferencing = map[string]map[string][]string{}
	for _, ref := range []struct {
		kind, prop string
		ids        []string
	}{
		{kolgraph.KindUsers, "kamId", present(c.DelUsers, b.users.Has)},
		{kolgraph.KindProducts, "productId", present(c.DelProducts, b.products.Has)},
	} {
		got, err := s.children(ctx, tx, "Interaction", ref.prop, ref.ids)
		if err != nil {
			return err
		}
		m := map[string][]string{}
		for id, ds := range got {
			m[id] = memberIDs(ds)
		}
		b.interactionsReferencing[ref.kind] = m
	}
	return nil
}

func (b *before) InteractionsReferencing(kind, id string) []string {
	return b.interactionsReferencing[kind][id]
}

func (b *before) InteractionsOfHCP(id string) []string { return b.interactionsOfHCP[id] }

// deletedInteractions are the stored interactions the change deletes: by
// id, and those of the deleted HCPs.
func (c *changes) deletedInteractions(b *before) []string {
	ids := set{}
	for id := range c.DelInteractions {
		if b.interactions.Has(id) {
			ids.Add(id)
		}
	}
	for h := range c.DelHCPs {
		for _, id := range b.interactionsOfHCP[h] {
			ids.Add(id)
		}
	}
	return ids.Sorted()
}
