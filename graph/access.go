package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/rs/zerolog"

	"github.com/kolgraph/kolgraph/internal/analyses"
	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/importer"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/writer"
)

// Access control lives below the resolvers: the handler picks, once per
// operation, the store and analytics the caller's principal may use
// (analyses.Views: the territory-scoped store and the territory set's
// analytics, with writes and the audit log refused to roles without them),
// and every resolver reads through r.deps(ctx). A resolver never sees the
// unscoped store, so a new field cannot forget a check.

type depsKey struct{}

// depsFor chooses the operation's dependencies from ctx's principal; there
// are none without one.
func (r *Resolver) depsFor(ctx context.Context) (analyses.Deps, error) {
	p, err := auth.Authenticated(ctx)
	if err != nil {
		return analyses.Deps{}, err
	}
	return r.Views.For(p)
}

// mayWrite refuses graph writes to a principal whose role does not write
// (and to no principal at all): uploads, before a byte is read, and
// through mayWriteOperation every mutation but account plans'. The store
// refuses such writes too; this also covers dry runs, which write nothing
// but are part of the write API.
func mayWrite(ctx context.Context) error {
	p, err := auth.Authenticated(ctx)
	if err != nil {
		return err
	}
	return p.Check(auth.Write)
}

// deps returns what the operation reads and writes through.
func (r *Resolver) deps(ctx context.Context) analyses.Deps {
	d, ok := ctx.Value(depsKey{}).(analyses.Deps)
	if !ok {
		panic("graph: no request dependencies in context; use graph.NewHandler")
	}
	return d
}

// writer writes through the operation's store, so that territory scoping
// and the role's write right apply to mutations and imports too.
func (r *Resolver) writer(ctx context.Context) *writer.Service {
	return r.writerOn(r.deps(ctx).Store)
}

func (r *Resolver) writerOn(st kolgraph.Store) *writer.Service {
	if st == r.Views.Store() {
		return r.Writer
	}
	return r.Writer.On(st)
}

// importer is r.Importer reading and writing through the operation's store.
func (r *Resolver) importer(ctx context.Context) *importer.Service {
	return r.importerOn(r.deps(ctx).Store)
}

// importerOn is r.Importer reading and writing through st.
func (r *Resolver) importerOn(st kolgraph.Store) *importer.Service {
	if st == r.Views.Store() {
		return r.Importer
	}
	return &importer.Service{Store: st, Writer: r.writerOn(st), Opts: r.Importer.Opts}
}

// Contact data is personal data, and one rule governs every way it leaves
// the service: a caller whose role may not read it never gets a value, and
// every value handed out is noted and recorded in the audit log before the
// response leaves (see contactReads.record). It applies to the HCP's own
// fields (contact) and to HCP records inside audit entries (auditRecord).

// contactFields are an HCP's contact fields as GraphQL and the audit log's
// record JSON name them.
var contactFields = []string{"phone", "email", "wechat"}

// contactsDenied is the FORBIDDEN error for a caller whose role may not read
// contact data (UNAUTHENTICATED without a caller), nil for one whose role may.
func contactsDenied(ctx context.Context, field string) error {
	p, err := auth.Authenticated(ctx)
	if err != nil {
		return err
	}
	return p.Check(auth.ReadContacts, field)
}

// noteContactRead notes that field of HCP id is being handed out.
func noteContactRead(ctx context.Context, id, field string) {
	if cr, ok := ctx.Value(contactReadsKey{}).(*contactReads); ok {
		cr.add(id, field)
	}
}

// contact returns one of an HCP's contact fields: null with a FORBIDDEN
// error unless the caller's role may read contact data.
func contact(ctx context.Context, h *kolgraph.HCP, field, value string) (*string, error) {
	if err := contactsDenied(ctx, field); err != nil {
		return nil, err
	}
	if value == "" {
		return nil, nil
	}
	noteContactRead(ctx, h.ID, field)
	return &value, nil
}

// MaskedContact replaces a contact value in an audit entry's record for a
// caller whose role may not read contact data.
const MaskedContact = "***"

// personal says which fields of a kind's records hold personal data, and
// how a read of them is recorded: the field name a read entry lists and
// the HCP whose data it is (the entry's own id for an HCP record).
var personal = map[string]struct {
	fields []string
	read   func(field string) string
	hcp    func(e *kolgraph.AuditEntry, record string) string
}{
	kolgraph.KindHCPs: {contactFields, func(f string) string { return f },
		func(e *kolgraph.AuditEntry, _ string) string { return e.EntityID }},
	kolgraph.KindInteractions: {[]string{"notes"}, func(string) string { return "interaction_notes" },
		func(_ *kolgraph.AuditEntry, record string) string {
			var in struct {
				HCPID string `json:"hcpId"`
			}
			_ = json.Unmarshal([]byte(record), &in)
			return in.HCPID
		}},
}

