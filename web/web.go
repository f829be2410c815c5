// Package web is byoos's browser UI: the assets built from web/src by
// web/build.sh (committed in web/dist) and embedded, so that `go build
// ./cmd/byoos` yields the complete UI. The UI uses only the public HTTP API.
// Handler serves it under a strict Content-Security-Policy: scripts and
// styles from the server itself only, nothing inline, no other origin.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed dist
var dist embed.FS

// ContentSecurityPolicy is the policy of every UI answer: nothing but the
// server's own scripts, styles and API; no inline script, no inline style
// but the editor's style sheet, which carries the nonce of its page (%s);
// no frames, no other origin.
const ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self' 'nonce-%s'; img-src 'self' data:; connect-src 'self'; " +
	"font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// noncePlaceholder is where index.html takes its page's nonce.
const noncePlaceholder = "{{nonce}}"

// AssetPrefix is the path under which the UI's assets are served.
const AssetPrefix = "/ui/"

type asset struct {
	body, gz []byte
	ctype    string
	etag     string
}

// Handler serves the UI: index.html at / and the assets under AssetPrefix.
type Handler struct {
	files map[string]asset
}

// New reads the embedded assets and compresses them once.
func New() (*Handler, error) {
	h := &Handler{files: map[string]asset{}}
	err := fs.WalkDir(dist, "dist", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := dist.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read embedded %s: %w", p, err)
		}
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression) // a valid level: cannot fail
		_, _ = zw.Write(body)                                   // writes to a bytes.Buffer: cannot fail
		_ = zw.Close()
		sum := sha256.Sum256(body)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		h.files[strings.TrimPrefix(p, "dist/")] = asset{body: body, gz: gz.Bytes(), ctype: ct, etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if _, ok := h.files["index.html"]; !ok {
		return nil, fmt.Errorf("web: the embedded assets hold no index.html; run web/build.sh")
	}
	return h, nil
}

// Size returns the total size of the assets, as stored and gzipped.
func (h *Handler) Size() (raw, gzipped int) {
	for _, a := range h.files {
		raw += len(a.body)
		gzipped += len(a.gz)
	}
	return raw, gzipped
}

// ServeHTTP answers GET / with index.html and GET /ui/NAME with an asset,
// gzipped for clients that accept it; anything else is 404.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := "index.html"
	if r.URL.Path != "/" {
		name = strings.TrimPrefix(r.URL.Path, AssetPrefix)
		if name == r.URL.Path || name == "index.html" {
			name = ""
		}
	}
	a, ok := h.files[name]
	hd := w.Header()
	nonce := newNonce()
	hd.Set("Content-Security-Policy", fmt.Sprintf(ContentSecurityPolicy, nonce))
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	if !ok {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	hd.Set("Content-Type", a.ctype)
	if name == "index.html" {
		// The page carries its nonce: made for each answer, never cached.
		hd.Set("Cache-Control", "no-store")
		body := bytes.ReplaceAll(a.body, []byte(noncePlaceholder), []byte(nonce))
		hd.Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_, _ = w.Write(body)
		}
		return
	}
	hd.Set("Cache-Control", "no-cache")
	hd.Set("ETag", a.etag)
	hd.Add("Vary", "Accept-Encoding")
	if match := r.Header.Get("If-None-Match"); match != "" && match == a.etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.body
	if acceptsGzip(r) {
		hd.Set("Content-Encoding", "gzip")
		body = a.gz
	}
	hd.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// newNonce returns a fresh CSP nonce: 16 random bytes, base64.
func newNonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.StdEncoding.EncodeToString(b)
}

func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		enc, q, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(enc), "gzip") && strings.TrimSpace(q) != "q=0" {
			return true
		}
	}
	return false
}
