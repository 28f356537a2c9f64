package embedded

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Records are stored in a compact binary form: a format byte, then the
// fields in declaration order. Strings and lists are length-prefixed
// (uvarint), integers are varints, floats their IEEE bits, optional values
// a presence byte, times UTC seconds and nanoseconds. Measured on the seed
// region (~70k records) it encodes and decodes about five times faster than
// encoding/json and halves the file, which is what Open and a bulk import
// spend most of their time on.
//
// Changing a record's fields means a new format byte: decoders keep
// reading the old ones, so files never need a migration pass.
const recordV1 = 1

var errCorrupt = errors.New("corrupt record")

type enc struct{ b []byte }

func (e *enc) str(s string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *enc) strs(ss []string) {
	e.b = binary.AppendUvarint(e.b, uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

func (e *enc) int(v int)     { e.b = binary.AppendVarint(e.b, int64(v)) }
func (e *enc) f64(v float64) { e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(v)) }

func (e *enc) flag(set bool) {
	if set {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
}

func (e *enc) time(t time.Time) {
	e.b = binary.AppendVarint(e.b, t.Unix())
	e.b = binary.AppendUvarint(e.b, uint64(t.Nanosecond()))
}

func (e *enc) optInt(p *int) {
	e.flag(p != nil)
	if p != nil {
		e.int(*p)
	}
}

func (e *enc) optF64(p *float64) {
	e.flag(p != nil)
	if p != nil {
		e.f64(*p)
	}
}

// dec reads what enc wrote. The first error sticks and every later read
// returns a zero value, so decoders check err once at the end.
type dec struct {
	b   []byte
	err error
}

func newDec(b []byte) *dec {
	d := &dec{b: b}
	if len(b) == 0 || b[0] != recordV1 {
		d.err = errCorrupt
		return d
	}
	d.b = b[1:]
	return d
}

func (d *dec) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) str() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// bytes is str without the copy: the bytes alias the record's.
func (d *dec) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.err = errCorrupt
		return nil
	}
	b := d.b[:n:n]
	d.b = d.b[n:]
	return b
}

