package whatif_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/viewer"
	"github.com/kolgraph/kolgraph/internal/whatif"
)

var ha = snapshot.Scope{Hospital: "HA"}

// mover renders a mover as "id before->after #rank->rank".
func mover(m whatif.Mover) string {
	return fmt.Sprintf("%s %.4g->%.4g #%d->%d", m.HCP.ID, m.Before, m.After, m.RankBefore, m.RankAfter)
}

func render(ms []whatif.Mover) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, mover(m))
	}
	return out
}

// Without A4, and with A5->A1 0.3 added, DEGREE in HA is A3 1.5 (its edge
// to A4 is gone), A5 1.1, A2 0.5, A1 0.2: A3 loses 0.5, A5 gains 0.3, A1
// moves up a rank (A4 left it) at the same value, A2 does not move.
func TestMoversByHand(t *testing.T) {
	snap, scores := env(t, region())
	res, err := whatif.New(scores, whatif.Options{}).Run(context.Background(), snap, whatif.Request{
		Scope:      ha,
		RemoveHCPs: []string{"A4"},
		AddEdges:   []kolgraph.Influence{{From: "A5", To: "A1", Weight: 0.3, Kind: kolgraph.InfluenceMentor}},
		Metric:     scoring.Degree,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Movers) != 2 || res.Movers[0].Metric != scoring.Influence || res.Movers[1].Metric != scoring.Degree {
		t.Fatalf("movers for %d metrics, want INFLUENCE then DEGREE", len(res.Movers))
	}
	d := res.Movers[1]
	if got, want := render(d.Gainers), []string{"A5 0.8->1.1 #2->2", "A1 0.2->0.2 #5->4"}; !slices.Equal(got, want) {
		t.Errorf("gainers %q, want %q", got, want)
	}
	if got, want := render(d.Losers), []string{"A3 2->1.5 #1->1"}; !slices.Equal(got, want) {
		t.Errorf("losers %q, want %q", got, want)
	}
	if len(d.Removed) != 1 || d.Removed[0].HCP.ID != "A4" || d.Removed[0].Before != 0.4 || d.Removed[0].RankBefore != 4 {
		t.Errorf("removed %+v, want A4 0.4 #4", d.Removed)
	}
	if d.GainersTotal != 2 || d.LosersTotal != 1 {
		t.Errorf("totals %d gainers %d losers, want 2 and 1", d.GainersTotal, d.LosersTotal)
	}
	if d.After.Snapshot != res.Variant || d.Before.Snapshot != snap || res.Base != snap {
		t.Error("the rankings are not on the base and the variant")
	}
	if i := res.Movers[0]; len(i.Removed) != 1 || i.Removed[0].HCP.ID != "A4" || len(i.Gainers)+len(i.Losers) == 0 {
		t.Errorf("INFLUENCE: removed %+v, %d gainers, %d losers; want A4 removed and movers", i.Removed, len(i.Gainers), len(i.Losers))
	}
}

func TestMoversAreCut(t *testing.T) {
	snap, scores := env(t, region())
	res, err := whatif.New(scores, whatif.Options{}).Run(context.Background(), snap, whatif.Request{
		Scope: ha, RemoveHCPs: []string{"A4"}, Metric: scoring.Degree, Movers: 1,
		AddEdges: []kolgraph.Influence{{From: "A5", To: "A1", Weight: 0.3, Kind: kolgraph.InfluenceMentor}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d := res.Movers[1]
	if got := render(d.Gainers); !slices.Equal(got, []string{"A5 0.8->1.1 #2->2"}) || d.GainersTotal != 2 {
		t.Errorf("gainers %q of %d, want the largest of 2", got, d.GainersTotal)
	}
}

// stage renders a stage change as "HOSPITAL KIND lost=[..] emptied path".
func stage(c whatif.StageChange) string {
	var lost []string
	for _, h := range c.Lost {
		lost = append(lost, h.ID)
	}
	return fmt.Sprintf("%s %s lost=%v emptied=%v %s", c.Hospital.ID, c.Kind, lost, c.Emptied, c.Path)
}

// strengths renders the stages' paths' strengths, before and after.
func strengths(c whatif.StageChange) string {
	s := func(st *access.Stage) string {
		if st.Path == nil {
			return "none"
		}
		return fmt.Sprintf("%.4g", st.Path.Strength)
	}
	return s(c.Before) + "->" + s(c.After)
}

func TestStages(t *testing.T) {
	for _, tc := range []struct {
		name string
		user string
		req  whatif.Request
		want []string
		// strengths of the paths of the changes, before->after
		strengths []string
	}{
		{
			// U1 then reaches HA only through A5 (0.1).
			name: "the entry point leaves", user: "U1",
			req: whatif.Request{Scope: ha, RemoveHCPs: []string{"A4"},
				AddEdges: []kolgraph.Influence{{From: "A5", To: "A1", Weight: 0.3, Kind: kolgraph.InfluenceMentor}}},
			want: []string{"HA PROPOSE lost=[] emptied=false WEAKENED", "HA PHARMACY_REVIEW lost=[] emptied=false WEAKENED",
				"HA PT_DECISION lost=[] emptied=false WEAKENED", "HA SIGN_OFF lost=[] emptied=false WEAKENED"},
			strengths: []string{"0.0288->0.008", "0.288->0.08", "0.288->0.08", "0.144->0.04"},
		},
		{
			name: "the head leaves", user: "U1",
			req:       whatif.Request{Scope: ha, RemoveHCPs: []string{"A3"}},
			want:      []string{"HA PROPOSE lost=[A3] emptied=true LOST", "HA PT_DECISION lost=[A3] emptied=false "},
			strengths: []string{"0.0288->none", "0.288->0.288"},
		},
		{
			name: "no caller: people only",
			req:  whatif.Request{Scope: ha, RemoveHCPs: []string{"A3"}},
			want: []string{"HA PROPOSE lost=[A3] emptied=true ", "HA PT_DECISION lost=[A3] emptied=false "},
		},
		{
			name: "a caller who knows nobody", user: "U2",
			req:  whatif.Request{Scope: ha, RemoveHCPs: []string{"A3"}},
			want: []string{"HA PROPOSE lost=[A3] emptied=true ", "HA PT_DECISION lost=[A3] emptied=false "},
		},
		{
			// A4->A3 0.9 makes A3 0.81 from U1, and everyone A3 sways stronger.
			name: "a new tie", user: "U1",
			req: whatif.Request{Scope: snapshot.Scope{Territory: "T1"}, Product: "RX1",
				AddEdges: []kolgraph.Influence{{From: "A4", To: "A3", Weight: 0.9, Kind: kolgraph.InfluenceReferral}}},
			want: []string{"HA PROPOSE lost=[] emptied=false STRENGTHENED", "HA PHARMACY_REVIEW lost=[] emptied=false STRENGTHENED",
				"HA PT_DECISION lost=[] emptied=false STRENGTHENED", "HA SIGN_OFF lost=[] emptied=false STRENGTHENED"},
			strengths: []string{"0.0288->0.81", "0.288->0.405", "0.288->0.81", "0.144->0.405"},
		},
		{
			name: "a removed tie", user: "U1",
			req:       whatif.Request{Scope: snapshot.Scope{Department: "DA-PHA"}, RemoveEdges: []kolgraph.EdgeKey{{From: "A5", To: "A2"}}},
			want:      []string{"HA PROPOSE lost=[] emptied=false LOST", "HA PHARMACY_REVIEW lost=[] emptied=false LOST", "HA PT_DECISION lost=[] emptied=false LOST", "HA SIGN_OFF lost=[] emptied=false LOST"},
			strengths: []string{"0.0288->none", "0.288->none", "0.288->none", "0.144->none"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			snap, scores := env(t, region())
			ctx := context.Background()
			if tc.user != "" {
				ctx = viewer.WithUser(ctx, tc.user)
			}
			res, err := whatif.New(scores, whatif.Options{}).Run(ctx, snap, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			var got, gotStrengths []string
			for _, c := range res.Stages {
				got = append(got, stage(c))
				gotStrengths = append(gotStrengths, strengths(c))
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("stages %q, want %q", got, tc.want)
			}
			if tc.strengths != nil && !slices.Equal(gotStrengths, tc.strengths) {
				t.Errorf("path strengths %q, want %q", gotStrengths, tc.strengths)
			}
			if res.User != tc.user || (tc.user != "U1") != (res.Note != "") {
				t.Errorf("user %q note %q, want user %q and a note only without paths", res.User, res.Note, tc.user)
			}
		})
	}
}

func TestHospitalsAreBounded(t *testing.T) {
	snap, scores := env(t, region())
	req := whatif.Request{Scope: snapshot.Scope{Territory: "T1"}, RemoveHCPs: []string{"B3", "A3"}}
	for _, tc := range []struct {
		max     int
		want    []string
		omitted int
	}{{0, []string{"HA", "HB"}, 0}, {1, []string{"HA"}, 1}} {
		res, err := whatif.New(scores, whatif.Options{MaxHospitals: tc.max}).Run(context.Background(), snap, req)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Hospitals, tc.want) || res.OmittedHospitals != tc.omitted {
			t.Errorf("MaxHospitals %d: compared %v, %d omitted; want %v, %d", tc.max, res.Hospitals, res.OmittedHospitals, tc.want, tc.omitted)
		}
	}
	// HB is untouched and comes after HA by id; a change in HB puts it first.
	res, err := whatif.New(scores, whatif.Options{MaxHospitals: 1}).Run(context.Background(), snap,
		whatif.Request{Scope: snapshot.Scope{Territory: "T1"}, RemoveEdges: []kolgraph.EdgeKey{{From: "B1", To: "B2"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Hospitals, []string{"HB"}) {
		t.Errorf("compared %v, want the touched [HB]", res.Hospitals)
	}
	// The whole graph: every hospital, by id, though HB is touched.
	res, err = whatif.New(scores, whatif.Options{}).Run(context.Background(), snap,
		whatif.Request{RemoveEdges: []kolgraph.EdgeKey{{From: "B1", To: "B2"}}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Hospitals, []string{"HA", "HB"}) || res.OmittedHospitals != 0 {
		t.Errorf("compared %v, %d omitted; want [HA HB]", res.Hospitals, res.OmittedHospitals)
	}
}

// A what-if leaves the base snapshot and the live rankings as they were:
// the rankings cached before are served after, as cache hits.
func TestLiveStateUnchanged(t *testing.T) {
	snap, scores := env(t, region())
	ctx := viewer.WithUser(context.Background(), "U1")
	scopes := []snapshot.Scope{ha, {Hospital: "HB"}, {Territory: "T1"}}
	live := map[snapshot.Scope][]*scoring.Ranking{}
	for _, sc := range scopes {
		for _, m := range []scoring.Metric{scoring.Influence, scoring.Degree} {
			r, err := scores.Ranking(ctx, sc, m)
			if err != nil {
				t.Fatal(err)
			}
			live[sc] = append(live[sc], r)
		}
	}
	ids, edges := slices.Clone(snap.IDs), snap.Graph.Edges()
	contacts := slices.Clone(snap.Contacts["U1"])
	svc := whatif.New(scores, whatif.Options{})
	for _, sc := range scopes {
		_, err := svc.Run(ctx, snap, whatif.Request{Scope: sc, RemoveHCPs: []string{"A3", "B1"}, Metric: scoring.Degree,
			AddEdges: []kolgraph.Influence{{From: "A5", To: "A1", Weight: 0.3, Kind: kolgraph.InfluenceMentor}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	var hits []bool
	scores.CacheObserver = func(hit bool) { hits = append(hits, hit) }
	for _, sc := range scopes {
		for i, m := range []scoring.Metric{scoring.Influence, scoring.Degree} {
			r, err := scores.Ranking(ctx, sc, m)
			if err != nil {
				t.Fatal(err)
			}
			if r != live[sc][i] {
				t.Errorf("%s %s: a new ranking is served after the what-if", sc.Key(), m)
			}
		}
	}
	if slices.Contains(hits, false) {
		t.Errorf("cache hits %v after the what-if, want all", hits)
	}
	if !slices.Equal(snap.IDs, ids) || snap.Graph.Edges() != edges || !slices.Equal(snap.Contacts["U1"], contacts) {
		t.Error("the base snapshot changed")
	}
	if _, ok := snap.Index("A3"); !ok {
		t.Error("A3 left the base snapshot")
	}
}

func TestRejects(t *testing.T) {
	snap, scores := env(t, region())
	svc := whatif.New(scores, whatif.Options{})
	for _, tc := range []struct {
		name string
		req  whatif.Request
		code string
	}{
		{"unknown metric", whatif.Request{Scope: ha, Metric: "FAME"}, kolgraph.EINVALID},
		{"too many movers", whatif.Request{Scope: ha, Movers: whatif.MaxMovers + 1}, kolgraph.EINVALID},
		{"negative movers", whatif.Request{Scope: ha, Movers: -1}, kolgraph.EINVALID},
		{"unknown product", whatif.Request{Scope: ha, Product: "RX9"}, kolgraph.ENOTFOUND},
		{"empty product id", whatif.Request{Scope: ha, Product: " "}, kolgraph.EINVALID},
		{"unknown hospital", whatif.Request{Scope: snapshot.Scope{Hospital: "HZ"}}, kolgraph.ENOTFOUND},
		{"two scopes", whatif.Request{Scope: snapshot.Scope{Hospital: "HA", Territory: "T1"}}, kolgraph.EINVALID},
		{"unknown HCP", whatif.Request{Scope: ha, RemoveHCPs: []string{"A9"}}, kolgraph.ENOTFOUND},
		{"missing edge", whatif.Request{Scope: ha, RemoveEdges: []kolgraph.EdgeKey{{From: "A1", To: "A2"}}}, kolgraph.ENOTFOUND},
		{"bad weight", whatif.Request{Scope: ha, AddEdges: []kolgraph.Influence{{From: "A1", To: "A2", Weight: 2, Kind: kolgraph.InfluenceMentor}}}, kolgraph.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if res, err := svc.Run(context.Background(), snap, tc.req); kolgraph.ErrorCode(err) != tc.code {
				t.Errorf("Run = %v, %v; want %s", res, err, tc.code)
			}
		})
	}
}

func TestRespectsTheDeadline(t *testing.T) {
	snap, scores := env(t, region())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := whatif.New(scores, whatif.Options{}).Run(ctx, snap, whatif.Request{Scope: ha, RemoveHCPs: []string{"A3"}})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run on an ended context: %v, want context.Canceled", err)
	}
}

// The chains' path ids are the what-if's own: the live service does not
// resolve them, even for a path the change left as it was.
func TestPathIDsDoNotResolve(t *testing.T) {
	snap, scores := env(t, region())
	ctx := viewer.WithUser(context.Background(), "U1")
	res, err := whatif.New(scores, whatif.Options{}).Run(ctx, snap, whatif.Request{Scope: ha, RemoveHCPs: []string{"A3"}})
	if err != nil {
		t.Fatal(err)
	}
	var p *access.Path
	for _, c := range res.Stages {
		if c.Kind == access.PTDecision {
			p = c.After.Path
		}
	}
	if p == nil || !strings.HasPrefix(p.ID, "path-") || math.Abs(p.Strength-0.288) > 1e-12 {
		t.Fatalf("PT_DECISION's path after: %+v, want 0.288", p)
	}
	liveAccess := access.NewService(fixed{snap}, scores, access.DefaultOptions())
	if got, err := liveAccess.Path(ctx, p.ID); got != nil || err != nil {
		t.Errorf("the live service resolves a what-if path id: %v, %v", got, err)
	}
}

// The movers of every metric agree with the rankings of a store that holds
// the edited graph, ranked from scratch by a service of its own: every HCP
// of the scope whose value (beyond 1e-12) or rank differs between the two
// stores is a mover with both values, and nobody else is.
func TestMoversMatchARebuiltGraph(t *testing.T) {
	cs := region()
	snap, scores := env(t, cs)
	edited := region()
	edited.HCPs = slices.DeleteFunc(edited.HCPs, func(h *kolgraph.HCP) bool { return h.ID == "A2" })
	edited.Memberships = slices.DeleteFunc(edited.Memberships, func(m kolgraph.Membership) bool { return m.HCPID == "A2" })
	edited.Influences = slices.DeleteFunc(edited.Influences, func(e *kolgraph.Influence) bool {
		return e.From == "A2" || e.To == "A2" || (e.From == "A3" && e.To == "A5")
	})
	added := kolgraph.Influence{From: "A5", To: "A1", Weight: 0.3, Kind: kolgraph.InfluenceMentor, UpdatedAt: cs.Influences[0].UpdatedAt}
	edited.Influences = append(edited.Influences, &added)
	_, rebuilt := env(t, edited)

	for _, sc := range []snapshot.Scope{ha, {Territory: "T1"}} {
		for _, m := range []scoring.Metric{scoring.PageRank, scoring.Betweenness, scoring.Reach, scoring.Degree} {
			res, err := whatif.New(scores, whatif.Options{}).Run(context.Background(), snap, whatif.Request{
				Scope: sc, Metric: m, Movers: whatif.MaxMovers, RemoveHCPs: []string{"A2"},
				RemoveEdges: []kolgraph.EdgeKey{{From: "A3", To: "A5"}}, AddEdges: []kolgraph.Influence{added},
			})
			if err != nil {
				t.Fatal(err)
			}
			for _, mm := range res.Movers {
				before, err := scores.Ranking(context.Background(), sc, mm.Metric)
				if err != nil {
					t.Fatal(err)
				}
				after, err := rebuilt.Ranking(context.Background(), sc, mm.Metric)
				if err != nil {
					t.Fatal(err)
				}
				type vr struct {
					v float64
					r int
				}
				at := func(r *scoring.Ranking) map[string]vr {
					out := map[string]vr{}
					for i, v := range r.Nodes {
						out[r.Snapshot.IDs[v]] = vr{r.Values[i], i + 1}
					}
					return out
				}
				b, a := at(before), at(after)
				var want []string
				for id, x := range b {
					y, ok := a[id]
					if ok && (math.Abs(x.v-y.v) > 1e-12*max(1, math.Abs(x.v)) || x.r != y.r) {
						want = append(want, fmt.Sprintf("%s %.6g->%.6g #%d->%d", id, x.v, y.v, x.r, y.r))
					}
				}
				var got []string
				for _, mv := range slices.Concat(mm.Gainers, mm.Losers) {
					got = append(got, fmt.Sprintf("%s %.6g->%.6g #%d->%d", mv.HCP.ID, mv.Before, mv.After, mv.RankBefore, mv.RankAfter))
				}
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("%s %s: movers %q, want %q", sc.Key(), mm.Metric, got, want)
				}
				if len(mm.Removed) != 1 || mm.Removed[0].HCP.ID != "A2" || mm.Removed[0].RankBefore != b["A2"].r {
					t.Errorf("%s %s: removed %+v, want A2 at rank %d", sc.Key(), mm.Metric, mm.Removed, b["A2"].r)
				}
			}
		}
	}
}
