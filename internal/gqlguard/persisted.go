package gqlguard

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// PersistedOnly is the persisted-queries-only mode: the service runs only
// documents from a known list, asked for by their sha256 hash with the
// automatic-persisted-queries protocol (extensions.persistedQuery) or sent
// in full when their hash is on the list. Unknown hashes are
// PERSISTED_QUERY_NOT_FOUND and nothing new is ever registered; any other
// document is FORBIDDEN. Use it instead of gqlgen's APQ extension, which
// would register whatever a client sends.
type PersistedOnly struct {
	// Known maps the lowercase hex sha256 of a document to the document.
	Known map[string]string
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = PersistedOnly{}

// ExtensionName implements graphql.HandlerExtension.
func (PersistedOnly) ExtensionName() string { return "PersistedQueriesOnly" }

// Validate implements graphql.HandlerExtension.
func (PersistedOnly) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters replaces a known hash by its document and
// refuses everything else.
func (p PersistedOnly) MutateOperationParameters(_ context.Context, raw *graphql.RawParams) *gqlerror.Error {
	var hash string
	if ext, ok := raw.Extensions["persistedQuery"].(map[string]any); ok {
		hash, _ = ext["sha256Hash"].(string)
		if hash == "" {
			return refuse("BAD_USER_INPUT", "extensions.persistedQuery needs a sha256Hash")
		}
	}
	if hash != "" {
		q, ok := p.Known[hash]
		switch {
		case !ok:
			return refuse("PERSISTED_QUERY_NOT_FOUND", "unknown persisted query; this service runs only its list of persisted queries")
		case raw.Query != "" && Hash(raw.Query) != hash:
			return refuse("BAD_USER_INPUT", "the query does not match its sha256Hash")
		}
		raw.Query = q
		delete(raw.Extensions, "persistedQuery")
		return nil
	}
	if _, ok := p.Known[Hash(raw.Query)]; ok && raw.Query != "" {
		return nil
	}
	return refuse("FORBIDDEN", "this service runs only persisted queries: send extensions.persistedQuery.sha256Hash of a known query")
}

func refuse(code, msg string) *gqlerror.Error {
	return &gqlerror.Error{Message: msg, Extensions: map[string]any{"code": code}}
}

// Hash is the persisted-query hash of a document: lowercase hex sha256.
func Hash(query string) string {
	sum := sha256.Sum256([]byte(query))
	return hex.EncodeToString(sum[:])
}

// LoadPersisted reads a persisted-query list: a JSON array of documents, or
// a JSON object mapping each document's sha256 hash to it (the hashes are
// checked).
func LoadPersisted(path string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	known := map[string]string{}
	var list []string
	if err := json.Unmarshal(b, &list); err == nil {
		for _, q := range list {
			known[Hash(q)] = q
		}
		return known, nil
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: want a JSON array of queries or an object of hash -> query: %w", path, err)
	}
	for h, q := range m {
		if Hash(q) != h {
			return nil, fmt.Errorf("%s: %s is not the sha256 of its query", path, h)
		}
		known[h] = q
	}
	return known, nil
}
