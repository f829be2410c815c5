// Package edge checks Edge images (edge-native-byoi's options.system.uri
// and pack.content.images) in their OCI registry with
// go-containerregistry: the reference resolves with the image's
// credentials (basic authentication) and CA certificate, its tag resolves
// to a digest, and the image (or every manifest of an index) offers a
// linux/amd64 or linux/arm64 platform. A digest recorded when the profile
// was published that differs from the one resolved now is reported as a
// tag that moved.
package edge

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/httpguard"
	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/secret"
)

// maxResponseBytes bounds every response body (manifests, indexes and
// image configs are small).
const maxResponseBytes = 8 << 20

// idleConnsPerHost is how many idle connections to one registry are kept.
const idleConnsPerHost = 64

// Config configures a Checker.
type Config struct {
	// Transport is the base of every connection (a clone of
	// http.DefaultTransport when nil): the server's sets a DialContext
	// that enforces its allow-list and no proxy. It is cloned for each CA
	// certificate an image brings, which is trusted beside its RootCAs
	// (the system's when nil).
	Transport *http.Transport
	// UserAgent is sent to registries ("byoos" when empty).
	UserAgent string
	// Retry is the backoff of retried requests (throttling, 5xx, reset
	// connections): 3 tries, 200 ms then 600 ms, when zero.
	Retry remote.Backoff
}

// Checker checks Edge images. It is safe for concurrent use; Close
// releases its idle connections.
type Checker struct {
	cfg Config

	mu sync.Mutex
	// transports holds one transport per CA certificate (by its hash; ""
	// for none), so that images of one registry share connections.
	transports map[string]*http.Transport
	// pullers holds one puller per CA certificate and credentials (by
	// their hash), which authenticates once per repository: the images of
	// one repository share its ping and token.
	pullers map[string]*remote.Puller
}

// New returns a Checker.
func New(cfg Config) (*Checker, error) {
	if cfg.Transport == nil {
		t, ok := http.DefaultTransport.(*http.Transport)
		if !ok {
			return nil, errors.New("edge: http.DefaultTransport is not an *http.Transport; give Config.Transport")
		}
		cfg.Transport = t.Clone()
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = "byoos"
	}
	if cfg.Retry.Steps == 0 {
		cfg.Retry = remote.Backoff{Duration: 200 * time.Millisecond, Factor: 3, Jitter: 0.1, Steps: 3}
	}
	return &Checker{cfg: cfg, transports: map[string]*http.Transport{}, pullers: map[string]*remote.Puller{}}, nil
}

// Close closes the idle connections of every transport the checker made.
func (c *Checker) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range c.transports {
		t.CloseIdleConnections()
	}
}

