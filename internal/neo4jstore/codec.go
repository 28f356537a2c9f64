package neo4jstore

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Records are stored as plain properties: strings, int64, float64 and lists
// of strings. Times are RFC 3339 strings with nanoseconds (UTC), not Cypher
// temporal types: NornicDB mishandles those, and a string round-trips
// exactly on every server. Empty optional strings and nil pointers are not
// stored at all, so that "unknown" stays distinguishable from zero.
//
// Reads return plain columns (n.id, n.name, ...) decoded by position: the
// column names a server reports are not portable (NornicDB names
// `SET m.v = ... RETURN m.v` "v"), and decoding by index is faster.

// The RETURN lists below must match the decode functions' positions.
const (
	territoryCols  = "n.id, n.name"
	hospitalCols   = "n.id, n.name, n.tier, n.province, n.city, n.beds, n.ownership, n.paymentModel, n.territoryId"
	departmentCols = "n.id, n.hospitalId, n.name, n.specialty, n.weeklyOutpatients, n.indicationShare, n.managedBeds, " +
		"n.bedTurnover, n.dischargePenetration, n.drgEnrollmentRate, n.competitorPenetration, n.policySensitivity"
	hcpCols = "n.id, n.name, n.role, n.title, n.position, n.specialty, n.departmentId, n.hospitalId, n.kolLevel, " +
		"n.kolEvidence, n.phone, n.email, n.wechat"
	committeeCols  = "n.id, n.name, n.kind, n.hospitalId"
	productCols    = "n.id, n.name, n.indications, n.specialties"
	userCols       = "n.id, n.name, n.role, n.territories"
	membershipCols = "a.id, b.id, r.role"
	listingCols    = "a.id, b.id, r.status, r.since, r.keyMonitoring, r.nationalInsurance"
	shareCols      = "a.id, b.id, r.share"
	knowsCols      = "a.id, b.id, r.strength"
	influenceCols  = "a.id, b.id, r.weight, r.kind, r.evidence, r.updatedAt"
)

// props is a record as a property map, the row of an UNWIND batch.
type props map[string]any

func (p props) str(k, v string) {
	if v != "" {
		p[k] = v
	}
}

func (p props) strs(k string, v []string) {
	if len(v) > 0 {
		p[k] = append([]string(nil), v...)
	}
}

func (p props) optInt(k string, v *int) {
	if v != nil {
		p[k] = int64(*v)
	}
}

func (p props) optFloat(k string, v *float64) {
	if v != nil {
		p[k] = *v
	}
}

func territoryProps(t *kolgraph.Territory) props {
	return props{"id": t.ID, "name": t.Name}
}

func hospitalProps(h *kolgraph.Hospital) props {
	p := props{"id": h.ID, "name": h.Name, "nameLower": strings.ToLower(h.Name), "beds": int64(h.Beds)}
	p.str("tier", h.Tier)
	p.str("province", h.Province)
	p.str("city", h.City)
	p.str("ownership", h.Ownership)
	p.str("paymentModel", h.PaymentModel)
	p.str("territoryId", h.TerritoryID)
	return p
}

func departmentProps(d *kolgraph.Department) props {
	p := props{"id": d.ID, "hospitalId": d.HospitalID, "name": d.Name}
	p.str("specialty", d.Specialty)
	p.optInt("weeklyOutpatients", d.WeeklyOutpatients)
	p.optFloat("indicationShare", d.IndicationShare)
	p.optInt("managedBeds", d.ManagedBeds)
	p.optFloat("bedTurnover", d.BedTurnover)
	p.optFloat("dischargePenetration", d.DischargePenetration)
	p.optFloat("drgEnrollmentRate", d.DRGEnrollmentRate)
	p.optFloat("competitorPenetration", d.CompetitorPenetration)
	p.optFloat("policySensitivity", d.PolicySensitivity)
	return p
}

func hcpProps(h *kolgraph.HCP) props {
	p := props{"id": h.ID, "name": h.Name, "nameLower": strings.ToLower(h.Name),
		"departmentId": h.DepartmentID, "hospitalId": h.HospitalID}
	p.str("role", h.Role)
	p.str("title", h.Title)
	p.str("position", h.Position)
	p.str("specialty", h.Specialty)
	p.str("kolLevel", h.KOLLevel)
	p.strs("kolEvidence", h.KOLEvidence)
	p.str("phone", h.Phone)
	p.str("email", h.Email)
	p.str("wechat", h.WeChat)
	return p
}