// auditRecord returns an audit entry's record JSON (its before or after) as
// the caller may see it. In a record holding personal data (an HCP's
// contact fields, an interaction's notes), each such field that holds a
// value is masked as MaskedContact unless the caller's role may read
// contact data; if it may, the values are handed out and recorded as reads
// of the HCP, as live reads are. Other records, and the field lists of read
// entries, hold no personal data and are returned as stored.
func auditRecord(ctx context.Context, e *kolgraph.AuditEntry, record string) (*string, error) {
	if record == "" {
		return nil, nil
	}
	pd, ok := personal[e.Kind]
	if !ok || e.Op == kolgraph.OpRead {
		return &record, nil
	}
	deny := contactsDenied(ctx, "") != nil
	out, found, err := maskContacts(record, pd.fields, deny)
	if err != nil {
		return nil, fmt.Errorf("audit entry %s of %s: %w", e.Cursor(), e.EntityID, err)
	}
	if !deny && len(found) > 0 {
		hcp := pd.hcp(e, record)
		for _, f := range found {
			noteContactRead(ctx, hcp, pd.read(f))
		}
	}
	return &out, nil
}

// maskContacts returns the record JSON with each non-empty contact field's
// value replaced by MaskedContact when mask is set, keeping every other
// byte, and the contact fields that hold a value.
func maskContacts(record string, personal []string, mask bool) (string, []string, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal([]byte(record), &fields); err != nil {
		return "", nil, err
	}
	var found []string
	for _, f := range personal {
		var v string
		if raw, ok := fields[f]; ok && json.Unmarshal(raw, &v) == nil && v != "" {
			found = append(found, f)
		}
	}
	if !mask || len(found) == 0 {
		return record, found, nil
	}
	// Re-encode in the stored key order, so that a masked record reads
	// like the stored one.
	dec := json.NewDecoder(strings.NewReader(record))
	var b strings.Builder
	b.WriteByte('{')
	if _, err := dec.Token(); err != nil { // {
		return "", nil, err
	}
	for i := 0; dec.More(); i++ {
		tok, err := dec.Token()
		if err != nil {
			return "", nil, err
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return "", nil, err
		}
		if slices.Contains(found, key) {
			raw = json.RawMessage(`"` + MaskedContact + `"`)
		}
		k, _ := json.Marshal(key)
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(raw)
	}
	b.WriteByte('}')
	return b.String(), found, nil
}

type contactReadsKey struct{}

// contactReads collects the contact fields one operation hands out, per HCP.
type contactReads struct {
	mu     sync.Mutex
	fields map[string]map[string]bool // HCP id -> field names
}

func (c *contactReads) add(hcp, field string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.fields == nil {
		c.fields = map[string]map[string]bool{}
	}
	if c.fields[hcp] == nil {
		c.fields[hcp] = map[string]bool{}
	}
	c.fields[hcp][field] = true
}

// record writes one audit entry per HCP whose contact data the operation
// read (op "read", after {"fields":[...]}) to st, the unscoped store: the
// service records what it hands out whatever the caller may see. It is
// called before the response is sent, and an error means the response must
// not be: personal data leaves only when its reading is on record.
//
// source names the operation, e.g. "query hcpCard" or "mutation upsertHCP".
func (c *contactReads) record(ctx context.Context, st AuditAppender, source string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.fields) == 0 {
		return nil
	}
	actor := "anonymous"
	if p, ok := auth.FromContext(ctx); ok {
		actor = p.Subject
	}
	hcps := slices.Sorted(maps.Keys(c.fields))
	entries := make([]kolgraph.AuditEntry, len(hcps))
	for i, id := range hcps {
		after, err := json.Marshal(map[string][]string{"fields": slices.Sorted(maps.Keys(c.fields[id]))})
		if err != nil {
			return err
		}
		entries[i] = kolgraph.AuditEntry{Actor: actor, Source: source, Kind: kolgraph.KindHCPs,
			EntityID: id, Op: kolgraph.OpRead, After: string(after)}
	}
	if err := st.AppendAudit(ctx, entries); err != nil {
		zerolog.Ctx(ctx).Error().Err(err).Str("actor", actor).Strs("hcps", hcps).
			Msg("contact data read but not recorded; response withheld")
		return kolgraph.Errorf(kolgraph.EUNAVAILABLE, "contact data cannot be released: its reading could not be recorded in the audit log; retry")
	}
	return nil
}
