package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/macro"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/values"
)

// objectMeta is V1ObjectMeta, with byoos's resourceVersion for optimistic
// concurrency. Timestamps arrive as Palette's clients send them (zero values
// included) and are ignored on input.
type objectMeta struct {
	Name                  string            `json:"name"`
	UID                   string            `json:"uid,omitempty"`
	Labels                map[string]string `json:"labels,omitempty"`
	Annotations           map[string]string `json:"annotations,omitempty"`
	CreationTimestamp     string            `json:"creationTimestamp,omitempty"`
	LastModifiedTimestamp string            `json:"lastModifiedTimestamp,omitempty"`
	ResourceVersion       string            `json:"resourceVersion,omitempty"`
}

type manifestIn struct {
	Name    string `json:"name"`
	UID     string `json:"uid"`
	Content string `json:"content"`
}

// packIn is a layer as clients send it: V1PackManifestEntity on create,
// V1PackManifestUpdateEntity on update, and the export shape on import.
type packIn struct {
	Name        string               `json:"name"`
	Type        string               `json:"type"`
	Layer       string               `json:"layer"`
	Tag         string               `json:"tag"`
	Version     string               `json:"version"`
	UID         string               `json:"uid"`
	PackUID     string               `json:"packUid"`
	RegistryUID string               `json:"registryUid"`
	Registry    *profile.RegistryRef `json:"registry"`
	Values      string               `json:"values"`
	Manifests   []manifestIn         `json:"manifests"`
}

// profileIn is V1ClusterProfileEntity / V1ClusterProfileUpdateEntity / the
// import body: one lenient shape for all three.
type profileIn struct {
	Metadata objectMeta `json:"metadata"`
	Spec     struct {
		Version  string `json:"version"`
		Template struct {
			CloudType string   `json:"cloudType"`
			Type      string   `json:"type"`
			Packs     []packIn `json:"packs"`
		} `json:"template"`
		Variables []profile.Variable `json:"variables"`
	} `json:"spec"`
}

// storedBody is what the store keeps of a profile version, secrets sealed.
type storedBody struct {
	Labels      map[string]string  `json:"labels,omitempty"`
	Annotations map[string]string  `json:"annotations,omitempty"`
	Type        string             `json:"type"`
	CloudType   string             `json:"cloudType"`
	Packs       []storedPack       `json:"packs"`
	Variables   []profile.Variable `json:"variables,omitempty"`
}

type storedPack struct {
	Name        string           `json:"name"`
	Type        string           `json:"type"`
	Layer       string           `json:"layer"`
	Tag         string           `json:"tag"`
	Version     string           `json:"version"`
	PackUID     string           `json:"packUid"`
	RegistryUID string           `json:"registryUid"`
	Values      string           `json:"values"`
	Sealed      bool             `json:"sealed,omitempty"`
	Manifests   []storedManifest `json:"manifests,omitempty"`
}

type storedManifest struct {
	Name    string `json:"name"`
	UID     string `json:"uid"`
	Content string `json:"content"`
}

// --- output shapes (V1ClusterProfile) ---

type packRefOut struct {
	Name        string        `json:"name"`
	Type        string        `json:"type"`
	Layer       string        `json:"layer"`
	Tag         string        `json:"tag"`
	Version     string        `json:"version"`
	PackUID     string        `json:"packUid"`
	RegistryUID string        `json:"registryUid"`
	Values      string        `json:"values"`
	Manifests   []objectMeta  `json:"manifests"`
	Schema      []packSchema  `json:"schema"`
	Presets     []pack.Preset `json:"presets"`
}

type templateOut struct {
	UID            string       `json:"uid"`
	Name           string       `json:"name"`
	CloudType      string       `json:"cloudType"`
	Type           string       `json:"type"`
	ProfileVersion string       `json:"profileVersion"`
	Version        int64        `json:"version"`
	Packs          []packRefOut `json:"packs"`
}

type versionRef struct {
	UID     string `json:"uid"`
	Version string `json:"version"`
}

