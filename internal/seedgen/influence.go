package seedgen

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Edges are dated between updatedFrom and updatedFrom+updatedSpan, to the
// minute.
var updatedFrom = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

const updatedSpan = 547 * 24 * 60 // minutes: 2024-01-01 to 2025-06-30

// edges accumulates INFLUENCES edges, keeping the first edge of each
// ordered pair, so the stages run in priority order: a formal reporting
// line outranks a mentorship, which outranks a co-authorship. Edges are
// kept compact and pointer-free until the end, which keeps a
// million-HCP region fast to build (the garbage collector has nothing to
// scan).
type edges struct {
	g *gen
	r *rand.Rand
	// seen holds the pairs per territory of the source: the stages work
	// territory by territory, so the set they probe stays in cache.
	seen  []pairSet
	list  []edge
	texts []string          // evidence texts by index
	index map[string]uint16 // evidence text -> index
}

type edge struct {
	from, to int32
	minute   int32 // updated_at, minutes after updatedFrom
	evidence uint16
	weight   uint8 // hundredths
	kind     uint8 // index into kolgraph.InfluenceKinds
}

// Kinds as indexes into kolgraph.InfluenceKinds.
const (
	kindReportsTo uint8 = iota
	kindMentor
	kindCoAuthor
	kindReferral
	kindCommitteePeer
	kindSocietyPeer
)

// add adds from -> to unless it is a self-loop or the pair already has an
// edge. The weight is rounded to 2 decimals and kept in [0.05, 1].
func (e *edges) add(from, to int32, kind uint8, w float64, evidence uint16) bool {
	if from == to || !e.seen[e.g.keys[from]/keySpan].insert(uint64(uint32(from))<<32|uint64(uint32(to))) {
		return false
	}
	e.list = append(e.list, edge{
		from: from, to: to,
		minute:   int32(e.r.IntN(updatedSpan)),
		evidence: evidence,
		weight:   uint8(max(5, min(100, math.Round(w*100)))),
		kind:     kind,
	})
	return true
}

// text interns an evidence text.
func (e *edges) text(s string) uint16 {
	if i, ok := e.index[s]; ok {
		return i
	}
	if len(e.texts) == math.MaxUint16 {
		panic("seedgen: too many evidence texts")
	}
	i := uint16(len(e.texts))
	e.texts = append(e.texts, s)
	e.index[s] = i
	return i
}

// records turns the edges into Influence records sharing one allocation.
func (e *edges) records() []*kolgraph.Influence {
	recs := make([]kolgraph.Influence, len(e.list))
	out := make([]*kolgraph.Influence, len(e.list))
	ids := e.g.hcpIDs
	for i, x := range e.list {
		recs[i] = kolgraph.Influence{
			From:      ids[x.from],
			To:        ids[x.to],
			Weight:    float64(x.weight) / 100,
			Kind:      kolgraph.InfluenceKinds[x.kind],
			Evidence:  e.texts[x.evidence],
			UpdatedAt: updatedFrom.Add(time.Duration(x.minute) * time.Minute),
		}
		out[i] = &recs[i]
	}
	return out
}

// pairSet is an open-addressing hash set of non-zero uint64 keys: a
// (from, to) pair with from != to is never zero. It is several times
// faster than a map for the tens of millions of lookups of a large region.
type pairSet struct {
	slots []uint64
	shift uint // 64 - log2(len(slots)): the hash's top bits index the slots
	n     int
}

func newPairSet(expected int) pairSet {
	size, shift := 16, uint(60)
	for size < 2*expected {
		size <<= 1
		shift--
	}
	return pairSet{slots: make([]uint64, size), shift: shift}
}

// insert adds k and reports whether it was absent.
func (s *pairSet) insert(k uint64) bool {
	if 10*(s.n+1) > 7*len(s.slots) {
		s.grow()
	}
	mask := uint64(len(s.slots) - 1)
	for i := (k * 0x9E3779B97F4A7C15) >> s.shift; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case 0:
			s.slots[i] = k
			s.n++
			return true
		case k:
			return false
		}
	}
}

