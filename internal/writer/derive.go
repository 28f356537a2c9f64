package writer

import (
	"context"
	"strconv"
	"time"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// The fields a caller may leave out of a change set, which the writer
// derives from the store while it plans, so that they are decided at the
// version the write is checked against (IfVersion), not read before it:
//
//   - an HCP without hospital_id is in its department's hospital (the
//     change set's department, else the stored one); a department that
//     does not exist (or is out of the caller's scope) is EINVALID;
//   - an account plan's created_by/at and updated_by/at are the writer's
//     alone (what a caller gives is replaced): a new plan is created and
//     updated by the actor now; a stored one keeps its creation, and its
//     update stamps unless the rest of the plan changes, so an upsert
//     that changes nothing stays unchanged;
//   - an INFLUENCES tie without updatedAt keeps the stored tie's time when
//     weight, kind and evidence are unchanged (so a repeated upsert or
//     re-import changes nothing), and is stamped now otherwise.
//
// Plan and Apply fill the derived values into the caller's records.

// withHospitals returns hs with each HCP that has no hospital replaced by
// a copy in its department's hospital (nil records stay nil).
func withHospitals(ctx context.Context, st Store, hs []*kolgraph.HCP, cs []*kolgraph.Department) ([]*kolgraph.HCP, error) {
	var missing []string
	for _, h := range hs {
		if h != nil && h.HospitalID == "" {
			missing = append(missing, h.DepartmentID)
		}
	}
	if len(missing) == 0 {
		return hs, nil
	}
	hospital := make(map[string]string, len(missing))
	for _, d := range cs {
		if d != nil {
			hospital[d.ID] = d.HospitalID
		}
	}
	stored, err := byID(ctx, missing, st.Departments, func(d *kolgraph.Department) string { return d.ID })
	if err != nil {
		return nil, err
	}
	for id, d := range stored {
		if _, ok := hospital[id]; !ok {
			hospital[id] = d.HospitalID
		}
	}
	out := make([]*kolgraph.HCP, len(hs))
	var ps []kolgraph.Problem
	for i, h := range hs {
		out[i] = h
		if h == nil || h.HospitalID != "" {
			continue
		}
		hid, ok := hospital[h.DepartmentID]
		if !ok {
			ps = append(ps, kolgraph.Problem{File: kolgraph.KindHCPs + "/" + h.ID, Field: "department_id",
				Message: "references department " + strconv.Quote(h.DepartmentID) + ", which does not exist"})
			continue
		}
		c := *h
		c.HospitalID = hid
		out[i] = &c
	}
	if err := kolgraph.Invalid(ps); err != nil {
		return nil, err
	}
	return out, nil
}

// stamped returns es with each tie without an update time replaced by a
// copy stamped as the rule above says; stored holds the stored ties.
func stamped(es []*kolgraph.Influence, stored map[kolgraph.EdgeKey]*kolgraph.Influence, now time.Time) []*kolgraph.Influence {
	out := es
	for i, e := range es {
		if e == nil || !e.UpdatedAt.IsZero() {
			continue
		}
		if &out[0] == &es[0] {
			out = make([]*kolgraph.Influence, len(es))
			copy(out, es)
		}
		c := *e
		c.UpdatedAt = now.UTC()
		if o := stored[e.Key()]; o != nil && o.Weight == e.Weight && o.Kind == e.Kind && o.Evidence == e.Evidence {
			c.UpdatedAt = o.UpdatedAt
		}
		out[i] = &c
	}
	return out
}

// stampPlans returns ps (same order, nil kept) with each plan replaced by
// a copy stamped as the rule above says; stored holds the stored plans,
// deleted the plans the change set deletes first (so upserts are new).
func (b *builder) stampPlans(ps []*kolgraph.AccountPlan, stored map[string]*kolgraph.AccountPlan, deleted kolgraph.IDSet) []*kolgraph.AccountPlan {
	out := make([]*kolgraph.AccountPlan, len(ps))
	now := b.now.UTC()
	for i, p := range ps {
		if p == nil {
			continue
		}
		c := *p
		c.CreatedBy, c.CreatedAt, c.UpdatedBy, c.UpdatedAt = b.actor, now, b.actor, now
		if o := stored[p.ID]; o != nil && !deleted.Has(p.ID) {
			c.CreatedBy, c.CreatedAt, c.UpdatedBy, c.UpdatedAt = o.CreatedBy, o.CreatedAt, o.UpdatedBy, o.UpdatedAt
			if b.record(&c) != b.record(o) {
				c.UpdatedBy, c.UpdatedAt = b.actor, now
			}
		}
		out[i] = &c
	}
	return out
}

// fill copies the derived values of p's records into cs's, which p was
// planned from (same order).
func (p *Plan) fill(cs *kolgraph.ChangeSet) {
	for i, h := range cs.HCPs {
		if h != nil && h.HospitalID == "" && i < len(p.hcps) {
			h.HospitalID = p.hcps[i].HospitalID
		}
	}
	for i, e := range cs.Influences {
		if e != nil && e.UpdatedAt.IsZero() && i < len(p.influences) {
			e.UpdatedAt = p.influences[i].UpdatedAt
		}
	}
	for i, r := range cs.AccountPlans {
		if r != nil && i < len(p.plans) {
			s := p.plans[i]
			r.CreatedBy, r.CreatedAt, r.UpdatedBy, r.UpdatedAt = s.CreatedBy, s.CreatedAt, s.UpdatedBy, s.UpdatedAt
		}
	}
}
