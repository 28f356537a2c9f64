package embedded

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

func ptr[T any](v T) *T { return &v }

// TestRecordRoundTrip encodes and decodes every kind with awkward values:
// empty and non-ASCII strings, zero and negative numbers, missing and zero
// optional inputs, extreme floats, times before 1970 and with nanoseconds.
func TestRecordRoundTrip(t *testing.T) {
	at := time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.FixedZone("CST", 8*3600))
	check := func(name string, got, want any, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: decode: %v", name, err)
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, want %+v", name, got, want)
		}
	}
	ter := &kolgraph.Territory{ID: "T1", Name: "华东"}
	gotTer, err := decodeTerritory(appendTerritory(nil, ter))
	check("territory", gotTer, ter, err)

	hos := &kolgraph.Hospital{ID: "H1", Name: "医院 ü", Tier: "3A", Beds: -7, TerritoryID: ""}
	gotHos, err := decodeHospital(appendHospital(nil, hos))
	check("hospital", gotHos, hos, err)

	for _, dep := range []*kolgraph.Department{
		{ID: "D1", HospitalID: "H1", Name: "n", Specialty: "s"},
		{ID: "D1", HospitalID: "H1", Name: "n", Specialty: "s", WeeklyOutpatients: ptr(0), IndicationShare: ptr(0.0),
			ManagedBeds: ptr(math.MaxInt), BedTurnover: ptr(math.SmallestNonzeroFloat64), DischargePenetration: ptr(1.0),
			DRGEnrollmentRate: ptr(0.1), CompetitorPenetration: ptr(math.Inf(1)), PolicySensitivity: ptr(-0.0)},
	} {
		got, err := decodeDepartment(appendDepartment(nil, dep))
		check("department", got, dep, err)
	}
	hcp := &kolgraph.HCP{ID: "P1", Name: "王伟", Role: "physician", KOLLevel: "national",
		KOLEvidence: []string{"a", "", "指南"}, Phone: "+86", Email: "e@x", WeChat: "w"}
	gotHCP, err := decodeHCP(appendHCP(nil, hcp))
	check("hcp", gotHCP, hcp, err)

	com := &kolgraph.Committee{ID: "C1", Name: "P&T", Kind: "pt", HospitalID: "H1"}
	gotCom, err := decodeCommittee(appendCommittee(nil, com))
	check("committee", gotCom, com, err)

	pro := &kolgraph.Product{ID: "PR1", Name: "x", Indications: []string{"a"}}
	gotPro, err := decodeProduct(appendProduct(nil, pro))
	check("product", gotPro, pro, err)

	usr := &kolgraph.User{ID: "U1", Name: "u", Role: "kam", Territories: []string{"T1", "T2"}}
	gotUsr, err := decodeUser(appendUser(nil, usr))
	check("user", gotUsr, usr, err)

	mem := kolgraph.Membership{HCPID: "P1", CommitteeID: "C1", Role: "chair"}
	gotMem, err := decodeMembership(appendMembership(nil, mem))
	check("membership", gotMem, mem, err)

	lis := kolgraph.Listing{HospitalID: "H1", ProductID: "PR1", Status: "listed", Since: "2024-01-01"}
	gotLis, err := decodeListing(appendListing(nil, lis))
	check("listing", gotLis, lis, err)

	sha := kolgraph.ProductShare{DepartmentID: "D1", ProductID: "PR1", Share: 0.1 + 0.2}
	gotSha, err := decodeProductShare(appendProductShare(nil, sha))
	check("indication share", gotSha, sha, err)

	kno := kolgraph.Knows{UserID: "U1", HCPID: "P1", Strength: 0.1 + 0.2}
	gotKno, err := decodeKnows(appendKnows(nil, kno))
	check("knows", gotKno, kno, err)

	for _, ts := range []time.Time{at, {}, time.Unix(1<<40, 1).UTC()} {
		inf := &kolgraph.Influence{From: "P1", To: "P2", Weight: 1, Kind: "mentor", Evidence: "e", UpdatedAt: ts}
		got, err := decodeInfluence(appendInfluence(nil, inf))
		if err != nil || !got.UpdatedAt.Equal(ts) || got.UpdatedAt.Location() != time.UTC {
			t.Errorf("influence time %v: got %v, %v; want the same instant in UTC", ts, got.UpdatedAt, err)
		}
		got.UpdatedAt = ts
		check("influence", got, inf, err)
	}
}

func TestRecordCorrupt(t *testing.T) {
	good := appendHCP(nil, &kolgraph.HCP{ID: "P1", Name: "x", KOLEvidence: []string{"a"}})
	for name, b := range map[string][]byte{
		"empty":          nil,
		"unknown format": append([]byte{9}, good[1:]...),
		"truncated":      good[:len(good)-1],
		"trailing bytes": append(append([]byte{}, good...), 0),
		"huge length":    {recordV1, 0xff, 0xff, 0xff, 0xff, 0x0f},
	} {
		if _, err := decodeHCP(b); err == nil {
			t.Errorf("%s: decoded without error", name)
		}
	}
}

// FuzzDecode checks that no input makes a decoder panic, and that what a
// decoder accepts re-encodes to a stable canonical form.
func FuzzDecode(f *testing.F) {
	f.Add(appendHCP(nil, &kolgraph.HCP{ID: "P1", Name: "王", KOLEvidence: []string{"a"}}))
	f.Add(appendInfluence(nil, &kolgraph.Influence{From: "a", To: "b", Weight: 0.5, UpdatedAt: time.Unix(5, 6)}))
	f.Add(appendDepartment(nil, &kolgraph.Department{ID: "D", IndicationShare: ptr(0.5)}))
	f.Fuzz(func(t *testing.T, b []byte) {
		stable(t, "hcp", b, decodeHCP, appendHCP)
		stable(t, "influence", b, decodeInfluence, appendInfluence)
		stable(t, "department", b, decodeDepartment, appendDepartment)
		stable(t, "user", b, decodeUser, appendUser)
	})
}

func stable[T any](t *testing.T, kind string, b []byte, decode func([]byte) (T, error), encode func([]byte, T) []byte) {
	r, err := decode(b)
	if err != nil {
		return
	}
	once := encode(nil, r)
	r2, err := decode(once)
	if err != nil {
		t.Fatalf("%s: re-encoded record does not decode: %v", kind, err)
	}
	if twice := encode(nil, r2); string(twice) != string(once) {
		t.Errorf("%s: encoding not stable: %x then %x", kind, once, twice)
	}
}

// TestListingWithoutAccessFlags reads a listing as files written before
// the market-access flags hold it: the flags read as no, and a listing
// with them round-trips.
func TestListingWithoutAccessFlags(t *testing.T) {
	e := enc{[]byte{recordV1}}
	for _, s := range []string{"H001", "RX01", "listed", "2022-02-14"} {
		e.str(s)
	}
	got, err := decodeListing(e.b)
	if err != nil || got != (kolgraph.Listing{HospitalID: "H001", ProductID: "RX01", Status: "listed", Since: "2022-02-14"}) {
		t.Errorf("old record: %+v, %v", got, err)
	}
	want := kolgraph.Listing{HospitalID: "H001", ProductID: "RX02", Status: "pending", KeyMonitoring: true, NationalInsurance: true}
	if got, err := decodeListing(appendListing(nil, want)); err != nil || got != want {
		t.Errorf("round trip: %+v, %v", got, err)
	}
	if _, err := decodeListing(append(appendListing(nil, want), 1)); err == nil {
		t.Error("a trailing byte was accepted")
	}
}
