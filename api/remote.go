package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/byoos/byoos/regsync"
	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/service"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/wire"
)

// Remote registries: OCI registries (basic and ECR) and Helm repositories,
// as the spectrocloud provider's spectrocloud_registry_oci and
// spectrocloud_registry_helm call them. They are tenant-wide; every key of
// the tenant reads them, only a tenant admin key creates, changes, deletes,
// validates or syncs them. Handlers decode, call service.Registries and
// encode; no credential is ever answered (the mask stands for a stored one).

func (s *Server) remoteRoutes(mux *http.ServeMux) {
	for _, provider := range []string{regsync.ProviderBasic, regsync.ProviderECR} {
		s.route(mux, "POST /v1/registries/oci/"+provider, true, s.createOCI(provider))
		s.route(mux, "POST /v1/registries/oci/"+provider+"/validate", true, s.validateOCI(provider))
		s.route(mux, "GET /v1/registries/oci/{uid}/"+provider, false, s.getOCI(provider))
		s.route(mux, "PUT /v1/registries/oci/{uid}/"+provider, true, s.updateOCI(provider))
		s.route(mux, "DELETE /v1/registries/oci/{uid}/"+provider, true, s.deleteRemote(store.KindOCI, provider))
		s.route(mux, "POST /v1/registries/oci/{uid}/"+provider+"/sync", true, s.syncRemote(store.KindOCI, provider))
		s.route(mux, "GET /v1/registries/oci/{uid}/"+provider+"/sync/status", false, s.remoteSyncStatus(store.KindOCI, provider))
	}
	s.route(mux, "GET /v1/registries/oci/summary", false, s.ociSummary)
	s.route(mux, "GET /v1/registries/oci/{uid}", false, s.getOCIEntity)
	s.route(mux, "POST /v1/registries/helm", true, s.createHelm)
	s.route(mux, "POST /v1/registries/helm/validate", true, s.validateHelm)
	s.route(mux, "PUT /v1/registries/helm/{uid}", true, s.updateHelm)
	s.route(mux, "DELETE /v1/registries/helm/{uid}", true, s.deleteRemote(store.KindHelm, ""))
	s.route(mux, "POST /v1/registries/helm/{uid}/sync", true, s.syncRemote(store.KindHelm, ""))
}

// canAdminRemote is the authorization of every write to remote registries,
// canWriteRegistry's rule for a tenant-wide registry: a tenant admin key
// only. (Callers first make sure an existing registry is visible, so that
// one p cannot see is not found rather than forbidden.)
func (p *principal) canAdminRemote() *Error {
	switch {
	case p.key.Role != store.RoleAdmin:
		return apiError(CodeForbidden, "API key %s is read-only", p.key.Prefix)
	case p.key.ProjectUID != "":
		return apiError(CodeForbidden,
			"OCI and Helm registries are tenant-wide: only a tenant admin API key may create, change, delete, validate or sync them, and this key is limited to project %s", p.key.ProjectUID)
	}
	return nil
}

// tlsIn reads a TLS configuration: the CA certificate to trust (in
// certificate, or ca) and insecureSkipVerify. A client key is refused.
func tlsIn(path string, t *wire.TLSConfig, spec *service.RegistrySpec) *Error {
	if t == nil {
		return nil
	}
	if t.Key != "" {
		return badRequest("%s.key: byoos does not authenticate to registries with a client certificate; leave it out", path)
	}
	spec.CACert, spec.InsecureSkipVerify = t.Certificate, t.InsecureSkipVerify
	if spec.CACert == "" {
		spec.CACert = t.CA
	}
	return nil
}

func basicSpecIn(name string, in wire.BasicOciRegistrySpec) (service.RegistrySpec, *Error) {
	spec := service.RegistrySpec{Kind: store.KindOCI, Provider: regsync.ProviderBasic, ContentType: in.ProviderType, Name: name,
		Endpoint: in.Endpoint, BasePath: in.BasePath, BaseContentPath: in.BaseContentPath, SyncEnabled: in.IsSyncSupported}
	if a := in.Auth; a != nil {
		spec.AuthType, spec.Username, spec.Secret = a.Type, a.Username, secret.String(a.Password)
		if e := tlsIn("spec.auth.tls", a.TLS, &spec); e != nil {
			return spec, e
		}
	}
	return spec, nil
}

