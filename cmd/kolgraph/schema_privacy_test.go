package main

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// syncBuffer is a log sink the handler's goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// withIntrospection is the test service with introspection on or off and
// its log kept.
func withIntrospection(t *testing.T, on bool) (*Main, *syncBuffer) {
	t.Helper()
	m := *svc
	m.Config.Introspection = on
	logs := &syncBuffer{}
	m.Log = zerolog.New(logs).Level(zerolog.InfoLevel)
	return &m, logs
}

// TestIntrospectionOff: with introspection off (the default), an operation
// that asks for the schema, however it is spelled, is the client's error
// (FORBIDDEN, no data, no error-level log line), not an INTERNAL failure;
// __typename still answers. With -introspection the same documents run.
func TestIntrospectionOff(t *testing.T) {
	kam := bearer(t, "U004", auth.RoleKAM, []string{"T01"})
	probes := map[string]string{
		"__schema":        `{ __schema { types { name } } }`,
		"__type":          `{ __type(name: "HCP") { fields { name } } }`,
		"aliased":         `{ s: __schema { queryType { name } } }`,
		"in a fragment":   `{ ...F } fragment F on Query { __schema { queryType { name } } }`,
		"inline fragment": `{ ... on Query { __type(name: "HCP") { name } } }`,
		"beside a field":  `{ graphVersion __type(name: "HCP") { name } }`,
	}
	m, logs := withIntrospection(t, false)
	h := m.Handler()
	for name, q := range probes {
		t.Run(name, func(t *testing.T) {
			x := ask(t, h, kam, q, nil)
			if !slices.Equal(x.codes(), []string{kolgraph.EFORBIDDEN}) || !strings.Contains(x.resp.Errors[0].Message, "introspection is disabled") {
				t.Errorf("got %d %s, want one FORBIDDEN error saying introspection is disabled", x.status, x.body)
			}
			if len(x.resp.Data) > 0 && string(x.resp.Data) != "null" {
				t.Errorf("an answer with data: %s", x.body)
			}
		})
	}
	if l := logs.String(); strings.Contains(l, `"level":"error"`) {
		t.Errorf("refused introspection logged errors:\n%s", l)
	}
	if x := ask(t, h, kam, `{ __typename }`, nil); x.status != 200 || string(x.resp.Data) != `{"__typename":"Query"}` {
		t.Errorf("__typename: %d %s", x.status, x.body)
	}

	on, _ := withIntrospection(t, true)
	oh := on.Handler()
	for name, q := range probes {
		if x := ask(t, oh, kam, q, nil); x.status != 200 || len(x.resp.Errors) > 0 || !bytes.Contains(x.resp.Data, []byte("name")) {
			t.Errorf("%s with introspection on: %d %s", name, x.status, x.body)
		}
	}
}

// TestSuggestionsFollowIntrospection: validation messages suggest names
// ("Did you mean ...?") only when introspection is on; with it off they say
// what is wrong and name nothing the client did not write.
func TestSuggestionsFollowIntrospection(t *testing.T) {
	kam := bearer(t, "U004", auth.RoleKAM, []string{"T01"})
	kinds := []struct {
		kind, q, hidden string
	}{
		{"field", `{ hcp(id: "P000001") { phon } }`, `"phone"`},
		{"query field", `{ auditLo { totalCount } }`, `"auditLog"`},
		{"mutation", `mutation { deleteHC(id: "P000001") { deleted } }`, `"deleteHCP"`},
		{"argument", `{ hcps(frist: 5) { totalCount } }`, `"first"`},
		{"enum value", `{ influenceRanking(scope: {}, metric: PAGERNK) { totalCount } }`, `PAGERANK`},
		{"enum value given as a string", `{ influenceRanking(scope: {}, metric: "PAGERANK") { totalCount } }`, `the enum value`},
		{"input field", `{ hcps(filter: {hospitl: "H001"}) { totalCount } }`, `"hospital"`},
		{"fragment type", `{ hcp(id: "P000001") { ...F } } fragment F on HCp { name }`, `"HCP"`},
		{"selection of subfields", `{ hcp(id: "P000001") { hospital } }`, `hospital { ... }`},
	}
	off, _ := withIntrospection(t, false)
	on, _ := withIntrospection(t, true)
	offH, onH := off.Handler(), on.Handler()
	for _, k := range kinds {
		t.Run(k.kind, func(t *testing.T) {
			x := ask(t, offH, kam, k.q, nil)
			msgs := messages(x)
			if len(x.resp.Errors) == 0 || strings.Contains(msgs, "Did you mean") || strings.Contains(msgs, k.hidden) {
				t.Errorf("introspection off: %s, want an error without suggestions or %s", msgs, k.hidden)
			}
			x = ask(t, onH, kam, k.q, nil)
			msgs = messages(x)
			if !strings.Contains(msgs, "Did you mean") || !strings.Contains(msgs, k.hidden) {
				t.Errorf("introspection on: %s, want a suggestion of %s", msgs, k.hidden)
			}
		})
	}
}

// messages joins an answer's error messages.
func messages(x exchange) string {
	var ms []string
	for _, e := range x.resp.Errors {
		ms = append(ms, e.Message)
	}
	return strings.Join(ms, "\n")
}
