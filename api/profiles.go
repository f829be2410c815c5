package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/byoos/byoos/names"
	"github.com/byoos/byoos/service"
	"github.com/byoos/byoos/wire"
)

// The cluster profile handlers decode, call the profile service and encode:
// what a write does (revision check, validation, sealing, audit) is the
// service's.

// caller is the service's view of the principal.
func (p *principal) caller() service.Caller {
	return service.Caller{Scope: p.scope, Actor: p.actor(), TenantWide: p.key.ProjectUID == ""}
}

// ifMatch returns the revision the client read, from If-Match.
func ifMatch(r *http.Request) string { return r.Header.Get("If-Match") }

// writeRevision answers 204 with the new revision as the ETag.
func writeRevision(w http.ResponseWriter, rev int64) {
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(rev, 10)))
	w.WriteHeader(http.StatusNoContent)
}

// createProfile is POST /v1/clusterprofiles: 201 {uid}.
func (s *Server) createProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	return s.create(w, r, p, false)
}

// importProfile is POST /v1/clusterprofiles/import[?publish=true], Palette's export shape.
func (s *Server) importProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	publish, _ := strconv.ParseBool(r.URL.Query().Get("publish"))
	return s.create(w, r, p, publish)
}

// importFilePart is the multipart field POST /v1/clusterprofiles/import/file
// carries the exported profile in.
const importFilePart = "importFile"

// importProfileFile is POST /v1/clusterprofiles/import/file?format=json[&publish=true]:
// Palette's export shape as the file of a multipart form (the SDK sends it
// chunked), field importFile; the rest as importProfile.
func (s *Server) importProfileFile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	q := r.URL.Query()
	if f := q.Get("format"); f != "" && f != "json" {
		return badRequest("query parameter format %s is not supported; send format=json", names.Quote(f))
	}
	publish, _ := strconv.ParseBool(q.Get("publish"))
	mr, err := r.MultipartReader()
	if err != nil {
		return apiError(CodeUnsupported, "Content-Type %q: send multipart/form-data with the profile in field %s", r.Header.Get("Content-Type"), importFilePart)
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			var mbe *http.MaxBytesError
			switch {
			case errors.As(err, &mbe):
				return apiError(CodeTooLarge, "request body is over %d bytes", MaxBodyBytes)
			case errors.Is(err, io.EOF):
				return badRequest("multipart form has no field %s; send the exported profile (JSON) in it", importFilePart)
			}
			return badRequest("malformed multipart form: %v", err)
		}
		if part.FormName() != importFilePart {
			continue // the next NextPart skips what is left of it
		}
		var in wire.Profile
		if e := decodeJSONFrom(part, &in); e != nil {
			e.Message = "field " + importFilePart + ": " + e.Message
			return e
		}
		return s.createFrom(w, r, p, &in, publish)
	}
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, p *principal, publish bool) *Error {
	var in wire.Profile
	if e := decodeJSON(r, &in); e != nil {
		return e
	}
	return s.createFrom(w, r, p, &in, publish)
}

// createFrom creates the profile in and answers 201 {uid}.
func (s *Server) createFrom(w http.ResponseWriter, r *http.Request, p *principal, in *wire.Profile, publish bool) *Error {
	uid, err := s.profiles.Create(r.Context(), p.caller(), in, publish)
	if err != nil {
		return errorFrom(err)
	}
	writeJSON(w, http.StatusCreated, wire.Created{UID: uid})
	return nil
}

