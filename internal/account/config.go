package account

import (
	"math"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Config gathers every setting of the package. Start from DefaultConfig and
// change what differs; the zero value is not valid.
type Config struct {
	Potential PotentialModel `json:"potential"`
	// GroupInfluence turns the influence of a department's (or hospital's)
	// HCPs into the department's (hospital's).
	GroupInfluence Aggregate `json:"groupInfluence"`
	// Matrices configure the matrix of each level.
	Matrices Matrices      `json:"matrices"`
	HeatMap  HeatMapConfig `json:"heatMap"`
	// ParetoFraction is the share of accounts whose share of potential the
	// Pareto view reports (0.2: "the top 20% of accounts").
	ParetoFraction float64       `json:"paretoFraction"`
	Speakers       SpeakerConfig `json:"speakers"`
}

// DefaultConfig returns the documented defaults of every part.
func DefaultConfig() Config {
	return Config{
		Potential:      DefaultPotentialModel(),
		GroupInfluence: AggregateMax,
		Matrices:       DefaultMatrices(),
		HeatMap:        DefaultHeatMapConfig(),
		ParetoFraction: 0.2,
		Speakers:       DefaultSpeakerConfig(),
	}
}

// Validate checks every part; the error is EINVALID.
func (c Config) Validate() error {
	if err := c.Potential.Validate(); err != nil {
		return err
	}
	if err := c.GroupInfluence.validate(); err != nil {
		return err
	}
	if err := c.Matrices.Validate(); err != nil {
		return err
	}
	if err := c.HeatMap.Validate(); err != nil {
		return err
	}
	if err := validFraction(c.ParetoFraction); err != nil {
		return err
	}
	return c.Speakers.Validate()
}

// Aggregate is how a group's influence comes from its HCPs' influence.
type Aggregate string

// The aggregates.
const (
	// AggregateMax (default): a department sways as much as its strongest
	// voice, usually its head. A sum would reward headcount, which the
	// potential already counts, and so double-count size.
	AggregateMax  Aggregate = "max"
	AggregateSum  Aggregate = "sum"
	AggregateMean Aggregate = "mean"
)

func (a Aggregate) validate() error {
	switch a {
	case AggregateMax, AggregateSum, AggregateMean:
		return nil
	}
	return kolgraph.Errorf(kolgraph.EINVALID, "group influence must be %q, %q or %q (got %q)", AggregateMax, AggregateSum, AggregateMean, a)
}

func (a Aggregate) of(xs []float64) float64 {
	var v float64
	for _, x := range xs {
		switch a {
		case AggregateMax:
			v = math.Max(v, x)
		default:
			v += x
		}
	}
	if a == AggregateMean && len(xs) > 0 {
		v /= float64(len(xs))
	}
	return v
}
