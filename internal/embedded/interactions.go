package embedded

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Interactions are documents like account plans: the interactions bucket
// holds each as a format byte and its JSON, and the read model indexes it
// by id, HCP, KAM and product (the reads, and the rules when one of those
// is deleted).

func (g *graph) interactionRefs(in *kolgraph.Interaction) []planRef {
	refs := []planRef{{g.allInteractions, ""}, {g.interactionsByHCP, in.HCPID}, {g.interactionsByKAM, in.KAMID}}
	if in.ProductID != "" {
		refs = append(refs, planRef{g.interactionsByProduct, in.ProductID})
	}
	return refs
}

func (g *graph) putInteraction(in *kolgraph.Interaction) {
	g.delInteraction(in.ID)
	for _, r := range g.interactionRefs(in) {
		r.ix.add(r.parent, in.ID)
	}
	g.interactions[in.ID] = in
}

func (g *graph) delInteraction(id string) {
	old, ok := g.interactions[id]
	if !ok {
		return
	}
	for _, r := range g.interactionRefs(old) {
		r.ix.del(r.parent, id)
	}
	delete(g.interactions, id)
}

// hcpTerritory is the territory of an HCP's hospital ("" when unknown).
func (g *graph) hcpTerritory(id string) string {
	if h, ok := g.hcps[id]; ok {
		if hosp, ok := g.hospitals[h.rec.HospitalID]; ok {
			return hosp.rec.TerritoryID
		}
	}
	return ""
}

func cloneInteraction(in *kolgraph.Interaction) *kolgraph.Interaction { c := *in; return &c }

// appendJSON and decodeJSON are the document encoding: a format byte, then
// the record's JSON as kolgraph encodes it.
func appendJSON[T any](b []byte, r *T, kind string) []byte {
	js, err := json.Marshal(r)
	if err != nil {
		// The records are plain fields that always encode: a failure is a bug.
		panic("embedded: encode " + kind + ": " + err.Error())
	}
	return append(append(b, recordJSON), js...)
}

func decodeJSON[T any](b []byte) (*T, error) {
	if len(b) == 0 || b[0] != recordJSON {
		return nil, errCorrupt
	}
	r := new(T)
	if err := json.Unmarshal(b[1:], r); err != nil {
		return nil, fmt.Errorf("%w: %w", errCorrupt, err)
	}
	return r, nil
}

func appendInteraction(b []byte, r *kolgraph.Interaction) []byte {
	return appendJSON(b, r, kolgraph.KindInteractions)
}

func decodeInteraction(b []byte) (*kolgraph.Interaction, error) {
	return decodeJSON[kolgraph.Interaction](b)
}

func (f facts) InteractionsReferencing(kind, id string) []string {
	switch kind {
	case kolgraph.KindUsers:
		return f.g.interactionsByKAM.get(id)
	case kolgraph.KindProducts:
		return f.g.interactionsByProduct.get(id)
	}
	return nil
}

func (f facts) InteractionsOfHCP(id string) []string { return f.g.interactionsByHCP.get(id) }

// compareInteractions orders an HCP's interactions by date, then id.
func compareInteractions(a, b *kolgraph.Interaction) int {
	return cmp.Or(strings.Compare(a.Date, b.Date), strings.Compare(a.ID, b.ID))
}

// Interactions implements kolgraph.Store.
func (s *Store) Interactions(ctx context.Context, ids []string) ([]*kolgraph.Interaction, error) {
	out := make([]*kolgraph.Interaction, len(ids))
	err := s.read(ctx, func(g *graph) error {
		for i, id := range ids {
			if in, ok := g.interactions[id]; ok {
				out[i] = cloneInteraction(in)
			}
		}
		return nil
	})
	return out, err
}

// InteractionsOfHCPs implements kolgraph.Store.
func (s *Store) InteractionsOfHCPs(ctx context.Context, hcpIDs []string) ([][]*kolgraph.Interaction, error) {
	out := make([][]*kolgraph.Interaction, len(hcpIDs))
	err := s.read(ctx, func(g *graph) error {
		for i, h := range hcpIDs {
			for _, id := range g.interactionsByHCP.get(h) {
				out[i] = append(out[i], cloneInteraction(g.interactions[id]))
			}
			slices.SortFunc(out[i], compareInteractions)
		}
		return nil
	})
	return out, err
}

// ListInteractions implements kolgraph.Store. It walks the ascending ids
// of the narrowest index the filter names (an HCP's, a KAM's or a
// product's interactions, else all).
func (s *Store) ListInteractions(ctx context.Context, f kolgraph.InteractionFilter, p kolgraph.Page) (*kolgraph.InteractionPage, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	size, err := p.Size()
	if err != nil {
		return nil, err
	}
	page := &kolgraph.InteractionPage{}
	err = s.read(ctx, func(g *graph) error {
		var ids []string
		switch {
		case f.HCPID != "":
			ids = g.interactionsByHCP.get(f.HCPID)
		case f.KAMID != "":
			ids = g.interactionsByKAM.get(f.KAMID)
		case f.ProductID != "":
			ids = g.interactionsByProduct.get(f.ProductID)
		default:
			ids = g.allInteractions.get("")
		}
		keyset(ids, p.After, size, &page.Total, &page.HasNext, func(id string) bool {
			in := g.interactions[id]
			return f.Match(in, g.hcpTerritory(in.HCPID))
		}, func(id string) { page.Items = append(page.Items, cloneInteraction(g.interactions[id])) })
		return nil
	})
	if err != nil {
		return nil, err
	}
	return page, nil
}

// keyset pages ascending ids: it counts those that match into total, and
// takes up to size of them after the id after; hasNext says more remain.
func keyset(ids []string, after string, size int, total *int, hasNext *bool, match func(string) bool, take func(string)) {
	start := sort.SearchStrings(ids, after)
	taken := 0
	for i, id := range ids {
		if !match(id) {
			continue
		}
		*total++
		if i < start || (after != "" && id == after) {
			continue
		}
		if taken < size {
			take(id)
			taken++
		} else {
			*hasNext = true
		}
	}
}
