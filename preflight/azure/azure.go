// Package azure checks Azure BYOOS images for preflight: that the VHD blob a
// profile names (https://ACCOUNT.blob.core.windows.net/CONTAINER/NAME.vhd,
// possibly with a SAS) exists, is a page blob, holds a disk of a whole number
// of MiB followed by its VHD footer, is a fixed-size VHD, and can be read with
// the credential given. It talks to Blob storage through the official client
// library, azure-sdk-for-go's azblob, and is tested against Azurite.
//
// The credential for an image is, in this order: the SAS in its URL; the
// shared key configured for its storage account; a Microsoft Entra ID token
// (Config.Credential, or the default Azure credential chain when
// Config.DefaultCredential is set); else none (a public container). No
// finding, error or Checked text ever holds an account key or a SAS
// signature.
package azure

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/osimage"
	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/secret"
)

// Config configures a Checker. The zero value checks public blobs and blobs
// whose URL carries a SAS.
type Config struct {
	// Keys are storage account keys (base64, as `az storage account keys
	// list` prints them) by account name, for shared key authorization of
	// the URLs of that account that carry no SAS.
	Keys map[string]secret.String
	// Credential, when set, authorizes with a Microsoft Entra ID token the
	// URLs that carry no SAS and whose account has no key in Keys. The
	// identity needs a role that reads blobs (Storage Blob Data Reader).
	Credential azcore.TokenCredential
	// DefaultCredential, when Credential is nil, uses the default Azure
	// credential chain (azidentity.NewDefaultAzureCredential: environment,
	// workload identity, managed identity, Azure CLI, Azure Developer CLI)
	// as Credential.
	DefaultCredential bool
	// Endpoints maps a storage account name to the base URL its blobs are
	// read from instead of the host in the image's URL: the URL's path
	// (/CONTAINER/NAME.vhd) and query are appended to it. Tests map an
	// account to Azurite, http://127.0.0.1:PORT/devstoreaccount1; a
	// private endpoint or proxy can be given the same way.
	Endpoints map[string]string
	// HTTPClient sends the requests (default: the SDK's client). Give one
	// to trust another CA or to go through a proxy.
	HTTPClient *http.Client
	// Retry bounds the retries of a request that was throttled (503
	// ServerBusy, 429), timed out on the server (500, 408) or could not be
	// sent: at most Retry.MaxRetries retries (default 3, negative none),
	// the first after Retry.RetryDelay (default 800ms), then twice as long
	// each time up to Retry.MaxRetryDelay (default 10s). A Retry-After
	// longer than MaxRetryDelay ends the retries.
	Retry policy.RetryOptions
	// SkipFooter skips reading the blob's last 512 bytes, where a fixed
	// VHD keeps its footer.
	SkipFooter bool
}

// Checker checks the VHD blobs of Azure images. It is safe for concurrent
// use.
type Checker struct {
	keys       map[string]*blob.SharedKeyCredential
	rawKeys    []string
	token      azcore.TokenCredential
	endpoints  map[string]string
	client     blob.ClientOptions
	maxRetries int
	skipFooter bool
}

// New returns a Checker for cfg, or an error naming the field of cfg that
// is not valid (an error never quotes a key).
func New(cfg Config) (*Checker, error) {
	c := &Checker{
		keys:       map[string]*blob.SharedKeyCredential{},
		endpoints:  map[string]string{},
		skipFooter: cfg.SkipFooter,
	}
	for account, key := range cfg.Keys {
		if !validAccount(account) {
			return nil, fmt.Errorf("azure: Keys[%q]: a storage account name is 3 to 24 lowercase letters and digits", account)
		}
		k := strings.TrimSpace(key.Reveal())
		if k == "" {
			return nil, fmt.Errorf("azure: Keys[%q]: the account key is empty", account)
		}
		cred, err := blob.NewSharedKeyCredential(account, k)
		if err != nil {
			// The SDK's error names the offending byte's offset, not the key.
			return nil, fmt.Errorf("azure: Keys[%q]: the account key is not base64: %w", account, err)
		}
		c.keys[account] = cred
		c.rawKeys = append(c.rawKeys, k)
	}
	for account, base := range cfg.Endpoints {
		if !validAccount(account) {
			return nil, fmt.Errorf("azure: Endpoints[%q]: a storage account name is 3 to 24 lowercase letters and digits", account)
		}
		u, err := url.Parse(base)
		switch {
		case err != nil:
			return nil, fmt.Errorf("azure: Endpoints[%q]: %s is not a URL: %w", account, quote(base), err)
		case u.Scheme != "http" && u.Scheme != "https":
			return nil, fmt.Errorf("azure: Endpoints[%q]: %s is not an http or https URL", account, quote(base))
		case u.Host == "":
			return nil, fmt.Errorf("azure: Endpoints[%q]: %s has no host", account, quote(base))
		case u.User != nil || u.RawQuery != "" || u.Fragment != "":
			return nil, fmt.Errorf("azure: Endpoints[%q]: %s is a base URL: no user, query or fragment", account, quote(base))
		}
		c.endpoints[account] = strings.TrimRight(base, "/")
	}
	c.token = cfg.Credential
	if c.token == nil && cfg.DefaultCredential {
		cred, err := azidentity.NewDefaultAzureCredential(nil)
		if err != nil {
			return nil, fmt.Errorf("azure: DefaultCredential: %w", err)
		}
		c.token = cred
	}
	if c.token != nil {
		c.token = markedCredential{c.token}
	}
	r := cfg.Retry
	if r.MaxRetryDelay == 0 {
		r.MaxRetryDelay = 10 * time.Second
	}
	switch {
	case r.MaxRetries == 0:
		c.maxRetries = 3
	case r.MaxRetries > 0:
		c.maxRetries = int(r.MaxRetries)
	}
	c.client.Retry = r
	c.client.Telemetry.ApplicationID = "byoos-verify"
	c.client.PerRetryPolicies = []policy.Policy{countTries{}}
	if cfg.HTTPClient != nil {
		c.client.Transport = cfg.HTTPClient
	}
	return c, nil
}

