package account

import (
	"slices"
	"strings"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// BinMode says how heat values are binned.
type BinMode string

// The bin modes.
const (
	// BinQuantile: Bins bins holding about equally many of the positive
	// values; the edges are the percentiles 100*i/Bins (i = 1..Bins-1) of
	// the positive values, by the same interpolation as the matrix.
	BinQuantile BinMode = "quantile"
	// BinFixed: the configured Edges, the same for every scope, so maps of
	// two territories can be compared.
	BinFixed BinMode = "fixed"
)

// HeatMapConfig configures BuildHeatMap.
type HeatMapConfig struct {
	Mode BinMode `json:"mode"`
	// Bins is the number of quantile bins (BinQuantile).
	Bins int `json:"bins"`
	// Edges are the interior bin edges, strictly increasing and positive
	// (BinFixed); they make len(Edges)+1 bins.
	Edges []float64 `json:"edges,omitempty"`
}

// DefaultHeatMapConfig: quintiles, the usual five-colour scale of a heat map,
// each colour holding a fifth of the accounts that have any heat.
func DefaultHeatMapConfig() HeatMapConfig {
	return HeatMapConfig{Mode: BinQuantile, Bins: 5}
}

// Validate checks the bin settings.
func (c HeatMapConfig) Validate() error {
	switch c.Mode {
	case BinQuantile:
		if c.Bins < 1 || c.Bins > 100 {
			return kolgraph.Errorf(kolgraph.EINVALID, "heat map: quantile bins must be 1-100 (got %d)", c.Bins)
		}
	case BinFixed:
		for i, e := range c.Edges {
			if !finite(e) || e <= 0 || (i > 0 && e <= c.Edges[i-1]) {
				return kolgraph.Errorf(kolgraph.EINVALID, "heat map: fixed edges must be positive and strictly increasing (got %v)", c.Edges)
			}
		}
	default:
		return kolgraph.Errorf(kolgraph.EINVALID, "heat map: bin mode must be %q or %q (got %q)", BinQuantile, BinFixed, c.Mode)
	}
	return nil
}

// Bins of a heat cell besides 1..n.
const (
	BinUnknown = -1 // an input is missing
	BinZero    = 0  // no heat at all
)

// HeatCell is one department or HCP of a heat map.
type HeatCell struct {
	Level                 Level    `json:"level"`
	ID                    string   `json:"id"`
	Name                  string   `json:"name"`
	HospitalID            string   `json:"hospitalId"`
	DepartmentID          string   `json:"departmentId"`
	Potential             *float64 `json:"potential"`
	PolicySensitivity     *float64 `json:"policySensitivity"`
	CompetitorPenetration *float64 `json:"competitorPenetration"`
	// Value = Potential x PolicySensitivity x CompetitorPenetration, nil
	// when any factor is unknown.
	Value *float64 `json:"value"`
	// Bin is 1..Bins for positive values, BinZero for 0, BinUnknown for nil.
	Bin     int      `json:"bin"`
	Missing []string `json:"missing,omitempty"`
	Reason  string   `json:"reason,omitempty"`
}

// HeatMap is the heat of every department or HCP of a scope.
type HeatMap struct {
	Level Level   `json:"level"`
	Mode  BinMode `json:"mode"`
	Bins  int     `json:"bins"`
	// Edges are the interior edges used: a positive value v is in bin
	// 1 + #{e in Edges : e <= v}, so bin b holds Edges[b-2] <= v < Edges[b-1]
	// (with Edges[-1] = 0 and Edges[Bins-1] = infinity).
	Edges []float64 `json:"edges"`
	// Min and Max are the smallest and largest positive values (0 if none),
	// for a legend.
	Min float64 `json:"min"`
	Max float64 `json:"max"`
	// Counts[b] is the number of cells in bin b (index 0 = BinZero);
	// Unknown counts the cells in BinUnknown.
	Counts  []int      `json:"counts"`
	Unknown int        `json:"unknown"`
	Cells   []HeatCell `json:"cells"`
}

// BuildHeatMap computes, for each department or HCP account,
//
//	heat = potential x policy sensitivity x competitor penetration
//
// (an HCP takes the factors of their department): the monthly patients
// already on competitors' medicines where payment policy moves prescribing
// most, i.e. where a policy or listing change can shift the most patients.
// Each factor is kept in the cell so a front end can also draw a scatter
// (x = policy sensitivity, y = competitor penetration, size = potential).
// A missing factor makes the value unknown (BinUnknown) with the field
// named; zero heat is BinZero and quantile edges are computed over the
// positive values only, so that irrelevant departments do not collapse the
// scale. Hospital accounts are EINVALID: the factors are per department.
//
// Cells keep the order of accounts. Cost: O(n log n).
func BuildHeatMap(cfg HeatMapConfig, accounts []Account) (*HeatMap, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	hm := &HeatMap{Mode: cfg.Mode, Cells: make([]HeatCell, len(accounts))}
	vals := make([]float64, len(accounts))
	var pos []float64
	for i := range accounts {
		a := &accounts[i]
		if a.Level == LevelHospital || a.Department == nil {
			return nil, kolgraph.Errorf(kolgraph.EINVALID, "heat map: %s is a %s; a heat map is per department or HCP", a.ID, a.Level)
		}
		if i == 0 {
			hm.Level = a.Level
		}
		d := a.Department
		c := HeatCell{Level: a.Level, ID: a.ID, Name: a.Name, HospitalID: a.HospitalID, DepartmentID: a.DepartmentID,
			Potential: a.Potential.Value, PolicySensitivity: d.PolicySensitivity, CompetitorPenetration: d.CompetitorPenetration,
			Bin: BinUnknown}
		if a.Potential.Value == nil {
			c.Missing = append(c.Missing, a.Potential.Missing...)
		}
		if d.PolicySensitivity == nil {
			c.Missing = append(c.Missing, FieldPolicySensitivity)
		}
		if d.CompetitorPenetration == nil {
			c.Missing = append(c.Missing, FieldCompetitorPenetration)
		}
		switch {
		case a.Potential.Value == nil:
			c.Reason = a.Potential.Reason
			if len(c.Missing) > len(a.Potential.Missing) {
				c.Reason += "; missing " + strings.Join(c.Missing[len(a.Potential.Missing):], ", ")
			}
		case len(c.Missing) > 0:
			c.Reason = "heat unknown: missing " + strings.Join(c.Missing, ", ")
		default:
			vals[i] = *a.Potential.Value * *d.PolicySensitivity * *d.CompetitorPenetration
			c.Value = &vals[i]
			if vals[i] > 0 {
				pos = append(pos, vals[i])
			} else {
				c.Bin = BinZero
				c.Reason = a.Potential.Reason
			}
		}
		hm.Cells[i] = c
	}

	slices.Sort(pos)
	if len(pos) > 0 {
		hm.Min, hm.Max = pos[0], pos[len(pos)-1]
	}
	if cfg.Mode == BinFixed {
		hm.Edges = slices.Clone(cfg.Edges)
	} else {
		hm.Edges = make([]float64, cfg.Bins-1)
		for i := range hm.Edges {
			hm.Edges[i] = percentile(pos, 100*float64(i+1)/float64(cfg.Bins))
		}
	}
	if hm.Edges == nil {
		hm.Edges = []float64{}
	}
	hm.Bins = len(hm.Edges) + 1
	hm.Counts = make([]int, hm.Bins+1)
	for i := range hm.Cells {
		c := &hm.Cells[i]
		switch {
		case c.Value == nil:
			hm.Unknown++
			continue
		case *c.Value > 0:
			c.Bin = 1
			for _, e := range hm.Edges {
				if *c.Value >= e {
					c.Bin++
				}
			}
		}
		hm.Counts[c.Bin]++
	}
	return hm, nil
}
