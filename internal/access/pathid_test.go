package access_test

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"math"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

// as is the context of a request by user with role, as auth.Middleware
// makes it.
func as(t *testing.T, user string, role auth.Role) context.Context {
	t.Helper()
	p, err := auth.NewPrincipal(user, role, []string{"T01"}, nil, "test:"+user)
	if err != nil {
		t.Fatal(err)
	}
	return viewer.WithUser(auth.WithPrincipal(context.Background(), p), user)
}

// idBody reads what every path id carries in the clear: version, user and
// node indices (formats 1 and 2 share this layout before the digest).
func idBody(t *testing.T, id string) (version uint64, user string, nodes []uint64) {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(id, "path-"))
	if err != nil {
		t.Fatal(err)
	}
	b = b[1:]
	uv := func() uint64 {
		x, n := binary.Uvarint(b)
		b = b[n:]
		return x
	}
	version = uv()
	ul := uv()
	user, b = string(b[:ul]), b[ul:]
	for range uv() {
		nodes = append(nodes, uv())
	}
	return version, user, nodes
}

// pathID lays out an id of the given format with the given digest or tag.
func pathID(format byte, version uint64, user string, nodes []uint64, sum []byte) string {
	b := []byte{format}
	b = binary.AppendUvarint(b, version)
	b = binary.AppendUvarint(b, uint64(len(user)))
	b = append(b, user...)
	b = binary.AppendUvarint(b, uint64(len(nodes)))
	for _, v := range nodes {
		b = binary.AppendUvarint(b, v)
	}
	return "path-" + base64.RawURLEncoding.EncodeToString(append(b, sum...))
}

// oldDigest is the digest of format 1: the first 8 bytes of SHA-256 over
// what the path shows, every part of which a caller sees except the tie's
// strength, which KNOWS data gives with two decimals.
func oldDigest(p *access.Path, user string, entry float64) []byte {
	h := sha256.New()
	var buf [8]byte
	num := func(x float64) { binary.LittleEndian.PutUint64(buf[:], math.Float64bits(x)); h.Write(buf[:]) }
	str := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	binary.LittleEndian.PutUint64(buf[:], p.Version)
	h.Write(buf[:])
	str(user)
	num(entry)
	for _, n := range p.Nodes {
		str(n.ID)
	}
	for _, hop := range p.Hops {
		num(hop.Weight)
		str(hop.Kind)
		str(hop.Evidence)
	}
	return h.Sum(nil)[:8]
}

// TestPathIDForgery is issue 18's attack: U2 sees the hops of A6 -> A3
// (from given HCPs) and knows that U1 knows A6; guessing U1's tie strength
// in 100 steps, it lays out ids of U1's path and asks for them. With the
// unkeyed digest one guess resolved and showed the tie. Neither that nor the
// same guesses signed with a key of the attacker's own may resolve.
func TestPathIDForgery(t *testing.T) {
	e := newEnv(t, region())
	mine := mustPaths(t, e.svc, "U1", access.Query{To: "A3", K: 1, MaxHops: 6})[0] // U1's, tie 0.5
	seen := mustPaths(t, e.svc, "U2", access.Query{From: []string{"A6"}, To: "A3", K: 1, MaxHops: 6})[0]
	if nodeIDs(seen) != nodeIDs(mine) {
		t.Fatalf("the attacker sees %s, U1's path is %s", nodeIDs(seen), nodeIDs(mine))
	}
	version, _, nodes := idBody(t, seen.ID)
	attacker := as(t, "U2", auth.RoleViewer)
	guessKey := bytes.Repeat([]byte{7}, 32)
	var old, signed []string
	for c := 1; c <= 100; c++ {
		id := pathID(1, version, "U1", nodes, oldDigest(seen, "U1", float64(c)/100))
		old = append(old, id)
		m := hmac.New(sha256.New, guessKey)
		m.Write([]byte(id))
		signed = append(signed, pathID(2, version, "U1", nodes, m.Sum(nil)[:16]))
	}
	for i, id := range old {
		if p, _ := e.svc.Path(attacker, id); p != nil {
			t.Fatalf("unkeyed id %s (guess %v) resolved for U2: %s, U1's tie %v", id, float64(i+1)/100, nodeIDs(p), p.Entry)
		}
	}
	for i, id := range signed {
		for _, ctx := range []context.Context{attacker, as(t, "U1", auth.RoleKAM)} {
			if p, err := e.svc.Path(ctx, id); p != nil || (err != nil && kolgraph.ErrorCode(err) != kolgraph.EFORBIDDEN) {
				t.Fatalf("id %s signed with a guessed key (guess %v): %v, %v", id, float64(i+1)/100, p, err)
			}
		}
	}
	// U1's own id still resolves for U1.
	if p, err := e.svc.Path(as(t, "U1", auth.RoleKAM), mine.ID); err != nil || p == nil || p.Entry != 0.5 {
		t.Errorf("U1's own id: %v, %v", p, err)
	}
}

