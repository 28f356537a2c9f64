package access

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"math"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/paths"
	"github.com/kolgraph/kolgraph/internal/snapshot"
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
func newPath(snap *snapshot.Snapshot, user string, entry float64, nodes []int32, at time.Time) (*Path, bool) {
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
	p.ID = encodeID(p)
	return p, true
}

// fromSearch turns a search result into a citable path and stores it.
func (s *Service) fromSearch(snap *snapshot.Snapshot, user string, contacts map[int32]float64, sp paths.Path, at time.Time) *Path {
	entry := 1.0
	if user != "" {
		entry = contacts[sp.Nodes[0]]
	}
	p, _ := newPath(snap, user, entry, sp.Nodes, at) // a search only returns edges of snap
	if prev := s.issued.get(p.ID); prev != nil {
		return prev // the same citation as before, with its first computedAt
	}
	s.issued.put(p)
	return p
}

// Path ids: "path-" + base64url of
//
//	byte 1 (format) | uvarint version | uvarint len(user) | user |
//	uvarint len(nodes) | uvarint node index ... | 8-byte digest
//
// where the digest is the first 8 bytes of SHA-256 over what the path shows.
const (
	idPrefix = "path-"
	idFormat = 1
)

func encodeID(p *Path) string {
	b := make([]byte, 0, 32+len(p.User)+3*len(p.nodes))
	b = append(b, idFormat)
	b = binary.AppendUvarint(b, p.Version)
	b = binary.AppendUvarint(b, uint64(len(p.User)))
	b = append(b, p.User...)
	b = binary.AppendUvarint(b, uint64(len(p.nodes)))
	for _, v := range p.nodes {
		b = binary.AppendUvarint(b, uint64(v))
	}
	b = append(b, digest(p)...)
	return idPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// digest covers every number and text a citation shows, so that an id
// re-derived on another store or instance names exactly the same path.
func digest(p *Path) []byte {
	h := sha256.New()
	var buf [8]byte
	num := func(x float64) { binary.LittleEndian.PutUint64(buf[:], math.Float64bits(x)); h.Write(buf[:]) }
	str := func(s string) { h.Write([]byte(s)); h.Write([]byte{0}) }
	binary.LittleEndian.PutUint64(buf[:], p.Version)
	h.Write(buf[:])
	str(p.User)
	num(p.Entry)
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

type pathID struct {
	version uint64
	user    string
	nodes   []int32
	digest  []byte
}

func decodeID(id string) (pathID, bool) {
	var out pathID
	rest, ok := strings.CutPrefix(id, idPrefix)
	if !ok {
		return out, false
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(b) < 1+8 || b[0] != idFormat {
		return out, false
	}
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
		return out, false
	}
	ul, ok := uv()
	if !ok || ul > uint64(len(b)) {
		return out, false
	}
	out.user, b = string(b[:ul]), b[ul:]
	n, ok := uv()
	if !ok || n < 1 || n > paths.MaxHopLimit+1 || (n == 1 && out.user == "") {
		return out, false
	}
	for range n {
		v, ok := uv()
		if !ok || v > math.MaxInt32 {
			return out, false
		}
		out.nodes = append(out.nodes, int32(v))
	}
	if len(b) != 8 {
		return out, false
	}
	out.digest = b
	return out, true
}

// Path returns the path an id names, or nil when it can no longer be
// resolved (see the package doc); a malformed id is BAD_USER_INPUT.
func (s *Service) Path(ctx context.Context, id string) (*Path, error) {
	pid, ok := decodeID(id)
	if !ok {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "malformed path id %q", id)
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
	if p == nil || p.ID != id {
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
	p, ok := newPath(snap, pid.user, entry, pid.nodes, s.now())
	if !ok {
		return nil
	}
	return p
}
