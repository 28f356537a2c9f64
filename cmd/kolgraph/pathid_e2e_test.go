package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/config"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

const influencePathQuery = `query($id: ID!) { influencePath(id: $id) { ` + pathFields + ` } }`

// u005Path is a path that starts from the contacts of U005 (kam of T01),
// asked for by U005 with authz: the strongest to an HCP of T01 that one of
// U005's contacts in T01 sways.
func u005Path(t *testing.T, authz string) gqlPath {
	t.Helper()
	t01 := regionOf(t, "T01")
	contacts := map[string]bool{}
	var to string
	err := svc.Store.Scan(context.Background(), kolgraph.Visitor{Knows: func(k kolgraph.Knows) error {
		if k.UserID == "U005" && t01.in[k.HCPID] {
			contacts[k.HCPID] = true
		}
		return nil
	}})
	if err == nil {
		err = svc.Store.Scan(context.Background(), kolgraph.Visitor{Influence: func(e *kolgraph.Influence) error {
			if to == "" && contacts[e.From] && t01.in[e.To] && !contacts[e.To] {
				to = e.To
			}
			return nil
		}})
	}
	if err != nil || to == "" {
		t.Fatalf("no HCP of T01 that U005's contacts sway (%v)", err)
	}
	var got struct{ StrongestPaths []gqlPath }
	mustQueryAuth(t, svc.Handler(), authz, `query($to: ID!) { strongestPaths(to: $to, k: 1) { `+pathFields+` } }`,
		map[string]any{"to": to}, &got)
	if len(got.StrongestPaths) != 1 || got.StrongestPaths[0].Entry == nil || got.StrongestPaths[0].Entry.User != "U005" {
		t.Fatalf("U005's path to %s: %+v", to, got.StrongestPaths)
	}
	return got.StrongestPaths[0]
}

// TestPathIDForgeryAPI is issue 18's attack through the API: U006, a viewer
// of T01, sees the hops of U005's path (asked from its first HCP) and lays
// out format-1 ids for U005 with every two-decimal tie strength. One of them
// used to resolve and show U005's tie; none may.
func TestPathIDForgeryAPI(t *testing.T) {
	h := svc.Handler()
	mine := u005Path(t, bearer(t, "U005", auth.RoleKAM, []string{"T01"}))
	viewer := bearer(t, "U006", auth.RoleViewer, []string{"T01"})
	var got struct{ StrongestPaths []gqlPath }
	mustQueryAuth(t, h, viewer, `query($from: ID!, $to: ID!) { strongestPaths(from: [$from], to: $to, k: 20) { `+pathFields+` } }`,
		map[string]any{"from": mine.Source.ID, "to": mine.Target.ID}, &got)
	i := slices.IndexFunc(got.StrongestPaths, func(p gqlPath) bool { return hopIDs(p) == hopIDs(mine) })
	if i < 0 {
		t.Fatalf("the viewer does not see U005's hops")
	}
	seen := got.StrongestPaths[i]
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(seen.ID, "path-"))
	if err != nil {
		t.Fatal(err)
	}
	// Format 1 and 2 share the layout up to the digest: version, user (none
	// here), node count and indices.
	version, n := binary.Uvarint(raw[1:])
	body := raw[1+n:]
	_, n = binary.Uvarint(body)
	body = body[n:]
	count, n := binary.Uvarint(body)
	nodes := slices.Clone(body[:n])
	rest := body[n:]
	for range count {
		_, n := binary.Uvarint(rest)
		nodes, rest = append(nodes, rest[:n]...), rest[n:]
	}
	for c := 1; c <= 100; c++ {
		entry := float64(c) / 100
		b := []byte{1}
		b = binary.AppendUvarint(b, version)
		b = binary.AppendUvarint(b, uint64(len("U005")))
		b = append(b, "U005"...)
		b = append(b, nodes...)
		b = append(b, oldDigest(seen, version, "U005", entry)...)
		x := ask(t, h, viewer, influencePathQuery, map[string]any{"id": "path-" + base64.RawURLEncoding.EncodeToString(b)})
		var data struct{ InfluencePath *gqlPath }
		_ = json.Unmarshal(x.resp.Data, &data)
		if data.InfluencePath != nil {
			t.Fatalf("a forged id (tie %v) resolved for U006: %s", entry, x.body)
		}
	}
}

// hopIDs is the HCP ids along p.
func hopIDs(p gqlPath) string {
	ids := []string{p.Source.ID}
	for _, hop := range p.Hops {
		ids = append(ids, hop.To.ID)
	}
	return strings.Join(ids, " ")
}

