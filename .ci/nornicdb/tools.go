//go:build tools

// Package tools pins the NornicDB server that CI uses as a Bolt-speaking
// stand-in for Neo4j. It is a separate module so that NornicDB's ~350
// dependencies (and its own gqlgen pin) never enter kolgraph's go.mod.
package tools

import _ "github.com/orneryd/nornicdb/cmd/nornicdb"
