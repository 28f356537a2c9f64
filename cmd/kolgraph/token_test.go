package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/kolgraph/kolgraph/internal/auth"
)

func TestTokenCommand(t *testing.T) {
	getenv := func(k string) string {
		if k == "KOLGRAPH_AUTH_HS256_SECRET" {
			return e2eSecret
		}
		return ""
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"token", "-sub", "U004", "-role", "kam", "-territories", "T01|T02", "-ttl", "8h"}, getenv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(auth.Options{HS256Secret: []byte(e2eSecret)})
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Verify(strings.TrimSpace(out.String()))
	if err != nil {
		t.Fatalf("the issued token does not verify: %v", err)
	}
	if p.Subject != "U004" || p.Role != auth.RoleKAM || strings.Join(p.Territories, ",") != "T01,T02" {
		t.Errorf("got %+v", p)
	}

	out.Reset()
	if err := run(context.Background(), []string{"token", "-api-key", "-sub", "etl", "-role", "viewer", "-territories", "T03"}, getenv, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	key, entry := strings.TrimSpace(strings.TrimPrefix(lines[0], "key:")), strings.TrimSpace(strings.TrimPrefix(lines[1], "entry:"))
	k, err := auth.ParseAPIKey(entry)
	if err != nil {
		t.Fatal(err)
	}
	a, _ = auth.New(auth.Options{APIKeys: []auth.APIKey{k}})
	if p, err := a.Verify(key); err != nil || p.Subject != "etl" {
		t.Errorf("the printed key does not verify against its entry: %v", err)
	}

	for _, args := range [][]string{
		{"token", "-sub", "U004", "-role", "root"},
		{"token", "-sub", "U004", "-role", "kam"}, // no territories
		{"token", "-sub", "U004", "-role", "admin", "-ttl", "9000h"},
	} {
		if err := run(context.Background(), args, getenv, io.Discard, io.Discard); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	if err := run(context.Background(), []string{"token", "-sub", "U001", "-role", "admin"}, func(string) string { return "" }, io.Discard, io.Discard); err == nil {
		t.Error("a token was issued without a signing key")
	}
}
