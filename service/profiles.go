package service

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/macro"
	"github.com/byoos/byoos/names"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/values"
	"github.com/byoos/byoos/wire"
)

// DefaultValidationTimeout bounds the time one operation may spend resolving
// macros (with the work bound of macro.DefaultWork); the caller's context
// ending stops it too. Past it, validation fails with a macro-budget finding.
const DefaultValidationTimeout = 10 * time.Second

// Caller is who runs an operation, and where.
type Caller struct {
	// Scope is the tenant and the project the operation acts in.
	Scope store.Scope
	// Actor names the API key, for the audit log.
	Actor string
	// TenantWide is set when the caller's key is not limited to a project:
	// with an admin key, it may change the tenant's profiles from a project
	// context too.
	TenantWide bool
}

// of returns c acting in rec's scope: a tenant-wide profile read or written
// from a project context resolves packs against the tenant's registries and
// records its changes in the tenant's audit log.
func (c Caller) of(rec store.Profile) Caller {
	c.Scope = store.Scope{TenantUID: rec.TenantUID, ProjectUID: rec.ProjectUID}
	return c
}

// writing returns c acting in rec's scope for a change of rec. A project
// context sees its tenant's profiles read-only: changing one is refused
// (wire.CodeForbidden) unless c's key is tenant-wide.
func (c Caller) writing(rec store.Profile) (Caller, error) {
	if rec.ProjectUID != c.Scope.ProjectUID && !c.TenantWide {
		return c, Errorf(wire.CodeForbidden,
			"cluster profile %s is tenant-wide: a project sees it read-only, and only a tenant admin API key may change it", rec.UID)
	}
	return c.of(rec), nil
}

// Audit returns the audit event of a change c makes in its own scope.
func (c Caller) Audit(action, kind, uid, summary string) store.AuditEvent {
	return store.AuditEvent{TenantUID: c.Scope.TenantUID, ProjectUID: c.Scope.ProjectUID, Actor: c.Actor, Action: action, Kind: kind, UID: uid, Summary: summary}
}

// Sources builds the resolver of each caller: the built-in packs, then the
// private registries its scope may read, through one cache of parsed packs.
type Sources struct {
	Store  store.Store
	Public *MemoryIndex
	Packs  *PackCache
}

// For returns the resolver of a scope.
func (s *Sources) For(scope store.Scope) *Resolver {
	return NewResolver(s.Public, NewStoreIndex(s.Store, scope, s.Packs))
}

// Profiles runs the life of cluster profiles: every write is load, check the
// revision, change, validate, seal, save (with its audit event), and every
// read masks secrets. It is safe for concurrent use.
type Profiles struct {
	st      store.Store
	sealer  *secret.Sealer
	sources *Sources
	engine  *macro.Engine
	timeout time.Duration
}

// NewProfiles returns the profile service. timeout bounds validation
// (DefaultValidationTimeout when 0).
func NewProfiles(st store.Store, sealer *secret.Sealer, sources *Sources, engine *macro.Engine, timeout time.Duration) *Profiles {
	if timeout <= 0 {
		timeout = DefaultValidationTimeout
	}
	return &Profiles{st: st, sealer: sealer, sources: sources, engine: engine, timeout: timeout}
}

// storedBody is what the store keeps of a profile version, secrets sealed.
type storedBody struct {
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Type        string            `json:"type"`
	CloudType   string            `json:"cloudType"`
	Packs       []storedPack      `json:"packs"`
	// Variables are as stored: sensitive default values sealed.
	Variables []wire.Variable `json:"variables,omitempty"`
}

type storedPack struct {
	Name        string          `json:"name"`
	Type        string          `json:"type"`
	Layer       string          `json:"layer"`
	Tag         string          `json:"tag"`
	Version     string          `json:"version"`
	PackUID     string          `json:"packUid"`
	RegistryUID string          `json:"registryUid"`
	Values      string          `json:"values"`
	Sealed      bool            `json:"sealed,omitempty"`
	Manifests   []wire.Manifest `json:"manifests,omitempty"`
}

func marshalBody(b storedBody) []byte {
	out, _ := json.Marshal(b) // maps of strings and strings: cannot fail
	return out
}

