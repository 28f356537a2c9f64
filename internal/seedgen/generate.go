package seedgen

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Generate builds the region described by cfg as a ChangeSet of upserts,
// records in id order. The same cfg always gives the same ChangeSet. Work
// and memory are linear in the number of HCPs and edges (about 1 KB per
// HCP including its edges).
func Generate(cfg Config) *kolgraph.ChangeSet {
	g := &gen{cfg: cfg.normalized()}
	g.hospitals()
	g.departments()
	g.staff()
	g.kols()
	g.committees()
	g.products()
	g.users()
	g.influences()
	g.hcpRecords()
	return g.cs
}

// Stream ids of the random sources: each stage draws from its own stream so
// that changing one stage does not reshuffle the others.
const (
	streamHospitals = iota + 1
	streamDepartments
	streamStaff
	streamKOLs
	streamCommittees
	streamListings
	streamUsers
	streamInfluences
	streamNames
	streamCoAuthors
	streamChanges // Changes: the dated tie changes, drawn after the region
)

func (g *gen) rand(stream uint64) *rand.Rand {
	return rand.New(rand.NewPCG(g.cfg.Seed, stream))
}

// Enumerations of the compact person record, indexes into the name tables.
const (
	rolePhysician uint8 = iota
	rolePharmacist
	roleNurse
	roleAdministrator
)

const (
	titleNone uint8 = iota
	titleChief
	titleAssociate
	titleAttending
	titleResident
)

const (
	posStaff uint8 = iota
	posPresident
	posVP
	posPharmacyDirector
	posHead
	posDeputy
)

const (
	kolNone uint8 = iota
	kolNational
	kolRegional
	kolLocal
)

var (
	roleNames     = [...]string{kolgraph.RolePhysician, kolgraph.RolePharmacist, kolgraph.RoleNurse, kolgraph.RoleAdministrator}
	titleNames    = [...]string{"", "chief", "associate_chief", "attending", "resident"}
	positionNames = [...]string{"staff", "president", "vice_president", "pharmacy_director", "department_head", "deputy_head"}
	kolNames      = [...]string{"", kolgraph.KOLNational, kolgraph.KOLRegional, kolgraph.KOLLocal}
)

type gen struct {
	cfg Config
	cs  *kolgraph.ChangeSet

	terrs  []territory
	hosps  []hospital
	depts  []department
	people []person
	hcpIDs []string
	keys   []int32 // per person: territory*keySpan + specialty, the index of per-territory pools
}

type territory struct {
	id     string
	region region
	hosps  []int32
	hcps   []int32
}

type hospital struct {
	rec      *kolgraph.Hospital
	num      string // the number in H001, D001-02, C001-PT
	tier     int
	terr     int32
	clinical []int32 // department indexes
	pharmacy int32
	pres     int32
	vps      []int32
	director int32   // pharmacy director
	bySpec   []int32 // specialty -> clinical department index, -1 if none
	seats    [2]seats
}

// seats are the people on one committee, the chair first.
type seats struct {
	kind    string
	members []int32
}

type department struct {
	rec      *kolgraph.Department
	hosp     int32
	spec     int // index into specialties; pharmacy for the pharmacy department
	weight   float64
	head     int32 // department head or pharmacy director
	deputies []int32
	members  []int32 // everyone working in it, head first
}

type person struct {
	hosp, dept            int32
	role, title, pos, kol uint8
	evidence              []string
}

func (p *person) senior() bool { return p.title == titleChief || p.title == titleAssociate }

// seniority orders two people for directed ties such as co-authorship:
// the more senior one sways the other.
func (p *person) seniority() int {
	s := [...]int{0, 100, 50, 20}[p.kol]
	s += [...]int{0, 15, 13, 12, 12, 8}[p.pos]
	s += [...]int{0, 6, 4, 2, 1}[p.title]
	return s
}

func width(n, least int) int { return max(least, len(strconv.Itoa(n))) }

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

func round2(x float64) float64 { return math.Round(x*100) / 100 }
func round1(x float64) float64 { return math.Round(x*10) / 10 }