type profileOut struct {
	APIVersion string     `json:"apiVersion"`
	Kind       string     `json:"kind"`
	Metadata   objectMeta `json:"metadata"`
	Spec       struct {
		Version   string       `json:"version"`
		Draft     *templateOut `json:"draft"`
		Published *templateOut `json:"published"`
		Versions  []versionRef `json:"versions"`
	} `json:"spec"`
	Status struct {
		IsPublished   bool         `json:"isPublished"`
		InUseClusters []any        `json:"inUseClusters"`
		Findings      finding.List `json:"findings"`
	} `json:"status"`
}

// --- write path ---

// profileScope is the scope a profile lives in: the caller's.
func profileScope(p *principal) store.Scope { return p.scope }

func scopeName(s store.Scope) string {
	if s.ProjectUID == "" {
		return "tenant"
	}
	return "project"
}

// documentOf turns a request body into a profile document for validation.
func documentOf(in *profileIn) *profile.Document {
	d := &profile.Document{}
	pr := &d.Profile
	pr.Metadata.Name = in.Metadata.Name
	pr.Metadata.Labels = in.Metadata.Labels
	pr.Metadata.Annotations = in.Metadata.Annotations
	pr.Spec.Version = in.Spec.Version
	pr.Spec.Template.Type = in.Spec.Template.Type
	pr.Spec.Template.CloudType = in.Spec.Template.CloudType
	pr.Spec.Variables = in.Spec.Variables
	for _, pk := range in.Spec.Template.Packs {
		uid := pk.UID
		if uid == "" {
			uid = pk.PackUID
		}
		pr.Spec.Template.Packs = append(pr.Spec.Template.Packs, profile.PackRef{Name: pk.Name, Type: pk.Type, Layer: pk.Layer, Tag: pk.Tag,
			Version: pk.Version, UID: uid, RegistryUID: pk.RegistryUID, Registry: pk.Registry, Values: pk.Values})
	}
	return d
}

// findingsMessage says, in one readable text, what is wrong: each error with
// its layer, path, line and fix. Terraform prints this message.
func findingsMessage(what string, fl finding.List) string {
	errs := errorsOnly(fl)
	var b strings.Builder
	fmt.Fprintf(&b, "%s has %d error(s):", what, len(errs))
	for _, f := range errs {
		b.WriteString("\n- ")
		if f.Layer != "" {
			b.WriteString("layer " + f.Layer + ": ")
		}
		if f.Path != "" {
			b.WriteString(f.Path)
			if f.Line > 0 {
				fmt.Fprintf(&b, " (values line %d, column %d)", f.Line, f.Column)
			}
			b.WriteString(": ")
		} else if f.Line > 0 {
			fmt.Fprintf(&b, "line %d: ", f.Line)
		}
		b.WriteString(f.Message)
		if f.Hint != "" {
			b.WriteString(" Fix: " + f.Hint)
		}
		b.WriteString(" [" + f.Code + "]")
	}
	return b.String()
}

// ValidationTimeout bounds the time one request may spend resolving macros
// (with the work bound of macro.DefaultWork); the client going away ends it
// too. Past it, validation fails with a macro-budget finding.
const ValidationTimeout = 10 * time.Second

// validated is a profile that passed validation, ready to store.
type validated struct {
	body     storedBody
	warnings finding.List
}

