// Package store defines what byoos keeps: tenants, projects, API keys, pack
// registries, pack versions, cluster profiles and the audit log, and the Store
// interface that the embedded SQLite engine (store/sqlite) and PostgreSQL
// (store/postgres) implement. storetest holds the conformance suite both pass.
//
// The store knows nothing of HTTP or validation: it keeps records, enforces
// uniqueness, immutability of published pack versions and optimistic
// concurrency, and writes each change and its audit event in one transaction.
package store

import (
	"context"
	"errors"
	"time"
)

// Errors every engine returns (wrapped) for the same conditions.
var (
	// ErrNotFound: no such record in the caller's scope.
	ErrNotFound = errors.New("not found")
	// ErrConflict: the record changed since the revision the caller read.
	ErrConflict = errors.New("revision conflict")
	// ErrExists: a record with the same unique name already exists.
	ErrExists = errors.New("already exists")
	// ErrImmutable: a published pack version exists with different content.
	ErrImmutable = errors.New("immutable")
)

// Scope is where a record lives: a tenant, and a project of it or none
// (tenant-wide).
type Scope struct {
	TenantUID  string
	ProjectUID string
}

// Tenant is an organisation; every other record belongs to one.
type Tenant struct {
	UID       string
	Name      string
	CreatedAt time.Time
}

// Project groups cluster profiles and private registries inside a tenant.
type Project struct {
	UID       string
	TenantUID string
	Name      string
	CreatedAt time.Time
}

// Roles an API key can have.
const (
	RoleAdmin    = "admin"
	RoleReadOnly = "read-only"
)

// APIKey is a credential. Only the SHA-256 hash of its secret is kept.
type APIKey struct {
	UID       string
	Name      string
	TenantUID string
	// ProjectUID limits the key to one project; empty means the whole tenant.
	ProjectUID string
	Role       string
	Hash       []byte
	// Prefix is the first characters of the key, shown in lists to tell keys apart.
	Prefix    string
	CreatedAt time.Time
	RevokedAt *time.Time
}

// Registry scopes.
const (
	ScopeSystem  = "system"
	ScopeTenant  = "tenant"
	ScopeProject = "project"
)

// Registry kinds.
const (
	// KindPack is a registry whose packs are pushed to byoos.
	KindPack = "pack"
	// KindOCI is an OCI registry byoos reads packs from.
	KindOCI = "oci"
	// KindHelm is a Helm chart repository byoos reads charts from.
	KindHelm = "helm"
)

// Registry is a private registry: a pack registry (Kind "pack"), whose packs
// are pushed to byoos, or a remote registry (Kind "oci" or "helm") whose
// packs byoos reads from Endpoint. (The built-in Public Repo is not stored.)
// The fields after CreatedAt are a remote registry's; a pack registry leaves
// them empty.
type Registry struct {
	UID       string
	Name      string
	Kind      string
	TenantUID string
	// ProjectUID is empty for a tenant-wide registry.
	ProjectUID string
	IsDefault  bool
	CreatedAt  time.Time

	// Provider is an OCI registry's type: "basic" or "ecr".
	Provider string
	// ContentType is what an OCI registry holds, Palette's
	// spec.providerType: "pack", "helm" or "zarf".
	ContentType string
	// Endpoint is where the registry is: host[:port] or an https URL.
	Endpoint string
	// BasePath is the endpoint suffix some registries need (OCI basic).
	BasePath string
	// BaseContentPath is the path under the endpoint that holds the packs.
	BaseContentPath string
	IsPrivate       bool
	// SyncEnabled is what the client asked for (Palette's isSyncSupported).
	SyncEnabled bool
	// AuthType is "noAuth", "basic" or "token" (Helm, OCI basic), or the
	// credential type "secret" or "sts" (ECR).
	AuthType string
	// Username is the user name, or an ECR registry's AWS access key id.
	Username string
	// Secret is the password, token or AWS secret key, sealed by the
	// caller (secret.Sealer bound to the registry's uid): never clear.
	Secret string
	// CACert is a PEM certificate to trust (public, not a secret).
	CACert             string
	InsecureSkipVerify bool
	// Region, STSARN and STSExternalID are an ECR registry's.
	Region        string
	STSARN        string
	STSExternalID string
	// Sync is the state of the last sync (set by SetRegistrySync and
	// ReplaceRegistryPacks; CreateRegistry and UpdateRegistry keep it).
	Sync RegistrySync
}

// Sync statuses, as Palette reports them.
const (
	SyncPending    = "Pending"
	SyncInProgress = "InProgress"
	SyncCompleted  = "Completed"
	SyncFailed     = "Failed"
)