// lognormal is a multiplicative noise factor with median 1.
func lognormal(r *rand.Rand, sigma float64) float64 { return math.Exp(sigma * r.NormFloat64()) }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// apportion splits total into len(weights) integers proportional to the
// weights (largest remainder), so that the parts sum to total exactly.
func apportion(total int, weights []float64) []int {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	parts := make([]int, len(weights))
	rem := make([]int, len(weights))
	frac := make([]float64, len(weights))
	left := total
	for i, w := range weights {
		x := float64(total) * w / sum
		parts[i] = int(x)
		frac[i] = x - float64(parts[i])
		left -= parts[i]
		rem[i] = i
	}
	slices.SortStableFunc(rem, func(a, b int) int { return cmp.Compare(frac[b], frac[a]) })
	for i := 0; i < left; i++ {
		parts[rem[i%len(rem)]]++
	}
	return parts
}

// sample picks up to k distinct items with probability proportional to
// weight (Efraimidis-Spirakis: smallest Exp(1)/w keys), in O(n log n).
func sample(r *rand.Rand, items []int32, weight func(int32) float64, k int) []int32 {
	type keyed struct {
		key float64
		i   int32
	}
	ks := make([]keyed, 0, len(items))
	for _, it := range items {
		if w := weight(it); w > 0 {
			ks = append(ks, keyed{r.ExpFloat64() / w, it})
		}
	}
	slices.SortFunc(ks, func(a, b keyed) int { return cmp.Or(cmp.Compare(a.key, b.key), cmp.Compare(a.i, b.i)) })
	out := make([]int32, 0, min(k, len(ks)))
	for _, x := range ks[:min(k, len(ks))] {
		out = append(out, x.i)
	}
	return out
}

// hospitals creates the territories and their hospitals. Tiers are dealt
// in exact proportions so that every region has the full mix.
func (g *gen) hospitals() {
	r := g.rand(streamHospitals)
	n, nt := g.cfg.Hospitals, g.cfg.Territories
	g.cs = &kolgraph.ChangeSet{}
	tw := width(nt, 2)
	for t := range nt {
		reg := regions[t%len(regions)]
		name := reg.name
		if t >= len(regions) {
			name += " " + strconv.Itoa(t/len(regions)+1)
		}
		id := fmt.Sprintf("T%0*d", tw, t+1)
		g.terrs = append(g.terrs, territory{id: id, region: reg})
		g.cs.Territories = append(g.cs.Territories, &kolgraph.Territory{ID: id, Name: name})
	}

	shares := make([]float64, len(tiers))
	for i, t := range tiers {
		shares[i] = t.share
	}
	var deal []int
	for ti, c := range apportion(n, shares) {
		for range c {
			deal = append(deal, ti)
		}
	}
	r.Shuffle(len(deal), func(i, j int) { deal[i], deal[j] = deal[j], deal[i] })

	hw := width(n, 3)
	used := make(map[string]bool, n)
	recs := make([]kolgraph.Hospital, n)
	for h := range n {
		ti := deal[h]
		tr := tiers[ti]
		t := int32(h * nt / n)
		reg := g.terrs[t].region
		// The regional centre has 3 of every 5 hospitals of its territory.
		c := reg.cities[0]
		if k := len(g.terrs[t].hosps); k%5 >= 3 {
			c = reg.cities[1+k%(len(reg.cities)-1)]
		}
		private := chance(r, tr.private)
		own, pay := "public", "DRG"
		switch {
		case private && chance(r, 0.5):
			pay = "FFS"
		case reg.province == "Jiangsu" || reg.province == "Fujian":
			pay = "DIP"
		case ti == 3 && chance(r, 0.2):
			pay = "FFS"
		}
		if private {
			own = "private"
		}
		num := fmt.Sprintf("%0*d", hw, h+1)
		rec := &recs[h]
		*rec = kolgraph.Hospital{
			ID:           "H" + num,
			Name:         g.hospitalName(r, used, c.zh, private),
			Tier:         tr.name,
			Province:     reg.province,
			City:         c.name,
			Beds:         int(math.Round(uniform(r, float64(tr.beds[0]), float64(tr.beds[1]))/10) * 10),
			Ownership:    own,
			PaymentModel: pay,
			TerritoryID:  g.terrs[t].id,
		}
		g.hosps = append(g.hosps, hospital{rec: rec, num: num, tier: ti, terr: t})
		g.terrs[t].hosps = append(g.terrs[t].hosps, int32(h))
		g.cs.Hospitals = append(g.cs.Hospitals, rec)
	}
}

