package api

import (
	"net/http"

	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/wire"
)

// renderProfile is POST /v1/clusterprofiles/{uid}/render: 200 with the
// rendered documents (wire.Rendering) of the profile's published version
// (or its draft: never published, or draft: true). It reads only, so a
// read-only key may render; secrets are masked in the answer, and
// showSecrets: true (secrets in clear, as Edge user-data a host can use)
// is refused (403) unless the key is an admin key. Body: {target,
// context: {KEY: VALUE}, showSecrets, draft}; an empty body renders
// the values target.
func (s *Server) renderProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	var req wire.RenderRequest
	if r.ContentLength != 0 {
		if e := decodeJSON(r, &req); e != nil {
			return e
		}
	}
	if req.ShowSecrets && p.key.Role != store.RoleAdmin {
		return apiError(CodeForbidden, "API key %s is read-only: only an admin key may render with showSecrets; without it the secrets are masked", p.key.Prefix)
	}
	out, err := s.profiles.Render(r.Context(), p.caller(), r.PathValue("uid"), req)
	if err != nil {
		return errorFrom(err)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
