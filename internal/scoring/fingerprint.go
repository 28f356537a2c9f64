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
//
// roles is computed only for INFLUENCE (hasRoles): the other metrics do
// not read it, and on the 100,000-HCP region its map look-ups cost as
// much as hashing the ties.
type scopePrint struct {
	structure, roles uint64
	hasRoles         bool
}

func (p scopePrint) of(m Metric) uint64 {
	if m != Influence {
		return p.structure
	}
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], p.structure)
	binary.LittleEndian.PutUint64(b[8:], p.roles)
	return maphash.Bytes(printSeed, b[:])
}

// printOf is the fingerprint of metric m over the scope of snap whose
// sorted node indices are nodes.
func printOf(snap *snapshot.Snapshot, nodes []int32, m Metric) uint64 {
	p := scopePrint{structure: structurePrint(snap, nodes)}
	if m == Influence {
		p.roles, p.hasRoles = rolesPrint(snap, nodes), true
	}
	return p.of(m)
}

// printChunk is how many bytes the fingerprints stage before hashing them.
const printChunk = 32 << 10

// printSplit is the scope size (in HCPs) from which structurePrint hashes
// the two halves of the scope on two goroutines.
const printSplit = 1 << 14

// structurePrint is scopePrint's structure of the scope of snap whose
// sorted node indices are nodes. A large scope's halves are hashed side by
// side and their sums hashed together; the halves are fixed by the scope's
// size, so the same scope has the same print.
//
// Complexity: O(n + m log n) for the scope's n HCPs and the m edges out of
// them (O(n + m) for the whole graph).
func structurePrint(snap *snapshot.Snapshot, nodes []int32) uint64 {
	if len(nodes) < printSplit {
		return structurePart(snap, nodes, nodes)
	}
	half := len(nodes) / 2
	var b [16]byte
	var wg sync.WaitGroup
	wg.Go(func() { binary.LittleEndian.PutUint64(b[8:], structurePart(snap, nodes, nodes[half:])) })
	binary.LittleEndian.PutUint64(b[:8], structurePart(snap, nodes, nodes[:half]))
	wg.Wait()
	return maphash.Bytes(printSeed, b[:])
}

// structurePart hashes the ids and the in-scope ties of part, a run of
// the scope's nodes.
func structurePart(snap *snapshot.Snapshot, nodes, part []int32) uint64 {
	var h maphash.Hash
	h.SetSeed(printSeed)
	// The bytes are staged and hashed a chunk at a time (a Write per tie
	// costs more than the hashing itself); maphash hashes the same bytes to
	// the same value however they are split.
	buf := make([]byte, 0, printChunk+64)
	all := len(nodes) == len(snap.IDs) // the whole graph: local = global
	for _, v := range part {
		if len(buf) >= printChunk {
			h.Write(buf)
			buf = buf[:0]
		}
		buf = append(buf, snap.IDs[v]...)
		buf = append(buf, 0)
		to, w := snap.Graph.OutNeighbors(v)
		w = w[:len(to)]
		for j, t := range to {
			l := t
			if !all {
				i, in := slices.BinarySearch(nodes, t)
				if !in {
					continue
				}
				l = int32(i)
			}
			if len(buf) >= printChunk {
				h.Write(buf)
				buf = buf[:0]
			}
			buf = binary.LittleEndian.AppendUint32(buf, uint32(l))
			buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(w[j]))
		}
		buf = append(buf, 0xff, 0xff, 0xff, 0xff) // end of v's edges: no local index is that high
	}
	h.Write(buf)
	return h.Sum64()
}

// rolesPrint is scopePrint's roles of the scope of snap whose node indices
// are nodes, in O(n) for its n HCPs.
func rolesPrint(snap *snapshot.Snapshot, nodes []int32) uint64 {
	var r maphash.Hash
	r.SetSeed(printSeed)
	buf := make([]byte, 0, printChunk+64)
	for _, v := range nodes {
		if len(buf) >= printChunk {
			r.Write(buf)
			buf = buf[:0]
		}
		pos, seat, kol := rolePriors(snap, v)
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(pos))
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(seat))
		buf = binary.LittleEndian.AppendUint64(buf, math.Float64bits(kol))
	}
	r.Write(buf)
	return r.Sum64()
}

// prints keeps the fingerprints of the current snapshot's scopes, each
// part computed on its first use.
type prints struct {
	mu   sync.Mutex
	snap *snapshot.Snapshot
	m    map[snapshot.Scope]scopePrint
}

// stamp is the cache stamp of metric m over scope sc of snap.
func (s *Service) stamp(snap *snapshot.Snapshot, sc snapshot.Scope, nodes []int32, m Metric) memo.Stamp {
	return memo.Stamp{Print: s.prints.get(snap, sc, nodes, m).of(m), Version: snap.Version}
}

// get returns the print of scope sc of snap with at least what metric m
// reads computed.
func (ps *prints) get(snap *snapshot.Snapshot, sc snapshot.Scope, nodes []int32, m Metric) scopePrint {
	ps.mu.Lock()
	if ps.snap == nil || ps.snap.Version < snap.Version {
		ps.snap, ps.m = snap, map[snapshot.Scope]scopePrint{}
	}
	p, ok := ps.m[sc]
	mine := ps.snap == snap
	ps.mu.Unlock()
	if !ok || !mine {
		p = scopePrint{structure: structurePrint(snap, nodes)}
	}
	if m == Influence && !p.hasRoles {
		p.roles, p.hasRoles = rolesPrint(snap, nodes), true
	} else if ok && mine {
		return p
	}
	if mine {
		ps.mu.Lock()
		if ps.snap == snap {
			if q := ps.m[sc]; q.hasRoles && !p.hasRoles {
				p = q // another request added the roles meanwhile
			}
			ps.m[sc] = p
		}
		ps.mu.Unlock()
	}
	return p
}
