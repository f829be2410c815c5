// Package client is a small Go client for the byoos API (Palette's v1 REST API
// for pack registries, packs and cluster profiles, as `byoos serve` serves it).
//
// A Client authenticates with an API key (the ApiKey header) and acts in one
// project (the ProjectUid header), given by uid or by name. API errors are
// returned as *APIError, which carries the status, Palette's error code and
// message, and the validation findings of a refused profile or pack.
//
// The API key is never part of an error message, of the trace output or of
// the Client's formatted value.
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/byoos/byoos/secret"
)

// DefaultTimeout bounds a request when Config.Timeout is zero.
const DefaultTimeout = 60 * time.Second

// MaxResponseBytes is the largest response body the client reads.
const MaxResponseBytes = 64 << 20

// UserAgent is the User-Agent the client sends.
const UserAgent = "byoos-client/1"

// Errors for a Config that cannot make a Client; New wraps them.
var (
	ErrNoServer = errors.New("no server address")
	ErrNoAPIKey = errors.New("no API key")
)

// Config says which server to talk to and how.
type Config struct {
	// Server is https://HOST:PORT, HOST:PORT (https is assumed) or
	// http://HOST:PORT for a server run with --insecure-http. A path is kept
	// as a prefix (for a server behind a proxy under a sub-path).
	Server string
	// APIKey is sent in the ApiKey header.
	APIKey string
	// Project is a project uid or name, sent (as a uid) in the ProjectUid
	// header; empty for tenant-wide requests (unless DefaultProject is set).
	Project string
	// DefaultProject, when Project is empty, names the project to act in
	// instead (DefaultProjectName, say): the key's project of that name, or,
	// when it sees none of that name and exactly one project (a project
	// key), that one. Empty keeps tenant-wide requests.
	DefaultProject string
	// CACertFile is a PEM file of certificates to trust besides the system's
	// (the server's self-signed certificate, DATA/tls/cert.pem).
	CACertFile string
	// InsecureSkipVerify turns off TLS certificate verification.
	InsecureSkipVerify bool
	// Timeout bounds each request; zero means DefaultTimeout.
	Timeout time.Duration
	// Trace, when set, receives one line per request: method, URL, status
	// and duration (never a header).
	Trace io.Writer
}

// Client talks to one byoos server. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	key     secret.String
	project string
	// defaulted is set when project is Config.DefaultProject.
	defaulted bool
	http      *http.Client
	trace     io.Writer

	mu         sync.Mutex
	projectUID string
	resolved   bool
}

// New returns a client for cfg. It makes no request.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.Server) == "" {
		return nil, fmt.Errorf("client: %w", ErrNoServer)
	}
	key := strings.TrimSpace(cfg.APIKey)
	if key == "" {
		return nil, fmt.Errorf("client: %w", ErrNoAPIKey)
	}
	if strings.ContainsFunc(key, func(r rune) bool { return r < 0x21 || r == 0x7f }) {
		return nil, errors.New("client: the API key contains spaces or control characters")
	}
	base, err := ParseServer(cfg.Server)
	if err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if base.Scheme == "https" {
		tc := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: cfg.InsecureSkipVerify} //nolint:gosec // opt-in
		if cfg.CACertFile != "" {
			pool, err := certPool(cfg.CACertFile)
			if err != nil {
				return nil, err
			}
			tc.RootCAs = pool
		}
		tr.TLSClientConfig = tc
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	hc := &http.Client{
		Transport: tr,
		Timeout:   timeout,
		// Never follow a redirect: the ApiKey header would go along, to
		// wherever the redirect points.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c := &Client{base: base, key: secret.String(key), project: strings.TrimSpace(cfg.Project), http: hc, trace: cfg.Trace}
	if c.project == "" {
		c.project = strings.TrimSpace(cfg.DefaultProject)
		c.defaulted = c.project != ""
	}
	return c, nil
}