// RegistrySync is the state of a remote registry's sync.
type RegistrySync struct {
	// Status is one of the Sync constants, or "" before any sync.
	Status  string
	Message string
	// LastRun is when the last sync started; LastSynced when a sync last
	// completed. Nil when never.
	LastRun    *time.Time
	LastSynced *time.Time
}

// PackVersion is one published version of a pack in a registry.
type PackVersion struct {
	UID         string
	RegistryUID string
	Name        string
	Version     string
	Layer       string
	DisplayName string
	CloudTypes  []string
	AddonType   string
	// Digest identifies the content; pushing the same version with another digest is refused.
	Digest string
	// Type is "helm" for a chart read from a Helm repository; "" means a
	// Spectro pack ("spectro").
	Type string
	// Archive is the pack as a .tgz. FindPacks leaves it empty; GetPackVersion fills it.
	Archive   []byte
	CreatedAt time.Time
}

// PackQuery selects pack versions. Empty fields match everything.
type PackQuery struct {
	RegistryUIDs []string
	Name         string
	Version      string
	Layer        string
	// CloudType matches packs listing it or "all".
	CloudType string
	// Limit caps the result; 0 means no cap.
	Limit int
}

// Profile statuses.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
)

// Profile is a cluster profile version.
type Profile struct {
	UID        string
	TenantUID  string
	ProjectUID string
	Name       string
	// Version is the profile's semantic version; several versions share a name.
	Version string
	// Revision increases with every write; updates name the revision they read.
	Revision  int64
	Status    string
	Type      string
	CloudType string
	// Body is the profile document (JSON) as the API layer keeps it, secrets sealed.
	Body []byte
	// Published is the body as of the last publish, nil before.
	Published []byte
	// Warnings are the validation warnings of the last write (JSON).
	Warnings  []byte
	CreatedAt time.Time
	UpdatedAt time.Time
}

// ProfileDigest is the digest an image of a published profile version
// resolved to when that publication was first verified.
type ProfileDigest struct {
	// Ref is the image reference as the profile names it.
	Ref    string
	Digest string
	// RecordedAt is set by the store.
	RecordedAt time.Time
}

// ProfileQuery selects profiles in a scope.
type ProfileQuery struct {
	Scope Scope
	// WithTenant, for a project scope, selects the tenant-wide profiles of
	// the scope's tenant as well as the project's (what a project context
	// sees, as in Palette); it changes nothing for a tenant-wide scope.
	WithTenant bool
	// Name, when set, selects the profiles of exactly that name.
	Name string
	// NameContains, when set, selects the profiles whose name contains it,
	// ignoring ASCII case.
	NameContains string
	// CloudTypes, Types and Statuses, when not empty, select the profiles
	// whose cloud type, type or status is one of them.
	CloudTypes []string
	Types      []string
	Statuses   []string
	// Sort orders the result (SortByName, the default, is name, version,
	// uid); Desc reverses it.
	Sort ProfileSort
	Desc bool
	// Offset skips that many profiles of the ordered result.
	Offset int
	// Limit caps the result; 0 means no cap.
	Limit int
	// NoBodies leaves Body and Published empty (a listing needs neither).
	NoBodies bool
}

// ProfileSort is the order of a profile listing.
type ProfileSort string

// Profile listing orders; each breaks ties by name, version, then uid.
const (
	SortByName      ProfileSort = ""
	SortByCloudType ProfileSort = "cloudType"
	SortByType      ProfileSort = "type"
	SortByCreated   ProfileSort = "created"
	SortByModified  ProfileSort = "modified"
)

// Macro is a user macro, read in profiles as {{ .spectro.macro.NAME }}.
type Macro struct {
	Name  string
	Value string
}

// MacroChange is one change to the macros of a scope, applied in order:
// Replace drops every macro first, then Add creates (ErrExists when the name
// is defined), Update sets the value of an existing macro (ErrNotFound when
// it is not), Delete removes existing macros (ErrNotFound when one is not).
type MacroChange struct {
	Replace bool
	Add     []Macro
	Update  []Macro
	Delete  []string
}

// AuditEvent records one write: who, what, when.
type AuditEvent struct {
	ID         int64
	Time       time.Time
	TenantUID  string
	ProjectUID string
	// Actor names the API key (its uid and name) that made the change.
	Actor string
	// Action is e.g. "profile.create", "pack.push", "apikey.revoke".
	Action string
	// Kind and UID name the record changed.
	Kind    string
	UID     string
	Summary string
}

