package auth_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/kolgraph"
	"github.com/kolgraph/kolgraph/internal/viewer"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sign(t *testing.T, m jwt.SigningMethod, key any, c jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(m, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func claims(mod func(jwt.MapClaims)) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{"sub": "U004", "iss": "kolgraph", "role": "kam", "territories": []string{"T01"},
		"exp": now.Add(time.Hour).Unix(), "nbf": now.Add(-time.Minute).Unix(), "iat": now.Unix()}
	if mod != nil {
		mod(c)
	}
	return c
}

func TestVerify(t *testing.T) {
	rk := rsaKey(t)
	pubDER, err := x509.MarshalPKIXPublicKey(&rk.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	a, err := auth.New(auth.Options{HS256Secret: secret, RS256PublicKey: &rk.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	other := rsaKey(t)
	none, _ := jwt.NewWithClaims(jwt.SigningMethodNone, claims(nil)).SignedString(jwt.UnsafeAllowNoneSignatureType)
	hs := sign(t, jwt.SigningMethodHS256, secret, claims(nil))
	tampered := strings.Split(hs, ".")
	tampered[1] = strings.Split(sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["role"] = "admin" })), ".")[1]

	tests := []struct {
		name  string
		token string
		ok    bool
	}{
		{"hs256", hs, true},
		{"rs256", sign(t, jwt.SigningMethodRS256, rk, claims(nil)), true},
		{"expired", sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["exp"] = time.Now().Add(-time.Minute).Unix() })), false},
		{"not yet valid", sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["nbf"] = time.Now().Add(time.Hour).Unix() })), false},
		{"no exp", sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "exp") })), false},
		{"no nbf", sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "nbf") })), false},
		{"alg none", none, false},
		{"alg confusion: HS256 keyed with the RSA public key", sign(t, jwt.SigningMethodHS256, pubPEM, claims(nil)), false},
		{"other rsa key", sign(t, jwt.SigningMethodRS256, other, claims(nil)), false},
		{"other secret", sign(t, jwt.SigningMethodHS256, []byte("ffffffffffffffffffffffffffffffff"), claims(nil)), false},
		{"payload swapped", strings.Join(tampered, "."), false},
		{"HS512", sign(t, jwt.SigningMethodHS512, secret, claims(nil)), false},
		{"wrong issuer", sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["iss"] = "evil" })), false},
		{"unknown role", sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["role"] = "root" })), false},
		{"unknown grant", sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["grants"] = []string{"all"} })), false},
		{"no subject", sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { delete(c, "sub") })), false},
		{"garbage", "a.b.c", false},
		{"unknown api key", "kgk_nope", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := a.Verify(tt.token)
			if tt.ok {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if p.Subject != "U004" || p.Role != auth.RoleKAM || len(p.Territories) != 1 || p.Territories[0] != "T01" {
					t.Errorf("got %+v, want U004 kam [T01]", p)
				}
				return
			}
			if got := kolgraph.ErrorCode(err); got != kolgraph.EUNAUTHENTICATED {
				t.Fatalf("got code %q (principal %+v), want UNAUTHENTICATED", got, p)
			}
		})
	}
}

func TestAlgorithmsPinnedToConfiguredKeys(t *testing.T) {
	rk := rsaKey(t)
	hsOnly, err := auth.New(auth.Options{HS256Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hsOnly.Verify(sign(t, jwt.SigningMethodRS256, rk, claims(nil))); kolgraph.ErrorCode(err) != kolgraph.EUNAUTHENTICATED {
		t.Errorf("HS256-only verifier accepted RS256: %v", err)
	}
	rsOnly, err := auth.New(auth.Options{RS256PublicKey: &rk.PublicKey})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rsOnly.Verify(sign(t, jwt.SigningMethodHS256, secret, claims(nil))); kolgraph.ErrorCode(err) != kolgraph.EUNAUTHENTICATED {
		t.Errorf("RS256-only verifier accepted HS256: %v", err)
	}
	if _, err := auth.New(auth.Options{HS256Secret: []byte("short")}); err == nil {
		t.Error("a 5-byte HS256 secret was accepted")
	}
	if _, err := auth.New(auth.Options{}); err == nil {
		t.Error("an authenticator that can verify nothing was built")
	}
}

func TestSignerRoundTrip(t *testing.T) {
	rk := rsaKey(t)
	for _, tc := range []struct {
		name string
		hs   []byte
		rs   *rsa.PrivateKey
	}{{"hs256", secret, nil}, {"rs256", nil, rk}} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := auth.NewSigner(tc.hs, tc.rs)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := s.Issue("U002", auth.RoleStrategist, nil, []string{auth.GrantContacts}, 8*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			a, err := auth.New(auth.Options{HS256Secret: secret, RS256PublicKey: &rk.PublicKey})
			if err != nil {
				t.Fatal(err)
			}
			p, err := a.Verify(tok)
			if err != nil {
				t.Fatal(err)
			}
			if p.Subject != "U002" || !p.Can(auth.AllTerritories) || !p.Can(auth.ReadContacts) || p.Can(auth.Write) {
				t.Errorf("got %+v, want a strategist granted contacts", p)
			}
		})
	}
	s, _ := auth.NewSigner(secret, nil)
	if _, err := s.Issue("U004", auth.RoleKAM, nil, nil, time.Hour); err == nil {
		t.Error("a kam token without territories was issued")
	}
	if _, err := s.Issue("U004", auth.RoleKAM, []string{"T01"}, nil, 365*24*time.Hour); err == nil {
		t.Error("a one-year token was issued")
	}
}