// MiB is the unit Azure's VHD disk sizes are whole numbers of.
const MiB = 1 << 20

// FooterSize is the size of a VHD footer: the last bytes of a fixed VHD.
const FooterSize = 512

// Check checks one Azure image: its VHD blob's properties (existence, blob
// type, size) and, unless Config.SkipFooter, its footer. It implements
// preflight.Checker.
func (c *Checker) Check(ctx context.Context, img preflight.Image, _ preflight.Target) preflight.Result {
	res := preflight.Result{Image: img}
	v, p := osimage.ParseVHD(img.Ref, osimage.AzureOptions{})
	if p != nil {
		res.Findings = append(res.Findings, preflight.Finding(img, finding.Error, p.Code, p.Message, p.Hint))
		return res
	}
	k := c.newCheck(img, v)
	client, err := c.newClient(k)
	if err != nil {
		res.Findings = append(res.Findings, preflight.Finding(img, finding.Error, finding.CodeVerifyAzureRequestFailed,
			fmt.Sprintf("cannot check the VHD blob %s: %s", k.ref, k.clean(err.Error())), ""))
		return res
	}
	var tries atomic.Int32
	props, err := client.GetProperties(withTries(ctx, &tries), nil)
	if err != nil {
		res.Findings = append(res.Findings, k.failure(ctx, "reading its properties", int(tries.Load()), c.maxRetries, err))
		res.Checked = fmt.Sprintf("VHD blob %s%s: not read (%s)", k.ref, k.at(), k.how)
		return res
	}
	size := int64(-1)
	if props.ContentLength != nil {
		size = *props.ContentLength
	}
	kind := "unknown"
	if props.BlobType != nil {
		kind = string(*props.BlobType)
	}
	if kind != string(blob.BlobTypePageBlob) {
		res.Findings = append(res.Findings, preflight.Finding(img, finding.Error, finding.CodeVerifyAzureNotPageBlob,
			fmt.Sprintf("the VHD blob %s is a %s; Azure creates disks and images only from VHDs stored as page blobs.", k.ref, blobKind(kind)),
			"Upload the VHD again as a page blob: `az storage blob upload --type page --file disk.vhd --account-name "+v.Account+
				" --container-name "+v.Container+" --name "+shellArg(v.Blob)+"`, or `azcopy copy disk.vhd '"+k.plainURL()+"' --blob-type PageBlob`."))
	}
	if f := sizeFinding(k, size); f != nil {
		res.Findings = append(res.Findings, *f)
	}
	vhdKind := ""
	if !c.skipFooter && size >= FooterSize {
		tries.Store(0)
		ft, err := readFooter(withTries(ctx, &tries), client, size, props.ETag)
		if err != nil {
			res.Findings = append(res.Findings, k.failure(ctx, "reading its VHD footer (the last 512 bytes)", int(tries.Load()), c.maxRetries, err))
		} else {
			var fs finding.List
			vhdKind, fs = footerFindings(k, ft, size)
			res.Findings = append(res.Findings, fs...)
		}
	}
	res.Checked = fmt.Sprintf("VHD blob %s%s: %s of %s", k.ref, k.at(), blobKind(kind), describeSize(size))
	if vhdKind != "" {
		res.Checked += ", " + vhdKind
	}
	res.Checked += " (" + k.how + ")"
	return res
}

