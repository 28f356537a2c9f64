package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// queryAs is query as the calling user: an admin token with that subject
// (every territory, so answers are those of the whole graph).
func queryAs(t testing.TB, h http.Handler, user, q string, vars map[string]any, data any) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": q, "variables": vars})
	authz := ""
	if user != "" {
		authz = bearer(t, user, auth.RoleAdmin, nil)
	}
	rec := post(h, authz, body)
	var resp gqlResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatalf("decode response (status %d): %v: %s", rec.Code, err, rec.Body.String())
	}
	if data != nil && len(resp.Data) > 0 && string(resp.Data) != "null" {
		if err := json.Unmarshal(resp.Data, data); err != nil {
			t.Fatalf("decode data: %v: %s", err, resp.Data)
		}
	}
	return resp
}

func mustQueryAs(t testing.TB, h http.Handler, user, q string, vars map[string]any, data any) {
	t.Helper()
	if resp := queryAs(t, h, user, q, vars, data); len(resp.Errors) > 0 {
		t.Fatalf("query failed: %+v", resp.Errors)
	}
}

// pathFields selects everything a citation shows.
const pathFields = `id strength graphVersion computedAt source { id } target { id }
	entry { user hcp { id } strength } hops { from { id } to { id } kind weight evidence }`

type gqlPath struct {
	ID           string
	Strength     float64
	GraphVersion string
	ComputedAt   string
	Source       struct{ ID string }
	Target       struct{ ID string }
	Entry        *struct {
		User     string
		Hcp      struct{ ID string }
		Strength float64
	}
	Hops []struct {
		From     struct{ ID string }
		To       struct{ ID string }
		Kind     string
		Weight   float64
		Evidence *string
	}
}

