package kolgraph

import "slices"

// InteractionKind describes interactions as a ChangeSet kind.
var InteractionKind = &Kind[*Interaction, string]{Name: KindInteractions,
	Upserts:  func(cs *ChangeSet) *[]*Interaction { return &cs.Interactions },
	Deletes:  func(d *Deletion) *[]string { return &d.Interactions },
	Resolved: func(c *Changes) *map[string]*Interaction { return &c.Interactions },
	Key:      func(r *Interaction) string { return r.ID }, ID: self,
	Check: (*Interaction).Validate, Nil: isNil[Interaction]}

// InteractionFilter selects interactions; empty fields match everything
// and all set fields must match. From and To are inclusive dates
// YYYY-MM-DD (empty: open). Territories restricts to interactions whose
// HCP's hospital is in one of them (a caller's scope; never pass an empty
// set to mean "none").
type InteractionFilter struct {
	HCPID       string
	KAMID       string
	ProductID   string
	From, To    string
	Territories []string
}

// Validate checks the filter's dates.
func (f *InteractionFilter) Validate() error { return checkDateRange(f.From, f.To) }

// Match reports whether in passes the filter; territory is the territory
// of in's HCP's hospital.
func (f *InteractionFilter) Match(in *Interaction, territory string) bool {
	return (f.HCPID == "" || in.HCPID == f.HCPID) &&
		(f.KAMID == "" || in.KAMID == f.KAMID) &&
		(f.ProductID == "" || in.ProductID == f.ProductID) &&
		inDateRange(in.Date, f.From, f.To) &&
		(len(f.Territories) == 0 || slices.Contains(f.Territories, territory))
}

// InteractionPage is one page of interactions, ascending by id, with the
// total count of the filter.
type InteractionPage struct {
	Items   []*Interaction
	Total   int
	HasNext bool
}

// checkDateRange checks the inclusive bounds of a date filter: each empty
// or a date YYYY-MM-DD (EINVALID otherwise).
func checkDateRange(from, to string) error {
	for _, b := range []struct{ name, v string }{{"from", from}, {"to", to}} {
		if _, ok := ParseDate(b.v); b.v != "" && !ok {
			return Errorf(EINVALID, "%s must be a date YYYY-MM-DD (got %q)", b.name, Clip(b.v))
		}
	}
	return nil
}

// inDateRange reports whether date is within the inclusive bounds (empty:
// open); dates YYYY-MM-DD compare as strings.
func inDateRange(date, from, to string) bool {
	return (from == "" || date >= from) && (to == "" || date <= to)
}

// checkInteractions checks the references of the upserted interactions:
// the HCP exists after the change, the KAM is a user, the product (when
// set) a product.
func (c *Changes) checkInteractions(f Facts, p *fieldProblems) {
	for id, in := range c.Interactions {
		name := KindInteractions + "/" + id
		if !c.hcpAfter(f, in.HCPID) {
			p.missing(name, "hcp_id", "HCP", in.HCPID)
		}
		if !c.userAfter(f, in.KAMID) {
			p.missing(name, "kam_id", "user", in.KAMID)
		}
		if in.ProductID != "" && !c.productAfter(f, in.ProductID) {
			p.missing(name, "product_id", "product", in.ProductID)
		}
	}
}
