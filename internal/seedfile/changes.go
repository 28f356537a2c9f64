package seedfile

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// ChangesFile is the seed's file of dated tie changes, relative to the seed
// directory. It is not part of the import format (FileNames, Read): an
// import upserts records as they are now, in one version dated when it
// runs, while these are operations (removals among them) that only make
// sense replayed in date order from the state before them. Keeping it in a
// subdirectory keeps Read of the seed, and imports of a copy of it, blind to
// it.
const ChangesFile = "history/influence_changes.csv"

// The change ops.
const (
	ChangeAdd      = "add"
	ChangeRemove   = "remove"
	ChangeReweight = "reweight"
)

var changeHeader = []string{"date", "op", "from", "to", "kind", "weight_before", "weight_after", "evidence"}

// InfluenceChange is one dated change of an INFLUENCES tie in the seed's
// history: a tie added (WeightAfter), removed (WeightBefore) or reweighted
// (both). Kind and Evidence are the tie's.
type InfluenceChange struct {
	Date         time.Time // a UTC day
	Op           string
	From, To     string
	Kind         string
	WeightBefore float64 // 0 for add
	WeightAfter  float64 // 0 for remove
	Evidence     string
}

// WriteChanges writes changes as the CSV of ChangesFile, in their order.
func WriteChanges(w io.Writer, changes []InfluenceChange) error {
	cw := csv.NewWriter(w)
	_ = cw.Write(changeHeader)
	opt := func(x float64) string {
		if x == 0 {
			return ""
		}
		return formatFloat(x)
	}
	for _, c := range changes {
		_ = cw.Write([]string{c.Date.Format(time.DateOnly), c.Op, c.From, c.To, c.Kind, opt(c.WeightBefore), opt(c.WeightAfter), c.Evidence})
	}
	cw.Flush()
	return cw.Error()
}

// ReadChanges reads the CSV of ChangesFile and checks every row: a date
// (YYYY-MM-DD), an op, two distinct HCP ids, a tie kind, the weights the op
// needs in (0, 1] and no others, a reweight that changes the weight. The
// error names the line of every problem.
func ReadChanges(r io.Reader) ([]InfluenceChange, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // the header is checked as a whole
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ChangesFile, err)
	}
	if len(head) > 0 {
		head[0] = trimBOM(head[0])
	}
	if !slices.Equal(head, changeHeader) {
		return nil, fmt.Errorf("%s:1: header must be %q (got %q)", ChangesFile, changeHeader, head)
	}
	cr.FieldsPerRecord = len(changeHeader)
	var out []InfluenceChange
	var errs []error
	for line := 2; ; line++ {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ChangesFile, err)
		}
		c, err := parseChange(row)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", ChangesFile, line, err))
			continue
		}
		out = append(out, c)
	}
	return out, errors.Join(errs...)
}

func trimBOM(s string) string {
	if len(s) >= 3 && s[:3] == "\xef\xbb\xbf" {
		return s[3:]
	}
	return s
}