// hospitalName invents a name that is unique in the region where possible.
func (g *gen) hospitalName(r *rand.Rand, used map[string]bool, cityZh string, private bool) string {
	var name string
	for try := 0; ; try++ {
		suffix := nameSuffix[r.IntN(len(nameSuffix))]
		if private {
			suffix = "医院"
		}
		name = cityZh + string(nameFirst[r.IntN(len(nameFirst))]) + string(nameSecond[r.IntN(len(nameSecond))]) + suffix
		if !used[name] {
			break
		}
		if try == 20 { // a very large region: numbered branches
			name += "第" + strconv.Itoa(len(used)) + "分院"
			break
		}
	}
	used[name] = true
	return name
}

// departments gives every hospital the clinical departments of its tier
// plus a pharmacy department, with every potential input drawn from the
// specialty's and the payment model's plausible ranges; then about 1% of
// clinical departments lose one input so that "potential unknown" occurs.
func (g *gen) departments() {
	r := g.rand(streamDepartments)
	total := 0
	for _, h := range g.hosps {
		total += tiers[h.tier].departments + 1
	}
	recs := make([]kolgraph.Department, 0, total)
	var clinical []int32
	for hi := range g.hosps {
		h := &g.hosps[hi]
		tr := tiers[h.tier]
		for s := 0; s <= tr.departments; s++ {
			spec := s
			if s == tr.departments {
				spec = pharmacy
			}
			di := int32(len(g.depts))
			recs = append(recs, g.departmentRecord(r, h, spec, s+1))
			rec := &recs[len(recs)-1]
			w := float64(*rec.WeeklyOutpatients) + 5*float64(*rec.ManagedBeds)
			g.depts = append(g.depts, department{rec: rec, hosp: int32(hi), spec: spec, weight: w})
			if h.bySpec == nil {
				h.bySpec = slices.Repeat([]int32{-1}, len(specialties))
			}
			if spec == pharmacy {
				h.pharmacy = di
			} else {
				h.bySpec[spec] = di
				h.clinical = append(h.clinical, di)
				clinical = append(clinical, di)
			}
		}
	}
	missing := max(1, int(math.Round(0.01*float64(len(clinical)))))
	r.Shuffle(len(clinical), func(i, j int) { clinical[i], clinical[j] = clinical[j], clinical[i] })
	for _, di := range clinical[:min(missing, len(clinical))] {
		d := g.depts[di].rec
		switch r.IntN(8) {
		case 0:
			d.WeeklyOutpatients = nil
		case 1:
			d.IndicationShare = nil
		case 2:
			d.ManagedBeds = nil
		case 3:
			d.BedTurnover = nil
		case 4:
			d.DischargePenetration = nil
		case 5:
			d.DRGEnrollmentRate = nil
		case 6:
			d.CompetitorPenetration = nil
		case 7:
			d.PolicySensitivity = nil
		}
	}
	for i := range recs {
		g.cs.Departments = append(g.cs.Departments, &recs[i])
	}
}

func ptr[T any](v T) *T { return &v }

func (g *gen) departmentRecord(r *rand.Rand, h *hospital, spec, num int) kolgraph.Department {
	tr := tiers[h.tier]
	var drg, pol [2]float64
	switch h.rec.PaymentModel {
	case "DRG":
		drg, pol = [2]float64{0.40, 0.95}, [2]float64{0.50, 0.90}
	case "DIP":
		drg, pol = [2]float64{0.35, 0.90}, [2]float64{0.40, 0.85}
	default:
		drg, pol = [2]float64{0.10, 0.55}, [2]float64{0.10, 0.50}
	}
	d := kolgraph.Department{
		ID:         fmt.Sprintf("D%s-%02d", h.num, num),
		HospitalID: h.rec.ID,
	}
	if spec == pharmacy {
		// The pharmacy has no patients of its own: its potential is zero,
		// not unknown, while its policy context is the hospital's.
		d.Name, d.Specialty = pharmacyName, pharmacyKey
		d.WeeklyOutpatients, d.ManagedBeds = ptr(0), ptr(0)
		d.IndicationShare, d.BedTurnover, d.DischargePenetration = ptr(0.0), ptr(0.0), ptr(0.0)
	} else {
		s := specialties[spec]
		d.Name, d.Specialty = s.dept, s.key
		d.WeeklyOutpatients = ptr(int(math.Round(s.opd * tr.scale * lognormal(r, 0.25))))
		d.ManagedBeds = ptr(int(math.Round(s.beds * tr.scale * lognormal(r, 0.2))))
		d.IndicationShare = ptr(round2(uniform(r, s.share[0], s.share[1])))
		d.BedTurnover = ptr(round1(uniform(r, s.turnover[0], s.turnover[1])))
		d.DischargePenetration = ptr(round2(uniform(r, 0.15, 0.70)))
	}
	d.DRGEnrollmentRate = ptr(round2(uniform(r, drg[0], drg[1])))
	d.CompetitorPenetration = ptr(round2(uniform(r, 0.10, 0.65)))
	d.PolicySensitivity = ptr(round2(uniform(r, pol[0], pol[1])))
	return d
}

