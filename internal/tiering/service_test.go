package tiering_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/embedded/embeddedtest"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
	"github.com/kolgraph/kolgraph/internal/memo"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/tiering"
	"github.com/kolgraph/kolgraph/internal/viewer"
	"github.com/kolgraph/kolgraph/seed"
)

// env is the seed region in an embedded store with its snapshot, scoring and
// tiering services.
type env struct {
	cs     *kolgraph.ChangeSet // the seed as read, for expected values
	store  kolgraph.Store
	snaps  *snapshot.Manager
	scores *scoring.Service
	paths  *access.Service
	svc    *tiering.Service
	pool   *memo.Pool
}

// refresh installs a snapshot of the store's current version as a serving
// instance does after a write, and waits for the background recomputation
// of the results asked for: later requests get the new version's.
func (e *env) refresh(ctx context.Context) error {
	if err := e.snaps.Refresh(ctx); err != nil {
		return err
	}
	e.scores.Revalidate()
	e.svc.Revalidate()
	e.pool.Wait()
	return nil
}

func newEnv(t testing.TB, dir string) (*env, error) {
	cs, err := seedfile.Read(seed.FS)
	if err != nil {
		return nil, err
	}
	st, err := embedded.Open(filepath.Join(dir, "kg.db"), embedded.WithNoSync())
	if err != nil {
		return nil, err
	}
	if _, err := st.Apply(context.Background(), cs); err != nil {
		st.Close()
		return nil, err
	}
	m := snapshot.NewManager(st, zerolog.Nop())
	if err := m.Refresh(context.Background()); err != nil {
		st.Close()
		return nil, err
	}
	pool := memo.NewPool(1)
	p := scoring.DefaultParams()
	p.Pool = pool
	scores, err := scoring.NewService(m, p)
	if err != nil {
		st.Close()
		return nil, err
	}
	paths := access.NewService(m, scores, access.DefaultOptions())
	o := tiering.DefaultOptions()
	o.Pool = pool
	svc, err := tiering.New(m, scores, st, paths, o)
	if err != nil {
		st.Close()
		return nil, err
	}
	return &env{cs: cs, store: st, snaps: m, scores: scores, paths: paths, svc: svc, pool: pool}, nil
}

// shared is one read-only seed environment for the tests that do not write.
var (
	sharedOnce sync.Once
	sharedEnv  *env
	sharedErr  error
	sharedDir  string
)

func shared(t testing.TB) *env {
	t.Helper()
	sharedOnce.Do(func() {
		dir, err := tempDir()
		if err != nil {
			sharedErr = err
			return
		}
		sharedDir = dir
		sharedEnv, sharedErr = newEnv(t, dir)
	})
	if sharedErr != nil {
		t.Fatalf("seed environment: %v", sharedErr)
	}
	return sharedEnv
}

// private is a seed environment a test may write to.
func private(t *testing.T) *env {
	t.Helper()
	e, err := newEnv(t, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })
	return e
}

func tiers(t testing.TB, e *env, sc snapshot.Scope, product string) *tiering.Result {
	t.Helper()
	r, err := e.svc.Tiering(context.Background(), tiering.Request{Scope: sc, ProductID: product})
	if err != nil {
		t.Fatalf("Tiering(%+v, %q): %v", sc, product, err)
	}
	return r
}

// territory lists the seed's hospitals, departments and HCPs of territory
// tid, read from the seed files rather than the snapshot.
// territory returns the accounts of territory tid that a matrix for
// product (or none) classifies, by the rule stated independently of the
// code: every hospital; the departments whose specialty is one of the
// product's (without one, every department but the pharmacy); the
// physicians of those departments.
func territory(cs *kolgraph.ChangeSet, tid, product string) (hosp, depts, hcps map[string]bool) {
	hosp, depts, hcps = map[string]bool{}, map[string]bool{}, map[string]bool{}
	var specialties []string
	for _, p := range cs.Products {
		if p.ID == product {
			specialties = p.Specialties
		}
	}
	for _, h := range cs.Hospitals {
		if h.TerritoryID == tid {
			hosp[h.ID] = true
		}
	}
	for _, d := range cs.Departments {
		if hosp[d.HospitalID] && d.Specialty != "pharmacy" && (product == "" || slices.Contains(specialties, d.Specialty)) {
			depts[d.ID] = true
		}
	}
	for _, h := range cs.HCPs {
		if depts[h.DepartmentID] && h.Role == kolgraph.RolePhysician {
			hcps[h.ID] = true
		}
	}
	return hosp, depts, hcps
}

