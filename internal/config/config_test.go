package config_test

import (
	"errors"
	"flag"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kolgraph/kolgraph/internal/config"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadPrecedence(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want func(config.Config) bool
	}{
		{"defaults", nil, nil, func(c config.Config) bool { return c.Addr == "127.0.0.1:8080" && c.Store == "embedded" && c.Seed }},
		{"env overrides default", nil, map[string]string{"KOLGRAPH_ADDR": ":9999", "KOLGRAPH_SEED": "false"},
			func(c config.Config) bool { return c.Addr == ":9999" && !c.Seed }},
		{"flag overrides env", []string{"-addr", ":7000"}, map[string]string{"KOLGRAPH_ADDR": ":9999"},
			func(c config.Config) bool { return c.Addr == ":7000" }},
		{"duration from env", nil, map[string]string{"KOLGRAPH_REQUEST_TIMEOUT": "3s"},
			func(c config.Config) bool { return c.RequestTimeout == 3*time.Second }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := config.Load(tt.args, env(tt.env), io.Discard)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if !tt.want(got) {
				t.Errorf("got %+v", got)
			}
		})
	}
}

func TestLoadRejects(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"bad env bool", nil, map[string]string{"KOLGRAPH_SEED": "maybe"}, "KOLGRAPH_SEED"},
		{"bad store", []string{"-store", "mysql"}, nil, "store must be"},
		{"bad duration", []string{"-request-timeout", "0s"}, nil, "request-timeout must be positive"},
		{"history max age under keep-all", []string{"-history-max-age", "24h"}, nil, "history-max-age not shorter"},
		{"unknown flag", []string{"-nope"}, nil, "not defined"},
		{"stray argument", []string{"extra"}, nil, "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Load(tt.args, env(tt.env), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got error %v, want one containing %q", err, tt.want)
			}
		})
	}
	if _, err := config.Load([]string{"-h"}, env(nil), io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: got %v, want flag.ErrHelp", err)
	}
}

func TestSecretsMasked(t *testing.T) {
	c, err := config.Load(nil, env(map[string]string{"KOLGRAPH_NEO4J_PASSWORD": "hunter2"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Neo4jPassword != "hunter2" {
		t.Fatalf("password not loaded: %q", c.Neo4jPassword)
	}
	if got := c.Fields()["neo4j-password"]; got != "***" {
		t.Errorf("Fields()[neo4j-password] = %v, want ***", got)
	}
	c, err = config.Load([]string{"-metrics-token", "scrape-me"}, env(nil), io.Discard)
	if err != nil || c.MetricsToken != "scrape-me" {
		t.Fatalf("metrics token not loaded: %q, %v", c.MetricsToken, err)
	}
	if got := c.Fields()["metrics-token"]; got != "***" {
		t.Errorf("Fields()[metrics-token] = %v, want ***", got)
	}
}

// TestReadmeDocumentsEveryOption keeps the README's configuration table from
// drifting: every option must appear with its env name, default and the
// meaning its flag's help gives (the -playground row still said the page
// loaded from a CDN after the playground was bundled).
func TestReadmeDocumentsEveryOption(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, o := range config.Options() {
		def := o.Default
		if def == "" {
			def = "(empty)"
		}
		row := "| `-" + o.Flag + "` | `" + o.Env + "` | `" + def + "` | " + o.Usage + " |\n"
		if !strings.Contains(readme, row) {
			t.Errorf("README lacks the row %s", row)
		}
	}
}

// TestLoadFlagsWithCommandFlags: a subcommand's own flags and the
// configuration's mix on one command line; the environment sets only the
// configuration's.
func TestLoadFlagsWithCommandFlags(t *testing.T) {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	territory := fs.String("territory", "", "")
	env := map[string]string{"KOLGRAPH_TERRITORY": "T09", "KOLGRAPH_STORE": "neo4j"}
	c, err := config.LoadFlags(fs, []string{"-territory", "T01", "-data-dir", "/tmp/x"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if *territory != "T01" || c.DataDir != "/tmp/x" || c.Store != "neo4j" {
		t.Errorf("territory %q, data dir %q, store %q; want T01, /tmp/x, neo4j", *territory, c.DataDir, c.Store)
	}
	fs = flag.NewFlagSet("report", flag.ContinueOnError)
	territory = fs.String("territory", "", "")
	if _, err := config.LoadFlags(fs, nil, func(k string) string { return env[k] }); err != nil || *territory != "" {
		t.Errorf("territory %q from the environment (err %v); only configuration flags read it", *territory, err)
	}
}

// TestReadmeLimitsTable: the defaults in the README's table of query
// limits ("| cost | `-max-complexity` | 250000 | ...") are the code's.
func TestReadmeLimitsTable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	defaults := map[string]string{}
	for _, o := range config.Options() {
		defaults[o.Flag] = o.Default
	}
	rows := regexp.MustCompile("(?m)^\\| [a-z]+ \\| `-([a-z-]+)` \\| ([^|]+?) \\|").FindAllStringSubmatch(string(b), -1)
	if len(rows) < 5 {
		t.Fatalf("found %d rows of the limits table, want 5", len(rows))
	}
	for _, r := range rows {
		got := strings.ReplaceAll(r[2], ",", "")
		if n, ok := strings.CutSuffix(got, " MiB"); ok {
			v, _ := strconv.Atoi(n)
			got = strconv.Itoa(v << 20)
		}
		if want, ok := defaults[r[1]]; !ok || got != want {
			t.Errorf("README's limits table: -%s defaults to %q, the code to %q", r[1], r[2], want)
		}
	}
}

// TestPathIDKey: the key is masked when logged and refused under 32 bytes.
func TestPathIDKey(t *testing.T) {
	key := strings.Repeat("k", 32)
	c, err := config.Load(nil, env(map[string]string{"KOLGRAPH_PATH_ID_KEY": key}), io.Discard)
	if err != nil || c.PathIDKey != key {
		t.Fatalf("loaded %q, %v", c.PathIDKey, err)
	}
	if got := c.Fields()["path-id-key"]; got != "***" {
		t.Errorf("Fields()[path-id-key] = %v, want ***", got)
	}
	if _, err := config.Load([]string{"-path-id-key", key[:31]}, env(nil), io.Discard); err == nil || !strings.Contains(err.Error(), "path-id-key") {
		t.Errorf("a 31-byte key: %v, want an error", err)
	}
}
