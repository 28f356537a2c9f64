package scoring

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"slices"
	"sync"

	"github.com/kolgraph/kolgraph/internal/memo"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// printSeed keys the fingerprints; they are compared within the process
// only.
var printSeed = maphash.MakeSeed()

// scopePrint is the fingerprint of a scope of a snapshot: structure covers what
// every metric reads (the scope's HCP ids in node order, which fix the
// scope-local numbering and the ties of a ranking, and its induced
// INFLUENCES edges with their weights, in adjacency order); roles what
// INFLUENCE reads besides: each HCP's role priors (rolePriors: from its
// position, its best committee seat and its KOL level), as the values the
// blend uses, so the order in which a snapshot lists seats does not
// matter. Relationship kinds, evidence, names and everything outside the
// scope are read by no metric and left out, so a write elsewhere, or to
// them, keeps the scope's rankings.
type scopePrint struct{ structure, roles uint64 }

func (p scopePrint) of(m Metric) uint64 {
	if m != Influence {
		return p.structure
	}
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], p.structure)
	binary.LittleEndian.PutUint64(b[8:], p.roles)
	return maphash.Bytes(printSeed, b[:])
}

// fingerprint computes the print of the scope of snap whose sorted node
// indices are nodes.
//
// Complexity: O(n + m log n) for the scope's n HCPs and the m edges out of
// them.
func fingerprint(snap *snapshot.Snapshot, nodes []int32) scopePrint {
	var h, r maphash.Hash
	h.SetSeed(printSeed)
	r.SetSeed(printSeed)
	var buf [12]byte
	all := len(nodes) == len(snap.IDs) // the whole graph: local = global
	for _, v := range nodes {
		h.WriteString(snap.IDs[v])
		h.WriteByte(0)
		to, w := snap.Graph.OutNeighbors(v)
		for j, t := range to {
			l := t
			if !all {
				i, in := slices.BinarySearch(nodes, t)
				if !in {
					continue
				}
				l = int32(i)
			}
			binary.LittleEndian.PutUint32(buf[:4], uint32(l))
			binary.LittleEndian.PutUint64(buf[4:], math.Float64bits(w[j]))
			h.Write(buf[:])
		}
		h.Write([]byte{0xff, 0xff, 0xff, 0xff}) // end of v's edges: no local index is that high

		pos, seat, kol := rolePriors(snap, v)
		binary.LittleEndian.PutUint64(buf[:8], math.Float64bits(pos))
		r.Write(buf[:8])
		binary.LittleEndian.PutUint64(buf[:8], math.Float64bits(seat))
		r.Write(buf[:8])
		binary.LittleEndian.PutUint64(buf[:8], math.Float64bits(kol))
		r.Write(buf[:8])
	}
	return scopePrint{structure: h.Sum64(), roles: r.Sum64()}
}

// prints keeps the fingerprints of the current snapshot's scopes, each
// computed on its first use.
type prints struct {
	mu   sync.Mutex
	snap *snapshot.Snapshot
	m    map[snapshot.Scope]scopePrint
}

// stamp is the cache stamp of metric m over scope sc of snap.
func (s *Service) stamp(snap *snapshot.Snapshot, sc snapshot.Scope, nodes []int32, m Metric) memo.Stamp {
	return memo.Stamp{Print: s.prints.get(snap, sc, nodes).of(m), Version: snap.Version}
}

func (ps *prints) get(snap *snapshot.Snapshot, sc snapshot.Scope, nodes []int32) scopePrint {
	ps.mu.Lock()
	if ps.snap == nil || ps.snap.Version < snap.Version {
		ps.snap, ps.m = snap, map[snapshot.Scope]scopePrint{}
	}
	p, ok := ps.m[sc]
	mine := ps.snap == snap
	ps.mu.Unlock()
	if ok && mine {
		return p
	}
	p = fingerprint(snap, nodes)
	if mine {
		ps.mu.Lock()
		if ps.snap == snap {
			ps.m[sc] = p
		}
		ps.mu.Unlock()
	}
	return p
}