func ecrSpecIn(name string, in wire.EcrRegistrySpec) (service.RegistrySpec, *Error) {
	spec := service.RegistrySpec{Kind: store.KindOCI, Provider: regsync.ProviderECR, ContentType: in.ProviderType, Name: name,
		Endpoint: in.Endpoint, BaseContentPath: in.BaseContentPath, IsPrivate: in.IsPrivate, SyncEnabled: in.IsSyncSupported, Region: in.DefaultRegion}
	if c := in.Credentials; c != nil {
		spec.AuthType, spec.Username, spec.Secret = c.CredentialType, c.AccessKey, secret.String(c.SecretKey)
		if c.STS != nil {
			spec.STSARN, spec.STSExternalID = c.STS.Arn, c.STS.ExternalID
		}
	}
	if e := tlsIn("spec.tls", in.TLS, &spec); e != nil {
		return spec, e
	}
	return spec, nil
}

// ociSpec decodes a whole V1BasicOciRegistry or V1EcrRegistry.
func ociSpec(r *http.Request, provider string) (service.RegistrySpec, *Error) {
	if provider == regsync.ProviderECR {
		var in wire.EcrRegistry
		if e := decodeJSON(r, &in); e != nil {
			return service.RegistrySpec{}, e
		}
		return ecrSpecIn(in.Metadata.Name, in.Spec)
	}
	var in wire.BasicOciRegistry
	if e := decodeJSON(r, &in); e != nil {
		return service.RegistrySpec{}, e
	}
	return basicSpecIn(in.Metadata.Name, in.Spec)
}

func helmSpec(r *http.Request) (service.RegistrySpec, *Error) {
	var in wire.HelmRegistry
	if e := decodeJSON(r, &in); e != nil {
		return service.RegistrySpec{}, e
	}
	return helmSpecIn(in), nil
}

func helmSpecIn(in wire.HelmRegistry) service.RegistrySpec {
	name := in.Metadata.Name
	if strings.TrimSpace(name) == "" {
		name = in.Spec.Name
	}
	spec := service.RegistrySpec{Kind: store.KindHelm, Name: name, Endpoint: in.Spec.Endpoint, IsPrivate: in.Spec.IsPrivate}
	if a := in.Spec.Auth; a != nil {
		spec.AuthType, spec.Username, spec.Secret = a.Type, a.Username, secret.String(a.Password)
		if a.Type == service.AuthToken {
			spec.Secret = secret.String(a.Token)
		}
		if a.TLS != nil {
			spec.CACert, spec.InsecureSkipVerify = a.TLS.Certificate, a.TLS.InsecureSkipVerify
		}
	}
	return spec
}

// --- answers ---

func timeOut(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func syncOut(r store.Registry) *wire.RegistrySyncStatus {
	st := service.StatusOf(r)
	return &wire.RegistrySyncStatus{IsSyncSupported: st.IsSyncSupported, Status: st.Status, Message: st.Message,
		LastRunTime: timeOut(st.LastRun), LastSyncedTime: timeOut(st.LastSynced)}
}

// meta is a registry's metadata; its secret is Redacted by the service.
func meta(r store.Registry) wire.ObjectMeta {
	return wire.ObjectMeta{Name: r.Name, UID: r.UID, CreationTimestamp: r.CreatedAt.UTC().Format(time.RFC3339Nano)}
}

func tlsOut(r store.Registry) *wire.TLSConfig {
	return &wire.TLSConfig{Certificate: r.CACert, Enabled: true, InsecureSkipVerify: r.InsecureSkipVerify}
}

func authOut(r store.Registry) *wire.RegistryAuth {
	a := &wire.RegistryAuth{Type: r.AuthType, Username: r.Username, TLS: tlsOut(r)}
	if r.AuthType == service.AuthToken {
		a.Token = r.Secret
	} else {
		a.Password = r.Secret
	}
	return a
}

func basicOut(r store.Registry) wire.BasicOciRegistry {
	return wire.BasicOciRegistry{Kind: "oci", Metadata: meta(r), Status: wire.OciRegistryStatus{SyncStatus: syncOut(r)},
		Spec: wire.BasicOciRegistrySpec{Auth: authOut(r), BaseContentPath: r.BaseContentPath, BasePath: r.BasePath, Endpoint: r.Endpoint,
			IsSyncSupported: r.SyncEnabled, ProviderType: r.ContentType, RegistryUID: r.UID, Scope: store.ScopeTenant}}
}

func ecrOut(r store.Registry) wire.EcrRegistry {
	c := &wire.AwsCredentials{CredentialType: r.AuthType, AccessKey: r.Username, SecretKey: r.Secret}
	if r.AuthType == service.AuthSTS {
		c.STS = &wire.AwsSTS{Arn: r.STSARN, ExternalID: r.STSExternalID}
	}
	return wire.EcrRegistry{Kind: "oci", Metadata: meta(r), Status: wire.OciRegistryStatus{SyncStatus: syncOut(r)},
		Spec: wire.EcrRegistrySpec{BaseContentPath: r.BaseContentPath, Credentials: c, DefaultRegion: r.Region, Endpoint: r.Endpoint, IsPrivate: r.IsPrivate,
			IsSyncSupported: r.SyncEnabled, ProviderType: r.ContentType, RegistryUID: r.UID, Scope: store.ScopeTenant, TLS: tlsOut(r)}}
}

func helmOut(r store.Registry) wire.HelmRegistry {
	h := wire.HelmRegistry{Kind: "helm", Metadata: meta(r), Spec: wire.HelmRegistrySpec{Auth: authOut(r), Endpoint: r.Endpoint, IsPrivate: r.IsPrivate,
		Name: r.Name, RegistryUID: r.UID, Scope: store.ScopeTenant}}
	h.Status.HelmSyncStatus = syncOut(r)
	return h
}

// --- handlers ---

func (s *Server) createOCI(provider string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *principal) *Error {
		if e := p.canAdminRemote(); e != nil {
			return e
		}
		spec, e := ociSpec(r, provider)
		if e != nil {
			return e
		}
		return s.createRemote(w, r, p, spec)
	}
}

