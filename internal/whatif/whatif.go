package whatif

import (
	"cmp"
	"context"
	"crypto/rand"
	"fmt"
	"math"
	"slices"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/memo"
	"github.com/kolgraph/kolgraph/internal/paths"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// Request is a what-if question.
type Request struct {
	Scope       snapshot.Scope
	RemoveHCPs  []string
	RemoveEdges []kolgraph.EdgeKey
	// AddEdges are new ties or replacements of existing ones: From, To,
	// Weight, Kind and Evidence are read (see snapshot.Change).
	AddEdges []kolgraph.Influence
	// Product is the product of the decision chains; "" for none.
	Product string
	// Metric is compared besides INFLUENCE; "" or INFLUENCE: INFLUENCE only.
	Metric scoring.Metric
	// Movers is how many gainers and losers to list per metric: 0 means
	// DefaultMovers, at most MaxMovers.
	Movers int
}

// Bounds of a request.
const (
	DefaultMovers = 10
	MaxMovers     = 100
)

// Result is the answer to a Request.
type Result struct {
	// Base is the snapshot the change was applied to; Variant the graph
	// with the change (never installed).
	Base, Variant *snapshot.Snapshot
	// Movers has INFLUENCE first, then Request.Metric when it differs.
	Movers []MetricMovers
	// Stages are the decision-chain stages that changed, by hospital id,
	// then in chain order.
	Stages []StageChange
	// Hospitals are the ids of the hospitals whose chains were compared;
	// OmittedHospitals counts the scope's others (Options.MaxHospitals).
	Hospitals        []string
	OmittedHospitals int
	// User is the caller whose contacts the chains' paths start from (""
	// for none); Note says why there are no paths, when there are none.
	User, Note string
	// Paths searches the variant, with the service's own key: other
	// searches on the what-if graph (account-plan citations' replacements)
	// use it so that their path ids too resolve nowhere.
	Paths *access.Service
}

// MetricMovers is how a change moves one metric's ranking of the scope.
type MetricMovers struct {
	Metric scoring.Metric
	// Before and After are the rankings compared (After on the variant).
	Before, After *scoring.Ranking
	// Gainers and Losers, largest change first; GainersTotal and
	// LosersTotal count them before the cut to Request.Movers.
	Gainers, Losers           []Mover
	GainersTotal, LosersTotal int
	// Removed are the scope's removed HCPs, by rank before.
	Removed []Removed
	// Note explains a scope too small to rank, before or after.
	Note string
}

// Mover is an HCP whose value or rank changed. Ranks are 1-based.
type Mover struct {
	HCP                   *kolgraph.HCP
	Before, After         float64
	RankBefore, RankAfter int
}

// Delta is After - Before.
func (m Mover) Delta() float64 { return m.After - m.Before }

// Removed is a removed HCP of the scope with its value and rank before.
type Removed struct {
	HCP        *kolgraph.HCP
	Before     float64
	RankBefore int
}

// PathChange says how a stage's strongest path changed.
type PathChange string

// The path changes; "" is none (including no path before or after).
const (
	PathLost         PathChange = "LOST"
	PathFound        PathChange = "FOUND"
	PathWeakened     PathChange = "WEAKENED"
	PathStrengthened PathChange = "STRENGTHENED"
)

// StageChange is a decision-chain stage that the change affects.
type StageChange struct {
	Hospital  *kolgraph.Hospital
	Order     int // 1-based, in the chain before
	Kind      access.StageKind
	Committee *kolgraph.Committee // for committee stages
	// Lost are the removed HCPs who were at the stage; Emptied says
	// nobody is left.
	Lost    []*kolgraph.HCP
	Emptied bool
	// Path is how the stage's strongest path changed; Before.Path and
	// After.Path are the paths.
	Path          PathChange
	Before, After *access.Stage
}

// Options tune a Service.
type Options struct {
	// ChainMaxHops bounds the chains' paths; 0: access.DefaultMaxHops.
	ChainMaxHops int
	// MaxHospitals bounds the hospitals whose chains are compared; 0:
	// DefaultMaxHospitals.
	MaxHospitals int
	// Concurrent bounds the what-ifs that run at once (the others wait,
	// within their deadline); 0: 1. Each takes a core, so that on two
	// cores the live requests always keep one.
	Concurrent int
}

// DefaultMaxHospitals is the default of Options.MaxHospitals.
const DefaultMaxHospitals = 20

// Service answers what-if requests. It is safe for concurrent use.
type Service struct {
	scores *scoring.Service
	opts   Options
	key    []byte // signs the chains' path ids; no other service has it
	slots  chan struct{}
}

// New returns a service ranking with scores (the live service: its cache
// gives the rankings before).
func New(scores *scoring.Service, o Options) *Service {
	if o.ChainMaxHops <= 0 {
		o.ChainMaxHops = access.DefaultMaxHops
	}
	if o.MaxHospitals <= 0 {
		o.MaxHospitals = DefaultMaxHospitals
	}
	if o.Concurrent <= 0 {
		o.Concurrent = 1
	}
	return &Service{scores: scores, opts: o, key: []byte(rand.Text() + rand.Text()), slots: make(chan struct{}, o.Concurrent)}
}

// Run applies req's change to snap and compares the two graphs. snap is
// the current snapshot of the scoring service's source (for a caller
// limited to territories, their view and its service): the rankings before
// are that service's, cached. Unknown ids are NOT_FOUND; invalid changes,
// metrics and bounds are BAD_USER_INPUT (see snapshot.Variant); Run stops
// with ctx's error when ctx ends.
func (s *Service) Run(ctx context.Context, snap *snapshot.Snapshot, req Request) (*Result, error) {
	metrics := []scoring.Metric{scoring.Influence}
	switch {
	case req.Metric == "" || req.Metric == scoring.Influence:
	case slices.Contains(scoring.Metrics, req.Metric):
		metrics = append(metrics, req.Metric)
	default:
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "unknown metric %q", req.Metric)
	}
	n := req.Movers
	switch {
	case n == 0:
		n = DefaultMovers
	case n < 0 || n > MaxMovers:
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "movers %d outside 1..%d", n, MaxMovers)
	}
	if req.Product != "" {
		if !kolgraph.ValidID(req.Product) {
			return nil, kolgraph.Errorf(kolgraph.EINVALID, "product %q is not an id", req.Product)
		}
		if snap.Products[req.Product] == nil {
			return nil, kolgraph.Errorf(kolgraph.ENOTFOUND, "no product %q", req.Product)
		}
	}
	if _, err := snap.Nodes(req.Scope); err != nil {
		return nil, err
	}
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	variant, err := snap.Variant(snapshot.Change{RemoveHCPs: req.RemoveHCPs, RemoveEdges: req.RemoveEdges, AddEdges: req.AddEdges})
	if err != nil {
		return nil, err
	}
	removed := make(map[string]bool, len(req.RemoveHCPs))
	for _, id := range req.RemoveHCPs {
		removed[id] = true
	}
	res := &Result{Base: snap, Variant: variant}
	before := &baseRankings{scores: s.scores, snap: snap}
	after := &variantRankings{scores: s.scores, snap: variant, base: before, memo: map[rankingKey]*scoring.Ranking{}}
	for _, m := range metrics {
		b, err := before.Ranking(ctx, req.Scope, m)
		if err != nil {
			return nil, err
		}
		a, err := after.Ranking(ctx, req.Scope, m)
		if err != nil {
			return nil, err
		}
		res.Movers = append(res.Movers, movers(b, a, removed, n))
	}

	res.Hospitals, res.OmittedHospitals = s.hospitals(snap, req)
	o := access.Options{StoredPaths: 2, ChainMaxHops: s.opts.ChainMaxHops, IDKey: s.key}
	chainsBefore := access.NewService(fixed{snap}, before, o)
	chainsAfter := access.NewService(fixed{variant}, after, o)
	res.Paths = chainsAfter
	for _, h := range res.Hospitals {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		cb, err := chainsBefore.DecisionChain(ctx, h, req.Product)
		if err != nil {
			return nil, fmt.Errorf("whatif: chain of %s before: %w", h, err)
		}
		ca, err := chainsAfter.DecisionChain(ctx, h, req.Product)
		if err != nil {
			return nil, fmt.Errorf("whatif: chain of %s after: %w", h, err)
		}
		res.User, res.Note = cb.User, cb.Note
		res.Stages = append(res.Stages, stageChanges(cb, ca, removed)...)
	}
	return res, nil
}