func (s *pairSet) grow() {
	old := s.slots
	s.slots = make([]uint64, 2*len(old))
	s.shift--
	s.n = 0
	for _, k := range old {
		if k != 0 {
			s.insert(k)
		}
	}
}

func pick(r *rand.Rand, s []int32) int32 { return s[r.IntN(len(s))] }

func (e *edges) w(lo, hi float64) float64 { return uniform(e.r, lo, hi) }

// evidenceTexts are the interned evidence texts used per specialty (the
// pharmacy last) or per number of papers.
type evidenceTexts struct {
	reports, deputy, crossRef, natSociety, provSociety []uint16
	coAuthor                                           []uint16
	mentor                                             []uint16
}

var mentorEvidence = []string{
	"supervised residency training",
	"doctoral supervisor",
	"clinical fellowship supervisor",
	"long-standing mentor since medical school",
}

const maxPapers = 12

func (e *edges) newEvidence() *evidenceTexts {
	t := &evidenceTexts{}
	for _, s := range specialties {
		t.reports = append(t.reports, e.text("reports to the head of "+s.dept))
		t.deputy = append(t.deputy, e.text("deputy head supervises ward work in "+s.dept))
		t.crossRef = append(t.crossRef, e.text("consulted on shared patients by "+s.dept))
		t.natSociety = append(t.natSociety, e.text("leads the national "+s.key+" society committee"))
		t.provSociety = append(t.provSociety, e.text("provincial "+s.key+" society committee"))
	}
	t.reports = append(t.reports, e.text("reports to the pharmacy director"))
	t.deputy = append(t.deputy, e.text("deputy pharmacy director supervises dispensing"))
	for n := 0; n <= maxPapers; n++ {
		t.coAuthor = append(t.coAuthor, e.text("co-authored "+strconv.Itoa(n)+" papers"))
	}
	for _, m := range mentorEvidence {
		t.mentor = append(t.mentor, e.text(m))
	}
	return t
}

// influences builds the influence graph, aiming at EdgesPerHCP edges per
// HCP: the structural kinds first (hierarchy, mentorship, committees,
// referrals, societies), then co-authorship by preferential attachment
// fills up to the target and gives the degrees their heavy tail.
func (g *gen) influences() {
	target := int(math.Round(g.cfg.EdgesPerHCP * float64(len(g.people))))
	g.keys = make([]int32, len(g.people))
	for i := range g.people {
		p := &g.people[i]
		g.keys[i] = g.hosps[p.hosp].terr*keySpan + int32(g.depts[p.dept].spec)
	}
	e := &edges{
		g:     g,
		r:     g.rand(streamInfluences),
		seen:  make([]pairSet, len(g.terrs)),
		list:  make([]edge, 0, target+target/20),
		index: make(map[string]uint16),
	}
	for t := range g.terrs {
		e.seen[t] = newPairSet(int(float64(len(g.terrs[t].hcps)) * g.cfg.EdgesPerHCP))
	}
	ev := e.newEvidence()
	tertiary := g.tertiarySeniors()
	for hi := range g.hosps {
		e.hierarchy(&g.hosps[hi], ev)
	}
	for d := range g.depts {
		e.mentors(&g.depts[d], tertiary, ev)
	}
	for hi := range g.hosps {
		e.committeePeers(&g.hosps[hi])
	}
	e.referrals(tertiary, ev)
	e.society(ev)
	e.coAuthors(target, ev)
	g.cs.Influences = e.records()
}

// keySpan is the stride of g.keys per territory: the clinical
// specialties and the pharmacy.
const keySpan = 13

func init() {
	if keySpan != len(specialties)+1 {
		panic("seedgen: keySpan must be len(specialties)+1")
	}
}

// tertiarySeniors lists, per territory and specialty (g.keys), the senior
// physicians of 3A hospitals (3B where a territory has no 3A department of
// that specialty): where mentors from other hospitals and referrals go.
func (g *gen) tertiarySeniors() [][]int32 {
	n := len(g.terrs) * keySpan
	byTier := [2][][]int32{make([][]int32, n), make([][]int32, n)}
	for i := range g.people {
		p := &g.people[i]
		t := g.hosps[p.hosp].tier
		if p.role == rolePhysician && p.senior() && t <= 1 {
			k := g.keys[i]
			byTier[t][k] = append(byTier[t][k], int32(i))
		}
	}
	for k := range n {
		if len(byTier[0][k]) == 0 {
			byTier[0][k] = byTier[1][k]
		}
	}
	return byTier[0]
}

