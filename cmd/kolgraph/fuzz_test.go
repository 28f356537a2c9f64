package main

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// FuzzMutationInput sends arbitrary upsertInfluence and upsertHCP inputs
// through the HTTP handler to a seeded store. Every answer must be a
// success or a coded client error (never INTERNAL, never a panic); a
// success must have written exactly the input, with the weight in (0,1].
//
//	go test -run '^$' -fuzz FuzzMutationInput -fuzztime 30s ./cmd/kolgraph/
func FuzzMutationInput(f *testing.F) {
	f.Add("P000001", "P000002", 0.5, "mentor", "met at congress", "P800100", "新医生", "physician", "D001-01", "regional", "+86 1")
	f.Add("P000001", "P000001", 1.5, "friend", "=cmd", "P 1", "", "surgeon", "D999", "global", "@x")
	f.Add("", "P000002", math.SmallestNonzeroFloat64, "co_author", "\x00", "P800101", "\xff", "nurse", "D001-02", "", "")
	f.Add("P000003", "P999999", -1.0, "reports_to", "", "P800102", "x", "pharmacist", "D002-01", "local", "123")
	f.Fuzz(func(t *testing.T, from, to string, weight float64, kind, evidence, id, name, role, dept, kol, phone string) {
		if math.IsNaN(weight) || math.IsInf(weight, 0) {
			return // not representable in JSON: the client cannot send it
		}
		// JSON carries invalid UTF-8 as U+FFFD: compare with what was sent.
		from, to, kind, evidence = sent(from), sent(to), sent(kind), sent(evidence)
		id, name, role, dept, kol, phone = sent(id), sent(name), sent(role), sent(dept), sent(kol), sent(phone)
		w := writeService(t)
		h := w.Handler()
		var out struct {
			UpsertInfluence struct {
				Influence struct {
					Weight   float64
					Kind     string
					Evidence *string
				}
			}
		}
		resp := query(t, h, `mutation($in: InfluenceInput!) { upsertInfluence(input: $in) { influence { weight kind evidence } } }`,
			map[string]any{"in": map[string]any{"from": from, "to": to, "weight": weight, "kind": kind, "evidence": evidence}}, &out)
		checkCoded(t, resp)
		if len(resp.Errors) == 0 {
			if weight <= 0 || weight > 1 {
				t.Fatalf("accepted weight %v", weight)
			}
			got, err := w.Store.Influences(t.Context(), []kolgraph.EdgeKey{{From: from, To: to}})
			if err != nil || got[0] == nil || got[0].Weight != weight || got[0].Kind != kind || got[0].Evidence != evidence {
				t.Fatalf("stored edge %+v (%v), want weight %v kind %q evidence %q", got[0], err, weight, kind, evidence)
			}
		}
		resp = query(t, h, `mutation($in: HCPInput!) { upsertHCP(input: $in) { hcp { id name } } }`,
			map[string]any{"in": map[string]any{"id": id, "name": name, "role": role, "department": dept,
				"kolLevel": kol, "phone": phone}}, nil)
		checkCoded(t, resp)
		if len(resp.Errors) == 0 {
			got, err := w.Store.HCPs(t.Context(), []string{id})
			if err != nil || got[0] == nil || got[0].Name != name || got[0].Role != role || got[0].KOLLevel != kol {
				t.Fatalf("stored HCP %+v (%v), want the input", got[0], err)
			}
		}
	})
}

func sent(s string) string {
	b, _ := json.Marshal(s)
	var out string
	_ = json.Unmarshal(b, &out)
	return out
}

// checkCoded fails on errors that are not the client's.
func checkCoded(t *testing.T, resp gqlResponse) {
	t.Helper()
	for _, c := range resp.codes() {
		switch c {
		case kolgraph.EINVALID, kolgraph.ENOTFOUND, kolgraph.ECONFLICT, "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED":
		default:
			t.Fatalf("error code %s in %+v", c, resp.Errors)
		}
	}
}
