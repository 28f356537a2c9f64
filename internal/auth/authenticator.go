package auth

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/kolgraph/kolgraph/internal/kolgraph"
)

// Claims are kolgraph's JWT claims: the registered ones (sub, iss, exp, nbf,
// iat) plus the role, the territories and optional grants.
type Claims struct {
	jwt.RegisteredClaims
	Role        string   `json:"role"`
	Territories []string `json:"territories,omitempty"`
	Grants      []string `json:"grants,omitempty"`
}

// DefaultIssuer is the iss every kolgraph token carries and every verifier
// requires.
const DefaultIssuer = "kolgraph"

// APIKeyPrefix starts every API key, so a key is never mistaken for a JWT.
const APIKeyPrefix = "kgk_"

// Options configure an Authenticator. At least one of HS256Secret,
// RS256PublicKey and APIKeys must be set, unless DevMode is on.
type Options struct {
	// HS256Secret verifies HS256 tokens; at least 32 bytes.
	HS256Secret []byte
	// RS256PublicKey verifies RS256 tokens.
	RS256PublicKey *rsa.PublicKey
	// Issuer is the required iss; empty means DefaultIssuer.
	Issuer string
	// Leeway tolerates clock skew on exp and nbf.
	Leeway time.Duration
	// APIKeys are entries "NAME:ROLE:T01|T02:SHA256HEX[:GRANT|GRANT]": the
	// sha256 of the key (never the key itself), who it acts as (NAME is
	// the subject) and what it may do. ParseAPIKey reads one.
	APIKeys []APIKey
	// DevMode makes requests without credentials run as DevPrincipal. It
	// is refused unless Addr is a loopback address.
	DevMode bool
	// DevSubject is the dev principal's user id (default "dev").
	DevSubject string
	// Addr is the server's listen address (host:port), checked for dev mode.
	Addr string
	// Now is the clock; nil is time.Now.
	Now func() time.Time
}

// APIKey is one configured API key, as stored: its hash, not the key.
type APIKey struct {
	Name        string
	Role        Role
	Territories []string
	Grants      []string
	SHA256      [sha256.Size]byte
}

// ParseAPIKey reads an API-key entry "NAME:ROLE:T01|T02:SHA256HEX[:GRANTS]";
// territories and grants are separated by '|' and may be empty.
func ParseAPIKey(entry string) (APIKey, error) {
	parts := strings.Split(strings.TrimSpace(entry), ":")
	if len(parts) != 4 && len(parts) != 5 {
		return APIKey{}, fmt.Errorf("api key entry must be NAME:ROLE:TERRITORIES:SHA256HEX[:GRANTS] (got %d fields)", len(parts))
	}
	k := APIKey{Name: parts[0], Territories: splitList(parts[2])}
	if k.Name == "" {
		return APIKey{}, errors.New("api key entry without a name")
	}
	role, ok := ParseRole(parts[1])
	if !ok {
		return APIKey{}, fmt.Errorf("api key %s: unknown role %q", k.Name, parts[1])
	}
	k.Role = role
	sum, err := hex.DecodeString(parts[3])
	if err != nil || len(sum) != sha256.Size {
		return APIKey{}, fmt.Errorf("api key %s: the hash must be 64 hex digits (sha256 of the key)", k.Name)
	}
	copy(k.SHA256[:], sum)
	if len(parts) == 5 {
		k.Grants = splitList(parts[4])
	}
	if _, err := NewPrincipal(k.Name, k.Role, k.Territories, k.Grants, ""); err != nil {
		return APIKey{}, fmt.Errorf("api key %s: %s", k.Name, kolgraph.ErrorMessage(err))
	}
	return k, nil
}

// Entry is the configuration entry of k (what ParseAPIKey reads).
func (k APIKey) Entry() string {
	e := fmt.Sprintf("%s:%s:%s:%s", k.Name, k.Role, strings.Join(k.Territories, "|"), hex.EncodeToString(k.SHA256[:]))
	if len(k.Grants) > 0 {
		e += ":" + strings.Join(k.Grants, "|")
	}
	return e
}

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, "|") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// Authenticator turns a request's credentials into a Principal.
type Authenticator struct {
	hs      []byte
	rs      *rsa.PublicKey
	methods []string
	parser  *jwt.Parser
	keys    map[[sha256.Size]byte]*Principal
	dev     *Principal
	now     func() time.Time
	leeway  time.Duration

	// verified remembers tokens that verified, until they expire: a
	// client sends the same token with every request, and checking the
	// signature and decoding the claims again is most of what
	// authentication costs. At most maxVerified are kept.
	mu       sync.Mutex
	verified map[string]verifiedToken
}

type verifiedToken struct {
	p        *Principal
	nbf, exp time.Time
}

const maxVerified = 10_000

// MinSecretLen is the shortest HS256 secret accepted: 256 bits, the size of
// the MAC, as RFC 7518 section 3.2 requires.
const MinSecretLen = 32

