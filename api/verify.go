package api

import (
	"net/http"

	"github.com/byoos/byoos/wire"
)

// verifyProfile is POST /v1/clusterprofiles/{uid}/verify: 200 with each
// image's result and the findings (wire.Verification). It is an admin
// action (the route is a write): it reads only, but makes the server
// contact the registries and clouds the profile names, within the
// allow-list serve was given. The body (region, arch, alsoRegions) may be
// empty.
func (s *Server) verifyProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	var req wire.VerifyRequest
	if r.ContentLength != 0 {
		if e := decodeJSON(r, &req); e != nil {
			return e
		}
	}
	out, err := s.verifier.Verify(r.Context(), p.caller(), r.PathValue("uid"), req)
	if err != nil {
		return errorFrom(err)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