// validate runs the pipeline on d and builds the stored body. It refuses
// with 400 and the findings when there are errors.
func (s *Server) validate(ctx context.Context, p *principal, d *profile.Document, in *profileIn, uid string) (*validated, *Error) {
	if e := checkProfileMeta(&in.Metadata); e != nil {
		return nil, e
	}
	ps := s.newPackSource(ctx, p)
	v := &profile.Validator{Packs: ps, Engine: s.validator.Engine}
	ctx, cancel := context.WithTimeout(ctx, ValidationTimeout)
	defer cancel()
	res := v.Validate(d, profile.Options{Budget: macro.NewBudget(ctx, 0)})
	if res.Findings.HasErrors() {
		return nil, &Error{Status: http.StatusBadRequest, Code: CodeInvalidProfile, Message: findingsMessage("cluster profile "+strconv.Quote(d.Profile.Metadata.Name), res.Findings),
			Details: map[string]any{"findings": res.Findings}}
	}
	pr := &d.Profile
	vars, err := s.sealVariables(uid, pr.Spec.Variables)
	if err != nil {
		return nil, internalError(err, "seal sensitive variables")
	}
	body := storedBody{Labels: pr.Metadata.Labels, Annotations: pr.Metadata.Annotations, Type: pr.Spec.Template.Type, CloudType: pr.Spec.Template.CloudType, Variables: vars}
	for i, l := range res.Layers {
		ref := pr.Spec.Template.Packs[i]
		sp := storedPack{Name: ref.Name, Type: ref.Type, Layer: ref.Layer, Tag: ref.Tag, Version: ref.Version, Values: strings.TrimSpace(ref.Values)}
		if l.Pack != nil {
			e := ps.resolved[refKey(ref)]
			sp.Layer, sp.Version, sp.PackUID, sp.RegistryUID = l.Pack.Meta.Layer, l.Pack.Meta.Version, e.uid, e.registryUID
			if sp.Tag == "" {
				sp.Tag = l.Pack.Meta.Version
			}
		} else if sp.Layer == "" {
			sp.Layer = "addon" // a manifest layer
		}
		if sp.Type == "" {
			sp.Type = "spectro"
		}
		if i < len(in.Spec.Template.Packs) {
			for _, m := range in.Spec.Template.Packs[i].Manifests {
				muid := m.UID
				if muid == "" {
					muid = newID(12)
				}
				sp.Manifests = append(sp.Manifests, storedManifest{Name: m.Name, UID: muid, Content: m.Content})
			}
		}
		if l.Values != nil && l.Pack != nil && hasSecrets(l.Values, l.Pack) {
			sealed, err := s.cfg.Sealer.Seal(sp.Values, uid+"/"+sp.Name)
			if err != nil {
				return nil, internalError(err, "seal secrets")
			}
			sp.Values, sp.Sealed = sealed, true
		}
		body.Packs = append(body.Packs, sp)
	}
	warnings := finding.List{}
	for _, f := range res.Findings {
		if f.Severity == finding.Warning {
			warnings = append(warnings, f)
		}
	}
	return &validated{body: body, warnings: warnings}, nil
}

// hasSecrets reports whether values set any value the pack's schema marks
// secret, written in place or reached through an alias or a merge key.
func hasSecrets(doc *values.Doc, p *pack.Pack) bool {
	return len(profile.SecretNodes(doc, p.IsSecret)) > 0
}

// usesReferences reports whether values use YAML anchors, aliases or merge
// keys. Such values are masked even when not sealed: they may have been
// stored before a secret reached by reference counted as one.
func usesReferences(text string) bool {
	if !strings.ContainsAny(text, "&*") && !strings.Contains(text, "<<") {
		return false
	}
	doc, err := values.Parse([]byte(text))
	if err != nil {
		return true
	}
	found := false
	doc.WalkResolved(func(_ string, _ *yaml.Node, via []*yaml.Node) { found = found || len(via) > 0 })
	return found
}

// openValues returns a stored layer's values text in clear.
func (s *Server) openValues(profileUID string, sp storedPack) (string, error) {
	if !sp.Sealed {
		return sp.Values, nil
	}
	return s.cfg.Sealer.Open(sp.Values, profileUID+"/"+sp.Name)
}

