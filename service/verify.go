package service

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/byoos/byoos/cache"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/preflight/edge"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/wire"
)

// Defaults of verify on the server.
const (
	// DefaultVerifyCacheTTL is how long a check's result is reused.
	DefaultVerifyCacheTTL = 5 * time.Minute
	// DefaultVerifyTimeout bounds each image's check.
	DefaultVerifyTimeout = 30 * time.Second
	// DefaultVerifyParallel is the most checks one verify runs at once.
	DefaultVerifyParallel = 16
)

// DialFunc connects as the server's allow-list permits (AllowList.DialContext).
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// CloudChecker builds the check of one cloud for one verify, over dial,
// the only way it may reach the network.
type CloudChecker func(dial DialFunc) (preflight.Checker, error)

// VerifyConfig bounds what verify on the server reaches and how long it
// trusts what it found.
type VerifyConfig struct {
	// AllowHosts and AllowNets are the operator's allow-list (serve's
	// --verify-allow-host and --verify-allow-net), beside the OCI
	// registries a tenant admin configured. Loopback, private and
	// link-local addresses are reached only when AllowNets holds them (or
	// AllowHosts lists the address itself).
	AllowHosts []string
	AllowNets  []netip.Prefix
	// CacheTTL is how long a check's result is reused
	// (DefaultVerifyCacheTTL when 0; negative: not cached).
	CacheTTL time.Duration
	// Timeout bounds each check (DefaultVerifyTimeout when 0); Parallel is
	// the most checks one verify runs at once (DefaultVerifyParallel when 0).
	Timeout  time.Duration
	Parallel int
	// Clouds are the checks of clouds other than Edge (aws, azure,
	// vsphere), keyed by cloud name; Edge's is built in. Package serve
	// builds them (serve.VerifyClouds.Checkers), each given the tenant's
	// allow-list dialer for the hosts a profile names. An image of a cloud
	// missing here gets a verify-unsupported finding.
	Clouds map[string]CloudChecker
	// Resolver resolves registry names (net.DefaultResolver when nil).
	Resolver *net.Resolver
}

// Verifier verifies stored profiles: it opens their sealed credentials in
// memory only, reaches only what VerifyConfig allows, caches results, and
// records the Edge digests of a published profile version. It is safe for
// concurrent use.
type Verifier struct {
	profiles *Profiles
	st       store.Store
	cfg      VerifyConfig
	results  *preflight.ResultCache
}

// NewVerifier returns the verifier of the profiles p serves.
func NewVerifier(p *Profiles, cfg VerifyConfig) *Verifier {
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = DefaultVerifyCacheTTL
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultVerifyTimeout
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = DefaultVerifyParallel
	}
	v := &Verifier{profiles: p, st: p.st, cfg: cfg}
	if cfg.CacheTTL > 0 {
		v.results = cache.New[string, preflight.Result](4096, cfg.CacheTTL)
	}
	return v
}

// Verify checks the images of profile uid, as c sees it, for the target
// req names: its published body, or its draft when it was never published.
// A profile that does not validate is answered with its findings and no
// check. The first verify of a published version records the digest each
// Edge image resolved to; later ones report a tag that moved since.
func (v *Verifier) Verify(ctx context.Context, c Caller, uid string, req wire.VerifyRequest) (*wire.Verification, error) {
	switch req.Arch {
	case "", "x86_64", "arm64":
	default:
		return nil, Errorf(wire.CodeBadRequest, "arch %q: use x86_64 or arm64", req.Arch)
	}
	rec, err := v.profiles.find(ctx, c, uid)
	if err != nil {
		return nil, err
	}
	c = c.of(rec)
	raw, which := rec.Body, "draft"
	if rec.Published != nil {
		raw, which = rec.Published, "published"
	}
	body, err := decodeBody(rec.UID, raw)
	if err != nil {
		return nil, err
	}
	doc, err := v.profiles.clearDocument(rec, body)
	if err != nil {
		return nil, err
	}
	var sys map[string]string
	if r := strings.TrimSpace(req.Region); r != "" {
		sys = map[string]string{"cloud.region": r}
	}
	res, err := v.profiles.runWith(ctx, c, doc, sys)
	if err != nil {
		return nil, err
	}
	out := &wire.Verification{Verified: which, Results: []wire.VerifyResult{}, Findings: finding.List{}}
	if res.Findings.HasErrors() {
		out.Findings = res.Findings
		return out, nil
	}
	imgs := preflight.Images(res)
	if len(imgs) == 0 {
		return out, nil
	}
	sum := ""
	if which == "published" {
		sum = publicationSum(body)
		recorded, err := v.st.ProfileDigests(ctx, c.Scope, rec.UID, sum)
		if err != nil {
			return nil, FromStore(err, "cluster profile", rec.UID)
		}
		byRef := map[string]string{}
		for _, d := range recorded {
			byRef[d.Ref] = d.Digest
		}
		for i := range imgs {
			if imgs[i].Cloud == preflight.Edge {
				imgs[i].Digest = byRef[imgs[i].Ref]
			}
		}
	}
	checkers, release, err := v.checkers(ctx, c)
	if err != nil {
		return nil, err
	}
	defer release()
	t := preflight.Target{Region: strings.TrimSpace(req.Region), Arch: req.Arch, AlsoRegions: req.AlsoRegions}
	results := preflight.Run(ctx, imgs, t, checkers, preflight.Options{Parallel: v.cfg.Parallel, Timeout: v.cfg.Timeout})
	rep := preflight.Report(results)
	rep.Verified = which
	if which == "published" {
		var ds []store.ProfileDigest
		for _, r := range results {
			if r.Image.Cloud == preflight.Edge && r.Digest != "" && r.Image.Digest == "" {
				ds = append(ds, store.ProfileDigest{Ref: r.Image.Ref, Digest: r.Digest})
			}
		}
		if len(ds) > 0 {
			n, err := v.st.RecordProfileDigests(ctx, c.Scope, rec.UID, sum, ds,
				c.Audit("profile.digests", "clusterprofile", rec.UID, fmt.Sprintf("%s@%s: %d Edge image digest(s) recorded", rec.Name, rec.Version, len(ds))))
			if err != nil {
				return nil, FromStore(err, "cluster profile", rec.UID)
			}
			rep.Recorded = n
		}
	}
	return &rep, nil
}