// New checks o and returns an authenticator.
func New(o Options) (*Authenticator, error) {
	a := &Authenticator{hs: o.HS256Secret, rs: o.RS256PublicKey, keys: map[[sha256.Size]byte]*Principal{},
		now: o.Now, leeway: o.Leeway, verified: map[string]verifiedToken{}}
	if a.now == nil {
		a.now = time.Now
	}
	if len(a.hs) > 0 && len(a.hs) < MinSecretLen {
		return nil, fmt.Errorf("auth: the HS256 secret must be at least %d bytes", MinSecretLen)
	}
	// The accepted algorithms are pinned to the keys configured: an HS256
	// token is checked with the HMAC secret only, an RS256 token with the
	// public key only, so a token MACed with the public key (algorithm
	// confusion) or signed with "none" never verifies.
	if len(a.hs) > 0 {
		a.methods = append(a.methods, jwt.SigningMethodHS256.Alg())
	}
	if a.rs != nil {
		a.methods = append(a.methods, jwt.SigningMethodRS256.Alg())
	}
	for _, k := range o.APIKeys {
		p, err := NewPrincipal(k.Name, k.Role, k.Territories, k.Grants, "key:"+k.Name)
		if err != nil {
			return nil, fmt.Errorf("auth: api key %s: %s", k.Name, kolgraph.ErrorMessage(err))
		}
		if _, dup := a.keys[k.SHA256]; dup {
			return nil, fmt.Errorf("auth: api key %s: the same key is configured twice", k.Name)
		}
		a.keys[k.SHA256] = p
	}
	if o.DevMode {
		if !IsLoopback(o.Addr) {
			return nil, fmt.Errorf("auth: dev mode is only allowed on a loopback listen address (got %q)", o.Addr)
		}
		sub := o.DevSubject
		if sub == "" {
			sub = "dev"
		}
		a.dev, _ = NewPrincipal(sub, RoleAdmin, nil, nil, "dev")
	}
	if len(a.methods) == 0 && len(a.keys) == 0 && a.dev == nil {
		return nil, errors.New("auth: no credentials can be verified: configure an HS256 secret, an RS256 public key or API keys (or dev mode on loopback)")
	}
	iss := o.Issuer
	if iss == "" {
		iss = DefaultIssuer
	}
	opts := []jwt.ParserOption{jwt.WithValidMethods(a.methods), jwt.WithExpirationRequired(),
		jwt.WithNotBeforeRequired(), jwt.WithIssuer(iss), jwt.WithLeeway(o.Leeway), jwt.WithStrictDecoding()}
	if o.Now != nil {
		opts = append(opts, jwt.WithTimeFunc(o.Now))
	}
	a.parser = jwt.NewParser(opts...)
	return a, nil
}

// IsLoopback reports whether the listen address addr (host:port) binds
// loopback only. An empty host binds every interface.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Authenticate reads the request's Authorization header ("Bearer <jwt>" or
// "Bearer kgk_...") and returns its principal. A request without one is
// the dev principal in dev mode and UNAUTHENTICATED otherwise; so is any
// credential that does not verify.
func (a *Authenticator) Authenticate(r *http.Request) (*Principal, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		if a.dev != nil {
			return a.dev, nil
		}
		return nil, unauthenticated("this endpoint needs a bearer token or API key (Authorization: Bearer ...)")
	}
	scheme, cred, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(cred) == "" {
		return nil, unauthenticated("the Authorization header must be \"Bearer <token>\"")
	}
	return a.Verify(strings.TrimSpace(cred))
}

// Verify checks a bearer credential: an API key or a JWT.
func (a *Authenticator) Verify(cred string) (*Principal, error) {
	if strings.HasPrefix(cred, APIKeyPrefix) {
		// A map keyed by the key's hash: the lookup's timing can only
		// reveal hash prefixes, which give no handle on a key.
		if p, ok := a.keys[sha256.Sum256([]byte(cred))]; ok {
			return p, nil
		}
		return nil, unauthenticated("unknown API key")
	}
	if len(a.methods) == 0 {
		return nil, unauthenticated("this service accepts no tokens, only API keys")
	}
	now := a.now()
	a.mu.Lock()
	v, hit := a.verified[cred]
	a.mu.Unlock()
	if hit && !now.Before(v.nbf.Add(-a.leeway)) && now.Before(v.exp.Add(a.leeway)) {
		return v.p, nil
	}
	var c Claims
	_, err := a.parser.ParseWithClaims(cred, &c, a.key)
	if err != nil {
		return nil, unauthenticated("%s", tokenProblem(err))
	}
	role, ok := ParseRole(c.Role)
	if !ok {
		return nil, unauthenticated("the token's role %q is not a kolgraph role", c.Role)
	}
	p, err := NewPrincipal(c.Subject, role, c.Territories, c.Grants, "jwt:"+c.Subject)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if len(a.verified) >= maxVerified {
		clear(a.verified) // simpler than LRU; live clients re-verify once
	}
	a.verified[cred] = verifiedToken{p: p, nbf: c.NotBefore.Time, exp: c.ExpiresAt.Time}
	a.mu.Unlock()
	return p, nil
}

// key picks the verification key by the algorithm the parser has already
// checked against the pinned list.
func (a *Authenticator) key(t *jwt.Token) (any, error) {
	switch t.Method {
	case jwt.SigningMethodHS256:
		if len(a.hs) > 0 {
			return a.hs, nil
		}
	case jwt.SigningMethodRS256:
		if a.rs != nil {
			return a.rs, nil
		}
	}
	return nil, fmt.Errorf("algorithm %v is not accepted", t.Header["alg"])
}

// tokenProblem says what is wrong with a token without echoing its content.
func tokenProblem(err error) string {
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "the token has expired"
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return "the token is not valid yet"
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return "the token lacks a required claim (exp and nbf are required)"
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return "the token was not issued by kolgraph"
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return "the token's signature or algorithm is not accepted"
	case errors.Is(err, jwt.ErrTokenMalformed):
		return "the token is malformed"
	}
	return "the token is not valid"
}

func unauthenticated(format string, args ...any) error {
	return kolgraph.Errorf(kolgraph.EUNAUTHENTICATED, format, args...)
}
