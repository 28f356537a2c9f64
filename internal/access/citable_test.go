package access_test

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

func mustPaths(t *testing.T, svc *access.Service, user string, q access.Query) []*access.Path {
	t.Helper()
	res, err := svc.StrongestPaths(viewer.WithUser(context.Background(), user), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Paths) == 0 {
		t.Fatalf("no paths: %s", res.Reason)
	}
	return res.Paths
}

func samePath(t *testing.T, got, want *access.Path) {
	t.Helper()
	if got == nil {
		t.Fatalf("path %s did not resolve", want.ID)
	}
	if got.ID != want.ID || nodeIDs(got) != nodeIDs(want) || got.Strength != want.Strength ||
		got.GraphVersion != want.GraphVersion || got.User != want.User || got.Entry != want.Entry || len(got.Hops) != len(want.Hops) {
		t.Fatalf("resolved %s %s (%v, %s), want %s %s (%v, %s)", got.ID, nodeIDs(got), got.Strength, got.GraphVersion,
			want.ID, nodeIDs(want), want.Strength, want.GraphVersion)
	}
	for i := range got.Hops {
		g, w := got.Hops[i], want.Hops[i]
		if g.From.ID != w.From.ID || g.To.ID != w.To.ID || g.Kind != w.Kind || g.Weight != w.Weight || g.Evidence != w.Evidence {
			t.Errorf("hop %d: %+v, want %+v", i, g, w)
		}
	}
}

func TestPathIDRoundTrip(t *testing.T) {
	e := newEnv(t, region())
	ctx := context.Background()
	for _, user := range []string{"", "U1"} {
		q := access.Query{From: []string{"A6"}, To: "A1", K: 5, MaxHops: 6}
		if user != "" {
			q.From = nil
		}
		ps := mustPaths(t, e.svc, user, q)
		seen := map[string]bool{}
		for _, p := range ps {
			if !strings.HasPrefix(p.ID, "path-") || seen[p.ID] {
				t.Errorf("id %q: malformed or repeated", p.ID)
			}
			seen[p.ID] = true
			got, err := e.svc.Path(viewer.WithUser(ctx, user), p.ID)
			if err != nil {
				t.Fatal(err)
			}
			samePath(t, got, p)
		}
	}
}

// TestPathIDStable: the same hops on the same version get the same id, in
// another query, by another Service (nothing stored: the id is re-derived
// from the snapshot), and a different contact tie gives a different id.
func TestPathIDStable(t *testing.T) {
	e := newEnv(t, region())
	a := mustPaths(t, e.svc, "", access.Query{From: []string{"A6"}, To: "A3", K: 3, MaxHops: 6})
	b := mustPaths(t, e.svc, "", access.Query{From: []string{"A6", "A4"}, To: "A3", K: 5, MaxHops: 6})
	ids := map[string]string{}
	for _, p := range b {
		ids[nodeIDs(p)] = p.ID
	}
	for _, p := range a {
		if ids[nodeIDs(p)] != p.ID {
			t.Errorf("%s: id %s in one query, %s in another", nodeIDs(p), p.ID, ids[nodeIDs(p)])
		}
	}
	fresh := access.NewService(e.snaps, e.scores, access.DefaultOptions())
	for _, p := range a {
		got, err := fresh.Path(context.Background(), p.ID)
		if err != nil {
			t.Fatal(err)
		}
		samePath(t, got, p)
	}
	withTie := mustPaths(t, e.svc, "U1", access.Query{To: "A3", K: 1, MaxHops: 6})[0]
	if nodeIDs(withTie) != nodeIDs(a[0]) || withTie.ID == a[0].ID {
		t.Errorf("same hops with and without a contact tie: ids %s and %s", withTie.ID, a[0].ID)
	}
}

// TestPathResolvesAfterSwap: a write changes a weight on the path and a new
// snapshot is installed; the issued id still returns the path as computed,
// on its old version, while a Service that never issued it (and so can only
// re-derive from the current version) does not pretend to know it.
func TestPathResolvesAfterSwap(t *testing.T) {
	e := newEnv(t, region())
	old := mustPaths(t, e.svc, "", access.Query{From: []string{"A6"}, To: "A3", K: 1, MaxHops: 6})[0]
	fresh := access.NewService(e.snaps, e.scores, access.DefaultOptions())

	_, err := e.store.Apply(context.Background(), &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{{
		From: "A7", To: "A3", Weight: 0.2, Kind: kolgraph.InfluenceReportsTo, Evidence: "reorganised", UpdatedAt: time.Now().UTC()}}})
	if err != nil {
		t.Fatal(err)
	}
	e.rebuild(t)

	got, err := e.svc.Path(context.Background(), old.ID)
	if err != nil {
		t.Fatal(err)
	}
	samePath(t, got, old)
	if got.Hops[1].Weight != 0.9 {
		t.Errorf("stored copy shows weight %v, want the issued 0.9", got.Hops[1].Weight)
	}
	if got, err := fresh.Path(context.Background(), old.ID); got != nil || err != nil {
		t.Errorf("an id of a replaced version resolved without a stored copy: %v, %v", got, err)
	}
	now := mustPaths(t, e.svc, "", access.Query{From: []string{"A6"}, To: "A3", K: 1, MaxHops: 6})[0]
	if now.ID == old.ID || now.GraphVersion == old.GraphVersion {
		t.Errorf("after the write the strongest path has id %s on %s, as before", now.ID, now.GraphVersion)
	}
}

func TestPathIDBad(t *testing.T) {
	e := newEnv(t, region())
	p := mustPaths(t, e.svc, "", access.Query{From: []string{"A6"}, To: "A3", K: 1, MaxHops: 6})[0]
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(p.ID, "path-"))
	raw[len(raw)-1] ^= 1 // tamper with the digest
	tampered := "path-" + base64.RawURLEncoding.EncodeToString(raw)
	fresh := access.NewService(e.snaps, e.scores, access.DefaultOptions())
	if got, err := fresh.Path(context.Background(), tampered); got != nil || err != nil {
		t.Errorf("tampered id resolved: %v, %v", got, err)
	}
	for _, id := range []string{"", "nope", "path-", "path-!!", "path-AQ", p.ID + "AA"} {
		if _, err := e.svc.Path(context.Background(), id); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
			t.Errorf("Path(%q): %v, want BAD_USER_INPUT", id, err)
		}
	}
}
