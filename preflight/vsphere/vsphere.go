// Package vsphere checks the images of vSphere profiles where the cluster
// will be built: that the template a profile names exists in vCenter at its
// inventory path (or, for a bare name, once in the datacenter) and is marked
// as a template, not a plain virtual machine; and that an OVA given by URL
// answers and carries the "r_u-" prefix Palette expects.
//
// It talks to vCenter through govmomi, VMware's Go client library, and is
// tested against govmomi's vCenter simulator (vcsim).
package vsphere

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vmware/govmomi/session"
	"github.com/vmware/govmomi/vim25"
	"github.com/vmware/govmomi/vim25/soap"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/osimage"
	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/secret"
)

// Config says which vCenter to check templates in, and how to reach it.
type Config struct {
	// URL is the vCenter: a host name ("vcenter.example.com"), or a URL
	// ("https://vcenter.example.com" or ".../sdk"; the path defaults to
	// /sdk). Empty: only OVA URLs can be checked, and a template path gets a
	// verify-unsupported finding. A user name and password in the URL are
	// used when Username and Password are empty.
	URL string
	// Username and Password log in to vCenter. Password is never quoted in
	// a finding, error or log.
	Username string
	Password secret.String
	// Insecure skips the verification of vCenter's TLS certificate.
	Insecure bool
	// CACert is the PEM of the CA certificate(s) that signed vCenter's TLS
	// certificate (or of the certificate itself), trusted in addition to
	// the system's. It is also trusted for OVA URLs.
	CACert string
	// Datacenter is the datacenter (name or inventory path) in which bare
	// template names and relative paths are looked up. Empty: the one a
	// path starting with "/" names, else vCenter's only datacenter.
	Datacenter string
	// Transport, when set, carries every request (vCenter and OVA URLs)
	// instead of one built from Insecure and CACert; for tests.
	Transport http.RoundTripper
	// OVADial, when set, makes every connection of an OVA URL's requests
	// (redirects included), with no proxy: the server gives its
	// allow-list's dialer, so that the OVA URL a profile names reaches only
	// what the allow-list permits (a refusal is a verify-target-refused
	// finding). vCenter's connections do not use it. Ignored when
	// Transport is set.
	OVADial func(ctx context.Context, network, addr string) (net.Conn, error)
}

// Checker checks vSphere templates and OVA URLs. It implements
// preflight.Checker and is safe for concurrent use; each Check logs in to
// vCenter with its own session and logs out when done.
type Checker struct {
	// vcenter is the SDK URL, without user information; nil when no
	// vCenter is configured.
	vcenter    *url.URL
	username   string
	password   secret.String
	datacenter string
	// vcTransport carries vCenter requests; ovaTransport OVA requests.
	vcTransport, ovaTransport http.RoundTripper
}

var _ preflight.Checker = (*Checker)(nil)

// New returns a Checker for cfg. It fails on a URL that cannot be parsed,
// on a URL without a user name, on CA certificates that are not PEM, and on
// Insecure and CACert given together.
func New(cfg Config) (*Checker, error) {
	c := &Checker{username: cfg.Username, password: cfg.Password, datacenter: strings.TrimSpace(cfg.Datacenter)}
	if strings.TrimSpace(cfg.URL) != "" {
		u, err := parseVCenterURL(cfg.URL)
		if err != nil {
			return nil, err
		}
		if u.User != nil {
			if c.username == "" && c.password == "" {
				c.username = u.User.Username()
				p, _ := u.User.Password()
				c.password = secret.String(p)
			}
			u.User = nil
		}
		if c.username == "" {
			return nil, fmt.Errorf("vsphere: no user name is given to log in to vCenter %s", redact(u.String()))
		}
		c.vcenter = u
	}
	if cfg.Insecure && strings.TrimSpace(cfg.CACert) != "" {
		return nil, errors.New("vsphere: give either a CA certificate or insecure, not both")
	}
	if cfg.Transport != nil {
		c.vcTransport, c.ovaTransport = cfg.Transport, cfg.Transport
		return c, nil
	}
	pool, err := certPool(cfg.CACert)
	if err != nil {
		return nil, err
	}
	c.vcTransport = newTransport(pool, cfg.Insecure)
	ova := newTransport(pool, false)
	if cfg.OVADial != nil {
		ova.Proxy = nil // a proxy would dial for us, past the dialer
		ova.DialContext = cfg.OVADial
	}
	c.ovaTransport = ova
	return c, nil
}

