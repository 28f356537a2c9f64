package embedded

import (
	"cmp"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// TestTies runs random puts, replacements and deletes on the ties and on a
// map of records, and after each step compares every read the read model
// makes (get, from, to, targets, sources, len) with the map's, ordered by
// id as the indices of strings were. A scan taken midway must keep
// showing the ties as they were when it was taken.
func TestTies(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	ids := make([]string, 40)
	for i := range ids {
		ids[i] = fmt.Sprintf("P%03d", rng.IntN(1000)) // not in numbering order
	}
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	texts := []string{"", "mentor", "reports_to", "证据 A", "evidence B"}
	tt, model := newTies(), map[kolgraph.EdgeKey]kolgraph.Influence{}
	var scan tieScan
	var scanned map[kolgraph.EdgeKey]kolgraph.Influence
	for step := range 3000 {
		from, to := ids[rng.IntN(len(ids))], ids[rng.IntN(len(ids))]
		k := kolgraph.EdgeKey{From: from, To: to}
		if rng.IntN(3) == 0 {
			tt.del(k)
			delete(model, k)
		} else {
			e := kolgraph.Influence{From: from, To: to, Weight: float64(rng.IntN(100)+1) / 100,
				Kind: texts[rng.IntN(len(texts))], Evidence: texts[rng.IntN(len(texts))],
				UpdatedAt: time.Unix(rng.Int64N(2e9), rng.Int64N(1e9)).UTC()}
			if rng.IntN(2) == 0 {
				tt.put(&e)
			} else {
				b := appendInfluence(nil, &e)
				v, err := decodeInfluenceView(b)
				if err != nil {
					t.Fatal(err)
				}
				tt.putView(&v, func(b []byte) string { return string(b) })
			}
			model[k] = e
		}
		if step == 1500 {
			scan, scanned = tt.scan(), maps.Clone(model)
		}
		if tt.n != len(model) {
			t.Fatalf("step %d: %d ties, want %d", step, tt.n, len(model))
		}
		if got, want := tt.get(k), model[k]; (got == nil) != (want.From == "") || got != nil && *got != want {
			t.Fatalf("step %d: get %v = %v, want %v", step, k, got, want)
		}
	}
	for _, id := range ids {
		var out, in []kolgraph.Influence
		for _, e := range model {
			if e.From == id {
				out = append(out, e)
			}
			if e.To == id {
				in = append(in, e)
			}
		}
		slices.SortFunc(out, func(a, b kolgraph.Influence) int { return cmp.Compare(a.To, b.To) })
		slices.SortFunc(in, func(a, b kolgraph.Influence) int { return cmp.Compare(a.From, b.From) })
		if got := deref(tt.from(id)); !slices.Equal(got, out) {
			t.Errorf("from %s = %v, want %v", id, got, out)
		}
		if got := deref(tt.to(id)); !slices.Equal(got, in) {
			t.Errorf("to %s = %v, want %v", id, got, in)
		}
		targets, sources := tt.targets(id), tt.sources(id)
		if !slices.Equal(targets, ends(out, func(e kolgraph.Influence) string { return e.To })) ||
			!slices.Equal(sources, ends(in, func(e kolgraph.Influence) string { return e.From })) {
			t.Errorf("%s: targets %v, sources %v", id, targets, sources)
		}
	}
	for _, readOnly := range []bool{false, true} {
		seen := map[kolgraph.EdgeKey]kolgraph.Influence{}
		err := scan.visit(func(e *kolgraph.Influence) error { seen[e.Key()] = *e; return nil }, readOnly, func() error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(seen) != fmt.Sprint(scanned) {
			t.Errorf("read-only %v: the scan saw %d ties, not the %d held when it was taken", readOnly, len(seen), len(scanned))
		}
	}
}

func deref(rs []*kolgraph.Influence) []kolgraph.Influence {
	var out []kolgraph.Influence
	for _, r := range rs {
		out = append(out, *r)
	}
	return out
}

func ends(es []kolgraph.Influence, f func(kolgraph.Influence) string) []string {
	var out []string
	for _, e := range es {
		out = append(out, f(e))
	}
	return out
}
