package graph

import (
	"context"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/settings"
)

// settingsVersion is version n of the settings (the current one when n is
// nil); nil when there is no such version.
func (r *Resolver) settingsVersion(ctx context.Context, n *int) (*settings.Version, error) {
	if _, err := auth.Authenticated(ctx); err != nil {
		return nil, err
	}
	if n == nil {
		return r.Settings.Current(), nil
	}
	v, ok := r.Settings.At(*n)
	if !ok {
		return nil, nil
	}
	return v, nil
}

// resultSettings is the settings version a result was computed with; the
// service keeps every version it has seen, so it is there.
func (r *Resolver) resultSettings(n int) (*settings.Version, error) {
	v, ok := r.Settings.At(n)
	if !ok {
		return nil, kolgraph.Errorf(kolgraph.EINTERNAL, "settings version %d is unknown", n)
	}
	return v, nil
}

// updateSettings records document as the new settings version, for an
// admin.
func (r *Resolver) updateSettings(ctx context.Context, document string, expected *int) (*settings.Version, error) {
	p, err := auth.Authenticated(ctx)
	if err != nil {
		return nil, err
	}
	if err := p.Check(auth.ManageSettings); err != nil {
		return nil, err
	}
	return r.Settings.Update(ctx, p.Subject, "mutation updateSettings", []byte(document), expected)
}
