// Package tiering answers "which accounts of this scope get which treatment
// for this product": it gathers a scope's hospitals, departments and HCPs
// and the product and its listings from the analytics snapshot (one
// consistent graph version), and each HCP's INFLUENCE score from scoring, and hands them to
// internal/account for the A/B/C/D matrix (HCP, department and hospital
// level), the heat maps, the Pareto views, the speaker candidates and the
// tiering report.
//
// Results are cached per (scope, product) in an LRU memo (internal/memo),
// stale-while-revalidate like scoring's rankings: after a write, the
// previous version's result is answered (on its own snapshot) while the
// new one is computed on the background pool. A territory's result is a
// few milliseconds of work once the INFLUENCE ranking exists, but a
// 100k-HCP scope is a quarter of a second, and a front end asks for the
// same matrix page after page. A result reads much of the scope's data
// besides the ranking (departments, listings, shares, names), so it is
// stamped with the graph version rather than a fingerprint: every write
// makes it stale, and its recomputation is cheap when the scope's ranking
// is carried over unchanged.
package tiering

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/labels"
	"github.com/kolgraph/kolgraph/internal/memo"
	"github.com/kolgraph/kolgraph/internal/scoring"
	"github.com/kolgraph/kolgraph/internal/snapshot"
)

// Scores ranks a scope's HCPs on a given snapshot (scoring.Service does).
type Scores interface {
	RankingOn(ctx context.Context, snap *snapshot.Snapshot, sc snapshot.Scope, m scoring.Metric) (*scoring.Ranking, error)
}

// Catalog is the part of the store the service reads: territory names,
// which the snapshot does not hold (kolgraph.Store satisfies it).
type Catalog interface {
	Territories(ctx context.Context, ids []string) ([]*kolgraph.Territory, error)
}

var _ Catalog = kolgraph.Store(nil)

// Paths finds access paths from the calling user's contacts
// (access.Service does).
type Paths interface {
	StrongestPaths(ctx context.Context, q access.Query) (*access.Result, error)
	PathsTo(ctx context.Context, snap *snapshot.Snapshot, targets []int32, maxHops int, at time.Time) (access.Reach, error)
}

// InfluenceMetric is the influence axis of the matrix: the documented blend.
const InfluenceMetric = scoring.Influence

// Options configures the service.
type Options struct {
	// Account configures potential, cut-offs, plans, heat map, Pareto and
	// speakers. Its Speakers.Limit caps the stored speaker list.
	Account account.Config
	// CacheSize bounds the cached results (one per scope and product);
	// the least recently used goes first.
	CacheSize int
	// Pool runs the background recomputations; nil: a pool of one worker
	// of the service's own.
	Pool *memo.Pool
	// Retain is how long after its last request a result is recomputed
	// when a new snapshot comes in (and kept, stale, meanwhile); older
	// ones are dropped at the swap (see Revalidate).
	Retain time.Duration
	// Now stamps results; nil is time.Now.
	Now func() time.Time
	// ReportPaths says which rows of an HCP report get their top influence
	// paths when a user asks for it.
	ReportPaths ReportPaths
	// AccessPlaybooks say what to do with the access stakeholders, by
	// decision-chain stage.
	AccessPlaybooks AccessPlaybooks
	// Settings names the settings version these options come from
	// (internal/settings); every result and report carries it.
	Settings account.SettingsStamp
}

// ReportPaths configures the influence paths cited in an HCP report: for
// each row in one of Segments, the K strongest paths of at most MaxHops
// hops from the asking user's contacts.
type ReportPaths struct {
	Segments []account.Segment
	K        int
	MaxHops  int
}

// DefaultOptions: the account package's defaults, except that every
// eligible speaker candidate is kept (callers page through them); 256
// cached results (a territory's result on the seed region is ~1 MB); a
// report cites the 2 strongest paths (up to 6 hops) to each A-segment HCP,
// the accounts whose joint plan is built on them.
func DefaultOptions() Options {
	cfg := account.DefaultConfig()
	cfg.Speakers.Limit = 0
	return Options{Account: cfg, CacheSize: 256, Retain: time.Minute,
		ReportPaths:     ReportPaths{Segments: []account.Segment{account.SegmentA}, K: 2, MaxHops: access.DefaultMaxHops},
		AccessPlaybooks: DefaultAccessPlaybooks()}
}