func committeeProps(c *kolgraph.Committee) props {
	return props{"id": c.ID, "name": c.Name, "kind": c.Kind, "hospitalId": c.HospitalID}
}

func productProps(pr *kolgraph.Product) props {
	p := props{"id": pr.ID, "name": pr.Name}
	p.strs("indications", pr.Indications)
	p.strs("specialties", pr.Specialties)
	return p
}

func userProps(u *kolgraph.User) props {
	p := props{"id": u.ID, "name": u.Name, "role": u.Role}
	p.strs("territories", u.Territories)
	return p
}

// Relationship rows carry the end ids (a, b) and every property; an empty
// optional string is stored as "" so that one SET replaces the whole record.

func membershipRow(m kolgraph.Membership) props {
	return props{"a": m.HCPID, "b": m.CommitteeID, "role": m.Role}
}

func listingRow(l kolgraph.Listing) props {
	return props{"a": l.HospitalID, "b": l.ProductID, "status": l.Status, "since": l.Since,
		"keyMonitoring": l.KeyMonitoring, "nationalInsurance": l.NationalInsurance}
}

func shareRow(s kolgraph.ProductShare) props {
	return props{"a": s.DepartmentID, "b": s.ProductID, "share": s.Share}
}

func knowsRow(k kolgraph.Knows) props {
	return props{"a": k.UserID, "b": k.HCPID, "strength": k.Strength}
}

func influenceRow(e *kolgraph.Influence) props {
	return props{"a": e.From, "b": e.To, "weight": e.Weight, "kind": e.Kind, "evidence": e.Evidence,
		"updatedAt": formatTime(e.UpdatedAt)}
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// decoder converts the columns of one record, remembering the first value
// of an unexpected type: a record that does not decode is a bug or foreign
// data, reported as an internal error rather than silently zeroed.
type decoder struct {
	vals []any
	err  error
}

func (d *decoder) fail(i int, want string) {
	if d.err == nil {
		d.err = fmt.Errorf("column %d: got %T (%v), want %s", i, d.vals[i], d.vals[i], want)
	}
}

func (d *decoder) str(i int) string {
	switch v := d.vals[i].(type) {
	case nil:
		return ""
	case string:
		return v
	}
	d.fail(i, "string")
	return ""
}

// flag reads a boolean property; a missing one (a relationship written
// before the property existed) is false.
func (d *decoder) flag(i int) bool {
	switch v := d.vals[i].(type) {
	case nil:
		return false
	case bool:
		return v
	}
	d.fail(i, "boolean")
	return false
}

func (d *decoder) int(i int) int {
	switch v := d.vals[i].(type) {
	case nil:
		return 0
	case int64:
		return int(v)
	case float64:
		if v == math.Trunc(v) {
			return int(v)
		}
	}
	d.fail(i, "integer")
	return 0
}

// float accepts integers too: NornicDB returns a float property holding a
// whole number (0.0, 1.0) as an INTEGER.
func (d *decoder) float(i int) float64 {
	switch v := d.vals[i].(type) {
	case nil:
		return 0
	case float64:
		return v
	case int64:
		return float64(v)
	}
	d.fail(i, "float")
	return 0
}

func (d *decoder) optInt(i int) *int {
	if d.vals[i] == nil {
		return nil
	}
	v := d.int(i)
	return &v
}

func (d *decoder) optFloat(i int) *float64 {
	if d.vals[i] == nil {
		return nil
	}
	v := d.float(i)
	return &v
}

func (d *decoder) strs(i int) []string {
	switch v := d.vals[i].(type) {
	case nil:
		return nil
	case []any:
		if len(v) == 0 {
			return nil
		}
		out := make([]string, len(v))
		for j, x := range v {
			s, ok := x.(string)
			if !ok {
				d.fail(i, "list of strings")
				return nil
			}
			out[j] = s
		}
		return out
	case []string:
		if len(v) == 0 {
			return nil
		}
		return append([]string(nil), v...)
	}
	d.fail(i, "list of strings")
	return nil
}

func (d *decoder) time(i int) time.Time {
	s := d.str(i)
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		d.fail(i, "RFC 3339 time")
	}
	return t
}

