package regsync

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/byoos/byoos/httpguard"
	"github.com/byoos/byoos/secret"
)

// maxIndexBytes bounds a Helm index.yaml, and slack is what a response other
// than an archive may add to Limits.MaxArchiveBytes (JSON pages, manifests).
const (
	maxIndexBytes = 10 << 20
	slack         = 1 << 20
)

// run is one Check or Sync: the source, its limits, the HTTP transport
// carrying the source's TLS settings, and the redactor of its password.
type run struct {
	src      Source
	lim      Limits
	pageSize int
	rt       http.RoundTripper
	redact   *secret.Redactor
	// closeIdle closes the idle connections of the transport cloned for this run.
	closeIdle func()
}

// withDefaults returns l with every field that is zero or negative set to
// its DefaultLimits value.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxPacks <= 0 {
		l.MaxPacks = d.MaxPacks
	}
	if l.MaxVersionsPerPack <= 0 {
		l.MaxVersionsPerPack = d.MaxVersionsPerPack
	}
	if l.MaxArchiveBytes <= 0 {
		l.MaxArchiveBytes = d.MaxArchiveBytes
	}
	if l.Timeout <= 0 {
		l.Timeout = d.Timeout
	}
	return l
}

// start checks what Check and Sync share (kind, provider, TLS settings)
// and returns the run and ctx bounded by Limits.Timeout.
func start(ctx context.Context, src Source, o Options) (*run, context.Context, context.CancelFunc, error) {
	r := &run{src: src, lim: o.Limits.withDefaults(), pageSize: o.PageSize, redact: newRedactor(src)}
	if r.pageSize <= 0 {
		r.pageSize = defaultPageSize
	}
	switch src.Kind {
	case KindOCI:
		switch src.Provider {
		case "", ProviderBasic, ProviderECR:
		default:
			return nil, nil, nil, sanitize(r.redact, &Error{Reason: ReasonBadEndpoint, Message: fmt.Sprintf("provider %q is not known; expected %q or %q", src.Provider, ProviderBasic, ProviderECR)})
		}
	case KindHelm:
	default:
		return nil, nil, nil, sanitize(r.redact, &Error{Reason: ReasonBadEndpoint, Message: fmt.Sprintf("registry kind %q is not known; expected %q or %q", src.Kind, KindOCI, KindHelm)})
	}
	rt, err := r.transport(o.Transport)
	if err != nil {
		return nil, nil, nil, sanitize(r.redact, err)
	}
	r.rt = rt
	ctx, cancel := context.WithTimeout(ctx, r.lim.Timeout)
	return r, ctx, func() {
		cancel()
		if r.closeIdle != nil {
			r.closeIdle() // the connections of this run are not reused
		}
	}, nil
}

// transport returns base (http.DefaultTransport when nil) with the
// source's CA certificate and InsecureSkipVerify applied when it is an
// *http.Transport, under a guard that speaks https only and bounds every
// response body.
func (r *run) transport(base http.RoundTripper) (http.RoundTripper, error) {
	if base == nil {
		base = http.DefaultTransport
	}
	if t, ok := base.(*http.Transport); ok {
		t = t.Clone()
		cfg, ok := httpguard.TLSConfig(t.TLSClientConfig, r.src.CACert)
		if !ok {
			return nil, &Error{Reason: ReasonTLS, Message: "the CA certificate holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)"}
		}
		cfg.InsecureSkipVerify = r.src.InsecureSkipVerify
		t.TLSClientConfig = cfg
		base, r.closeIdle = t, t.CloseIdleConnections
	}
	return httpguard.Transport(base, r.lim.MaxArchiveBytes+maxIndexBytes+slack), nil
}

// readLimited reads r, refusing more than max bytes with a
// *httpguard.TooLargeError.
func readLimited(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, &httpguard.TooLargeError{Max: max}
	}
	return b, nil
}

// newRedactor returns a redactor of the source's password, as written,
// escaped in a URL and as part of a basic Authorization header, and of its
// AWS session token.
func newRedactor(src Source) *secret.Redactor {
	red := &secret.Redactor{}
	if src.Password != "" {
		red.Add(src.Password, secret.Mask)
		red.Add(url.QueryEscape(src.Password), secret.Mask)
		red.Add(url.PathEscape(src.Password), secret.Mask)
		red.Add(base64.StdEncoding.EncodeToString([]byte(src.Username+":"+src.Password)), secret.Derived)
	}
	if src.SessionToken != "" {
		red.Add(src.SessionToken, secret.Mask)
	}
	return red
}

// fail turns err into an *Error without the password in it; a context
// that ran out makes it an unreachable error saying so.
func (r *run) fail(ctx context.Context, err error) error {
	if err == nil {
		return nil
	}
	e := classify(err)
	if errors.Is(ctx.Err(), context.DeadlineExceeded) && e.Reason != ReasonLimit {
		e = &Error{Reason: ReasonUnreachable, Message: fmt.Sprintf("gave up after %s (the time limit of a check or sync): %s", r.lim.Timeout, e.Message), Err: err}
	}
	return sanitize(r.redact, e)
}

