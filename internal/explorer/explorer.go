// Package explorer serves kolgraph's web front ends from the binary: the
// network explorer at /explore and the GraphiQL playground at /playground.
// Both are built from web/ (npm ci && npm run build) into dist/, which is
// committed and embedded, so a Go build alone serves them and nothing is
// fetched from anywhere but the service's own origin: the pages' Content
// Security Policy forbids any other.
package explorer

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed dist
var dist embed.FS

// csp allows this origin only. Styles may be inline (GraphiQL's editor
// sets element styles); images may be data: URLs (icons inlined in the
// bundle) and blob: (sigma's canvas snapshots).
const csp = "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data: blob:; " +
	"style-src 'self' 'unsafe-inline'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

// Explorer serves the explorer's page at /explore and its assets below
// /explore/.
func Explorer() http.Handler { return app("explore") }

// Playground serves GraphiQL's page at /playground and its assets below
// /playground/.
func Playground() http.Handler { return app("playground") }

func app(name string) http.Handler {
	sub, err := fs.Sub(dist, "dist/"+name)
	if err != nil {
		panic("explorer: " + err.Error()) // the embedded tree is fixed at build time
	}
	files := http.FileServerFS(sub)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		// The assets change with the binary; revalidating costs little.
		h.Set("Cache-Control", "no-cache")
		rest := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/"+name), "/")
		if rest == "" {
			rest = "index.html"
		}
		r2 := r.Clone(r.Context())
		r2.URL.Path = "/" + rest
		if rest == "index.html" {
			// FileServer redirects /index.html to ./; serve the page itself.
			b, err := fs.ReadFile(sub, "index.html")
			if err != nil {
				http.Error(w, "missing page", http.StatusInternalServerError)
				return
			}
			h.Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write(b)
			return
		}
		files.ServeHTTP(w, r2)
	})
}