// hierarchy adds the reporting lines: president -> VPs, pharmacy director
// and department heads; VPs -> the heads they oversee; heads and deputies
// -> their department's staff; the pharmacy director -> pharmacists.
func (e *edges) hierarchy(h *hospital, ev *evidenceTexts) {
	g := e.g
	vpPres := e.text("vice president reports to the hospital president")
	pdPres := e.text("pharmacy director reports to the president")
	pdVP := e.text("vice president in charge of pharmacy")
	headPres := e.text("department head reports to the president")
	headVP := e.text("vice president in charge of the department")
	for _, v := range h.vps {
		e.add(h.pres, v, kindReportsTo, e.w(0.8, 0.95), vpPres)
	}
	e.add(h.pres, h.director, kindReportsTo, e.w(0.6, 0.8), pdPres)
	e.add(h.vps[len(h.vps)-1], h.director, kindReportsTo, e.w(0.6, 0.85), pdVP)
	for i, d := range h.clinical {
		head := g.depts[d].head
		e.add(h.pres, head, kindReportsTo, e.w(0.55, 0.8), headPres)
		e.add(h.vps[i%len(h.vps)], head, kindReportsTo, e.w(0.6, 0.85), headVP)
	}
	for _, d := range append([]int32{h.pharmacy}, h.clinical...) {
		dep := &g.depts[d]
		for _, m := range dep.members {
			if p := &g.people[m]; p.pos == posStaff || p.pos == posDeputy {
				e.add(dep.head, m, kindReportsTo, e.w(0.7, 0.95), ev.reports[dep.spec])
			}
		}
		for _, dp := range dep.deputies {
			for _, m := range dep.members {
				if p := &g.people[m]; p.pos == posStaff && !p.senior() && chance(e.r, 0.5) {
					e.add(dp, m, kindReportsTo, e.w(0.4, 0.65), ev.deputy[dep.spec])
				}
			}
		}
	}
}

// mentors adds senior -> junior mentorships: mostly inside the department,
// some from a senior physician of a tertiary hospital in the territory.
func (e *edges) mentors(dep *department, tertiary [][]int32, ev *evidenceTexts) {
	g := e.g
	var seniors []int32
	role := rolePhysician
	if dep.spec == pharmacy {
		role = rolePharmacist
	}
	for _, m := range dep.members {
		// The head and deputies already have a reporting line to everyone.
		if p := &g.people[m]; p.role == role && p.senior() && p.pos == posStaff {
			seniors = append(seniors, m)
		}
	}
	pharmacist := e.text("trained by a senior pharmacist")
	for _, m := range dep.members {
		p := &g.people[m]
		if p.role != role || p.pos != posStaff {
			continue
		}
		if dep.spec == pharmacy {
			if !p.senior() && len(seniors) > 0 && chance(e.r, 0.5) {
				e.add(pick(e.r, seniors), m, kindMentor, e.w(0.5, 0.8), pharmacist)
			}
			continue
		}
		n := 0
		switch x := e.r.Float64(); {
		case p.title == titleChief:
		case p.title == titleAssociate && x >= 0.3:
		case x < 0.6:
			n = 1
		case x < 0.8:
			n = 2
		}
		for range n {
			pool := seniors
			if ext := tertiary[g.keys[m]]; len(ext) > 0 && (len(seniors) == 0 || chance(e.r, 0.2)) {
				pool = ext
			}
			if len(pool) > 0 {
				e.add(pick(e.r, pool), m, kindMentor, e.w(0.5, 0.85), ev.mentor[e.r.IntN(len(ev.mentor))])
			}
		}
	}
}

