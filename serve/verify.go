package serve

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/preflight/aws"
	"github.com/byoos/byoos/preflight/azure"
	"github.com/byoos/byoos/preflight/vsphere"
	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/service"
)

// The serve settings that turn on a cloud's check on the server, as the
// verify-unsupported findings of an unconfigured cloud name them.
const (
	AWSSettings     = "byoos serve --verify-aws (EC2 with the server's credentials from the standard AWS chain), --verify-aws-profile NAME or --verify-aws-endpoint URL"
	AzureSettings   = "byoos serve --verify-azure (public blobs and SAS URLs), --verify-azure-identity (the server's default Azure credential chain) or the environment variable BYOOS_AZURE_STORAGE_KEYS (ACCOUNT=KEY pairs)"
	VSphereSettings = "byoos serve --verify-vsphere-url URL with --verify-vsphere-user USER and the password in the environment variable BYOOS_VSPHERE_PASSWORD"
)

// Azure clouds whose storage accounts verify on the server reaches
// without the allow-list (AzureVerify.Cloud), and the blob endpoint
// suffix of each.
var azureBlobSuffixes = map[string]string{
	"public":       ".blob.core.windows.net",
	"china":        ".blob.core.chinacloudapi.cn",
	"usgovernment": ".blob.core.usgovcloudapi.net",
}

// VerifyClouds configures the checks of AWS, Azure and vSphere images by
// verify on the server, with the server's own credentials (never a
// profile's). A cloud left nil is not checked: its images get a
// verify-unsupported finding naming the settings that turn it on; vSphere
// OVA URLs are checked even so (through the allow-list, as Edge registries
// are), vSphere templates need vCenter.
type VerifyClouds struct {
	AWS     *AWSVerify
	Azure   *AzureVerify
	VSphere *VSphereVerify
}

// AWSVerify turns on the check of AMIs with EC2 DescribeImages (and
// DescribeRegions), with the credentials of the standard AWS chain of the
// server's process (environment, shared files, SSO, web identity, ECS or
// EC2 instance role). EC2 is reached at the endpoint of the region the
// request names (ec2.REGION.amazonaws.com, or the partition's), or at
// Endpoint: hosts the operator chose, so not through the allow-list (an
// EC2 VPC endpoint resolves to private addresses). The region is checked
// against the shape of AWS region names before any request, so it cannot
// name another host.
type AWSVerify struct {
	// Endpoint, when set, is the EC2 endpoint used for every region
	// (--verify-aws-endpoint).
	Endpoint string
	// Profile is the shared config profile the chain reads
	// (--verify-aws-profile; empty: AWS_PROFILE or "default").
	Profile string
	// HTTPClient, when set, makes the EC2 calls (nil: the SDK's client,
	// which honours HTTPS_PROXY).
	HTTPClient *http.Client
}

// AzureVerify turns on the check of VHD blobs. The blob URL comes from the
// profile: its host must be a storage account's blob endpoint in Cloud
// (ACCOUNT.blob.core.windows.net for "public"), which is reached at its
// public addresses without being listed (internal ones only when
// --verify-allow-net holds them); any other host goes through the
// allow-list. Endpoints are the operator's and are reached directly.
type AzureVerify struct {
	// Cloud is the Azure cloud whose blob endpoints are reached: "public"
	// (the default), "china" or "usgovernment" (--verify-azure-cloud).
	Cloud string
	// DefaultCredential reads the URLs that carry no SAS and whose account
	// has no key with the server's default Azure credential chain
	// (--verify-azure-identity).
	DefaultCredential bool
	// Keys are storage account keys by account (BYOOS_AZURE_STORAGE_KEYS).
	Keys map[string]secret.String
	// Endpoints map an account to the base URL its blobs are read from
	// (--verify-azure-endpoint ACCOUNT=URL).
	Endpoints map[string]string
}

// VSphereVerify turns on the check of vSphere templates in vCenter. vCenter
// is the operator's and is reached directly; an OVA URL comes from the
// profile and goes through the allow-list.
type VSphereVerify struct {
	// URL is vCenter (--verify-vsphere-url); Username
	// (--verify-vsphere-user) and Password (BYOOS_VSPHERE_PASSWORD) log in.
	URL      string
	Username string
	Password secret.String
	// Insecure skips the check of vCenter's certificate
	// (--verify-vsphere-insecure); CACert is the PEM of the CA that signed
	// it (--verify-vsphere-ca-cert FILE), trusted for OVA URLs too.
	Insecure bool
	CACert   string
	// Datacenter is where bare template names are looked up
	// (--verify-vsphere-datacenter).
	Datacenter string
}