// storeEdges reads every INFLUENCES edge from the store, bypassing the
// snapshot and the path code: the reference the answers are checked with.
func storeEdges(t *testing.T) map[kolgraph.EdgeKey]*kolgraph.Influence {
	t.Helper()
	edges := map[kolgraph.EdgeKey]*kolgraph.Influence{}
	err := svc.Store.Scan(context.Background(), kolgraph.Visitor{Influence: func(e *kolgraph.Influence) error {
		edges[e.Key()] = e
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	return edges
}

// checkPath verifies a path against the store: consecutive hops, each hop's
// kind, weight and evidence as stored, and strength = entry x product of
// weights. entry is the KNOWS strength, 0 when the path has no entry.
func checkPath(t *testing.T, p gqlPath, edges map[kolgraph.EdgeKey]*kolgraph.Influence, entry float64) {
	t.Helper()
	want := 1.0
	if entry > 0 {
		if p.Entry == nil || p.Entry.Strength != entry || p.Entry.Hcp.ID != p.Source.ID {
			t.Errorf("path %s: entry %+v, want strength %v at %s", p.ID, p.Entry, entry, p.Source.ID)
		}
		want = entry
	} else if p.Entry != nil {
		t.Errorf("path %s: entry %+v, want none", p.ID, p.Entry)
	}
	at := p.Source.ID
	for _, h := range p.Hops {
		e := edges[kolgraph.EdgeKey{From: h.From.ID, To: h.To.ID}]
		switch {
		case h.From.ID != at:
			t.Errorf("path %s: hop from %s after reaching %s", p.ID, h.From.ID, at)
		case e == nil:
			t.Errorf("path %s: no edge %s->%s in the store", p.ID, h.From.ID, h.To.ID)
		case e.Weight != h.Weight || e.Kind != h.Kind || (h.Evidence == nil) != (e.Evidence == "") ||
			(h.Evidence != nil && *h.Evidence != e.Evidence):
			t.Errorf("path %s: hop %s->%s shows %v/%s/%v, store %v/%s/%q", p.ID, h.From.ID, h.To.ID, h.Weight, h.Kind, h.Evidence, e.Weight, e.Kind, e.Evidence)
		default:
			want *= e.Weight
		}
		at = h.To.ID
	}
	if at != p.Target.ID {
		t.Errorf("path %s ends at %s, target %s", p.ID, at, p.Target.ID)
	}
	if math.Abs(p.Strength-want) > 1e-12 {
		t.Errorf("path %s: strength %v, product of the stored weights %v", p.ID, p.Strength, want)
	}
	if !strings.HasPrefix(p.GraphVersion, "v") || p.ComputedAt == "" {
		t.Errorf("path %s: graphVersion %q computedAt %q", p.ID, p.GraphVersion, p.ComputedAt)
	}
}

// bruteForceTop returns the k largest strengths of simple paths of at most
// maxHops edges from src to dst, by depth-first enumeration with a bound.
func bruteForceTop(edges map[kolgraph.EdgeKey]*kolgraph.Influence, src, dst string, k, maxHops int) []float64 {
	out := map[string][]*kolgraph.Influence{}
	for _, e := range edges {
		out[e.From] = append(out[e.From], e)
	}
	var top []float64 // descending, at most k
	onPath := map[string]bool{src: true}
	var dfs func(v string, s float64, hops int)
	dfs = func(v string, s float64, hops int) {
		if len(top) == k && s < top[k-1] {
			return // weights are at most 1: this branch cannot beat the k-th
		}
		if v == dst {
			top = append(top, s)
			slices.SortFunc(top, func(a, b float64) int { return cmp.Compare(b, a) })
			top = top[:min(len(top), k)]
			return
		}
		if hops == maxHops {
			return
		}
		for _, e := range out[v] {
			if !onPath[e.To] {
				onPath[e.To] = true
				dfs(e.To, s*e.Weight, hops+1)
				onPath[e.To] = false
			}
		}
	}
	dfs(src, 1, 0)
	return top
}

// seedPeople finds, through GraphQL, a hospital's pharmacy director and its
// junior physicians (residents).
func seedPeople(t *testing.T, hospital string) (director string, residents []string) {
	t.Helper()
	var got struct {
		Director struct {
			Edges []struct{ Node struct{ ID string } }
		}
		Juniors struct {
			Edges []struct{ Node struct{ ID string } }
		}
	}
	mustQuery(t, svc.Handler(), `query($h: ID) {
		director: hcps(filter: {hospital: $h, position: "pharmacy_director"}) { edges { node { id } } }
		juniors: hcps(filter: {hospital: $h, role: "physician", title: "resident"}, first: 50) { edges { node { id } } } }`,
		map[string]any{"h": hospital}, &got)
	if len(got.Director.Edges) != 1 || len(got.Juniors.Edges) == 0 {
		t.Fatalf("%s: %d pharmacy directors, %d residents", hospital, len(got.Director.Edges), len(got.Juniors.Edges))
	}
	for _, e := range got.Juniors.Edges {
		residents = append(residents, e.Node.ID)
	}
	return got.Director.Edges[0].Node.ID, residents
}

// TestStrongestPathsToPharmacyDirector: from a junior physician to the
// hospital's pharmacy director, k paths in strength order, each matching the
// store hop by hop, the strengths equal to a brute-force enumeration's, and
// every id resolving through influencePath to the same path.
func TestStrongestPathsToPharmacyDirector(t *testing.T) {
	const hospital, k, maxHops = "H001", 3, 4
	director, residents := seedPeople(t, hospital)
	edges := storeEdges(t)
	var got struct{ StrongestPaths []gqlPath }
	var junior string
	for _, r := range residents { // the first resident with k paths
		mustQuery(t, svc.Handler(), `query($from: ID!, $to: ID!, $k: Int, $h: Int) {
			strongestPaths(from: [$from], to: $to, k: $k, maxHops: $h) { `+pathFields+` } }`,
			map[string]any{"from": r, "to": director, "k": k, "h": maxHops}, &got)
		if len(got.StrongestPaths) == k {
			junior = r
			break
		}
	}
	if junior == "" {
		t.Fatalf("no resident of %s has %d paths to %s within %d hops", hospital, k, director, maxHops)
	}
	want := bruteForceTop(edges, junior, director, k, maxHops)
	for i, p := range got.StrongestPaths {
		checkPath(t, p, edges, 0)
		if p.Source.ID != junior || p.Target.ID != director || len(p.Hops) > maxHops {
			t.Errorf("path %d: %s -> %s in %d hops", i, p.Source.ID, p.Target.ID, len(p.Hops))
		}
		if math.Abs(p.Strength-want[i]) > 1e-12 {
			t.Errorf("path %d: strength %v, brute force %v", i, p.Strength, want[i])
		}
	}

	for _, p := range got.StrongestPaths {
		var again struct{ InfluencePath *gqlPath }
		mustQuery(t, svc.Handler(), `query($id: ID!) { influencePath(id: $id) { `+pathFields+` } }`,
			map[string]any{"id": p.ID}, &again)
		a, _ := json.Marshal(p)
		b, _ := json.Marshal(again.InfluencePath)
		if !bytes.Equal(a, b) {
			t.Errorf("influencePath(%s) = %s, want %s", p.ID, b, a)
		}
	}
}

type gqlMember struct {
	Hcp       struct{ ID, Position string }
	Role      string
	Influence *struct {
		Value, Percentile float64
		Rank              int
	}
}

// TestDecisionChainOfSeedHospital: a seed hospital's chain names people at
// each stage, and a KAM whose contacts include one of its staff gets a path
// to each stage, checked against the store.
func TestDecisionChainOfSeedHospital(t *testing.T) {
	const hospital, product, user = "H001", "RX01", "U004"
	ks, err := svc.Store.KnowsOfUsers(context.Background(), []string{user})
	if err != nil {
		t.Fatal(err)
	}
	knows := map[string]float64{}
	for _, k := range ks[0] {
		knows[k.HCPID] = k.Strength
	}
	var got struct {
		DecisionChain struct {
			Hospital struct{ ID string }
			Product  struct{ ID string }
			Listing  *struct{ Status string }
			User     *string
			Note     *string
			Stages   []struct {
				Order     int
				Kind      string
				Rule      string
				Committee *struct{ Kind string }
				People    []gqlMember
				Path      *gqlPath
			}
		}
	}
	mustQueryAs(t, svc.Handler(), user, `query($h: ID!, $p: ID) { decisionChain(hospital: $h, product: $p) {
		hospital { id } product { id } listing { status } user note
		stages { order kind rule committee { kind } people { hcp { id position } role influence { value percentile rank } }
			path { `+pathFields+` } } } }`, map[string]any{"h": hospital, "p": product}, &got)
	c := got.DecisionChain
	if c.Hospital.ID != hospital || c.Product.ID != product || c.Listing == nil || c.User == nil || *c.User != user || c.Note != nil {
		t.Fatalf("chain of %s/%s listing %v user %v note %v", c.Hospital.ID, c.Product.ID, c.Listing, c.User, c.Note)
	}
	var kinds []string
	edges := storeEdges(t)
	for i, st := range c.Stages {
		kinds = append(kinds, st.Kind)
		if st.Order != i+1 || len(st.People) == 0 || st.Rule == "" {
			t.Errorf("stage %d %s: order %d, %d people, rule %q", i, st.Kind, st.Order, len(st.People), st.Rule)
			continue
		}
		for _, m := range st.People {
			if m.Influence == nil || m.Influence.Rank < 1 || m.Influence.Value <= 0 {
				t.Errorf("stage %s: %s without an influence score", st.Kind, m.Hcp.ID)
			}
		}
		if st.Path == nil {
			t.Errorf("stage %s: no path from %s's contacts", st.Kind, user)
			continue
		}
		if !slices.ContainsFunc(st.People, func(m gqlMember) bool { return m.Hcp.ID == st.Path.Target.ID }) {
			t.Errorf("stage %s: path reaches %s, who is not at the stage", st.Kind, st.Path.Target.ID)
		}
		checkPath(t, *st.Path, edges, knows[st.Path.Source.ID])
	}
	want := []string{"PROPOSE", "PHARMACY_REVIEW", "PT_DECISION", "PROCUREMENT", "SIGN_OFF"}
	if !slices.Equal(kinds, want) {
		t.Errorf("stages %v, want %v", kinds, want)
	}
	for _, st := range c.Stages {
		switch st.Kind {
		case "PHARMACY_REVIEW":
			if st.People[0].Hcp.Position != "pharmacy_director" {
				t.Errorf("pharmacy review led by a %s", st.People[0].Hcp.Position)
			}
		case "PT_DECISION":
			if st.Committee == nil || st.Committee.Kind != "pt" || st.People[0].Role != "chair" {
				t.Errorf("P&T stage: committee %+v, first role %s", st.Committee, st.People[0].Role)
			}
		case "SIGN_OFF":
			if st.People[0].Hcp.Position != "president" {
				t.Errorf("signed off by a %s", st.People[0].Hcp.Position)
			}
		}
	}
}

func TestAccessPathsBadInput(t *testing.T) {
	tests := []struct{ name, user, query, code string }{
		{"k 0", "", `{ strongestPaths(from: ["P000002"], to: "P000001", k: 0) { id } }`, "BAD_USER_INPUT"},
		{"k 21", "", `{ strongestPaths(from: ["P000002"], to: "P000001", k: 21) { id } }`, "BAD_USER_INPUT"},
		{"maxHops 11", "", `{ strongestPaths(from: ["P000002"], to: "P000001", maxHops: 11) { id } }`, "BAD_USER_INPUT"},
		{"from equals to", "", `{ strongestPaths(from: ["P000001"], to: "P000001") { id } }`, "BAD_USER_INPUT"},
		{"unknown to", "", `{ strongestPaths(from: ["P000002"], to: "P999999") { id } }`, "NOT_FOUND"},
		{"unknown caller", "U999", `{ strongestPaths(to: "P000001") { id } }`, "NOT_FOUND"},
		{"unknown hospital", "", `{ decisionChain(hospital: "H999") { graphVersion } }`, "NOT_FOUND"},
		{"unknown product", "", `{ decisionChain(hospital: "H001", product: "RX99") { graphVersion } }`, "NOT_FOUND"},
		{"malformed path id", "", `{ influencePath(id: "nope") { id } }`, "BAD_USER_INPUT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := queryAs(t, svc.Handler(), tt.user, tt.query, nil, nil)
			if c := resp.codes(); len(c) == 0 || c[0] != tt.code {
				t.Errorf("codes %v, want %s", c, tt.code)
			}
		})
	}
}

// TestNoPathSaysWhy: an empty answer is not an error; extensions.notes says
// why, on the field's path.
func TestNoPathSaysWhy(t *testing.T) {
	body, _ := json.Marshal(map[string]any{"query": `{ none: strongestPaths(from: ["P000002"], to: "P000001", maxHops: 1, minStrength: 1) { id } }`})
	rec := post(svc.Handler(), "", body)
	var resp struct {
		Data       struct{ None []any }
		Errors     []gqlError
		Extensions struct {
			Notes []struct{ Path, Message string }
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	n := resp.Extensions.Notes
	if len(resp.Errors) > 0 || resp.Data.None == nil || len(resp.Data.None) != 0 || len(n) != 1 || n[0].Path != "none" || n[0].Message == "" {
		t.Errorf("response %s: want an empty list and one note on \"none\"", rec.Body.String())
	}
}

// TestDevModeCallerIsNoUser: the README's first command serves dev mode,
// whose caller "dev" is not a user of the seed graph. What only adds paths
// from the caller's contacts (the decision chain, the stakeholders, the
// report) answers without them and says why; asking for paths from "my
// contacts" explains what to do. Before, all four were NOT_FOUND "no user".
func TestDevModeCallerIsNoUser(t *testing.T) {
	h := writeService(t).Handler()
	x := ask(t, h, "", `{ decisionChain(hospital: "H001", product: "RX01") { user note stages { kind } }
		accountMatrix(scope: {territory: "T01"}, product: "RX01") { stakeholders(first: 1) { totalCount user } } }`, nil)
	var got struct {
		DecisionChain struct {
			User   *string
			Note   string
			Stages []struct{ Kind string }
		}
		AccountMatrix struct {
			Stakeholders struct {
				TotalCount int
				User       *string
			}
		}
	}
	if len(x.resp.Errors) > 0 {
		t.Fatalf("dev mode: %s", x.body)
	}
	if err := json.Unmarshal(x.resp.Data, &got); err != nil {
		t.Fatal(err)
	}
	if c := got.DecisionChain; c.User != nil || !strings.Contains(c.Note, "dev is not a user of the graph") || len(c.Stages) == 0 {
		t.Errorf("decision chain for dev: %+v", c)
	}
	if s := got.AccountMatrix.Stakeholders; s.TotalCount == 0 || s.User != nil {
		t.Errorf("stakeholders for dev: %+v", s)
	}
	x = ask(t, h, "", `{ strongestPaths(to: "P000001") { id } }`, nil)
	if !slices.Equal(x.codes(), []string{"NOT_FOUND"}) || !strings.Contains(string(x.body), "give from") {
		t.Errorf("paths from dev's contacts: %s", x.body)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/reports/tiering?territory=T01&product=RX01&format=csv", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("report for dev: %d %.300s", rec.Code, rec.Body.String())
	}
}