// committeePeers: a committee's chair and the pharmacy director (who
// prepares its agenda) sway its members; members sway a few others.
func (e *edges) committeePeers(h *hospital) {
	for _, s := range h.seats {
		name := "P&T"
		if s.kind == kolgraph.CommitteeProcurement {
			name = "procurement"
		}
		chairs := e.text("chairs the " + name + " committee")
		prepares := e.text("pharmacy director prepares the " + name + " committee's reviews")
		fellow := e.text("fellow " + name + " committee member")
		for _, m := range s.members[1:] {
			e.add(s.members[0], m, kindCommitteePeer, e.w(0.6, 0.85), chairs)
		}
		for _, m := range s.members {
			e.add(h.director, m, kindCommitteePeer, e.w(0.45, 0.7), prepares)
		}
		for _, m := range s.members {
			for range 2 {
				e.add(m, pick(e.r, s.members), kindCommitteePeer, e.w(0.2, 0.4), fellow)
			}
		}
	}
}

// referrals: specialists of tertiary hospitals sway the physicians of
// smaller hospitals who refer patients to them (they set the continuation
// therapy), and related departments of one hospital consult each other.
func (e *edges) referrals(tertiary [][]int32, ev *evidenceTexts) {
	g := e.g
	receives := e.text("receives this physician's referrals and sets continuation therapy")
	relIdx := make([][]int, len(specialties))
	for i, s := range specialties {
		for _, k := range related[s.key] {
			relIdx[i] = append(relIdx[i], specIndex(k))
		}
	}
	for i := range g.people {
		p := &g.people[i]
		if p.role != rolePhysician {
			continue
		}
		m := int32(i)
		h := &g.hosps[p.hosp]
		if pool := tertiary[g.keys[m]]; h.tier != 0 && len(pool) > 0 && chance(e.r, 0.45) {
			e.add(pick(e.r, pool), m, kindReferral, e.w(0.3, 0.6), receives)
		}
		if !chance(e.r, 0.15) {
			continue
		}
		rel := relIdx[g.depts[p.dept].spec]
		other := h.bySpec[rel[e.r.IntN(len(rel))]]
		if other < 0 {
			continue
		}
		od := &g.depts[other]
		src := od.head
		if chance(e.r, 0.5) {
			src = pick(e.r, od.members)
		}
		if g.people[src].role == rolePhysician {
			e.add(src, m, kindReferral, e.w(0.25, 0.5), ev.crossRef[od.spec])
		}
	}
}

func specIndex(key string) int {
	for i, s := range specialties {
		if s.key == key {
			return i
		}
	}
	panic("seedgen: unknown specialty " + key)
}

// society links KOLs of one specialty: national KOLs sway regional and
// local ones across the region, regional KOLs the local ones of their
// territory, peers of a level sway each other a little. Each KOL gets a
// bounded number of links, so the work stays linear.
func (e *edges) society(ev *evidenceTexts) {
	g := e.g
	S := len(specialties)
	nat := make([][]int32, S)
	reg := make([][]int32, S)
	lower := make([][]int32, S)
	local := make([][]int32, len(g.terrs)*keySpan)
	for i := range g.people {
		p := &g.people[i]
		s := g.depts[p.dept].spec
		switch p.kol {
		case kolNational:
			nat[s] = append(nat[s], int32(i))
		case kolRegional:
			reg[s] = append(reg[s], int32(i))
			lower[s] = append(lower[s], int32(i))
		case kolLocal:
			lower[s] = append(lower[s], int32(i))
			local[g.keys[i]] = append(local[g.keys[i]], int32(i))
		}
	}
	natPeer := e.text("fellow member of the national society committee")
	regPeer := e.text("fellow member of the provincial society committee")
	cityPeer := e.text("city society peer")
	for s := range S {
		for _, n := range nat[s] {
			if len(lower[s]) > 0 {
				for range 8 + e.r.IntN(18) {
					e.add(n, pick(e.r, lower[s]), kindSocietyPeer, e.w(0.45, 0.75), ev.natSociety[s])
				}
			}
			for range 2 {
				e.add(n, pick(e.r, nat[s]), kindSocietyPeer, e.w(0.35, 0.55), natPeer)
			}
		}
		for _, rg := range reg[s] {
			if loc := local[g.keys[rg]]; len(loc) > 0 {
				for range 3 + e.r.IntN(8) {
					e.add(rg, pick(e.r, loc), kindSocietyPeer, e.w(0.35, 0.6), ev.provSociety[s])
				}
			}
			for range 2 {
				e.add(rg, pick(e.r, reg[s]), kindSocietyPeer, e.w(0.3, 0.5), regPeer)
			}
		}
	}
	for _, loc := range local {
		for _, l := range loc {
			if chance(e.r, 0.5) {
				e.add(l, pick(e.r, loc), kindSocietyPeer, e.w(0.2, 0.35), cityPeer)
			}
		}
	}
}