// hospitals returns the ids of the scope's hospitals to compare, at most
// MaxHospitals, those the change touches first, then by id, sorted by id;
// and how many others there are.
func (s *Service) hospitals(snap *snapshot.Snapshot, req Request) (compared []string, omitted int) {
	var all []string
	switch sc := req.Scope; {
	case sc.Hospital != "":
		all = []string{sc.Hospital}
	case sc.Department != "":
		all = []string{snap.Departments[sc.Department].HospitalID}
	default:
		for id, h := range snap.Hospitals {
			if sc.Territory == "" || h.TerritoryID == sc.Territory {
				all = append(all, id)
			}
		}
	}
	touched := map[string]bool{}
	touch := func(id string) {
		if v, ok := snap.Index(id); ok {
			touched[snap.HCPs[v].HospitalID] = true
			for _, seat := range snap.Seats[v] {
				touched[seat.Committee.HospitalID] = true
			}
		}
	}
	for _, id := range req.RemoveHCPs {
		touch(id)
	}
	for _, k := range req.RemoveEdges {
		touch(k.From)
		touch(k.To)
	}
	for _, e := range req.AddEdges {
		touch(e.From)
		touch(e.To)
	}
	slices.SortFunc(all, func(a, b string) int {
		if touched[a] != touched[b] {
			if touched[a] {
				return -1
			}
			return 1
		}
		return cmp.Compare(a, b)
	})
	k := min(len(all), s.opts.MaxHospitals)
	compared = all[:k:k]
	slices.Sort(compared)
	return compared, len(all) - k
}