func parseChange(row []string) (InfluenceChange, error) {
	c := InfluenceChange{Op: row[1], From: row[2], To: row[3], Kind: row[4], Evidence: row[7]}
	d, err := time.Parse(time.DateOnly, row[0])
	if err != nil {
		return c, fmt.Errorf("date %q is not YYYY-MM-DD", row[0])
	}
	c.Date = d
	if !kolgraph.ValidID(c.From) || !kolgraph.ValidID(c.To) || c.From == c.To {
		return c, fmt.Errorf("from %q and to %q must be two distinct ids", c.From, c.To)
	}
	if !slices.Contains(kolgraph.InfluenceKinds, c.Kind) {
		return c, fmt.Errorf("kind must be one of %q (got %q)", kolgraph.InfluenceKinds, c.Kind)
	}
	if len(c.Evidence) > 1000 {
		return c, errors.New("evidence is longer than 1,000 bytes")
	}
	weight := func(name, s string, want bool) (float64, error) {
		if s == "" {
			if want {
				return 0, fmt.Errorf("%s is required for %s", name, c.Op)
			}
			return 0, nil
		}
		if !want {
			return 0, fmt.Errorf("%s must be empty for %s", name, c.Op)
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil || !(x > 0 && x <= 1) || math.IsNaN(x) {
			return 0, fmt.Errorf("%s must be a weight in (0, 1] (got %q)", name, s)
		}
		return x, nil
	}
	var before, after bool
	switch c.Op {
	case ChangeAdd:
		after = true
	case ChangeRemove:
		before = true
	case ChangeReweight:
		before, after = true, true
	default:
		return c, fmt.Errorf("op must be add, remove or reweight (got %q)", c.Op)
	}
	if c.WeightBefore, err = weight("weight_before", row[5], before); err != nil {
		return c, err
	}
	if c.WeightAfter, err = weight("weight_after", row[6], after); err != nil {
		return c, err
	}
	if c.Op == ChangeReweight && c.WeightBefore == c.WeightAfter {
		return c, fmt.Errorf("a reweight must change the weight (%v both)", c.WeightAfter)
	}
	return c, nil
}

// History is the seed region replayed through its dated changes: Initial,
// the region as it was at Start, then one change set per date, in date
// order, whose last leaves the region exactly as the seed's files have it.
type History struct {
	Start   time.Time
	Initial *kolgraph.ChangeSet
	Steps   []Step
}

// Step is the change set of one date. Its audit entries (actor "seed")
// describe every tie it adds, reweights or removes.
type Step struct {
	Date    time.Time
	Changes *kolgraph.ChangeSet
}

// Replay undoes changes on base, latest first, to get the region before
// them, and groups them by date into the change sets that lead back to
// base. Start is the first day of the month of the first change. Each
// change must fit the state it undoes: an added or reweighted tie is in
// base (or put back by a later change) with its WeightAfter, a removed one
// is not; otherwise Replay fails naming the change. Ties re-created in the
// initial state (removed or reweighted later) are dated Start; a tie's
// upsert in a step is dated with the step, or with its base updated_at when
// the step leaves it as base has it.
//
// base is not modified; Initial shares its records other than the ties.
func Replay(base *kolgraph.ChangeSet, changes []InfluenceChange) (*History, error) {
	h := &History{}
	if len(changes) == 0 {
		h.Initial = base
		return h, nil
	}
	cs := slices.Clone(changes)
	slices.SortStableFunc(cs, func(a, b InfluenceChange) int { return a.Date.Compare(b.Date) })
	first := cs[0].Date
	h.Start = time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, time.UTC)

	ties := make(map[kolgraph.EdgeKey]*kolgraph.Influence, len(base.Influences))
	baseTie := make(map[kolgraph.EdgeKey]*kolgraph.Influence, len(base.Influences))
	for _, e := range base.Influences {
		ties[e.Key()], baseTie[e.Key()] = e, e
	}
	// last[k] is the index of the last change of tie k: its upsert keeps
	// base's updated_at.
	last := map[kolgraph.EdgeKey]int{}
	for i, c := range cs {
		last[kolgraph.EdgeKey{From: c.From, To: c.To}] = i
	}
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		k := kolgraph.EdgeKey{From: c.From, To: c.To}
		cur, ok := ties[k]
		bad := func(why string) error {
			return fmt.Errorf("%s: %s %s %s->%s: %s", ChangesFile, c.Date.Format(time.DateOnly), c.Op, c.From, c.To, why)
		}
		switch c.Op {
		case ChangeAdd, ChangeReweight:
			if !ok || cur.Weight != c.WeightAfter || cur.Kind != c.Kind {
				return nil, bad("the tie after it is not in the region with that weight and kind")
			}
			if c.Op == ChangeAdd {
				delete(ties, k)
				continue
			}
			prev := *cur
			prev.Weight, prev.UpdatedAt = c.WeightBefore, h.Start
			ties[k] = &prev
		case ChangeRemove:
			if ok {
				return nil, bad("the tie is in the region after its removal")
			}
			ties[k] = &kolgraph.Influence{From: c.From, To: c.To, Weight: c.WeightBefore, Kind: c.Kind, Evidence: c.Evidence, UpdatedAt: h.Start}
		}
	}
	initial := *base
	initial.Influences = make([]*kolgraph.Influence, 0, len(ties))
	for _, e := range base.Influences {
		if t, ok := ties[e.Key()]; ok {
			initial.Influences = append(initial.Influences, t)
			delete(ties, e.Key())
		}
	}
	for _, c := range cs { // re-created ties, in change order
		if t, ok := ties[kolgraph.EdgeKey{From: c.From, To: c.To}]; ok {
			initial.Influences = append(initial.Influences, t)
			delete(ties, t.Key())
		}
	}
	h.Initial = &initial

	// Forward: one change set per date.
	state := make(map[kolgraph.EdgeKey]*kolgraph.Influence, len(initial.Influences))
	for _, e := range initial.Influences {
		state[e.Key()] = e
	}
	for i, c := range cs {
		if len(h.Steps) == 0 || !h.Steps[len(h.Steps)-1].Date.Equal(c.Date) {
			h.Steps = append(h.Steps, Step{Date: c.Date, Changes: &kolgraph.ChangeSet{}})
		}
		step := h.Steps[len(h.Steps)-1].Changes
		k := kolgraph.EdgeKey{From: c.From, To: c.To}
		before := state[k]
		entry := kolgraph.AuditEntry{Actor: "seed", Source: "seed " + ChangesFile, Kind: kolgraph.KindInfluences,
			EntityID: kolgraph.PairID(c.From, c.To)}
		if before != nil {
			entry.Before = tieJSON(before)
		}
		if c.Op == ChangeRemove {
			step.Delete.Influences = append(step.Delete.Influences, k)
			delete(state, k)
			entry.Op = kolgraph.OpDelete
		} else {
			var after *kolgraph.Influence
			if last[k] == i {
				after = baseTie[k]
			} else {
				t := kolgraph.Influence{From: c.From, To: c.To, Weight: c.WeightAfter, Kind: c.Kind, Evidence: c.Evidence, UpdatedAt: c.Date}
				after = &t
			}
			step.Influences = append(step.Influences, after)
			state[k] = after
			entry.Op, entry.After = kolgraph.OpCreate, tieJSON(after)
			if c.Op == ChangeReweight {
				entry.Op = kolgraph.OpUpdate
			}
		}
		step.Audit = append(step.Audit, entry)
	}
	return h, nil
}

func tieJSON(e *kolgraph.Influence) string {
	b, err := json.Marshal(e)
	if err != nil {
		panic("seedfile: encode tie: " + err.Error()) // plain fields: cannot fail
	}
	return string(b)
}

// WriteChangesFile writes changes to ChangesFile under dir, creating its
// directory.
func WriteChangesFile(dir string, changes []InfluenceChange) (err error) {
	path := filepath.Join(dir, filepath.FromSlash(ChangesFile))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}()
	return WriteChanges(f, changes)
}
