// Package auth decides who is calling and what they may do: bearer-token
// authentication (JWTs signed HS256 or RS256, and API keys kept as sha256
// hashes in the configuration), the Principal a request runs as, the role
// matrix, the documented dev mode, and a per-credential token-bucket rate
// limiter. What a principal may see is enforced below the resolvers by
// internal/scope; this package says which territories and capabilities
// the principal holds, and is the one place that decides (and words) a
// refusal by role: Principal.Check, CheckTie and Authenticated, which the
// GraphQL layer and the store guard ask.
package auth

import (
	"context"
	"slices"
	"strings"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Role is a user's role; the matrix below says what each may do.
type Role string

// The roles.
const (
	RoleAdmin      Role = "admin"
	RoleStrategist Role = "strategist"
	RoleKAM        Role = "kam"
	RoleCompliance Role = "compliance"
	RoleViewer     Role = "viewer"
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleStrategist, RoleKAM, RoleCompliance, RoleViewer}

// Capability is one thing a principal may do beyond reading its territories.
type Capability uint8

// The capabilities.
const (
	// AllTerritories: read (and, with Write, change) every territory, not
	// only the principal's own.
	AllTerritories Capability = 1 << iota
	// Write: mutations and imports (within the readable territories).
	Write
	// ReadContacts: HCP phone, e-mail and WeChat id (personal data; every
	// read is recorded in the audit log).
	ReadContacts
	// ReadAuditLog: the audit log of writes and contact-data reads.
	ReadAuditLog
	// ManageUsers: change users and anyone's KNOWS ties, and see anyone's
	// ties in the paths that start from them. Without it a principal
	// writes and sees only its own ties.
	ManageUsers
	// ManageSettings: change the domain settings document (cut-offs,
	// DRG/DIP, cadences, playbooks, influence weights).
	ManageSettings
	// WritePlans: create and change account plans (within the readable
	// territories). Write implies it; a strategist holds it alone.
	WritePlans
)

// The role matrix. Everyone reads the hospitals of their territories and
// everything hanging off them (departments, HCPs, committees, influence
// ties, rankings, paths, decision chains, the account matrix).
//
//	role        territories  write  account plans  contact data     audit log  users and others' ties  settings
//	admin       all          yes    write          yes              yes        yes                     change
//	strategist  all          no     write          only if granted  no         no                      read
//	kam         own          yes    write          yes              no         no (its own ties only)  read
//	compliance  all          no     read           no               yes        no                      read
//	viewer      own          no     read           no               no         no                      read
//
// A token or API key may carry grants that add to its role's capabilities;
// the only grant is GrantContacts (ReadContacts), which is how a strategist
// is allowed contact data.
var matrix = map[Role]Capability{
	RoleAdmin:      AllTerritories | Write | WritePlans | ReadContacts | ReadAuditLog | ManageUsers | ManageSettings,
	RoleStrategist: AllTerritories | WritePlans,
	RoleKAM:        Write | WritePlans | ReadContacts,
	RoleCompliance: AllTerritories | ReadAuditLog,
	RoleViewer:     0,
}

// GrantContacts adds ReadContacts to a role that lacks it.
const GrantContacts = "contacts"

var grants = map[string]Capability{GrantContacts: ReadContacts}

// ParseRole returns the role named s, or false.
func ParseRole(s string) (Role, bool) {
	r := Role(s)
	_, ok := matrix[r]
	return r, ok
}

// Principal is who a request runs as.
type Principal struct {
	// Subject is the user id (the token's sub; viewer.UserID), whose KNOWS
	// ties are the entry points of access paths.
	Subject string
	Role    Role
	// Territories are the territory ids the principal reads (sorted,
	// distinct); ignored when the role reads all territories.
	Territories []string
	Grants      []string
	// Credential names the credential that authenticated the request
	// ("jwt:<sub>", "key:<name>", "dev"): the rate limiter's bucket.
	Credential string

	caps Capability
}

// NewPrincipal checks role and grants and returns the principal; the
// territories are sorted and made distinct.
func NewPrincipal(subject string, role Role, territories, grantList []string, credential string) (*Principal, error) {
	if strings.TrimSpace(subject) == "" {
		return nil, unauthenticated("the credential names no subject")
	}
	caps, ok := matrix[role]
	if !ok {
		return nil, unauthenticated("unknown role %q", role)
	}
	for _, g := range grantList {
		c, ok := grants[g]
		if !ok {
			return nil, unauthenticated("unknown grant %q", g)
		}
		caps |= c
	}
	ts := slices.Clone(territories)
	slices.Sort(ts)
	ts = slices.Compact(ts)
	for _, t := range ts {
		if t == "" {
			return nil, unauthenticated("empty territory id")
		}
	}
	return &Principal{Subject: subject, Role: role, Territories: ts, Grants: slices.Clone(grantList),
		Credential: credential, caps: caps}, nil
}

// Can reports whether the principal holds capability c.
func (p *Principal) Can(c Capability) bool { return p.caps&c == c }

// Scoped reports whether the principal reads only its own territories.
func (p *Principal) Scoped() bool { return !p.Can(AllTerritories) }

// refusals say what a role lacking each capability may not do.
var refusals = map[Capability]string{
	AllTerritories: "read every territory",
	Write:          "change the graph",
	ReadContacts:   "read HCP contact data",
	ReadAuditLog:   "read the audit log",
	ManageUsers:    "manage users",
	ManageSettings: "change the settings",
	WritePlans:     "write account plans",
}

// Check returns nil when the principal holds c, else the FORBIDDEN error
// saying what its role may not do; detail, when given, names what was
// asked for (e.g. the contact field). It is the one place a refusal by
// role is decided and worded: the GraphQL layer and the store guard both
// ask it.
func (p *Principal) Check(c Capability, detail ...string) error {
	if p.Can(c) {
		return nil
	}
	what, ok := refusals[c]
	if !ok {
		what = "do this"
	}
	if len(detail) > 0 {
		what += " (" + strings.Join(detail, ", ") + ")"
	}
	return kolgraph.Errorf(kolgraph.EFORBIDDEN, "the %s role may not %s", p.Role, what)
}

// CheckTie returns nil when the principal may write the KNOWS tie k. A tie
// is where its user's access paths and cited paths start, so it belongs to
// that user: a principal writes its own ties, and only one that manages
// users (ManageUsers: admin) writes anyone's. FORBIDDEN otherwise.
func (p *Principal) CheckTie(k kolgraph.KnowsKey) error {
	if k.UserID == p.Subject || p.Can(ManageUsers) {
		return nil
	}
	return kolgraph.Errorf(kolgraph.EFORBIDDEN, "the KNOWS tie %s belongs to user %s: a %s writes only its own ties",
		kolgraph.PairID(k.UserID, k.HCPID), k.UserID, p.Role)
}

// Authenticated returns the request's principal, or UNAUTHENTICATED when
// the request carries none.
func Authenticated(ctx context.Context) (*Principal, error) {
	if p, ok := FromContext(ctx); ok {
		return p, nil
	}
	return nil, unauthenticated("no credentials")
}

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the request's principal, if authenticated.
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok && p != nil
}