// clearDocument is the stored body of rec as a profile document, its
// sealed layers and sensitive variables opened (in memory only).
func (s *Profiles) clearDocument(rec store.Profile, body storedBody) (*wire.Profile, error) {
	vars, err := s.openVariables(rec.UID, body.Variables)
	if err != nil {
		return nil, err
	}
	doc := &wire.Profile{}
	doc.Metadata.Name, doc.Metadata.UID, doc.Spec.Version = rec.Name, rec.UID, rec.Version
	doc.Spec.Template.Type, doc.Spec.Template.CloudType = body.Type, body.CloudType
	doc.Spec.Variables = vars
	for _, sp := range body.Packs {
		text, err := s.openValues(rec.UID, sp)
		if err != nil {
			return nil, err
		}
		doc.Spec.Template.Packs = append(doc.Spec.Template.Packs, wire.PackRef{Name: sp.Name, Type: sp.Type, Layer: sp.Layer, Tag: sp.Tag, Version: sp.Version,
			UID: sp.PackUID, RegistryUID: sp.RegistryUID, Values: text, Manifests: sp.Manifests})
	}
	return doc, nil
}

// publicationSum is the checksum of a publication's layers, as stored (a
// metadata change leaves it; a new publication of other layers changes it).
func publicationSum(body storedBody) string {
	b, _ := json.Marshal(body.Packs) // strings and slices of strings: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// checkers builds the checks of one verify: every connection goes through
// the allow-list of c's tenant (the operator's, and the hosts of the OCI
// registries its admins configured), without a proxy.
func (v *Verifier) checkers(ctx context.Context, c Caller) (map[string]preflight.Checker, func(), error) {
	regs, err := v.st.ListRegistries(ctx, c.Scope.TenantUID, "")
	if err != nil {
		return nil, nil, FromStore(err, "registries", "")
	}
	allow := &preflight.AllowList{Hosts: v.cfg.AllowHosts, Nets: v.cfg.AllowNets, Resolver: v.cfg.Resolver}
	for _, r := range regs {
		if r.Kind == store.KindOCI {
			if h := endpointHost(r.Endpoint); h != "" {
				allow.RegistryHosts = append(allow.RegistryHosts, h)
			}
		}
	}
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, nil, errors.New("verify: http.DefaultTransport is not an *http.Transport")
	}
	t := base.Clone()
	t.Proxy = nil // a proxy would dial for us, past the allow-list
	t.DialContext = allow.DialContext
	ec, err := edge.New(edge.Config{Transport: t})
	if err != nil {
		return nil, nil, fmt.Errorf("verify: %w", err)
	}
	scope := c.Scope.TenantUID
	out := map[string]preflight.Checker{preflight.Edge: v.cached(ec, scope)}
	for cloud, build := range v.cfg.Clouds {
		ch, err := build(allow.DialContext)
		if err != nil {
			ec.Close()
			return nil, nil, fmt.Errorf("verify: the %s check: %w", cloud, err)
		}
		out[cloud] = v.cached(ch, scope)
	}
	return out, ec.Close, nil
}

func (v *Verifier) cached(c preflight.Checker, scope string) preflight.Checker {
	if v.results == nil {
		return c
	}
	return preflight.Cached(c, v.results, scope)
}

// endpointHost returns the host[:port] of a registry endpoint (host[:port]
// or a URL), lower case.
func endpointHost(ep string) string {
	ep = strings.TrimSpace(ep)
	if strings.Contains(ep, "://") {
		u, err := url.Parse(ep)
		if err != nil {
			return ""
		}
		return strings.ToLower(u.Host)
	}
	h, _, _ := strings.Cut(ep, "/")
	return strings.ToLower(h)
}