// sanitize returns err as an *Error whose message has the password masked
// and whose cause shows only a masked message: the cause's chain is not
// reachable through Unwrap (it may hold the password), only errors.Is sees it.
func sanitize(red *secret.Redactor, err error) error {
	e := classify(err)
	out := &Error{Reason: e.Reason, Message: red.Redact(e.Message)}
	if cause := e.Err; cause != nil {
		out.Err = &redacted{msg: red.Redact(cause.Error()), err: cause}
	}
	return out
}

// redacted is a cause with the password masked in its message. It answers
// errors.Is for its chain but does not unwrap to it.
type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }

// Is reports whether the hidden chain holds target.
func (e *redacted) Is(target error) bool { return errors.Is(e.err, target) }

// classify names the reason of a failure to talk to a registry.
func classify(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	with := func(reason, msg string) *Error { return &Error{Reason: reason, Message: msg, Err: err} }
	var (
		te       *transport.Error
		tooLarge *httpguard.TooLargeError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		verify   *tls.CertificateVerificationError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		dnsErr   *net.DNSError
		opErr    *net.OpError
		netErr   net.Error
		syntax   *json.SyntaxError
		typeErr  *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooLarge):
		return with(ReasonLimit, fmt.Sprintf("the registry sent a response larger than %d bytes", tooLarge.Max))
	case errors.As(err, &te):
		return statusError(te.StatusCode, describeTransportError(te), err)
	case errors.As(err, &unknown), errors.As(err, &hostname), errors.As(err, &invalid), errors.As(err, &verify):
		return with(ReasonTLS, "the registry's certificate is not trusted: "+lastPart(err)+"; give its CA certificate, or turn verification off")
	case errors.As(err, &record):
		return with(ReasonTLS, "the registry does not speak TLS on this port: "+lastPart(err))
	case errors.As(err, &alert):
		return with(ReasonTLS, "the TLS handshake failed: "+lastPart(err))
	case strings.Contains(err.Error(), "x509:") || strings.Contains(err.Error(), "certificate"):
		return with(ReasonTLS, "TLS failed: "+lastPart(err))
	case errors.Is(err, context.DeadlineExceeded):
		return with(ReasonUnreachable, "the registry did not answer in time")
	case errors.Is(err, context.Canceled):
		return with(ReasonUnreachable, "the check or sync was cancelled")
	case errors.As(err, &dnsErr):
		return with(ReasonUnreachable, fmt.Sprintf("cannot resolve the host %q: %v", dnsErr.Name, dnsErr.Err))
	case errors.As(err, &netErr) && netErr.Timeout():
		return with(ReasonUnreachable, "the registry did not answer in time: "+lastPart(err))
	case errors.As(err, &opErr):
		return with(ReasonUnreachable, "cannot connect to the registry: "+lastPart(err))
	case errors.As(err, &syntax), errors.As(err, &typeErr):
		return with(ReasonMalformed, "the registry answered JSON that is not what the distribution API sends: "+err.Error())
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return with(ReasonUnreachable, "the connection to the registry was cut: "+err.Error())
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return with(ReasonUnreachable, "cannot reach the registry: "+err.Error())
	}
	return with(ReasonMalformed, err.Error())
}

// lastPart returns the innermost part of an error message ("a: b: c" → "b: c"
// past the request line), which is the part that says what went wrong.
func lastPart(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// describeTransportError returns what a registry's error response says.
func describeTransportError(te *transport.Error) string {
	var parts []string
	for _, d := range te.Errors {
		s := string(d.Code)
		if d.Message != "" {
			s += " " + d.Message
		}
		parts = append(parts, s)
	}
	what := fmt.Sprintf("HTTP %d %s", te.StatusCode, http.StatusText(te.StatusCode))
	if te.Request != nil && te.Request.URL != nil {
		what = te.Request.Method + " " + te.Request.URL.Path + ": " + what
	}
	if len(parts) > 0 {
		what += " (" + strings.Join(parts, "; ") + ")"
	}
	return what
}

// statusError maps an HTTP status to a reason.
func statusError(code int, what string, err error) *Error {
	e := &Error{Message: what, Err: err}
	switch {
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		e.Reason, e.Message = ReasonUnauthorized, "the credentials were refused: "+what
	case code == http.StatusNotFound:
		e.Reason, e.Message = ReasonNotFound, "not found: "+what
	case code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500:
		e.Reason, e.Message = ReasonUnreachable, "the registry is not answering normally: "+what
	default:
		e.Reason, e.Message = ReasonMalformed, "unexpected answer: "+what
	}
	return e
}
