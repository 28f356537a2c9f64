package neo4jstore_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/neo4jstore"
	"github.com/kolgraph/kolgraph/internal/storetest"
)

// The tests need a Bolt server. CI starts NornicDB with
//
//	eval "$(bash .ci/nornicdb.sh start)"   # prints the KOLGRAPH_TEST_NEO4J_* variables
//	go test ./internal/neo4jstore/
//	bash .ci/nornicdb.sh stop
//
// and a real Neo4j is used the same way: set KOLGRAPH_TEST_NEO4J_URI,
// _USER, _PASSWORD (and optionally _DATABASE). The tests wipe that database.
const howTo = "no Bolt server: run `eval \"$(bash .ci/nornicdb.sh start)\"` from the repository root " +
	"(or set KOLGRAPH_TEST_NEO4J_URI, _USER, _PASSWORD and optionally _DATABASE to a Neo4j whose data may be wiped)"

// testConfig returns the configuration of the test server, or skips t.
func testConfig(t testing.TB) neo4jstore.Config {
	t.Helper()
	uri := os.Getenv("KOLGRAPH_TEST_NEO4J_URI")
	if uri == "" {
		t.Skip(howTo)
	}
	return neo4jstore.Config{
		URI:      uri,
		User:     os.Getenv("KOLGRAPH_TEST_NEO4J_USER"),
		Password: os.Getenv("KOLGRAPH_TEST_NEO4J_PASSWORD"),
		Database: os.Getenv("KOLGRAPH_TEST_NEO4J_DATABASE"),
		Timeout:  20 * time.Second, // a loaded CI machine is slow, not down
	}
}

// storeLabels are the labels a Store writes; wipe deletes their nodes.
var storeLabels = []string{"AccountPlan", "HCP", "Committee", "Department", "Hospital", "Territory", "Product", "User", "PrescriptionFact", "Interaction", "AccountOwner", "Activity", "KolgraphMeta"}

// wipe deletes every node the store owns (and so every relationship), in
// batches of ids so that a large leftover graph does not make one huge
// transaction, and through the id index: a label-less or elementId-based
// delete scans the whole database per batch on NornicDB. Nodes with other
// labels are left alone; use a database dedicated to these tests anyway.
func wipe(t testing.TB, cfg neo4jstore.Config) {
	t.Helper()
	ctx := context.Background()
	d, err := neo4j.NewDriverWithContext(cfg.URI, neo4j.BasicAuth(cfg.User, cfg.Password, ""))
	if err != nil {
		t.Fatalf("wipe: %v", err)
	}
	defer d.Close(ctx)
	db := neo4j.ExecuteQueryWithDatabase(cfg.Database)
	// Audit entries have no id and are never deleted by the store: no
	// index bug to avoid.
	for _, q := range []string{"MATCH (n:AuditEntry) DELETE n"} {
		if _, err := neo4j.ExecuteQuery(ctx, d, q, nil, neo4j.EagerResultTransformer, db); err != nil {
			t.Fatalf("wipe: %s: %v", q, err)
		}
	}
	for _, l := range storeLabels {
		res, err := neo4j.ExecuteQuery(ctx, d, "MATCH (n:"+l+") RETURN n.id", nil, neo4j.EagerResultTransformer, db)
		if err != nil {
			t.Fatalf("wipe %s: %v", l, err)
		}
		ids := make([]any, 0, len(res.Records))
		for _, r := range res.Records {
			ids = append(ids, r.Values[0])
		}
		// In chunks (a large leftover graph would make one huge
		// transaction), removing the ids first as the store does (see
		// deleteNodes).
		for len(ids) > 0 {
			chunk := ids[:min(len(ids), 500)]
			ids = ids[len(chunk):]
			mark := fmt.Sprintf("wipe-%d-%d", time.Now().UnixNano(), len(ids))
			for _, q := range []string{
				"MATCH (n:" + l + ") WHERE n.id IN $ids SET n.kolgraphDeleted = $mark REMOVE n.id",
				"MATCH (n:" + l + ") WHERE n.kolgraphDeleted = $mark DETACH DELETE n",
			} {
				if _, err := neo4j.ExecuteQuery(ctx, d, q, map[string]any{"ids": chunk, "mark": mark}, neo4j.EagerResultTransformer, db); err != nil {
					t.Fatalf("wipe %s: %v", l, err)
				}
			}
		}
		res, err = neo4j.ExecuteQuery(ctx, d, "MATCH (n:"+l+") RETURN n.id, labels(n), keys(n)", nil, neo4j.EagerResultTransformer, db)
		if err != nil {
			t.Fatalf("wipe %s: %v", l, err)
		}
		if len(res.Records) > 0 {
			t.Fatalf("wipe %s: %d nodes left, e.g. %v", l, len(res.Records), res.Records[0].Values)
		}
	}
}

func open(t testing.TB, cfg neo4jstore.Config) *neo4jstore.Store {
	t.Helper()
	s, err := neo4jstore.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestContract(t *testing.T) {
	cfg := testConfig(t)
	storetest.Run(t, storetest.Harness{
		Open: func(t *testing.T) kolgraph.Store {
			wipe(t, cfg)
			return open(t, cfg)
		},
		Reopen: func(t *testing.T, s kolgraph.Store) kolgraph.Store {
			if err := s.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			return open(t, cfg)
		},
	})
}

func TestOpenWrongPassword(t *testing.T) {
	cfg := testConfig(t)
	cfg.Password += "-wrong"
	s, err := neo4jstore.Open(t.Context(), cfg)
	if err == nil {
		s.Close()
		t.Fatal("Open with a wrong password succeeded")
	}
	if !strings.Contains(err.Error(), "authentication failed") {
		t.Errorf("Open with a wrong password: got %v, want an error saying authentication failed", err)
	}
}

func TestOpenNoServer(t *testing.T) {
	// A port nothing listens on: Open fails fast with UNAVAILABLE.
	start := time.Now()
	_, err := neo4jstore.Open(t.Context(), neo4jstore.Config{URI: "bolt://127.0.0.1:1", Timeout: 2 * time.Second})
	if code := kolgraph.ErrorCode(err); code != kolgraph.EUNAVAILABLE {
		t.Errorf("Open without a server: got %v (code %q), want code %q", err, code, kolgraph.EUNAVAILABLE)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Open without a server took %v, want about the 2s timeout at most", d)
	}
}

func TestSchemaIsIdempotent(t *testing.T) {
	cfg := testConfig(t)
	wipe(t, cfg)
	for range 2 {
		s := open(t, cfg)
		if v, err := s.Version(t.Context()); err != nil || v != 0 {
			t.Errorf("Version: got %d, %v; want 0", v, err)
		}
		s.Close()
	}
}
