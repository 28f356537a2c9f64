package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Regression tests for what independent checks found (issue 18), each
// through the service's HTTP handler as a client would send it.

// TestCraftedOffsetCursors: an offset cursor (rankings, matrix members,
// unclassified accounts) that encodeRankCursor could not have made is
// BAD_USER_INPUT, never a panic (INTERNAL); an offset past the end is an
// empty page.
func TestCraftedOffsetCursors(t *testing.T) {
	h := svc.Handler()
	viewer := bearer(t, "U006", auth.RoleViewer, []string{"T01"})
	cur := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	fields := map[string]string{
		"ranking":      `query($a: String) { influenceRanking(scope: {hospital: "H001"}, after: $a) { edges { cursor } pageInfo { hasNextPage } } }`,
		"members":      `query($a: String) { accountMatrix(scope: {hospital: "H001"}) { cell(segment: D) { members(after: $a) { edges { cursor } } } } }`,
		"unclassified": `query($a: String) { accountMatrix(scope: {hospital: "H001"}) { unclassified(after: $a) { edges { cursor } } } }`,
	}
	for name, q := range fields {
		for _, bad := range []string{"r1:9223372036854775807", "r1:9223372036854775806", "r1:2147483648", "r1:-1", "r1:+3", "r1:03", "r1: 3", "r1:", "c1:P000001", "r1:1e3"} {
			x := ask(t, h, viewer, q, map[string]any{"a": cur(bad)})
			if !slices.Equal(x.codes(), []string{kolgraph.EINVALID}) {
				t.Errorf("%s after %q: got %d %.300s, want one BAD_USER_INPUT", name, bad, x.status, x.body)
			}
		}
		x := ask(t, h, viewer, q, map[string]any{"a": cur("r1:2147483647")})
		if len(x.resp.Errors) > 0 || strings.Contains(string(x.body), `"cursor"`) {
			t.Errorf("%s after the largest offset: got %.300s, want an empty page", name, x.body)
		}
	}
}

// TestEmptyIDsRefused: an empty string is never an id, so it never means
// "not given": every ID argument, input field and list element refuses it.
func TestEmptyIDsRefused(t *testing.T) {
	writesShared(t)
	h := svc.Handler()
	viewer := bearer(t, "U006", auth.RoleViewer, []string{"T01"})
	for _, q := range []string{
		`{ influenceRanking(scope: {hospital: ""}) { totalCount } }`,
		`{ influenceRanking(scope: {hospital: "", territory: "T01"}) { totalCount } }`,
		`{ influenceRanking(scope: {department: ""}) { totalCount } }`,
		`{ hcps(filter: {hospital: ""}) { totalCount } }`,
		`{ hcps(filter: {territory: ""}) { totalCount } }`,
		`{ hcps(filter: {department: ""}) { totalCount } }`,
		`{ hospitals(filter: {territory: ""}) { totalCount } }`,
		`{ hcp(id: "") { id } }`,
		`{ node(id: "") { id } }`,
		`{ strongestPaths(from: [""], to: "P000001") { id } }`,
		`{ strongestPaths(from: ["P000002"], to: "P000001", avoid: [""]) { id } }`,
		`{ decisionChain(hospital: "H001", product: "") { stages { order } } }`,
		`{ accountMatrix(scope: {territory: "T01"}, product: "") { classifiedCount } }`,
		`{ influencePath(id: "") { id } }`,
		`{ auditLog(entity: "") { edges { cursor } } }`,
	} {
		x := ask(t, h, viewer, q, nil)
		if !slices.Equal(x.codes(), []string{kolgraph.EINVALID}) {
			t.Errorf("%s: got %d %.300s, want one BAD_USER_INPUT", q, x.status, x.body)
		}
	}
	// The same through variables, and in a mutation's input.
	x := ask(t, h, viewer, `query($h: ID) { hcps(filter: {hospital: $h}) { totalCount } }`, map[string]any{"h": ""})
	if !slices.Equal(x.codes(), []string{kolgraph.EINVALID}) {
		t.Errorf("variable: got %.300s", x.body)
	}
	x = ask(t, h, "", `mutation { upsertKnows(input: {user: "U001", hcp: "", strength: 0.5}) { changed } }`, nil)
	if !slices.Equal(x.codes(), []string{kolgraph.EINVALID}) {
		t.Errorf("mutation input: got %.300s", x.body)
	}
	// Omitting the argument still means "not given".
	x = ask(t, h, viewer, `{ hcps(filter: {}) { totalCount } }`, nil)
	if len(x.resp.Errors) > 0 {
		t.Errorf("no filter: %.300s", x.body)
	}
}