// parseVCenterURL parses a vCenter URL or host name as govc does: the
// scheme defaults to https and the path to /sdk.
func parseVCenterURL(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	u, err := soap.ParseURL(s)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("vsphere: the vCenter URL %s cannot be parsed: %w", quote(s), redactErr{err})
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return nil, fmt.Errorf("vsphere: the vCenter URL %s has the scheme %q; expected https", quote(s), u.Scheme)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("vsphere: the vCenter URL %s has no host", quote(s))
	}
	// soap.ParseURL sets an empty user when none is given.
	if u.User != nil && u.User.String() == "" {
		u.User = nil
	}
	return u, nil
}

// redactErr wraps an error whose text may quote a URL with credentials.
type redactErr struct{ err error }

func (e redactErr) Error() string { return redact(e.err.Error()) }
func (e redactErr) Unwrap() error { return e.err }

// certPool returns the system's roots plus the PEM certificates in pemText.
func certPool(pemText string) (*x509.CertPool, error) {
	if strings.TrimSpace(pemText) == "" {
		return nil, nil // the system's roots
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM([]byte(pemText)) {
		return nil, errors.New("vsphere: the CA certificate holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)")
	}
	return pool, nil
}

// newTransport returns an HTTP transport that honours the request's context
// while it dials and shakes hands (govmomi's own TLS dialer does not).
func newTransport(pool *x509.CertPool, insecure bool) *http.Transport {
	var t *http.Transport
	if d, ok := http.DefaultTransport.(*http.Transport); ok {
		t = d.Clone()
	} else {
		t = &http.Transport{Proxy: http.ProxyFromEnvironment}
	}
	t.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: pool, InsecureSkipVerify: insecure} //nolint:gosec // insecure is the user's explicit choice
	t.TLSHandshakeTimeout = 10 * time.Second
	return t
}

// Check checks one vSphere image: an OVA URL (http(s)://…) without vCenter,
// anything else as a template in vCenter. Every problem is a finding located
// at img.At; no finding quotes the password or a credential of a URL (URLs
// are quoted with their credentials masked, and the password is masked
// wherever a message would repeat it).
func (c *Checker) Check(ctx context.Context, img preflight.Image, _ preflight.Target) preflight.Result {
	var r preflight.Result
	if isURL(img.Ref) {
		r = c.checkOVA(ctx, img)
	} else {
		r = c.checkTemplate(ctx, img)
	}
	r.Image = img
	var red secret.Redactor
	red.Add(c.password.Reveal(), secret.Mask)
	for i := range r.Findings {
		r.Findings[i].Message = red.Redact(r.Findings[i].Message)
		r.Findings[i].Hint = red.Redact(r.Findings[i].Hint)
	}
	r.Checked = red.Redact(r.Checked)
	return r
}

// isURL reports whether ref names an OVA by http(s) URL.
func isURL(ref string) bool {
	l := strings.ToLower(strings.TrimSpace(ref))
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// parseRef applies osimage's rules for a vSphere image. It returns the
// findings of the problems found, and whether the check can go on: a
// missing "r_u-" prefix is reported, but the image is still looked up.
func parseRef(img preflight.Image) (finding.List, bool) {
	_, p := osimage.ParseTemplate(img.Ref)
	if p == nil {
		return nil, true
	}
	f := preflight.Finding(img, finding.Error, p.Code, p.Message, p.Hint)
	return finding.List{f}, p.Code == finding.CodeVSphereOVAPrefix
}

// checkTemplate logs in to vCenter and looks the template up.
func (c *Checker) checkTemplate(ctx context.Context, img preflight.Image) preflight.Result {
	fs, ok := parseRef(img)
	if !ok {
		return preflight.Result{Findings: fs}
	}
	if c.vcenter == nil {
		fs = append(fs, preflight.Finding(img, finding.Error, finding.CodeVerifyUnsupported,
			fmt.Sprintf("the vSphere template %s was not checked: no vCenter is configured to look it up.", quote(img.Ref)),
			"Give the vCenter URL, user name and password to verify, or check the template in the vSphere Client."))
		return preflight.Result{Findings: fs}
	}
	s, f := c.login(ctx, img)
	if f != nil {
		return preflight.Result{Findings: append(fs, *f)}
	}
	defer s.logout(ctx)
	r := s.lookup(ctx, img)
	r.Findings = append(fs, r.Findings...)
	return r
}

// vcSession is one logged-in vCenter session.
type vcSession struct {
	c  *Checker
	vc *vim25.Client
	sm *session.Manager
}

// login connects to vCenter and logs in.
func (c *Checker) login(ctx context.Context, img preflight.Image) (*vcSession, *finding.Finding) {
	sc := soap.NewClient(c.vcenter, false)
	sc.Client.Transport = c.vcTransport
	vc, err := vim25.NewClient(ctx, sc)
	if err != nil {
		f := c.fault(ctx, img, "connect to vCenter", err)
		return nil, &f
	}
	sm := session.NewManager(vc)
	if err := sm.Login(ctx, url.UserPassword(c.username, c.password.Reveal())); err != nil {
		f := c.fault(ctx, img, "log in to vCenter", err)
		return nil, &f
	}
	return &vcSession{c: c, vc: vc, sm: sm}, nil
}

// logoutTimeout bounds a logout after the check's own deadline has passed.
const logoutTimeout = 5 * time.Second

// logout ends the session: within ctx while it lasts, else (so that vCenter
// does not keep the session until it idles out) in the background, bounded
// by logoutTimeout.
func (s *vcSession) logout(ctx context.Context) {
	if ctx.Err() == nil {
		_ = s.sm.Logout(ctx)
		return
	}
	go func() {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), logoutTimeout)
		defer cancel()
		_ = s.sm.Logout(lctx)
	}()
}

