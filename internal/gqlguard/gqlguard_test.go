package gqlguard_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/kolgraph/kolgraph/internal/gqlguard"
	"github.com/kolgraph/kolgraph/internal/history"
	"github.com/kolgraph/kolgraph/internal/seedfile"
	"github.com/kolgraph/kolgraph/internal/snapshot"
	"github.com/kolgraph/kolgraph/internal/whatif"
)

func schema(t testing.TB) *ast.Schema {
	t.Helper()
	b, err := os.ReadFile("../../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	s, gerr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(b)})
	if gerr != nil {
		t.Fatal(gerr)
	}
	return s
}

func measure(t *testing.T, s *ast.Schema, q string, vars map[string]any) gqlguard.Measures {
	t.Helper()
	doc, errs := gqlparser.LoadQuery(s, q)
	if errs != nil {
		t.Fatalf("query does not validate: %v", errs)
	}
	return gqlguard.MeasureSized(doc.Operations[0].SelectionSet, vars, gqlguard.DefaultLimits(), nil)
}

func TestMeasure(t *testing.T) {
	s := schema(t)
	tests := []struct {
		name                           string
		q                              string
		vars                           map[string]any
		complexity, depth, aliases, nf int
	}{
		{"one field", `{ hcp(id: "P1") { name } }`, nil, 2, 2, 0, 2},
		// hcps 1 + 500 x (edges 1 + 1 x (node 1 + name 1)) = 1501
		{"connection by first", `{ hcps(first: 500) { edges { node { name } } } }`, nil, 1501, 4, 0, 4},
		{"first from a variable", `query($n: Int) { hcps(first: $n) { edges { node { name } } } }`, map[string]any{"n": int64(7)}, 1 + 7*3, 4, 0, 4},
		{"first by default", `{ hcps { totalCount } }`, nil, 1 + 20, 2, 0, 2},
		// strongestPaths: k x maxHops = 20 x 10, selections x 20
		{"paths by k x maxHops", `{ strongestPaths(to: "P1", k: 20, maxHops: 10) { strength } }`, nil, 200 + 20, 2, 0, 2},
		// a data-dependent list, its length unknown: the largest page
		{"list without first", `{ hospital(id: "H1") { departments { name } } }`, nil, 1 + 1 + gqlguard.UnknownListLength, 3, 0, 3},
		// the matrix ranks its scope by INFLUENCE: heavy, sized unknown
		{"fixed list", `{ accountMatrix(scope: {}) { cells { count } } }`, nil, 50 + gqlguard.HeavyCost + 1 + 4*1, 3, 0, 3},
		// first: 0 returns nothing, and is charged as one item
		{"first zero", `{ hcps(first: 0) { edges { node { name } } } }`, nil, 1 + 1*(1+1*(1+1)), 4, 0, 4},
		// a network: 10 x hops, its nodes by first, its edges by firstEdges
		{"network by first and firstEdges", `{ neighborhood(center: "P1", hops: 2, first: 100, firstEdges: 1000) { nodes { hcp { name } } edges { weight } } }`, nil, 20 + 1 + 100*2 + 1 + 1000, 4, 0, 6},
		{"scope graph by its defaults", `{ scopeGraph(scope: {}) { totalNodes nodes { influence } edges { from to } } }`, nil, 50 + 1000 + 1 + 1 + 500 + 1 + 5000*2, 3, 0, 7}, // heavy: 1000 for a scope of unknown size
		{"aliases", `{ a: hcp(id: "1") { name } b: hcp(id: "2") { n: name } hcp(id: "3") { name } }`, nil, 6, 2, 3, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := measure(t, s, tt.q, tt.vars)
			if m.Complexity != tt.complexity || m.Depth != tt.depth || m.Aliases != tt.aliases || m.Fields != tt.nf {
				t.Errorf("got %+v, want complexity %d depth %d aliases %d fields %d", m, tt.complexity, tt.depth, tt.aliases, tt.nf)
			}
		})
	}
}

// sizes is a Sizes with fixed answers.
type sizes struct {
	lists  map[string]int
	scopes map[string]int // "territory:T01/HCP" -> accounts
}

func (z sizes) ListMax(field string) (int, bool) { n, ok := z.lists[field]; return n, ok }
func (z sizes) ScopeAccounts(scope any, level string) (int, bool) {
	m, _ := scope.(map[string]any)
	for k, v := range m {
		n, ok := z.scopes[fmt.Sprintf("%s:%v/%s", k, v, level)]
		return n, ok
	}
	return 0, false
}