// Checkers returns the checks of VerifyClouds for service.VerifyConfig's
// Clouds, each given the allow-list of cfg (and of the tenant) where the
// profile names the host. It builds each configured check once, so that a
// configuration that cannot work fails at start.
func (vc VerifyClouds) Checkers(cfg service.VerifyConfig) (map[string]service.CloudChecker, error) {
	out := map[string]service.CloudChecker{}
	if a := vc.AWS; a != nil {
		c, err := aws.New(aws.Config{Endpoint: a.Endpoint, Profile: a.Profile, HTTPClient: a.HTTPClient})
		if err != nil {
			return nil, fmt.Errorf("verify: AWS: %w", err)
		}
		out[preflight.AWS] = func(service.DialFunc) (preflight.Checker, error) { return c, nil }
	} else {
		out[preflight.AWS] = unsupported("AWS", "AMI", AWSSettings, "byoos verify --region REGION FILE")
	}
	if a := vc.Azure; a != nil {
		build, err := a.checker(cfg)
		if err != nil {
			return nil, fmt.Errorf("verify: Azure: %w", err)
		}
		out[preflight.Azure] = build
	} else {
		out[preflight.Azure] = unsupported("Azure", "VHD blob", AzureSettings, "byoos verify FILE")
	}
	build, err := vc.VSphere.checker()
	if err != nil {
		return nil, fmt.Errorf("verify: vSphere: %w", err)
	}
	out[preflight.VSphere] = build
	return out, nil
}

// Summary says, for the log, which clouds' checks are on (no secret).
func (vc VerifyClouds) Summary() []any {
	on := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	vs := "OVA URLs only"
	if vc.VSphere != nil && strings.TrimSpace(vc.VSphere.URL) != "" {
		vs = "on"
	}
	return []any{"aws", on(vc.AWS != nil), "azure", on(vc.Azure != nil), "vsphere", vs}
}

// checker builds the Azure check of one verify, its blob requests dialled
// by azureDial.
func (a *AzureVerify) checker(cfg service.VerifyConfig) (service.CloudChecker, error) {
	cloud := strings.ToLower(strings.TrimSpace(a.Cloud))
	if cloud == "" {
		cloud = "public"
	}
	suffix, ok := azureBlobSuffixes[cloud]
	if !ok {
		return nil, fmt.Errorf("the cloud %q: use public, china or usgovernment", a.Cloud)
	}
	var cred azcore.TokenCredential
	if a.DefaultCredential {
		// One credential for the server's life, so its tokens are reused.
		c, err := azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return nil, fmt.Errorf("the default Azure credential: %w", err)
		}
		cred = c
	}
	base := azure.Config{Keys: a.Keys, Credential: cred, Endpoints: a.Endpoints}
	if _, err := azure.New(base); err != nil {
		return nil, err
	}
	trusted := map[string]bool{}
	for _, ep := range a.Endpoints {
		if h := hostPort(ep); h != "" {
			trusted[h] = true
		}
	}
	return func(dial service.DialFunc) (preflight.Checker, error) {
		t, err := guardedTransport(azureDial(dial, suffix, trusted, cfg))
		if err != nil {
			return nil, err
		}
		c := base
		c.HTTPClient = &http.Client{Transport: t}
		return azure.New(c)
	}, nil
}

// azureDial connects the blob requests of one verify: to an endpoint the
// operator configured directly; to a storage account's blob endpoint in
// the configured cloud (one DNS label, then suffix), on port 443, at its
// public addresses (internal ones only when the operator's networks hold
// them); anywhere else through dial, the tenant's allow-list.
func azureDial(dial service.DialFunc, suffix string, trusted map[string]bool, cfg service.VerifyConfig) service.DialFunc {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("dial %s: %w", addr, err)
		}
		host = strings.ToLower(strings.TrimSuffix(host, "."))
		if trusted[net.JoinHostPort(host, port)] {
			d := net.Dialer{Timeout: 10 * time.Second}
			return d.DialContext(ctx, network, addr)
		}
		if account, ok := strings.CutSuffix(host, suffix); ok && storageAccount(account) {
			a := &preflight.AllowList{RegistryHosts: []string{host}, Hosts: cfg.AllowHosts, Nets: cfg.AllowNets, Resolver: cfg.Resolver}
			return a.DialContext(ctx, network, addr)
		}
		return dial(ctx, network, addr)
	}
}