func decodeBody(uid string, raw []byte) (storedBody, error) {
	var b storedBody
	if len(raw) == 0 {
		return b, fmt.Errorf("stored profile %s has an empty body", uid)
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return b, fmt.Errorf("stored profile %s is unreadable: %w", uid, err)
	}
	return b, nil
}

// valuesAAD binds a sealed layer to its profile and layer.
func valuesAAD(profileUID, layer string) string { return profileUID + "/" + layer }

// openValues returns a stored layer's values text in clear.
func (s *Profiles) openValues(profileUID string, sp storedPack) (string, error) {
	if !sp.Sealed {
		return sp.Values, nil
	}
	plain, err := s.sealer.Open(sp.Values, valuesAAD(profileUID, sp.Name))
	if err != nil {
		return "", fmt.Errorf("open the secrets of layer %s of profile %s: %w", sp.Name, profileUID, err)
	}
	return plain, nil
}

// --- validation ---

// validated is a profile that passed validation, ready to store.
type validated struct {
	body     storedBody
	warnings finding.List
}

// Validate checks a profile document against the caller's registries and
// stores nothing.
func (s *Profiles) Validate(ctx context.Context, c Caller, doc *wire.Profile) (*wire.Validation, error) {
	res, err := s.run(ctx, c, doc)
	if err != nil {
		return nil, err
	}
	return &wire.Validation{Valid: !res.Findings.HasErrors(), Findings: nonNil(res.Findings)}, nil
}

// run runs the validation pipeline on doc for c, under the time and work
// budget of one operation.
func (s *Profiles) run(ctx context.Context, c Caller, doc *wire.Profile) (*profile.Result, error) {
	return s.runWith(ctx, c, doc, nil)
}

// runWith is run with system macro values (cloud.region, say) over those
// derived from the profile.
func (s *Profiles) runWith(ctx context.Context, c Caller, doc *wire.Profile, system map[string]string) (*profile.Result, error) {
	v := &profile.Validator{Packs: s.sources.For(c.Scope), Engine: s.engine}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	project, tenant, err := NewMacros(s.st).userMacros(ctx, c.Scope)
	if err != nil {
		return nil, fmt.Errorf("validate cluster profile %q: %w", doc.Metadata.Name, err)
	}
	res, err := v.Validate(ctx, &profile.Document{Profile: *doc}, profile.Options{Budget: macro.NewBudget(ctx, 0), ProjectMacros: project, TenantMacros: tenant, System: system})
	if err != nil {
		return nil, fmt.Errorf("validate cluster profile %q: %w", doc.Metadata.Name, err)
	}
	return res, nil
}

