package fieldwork

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
)

// Account is an HCP account to visit: who it is, where, its segment and
// cadence (from the account matrix), its owner (resolved by the caller,
// see ResolveOwner) and its logged interactions.
type Account struct {
	ID             string // the HCP's id
	Name           string
	HospitalID     string
	HospitalName   string
	DepartmentID   string
	DepartmentName string
	TerritoryID    string
	Segment        account.Segment
	Cadence        account.Cadence
	// OwnerID is the KAM who owns the account ("" for none).
	OwnerID      string
	Interactions []kolgraph.Interaction
}

// ResolveOwner returns the owner of an HCP account from the ownership rows
// of its own id, its department, hospital and territory: the most specific
// wins (HCP, then department, hospital, territory). Rows for other
// accounts are ignored; should one account have several rows, the least
// user id wins, so the answer does not depend on their order. ok is false
// when no row applies.
func ResolveOwner(owners []kolgraph.AccountOwner, hcpID, departmentID, hospitalID, territoryID string) (userID string, ok bool) {
	for _, acc := range []string{hcpID, departmentID, hospitalID, territoryID} {
		if acc == "" {
			continue
		}
		for _, o := range owners {
			if o.AccountID == acc && (!ok || o.UserID < userID) {
				userID, ok = o.UserID, true
			}
		}
		if ok {
			return userID, true
		}
	}
	return "", false
}

// Status is an account's place in the call plan as of a date.
type Status struct {
	Account Account
	// LastVisit is the date of the latest interaction on or before the
	// as-of date whose kind counts as a visit (Config.VisitKinds); "" for
	// never.
	LastVisit string
	// NextDue is LastVisit + the cadence's interval, or the as-of date for
	// an account never visited; "" for a digital-only account (interval
	// 0), which is never due.
	NextDue string
	// Due: NextDue is on or before the as-of date.
	Due bool
	// Overdue: NextDue is before the as-of date, by DaysOverdue days.
	Overdue     bool
	DaysOverdue int
}

// Plan is the call plan of a set of accounts as of a date.
type Plan struct {
	AsOf     string // YYYY-MM-DD
	Statuses []Status
}

// NewPlan works out each account's status as of asOf (a date; its time of
// day is ignored). Statuses are in account id order.
func NewPlan(cfg Config, asOf time.Time, accounts []Account) *Plan {
	day := dateOf(asOf)
	p := &Plan{AsOf: day.Format(time.DateOnly)}
	for _, a := range accounts {
		s := Status{Account: a}
		if last, ok := lastVisit(cfg, a.Interactions, day); ok {
			s.LastVisit = last.Format(time.DateOnly)
		}
		if iv := a.Cadence.IntervalDays; iv > 0 {
			next := day
			if s.LastVisit != "" {
				last, _ := kolgraph.ParseDate(s.LastVisit)
				next = last.AddDate(0, 0, iv)
			}
			s.NextDue = next.Format(time.DateOnly)
			s.Due = !next.After(day)
			s.DaysOverdue = max(0, days(next, day))
			s.Overdue = s.DaysOverdue > 0
		}
		p.Statuses = append(p.Statuses, s)
	}
	slices.SortFunc(p.Statuses, func(a, b Status) int { return cmp.Compare(a.Account.ID, b.Account.ID) })
	return p
}

// Overdue lists the overdue accounts, most days overdue first, then by id.
func (p *Plan) Overdue() []Status {
	var out []Status
	for _, s := range p.Statuses {
		if s.Overdue {
			out = append(out, s)
		}
	}
	slices.SortStableFunc(out, func(a, b Status) int { return cmp.Compare(b.DaysOverdue, a.DaysOverdue) })
	return out
}

// Visit is a planned visit.
type Visit struct {
	Date    string // YYYY-MM-DD, a working day
	KAMID   string
	Account Account
	// DaysOverdue is how overdue the account is as of the plan's date, on
	// its first planned visit; 0 on the later ones.
	DaysOverdue int
}

// BacklogDays is how many working days the backlog (the accounts due on
// or before the as-of date: overdue, or never visited) is spread over:
// two weeks, the shortest default cadence, so that the backlog is cleared
// within one cycle of the tightest accounts instead of landing on one day.
const BacklogDays = 10

