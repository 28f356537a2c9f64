package main

import (
	"context"
	"net/http"
	"time"

	"github.com/kolgraph/kolgraph/internal/access"
	"github.com/kolgraph/kolgraph/internal/account"
	"github.com/kolgraph/kolgraph/internal/analyses"
	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/config"
	"github.com/kolgraph/kolgraph/internal/fieldservice"
	"github.com/kolgraph/kolgraph/internal/fieldwork"
	"github.com/kolgraph/kolgraph/internal/gqlguard"
	"github.com/kolgraph/kolgraph/internal/labels"
	"github.com/kolgraph/kolgraph/internal/memo"
	"github.com/kolgraph/kolgraph/internal/planreport"
	"github.com/kolgraph/kolgraph/internal/server"
	"github.com/kolgraph/kolgraph/internal/settings"
	"github.com/kolgraph/kolgraph/internal/tiering"
)

// analysesConfig is what the analytics of the whole graph and of every
// territory set are built with: the services' defaults, the configured
// path-id key, the one pool of background workers (-analytics-workers),
// and the cache metrics (when the service has them).
func (m *Main) analysesConfig() analyses.Config {
	c := analyses.DefaultConfig()
	c.Access = accessOptions(m.Config)
	if m.pool == nil {
		n := m.Config.AnalyticsWorkers
		if n == 0 {
			n = analyses.DefaultWorkers()
		}
		m.pool = memo.NewPool(n)
	}
	c.Pool = m.pool
	if m.Metrics != nil {
		c.CacheObserver = m.Metrics.CacheLookup
	}
	return c
}

// settingsRefresh is how often a serving instance looks for settings
// versions another instance recorded.
const settingsRefresh = 10 * time.Second

// openSettings opens the settings service over the store (readOnly: a
// one-shot command, which records nothing).
func (m *Main) openSettings(ctx context.Context, readOnly bool) error {
	s, err := settings.Open(ctx, m.Store, settings.Options{
		Defaults: settings.From(m.analysesConfig()), File: m.Config.Settings, ReadOnly: readOnly})
	if err != nil {
		return err
	}
	m.Settings = s
	return nil
}

// configFor is the analyses configuration with settings version v.
func (m *Main) configFor(v *settings.Version) analyses.Config {
	c := v.Document.Apply(m.analysesConfig())
	c.Tiering.Settings = v.Stamp()
	return c
}

// pathIDKey is the key path ids are signed with: -path-id-key; else one
// derived from -auth-hs256-secret (so that the instances of a deployment,
// which share the token secret, resolve each other's ids); else nil, and
// package access draws a random key for the process.
func pathIDKey(c config.Config) []byte {
	switch {
	case c.PathIDKey != "":
		return []byte(c.PathIDKey)
	case c.AuthHS256Secret != "":
		return access.IDKeyFrom([]byte(c.AuthHS256Secret))
	}
	return nil
}

// accessOptions are the access services' options: the same path-id key for
// the full graph's service and every territory set's.
func accessOptions(c config.Config) access.Options {
	o := access.DefaultOptions()
	o.IDKey = pathIDKey(c)
	return o
}

// logPathIDKey warns at start-up when path ids are signed with a random key.
func (m *Main) logPathIDKey() {
	if pathIDKey(m.Config) == nil {
		m.Log.Warn().Msg("no -path-id-key or -auth-hs256-secret: path ids are signed with a random key, so they will not resolve after a restart or on another instance")
	}
}

// guard is the authentication and rate-limiting middleware the
// configuration asks for.
func guard(c config.Config) (func(http.Handler) http.Handler, error) {
	o, err := authOptions(c)
	if err != nil {
		return nil, err
	}
	a, err := auth.New(o)
	if err != nil {
		return nil, err
	}
	return auth.Middleware(a, auth.NewLimiter(c.RateLimit, c.RateBurst)), nil
}

// limits are the configured query limits.
func limits(c config.Config) gqlguard.Limits {
	return gqlguard.Limits{MaxComplexity: c.MaxComplexity, MaxDepth: c.MaxDepth, MaxAliases: c.MaxAliases, MaxFields: c.MaxFields}
}

// scopedReports serves each tiering report from the caller's analytics:
// the report of a territory-scoped caller covers its territories only.
type scopedReports struct {
	views    *analyses.Views
	settings *settings.Service
}

var _ server.TieringReports = scopedReports{}

func (s scopedReports) Report(ctx context.Context, req tiering.Request, l account.Level) (*account.Report, error) {
	d, err := s.deps(ctx)
	if err != nil {
		return nil, err
	}
	return d.Analytics.Tiering.Report(ctx, req, l)
}

// deps is the caller's store and analytics.
func (s scopedReports) deps(ctx context.Context) (analyses.Deps, error) {
	p, err := auth.Authenticated(ctx)
	if err != nil {
		return analyses.Deps{}, err
	}
	return s.views.For(p)
}

var _ server.PlanReports = scopedReports{}

// PlanReport builds account plan id's document from the caller's store
// and analytics: a plan outside its territories is NOT_FOUND, and a
// citation shows the citing user's tie only to that user and admins.
func (s scopedReports) PlanReport(ctx context.Context, id string, lang labels.Lang) (*planreport.Report, error) {
	d, err := s.deps(ctx)
	if err != nil {
		return nil, err
	}
	pd := planreport.Deps{Store: d.Store, Snapshots: d.Analytics.Snapshots, Paths: d.Analytics.Access}
	if p, _ := auth.Authenticated(ctx); p.Scoped() {
		pd.Whole = s.views.Full().Snapshots
	}
	return planreport.Build(ctx, pd, id, lang, time.Now())
}

var _ server.FieldReports = scopedReports{}

// fieldDeps are the field services' inputs for the caller.
func (s scopedReports) fieldDeps(ctx context.Context) (fieldservice.Deps, error) {
	d, err := s.deps(ctx)
	if err != nil {
		return fieldservice.Deps{}, err
	}
	return fieldservice.Deps{Store: d.Store, Tiering: d.Analytics.Tiering, Snapshots: d.Analytics.Snapshots}, nil
}

// KAMMonth is a KAM's month of the caller's call plan, with the current
// field settings.
func (s scopedReports) KAMMonth(ctx context.Context, req fieldservice.CallPlanRequest, kam string, lang labels.Lang) (*fieldwork.PlanReport, *fieldservice.CallPlan, error) {
	d, err := s.fieldDeps(ctx)
	if err != nil {
		return nil, nil, err
	}
	req.Config = s.settings.Current().Document.Field
	return fieldservice.KAMMonth(ctx, d, req, kam, lang)
}

// Activities is the caller's activity ROI report, with the current field
// settings.
func (s scopedReports) Activities(ctx context.Context, req fieldservice.ActivityRequest, lang labels.Lang) (*fieldwork.ROIReport, error) {
	d, err := s.fieldDeps(ctx)
	if err != nil {
		return nil, err
	}
	v := s.settings.Current()
	req.Config, req.SettingsVersion = v.Document.Field, v.Number
	return fieldservice.ActivityReport(ctx, d, req, lang)
}
