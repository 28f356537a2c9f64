package graph

import (
	"context"

	"github.com/kolgraph/kolgraph/graph/model"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// MaxFactsPerWrite bounds recordPrescriptions and deletePrescriptions: a
// year of a territory's facts is an import, not a mutation.
const MaxFactsPerWrite = 1000

// maxFactsListed bounds HCP.prescriptions and Department.prescriptions.
const maxFactsListed = 500

// prescriptions lists the facts of an HCP or department: of product
// (every product when nil), months in [from, to] (open when nil), the
// first `first` by product then month.
func prescriptions(ctx context.Context, id string, product, from, to *string, first *int) ([]*kolgraph.PrescriptionFact, error) {
	n := intOr(first, 60)
	if n < 1 || n > maxFactsListed {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "first must be 1..%d (got %d)", maxFactsListed, n)
	}
	for _, m := range []*string{from, to} {
		if m != nil && !kolgraph.ValidMonth(*m) {
			return nil, kolgraph.Errorf(kolgraph.EINVALID, "a month must be YYYY-MM (got %q)", kolgraph.Clip(*m))
		}
	}
	facts, err := loadersFrom(ctx).prescriptionsOf.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	out := []*kolgraph.PrescriptionFact{}
	for i := range facts {
		f := &facts[i]
		switch {
		case product != nil && f.ProductID != *product,
			from != nil && f.Month < *from, // YYYY-MM orders as text
			to != nil && f.Month > *to:
			continue
		}
		if len(out) == n {
			break
		}
		out = append(out, f)
	}
	return out, nil
}

func factOf(in *model.PrescriptionFactInput) kolgraph.PrescriptionFact {
	return kolgraph.PrescriptionFact{HCPID: str(in.Hcp), DepartmentID: str(in.Department), ProductID: in.Product, Month: in.Month, Volume: in.Volume}
}

// recordPrescriptions writes facts in one change set.
func (r *Resolver) recordPrescriptions(ctx context.Context, in []*model.PrescriptionFactInput) (*model.PrescriptionsPayload, error) {
	if len(in) == 0 || len(in) > MaxFactsPerWrite {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "facts: give 1..%d facts (got %d); import larger sets with importRegion", MaxFactsPerWrite, len(in))
	}
	cs := &kolgraph.ChangeSet{Prescriptions: make([]kolgraph.PrescriptionFact, len(in))}
	for i, f := range in {
		cs.Prescriptions[i] = factOf(f)
	}
	res, err := r.write(ctx, "recordPrescriptions", cs)
	if err != nil {
		return nil, err
	}
	return &model.PrescriptionsPayload{Facts: pointers(cs.Prescriptions), Changed: res.Written, GraphVersion: graphVersion(res.Version)}, nil
}

// deletePrescriptions deletes facts in one change set.
func (r *Resolver) deletePrescriptions(ctx context.Context, keys []*model.PrescriptionFactKeyInput) (*model.DeletePayload, error) {
	if len(keys) == 0 || len(keys) > MaxFactsPerWrite {
		return nil, kolgraph.Errorf(kolgraph.EINVALID, "keys: give 1..%d keys (got %d)", MaxFactsPerWrite, len(keys))
	}
	cs := &kolgraph.ChangeSet{}
	for _, k := range keys {
		cs.Delete.Prescriptions = append(cs.Delete.Prescriptions, kolgraph.PrescriptionFactKey{
			HCPID: str(k.Hcp), DepartmentID: str(k.Department), ProductID: k.Product, Month: k.Month})
	}
	res, err := r.write(ctx, "deletePrescriptions", cs)
	if err != nil {
		return nil, err
	}
	return deleted(res), nil
}

// factHCP loads a fact's HCP (nil for a department's fact).
func factHCP(ctx context.Context, f *kolgraph.PrescriptionFact) (*kolgraph.HCP, error) {
	if f.HCPID == "" {
		return nil, nil
	}
	return required(loadersFrom(ctx).hcp.Load(ctx, f.HCPID))
}

// factDepartment loads a fact's department (nil for an HCP's fact).
func factDepartment(ctx context.Context, f *kolgraph.PrescriptionFact) (*kolgraph.Department, error) {
	if f.DepartmentID == "" {
		return nil, nil
	}
	return required(loadersFrom(ctx).department.Load(ctx, f.DepartmentID))
}