// transport returns the transport trusting caPEM beside the base's roots.
func (c *Checker) transport(caPEM string) (*http.Transport, error) {
	key := ""
	if strings.TrimSpace(caPEM) != "" {
		sum := sha256.Sum256([]byte(caPEM))
		key = hex.EncodeToString(sum[:])
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.transports[key]; ok {
		return t, nil
	}
	t := c.cfg.Transport.Clone()
	// Checks run concurrently, many against one registry: keep their
	// connections for the next check rather than the default two.
	t.MaxIdleConnsPerHost = max(t.MaxIdleConnsPerHost, idleConnsPerHost)
	cfg, ok := httpguard.TLSConfig(t.TLSClientConfig, caPEM)
	if !ok {
		return nil, errors.New("providerCredentials.certificate holds no PEM certificate")
	}
	t.TLSClientConfig = cfg
	c.transports[key] = t
	return t, nil
}

// puller returns the puller of img's CA certificate and credentials.
func (c *Checker) puller(img preflight.Image, rt *http.Transport) (*remote.Puller, error) {
	h := sha256.New()
	for _, s := range []string{img.CACert, img.Username, img.Password} {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	key := hex.EncodeToString(h.Sum(nil))
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.pullers[key]; ok {
		return p, nil
	}
	auth := authn.Anonymous
	if img.Username != "" || img.Password != "" {
		auth = &authn.Basic{Username: img.Username, Password: img.Password}
	}
	p, err := remote.NewPuller(remote.WithTransport(httpguard.Transport(rt, maxResponseBytes)), remote.WithAuth(auth),
		remote.WithUserAgent(c.cfg.UserAgent), remote.WithRetryBackoff(c.cfg.Retry))
	if err != nil {
		return nil, err
	}
	c.pullers[key] = p
	return p, nil
}

// Check resolves img in its registry and looks at its platforms.
func (c *Checker) Check(ctx context.Context, img preflight.Image, t preflight.Target) preflight.Result {
	var rd secret.Redactor
	if img.Password != "" {
		rd.Add(img.Password, secret.Mask)
	}
	shown := secret.RedactURL(img.Ref)
	fail := func(code, msg, hint string) preflight.Result {
		return preflight.Result{Image: img, Findings: finding.List{preflight.Finding(img, finding.Error, code, rd.Redact(msg), rd.Redact(hint))},
			Checked: shown + ": " + rd.Redact(msg)}
	}
	ref, err := name.ParseReference(img.Ref)
	if err != nil {
		return fail(finding.CodeVerifyEdgeRegistryError, fmt.Sprintf("%s is not an image reference: %v", shown, err), "give REGISTRY/REPOSITORY:TAG")
	}
	rt, err := c.transport(img.CACert)
	if err != nil {
		return fail(finding.CodeVerifyEdgeTLS, fmt.Sprintf("%s was not checked: %v", shown, err), "paste the registry's CA certificate in PEM form")
	}
	p, err := c.puller(img, rt)
	if err != nil {
		return fail(finding.CodeVerifyEdgeRegistryError, fmt.Sprintf("%s was not checked: %v", shown, err), "")
	}
	desc, err := p.Get(ctx, ref)
	if err != nil {
		code, msg, hint := classify(ctx, img, shown, ref, err)
		return fail(code, msg, hint)
	}
	digest := desc.Digest.String()
	platforms, err := platformsOf(desc)
	if err != nil {
		return fail(finding.CodeVerifyEdgeRegistryError, fmt.Sprintf("%s resolved to %s, whose manifest could not be read: %v", shown, digest, err), "check the image in its registry")
	}
	res := preflight.Result{Image: img, Digest: digest}
	names := make([]string, 0, len(platforms))
	for _, p := range platforms {
		names = append(names, p.String())
	}
	want := wanted(t.Arch)
	if !slices.ContainsFunc(platforms, func(p v1.Platform) bool { return p.OS == "linux" && slices.Contains(want, p.Architecture) }) {
		have := "no platform"
		if len(names) > 0 {
			have = "only " + strings.Join(names, ", ")
		}
		res.Findings.Add(preflight.Finding(img, finding.Error, finding.CodeVerifyEdgePlatform,
			fmt.Sprintf("%s (%s) has %s; Edge hosts need linux/%s", shown, digest, have, strings.Join(want, " or linux/")),
			"build the provider image for the hosts' architecture (CanvOS --ARCH), or push an index with that platform"))
	}
	if img.Digest != "" && img.Digest != digest {
		res.Findings.Add(preflight.Finding(img, finding.Error, finding.CodeVerifyEdgeMoved,
			fmt.Sprintf("%s moved since published: it resolved to %s when the profile version was published, and resolves to %s now", shown, img.Digest, digest),
			"pin the image by digest (REPOSITORY@"+img.Digest+") or by a tag that is never reused, and publish a new profile version"))
	}
	res.Checked = fmt.Sprintf("%s: %s, %s", shown, digest, strings.Join(names, ", "))
	return res
}

// wanted returns the architectures acceptable for arch ("" any Edge one).
func wanted(arch string) []string {
	switch strings.ToLower(arch) {
	case "x86_64", "amd64":
		return []string{"amd64"}
	case "arm64", "aarch64":
		return []string{"arm64"}
	}
	return []string{"amd64", "arm64"}
}

// platformsOf returns the platforms of an index's manifests, or of a single
// image's config.
func platformsOf(desc *remote.Descriptor) ([]v1.Platform, error) {
	switch {
	case desc.MediaType.IsIndex():
		idx, err := desc.ImageIndex()
		if err != nil {
			return nil, err
		}
		im, err := idx.IndexManifest()
		if err != nil {
			return nil, err
		}
		var out []v1.Platform
		for _, m := range im.Manifests {
			if m.Platform != nil && m.Platform.OS != "unknown" {
				out = append(out, *m.Platform)
			}
		}
		return out, nil
	case desc.MediaType.IsImage():
		im, err := desc.Image()
		if err != nil {
			return nil, err
		}
		cf, err := im.ConfigFile()
		if err != nil {
			return nil, err
		}
		if cf.OS == "" && cf.Architecture == "" {
			return nil, nil
		}
		return []v1.Platform{{OS: cf.OS, Architecture: cf.Architecture, Variant: cf.Variant}}, nil
	}
	return nil, fmt.Errorf("media type %s is neither an image nor an index", desc.MediaType)
}

// classify turns an error of go-containerregistry into a finding's code,
// message and hint. The message names the image and the cause; it never
// holds the password (the caller redacts it besides).
func classify(ctx context.Context, img preflight.Image, shown string, ref name.Reference, err error) (code, msg, hint string) {
	host := ref.Context().RegistryStr()
	var refused *preflight.RefusedError
	var terr *transport.Error
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verr *tls.CertificateVerificationError
	var rhe tls.RecordHeaderError
	who := "anonymously"
	if img.Username != "" {
		who = fmt.Sprintf("as %q", img.Username)
	}
	switch {
	case errors.As(err, &refused):
		return finding.CodeVerifyTargetRefused, fmt.Sprintf("%s was not checked: %s", shown, refused.Error()),
			fmt.Sprintf("ask the operator to allow it (byoos serve %s HOST[:PORT] or %s CIDR), or run byoos verify from a machine that reaches the registry", preflight.AllowHostSetting, preflight.AllowNetSetting)
	case errors.As(err, &terr):
		codes := map[transport.ErrorCode]bool{}
		for _, d := range terr.Errors {
			codes[d.Code] = true
		}
		cause := strings.TrimSpace(terr.Error())
		switch {
		case terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden || codes[transport.UnauthorizedErrorCode] || codes[transport.DeniedErrorCode]:
			return finding.CodeVerifyEdgeUnauthorized, fmt.Sprintf("%s: the registry %s refused access %s (%d %s)", shown, host, who, terr.StatusCode, http.StatusText(terr.StatusCode)),
				"check providerCredentials.username and password, that they are for the registry providerCredentials.registry names, and that the user may pull this repository"
		case terr.StatusCode == http.StatusNotFound || codes[transport.ManifestUnknownErrorCode] || codes[transport.NameUnknownErrorCode]:
			return finding.CodeVerifyEdgeNotFound, fmt.Sprintf("%s was not found in %s: the registry has no repository %s or no manifest for %s (%s)", shown, host, ref.Context().RepositoryStr(), ref.Identifier(), firstCode(terr)),
				"check the repository path and tag, and that the image was pushed"
		}
		return finding.CodeVerifyEdgeRegistryError, fmt.Sprintf("%s: the registry %s answered %s", shown, host, cause), "retry later, or check the registry"
	case errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalid), errors.As(err, &verr):
		return finding.CodeVerifyEdgeTLS, fmt.Sprintf("%s: the registry %s is not trusted over TLS: %s", shown, host, tlsCause(err)),
			"put the registry's CA certificate in providerCredentials.certificate, or give the registry a certificate for its name signed by a trusted CA"
	case errors.As(err, &rhe):
		return finding.CodeVerifyEdgeTLS, fmt.Sprintf("%s: the registry %s does not speak TLS (byoos and Edge hosts pull over HTTPS only)", shown, host),
			"serve the registry over HTTPS"
	case errors.As(err, &dns):
		return finding.CodeVerifyEdgeUnreachable, fmt.Sprintf("%s: the registry host %s does not resolve (%s)", shown, dns.Name, dns.Err),
			"check the registry's host name, and the DNS of where verify runs"
	case errors.Is(err, syscall.ECONNREFUSED):
		return finding.CodeVerifyEdgeUnreachable, fmt.Sprintf("%s: the registry %s refused the connection (nothing listens there)", shown, host),
			"check the registry's host and port, and that it is running"
	case ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return finding.CodeVerifyEdgeUnreachable, fmt.Sprintf("%s: the registry %s did not answer in time", shown, host),
			"check that the registry is reachable from where verify runs (proxy, firewall)"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return finding.CodeVerifyEdgeUnreachable, fmt.Sprintf("%s: the registry %s could not be reached: %v", shown, host, err),
			"check that the registry is reachable from where verify runs (proxy, firewall)"
	}
	return finding.CodeVerifyEdgeRegistryError, fmt.Sprintf("%s: %v", shown, err), "check the image in its registry"
}

func firstCode(e *transport.Error) string {
	if len(e.Errors) > 0 {
		return string(e.Errors[0].Code)
	}
	return fmt.Sprintf("%d %s", e.StatusCode, http.StatusText(e.StatusCode))
}

func tlsCause(err error) string {
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &unknownCA):
		return "its certificate is signed by an unknown authority"
	case errors.As(err, &hostErr):
		return hostErr.Error()
	case errors.As(err, &invalid):
		return invalid.Error()
	}
	return err.Error()
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
