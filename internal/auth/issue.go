package auth

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Signer issues tokens with the service's HS256 secret or RS256 private key.
type Signer struct {
	hs     []byte
	rs     *rsa.PrivateKey
	Issuer string
	Now    func() time.Time
}

// NewSigner returns a signer; exactly one of hs and rs must be set.
func NewSigner(hs []byte, rs *rsa.PrivateKey) (*Signer, error) {
	switch {
	case len(hs) > 0 && rs != nil:
		return nil, errors.New("auth: sign with an HS256 secret or an RS256 key, not both")
	case len(hs) == 0 && rs == nil:
		return nil, errors.New("auth: no signing key: configure an HS256 secret or an RS256 private key")
	case len(hs) > 0 && len(hs) < MinSecretLen:
		return nil, fmt.Errorf("auth: the HS256 secret must be at least %d bytes", MinSecretLen)
	}
	return &Signer{hs: hs, rs: rs, Issuer: DefaultIssuer, Now: time.Now}, nil
}

// MaxTTL bounds a token's lifetime: a leaked token is a leaked account
// until it expires, and tokens cannot be revoked one by one.
const MaxTTL = 30 * 24 * time.Hour

// Issue signs a token for subject with role, territories and grants, valid
// from now for ttl. The claims are checked as a verifier would.
func (s *Signer) Issue(subject string, role Role, territories, grants []string, ttl time.Duration) (string, error) {
	if ttl <= 0 || ttl > MaxTTL {
		return "", fmt.Errorf("auth: ttl must be in (0, %s] (got %s)", MaxTTL, ttl)
	}
	p, err := NewPrincipal(subject, role, territories, grants, "")
	if err != nil {
		return "", err
	}
	if p.Scoped() && len(p.Territories) == 0 {
		return "", fmt.Errorf("auth: a %s reads only its own territories; name at least one", role)
	}
	now := s.Now().Truncate(time.Second)
	c := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   p.Subject,
			Issuer:    s.Issuer,
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		},
		Role: string(role), Territories: p.Territories, Grants: grants,
	}
	if s.rs != nil {
		return jwt.NewWithClaims(jwt.SigningMethodRS256, c).SignedString(s.rs)
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(s.hs)
}

// NewAPIKey makes a random API key (256 bits) and its configuration entry,
// which holds only the key's sha256. The key is shown once; the service
// never stores it.
func NewAPIKey(name string, role Role, territories, grants []string) (key string, entry APIKey, err error) {
	if _, err := NewPrincipal(name, role, territories, grants, ""); err != nil {
		return "", APIKey{}, err
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", APIKey{}, err
	}
	key = APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	entry = APIKey{Name: name, Role: role, Territories: territories, Grants: grants, SHA256: sha256.Sum256([]byte(key))}
	if _, err := ParseAPIKey(entry.Entry()); err != nil {
		return "", APIKey{}, err
	}
	return key, entry, nil
}
