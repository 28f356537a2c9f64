package main

import (
	"encoding/base64"
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