func TestMeasureSized(t *testing.T) {
	s := schema(t)
	z := sizes{lists: map[string]int{"Department.hcps": 37, "Hospital.departments": 12},
		scopes: map[string]int{"territory:T01/HCP": 2093, "territory:T01/DEPARTMENT": 140}}
	tests := []struct {
		name       string
		q          string
		complexity int
	}{
		{"list by the data", `{ hospital(id: "H1") { departments { hcps { name } } } }`, 1 + 1 + 12*(1+37*1)},
		// + the INFLUENCE ranking of 2,093 HCPs: three size classes
		{"heat map by the scope's HCPs", `{ accountMatrix(scope: {territory: "T01"}) { heatMap { cells { id } } } }`, 50 + 3000 + 1 + 1 + 2093},
		{"heat map by the scope's departments", `{ accountMatrix(scope: {territory: "T01"}, level: DEPARTMENT) { heatMap { cells { id } } } }`, 50 + 3000 + 1 + 1 + 140},
		{"pareto leaders by the scope", `{ accountMatrix(scope: {territory: "T01"}) { pareto { leaders { id potential } } } }`, 50 + 3000 + 1 + 1 + 2093*2},
		{"heavy ranking by the scope", `{ influenceRanking(scope: {territory: "T01"}, metric: BETWEENNESS, first: 10) { totalCount } }`, 20 + 3000 + 10},
		{"default metric is heavy", `{ influenceRanking(scope: {territory: "T01"}, first: 10) { totalCount } }`, 20 + 3000 + 10},
		{"light ranking", `{ influenceRanking(scope: {territory: "T01"}, metric: PAGERANK, first: 10) { totalCount } }`, 20 + 10},
		{"speakers", `{ speakerCandidates(scope: {territory: "T01"}) { totalCount } }`, 50 + 3000 + 1},
		{"scope graph ranks its scope", `{ scopeGraph(scope: {territory: "T01"}, first: 100, firstEdges: 300) { nodes { distance } edges { weight } } }`,
			50 + 3000 + (1 + 100) + (1 + 300)},
		{"neighborhood by hops", `{ neighborhood(center: "P1", hops: 2, first: 100, firstEdges: 300) { nodes { distance } } }`, 10*2 + 1 + 100},
		{"unknown list", `{ products { id } }`, 1 + gqlguard.UnknownListLength},
		{"hops by maxHops", `{ strongestPaths(to: "P1", k: 2, maxHops: 4) { hops { weight } } }`, 8 + 2*(1+4)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, errs := gqlparser.LoadQuery(s, tt.q)
			if errs != nil {
				t.Fatal(errs)
			}
			m := gqlguard.MeasureSized(doc.Operations[0].SelectionSet, nil, gqlguard.DefaultLimits(), z)
			if m.Complexity != tt.complexity {
				t.Errorf("complexity %d, want %d", m.Complexity, tt.complexity)
			}
		})
	}
}

// TestEveryListIsCosted: every list of objects in the schema is charged for
// what it can return: by its `first`, as a connection's edges, or by an
// entry of Costs. A new list field without one fails here.
func TestEveryListIsCosted(t *testing.T) {
	s := schema(t)
	for _, d := range s.Types {
		if d.BuiltIn || d.Kind != ast.Object {
			continue
		}
		for _, f := range d.Fields {
			el := s.Types[f.Type.Name()]
			if f.Type.Elem == nil || el == nil || (el.Kind != ast.Object && el.Kind != ast.Interface && el.Kind != ast.Union) {
				continue
			}
			_, costed := gqlguard.Costs[d.Name+"."+f.Name]
			paged := f.Arguments.ForName("first") != nil
			edges := strings.HasSuffix(d.Name, "Connection") && f.Name == "edges"
			if !costed && !paged && !edges {
				t.Errorf("%s.%s is a list of %s with no cost: add it to gqlguard.Costs", d.Name, f.Name, el.Name)
			}
		}
	}
	if got := len(seedfile.FileNames()); got != gqlguard.ImportFiles {
		t.Errorf("the import format has %d files, the costs assume %d", got, gqlguard.ImportFiles)
	}
	if history.MaxExplained != 5 {
		t.Errorf("a history mover has up to %d changes, the costs assume 5", history.MaxExplained)
	}
	if whatif.DefaultMaxHospitals != gqlguard.WhatIfHospitals || snapshot.MaxChanges != gqlguard.WhatIfChanges || whatif.MaxMovers != 100 {
		t.Errorf("a what-if compares %d hospitals and takes %d changes of a kind, the costs assume %d and %d",
			whatif.DefaultMaxHospitals, snapshot.MaxChanges, gqlguard.WhatIfHospitals, gqlguard.WhatIfChanges)
	}
	// The API's fixed lengths are the schema's.
	for enum, n := range map[string]int{"DecisionStageKind": gqlguard.StageKinds, "RecordKind": gqlguard.RecordKinds, "Segment": 4} {
		if got := len(s.Types[enum].EnumValues); got != n {
			t.Errorf("%s has %d values, the costs assume %d", enum, got, n)
		}
	}
}