// Service computes and caches tiering results.
type Service struct {
	snaps   snapshot.Source
	scores  Scores
	catalog Catalog
	paths   Paths
	opts    Options

	cache *memo.Cache[cacheKey, *Result]

	// CacheObserver, when set before use, is told whether each request
	// found its result cached (or being computed).
	CacheObserver func(hit bool)
}

type cacheKey struct {
	scope   snapshot.Scope
	product string
}

// New returns a service; the options are validated. paths may be nil:
// reports then cite no influence paths.
func New(snaps snapshot.Source, scores Scores, catalog Catalog, paths Paths, o Options) (*Service, error) {
	if err := o.Account.Validate(); err != nil {
		return nil, fmt.Errorf("tiering: %w", err)
	}
	if o.CacheSize < 1 {
		return nil, fmt.Errorf("tiering: cache size must be positive (got %d)", o.CacheSize)
	}
	if rp := o.ReportPaths; rp.K < 0 || rp.K > 20 || (len(rp.Segments) > 0 && (rp.K < 1 || rp.MaxHops < 1 || rp.MaxHops > 10)) {
		return nil, fmt.Errorf("tiering: report paths need k in 1..20 and max hops in 1..10 (got %d, %d)", rp.K, rp.MaxHops)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	pool := o.Pool
	if pool == nil {
		pool = memo.NewPool(1)
	}
	return &Service{snaps: snaps, scores: scores, catalog: catalog, paths: paths, opts: o, cache: memo.New[cacheKey, *Result](o.CacheSize, pool)}, nil
}

// Config returns the account configuration in use (cut-offs, plans, ...).
func (s *Service) Config() account.Config { return s.opts.Account }

// Request names what to tier: a scope (one hospital, department or
// territory; none = everything) and optionally a product (empty: each
// department's own potential, see account.PotentialModel).
type Request struct {
	Scope     snapshot.Scope
	ProductID string
	// Lang is the language of a report's labels (zero: Chinese); it does
	// not change the result.
	Lang labels.Lang
}

// View is one level of a result.
type View struct {
	Level account.Level
	// Accounts are every account of the level with its potential terms and
	// influence (HCPs in id order, departments in id order, hospitals in id
	// order); use Account to look one up.
	Accounts []account.Account
	Matrix   *account.Matrix
	Pareto   *account.Pareto
	// HeatMap is nil at the hospital level: its factors are per department.
	HeatMap *account.HeatMap

	index map[string]int
}

// Account returns the account with the given id.
func (v *View) Account(id string) (*account.Account, bool) {
	i, ok := v.index[id]
	if !ok {
		return nil, false
	}
	return &v.Accounts[i], true
}

// Result is everything tiering knows about a scope and product. It is shared
// between callers (cached): treat it as read-only.
type Result struct {
	Scope snapshot.Scope
	// ScopeName is for people: "Territory T01 Zhejiang North".
	ScopeName string
	// Product is nil when none was asked for.
	Product *kolgraph.Product
	// Listings are the product's listing records of the scope's hospitals,
	// by hospital id; a hospital without a record is absent. Empty without
	// a product.
	Listings map[string]kolgraph.Listing
	// Snapshot is the graph the result was computed on.
	Snapshot     *snapshot.Snapshot
	GraphVersion string
	ComputedAt   time.Time
	// Settings is the settings version the result was computed with.
	Settings account.SettingsStamp
	// InfluenceMetric is the metric on the influence axis; InfluenceNote
	// says why no HCP has a value (a scope too small to rank).
	InfluenceMetric scoring.Metric
	InfluenceNote   string

	HCPs        View
	Departments View
	Hospitals   View

	// Speakers are the speaker and advisor candidates of the scope, best
	// first, ranked on influence and expertise only: potential is never an
	// input (account.SpeakerSelectionRule). With a product, candidates are
	// restricted to its specialties (SpeakerSpecialties): expertise, not
	// potential.
	Speakers           []account.Speaker
	SpeakerSpecialties []string

	// Stakeholders are the access stakeholders of the scope (see
	// Stakeholder), by hospital, stage, influence and id.
	Stakeholders []Stakeholder
	// AtRisk are the departments of the scope at risk under DRG/DIP
	// payment (enrollment below the threshold), most potential first;
	// with a product, those that prescribe it.
	AtRisk []account.Account
}

// View returns the view of level l.
func (r *Result) View(l account.Level) (*View, error) {
	switch l {
	case account.LevelHCP:
		return &r.HCPs, nil
	case account.LevelDepartment:
		return &r.Departments, nil
	case account.LevelHospital:
		return &r.Hospitals, nil
	}
	return nil, kolgraph.Errorf(kolgraph.EINVALID, "level must be %q, %q or %q (got %q)",
		account.LevelHCP, account.LevelDepartment, account.LevelHospital, l)
}

// Tiering returns the result of req: the current snapshot's when it is
// cached, else the previous result of the scope and product, stale
// (res.Snapshot is older than the current snapshot), while the current one
// is computed in the background; one asked for the first time is computed
// now. Errors: BAD_USER_INPUT for a scope naming several things, NOT_FOUND
// for an unknown hospital, department, territory or product, UNAVAILABLE
// before the first snapshot.
func (s *Service) Tiering(ctx context.Context, req Request) (*Result, error) {
	snap, err := s.snaps.Get()
	if err != nil {
		return nil, err
	}
	if _, err := snap.Nodes(req.Scope); err != nil {
		return nil, err
	}
	if req.ProductID != "" && snap.Products[req.ProductID] == nil {
		return nil, kolgraph.Errorf(kolgraph.ENOTFOUND, "no product %q", req.ProductID)
	}
	res, err := s.cache.Get(ctx, cacheKey{req.Scope, req.ProductID}, stamp(snap), s.computer(snap, req))
	if s.CacheObserver != nil {
		s.CacheObserver(res.Hit)
	}
	return res.Value, err
}

// stamp is a result's cache stamp: the graph version (see the package doc).
func stamp(snap *snapshot.Snapshot) memo.Stamp {
	return memo.Stamp{Print: snap.Version, Version: snap.Version}
}

// computer is the computation of one result on snap, detached from the
// request that started it (others may wait for it); the ranking it needs
// has its own timeout in scoring.
func (s *Service) computer(snap *snapshot.Snapshot, req Request) memo.Compute[*Result] {
	return func(background bool) (*Result, error) {
		ctx := context.Background()
		if background { // so is the ranking it may compute
			ctx = memo.InBackground(ctx)
		}
		return s.compute(ctx, snap, req)
	}
}

// Revalidate brings the cached results to the current snapshot; call it
// after each snapshot swap (after scoring's). A result asked for within
// Retain is recomputed in the background (and served stale until then);
// the others, and results of scopes or products that no longer exist,
// are dropped, so that old snapshots are not kept alive by results nobody
// reads.
// A service none of whose results was asked for within Retain drops them
// all without reading its snapshot (see scoring's Revalidate).
func (s *Service) Revalidate() {
	entries := s.cache.InUse(s.opts.Retain)
	if len(entries) == 0 {
		return
	}
	snap, err := s.snaps.Get()
	if err != nil {
		return
	}
	for _, e := range entries {
		_, err := snap.Nodes(e.Key.scope)
		switch {
		case e.Stamp.Version >= snap.Version || e.Running:
		case err != nil || (e.Key.product != "" && snap.Products[e.Key.product] == nil):
			s.cache.Drop(e.Key, e.Stamp)
		case time.Since(e.Asked) < s.opts.Retain:
			req := Request{Scope: e.Key.scope, ProductID: e.Key.product}
			s.cache.Refresh(e.Key, stamp(snap), s.computer(snap, req))
		default:
			s.cache.Drop(e.Key, e.Stamp)
		}
	}
}

func (s *Service) compute(ctx context.Context, snap *snapshot.Snapshot, req Request) (*Result, error) {
	// The ranking is snap's own (never a stale one), so the result is of
	// one graph version.
	rk, err := s.scores.RankingOn(ctx, snap, req.Scope, InfluenceMetric)
	if err != nil {
		return nil, err
	}
	var product *kolgraph.Product
	if req.ProductID != "" {
		if product = snap.Products[req.ProductID]; product == nil {
			return nil, kolgraph.Errorf(kolgraph.ENOTFOUND, "no product %q", req.ProductID)
		}
	}
	sc, err := gather(snap, req.Scope)
	if err != nil {
		return nil, err
	}
	sc.Product = product
	sales := salesOf(snap, sc, req.ProductID)
	sc.Influence = make(map[string]float64, len(rk.Nodes))
	for i, v := range rk.Nodes {
		sc.Influence[snap.IDs[v]] = rk.Values[i]
	}

	res := &Result{
		Scope: req.Scope, Product: product, Listings: map[string]kolgraph.Listing{},
		Snapshot: snap, GraphVersion: snap.GraphVersion(), ComputedAt: s.opts.Now(), Settings: s.opts.Settings,
		InfluenceMetric: InfluenceMetric, InfluenceNote: rk.Note,
	}
	if res.ScopeName, err = s.scopeName(ctx, snap, req.Scope); err != nil {
		return nil, err
	}
	if product != nil {
		for _, h := range sc.Hospitals {
			for _, l := range snap.Listings[h.ID] {
				if l.ProductID == product.ID {
					res.Listings[h.ID] = l
				}
			}
		}
	}

	cfg := s.opts.Account
	if product != nil {
		cfg.Potential.ShareOverrides = shareOverrides(cfg.Potential.ShareOverrides, snap, sc.Departments, product.ID)
	}
	res.HCPs.Level, res.Departments.Level, res.Hospitals.Level = account.LevelHCP, account.LevelDepartment, account.LevelHospital
	for _, v := range []*View{&res.HCPs, &res.Departments, &res.Hospitals} {
		if err := s.view(v, cfg, sc, sales, rk.Note); err != nil {
			return nil, err
		}
	}

	if product != nil {
		for _, v := range []*View{&res.HCPs, &res.Departments, &res.Hospitals} {
			s.accessFirst(v, product, res.Listings)
		}
	}
	nodes, err := snap.Nodes(req.Scope)
	if err != nil {
		return nil, err
	}
	prescriber := func(id string) bool { _, ok := res.HCPs.index[id]; return ok }
	res.Stakeholders = stakeholders(snap, nodes, rk, prescriber, s.opts.AccessPlaybooks)
	res.AtRisk = atRisk(&res.Departments)

	in := account.SpeakerInput{HCPs: sc.HCPs, Influence: sc.Influence}
	if product != nil {
		in.Specialties = product.Specialties
		res.SpeakerSpecialties = product.Specialties
	}
	if res.Speakers, err = account.SpeakerCandidates(s.opts.Account.Speakers, in); err != nil {
		return nil, err
	}
	return res, nil
}

// shareOverrides returns the configured overrides with, over them, the
// stored indication shares of product at the scope's departments: the
// share a department's potential for the product uses, where one is
// recorded; the others keep their default share.
func shareOverrides(configured map[account.ShareKey]float64, snap *snapshot.Snapshot, depts []*kolgraph.Department, product string) map[account.ShareKey]float64 {
	out := maps.Clone(configured)
	for _, d := range depts {
		if v, ok := snap.Shares[kolgraph.ProductShareKey{DepartmentID: d.ID, ProductID: product}]; ok {
			if out == nil {
				out = map[account.ShareKey]float64{}
			}
			out[account.ShareKey{DepartmentID: d.ID, ProductID: product}] = v
		}
	}
	return out
}

// view fills one level of a result with the configuration cfg.
func (s *Service) view(v *View, cfg account.Config, sc account.Scope, sales *account.Sales, note string) error {
	accts, err := account.Evaluate(cfg, sc, v.Level)
	if err != nil {
		return err
	}
	account.AttachActuals(accts, sales)
	if note != "" { // say why nobody has influence, not just that they have none
		for i := range accts {
			if accts[i].Influence == nil {
				accts[i].InfluenceReason = "influence not ranked: " + note
			}
		}
	}
	v.Accounts = accts
	v.index = make(map[string]int, len(accts))
	for i := range accts {
		v.index[accts[i].ID] = i
	}
	if v.Matrix, err = account.Classify(cfg.Matrices.For(v.Level), accts); err != nil {
		return err
	}
	basis := account.BasisPotential
	if sales.Covered() { // the 20/80 rule is about real sales when there are any
		basis = account.BasisActual
	}
	if v.Pareto, err = account.BuildPareto(cfg.ParetoFraction, accts, basis); err != nil {
		return err
	}
	if v.Level != account.LevelHospital {
		if v.HeatMap, err = account.BuildHeatMap(cfg.HeatMap, accts); err != nil {
			return err
		}
	}
	return nil
}

// salesOf returns the prescription facts of the scope's HCPs and
// departments for product (every product when ""), rolled up; nil when
// the snapshot has none for it. The windows end at the product's latest
// month in the whole snapshot, so every scope is measured on the same
// months.
func salesOf(snap *snapshot.Snapshot, sc account.Scope, product string) *account.Sales {
	latest, found := snap.LatestSale(product)
	if !found {
		return nil
	}
	facts := map[string][]account.MonthVolume{}
	pick := func(id string) {
		for _, f := range snap.Sales[id] {
			if product == "" || f.ProductID == product {
				facts[id] = append(facts[id], account.MonthVolume{Month: int(f.Month), Volume: f.Volume})
			}
		}
	}
	for _, d := range sc.Departments {
		pick(d.ID)
	}
	for _, h := range sc.HCPs {
		pick(h.ID)
	}
	return account.NewSales(int(latest), facts, sc)
}

// accessFirst marks the matrix members of v at hospitals where product is
// not listed (no record, pending, not_listed, delisted): their playbook is
// access first (labels.AccessFirst), whatever the segment.
func (s *Service) accessFirst(v *View, product *kolgraph.Product, listings map[string]kolgraph.Listing) {
	for c := range v.Matrix.Cells {
		for i := range v.Matrix.Cells[c].Members {
			m := &v.Matrix.Cells[c].Members[i]
			l, ok := listings[m.HospitalID]
			m.Listing = l.Status
			if ok && l.Status == "listed" {
				continue
			}
			m.AccessFirst = true
			m.Playbook = labels.AccessFirst(labels.EN, product.ID, l.Status)
		}
	}
}

// gather collects the hospitals, departments and HCPs of a scope from the
// snapshot, each in id order. A scope always holds whole departments (the
// snapshot's scopes are hospitals, departments and territories), as
// account.Evaluate needs.
func gather(snap *snapshot.Snapshot, sc snapshot.Scope) (account.Scope, error) {
	nodes, err := snap.Nodes(sc)
	if err != nil {
		return account.Scope{}, err
	}
	var out account.Scope
	inHospital := func(h *kolgraph.Hospital) bool {
		switch {
		case sc.Hospital != "":
			return h.ID == sc.Hospital
		case sc.Territory != "":
			return h.TerritoryID == sc.Territory
		case sc.Department != "":
			return h.ID == snap.Departments[sc.Department].HospitalID
		}
		return true
	}
	hosp := map[string]bool{}
	for _, h := range snap.Hospitals {
		if inHospital(h) {
			out.Hospitals = append(out.Hospitals, h)
			hosp[h.ID] = true
		}
	}
	for _, d := range snap.Departments {
		if (sc.Department == "" && hosp[d.HospitalID]) || d.ID == sc.Department {
			out.Departments = append(out.Departments, d)
		}
	}
	slices.SortFunc(out.Hospitals, func(a, b *kolgraph.Hospital) int { return cmp.Compare(a.ID, b.ID) })
	slices.SortFunc(out.Departments, func(a, b *kolgraph.Department) int { return cmp.Compare(a.ID, b.ID) })
	out.HCPs = make([]*kolgraph.HCP, len(nodes))
	for i, v := range nodes {
		out.HCPs[i] = snap.HCPs[v]
	}
	return out, nil
}

func (s *Service) scopeName(ctx context.Context, snap *snapshot.Snapshot, sc snapshot.Scope) (string, error) {
	switch {
	case sc.Hospital != "":
		return "Hospital " + sc.Hospital + " " + snap.Hospitals[sc.Hospital].Name, nil
	case sc.Department != "":
		d := snap.Departments[sc.Department]
		name := "Department " + d.ID + " " + d.Name
		if h := snap.Hospitals[d.HospitalID]; h != nil {
			name += ", " + h.Name
		}
		return name, nil
	case sc.Territory != "":
		ts, err := s.catalog.Territories(ctx, []string{sc.Territory})
		if err != nil {
			return "", fmt.Errorf("load territory %s: %w", sc.Territory, err)
		}
		name := "Territory " + sc.Territory
		if len(ts) > 0 && ts[0] != nil && ts[0].Name != "" {
			name += " " + ts[0].Name
		}
		return name, nil
	}
	return "All hospitals", nil
}
