// Package seedgen generates a synthetic region: hospitals, departments,
// HCPs, KOLs, committees, products, users and a weighted influence graph
// with the structure real key-account data has (hierarchies inside
// departments, mentorship, heavy-tailed co-authorship around KOLs,
// referrals from smaller hospitals to tertiary centres, committee seats).
//
// Generation is deterministic: the same Config gives the same records, so
// the committed seed can be checked against the generator byte for byte.
// No record describes a real person; names, phones and emails are invented
// (phones 138-0000-xxxx, emails at example.com).
package seedgen

import "math"

// Config sizes the region. Zero fields are derived from HCPs, so
// Config{HCPs: 1_000_000} is a valid, proportionally scaled region.
type Config struct {
	// Seed makes a different but equally plausible region.
	Seed uint64
	// HCPs is the number of health-care professionals; values below 100
	// are raised to 100.
	HCPs int
	// Hospitals defaults to one per 140 HCPs and is capped at one per 40
	// HCPs so that every hospital can staff its fixed positions.
	Hospitals int
	// Territories defaults to one per 15 hospitals, at least 3 when there
	// are that many hospitals.
	Territories int
	// KOLs defaults to 5% of HCPs: 10% national, 30% regional, 60% local.
	KOLs int
	// KAMsPerTerritory defaults to 3.
	KAMsPerTerritory int
	// EdgesPerHCP is the target number of INFLUENCES edges per HCP; the
	// default 10.5 gives 63,000 edges for 6,000 HCPs.
	EdgesPerHCP float64
}

// DefaultConfig is the committed seed region: 6,000 HCPs in 43 hospitals
// across 3 territories in Zhejiang and Jiangsu.
func DefaultConfig() Config {
	return Config{Seed: 20240501, HCPs: 6000}
}

// normalized fills the derived fields.
func (c Config) normalized() Config {
	c.HCPs = max(c.HCPs, 100)
	if c.Hospitals <= 0 {
		c.Hospitals = (c.HCPs + 139) / 140
	}
	c.Hospitals = max(1, min(c.Hospitals, c.HCPs/40))
	if c.Territories <= 0 {
		c.Territories = max(min(3, c.Hospitals), (c.Hospitals+14)/15)
	}
	c.Territories = max(1, min(c.Territories, c.Hospitals))
	if c.KOLs <= 0 {
		c.KOLs = int(math.Round(0.05 * float64(c.HCPs)))
	}
	if c.KAMsPerTerritory <= 0 {
		c.KAMsPerTerritory = 3
	}
	if c.EdgesPerHCP <= 0 {
		c.EdgesPerHCP = 10.5
	}
	return c
}
