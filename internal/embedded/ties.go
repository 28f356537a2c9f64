package embedded

import (
	"slices"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// ties is the read model's influence edges, held compactly: ties are most
// of a region (10.5M of the 11.8M records of a million-HCP one), and as
// records in a map by key with two indices of id strings they took about
// 240 bytes each; here a tie is one slot of fixed-size columns and two
// references of 8 bytes, about 50 bytes (see the README's scale section).
//
// HCPs are numbered on their first tie (node), and their ids kept once, as
// the HCP records hold them (ids). A node's out-references are ordered by
// the target's id and its in-references by the source's id, as the
// indices of strings were. Kinds and evidence texts are kept once each
// (texts) and never dropped: a text no tie uses any more stays until the
// store is opened again, so that a scan may keep the tables it saw
// (entries below the length it saw never change, as node numbers never
// do).
//
// A tie read out is a new record built from its slot; ties reads under the
// Store's locks like the rest of the graph.
type ties struct {
	node map[string]int32 // HCP id -> node
	ids  []string         // node -> HCP id
	out  [][]tieRef       // node -> its ties as the source, by target id
	in   [][]tieRef       // node -> its ties as the target, by source id

	// The columns, by slot; free holds the slots of deleted ties.
	weight     []float64
	kind, evid []int32 // into texts
	sec        []int64 // UpdatedAt, Unix seconds and nanoseconds, UTC
	nsec       []int32
	free       []int32
	n          int   // ties held
	last       int32 // the node nodeOfBytes found last

	texts  []string
	textOf map[string]int32
}

// tieRef is one end's view of a tie: the node at the other end and the
// tie's slot.
type tieRef struct{ node, slot int32 }

func newTies() *ties {
	return &ties{node: map[string]int32{}, textOf: map[string]int32{}}
}

// grow sizes the tables for about n more ties between about nodes HCPs,
// so that a load does not regrow them twenty times.
func (t *ties) grow(n, nodes int) {
	if len(t.node) == 0 {
		t.node = make(map[string]int32, nodes)
	}
	t.ids = slices.Grow(t.ids, nodes)
	t.out = slices.Grow(t.out, nodes)
	t.in = slices.Grow(t.in, nodes)
	t.weight = slices.Grow(t.weight, n)
	t.kind = slices.Grow(t.kind, n)
	t.evid = slices.Grow(t.evid, n)
	t.sec = slices.Grow(t.sec, n)
	t.nsec = slices.Grow(t.nsec, n)
}

// nodeOf returns id's node, numbering it if it has none.
func (t *ties) nodeOf(id string) int32 {
	if v, ok := t.node[id]; ok {
		return v
	}
	return t.number(id)
}

// nodeOfBytes is nodeOf for an id in bytes, which a new node keeps as
// canon gives it. A load puts the ties of one source in a row: its node is
// found once for them.
func (t *ties) nodeOfBytes(id []byte, canon func([]byte) string) int32 {
	if len(t.ids) > 0 && t.ids[t.last] == string(id) {
		return t.last
	}
	v, ok := t.node[string(id)]
	if !ok {
		v = t.number(canon(id))
	}
	t.last = v
	return v
}

func (t *ties) number(id string) int32 {
	v := int32(len(t.ids))
	t.node[id] = v
	t.ids = append(t.ids, id)
	t.out = append(t.out, nil)
	t.in = append(t.in, nil)
	return v
}

func (t *ties) text(s string) int32 {
	if i, ok := t.textOf[s]; ok {
		return i
	}
	return t.addText(s)
}

func (t *ties) textOfBytes(b []byte) int32 {
	if i, ok := t.textOf[string(b)]; ok {
		return i
	}
	return t.addText(string(b))
}

func (t *ties) addText(s string) int32 {
	i := int32(len(t.texts))
	t.texts = append(t.texts, s)
	t.textOf[s] = i
	return i
}

// search returns where the node with id would be in refs, ordered by id,
// and whether it is there. A ref past the last one, the common case of a
// load in key order, costs one comparison.
func (t *ties) search(refs []tieRef, id string) (int, bool) {
	if n := len(refs); n == 0 || t.ids[refs[n-1].node] < id {
		return n, false
	}
	return slices.BinarySearchFunc(refs, id, func(r tieRef, id string) int { return strings.Compare(t.ids[r.node], id) })
}

// put adds or replaces the tie e, whose ids are the HCP records' strings.
// It keeps nothing of e but those strings and its texts.
func (t *ties) put(e *kolgraph.Influence) {
	t.set(t.nodeOf(e.From), t.nodeOf(e.To), e.Weight, t.text(e.Kind), t.text(e.Evidence), e.UpdatedAt)
}

// putView is put for a stored tie decoded in place; canon gives the
// string a new node keeps for its id.
func (t *ties) putView(e *influenceView, canon func([]byte) string) {
	t.set(t.nodeOfBytes(e.from, canon), t.nodeOfBytes(e.to, canon), e.weight, t.textOfBytes(e.kind),
		t.textOfBytes(e.evidence), e.updatedAt)
}

func (t *ties) set(from, to int32, weight float64, kind, evid int32, at time.Time) {
	i, found := t.search(t.out[from], t.ids[to])
	var slot int32
	if found {
		slot = t.out[from][i].slot
	} else {
		if k := len(t.free); k > 0 {
			slot, t.free = t.free[k-1], t.free[:k-1]
		} else {
			slot = int32(len(t.weight))
			t.weight = append(t.weight, 0)
			t.kind = append(t.kind, 0)
			t.evid = append(t.evid, 0)
			t.sec = append(t.sec, 0)
			t.nsec = append(t.nsec, 0)
		}
		t.out[from] = slices.Insert(t.out[from], i, tieRef{to, slot})
		j, _ := t.search(t.in[to], t.ids[from])
		t.in[to] = slices.Insert(t.in[to], j, tieRef{from, slot})
		t.n++
	}
	t.weight[slot], t.kind[slot], t.evid[slot] = weight, kind, evid
	t.sec[slot], t.nsec[slot] = at.Unix(), int32(at.Nanosecond())
}

// find returns the slot of the tie k.
func (t *ties) find(k kolgraph.EdgeKey) (int32, bool) {
	from, ok := t.node[k.From]
	if !ok {
		return 0, false
	}
	i, found := t.search(t.out[from], k.To)
	if !found {
		return 0, false
	}
	return t.out[from][i].slot, true
}

// has reports whether the tie k is held.
func (t *ties) has(k kolgraph.EdgeKey) bool {
	_, ok := t.find(k)
	return ok
}

// del removes the tie k if it is held.
func (t *ties) del(k kolgraph.EdgeKey) {
	from, ok := t.node[k.From]
	if !ok {
		return
	}
	i, found := t.search(t.out[from], k.To)
	if !found {
		return
	}
	ref := t.out[from][i]
	t.out[from] = slices.Delete(t.out[from], i, i+1)
	j, _ := t.search(t.in[ref.node], k.From)
	t.in[ref.node] = slices.Delete(t.in[ref.node], j, j+1)
	t.free = append(t.free, ref.slot)
	t.n--
}

// get returns a new record of the tie k, nil if there is none.
func (t *ties) get(k kolgraph.EdgeKey) *kolgraph.Influence {
	slot, ok := t.find(k)
	if !ok {
		return nil
	}
	r := &kolgraph.Influence{From: t.ids[t.node[k.From]], To: t.ids[t.node[k.To]]}
	t.fill(r, slot)
	return r
}

// fill sets r's fields but its ends from slot.
func (t *ties) fill(r *kolgraph.Influence, slot int32) {
	r.Weight = t.weight[slot]
	r.Kind = t.texts[t.kind[slot]]
	r.Evidence = t.texts[t.evid[slot]]
	r.UpdatedAt = time.Unix(t.sec[slot], int64(t.nsec[slot])).UTC()
}

// from returns new records of the ties id is the source of, by target id.
func (t *ties) from(id string) []*kolgraph.Influence { return t.records(id, t.out, false) }

// to returns new records of the ties id is the target of, by source id.
func (t *ties) to(id string) []*kolgraph.Influence { return t.records(id, t.in, true) }

// records returns new records of id's ties in refs, id being the target
// when in is set, else the source.
func (t *ties) records(id string, refs [][]tieRef, in bool) []*kolgraph.Influence {
	v, ok := t.node[id]
	if !ok {
		return nil
	}
	out := make([]*kolgraph.Influence, len(refs[v]))
	for i, ref := range refs[v] {
		from, to := v, ref.node
		if in {
			from, to = ref.node, v
		}
		out[i] = &kolgraph.Influence{From: t.ids[from], To: t.ids[to]}
		t.fill(out[i], ref.slot)
	}
	return out
}

// targets and sources return the ids at the other end of id's ties as the
// source and as the target, in id order.
func (t *ties) targets(id string) []string { return t.ends(id, t.out) }
func (t *ties) sources(id string) []string { return t.ends(id, t.in) }

func (t *ties) ends(id string, refs [][]tieRef) []string {
	v, ok := t.node[id]
	if !ok {
		return nil
	}
	out := make([]string, len(refs[v]))
	for i, ref := range refs[v] {
		out[i] = t.ids[ref.node]
	}
	return out
}

// tieScan is a copy of the ties for a scan outside the Store's lock: each
// tie's ends and columns as they were (ties change in place), and the
// tables of ids and texts, of which the scan reads no entry a later write
// changes.
type tieScan struct {
	rows       []tieRow
	ids, texts []string
}

type tieRow struct {
	from, to   int32
	kind, evid int32
	nsec       int32
	weight     float64
	sec        int64
}

func (t *ties) scan() tieScan {
	s := tieScan{rows: make([]tieRow, 0, t.n), ids: t.ids, texts: t.texts}
	for from, refs := range t.out {
		for _, ref := range refs {
			s.rows = append(s.rows, tieRow{from: int32(from), to: ref.node, kind: t.kind[ref.slot], evid: t.evid[ref.slot],
				nsec: t.nsec[ref.slot], weight: t.weight[ref.slot], sec: t.sec[ref.slot]})
		}
	}
	return s
}

// visit hands each tie to f as a record: a new one each, or for a
// read-only visitor one record refilled (it keeps none).
func (s *tieScan) visit(f func(*kolgraph.Influence) error, readOnly bool, check func() error) error {
	if f == nil {
		return nil
	}
	var shared kolgraph.Influence
	for _, row := range s.rows {
		if err := check(); err != nil {
			return err
		}
		r := &shared
		if !readOnly {
			r = new(kolgraph.Influence)
		}
		*r = kolgraph.Influence{From: s.ids[row.from], To: s.ids[row.to], Weight: row.weight,
			Kind: s.texts[row.kind], Evidence: s.texts[row.evid], UpdatedAt: time.Unix(row.sec, int64(row.nsec)).UTC()}
		if err := f(r); err != nil {
			return err
		}
	}
	return nil
}

// compact trims each node's references to their length: a load appends
// them one by one, and the slack of the slices' growth would otherwise be
// a fifth of what they hold.
func (t *ties) compact() {
	for v := range t.out {
		t.out[v] = slices.Clip(slices.Clone(t.out[v]))
		t.in[v] = slices.Clip(slices.Clone(t.in[v]))
	}
}
