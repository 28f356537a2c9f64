package main

import (
	"crypto/rsa"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/kolgraph/kolgraph/internal/auth"
	"github.com/kolgraph/kolgraph/internal/config"
)

// runToken issues a bearer token signed with the configured HS256 secret or
// RS256 private key, or (with -api-key) makes a new API key and prints the
// configuration entry that lets it in:
//
//	kolgraph token -sub U004 -role kam -territories T01 -ttl 8h
//	kolgraph token -api-key -sub etl -role kam -territories T01|T02
func runToken(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("kolgraph token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	sub := fs.String("sub", "", "the user id the token acts as (its KNOWS ties start access paths)")
	role := fs.String("role", "", "role: admin, strategist, kam, compliance or viewer")
	terrs := fs.String("territories", "", "territory ids the role reads, separated by , or | (kam and viewer need at least one)")
	grants := fs.String("grants", "", "extra grants, separated by , or |: contacts (lets a strategist see contact data)")
	ttl := fs.Duration("ttl", 8*time.Hour, "how long the token is valid (at most 720h)")
	apiKey := fs.Bool("api-key", false, "make a new API key instead of a token: prints the key once and its -api-keys entry")
	c, err := config.LoadFlags(fs, args, getenv)
	if err != nil {
		return err
	}
	r, ok := auth.ParseRole(*role)
	if !ok {
		return fmt.Errorf("-role must be one of %v (got %q)", auth.Roles, *role)
	}
	split := func(s string) []string { return config.List(strings.ReplaceAll(s, "|", ",")) }
	if *apiKey {
		key, entry, err := auth.NewAPIKey(*sub, r, split(*terrs), split(*grants))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "key:   %s\nentry: %s\n", key, entry.Entry())
		fmt.Fprintln(stderr, "The key is shown once; the service keeps only the entry (add it to -api-keys / KOLGRAPH_API_KEYS).")
		return nil
	}
	signer, err := signerFor(c)
	if err != nil {
		return err
	}
	tok, err := signer.Issue(*sub, r, split(*terrs), split(*grants), *ttl)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	return nil
}

// signerFor picks the configured signing key: the RS256 private key when
// one is given, else the HS256 secret.
func signerFor(c config.Config) (*auth.Signer, error) {
	if c.AuthRS256PrivateKey != "" {
		pem, err := os.ReadFile(c.AuthRS256PrivateKey)
		if err != nil {
			return nil, fmt.Errorf("read the RS256 private key: %w", err)
		}
		k, err := jwt.ParseRSAPrivateKeyFromPEM(pem)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.AuthRS256PrivateKey, err)
		}
		return auth.NewSigner(nil, k)
	}
	if c.AuthHS256Secret == "" {
		return nil, errors.New("no signing key: set -auth-hs256-secret (KOLGRAPH_AUTH_HS256_SECRET) or -auth-rs256-private-key")
	}
	return auth.NewSigner([]byte(c.AuthHS256Secret), nil)
}

// authOptions turns the configuration into the authenticator's options.
func authOptions(c config.Config) (auth.Options, error) {
	o := auth.Options{DevMode: c.DevMode, DevSubject: c.DevUser, Addr: c.Addr, Leeway: 30 * time.Second}
	if c.AuthHS256Secret != "" {
		o.HS256Secret = []byte(c.AuthHS256Secret)
	}
	if c.AuthRS256PublicKey != "" {
		pem, err := os.ReadFile(c.AuthRS256PublicKey)
		if err != nil {
			return o, fmt.Errorf("read the RS256 public key: %w", err)
		}
		var k *rsa.PublicKey
		if k, err = jwt.ParseRSAPublicKeyFromPEM(pem); err != nil {
			return o, fmt.Errorf("%s: %w", c.AuthRS256PublicKey, err)
		}
		o.RS256PublicKey = k
	}
	for _, e := range config.List(c.APIKeys) {
		k, err := auth.ParseAPIKey(e)
		if err != nil {
			return o, err
		}
		o.APIKeys = append(o.APIKeys, k)
	}
	return o, nil
}