// ids is every account id of a matrix: members of all cells and the
// unclassified.
func ids(m *account.Matrix) map[string]bool {
	out := map[string]bool{}
	for _, c := range m.Cells {
		for _, mb := range c.Members {
			out[mb.ID] = true
		}
	}
	for _, u := range m.Unclassified {
		out[u.ID] = true
	}
	return out
}

func TestTerritoryMatrixHasEverySegment(t *testing.T) {
	e := shared(t)
	for _, tc := range []struct{ territory, product string }{
		{"T01", "RX01"}, {"T02", "RX02"}, {"T03", "RX03"}, {"T01", ""},
	} {
		t.Run(tc.territory+"/"+tc.product, func(t *testing.T) {
			res := tiers(t, e, snapshot.Scope{Territory: tc.territory}, tc.product)
			hosp, depts, hcps := territory(e.cs, tc.territory, tc.product)

			for _, want := range []struct {
				v   *tiering.View
				ids map[string]bool
			}{{&res.HCPs, hcps}, {&res.Departments, depts}, {&res.Hospitals, hosp}} {
				got := ids(want.v.Matrix)
				if !reflect.DeepEqual(got, want.ids) {
					t.Errorf("%s level: %d accounts, want the territory's %d", want.v.Level, len(got), len(want.ids))
				}
				if len(want.v.Accounts) != len(want.ids) {
					t.Errorf("%s level: %d evaluated accounts, want %d", want.v.Level, len(want.v.Accounts), len(want.ids))
				}
			}
			m := res.HCPs.Matrix
			var sum int
			for _, c := range m.Cells {
				if c.Count == 0 || len(c.Members) != c.Count {
					t.Errorf("segment %s: count %d, %d members; want a populated cell", c.Segment, c.Count, len(c.Members))
				}
				if c.Playbook == "" || c.Cadence.Code == "" {
					t.Errorf("segment %s has no playbook or cadence", c.Segment)
				}
				sum += c.Count
			}
			if sum != m.Classified {
				t.Errorf("cells hold %d, classified %d", sum, m.Classified)
			}
			if m.Potential.Mode != account.Percentile || m.Potential.Value != 70 || m.Influence.Value != 70 {
				t.Errorf("cut-offs %+v / %+v, want the 70th percentiles", m.Potential, m.Influence)
			}
			if tc.product != "" && (res.Product == nil || res.Product.ID != tc.product) {
				t.Errorf("product %+v, want %s", res.Product, tc.product)
			}
			if !strings.Contains(res.ScopeName, tc.territory) {
				t.Errorf("scope name %q does not name %s", res.ScopeName, tc.territory)
			}
		})
	}
}