// objects counts the JSON objects of a response's data: what the service
// built and sent.
func objects(v any) int {
	switch x := v.(type) {
	case map[string]any:
		n := 1
		for _, e := range x {
			n += objects(e)
		}
		return n
	case []any:
		n := 0
		for _, e := range x {
			n += objects(e)
		}
		return n
	}
	return 0
}

// charged returns the cost the complexity limit puts on q: the service is
// asked with a limit of 1, and the refusal states the cost.
func charged(t *testing.T, q string) int {
	t.Helper()
	m := *svc
	m.Config.MaxComplexity = 1
	x := ask(t, m.Handler(), "", q, nil)
	var cost, limit int
	if len(x.resp.Errors) != 1 || x.resp.Errors[0].Extensions["limit"] != "complexity" {
		t.Fatalf("%s: not refused on complexity: %.300s", q, x.body)
	}
	if _, err := fmt.Sscanf(x.resp.Errors[0].Message, "the operation's complexity is %d; at most %d is allowed", &cost, &limit); err != nil {
		t.Fatalf("refusal %q: %v", x.resp.Errors[0].Message, err)
	}
	return cost
}

// TestListsChargedForWhatTheyReturn: the cost limit charges every list for
// what it can return, so no answer holds more objects than its request was
// charged for. first: 0 returns nothing (it returned 500 items, charged as
// none); the heat map's cells are charged by the scope's accounts (they
// were charged as 10); the same for the other lists without `first`.
func TestListsChargedForWhatTheyReturn(t *testing.T) {
	h := svc.Handler()
	x := ask(t, h, bearer(t, "U006", auth.RoleViewer, []string{"T01"}), `{ hcps(first: 0) { totalCount edges { node { id } } pageInfo { hasNextPage } } }`, nil)
	var zero struct {
		Hcps struct {
			TotalCount int
			Edges      []any
			PageInfo   struct{ HasNextPage bool }
		}
	}
	if err := json.Unmarshal(x.resp.Data, &zero); err != nil || len(x.resp.Errors) > 0 {
		t.Fatalf("first 0: %.300s", x.body)
	}
	if len(zero.Hcps.Edges) != 0 || zero.Hcps.TotalCount == 0 || !zero.Hcps.PageInfo.HasNextPage {
		t.Errorf("first 0: %d edges, totalCount %d, hasNextPage %v; want none, all, true", len(zero.Hcps.Edges), zero.Hcps.TotalCount, zero.Hcps.PageInfo.HasNextPage)
	}
	for _, q := range []string{
		`{ hcps(first: 0) { edges { node { id } } } }`,
		`{ hospitals(first: 0) { edges { node { id hcps(first: 0) { edges { node { id } } } } } } }`,
		`{ accountMatrix(scope: {territory: "T01"}) { heatMap { cells { id hcp { id } } } } }`,
		`{ accountMatrix(scope: {territory: "T01"}, level: DEPARTMENT) { heatMap { cells { id department { id } } } pareto { leaders { id } } } }`,
		`{ accountMatrix(scope: {hospital: "H001"}, level: HOSPITAL) { pareto { leaders { id } } cells { segment } } }`,
		`{ hospital(id: "H001") { departments { id hcps { id committees { committee { id members { hcp { id } } } } } } committees { id } listings { status } } }`,
		`{ decisionChain(hospital: "H001", product: "RX01") { stages { people { hcp { id } path { hops { weight } } } } } }`,
		`{ products { id } territories { id } }`,
		`{ hcp(id: "P000001") { influence { components { name } topOutgoing { contribution } topIncoming { contribution } parameters { name } } } }`,
		`{ influenceRanking(scope: {hospital: "H001"}, first: 5) { edges { node { rank } } parameters { name } } }`,
		`{ strongestPaths(from: ["P000702"], to: "P004488", k: 5) { hops { weight } } }`,
	} {
		var data any
		x := ask(t, h, "", q, nil)
		if len(x.resp.Errors) > 0 {
			t.Errorf("%s: %.300s", q, x.body)
			continue
		}
		if err := json.Unmarshal(x.resp.Data, &data); err != nil {
			t.Fatal(err)
		}
		if got, cost := objects(data), charged(t, q); got > cost {
			t.Errorf("%s: the answer holds %d objects, the request was charged %d", q, got, cost)
		}
	}
}

