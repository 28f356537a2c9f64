package kolgraph

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Record kinds as the audit log (and Problem.File) names them: the ChangeSet
// field names in snake case.
const (
	KindTerritories = "territories"
	KindHospitals   = "hospitals"
	KindDepartments = "departments"
	KindHCPs        = "hcps"
	KindCommittees  = "committees"
	KindMemberships = "memberships"
	KindProducts    = "products"
	KindListings    = "listings"
	// KindIndicationShares are ProductShare records.
	KindIndicationShares = "indication_shares"
	KindUsers            = "users"
	KindKnows            = "knows"
	KindInfluences       = "influences"
	// KindAccountPlans are AccountPlan records (documents, not graph
	// nodes or ties, but written and audited like them).
	KindAccountPlans = "account_plans"
	// KindSettings is the domain settings document (internal/settings):
	// not a graph record, so no ChangeSet carries it; each version is an
	// audit entry appended with AppendAudit, entity SettingsEntity.
	KindSettings = "settings"
)

// SettingsEntity is the entity id of the settings document's entries.
const SettingsEntity = "settings"

// Kinds lists every record kind, nodes before the relationships that point
// at them.
var Kinds = []string{KindTerritories, KindHospitals, KindDepartments, KindHCPs,
	KindCommittees, KindMemberships, KindProducts, KindListings,
	KindIndicationShares, KindUsers, KindKnows, KindInfluences, KindAccountPlans, KindPrescriptions,
	KindInteractions, KindOwners, KindActivities, KindSettings}

// Audit operations. Changes (create, update, delete) are recorded by the
// Apply that makes them; reads of personal data by Store.AppendAudit.
const (
	OpCreate = "create"
	OpUpdate = "update"
	OpDelete = "delete"
	OpRead   = "read"
)

// Ops lists the audit operations.
var Ops = []string{OpCreate, OpUpdate, OpDelete, OpRead}

// PairID is the audit id of a relationship: its two end ids joined by "->"
// in the order of its key (membership: HCP->committee, listing:
// hospital->product, indication share: department->product, knows:
// user->HCP, influence: from->to).
func PairID(a, b string) string { return a + "->" + b }

// AuditEntry is one record's change by one write: who made it, when, what
// record, and its values before and after (JSON of the record as the
// entity types encode it; "" for "did not exist"). Or, with Op read, one
// record's personal data handed out to a caller: After then says what was
// read (JSON, e.g. {"fields":["email","phone"]}).
//
// The writer fills Actor, Source, Kind, EntityID, Op, Before and After and
// passes the entries in ChangeSet.Audit; the store assigns Version, Seq and
// At inside the transaction that applies the change, so an entry exists
// exactly when its change does. Reads go through Store.AppendAudit, which
// files them under the version the graph is at, after the entries already
// there.
type AuditEntry struct {
	Version  uint64    `json:"version"`  // the version the change set produced
	Seq      int       `json:"seq"`      // position in ChangeSet.Audit, from 0
	At       time.Time `json:"at"`       // when the store applied it (UTC)
	Actor    string    `json:"actor"`    // a user id, "cli" or "anonymous"
	Source   string    `json:"source"`   // what wrote it, e.g. "mutation upsertHCP", "import"
	Kind     string    `json:"kind"`     // one of Kinds
	EntityID string    `json:"entityId"` // the record's id; PairID for relationships
	Op       string    `json:"op"`       // create | update | delete | read
	Before   string    `json:"before,omitempty"`
	After    string    `json:"after,omitempty"`
}

// Cursor is the entry's position in the log: entries are ordered by
// (Version, Seq), which is the order they were recorded in, and cursors
// compare as strings in that order.
func (e *AuditEntry) Cursor() string {
	return fmt.Sprintf("%020d.%010d", e.Version, e.Seq)
}

// MaxAuditSeq bounds Seq: reads appended at one version may number far more
// than the entries of one change set, but not more than this.
const MaxAuditSeq = 1<<32 - 1

// ParseAuditCursor splits a cursor made by Cursor (or by the six-digit form
// of earlier releases, which a client may still hold).
func ParseAuditCursor(c string) (version uint64, seq int, err error) {
	v, s, ok := strings.Cut(c, ".")
	if ok && len(v) == 20 && (len(s) == 10 || len(s) == 6) {
		version, err1 := strconv.ParseUint(v, 10, 64)
		n, err2 := strconv.Atoi(s)
		if err1 == nil && err2 == nil && n >= 0 && n <= MaxAuditSeq {
			return version, n, nil
		}
	}
	return 0, 0, Errorf(EINVALID, "%q is not an audit log cursor", c)
}

