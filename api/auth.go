package api

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/byoos/byoos/cache"
	"github.com/byoos/byoos/store"
)

// KeyPrefix starts every byoos API key, so that keys are easy to recognise
// (and to find in leaked text).
const KeyPrefix = "byoos_"

// principal is the caller of a request: its key and the scope it acts in.
type principal struct {
	key store.APIKey
	// scope is the tenant and the project the request acts in; ProjectUID is
	// empty for tenant-wide requests.
	scope store.Scope
}

func (p *principal) actor() string { return p.key.UID + " (" + p.key.Name + ")" }

// HashKey returns the hash under which a key is stored.
func HashKey(key string) []byte {
	h := sha256.Sum256([]byte(key))
	return h[:]
}

// NewKey returns a new random API key.
func NewKey() string { return KeyPrefix + newID(24) }

// keyFrom reads the API key from the ApiKey header (Palette's), or from
// Authorization: ApiKey|Bearer KEY (for Prometheus and other tools).
func keyFrom(r *http.Request) string {
	if k := r.Header.Get("ApiKey"); k != "" {
		return strings.TrimSpace(k)
	}
	auth := r.Header.Get("Authorization")
	for _, scheme := range []string{"ApiKey ", "Bearer "} {
		if len(auth) > len(scheme) && strings.EqualFold(auth[:len(scheme)], scheme) {
			return strings.TrimSpace(auth[len(scheme):])
		}
	}
	return ""
}

func (s *Server) authenticate(r *http.Request) (*principal, *Error) {
	raw := keyFrom(r)
	if raw == "" {
		return nil, apiError(CodeUnauthorized, "no API key: send the header ApiKey: <key>")
	}
	key, err := s.keys.get(r.Context(), s.store, raw)
	if errors.Is(err, store.ErrNotFound) {
		return nil, apiError(CodeUnauthorized, "the API key is not valid or has been revoked")
	}
	if err != nil {
		// The key could not be checked (the database failed): a server fault, not a bad key.
		return nil, internalError(err, "internal error")
	}
	if key.TenantUID != s.cfg.TenantUID {
		return nil, apiError(CodeUnauthorized, "the API key is not valid or has been revoked")
	}
	p := &principal{key: key, scope: store.Scope{TenantUID: key.TenantUID, ProjectUID: key.ProjectUID}}
	if proj := strings.TrimSpace(r.Header.Get("ProjectUid")); proj != "" {
		switch {
		case key.ProjectUID != "" && proj != key.ProjectUID:
			return nil, apiError(CodeForbidden, "this API key is limited to project %s", key.ProjectUID)
		case key.ProjectUID == "":
			cacheKey := key.TenantUID + "/" + proj
			if _, known := s.projects.Load(cacheKey); !known {
				if _, err := s.store.GetProject(r.Context(), key.TenantUID, proj); err != nil {
					if errors.Is(err, store.ErrNotFound) {
						return nil, apiError(CodeNotFound, "project %q not found", proj)
					}
					return nil, fromStore(err, "project", proj)
				}
				s.projects.Store(cacheKey, true)
			}
			p.scope.ProjectUID = proj
		}
	}
	return p, nil
}

// keyCache remembers verified keys for a short time so that a request does
// not cost a database read; revocation through this server clears it at once.
// keyCache trusts a verified API key, by the hash of the key, for a while
// (revocation by another replica takes effect within its TTL).
type keyCache struct {
	c *cache.Cache[string, store.APIKey]
}

func newKeyCache(ttl time.Duration) *keyCache {
	return &keyCache{c: cache.New[string, store.APIKey](10000, ttl)}
}

func (kc *keyCache) get(ctx context.Context, st store.Store, raw string) (store.APIKey, error) {
	h := string(HashKey(raw))
	if k, ok := kc.c.Get(h); ok {
		return k, nil
	}
	k, err := st.APIKeyByHash(ctx, []byte(h))
	if err != nil {
		return store.APIKey{}, err
	}
	if k.RevokedAt != nil {
		return store.APIKey{}, store.ErrNotFound
	}
	kc.c.Put(h, k)
	return k, nil
}

// forget drops a key from the cache, by its uid.
func (kc *keyCache) forget(uid string) {
	kc.c.DeleteFunc(func(_ string, k store.APIKey) bool { return k.UID == uid })
}

// requestInfo carries per-request facts for logs.
type requestInfo struct {
	id    string
	actor string
}

type ctxKey struct{}

func withRequestInfo(ctx context.Context, ri *requestInfo) context.Context {
	return context.WithValue(ctx, ctxKey{}, ri)
}

func infoFrom(ctx context.Context) *requestInfo {
	ri, _ := ctx.Value(ctxKey{}).(*requestInfo)
	return ri
}

func setActor(ctx context.Context, p *principal) {
	if ri := infoFrom(ctx); ri != nil {
		ri.actor = p.key.UID
	}
}

// audit builds the audit event of a write by p.
func audit(p *principal, action, kind, uid, summary string) store.AuditEvent {
	return store.AuditEvent{TenantUID: p.scope.TenantUID, ProjectUID: p.scope.ProjectUID, Actor: p.actor(), Action: action, Kind: kind, UID: uid, Summary: summary}
}

// registryAudit builds the audit event of a write by p to reg, in reg's scope
// (a tenant-wide registry's writes go to the tenant's log, whatever project
// the request named), as the write affects everyone who reads reg.
func registryAudit(p *principal, reg store.Registry, action, kind, uid, summary string) store.AuditEvent {
	ev := audit(p, action, kind, uid, summary)
	ev.TenantUID, ev.ProjectUID = reg.TenantUID, reg.ProjectUID
	return ev
}

// canWriteRegistry is the one authorization check of every registry write
// (create, push, any other change): it compares the key's scope with the
// registry's. The Public Repo is never written; a tenant-wide registry only
// by a tenant-wide admin key; a project's registry by an admin key of that
// project or a tenant-wide admin key. Callers first make sure p may read reg
// (visibleRegistry), so that a registry p cannot see is not found rather
// than forbidden.
func (p *principal) canWriteRegistry(reg store.Registry) *Error {
	switch {
	case reg.UID == PublicRepoUID:
		return apiError(CodeForbidden, "the Public Repo is read-only; push to a private registry")
	case p.key.Role != store.RoleAdmin:
		return apiError(CodeForbidden, "API key %s is read-only", p.key.Prefix)
	case reg.TenantUID != p.key.TenantUID:
		return apiError(CodeForbidden, "registry %q belongs to another tenant", reg.Name)
	case reg.ProjectUID == "" && p.key.ProjectUID != "":
		return apiError(CodeForbidden,
			"registry %q is tenant-wide: only a tenant admin API key may write it, and this key is limited to project %s", reg.Name, p.key.ProjectUID)
	case reg.ProjectUID != "" && p.key.ProjectUID != "" && reg.ProjectUID != p.key.ProjectUID:
		return apiError(CodeForbidden, "registry %q belongs to another project than this API key's (%s)", reg.Name, p.key.ProjectUID)
	}
	return nil
}