// TestInfluenceIsTheScopesInfluenceScore: the influence axis is each HCP's
// INFLUENCE score within the asked scope, as influenceRanking reports it.
func TestInfluenceIsTheScopesInfluenceScore(t *testing.T) {
	e := shared(t)
	sc := snapshot.Scope{Territory: "T01"}
	res := tiers(t, e, sc, "RX01")
	rk, err := e.scores.Ranking(context.Background(), sc, scoring.Influence)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{}
	for i, v := range rk.Nodes {
		want[rk.Snapshot.IDs[v]] = rk.Values[i]
	}
	n := 0
	for _, c := range res.HCPs.Matrix.Cells {
		for _, mb := range c.Members {
			if w, ok := want[mb.ID]; !ok || mb.Influence != w {
				t.Fatalf("%s: influence %v, want %v (ranked %v)", mb.ID, mb.Influence, w, ok)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no member")
	}
	// A department's influence is its strongest HCP's (AggregateMax).
	dept := map[string]float64{}
	for _, h := range e.cs.HCPs {
		if v, ok := want[h.ID]; ok {
			dept[h.DepartmentID] = math.Max(dept[h.DepartmentID], v)
		}
	}
	for _, a := range res.Departments.Accounts {
		if a.Influence != nil && *a.Influence != dept[a.ID] {
			t.Errorf("department %s: influence %v, want %v", a.ID, *a.Influence, dept[a.ID])
		}
	}
}

// TestPotentialByHand recomputes two seed departments' potential for RX01
// from their CSV rows (seed/departments.csv) with the documented formula.
func TestPotentialByHand(t *testing.T) {
	e := shared(t)
	res := tiers(t, e, snapshot.Scope{Territory: "T01"}, "RX01")
	for _, tc := range []struct {
		id   string
		want float64
	}{
		// 607 weekly x 0.28 x 4 = 679.84; DRG rate 0.51 >= 0.5: no
		// correction; 77 beds x 4.2 x 0.4 = 129.36.
		{"D001-01", 679.84 + 129.36},
		// 155 x 0.36 x 4 = 223.2; 12 x 3.7 x 0.27 = 11.988. Rate 0.29, but
		// H003 pays fee-for-service: no correction.
		{"D003-06", 223.2 + 11.988},
		// H004 pays by DRG: 1023 x 0.29 x 4 = 1186.68 outpatient, 100 x 4 x
		// 0.28 = 112 inpatient; rate 0.46: factor 1 - 0.3 x 0.04/0.5 =
		// 0.976 on both.
		{"D004-01", (1186.68 + 112) * 0.976},
	} {
		a, ok := res.Departments.Account(tc.id)
		if !ok {
			t.Fatalf("no department %s", tc.id)
		}
		got, known := a.Potential.Float()
		if !known || math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: potential %v (known %v), want %v", tc.id, got, known, tc.want)
		}
	}
	// A hospital's potential is the sum of its departments'.
	sums := map[string]float64{}
	for _, a := range res.Departments.Accounts {
		v, _ := a.Potential.Float()
		sums[a.HospitalID] += v
	}
	for _, h := range res.Hospitals.Accounts {
		got, ok := h.Potential.Float()
		if !ok || math.Abs(got-sums[h.ID]) > 1e-6*math.Max(1, got) {
			t.Errorf("hospital %s: potential %v, want the sum of its departments %v", h.ID, got, sums[h.ID])
		}
	}
	// An HCP's potential is a share of the department's: they add up.
	hcpSum := map[string]float64{}
	for _, a := range res.HCPs.Accounts {
		v, _ := a.Potential.Float()
		hcpSum[a.DepartmentID] += v
	}
	if d := hcpSum["D001-01"]; math.Abs(d-(679.84+129.36)) > 1e-6 {
		t.Errorf("HCPs of D001-01 add up to %v, want %v", d, 679.84+129.36)
	}
}

// TestMissingInputsAreUnclassified follows the seed's departments that lack
// an input (seed/README.md): D007-07 has no weekly_outpatients and D013-07
// no bed_turnover, both oncology in T01. For RX02 (oncology) they and their
// HCPs are unclassified with the field named, never in D; for RX01 (not
// indicated in oncology) their potential is known to be zero.
func TestMissingInputsAreUnclassified(t *testing.T) {
	e := shared(t)
	missing := map[string]string{"D007-07": account.FieldWeeklyOutpatients, "D013-07": account.FieldBedTurnover}
	staff := map[string]int{} // the departments' physicians: RX02's prescribers there
	for _, h := range e.cs.HCPs {
		if _, ok := missing[h.DepartmentID]; ok && h.Role == kolgraph.RolePhysician {
			staff[h.DepartmentID]++
		}
	}

	res := tiers(t, e, snapshot.Scope{Territory: "T01"}, "RX02")
	got := map[string][]string{}
	for _, u := range res.Departments.Matrix.Unclassified {
		got[u.ID] = u.Missing
		if field, ok := missing[u.ID]; ok && !strings.Contains(strings.Join(u.Reasons, "; "), field) {
			t.Errorf("%s: reasons %q do not name %s", u.ID, u.Reasons, field)
		}
	}
	for id, field := range missing {
		if !slices.Contains(got[id], field) {
			t.Errorf("department %s: unclassified missing %v, want %s", id, got[id], field)
		}
	}
	unclassifiedHCPs := map[string]int{}
	for _, u := range res.HCPs.Matrix.Unclassified {
		unclassifiedHCPs[u.DepartmentID]++
	}
	for id, n := range staff {
		if unclassifiedHCPs[id] != n {
			t.Errorf("%s: %d HCPs unclassified, want all %d", id, unclassifiedHCPs[id], n)
		}
	}
	for _, c := range res.Departments.Matrix.Cells {
		for _, mb := range c.Members {
			if _, ok := missing[mb.ID]; ok {
				t.Errorf("%s is in segment %s; unknown potential must stay unclassified", mb.ID, c.Segment)
			}
		}
	}
	// The report says why.
	rep, err := res.Report(account.LevelDepartment, res.ComputedAt, labels.EN)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rep.Rows {
		if field, ok := missing[row.ID]; ok && (row.Segment != "" || !strings.Contains(row.Note, field)) {
			t.Errorf("report row %s: segment %q note %q, want unclassified naming %s", row.ID, row.Segment, row.Note, field)
		}
	}

	// RX01 is not indicated in oncology: the departments are not its
	// accounts at all.
	res = tiers(t, e, snapshot.Scope{Territory: "T01"}, "RX01")
	for id := range missing {
		if a, ok := res.Departments.Account(id); ok {
			t.Errorf("%s is an account of RX01: %+v", id, a.Potential)
		}
	}
}

// TestSpeakersIgnorePotential is the compliance guard rail: rewriting every
// department's potential inputs moves accounts between segments but leaves
// the speaker candidates exactly as they were.
func TestSpeakersIgnorePotential(t *testing.T) {
	e := private(t)
	ctx := context.Background()
	sc := snapshot.Scope{Territory: "T01"}
	before := tiers(t, e, sc, "RX01")
	if len(before.Speakers) == 0 {
		t.Fatal("no speaker candidates to compare")
	}

	// Reverse the potential order: the biggest departments become the
	// smallest, so high-potential accounts turn low and the other way round.
	var changed []*kolgraph.Department
	for _, d := range e.cs.Departments {
		if d.WeeklyOutpatients == nil || d.ManagedBeds == nil {
			continue
		}
		c := *d
		wo, beds := 5000-*d.WeeklyOutpatients, 200-*d.ManagedBeds
		c.WeeklyOutpatients, c.ManagedBeds = &wo, &beds
		if d.IndicationShare != nil {
			share := 1 - *d.IndicationShare
			c.IndicationShare = &share
		}
		changed = append(changed, &c)
	}
	if _, err := e.store.Apply(ctx, &kolgraph.ChangeSet{Departments: changed}); err != nil {
		t.Fatal(err)
	}
	if err := e.refresh(ctx); err != nil {
		t.Fatal(err)
	}
	after := tiers(t, e, sc, "RX01")
	if after.GraphVersion == before.GraphVersion {
		t.Fatalf("graph version stayed %s after a write", after.GraphVersion)
	}

	moved := 0
	seg := map[string]account.Segment{}
	for _, c := range before.HCPs.Matrix.Cells {
		for _, mb := range c.Members {
			seg[mb.ID] = c.Segment
		}
	}
	for _, c := range after.HCPs.Matrix.Cells {
		for _, mb := range c.Members {
			if s, ok := seg[mb.ID]; ok && s != c.Segment {
				moved++
			}
		}
	}
	if moved == 0 {
		t.Fatal("no HCP changed segment: the test did not change potential")
	}
	if !reflect.DeepEqual(before.Speakers, after.Speakers) {
		t.Errorf("speaker candidates changed with potential (%d HCPs changed segment)", moved)
	}
	for _, s := range after.Speakers {
		if !slices.Contains(after.SpeakerSpecialties, s.Specialty) {
			t.Errorf("speaker %s is in %s, outside the product's specialties %v", s.ID, s.Specialty, after.SpeakerSpecialties)
		}
	}
	t.Logf("%d HCPs changed segment; %d speaker candidates unchanged", moved, len(after.Speakers))
}

func TestBadRequests(t *testing.T) {
	e := shared(t)
	for _, tc := range []struct {
		name string
		req  tiering.Request
		code string
	}{
		{"unknown territory", tiering.Request{Scope: snapshot.Scope{Territory: "T99"}}, kolgraph.ENOTFOUND},
		{"unknown hospital", tiering.Request{Scope: snapshot.Scope{Hospital: "H999"}}, kolgraph.ENOTFOUND},
		{"unknown product", tiering.Request{Scope: snapshot.Scope{Territory: "T01"}, ProductID: "RX99"}, kolgraph.ENOTFOUND},
		{"two scopes", tiering.Request{Scope: snapshot.Scope{Territory: "T01", Hospital: "H001"}}, kolgraph.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.svc.Tiering(context.Background(), tc.req)
			if got := kolgraph.ErrorCode(err); got != tc.code {
				t.Errorf("error %v: code %s, want %s", err, got, tc.code)
			}
		})
	}
	res := tiers(t, e, snapshot.Scope{Hospital: "H001"}, "")
	if _, err := res.View("ward"); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("View(ward): %v, want BAD_USER_INPUT", err)
	}
}

