package service

import (
	"context"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/names"
	"github.com/byoos/byoos/regsync"
	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/wire"
)

// RegistryClient reads remote registries: regsync's Check and Sync behind
// an interface, so that tests replace the registry.
type RegistryClient interface {
	// Check verifies that src answers and accepts its credentials.
	Check(ctx context.Context, src regsync.Source) error
	// Sync reads every pack version src holds.
	Sync(ctx context.Context, src regsync.Source) (*regsync.Result, error)
}

// Regsync is the RegistryClient of package regsync, with its options.
type Regsync struct{ Options regsync.Options }

// Check implements RegistryClient.
func (c Regsync) Check(ctx context.Context, src regsync.Source) error {
	return regsync.Check(ctx, src, c.Options)
}

// Sync implements RegistryClient.
func (c Regsync) Sync(ctx context.Context, src regsync.Source) (*regsync.Result, error) {
	return regsync.Sync(ctx, src, c.Options)
}

// Auth types of remote registries (store.Registry.AuthType).
const (
	AuthNone   = "noAuth"
	AuthBasic  = "basic"
	AuthToken  = "token"
	AuthSecret = "secret" // ECR: access key and secret key
	AuthSTS    = "sts"    // ECR: a role to assume
)

// Limits of remote registry fields, in bytes.
const (
	maxEndpoint = 2048
	maxField    = 1024
	maxSecret   = 16 << 10
	maxCACert   = 64 << 10
	// MaxSyncMessage bounds a sync status message.
	MaxSyncMessage = 1024
)

// RegistrySpec is a remote registry as a client configures it, its secret
// in clear (in memory only: the service seals it before storing).
type RegistrySpec struct {
	// Kind is store.KindOCI or store.KindHelm.
	Kind string
	// Provider is an OCI registry's type, regsync.ProviderBasic or
	// regsync.ProviderECR.
	Provider string
	// ContentType is an OCI registry's spec.providerType: "pack", "helm"
	// or "zarf" ("helm" when empty, as the Terraform provider defaults).
	ContentType     string
	Name            string
	Endpoint        string
	BasePath        string
	BaseContentPath string
	IsPrivate       bool
	SyncEnabled     bool
	// AuthType is AuthNone, AuthBasic or AuthToken (OCI basic, Helm), or
	// AuthSecret or AuthSTS (ECR); empty means AuthNone, or AuthSecret for
	// ECR.
	AuthType string
	// Username is the user, or an ECR registry's access key id.
	Username string
	// Secret is the password, token or secret key. On update, empty or the
	// mask keeps the stored one.
	Secret             secret.String
	CACert             string
	InsecureSkipVerify bool
	Region             string
	STSARN             string
	STSExternalID      string
}

// fieldPaths names a registry's fields as its kind's wire shape does, for
// error messages.
type fieldPaths struct{ user, secret, authType, cert, arn string }

func pathsOf(kind, provider string) fieldPaths {
	switch {
	case kind == store.KindOCI && provider == regsync.ProviderECR:
		return fieldPaths{"spec.credentials.accessKey", "spec.credentials.secretKey", "spec.credentials.credentialType", "spec.tls.certificate", "spec.credentials.sts.arn"}
	case kind == store.KindHelm:
		return fieldPaths{"spec.auth.username", "spec.auth.password", "spec.auth.type", "spec.auth.tls.certificate", ""}
	}
	return fieldPaths{"spec.auth.username", "spec.auth.password", "spec.auth.type", "spec.auth.tls.certificate", ""}
}

// secretGiven reports whether s is a secret value rather than nothing or a
// mask sent back (a read answers secrets as secret.Mask).
func secretGiven(s secret.String) bool {
	v := s.Reveal()
	return v != "" && strings.Trim(v, "*") != ""
}

// needsSecret reports whether an auth type carries a secret.
func needsSecret(authType string) bool {
	return authType == AuthBasic || authType == AuthToken || authType == AuthSecret
}

