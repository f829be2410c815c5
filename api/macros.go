package api

import (
	"net/http"
	"strings"

	"github.com/byoos/byoos/service"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/wire"
)

// macroRoutes registers the macro calls of Palette's API for both scopes
// (/v1/tenants/{uid}/macros and /v1/projects/{uid}/macros) and
// GET /v1/users/info, where Palette's clients read the tenant uid.
func (s *Server) macroRoutes(mux *http.ServeMux) {
	s.route(mux, "GET /v1/users/info", false, s.userInfo)
	for _, base := range []string{"/v1/tenants/{uid}/macros", "/v1/projects/{uid}/macros"} {
		s.route(mux, "GET "+base, false, s.listMacros)
		s.route(mux, "POST "+base, true, s.changeMacros(service.MacroAdd, http.StatusNoContent))
		s.route(mux, "PUT "+base, true, s.changeMacros(service.MacroReplace, http.StatusNoContent))
		s.route(mux, "PATCH "+base, true, s.changeMacros(service.MacroUpdate, http.StatusNoContent))
		s.route(mux, "DELETE "+base, true, s.changeMacros(service.MacroDelete, http.StatusNoContent))
	}
}

// userInfo is GET /v1/users/info: the tenant of the key (and the key as the
// user), as Palette's V1UserInfo.
func (s *Server) userInfo(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	t, err := s.store.GetTenant(r.Context(), p.key.TenantUID)
	if err != nil {
		return fromStore(err, "tenant", p.key.TenantUID)
	}
	writeJSON(w, http.StatusOK, wire.UserInfo{TenantUID: t.UID, UserUID: p.key.UID, OrgName: t.Name, Name: p.key.Name})
	return nil
}

// macroScope returns the scope the macro route of r names, once p may read
// it: a tenant's macros are read by any key of the tenant; a project's by
// tenant-wide keys and that project's keys. A scope p may not read is not
// found (another tenant, another project), so that it does not tell what
// exists. With write, it also checks p may change the macros: a tenant's
// only with a tenant-wide admin key, a project's with an admin key of that
// project or a tenant-wide one (the route refuses read-only keys).
func (s *Server) macroScope(r *http.Request, p *principal, write bool) (store.Scope, *Error) {
	uid := r.PathValue("uid")
	sc := store.Scope{TenantUID: p.key.TenantUID}
	if strings.HasPrefix(r.URL.Path, "/v1/tenants/") {
		if uid != p.key.TenantUID {
			return sc, notFound("tenant", uid)
		}
		if write && p.key.ProjectUID != "" {
			return sc, apiError(CodeForbidden, "tenant macros are changed only with a tenant admin API key; this key is limited to project %s", p.key.ProjectUID)
		}
		return sc, nil
	}
	if p.key.ProjectUID != "" && p.key.ProjectUID != uid {
		return sc, notFound("project", uid)
	}
	if _, err := s.store.GetProject(r.Context(), p.key.TenantUID, uid); err != nil {
		return sc, fromStore(err, "project", uid)
	}
	sc.ProjectUID = uid
	return sc, nil
}

// listMacros is GET /v1/{tenants,projects}/{uid}/macros: the macros of
// exactly that scope, as V1Macros.
func (s *Server) listMacros(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	sc, e := s.macroScope(r, p, false)
	if e != nil {
		return e
	}
	ms, err := s.macros.List(r.Context(), sc)
	if err != nil {
		return errorFrom(err)
	}
	writeJSON(w, http.StatusOK, wire.Macros{Macros: ms})
	return nil
}

// changeMacros returns the handler of one macro write, which answers status
// on success: POST adds macros, PUT replaces them all, PATCH sets the
// values of defined ones, DELETE removes those its body names; each answers
// 204 with no body, as Palette does (its clients take any other success
// status for a failure, and retry).
func (s *Server) changeMacros(op service.MacroOp, status int) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p *principal) *Error {
		sc, e := s.macroScope(r, p, true)
		if e != nil {
			return e
		}
		var in wire.Macros
		if e := decodeJSON(r, &in); e != nil {
			return e
		}
		if err := s.macros.Change(r.Context(), service.Caller{Scope: p.scope, Actor: p.actor()}, sc, op, in.Macros); err != nil {
			return errorFrom(err)
		}
		w.WriteHeader(status)
		return nil
	}
}