// TestAuditLogContactData: HCP records in the audit log follow the rule of
// live reads field by field. The compliance role, which may not read
// contact data, gets each value masked; a role that may gets the values,
// and that read is recorded like any other contact read.
func TestAuditLogContactData(t *testing.T) {
	writesShared(t)
	h := svc.Handler()
	admin := bearer(t, "U001", auth.RoleAdmin, nil)
	// An HCP created, changed and deleted: a create, an update and a
	// delete record, each with contact data.
	const id = "P990008"
	secrets := []string{"+86 139 0000 9908", "+86 139 0000 9909", "audit.probe@example.cn", "probe_wx_9908"}
	upsert := `mutation($phone: String) { upsertHCP(input: {id: "` + id + `", name: "审计 探针", role: "physician", department: "D001-01",
		phone: $phone, email: "audit.probe@example.cn", wechat: "probe_wx_9908"}) { changed } }`
	mustQueryAuth(t, h, admin, upsert, map[string]any{"phone": secrets[0]}, nil)
	mustQueryAuth(t, h, admin, upsert, map[string]any{"phone": secrets[1]}, nil)
	mustQueryAuth(t, h, admin, `mutation { deleteHCP(id: "`+id+`") { deleted } }`, nil, nil)

	const q = `query auditOfHCP($id: ID!) { auditLog(entity: $id, kind: HCPS, first: 500) { edges { node { op before after } } } }`
	type entry struct{ Op, Before, After string }
	records := func(authz string) []entry {
		var got struct {
			AuditLog struct{ Edges []struct{ Node entry } }
		}
		mustQueryAuth(t, h, authz, q, map[string]any{"id": id}, &got)
		var out []entry
		for _, e := range got.AuditLog.Edges {
			if e.Node.Op != "read" {
				out = append(out, e.Node)
			}
		}
		if len(out) != 3 {
			t.Fatalf("the audit log holds %d records of %s, want 3: %+v", len(out), id, out)
		}
		return out
	}

	reads := len(readsOf(t, h, id))
	for _, e := range records(bearer(t, "U003", auth.RoleCompliance, nil)) {
		for _, rec := range []string{e.Before, e.After} {
			for _, s := range secrets {
				if strings.Contains(rec, s) {
					t.Errorf("compliance sees contact data %q in %s", s, rec)
				}
			}
			if rec != "" && (!strings.Contains(rec, `"phone":"***"`) || !strings.Contains(rec, `"wechat":"***"`) || !strings.Contains(rec, `"name":"审计 探针"`)) {
				t.Errorf("want the contact fields masked and the rest as stored: %s", rec)
			}
		}
	}
	if got := readsOf(t, h, id); len(got) != reads {
		t.Errorf("masked audit records were recorded as reads: %+v", got[reads:])
	}

	all := ""
	for _, e := range records(admin) {
		all += e.Before + e.After
	}
	for _, s := range secrets {
		if !strings.Contains(all, s) {
			t.Errorf("the admin does not see %q in the audit records", s)
		}
	}
	got := readsOf(t, h, id)[reads:]
	want := auditedRead{"U001", "query auditOfHCP", "read", `{"fields":["email","phone","wechat"]}`, ""}
	if len(got) != 1 || (func() auditedRead { g := got[0]; g.GraphVersion = ""; return g })() != want {
		t.Errorf("reading contact data through the audit log: recorded %+v, want %+v", got, want)
	}
}