// normalize fills defaults and checks every field, naming the first bad
// one by its wire path.
func (s *RegistrySpec) normalize() error {
	bad := func(format string, args ...any) error { return Errorf(wire.CodeBadRequest, format, args...) }
	s.Name = strings.TrimSpace(s.Name)
	if e := names.Name(s.Name); e != nil {
		return bad("%s", e.At("metadata.name"))
	}
	if s.Name == catalog.RepoName {
		return Errorf(wire.CodeExists, "%q is the built-in registry's name", s.Name)
	}
	p := pathsOf(s.Kind, s.Provider)
	switch s.Kind {
	case store.KindOCI:
		switch s.Provider {
		case regsync.ProviderBasic, regsync.ProviderECR:
		default:
			return bad("registry type %s: use basic or ecr", names.Quote(s.Provider))
		}
		if s.ContentType == "" {
			s.ContentType = "helm"
		}
		switch s.ContentType {
		case "pack", "helm":
		case "zarf":
			if s.Provider != regsync.ProviderBasic {
				return bad("spec.providerType \"zarf\" is allowed for basic registries only")
			}
		default:
			return bad("spec.providerType %s: use pack, helm or zarf", names.Quote(s.ContentType))
		}
	case store.KindHelm:
		s.Provider, s.ContentType, s.BasePath, s.BaseContentPath, s.SyncEnabled = "", "", "", "", true
	default:
		return bad("registry kind %s: use oci or helm", names.Quote(s.Kind))
	}
	// Fields are kept as given (but for spaces around them), so that a
	// client reads back what it sent; their normal forms are source's.
	s.Endpoint = strings.TrimSpace(s.Endpoint)
	if _, err := checkEndpoint(s.Kind, s.Endpoint); err != nil {
		return bad("spec.endpoint: %v", err)
	}
	for _, f := range []struct {
		path string
		v    *string
	}{{"spec.basePath", &s.BasePath}, {"spec.baseContentPath", &s.BaseContentPath}} {
		*f.v = strings.TrimSpace(*f.v)
		if err := checkPath(strings.Trim(*f.v, "/")); err != nil {
			return bad("%s: %v", f.path, err)
		}
	}
	ecr := s.Kind == store.KindOCI && s.Provider == regsync.ProviderECR
	switch {
	case s.AuthType == "" && ecr:
		s.AuthType = AuthSecret
	case s.AuthType == "":
		s.AuthType = AuthNone
	}
	allowed := []string{AuthNone, AuthBasic}
	switch {
	case ecr:
		allowed = []string{AuthSecret, AuthSTS}
	case s.Kind == store.KindHelm:
		allowed = []string{AuthNone, AuthBasic, AuthToken}
	}
	if !slices.Contains(allowed, s.AuthType) {
		return bad("%s %s: use %s", p.authType, names.Quote(s.AuthType), strings.Join(allowed, ", "))
	}
	for _, f := range []struct {
		path string
		v    *string
		max  int
	}{{p.user, &s.Username, maxField}, {"spec.defaultRegion", &s.Region, 64}, {p.arn, &s.STSARN, maxField}, {"spec.credentials.sts.externalId", &s.STSExternalID, maxField}} {
		*f.v = strings.TrimSpace(*f.v)
		if e := names.Plain(*f.v); e != nil {
			return bad("%s %s", f.path, e.Msg)
		}
		if len(*f.v) > f.max {
			return bad("%s is %d bytes long; the limit is %d", f.path, len(*f.v), f.max)
		}
	}
	if v := s.Secret.Reveal(); len(v) > maxSecret || names.Plain(v) != nil {
		return bad("%s is over %d bytes or holds a control character", p.secret, maxSecret)
	}
	switch s.AuthType {
	case AuthNone:
		s.Username, s.Secret = "", ""
	case AuthBasic, AuthSecret:
		if s.Username == "" {
			return bad("%s is empty: %s authentication needs it", p.user, s.AuthType)
		}
	case AuthSTS:
		s.Username, s.Secret = "", ""
		if s.STSARN == "" {
			return bad("%s is empty: sts credentials need the role's ARN", p.arn)
		}
	}
	if s.AuthType != AuthSTS {
		s.STSARN, s.STSExternalID = "", ""
	}
	if s.Kind == store.KindOCI && s.Provider == regsync.ProviderBasic {
		s.IsPrivate = s.AuthType != AuthNone
	}
	if ecr && s.Region == "" {
		s.Region = ecrRegion(s.Endpoint)
	}
	if !ecr {
		s.Region = ""
	}
	// The certificate is kept as written (Terraform compares what it reads
	// back with its configuration, byte for byte); only its check trims it.
	if err := checkCACert(strings.TrimSpace(s.CACert)); err != nil {
		return bad("%s: %v", p.cert, err)
	}
	return nil
}