// unmask puts stored secrets back where a client sent the mask (as it reads
// them): a value of a secret path equal to the mask keeps its stored value.
func (s *Server) unmask(ctx context.Context, p *principal, old *storedBody, profileUID string, in *profileIn) *Error {
	if old == nil {
		return nil
	}
	for i := range in.Spec.Template.Packs {
		pk := &in.Spec.Template.Packs[i]
		if !strings.Contains(pk.Values, macro.MaskText) {
			continue
		}
		var prev *storedPack
		for j := range old.Packs {
			if old.Packs[j].Name == pk.Name {
				prev = &old.Packs[j]
			}
		}
		if prev == nil {
			continue
		}
		en, e := s.entryByUID(ctx, p, prev.PackUID)
		if e != nil {
			continue
		}
		pack, err := s.loadPack(ctx, en)
		if err != nil {
			continue
		}
		clear, err := s.openValues(profileUID, *prev)
		if err != nil {
			return internalError(err, "stored secrets cannot be read")
		}
		oldDoc, err1 := values.Parse([]byte(clear))
		newDoc, err2 := values.Parse([]byte(pk.Values))
		if err1 != nil || err2 != nil {
			continue
		}
		pk.Values = profile.ReplaceScalars(pk.Values, newDoc, func(path string, n *yaml.Node) (string, bool) {
			if n.Value != macro.MaskText || !pack.IsSecret(path) {
				return "", false
			}
			o, ok := oldDoc.Lookup(path)
			if !ok {
				return "", false
			}
			return strconv.Quote(o.Value), true
		})
	}
	return nil
}

func revisionFrom(r *http.Request, in *profileIn) (int64, bool, *Error) {
	raw := strings.Trim(r.Header.Get("If-Match"), `"W/`)
	if raw == "" && in != nil {
		raw = in.Metadata.ResourceVersion
	}
	if raw == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, false, errorf(http.StatusBadRequest, CodeBadRequest, "resource version %q is not a number", raw)
	}
	return n, true, nil
}

// checkRevision refuses, with 409, a write that names a revision other than
// the stored one (If-Match, or metadata.resourceVersion in the body).
func checkRevision(r *http.Request, in *profileIn, rec store.Profile) *Error {
	rev, ok, e := revisionFrom(r, in)
	if e != nil {
		return e
	}
	if ok && rev != rec.Revision {
		return errorf(http.StatusConflict, CodeConflict, "cluster profile %s is at revision %d, not %d; read it again and retry", rec.UID, rec.Revision, rev)
	}
	return nil
}

func marshalBody(b storedBody) []byte {
	out, _ := json.Marshal(b)
	return out
}

func (s *Server) decodeBody(raw []byte) (storedBody, error) {
	var b storedBody
	if len(raw) == 0 {
		return b, errors.New("empty body")
	}
	err := json.Unmarshal(raw, &b)
	return b, err
}

// createProfile is POST /v1/clusterprofiles: 201 {uid}.
func (s *Server) createProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	var in profileIn
	if e := decodeJSON(r, &in); e != nil {
		return e
	}
	uid, e := s.create(r.Context(), p, &in, false)
	if e != nil {
		return e
	}
	writeJSON(w, http.StatusCreated, map[string]string{"uid": uid})
	return nil
}

// importProfile is POST /v1/clusterprofiles/import[?publish=true], Palette's export shape.
func (s *Server) importProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	var in profileIn
	if e := decodeJSON(r, &in); e != nil {
		return e
	}
	publish, _ := strconv.ParseBool(r.URL.Query().Get("publish"))
	uid, e := s.create(r.Context(), p, &in, publish)
	if e != nil {
		return e
	}
	writeJSON(w, http.StatusCreated, map[string]string{"uid": uid})
	return nil
}

func (s *Server) create(ctx context.Context, p *principal, in *profileIn, publish bool) (string, *Error) {
	if in.Spec.Version == "" {
		in.Spec.Version = "1.0.0"
	}
	if in.Spec.Template.Type == "" {
		in.Spec.Template.Type = profile.TypeCluster
	}
	uid := newID(12)
	v, e := s.validate(ctx, p, documentOf(in), in, uid)
	if e != nil {
		return "", e
	}
	warn, _ := json.Marshal(v.warnings)
	sc := profileScope(p)
	rec := &store.Profile{UID: uid, TenantUID: sc.TenantUID, ProjectUID: sc.ProjectUID, Name: in.Metadata.Name, Version: in.Spec.Version,
		Status: store.StatusDraft, Type: v.body.Type, CloudType: v.body.CloudType, Body: marshalBody(v.body), Warnings: warn}
	if publish {
		rec.Status, rec.Published = store.StatusPublished, rec.Body
	}
	if err := s.store.CreateProfile(ctx, rec, audit(p, "profile.create", "clusterprofile", uid, in.Metadata.Name+"@"+in.Spec.Version)); err != nil {
		return "", fromStore(err, "cluster profile", in.Metadata.Name+" "+in.Spec.Version)
	}
	return rec.UID, nil
}

