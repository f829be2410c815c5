package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/byoos/byoos/store"

	"github.com/byoos/byoos/wire"
)

type projectMetadata struct {
	Metadata wire.ObjectEntity `json:"metadata"`
}

// listProjects is GET /v1/dashboard/projects/metadata: the projects the key may use.
func (s *Server) listProjects(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	ps, err := s.store.ListProjects(r.Context(), p.scope.TenantUID)
	if err != nil {
		return fromStore(err, "project", "")
	}
	items := []projectMetadata{}
	for _, pr := range ps {
		if p.key.ProjectUID == "" || p.key.ProjectUID == pr.UID {
			items = append(items, projectMetadata{Metadata: wire.ObjectEntity{Name: pr.Name, UID: pr.UID}})
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

// projectOut is a project as Palette's V1Project shows it.
type projectOut struct {
	Metadata wire.ObjectMeta `json:"metadata"`
	Spec     struct {
		Teams []any `json:"teams"`
		Users []any `json:"users"`
	} `json:"spec"`
	Status struct {
		IsDisabled bool `json:"isDisabled"`
	} `json:"status"`
}

// getProject is GET /v1/projects/{uid}: one project of the key's tenant; a
// project key sees its own project only (another is not found).
func (s *Server) getProject(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	uid := r.PathValue("uid")
	if p.key.ProjectUID != "" && p.key.ProjectUID != uid {
		return notFound("project", uid)
	}
	pr, err := s.store.GetProject(r.Context(), p.scope.TenantUID, uid)
	if err != nil {
		return fromStore(err, "project", uid)
	}
	var out projectOut
	out.Metadata = wire.ObjectMeta{Name: pr.Name, UID: pr.UID, CreationTimestamp: pr.CreatedAt.UTC().Format(time.RFC3339)}
	out.Spec.Teams, out.Spec.Users = []any{}, []any{}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// createProject is POST /v1/projects {metadata: {name}}; tenant admin keys only.
func (s *Server) createProject(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	if p.key.ProjectUID != "" {
		return apiError(CodeForbidden, "a project API key cannot create projects")
	}
	var in struct {
		Metadata wire.ObjectMeta `json:"metadata"`
	}
	if e := decodeJSON(r, &in); e != nil {
		return e
	}
	name := strings.TrimSpace(in.Metadata.Name)
	if e := checkName("metadata.name", name); e != nil {
		return e
	}
	pr := &store.Project{TenantUID: p.scope.TenantUID, Name: name}
	if err := s.store.CreateProject(r.Context(), pr, audit(p, "project.create", "project", "", name)); err != nil {
		return fromStore(err, "project", name)
	}
	writeJSON(w, http.StatusCreated, map[string]string{"uid": pr.UID})
	return nil
}

type apiKeyOut struct {
	UID        string     `json:"uid"`
	Name       string     `json:"name"`
	ProjectUID string     `json:"projectUid,omitempty"`
	Role       string     `json:"role"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"createdAt"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty"`
	// Key is set only in the answer to a create: it is never shown again.
	Key string `json:"key,omitempty"`
}

func keyOut(k store.APIKey) apiKeyOut {
	return apiKeyOut{UID: k.UID, Name: k.Name, ProjectUID: k.ProjectUID, Role: k.Role, Prefix: k.Prefix, CreatedAt: k.CreatedAt, RevokedAt: k.RevokedAt}
}

// listAPIKeys is GET /v1/apiKeys (tenant admin keys see all; others only themselves).
func (s *Server) listAPIKeys(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	ks, err := s.store.ListAPIKeys(r.Context(), p.scope.TenantUID)
	if err != nil {
		return fromStore(err, "apikey", "")
	}
	items := []apiKeyOut{}
	for _, k := range ks {
		if (p.key.ProjectUID == "" && p.key.Role == store.RoleAdmin) || k.UID == p.key.UID {
			items = append(items, keyOut(k))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

// CreateKey makes a new API key record and returns the key; only its hash is stored.
func CreateKey(ctx context.Context, st store.Store, k *store.APIKey, ev store.AuditEvent) (string, error) {
	raw := NewKey()
	k.Hash = HashKey(raw)
	k.Prefix = raw[:len(KeyPrefix)+6]
	if err := st.CreateAPIKey(ctx, k, ev); err != nil {
		return "", err
	}
	return raw, nil
}

// createAPIKey is POST /v1/apiKeys {name, projectUid, role}; tenant admin keys only.
func (s *Server) createAPIKey(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	if p.key.ProjectUID != "" {
		return apiError(CodeForbidden, "a project API key cannot create API keys")
	}
	var in struct {
		Name       string `json:"name"`
		ProjectUID string `json:"projectUid"`
		Role       string `json:"role"`
	}
	if e := decodeJSON(r, &in); e != nil {
		return e
	}
	in.Name = strings.TrimSpace(in.Name)
	if e := checkName("name", in.Name); e != nil {
		return e
	}
	switch in.Role {
	case "":
		in.Role = store.RoleReadOnly
	case store.RoleAdmin, store.RoleReadOnly:
	default:
		return apiError(CodeBadRequest, "role %q: use admin or read-only", in.Role)
	}
	if in.ProjectUID != "" {
		if _, err := s.store.GetProject(r.Context(), p.scope.TenantUID, in.ProjectUID); err != nil {
			return fromStore(err, "project", in.ProjectUID)
		}
	}
	k := &store.APIKey{Name: in.Name, TenantUID: p.scope.TenantUID, ProjectUID: in.ProjectUID, Role: in.Role}
	raw, err := CreateKey(r.Context(), s.store, k, audit(p, "apikey.create", "apikey", "", in.Name+" ("+in.Role+")"))
	if err != nil {
		return fromStore(err, "apikey", in.Name)
	}
	out := keyOut(*k)
	out.Key = raw
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// revokeAPIKey is DELETE /v1/apiKeys/{uid}.
func (s *Server) revokeAPIKey(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	uid := r.PathValue("uid")
	if p.key.ProjectUID != "" && uid != p.key.UID {
		return notFound("apikey", uid)
	}
	if err := s.store.RevokeAPIKey(r.Context(), p.scope.TenantUID, uid, audit(p, "apikey.revoke", "apikey", uid, "")); err != nil {
		return fromStore(err, "apikey", uid)
	}
	s.keys.forget(uid)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type auditOut struct {
	ID         int64     `json:"id"`
	Time       time.Time `json:"time"`
	ProjectUID string    `json:"projectUid,omitempty"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	Kind       string    `json:"kind"`
	UID        string    `json:"uid"`
	Summary    string    `json:"summary,omitempty"`
}

// listAudits is GET /v1/audits?limit=N&before=ID: the audit log, newest first,
// of the caller's project (or the whole tenant for tenant keys without a project).
func (s *Server) listAudits(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	evs, err := s.store.ListAudit(r.Context(), store.AuditQuery{TenantUID: p.scope.TenantUID, ProjectUID: p.scope.ProjectUID, BeforeID: before, Limit: limit})
	if err != nil {
		return fromStore(err, "audit", "")
	}
	items := make([]auditOut, 0, len(evs))
	for _, e := range evs {
		items = append(items, auditOut{ID: e.ID, Time: e.Time, ProjectUID: e.ProjectUID, Actor: e.Actor, Action: e.Action, Kind: e.Kind, UID: e.UID, Summary: e.Summary})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}
