package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/kolgraph/kolgraph/graph"
	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/config"
	"github.com/kolgraph/kolgraph/internal/gqlguard"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// The attack battery (issue 8): every request goes through the service's
// HTTP handler as a client's would, and every answer is checked for its
// code and for any id outside the caller's territories.

// bearer is an Authorization header for a token signed with the test
// service's secret.
func bearer(t testing.TB, sub string, role auth.Role, territories []string, grants ...string) string {
	t.Helper()
	s, err := auth.NewSigner([]byte(e2eSecret), nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.Issue(sub, role, territories, grants, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return "Bearer " + tok
}

type exchange struct {
	status  int
	request []byte
	body    []byte
	resp    gqlResponse
}

func (x exchange) codes() []string { return x.resp.codes() }

// send posts a raw body to /query with an Authorization header.
func send(t testing.TB, h http.Handler, authz string, body []byte) exchange {
	t.Helper()
	rec := post(h, authz, body)
	x := exchange{status: rec.Code, request: body, body: rec.Body.Bytes()}
	_ = json.Unmarshal(x.body, &x.resp)
	return x
}

func ask(t testing.TB, h http.Handler, authz, q string, vars map[string]any) exchange {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	return send(t, h, authz, body)
}

// region is what one territory holds and what lies outside it.
type region struct {
	territory                string
	in, out                  map[string]bool // every id: hospitals, departments, committees, HCPs
	inHCPs, outHCPs, outHosp []string
	inHosp                   []string
}

func regionOf(t testing.TB, territory string) *region {
	t.Helper()
	r := &region{territory: territory, in: map[string]bool{}, out: map[string]bool{}}
	hospTerr := map[string]string{}
	if err := svc.Store.Scan(context.Background(), kolgraph.Visitor{Hospital: func(h *kolgraph.Hospital) error {
		hospTerr[h.ID] = h.TerritoryID
		r.mark(h.ID, h.TerritoryID == territory)
		if h.TerritoryID == territory {
			r.inHosp = append(r.inHosp, h.ID)
		} else {
			r.outHosp = append(r.outHosp, h.ID)
		}
		return nil
	}}); err != nil {
		t.Fatal(err)
	}
	if err := svc.Store.Scan(context.Background(), kolgraph.Visitor{
		Department: func(d *kolgraph.Department) error { r.mark(d.ID, hospTerr[d.HospitalID] == territory); return nil },
		Committee:  func(c *kolgraph.Committee) error { r.mark(c.ID, hospTerr[c.HospitalID] == territory); return nil },
		HCP: func(h *kolgraph.HCP) error {
			in := hospTerr[h.HospitalID] == territory
			r.mark(h.ID, in)
			if in {
				r.inHCPs = append(r.inHCPs, h.ID)
			} else {
				r.outHCPs = append(r.outHCPs, h.ID)
			}
			return nil
		},
	}); err != nil {
		t.Fatal(err)
	}
	for _, s := range [][]string{r.inHCPs, r.outHCPs, r.inHosp, r.outHosp} {
		slices.Sort(s)
	}
	return r
}

func (r *region) mark(id string, in bool) {
	if in {
		r.in[id] = true
	} else {
		r.out[id] = true
	}
}

var token = regexp.MustCompile(`[A-Za-z0-9_.:-]+`)

// leaks returns the ids outside the region that the answer names and the
// request did not: as text, or inside an opaque cursor.
func (r *region) leaks(x exchange) []string {
	asked := map[string]bool{}
	for _, tk := range token.FindAll(x.request, -1) {
		asked[string(tk)] = true
	}
	var found []string
	for _, tk := range token.FindAll(x.body, -1) {
		s := string(tk)
		if r.out[s] && !asked[s] {
			found = append(found, s)
		}
		if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
			for _, inner := range token.FindAll(b, -1) {
				if id := strings.TrimPrefix(string(inner), "c1:"); r.out[id] && !asked[id] {
					found = append(found, "cursor:"+id)
				}
			}
		}
	}
	return found
}

func (r *region) noLeak(t *testing.T, x exchange) {
	t.Helper()
	if l := r.leaks(x); len(l) > 0 {
		t.Errorf("the answer names ids outside %s: %v\n%s", r.territory, l[:min(len(l), 10)], x.body)
	}
}

// kamRegion is U004, a kam of T01, and what T01 holds.
func kamRegion(t *testing.T) (*region, string) {
	t.Helper()
	r := regionOf(t, "T01")
	if len(r.inHCPs) == 0 || len(r.outHCPs) == 0 {
		t.Fatalf("seed: T01 has %d HCPs, others %d", len(r.inHCPs), len(r.outHCPs))
	}
	return r, bearer(t, "U004", auth.RoleKAM, []string{"T01"})
}

// crossTie returns an INFLUENCES tie from an HCP of r to one outside it.
func crossTie(t *testing.T, r *region) (in, out string) {
	t.Helper()
	err := svc.Store.Scan(context.Background(), kolgraph.Visitor{Influence: func(e *kolgraph.Influence) error {
		if in == "" && r.in[e.From] && r.out[e.To] {
			in, out = e.From, e.To
		}
		return nil
	}})
	if err != nil || in == "" {
		t.Fatalf("seed has no tie from %s to another territory (%v)", r.territory, err)
	}
	return in, out
}

func TestAuthenticationRejected(t *testing.T) {
	strict := *svc
	strict.Config.DevMode = false
	h := strict.Handler()
	valid := bearer(t, "U004", auth.RoleKAM, []string{"T01"})
	now := time.Now()
	claims := func(mod func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"sub": "U001", "iss": auth.DefaultIssuer, "role": "admin",
			"exp": now.Add(time.Hour).Unix(), "nbf": now.Add(-time.Minute).Unix()}
		if mod != nil {
			mod(c)
		}
		return c
	}
	sign := func(m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return "Bearer " + s
	}
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	parts := strings.Split(strings.TrimPrefix(valid, "Bearer "), ".")
	adminPayload := strings.Split(strings.TrimPrefix(sign(jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"), claims(nil)), "Bearer "), ".")[1]
	for name, authz := range map[string]string{
		"missing":           "",
		"expired":           sign(jwt.SigningMethodHS256, []byte(e2eSecret), claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() })),
		"not yet valid":     sign(jwt.SigningMethodHS256, []byte(e2eSecret), claims(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Hour).Unix() })),
		"no exp":            sign(jwt.SigningMethodHS256, []byte(e2eSecret), claims(func(c jwt.MapClaims) { delete(c, "exp") })),
		"alg none":          "Bearer " + none,
		"forged signature":  sign(jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"), claims(nil)),
		"payload swapped":   "Bearer " + parts[0] + "." + adminPayload + "." + parts[2],
		"HS512":             sign(jwt.SigningMethodHS512, []byte(e2eSecret), claims(nil)),
		"unknown role":      sign(jwt.SigningMethodHS256, []byte(e2eSecret), claims(func(c jwt.MapClaims) { c["role"] = "root" })),
		"garbage":           "Bearer not.a.token",
		"basic auth":        "Basic VTAwMTpwdw==",
		"unknown API key":   "Bearer kgk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"empty bearer":      "Bearer ",
		"header injection":  "Bearer " + strings.TrimPrefix(valid, "Bearer ") + "\x00admin",
		"NUL in token only": "Bearer \x00",
	} {
		t.Run(name, func(t *testing.T) {
			x := ask(t, h, authz, `{ hcps { totalCount } }`, nil)
			if x.status != http.StatusUnauthorized || !slices.Equal(x.codes(), []string{kolgraph.EUNAUTHENTICATED}) {
				t.Errorf("got %d %s, want 401 UNAUTHENTICATED", x.status, x.body)
			}
			if bytes.Contains(x.body, []byte("totalCount")) {
				t.Errorf("data in a refused answer: %s", x.body)
			}
		})
	}
	if x := ask(t, h, valid, `{ hcps { totalCount } }`, nil); x.status != http.StatusOK || len(x.resp.Errors) > 0 {
		t.Errorf("a valid token: %d %s", x.status, x.body)
	}
	for _, path := range []string{"/healthz", "/readyz"} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if rec.Code != http.StatusOK {
			t.Errorf("%s without a token: %d, want open", path, rec.Code)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/reports/tiering?territory=T01", nil))
	if rec.Code != http.StatusUnauthorized {
		t.Errorf("/reports/tiering without a token: %d, want 401", rec.Code)
	}
}

func TestCrossTerritoryReads(t *testing.T) {
	r, kam := kamRegion(t)
	h := svc.Handler()
	outHCP, outHosp := r.outHCPs[0], r.outHosp[0]
	var outDept, outCom string
	for id := range r.out {
		switch {
		case strings.HasPrefix(id, "D") && outDept == "":
			outDept = id
		case strings.HasPrefix(id, "C") && outCom == "":
			outCom = id
		}
	}
	bridge, beyond := crossTie(t, r)
	admin := bearer(t, "U001", auth.RoleAdmin, nil)
	// A path id issued to an admin that passes outside T01.
	var issued struct{ StrongestPaths []struct{ ID string } }
	mustQueryAuth(t, h, admin, `query($f: [ID!], $to: ID!) { strongestPaths(from: $f, to: $to, k: 1) { id } }`,
		map[string]any{"f": []string{bridge}, "to": beyond}, &issued)
	if len(issued.StrongestPaths) == 0 {
		t.Fatal("no admin path across territories to forge with")
	}
	forged := base64.RawURLEncoding.EncodeToString([]byte("c1:" + outHCP))
	hcpFields := `id name hospital { id name } department { id hcps { id } }
		influences(first: 50) { to { id hospital { id } } } influencedBy(first: 50) { from { id } }
		committees { committee { id members { hcp { id } } } }`

	type shape struct {
		name  string
		q     string
		vars  map[string]any
		codes []string // nil: no error
		check func(t *testing.T, x exchange)
	}
	nullData := func(field string) func(*testing.T, exchange) {
		return func(t *testing.T, x exchange) {
			var d map[string]json.RawMessage
			_ = json.Unmarshal(x.resp.Data, &d)
			if string(d[field]) != "null" {
				t.Errorf("%s: %s, want null", field, d[field])
			}
		}
	}
	total := func(want int) func(*testing.T, exchange) {
		return func(t *testing.T, x exchange) {
			var n []int
			for _, m := range regexp.MustCompile(`"totalCount":(\d+)`).FindAllSubmatch(x.body, -1) {
				var v int
				fmt.Sscan(string(m[1]), &v)
				n = append(n, v)
			}
			if len(n) == 0 || n[0] != want {
				t.Errorf("totalCount %v, want %d", n, want)
			}
		}
	}
	shapes := []shape{
		{"hcp by id", `query($id: ID!) { hcp(id: $id) { ` + hcpFields + ` } }`, map[string]any{"id": outHCP}, nil, nullData("hcp")},
		{"hospital by id", `query($id: ID!) { hospital(id: $id) { id name departments { id } } }`, map[string]any{"id": outHosp}, nil, nullData("hospital")},
		{"department by id", `query($id: ID!) { department(id: $id) { id hcps { id } } }`, map[string]any{"id": outDept}, nil, nullData("department")},
		{"committee by id", `query($id: ID!) { committee(id: $id) { id members { hcp { id } } } }`, map[string]any{"id": outCom}, nil, nullData("committee")},
		{"node hcp", `query($id: ID!) { node(id: $id) { id ... on HCP { name } } }`, map[string]any{"id": outHCP}, nil, nullData("node")},
		{"node hospital", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": outHosp}, nil, nullData("node")},
		{"hcps filtered by another territory", `{ hcps(filter: {territory: "T02"}) { totalCount edges { node { id } } } }`, nil, nil, total(0)},
		{"hcps filtered by another hospital", `query($h: ID) { hcps(filter: {hospital: $h}) { totalCount edges { node { id } } } }`, map[string]any{"h": outHosp}, nil, total(0)},
		{"hcps filtered by another department", `query($d: ID) { hcps(filter: {department: $d}) { totalCount edges { node { id } } } }`, map[string]any{"d": outDept}, nil, total(0)},
		{"hospitals filtered by another territory", `{ hospitals(filter: {territory: "T03"}) { totalCount edges { node { id } } } }`, nil, nil, total(0)},
		{"all hcps", `{ hcps(first: 500) { totalCount edges { cursor node { id } } pageInfo { endCursor } } }`, nil, nil, total(len(r.inHCPs))},
		{"all hospitals nested", `{ hospitals(first: 20) { totalCount edges { node { id departments { id hcps { id influences { to { id } } } } committees { id members { hcp { id } } } } } } }`, nil, nil, total(len(r.inHosp))},
		{"forged cursor", `query($a: String) { hcps(first: 50, after: $a) { totalCount edges { node { id } } } }`, map[string]any{"a": forged}, nil, total(len(r.inHCPs))},
		{"nested ties across the border", `query($id: ID!) { hcp(id: $id) { ` + hcpFields + ` } }`, map[string]any{"id": bridge}, nil, nil},
		{"territories", `{ territories { id } }`, nil, nil, nil},
		{"ranking of everything", `{ influenceRanking(scope: {}, first: 500) { totalCount edges { cursor node { hcp { id } } } } }`, nil, nil, total(len(r.inHCPs))},
		{"ranking of another territory", `{ influenceRanking(scope: {territory: "T02"}) { totalCount } }`, nil, []string{kolgraph.ENOTFOUND}, nil},
		{"ranking of another hospital", `query($h: ID) { influenceRanking(scope: {hospital: $h}) { totalCount } }`, map[string]any{"h": outHosp}, []string{kolgraph.ENOTFOUND}, nil},
		{"score in another territory", `query($id: ID!) { hcp(id: $id) { influence(scope: {territory: "T02"}) { value } } }`, map[string]any{"id": bridge}, []string{kolgraph.ENOTFOUND}, nil},
		{"score explained", `query($id: ID!) { hcp(id: $id) { influence(scope: {}) { topOutgoing { influence { to { id } } } topIncoming { influence { from { id } } } } } }`, map[string]any{"id": bridge}, nil, nil},
		{"path to another territory", `query($f: [ID!], $to: ID!) { strongestPaths(from: $f, to: $to) { id } }`, map[string]any{"f": []string{bridge}, "to": beyond}, []string{kolgraph.ENOTFOUND}, nil},
		{"path from another territory", `query($f: [ID!], $to: ID!) { strongestPaths(from: $f, to: $to) { id } }`, map[string]any{"f": []string{beyond}, "to": bridge}, []string{kolgraph.ENOTFOUND}, nil},
		{"paths from contacts", `query($to: ID!) { strongestPaths(to: $to, k: 5) { id hops { from { id } to { id } } entry { hcp { id } } } }`, map[string]any{"to": bridge}, nil, nil},
		{"forged path id", `query($id: ID!) { influencePath(id: $id) { id hops { to { id } } } }`, map[string]any{"id": issued.StrongestPaths[0].ID}, nil, nullData("influencePath")},
		{"decision chain of another hospital", `query($h: ID!) { decisionChain(hospital: $h) { stages { people { hcp { id } } } } }`, map[string]any{"h": outHosp}, []string{kolgraph.ENOTFOUND}, nil},
		{"decision chain at home", `query($h: ID!) { decisionChain(hospital: $h) { stages { people { hcp { id } path { hops { from { id } to { id } } } } path { id } } } }`, map[string]any{"h": r.inHosp[0]}, nil, nil},
		{"matrix of everything", `{ accountMatrix(scope: {}) { cells { segment count members(first: 500) { edges { node { hcp { id } } } } } } }`, nil, nil, nil},
		{"matrix of another territory", `{ accountMatrix(scope: {territory: "T03"}) { cells { count } } }`, nil, []string{kolgraph.ENOTFOUND}, nil},
		{"speakers of everything", `{ speakerCandidates(scope: {}, first: 500) { candidates { hcp { id } } } }`, nil, nil, nil},
	}
	for _, s := range shapes {
		t.Run(s.name, func(t *testing.T) {
			x := ask(t, h, kam, s.q, s.vars)
			if x.status != http.StatusOK {
				t.Fatalf("status %d: %.300s", x.status, x.body)
			}
			if !slices.Equal(x.codes(), s.codes) {
				t.Errorf("codes %v, want %v: %.300s", x.codes(), s.codes, x.body)
			}
			if s.check != nil {
				s.check(t, x)
			}
			r.noLeak(t, x)
		})
	}
	t.Run("tiering report", func(t *testing.T) {
		for terr, want := range map[string]int{"T02": http.StatusNotFound, "T01": http.StatusOK} {
			req := httptest.NewRequest(http.MethodGet, "/reports/tiering?format=md&territory="+terr, nil)
			req.Header.Set("Authorization", kam)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != want {
				t.Errorf("report of %s: %d, want %d", terr, rec.Code, want)
			}
			r.noLeak(t, exchange{body: rec.Body.Bytes(), request: []byte(req.URL.String())})
		}
	})
}

// mustQueryAuth is mustQuery with an Authorization header.
func mustQueryAuth(t testing.TB, h http.Handler, authz, q string, vars map[string]any, data any) {
	t.Helper()
	x := ask(t, h, authz, q, vars)
	if x.status != http.StatusOK || len(x.resp.Errors) > 0 {
		t.Fatalf("query failed: %d %s", x.status, x.body)
	}
	if data != nil {
		if err := json.Unmarshal(x.resp.Data, data); err != nil {
			t.Fatal(err)
		}
	}
}

func TestContactFieldsByRole(t *testing.T) {
	h := svc.Handler()
	r := regionOf(t, "T01")
	var id string
	for _, p := range r.inHCPs { // an HCP with every contact field
		var got struct {
			Hcp struct{ Phone, Email, Wechat *string }
		}
		mustQueryAuth(t, h, bearer(t, "U001", auth.RoleAdmin, nil), `query($id: ID!) { hcp(id: $id) { phone email wechat } }`, map[string]any{"id": p}, &got)
		if got.Hcp.Email != nil && got.Hcp.Wechat != nil {
			id = p
			break
		}
	}
	if id == "" {
		t.Fatal("no T01 HCP with contact data in the seed")
	}
	for _, tc := range []struct {
		name   string
		authz  string
		masked bool
	}{
		{"admin", bearer(t, "U001", auth.RoleAdmin, nil), false},
		{"kam", bearer(t, "U004", auth.RoleKAM, []string{"T01"}), false},
		{"strategist", bearer(t, "U002", auth.RoleStrategist, nil), true},
		{"strategist granted contacts", bearer(t, "U002", auth.RoleStrategist, nil, auth.GrantContacts), false},
		{"compliance", bearer(t, "U003", auth.RoleCompliance, nil), true},
		{"viewer", bearer(t, "U005", auth.RoleViewer, []string{"T01"}), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := ask(t, h, tc.authz, `query($id: ID!) { hcp(id: $id) { name email wechat } }`, map[string]any{"id": id})
			var got struct {
				Hcp struct{ Name, Email, Wechat *string }
			}
			_ = json.Unmarshal(x.resp.Data, &got)
			if got.Hcp.Name == nil {
				t.Fatalf("the HCP itself is hidden: %s", x.body)
			}
			if tc.masked {
				if got.Hcp.Email != nil || got.Hcp.Wechat != nil || !slices.Equal(x.codes(), []string{kolgraph.EFORBIDDEN, kolgraph.EFORBIDDEN}) {
					t.Errorf("want contact fields null with two FORBIDDEN entries: %s", x.body)
				}
				if bytes.Contains(x.body, []byte("@")) {
					t.Errorf("an e-mail address in a masked answer: %s", x.body)
				}
			} else if got.Hcp.Email == nil || got.Hcp.Wechat == nil || len(x.resp.Errors) > 0 {
				t.Errorf("want contact data: %s", x.body)
			}
		})
	}
}

// contactHCP is a T01 HCP with every contact field.
func contactHCP(t *testing.T, h http.Handler) string {
	t.Helper()
	for _, p := range regionOf(t, "T01").inHCPs {
		var got struct {
			Hcp struct{ Phone, Email, Wechat *string }
		}
		mustQueryAuth(t, h, bearer(t, "U001", auth.RoleAdmin, nil), `query($id: ID!) { hcp(id: $id) { phone email wechat } }`, map[string]any{"id": p}, &got)
		if got.Hcp.Phone != nil && got.Hcp.Email != nil && got.Hcp.Wechat != nil {
			return p
		}
	}
	t.Fatal("no T01 HCP with contact data in the seed")
	return ""
}

type auditedRead struct {
	Actor, Source, Op, After, GraphVersion string
}

// readsOf is the audit log's reads of hcp, as compliance sees them.
func readsOf(t *testing.T, h http.Handler, hcp string) []auditedRead {
	t.Helper()
	var got struct {
		AuditLog struct{ Edges []struct{ Node auditedRead } }
	}
	mustQueryAuth(t, h, bearer(t, "U003", auth.RoleCompliance, nil),
		`query($id: ID!) { auditLog(entity: $id, op: READ, first: 500) { edges { node { actor source op after graphVersion } } } }`,
		map[string]any{"id": hcp}, &got)
	out := []auditedRead{}
	for _, e := range got.AuditLog.Edges {
		out = append(out, e.Node)
	}
	return out
}

// TestContactReadsAudited: every read of contact data is in the store's
// audit log (who, which operation, which fields), masked reads are not, and
// a read that cannot be recorded is not answered.
func TestContactReadsAudited(t *testing.T) {
	h := svc.Handler()
	id := contactHCP(t, h)
	before := len(readsOf(t, h, id))
	kam := bearer(t, "U004", auth.RoleKAM, []string{"T01"})
	mustQueryAuth(t, h, kam, `query auditedCard($id: ID!) { hcp(id: $id) { name email wechat } }`, map[string]any{"id": id}, nil)
	// Reads without contact data, or masked ones, are not personal-data reads.
	mustQueryAuth(t, h, kam, `query($id: ID!) { hcp(id: $id) { name title } }`, map[string]any{"id": id}, nil)
	ask(t, h, bearer(t, "U005", auth.RoleViewer, []string{"T01"}), `query($id: ID!) { hcp(id: $id) { phone } }`, map[string]any{"id": id})
	// One entry per HCP per operation, however often the fields appear in it.
	mustQueryAuth(t, h, kam, `query auditedTwice($id: ID!) { a: hcp(id: $id) { phone } b: hcp(id: $id) { phone email } }`, map[string]any{"id": id}, nil)

	got := readsOf(t, h, id)[before:]
	for i := range got {
		if got[i].GraphVersion == "" {
			t.Errorf("read %d has no graphVersion", i)
		}
		got[i].GraphVersion = ""
	}
	want := []auditedRead{
		{"U004", "query auditedCard", "read", `{"fields":["email","wechat"]}`, ""},
		{"U004", "query auditedTwice", "read", `{"fields":["email","phone"]}`, ""},
	}
	if !slices.Equal(got, want) {
		t.Fatalf("audit log reads of %s: got %+v, want %+v", id, got, want)
	}

	// The kam may read contact data but not the audit log.
	x := ask(t, h, kam, `{ auditLog(op: READ) { edges { node { actor } } } }`, nil)
	if !slices.Equal(x.codes(), []string{kolgraph.EFORBIDDEN}) {
		t.Errorf("auditLog as kam: want FORBIDDEN, got %s", x.body)
	}

	// A store that cannot record the read: the answer is withheld.
	broken := *svc
	broken.Store = appendFails{svc.Store}
	broken.Views = nil
	bh := broken.Handler()
	x = ask(t, bh, kam, `query($id: ID!) { hcp(id: $id) { name email } }`, map[string]any{"id": id})
	if !slices.Equal(x.codes(), []string{kolgraph.EUNAVAILABLE}) || bytes.Contains(x.body, []byte("@")) || string(x.resp.Data) != "null" && len(x.resp.Data) > 0 {
		t.Errorf("contact read that could not be recorded: want no data and UNAVAILABLE, got %s", x.body)
	}
	mustQueryAuth(t, bh, kam, `query($id: ID!) { hcp(id: $id) { name } }`, map[string]any{"id": id}, nil)
}

// appendFails is a store whose audit log refuses new entries.
type appendFails struct{ kolgraph.Store }

func (appendFails) AppendAudit(context.Context, []kolgraph.AuditEntry) error {
	return kolgraph.Errorf(kolgraph.EUNAVAILABLE, "audit log down")
}

func TestQueryLimitsAndFloods(t *testing.T) {
	defaults := *svc // the shared test service allows whole-hospital reads
	defaults.Config.MaxComplexity = config.Default().MaxComplexity
	h := defaults.Handler()
	kam := bearer(t, "U004", auth.RoleKAM, []string{"T01"})
	deep := `{ hcp(id: "P000001") { department { hospital { departments { hcps { department { hospital { departments { hcps { department { hospital { departments { id } } } } } } } } } } } } }`
	cyclic := `{ hcp(id: "P000001") { influences { to { influences { to { influences { to { influences { to { influences { to { influences { to { id } } } } } } } } } } } } } }`
	var aliases strings.Builder
	aliases.WriteString("{")
	for i := range 100 {
		fmt.Fprintf(&aliases, ` a%d: strongestPaths(to: "P000001", k: 20, maxHops: 10) { id }`, i)
	}
	aliases.WriteString("}")
	var frag strings.Builder
	frag.WriteString(`{ hcp(id: "P000001") { ...F0 } }`)
	for i := range 16 {
		fmt.Fprintf(&frag, " fragment F%d on HCP { id ...F%d ...F%d }", i, i+1, i+1)
	}
	frag.WriteString(" fragment F16 on HCP { name }")
	for _, tc := range []struct{ name, q, limit string }{
		{"deep", deep, "depth"},
		{"cyclic", cyclic, "depth"},
		{"alias bomb", aliases.String(), "aliases"},
		{"fragment bomb", frag.String(), "fields"},
		{"huge first", `{ hcps(first: 2147483647) { edges { node { influences(first: 2147483647) { to { name } } } } } }`, "complexity"},
		{"paths k x maxHops", `{ a: strongestPaths(to: "P000001", k: 20, maxHops: 10) { hops { from { influences(first: 500) { to { influences(first: 50) { weight } } } } } } }`, "complexity"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := ask(t, h, kam, tc.q, nil)
			if !slices.Equal(x.codes(), []string{kolgraph.EINVALID}) || x.resp.Errors[0].Extensions["limit"] != tc.limit {
				t.Errorf("got %d %.300s, want BAD_USER_INPUT on %s", x.status, x.body, tc.limit)
			}
			if len(x.resp.Data) > 0 && string(x.resp.Data) != "null" {
				t.Errorf("data in a refused answer: %s", x.resp.Data)
			}
		})
	}
	t.Run("first beyond the page size", func(t *testing.T) {
		x := ask(t, h, kam, `{ hcps(first: 501) { totalCount } }`, nil)
		if !slices.Equal(x.codes(), []string{kolgraph.EINVALID}) {
			t.Errorf("got %s", x.body)
		}
	})
	t.Run("introspection off", func(t *testing.T) {
		x := ask(t, h, kam, `{ __schema { types { name } } }`, nil)
		if len(x.resp.Errors) == 0 || bytes.Contains(x.body, []byte(`"HCP"`)) {
			t.Errorf("introspection answered: %s", x.body)
		}
	})
	t.Run("batched queries", func(t *testing.T) {
		one := map[string]any{"query": `{ hcps { totalCount } }`}
		batch := make([]any, 1000)
		for i := range batch {
			batch[i] = one
		}
		body, _ := json.Marshal(batch)
		x := send(t, h, kam, body)
		if x.status != http.StatusBadRequest || !slices.Equal(x.codes(), []string{kolgraph.EINVALID}) || len(x.resp.Data) > 0 {
			t.Errorf("a batch of 1000 operations: %d %s", x.status, x.body[:min(len(x.body), 300)])
		}
	})
	t.Run("oversized body", func(t *testing.T) {
		body, _ := json.Marshal(map[string]any{"query": `{ hcps { totalCount } }`, "variables": map[string]any{"pad": strings.Repeat("x", 2<<20)}})
		x := send(t, h, kam, body) // a role that writes: large imports are uploads, not JSON
		if x.status != http.StatusRequestEntityTooLarge || !slices.Equal(x.codes(), []string{kolgraph.EINVALID}) {
			t.Errorf("a 2 MiB body: %d %s", x.status, x.body)
		}
	})
	t.Run("flood from one credential", func(t *testing.T) {
		limited := *svc
		limited.Config.RateLimit, limited.Config.RateBurst = 1, 5
		lh := limited.Handler()
		flood := bearer(t, "U005", auth.RoleViewer, []string{"T01"})
		var ok, refused int
		for range 50 {
			x := ask(t, lh, flood, `{ graphVersion }`, nil)
			switch x.status {
			case http.StatusOK:
				ok++
			case http.StatusTooManyRequests:
				refused++
				if !slices.Equal(x.codes(), []string{kolgraph.ERATELIMITED}) {
					t.Fatalf("refusal: %s", x.body)
				}
			}
		}
		if ok > 6 || refused < 44 {
			t.Errorf("%d answered, %d refused; want the burst of 5 (+1) answered and the rest refused", ok, refused)
		}
		if x := ask(t, lh, kam, `{ graphVersion }`, nil); x.status != http.StatusOK {
			t.Errorf("another credential was limited too: %d", x.status)
		}
	})
}