// TestCachedPerVersion: the same request on the same graph is the same
// result; a write makes a new one.
func TestCachedPerVersion(t *testing.T) {
	e := private(t)
	ctx := context.Background()
	sc := snapshot.Scope{Hospital: "H001"}
	a, b := tiers(t, e, sc, "RX01"), tiers(t, e, sc, "RX01")
	if a != b {
		t.Error("second request recomputed the result")
	}
	if c := tiers(t, e, sc, "RX02"); c == a {
		t.Error("another product shares the cached result")
	}
	d := *e.cs.Departments[0]
	wo := 1 + *d.WeeklyOutpatients
	d.WeeklyOutpatients = &wo
	if _, err := e.store.Apply(ctx, &kolgraph.ChangeSet{Departments: []*kolgraph.Department{&d}}); err != nil {
		t.Fatal(err)
	}
	if err := e.refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if c := tiers(t, e, sc, "RX01"); c == a || c.GraphVersion == a.GraphVersion {
		t.Errorf("after a write: version %s, the cached %s", c.GraphVersion, a.GraphVersion)
	}
}

// TestSmallScopeSaysWhy: a department too small to rank has no influence
// values, and every account says so instead of landing in D.
func TestSmallScopeSaysWhy(t *testing.T) {
	e := private(t)
	ctx := context.Background()
	d := *e.cs.Departments[0]
	d.ID, d.Name = "D001-99", "小科室"
	h := &kolgraph.HCP{ID: "P999990", Name: "单医生", Role: kolgraph.RolePhysician, Title: "chief",
		Position: "department_head", Specialty: d.Specialty, DepartmentID: d.ID, HospitalID: d.HospitalID}
	if _, err := e.store.Apply(ctx, &kolgraph.ChangeSet{Departments: []*kolgraph.Department{&d}, HCPs: []*kolgraph.HCP{h}}); err != nil {
		t.Fatal(err)
	}
	if err := e.refresh(ctx); err != nil {
		t.Fatal(err)
	}
	res := tiers(t, e, snapshot.Scope{Department: d.ID}, "RX01")
	if res.InfluenceNote == "" || res.HCPs.Matrix.Classified != 0 || len(res.HCPs.Matrix.Unclassified) != 1 {
		t.Fatalf("note %q, classified %d, unclassified %d; want one unclassified HCP with a note",
			res.InfluenceNote, res.HCPs.Matrix.Classified, len(res.HCPs.Matrix.Unclassified))
	}
	if r := strings.Join(res.HCPs.Matrix.Unclassified[0].Reasons, "; "); !strings.Contains(r, res.InfluenceNote) {
		t.Errorf("reason %q does not carry the note %q", r, res.InfluenceNote)
	}
}

