package seedgen_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/seedgen"
)

// defaultRegion is generated once: most tests only look at it.
var defaultRegion = sync.OnceValue(func() *kolgraph.ChangeSet { return seedgen.Generate(seedgen.DefaultConfig()) })

func TestGenerateIsDeterministic(t *testing.T) {
	cfg := seedgen.Config{Seed: 7, HCPs: 3000}
	a, b := seedgen.Generate(cfg), seedgen.Generate(cfg)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs with the same Config differ")
	}
	cfg.Seed = 8
	if c := seedgen.Generate(cfg); reflect.DeepEqual(a.HCPs, c.HCPs) {
		t.Error("a different Seed gave the same HCPs")
	}
}

func TestDefaultRegionMinimums(t *testing.T) {
	cs := defaultRegion()
	count := func(n int, pred func(i int) bool) int {
		c := 0
		for i := range n {
			if pred(i) {
				c++
			}
		}
		return c
	}
	distinct := func(n int, key func(i int) string) int {
		m := map[string]bool{}
		for i := range n {
			m[key(i)] = true
		}
		return len(m)
	}
	kols := func(level string) int {
		return count(len(cs.HCPs), func(i int) bool { return cs.HCPs[i].KOLLevel == level })
	}
	tests := []struct {
		name      string
		got, want int
		exact     bool
	}{
		{"territories", len(cs.Territories), 3, false},
		{"hospitals", len(cs.Hospitals), 40, false},
		{"tiers", distinct(len(cs.Hospitals), func(i int) string { return cs.Hospitals[i].Tier }), 4, false},
		{"cities", distinct(len(cs.Hospitals), func(i int) string { return cs.Hospitals[i].City }), 3, false},
		{"provinces", distinct(len(cs.Hospitals), func(i int) string { return cs.Hospitals[i].Province }), 2, false},
		{"departments", len(cs.Departments), 400, false},
		{"specialties", distinct(len(cs.Departments), func(i int) string { return cs.Departments[i].Specialty }), 11, false},
		{"hcps", len(cs.HCPs), 6000, true},
		{"national kols", kols(kolgraph.KOLNational), 30, true},
		{"regional kols", kols(kolgraph.KOLRegional), 90, true},
		{"local kols", kols(kolgraph.KOLLocal), 180, true},
		{"committees", len(cs.Committees), 2 * len(cs.Hospitals), true},
		{"products", len(cs.Products), 3, true},
		{"listings", len(cs.Listings), 3 * len(cs.Hospitals), true},
		{"kams", count(len(cs.Users), func(i int) bool { return cs.Users[i].Role == "kam" }), 3 * len(cs.Territories), true},
		{"influences", len(cs.Influences), 60000, false},
		{"departments with a missing input", count(len(cs.Departments), func(i int) bool { return missingInput(cs.Departments[i]) }), 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.exact && tt.got != tt.want || tt.got < tt.want {
				t.Errorf("got %d, want %s%d", tt.got, map[bool]string{true: "", false: ">= "}[tt.exact], tt.want)
			}
		})
	}
	t.Run("missing inputs are rare", func(t *testing.T) {
		got := count(len(cs.Departments), func(i int) bool { return missingInput(cs.Departments[i]) })
		if got > len(cs.Departments)/50 {
			t.Errorf("got %d departments with a missing input, want about 1%%", got)
		}
	})
	t.Run("some DRG enrollment rates under 0.5", func(t *testing.T) {
		got := count(len(cs.Departments), func(i int) bool {
			r := cs.Departments[i].DRGEnrollmentRate
			return r != nil && *r < 0.5
		})
		if got < 20 {
			t.Errorf("got %d departments under 0.5, want at least 20", got)
		}
	})
	t.Run("bed turnover 2-6", func(t *testing.T) {
		for _, d := range cs.Departments {
			if v := d.BedTurnover; v != nil && d.Specialty != "pharmacy" && (*v < 2 || *v > 6) {
				t.Errorf("%s: bed turnover %v", d.ID, *v)
			}
		}
	})
	t.Run("every kam knows 10-30 hcps of their territory", func(t *testing.T) {
		hosp := map[string]string{}
		for _, h := range cs.Hospitals {
			hosp[h.ID] = h.TerritoryID
		}
		terr := map[string]string{}
		for _, h := range cs.HCPs {
			terr[h.ID] = hosp[h.HospitalID]
		}
		known := map[string]int{}
		users := map[string]*kolgraph.User{}
		for _, u := range cs.Users {
			users[u.ID] = u
		}
		for _, k := range cs.Knows {
			known[k.UserID]++
			if u := users[k.UserID]; !slices.Contains(u.Territories, terr[k.HCPID]) {
				t.Errorf("%s knows %s outside their territories", k.UserID, k.HCPID)
			}
		}
		for _, u := range cs.Users {
			if u.Role == "kam" && (known[u.ID] < 10 || known[u.ID] > 30) {
				t.Errorf("%s knows %d hcps", u.ID, known[u.ID])
			}
		}
	})
}