// checkEndpoint checks an endpoint and returns it trimmed: for OCI,
// host[:port] or an https URL; for Helm, an https URL. No user name or
// password may be in it (they go in the credentials), nor a query or a
// fragment.
func checkEndpoint(kind, ep string) (string, error) {
	ep = strings.TrimSpace(ep)
	switch {
	case ep == "":
		return "", errors.New("is empty; give the registry's address")
	case len(ep) > maxEndpoint:
		return "", fmt.Errorf("is %d bytes long; the limit is %d", len(ep), maxEndpoint)
	case names.Plain(ep) != nil || strings.ContainsAny(ep, " \\"):
		return "", fmt.Errorf("%s holds a space, a backslash or a control character", names.Quote(ep))
	}
	if !strings.Contains(ep, "://") {
		if kind == store.KindHelm {
			return "", fmt.Errorf("%s: give the repository's https:// URL", names.Quote(ep))
		}
		host := strings.TrimSuffix(ep, "/")
		if strings.ContainsAny(host, "/@?#") {
			return "", fmt.Errorf("%s: give host[:port] (the path goes in baseContentPath), or an https:// URL", names.Quote(ep))
		}
		if err := checkHostPort(host); err != nil {
			return "", fmt.Errorf("%s: %v", names.Quote(ep), err)
		}
		return host, nil
	}
	u, err := url.Parse(ep)
	if err != nil {
		return "", fmt.Errorf("%s is not a URL", names.Quote(ep))
	}
	switch {
	case u.Scheme != "https":
		return "", fmt.Errorf("%s: the scheme must be https", names.Quote(ep))
	case u.User != nil:
		return "", errors.New("holds a user name or password: give them in the credentials, never in the URL")
	case u.RawQuery != "" || u.Fragment != "" || strings.Contains(ep, "#"):
		return "", fmt.Errorf("%s has a query or a fragment", names.Quote(ep))
	}
	if err := checkHostPort(u.Host); err != nil {
		return "", fmt.Errorf("%s: %v", names.Quote(ep), err)
	}
	// The scheme as URLs compare it (url.Parse accepts HTTPS://), and no
	// trailing slashes, so that checking the result again gives it back.
	return strings.TrimRight("https"+ep[len("https"):], "/"), nil
}

func checkHostPort(hp string) error {
	host, port := hp, ""
	if h, p, err := net.SplitHostPort(hp); err == nil {
		host, port = h, p
	} else if strings.Count(hp, ":") > 0 && !strings.HasPrefix(hp, "[") {
		return errors.New("is not host[:port]")
	}
	if port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("port %s is not a number from 1 to 65535", names.Quote(port))
		}
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if host == "" {
		return errors.New("has no host")
	}
	if net.ParseIP(host) != nil {
		return nil
	}
	if len(host) > 253 {
		return errors.New("the host name is over 253 characters")
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return fmt.Errorf("host %s is not a DNS name", names.Quote(host))
		}
		for _, r := range label {
			if !(r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return fmt.Errorf("host %s is not a DNS name", names.Quote(host))
			}
		}
	}
	return nil
}

// checkPath checks a path under an endpoint: segments of letters, digits,
// '.', '_' and '-', none of them "." or "..".
func checkPath(p string) error {
	if p == "" {
		return nil
	}
	if len(p) > maxField {
		return fmt.Errorf("is %d bytes long; the limit is %d", len(p), maxField)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("%s has an empty, \".\" or \"..\" segment", names.Quote(p))
		}
		for _, r := range seg {
			if !(r == '-' || r == '_' || r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
				return fmt.Errorf("%s: use letters, digits, '.', '_', '-' and '/'", names.Quote(p))
			}
		}
	}
	return nil
}