// minStaff is the smallest headcount that fills h's fixed positions
// (president, two VPs, pharmacy director, one head per clinical
// department) with at least one more person per department.
func minStaff(h *hospital) int { return 4 + 2*len(h.clinical) + 1 }

// staff creates every hospital's people: the fixed positions first, then
// deputies, physicians, nurses and pharmacists spread over the departments
// in proportion to their volume.
func (g *gen) staff() {
	r := g.rand(streamStaff)
	weights := make([]float64, len(g.hosps))
	for i, h := range g.hosps {
		weights[i] = tiers[h.tier].staffWeight * uniform(r, 0.8, 1.2)
	}
	counts := apportion(g.cfg.HCPs, weights)
	// Top up hospitals below their minimum, taking one person at a time
	// from the hospitals with the most to spare (round robin over them, so
	// that the work stays O(H log H + shortfall)).
	spare := func(i int) int { return counts[i] - minStaff(&g.hosps[i]) }
	var donors []int
	for i := range g.hosps {
		if spare(i) > 0 {
			donors = append(donors, i)
		}
	}
	slices.SortStableFunc(donors, func(a, b int) int { return cmp.Compare(spare(b), spare(a)) })
	for i := range g.hosps {
		for j := 0; spare(i) < 0 && len(donors) > 0; {
			j %= len(donors)
			if d := donors[j]; spare(d) > 0 {
				counts[d]--
				counts[i]++
				j++
			} else { // used up: swap-remove, deterministic and O(1)
				donors[j] = donors[len(donors)-1]
				donors = donors[:len(donors)-1]
			}
		}
	}
	g.people = make([]person, 0, g.cfg.HCPs)
	for hi := range g.hosps {
		g.staffHospital(r, int32(hi), counts[hi])
	}
	pw := width(len(g.people), 6)
	g.hcpIDs = make([]string, len(g.people))
	for i := range g.people {
		g.hcpIDs[i] = fmt.Sprintf("P%0*d", pw, i+1)
	}
}

// add appends a person working in department d and returns its index.
func (g *gen) add(d int32, role, title, pos uint8) int32 {
	i := int32(len(g.people))
	dep := &g.depts[d]
	g.people = append(g.people, person{hosp: dep.hosp, dept: d, role: role, title: title, pos: pos})
	dep.members = append(dep.members, i)
	g.terrs[g.hosps[dep.hosp].terr].hcps = append(g.terrs[g.hosps[dep.hosp].terr].hcps, i)
	return i
}

func pickTitle(r *rand.Rand, chief, assoc, attending float64) uint8 {
	switch x := r.Float64(); {
	case x < chief:
		return titleChief
	case x < chief+assoc:
		return titleAssociate
	case x < chief+assoc+attending:
		return titleAttending
	default:
		return titleResident
	}
}

