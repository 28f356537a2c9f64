// Package seed embeds the committed sample region, so that the service can
// load it with no files around it (kolgraph serve on an empty store). The
// files are generated: go run ./cmd/kolgraph generate -out seed. See
// README.md for the format.
package seed

import "embed"

// FS holds the region's CSV files at its root, as seedfile.Read expects.
//
//go:embed *.csv
var FS embed.FS

// Changes is the region's dated tie changes (seedfile.ChangesFile), which
// the service replays when it seeds an empty store, so that a fresh start
// has an influence history; it is not part of FS, which imports read.
//
//go:embed history/influence_changes.csv
var Changes []byte