func TestReportCSV(t *testing.T) {
	e := shared(t)
	req := tiering.Request{Scope: snapshot.Scope{Territory: "T01"}, ProductID: "RX01"}
	rep, err := e.svc.Report(context.Background(), req, account.LevelHCP)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tiering.CSV.Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(buf.Bytes(), []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	_, _, hcps := territory(e.cs, "T01", "RX01")
	if len(recs) != 1+len(hcps) {
		t.Fatalf("%d CSV records, want a header and %d HCPs", len(recs), len(hcps))
	}
	seen := map[string]bool{}
	for _, r := range recs[1:] {
		if !hcps[r[1]] || seen[r[1]] {
			t.Errorf("row %v: not a T01 HCP, or repeated", r)
		}
		seen[r[1]] = true
	}
	for _, want := range []string{"Zhejiang North", "RX01", "Cardiolix"} {
		if !strings.Contains(rep.Title, want) {
			t.Errorf("title %q does not name %q", rep.Title, want)
		}
	}
	if rep.GraphVersion == "" || rep.GeneratedAt.IsZero() {
		t.Errorf("report lacks its graph version or time: %q %v", rep.GraphVersion, rep.GeneratedAt)
	}
}

func TestFormatsAndNames(t *testing.T) {
	for in, want := range map[string]tiering.Format{"csv": tiering.CSV, "HTML": tiering.HTML, "md": tiering.Markdown, "markdown": tiering.Markdown} {
		if got, err := tiering.ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := tiering.ParseFormat("pdf"); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("ParseFormat(pdf): %v, want BAD_USER_INPUT", err)
	}
	if _, err := tiering.ParseLevel("ward"); kolgraph.ErrorCode(err) != kolgraph.EINVALID {
		t.Errorf("ParseLevel(ward): %v, want BAD_USER_INPUT", err)
	}
	got := tiering.FileName(tiering.Request{Scope: snapshot.Scope{Territory: "T01"}, ProductID: "RX01"}, account.LevelHCP, tiering.CSV)
	if got != "tiering-T01-RX01-hcp.csv" {
		t.Errorf("file name %q", got)
	}
	if got := tiering.FileName(tiering.Request{Scope: snapshot.Scope{Hospital: `H"1/..`}}, account.LevelDepartment, tiering.HTML); strings.ContainsAny(got, `"/ `) {
		t.Errorf("unsafe file name %q", got)
	}
}

func TestUnavailableBeforeFirstSnapshot(t *testing.T) {
	st := embeddedtest.Open(t, nil)
	m := snapshot.NewManager(st, zerolog.Nop())
	scores, _ := scoring.NewService(m, scoring.DefaultParams())
	svc, err := tiering.New(m, scores, st, nil, tiering.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.Tiering(context.Background(), tiering.Request{})
	var de *kolgraph.Error
	if !errors.As(err, &de) || de.Code != kolgraph.EUNAVAILABLE {
		t.Errorf("before the first snapshot: %v, want UNAVAILABLE", err)
	}
}

// TestListingsOfTheProduct: the result carries the product's listing record
// of each hospital of the scope, as the seed's listings.csv has them.
func TestListingsOfTheProduct(t *testing.T) {
	e := shared(t)
	res := tiers(t, e, snapshot.Scope{Territory: "T01"}, "RX01")
	hosp, _, _ := territory(e.cs, "T01", "RX01")
	want := map[string]kolgraph.Listing{}
	for _, l := range e.cs.Listings {
		if hosp[l.HospitalID] && l.ProductID == "RX01" {
			want[l.HospitalID] = l
		}
	}
	if len(want) == 0 || !reflect.DeepEqual(res.Listings, want) {
		t.Errorf("listings %v, want %v", res.Listings, want)
	}
	if res := tiers(t, e, snapshot.Scope{Territory: "T01"}, ""); len(res.Listings) != 0 {
		t.Errorf("listings without a product: %v", res.Listings)
	}
}

// TestReportCitesPaths: asked by a user, an HCP report cites for each A row
// the strongest paths from the user's contacts, as strongestPaths finds
// them; other rows and anonymous reports cite none.
func TestReportCitesPaths(t *testing.T) {
	e := shared(t)
	req := tiering.Request{Scope: snapshot.Scope{Territory: "T01"}, ProductID: "RX01"}
	ctx := viewer.WithUser(context.Background(), "U004")
	rep, err := e.svc.Report(ctx, req, account.LevelHCP)
	if err != nil {
		t.Fatal(err)
	}
	cited := 0
	for _, row := range rep.Rows {
		if row.Segment != account.SegmentA {
			if len(row.Paths) > 0 {
				t.Errorf("%s (segment %q) cites paths", row.ID, row.Segment)
			}
			continue
		}
		want, err := e.paths.StrongestPaths(ctx, access.Query{To: row.ID, K: 2, MaxHops: 6})
		if err != nil {
			t.Fatal(err)
		}
		if len(row.Paths) != len(want.Paths) {
			t.Fatalf("%s: %d paths, want %d", row.ID, len(row.Paths), len(want.Paths))
		}
		for i, p := range row.Paths {
			w := want.Paths[i]
			if p.ID != w.ID || p.Strength != w.Strength || !strings.HasSuffix(p.Summary, w.Target().Name+" ("+row.ID+")") {
				t.Errorf("%s path %d: %+v, want id %s strength %v ending at the row's HCP", row.ID, i, p, w.ID, w.Strength)
			}
			if p, err := e.paths.Path(ctx, p.ID); err != nil || p == nil {
				t.Errorf("cited path %s does not resolve: %v", row.Paths[i].ID, err)
			}
		}
		cited += len(row.Paths)
	}
	if cited == 0 {
		t.Fatal("no A row cites a path")
	}
	if !strings.Contains(rep.Scope, "U004") {
		t.Errorf("scope %q does not say whose contacts the paths start from", rep.Scope)
	}
	var buf bytes.Buffer
	if err := tiering.CSV.Write(&buf, rep); err != nil || !strings.Contains(buf.String(), "path-") {
		t.Errorf("CSV lacks the cited path ids (%v)", err)
	}

	anon, err := e.svc.Report(context.Background(), req, account.LevelHCP)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range anon.Rows {
		if len(row.Paths) > 0 {
			t.Fatalf("anonymous report cites paths for %s", row.ID)
		}
	}
	// A caller who is not a user of the graph (dev mode's "dev") gets the
	// report, without paths: there are no contacts to start from.
	dev, err := e.svc.Report(viewer.WithUser(context.Background(), "dev"), req, account.LevelHCP)
	if err != nil {
		t.Fatalf("report for a caller who is not a user: %v", err)
	}
	if len(dev.Rows) != len(anon.Rows) {
		t.Errorf("report for dev: %d rows, anonymous %d", len(dev.Rows), len(anon.Rows))
	}
	for _, row := range dev.Rows {
		if len(row.Paths) > 0 {
			t.Fatalf("report for dev cites paths for %s", row.ID)
		}
	}
	t.Logf("%d paths cited", cited)
}

// TestConcurrentRequestsShareOneComputation: callers asking at once for the
// same scope and product wait for one computation and get the same result.
func TestConcurrentRequestsShareOneComputation(t *testing.T) {
	e := private(t)
	misses := 0
	var mu sync.Mutex
	e.svc.CacheObserver = func(hit bool) {
		mu.Lock()
		defer mu.Unlock()
		if !hit {
			misses++
		}
	}
	const n = 8
	results := make([]*tiering.Result, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r, err := e.svc.Tiering(context.Background(), tiering.Request{Scope: snapshot.Scope{Hospital: "H002"}, ProductID: "RX03"})
			if err != nil {
				t.Error(err)
			}
			results[i] = r
		})
	}
	wg.Wait()
	for _, r := range results[1:] {
		if r != results[0] {
			t.Fatal("concurrent callers got different results")
		}
	}
	if misses != 1 {
		t.Errorf("%d computations for one key, want 1", misses)
	}
}