// validateProfile is POST /v1/clusterprofiles/validate: the findings, nothing stored.
func (s *Server) validateProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	var in profileIn
	if e := decodeJSON(r, &in); e != nil {
		return e
	}
	v := &profile.Validator{Packs: s.newPackSource(r.Context(), p), Engine: s.validator.Engine}
	ctx, cancel := context.WithTimeout(r.Context(), ValidationTimeout)
	defer cancel()
	res := v.Validate(documentOf(&in), profile.Options{Budget: macro.NewBudget(ctx, 0)})
	writeJSON(w, http.StatusOK, map[string]any{"valid": !res.Findings.HasErrors(), "findings": nonNilFindings(res.Findings)})
	return nil
}

func (s *Server) load(ctx context.Context, p *principal, uid string) (store.Profile, storedBody, *Error) {
	rec, err := s.store.GetProfile(ctx, profileScope(p), uid)
	if err != nil {
		return rec, storedBody{}, fromStore(err, "cluster profile", uid)
	}
	body, err := s.decodeBody(rec.Body)
	if err != nil {
		return rec, body, internalError(err, "stored profile %s is unreadable", uid)
	}
	return rec, body, nil
}

// updateProfile is PUT /v1/clusterprofiles/{uid}: 204. The cloud type is kept.
func (s *Server) updateProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	uid := r.PathValue("uid")
	var in profileIn
	if e := decodeJSON(r, &in); e != nil {
		return e
	}
	rec, old, e := s.load(r.Context(), p, uid)
	if e != nil {
		return e
	}
	if e := checkRevision(r, &in, rec); e != nil {
		return e
	}
	if in.Spec.Template.CloudType == "" {
		in.Spec.Template.CloudType = old.CloudType
	}
	if in.Spec.Template.Type == "" {
		in.Spec.Template.Type = old.Type
	}
	if in.Metadata.Name == "" {
		in.Metadata.Name = rec.Name
	}
	if in.Spec.Version == "" {
		in.Spec.Version = rec.Version
	}
	vars, e := s.unmaskVariables(uid, in.Spec.Variables, old.Variables)
	if e != nil {
		return e
	}
	in.Spec.Variables = vars
	if in.Metadata.Labels == nil {
		in.Metadata.Labels = old.Labels
	}
	if in.Metadata.Annotations == nil {
		in.Metadata.Annotations = old.Annotations
	}
	if e := s.unmask(r.Context(), p, &old, uid, &in); e != nil {
		return e
	}
	v, e := s.validate(r.Context(), p, documentOf(&in), &in, uid)
	if e != nil {
		return e
	}
	warn, _ := json.Marshal(v.warnings)
	rec.Name, rec.Version, rec.Type, rec.CloudType = in.Metadata.Name, in.Spec.Version, v.body.Type, v.body.CloudType
	rec.Body, rec.Warnings = marshalBody(v.body), warn
	return s.save(w, r, p, &rec, "profile.update")
}

// save writes a changed profile (if its revision is still the one read),
// records the action in the audit log, and answers 204 with the new ETag.
func (s *Server) save(w http.ResponseWriter, r *http.Request, p *principal, rec *store.Profile, action string) *Error {
	if err := s.store.UpdateProfile(r.Context(), rec, audit(p, action, "clusterprofile", rec.UID, rec.Name+"@"+rec.Version)); err != nil {
		return fromStore(err, "cluster profile", rec.UID)
	}
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(rec.Revision, 10)))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// publishProfile is PATCH /v1/clusterprofiles/{uid}/publish: 204.
func (s *Server) publishProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	uid := r.PathValue("uid")
	rec, _, e := s.load(r.Context(), p, uid)
	if e != nil {
		return e
	}
	if e := checkRevision(r, nil, rec); e != nil {
		return e
	}
	rec.Status, rec.Published = store.StatusPublished, rec.Body
	return s.save(w, r, p, &rec, "profile.publish")
}