// check is what one Check knows about its image.
type check struct {
	img preflight.Image
	vhd osimage.VHD
	// ref is the image's URL, redacted and quoted, for messages.
	ref string
	// target is the URL requested: the image's URL, or its path and query
	// on the account's configured endpoint.
	target   string
	endpoint string
	// how names the credential, for messages.
	how      string
	sas      *sas.QueryParameters
	key      *blob.SharedKeyCredential
	token    azcore.TokenCredential
	redactor *secret.Redactor
}

func (c *Checker) newCheck(img preflight.Image, v osimage.VHD) *check {
	k := &check{img: img, vhd: v, ref: quote(img.Ref), target: img.Ref, redactor: &secret.Redactor{}}
	for _, raw := range c.rawKeys {
		k.redactor.Add(raw, secret.Mask)
	}
	u, err := url.Parse(img.Ref)
	if err == nil {
		if base, ok := c.endpoints[v.Account]; ok {
			k.endpoint = base
			k.target = base + u.EscapedPath()
			if u.RawQuery != "" {
				k.target += "?" + u.RawQuery
			}
		}
		if v.HasSAS {
			q := sas.NewQueryParameters(u.Query(), false)
			k.sas = &q
			if sig := q.Signature(); sig != "" {
				k.redactor.Add(sig, secret.Mask)
				k.redactor.Add(url.QueryEscape(sig), secret.Mask)
			}
		}
	}
	switch {
	case v.HasSAS:
		k.how = "read with the SAS in the URL"
	case c.keys[v.Account] != nil:
		k.key = c.keys[v.Account]
		k.how = fmt.Sprintf("read with the account key of %s", v.Account)
	case c.token != nil:
		k.token = c.token
		k.how = "read with a Microsoft Entra ID token"
	default:
		k.how = "read anonymously: the URL carries no SAS and no key or Azure credential is configured"
	}
	return k
}

// newClient returns the blob client for k's target and credential.
func (c *Checker) newClient(k *check) (*blob.Client, error) {
	o := c.client
	switch {
	case k.key != nil:
		return blob.NewClientWithSharedKeyCredential(k.target, k.key, &o)
	case k.token != nil:
		return blob.NewClient(k.target, k.token, &o)
	default:
		return blob.NewClientWithNoCredential(k.target, &o)
	}
}

// at says where the blob was read when that is not the host of its URL.
func (k *check) at() string {
	if k.endpoint == "" {
		return ""
	}
	return " (at " + quote(k.endpoint) + ")"
}

// plainURL is the image's URL without its query (its SAS), for commands in
// hints.
func (k *check) plainURL() string {
	u, _, _ := strings.Cut(k.img.Ref, "?")
	return secret.RedactURL(u)
}

// clean removes every credential of the check from text taken from an
// error: the URL credentials RedactURL knows, the account keys and the SAS
// signature wherever they stand.
func (k *check) clean(s string) string {
	return k.redactor.Redact(secret.RedactURL(s))
}

// readFooter reads the last FooterSize bytes of the blob of the given size.
func readFooter(ctx context.Context, client *blob.Client, size int64, etag *azcore.ETag) ([]byte, error) {
	o := &blob.DownloadStreamOptions{Range: blob.HTTPRange{Offset: size - FooterSize, Count: FooterSize}}
	if etag != nil {
		o.AccessConditions = &blob.AccessConditions{ModifiedAccessConditions: &blob.ModifiedAccessConditions{IfMatch: etag}}
	}
	resp, err := client.DownloadStream(ctx, o)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, FooterSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) != FooterSize {
		return nil, fmt.Errorf("the service answered %d bytes for the last %d", len(b), FooterSize)
	}
	return b, nil
}

// markedCredential marks the errors of a token credential, so that a
// failure to get a token is told apart from a refused request.
type markedCredential struct{ azcore.TokenCredential }

func (m markedCredential) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	t, err := m.TokenCredential.GetToken(ctx, o)
	if err != nil {
		return t, &credentialError{err}
	}
	return t, nil
}

// credentialError is a token credential's failure.
type credentialError struct{ err error }

func (e *credentialError) Error() string { return "no Azure token: " + e.err.Error() }
func (e *credentialError) Unwrap() error { return e.err }

// triesKey is the context key of a request's try counter.
type triesKey struct{}

func withTries(ctx context.Context, n *atomic.Int32) context.Context {
	return context.WithValue(ctx, triesKey{}, n)
}

// countTries counts each try of a request (it runs once per retry).
type countTries struct{}

func (countTries) Do(req *policy.Request) (*http.Response, error) {
	if n, ok := req.Raw().Context().Value(triesKey{}).(*atomic.Int32); ok {
		n.Add(1)
	}
	return req.Next()
}

// validAccount reports whether s is a storage account name: 3 to 24
// lowercase letters and digits.
func validAccount(s string) bool {
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
