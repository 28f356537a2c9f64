package embedded

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Bucket names: one per record kind, plus meta. They double as the kind
// names in Problem.File, so keep them equal to the ChangeSet field names in
// snake case.
const (
	bTerritories = "territories"
	bHospitals   = "hospitals"
	bDepartments = "departments"
	bHCPs        = "hcps"
	bCommittees  = "committees"
	bMemberships = "memberships"
	bProducts    = "products"
	bListings    = "listings"
	bUsers       = "users"
	bKnows       = "knows"
	bInfluences  = "influences"
	bMeta        = "meta"
)

var dataBuckets = []string{bTerritories, bHospitals, bDepartments, bHCPs,
	bCommittees, bMemberships, bProducts, bListings, bUsers, bKnows, bInfluences}

// Relationship keys join the two end ids with a NUL byte, which ids cannot
// contain (kolgraph's id pattern), so the key is unambiguous and sorts by
// the first end, then the second.
const keySep = "\x00"

func pairKey(a, b string) []byte { return []byte(a + keySep + b) }

func splitPair(k []byte) (string, string, bool) {
	a, b, ok := strings.Cut(string(k), keySep)
	return a, b, ok
}

// Records are stored as JSON, using the domain types' own tags: the
// encoding is self-describing, so adding a field needs no migration, and
// `bbolt get` output is readable when debugging. Measured on the ~70k
// record bulk load, JSON is not the bottleneck (see the package benchmarks).
func encode(v any) ([]byte, error) { return json.Marshal(v) }

func decode(bucket string, k, v []byte, into any) error {
	if err := json.Unmarshal(v, into); err != nil {
		return fmt.Errorf("embedded: decode %s/%q: %w", bucket, k, err)
	}
	return nil
}

// loadRecord decodes one stored record into g. Keys are checked against
// the record so that a corrupt file is reported instead of silently
// producing an inconsistent read model.
func (g *graph) loadRecord(bucket string, k, v []byte) error {
	bad := func() error {
		return fmt.Errorf("embedded: %s/%q: key does not match record", bucket, k)
	}
	switch bucket {
	case bTerritories:
		var r kolgraph.Territory
		if err := decode(bucket, k, v, &r); err != nil {
			return err
		}
		if r.ID != string(k) {
			return bad()
		}
		g.putTerritory(&r)
	case bHospitals:
		var r kolgraph.Hospital
		if err := decode(bucket, k, v, &r); err != nil {
			return err
		}
		if r.ID != string(k) {
			return bad()
		}
		g.putHospital(&r)
	case bDepartments:
		var r kolgraph.Department
		if err := decode(bucket, k, v, &r); err != nil {
			return err
		}
		if r.ID != string(k) {
			return bad()
		}
		g.putDepartment(&r)
	case bHCPs:
		var r kolgraph.HCP
		if err := decode(bucket, k, v, &r); err != nil {
			return err
		}
		if r.ID != string(k) {
			return bad()
		}
		g.putHCP(&r)
	case bCommittees:
		var r kolgraph.Committee
		if err := decode(bucket, k, v, &r); err != nil {
			return err
		}
		if r.ID != string(k) {
			return bad()
		}
		g.putCommittee(&r)
	case bProducts:
		var r kolgraph.Product
		if err := decode(bucket, k, v, &r); err != nil {
			return err
		}
		if r.ID != string(k) {
			return bad()
		}
		g.putProduct(&r)
	case bUsers:
		var r kolgraph.User
		if err := decode(bucket, k, v, &r); err != nil {
			return err
		}
		if r.ID != string(k) {
			return bad()
		}
		g.putUser(&r)
	case bMemberships:
		var r kolgraph.Membership
		if err := decode(bucket, k, v, &r); err != nil {
			return err
		}
		if a, b, _ := splitPair(k); a != r.HCPID || b != r.CommitteeID {
			return bad()
		}
		g.putMembership(r)
	case bListings:
		var r kolgraph.Listing
		if err := decode(bucket, k, v, &r); err != nil {
			return err
		}
		if a, b, _ := splitPair(k); a != r.HospitalID || b != r.ProductID {
			return bad()
		}
		g.putListing(r)
	case bKnows:
		var r kolgraph.Knows
		if err := decode(bucket, k, v, &r); err != nil {
			return err
		}
		if a, b, _ := splitPair(k); a != r.UserID || b != r.HCPID {
			return bad()
		}
		g.putKnows(r)
	case bInfluences:
		var r kolgraph.Influence
		if err := decode(bucket, k, v, &r); err != nil {
			return err
		}
		if a, b, _ := splitPair(k); a != r.From || b != r.To {
			return bad()
		}
		g.putInfluence(&r)
	default:
		return fmt.Errorf("embedded: unknown bucket %q", bucket)
	}
	return nil
}