// validate checks doc's names and values and builds the stored body of
// profile uid, secrets sealed. A profile with errors is refused with
// wire.CodeInvalidProfile and the findings.
func (s *Profiles) validate(ctx context.Context, c Caller, doc *wire.Profile, uid string) (*validated, error) {
	if err := checkMeta(doc.Metadata, true); err != nil {
		return nil, err
	}
	res, err := s.run(ctx, c, doc)
	if err != nil {
		return nil, err
	}
	if res.Findings.HasErrors() {
		return nil, &Error{Code: wire.CodeInvalidProfile, Message: FindingsMessage("cluster profile "+strconv.Quote(doc.Metadata.Name), res.Findings), Findings: res.Findings}
	}
	vars, err := s.sealVariables(uid, doc.Spec.Variables)
	if err != nil {
		return nil, err
	}
	t := &doc.Spec.Template
	body := storedBody{Labels: doc.Metadata.Labels, Annotations: doc.Metadata.Annotations, Type: t.Type, CloudType: t.CloudType, Variables: vars}
	for i, l := range res.Layers {
		ref := t.Packs[i]
		sp := storedPack{Name: ref.Name, Type: ref.Type, Layer: ref.Layer, Tag: ref.Tag, Version: ref.Version, Values: strings.TrimSpace(ref.Values)}
		if l.Pack != nil {
			sp.Layer, sp.Version, sp.PackUID, sp.RegistryUID = l.Pack.Meta.Layer, l.Pack.Meta.Version, l.PackUID, l.RegistryUID
			if sp.Tag == "" {
				sp.Tag = l.Pack.Meta.Version
			}
		} else if sp.Layer == "" {
			sp.Layer = "addon" // a manifest layer
		}
		if sp.Type == "" {
			sp.Type = "spectro"
		}
		for _, m := range ref.Manifests {
			if m.UID == "" {
				m.UID = newID(12)
			}
			sp.Manifests = append(sp.Manifests, m)
		}
		if l.Values != nil && l.Pack != nil && len(profile.SecretNodes(l.Values, l.Pack.IsSecret)) > 0 {
			sealed, err := s.sealer.Seal(sp.Values, valuesAAD(uid, sp.Name))
			if err != nil {
				return nil, fmt.Errorf("seal the secrets of layer %s: %w", sp.Name, err)
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

// checkMeta checks a profile's name (when name is true), labels and
// annotations against package names' rules.
func checkMeta(m wire.Metadata, name bool) error {
	if name {
		if e := names.Profile(m.Name); e != nil {
			return Errorf(wire.CodeBadRequest, "%s", e.At("metadata.name"))
		}
	}
	if e := names.Labels(m.Labels); e != nil {
		return Errorf(wire.CodeBadRequest, "%s", e.At("metadata.labels"))
	}
	if e := names.Annotations(m.Annotations); e != nil {
		return Errorf(wire.CodeBadRequest, "%s", e.At("metadata.annotations"))
	}
	return nil
}

// FindingsMessage says, in one readable text, what is wrong: each error with
// its layer, path, line and fix. Terraform prints this message.
func FindingsMessage(what string, fl finding.List) string {
	errs := fl.Errors()
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

// --- writes ---

// Create validates doc and stores it as a new profile of c's scope, a draft,
// or published at once when publish is true; it returns the new uid.
// Missing version and type default to 1.0.0 and cluster.
func (s *Profiles) Create(ctx context.Context, c Caller, doc *wire.Profile, publish bool) (string, error) {
	if doc.Spec.Version == "" {
		doc.Spec.Version = "1.0.0"
	}
	if doc.Spec.Template.Type == "" {
		doc.Spec.Template.Type = profile.TypeCluster
	}
	uid := newID(12)
	v, err := s.validate(ctx, c, doc, uid)
	if err != nil {
		return "", err
	}
	warn, _ := json.Marshal(v.warnings)
	rec := &store.Profile{UID: uid, TenantUID: c.Scope.TenantUID, ProjectUID: c.Scope.ProjectUID, Name: doc.Metadata.Name, Version: doc.Spec.Version,
		Status: store.StatusDraft, Type: v.body.Type, CloudType: v.body.CloudType, Body: marshalBody(v.body), Warnings: warn}
	if publish {
		rec.Status, rec.Published = store.StatusPublished, rec.Body
	}
	if err := s.st.CreateProfile(ctx, rec, c.Audit("profile.create", "clusterprofile", uid, doc.Metadata.Name+"@"+doc.Spec.Version)); err != nil {
		return "", FromStore(err, "cluster profile", doc.Metadata.Name+" "+doc.Spec.Version)
	}
	return uid, nil
}

// find reads profile uid as c sees it: of c's scope, or, in a project
// context, of its tenant (tenant-wide), as in Palette; a tenant-wide key in
// the tenant's context reaches any project's profile by its uid too (it may
// read every project; the Terraform provider sends some calls of a project
// profile without the project header).
func (s *Profiles) find(ctx context.Context, c Caller, uid string) (store.Profile, error) {
	rec, err := s.st.GetProfile(ctx, c.Scope, uid)
	switch {
	case !errors.Is(err, store.ErrNotFound):
	case c.Scope.ProjectUID != "":
		rec, err = s.st.GetProfile(ctx, store.Scope{TenantUID: c.Scope.TenantUID}, uid)
	case c.TenantWide:
		rec, err = s.st.GetProfileInTenant(ctx, c.Scope.TenantUID, uid)
	}
	if err != nil {
		return rec, FromStore(err, "cluster profile", uid)
	}
	return rec, nil
}

// load reads profile uid as c sees it (find) and decodes its draft.
func (s *Profiles) load(ctx context.Context, c Caller, uid string) (store.Profile, storedBody, error) {
	rec, err := s.find(ctx, c, uid)
	if err != nil {
		return rec, storedBody{}, err
	}
	body, err := decodeBody(uid, rec.Body)
	return rec, body, err
}

// ParseRevision reads a resource version (an If-Match header's, or
// metadata.resourceVersion): "" is none.
func ParseRevision(raw string) (int64, bool, error) {
	raw = strings.Trim(strings.TrimPrefix(strings.TrimSpace(raw), "W/"), `"`)
	if raw == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return 0, false, Errorf(wire.CodeBadRequest, "resource version %q is not a number", raw)
	}
	return n, true, nil
}

// write runs one write of profile uid: load, check the revision the caller
// read (rev, "" for none), change, save with the audit event of action. It
// returns the new revision. change gets the caller acting in the profile's
// scope (see Caller.writing).
func (s *Profiles) write(ctx context.Context, c Caller, uid, rev, action string, change func(c Caller, rec *store.Profile, body *storedBody) error) (int64, error) {
	want, given, err := ParseRevision(rev)
	if err != nil {
		return 0, err
	}
	rec, body, err := s.load(ctx, c, uid)
	if err != nil {
		return 0, err
	}
	if c, err = c.writing(rec); err != nil {
		return 0, err
	}
	if given && want != rec.Revision {
		return 0, Errorf(wire.CodeConflict, "cluster profile %s is at revision %d, not %d; read it again and retry", rec.UID, rec.Revision, want)
	}
	if err := change(c, &rec, &body); err != nil {
		return 0, err
	}
	if err := s.st.UpdateProfile(ctx, &rec, c.Audit(action, "clusterprofile", rec.UID, rec.Name+"@"+rec.Version)); err != nil {
		return 0, FromStore(err, "cluster profile", rec.UID)
	}
	return rec.Revision, nil
}

// Update replaces the draft of profile uid with doc; what doc leaves out
// (type, cloud type, name, version, variables, labels, annotations) is kept,
// and masks stand for the stored secrets behind them. rev is the revision
// the caller read (the If-Match header; doc's metadata.resourceVersion when
// empty).
func (s *Profiles) Update(ctx context.Context, c Caller, uid string, doc *wire.Profile, rev string) (int64, error) {
	if rev == "" {
		rev = doc.Metadata.ResourceVersion
	}
	return s.write(ctx, c, uid, rev, "profile.update", func(c Caller, rec *store.Profile, old *storedBody) error {
		if err := s.asUpdate(ctx, c, *rec, old, doc); err != nil {
			return err
		}
		v, err := s.validate(ctx, c, doc, uid)
		if err != nil {
			return err
		}
		warn, _ := json.Marshal(v.warnings)
		rec.Name, rec.Version, rec.Type, rec.CloudType = doc.Metadata.Name, doc.Spec.Version, v.body.Type, v.body.CloudType
		rec.Body, rec.Warnings = marshalBody(v.body), warn
		return nil
	})
}

// ValidateUpdate checks doc as Update would write it over profile uid (what
// doc leaves out is the stored profile's, and masks stand for the stored
// secrets behind them) and stores nothing: how an editor checks a change to
// a saved profile whose secrets it only ever sees masked.
func (s *Profiles) ValidateUpdate(ctx context.Context, c Caller, uid string, doc *wire.Profile) (*wire.Validation, error) {
	rec, old, err := s.load(ctx, c, uid)
	if err != nil {
		return nil, err
	}
	c = c.of(rec)
	if err := s.asUpdate(ctx, c, rec, &old, doc); err != nil {
		return nil, err
	}
	res, err := s.run(ctx, c, doc)
	if err != nil {
		return nil, err
	}
	return &wire.Validation{Valid: !res.Findings.HasErrors(), Findings: nonNil(res.Findings)}, nil
}

// asUpdate makes doc what an update of rec (stored as old) writes: the
// fields doc leaves out are the stored ones, and masks are replaced by the
// stored secrets they stand for.
func (s *Profiles) asUpdate(ctx context.Context, c Caller, rec store.Profile, old *storedBody, doc *wire.Profile) error {
	t := &doc.Spec.Template
	if t.CloudType == "" {
		t.CloudType = old.CloudType
	}
	if t.Type == "" {
		t.Type = old.Type
	}
	if doc.Metadata.Name == "" {
		doc.Metadata.Name = rec.Name
	}
	if doc.Spec.Version == "" {
		doc.Spec.Version = rec.Version
	}
	if doc.Metadata.Labels == nil {
		doc.Metadata.Labels = old.Labels
	}
	if doc.Metadata.Annotations == nil {
		doc.Metadata.Annotations = old.Annotations
	}
	vars, err := s.unmaskVariables(rec.UID, doc.Spec.Variables, old.Variables)
	if err != nil {
		return err
	}
	doc.Spec.Variables = vars
	return s.unmask(ctx, c, old, rec.UID, doc)
}

// unmask puts stored secrets back where a client sent the mask (as it reads
// them): a value of a secret path equal to the mask keeps its stored value.
func (s *Profiles) unmask(ctx context.Context, c Caller, old *storedBody, profileUID string, doc *wire.Profile) error {
	res := s.sources.For(c.Scope)
	for i := range doc.Spec.Template.Packs {
		ref := &doc.Spec.Template.Packs[i]
		if !strings.Contains(ref.Values, secret.Mask) {
			continue
		}
		var prev *storedPack
		for j := range old.Packs {
			if old.Packs[j].Name == ref.Name {
				prev = &old.Packs[j]
			}
		}
		if prev == nil {
			continue
		}
		pk, err := s.packOf(ctx, res, prev.PackUID)
		if err != nil {
			return err
		}
		if pk == nil {
			continue
		}
		stored, err := s.openValues(profileUID, *prev)
		if err != nil {
			return err
		}
		oldDoc, err1 := values.Parse([]byte(stored))
		newDoc, err2 := values.Parse([]byte(ref.Values))
		if err1 != nil || err2 != nil {
			continue
		}
		ref.Values = profile.ReplaceScalars(ref.Values, newDoc, func(path string, n *yaml.Node) (string, bool) {
			if n.Value != secret.Mask || !pk.IsSecret(path) {
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

// packOf returns the pack of a uid the resolver can read, or nil when it is
// gone (a registry deleted, say).
func (s *Profiles) packOf(ctx context.Context, res *Resolver, uid string) (*pack.Pack, error) {
	e, err := res.Get(ctx, uid)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return res.Load(ctx, e)
}

// Publish publishes the draft of profile uid.
func (s *Profiles) Publish(ctx context.Context, c Caller, uid, rev string) (int64, error) {
	return s.write(ctx, c, uid, rev, "profile.publish", func(_ Caller, rec *store.Profile, _ *storedBody) error {
		rec.Status, rec.Published = store.StatusPublished, rec.Body
		return nil
	})
}

// PatchMetadata replaces the labels and annotations of profile uid (draft
// and published). A name or version other than the profile's is refused.
// rev is the If-Match revision; meta.ResourceVersion when empty.
func (s *Profiles) PatchMetadata(ctx context.Context, c Caller, uid string, meta wire.Metadata, specVersion, rev string) (int64, error) {
	if rev == "" {
		rev = meta.ResourceVersion
	}
	return s.write(ctx, c, uid, rev, "profile.metadata", func(_ Caller, rec *store.Profile, body *storedBody) error {
		if meta.Name != "" && meta.Name != rec.Name {
			return Errorf(wire.CodeBadRequest, "metadata.name: a profile cannot be renamed; create a new profile")
		}
		if specVersion != "" && specVersion != rec.Version {
			return Errorf(wire.CodeBadRequest, "spec.version: create a new profile version instead of changing this one's")
		}
		if err := checkMeta(meta, false); err != nil {
			return err
		}
		body.Labels, body.Annotations = meta.Labels, meta.Annotations
		rec.Body = marshalBody(*body)
		if rec.Published != nil {
			if pub, err := decodeBody(rec.UID, rec.Published); err == nil {
				pub.Labels, pub.Annotations = body.Labels, body.Annotations
				rec.Published = marshalBody(pub)
			}
		}
		return nil
	})
}

// PutVariables replaces the variables of profile uid and validates the
// whole profile with them; masks stand for stored sensitive values.
func (s *Profiles) PutVariables(ctx context.Context, c Caller, uid string, vars []wire.Variable, rev string) (int64, error) {
	return s.write(ctx, c, uid, rev, "profile.variables", func(c Caller, rec *store.Profile, body *storedBody) error {
		clearVars, err := s.unmaskVariables(uid, nonNil(vars), body.Variables)
		if err != nil {
			return err
		}
		doc := &wire.Profile{}
		doc.Metadata.Name, doc.Spec.Version = rec.Name, rec.Version
		doc.Spec.Template.Type, doc.Spec.Template.CloudType = body.Type, body.CloudType
		doc.Spec.Variables = clearVars
		for _, sp := range body.Packs {
			stored, err := s.openValues(uid, sp)
			if err != nil {
				return err
			}
			doc.Spec.Template.Packs = append(doc.Spec.Template.Packs, wire.PackRef{Name: sp.Name, Type: sp.Type, Layer: sp.Layer, Tag: sp.Tag,
				UID: sp.PackUID, RegistryUID: sp.RegistryUID, Values: stored})
		}
		v, err := s.validate(ctx, c, doc, uid)
		if err != nil {
			return err
		}
		body.Variables = v.body.Variables
		for i := range body.Packs {
			body.Packs[i].Values, body.Packs[i].Sealed = v.body.Packs[i].Values, v.body.Packs[i].Sealed
		}
		rec.Body = marshalBody(*body)
		return nil
	})
}

// Delete deletes profile uid.
func (s *Profiles) Delete(ctx context.Context, c Caller, uid, rev string) error {
	want, given, err := ParseRevision(rev)
	if err != nil {
		return err
	}
	rec, _, err := s.load(ctx, c, uid)
	if err != nil {
		return err
	}
	if c, err = c.writing(rec); err != nil {
		return err
	}
	if given && want != rec.Revision {
		return Errorf(wire.CodeConflict, "cluster profile %s is at revision %d, not %d; read it again and retry", rec.UID, rec.Revision, want)
	}
	if err := s.st.DeleteProfile(ctx, c.Scope, uid, c.Audit("profile.delete", "clusterprofile", uid, rec.Name+"@"+rec.Version)); err != nil {
		return FromStore(err, "cluster profile", uid)
	}
	return nil
}

// --- reads ---

// maskedValues returns a layer's values with secrets masked: the whole text
// masked when it cannot be read or its pack is gone.
func (s *Profiles) maskedValues(ctx context.Context, res *Resolver, profileUID string, sp storedPack) string {
	stored, err := s.openValues(profileUID, sp)
	if err != nil {
		return secret.Mask
	}
	if !sp.Sealed && !usesReferences(stored) {
		return stored
	}
	pk, err := s.packOf(ctx, res, sp.PackUID)
	if err != nil || pk == nil {
		return secret.Mask
	}
	doc, err := values.Parse([]byte(stored))
	if err != nil {
		return secret.Mask
	}
	return profile.MaskSecrets(stored, doc, pk.IsSecret)
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

func (s *Profiles) templateOf(ctx context.Context, res *Resolver, rec store.Profile, raw []byte) (*wire.ProfileTemplate, storedBody, error) {
	body, err := decodeBody(rec.UID, raw)
	if err != nil {
		return nil, body, err
	}
	t := &wire.ProfileTemplate{UID: rec.UID, Name: rec.Name, CloudType: body.CloudType, Type: body.Type, ProfileVersion: rec.Version, Version: rec.Revision, Packs: []wire.ProfilePack{}}
	for _, sp := range body.Packs {
		ms := []wire.Manifest{}
		for _, m := range sp.Manifests {
			ms = append(ms, wire.Manifest{Name: m.Name, UID: m.UID})
		}
		t.Packs = append(t.Packs, wire.ProfilePack{Name: sp.Name, Type: sp.Type, Layer: sp.Layer, Tag: sp.Tag, Version: sp.Version, PackUID: sp.PackUID,
			RegistryUID: sp.RegistryUID, Values: s.maskedValues(ctx, res, rec.UID, sp), Manifests: ms, Schema: []wire.PackSchema{}, Presets: []wire.Preset{}})
	}
	return t, body, nil
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Get returns profile uid as the API answers it, secrets masked.
func (s *Profiles) Get(ctx context.Context, c Caller, uid string) (*wire.ClusterProfile, error) {
	rec, err := s.find(ctx, c, uid)
	if err != nil {
		return nil, err
	}
	c = c.of(rec)
	res := s.sources.For(c.Scope)
	out := &wire.ClusterProfile{APIVersion: "v1", Kind: "ClusterProfile"}
	draft, body, err := s.templateOf(ctx, res, rec, rec.Body)
	if err != nil {
		return nil, err
	}
	ann := map[string]string{}
	for k, v := range body.Annotations {
		ann[k] = v
	}
	ann["scope"] = scopeOf(rec)
	out.Metadata = wire.ObjectMeta{Name: rec.Name, UID: rec.UID, Labels: body.Labels, Annotations: ann, CreationTimestamp: rfc3339(rec.CreatedAt),
		LastModifiedTimestamp: rfc3339(rec.UpdatedAt), ResourceVersion: strconv.FormatInt(rec.Revision, 10)}
	out.Spec.Version = rec.Version
	out.Spec.Draft = draft
	if rec.Published != nil {
		if out.Spec.Published, _, err = s.templateOf(ctx, res, rec, rec.Published); err != nil {
			return nil, err
		}
	}
	out.Spec.Versions = []wire.VersionRef{}
	siblings, err := s.st.ListProfiles(ctx, store.ProfileQuery{Scope: store.Scope{TenantUID: rec.TenantUID, ProjectUID: rec.ProjectUID}, Name: rec.Name, Limit: 1000})
	if err != nil {
		return nil, FromStore(err, "cluster profile", rec.Name)
	}
	for _, sb := range siblings {
		out.Spec.Versions = append(out.Spec.Versions, wire.VersionRef{UID: sb.UID, Version: sb.Version})
	}
	out.Status.IsPublished = rec.Published != nil
	out.Status.InUseClusters, out.Status.InUseClusterUids, out.Status.InUseClusterTemplates = []any{}, []string{}, []any{}
	bodies := []storedBody{body}
	if rec.Published != nil {
		pub, err := decodeBody(rec.UID, rec.Published)
		if err != nil {
			return nil, err
		}
		bodies = append(bodies, pub)
	}
	if out.Status.Macros, err = s.macrosUsed(ctx, c.Scope, rec.UID, bodies...); err != nil {
		return nil, err
	}
	out.Status.HasUserMacros = len(out.Status.Macros) > 0
	out.Status.Findings = finding.List{}
	if len(rec.Warnings) > 0 {
		if err := json.Unmarshal(rec.Warnings, &out.Status.Findings); err != nil {
			return nil, fmt.Errorf("stored warnings of profile %s: %w", uid, err)
		}
	}
	return out, nil
}

// macrosUsed returns the user macros ({{ .spectro.macro.NAME }}) the
// layers of bodies reference, by name, each with the layers that name it and
// where it resolves for a profile of scope sc: the project's macros over the
// tenant's, as validation resolves them. Sealed layers are searched in clear;
// values that do not scan (an unclosed "{{") are searched up to the error.
// The macros are read only when a layer references one.
func (s *Profiles) macrosUsed(ctx context.Context, sc store.Scope, profileUID string, bodies ...storedBody) ([]wire.MacroUse, error) {
	byName := map[string]*wire.MacroUse{}
	var order []string
	for _, body := range bodies {
		for _, sp := range body.Packs {
			text, err := s.openValues(profileUID, sp)
			if err != nil {
				return nil, err
			}
			if !macro.HasMacro(text) {
				continue
			}
			xs, _ := macro.Scan(text)
			for _, x := range xs {
				if x.Kind != macro.KindMacro {
					continue
				}
				u := byName[x.Path]
				if u == nil {
					u = &wire.MacroUse{Name: x.Path, Layers: []string{}}
					byName[x.Path] = u
					order = append(order, x.Path)
				}
				if !slices.Contains(u.Layers, sp.Name) {
					u.Layers = append(u.Layers, sp.Name)
				}
			}
		}
	}
	out := []wire.MacroUse{}
	if len(order) == 0 {
		return out, nil
	}
	project, tenant, err := NewMacros(s.st).userMacros(ctx, sc)
	if err != nil {
		return nil, fmt.Errorf("cluster profile %s: %w", profileUID, err)
	}
	sort.Strings(order)
	for _, name := range order {
		u := *byName[name]
		if v, ok := project[name]; ok {
			u.Scope, u.Value, u.Defined = ScopeProject, v, true
		} else if v, ok := tenant[name]; ok {
			u.Scope, u.Value, u.Defined = ScopeTenant, v, true
		}
		out = append(out, u)
	}
	return out, nil
}

// Variables returns the variables of profile uid, sensitive values masked.
func (s *Profiles) Variables(ctx context.Context, c Caller, uid string) ([]wire.Variable, error) {
	_, body, err := s.load(ctx, c, uid)
	if err != nil {
		return nil, err
	}
	return nonNil(maskVariables(body.Variables)), nil
}

// Manifests returns the manifests of layer name of profile uid.
func (s *Profiles) Manifests(ctx context.Context, c Caller, uid, name string) ([]wire.Manifest, error) {
	_, body, err := s.load(ctx, c, uid)
	if err != nil {
		return nil, err
	}
	out := []wire.Manifest{}
	found := false
	for _, sp := range body.Packs {
		if sp.Name == name {
			found = true
			out = append(out, sp.Manifests...)
		}
	}
	if !found {
		return nil, NotFound("layer", name)
	}
	return out, nil
}

// Export returns profile uid in Palette's export shape, which Create takes
// back; secrets are masked.
func (s *Profiles) Export(ctx context.Context, c Caller, uid string) (*wire.Profile, error) {
	rec, body, err := s.load(ctx, c, uid)
	if err != nil {
		return nil, err
	}
	c = c.of(rec)
	res := s.sources.For(c.Scope)
	regs, err := res.Registries(ctx)
	if err != nil {
		return nil, err
	}
	regNames := map[string]string{}
	for _, g := range regs {
		regNames[g.UID] = g.Name
	}
	var out wire.Profile
	out.Metadata.Name = rec.Name
	out.Metadata.Labels, out.Metadata.Annotations = body.Labels, body.Annotations
	out.Spec.Version = rec.Version
	out.Spec.Template.Type, out.Spec.Template.CloudType = body.Type, body.CloudType
	out.Spec.Variables = maskVariables(body.Variables)
	out.Spec.Template.Packs = []wire.PackRef{}
	for _, sp := range body.Packs {
		out.Spec.Template.Packs = append(out.Spec.Template.Packs, wire.PackRef{Name: sp.Name, Type: sp.Type, Layer: sp.Layer, Tag: sp.Tag, Version: sp.Version,
			Registry: &wire.RegistryRef{Metadata: wire.RegistryMeta{UID: sp.RegistryUID, Name: regNames[sp.RegistryUID], Kind: "pack", IsPrivate: !isPublic(regs, sp.RegistryUID)}},
			Values:   s.maskedValues(ctx, res, uid, sp), Manifests: sp.Manifests})
	}
	return &out, nil
}

func isPublic(regs []Registry, uid string) bool {
	for _, g := range regs {
		if g.UID == uid {
			return g.Scope == ScopeSystem
		}
	}
	return false
}

// List returns the profile versions c sees (of its scope, and in a project
// context its tenant's too), only those named name when it is not empty.
func (s *Profiles) List(ctx context.Context, c Caller, name string) ([]wire.ProfileSummary, error) {
	recs, err := s.st.ListProfiles(ctx, store.ProfileQuery{Scope: c.Scope, WithTenant: true, Name: name})
	if err != nil {
		return nil, FromStore(err, "cluster profile", "")
	}
	out := make([]wire.ProfileSummary, 0, len(recs))
	for _, rec := range recs {
		scope := ScopeProject
		if rec.ProjectUID == "" {
			scope = ScopeTenant
		}
		out = append(out, wire.ProfileSummary{UID: rec.UID, Name: rec.Name, Version: rec.Version, CloudType: rec.CloudType, Type: rec.Type, Status: rec.Status, Revision: rec.Revision, Scope: scope})
	}
	return out, nil
}

// nonNil returns s, or an empty slice for nil, so that JSON answers hold []
// rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// newID returns n random bytes as hex (24 hex digits for n=12, like
// Palette's uids).
func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}
