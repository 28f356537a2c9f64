package server

import (
	"mime"
	"net/http"
	"strconv"
)

// Download serves a file the service makes on request (the import
// template): its bytes from Content, as an attachment named Name.
type Download struct {
	Name        string
	ContentType string
	Content     func() ([]byte, error)
}

func (d *Download) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, err := d.Content()
	if err != nil {
		fail(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", d.ContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.Name}))
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(b)
}