// validateProfile is POST /v1/clusterprofiles/validate: the findings, nothing stored.
func (s *Server) validateProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	var in wire.Profile
	if e := decodeJSON(r, &in); e != nil {
		return e
	}
	v, err := s.profiles.Validate(r.Context(), p.caller(), &in)
	if err != nil {
		return errorFrom(err)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// validateUpdate is POST /v1/clusterprofiles/{uid}/validate: the findings of
// the body as an update of the profile would write it (masks standing for
// the stored secrets), nothing stored.
func (s *Server) validateUpdate(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	var in wire.Profile
	if e := decodeJSON(r, &in); e != nil {
		return e
	}
	v, err := s.profiles.ValidateUpdate(r.Context(), p.caller(), r.PathValue("uid"), &in)
	if err != nil {
		return errorFrom(err)
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// updateProfile is PUT /v1/clusterprofiles/{uid}: 204. The cloud type is kept.
func (s *Server) updateProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	var in wire.Profile
	if e := decodeJSON(r, &in); e != nil {
		return e
	}
	rev, err := s.profiles.Update(r.Context(), p.caller(), r.PathValue("uid"), &in, ifMatch(r))
	if err != nil {
		return errorFrom(err)
	}
	writeRevision(w, rev)
	return nil
}

// publishProfile is PATCH /v1/clusterprofiles/{uid}/publish: 204.
func (s *Server) publishProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	rev, err := s.profiles.Publish(r.Context(), p.caller(), r.PathValue("uid"), ifMatch(r))
	if err != nil {
		return errorFrom(err)
	}
	writeRevision(w, rev)
	return nil
}

// patchProfileMetadata is PATCH /v1/clusterprofiles/{uid}/metadata: 204.
func (s *Server) patchProfileMetadata(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	var in struct {
		Metadata wire.Metadata `json:"metadata"`
		Spec     struct {
			Version string `json:"version"`
		} `json:"spec"`
	}
	if e := decodeJSON(r, &in); e != nil {
		return e
	}
	rev, err := s.profiles.PatchMetadata(r.Context(), p.caller(), r.PathValue("uid"), in.Metadata, in.Spec.Version, ifMatch(r))
	if err != nil {
		return errorFrom(err)
	}
	writeRevision(w, rev)
	return nil
}

// deleteProfile is DELETE /v1/clusterprofiles/{uid}: 204.
func (s *Server) deleteProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	if err := s.profiles.Delete(r.Context(), p.caller(), r.PathValue("uid"), ifMatch(r)); err != nil {
		return errorFrom(err)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getProfile is GET /v1/clusterprofiles/{uid}.
func (s *Server) getProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	out, err := s.profiles.Get(r.Context(), p.caller(), r.PathValue("uid"))
	if err != nil {
		return errorFrom(err)
	}
	w.Header().Set("ETag", strconv.Quote(out.Metadata.ResourceVersion))
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getVariables is GET /v1/clusterprofiles/{uid}/variables.
func (s *Server) getVariables(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	vars, err := s.profiles.Variables(r.Context(), p.caller(), r.PathValue("uid"))
	if err != nil {
		return errorFrom(err)
	}
	writeJSON(w, http.StatusOK, wire.Variables{Variables: vars})
	return nil
}

// putVariables is PUT /v1/clusterprofiles/{uid}/variables: 204, validated like the profile.
func (s *Server) putVariables(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	var in wire.Variables
	if e := decodeJSON(r, &in); e != nil {
		return e
	}
	rev, err := s.profiles.PutVariables(r.Context(), p.caller(), r.PathValue("uid"), in.Variables, ifMatch(r))
	if err != nil {
		return errorFrom(err)
	}
	writeRevision(w, rev)
	return nil
}

// getManifests is GET /v1/clusterprofiles/{uid}/packs/{name}/manifests.
func (s *Server) getManifests(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	ms, err := s.profiles.Manifests(r.Context(), p.caller(), r.PathValue("uid"), r.PathValue("name"))
	if err != nil {
		return errorFrom(err)
	}
	type data struct {
		Content string `json:"content"`
	}
	type item struct {
		Metadata wire.ObjectMeta `json:"metadata"`
		Spec     struct {
			Draft     data `json:"draft"`
			Published data `json:"published"`
		} `json:"spec"`
	}
	items := make([]item, 0, len(ms))
	for _, m := range ms {
		var it item
		it.Metadata = wire.ObjectMeta{Name: m.Name, UID: m.UID}
		it.Spec.Draft.Content, it.Spec.Published.Content = m.Content, m.Content
		items = append(items, it)
	}
	writeJSON(w, http.StatusOK, wire.Items[item]{Items: items})
	return nil
}

// exportProfile is GET /v1/clusterprofiles/{uid}/export: Palette's export
// shape, which POST /v1/clusterprofiles/import takes back. Secrets are masked.
func (s *Server) exportProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	out, err := s.profiles.Export(r.Context(), p.caller(), r.PathValue("uid"))
	if err != nil {
		return errorFrom(err)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// profilesMetadata is GET /v1/dashboard/clusterprofiles/metadata.
func (s *Server) profilesMetadata(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	sums, err := s.profiles.List(r.Context(), p.caller(), r.URL.Query().Get("name"))
	if err != nil {
		return errorFrom(err)
	}
	items := make([]wire.ProfileSummaryItem, 0, len(sums))
	for _, sm := range sums {
		var it wire.ProfileSummaryItem
		it.Metadata = wire.ObjectEntity{Name: sm.Name, UID: sm.UID}
		it.Spec.CloudType, it.Spec.Version, it.Spec.Type, it.Spec.Status, it.Spec.Revision, it.Spec.Scope = sm.CloudType, sm.Version, sm.Type, sm.Status, sm.Revision, sm.Scope
		items = append(items, it)
	}
	writeJSON(w, http.StatusOK, wire.Items[wire.ProfileSummaryItem]{Items: items})
	return nil
}

// searchProfiles is POST /v1/dashboard/clusterprofiles: one page of the
// profile versions a filter selects, in its order (Palette's
// V1ClusterProfilesFilterSpec in, V1ClusterProfilesSummary out), with
// ?limit=, ?continue= (the previous page's listmeta.continue) and ?offset=.
func (s *Server) searchProfiles(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	var in wire.ProfileSearch
	if r.ContentLength != 0 {
		if e := decodeJSON(r, &in); e != nil {
			return e
		}
	}
	page, e := pageOf(r)
	if e != nil {
		return e
	}
	out, err := s.profiles.Search(r.Context(), p.caller(), &in, page)
	if err != nil {
		return errorFrom(err)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
