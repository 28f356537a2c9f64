package gqlhttp_test

import (
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/gqlhttp"
)

func TestNegotiate(t *testing.T) {
	const gr, js = gqlhttp.MediaGraphQLResponse, gqlhttp.MediaJSON
	tests := []struct {
		accept string
		want   string
		ok     bool
	}{
		{"", js, true},
		{"*/*", js, true},
		{"application/*", js, true},
		{"application/json", js, true},
		{"application/graphql-response+json", gr, true},
		{"application/graphql-response+json; charset=utf-8, application/json; charset=utf-8", gr, true},
		{"application/json, application/graphql-response+json", js, true},
		{"application/json;q=0.5, application/graphql-response+json", gr, true},
		{"text/html, application/graphql-response+json;q=0.1", gr, true},
		{"application/json; charset=latin1, */*;q=0.1", js, true},
		{"application/graphql-response+json; charset=latin1", "", false},
		{"text/html", "", false},
		{"application/json;q=0", "", false},
		{"application/json;q=nope", "", false},
		{";;;", "", false},
	}
	for _, tt := range tests {
		got, ok := gqlhttp.Negotiate(tt.accept)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Negotiate(%q) = %q, %v; want %q, %v", tt.accept, got, ok, tt.want, tt.ok)
		}
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		body, query, err string
	}{
		{`{"query":"{ a }","variables":{"n":1},"extensions":null,"operationName":null}`, "{ a }", ""},
		{`{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"ab"}}}`, "", ""},
		{``, "", "not valid JSON"},
		{`{"query":`, "", "not valid JSON"},
		{`[{"query":"{ a }"}]`, "", "must be a JSON object"},
		{`{"query":1}`, "", "query is a JSON number"},
		{`{"query":"{ a }","variables":[7]}`, "", "variables is a JSON array"},
		{`{"query":"{ a }"} {}`, "", "more than one JSON value"},
		{`{"qeury":"{ a }"}`, "", "no query"},
	}
	for _, tt := range tests {
		p, err := gqlhttp.Decode(strings.NewReader(tt.body))
		switch {
		case tt.err == "" && err != nil:
			t.Errorf("Decode(%s): %v", tt.body, err)
		case tt.err == "" && p.Query != tt.query:
			t.Errorf("Decode(%s).Query = %q, want %q", tt.body, p.Query, tt.query)
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("Decode(%s) error %v, want one saying %q", tt.body, err, tt.err)
		}
	}
}
