package account

import (
	"cmp"
	"math"
	"slices"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// ParetoBasis is what a Pareto view counts.
type ParetoBasis string

// The bases: monthly potential, or the actual prescriptions of the last
// 12 months (Actual.Year), which the 20/80 rule is about when facts exist.
const (
	BasisPotential ParetoBasis = "potential"
	BasisActual    ParetoBasis = "actual"
)

// Pareto says how concentrated a scope's potential (or actual volume) is:
// what share of the total the top Fraction of its accounts hold. The
// fields named Potential hold the basis' values.
type Pareto struct {
	Level    Level       `json:"level"`
	Basis    ParetoBasis `json:"basis"`
	Fraction float64     `json:"fraction"` // as asked, e.g. 0.2
	// Accounts is n: the accounts with a known, positive potential.
	Accounts int `json:"accounts"`
	// Top is k = ceil(Fraction x n): the number of top accounts counted.
	Top            int     `json:"top"`
	TopPotential   float64 `json:"topPotential"`
	TotalPotential float64 `json:"totalPotential"`
	// TopShare = TopPotential / TotalPotential (0 when the total is 0).
	TopShare float64 `json:"topShare"`
	// Left out of n: accounts with zero and with unknown potential.
	Zero    int `json:"zero"`
	Unknown int `json:"unknown"`
	// Leaders are the top k, by potential descending then id.
	Leaders []Leader `json:"leaders"`
}

// Leader is one of the top accounts of a Pareto view.
type Leader struct {
	ID        string  `json:"id"`
	Name      string  `json:"name"`
	Potential float64 `json:"potential"`
}

func validFraction(f float64) error {
	if !finite(f) || f <= 0 || f > 1 {
		return kolgraph.Errorf(kolgraph.EINVALID, "Pareto fraction must be in (0, 1] (got %v)", f)
	}
	return nil
}

// BuildPareto computes the Pareto view of accounts (one scope, one level:
// call it with departments or with HCPs, as the question is asked).
//
// The accounts counted are those with a known, positive potential: zero
// potential (a product not indicated there, the pharmacy) is not an account
// one can win, and counting it would make any product used by few
// specialties look concentrated; unknown potential cannot be ranked. Both
// are reported (Zero, Unknown) so nothing disappears silently.
//
// The number of top accounts is k = ceil(fraction x n), so that any
// non-empty scope has at least one top account and "20% of 7 accounts" is 2
// (1.4 rounded up): rounding down would report the top 1 as the "top 20%"
// of 9 accounts. TopShare = sum of the top k potentials / sum of all n.
//
// On BasisActual the value is each account's actual volume of the last 12
// months, unknown for an account without facts (AttachActuals).
func BuildPareto(fraction float64, accounts []Account, basis ParetoBasis) (*Pareto, error) {
	if err := validFraction(fraction); err != nil {
		return nil, err
	}
	p := &Pareto{Fraction: fraction, Basis: basis, Leaders: []Leader{}}
	if len(accounts) > 0 {
		p.Level = accounts[0].Level
	}
	value := func(a *Account) (float64, bool) { return a.Potential.Float() }
	if basis == BasisActual {
		value = func(a *Account) (float64, bool) {
			if a.Actual == nil {
				return 0, false
			}
			return a.Actual.Year, true
		}
	}
	var idx []int
	vals := make([]float64, len(accounts))
	for i := range accounts {
		v, ok := value(&accounts[i])
		vals[i] = v
		switch {
		case !ok:
			p.Unknown++
		case v == 0:
			p.Zero++
		default:
			idx = append(idx, i)
			p.TotalPotential += v
		}
	}
	p.Accounts = len(idx)
	if p.Accounts == 0 {
		return p, nil
	}
	slices.SortFunc(idx, func(x, y int) int {
		if c := cmp.Compare(vals[y], vals[x]); c != 0 {
			return c
		}
		return cmp.Compare(accounts[x].ID, accounts[y].ID)
	})
	// The epsilon keeps 0.2 x 10 (2.0000000000000004 in binary) at 2.
	p.Top = max(1, int(math.Ceil(fraction*float64(p.Accounts)-1e-9)))
	p.Leaders = make([]Leader, p.Top)
	for j, i := range idx[:p.Top] {
		a := &accounts[i]
		p.Leaders[j] = Leader{ID: a.ID, Name: a.Name, Potential: vals[i]}
		p.TopPotential += vals[i]
	}
	if p.Top == p.Accounts {
		p.TopPotential = p.TotalPotential // the same sum, whatever the order of adding
	}
	p.TopShare = p.TopPotential / p.TotalPotential
	return p, nil
}