// patchProfileMetadata is PATCH /v1/clusterprofiles/{uid}/metadata: 204.
func (s *Server) patchProfileMetadata(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	uid := r.PathValue("uid")
	var in struct {
		Metadata objectMeta `json:"metadata"`
		Spec     struct {
			Version string `json:"version"`
		} `json:"spec"`
	}
	if e := decodeJSON(r, &in); e != nil {
		return e
	}
	rec, body, e := s.load(r.Context(), p, uid)
	if e != nil {
		return e
	}
	if e := checkRevision(r, &profileIn{Metadata: in.Metadata}, rec); e != nil {
		return e
	}
	if in.Metadata.Name != "" && in.Metadata.Name != rec.Name {
		return errorf(http.StatusBadRequest, CodeBadRequest, "metadata.name: a profile cannot be renamed; create a new profile")
	}
	if in.Spec.Version != "" && in.Spec.Version != rec.Version {
		return errorf(http.StatusBadRequest, CodeBadRequest, "spec.version: create a new profile version instead of changing this one's")
	}
	if e := checkObjectMeta(&in.Metadata); e != nil {
		return e
	}
	body.Labels, body.Annotations = in.Metadata.Labels, in.Metadata.Annotations
	rec.Body = marshalBody(body)
	if rec.Published != nil {
		if pub, err := s.decodeBody(rec.Published); err == nil {
			pub.Labels, pub.Annotations = body.Labels, body.Annotations
			rec.Published = marshalBody(pub)
		}
	}
	return s.save(w, r, p, &rec, "profile.metadata")
}

