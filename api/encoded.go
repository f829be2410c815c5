package api

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
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
type encodedCache struct {
	mu  sync.RWMutex
	max int
	m   map[string]*encoded
}

func newEncodedCache(max int) *encodedCache { return &encodedCache{max: max, m: map[string]*encoded{}} }

func (c *encodedCache) get(key string) (*encoded, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.m[key]
	return e, ok
}

func (c *encodedCache) put(key string, e *encoded) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for k := range c.m { // evict an arbitrary entry
			delete(c.m, k)
			break
		}
	}
	c.m[key] = e
}