func missingInput(d *kolgraph.Department) bool {
	return d.WeeklyOutpatients == nil || d.IndicationShare == nil || d.ManagedBeds == nil || d.BedTurnover == nil ||
		d.DischargePenetration == nil || d.DRGEnrollmentRate == nil || d.CompetitorPenetration == nil || d.PolicySensitivity == nil
}

func TestEveryRecordValidates(t *testing.T) {
	cs := defaultRegion()
	var ps []kolgraph.Problem
	check := func(kind string, id string, got []kolgraph.Problem) {
		for _, p := range got {
			p.File = kind + " " + id
			ps = append(ps, p)
		}
	}
	for _, r := range cs.Territories {
		check("territory", r.ID, r.Validate())
	}
	for _, r := range cs.Hospitals {
		check("hospital", r.ID, r.Validate())
	}
	for _, r := range cs.Departments {
		check("department", r.ID, r.Validate())
	}
	for _, r := range cs.HCPs {
		check("hcp", r.ID, r.Validate())
	}
	for _, r := range cs.Committees {
		check("committee", r.ID, r.Validate())
	}
	for _, r := range cs.Memberships {
		check("membership", r.CommitteeID+"/"+r.HCPID, r.Validate())
	}
	for _, r := range cs.Products {
		check("product", r.ID, r.Validate())
	}
	for _, r := range cs.Listings {
		check("listing", r.HospitalID+"/"+r.ProductID, r.Validate())
	}
	for _, r := range cs.Users {
		check("user", r.ID, r.Validate())
	}
	for _, r := range cs.Knows {
		check("knows", r.UserID+"/"+r.HCPID, r.Validate())
	}
	for _, r := range cs.Influences {
		check("influence", r.From+"/"+r.To, r.Validate())
	}
	for _, p := range ps[:min(len(ps), 20)] {
		t.Error(p)
	}
}

// TestReferencesResolve goes through the file format, whose reader checks
// every reference, duplicate key and id shared by two kinds.
func TestReferencesResolve(t *testing.T) {
	dir := t.TempDir()
	if err := seedfile.Write(dir, defaultRegion()); err != nil {
		t.Fatal(err)
	}
	if _, err := seedfile.Read(os.DirFS(dir)); err != nil {
		t.Fatal(err)
	}
}

func TestInfluenceGraphShape(t *testing.T) {
	cs := defaultRegion()
	seen := map[kolgraph.EdgeKey]bool{}
	out, in := map[string]int{}, map[string]int{}
	kinds := map[string]int{}
	for _, e := range cs.Influences {
		if e.From == e.To {
			t.Errorf("self-loop on %s", e.From)
		}
		if seen[e.Key()] {
			t.Errorf("two edges %s -> %s", e.From, e.To)
		}
		seen[e.Key()] = true
		out[e.From]++
		in[e.To]++
		kinds[e.Kind]++
		if e.Evidence == "" || e.UpdatedAt.IsZero() {
			t.Errorf("%s -> %s lacks evidence or updated_at", e.From, e.To)
		}
	}
	for _, k := range kolgraph.InfluenceKinds {
		if kinds[k] == 0 {
			t.Errorf("no %s edges", k)
		}
	}
	degrees := func(m map[string]int) []int {
		d := make([]int, 0, len(cs.HCPs))
		for _, h := range cs.HCPs {
			d = append(d, m[h.ID])
		}
		sort.Ints(d)
		return d
	}
	for name, d := range map[string][]int{"out": degrees(out), "in": degrees(in)} {
		t.Logf("%s-degree: median %d, p90 %d, p99 %d, max %d", name, d[len(d)/2], d[len(d)*9/10], d[len(d)*99/100], d[len(d)-1])
	}
	od := degrees(out)
	if median, top := od[len(od)/2], od[len(od)-1]; top <= 10*max(median, 1) {
		t.Errorf("out-degree is not heavy-tailed: max %d, median %d", top, median)
	}
	t.Logf("edges by kind: %v", kinds)

	// Average weights: formal lines must be stronger than co-authorship.
	sum, n := map[string]float64{}, map[string]float64{}
	for _, e := range cs.Influences {
		sum[e.Kind] += e.Weight
		n[e.Kind]++
	}
	if sum["reports_to"]/n["reports_to"] <= sum["co_author"]/n["co_author"] ||
		sum["mentor"]/n["mentor"] <= sum["co_author"]/n["co_author"] {
		t.Errorf("mean weights: reports_to %.2f, mentor %.2f, co_author %.2f; want the first two higher",
			sum["reports_to"]/n["reports_to"], sum["mentor"]/n["mentor"], sum["co_author"]/n["co_author"])
	}
}