// TestCacheBounded: past CacheSize the least recently used result goes.
func TestCacheBounded(t *testing.T) {
	e := shared(t)
	o := tiering.DefaultOptions()
	o.CacheSize = 2
	svc, err := tiering.New(e.snaps, e.scores, e.store, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	get := func(h string) *tiering.Result {
		r, err := svc.Tiering(context.Background(), tiering.Request{Scope: snapshot.Scope{Hospital: h}})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	a, b := get("H001"), get("H002")
	if get("H001") != a { // H001 is now the most recently used
		t.Fatal("H001 was recomputed within the cache size")
	}
	get("H003") // evicts H002
	if get("H001") != a {
		t.Error("the most recently used result was evicted")
	}
	if get("H002") == b {
		t.Error("the least recently used result survived past the cache size")
	}
}

// TestProductShareReplacesTheDefault: a stored indication share of
// (D001-01, RX01) replaces the department's default share in RX01's
// potential, and only there: RX01 elsewhere and the department's own
// potential keep the default. Deleting the share restores it.
func TestProductShareReplacesTheDefault(t *testing.T) {
	e := private(t)
	ctx := t.Context()
	apply := func(cs *kolgraph.ChangeSet) {
		t.Helper()
		if _, err := e.store.Apply(ctx, cs); err != nil {
			t.Fatal(err)
		}
		if err := e.refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	potential := func(product, dept string) account.Potential {
		t.Helper()
		a, ok := tiers(t, e, snapshot.Scope{Territory: "T01"}, product).Departments.Account(dept)
		if !ok {
			t.Fatalf("%s: no department %s", product, dept)
		}
		return a.Potential
	}
	check := func(name string, p account.Potential, want float64, fromProduct bool) {
		t.Helper()
		if got, ok := p.Float(); !ok || math.Abs(got-want) > 1e-9 || p.ShareFromProduct != fromProduct {
			t.Errorf("%s: potential %v (known %v, share from product %v), want %v (%v)", name, got, ok, p.ShareFromProduct, want, fromProduct)
		}
	}
	// D001-01 (seed): 607 weekly outpatients, default share 0.28; 77 beds x
	// 4.2 x 0.4 = 129.36 inpatient; no DRG correction (rate 0.51).
	const inpatient = 129.36
	def := 607*0.28*4 + inpatient
	check("RX01 before", potential("RX01", "D001-01"), def, false)

	apply(&kolgraph.ChangeSet{IndicationShares: []kolgraph.ProductShare{
		{DepartmentID: "D001-01", ProductID: "RX01", Share: 0.5},
		{DepartmentID: "D001-01", ProductID: "RX02", Share: 0.9}, // another product's: no effect on RX01
	}})
	check("RX01 with its share", potential("RX01", "D001-01"), 607*0.5*4+inpatient, true)
	check("own potential", potential("", "D001-01"), def, false)
	// Another cardiology department of T01 keeps its default.
	other := potential("RX01", "D003-06")
	check("RX01 at D003-06", other, 155*0.36*4+12*3.7*0.27, false)

	apply(&kolgraph.ChangeSet{Delete: kolgraph.Deletion{IndicationShares: []kolgraph.ProductShareKey{
		{DepartmentID: "D001-01", ProductID: "RX01"}}}})
	check("RX01 after the delete", potential("RX01", "D001-01"), def, false)
}
