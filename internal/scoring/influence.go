// Package scoring turns graph centralities and role priors into the numbers a
// key-account team acts on: the influence score with its explanation, and
// rankings of every metric within a scope.
package scoring

import (
	"math"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// Metric names a ranking metric (the GraphQL InfluenceMetric values).
type Metric string

// The metrics. Definitions are pinned in DESIGN.md ("Metric definitions").
const (
	Influence   Metric = "INFLUENCE"
	PageRank    Metric = "PAGERANK"
	Betweenness Metric = "BETWEENNESS"
	Reach       Metric = "REACH"
	Eigenvector Metric = "EIGENVECTOR"
	Degree      Metric = "DEGREE"
)

// Metrics lists every metric.
var Metrics = []Metric{Influence, PageRank, Betweenness, Reach, Eigenvector, Degree}

// Weights of the influence blend. The score is
//
//	INFLUENCE(v) = sum_i w_i * c_i(v) / sum_i w_i
//
// where the centrality components c_i (PAGERANK, BETWEENNESS, REACH, weighted
// out-DEGREE) are min-max normalised within the scope, and the role priors
// (position, committee seat, KOL level) are fixed values in [0,1] (see
// PositionPrior, SeatPrior, KOLPrior). Every c_i is in [0,1], so the score is.
type Weights struct {
	PageRank    float64 `json:"pagerank"`
	Betweenness float64 `json:"betweenness"`
	Reach       float64 `json:"reach"`
	Degree      float64 `json:"degree"`
	Position    float64 `json:"position"`
	Committee   float64 `json:"committee"`
	KOL         float64 `json:"kol"`
}

// DefaultWeights put most of the weight on structure (how much a person sways
// people who sway others: PageRank and reach), and a third on the formal
// roles that give a person a say regardless of ties.
func DefaultWeights() Weights {
	return Weights{PageRank: 0.30, Betweenness: 0.10, Reach: 0.20, Degree: 0.10, Position: 0.15, Committee: 0.10, KOL: 0.05}
}

func (w Weights) sum() float64 {
	return w.PageRank + w.Betweenness + w.Reach + w.Degree + w.Position + w.Committee + w.KOL
}

// Validate rejects negative or all-zero weights.
func (w Weights) Validate() error {
	for _, x := range []float64{w.PageRank, w.Betweenness, w.Reach, w.Degree, w.Position, w.Committee, w.KOL} {
		if x < 0 || math.IsNaN(x) || math.IsInf(x, 0) {
			return kolgraph.Errorf(kolgraph.EINVALID, "influence weights must be finite and non-negative")
		}
	}
	if w.sum() == 0 {
		return kolgraph.Errorf(kolgraph.EINVALID, "influence weights must not all be zero")
	}
	return nil
}

// PositionPrior is the say a position gives in a hospital's decisions.
var PositionPrior = map[string]float64{
	"president":         1.0,
	"pharmacy_director": 0.9,
	"vice_president":    0.8,
	"department_head":   0.8,
	"deputy_head":       0.5,
}

// SeatPrior values a committee seat by role and by how much the committee
// decides on medicines: a P&T (formulary) chair has the most say.
func SeatPrior(kind, role string) float64 {
	r := map[string]float64{"chair": 1.0, "secretary": 0.7, "member": 0.5}[role]
	k := map[string]float64{kolgraph.CommitteePT: 1.0, kolgraph.CommitteeProcurement: 0.8,
		kolgraph.CommitteeDRG: 0.7, kolgraph.CommitteeEthics: 0.4}[kind]
	return r * k
}

// KOLPrior values a KOL level.
var KOLPrior = map[string]float64{kolgraph.KOLNational: 1.0, kolgraph.KOLRegional: 0.7, kolgraph.KOLLocal: 0.4}

// rolePriors returns the position, committee and KOL priors of node v.
func rolePriors(s *snapshot.Snapshot, v int32) (pos, seat, kol float64) {
	h := s.HCPs[v]
	for _, st := range s.Seats[v] {
		seat = max(seat, SeatPrior(st.Committee.Kind, st.Role))
	}
	return PositionPrior[h.Position], seat, KOLPrior[h.KOLLevel]
}

// Component is one term of an influence score.
type Component struct {
	Name         string
	Raw          float64 // the metric's own value (for priors: the prior)
	Normalized   float64 // in [0,1] within the scope
	Weight       float64 // relative weight (weights sum to 1)
	Contribution float64 // Weight * Normalized
}
