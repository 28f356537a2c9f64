package embedded_test

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// region sizes a generated region like the seed's: about 70k records, most
// of them influence edges.
type region struct {
	hospitals, deptsPerHospital, hcps, committeesPerHospital int
	membersPerCommittee, products, users, knowsPerUser       int
	influencesPerHCP                                         int
}

var seedRegion = region{
	hospitals: 60, deptsPerHospital: 12, hcps: 6000, committeesPerHospital: 4,
	membersPerCommittee: 10, products: 20, users: 50, knowsPerUser: 40,
	influencesPerHCP: 11,
}

var surnames = []string{"王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "Smith", "Garcia"}

// generate builds a deterministic, valid region: HCPs are spread over
// departments, influences mostly stay inside a hospital.
func generate(r region) *kolgraph.ChangeSet {
	rng := rand.New(rand.NewPCG(1, 2))
	cs := &kolgraph.ChangeSet{Territories: []*kolgraph.Territory{{ID: "T1", Name: "East"}, {ID: "T2", Name: "South"}}}
	cities := []string{"Shanghai", "Hangzhou", "Nanjing", "Guangzhou", "Shenzhen"}
	for h := range r.hospitals {
		hid := fmt.Sprintf("H%03d", h+1)
		cs.Hospitals = append(cs.Hospitals, &kolgraph.Hospital{ID: hid, Name: fmt.Sprintf("%s第%d人民医院 Hospital %d", cities[h%5], h+1, h+1),
			Tier: []string{"3A", "3B", "2A"}[h%3], Province: "P", City: cities[h%5], Beds: 500 + h*10,
			Ownership: "public", PaymentModel: "DRG", TerritoryID: []string{"T1", "T2"}[h%2]})
		for d := range r.deptsPerHospital {
			cs.Departments = append(cs.Departments, &kolgraph.Department{ID: fmt.Sprintf("D%03d-%02d", h+1, d+1), HospitalID: hid,
				Name: fmt.Sprintf("Dept %d", d+1), Specialty: []string{"cardiology", "oncology", "pharmacy", "neurology"}[d%4],
				WeeklyOutpatients: new(100 + d), IndicationShare: new(0.3)})
		}
		for c := range r.committeesPerHospital {
			cs.Committees = append(cs.Committees, &kolgraph.Committee{ID: fmt.Sprintf("C%03d-%d", h+1, c+1), Name: "Committee",
				Kind: kolgraph.CommitteeKinds[c%len(kolgraph.CommitteeKinds)], HospitalID: hid})
		}
	}
	byHospital := make([][]string, r.hospitals)
	for i := range r.hcps {
		d := cs.Departments[i%len(cs.Departments)]
		id := fmt.Sprintf("P%06d", i+1)
		h := &kolgraph.HCP{ID: id, Name: fmt.Sprintf("%s%d", surnames[rng.IntN(len(surnames))], i),
			Role: kolgraph.Roles[rng.IntN(len(kolgraph.Roles))], Title: kolgraph.Titles[rng.IntN(len(kolgraph.Titles))],
			Position: "staff", Specialty: d.Specialty, DepartmentID: d.ID, HospitalID: d.HospitalID}
		if rng.IntN(10) == 0 {
			h.KOLLevel = kolgraph.KOLLevels[1+rng.IntN(3)]
			h.KOLEvidence = []string{"speaker"}
		}
		cs.HCPs = append(cs.HCPs, h)
		hi := (i % len(cs.Departments)) / r.deptsPerHospital
		byHospital[hi] = append(byHospital[hi], id)
	}
	for ci, c := range cs.Committees {
		members := byHospital[ci/r.committeesPerHospital]
		for m := range r.membersPerCommittee {
			cs.Memberships = append(cs.Memberships, kolgraph.Membership{HCPID: members[(m*7+ci)%len(members)],
				CommitteeID: c.ID, Role: kolgraph.CommitteeRoles[m%3]})
		}
	}
	for p := range r.products {
		pid := fmt.Sprintf("PR%02d", p+1)
		cs.Products = append(cs.Products, &kolgraph.Product{ID: pid, Name: "Drug " + pid, Indications: []string{"x"}})
		for _, h := range cs.Hospitals {
			cs.Listings = append(cs.Listings, kolgraph.Listing{HospitalID: h.ID, ProductID: pid, Status: "listed"})
		}
	}
	for u := range r.users {
		uid := fmt.Sprintf("U%03d", u+1)
		cs.Users = append(cs.Users, &kolgraph.User{ID: uid, Name: "User", Role: "kam", Territories: []string{"T1"}})
		seen := map[string]bool{}
		for range r.knowsPerUser {
			h := cs.HCPs[rng.IntN(len(cs.HCPs))].ID
			if !seen[h] {
				seen[h] = true
				cs.Knows = append(cs.Knows, kolgraph.Knows{UserID: uid, HCPID: h, Strength: 0.5})
			}
		}
	}
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	seen := map[kolgraph.EdgeKey]bool{}
	for hi, members := range byHospital {
		for _, from := range members {
			for range r.influencesPerHCP {
				var to string
				if rng.IntN(10) == 0 { // a tenth cross hospitals
					other := byHospital[(hi+1+rng.IntN(len(byHospital)-1))%len(byHospital)]
					to = other[rng.IntN(len(other))]
				} else {
					to = members[rng.IntN(len(members))]
				}
				k := kolgraph.EdgeKey{From: from, To: to}
				if to == from || seen[k] {
					continue
				}
				seen[k] = true
				cs.Influences = append(cs.Influences, &kolgraph.Influence{From: from, To: to, Weight: 0.05 + 0.95*rng.Float64(),
					Kind: kolgraph.InfluenceKinds[rng.IntN(len(kolgraph.InfluenceKinds))], UpdatedAt: at})
			}
		}
	}
	return cs
}

func records(cs *kolgraph.ChangeSet) int {
	return len(cs.Territories) + len(cs.Hospitals) + len(cs.Departments) + len(cs.HCPs) + len(cs.Committees) +
		len(cs.Memberships) + len(cs.Products) + len(cs.Listings) + len(cs.Users) + len(cs.Knows) + len(cs.Influences)
}

// loadedRegion returns a store holding the generated seed region.
func loadedRegion(b *testing.B, opts ...embedded.Option) (*embedded.Store, string, *kolgraph.ChangeSet) {
	b.Helper()
	cs := generate(seedRegion)
	path := filepath.Join(b.TempDir(), "bench.db")
	s, err := embedded.Open(path, opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	if _, err := s.Apply(b.Context(), cs); err != nil {
		b.Fatal(err)
	}
	return s, path, cs
}

// BenchmarkBulkLoad applies the whole generated region (~70k records) to a
// new store in one change set, fsync included.
func BenchmarkBulkLoad(b *testing.B) {
	cs := generate(seedRegion)
	b.ReportMetric(float64(records(cs)), "records")
	dir := b.TempDir()
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		s, err := embedded.Open(filepath.Join(dir, fmt.Sprintf("load%d.db", i)))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.Apply(b.Context(), cs); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}

// BenchmarkOpen opens a file holding the region: read and decode every
// record and build the indices.
func BenchmarkOpen(b *testing.B) {
	s, path, _ := loadedRegion(b)
	s.Close()
	for b.Loop() {
		s, err := embedded.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		s.Close()
	}
}

func BenchmarkHCPLookup(b *testing.B) {
	s, _, cs := loadedRegion(b)
	ctx := b.Context()
	b.Run("One", func(b *testing.B) {
		ids := []string{cs.HCPs[1234].ID}
		for b.Loop() {
			if hs, err := s.HCPs(ctx, ids); err != nil || hs[0] == nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Batch100", func(b *testing.B) {
		var ids []string
		for i := range 100 {
			ids = append(ids, cs.HCPs[i*37].ID)
		}
		for b.Loop() {
			if _, err := s.HCPs(ctx, ids); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkListHCPs(b *testing.B) {
	s, _, _ := loadedRegion(b)
	ctx := b.Context()
	for _, bc := range []struct {
		name string
		f    kolgraph.HCPFilter
	}{
		{"NoFilter", kolgraph.HCPFilter{}},
		{"HospitalRole", kolgraph.HCPFilter{HospitalIDs: []string{"H007"}, Role: kolgraph.RolePhysician}},
		{"Department", kolgraph.HCPFilter{DepartmentID: "D010-03"}},
		{"TerritoryKOL", kolgraph.HCPFilter{Territories: []string{"T1"}, KOLOnly: true}},
		{"CitySpecialty", kolgraph.HCPFilter{City: "Shanghai", Specialty: "oncology"}},
		{"NameChinese", kolgraph.HCPFilter{NameContains: "王"}},
		{"NameLatin", kolgraph.HCPFilter{NameContains: "smith1"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var total int
			for b.Loop() {
				pg, err := s.ListHCPs(ctx, bc.f, kolgraph.Page{First: 50})
				if err != nil {
					b.Fatal(err)
				}
				total = pg.Total
			}
			b.ReportMetric(float64(total), "matches")
		})
	}
}

// BenchmarkApplyEdge upserts one influence edge into the loaded region:
// the cost of a typical interactive write, fsync included (Sync) or not.
func BenchmarkApplyEdge(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []embedded.Option
	}{{"Sync", nil}, {"NoSync", []embedded.Option{embedded.WithNoSync()}}} {
		b.Run(bc.name, func(b *testing.B) {
			s, _, cs := loadedRegion(b, bc.opts...)
			e := *cs.Influences[42]
			for i := 0; b.Loop(); i++ {
				e.Weight = 0.1 + float64(i%9)/10
				if _, err := s.Apply(b.Context(), &kolgraph.ChangeSet{Influences: []*kolgraph.Influence{&e}}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// yearOfFacts is a year of one product's facts of every physician of cs.
func yearOfFacts(cs *kolgraph.ChangeSet) []kolgraph.PrescriptionFact {
	var out []kolgraph.PrescriptionFact
	for _, h := range cs.HCPs {
		if h.Role != kolgraph.RolePhysician {
			continue
		}
		for m := 1; m <= 12; m++ {
			out = append(out, kolgraph.PrescriptionFact{HCPID: h.ID, ProductID: cs.Products[0].ID,
				Month: fmt.Sprintf("2026-%02d", m), Volume: float64(m)})
		}
	}
	return out
}

// BenchmarkApplyFacts writes a year of prescription facts of the seed-sized
// region's physicians in one change set (an import of a territory's year
// is a third of it), fsync included.
func BenchmarkApplyFacts(b *testing.B) {
	s, _, cs := loadedRegion(b)
	facts := yearOfFacts(cs)
	for i := 0; b.Loop(); i++ {
		for j := range facts {
			facts[j].Volume = float64(i + j%12)
		}
		if _, err := s.Apply(b.Context(), &kolgraph.ChangeSet{Prescriptions: facts}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(facts)), "facts/op")
}

// BenchmarkPrescriptionFactsOf reads the facts of 100 HCPs at a time (a
// page of the account matrix), a year each.
func BenchmarkPrescriptionFactsOf(b *testing.B) {
	s, _, cs := loadedRegion(b, embedded.WithNoSync())
	if _, err := s.Apply(b.Context(), &kolgraph.ChangeSet{Prescriptions: yearOfFacts(cs)}); err != nil {
		b.Fatal(err)
	}
	ids := make([]string, 100)
	for i := range ids {
		ids[i] = cs.HCPs[i*37%len(cs.HCPs)].ID
	}
	for b.Loop() {
		if _, err := s.PrescriptionFactsOf(b.Context(), ids); err != nil {
			b.Fatal(err)
		}
	}
}