func TestInjectionStrings(t *testing.T) {
	h := svc.Handler()
	kam := bearer(t, "U004", auth.RoleKAM, []string{"T01"})
	r := regionOf(t, "T01")
	v0, err := svc.Store.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	payloads := []string{
		`' OR '1'='1`, `"; DROP TABLE hcps; --`, `1; DELETE FROM users`,
		`MATCH (n) DETACH DELETE n`, `"}) MATCH (n) RETURN n //`, `' RETURN 1 UNION MATCH (h:HCP) RETURN h.phone //`,
		`<script>alert(1)</script>`, `"><img src=x onerror=alert(1)>`,
		"P000001\x00", "\x00", "a\u202eb", strings.Repeat("A", 10_000), `\u0000`, `{{7*7}}`, `${jndi:ldap://x}`,
	}
	queries := []struct {
		name string
		q    string
	}{
		{"hcp id", `query($s: ID!) { hcp(id: $s) { id } }`},
		{"node id", `query($s: ID!) { node(id: $s) { id } }`},
		{"hcps name", `query($s: String) { hcps(filter: {nameContains: $s}) { totalCount } }`},
		{"hcps city", `query($s: String) { hcps(filter: {city: $s, specialty: $s, role: $s}) { totalCount } }`},
		{"hcps territory", `query($s: ID) { hcps(filter: {territory: $s}) { totalCount } }`},
		{"hospitals", `query($s: String) { hospitals(filter: {nameContains: $s, city: $s, province: $s, tier: $s}) { totalCount } }`},
		{"cursor", `query($s: String) { hcps(after: $s) { totalCount } }`},
		{"ranking scope", `query($s: ID) { influenceRanking(scope: {territory: $s}) { totalCount } }`},
		{"path", `query($s: ID!) { strongestPaths(to: $s, from: [$s]) { id } }`},
		{"path id", `query($s: ID!) { influencePath(id: $s) { id } }`},
		{"decision chain", `query($s: ID!) { decisionChain(hospital: $s, product: $s) { note } }`},
		{"matrix", `query($s: ID) { accountMatrix(scope: {hospital: $s}, product: $s) { cells { count } } }`},
	}
	for _, q := range queries {
		for i, p := range payloads {
			x := ask(t, h, kam, q.q, map[string]any{"s": p})
			if x.status >= 500 || slices.Contains(x.codes(), kolgraph.EINTERNAL) || x.resp.Errors == nil && x.resp.Data == nil {
				t.Errorf("%s, payload %d: %d %s", q.name, i, x.status, x.body[:min(len(x.body), 300)])
			}
			if bytes.Contains(x.body, []byte("<script")) || bytes.Contains(x.body, []byte("<img")) {
				t.Errorf("%s, payload %d: markup echoed unescaped: %s", q.name, i, x.body[:min(len(x.body), 300)])
			}
			r.noLeak(t, x)
		}
		// Invalid UTF-8 in a string argument, sent as raw bytes.
		raw := []byte(`{"query":` + mustJSON(q.q) + `,"variables":{"s":"P0\xff\xfe01"}}`)
		if x := send(t, h, kam, raw); x.status >= 500 || slices.Contains(x.codes(), kolgraph.EINTERNAL) {
			t.Errorf("%s, invalid UTF-8: %d %s", q.name, x.status, x.body)
		}
	}
	if v, _ := svc.Store.Version(context.Background()); v != v0 {
		t.Errorf("the store changed under read queries: version %d -> %d", v0, v)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestWritesByRole(t *testing.T) {
	w := writeService(t)
	h := w.Handler()
	ctx := context.Background()
	r := regionOf(t, "T01")
	in, out := r.inHCPs[0], r.outHCPs[0]
	knows := `mutation($u: ID!, $h: ID!) { upsertKnows(input: {user: $u, hcp: $h, strength: 0.42}) { changed } }`
	edge := `mutation($f: ID!, $t: ID!) { upsertInfluence(input: {from: $f, to: $t, weight: 0.3, kind: "mentor"}) { changed } }`
	imp := `mutation($files: [ImportFile!]!) { importRegion(format: CSV, files: $files, dryRun: true) { changed } }`
	for _, tc := range []struct {
		name  string
		authz string
	}{
		{"strategist", bearer(t, "U002", auth.RoleStrategist, nil)},
		{"compliance", bearer(t, "U003", auth.RoleCompliance, nil)},
		{"viewer", bearer(t, "U005", auth.RoleViewer, []string{"T01"})},
		{"strategist granted contacts", bearer(t, "U002", auth.RoleStrategist, nil, auth.GrantContacts)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v0, _ := w.Store.Version(ctx)
			for _, q := range []struct {
				q    string
				vars map[string]any
			}{
				{knows, map[string]any{"u": "U004", "h": in}},
				{edge, map[string]any{"f": in, "t": r.inHCPs[1]}},
				{imp, map[string]any{"files": []map[string]any{{"name": "knows.csv", "content": "user_id,hcp_id,strength\nU004," + in + ",0.5\n"}}}},
			} {
				x := ask(t, h, tc.authz, q.q, q.vars)
				if !slices.Equal(x.codes(), []string{kolgraph.EFORBIDDEN}) {
					t.Errorf("got %d %.300s, want FORBIDDEN", x.status, x.body)
				}
			}
			if v, _ := w.Store.Version(ctx); v != v0 {
				t.Errorf("a refused write changed the store: version %d -> %d", v0, v)
			}
		})
	}
	kam := bearer(t, "U004", auth.RoleKAM, []string{"T01"})
	t.Run("kam outside its territory", func(t *testing.T) {
		v0, _ := w.Store.Version(ctx)
		for _, q := range []struct {
			q    string
			vars map[string]any
		}{
			{knows, map[string]any{"u": "U004", "h": out}},
			{edge, map[string]any{"f": in, "t": out}},
			{edge, map[string]any{"f": out, "t": in}},
			{`mutation($id: ID!) { deleteHCP(id: $id) { deleted } }`, map[string]any{"id": out}},
		} {
			// Refused, or (a delete) answered as for an unknown id.
			x := ask(t, h, kam, q.q, q.vars)
			c := x.codes()
			refused := len(c) == 1 && slices.Contains([]string{kolgraph.EFORBIDDEN, kolgraph.ENOTFOUND, kolgraph.EINVALID}, c[0])
			if !refused && !bytes.Contains(x.body, []byte(`"deleted":false`)) {
				t.Errorf("got %d %.300s, want a refusal", x.status, x.body)
			}
			r.noLeak(t, x)
		}
		if v, _ := w.Store.Version(ctx); v != v0 {
			t.Errorf("a refused write changed the store: version %d -> %d", v0, v)
		}
	})
	t.Run("kam inside its territory", func(t *testing.T) {
		x := ask(t, h, kam, knows, map[string]any{"u": "U004", "h": in})
		if x.status != http.StatusOK || len(x.resp.Errors) > 0 {
			t.Errorf("got %d %.300s", x.status, x.body)
		}
	})
	t.Run("audit log", func(t *testing.T) {
		q := `{ auditLog(first: 5) { edges { cursor } } }`
		if x := ask(t, h, kam, q, nil); !slices.Equal(x.codes(), []string{kolgraph.EFORBIDDEN}) {
			t.Errorf("kam: %.300s, want FORBIDDEN", x.body)
		}
		if x := ask(t, h, bearer(t, "U003", auth.RoleCompliance, nil), q, nil); len(x.resp.Errors) > 0 {
			t.Errorf("compliance: %.300s", x.body)
		}
	})
}

// BenchmarkAuthorization measures what access control adds to an entity
// read (BenchmarkHCPRead's query: an HCP, its department and hospital, and
// 50 of its influence ties with their targets): the same request without
// authentication (an admin principal put in the request's context, so the
// views still pick its store and analytics), with an admin token
// (authentication, rate limiter, the role's guard), and with a kam token (plus the territory-scoped store,
// which checks every HCP and hospital of the answer). The hub HCP and the
// targets of all its ties are in the kam's territory, so the three answers
// are identical.
func BenchmarkAuthorization(b *testing.B) {
	ctx := context.Background()
	r := regionOf(b, "T01")
	inside, outside := map[string]int{}, map[string]int{}
	if err := svc.Store.Scan(ctx, kolgraph.Visitor{Influence: func(e *kolgraph.Influence) error {
		if r.in[e.To] {
			inside[e.From]++
		} else {
			outside[e.From]++
		}
		return nil
	}}); err != nil {
		b.Fatal(err)
	}
	hub := ""
	for _, id := range r.inHCPs {
		if inside[id] >= 50 && outside[id] == 0 && hub == "" {
			hub = id
		}
	}
	if hub == "" {
		b.Fatal("no T01 HCP with 50 ties, all inside T01")
	}
	q := `query($id: ID!) { hcp(id: $id) { id name position department { name } hospital { name city }
		influences(first: 50) { weight kind to { id name } } } }`
	body, _ := json.Marshal(map[string]any{"query": q, "variables": map[string]any{"id": hub}})

	plain := *svc // the GraphQL layer without authentication
	admin, err := auth.NewPrincipal("U001", auth.RoleAdmin, nil, nil, "bench")
	if err != nil {
		b.Fatal(err)
	}
	gql := plain.graphQL(graph.DefaultHandlerOptions())
	open := plain.server(nil).Handler(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		gql.ServeHTTP(w, req.WithContext(auth.WithPrincipal(req.Context(), admin)))
	}))
	secured := svc.Handler()
	var want []byte
	for _, bc := range []struct {
		name  string
		h     http.Handler
		authz string
	}{
		{"none", open, ""},
		{"admin", secured, bearer(b, "U001", auth.RoleAdmin, nil)},
		{"kam-scoped", secured, bearer(b, "U004", auth.RoleKAM, []string{"T01"})},
	} {
		x := send(b, bc.h, bc.authz, body)
		if x.status != http.StatusOK || len(x.resp.Errors) > 0 {
			b.Fatalf("%s: %d %.300s", bc.name, x.status, x.body)
		}
		if want == nil {
			want = x.body
		} else if !bytes.Equal(x.body, want) {
			b.Fatalf("%s: the answer differs from the one without access control", bc.name)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				read(b, bc.h, bc.authz, body)
			}
		})
	}
	// The ratios, from requests of the three kinds taken in turn, so that
	// the machine's drift (other processes, frequency) hits all alike.
	b.Run("ratio", func(b *testing.B) {
		var took [3]time.Duration
		hs := []http.Handler{open, secured, secured}
		authz := []string{"", bearer(b, "U001", auth.RoleAdmin, nil), bearer(b, "U004", auth.RoleKAM, []string{"T01"})}
		for b.Loop() {
			for i := range hs {
				t0 := time.Now()
				read(b, hs[i], authz[i], body)
				took[i] += time.Since(t0)
			}
		}
		b.ReportMetric(float64(took[1])/float64(took[0]), "admin/none")
		b.ReportMetric(float64(took[2])/float64(took[0]), "kam/none")
	})
}