// MaxAuditText bounds Before and After, in bytes: a record's JSON is far
// smaller, so more means a bug in the writer.
const MaxAuditText = 64 << 10

// Validate reports what is wrong with the writer's fields of an entry.
func (e *AuditEntry) Validate() []Problem {
	var c checker
	c.text("actor", e.Actor, true)
	c.text("source", e.Source, true)
	c.oneOf("kind", e.Kind, Kinds)
	c.text("entity_id", e.EntityID, true)
	c.oneOf("op", e.Op, Ops)
	switch {
	case e.Op == OpCreate && (e.Before != "" || e.After == ""):
		c.add("op", "create needs After and no Before")
	case e.Op == OpUpdate && (e.Before == "" || e.After == ""):
		c.add("op", "update needs Before and After")
	case e.Op == OpDelete && (e.Before == "" || e.After != ""):
		c.add("op", "delete needs Before and no After")
	case e.Op == OpRead && (e.Before != "" || e.After == ""):
		c.add("op", "read needs After (what was read) and no Before")
	}
	if len(e.Before) > MaxAuditText || len(e.After) > MaxAuditText {
		c.add("after", "is longer than %d bytes", MaxAuditText)
	}
	return c.ps
}

// CheckAuditAppend reports what is wrong with entries passed to
// Store.AppendAudit: each must be valid and a read, or a version of the
// settings document (kind settings, entity SettingsEntity, create or
// update), which lives in the log alone (EINVALID naming "audit[i]"
// otherwise; changes of graph records are recorded by the Apply that makes
// them).
func CheckAuditAppend(entries []AuditEntry) error {
	var p fieldProblems
	for i := range entries {
		e := &entries[i]
		name := fmt.Sprintf("audit[%d]", i)
		p.fields(name, e.Validate())
		switch {
		case e.Kind == KindSettings:
			if e.EntityID != SettingsEntity || (e.Op != OpCreate && e.Op != OpUpdate) {
				p.add(name, "op", "a settings entry creates or updates entity %q", SettingsEntity)
			}
		case e.Op != OpRead:
			p.add(name, "op", "only reads are appended; changes are recorded by the Apply that makes them")
		}
	}
	return Invalid(p.ps)
}

// AuditFilter selects audit entries; empty fields match everything.
type AuditFilter struct {
	Kind     string    // one of Kinds
	Op       string    // one of Ops
	EntityID string    // with or without Kind: the record's id or PairID
	From     time.Time // At >= From
	To       time.Time // At < To
}

// Validate checks the filter.
func (f *AuditFilter) Validate() error {
	if f.Kind != "" && !slices.Contains(Kinds, f.Kind) {
		return Errorf(EINVALID, "kind must be one of %q (got %q)", Kinds, f.Kind)
	}
	if f.Op != "" && !slices.Contains(Ops, f.Op) {
		return Errorf(EINVALID, "op must be one of %q (got %q)", Ops, f.Op)
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		return Errorf(EINVALID, "from (%s) must be before to (%s)", f.From.Format(time.RFC3339), f.To.Format(time.RFC3339))
	}
	return nil
}

// Match reports whether e passes the filter.
func (f *AuditFilter) Match(e *AuditEntry) bool {
	return (f.Kind == "" || e.Kind == f.Kind) &&
		(f.Op == "" || e.Op == f.Op) &&
		(f.EntityID == "" || e.EntityID == f.EntityID) &&
		(f.From.IsZero() || !e.At.Before(f.From)) &&
		(f.To.IsZero() || e.At.Before(f.To))
}

// AuditPage is one page of the audit log, oldest first.
type AuditPage struct {
	Items   []*AuditEntry
	HasNext bool
}

// ErrStale is what Apply returns (possibly wrapped) when ChangeSet.IfVersion
// is set and the store is at another version: the graph changed since the
// writer read it. Nothing is written; read again and retry.
var ErrStale = &Error{Code: ECONFLICT, Message: "the graph changed while this write was prepared; retry it"}
