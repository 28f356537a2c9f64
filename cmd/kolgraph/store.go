package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kolgraph/kolgraph/internal/embedded"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
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
	default:
		return nil, fmt.Errorf("store %q is not available", m.Config.Store)
	}
}
