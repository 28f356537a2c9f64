package seedfile_test

import (
	"bytes"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/seed"
)

// TestReplaySeed: the committed seed's dated changes, undone on its files
// and replayed date by date, end at the files' ties exactly, with one
// audit entry per change.
func TestReplaySeed(t *testing.T) {
	base, err := seedfile.Read(seed.FS)
	if err != nil {
		t.Fatal(err)
	}
	changes, err := seedfile.ReadChanges(bytes.NewReader(seed.Changes))
	if err != nil {
		t.Fatal(err)
	}
	h, err := seedfile.Replay(base, changes)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC); !h.Start.Equal(want) || len(h.Steps) != 4 {
		t.Fatalf("start %v with %d steps, want %v with 4", h.Start, len(h.Steps), want)
	}
	state := map[kolgraph.EdgeKey]kolgraph.Influence{}
	for _, e := range h.Initial.Influences {
		state[e.Key()] = *e
	}
	if len(state) == len(base.Influences) && maps.EqualFunc(state, tiesOf(base), func(a, b kolgraph.Influence) bool { return a == b }) {
		t.Fatal("the initial region equals the seed: nothing to replay")
	}
	entries := 0
	for _, st := range h.Steps {
		for _, e := range st.Changes.Influences {
			if !e.UpdatedAt.Truncate(24 * time.Hour).Equal(st.Date) {
				t.Errorf("%s->%s upserted on %v is dated %v", e.From, e.To, st.Date, e.UpdatedAt)
			}
			state[e.Key()] = *e
		}
		for _, k := range st.Changes.Delete.Influences {
			if _, ok := state[k]; !ok {
				t.Errorf("%v removed on %v does not exist", k, st.Date)
			}
			delete(state, k)
		}
		for _, e := range st.Changes.Audit {
			if len(e.Validate()) > 0 || e.Actor != "seed" {
				t.Errorf("audit entry %+v: %v", e, e.Validate())
			}
		}
		entries += len(st.Changes.Audit)
	}
	if entries != len(changes) {
		t.Errorf("%d audit entries for %d changes", entries, len(changes))
	}
	if !maps.EqualFunc(state, tiesOf(base), func(a, b kolgraph.Influence) bool { return a == b }) {
		t.Error("replaying the changes does not end at the seed's ties")
	}
}

func tiesOf(cs *kolgraph.ChangeSet) map[kolgraph.EdgeKey]kolgraph.Influence {
	out := map[kolgraph.EdgeKey]kolgraph.Influence{}
	for _, e := range cs.Influences {
		out[e.Key()] = *e
	}
	return out
}

func TestReadChangesRejects(t *testing.T) {
	const head = "date,op,from,to,kind,weight_before,weight_after,evidence\n"
	for name, c := range map[string]struct{ csv, want string }{
		"Header":        {"date,op\n", "header must be"},
		"Date":          {head + "2025-13-01,add,P1,P2,mentor,,0.5,\n", ":2: date"},
		"Op":            {head + "2025-03-01,move,P1,P2,mentor,,0.5,\n", "op must be"},
		"SameEnds":      {head + "2025-03-01,add,P1,P1,mentor,,0.5,\n", "two distinct ids"},
		"Kind":          {head + "2025-03-01,add,P1,P2,friend,,0.5,\n", "kind must be"},
		"AddBefore":     {head + "2025-03-01,add,P1,P2,mentor,0.2,0.5,\n", "weight_before must be empty"},
		"RemoveAfter":   {head + "2025-03-01,remove,P1,P2,mentor,0.2,,\n" + "2025-03-01,remove,P1,P3,mentor,,,\n", ":3: weight_before is required"},
		"Weight":        {head + "2025-03-01,add,P1,P2,mentor,,1.5,\n", "weight in (0, 1]"},
		"SameReweight":  {head + "2025-03-01,reweight,P1,P2,mentor,0.5,0.5,\n", "must change the weight"},
		"TooFewColumns": {head + "2025-03-01,add,P1,P2\n", "wrong number of fields"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := seedfile.ReadChanges(strings.NewReader(c.csv))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

// TestReplayRejectsInconsistentChanges: a change that does not fit the
// region it undoes names itself.
func TestReplayRejectsInconsistentChanges(t *testing.T) {
	base := &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{{From: "P1", To: "P2", Weight: 0.5, Kind: "mentor"}}}
	d := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for name, c := range map[string]seedfile.InfluenceChange{
		"AddMissing":      {Date: d, Op: seedfile.ChangeAdd, From: "P2", To: "P1", Kind: "mentor", WeightAfter: 0.5},
		"AddOtherWeight":  {Date: d, Op: seedfile.ChangeAdd, From: "P1", To: "P2", Kind: "mentor", WeightAfter: 0.6},
		"RemoveExisting":  {Date: d, Op: seedfile.ChangeRemove, From: "P1", To: "P2", Kind: "mentor", WeightBefore: 0.5},
		"ReweightMissing": {Date: d, Op: seedfile.ChangeReweight, From: "P3", To: "P1", Kind: "mentor", WeightBefore: 0.4, WeightAfter: 0.5},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := seedfile.Replay(base, []seedfile.InfluenceChange{c}); err == nil || !strings.Contains(err.Error(), c.From+"->"+c.To) {
				t.Errorf("got %v, want an error naming %s->%s", err, c.From, c.To)
			}
		})
	}
}
