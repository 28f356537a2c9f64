package telemetry

import (
	"context"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Store decorates a kolgraph.Store with per-method latency and error counts.
type Store struct {
	kolgraph.Store
	m *Metrics
}

var _ kolgraph.Store = (*Store)(nil)

// InstrumentStore wraps s so that every call is measured.
func (m *Metrics) InstrumentStore(s kolgraph.Store) *Store { return &Store{Store: s, m: m} }

func timed[T any](m *Metrics, method string, f func() (T, error)) (T, error) {
	t0 := time.Now()
	v, err := f()
	m.storeCalls.WithLabelValues(method).Observe(time.Since(t0).Seconds())
	if err != nil {
		m.storeErrors.WithLabelValues(method).Inc()
	}
	return v, err
}

func (s *Store) Hospitals(ctx context.Context, ids []string) ([]*kolgraph.Hospital, error) {
	return timed(s.m, "Hospitals", func() ([]*kolgraph.Hospital, error) { return s.Store.Hospitals(ctx, ids) })
}

func (s *Store) Departments(ctx context.Context, ids []string) ([]*kolgraph.Department, error) {
	return timed(s.m, "Departments", func() ([]*kolgraph.Department, error) { return s.Store.Departments(ctx, ids) })
}

func (s *Store) HCPs(ctx context.Context, ids []string) ([]*kolgraph.HCP, error) {
	return timed(s.m, "HCPs", func() ([]*kolgraph.HCP, error) { return s.Store.HCPs(ctx, ids) })
}

func (s *Store) Committees(ctx context.Context, ids []string) ([]*kolgraph.Committee, error) {
	return timed(s.m, "Committees", func() ([]*kolgraph.Committee, error) { return s.Store.Committees(ctx, ids) })
}

func (s *Store) Products(ctx context.Context, ids []string) ([]*kolgraph.Product, error) {
	return timed(s.m, "Products", func() ([]*kolgraph.Product, error) { return s.Store.Products(ctx, ids) })
}

func (s *Store) Territories(ctx context.Context, ids []string) ([]*kolgraph.Territory, error) {
	return timed(s.m, "Territories", func() ([]*kolgraph.Territory, error) { return s.Store.Territories(ctx, ids) })
}

func (s *Store) Users(ctx context.Context, ids []string) ([]*kolgraph.User, error) {
	return timed(s.m, "Users", func() ([]*kolgraph.User, error) { return s.Store.Users(ctx, ids) })
}

func (s *Store) Influences(ctx context.Context, keys []kolgraph.EdgeKey) ([]*kolgraph.Influence, error) {
	return timed(s.m, "Influences", func() ([]*kolgraph.Influence, error) { return s.Store.Influences(ctx, keys) })
}

func (s *Store) ListHospitals(ctx context.Context, f kolgraph.HospitalFilter, p kolgraph.Page) (*kolgraph.HospitalPage, error) {
	return timed(s.m, "ListHospitals", func() (*kolgraph.HospitalPage, error) { return s.Store.ListHospitals(ctx, f, p) })
}

func (s *Store) ListHCPs(ctx context.Context, f kolgraph.HCPFilter, p kolgraph.Page) (*kolgraph.HCPPage, error) {
	return timed(s.m, "ListHCPs", func() (*kolgraph.HCPPage, error) { return s.Store.ListHCPs(ctx, f, p) })
}

func (s *Store) ListProducts(ctx context.Context) ([]*kolgraph.Product, error) {
	return timed(s.m, "ListProducts", func() ([]*kolgraph.Product, error) { return s.Store.ListProducts(ctx) })
}

func (s *Store) ListTerritories(ctx context.Context) ([]*kolgraph.Territory, error) {
	return timed(s.m, "ListTerritories", func() ([]*kolgraph.Territory, error) { return s.Store.ListTerritories(ctx) })
}

func (s *Store) AccountPlans(ctx context.Context, ids []string) ([]*kolgraph.AccountPlan, error) {
	return timed(s.m, "AccountPlans", func() ([]*kolgraph.AccountPlan, error) { return s.Store.AccountPlans(ctx, ids) })
}

func (s *Store) ListAccountPlans(ctx context.Context, f kolgraph.AccountPlanFilter, p kolgraph.Page) (*kolgraph.AccountPlanPage, error) {
	return timed(s.m, "ListAccountPlans", func() (*kolgraph.AccountPlanPage, error) { return s.Store.ListAccountPlans(ctx, f, p) })
}

func (s *Store) DepartmentsOfHospitals(ctx context.Context, ids []string) ([][]*kolgraph.Department, error) {
	return timed(s.m, "DepartmentsOfHospitals", func() ([][]*kolgraph.Department, error) { return s.Store.DepartmentsOfHospitals(ctx, ids) })
}

func (s *Store) CommitteesOfHospitals(ctx context.Context, ids []string) ([][]*kolgraph.Committee, error) {
	return timed(s.m, "CommitteesOfHospitals", func() ([][]*kolgraph.Committee, error) { return s.Store.CommitteesOfHospitals(ctx, ids) })
}

func (s *Store) ListingsOfHospitals(ctx context.Context, ids []string) ([][]kolgraph.Listing, error) {
	return timed(s.m, "ListingsOfHospitals", func() ([][]kolgraph.Listing, error) { return s.Store.ListingsOfHospitals(ctx, ids) })
}

func (s *Store) ProductSharesOfDepartments(ctx context.Context, ids []string) ([][]kolgraph.ProductShare, error) {
	return timed(s.m, "ProductSharesOfDepartments", func() ([][]kolgraph.ProductShare, error) { return s.Store.ProductSharesOfDepartments(ctx, ids) })
}

func (s *Store) PrescriptionFacts(ctx context.Context, keys []kolgraph.PrescriptionFactKey) ([]*kolgraph.PrescriptionFact, error) {
	return timed(s.m, "PrescriptionFacts", func() ([]*kolgraph.PrescriptionFact, error) { return s.Store.PrescriptionFacts(ctx, keys) })
}

func (s *Store) PrescriptionFactsOf(ctx context.Context, ids []string) ([][]kolgraph.PrescriptionFact, error) {
	return timed(s.m, "PrescriptionFactsOf", func() ([][]kolgraph.PrescriptionFact, error) { return s.Store.PrescriptionFactsOf(ctx, ids) })
}

func (s *Store) Interactions(ctx context.Context, ids []string) ([]*kolgraph.Interaction, error) {
	return timed(s.m, "Interactions", func() ([]*kolgraph.Interaction, error) { return s.Store.Interactions(ctx, ids) })
}

func (s *Store) InteractionsOfHCPs(ctx context.Context, ids []string) ([][]*kolgraph.Interaction, error) {
	return timed(s.m, "InteractionsOfHCPs", func() ([][]*kolgraph.Interaction, error) { return s.Store.InteractionsOfHCPs(ctx, ids) })
}

func (s *Store) ListInteractions(ctx context.Context, f kolgraph.InteractionFilter, p kolgraph.Page) (*kolgraph.InteractionPage, error) {
	return timed(s.m, "ListInteractions", func() (*kolgraph.InteractionPage, error) { return s.Store.ListInteractions(ctx, f, p) })
}

func (s *Store) AccountOwners(ctx context.Context, ids []string) ([]*kolgraph.AccountOwner, error) {
	return timed(s.m, "AccountOwners", func() ([]*kolgraph.AccountOwner, error) { return s.Store.AccountOwners(ctx, ids) })
}

func (s *Store) Activities(ctx context.Context, ids []string) ([]*kolgraph.Activity, error) {
	return timed(s.m, "Activities", func() ([]*kolgraph.Activity, error) { return s.Store.Activities(ctx, ids) })
}

func (s *Store) ListActivities(ctx context.Context, f kolgraph.ActivityFilter, p kolgraph.Page) (*kolgraph.ActivityPage, error) {
	return timed(s.m, "ListActivities", func() (*kolgraph.ActivityPage, error) { return s.Store.ListActivities(ctx, f, p) })
}

func (s *Store) HCPsOfDepartments(ctx context.Context, ids []string) ([][]*kolgraph.HCP, error) {
	return timed(s.m, "HCPsOfDepartments", func() ([][]*kolgraph.HCP, error) { return s.Store.HCPsOfDepartments(ctx, ids) })
}

func (s *Store) MembershipsOfHCPs(ctx context.Context, ids []string) ([][]kolgraph.Membership, error) {
	return timed(s.m, "MembershipsOfHCPs", func() ([][]kolgraph.Membership, error) { return s.Store.MembershipsOfHCPs(ctx, ids) })
}

func (s *Store) MembershipsOfCommittees(ctx context.Context, ids []string) ([][]kolgraph.Membership, error) {
	return timed(s.m, "MembershipsOfCommittees", func() ([][]kolgraph.Membership, error) { return s.Store.MembershipsOfCommittees(ctx, ids) })
}

func (s *Store) InfluencesFrom(ctx context.Context, ids []string) ([][]*kolgraph.Influence, error) {
	return timed(s.m, "InfluencesFrom", func() ([][]*kolgraph.Influence, error) { return s.Store.InfluencesFrom(ctx, ids) })
}

func (s *Store) InfluencesTo(ctx context.Context, ids []string) ([][]*kolgraph.Influence, error) {
	return timed(s.m, "InfluencesTo", func() ([][]*kolgraph.Influence, error) { return s.Store.InfluencesTo(ctx, ids) })
}

func (s *Store) KnowsOfUsers(ctx context.Context, ids []string) ([][]kolgraph.Knows, error) {
	return timed(s.m, "KnowsOfUsers", func() ([][]kolgraph.Knows, error) { return s.Store.KnowsOfUsers(ctx, ids) })
}

func (s *Store) Version(ctx context.Context) (uint64, error) {
	return timed(s.m, "Version", func() (uint64, error) { return s.Store.Version(ctx) })
}

func (s *Store) Apply(ctx context.Context, cs *kolgraph.ChangeSet) (uint64, error) {
	return timed(s.m, "Apply", func() (uint64, error) { return s.Store.Apply(ctx, cs) })
}

// Scan is measured as a whole (a snapshot build streams the whole graph).
func (s *Store) Scan(ctx context.Context, v kolgraph.Visitor) error {
	_, err := timed(s.m, "Scan", func() (struct{}, error) { return struct{}{}, s.Store.Scan(ctx, v) })
	return err
}

// Ping is measured too: readiness probes show the store's responsiveness.
func (s *Store) Ping(ctx context.Context) error {
	_, err := timed(s.m, "Ping", func() (struct{}, error) { return struct{}{}, s.Store.Ping(ctx) })
	return err
}

func (s *Store) AuditLog(ctx context.Context, f kolgraph.AuditFilter, p kolgraph.Page) (*kolgraph.AuditPage, error) {
	return timed(s.m, "AuditLog", func() (*kolgraph.AuditPage, error) { return s.Store.AuditLog(ctx, f, p) })
}

func (s *Store) AppendAudit(ctx context.Context, entries []kolgraph.AuditEntry) error {
	_, err := timed(s.m, "AppendAudit", func() (struct{}, error) { return struct{}{}, s.Store.AppendAudit(ctx, entries) })
	return err
}

func (s *Store) AppendHistory(ctx context.Context, points []*kolgraph.HistoryPoint) error {
	_, err := timed(s.m, "AppendHistory", func() (struct{}, error) { return struct{}{}, s.Store.AppendHistory(ctx, points) })
	return err
}

func (s *Store) History(ctx context.Context, scope, metric string, from, to time.Time) ([]*kolgraph.HistoryPoint, error) {
	return timed(s.m, "History", func() ([]*kolgraph.HistoryPoint, error) { return s.Store.History(ctx, scope, metric, from, to) })
}

func (s *Store) LatestHistory(ctx context.Context, scope, metric string, notAfter time.Time) (*kolgraph.HistoryPoint, error) {
	return timed(s.m, "LatestHistory", func() (*kolgraph.HistoryPoint, error) {
		return s.Store.LatestHistory(ctx, scope, metric, notAfter)
	})
}

func (s *Store) PruneHistory(ctx context.Context, r kolgraph.HistoryRetention, now time.Time) (int, error) {
	return timed(s.m, "PruneHistory", func() (int, error) { return s.Store.PruneHistory(ctx, r, now) })
}