func decodeTerritory(vals []any) (*kolgraph.Territory, error) {
	d := decoder{vals: vals}
	t := &kolgraph.Territory{ID: d.str(0), Name: d.str(1)}
	return t, d.err
}

func decodeHospital(vals []any) (*kolgraph.Hospital, error) {
	d := decoder{vals: vals}
	h := &kolgraph.Hospital{ID: d.str(0), Name: d.str(1), Tier: d.str(2), Province: d.str(3), City: d.str(4),
		Beds: d.int(5), Ownership: d.str(6), PaymentModel: d.str(7), TerritoryID: d.str(8)}
	return h, d.err
}

func decodeDepartment(vals []any) (*kolgraph.Department, error) {
	d := decoder{vals: vals}
	r := &kolgraph.Department{ID: d.str(0), HospitalID: d.str(1), Name: d.str(2), Specialty: d.str(3),
		WeeklyOutpatients: d.optInt(4), IndicationShare: d.optFloat(5), ManagedBeds: d.optInt(6),
		BedTurnover: d.optFloat(7), DischargePenetration: d.optFloat(8), DRGEnrollmentRate: d.optFloat(9),
		CompetitorPenetration: d.optFloat(10), PolicySensitivity: d.optFloat(11)}
	return r, d.err
}

func decodeHCP(vals []any) (*kolgraph.HCP, error) {
	d := decoder{vals: vals}
	h := &kolgraph.HCP{ID: d.str(0), Name: d.str(1), Role: d.str(2), Title: d.str(3), Position: d.str(4),
		Specialty: d.str(5), DepartmentID: d.str(6), HospitalID: d.str(7), KOLLevel: d.str(8),
		KOLEvidence: d.strs(9), Phone: d.str(10), Email: d.str(11), WeChat: d.str(12)}
	return h, d.err
}

func decodeCommittee(vals []any) (*kolgraph.Committee, error) {
	d := decoder{vals: vals}
	c := &kolgraph.Committee{ID: d.str(0), Name: d.str(1), Kind: d.str(2), HospitalID: d.str(3)}
	return c, d.err
}

func decodeProduct(vals []any) (*kolgraph.Product, error) {
	d := decoder{vals: vals}
	p := &kolgraph.Product{ID: d.str(0), Name: d.str(1), Indications: d.strs(2), Specialties: d.strs(3)}
	return p, d.err
}

func decodeUser(vals []any) (*kolgraph.User, error) {
	d := decoder{vals: vals}
	u := &kolgraph.User{ID: d.str(0), Name: d.str(1), Role: d.str(2), Territories: d.strs(3)}
	return u, d.err
}

func decodeMembership(vals []any) (kolgraph.Membership, error) {
	d := decoder{vals: vals}
	m := kolgraph.Membership{HCPID: d.str(0), CommitteeID: d.str(1), Role: d.str(2)}
	return m, d.err
}

func decodeListing(vals []any) (kolgraph.Listing, error) {
	d := decoder{vals: vals}
	l := kolgraph.Listing{HospitalID: d.str(0), ProductID: d.str(1), Status: d.str(2), Since: d.str(3),
		KeyMonitoring: d.flag(4), NationalInsurance: d.flag(5)}
	return l, d.err
}

func decodeProductShare(vals []any) (kolgraph.ProductShare, error) {
	d := decoder{vals: vals}
	s := kolgraph.ProductShare{DepartmentID: d.str(0), ProductID: d.str(1), Share: d.float(2)}
	return s, d.err
}

func decodeKnows(vals []any) (kolgraph.Knows, error) {
	d := decoder{vals: vals}
	k := kolgraph.Knows{UserID: d.str(0), HCPID: d.str(1), Strength: d.float(2)}
	return k, d.err
}

func decodeInfluence(vals []any) (*kolgraph.Influence, error) {
	d := decoder{vals: vals}
	e := &kolgraph.Influence{From: d.str(0), To: d.str(1), Weight: d.float(2), Kind: d.str(3),
		Evidence: d.str(4), UpdatedAt: d.time(5)}
	return e, d.err
}