// same reports whether two values are equal within 1e-12 relative.
func same(a, b float64) bool {
	return math.Abs(a-b) <= 1e-12*max(1, math.Abs(a), math.Abs(b))
}

// movers compares the rankings of one metric by HCP id.
func movers(before, after *scoring.Ranking, removed map[string]bool, n int) MetricMovers {
	out := MetricMovers{Metric: before.Metric, Before: before, After: after, Note: cmp.Or(before.Note, after.Note)}
	base, variant := before.Snapshot, after.Snapshot
	for i, v := range before.Nodes {
		h := base.HCPs[v]
		if removed[h.ID] {
			out.Removed = append(out.Removed, Removed{HCP: h, Before: before.Values[i], RankBefore: i + 1})
			continue
		}
		w, ok := variant.Index(h.ID)
		if !ok {
			continue
		}
		j := after.Rank(w)
		if j < 0 {
			continue // the scope is too small to rank after
		}
		m := Mover{HCP: h, Before: before.Values[i], After: after.Values[j], RankBefore: i + 1, RankAfter: j + 1}
		switch {
		case !same(m.Before, m.After) && m.After > m.Before, same(m.Before, m.After) && j < i:
			out.Gainers = append(out.Gainers, m)
		case !same(m.Before, m.After), j > i:
			out.Losers = append(out.Losers, m)
		}
	}
	for _, ms := range [][]Mover{out.Gainers, out.Losers} {
		slices.SortFunc(ms, func(x, y Mover) int {
			return cmp.Or(cmp.Compare(math.Abs(y.Delta()), math.Abs(x.Delta())),
				cmp.Compare(abs(y.RankAfter-y.RankBefore), abs(x.RankAfter-x.RankBefore)),
				cmp.Compare(x.HCP.ID, y.HCP.ID))
		})
	}
	out.GainersTotal, out.LosersTotal = len(out.Gainers), len(out.Losers)
	out.Gainers, out.Losers = out.Gainers[:min(n, len(out.Gainers))], out.Losers[:min(n, len(out.Losers))]
	return out
}