func TestHospitalPositions(t *testing.T) {
	cs := defaultRegion()
	type staff struct{ presidents, vps, directors int }
	byHosp := map[string]*staff{}
	heads := map[string]int{}
	deptSpec := map[string]string{}
	for _, d := range cs.Departments {
		deptSpec[d.ID] = d.Specialty
	}
	for _, h := range cs.Hospitals {
		byHosp[h.ID] = &staff{}
	}
	for _, h := range cs.HCPs {
		s := byHosp[h.HospitalID]
		switch h.Position {
		case "president":
			s.presidents++
			if h.Role != kolgraph.RoleAdministrator {
				t.Errorf("president %s is a %s", h.ID, h.Role)
			}
		case "vice_president":
			s.vps++
		case "pharmacy_director":
			s.directors++
			if h.Role != kolgraph.RolePharmacist || deptSpec[h.DepartmentID] != "pharmacy" {
				t.Errorf("pharmacy director %s is a %s in %s", h.ID, h.Role, h.DepartmentID)
			}
		case "department_head":
			heads[h.DepartmentID]++
			if h.Title != "chief" {
				t.Errorf("department head %s has title %q", h.ID, h.Title)
			}
		case "deputy_head", "staff":
		default:
			t.Errorf("%s has position %q", h.ID, h.Position)
		}
	}
	for id, s := range byHosp {
		if s.presidents != 1 || s.directors != 1 || s.vps < 1 || s.vps > 2 {
			t.Errorf("%s: %d presidents, %d vice presidents, %d pharmacy directors", id, s.presidents, s.vps, s.directors)
		}
	}
	for _, d := range cs.Departments {
		want := 1
		if d.Specialty == "pharmacy" {
			want = 0
		}
		if heads[d.ID] != want {
			t.Errorf("%s (%s) has %d heads, want %d", d.ID, d.Specialty, heads[d.ID], want)
		}
	}
}

func TestCommittees(t *testing.T) {
	cs := defaultRegion()
	pos := map[string]string{}
	for _, h := range cs.HCPs {
		pos[h.ID] = h.Position
	}
	chairs := map[string][]string{}
	members := map[string]int{}
	for _, m := range cs.Memberships {
		members[m.CommitteeID]++
		if m.Role == "chair" {
			chairs[m.CommitteeID] = append(chairs[m.CommitteeID], pos[m.HCPID])
		}
	}
	for _, c := range cs.Committees {
		ch := chairs[c.ID]
		if len(ch) != 1 {
			t.Errorf("%s has %d chairs", c.ID, len(ch))
			continue
		}
		allowed := map[string][]string{
			kolgraph.CommitteePT:          {"vice_president", "pharmacy_director"},
			kolgraph.CommitteeProcurement: {"president", "vice_president"},
		}[c.Kind]
		if !slices.Contains(allowed, ch[0]) {
			t.Errorf("%s (%s) is chaired by a %s", c.ID, c.Kind, ch[0])
		}
		if members[c.ID] < 4 {
			t.Errorf("%s has %d members", c.ID, members[c.ID])
		}
	}
}