// coAuthors fills the graph up to target edges with co-authorships by
// preferential attachment: a co-author is picked with probability
// proportional to 1 + their co-authorships so far + a head start for KOLs
// and seniors (and prolific authors start more collaborations), which
// makes degrees heavy-tailed. Most pairs share a territory and specialty;
// some cross territories or specialties. The more senior author of a pair
// sways the other; some pairs sway each other. Expected O(target) work.
func (e *edges) coAuthors(target int, ev *evidenceTexts) {
	g := e.g
	r := g.rand(streamCoAuthors)
	pools := make([][]int32, len(g.terrs)*keySpan)
	seniority := make([]uint8, len(g.people))
	var authors []int32
	for i := range g.people {
		p := &g.people[i]
		seniority[i] = uint8(p.seniority())
		if p.role != rolePhysician {
			continue
		}
		m := int32(i)
		authors = append(authors, m)
		head := [...]int{0, 30, 12, 5}[p.kol] + [...]int{0, 2, 1, 0, 0}[p.title]
		switch p.pos {
		case posHead:
			head += 4
		case posDeputy:
			head += 2
		}
		for range 1 + head {
			pools[g.keys[m]] = append(pools[g.keys[m]], m)
		}
	}
	remaining := target - len(e.list)
	if len(authors) == 0 || remaining <= 0 {
		return
	}
	// Work territory by territory (authors are in territory order), each
	// its share of the edges, so that pools and pair sets stay in cache.
	var shares []float64
	var starts []int
	for i, a := range authors {
		if t := g.keys[a] / keySpan; i == 0 || t != g.keys[authors[i-1]]/keySpan {
			starts = append(starts, i)
			shares = append(shares, 0)
		}
		shares[len(shares)-1]++
	}
	starts = append(starts, len(authors))
	for ti, quota := range apportion(remaining, shares) {
		e.coAuthorsIn(r, authors[starts[ti]:starts[ti+1]], pools, seniority, quota, ev)
	}
}

func (e *edges) coAuthorsIn(r *rand.Rand, authors []int32, pools [][]int32, seniority []uint8, quota int, ev *evidenceTexts) {
	g := e.g
	S, T := int32(len(specialties)), int32(len(g.terrs))
	for added, attempts := 0, 0; added < quota && attempts < 5*quota+100; attempts++ {
		u := pick(r, authors)
		if chance(r, 0.4) { // prolific authors start more collaborations
			u = pick(r, pools[g.keys[u]])
		}
		k := g.keys[u]
		switch x := r.Float64(); {
		case x < 0.75:
		case x < 0.95: // another territory, same specialty
			k = r.Int32N(T)*keySpan + k%keySpan
		default: // same territory, another clinical specialty
			k = k/keySpan*keySpan + r.Int32N(S)
		}
		pool := pools[k]
		if len(pool) == 0 {
			continue
		}
		v := pick(r, pool)
		from, to := u, v
		if su, sv := seniority[u], seniority[v]; sv > su || (sv == su && r.IntN(2) == 0) {
			from, to = v, u
		}
		papers := 1
		for papers < maxPapers && chance(r, 0.45) {
			papers++
		}
		w := 0.12 + 0.04*float64(papers) + uniform(r, 0, 0.08)
		if !e.add(from, to, kindCoAuthor, w, ev.coAuthor[papers]) {
			continue
		}
		added++
		pools[g.keys[u]] = append(pools[g.keys[u]], u)
		pools[g.keys[v]] = append(pools[g.keys[v]], v)
		if added < quota && chance(r, 0.15) && e.add(to, from, kindCoAuthor, 0.7*w, ev.coAuthor[papers]) {
			added++
		}
	}
}