// TestRankingReportsWhatItUsed: a ranking states only the parameters of its
// metric (betweenness fields are null where betweenness plays no part;
// EIGENVECTOR gives its tolerance and iteration limit), and its percentiles
// are 100 x (HCPs of the scope with a strictly lower value) / (n - 1), as
// the schema says.
func TestRankingReportsWhatItUsed(t *testing.T) {
	writesShared(t)
	h := svc.Handler()
	type ranking struct {
		TotalCount         int
		BetweennessExact   *bool
		BetweennessSources *int
		Parameters         []struct{ Name, Value string }
		Edges              []struct {
			Node struct {
				Rank              int
				Value, Percentile float64
			}
		}
	}
	get := func(metric string) ranking {
		var got struct{ InfluenceRanking ranking }
		mustQuery(t, h, `query($m: InfluenceMetric) { influenceRanking(scope: {hospital: "H013"}, metric: $m, first: 500) {
			totalCount betweennessExact betweennessSources parameters { name value } edges { node { rank value percentile } } } }`,
			map[string]any{"m": metric}, &got)
		return got.InfluenceRanking
	}
	for _, m := range []string{"INFLUENCE", "PAGERANK", "BETWEENNESS", "REACH", "EIGENVECTOR", "DEGREE"} {
		r := get(m)
		uses := m == "INFLUENCE" || m == "BETWEENNESS"
		if (r.BetweennessExact != nil) != uses || (r.BetweennessSources != nil) != uses {
			t.Errorf("%s: betweennessExact %v, betweennessSources %v; want them set only where betweenness is used", m, r.BetweennessExact, r.BetweennessSources)
		}
		params := map[string]string{}
		for _, p := range r.Parameters {
			params[p.Name] = p.Value
		}
		if m == "EIGENVECTOR" && (params["eigenvector.tolerance"] != "1e-06" || params["eigenvector.maxIterations"] != "100") {
			t.Errorf("EIGENVECTOR parameters %v: want its tolerance and iteration limit", params)
		}
		if m == "PAGERANK" && (params["pagerank.tolerance"] != "1e-10" || params["pagerank.maxIterations"] != "200") {
			t.Errorf("PAGERANK parameters %v", params)
		}
		n := len(r.Edges)
		if n != r.TotalCount || n < 3 {
			t.Fatalf("%s: %d edges of %d", m, n, r.TotalCount)
		}
		for _, e := range r.Edges {
			lower := 0
			for _, o := range r.Edges {
				if o.Node.Value < e.Node.Value {
					lower++
				}
			}
			if want := 100 * float64(lower) / float64(n-1); math.Abs(e.Node.Percentile-want) > 1e-9 {
				t.Errorf("%s rank %d: percentile %v, want 100 x %d / %d = %v", m, e.Node.Rank, e.Node.Percentile, lower, n-1, want)
				break
			}
		}
	}
}

// TestKnowsTiesBelongToTheirUser: a kam writes only its own KNOWS ties
// (they start its access paths and citations); other users' ties are
// FORBIDDEN and unchanged, by mutation or import. An admin writes anyone's.
func TestKnowsTiesBelongToTheirUser(t *testing.T) {
	writesShared(t)
	h := svc.Handler()
	r, kam := kamRegion(t) // U004, kam of T01
	hcp := r.inHCPs[len(r.inHCPs)-1]
	admin := bearer(t, "U001", auth.RoleAdmin, nil)
	tie := func(user string) string {
		return `mutation { upsertKnows(input: {user: "` + user + `", hcp: "` + hcp + `", strength: 0.42}) { changed knows { user { id name role } } } }`
	}
	for _, q := range []string{
		tie("U001"),
		tie("U005"),
		`mutation { deleteKnows(user: "U005", hcp: "` + hcp + `") { deleted } }`,
		`mutation { deleteKnows(user: "U001", hcp: "` + hcp + `") { deleted } }`,
	} {
		x := ask(t, h, kam, q, nil)
		if !slices.Equal(x.codes(), []string{kolgraph.EFORBIDDEN}) || strings.Contains(string(x.body), `"role"`) {
			t.Errorf("kam: %s\ngot %.400s, want FORBIDDEN and no user record", q, x.body)
		}
	}
	x := ask(t, h, kam, `mutation($f: [ImportFile!]!) { importRegion(format: CSV, files: $f) { changed } }`, map[string]any{
		"f": []map[string]any{{"name": "knows.csv", "content": "user_id,hcp_id,strength\nU004," + hcp + ",0.5\nU005," + hcp + ",0.9\n"}}})
	if !slices.Equal(x.codes(), []string{kolgraph.EFORBIDDEN}) {
		t.Errorf("kam importing another user's tie: got %.400s, want FORBIDDEN", x.body)
	}
	// The kam's own tie, and an admin's write of another user's.
	for _, c := range []struct{ authz, user string }{{kam, "U004"}, {admin, "U005"}} {
		mustQueryAuth(t, h, c.authz, tie(c.user), nil, nil)
		mustQueryAuth(t, h, c.authz, `mutation { deleteKnows(user: "`+c.user+`", hcp: "`+hcp+`") { deleted } }`, nil, nil)
	}
	// A kam deleting an HCP of its territory still takes other users' ties
	// to it along: it did not ask to write them.
	var dept struct {
		Hcp struct{ Department struct{ ID string } }
	}
	mustQueryAuth(t, h, kam, `{ hcp(id: "`+hcp+`") { department { id } } }`, nil, &dept)
	mustQueryAuth(t, h, kam, `mutation { upsertHCP(input: {id: "P990009", name: "临时", role: "physician", department: "`+dept.Hcp.Department.ID+`"}) { changed } }`, nil, nil)
	mustQueryAuth(t, h, admin, `mutation { upsertKnows(input: {user: "U005", hcp: "P990009", strength: 0.3}) { changed } }`, nil, nil)
	var del struct {
		DeleteHCP struct {
			Deleted bool
			Counts  []struct {
				Kind    string
				Deleted int
			}
		}
	}
	mustQueryAuth(t, h, kam, `mutation { deleteHCP(id: "P990009") { deleted counts { kind deleted } } }`, nil, &del)
	knows := 0
	for _, c := range del.DeleteHCP.Counts {
		if c.Kind == "KNOWS" {
			knows = c.Deleted
		}
	}
	if !del.DeleteHCP.Deleted || knows != 1 {
		t.Errorf("kam deleting an HCP another user knows: %+v, want deleted with 1 KNOWS tie", del.DeleteHCP)
	}
}