// TestPathIDBoundToUser: a path that starts from U1's contacts shows U1's
// tie, so its id resolves for U1 and admins only; anyone else gets
// FORBIDDEN and no path. A path from given HCPs resolves for anyone.
func TestPathIDBoundToUser(t *testing.T) {
	e := newEnv(t, region())
	fresh := access.NewService(e.snaps, e.scores, access.DefaultOptions()) // re-derives instead of reading its store
	p := mustPaths(t, e.svc, "U1", access.Query{To: "A3", K: 1, MaxHops: 6})[0]
	open := mustPaths(t, e.svc, "", access.Query{From: []string{"A6"}, To: "A3", K: 1, MaxHops: 6})[0]
	if p.User != "U1" || p.Entry != 0.5 {
		t.Fatalf("path %s of %q, tie %v", nodeIDs(p), p.User, p.Entry)
	}
	tests := []struct {
		name  string
		ctx   context.Context
		allow bool
	}{
		{"the user", as(t, "U1", auth.RoleKAM), true},
		{"an admin", as(t, "U9", auth.RoleAdmin), true},
		{"a viewer", as(t, "U2", auth.RoleViewer), false},
		{"another kam", as(t, "U2", auth.RoleKAM), false},
		{"a strategist", as(t, "U2", auth.RoleStrategist), false},
		{"compliance", as(t, "U2", auth.RoleCompliance), false},
		{"the same user id without a principal", viewer.WithUser(context.Background(), "U1"), true},
		{"no caller", context.Background(), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, svc := range []*access.Service{e.svc, fresh} {
				got, err := svc.Path(tt.ctx, p.ID)
				if tt.allow {
					if err != nil || got == nil || got.Entry != 0.5 || nodeIDs(got) != nodeIDs(p) {
						t.Errorf("got %v, %v; want the path with its tie", got, err)
					}
				} else if got != nil || kolgraph.ErrorCode(err) != kolgraph.EFORBIDDEN {
					t.Errorf("got %v, %v; want FORBIDDEN and no path", got, err)
				}
				if got, err := svc.Path(tt.ctx, open.ID); err != nil || got == nil {
					t.Errorf("a path without a tie: %v, %v", got, err)
				}
			}
		})
	}
}

// TestPathIDKey: ids are the same for the same route on the same graph and
// key, resolve on a service with the same key (another instance), and on
// none with another key; a tampered id or a retired-format one resolves to
// nothing.
func TestPathIDKey(t *testing.T) {
	e := newEnv(t, region())
	key := bytes.Repeat([]byte("k"), access.MinIDKeyBytes)
	other := bytes.Repeat([]byte("o"), access.MinIDKeyBytes)
	opts := func(k []byte) access.Options { o := access.DefaultOptions(); o.IDKey = k; return o }
	a := access.NewService(e.snaps, e.scores, opts(key))
	b := access.NewService(e.snaps, e.scores, opts(bytes.Clone(key)))
	c := access.NewService(e.snaps, e.scores, opts(other))
	ctx := as(t, "U1", auth.RoleKAM)
	q := access.Query{To: "A1", K: 5, MaxHops: 6}
	pa, pb, pc := mustPaths(t, a, "U1", q), mustPaths(t, b, "U1", q), mustPaths(t, c, "U1", q)
	for i := range pa {
		if pa[i].ID != pb[i].ID || pa[i].ID == pc[i].ID {
			t.Errorf("path %d: ids %s (key), %s (same key), %s (other key)", i, pa[i].ID, pb[i].ID, pc[i].ID)
		}
		if got, err := b.Path(ctx, pa[i].ID); err != nil || got == nil || got.ID != pa[i].ID {
			t.Errorf("path %d on another instance with the key: %v, %v", i, got, err)
		}
		if got, err := c.Path(ctx, pa[i].ID); err != nil || got != nil {
			t.Errorf("path %d on a service with another key: %v, %v", i, got, err)
		}
	}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(pa[0].ID, "path-"))
	for _, at := range []int{len(raw) - 1, len(raw) - 16, 1} { // the tag's ends, the version
		bad := bytes.Clone(raw)
		bad[at] ^= 1
		id := "path-" + base64.RawURLEncoding.EncodeToString(bad)
		if got, err := c.Path(ctx, id); got != nil || (err != nil && kolgraph.ErrorCode(err) != kolgraph.EINVALID) {
			t.Errorf("tampered at byte %d: %v, %v", at, got, err)
		}
		if got, err := b.Path(ctx, id); got != nil || (err != nil && kolgraph.ErrorCode(err) != kolgraph.EINVALID) {
			t.Errorf("tampered at byte %d, same key: %v, %v", at, got, err)
		}
	}
	version, user, nodes := idBody(t, pa[0].ID)
	if got, err := a.Path(ctx, pathID(1, version, user, nodes, make([]byte, 8))); got != nil || err != nil {
		t.Errorf("a retired-format id: %v, %v; want nothing", got, err)
	}
}

func TestIDKeyFrom(t *testing.T) {
	secret := []byte("kolgraph-e2e-hs256-secret-0123456789")
	k := access.IDKeyFrom(secret)
	if len(k) < access.MinIDKeyBytes || bytes.Equal(k, access.IDKeyFrom([]byte("another secret of at least 32 bytes!"))) ||
		!bytes.Equal(k, access.IDKeyFrom(bytes.Clone(secret))) || bytes.Contains(k, secret[:8]) {
		t.Errorf("IDKeyFrom(secret) = %x", k)
	}
	defer func() {
		if recover() == nil {
			t.Errorf("a 31-byte key was accepted")
		}
	}()
	o := access.DefaultOptions()
	o.IDKey = make([]byte, access.MinIDKeyBytes-1)
	access.NewService(nil, nil, o)
}
