package embedded

import "github.com/kolgraph/kolgraph/internal/kolgraph"

// The file holds one bucket per record kind, keyed by id (relationships by
// their two end ids), and a meta bucket with the version counter (the
// number of change sets applied) and the schema version of this layout.
//
// Buckets: one per record kind, named as kolgraph names the kind
// (Kind.Name: the ChangeSet field names in snake case; see buckets.go),
// plus meta.
const bMeta = "meta"

// Relationship keys join the two end ids with a NUL byte, which ids cannot
// contain (kolgraph's id pattern), so the key is unambiguous and sorts by
// the first end, then the second.
const keySep = "\x00"

func pairKey(a, b string) []byte { return []byte(a + keySep + b) }

// factKey is a prescription fact's key: entity, product and month joined
// by NUL, and a last byte saying whether the entity is an HCP ("h") or a
// department ("d"), so a fact's entity kind survives a load.
func factKey(k kolgraph.PrescriptionFactKey) []byte {
	kind := "h"
	if k.HCPID == "" {
		kind = "d"
	}
	return []byte(k.EntityID() + keySep + k.ProductID + keySep + k.Month + keySep + kind)
}

// pairIs reports whether k is pairKey(a, b), without allocating.
func pairIs[S string | []byte](k []byte, a, b S) bool {
	return len(k) == len(a)+1+len(b) && string(k[:len(a)]) == string(a) &&
		k[len(a)] == keySep[0] && string(k[len(a)+1:]) == string(b)
}
