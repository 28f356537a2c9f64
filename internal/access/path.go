package access

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/paths"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

// Path is a citable access path: every hop with its relationship kind,
// weight and evidence, the total strength, and the graph version it was
// computed on.
type Path struct {
	ID string
	// Version is the graph version; GraphVersion its string form.
	Version      uint64
	GraphVersion string
	ComputedAt   time.Time
	// User is the user whose contact the path starts from, "" when the
	// sources were given; Entry is the strength of that KNOWS tie (1
	// without a user).
	User  string
	Entry float64
	// Nodes are the HCPs from the source to the target (one for a contact
	// who is the target); Hops join them.
	Nodes []*kolgraph.HCP
	Hops  []Hop
	// Strength is Entry times the product of the hop weights.
	Strength float64
	// Query is the search that first found the path (nil for one rebuilt
	// from its id): an account plan citing it keeps it, to search for a
	// replacement under the same constraints. A decision chain's paths
	// have K 1 and no From (the user's contacts).
	Query *Query

	nodes []int32 // snapshot indices, for the id
}

// Source is the HCP the path starts at; Target the one it reaches.
func (p *Path) Source() *kolgraph.HCP { return p.Nodes[0] }
func (p *Path) Target() *kolgraph.HCP { return p.Nodes[len(p.Nodes)-1] }

// Hop is one INFLUENCES edge of a path: From sways To.
type Hop struct {
	From, To *kolgraph.HCP
	Kind     string
	Weight   float64
	Evidence string
}

// newPath builds the citable form of nodes on snap. entry is the strength
// of user's tie to nodes[0] (1 and "" without a user). It reports false when
// two consecutive nodes have no edge (only for ids that do not describe a
// path of snap).
func (s *Service) newPath(snap *snapshot.Snapshot, user string, entry float64, nodes []int32, at time.Time) (*Path, bool) {
	p := &Path{Version: snap.Version, GraphVersion: snap.GraphVersion(), ComputedAt: at, User: user, Entry: entry,
		Nodes: make([]*kolgraph.HCP, len(nodes)), Hops: make([]Hop, len(nodes)-1), nodes: nodes}
	strength := entry
	for i, v := range nodes {
		p.Nodes[i] = snap.HCPs[v]
		if i == 0 {
			continue
		}
		e, ok := snap.Graph.EdgeBetween(nodes[i-1], v)
		if !ok {
			return nil, false
		}
		kind, ev := snap.Tie(e)
		w := snap.Graph.Weight(e)
		p.Hops[i-1] = Hop{From: p.Nodes[i-1], To: p.Nodes[i], Kind: kind, Weight: w, Evidence: ev}
		strength *= w
	}
	p.Strength = strength
	p.ID = s.encodeID(p)
	return p, true
}

// fromSearch turns a search result for q into a citable path and, with
// issue, stores it.
func (s *Service) fromSearch(snap *snapshot.Snapshot, user string, contacts map[int32]float64, sp paths.Path, at time.Time, q *Query, issue bool) *Path {
	entry := 1.0
	if user != "" {
		entry = contacts[sp.Nodes[0]]
	}
	p, _ := s.newPath(snap, user, entry, sp.Nodes, at) // a search only returns edges of snap
	p.Query = q
	if !issue {
		return p
	}
	if prev := s.issued.get(p.ID); prev != nil {
		return prev // the same citation as before, with its first computedAt
	}
	s.issued.put(p)
	return p
}

// Path ids: "path-" + base64url of
//
//	byte 2 (format) | uvarint version | uvarint len(user) | user |
//	uvarint len(nodes) | uvarint node index ... | 16-byte tag
//
// where the tag is the first 16 bytes of HMAC-SHA256, under the service's
// key, of everything before it and of what the path shows (see encodeID). Format
// 1 (an unkeyed 8-byte SHA-256 digest, which could be forged) is retired.
const (
	idPrefix      = "path-"
	idFormat      = 2
	retiredFormat = 1
	tagBytes      = 16
)

// MinIDKeyBytes is the shortest key Options.IDKey may hold.
const MinIDKeyBytes = 32

// IDKeyFrom derives a path-id key from another secret (the HS256 token
// secret), domain-separated: HMAC-SHA256(secret, "kolgraph path ids").
func IDKeyFrom(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("kolgraph path ids"))
	return m.Sum(nil)
}

// processKey is the key of services given none: random, drawn once per
// process, so that every service of the process (the full graph's and each
// territory set's) signs alike.
var processKey = sync.OnceValue(func() []byte {
	k := make([]byte, MinIDKeyBytes)
	if _, err := rand.Read(k); err != nil {
		panic("access: no randomness for a path-id key: " + err.Error())
	}
	return k
})

// signer holds what signing an id needs, pooled per Service (see
// Service.signers) so that an id costs one allocation, its string.
type signer struct {
	mac hash.Hash // HMAC-SHA256 under the service's key
	buf []byte    // the id's bytes, then the signed message
	sum []byte
	out []byte // the id's text
}