func (g *gen) staffHospital(r *rand.Rand, hi int32, n int) {
	h := &g.hosps[hi]
	nvp := tiers[h.tier].vps
	if nvp == 1 && chance(r, 0.5) {
		nvp = 2
	}
	// The president and VPs are physicians by training and keep a seat in
	// a clinical department, the bigger departments being likelier.
	dw := make([]float64, len(h.clinical))
	for i, d := range h.clinical {
		dw[i] = g.depts[d].weight
	}
	seat := func() int32 {
		x := r.Float64() * sumOf(dw)
		for i, w := range dw {
			if x < w {
				return h.clinical[i]
			}
			x -= w
		}
		return h.clinical[len(h.clinical)-1]
	}
	h.pres = g.add(seat(), roleAdministrator, titleChief, posPresident)
	for range nvp {
		h.vps = append(h.vps, g.add(seat(), roleAdministrator, titleChief, posVP))
	}
	h.director = g.add(h.pharmacy, rolePharmacist, titleChief, posPharmacyDirector)
	g.depts[h.pharmacy].head = h.director

	rest := n - (2 + nvp + len(h.clinical))
	pharmacists := max(1, int(math.Round(0.07*float64(rest))))
	clinicalStaff := rest - pharmacists
	// Every department has at least its head and one more person.
	share := apportion(clinicalStaff-len(h.clinical), dw)
	for i, d := range h.clinical {
		dep := &g.depts[d]
		dep.head = g.add(d, rolePhysician, titleChief, posHead)
		s := share[i] + 1
		deputies := 0
		switch {
		case s >= 18:
			deputies = 2
		case s >= 6:
			deputies = 1
		}
		for range deputies {
			t := titleAssociate
			if chance(r, 0.4) {
				t = titleChief
			}
			dep.deputies = append(dep.deputies, g.add(d, rolePhysician, t, posDeputy))
		}
		for range s - deputies {
			if chance(r, 0.28) {
				g.add(d, roleNurse, titleNone, posStaff)
			} else {
				g.add(d, rolePhysician, pickTitle(r, 0.08, 0.22, 0.38), posStaff)
			}
		}
	}
	ph := &g.depts[h.pharmacy]
	for i := range pharmacists {
		if i == 0 && pharmacists >= 6 {
			ph.deputies = append(ph.deputies, g.add(h.pharmacy, rolePharmacist, titleAssociate, posDeputy))
			continue
		}
		g.add(h.pharmacy, rolePharmacist, pickTitle(r, 0.05, 0.20, 0.40), posStaff)
	}
}

func sumOf(ws []float64) float64 {
	s := 0.0
	for _, w := range ws {
		s += w
	}
	return s
}

// kols labels about 5% of physicians as KOLs: national ones among the
// chiefs of 3A hospitals, regional ones among senior physicians of
// tertiary hospitals, local ones anywhere; each with the evidence for it.
func (g *gen) kols() {
	r := g.rand(streamKOLs)
	k := g.cfg.KOLs
	nat := int(math.Round(0.1 * float64(k)))
	reg := int(math.Round(0.3 * float64(k)))
	loc := k - nat - reg
	var physicians []int32
	for i := range g.people {
		if g.people[i].role == rolePhysician {
			physicians = append(physicians, int32(i))
		}
	}
	tierW := [3][4]float64{ // per level: 3A, 3B, 2A, 2B
		{1, 0.15, 0, 0},
		{1, 0.7, 0.15, 0},
		{0.6, 0.8, 1, 1},
	}
	// per level: head, deputy, chief, associate, attending, resident
	rankW := [3][6]float64{
		{3, 1.5, 1, 0.2, 0, 0},
		{2, 1.5, 1.2, 1, 0.1, 0},
		{2, 1.5, 1.2, 1, 0.6, 0.05},
	}
	for lvl, want := range []int{nat, reg, loc} {
		picked := sample(r, physicians, func(i int32) float64 {
			p := &g.people[i]
			if p.kol != kolNone {
				return 0
			}
			rank := 2 + int(p.title) - int(titleChief)
			switch p.pos {
			case posHead:
				rank = 0
			case posDeputy:
				rank = 1
			}
			return tierW[lvl][g.hosps[p.hosp].tier] * rankW[lvl][rank]
		}, want)
		for _, i := range picked {
			p := &g.people[i]
			p.kol = uint8(lvl) + kolNational
			for e, odds := range kolEvidenceOdds[lvl] {
				if chance(r, odds) {
					p.evidence = append(p.evidence, kolEvidence[e])
				}
			}
			if len(p.evidence) == 0 {
				p.evidence = []string{kolEvidence[2]}
			}
		}
	}
}