func (d *dec) strs() []string {
	n := d.uvarint()
	if d.err != nil || n == 0 {
		return nil
	}
	if n > uint64(len(d.b)) { // every string takes at least a byte
		d.err = errCorrupt
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *dec) varint() int64 {
	if d.err != nil {
		return 0
	}
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.err = errCorrupt
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) int() int { return int(d.varint()) }

func (d *dec) f64() float64 {
	if d.err != nil {
		return 0
	}
	if len(d.b) < 8 {
		d.err = errCorrupt
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

func (d *dec) flag() bool {
	if d.err != nil {
		return false
	}
	if len(d.b) < 1 || d.b[0] > 1 {
		d.err = errCorrupt
		return false
	}
	v := d.b[0] == 1
	d.b = d.b[1:]
	return v
}

func (d *dec) time() time.Time {
	sec := d.varint()
	nsec := d.uvarint()
	if nsec >= 1e9 {
		d.err = errCorrupt
	}
	if d.err != nil {
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).UTC()
}

func (d *dec) optInt() *int {
	if !d.flag() {
		return nil
	}
	v := d.int()
	return &v
}

func (d *dec) optF64() *float64 {
	if !d.flag() {
		return nil
	}
	v := d.f64()
	return &v
}

// done reports the first error, or trailing bytes as corruption.
func (d *dec) done() error {
	if d.err == nil && len(d.b) != 0 {
		d.err = errCorrupt
	}
	return d.err
}

// Encoders append one record to b and return it.

func appendTerritory(b []byte, r *kolgraph.Territory) []byte {
	e := enc{append(b, recordV1)}
	e.str(r.ID)
	e.str(r.Name)
	return e.b
}

func decodeTerritory(b []byte) (*kolgraph.Territory, error) {
	d := newDec(b)
	r := &kolgraph.Territory{ID: d.str(), Name: d.str()}
	return r, d.done()
}

func appendHospital(b []byte, r *kolgraph.Hospital) []byte {
	e := enc{append(b, recordV1)}
	e.str(r.ID)
	e.str(r.Name)
	e.str(r.Tier)
	e.str(r.Province)
	e.str(r.City)
	e.int(r.Beds)
	e.str(r.Ownership)
	e.str(r.PaymentModel)
	e.str(r.TerritoryID)
	return e.b
}

func decodeHospital(b []byte) (*kolgraph.Hospital, error) {
	d := newDec(b)
	r := &kolgraph.Hospital{ID: d.str(), Name: d.str(), Tier: d.str(), Province: d.str(), City: d.str(),
		Beds: d.int(), Ownership: d.str(), PaymentModel: d.str(), TerritoryID: d.str()}
	return r, d.done()
}

func appendDepartment(b []byte, r *kolgraph.Department) []byte {
	e := enc{append(b, recordV1)}
	e.str(r.ID)
	e.str(r.HospitalID)
	e.str(r.Name)
	e.str(r.Specialty)
	e.optInt(r.WeeklyOutpatients)
	e.optF64(r.IndicationShare)
	e.optInt(r.ManagedBeds)
	e.optF64(r.BedTurnover)
	e.optF64(r.DischargePenetration)
	e.optF64(r.DRGEnrollmentRate)
	e.optF64(r.CompetitorPenetration)
	e.optF64(r.PolicySensitivity)
	return e.b
}

func decodeDepartment(b []byte) (*kolgraph.Department, error) {
	d := newDec(b)
	r := &kolgraph.Department{ID: d.str(), HospitalID: d.str(), Name: d.str(), Specialty: d.str(),
		WeeklyOutpatients: d.optInt(), IndicationShare: d.optF64(), ManagedBeds: d.optInt(),
		BedTurnover: d.optF64(), DischargePenetration: d.optF64(), DRGEnrollmentRate: d.optF64(),
		CompetitorPenetration: d.optF64(), PolicySensitivity: d.optF64()}
	return r, d.done()
}

func appendHCP(b []byte, r *kolgraph.HCP) []byte {
	e := enc{append(b, recordV1)}
	e.str(r.ID)
	e.str(r.Name)
	e.str(r.Role)
	e.str(r.Title)
	e.str(r.Position)
	e.str(r.Specialty)
	e.str(r.DepartmentID)
	e.str(r.HospitalID)
	e.str(r.KOLLevel)
	e.strs(r.KOLEvidence)
	e.str(r.Phone)
	e.str(r.Email)
	e.str(r.WeChat)
	return e.b
}

func decodeHCP(b []byte) (*kolgraph.HCP, error) {
	d := newDec(b)
	r := &kolgraph.HCP{ID: d.str(), Name: d.str(), Role: d.str(), Title: d.str(), Position: d.str(),
		Specialty: d.str(), DepartmentID: d.str(), HospitalID: d.str(), KOLLevel: d.str(),
		KOLEvidence: d.strs(), Phone: d.str(), Email: d.str(), WeChat: d.str()}
	return r, d.done()
}

func appendCommittee(b []byte, r *kolgraph.Committee) []byte {
	e := enc{append(b, recordV1)}
	e.str(r.ID)
	e.str(r.Name)
	e.str(r.Kind)
	e.str(r.HospitalID)
	return e.b
}

func decodeCommittee(b []byte) (*kolgraph.Committee, error) {
	d := newDec(b)
	r := &kolgraph.Committee{ID: d.str(), Name: d.str(), Kind: d.str(), HospitalID: d.str()}
	return r, d.done()
}

func appendProduct(b []byte, r *kolgraph.Product) []byte {
	e := enc{append(b, recordV1)}
	e.str(r.ID)
	e.str(r.Name)
	e.strs(r.Indications)
	e.strs(r.Specialties)
	return e.b
}

func decodeProduct(b []byte) (*kolgraph.Product, error) {
	d := newDec(b)
	r := &kolgraph.Product{ID: d.str(), Name: d.str(), Indications: d.strs(), Specialties: d.strs()}
	return r, d.done()
}

func appendUser(b []byte, r *kolgraph.User) []byte {
	e := enc{append(b, recordV1)}
	e.str(r.ID)
	e.str(r.Name)
	e.str(r.Role)
	e.strs(r.Territories)
	return e.b
}

func decodeUser(b []byte) (*kolgraph.User, error) {
	d := newDec(b)
	r := &kolgraph.User{ID: d.str(), Name: d.str(), Role: d.str(), Territories: d.strs()}
	return r, d.done()
}

// Relationship records carry their end ids although the key has them too:
// a record then decodes on its own, and Open cross-checks it with its key.

func appendMembership(b []byte, r kolgraph.Membership) []byte {
	e := enc{append(b, recordV1)}
	e.str(r.HCPID)
	e.str(r.CommitteeID)
	e.str(r.Role)
	return e.b
}

func decodeMembership(b []byte) (kolgraph.Membership, error) {
	d := newDec(b)
	r := kolgraph.Membership{HCPID: d.str(), CommitteeID: d.str(), Role: d.str()}
	return r, d.done()
}

func appendListing(b []byte, r kolgraph.Listing) []byte {
	e := enc{append(b, recordV1)}
	e.str(r.HospitalID)
	e.str(r.ProductID)
	e.str(r.Status)
	e.str(r.Since)
	e.flag(r.KeyMonitoring)
	e.flag(r.NationalInsurance)
	return e.b
}

func decodeListing(b []byte) (kolgraph.Listing, error) {
	d := newDec(b)
	r := kolgraph.Listing{HospitalID: d.str(), ProductID: d.str(), Status: d.str(), Since: d.str()}
	if d.err == nil && len(d.b) > 0 { // files written before the access flags end here: no, no
		r.KeyMonitoring, r.NationalInsurance = d.flag(), d.flag()
	}
	return r, d.done()
}

func appendProductShare(b []byte, r kolgraph.ProductShare) []byte {
	e := enc{append(b, recordV1)}
	e.str(r.DepartmentID)
	e.str(r.ProductID)
	e.f64(r.Share)
	return e.b
}

func decodeProductShare(b []byte) (kolgraph.ProductShare, error) {
	d := newDec(b)
	r := kolgraph.ProductShare{DepartmentID: d.str(), ProductID: d.str(), Share: d.f64()}
	return r, d.done()
}

func appendPrescriptionFact(b []byte, r kolgraph.PrescriptionFact) []byte {
	e := enc{append(b, recordV1)}
	e.str(r.HCPID)
	e.str(r.DepartmentID)
	e.str(r.ProductID)
	e.str(r.Month)
	e.f64(r.Volume)
	return e.b
}

func decodePrescriptionFact(b []byte) (kolgraph.PrescriptionFact, error) {
	d := newDec(b)
	r := kolgraph.PrescriptionFact{HCPID: d.str(), DepartmentID: d.str(), ProductID: d.str(), Month: d.str(), Volume: d.f64()}
	return r, d.done()
}

func appendKnows(b []byte, r kolgraph.Knows) []byte {
	e := enc{append(b, recordV1)}
	e.str(r.UserID)
	e.str(r.HCPID)
	e.f64(r.Strength)
	return e.b
}

func decodeKnows(b []byte) (kolgraph.Knows, error) {
	d := newDec(b)
	r := kolgraph.Knows{UserID: d.str(), HCPID: d.str(), Strength: d.f64()}
	return r, d.done()
}

func appendInfluence(b []byte, r *kolgraph.Influence) []byte {
	e := enc{append(b, recordV1)}
	e.str(r.From)
	e.str(r.To)
	e.f64(r.Weight)
	e.str(r.Kind)
	e.str(r.Evidence)
	e.time(r.UpdatedAt)
	return e.b
}

func decodeInfluence(b []byte) (*kolgraph.Influence, error) {
	v, err := decodeInfluenceView(b)
	return &kolgraph.Influence{From: string(v.from), To: string(v.to), Weight: v.weight, Kind: string(v.kind),
		Evidence: string(v.evidence), UpdatedAt: v.updatedAt}, err
}

// influenceView is a stored tie decoded without copying its texts: they
// alias the stored bytes, valid while those are (a load's transaction).
// Opening a million-HCP region decodes ten million ties, and the read
// model keeps none of their strings (ties.go): copying them was five
// allocations a tie.
type influenceView struct {
	from, to, kind, evidence []byte
	weight                   float64
	updatedAt                time.Time
}

func decodeInfluenceView(b []byte) (influenceView, error) {
	d := newDec(b)
	v := influenceView{from: d.bytes(), to: d.bytes(), weight: d.f64(), kind: d.bytes(), evidence: d.bytes(),
		updatedAt: d.time()}
	return v, d.done()
}

// Account plans are documents: a format byte, then the plan's JSON as
// kolgraph encodes it. JSON keeps a cited path exactly (Go writes each
// float64 in the shortest form that reads back to the same bits, and
// times in RFC 3339 with nanoseconds), and plans are few and small, so
// the binary form's speed would buy nothing.
const recordJSON = 'j'

func appendAccountPlan(b []byte, r *kolgraph.AccountPlan) []byte {
	js, err := json.Marshal(r)
	if err != nil {
		// Validate has encoded the plan already: a failure here is a bug.
		panic("embedded: encode account plan " + r.ID + ": " + err.Error())
	}
	return append(append(b, recordJSON), js...)
}

func decodeAccountPlan(b []byte) (*kolgraph.AccountPlan, error) {
	if len(b) == 0 || b[0] != recordJSON {
		return nil, errCorrupt
	}
	r := &kolgraph.AccountPlan{}
	if err := json.Unmarshal(b[1:], r); err != nil {
		return nil, fmt.Errorf("%w: %w", errCorrupt, err)
	}
	return r, nil
}