func TestRoleMatrix(t *testing.T) {
	want := map[auth.Role][5]bool{ // all territories, write, contacts, audit log, account plans
		auth.RoleAdmin:      {true, true, true, true, true},
		auth.RoleStrategist: {true, false, false, false, true},
		auth.RoleKAM:        {false, true, true, false, true},
		auth.RoleCompliance: {true, false, false, true, false},
		auth.RoleViewer:     {false, false, false, false, false},
	}
	caps := []auth.Capability{auth.AllTerritories, auth.Write, auth.ReadContacts, auth.ReadAuditLog, auth.WritePlans}
	for _, r := range auth.Roles {
		p, err := auth.NewPrincipal("u", r, []string{"T01"}, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range caps {
			if got := p.Can(c); got != want[r][i] {
				t.Errorf("%s can %d: got %v, want %v", r, c, got, want[r][i])
			}
		}
	}
}

func TestChecks(t *testing.T) {
	kam, _ := auth.NewPrincipal("U004", auth.RoleKAM, []string{"T01"}, nil, "")
	admin, _ := auth.NewPrincipal("U001", auth.RoleAdmin, nil, nil, "")
	for _, tt := range []struct {
		name string
		err  error
		code string
	}{
		{"kam writes", kam.Check(auth.Write), ""},
		{"kam reads the audit log", kam.Check(auth.ReadAuditLog), kolgraph.EFORBIDDEN},
		{"kam reads contacts", kam.Check(auth.ReadContacts, "email"), ""},
		{"kam writes its own tie", kam.CheckTie(kolgraph.KnowsKey{UserID: "U004", HCPID: "P1"}), ""},
		{"kam writes another's tie", kam.CheckTie(kolgraph.KnowsKey{UserID: "U005", HCPID: "P1"}), kolgraph.EFORBIDDEN},
		{"admin writes another's tie", admin.CheckTie(kolgraph.KnowsKey{UserID: "U005", HCPID: "P1"}), ""},
	} {
		if got := kolgraph.ErrorCode(tt.err); tt.err != nil && got != tt.code || tt.err == nil && tt.code != "" {
			t.Errorf("%s: got %v, want code %q", tt.name, tt.err, tt.code)
		}
	}
	viewerP, _ := auth.NewPrincipal("U005", auth.RoleViewer, []string{"T01"}, nil, "")
	if err := viewerP.Check(auth.ReadContacts, "phone"); err == nil || !strings.Contains(err.Error(), "the viewer role may not read HCP contact data (phone)") {
		t.Errorf("viewer reading contacts: got %v", err)
	}
	if _, err := auth.Authenticated(t.Context()); kolgraph.ErrorCode(err) != kolgraph.EUNAUTHENTICATED {
		t.Errorf("no principal: got %v, want UNAUTHENTICATED", err)
	}
	if p, err := auth.Authenticated(auth.WithPrincipal(t.Context(), kam)); p != kam || err != nil {
		t.Errorf("kam's context: got %v, %v", p, err)
	}
}

func TestAPIKeys(t *testing.T) {
	key, entry, err := auth.NewAPIKey("etl", auth.RoleKAM, []string{"T02"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(entry.Entry(), key[len(auth.APIKeyPrefix):]) {
		t.Fatal("the configuration entry contains the key itself")
	}
	parsed, err := auth.ParseAPIKey(entry.Entry())
	if err != nil {
		t.Fatal(err)
	}
	a, err := auth.New(auth.Options{APIKeys: []auth.APIKey{parsed}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Verify(key)
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject != "etl" || p.Role != auth.RoleKAM || p.Credential != "key:etl" {
		t.Errorf("got %+v", p)
	}
	if _, err := a.Verify(key + "x"); kolgraph.ErrorCode(err) != kolgraph.EUNAUTHENTICATED {
		t.Errorf("a wrong key verified: %v", err)
	}
	if _, err := a.Verify(sign(t, jwt.SigningMethodHS256, secret, claims(nil))); kolgraph.ErrorCode(err) != kolgraph.EUNAUTHENTICATED {
		t.Errorf("a JWT verified on a keys-only service: %v", err)
	}
	for _, bad := range []string{"etl:kam:T01", "etl:root:T01:" + strings.Repeat("a", 64), "etl:kam:T01:xyz", ":kam:T01:" + strings.Repeat("a", 64)} {
		if _, err := auth.ParseAPIKey(bad); err == nil {
			t.Errorf("ParseAPIKey(%q) accepted", bad)
		}
	}
}

func TestDevMode(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:8080", "[::1]:8080", "localhost:8080"} {
		if _, err := auth.New(auth.Options{DevMode: true, Addr: addr}); err != nil {
			t.Errorf("dev mode on %s refused: %v", addr, err)
		}
	}
	for _, addr := range []string{":8080", "0.0.0.0:8080", "10.0.0.5:8080", "example.com:80"} {
		if _, err := auth.New(auth.Options{DevMode: true, Addr: addr}); err == nil {
			t.Errorf("dev mode on %s allowed", addr)
		}
	}
	a, _ := auth.New(auth.Options{DevMode: true, Addr: "127.0.0.1:0", DevSubject: "U004", HS256Secret: secret})
	p, err := a.Authenticate(httptest.NewRequest("POST", "/query", nil))
	if err != nil || p.Subject != "U004" || p.Role != auth.RoleAdmin {
		t.Errorf("dev principal: got %+v, %v", p, err)
	}
	r := httptest.NewRequest("POST", "/query", nil)
	r.Header.Set("Authorization", "Bearer garbage")
	if _, err := a.Authenticate(r); kolgraph.ErrorCode(err) != kolgraph.EUNAUTHENTICATED {
		t.Errorf("dev mode let a bad token through: %v", err)
	}
}

func TestMiddleware(t *testing.T) {
	a, _ := auth.New(auth.Options{HS256Secret: secret})
	lim := auth.NewLimiter(1, 2)
	var seen string
	h := auth.Middleware(a, lim)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, _ := auth.FromContext(r.Context())
		u, _ := viewer.UserID(r.Context())
		seen = p.Subject + "/" + u
	}))
	do := func(header string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/query", nil)
		if header != "" {
			r.Header.Set("Authorization", header)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	if w := do(""); w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), `"UNAUTHENTICATED"`) || w.Header().Get("WWW-Authenticate") == "" {
		t.Errorf("no credentials: got %d %s", w.Code, w.Body)
	}
	if w := do("Basic dTpw"); w.Code != http.StatusUnauthorized {
		t.Errorf("basic auth: got %d", w.Code)
	}
	tok := "Bearer " + sign(t, jwt.SigningMethodHS256, secret, claims(nil))
	for i := range 2 {
		if w := do(tok); w.Code != http.StatusOK || seen != "U004/U004" {
			t.Fatalf("request %d: got %d, seen %q", i, w.Code, seen)
		}
	}
	w := do(tok)
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" || !strings.Contains(w.Body.String(), kolgraph.ERATELIMITED) {
		t.Errorf("third request in a burst of 2: got %d %s", w.Code, w.Body)
	}
}