// committees gives every hospital a P&T committee (chaired by a VP or the
// pharmacy director, the director otherwise its secretary, department
// heads as members) and a procurement committee (chaired by the president
// or a VP, the pharmacy director secretary or member, the heads of the
// biggest departments as members).
func (g *gen) committees() {
	r := g.rand(streamCommittees)
	recs := make([]kolgraph.Committee, 0, 2*len(g.hosps))
	for hi := range g.hosps {
		h := &g.hosps[hi]
		ph := &g.depts[h.pharmacy]
		recs = append(recs,
			kolgraph.Committee{ID: "C" + h.num + "-PT", Name: "药事管理与药物治疗学委员会", Kind: kolgraph.CommitteePT, HospitalID: h.rec.ID},
			kolgraph.Committee{ID: "C" + h.num + "-PC", Name: "药品遴选与采购委员会", Kind: kolgraph.CommitteeProcurement, HospitalID: h.rec.ID})
		pt, pc := recs[len(recs)-2].ID, recs[len(recs)-1].ID

		var ms []kolgraph.Membership
		seen := map[int32]bool{}
		h.seats = [2]seats{{kind: kolgraph.CommitteePT}, {kind: kolgraph.CommitteeProcurement}}
		add := func(c string, who int32, role string) {
			if !seen[who] {
				seen[who] = true
				ms = append(ms, kolgraph.Membership{HCPID: g.hcpIDs[who], CommitteeID: c, Role: role})
				k := 0
				if c == pc {
					k = 1
				}
				h.seats[k].members = append(h.seats[k].members, who)
			}
		}
		// P&T
		chairVP := chance(r, 0.6)
		if chairVP {
			add(pt, h.vps[r.IntN(len(h.vps))], "chair")
			add(pt, h.director, "secretary")
		} else {
			add(pt, h.director, "chair")
			if len(ph.deputies) > 0 {
				add(pt, ph.deputies[0], "secretary")
			}
		}
		for _, v := range h.vps {
			add(pt, v, "member")
		}
		for _, d := range h.clinical {
			add(pt, g.depts[d].head, "member")
		}
		// Procurement
		clear(seen)
		if chance(r, 0.5) {
			add(pc, h.pres, "chair")
		} else {
			add(pc, h.vps[r.IntN(len(h.vps))], "chair")
		}
		if chance(r, 0.7) {
			add(pc, h.director, "secretary")
		} else {
			add(pc, h.director, "member")
		}
		for _, v := range h.vps {
			add(pc, v, "member")
		}
		big := slices.Clone(h.clinical)
		slices.SortStableFunc(big, func(a, b int32) int { return cmp.Compare(g.depts[b].weight, g.depts[a].weight) })
		for _, d := range big[:min(4, len(big))] {
			add(pc, g.depts[d].head, "member")
		}
		for _, d := range ph.deputies {
			add(pc, d, "member")
		}
		g.cs.Memberships = append(g.cs.Memberships, ms...)
	}
	for i := range recs {
		g.cs.Committees = append(g.cs.Committees, &recs[i])
	}
}

// products lists the three products and, per hospital, their access
// status: bigger hospitals list more, and pending listings are recent.
func (g *gen) products() {
	r := g.rand(streamListings)
	for _, p := range products {
		g.cs.Products = append(g.cs.Products, &kolgraph.Product{
			ID: p.id, Name: p.name, Indications: slices.Clone(p.indications), Specialties: slices.Clone(p.specialties),
		})
	}
	date := func(fromYear, toYear int) string {
		from := time.Date(fromYear, 1, 1, 0, 0, 0, 0, time.UTC)
		days := int(time.Date(toYear+1, 1, 1, 0, 0, 0, 0, time.UTC).Sub(from).Hours() / 24)
		return from.AddDate(0, 0, r.IntN(days)).Format(time.DateOnly)
	}
	for _, h := range g.hosps {
		listed := tiers[h.tier].listed
		for _, p := range products {
			// Access flags follow from the product and the hospital's tier,
			// drawing nothing, so the rest of the region stays as it was.
			l := kolgraph.Listing{HospitalID: h.rec.ID, ProductID: p.id,
				NationalInsurance: p.nationalInsurance, KeyMonitoring: slices.Contains(p.keyMonitoringAt, h.rec.Tier)}
			switch x := r.Float64(); {
			case x < listed:
				l.Status, l.Since = "listed", date(2019, 2024)
			case x < listed+0.2:
				l.Status, l.Since = "pending", date(2024, 2025)
			case x < listed+0.23:
				l.Status, l.Since = "delisted", date(2022, 2025)
			default:
				l.Status = "not_listed"
			}
			g.cs.Listings = append(g.cs.Listings, l)
		}
	}
}