func (s *Service) encodeID(p *Path) string {
	sg := s.signers.Get().(*signer)
	defer s.signers.Put(sg)
	b := append(sg.buf[:0], idFormat)
	b = binary.AppendUvarint(b, p.Version)
	b = binary.AppendUvarint(b, uint64(len(p.User)))
	b = append(b, p.User...)
	b = binary.AppendUvarint(b, uint64(len(p.nodes)))
	for _, v := range p.nodes {
		b = binary.AppendUvarint(b, uint64(v))
	}
	body := len(b)
	// The tag signs the body together with every number and text the
	// citation shows, so that an id re-derived on another store, instance
	// or territory set names exactly the same path, and no one without
	// the key can make one.
	b = appendStr(b, p.User)
	b = binary.LittleEndian.AppendUint64(b, math.Float64bits(p.Entry))
	for _, n := range p.Nodes {
		b = appendStr(b, n.ID)
	}
	for _, hop := range p.Hops {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(hop.Weight))
		b = appendStr(b, hop.Kind)
		b = appendStr(b, hop.Evidence)
	}
	sg.mac.Reset()
	sg.mac.Write(b)
	sg.sum = sg.mac.Sum(sg.sum[:0])
	b = append(b[:body], sg.sum[:tagBytes]...)
	sg.buf = b
	sg.out = base64.RawURLEncoding.AppendEncode(append(sg.out[:0], idPrefix...), b)
	return string(sg.out)
}

// appendStr appends s with its length in front, so that no two sequences
// of texts encode alike.
func appendStr(b []byte, s string) []byte {
	return append(binary.LittleEndian.AppendUint64(b, uint64(len(s))), s...)
}

type pathID struct {
	version uint64
	user    string
	nodes   []int32
	tag     []byte
}

// decodeID parses id. retired reports an id of a retired format, which no
// longer resolves; ok is false for anything else that is not an id.
func decodeID(id string) (out pathID, retired, ok bool) {
	rest, ok := strings.CutPrefix(id, idPrefix)
	if !ok {
		return out, false, false
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(b) < 1 {
		return out, false, false
	}
	tagLen := tagBytes
	switch b[0] {
	case idFormat:
	case retiredFormat:
		tagLen = 8
	default:
		return out, false, false
	}
	format := b[0]
	b = b[1:]
	uv := func() (uint64, bool) {
		x, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, false
		}
		b = b[n:]
		return x, true
	}
	if out.version, ok = uv(); !ok {
		return out, false, false
	}
	ul, ok := uv()
	if !ok || ul > uint64(len(b)) {
		return out, false, false
	}
	out.user, b = string(b[:ul]), b[ul:]
	n, ok := uv()
	if !ok || n < 1 || n > paths.MaxHopLimit+1 || (n == 1 && out.user == "") {
		return out, false, false
	}
	for range n {
		v, ok := uv()
		if !ok || v > math.MaxInt32 {
			return out, false, false
		}
		out.nodes = append(out.nodes, int32(v))
	}
	if len(b) != tagLen {
		return out, false, false
	}
	if format == retiredFormat {
		return pathID{}, true, false
	}
	out.tag = b
	return out, false, true
}

// Path returns the path an id names, or nil when it can no longer be
// resolved (see the package doc), was not made with this service's key, or
// is of a retired format; a malformed id is BAD_USER_INPUT. A path that
// starts from a user's contacts shows that user's KNOWS tie: only that user
// and admins may fetch it, anyone else gets FORBIDDEN (before anything is
// looked up).
func (s *Service) Path(ctx context.Context, id string) (*Path, error) {
	pid, retired, ok := decodeID(id)
	if retired {
		return nil, nil
	}
	if !ok {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "malformed path id %q", id)
	}
	if !MaySeeTies(ctx, pid.user) {
		return nil, kolgraph.Errorf(kolgraph.EFORBIDDEN, "the path starts from the contacts of another user: only that user and admins may fetch it")
	}
	if p := s.issued.get(id); p != nil {
		return p, nil
	}
	snap, err := s.snaps.Get()
	if err != nil {
		return nil, err
	}
	if snap.Version != pid.version {
		return nil, nil
	}
	p := s.rederive(snap, pid)
	if p == nil {
		return nil, nil
	}
	// The tag covers what the path shows, so a path that changed, or an id
	// made with another key, does not match.
	if mine, _, _ := decodeID(p.ID); !hmac.Equal(mine.tag, pid.tag) {
		return nil, nil
	}
	s.issued.put(p)
	return p, nil
}

// rederive rebuilds the path of pid on snap (of pid's version), or nil when
// the id does not describe one of its paths.
func (s *Service) rederive(snap *snapshot.Snapshot, pid pathID) *Path {
	seen := map[int32]bool{}
	for _, v := range pid.nodes {
		if int(v) >= len(snap.IDs) || seen[v] {
			return nil
		}
		seen[v] = true
	}
	entry := 1.0
	if pid.user != "" {
		entry = 0
		for _, c := range snap.Contacts[pid.user] {
			if c.Node == pid.nodes[0] {
				entry = c.Strength
			}
		}
		if entry == 0 {
			return nil
		}
	}
	p, ok := s.newPath(snap, pid.user, entry, pid.nodes, s.now())
	if !ok {
		return nil
	}
	return p
}

// MaySeeTies reports whether the caller may see user's KNOWS ties (and so
// a path that starts from them): always for no user, else only that user
// (viewer.UserID, the token's subject) or a principal that manages users
// (auth.ManageUsers: an admin).
func MaySeeTies(ctx context.Context, user string) bool {
	if user == "" {
		return true
	}
	if p, ok := auth.FromContext(ctx); ok && p.Can(auth.ManageUsers) {
		return true
	}
	id, ok := viewer.UserID(ctx)
	return ok && id == user
}