// storageAccount reports whether s is a storage account name (3 to 24
// lowercase letters and digits), so one DNS label.
func storageAccount(s string) bool {
	if len(s) < 3 || len(s) > 24 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// hostPort returns the lower-case host:port of an http(s) URL (the
// scheme's port when it names none), or "".
func hostPort(raw string) string {
	scheme, rest, ok := strings.Cut(strings.TrimSpace(raw), "://")
	if !ok {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	host = strings.ToLower(host)
	if _, _, err := net.SplitHostPort(host); err == nil {
		return host
	}
	switch strings.ToLower(scheme) {
	case "http":
		return net.JoinHostPort(strings.Trim(host, "[]"), "80")
	case "https":
		return net.JoinHostPort(strings.Trim(host, "[]"), "443")
	}
	return ""
}

// guardedTransport returns an HTTP transport whose every connection is
// made by dial, with no proxy (a proxy would dial past it).
func guardedTransport(dial service.DialFunc) (*http.Transport, error) {
	base, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return nil, errors.New("http.DefaultTransport is not an *http.Transport")
	}
	t := base.Clone()
	t.Proxy = nil
	t.DialContext = dial
	return t, nil
}

// checker builds the vSphere check of one verify: OVA URLs over dial (the
// allow-list), templates in the configured vCenter, or, when none is
// configured, a verify-unsupported finding naming the settings.
func (v *VSphereVerify) checker() (service.CloudChecker, error) {
	cfg := vsphere.Config{}
	if v != nil {
		cfg = vsphere.Config{URL: v.URL, Username: v.Username, Password: v.Password, Insecure: v.Insecure, CACert: v.CACert, Datacenter: v.Datacenter}
	}
	if _, err := vsphere.New(cfg); err != nil {
		return nil, err
	}
	noVCenter := strings.TrimSpace(cfg.URL) == ""
	return func(dial service.DialFunc) (preflight.Checker, error) {
		c := cfg
		c.OVADial = dial
		ch, err := vsphere.New(c)
		if err != nil {
			return nil, err
		}
		if noVCenter {
			return ovaOnly{ova: ch, templates: unsupportedChecker{what: "vSphere template", why: "this server has no vCenter configured to look it up",
				settings: VSphereSettings, local: "byoos verify --vsphere-url URL --vsphere-user USER FILE"}}, nil
		}
		return ch, nil
	}, nil
}

// ovaOnly checks OVA URLs with ova and answers templates with templates.
type ovaOnly struct {
	ova, templates preflight.Checker
}

func (o ovaOnly) Check(ctx context.Context, img preflight.Image, t preflight.Target) preflight.Result {
	l := strings.ToLower(strings.TrimSpace(img.Ref))
	if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
		return o.ova.Check(ctx, img, t)
	}
	return o.templates.Check(ctx, img, t)
}

// unsupported is the check of a cloud the server does not check.
func unsupported(cloud, what, settings, local string) service.CloudChecker {
	c := unsupportedChecker{what: what, why: fmt.Sprintf("this server has no %s check configured", cloud), settings: settings, local: local}
	return func(service.DialFunc) (preflight.Checker, error) { return c, nil }
}

// unsupportedChecker answers every image with a verify-unsupported finding
// naming the settings that would check it.
type unsupportedChecker struct {
	// what the image is ("AMI"), why it is not checked, the settings that
	// would check it on the server, and the command that checks it locally.
	what, why, settings, local string
}

func (u unsupportedChecker) Check(_ context.Context, img preflight.Image, _ preflight.Target) preflight.Result {
	ref := secret.RedactURL(img.Ref) // a SAS in a blob URL is a credential
	if len(ref) > 160 {
		ref = strings.ToValidUTF8(ref[:160], "") + "…"
	}
	return preflight.Result{Image: img, Findings: finding.List{preflight.Finding(img, finding.Error, finding.CodeVerifyUnsupported,
		fmt.Sprintf("the %s %q was not checked: %s.", u.what, ref, u.why),
		fmt.Sprintf("The server's operator turns the check on with %s; or check it from a machine with the cloud's credentials: %s.", u.settings, u.local))}}
}

// ParseAzureKeys reads BYOOS_AZURE_STORAGE_KEYS: ACCOUNT=KEY pairs
// separated by white space, commas or semicolons (a key is base64, so it
// holds none of them; it is split from its account at the first '='). An
// error names the pair by its position and never quotes what it holds, as
// a mistyped pair may be a key.
func ParseAzureKeys(s string) (map[string]secret.String, error) {
	out := map[string]secret.String{}
	fields := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
	})
	for i, f := range fields {
		account, key, ok := strings.Cut(f, "=")
		switch {
		case !ok || key == "":
			return nil, fmt.Errorf("pair %d of %d is not ACCOUNT=KEY", i+1, len(fields))
		case !storageAccount(account):
			return nil, fmt.Errorf("pair %d of %d: the account name before '=' is not a storage account name (3 to 24 lowercase letters and digits)", i+1, len(fields))
		case out[account] != "":
			return nil, fmt.Errorf("pair %d of %d: the account %s has a key already", i+1, len(fields), account)
		}
		out[account] = secret.String(key)
	}
	if len(out) == 0 {
		return nil, errors.New("no ACCOUNT=KEY pair")
	}
	return out, nil
}

// ParseAzureEndpoint reads a --verify-azure-endpoint value, ACCOUNT=URL.
func ParseAzureEndpoint(s string) (account, url string, err error) {
	account, url, ok := strings.Cut(strings.TrimSpace(s), "=")
	switch {
	case !ok || url == "":
		return "", "", fmt.Errorf("%q is not ACCOUNT=URL", secret.RedactURL(s))
	case !storageAccount(account):
		return "", "", fmt.Errorf("%q: the account name is 3 to 24 lowercase letters and digits", account)
	}
	return account, url, nil
}