func (s *Server) createHelm(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	if e := p.canAdminRemote(); e != nil {
		return e
	}
	spec, e := helmSpec(r)
	if e != nil {
		return e
	}
	return s.createRemote(w, r, p, spec)
}

func (s *Server) createRemote(w http.ResponseWriter, r *http.Request, p *principal, spec service.RegistrySpec) *Error {
	reg, err := s.registries.Create(r.Context(), p.key.TenantUID, spec, audit(p, "", "", "", ""))
	if err != nil {
		return errorFrom(err)
	}
	writeJSON(w, http.StatusCreated, map[string]string{"uid": reg.UID})
	return nil
}

// visibleRemote returns the remote registry of the path that p may read.
func (s *Server) visibleRemote(r *http.Request, p *principal, kind, provider string) (store.Registry, *Error) {
	reg, err := s.registries.Get(r.Context(), p.scope, kind, provider, r.PathValue("uid"))
	if err != nil {
		return reg, errorFrom(err)
	}
	return reg, nil
}

func (s *Server) getOCI(provider string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *principal) *Error {
		reg, e := s.visibleRemote(r, p, store.KindOCI, provider)
		if e != nil {
			return e
		}
		if provider == regsync.ProviderECR {
			writeJSON(w, http.StatusOK, ecrOut(reg))
		} else {
			writeJSON(w, http.StatusOK, basicOut(reg))
		}
		return nil
	}
}

// getOCIEntity is GET /v1/registries/oci/{uid}: either provider type.
func (s *Server) getOCIEntity(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	reg, e := s.visibleRemote(r, p, store.KindOCI, "")
	if e != nil {
		return e
	}
	writeJSON(w, http.StatusOK, wire.OciRegistryEntity{Auth: authOut(reg), DefaultRegion: reg.Region, Endpoint: reg.Endpoint,
		ProviderType: reg.ContentType, Scope: store.ScopeTenant, Type: reg.Provider})
	return nil
}