// Visits plans the visits of KAM kamID's accounts in month ("YYYY-MM"):
// each account with a cadence is visited on its next due date and every
// interval after it. The backlog, the KAM's accounts due on or before the
// as-of date, is spread over the BacklogDays working days from the as-of
// date, ceil(n / BacklogDays) a day, most days overdue first, then by
// segment (A first) and id; each is then visited every interval after
// its first date. A date on a Saturday or
// Sunday moves to the Monday after (without moving the dates after it).
// Only dates on or after the as-of date are planned, so a month before the
// plan's has none. Working days are Monday to Friday: public holidays and
// the weekend days China makes working days are not modelled.
// Visits are by date, then account id.
func (p *Plan) Visits(kamID, month string) ([]Visit, error) {
	first, err := time.Parse("2006-01", month)
	if err != nil || !kolgraph.ValidMonth(month) {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "month must be YYYY-MM (got %q)", kolgraph.Clip(month))
	}
	end := first.AddDate(0, 1, 0)
	asOf, _ := kolgraph.ParseDate(p.AsOf)
	backlog := p.backlog(kamID, asOf)
	var out []Visit
	for _, s := range p.Statuses {
		iv := s.Account.Cadence.IntervalDays
		if s.Account.OwnerID != kamID || iv <= 0 {
			continue
		}
		start, _ := kolgraph.ParseDate(s.NextDue)
		overdue := 0
		if s.Due {
			start, overdue = backlog[s.Account.ID], s.DaysOverdue
		}
		for d := start; ; d = d.AddDate(0, 0, iv) {
			w := workingDay(d)
			if !w.Before(end) {
				break
			}
			if !w.Before(first) && !w.Before(asOf) {
				out = append(out, Visit{Date: w.Format(time.DateOnly), KAMID: kamID, Account: s.Account, DaysOverdue: overdue})
			}
			overdue = 0
		}
	}
	slices.SortFunc(out, func(a, b Visit) int {
		return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(a.Account.ID, b.Account.ID))
	})
	return out, nil
}

// backlog gives the first visit date of each of KAM kamID's accounts due
// on or before asOf (see Visits).
func (p *Plan) backlog(kamID string, asOf time.Time) map[string]time.Time {
	var due []*Status
	for i := range p.Statuses {
		s := &p.Statuses[i]
		if s.Account.OwnerID == kamID && s.Due && s.Account.Cadence.IntervalDays > 0 {
			due = append(due, s)
		}
	}
	slices.SortFunc(due, func(a, b *Status) int {
		return cmp.Or(cmp.Compare(b.DaysOverdue, a.DaysOverdue), cmp.Compare(segRank(string(a.Account.Segment)), segRank(string(b.Account.Segment))),
			cmp.Compare(a.Account.ID, b.Account.ID))
	})
	perDay := (len(due) + BacklogDays - 1) / BacklogDays
	out := make(map[string]time.Time, len(due))
	day, n := workingDay(asOf), 0
	for _, s := range due {
		if n == perDay {
			day, n = workingDay(day.AddDate(0, 0, 1)), 0
		}
		out[s.Account.ID] = day
		n++
	}
	return out
}

// Workload is a KAM's planned visits in a month against their capacity.
type Workload struct {
	KAMID    string
	Month    string
	Planned  int
	Capacity int
}

// Over is how many planned visits exceed the capacity (0 when within it).
func (w Workload) Over() int { return max(0, w.Planned-w.Capacity) }

// Utilisation is planned / capacity (1 = full; 0 without a capacity).
func (w Workload) Utilisation() float64 {
	if w.Capacity <= 0 {
		return 0
	}
	return float64(w.Planned) / float64(w.Capacity)
}

// Warning is the over-capacity warning in lang, "" when within capacity.
func (w Workload) Warning(lang labels.Lang) string {
	if w.Over() == 0 {
		return ""
	}
	if lang == labels.EN {
		return fmt.Sprintf("%d visits planned in %s, %d more than the capacity of %d: move the lower segments' visits to digital or hand accounts over", w.Planned, w.Month, w.Over(), w.Capacity)
	}
	return fmt.Sprintf("%s计划拜访%d次，超出产能（%d次）%d次：请将较低分级客户的拜访改为数字化触达，或移交客户", w.Month, w.Planned, w.Capacity, w.Over())
}

// Workloads counts the planned visits of each KAM in month, in KAM id
// order, against Config.KAMMonthlyCapacity. Visits outside month are not
// counted.
func Workloads(cfg Config, month string, visits []Visit) []Workload {
	n := map[string]int{}
	for _, v := range visits {
		if v.Date[:7] == month {
			n[v.KAMID]++
		}
	}
	out := make([]Workload, 0, len(n))
	for k, c := range n {
		out = append(out, Workload{KAMID: k, Month: month, Planned: c, Capacity: cfg.KAMMonthlyCapacity})
	}
	slices.SortFunc(out, func(a, b Workload) int { return cmp.Compare(a.KAMID, b.KAMID) })
	return out
}