func TestFragmentBombStops(t *testing.T) {
	s := schema(t)
	// Each level doubles the fields: 2^20 names once expanded.
	var b strings.Builder
	b.WriteString(`{ hcp(id: "P1") { ...F0 } }` + "\n")
	for i := range 20 {
		fmt.Fprintf(&b, "fragment F%d on HCP { a%d: id ...F%d ...F%d }\n", i, i, i+1, i+1)
	}
	b.WriteString("fragment F20 on HCP { name }\n")
	m := measure(t, s, b.String(), nil)
	if !m.Truncated || m.Fields != gqlguard.DefaultLimits().MaxFields+1 {
		t.Errorf("got %+v, want the walk stopped after MaxFields+1 fields", m)
	}
}

func TestHugeFirstSaturates(t *testing.T) {
	s := schema(t)
	m := measure(t, s, `{ hcps(first: 2147483647) { edges { node { influences(first: 2147483647) { to { influences(first: 2147483647) { weight } } } } } } }`, nil)
	if m.Complexity <= gqlguard.DefaultLimits().MaxComplexity || m.Complexity < 0 {
		t.Errorf("complexity %d: want a saturated, positive cost over the limit", m.Complexity)
	}
}

func TestLimitRefuses(t *testing.T) {
	s := schema(t)
	l := gqlguard.Limit{Limits: gqlguard.Limits{MaxComplexity: 100, MaxDepth: 3, MaxAliases: 1, MaxFields: 50}}
	for q, limit := range map[string]string{
		`{ hcps(first: 200) { totalCount } }`:                           "complexity",
		`{ hcp(id: "1") { department { hospital { name } } } }`:         "depth",
		`{ a: hcp(id: "1") { id } b: hcp(id: "2") { id } }`:             "aliases",
		`{ hcp(id: "1") { ` + strings.Repeat("name ", 60) + `} }`:       "fields",
		`{ hcp(id: "1") { name } hospital(id: "H1") { name } }`:         "",
		`{ strongestPaths(to: "P1", k: 10, maxHops: 10) { strength } }`: "complexity",
	} {
		doc, errs := gqlparser.LoadQuery(s, q)
		if errs != nil {
			t.Fatal(errs)
		}
		err := l.MutateOperationContext(context.Background(), &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]})
		switch {
		case limit == "" && err != nil:
			t.Errorf("%s: refused: %v", q, err)
		case limit != "" && (err == nil || err.Extensions["limit"] != limit || err.Extensions["code"] != "BAD_USER_INPUT"):
			t.Errorf("%s: got %v, want BAD_USER_INPUT on %s", q, err, limit)
		}
	}
}

func TestPersistedOnly(t *testing.T) {
	known := `{ graphVersion }`
	p := gqlguard.PersistedOnly{Known: map[string]string{gqlguard.Hash(known): known}}
	apq := func(hash string) map[string]any {
		return map[string]any{"persistedQuery": map[string]any{"version": float64(1), "sha256Hash": hash}}
	}
	tests := []struct {
		name string
		raw  graphql.RawParams
		code string
	}{
		{"known hash", graphql.RawParams{Extensions: apq(gqlguard.Hash(known))}, ""},
		{"known document", graphql.RawParams{Query: known}, ""},
		{"unknown hash", graphql.RawParams{Extensions: apq(gqlguard.Hash("{ hcps { totalCount } }"))}, "PERSISTED_QUERY_NOT_FOUND"},
		{"registering a new query", graphql.RawParams{Query: "{ hcps { totalCount } }", Extensions: apq(gqlguard.Hash("{ hcps { totalCount } }"))}, "PERSISTED_QUERY_NOT_FOUND"},
		{"known hash, other document", graphql.RawParams{Query: "{ hcps { totalCount } }", Extensions: apq(gqlguard.Hash(known))}, "BAD_USER_INPUT"},
		{"free document", graphql.RawParams{Query: "{ hcps { totalCount } }"}, "FORBIDDEN"},
		{"nothing", graphql.RawParams{}, "FORBIDDEN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.raw
			err := p.MutateOperationParameters(context.Background(), &raw)
			switch {
			case tt.code == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.code == "" && raw.Query != known:
				t.Errorf("query %q, want the persisted document", raw.Query)
			case tt.code != "" && (err == nil || err.Extensions["code"] != tt.code):
				t.Errorf("got %v, want %s", err, tt.code)
			}
		})
	}
}