func TestLimiterPerCredential(t *testing.T) {
	lim := auth.NewLimiter(0.001, 1)
	if ok, _ := lim.Allow("a"); !ok {
		t.Fatal("first request of a refused")
	}
	if ok, retry := lim.Allow("a"); ok || retry <= 0 {
		t.Errorf("second request of a: got %v %s, want refused with a retry delay", ok, retry)
	}
	if ok, _ := lim.Allow("b"); !ok {
		t.Error("b was limited by a's bucket")
	}
	if ok, _ := auth.NewLimiter(0, 1).Allow("a"); !ok {
		t.Error("a disabled limiter refused")
	}
}

// A token that verified is remembered, but never past its exp.
func TestVerifiedTokensExpire(t *testing.T) {
	now := time.Now()
	clock := now
	a, err := auth.New(auth.Options{HS256Secret: secret, Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	tok := sign(t, jwt.SigningMethodHS256, secret, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(time.Minute).Unix() }))
	for range 2 {
		if _, err := a.Verify(tok); err != nil {
			t.Fatalf("fresh token: %v", err)
		}
	}
	clock = now.Add(2 * time.Minute)
	if _, err := a.Verify(tok); kolgraph.ErrorCode(err) != kolgraph.EUNAUTHENTICATED {
		t.Errorf("a remembered token past its exp: %v, want UNAUTHENTICATED", err)
	}
}