// deleteProfile is DELETE /v1/clusterprofiles/{uid}: 204.
func (s *Server) deleteProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	uid := r.PathValue("uid")
	rec, _, e := s.load(r.Context(), p, uid)
	if e != nil {
		return e
	}
	if e := checkRevision(r, nil, rec); e != nil {
		return e
	}
	if err := s.store.DeleteProfile(r.Context(), profileScope(p), uid, audit(p, "profile.delete", "clusterprofile", uid, rec.Name+"@"+rec.Version)); err != nil {
		return fromStore(err, "cluster profile", uid)
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// --- read path ---

// maskedValues returns a layer's values with secrets masked.
func (s *Server) maskedValues(ctx context.Context, p *principal, profileUID string, sp storedPack) string {
	clear, err := s.openValues(profileUID, sp)
	if err != nil {
		return macro.MaskText
	}
	if !sp.Sealed && !usesReferences(clear) {
		return clear
	}
	en, e := s.entryByUID(ctx, p, sp.PackUID)
	if e != nil {
		return macro.MaskText
	}
	pk, err := s.loadPack(ctx, en)
	if err != nil {
		return macro.MaskText
	}
	doc, err := values.Parse([]byte(clear))
	if err != nil {
		return macro.MaskText
	}
	return profile.MaskSecrets(clear, doc, pk.IsSecret)
}

func (s *Server) templateOf(ctx context.Context, p *principal, rec store.Profile, raw []byte) (*templateOut, storedBody) {
	body, err := s.decodeBody(raw)
	if err != nil {
		return nil, body
	}
	t := &templateOut{UID: rec.UID, Name: rec.Name, CloudType: body.CloudType, Type: body.Type, ProfileVersion: rec.Version, Version: rec.Revision, Packs: []packRefOut{}}
	for _, sp := range body.Packs {
		ms := []objectMeta{}
		for _, m := range sp.Manifests {
			ms = append(ms, objectMeta{Name: m.Name, UID: m.UID})
		}
		t.Packs = append(t.Packs, packRefOut{Name: sp.Name, Type: sp.Type, Layer: sp.Layer, Tag: sp.Tag, Version: sp.Version, PackUID: sp.PackUID,
			RegistryUID: sp.RegistryUID, Values: s.maskedValues(ctx, p, rec.UID, sp), Manifests: ms, Schema: []packSchema{}, Presets: []pack.Preset{}})
	}
	return t, body
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func (s *Server) render(ctx context.Context, p *principal, rec store.Profile) (*profileOut, *Error) {
	out := &profileOut{APIVersion: "v1", Kind: "ClusterProfile"}
	draft, body := s.templateOf(ctx, p, rec, rec.Body)
	if draft == nil {
		return nil, errorf(http.StatusInternalServerError, CodeInternal, "stored profile %s is unreadable", rec.UID)
	}
	ann := map[string]string{}
	for k, v := range body.Annotations {
		ann[k] = v
	}
	ann["scope"] = scopeName(store.Scope{TenantUID: rec.TenantUID, ProjectUID: rec.ProjectUID})
	out.Metadata = objectMeta{Name: rec.Name, UID: rec.UID, Labels: body.Labels, Annotations: ann, CreationTimestamp: rfc3339(rec.CreatedAt),
		LastModifiedTimestamp: rfc3339(rec.UpdatedAt), ResourceVersion: strconv.FormatInt(rec.Revision, 10)}
	out.Spec.Version = rec.Version
	out.Spec.Draft = draft
	if rec.Published != nil {
		out.Spec.Published, _ = s.templateOf(ctx, p, rec, rec.Published)
	}
	out.Spec.Versions = []versionRef{}
	if siblings, err := s.store.ListProfiles(ctx, store.ProfileQuery{Scope: store.Scope{TenantUID: rec.TenantUID, ProjectUID: rec.ProjectUID}, Name: rec.Name, Limit: 1000}); err == nil {
		for _, sb := range siblings {
			out.Spec.Versions = append(out.Spec.Versions, versionRef{UID: sb.UID, Version: sb.Version})
		}
	}
	out.Status.IsPublished = rec.Published != nil
	out.Status.InUseClusters = []any{}
	out.Status.Findings = finding.List{}
	if len(rec.Warnings) > 0 {
		_ = json.Unmarshal(rec.Warnings, &out.Status.Findings)
	}
	return out, nil
}

// getProfile is GET /v1/clusterprofiles/{uid}.
func (s *Server) getProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	uid := r.PathValue("uid")
	rec, err := s.store.GetProfile(r.Context(), profileScope(p), uid)
	if err != nil {
		return fromStore(err, "cluster profile", uid)
	}
	out, e := s.render(r.Context(), p, rec)
	if e != nil {
		return e
	}
	w.Header().Set("ETag", strconv.Quote(strconv.FormatInt(rec.Revision, 10)))
	writeJSON(w, http.StatusOK, out)
	return nil
}

// getVariables is GET /v1/clusterprofiles/{uid}/variables.
func (s *Server) getVariables(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	_, body, e := s.load(r.Context(), p, r.PathValue("uid"))
	if e != nil {
		return e
	}
	writeJSON(w, http.StatusOK, map[string]any{"variables": nonNilVariables(maskVariables(body.Variables))})
	return nil
}

// putVariables is PUT /v1/clusterprofiles/{uid}/variables: 204, validated like the profile.
func (s *Server) putVariables(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	uid := r.PathValue("uid")
	var in struct {
		Variables []profile.Variable `json:"variables"`
	}
	if e := decodeJSON(r, &in); e != nil {
		return e
	}
	rec, body, e := s.load(r.Context(), p, uid)
	if e != nil {
		return e
	}
	if e := checkRevision(r, nil, rec); e != nil {
		return e
	}
	vars, e := s.unmaskVariables(uid, nonNilVariables(in.Variables), body.Variables)
	if e != nil {
		return e
	}
	// Re-validate the whole profile with the new variables.
	pin := &profileIn{}
	pin.Metadata.Name, pin.Spec.Version = rec.Name, rec.Version
	pin.Spec.Template.Type, pin.Spec.Template.CloudType = body.Type, body.CloudType
	pin.Spec.Variables = vars
	for _, sp := range body.Packs {
		clear, err := s.openValues(uid, sp)
		if err != nil {
			return internalError(err, "stored secrets cannot be read")
		}
		pin.Spec.Template.Packs = append(pin.Spec.Template.Packs, packIn{Name: sp.Name, Type: sp.Type, Layer: sp.Layer, Tag: sp.Tag, UID: sp.PackUID, RegistryUID: sp.RegistryUID, Values: clear})
	}
	v, e := s.validate(r.Context(), p, documentOf(pin), pin, uid)
	if e != nil {
		return e
	}
	body.Variables = v.body.Variables
	for i := range body.Packs {
		body.Packs[i].Values, body.Packs[i].Sealed = v.body.Packs[i].Values, v.body.Packs[i].Sealed
	}
	rec.Body = marshalBody(body)
	return s.save(w, r, p, &rec, "profile.variables")
}

// getManifests is GET /v1/clusterprofiles/{uid}/packs/{name}/manifests.
func (s *Server) getManifests(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	uid, name := r.PathValue("uid"), r.PathValue("name")
	_, body, e := s.load(r.Context(), p, uid)
	if e != nil {
		return e
	}
	type data struct {
		Content string `json:"content"`
	}
	type item struct {
		Metadata objectMeta `json:"metadata"`
		Spec     struct {
			Draft     data `json:"draft"`
			Published data `json:"published"`
		} `json:"spec"`
	}
	items := []item{}
	found := false
	for _, sp := range body.Packs {
		if sp.Name != name {
			continue
		}
		found = true
		for _, m := range sp.Manifests {
			var it item
			it.Metadata = objectMeta{Name: m.Name, UID: m.UID}
			it.Spec.Draft.Content, it.Spec.Published.Content = m.Content, m.Content
			items = append(items, it)
		}
	}
	if !found {
		return notFound("layer", name)
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}

// exportProfile is GET /v1/clusterprofiles/{uid}/export: Palette's export
// shape, which POST /v1/clusterprofiles/import takes back. Secrets are masked.
func (s *Server) exportProfile(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	uid := r.PathValue("uid")
	rec, body, e := s.load(r.Context(), p, uid)
	if e != nil {
		return e
	}
	var out profile.Profile
	out.Metadata.Name = rec.Name
	out.Metadata.Labels, out.Metadata.Annotations = body.Labels, body.Annotations
	out.Spec.Version = rec.Version
	out.Spec.Template.Type, out.Spec.Template.CloudType = body.Type, body.CloudType
	out.Spec.Variables = maskVariables(body.Variables)
	regNames := map[string]string{}
	if views, e := s.registryViews(r, p); e == nil {
		for _, v := range views {
			regNames[v.uid] = v.name
		}
	}
	out.Spec.Template.Packs = []profile.PackRef{}
	for _, sp := range body.Packs {
		out.Spec.Template.Packs = append(out.Spec.Template.Packs, profile.PackRef{Name: sp.Name, Type: sp.Type, Layer: sp.Layer, Tag: sp.Tag, Version: sp.Version,
			Registry: &profile.RegistryRef{Metadata: profile.RegistryMeta{UID: sp.RegistryUID, Name: regNames[sp.RegistryUID], Kind: "pack", IsPrivate: sp.RegistryUID != PublicRepoUID}},
			Values:   s.maskedValues(r.Context(), p, uid, sp)})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// profilesMetadata is GET /v1/dashboard/clusterprofiles/metadata.
func (s *Server) profilesMetadata(w http.ResponseWriter, r *http.Request, p *principal) *Error {
	recs, err := s.store.ListProfiles(r.Context(), store.ProfileQuery{Scope: profileScope(p), Name: r.URL.Query().Get("name")})
	if err != nil {
		return fromStore(err, "cluster profile", "")
	}
	type spec struct {
		CloudType string `json:"cloudType"`
		Version   string `json:"version"`
		Type      string `json:"type"`
		Status    string `json:"status"`
		Revision  int64  `json:"revision"`
	}
	type item struct {
		Metadata objectEntity `json:"metadata"`
		Spec     spec         `json:"spec"`
	}
	items := make([]item, 0, len(recs))
	for _, rec := range recs {
		items = append(items, item{Metadata: objectEntity{Name: rec.Name, UID: rec.UID}, Spec: spec{CloudType: rec.CloudType, Version: rec.Version, Type: rec.Type, Status: rec.Status, Revision: rec.Revision}})
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
	return nil
}
