package model

import "github.com/kolgraph/kolgraph/internal/kolgraph"

// RankedHCP is one entry of a ranking; the HCP record is loaded lazily (and
// batched) only when the query asks for it.
type RankedHCP struct {
	Rank       int
	Value      float64
	Percentile float64
	HCPID      string
}

// InfluenceContribution is an edge that explains a score; its record (kind,
// evidence) is loaded lazily.
type InfluenceContribution struct {
	Key          kolgraph.EdgeKey
	Contribution float64
}