// ociSummary is GET /v1/registries/oci/summary (V1OciRegistries), which
// the provider reads to find an OCI registry by name.
func (s *Server) ociSummary(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	regs, err := s.registries.List(r.Context(), p.scope, store.KindOCI)
	if err != nil {
		return errorFrom(err)
	}
	items := make([]wire.OciRegistry, 0, len(regs))
	for _, reg := range regs {
		it := wire.OciRegistry{Metadata: meta(reg), Spec: wire.OciRegistrySpec{DefaultRegion: reg.Region, Endpoint: reg.Endpoint, IsPrivate: reg.IsPrivate,
			ProviderType: reg.ContentType, RegistryType: reg.Provider, Scope: store.ScopeTenant}}
		it.Status.Sync = syncOut(reg)
		items = append(items, it)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

// writableRemote returns the remote registry of the path if p may change
// it: 404 when p cannot see it, 403 when p's key is not a tenant admin's.
func (s *Server) writableRemote(r *http.Request, p *principal, kind, provider string) (store.Registry, *Error) {
	reg, e := s.visibleRemote(r, p, kind, provider)
	if e != nil {
		return reg, e
	}
	return reg, p.canAdminRemote()
}

func (s *Server) updateOCI(provider string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *principal) *Error {
		reg, e := s.writableRemote(r, p, store.KindOCI, provider)
		if e != nil {
			return e
		}
		spec, e := ociSpec(r, provider)
		if e != nil {
			return e
		}
		return s.updateRemote(w, r, p, reg, spec)
	}
}

func (s *Server) updateHelm(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	reg, e := s.writableRemote(r, p, store.KindHelm, "")
	if e != nil {
		return e
	}
	spec, e := helmSpec(r)
	if e != nil {
		return e
	}
	return s.updateRemote(w, r, p, reg, spec)
}

func (s *Server) updateRemote(w http.ResponseWriter, r *http.Request, p *principal, reg store.Registry, spec service.RegistrySpec) *Error {
	if strings.TrimSpace(spec.Name) == "" {
		spec.Name = reg.Name
	}
	if _, err := s.registries.Update(r.Context(), p.key.TenantUID, reg.Kind, reg.Provider, reg.UID, spec, audit(p, "", "", "", "")); err != nil {
		return errorFrom(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteRemote(kind, provider string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *principal) *Error {
		reg, e := s.writableRemote(r, p, kind, provider)
		if e != nil {
			return e
		}
		if err := s.registries.Delete(r.Context(), p.key.TenantUID, kind, provider, reg.UID, audit(p, "", "", "", "")); err != nil {
			return errorFrom(err)
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

func (s *Server) syncRemote(kind, provider string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *principal) *Error {
		reg, e := s.writableRemote(r, p, kind, provider)
		if e != nil {
			return e
		}
		if err := s.registries.SyncNow(r.Context(), p.key.TenantUID, kind, provider, reg.UID, p.actor()); err != nil {
			return errorFrom(err)
		}
		writeJSON(w, http.StatusAccepted, nil)
		return nil
	}
}

func (s *Server) remoteSyncStatus(kind, provider string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *principal) *Error {
		reg, e := s.visibleRemote(r, p, kind, provider)
		if e != nil {
			return e
		}
		writeJSON(w, http.StatusOK, syncOut(reg))
		return nil
	}
}

func (s *Server) validateOCI(provider string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *principal) *Error {
		if e := p.canAdminRemote(); e != nil {
			return e
		}
		var spec service.RegistrySpec
		var e *Error
		if provider == regsync.ProviderECR {
			var in wire.EcrRegistrySpec
			if e := decodeJSON(r, &in); e != nil {
				return e
			}
			spec, e = ecrSpecIn("", in)
		} else {
			var in wire.BasicOciRegistrySpec
			if e := decodeJSON(r, &in); e != nil {
				return e
			}
			spec, e = basicSpecIn("", in)
		}
		if e != nil {
			return e
		}
		return s.validateRemote(w, r, spec)
	}
}

func (s *Server) validateHelm(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	if e := p.canAdminRemote(); e != nil {
		return e
	}
	var in wire.HelmRegistrySpec
	if e := decodeJSON(r, &in); e != nil {
		return e
	}
	return s.validateRemote(w, r, helmSpecIn(wire.HelmRegistry{Spec: in}))
}

// validateRemote answers 204 when the registry answers and accepts the
// credentials, else 400 naming the reason.
func (s *Server) validateRemote(w http.ResponseWriter, r *http.Request, spec service.RegistrySpec) *Error {
	if err := s.registries.Validate(r.Context(), spec); err != nil {
		return errorFrom(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// remoteStatus answers the sync status of a remote registry for the
// generic GET /v1/registries/{kind}/{uid}/sync/status: found is false when
// uid is not a remote registry p may read (a pack registry, say).
func (s *Server) remoteStatus(w http.ResponseWriter, r *http.Request, p *principal) (bool, *Error) {
	kind := r.PathValue("kind")
	for _, k := range []string{store.KindOCI, store.KindHelm} {
		reg, err := s.registries.Get(r.Context(), p.scope, k, "", r.PathValue("uid"))
		var se *service.Error
		switch {
		case errors.As(err, &se) && se.Code == wire.CodeNotFound:
			continue
		case err != nil:
			return true, errorFrom(err)
		case kind == store.KindPack && k == store.KindOCI && reg.ContentType == "pack":
			// an OCI registry of packs is listed with the pack registries too
		case kind != k:
			return true, notFound(kind+" registry", reg.UID)
		}
		writeJSON(w, http.StatusOK, syncOut(reg))
		return true, nil
	}
	return false, nil
}