// checkCACert checks that pem is empty or PEM certificates only.
func checkCACert(text string) error {
	if text == "" {
		return nil
	}
	if len(text) > maxCACert {
		return fmt.Errorf("is %d bytes long; the limit is %d", len(text), maxCACert)
	}
	rest := []byte(text)
	n := 0
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			return fmt.Errorf("holds a PEM block of type %s: give certificates only (never a private key)", names.Quote(b.Type))
		}
		if _, err := x509.ParseCertificate(b.Bytes); err != nil {
			return fmt.Errorf("certificate %d does not parse: %v", n+1, err)
		}
		n++
	}
	if n == 0 || strings.TrimSpace(string(rest)) != "" {
		return errors.New("is not PEM certificates (-----BEGIN CERTIFICATE----- …)")
	}
	return nil
}

// ecrRegion reads the region of an ECR endpoint
// (ACCOUNT.dkr.ecr.REGION.amazonaws.com), or "".
func ecrRegion(endpoint string) string {
	host := endpoint
	if u, err := url.Parse(endpoint); err == nil && u.Host != "" {
		host = u.Host
	}
	parts := strings.Split(strings.ToLower(host), ".")
	for i := 0; i+2 < len(parts); i++ {
		if parts[i] == "dkr" && parts[i+1] == "ecr" {
			return parts[i+2]
		}
	}
	return ""
}

// newUID returns 24 random hex digits, like the store's uids.
func newUID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// clip cuts s to at most n bytes, at a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Syncable reports whether byoos reads r's packs: a Helm repository, or an
// OCI registry of Spectro packs with sync on.
func Syncable(r store.Registry) bool {
	return r.Kind == store.KindHelm || (r.Kind == store.KindOCI && r.ContentType == "pack" && r.SyncEnabled)
}

// Redacted returns r without its sealed secret: secret.Mask when one is
// stored, "" otherwise. Answers and logs use nothing else.
func Redacted(r store.Registry) store.Registry {
	if r.Secret != "" {
		r.Secret = secret.Mask
	}
	return r
}

// logAttrs are a registry's fields for a log line (no credential).
func logAttrs(r store.Registry) []any {
	return []any{"registry_uid", r.UID, "registry", r.Name, "kind", r.Kind, "endpoint", r.Endpoint}
}

// Registries keeps the remote registries (OCI and Helm) of tenants: it
// checks and seals what clients configure, never answers a credential, and
// syncs the packs the registries hold (see Trigger and Schedule). Which
// caller may do what is the transport's check (creating, changing, deleting,
// validating and syncing are tenant-admin actions). It is safe for
// concurrent use; Close stops its syncs.
type Registries struct {
	st     store.Store
	sealer *secret.Sealer
	client RegistryClient
	log    *slog.Logger
	now    func() time.Time
	sync   *syncRunner
}

// RegistriesConfig is what NewRegistries needs besides the store and sealer.
type RegistriesConfig struct {
	// Client reads the registries; Regsync{regsync.DefaultLimits()} when nil.
	Client RegistryClient
	Logger *slog.Logger
	// Concurrency bounds the syncs that run at once (2 when 0).
	Concurrency int
	// Now is the clock of sync times (time.Now when nil).
	Now func() time.Time
}

