package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"github.com/byoos/byoos/cache"
	"net/http"
	"strings"
)

// encoded is a JSON answer encoded once, with its gzip form for large bodies.
type encoded struct {
	plain []byte
	gz    []byte
}

// gzipMin is the size from which an encoded answer is also kept gzipped.
const gzipMin = 1024

func encode(v any) (*encoded, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	e := &encoded{plain: append(b, '\n')}
	if len(e.plain) >= gzipMin {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
		zw.Write(e.plain)
		zw.Close()
		e.gz = buf.Bytes()
	}
	return e, nil
}

// write sends the answer, gzipped when the client accepts it.
func (e *encoded) write(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if e.gz != nil {
		h.Add("Vary", "Accept-Encoding")
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			h.Set("Content-Encoding", "gzip")
			w.WriteHeader(http.StatusOK)
			_, _ = w.Write(e.gz)
			return
		}
	}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(e.plain)
}

// encodedCache keeps encoded answers about immutable things (built-in packs,
// sets of published pack versions), bounded in entries.
type encodedCache = cache.Cache[string, *encoded]

func newEncodedCache(size int) *encodedCache { return cache.New[string, *encoded](size, 0) }