// TestHeadsAndDirectorsAreInfluential runs PageRank on the reversed
// edges, as the metric definition does, and checks that department heads
// and pharmacy directors rank high: they sway many people who themselves
// sway others.
func TestHeadsAndDirectorsAreInfluential(t *testing.T) {
	cs := defaultRegion()
	idx := map[string]int{}
	for i, h := range cs.HCPs {
		idx[h.ID] = i
	}
	n := len(cs.HCPs)
	// Reversed edge B->A for A->B: mass flows from the swayed to the source.
	outW := make([]float64, n) // of the reversed graph: total weight into the original target
	for _, e := range cs.Influences {
		outW[idx[e.To]] += e.Weight
	}
	pr := make([]float64, n)
	for i := range pr {
		pr[i] = 1 / float64(n)
	}
	next := make([]float64, n)
	for range 100 {
		dangling := 0.0
		for i := range n {
			if outW[i] == 0 {
				dangling += pr[i]
			}
		}
		for i := range next {
			next[i] = (1-0.85)/float64(n) + 0.85*dangling/float64(n)
		}
		for _, e := range cs.Influences {
			b, a := idx[e.To], idx[e.From]
			next[a] += 0.85 * pr[b] * e.Weight / outW[b]
		}
		pr, next = next, pr
	}
	sorted := slices.Clone(pr)
	slices.Sort(sorted)
	percentile := func(v float64) float64 {
		i, _ := slices.BinarySearch(sorted, v)
		return float64(i) / float64(n)
	}
	mean := map[string]float64{}
	cnt := map[string]float64{}
	for i, h := range cs.HCPs {
		mean[h.Position] += percentile(pr[i])
		cnt[h.Position]++
	}
	for _, p := range []string{"department_head", "pharmacy_director", "staff"} {
		t.Logf("mean PageRank percentile of %s: %.2f", p, mean[p]/cnt[p])
	}
	for _, p := range []string{"department_head", "pharmacy_director"} {
		if got := mean[p] / cnt[p]; got < 0.8 {
			t.Errorf("mean PageRank percentile of %s = %.2f, want >= 0.8", p, got)
		}
	}
}

// TestCommittedSeedIsCurrent keeps seed/ from going stale: it must be
// exactly what the generator writes for DefaultConfig.
func TestCommittedSeedIsCurrent(t *testing.T) {
	dir := t.TempDir()
	if err := seedfile.Write(dir, defaultRegion()); err != nil {
		t.Fatal(err)
	}
	if err := seedfile.WriteChangesFile(dir, seedgen.Changes(seedgen.DefaultConfig(), defaultRegion())); err != nil {
		t.Fatal(err)
	}
	committed := filepath.Join("..", "..", "seed")
	for _, name := range append(seedfile.FileNames(), seedfile.ChangesFile) {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if name == seedfile.PrescriptionsFile {
			// Facts are made only on request: the default
			// output, and so the seed, has none and no file.
			if !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("the default output has %s (%v), want none", name, err)
			}
			if _, err := os.Stat(filepath.Join(committed, name)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("seed/%s exists (%v), want none", name, err)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(committed, name))
		if err != nil {
			t.Errorf("%v; regenerate with: go run ./cmd/kolgraph generate -out seed", err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("seed/%s differs from the generator's output (%s); regenerate with: go run ./cmd/kolgraph generate -out seed",
				name, firstDiff(got, want))
		}
	}
}

func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d: got %q, want %q", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("got %d lines, want %d", len(g), len(w))
}

func TestScaledConfigs(t *testing.T) {
	tests := []seedgen.Config{
		{HCPs: 1},                      // raised to the minimum
		{HCPs: 500, Hospitals: 100},    // more hospitals than can be staffed
		{HCPs: 20000, Territories: 10}, // more territories than region templates
		{HCPs: 3000, EdgesPerHCP: 2},   // fewer edges than the structure needs
	}
	for _, cfg := range tests {
		t.Run(fmt.Sprintf("%+v", cfg), func(t *testing.T) {
			cs := seedgen.Generate(cfg)
			if len(cs.HCPs) < min(max(cfg.HCPs, 100), cfg.HCPs+100) {
				t.Errorf("got %d HCPs for %d", len(cs.HCPs), cfg.HCPs)
			}
			dir := t.TempDir()
			if err := seedfile.Write(dir, cs); err != nil {
				t.Fatal(err)
			}
			if _, err := seedfile.Read(os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			// Tiny regions run out of distinct pairs; others reach the target.
			want := int(math.Round(10.5 * float64(len(cs.HCPs))))
			if cfg.EdgesPerHCP == 0 && cfg.HCPs >= 1000 && len(cs.Influences) < want*95/100 {
				t.Errorf("got %d edges, want about %d", len(cs.Influences), want)
			}
		})
	}
}

func BenchmarkGenerate(b *testing.B) {
	for _, n := range []int{6000, 1_000_000} {
		b.Run(fmt.Sprintf("hcps=%d", n), func(b *testing.B) {
			cfg := seedgen.DefaultConfig()
			cfg.HCPs = n
			for b.Loop() {
				cs := seedgen.Generate(cfg)
				b.ReportMetric(float64(len(cs.Influences)), "edges")
			}
		})
	}
}