// name invents a Chinese name: a surname by frequency and one or two
// given-name characters.
func name(r *rand.Rand, cum []float64) string {
	var b strings.Builder
	x := r.Float64() * cum[len(cum)-1]
	s, _ := slices.BinarySearch(cum, x)
	b.WriteRune(surnames[min(s, len(surnames)-1)])
	b.WriteRune(givenChars[r.IntN(len(givenChars))])
	if chance(r, 0.7) {
		b.WriteRune(givenChars[r.IntN(len(givenChars))])
	}
	return b.String()
}

// surnameWeights is the cumulative Zipf-like weight of surnames.
func surnameWeights() []float64 {
	cum := make([]float64, len(surnames))
	s := 0.0
	for i := range surnames {
		s += 1 / float64(i+4)
		cum[i] = s
	}
	return cum
}

// users creates an admin, a strategist and a compliance officer who see
// every territory, and KAMs per territory who each know 10-30 of its HCPs,
// mostly department heads, pharmacy staff and KOLs.
func (g *gen) users() {
	r := g.rand(streamUsers)
	cum := surnameWeights()
	n := 3 + g.cfg.KAMsPerTerritory*len(g.terrs)
	uw := width(n, 3)
	all := make([]string, len(g.terrs))
	for i, t := range g.terrs {
		all[i] = t.id
	}
	for i, role := range []string{"admin", "strategist", "compliance"} {
		g.cs.Users = append(g.cs.Users, &kolgraph.User{
			ID: fmt.Sprintf("U%0*d", uw, i+1), Name: name(r, cum), Role: role, Territories: slices.Clone(all),
		})
	}
	know := func(i int32) float64 {
		p := &g.people[i]
		w := [...]float64{1, 1.5, 0.3, 1}[p.role]
		switch p.pos {
		case posPresident, posVP, posDeputy:
			w = 2
		case posPharmacyDirector, posHead:
			w = 4
		}
		if p.kol != kolNone {
			w += 3
		}
		return w
	}
	for _, t := range g.terrs {
		for range g.cfg.KAMsPerTerritory {
			u := &kolgraph.User{
				ID: fmt.Sprintf("U%0*d", uw, len(g.cs.Users)+1), Name: name(r, cum), Role: "kam", Territories: []string{t.id},
			}
			g.cs.Users = append(g.cs.Users, u)
			known := sample(r, t.hcps, know, 10+r.IntN(21))
			slices.Sort(known)
			for _, i := range known {
				g.cs.Knows = append(g.cs.Knows, kolgraph.Knows{UserID: u.ID, HCPID: g.hcpIDs[i], Strength: round2(uniform(r, 0.2, 0.95))})
			}
		}
	}
}

// hcpRecords turns the compact person records into HCPs, with synthetic
// names and clearly fake contact data.
func (g *gen) hcpRecords() {
	r := g.rand(streamNames)
	cum := surnameWeights()
	recs := make([]kolgraph.HCP, len(g.people))
	g.cs.HCPs = make([]*kolgraph.HCP, len(g.people))
	for i := range g.people {
		p := &g.people[i]
		d := &g.depts[p.dept]
		id := g.hcpIDs[i]
		n := i + 1
		h := &recs[i]
		*h = kolgraph.HCP{
			ID:           id,
			Name:         name(r, cum),
			Role:         roleNames[p.role],
			Title:        titleNames[p.title],
			Position:     positionNames[p.pos],
			Specialty:    d.rec.Specialty,
			DepartmentID: d.rec.ID,
			HospitalID:   g.hosps[p.hosp].rec.ID,
			KOLLevel:     kolNames[p.kol],
			KOLEvidence:  p.evidence,
		}
		if chance(r, 0.7) {
			h.Phone = fmt.Sprintf("138-%04d-%04d", n/10000, n%10000)
		}
		if chance(r, 0.6) {
			h.Email = strings.ToLower(id) + "@example.com"
		}
		if chance(r, 0.45) {
			h.WeChat = "wx_demo_" + strings.ToLower(id)
		}
		g.cs.HCPs[i] = h
	}
}