// AdherenceGroup is the cadence adherence of a group of accounts: a
// segment or a KAM's.
type AdherenceGroup struct {
	Key      string // the segment, or the KAM's id ("" for unowned accounts)
	Accounts int
	// Expected is the sum over the accounts of window days / interval;
	// Kept is the sum of min(actual visits, expected), so a visit beyond
	// an account's cadence does not make up for a missed one elsewhere.
	Expected  float64
	Kept      float64
	Adherence float64 // Kept / Expected
}

// Adherence is the cadence adherence per segment and per KAM.
type Adherence struct {
	From, To  string // the window: the days after From up to To inclusive
	Days      int
	BySegment []AdherenceGroup
	ByKAM     []AdherenceGroup
}

// CadenceAdherence measures how well the cadence was kept in the window of
// windowDays days up to and including asOf: an account with interval i
// expects windowDays / i visits (a fraction: 90 days of a 14-day cadence
// expect 6.43), its actual visits are the distinct days in the window with
// an interaction that counts as a visit (whoever made it), and a group's adherence is
// sum(min(actual, expected)) / sum(expected) over its accounts. Digital-
// only accounts (interval 0) expect nothing and are left out. Accounts are
// grouped by segment (matrix order) and by owner (id order). Cost
// O(interactions).
func CadenceAdherence(cfg Config, asOf time.Time, windowDays int, accounts []Account) (*Adherence, error) {
	if windowDays < 1 || windowDays > 3660 {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "the adherence window must be 1 to 3660 days (got %d)", windowDays)
	}
	to := dateOf(asOf)
	from := to.AddDate(0, 0, -windowDays)
	seg, kam := map[string]*AdherenceGroup{}, map[string]*AdherenceGroup{}
	add := func(m map[string]*AdherenceGroup, key string, exp, kept float64) {
		g := m[key]
		if g == nil {
			g = &AdherenceGroup{Key: key}
			m[key] = g
		}
		g.Accounts++
		g.Expected += exp
		g.Kept += kept
	}
	for _, a := range accounts {
		if a.Cadence.IntervalDays <= 0 {
			continue
		}
		visited := map[string]bool{}
		for _, in := range a.Interactions {
			d, ok := kolgraph.ParseDate(in.Date)
			if ok && cfg.countsAsVisit(in.Kind) && d.After(from) && !d.After(to) {
				visited[in.Date] = true
			}
		}
		exp := float64(windowDays) / float64(a.Cadence.IntervalDays)
		kept := min(float64(len(visited)), exp)
		add(seg, string(a.Segment), exp, kept)
		add(kam, a.OwnerID, exp, kept)
	}
	groups := func(m map[string]*AdherenceGroup, order func(a, b string) int) []AdherenceGroup {
		out := make([]AdherenceGroup, 0, len(m))
		for _, g := range m {
			g.Adherence = g.Kept / g.Expected
			out = append(out, *g)
		}
		slices.SortFunc(out, func(a, b AdherenceGroup) int { return order(a.Key, b.Key) })
		return out
	}
	segOrder := func(a, b string) int {
		return cmp.Or(cmp.Compare(segRank(a), segRank(b)), cmp.Compare(a, b))
	}
	return &Adherence{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly), Days: windowDays,
		BySegment: groups(seg, segOrder), ByKAM: groups(kam, cmp.Compare[string])}, nil
}

func segRank(s string) int {
	if i := slices.Index(account.Segments, account.Segment(s)); i >= 0 {
		return i
	}
	return len(account.Segments)
}

// lastVisit is the latest date on or before day of an interaction that
// counts as a visit.
func lastVisit(cfg Config, ins []kolgraph.Interaction, day time.Time) (time.Time, bool) {
	var last time.Time
	ok := false
	for _, in := range ins {
		d, valid := kolgraph.ParseDate(in.Date)
		if valid && cfg.countsAsVisit(in.Kind) && !d.After(day) && (!ok || d.After(last)) {
			last, ok = d, true
		}
	}
	return last, ok
}

// dateOf is t's calendar date (in t's location) as UTC midnight.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// days is the number of days from a to b (UTC midnights).
func days(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

// workingDay is d, or the Monday after it when d is a Saturday or Sunday.
func workingDay(d time.Time) time.Time {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDate(0, 0, 2)
	case time.Sunday:
		return d.AddDate(0, 0, 1)
	}
	return d
}
