package access_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

func nodeIDs(p *access.Path) string {
	ids := make([]string, len(p.Nodes))
	for i, h := range p.Nodes {
		ids[i] = h.ID
	}
	return strings.Join(ids, " ")
}

func TestStrongestPaths(t *testing.T) {
	e := newEnv(t, region())
	q := func(mod func(*access.Query)) access.Query {
		q := access.Query{From: []string{"A6"}, To: "A3", K: 3, MaxHops: 6}
		if mod != nil {
			mod(&q)
		}
		return q
	}
	type want struct {
		path     string
		strength float64
	}
	tests := []struct {
		name   string
		user   string
		q      access.Query
		want   []want
		reason string // a substring, when no path is wanted
	}{
		{"k alternatives in strength order", "", q(nil),
			[]want{{"A6 A7 A3", 0.81}, {"A6 A4 A2 A3", 0.432}, {"A6 A4 A3", 0.4}}, ""},
		{"k=1", "", q(func(q *access.Query) { q.K = 1 }), []want{{"A6 A7 A3", 0.81}}, ""},
		{"avoid", "", q(func(q *access.Query) { q.Avoid = []string{"A7"} }),
			[]want{{"A6 A4 A2 A3", 0.432}, {"A6 A4 A3", 0.4}}, ""},
		{"maxHops", "", q(func(q *access.Query) { q.MaxHops = 2 }),
			[]want{{"A6 A7 A3", 0.81}, {"A6 A4 A3", 0.4}}, ""},
		{"via the P&T chair", "", q(func(q *access.Query) { q.Via = []access.Position{access.PTCommitteeChair} }),
			[]want{{"A6 A4 A2 A3", 0.432}}, ""},
		{"via a department head and the vice president", "",
			q(func(q *access.Query) { q.Via = []access.Position{access.DepartmentHead, access.VicePresident} }),
			[]want{{"A6 A4 A2 A3", 0.432}}, ""},
		{"via the target's own position", "", q(func(q *access.Query) { q.Via = []access.Position{access.PharmacyDirector} }),
			[]want{{"A6 A7 A3", 0.81}, {"A6 A4 A2 A3", 0.432}, {"A6 A4 A3", 0.4}}, ""},
		{"minStrength", "", q(func(q *access.Query) { q.MinStrength = 0.41 }),
			[]want{{"A6 A7 A3", 0.81}, {"A6 A4 A2 A3", 0.432}}, ""},
		{"from the user's contacts", "U1", q(func(q *access.Query) { q.From = nil; q.K = 2 }),
			[]want{{"A6 A7 A3", 0.5 * 0.81}, {"A6 A4 A2 A3", 0.5 * 0.432}}, ""},
		{"from given ids ignores the user", "U1", q(func(q *access.Query) { q.K = 1 }), []want{{"A6 A7 A3", 0.81}}, ""},
		{"no path through the president", "", q(func(q *access.Query) { q.Via = []access.Position{access.President} }),
			nil, "no path from"},
		{"nobody holds the via position", "", q(func(q *access.Query) {
			q.To = "B1"
			q.From = []string{"B2"}
			q.Via = []access.Position{access.President}
		}),
			nil, "nobody at HB"},
		{"no path across hospitals", "", q(func(q *access.Query) { q.From = []string{"B2"} }), nil, "no path from"},
		{"user knows nobody", "U2", q(func(q *access.Query) { q.From = nil }), nil, "knows no HCP"},
		{"every source avoided", "", q(func(q *access.Query) { q.Avoid = []string{"A6"} }), nil, "avoided"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := viewer.WithUser(context.Background(), tt.user)
			res, err := e.svc.StrongestPaths(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Paths) != len(tt.want) {
				t.Fatalf("got %d paths, want %d (reason %q)", len(res.Paths), len(tt.want), res.Reason)
			}
			for i, p := range res.Paths {
				if got := nodeIDs(p); got != tt.want[i].path || math.Abs(p.Strength-tt.want[i].strength) > 1e-12 {
					t.Errorf("path %d: %s (%v), want %s (%v)", i, got, p.Strength, tt.want[i].path, tt.want[i].strength)
				}
				if len(p.Hops) != len(p.Nodes)-1 || len(p.Hops) > tt.q.MaxHops {
					t.Errorf("path %d: %d hops for %d nodes (maxHops %d)", i, len(p.Hops), len(p.Nodes), tt.q.MaxHops)
				}
				for _, a := range tt.q.Avoid {
					if strings.Contains(" "+nodeIDs(p)+" ", " "+a+" ") {
						t.Errorf("path %d passes avoided %s", i, a)
					}
				}
			}
			if len(tt.want) == 0 && !strings.Contains(res.Reason, tt.reason) {
				t.Errorf("reason %q, want it to mention %q", res.Reason, tt.reason)
			}
		})
	}
}