// oldDigest is format 1's digest: the first 8 bytes of SHA-256 over what a
// citation shows, the tie's strength included.
func oldDigest(p gqlPath, version uint64, user string, entry float64) []byte {
	h := sha256.New()
	var buf [8]byte
	num := func(x float64) { binary.LittleEndian.PutUint64(buf[:], math.Float64bits(x)); h.Write(buf[:]) }
	str := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	binary.LittleEndian.PutUint64(buf[:], version)
	h.Write(buf[:])
	str(user)
	num(entry)
	str(p.Source.ID)
	for _, hop := range p.Hops {
		str(hop.To.ID)
	}
	for _, hop := range p.Hops {
		num(hop.Weight)
		str(hop.Kind)
		ev := ""
		if hop.Evidence != nil {
			ev = *hop.Evidence
		}
		str(ev)
	}
	return h.Sum(nil)[:8]
}

// TestPathIDBinding: an id issued to U005 resolves for U005 and admins; U006
// as a viewer, a kam or a strategist gets FORBIDDEN and no path.
func TestPathIDBinding(t *testing.T) {
	h := svc.Handler()
	resolve := func(authz, id string) (*gqlPath, []string) {
		x := ask(t, h, authz, influencePathQuery, map[string]any{"id": id})
		var data struct{ InfluencePath *gqlPath }
		_ = json.Unmarshal(x.resp.Data, &data)
		return data.InfluencePath, x.codes()
	}
	// Issued on T01's view (a kam), and on the whole graph's (the same user
	// with a role that reads every territory): a path id names nodes of the
	// view it was issued on.
	t01 := u005Path(t, bearer(t, "U005", auth.RoleKAM, []string{"T01"}))
	all := u005Path(t, bearer(t, "U005", auth.RoleStrategist, nil))
	for _, tc := range []struct {
		name  string
		authz string
		id    string
		allow bool
	}{
		{"U005 on T01", bearer(t, "U005", auth.RoleKAM, []string{"T01"}), t01.ID, true},
		{"U005 on the whole graph", bearer(t, "U005", auth.RoleStrategist, nil), all.ID, true},
		{"an admin", bearer(t, "U001", auth.RoleAdmin, nil), all.ID, true},
		{"U006 as a viewer", bearer(t, "U006", auth.RoleViewer, []string{"T01"}), t01.ID, false},
		{"U006 as a kam", bearer(t, "U006", auth.RoleKAM, []string{"T01"}), t01.ID, false},
		{"U006 as a strategist", bearer(t, "U006", auth.RoleStrategist, nil), all.ID, false},
		{"compliance", bearer(t, "U003", auth.RoleCompliance, nil), all.ID, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, codes := resolve(tc.authz, tc.id)
			if tc.allow {
				if p == nil || p.Entry == nil || p.Entry.User != "U005" || len(codes) > 0 {
					t.Errorf("got %+v %v; want U005's path with its tie", p, codes)
				}
				return
			}
			if p != nil || !slices.Equal(codes, []string{kolgraph.EFORBIDDEN}) {
				t.Errorf("got %+v %v; want no path and FORBIDDEN", p, codes)
			}
		})
	}
}

// TestPathIDKeyConfig: the key is -path-id-key, else derived from
// -auth-hs256-secret, else a random one for the process, which start-up
// announces; ids resolve on another instance configured alike.
func TestPathIDKeyConfig(t *testing.T) {
	secret := strings.Repeat("s", 32)
	key := strings.Repeat("k", 32)
	for _, tc := range []struct {
		name string
		c    config.Config
		want []byte
	}{
		{"the flag", config.Config{PathIDKey: key, AuthHS256Secret: secret}, []byte(key)},
		{"from the token secret", config.Config{AuthHS256Secret: secret}, access.IDKeyFrom([]byte(secret))},
		{"none", config.Config{}, nil},
	} {
		if got := pathIDKey(tc.c); !bytes.Equal(got, tc.want) {
			t.Errorf("%s: key %x, want %x", tc.name, got, tc.want)
		}
	}
	var log bytes.Buffer
	m := &Main{Config: config.Default(), Log: zerolog.New(&log)}
	m.logPathIDKey()
	if !strings.Contains(log.String(), "will not resolve after a restart") {
		t.Errorf("no warning about a random key: %q", log.String())
	}
	log.Reset()
	m.Config.AuthHS256Secret = secret
	m.logPathIDKey()
	if log.Len() != 0 {
		t.Errorf("a warning with a key: %q", log.String())
	}

	// Another instance of the test service's configuration (its key comes
	// from its token secret) resolves the service's ids without having
	// issued them; one with another key does not.
	p := u005Path(t, bearer(t, "U005", auth.RoleStrategist, nil))
	ctx := viewer.WithUser(context.Background(), "U005")
	other := access.NewService(svc.Snapshots, svc.Analytics.Scores, accessOptions(svc.Config))
	if got, err := other.Path(ctx, p.ID); err != nil || got == nil || got.ID != p.ID {
		t.Errorf("another instance with the key: %v, %v", got, err)
	}
	o := access.DefaultOptions()
	o.IDKey = []byte(key)
	if got, err := access.NewService(svc.Snapshots, svc.Analytics.Scores, o).Path(ctx, p.ID); err != nil || got != nil {
		t.Errorf("an instance with another key: %v, %v", got, err)
	}
}