// AuditQuery selects audit events of a tenant, newest first.
type AuditQuery struct {
	TenantUID string
	// ProjectUID limits to one project's events when set.
	ProjectUID string
	// BeforeID pages: only events with a smaller ID.
	BeforeID int64
	Limit    int
}

// Store is what every engine implements. Every method is safe for concurrent
// use, across goroutines and (for PostgreSQL) across processes. Every write
// takes the audit event to record with it, in the same transaction.
//
// Rules all methods share:
//   - A create with an empty UID gets 24 random hex digits (like Palette's
//     object IDs); a UID the caller set is kept (ErrExists if taken). The
//     store sets CreatedAt/UpdatedAt/RevokedAt itself, in UTC to the
//     microsecond. The passed record is filled in only when the call succeeds.
//   - The audit event is recorded only when the change is made, and a change
//     is made only with its event. The store fills the event's Time when it is
//     zero, and TenantUID, ProjectUID, Kind ("project", "apikey", "registry",
//     "pack", "profile") and UID from the record when they are empty. A
//     no-op (re-pushing a pack version, revoking a revoked key) records none.
//   - Scopes are exact: a Scope with an empty ProjectUID is the tenant-wide
//     scope, not "all projects"; a record outside the given scope is
//     ErrNotFound, for reads and writes alike.
//   - A Limit of 0 (or less) means no cap.
//   - EnsureTenant records no audit event (it takes none).
type Store interface {
	// Tenancy.
	EnsureTenant(ctx context.Context, name string) (Tenant, error)
	GetTenant(ctx context.Context, uid string) (Tenant, error)
	CreateProject(ctx context.Context, p *Project, ev AuditEvent) error
	GetProject(ctx context.Context, tenantUID, uid string) (Project, error)
	ListProjects(ctx context.Context, tenantUID string) ([]Project, error)

	// API keys.
	CreateAPIKey(ctx context.Context, k *APIKey, ev AuditEvent) error
	// APIKeyByHash returns a key whatever its state; callers check RevokedAt.
	APIKeyByHash(ctx context.Context, hash []byte) (APIKey, error)
	ListAPIKeys(ctx context.Context, tenantUID string) ([]APIKey, error)
	// RevokeAPIKey sets RevokedAt; revoking a revoked key is a no-op (nil).
	RevokeAPIKey(ctx context.Context, tenantUID, uid string, ev AuditEvent) error

	// Registries.
	CreateRegistry(ctx context.Context, r *Registry, ev AuditEvent) error
	GetRegistry(ctx context.Context, tenantUID, uid string) (Registry, error)
	// ListRegistries returns the tenant-wide registries and, when projectUID
	// is set, that project's.
	ListRegistries(ctx context.Context, tenantUID, projectUID string) ([]Registry, error)
	// UpdateRegistry writes r's Name and the remote registry fields
	// (Provider … STSExternalID) of the tenant's registry r.UID; its Kind,
	// scope, IsDefault, CreatedAt and Sync are kept (and filled into r).
	// ErrExists when the name is taken in its scope.
	UpdateRegistry(ctx context.Context, r *Registry, ev AuditEvent) error
	// DeleteRegistry deletes the tenant's registry and its pack versions in
	// one transaction.
	DeleteRegistry(ctx context.Context, tenantUID, uid string, ev AuditEvent) error
	// SetRegistrySync writes the sync state of the tenant's registry, and
	// records ev when it is not nil (a status change alone, such as
	// InProgress, records none).
	SetRegistrySync(ctx context.Context, tenantUID, uid string, s RegistrySync, ev *AuditEvent) error
	// ReplaceRegistryPacks makes packs the registry's pack versions and s
	// its sync state, in one transaction with ev: a version whose name,
	// version and digest are unchanged keeps its UID and CreatedAt (filled
	// into packs), a version with another digest is replaced (a new UID),
	// and versions not in packs are deleted. Two packs of one name and
	// version are ErrExists; a registry of another tenant is ErrNotFound.
	ReplaceRegistryPacks(ctx context.Context, tenantUID, registryUID string, packs []PackVersion, s RegistrySync, ev AuditEvent) error

	// Pack versions. PutPackVersion returns created=false when the same
	// version with the same digest exists already (a no-op, which fills p.UID
	// and p.CreatedAt from the stored version), and ErrImmutable when it
	// exists with another digest.
	PutPackVersion(ctx context.Context, p *PackVersion, ev AuditEvent) (created bool, err error)
	GetPackVersion(ctx context.Context, uid string) (PackVersion, error)
	// FindPacks returns versions without Archive, ordered by name, then
	// version as text (byte order: semantic version order is the caller's
	// job), then registry UID. An empty RegistryUIDs matches every registry
	// of every tenant: callers must pass the registries the caller may see.
	FindPacks(ctx context.Context, q PackQuery) ([]PackVersion, error)

	// Profiles. CreateProfile sets UID's record with Revision 1; ErrExists
	// when the scope has a profile of that name and version.
	CreateProfile(ctx context.Context, p *Profile, ev AuditEvent) error
	GetProfile(ctx context.Context, s Scope, uid string) (Profile, error)
	// GetProfileInTenant returns profile uid of the tenant whatever its
	// scope (tenant-wide or any project's); ErrNotFound when the tenant has
	// none of that uid.
	GetProfileInTenant(ctx context.Context, tenantUID, uid string) (Profile, error)
	// ListProfiles selects by q and orders by q.Sort (name, then version as
	// text, by default).
	ListProfiles(ctx context.Context, q ProfileQuery) ([]Profile, error)
	// UpdateProfile writes p if its stored revision is still p.Revision, and
	// then sets p.Revision to the new one; ErrConflict otherwise. p's
	// TenantUID and ProjectUID name its scope (they are not changed); a UID
	// not in that scope is ErrNotFound. It writes Name, Version, Status,
	// Type, CloudType, Body, Published and Warnings, sets UpdatedAt and fills
	// p.CreatedAt from the store.
	UpdateProfile(ctx context.Context, p *Profile, ev AuditEvent) error
	DeleteProfile(ctx context.Context, s Scope, uid string, ev AuditEvent) error

	// Profile digests. ProfileDigests returns the digests recorded for
	// profile uid (of exactly scope s) and the publication whose checksum
	// is sum, by Ref. RecordProfileDigests records those of ds whose Ref has
	// none recorded yet for that publication (the first record stands),
	// stamped with the store's time, in one transaction with ev when it
	// records any, and returns how many it recorded. A profile not in s is
	// ErrNotFound; deleting a profile deletes its digests.
	ProfileDigests(ctx context.Context, s Scope, uid, sum string) ([]ProfileDigest, error)
	RecordProfileDigests(ctx context.Context, s Scope, uid, sum string, ds []ProfileDigest, ev AuditEvent) (int, error)

	// Macros. ListMacros returns the macros of exactly scope s (a tenant's
	// when s.ProjectUID is empty), by name. ChangeMacros applies ch in one
	// transaction (all or nothing) and records ev (Kind "macro", UID the
	// scope's tenant or project uid); a scope that does not exist is
	// ErrNotFound.
	ListMacros(ctx context.Context, s Scope) ([]Macro, error)
	ChangeMacros(ctx context.Context, s Scope, ch MacroChange, ev AuditEvent) error

	// Audit. ListAudit returns events newest first (by ID).
	ListAudit(ctx context.Context, q AuditQuery) ([]AuditEvent, error)

	// Key check. KeyCheck returns the stored key check value (text sealed
	// with the key that seals the stored secrets, see
	// secret.Sealer.KeyCheck), or "" when none is stored. InitKeyCheck
	// stores check unless a value is stored already, and returns the value
	// stored after the call: check, or the earlier value, so that servers
	// starting at once on one database all compare against the same one.
	KeyCheck(ctx context.Context) (string, error)
	InitKeyCheck(ctx context.Context, check string) (string, error)
	// HasProfiles reports whether any profile exists, in any tenant (a
	// database from before the key check value holds sealed secrets only
	// in profiles).
	HasProfiles(ctx context.Context) (bool, error)

	// Ping checks the database answers and its migrations are applied.
	Ping(ctx context.Context) error
	Close() error
}

// Config is what an engine is opened with beyond its address; Options set it.
type Config struct {
	// Clock returns the current time. The store stamps CreatedAt, UpdatedAt,
	// RevokedAt and audit event times with it, in UTC to the microsecond.
	Clock func() time.Time
}

// Option sets a field of Config: pass them to an engine's Open, e.g.
// sqlite.Open(ctx, path, store.WithClock(clock.Now)).
type Option func(*Config)

// WithClock makes the store read the time from now instead of time.Now, so
// that tests control the timestamps instead of sleeping to get distinct ones.
// A nil now keeps time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *Config) {
		if now != nil {
			c.Clock = now
		}
	}
}

// NewConfig returns the defaults (Clock: time.Now) with opts applied in order.
func NewConfig(opts ...Option) Config {
	c := Config{Clock: time.Now}
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}