// TestPathShowsHops: every hop carries its edge's kind, weight and evidence
// from the data, and the strength is their product times the contact's tie.
func TestPathShowsHops(t *testing.T) {
	e := newEnv(t, region())
	edges := map[kolgraph.EdgeKey]*kolgraph.Influence{}
	for _, x := range region().Influences {
		edges[x.Key()] = x
	}
	ctx := viewer.WithUser(context.Background(), "U1")
	res, err := e.svc.StrongestPaths(ctx, access.Query{To: "A1", K: 5, MaxHops: 6})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Paths) != 5 {
		t.Fatalf("%d paths, want 5", len(res.Paths))
	}
	for i, p := range res.Paths {
		if p.User != "U1" || p.Entry != 0.5 || p.Source().ID != "A6" || p.Target().ID != "A1" {
			t.Errorf("path %d: user %q entry %v from %s to %s", i, p.User, p.Entry, p.Source().ID, p.Target().ID)
		}
		want := 0.5
		for _, h := range p.Hops {
			x := edges[kolgraph.EdgeKey{From: h.From.ID, To: h.To.ID}]
			if x == nil || h.Weight != x.Weight || h.Kind != x.Kind || h.Evidence != x.Evidence {
				t.Errorf("hop %s->%s = %+v, data %+v", h.From.ID, h.To.ID, h, x)
				continue
			}
			want *= x.Weight
		}
		if math.Abs(p.Strength-want) > 1e-15 {
			t.Errorf("path %d strength %v, product of weights %v", i, p.Strength, want)
		}
		if i > 0 && p.Strength > res.Paths[i-1].Strength {
			t.Errorf("path %d stronger than path %d", i, i-1)
		}
		if p.GraphVersion == "" || p.ComputedAt.IsZero() {
			t.Errorf("path %d: no graph version or time", i)
		}
	}
}

func TestStrongestPathsBadInput(t *testing.T) {
	e := newEnv(t, region())
	tests := []struct {
		name string
		user string
		q    access.Query
		code string
	}{
		{"k 0", "", access.Query{From: []string{"A6"}, To: "A3", K: 0, MaxHops: 6}, kolgraph.EINVALID},
		{"k 21", "", access.Query{From: []string{"A6"}, To: "A3", K: 21, MaxHops: 6}, kolgraph.EINVALID},
		{"maxHops 0", "", access.Query{From: []string{"A6"}, To: "A3", K: 3, MaxHops: 0}, kolgraph.EINVALID},
		{"maxHops 11", "", access.Query{From: []string{"A6"}, To: "A3", K: 3, MaxHops: 11}, kolgraph.EINVALID},
		{"minStrength above 1", "", access.Query{From: []string{"A6"}, To: "A3", K: 3, MaxHops: 6, MinStrength: 1.5}, kolgraph.EINVALID},
		{"from equals to", "", access.Query{From: []string{"A3"}, To: "A3", K: 3, MaxHops: 6}, kolgraph.EINVALID},
		{"to avoided", "", access.Query{From: []string{"A6"}, To: "A3", K: 3, MaxHops: 6, Avoid: []string{"A3"}}, kolgraph.EINVALID},
		{"no from and no user", "", access.Query{To: "A3", K: 3, MaxHops: 6}, kolgraph.EINVALID},
		{"too many via", "", access.Query{From: []string{"A6"}, To: "A3", K: 3, MaxHops: 6, Via: []access.Position{
			access.President, access.VicePresident, access.DepartmentHead, access.DeputyHead, access.Staff}}, kolgraph.EINVALID},
		{"unknown to", "", access.Query{From: []string{"A6"}, To: "ZZ", K: 3, MaxHops: 6}, kolgraph.ENOTFOUND},
		{"unknown from", "", access.Query{From: []string{"ZZ"}, To: "A3", K: 3, MaxHops: 6}, kolgraph.ENOTFOUND},
		{"unknown avoid", "", access.Query{From: []string{"A6"}, To: "A3", K: 3, MaxHops: 6, Avoid: []string{"ZZ"}}, kolgraph.ENOTFOUND},
		{"unknown user", "U9", access.Query{To: "A3", K: 3, MaxHops: 6}, kolgraph.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.StrongestPaths(viewer.WithUser(context.Background(), tt.user), tt.q)
			if got := kolgraph.ErrorCode(err); got != tt.code {
				t.Errorf("code %q (%v), want %s", got, err, tt.code)
			}
		})
	}
}

func TestStrongestPathsHonoursContext(t *testing.T) {
	e := newEnv(t, region())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.svc.StrongestPaths(ctx, access.Query{From: []string{"A6"}, To: "A3", K: 3, MaxHops: 6})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
