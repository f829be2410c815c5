// Package httpguard holds what registry clients send every request
// through: a round tripper that speaks HTTPS only (go-containerregistry
// tries plain http for loopback and private registries, and credentials
// must never travel in clear) and bounds every response body, and the TLS
// settings that trust a registry's own CA certificate.
package httpguard

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// TooLargeError is a response body over its limit.
type TooLargeError struct {
	// Max is the limit, in bytes.
	Max int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the registry's answer is larger than %d bytes", e.Max)
}

// Transport returns base behind the guard: a request for http is sent as
// https, any other scheme is refused, and a response body that goes past max
// bytes fails with a *TooLargeError.
func Transport(base http.RoundTripper, max int64) http.RoundTripper {
	return &guard{base: base, max: max}
}

type guard struct {
	base http.RoundTripper
	max  int64
}

// RoundTrip implements http.RoundTripper.
func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	switch req.URL.Scheme {
	case "https":
	case "http":
		r2 := req.Clone(req.Context())
		u := *req.URL
		u.Scheme = "https"
		r2.URL = &u
		req = r2
	default:
		return nil, fmt.Errorf("refusing %s: only https is spoken", req.URL.Redacted())
	}
	resp, err := g.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	resp.Body = &capped{rc: resp.Body, left: g.max, max: g.max}
	return resp, nil
}

// capped is a response body that fails with a *TooLargeError past max bytes.
type capped struct {
	rc        io.ReadCloser
	left, max int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		var one [1]byte
		n, err := c.rc.Read(one[:])
		if n > 0 {
			return 0, &TooLargeError{Max: c.max}
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.rc.Read(p)
	c.left -= int64(n)
	return n, err
}

func (c *capped) Close() error { return c.rc.Close() }

// TLSConfig returns a copy of cfg (a TLS 1.2 minimum when cfg is nil) that
// also trusts the PEM certificates in caPEM, beside cfg's roots or, when it
// has none, the system's. An empty caPEM adds nothing; ok is false when
// caPEM is not empty but holds no certificate.
func TLSConfig(cfg *tls.Config, caPEM string) (out *tls.Config, ok bool) {
	out = &tls.Config{MinVersion: tls.VersionTLS12}
	if cfg != nil {
		out = cfg.Clone()
	}
	if strings.TrimSpace(caPEM) == "" {
		return out, true
	}
	pool := out.RootCAs
	if pool == nil {
		var err error
		if pool, err = x509.SystemCertPool(); err != nil {
			pool = x509.NewCertPool()
		}
	} else {
		pool = pool.Clone()
	}
	if !pool.AppendCertsFromPEM([]byte(caPEM)) {
		return nil, false
	}
	out.RootCAs = pool
	return out, true
}
