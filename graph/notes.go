package graph

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
)

// Note explains an answer that is empty without being an error (e.g. "no
// path within 6 hops"); the response carries the operation's notes in
// extensions.notes, each with the field path it belongs to.
type Note struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

type notes struct {
	mu   sync.Mutex
	list []Note
}

type notesKey struct{}

func withNotes(ctx context.Context, n *notes) context.Context {
	return context.WithValue(ctx, notesKey{}, n)
}

// addNote records msg for the field being resolved; "" adds nothing.
func addNote(ctx context.Context, msg string) {
	n, ok := ctx.Value(notesKey{}).(*notes)
	if !ok || msg == "" {
		return
	}
	path := ""
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		path = fc.Path().String()
	}
	n.mu.Lock()
	n.list = append(n.list, Note{Path: path, Message: msg})
	n.mu.Unlock()
}

func (n *notes) all() []Note {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.list
}

func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

func floatOr(p *float64, def float64) float64 {
	if p == nil {
		return def
	}
	return *p
}