// NewRegistries returns the registry service over st, sealing credentials
// with sealer.
func NewRegistries(st store.Store, sealer *secret.Sealer, cfg RegistriesConfig) *Registries {
	if cfg.Client == nil {
		cfg.Client = Regsync{Options: regsync.Options{Limits: regsync.DefaultLimits()}}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 2
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	rs := &Registries{st: st, sealer: sealer, client: cfg.Client, log: cfg.Logger, now: cfg.Now}
	rs.sync = newSyncRunner(rs, cfg.Concurrency)
	return rs
}

// Get returns the registry uid of kind (and, for OCI, of provider when
// set) that scope s may read, Redacted: a tenant-wide one or one of the
// scope's project. Another kind, provider or tenant is not found.
func (rs *Registries) Get(ctx context.Context, s store.Scope, kind, provider, uid string) (store.Registry, error) {
	r, err := rs.st.GetRegistry(ctx, s.TenantUID, uid)
	if err != nil {
		return store.Registry{}, FromStore(err, kind+" registry", uid)
	}
	if r.Kind != kind || (provider != "" && r.Provider != provider) || (r.ProjectUID != "" && r.ProjectUID != s.ProjectUID) {
		return store.Registry{}, NotFound(kind+" registry", uid)
	}
	return Redacted(r), nil
}

// List returns the registries of kind that scope s may read, by name,
// Redacted.
func (rs *Registries) List(ctx context.Context, s store.Scope, kind string) ([]store.Registry, error) {
	all, err := rs.st.ListRegistries(ctx, s.TenantUID, s.ProjectUID)
	if err != nil {
		return nil, fmt.Errorf("list registries: %w", err)
	}
	var out []store.Registry
	for _, r := range all {
		if r.Kind == kind {
			out = append(out, Redacted(r))
		}
	}
	return out, nil
}

// nameTaken reports whether a registry of the tenant other than except,
// tenant-wide or of any project, is named name: the provider finds
// registries by name across kinds, so a name must say one registry.
func (rs *Registries) nameTaken(ctx context.Context, tenantUID, name, except string) (bool, error) {
	projects, err := rs.st.ListProjects(ctx, tenantUID)
	if err != nil {
		return false, fmt.Errorf("list projects: %w", err)
	}
	scopes := []string{""}
	for _, p := range projects {
		scopes = append(scopes, p.UID)
	}
	for _, p := range scopes {
		regs, err := rs.st.ListRegistries(ctx, tenantUID, p)
		if err != nil {
			return false, fmt.Errorf("list registries: %w", err)
		}
		if slices.ContainsFunc(regs, func(r store.Registry) bool { return r.Name == name && r.UID != except }) {
			return true, nil
		}
	}
	return false, nil
}

// RemoteNameTaken reports whether a remote (OCI or Helm) registry of the
// tenant is named name, for the creation of a pack registry.
func (rs *Registries) RemoteNameTaken(ctx context.Context, tenantUID, name string) (bool, error) {
	regs, err := rs.st.ListRegistries(ctx, tenantUID, "")
	if err != nil {
		return false, fmt.Errorf("list registries: %w", err)
	}
	return slices.ContainsFunc(regs, func(r store.Registry) bool { return r.Name == name && r.Kind != store.KindPack }), nil
}

// Create stores a tenant-wide remote registry, its secret sealed, records
// ev (action registry.create) and, when byoos reads its packs, starts its
// first sync. It returns the registry, Redacted.
func (rs *Registries) Create(ctx context.Context, tenantUID string, spec RegistrySpec, ev store.AuditEvent) (store.Registry, error) {
	if err := spec.normalize(); err != nil {
		return store.Registry{}, err
	}
	if needsSecret(spec.AuthType) && !secretGiven(spec.Secret) {
		p := pathsOf(spec.Kind, spec.Provider)
		return store.Registry{}, Errorf(wire.CodeBadRequest, "%s is empty: %s authentication needs it", p.secret, spec.AuthType)
	}
	if taken, err := rs.nameTaken(ctx, tenantUID, spec.Name, ""); err != nil {
		return store.Registry{}, err
	} else if taken {
		return store.Registry{}, Errorf(wire.CodeExists, "a registry named %s exists already; registry names are unique across pack, OCI and Helm registries", names.Quote(spec.Name))
	}
	r := store.Registry{UID: newUID(), TenantUID: tenantUID, Kind: spec.Kind}
	if err := rs.apply(&r, spec, ""); err != nil {
		return store.Registry{}, err
	}
	if Syncable(r) {
		r.Sync = store.RegistrySync{Status: store.SyncPending, Message: "the first sync is queued"}
	}
	ev.Action, ev.Kind, ev.UID, ev.Summary = "registry.create", "registry", r.UID, summary(r)
	ev.ProjectUID = ""
	if err := rs.st.CreateRegistry(ctx, &r, ev); err != nil {
		return store.Registry{}, FromStore(err, spec.Kind+" registry", spec.Name)
	}
	if Syncable(r) {
		rs.Trigger(r.TenantUID, r.UID, ev.Actor)
	}
	return Redacted(r), nil
}

// summary describes r for the audit log: never a credential.
func summary(r store.Registry) string {
	s := r.Kind
	if r.Provider != "" {
		s += "/" + r.Provider
	}
	return clip(fmt.Sprintf("%s %s at %s (auth %s)", s, names.Quote(r.Name), r.Endpoint, r.AuthType), 512)
}

// apply writes spec into r, sealing a given secret bound to r.UID, or
// keeping storedSecret (sealed) when none is given.
func (rs *Registries) apply(r *store.Registry, spec RegistrySpec, storedSecret string) error {
	r.Name, r.Provider, r.ContentType = spec.Name, spec.Provider, spec.ContentType
	r.Endpoint, r.BasePath, r.BaseContentPath = spec.Endpoint, spec.BasePath, spec.BaseContentPath
	r.IsPrivate, r.SyncEnabled, r.AuthType, r.Username = spec.IsPrivate, spec.SyncEnabled, spec.AuthType, spec.Username
	r.CACert, r.InsecureSkipVerify = spec.CACert, spec.InsecureSkipVerify
	r.Region, r.STSARN, r.STSExternalID = spec.Region, spec.STSARN, spec.STSExternalID
	switch {
	case !needsSecret(spec.AuthType):
		r.Secret = ""
	case secretGiven(spec.Secret):
		sealed, err := rs.sealer.Seal(spec.Secret.Reveal(), r.UID)
		if err != nil {
			return fmt.Errorf("seal the registry's secret: %w", err)
		}
		r.Secret = sealed
	default:
		r.Secret = storedSecret
	}
	return nil
}

// Update changes the tenant's remote registry uid of kind (and OCI
// provider) to spec and records ev (registry.update). A secret not given
// (empty, or the mask a read answers) keeps the stored one, unless the
// endpoint changed: a stored credential is only ever sent to the endpoint
// it was given for. A change of what is read (endpoint, credentials, paths,
// TLS, content type) starts a sync.
func (rs *Registries) Update(ctx context.Context, tenantUID, kind, provider, uid string, spec RegistrySpec, ev store.AuditEvent) (store.Registry, error) {
	old, err := rs.st.GetRegistry(ctx, tenantUID, uid)
	if err != nil {
		return store.Registry{}, FromStore(err, kind+" registry", uid)
	}
	if old.Kind != kind || (provider != "" && old.Provider != provider) {
		return store.Registry{}, NotFound(kind+" registry", uid)
	}
	spec.Kind, spec.Provider = old.Kind, old.Provider
	if err := spec.normalize(); err != nil {
		return store.Registry{}, err
	}
	p := pathsOf(spec.Kind, spec.Provider)
	if needsSecret(spec.AuthType) && !secretGiven(spec.Secret) {
		switch {
		case old.Secret == "" || !needsSecret(old.AuthType):
			return store.Registry{}, Errorf(wire.CodeBadRequest, "%s is empty: %s authentication needs it", p.secret, spec.AuthType)
		case old.Endpoint != spec.Endpoint:
			return store.Registry{}, Errorf(wire.CodeBadRequest, "%s: the endpoint changed, so send the secret again (a stored secret is only sent to the endpoint it was given for)", p.secret)
		}
	}
	if spec.Name != old.Name {
		if taken, err := rs.nameTaken(ctx, tenantUID, spec.Name, uid); err != nil {
			return store.Registry{}, err
		} else if taken {
			return store.Registry{}, Errorf(wire.CodeExists, "a registry named %s exists already; registry names are unique across pack, OCI and Helm registries", names.Quote(spec.Name))
		}
	}
	r := old
	if err := rs.apply(&r, spec, old.Secret); err != nil {
		return store.Registry{}, err
	}
	changed, err := rs.readChanged(old, r, spec)
	if err != nil {
		return store.Registry{}, err
	}
	ev.Action, ev.Kind, ev.UID, ev.Summary = "registry.update", "registry", uid, summary(r)
	ev.ProjectUID = old.ProjectUID
	if err := rs.st.UpdateRegistry(ctx, &r, ev); err != nil {
		return store.Registry{}, FromStore(err, kind+" registry", uid)
	}
	if changed && Syncable(r) {
		rs.Trigger(r.TenantUID, r.UID, ev.Actor)
	}
	return Redacted(r), nil
}

// readChanged reports whether what a sync reads differs between old and
// new (a secret given is compared with the stored one, opened).
func (rs *Registries) readChanged(old, r store.Registry, spec RegistrySpec) (bool, error) {
	if old.Endpoint != r.Endpoint || old.BasePath != r.BasePath || old.BaseContentPath != r.BaseContentPath ||
		old.ContentType != r.ContentType || old.SyncEnabled != r.SyncEnabled || old.AuthType != r.AuthType ||
		old.Username != r.Username || old.CACert != r.CACert || old.InsecureSkipVerify != r.InsecureSkipVerify ||
		old.Region != r.Region || old.STSARN != r.STSARN || old.STSExternalID != r.STSExternalID {
		return true, nil
	}
	if !needsSecret(r.AuthType) || !secretGiven(spec.Secret) {
		return false, nil // no secret, or the stored one kept
	}
	if old.Secret == "" {
		return true, nil
	}
	prev, err := rs.sealer.Open(old.Secret, old.UID)
	if err != nil {
		return true, nil // unreadable before: the new one is a change
	}
	return prev != spec.Secret.Reveal(), nil
}

// Delete deletes the tenant's remote registry uid of kind (and OCI
// provider) with the packs read from it, and records ev (registry.delete).
func (rs *Registries) Delete(ctx context.Context, tenantUID, kind, provider, uid string, ev store.AuditEvent) error {
	old, err := rs.st.GetRegistry(ctx, tenantUID, uid)
	if err != nil {
		return FromStore(err, kind+" registry", uid)
	}
	if old.Kind != kind || (provider != "" && old.Provider != provider) {
		return NotFound(kind+" registry", uid)
	}
	ev.Action, ev.Kind, ev.UID, ev.Summary = "registry.delete", "registry", uid, summary(old)
	ev.ProjectUID = old.ProjectUID
	return FromStore(rs.st.DeleteRegistry(ctx, tenantUID, uid, ev), kind+" registry", uid)
}

// Validate checks that the registry spec describes answers and accepts its
// credentials, which must be given in full (nothing stored is used). A
// registry that does not is a verdict (wire.CodeBadRequest) whose message
// names the reason (unauthorized, tls, unreachable …), never a credential.
func (rs *Registries) Validate(ctx context.Context, spec RegistrySpec) error {
	if spec.Name == "" {
		spec.Name = "validate"
	}
	if err := spec.normalize(); err != nil {
		return err
	}
	p := pathsOf(spec.Kind, spec.Provider)
	if needsSecret(spec.AuthType) && !secretGiven(spec.Secret) {
		return Errorf(wire.CodeBadRequest, "%s is empty or masked: send the secret to validate the credentials", p.secret)
	}
	src := source(spec)
	if err := rs.client.Check(ctx, src); err != nil {
		return Errorf(wire.CodeBadRequest, "the registry check failed: %s", describe(err, spec.Secret.Reveal()))
	}
	return nil
}

// source is the regsync.Source of a spec: its endpoint and base content
// path in their normal forms. An ECR registry with sts credentials has no
// key of its own: the server assumes the role with its own AWS credentials
// (regsync.Source.RoleARN).
func source(s RegistrySpec) regsync.Source {
	src := regsync.Source{Kind: s.Kind, Provider: s.Provider, Endpoint: strings.TrimSuffix(s.Endpoint, "/"), BaseContentPath: strings.Trim(s.BaseContentPath, "/"),
		Username: s.Username, Password: s.Secret.Reveal(), Region: s.Region, CACert: s.CACert, InsecureSkipVerify: s.InsecureSkipVerify}
	if s.AuthType == AuthSTS {
		src.Username, src.Password, src.RoleARN, src.ExternalID = "", "", s.STSARN, s.STSExternalID
	}
	return src
}

// sourceOf is the regsync.Source of a stored registry, with its secret
// opened.
func sourceOf(r store.Registry, password string) regsync.Source {
	return source(RegistrySpec{Kind: r.Kind, Provider: r.Provider, Endpoint: r.Endpoint, BaseContentPath: r.BaseContentPath, AuthType: r.AuthType,
		Username: r.Username, Secret: secret.String(password), Region: r.Region, CACert: r.CACert, InsecureSkipVerify: r.InsecureSkipVerify,
		STSARN: r.STSARN, STSExternalID: r.STSExternalID})
}

// describe says why a check or sync failed: its reason and message, with
// the secret (and anything cut from it) redacted and the length bounded.
func describe(err error, secrets ...string) string {
	var red secret.Redactor
	for _, s := range secrets {
		red.Add(s, secret.Mask)
	}
	msg := err.Error()
	var re *regsync.Error
	if errors.As(err, &re) {
		msg = re.Reason + ": " + re.Message
	}
	return clip(red.Redact(msg), MaxSyncMessage)
}
