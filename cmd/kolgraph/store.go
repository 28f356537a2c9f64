package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/neo4jstore"
)

// openStore opens the configured store.
func (m *Main) openStore(ctx context.Context) (kolgraph.Store, error) {
	switch m.Config.Store {
	case "embedded":
		if err := os.MkdirAll(m.Config.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		path := filepath.Join(m.Config.DataDir, "kolgraph.db")
		st, err := embedded.Open(path)
		if err != nil {
			return nil, fmt.Errorf("open embedded store %s: %w", path, err)
		}
		return st, nil
	case "neo4j":
		st, err := neo4jstore.Open(ctx, neo4jstore.Config{
			URI:      m.Config.Neo4jURI,
			User:     m.Config.Neo4jUser,
			Password: m.Config.Neo4jPassword,
			Database: m.Config.Neo4jDatabase,
			Timeout:  m.Config.Neo4jTimeout,
		})
		if err != nil {
			return nil, fmt.Errorf("open neo4j store: %w", err)
		}
		return st, nil
	default:
		return nil, fmt.Errorf("store %q is not available", m.Config.Store)
	}
}