func TestLoadPersisted(t *testing.T) {
	dir := t.TempDir()
	q := "{ graphVersion }"
	files := map[string]string{
		"list.json": `["{ graphVersion }"]`,
		"map.json":  fmt.Sprintf(`{%q: %q}`, gqlguard.Hash(q), q),
		"bad.json":  fmt.Sprintf(`{%q: %q}`, gqlguard.Hash("other"), q),
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"list.json", "map.json"} {
		known, err := gqlguard.LoadPersisted(filepath.Join(dir, name))
		if err != nil || known[gqlguard.Hash(q)] != q {
			t.Errorf("%s: %v %v", name, known, err)
		}
	}
	if _, err := gqlguard.LoadPersisted(filepath.Join(dir, "bad.json")); err == nil {
		t.Error("a wrong hash was accepted")
	}
}

func TestHeavyFields(t *testing.T) {
	s := schema(t)
	tests := []struct {
		q    string
		vars map[string]any
		want int
	}{
		{`{ influenceRanking(scope: {}) { totalCount } }`, nil, 1},
		{`{ influenceRanking(scope: {}, metric: PAGERANK) { totalCount } }`, nil, 0},
		{`query($m: InfluenceMetric) { influenceRanking(scope: {}, metric: $m) { totalCount } }`, map[string]any{"m": "DEGREE"}, 0},
		{`query($m: InfluenceMetric) { influenceRanking(scope: {}, metric: $m) { totalCount } }`, map[string]any{"m": "REACH"}, 1},
		{`{ a: accountMatrix(scope: {}) { level } ...F } fragment F on Query { speakerCandidates(scope: {}) { totalCount } }`, nil, 2},
		{`{ scopeGraph(scope: {}) { graphVersion } }`, nil, 1},
		{`{ neighborhood(center: "P1") { graphVersion } }`, nil, 0},
		{`{ hcp(id: "P1") { name } }`, nil, 0},
	}
	for _, tt := range tests {
		doc, errs := gqlparser.LoadQuery(s, tt.q)
		if errs != nil {
			t.Fatal(errs)
		}
		if got := gqlguard.HeavyFields(doc.Operations[0].SelectionSet, tt.vars); got != tt.want {
			t.Errorf("%s: %d heavy fields, want %d", tt.q, got, tt.want)
		}
	}
}

// TestInFlight: a credential runs at most Max heavy operations at once;
// the next is refused with RATE_LIMITED and a retry hint until one ends;
// other credentials and light operations are not held up.
func TestInFlight(t *testing.T) {
	s := schema(t)
	op := func(q string) context.Context {
		doc, errs := gqlparser.LoadQuery(s, q)
		if errs != nil {
			t.Fatal(errs)
		}
		return graphql.WithOperationContext(context.Background(), &graphql.OperationContext{Operation: doc.Operations[0]})
	}
	heavy := op(`{ influenceRanking(scope: {}, metric: BETWEENNESS) { totalCount } }`)
	light := op(`{ influenceRanking(scope: {}, metric: PAGERANK) { totalCount } }`)
	who := "k1"
	l := &gqlguard.InFlight{Max: 2, Credential: func(context.Context) string { return who }, RetryAfter: 3}
	ran := 0
	next := func(context.Context) graphql.ResponseHandler {
		ran++
		return graphql.OneShot(&graphql.Response{})
	}
	refused := func(h graphql.ResponseHandler) bool {
		resp := h(context.Background())
		if len(resp.Errors) == 0 {
			return false
		}
		ext := resp.Errors[0].Extensions
		if ext["code"] != "RATE_LIMITED" || ext["retryAfter"] != 3 || ext["limit"] != "heavy" {
			t.Errorf("refusal extensions %v", ext)
		}
		return true
	}
	h1, h2 := l.InterceptOperation(heavy, next), l.InterceptOperation(heavy, next) // in flight until answered
	if !refused(l.InterceptOperation(heavy, next)) {
		t.Error("a third heavy operation of the credential ran")
	}
	if refused(l.InterceptOperation(light, next)) {
		t.Error("a light operation was refused")
	}
	who = "k2"
	if refused(l.InterceptOperation(heavy, next)) {
		t.Error("another credential was refused")
	}
	who = "k1"
	h1(context.Background())
	if refused(l.InterceptOperation(heavy, next)) {
		t.Error("refused after one of the two ended")
	}
	h2(context.Background())
	if ran != 5 {
		t.Errorf("%d operations ran, want 5", ran)
	}
}
