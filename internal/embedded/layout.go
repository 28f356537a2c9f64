package embedded

import "fmt"

// The file holds one bucket per record kind, keyed by id (relationships by
// their two end ids), and a meta bucket with the version counter (the
// number of change sets applied) and the schema version of this layout.
//
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

// pairIs reports whether k is pairKey(a, b), without allocating.
func pairIs(k []byte, a, b string) bool {
	return len(k) == len(a)+1+len(b) && string(k[:len(a)]) == a &&
		k[len(a)] == keySep[0] && string(k[len(a)+1:]) == b
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
		r, err := decodeTerritory(v)
		if err != nil {
			return fmt.Errorf("embedded: decode %s/%q: %w", bucket, k, err)
		}
		if r.ID != string(k) {
			return bad()
		}
		g.putTerritory(r)
	case bHospitals:
		r, err := decodeHospital(v)
		if err != nil {
			return fmt.Errorf("embedded: decode %s/%q: %w", bucket, k, err)
		}
		if r.ID != string(k) {
			return bad()
		}
		g.putHospital(r)
	case bDepartments:
		r, err := decodeDepartment(v)
		if err != nil {
			return fmt.Errorf("embedded: decode %s/%q: %w", bucket, k, err)
		}
		if r.ID != string(k) {
			return bad()
		}
		g.putDepartment(r)
	case bHCPs:
		r, err := decodeHCP(v)
		if err != nil {
			return fmt.Errorf("embedded: decode %s/%q: %w", bucket, k, err)
		}
		if r.ID != string(k) {
			return bad()
		}
		g.putHCP(r)
	case bCommittees:
		r, err := decodeCommittee(v)
		if err != nil {
			return fmt.Errorf("embedded: decode %s/%q: %w", bucket, k, err)
		}
		if r.ID != string(k) {
			return bad()
		}
		g.putCommittee(r)
	case bProducts:
		r, err := decodeProduct(v)
		if err != nil {
			return fmt.Errorf("embedded: decode %s/%q: %w", bucket, k, err)
		}
		if r.ID != string(k) {
			return bad()
		}
		g.putProduct(r)
	case bUsers:
		r, err := decodeUser(v)
		if err != nil {
			return fmt.Errorf("embedded: decode %s/%q: %w", bucket, k, err)
		}
		if r.ID != string(k) {
			return bad()
		}
		g.putUser(r)
	case bMemberships:
		r, err := decodeMembership(v)
		if err != nil {
			return fmt.Errorf("embedded: decode %s/%q: %w", bucket, k, err)
		}
		if !pairIs(k, r.HCPID, r.CommitteeID) {
			return bad()
		}
		g.putMembership(r)
	case bListings:
		r, err := decodeListing(v)
		if err != nil {
			return fmt.Errorf("embedded: decode %s/%q: %w", bucket, k, err)
		}
		if !pairIs(k, r.HospitalID, r.ProductID) {
			return bad()
		}
		g.putListing(r)
	case bKnows:
		r, err := decodeKnows(v)
		if err != nil {
			return fmt.Errorf("embedded: decode %s/%q: %w", bucket, k, err)
		}
		if !pairIs(k, r.UserID, r.HCPID) {
			return bad()
		}
		g.putKnows(r)
	case bInfluences:
		r, err := decodeInfluence(v)
		if err != nil {
			return fmt.Errorf("embedded: decode %s/%q: %w", bucket, k, err)
		}
		if !pairIs(k, r.From, r.To) {
			return bad()
		}
		g.putInfluence(r)
	default:
		return fmt.Errorf("embedded: unknown bucket %q", bucket)
	}
	return nil
}
