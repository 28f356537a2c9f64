package seedgen

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// FactsConfig asks Facts for synthetic prescription facts: Months months
// ending with End ("YYYY-MM") for the HCPs of Territory.
type FactsConfig struct {
	// Seed makes other, equally plausible facts (the region's own seed is
	// a fine choice).
	Seed      uint64
	Territory string
	Months    int
	End       string
}

// DefaultFactsConfig is a year of facts for T01 ending in November 2026.
func DefaultFactsConfig() FactsConfig {
	return FactsConfig{Seed: DefaultConfig().Seed, Territory: "T01", Months: 12, End: "2026-11"}
}

// MaxFactMonths bounds FactsConfig.Months (ten years).
const MaxFactMonths = 120

// Facts returns monthly prescription facts for the prescribers of cfg's
// territory in region cs (as Generate makes it), sorted by HCP, product
// and month, tied to potential. For each prescriber h of product p (a
// physician of a department indicated for p: account.PotentialModel's
// Prescriber) and month m of the window:
//
//	volume(h, p, m) = potential(h, p) * penetration(h, p) * (1+g)^(m-last) * noise
//
// potential(h, p) is the HCP's potential as the account matrix computes it
// with the default model (their title-weighted share of the department's
// monthly patients); penetration is drawn per HCP and product in
// [0.05, 0.35], plus 0.15 for a national KOL, 0.10 regional, 0.05 local,
// plus 0.05 for a department head, at most 0.6 (KOLs and heads, the A-like
// accounts, prescribe more of their potential); g, the monthly trend, in
// [-0.02, 0.04]; noise lognormal with sigma 0.15. Volumes are rounded to
// whole prescriptions. Non-prescribers (nurses, pharmacists, other
// specialties) and departments of unknown potential get none. The draws
// of one HCP and product depend on cfg.Seed and their ids only, so the
// facts of one HCP do not change when the region around it does.
// Complexity O(H*P*M) for H HCPs, P products and M months of the territory.
func Facts(cfg FactsConfig, cs *kolgraph.ChangeSet) ([]kolgraph.PrescriptionFact, error) {
	end, err := time.Parse("2006-01", cfg.End)
	if err != nil || !kolgraph.ValidMonth(cfg.End) {
		return nil, fmt.Errorf("seedgen: facts end %q is not a month YYYY-MM", cfg.End)
	}
	if cfg.Months < 1 || cfg.Months > MaxFactMonths {
		return nil, fmt.Errorf("seedgen: facts months must be in [1, %d] (got %d)", MaxFactMonths, cfg.Months)
	}
	months := make([]string, cfg.Months)
	for i := range months {
		months[i] = end.AddDate(0, i-cfg.Months+1, 0).Format("2006-01")
	}

	hospitals := map[string]*kolgraph.Hospital{}
	for _, h := range cs.Hospitals {
		if h.TerritoryID == cfg.Territory {
			hospitals[h.ID] = h
		}
	}
	if len(hospitals) == 0 {
		return nil, fmt.Errorf("seedgen: territory %q has no hospitals", cfg.Territory)
	}
	staff := map[string][]*kolgraph.HCP{}
	for _, h := range cs.HCPs {
		if hospitals[h.HospitalID] != nil {
			staff[h.DepartmentID] = append(staff[h.DepartmentID], h)
		}
	}
	model := account.DefaultPotentialModel()
	model.ShareOverrides = map[account.ShareKey]float64{}
	for _, s := range cs.IndicationShares {
		model.ShareOverrides[account.ShareKey{DepartmentID: s.DepartmentID, ProductID: s.ProductID}] = s.Share
	}
	products := slices.Clone(cs.Products)
	slices.SortFunc(products, func(a, b *kolgraph.Product) int { return strings.Compare(a.ID, b.ID) })

	var out []kolgraph.PrescriptionFact
	for _, d := range cs.Departments {
		hs := staff[d.ID]
		if len(hs) == 0 {
			continue
		}
		shares := model.Shares(hs)
		for _, p := range products {
			dp := model.Department(d, hospitals[d.HospitalID], p)
			if dp.Value == nil || *dp.Value <= 0 || len(p.Specialties) == 0 {
				continue
			}
			for i, h := range hs {
				if shares[i] == 0 || !model.Prescriber(h, d, p) {
					continue
				}
				out = prescribe(out, cfg.Seed, h, p.ID, *dp.Value*shares[i], months)
			}
		}
	}
	slices.SortFunc(out, func(a, b kolgraph.PrescriptionFact) int {
		return strings.Compare(a.HCPID+"\x00"+a.ProductID+"\x00"+a.Month, b.HCPID+"\x00"+b.ProductID+"\x00"+b.Month)
	})
	return out, nil
}

// prescribe appends the facts of HCP h for product over months, given
// their monthly potential.
func prescribe(out []kolgraph.PrescriptionFact, seed uint64, h *kolgraph.HCP, product string, potential float64,
	months []string) []kolgraph.PrescriptionFact {
	hash := fnv.New64a()
	hash.Write([]byte(h.ID + "\x00" + product))
	r := rand.New(rand.NewPCG(seed, hash.Sum64()))
	pen := uniform(r, 0.05, 0.35)
	switch h.KOLLevel {
	case kolgraph.KOLNational:
		pen += 0.15
	case kolgraph.KOLRegional:
		pen += 0.10
	case kolgraph.KOLLocal:
		pen += 0.05
	}
	if h.Position == "department_head" {
		pen += 0.05
	}
	pen = min(pen, 0.6)
	growth := uniform(r, -0.02, 0.04)
	last := len(months) - 1
	for m, month := range months {
		v := potential * pen * math.Pow(1+growth, float64(m-last)) * lognormal(r, 0.15)
		out = append(out, kolgraph.PrescriptionFact{HCPID: h.ID, ProductID: product, Month: month, Volume: math.Round(v)})
	}
	return out
}
