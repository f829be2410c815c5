package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/service"
	"github.com/byoos/byoos/store"

	"github.com/byoos/byoos/wire"
)

type registryMetadata struct {
	UID       string `json:"uid"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Scope     string `json:"scope"`
	IsPrivate bool   `json:"isPrivate"`
	IsDefault bool   `json:"isDefault"`
}

// registryView is a registry as the API shows it, the Public Repo included.
type registryView struct {
	uid, name, scope, kind string
	private, isDefault     bool
	// remote is the stored OCI registry a view of the pack registries
	// lists (nil for the Public Repo and pack registries).
	remote *store.Registry
}

func regScope(r store.Registry) string {
	if r.ProjectUID == "" {
		return store.ScopeTenant
	}
	return store.ScopeProject
}

// registryViews returns the registries p may read: the Public Repo, the
// pack registries and the OCI registries that hold packs (Palette's clients
// look pack registries up by name in the pack list), and with remote the
// other OCI and the Helm registries too.
func (s *Server) registryViews(r *http.Request, p *principal, remote bool) ([]registryView, *Error) {
	out := []registryView{{uid: PublicRepoUID, name: catalog.RepoName, scope: store.ScopeSystem, kind: store.KindPack, isDefault: true}}
	regs, e := s.visibleRegistries(r.Context(), p)
	if e != nil {
		return nil, e
	}
	for _, rg := range regs {
		kind := rg.Kind
		if kind == "" {
			kind = store.KindPack
		}
		packs := kind == store.KindPack || (kind == store.KindOCI && rg.ContentType == "pack")
		if !packs && !remote {
			continue
		}
		private := kind == store.KindPack || rg.IsPrivate
		v := registryView{uid: rg.UID, name: rg.Name, scope: regScope(rg), kind: kind, private: private, isDefault: rg.IsDefault}
		if kind != store.KindPack {
			v.remote = &rg
		}
		out = append(out, v)
	}
	return out, nil
}

// registriesMetadata is GET /v1/registries/metadata.
func (s *Server) registriesMetadata(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	views, e := s.registryViews(r, p, true)
	if e != nil {
		return e
	}
	items := make([]registryMetadata, 0, len(views))
	for _, v := range views {
		items = append(items, registryMetadata{UID: v.uid, Name: v.name, Kind: v.kind, Scope: v.scope, IsPrivate: v.private, IsDefault: v.isDefault})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

type syncStatus struct {
	IsSyncSupported bool   `json:"isSyncSupported"`
	Status          string `json:"status"`
	Message         string `json:"message"`
	LastRunTime     string `json:"lastRunTime,omitempty"`
	LastSyncedTime  string `json:"lastSyncedTime,omitempty"`
}

// Packs are local to byoos: there is nothing to sync. Reporting sync as
// unsupported makes Palette's clients send pack names and tags, which the
// server resolves.
var noSync = syncStatus{IsSyncSupported: false, Status: "Completed", Message: "packs are served locally; nothing to synchronise"}

type registryOut struct {
	Metadata wire.ObjectMeta   `json:"metadata"`
	Spec     registrySpecOut   `json:"spec"`
	Status   map[string]any    `json:"status"`
	Extra    map[string]string `json:"-"`
}

type registrySpecOut struct {
	Name        string `json:"name"`
	Endpoint    string `json:"endpoint"`
	IsPrivate   bool   `json:"isPrivate"`
	Private     bool   `json:"private"`
	RegistryUID string `json:"registryUid"`
	Scope       string `json:"scope"`
}

func (v registryView) out(statusKey string) registryOut {
	o := registryOut{
		Metadata: wire.ObjectMeta{Name: v.name, UID: v.uid},
		Spec:     registrySpecOut{Name: v.name, Endpoint: "byoos://" + v.uid, IsPrivate: v.private, Private: v.private, RegistryUID: v.uid, Scope: v.scope},
		Status:   map[string]any{statusKey: noSync},
	}
	if v.remote != nil { // an OCI registry of packs: where they come from, and its sync
		o.Spec.Endpoint = v.remote.Endpoint
		o.Status[statusKey] = syncOut(*v.remote)
	}
	return o
}

func (s *Server) listRegistriesAs(w http.ResponseWriter, r *http.Request, p *principal, statusKey string) *Error {
	views, e := s.registryViews(r, p, false)
	if e != nil {
		return e
	}
	items := make([]any, 0, len(views))
	for _, v := range views {
		items = append(items, v.out(statusKey))
	}
	if statusKey == "helmSyncStatus" { // and the Helm repositories
		regs, err := s.registries.List(r.Context(), p.scope, store.KindHelm)
		if err != nil {
			return errorFrom(err)
		}
		for _, rg := range regs {
			items = append(items, helmOut(rg))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

func (s *Server) getRegistryAs(w http.ResponseWriter, r *http.Request, p *principal, statusKey string) *Error {
	uid := r.PathValue("uid")
	views, e := s.registryViews(r, p, false)
	if e != nil {
		return e
	}
	for _, v := range views {
		if v.uid == uid {
			writeJSON(w, http.StatusOK, v.out(statusKey))
			return nil
		}
	}
	return notFound("registry", uid)
}

// listPackRegistries is GET /v1/registries/pack.
func (s *Server) listPackRegistries(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	return s.listRegistriesAs(w, r, p, "packSyncStatus")
}

// getPackRegistry is GET /v1/registries/pack/{uid}.
func (s *Server) getPackRegistry(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	return s.getRegistryAs(w, r, p, "packSyncStatus")
}

// listHelmRegistries is GET /v1/registries/helm; byoos has pack registries
// only, and answers for them here too, as Palette's clients ask here.
func (s *Server) listHelmRegistries(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	return s.listRegistriesAs(w, r, p, "helmSyncStatus")
}

// getHelmRegistry is GET /v1/registries/helm/{uid}: a Helm repository, or
// the Public Repo or a pack registry as before (the provider's pack data
// source reads spec.isPrivate here).
func (s *Server) getHelmRegistry(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	reg, err := s.registries.Get(r.Context(), p.scope, store.KindHelm, "", r.PathValue("uid"))
	var se *service.Error
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, helmOut(reg))
		return nil
	case !errors.As(err, &se) || se.Code != CodeNotFound:
		return errorFrom(err)
	}
	return s.getRegistryAs(w, r, p, "helmSyncStatus")
}

// registrySyncStatus is GET /v1/registries/{kind}/{uid}/sync/status: the
// sync status of an OCI or Helm registry, and for the Public Repo and pack
// registries that there is nothing to sync.
func (s *Server) registrySyncStatus(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	if done, e := s.remoteStatus(w, r, p); done {
		return e
	}
	uid := r.PathValue("uid")
	if ok, e := s.registryVisible(r.Context(), p, uid); e != nil {
		return e
	} else if !ok {
		return notFound("registry", uid)
	}
	writeJSON(w, http.StatusOK, noSync)
	return nil
}

type registryIn struct {
	Metadata wire.ObjectMeta `json:"metadata"`
	Spec     struct {
		Name  string `json:"name"`
		Scope string `json:"scope"`
	} `json:"spec"`
}

// createPackRegistry is POST /v1/registries/pack: a private pack registry in
// the caller's project (or tenant-wide with spec.scope "tenant").
func (s *Server) createPackRegistry(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	var in registryIn
	if e := decodeJSON(r, &in); e != nil {
		return e
	}
	name := strings.TrimSpace(in.Metadata.Name)
	if name == "" {
		name = strings.TrimSpace(in.Spec.Name)
	}
	if e := checkName("metadata.name", name); e != nil {
		return e
	}
	if name == catalog.RepoName {
		return apiError(CodeExists, "%q is the built-in registry's name", name)
	}
	reg := &store.Registry{Name: name, Kind: "pack", TenantUID: p.scope.TenantUID, ProjectUID: p.scope.ProjectUID}
	switch in.Spec.Scope {
	case "", store.ScopeProject:
		if p.scope.ProjectUID == "" {
			return apiError(CodeBadRequest, "a project registry needs the ProjectUid header, or spec.scope \"tenant\"")
		}
	case store.ScopeTenant:
		reg.ProjectUID = ""
	default:
		return apiError(CodeBadRequest, "spec.scope %q: use project or tenant", in.Spec.Scope)
	}
	if e := p.canWriteRegistry(*reg); e != nil {
		return e
	}
	// The provider finds registries by name whatever their kind.
	if taken, err := s.registries.RemoteNameTaken(r.Context(), reg.TenantUID, name); err != nil {
		return errorFrom(err)
	} else if taken {
		return apiError(CodeExists, "an OCI or Helm registry is named %q; registry names are unique across kinds", name)
	}
	if err := s.store.CreateRegistry(r.Context(), reg, registryAudit(p, *reg, "registry.create", "registry", "", name)); err != nil {
		return fromStore(err, "registry", name)
	}
	writeJSON(w, http.StatusCreated, map[string]string{"uid": reg.UID})
	return nil
}