// checkOVA checks an OVA URL: it answers 2xx to HEAD (or, where HEAD is not
// allowed, to a GET of its first byte), and its name has the r_u- prefix.
func (c *Checker) checkOVA(ctx context.Context, img preflight.Image) preflight.Result {
	fs, ok := parseRef(img)
	if !ok {
		return preflight.Result{Findings: fs}
	}
	u, err := url.Parse(strings.TrimSpace(img.Ref))
	if err != nil { // ParseTemplate accepted it, so this does not happen
		return preflight.Result{Findings: append(fs, c.fault(ctx, img, "parse the OVA URL", err))}
	}
	res, err := c.fetchHead(ctx, u)
	if err != nil {
		return preflight.Result{Findings: append(fs, c.fault(ctx, img, "request the file", err))}
	}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		hint := "Check that the URL is right and that the server serves the file to anyone who has the URL: vCenter downloads the OVA without further credentials."
		switch res.StatusCode {
		case http.StatusNotFound, http.StatusGone:
			hint = "Check the URL: the server has no file there. Upload the OVA, or correct the path and file name."
		case http.StatusUnauthorized, http.StatusForbidden:
			hint = "The server refuses to serve the file without credentials; serve it publicly to vCenter, or use a fresh signed URL."
		}
		fs = append(fs, preflight.Finding(img, finding.Error, finding.CodeVerifyVSphereOVAStatus,
			fmt.Sprintf("the OVA URL %s answered %s; expected a 2xx status, so the OVA cannot be downloaded from it.", quote(img.Ref), statusText(res.StatusCode)),
			hint))
		return preflight.Result{Findings: fs}
	}
	checked := fmt.Sprintf("OVA %s: answered %s", quote(img.Ref), statusText(res.StatusCode))
	if res.ContentLength >= 0 && res.StatusCode != http.StatusPartialContent {
		checked += fmt.Sprintf(", %d bytes", res.ContentLength)
	}
	return preflight.Result{Findings: fs, Checked: checked}
}

// fetchHead sends HEAD, and a ranged GET of the first byte when the server
// does not allow HEAD. The body is closed.
func (c *Checker) fetchHead(ctx context.Context, u *url.URL) (*http.Response, error) {
	client := &http.Client{Transport: c.ovaTransport}
	do := func(method string) (*http.Response, error) {
		req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
		if err != nil {
			return nil, fmt.Errorf("build %s request: %w", method, err)
		}
		if method == http.MethodGet {
			req.Header.Set("Range", "bytes=0-0")
		}
		res, err := client.Do(req)
		if err != nil {
			return nil, err
		}
		_ = res.Body.Close()
		return res, nil
	}
	res, err := do(http.MethodHead)
	if err == nil && (res.StatusCode == http.StatusMethodNotAllowed || res.StatusCode == http.StatusNotImplemented) {
		return do(http.MethodGet)
	}
	return res, err
}

// statusText returns "404 Not Found".
func statusText(code int) string {
	if t := http.StatusText(code); t != "" {
		return strconv.Itoa(code) + " " + t
	}
	return strconv.Itoa(code)
}

// maxQuoted is how many bytes of a value a message quotes.
const maxQuoted = 160

// quote quotes s for a message, with a URL's credentials masked, cut short
// when long.
func quote(s string) string {
	s = redact(s)
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	return strconv.Quote(strings.ToValidUTF8(s[:maxQuoted], "")) + fmt.Sprintf("… (%d bytes in all)", len(s))
}

// redact masks the credentials a URL in text can carry.
func redact(text string) string { return secret.RedactURL(text) }