// read posts body to h and fails unless the answer is 200.
func read(b *testing.B, h http.Handler, authz string, body []byte) {
	if rec := post(h, authz, body); rec.Code != http.StatusOK {
		b.Fatal(rec.Code)
	}
}

func TestPersistedQueriesOnlyAndCORS(t *testing.T) {
	known := `{ graphVersion }`
	file := t.TempDir() + "/persisted.json"
	if err := os.WriteFile(file, []byte(mustJSON([]string{known})), 0o600); err != nil {
		t.Fatal(err)
	}
	m := *svc
	m.Config.PersistedQueries = file
	m.Config.CORSOrigins = "https://kam.example"
	h := m.Handler()
	viewerTok := bearer(t, "U005", auth.RoleViewer, []string{"T01"})
	apq := func(q string) []byte {
		return []byte(mustJSON(map[string]any{"extensions": map[string]any{
			"persistedQuery": map[string]any{"version": 1, "sha256Hash": gqlguard.Hash(q)}}}))
	}
	if x := send(t, h, viewerTok, apq(known)); x.status != http.StatusOK || len(x.resp.Errors) > 0 || !bytes.Contains(x.body, []byte("graphVersion")) {
		t.Errorf("a known hash: %d %s", x.status, x.body)
	}
	if x := send(t, h, viewerTok, apq(`{ hcps { totalCount } }`)); !slices.Equal(x.codes(), []string{"PERSISTED_QUERY_NOT_FOUND"}) {
		t.Errorf("an unknown hash: %s", x.body)
	}
	if x := ask(t, h, viewerTok, `{ hcps { totalCount } }`, nil); !slices.Equal(x.codes(), []string{kolgraph.EFORBIDDEN}) || bytes.Contains(x.body, []byte("totalCount\":")) {
		t.Errorf("a free query: %s", x.body)
	}
	for origin, allowed := range map[string]bool{"https://kam.example": true, "https://evil.example": false} {
		req := httptest.NewRequest(http.MethodOptions, "/query", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if got := rec.Header().Get("Access-Control-Allow-Origin") == origin; got != allowed {
			t.Errorf("preflight from %s: allowed %v, want %v (%d)", origin, got, allowed, rec.Code)
		}
	}
}