// ParseServer reads a server address: https://HOST:PORT, HOST:PORT (https is
// assumed) or http://HOST:PORT.
func ParseServer(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	raw := s
	if !strings.Contains(s, "://") {
		raw = "https://" + s
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("server address %q: %w", s, err)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("server address %q: use https://HOST:PORT, HOST:PORT or http://HOST:PORT", s)
	case u.Host == "":
		return nil, fmt.Errorf("server address %q has no host", s)
	case u.User != nil:
		return nil, fmt.Errorf("server address: credentials in the URL are not supported; give the API key with --api-key or BYOOS_API_KEY")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("server address %q: remove the query or fragment", s)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func certPool(file string) (*x509.CertPool, error) {
	pemBytes, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("CA certificate: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pemBytes) {
		return nil, fmt.Errorf("CA certificate %s: no PEM certificate in it", file)
	}
	return pool, nil
}

// Server returns the server's base URL.
func (c *Client) Server() string { return c.base.String() }

// request is one API call.
type request struct {
	method string
	path   string
	query  url.Values
	// body is JSON-encoded unless it is []byte.
	body        any
	contentType string
	ifMatch     string
	// scoped sends the ProjectUid header when the client has a project.
	scoped bool
	// out receives the JSON answer.
	out any
}

// do sends r and decodes the answer; it returns the response headers.
func (c *Client) do(ctx context.Context, r request) (http.Header, error) {
	h, err := c.send(ctx, r)
	return h, c.redact(err)
}

func (c *Client) send(ctx context.Context, r request) (http.Header, error) {
	u := *c.base
	u.Path = c.base.Path + r.path
	if len(r.query) > 0 {
		u.RawQuery = r.query.Encode()
	}
	var body io.Reader
	ctype := r.contentType
	switch b := r.body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return nil, fmt.Errorf("%s %s: encode the request: %w", r.method, r.path, err)
		}
		body = bytes.NewReader(j)
		if ctype == "" {
			ctype = "application/json"
		}
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", r.method, r.path, err)
	}
	req.Header.Set("ApiKey", c.key.Reveal())
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set("Byoos-Findings", "full") // findings with their messages and hints, to print them
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if r.ifMatch != "" {
		req.Header.Set("If-Match", strconv.Quote(r.ifMatch))
	}
	if r.scoped && c.project != "" {
		uid, err := c.ProjectUID(ctx)
		if err != nil {
			return nil, err
		}
		req.Header.Set("ProjectUid", uid)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		c.tracef("%s %s: %v", r.method, u.Redacted(), err)
		var unknownCA x509.UnknownAuthorityError
		var verify *tls.CertificateVerificationError
		if errors.As(err, &unknownCA) || errors.As(err, &verify) {
			return nil, fmt.Errorf("%w (trust the server's certificate with --ca-cert FILE or BYOOS_CA_CERT, e.g. DATA/tls/cert.pem)", err)
		}
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	c.tracef("%s %s: %d (%s)", r.method, u.Redacted(), resp.StatusCode, time.Since(start).Round(time.Millisecond))
	if err != nil {
		return nil, fmt.Errorf("%s %s: read the answer: %w", r.method, r.path, err)
	}
	if len(raw) > MaxResponseBytes {
		return nil, fmt.Errorf("%s %s: the answer is over %d bytes", r.method, r.path, MaxResponseBytes)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, newAPIError(r.method, r.path, resp, raw)
	}
	if r.out != nil && resp.StatusCode != http.StatusNoContent {
		if err := json.Unmarshal(raw, r.out); err != nil {
			return nil, fmt.Errorf("%s %s: the answer is not the expected JSON: %w", r.method, r.path, err)
		}
	}
	return resp.Header, nil
}

func (c *Client) tracef(format string, args ...any) {
	if c.trace == nil {
		return
	}
	line := fmt.Sprintf(format, args...)
	if k := c.key.Reveal(); k != "" {
		line = strings.ReplaceAll(line, k, secret.Mask)
	}
	fmt.Fprintln(c.trace, "byoos:", line)
}

// redact makes sure err's message does not contain the API key, whatever
// produced it.
func (c *Client) redact(err error) error {
	k := c.key.Reveal()
	if err == nil || len(k) < 8 || !strings.Contains(err.Error(), k) {
		return err
	}
	return &redactedError{msg: strings.ReplaceAll(err.Error(), k, secret.Mask), err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// etag returns an ETag header's value without quotes.
func etag(h http.Header) string {
	return strings.Trim(strings.TrimPrefix(h.Get("ETag"), "W/"), `"`)
}

// isUID reports whether s looks like a byoos/Palette uid (24 hex digits).
func isUID(s string) bool {
	if len(s) != 24 {
		return false
	}
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

// pathEscape escapes one path segment.
func pathEscape(s string) string { return url.PathEscape(s) }