func abs(x int) int { return max(x, -x) }

// stageChanges compares two chains of one hospital. Stages are matched by
// kind and committee: the change moves no committee, so both chains have
// the same stages.
func stageChanges(before, after *access.Chain, removed map[string]bool) []StageChange {
	key := func(st *access.Stage) string {
		if st.Committee != nil {
			return string(st.Kind) + "/" + st.Committee.ID
		}
		return string(st.Kind)
	}
	later := make(map[string]*access.Stage, len(after.Stages))
	for _, st := range after.Stages {
		later[key(st)] = st
	}
	var out []StageChange
	for _, b := range before.Stages {
		a := later[key(b)]
		if a == nil {
			a = &access.Stage{Kind: b.Kind, Committee: b.Committee} // cannot happen; compare with an empty stage
		}
		c := StageChange{Hospital: before.Hospital, Order: b.Order, Kind: b.Kind, Committee: b.Committee, Before: b, After: a}
		for _, m := range b.People {
			if removed[m.HCP.ID] {
				c.Lost = append(c.Lost, m.HCP)
			}
		}
		c.Emptied = len(b.People) > 0 && len(a.People) == 0
		c.Path = pathChange(b.Path, a.Path)
		if len(c.Lost) > 0 || c.Emptied || c.Path != "" {
			out = append(out, c)
		}
	}
	return out
}

func pathChange(before, after *access.Path) PathChange {
	switch {
	case before == nil && after == nil:
		return ""
	case after == nil:
		return PathLost
	case before == nil:
		return PathFound
	case before.Strength-after.Strength > paths.TieTolerance*before.Strength:
		return PathWeakened
	case after.Strength-before.Strength > paths.TieTolerance*before.Strength:
		return PathStrengthened
	}
	return ""
}

// fixed is a snapshot source that always gives one snapshot.
type fixed struct{ snap *snapshot.Snapshot }

func (f fixed) Get() (*snapshot.Snapshot, error) { return f.snap, nil }

// baseRankings are the live rankings of the base snapshot, from the
// scoring service's cache (computed there, on one worker, when missing:
// they are the live ones and stay cached).
type baseRankings struct {
	scores *scoring.Service
	snap   *snapshot.Snapshot
}

var _ access.Rankings = (*baseRankings)(nil)

func (r *baseRankings) Ranking(ctx context.Context, sc snapshot.Scope, m scoring.Metric) (*scoring.Ranking, error) {
	return r.scores.RankingOn(memo.InBackground(ctx), r.snap, sc, m)
}

type rankingKey struct {
	scope  snapshot.Scope
	metric scoring.Metric
}

// variantRankings are the rankings of the variant, computed aside (or
// carried from the base's when the scope reads the same), each once per
// Run. Not safe for concurrent use: a Run asks in turn.
type variantRankings struct {
	scores *scoring.Service
	snap   *snapshot.Snapshot
	base   *baseRankings
	memo   map[rankingKey]*scoring.Ranking
}

var _ access.Rankings = (*variantRankings)(nil)

func (r *variantRankings) Ranking(ctx context.Context, sc snapshot.Scope, m scoring.Metric) (*scoring.Ranking, error) {
	k := rankingKey{sc, m}
	if rk, ok := r.memo[k]; ok {
		return rk, nil
	}
	prev, err := r.base.Ranking(ctx, sc, m)
	if err != nil {
		return nil, err
	}
	rk, err := r.scores.RankingUncached(ctx, r.snap, sc, m, prev)
	if err != nil {
		return nil, err
	}
	r.memo[k] = rk
	return rk, nil
}