// TestFormulaTextOneRule: text a spreadsheet would run as a formula is
// refused the same way whether a mutation or an import brings it (imports
// refused it, mutations stored it), including the full-width forms Excel
// reads in CJK locales; an international phone number is not a formula.
func TestFormulaTextOneRule(t *testing.T) {
	writesShared(t)
	h := svc.Handler()
	field := func(x exchange) string {
		if !slices.Equal(x.codes(), []string{kolgraph.EINVALID}) {
			return ""
		}
		ps, _ := x.resp.Errors[0].Extensions["problems"].([]any)
		for _, p := range ps {
			if m, _ := p.(map[string]any); m != nil && strings.Contains(fmt.Sprint(m["message"]), "formula") {
				return fmt.Sprint(m["field"])
			}
		}
		return ""
	}
	hcp := func(name, phone string) string {
		return `mutation { upsertHCP(input: {id: "P990010", name: "` + name + `", role: "physician", department: "D001-01", phone: "` + phone + `"}) { changed } }`
	}
	for _, tc := range []struct{ q, field string }{
		{hcp(`=HYPERLINK(\"http://x\")`, ""), "name"},
		{hcp("＝1+1", ""), "name"},
		{hcp("@SUM(1)", ""), "name"},
		{hcp("王伟", "=1+1"), "phone"},
		{`mutation { upsertInfluence(input: {from: "P000001", to: "P000002", weight: 0.5, kind: "mentor", evidence: "+cmd|' /C calc'!A0"}) { changed } }`, "evidence"},
		{`mutation { upsertProduct(input: {id: "RX99", name: "Probe", indications: ["－1"]}) { changed } }`, "indications"},
	} {
		if got := field(ask(t, h, "", tc.q, nil)); got != tc.field {
			t.Errorf("%s: got a formula problem on %q, want on %q", tc.q, got, tc.field)
		}
	}
	x := ask(t, h, "", `mutation($f: [ImportFile!]!) { importRegion(format: CSV, files: $f, dryRun: true) { changed } }`, map[string]any{
		"f": []map[string]any{{"name": "hospitals.csv", "content": "id,name,tier\nH990,＝1+1,3A\n"}}})
	if got := field(x); got != "name" {
		t.Errorf("import of a full-width formula: got %.300s", x.body)
	}
	mustQuery(t, h, hcp("王伟", "+86 138 0000 0001"), nil, nil)
	mustQuery(t, h, `mutation { deleteHCP(id: "P990010") { deleted } }`, nil, nil)
}
