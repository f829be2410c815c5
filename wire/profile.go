package wire

import (
	"strconv"

	"github.com/byoos/byoos/finding"
)

// Profile types.
const (
	TypeCluster = "cluster"
	TypeInfra   = "infra"
	TypeAddOn   = "add-on"
)

// Profile statuses, as the dashboard lists them.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
)

// Profile is a cluster profile document in Palette's import/export shape:
// what `byoos validate` and `byoos profile apply` read, what POST
// /v1/clusterprofiles, /import and PUT take, and what /export answers.
type Profile struct {
	Metadata Metadata `json:"metadata" yaml:"metadata"`
	Spec     Spec     `json:"spec" yaml:"spec"`
}

// Metadata names a profile.
type Metadata struct {
	Name        string            `json:"name" yaml:"name"`
	UID         string            `json:"uid,omitempty" yaml:"uid,omitempty"`
	Description string            `json:"description,omitempty" yaml:"description,omitempty"`
	Labels      map[string]string `json:"labels,omitempty" yaml:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty" yaml:"annotations,omitempty"`
	// ResourceVersion, when set on a write, is the revision the client read:
	// a write of a profile changed since is refused (409).
	ResourceVersion string `json:"resourceVersion,omitempty" yaml:"resourceVersion,omitempty"`
}

// Spec is a profile's version, template and variables.
type Spec struct {
	Version   string     `json:"version,omitempty" yaml:"version,omitempty"`
	Template  Template   `json:"template" yaml:"template"`
	Variables []Variable `json:"variables,omitempty" yaml:"variables,omitempty"`
}

// Template is the profile's type, cloud type and layers.
type Template struct {
	Type      string    `json:"type" yaml:"type"`
	CloudType string    `json:"cloudType" yaml:"cloudType"`
	Packs     []PackRef `json:"packs" yaml:"packs"`
}

// PackRef is one layer of a profile document (V1PackManifestEntity): the
// pack by name and tag (or uid), from a registry, with its values and, for
// manifest layers, its manifests.
type PackRef struct {
	Name    string `json:"name" yaml:"name"`
	Type    string `json:"type,omitempty" yaml:"type,omitempty"`
	Layer   string `json:"layer,omitempty" yaml:"layer,omitempty"`
	Tag     string `json:"tag,omitempty" yaml:"tag,omitempty"`
	Version string `json:"version,omitempty" yaml:"version,omitempty"`
	UID     string `json:"uid,omitempty" yaml:"uid,omitempty"`
	// PackUID is the pack's uid as some clients send it (uid wins).
	PackUID     string       `json:"packUid,omitempty" yaml:"packUid,omitempty"`
	RegistryUID string       `json:"registryUid,omitempty" yaml:"registryUid,omitempty"`
	Registry    *RegistryRef `json:"registry,omitempty" yaml:"registry,omitempty"`
	Values      string       `json:"values" yaml:"values"`
	Manifests   []Manifest   `json:"manifests,omitempty" yaml:"manifests,omitempty"`
}

// PackUIDOf returns the layer's pack uid: UID, else PackUID.
func (r PackRef) PackUIDOf() string {
	if r.UID != "" {
		return r.UID
	}
	return r.PackUID
}

// TagOf returns the tag the layer asks for: Tag, else Version.
func (r PackRef) TagOf() string {
	if r.Tag != "" {
		return r.Tag
	}
	return r.Version
}

// RegistryOf returns the registry the layer names: its uid (RegistryUID,
// else Registry's) and its name (Registry's), each possibly empty.
func (r PackRef) RegistryOf() (uid, name string) {
	uid = r.RegistryUID
	if r.Registry != nil {
		if uid == "" {
			uid = r.Registry.Metadata.UID
		}
		name = r.Registry.Metadata.Name
	}
	return uid, name
}

// Manifest is a manifest of a layer. Content is empty where the server
// lists only names.
type Manifest struct {
	Name    string `json:"name" yaml:"name"`
	UID     string `json:"uid,omitempty" yaml:"uid,omitempty"`
	Content string `json:"content,omitempty" yaml:"content,omitempty"`
}

// RegistryRef names the registry a layer's pack comes from.
type RegistryRef struct {
	Metadata RegistryMeta `json:"metadata" yaml:"metadata"`
}

// RegistryMeta is a registry's identity as a profile export carries it.
type RegistryMeta struct {
	UID       string `json:"uid,omitempty" yaml:"uid,omitempty"`
	Name      string `json:"name,omitempty" yaml:"name,omitempty"`
	Kind      string `json:"kind,omitempty" yaml:"kind,omitempty"`
	IsPrivate bool   `json:"isPrivate,omitempty" yaml:"isPrivate,omitempty"`
}

// Variable is a cluster profile variable (V1Variable).
type Variable struct {
	Name         string           `json:"name" yaml:"name"`
	DisplayName  string           `json:"displayName,omitempty" yaml:"displayName,omitempty"`
	Description  string           `json:"description,omitempty" yaml:"description,omitempty"`
	Format       string           `json:"format,omitempty" yaml:"format,omitempty"`
	InputType    string           `json:"inputType,omitempty" yaml:"inputType,omitempty"`
	DefaultValue string           `json:"defaultValue,omitempty" yaml:"defaultValue,omitempty"`
	Regex        string           `json:"regex,omitempty" yaml:"regex,omitempty"`
	Required     bool             `json:"required,omitempty" yaml:"required,omitempty"`
	Hidden       bool             `json:"hidden,omitempty" yaml:"hidden,omitempty"`
	Immutable    bool             `json:"immutable,omitempty" yaml:"immutable,omitempty"`
	IsSensitive  bool             `json:"isSensitive,omitempty" yaml:"isSensitive,omitempty"`
	Options      []VariableOption `json:"options,omitempty" yaml:"options,omitempty"`
}

// VariableOption is one choice of a dropdown variable.
type VariableOption struct {
	Value       string `json:"value" yaml:"value"`
	Label       string `json:"label,omitempty" yaml:"label,omitempty"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
	Default     bool   `json:"default,omitempty" yaml:"default,omitempty"`
}

// Variables is the body of GET and PUT /v1/clusterprofiles/{uid}/variables.
type Variables struct {
	Variables []Variable `json:"variables" yaml:"variables"`
}

// ObjectMeta is V1ObjectMeta, with byoos's resourceVersion for optimistic
// concurrency. Timestamps arrive as Palette's clients send them (zero values
// included) and are ignored on input.
type ObjectMeta struct {
	Name                  string            `json:"name" yaml:"name"`
	UID                   string            `json:"uid,omitempty" yaml:"uid,omitempty"`
	Labels                map[string]string `json:"labels,omitempty" yaml:"labels,omitempty"`
	Annotations           map[string]string `json:"annotations,omitempty" yaml:"annotations,omitempty"`
	CreationTimestamp     string            `json:"creationTimestamp,omitempty" yaml:"creationTimestamp,omitempty"`
	LastModifiedTimestamp string            `json:"lastModifiedTimestamp,omitempty" yaml:"lastModifiedTimestamp,omitempty"`
	ResourceVersion       string            `json:"resourceVersion,omitempty" yaml:"resourceVersion,omitempty"`
}

// ObjectEntity names an object: V1ObjectEntity.
type ObjectEntity struct {
	Name string `json:"name" yaml:"name"`
	UID  string `json:"uid" yaml:"uid"`
}

// ClusterProfile is a cluster profile as GET /v1/clusterprofiles/{uid}
// answers (V1ClusterProfile).
type ClusterProfile struct {
	APIVersion string               `json:"apiVersion" yaml:"apiVersion"`
	Kind       string               `json:"kind" yaml:"kind"`
	Metadata   ObjectMeta           `json:"metadata" yaml:"metadata"`
	Spec       ClusterProfileSpec   `json:"spec" yaml:"spec"`
	Status     ClusterProfileStatus `json:"status" yaml:"status"`
}

// ClusterProfileSpec holds the draft and the published template.
type ClusterProfileSpec struct {
	Version   string           `json:"version" yaml:"version"`
	Draft     *ProfileTemplate `json:"draft" yaml:"draft"`
	Published *ProfileTemplate `json:"published" yaml:"published"`
	Versions  []VersionRef     `json:"versions" yaml:"versions"`
}

// VersionRef is one version of a profile's name.
type VersionRef struct {
	UID     string `json:"uid" yaml:"uid"`
	Version string `json:"version" yaml:"version"`
}

// ProfileTemplate is a profile's layers, draft or published.
type ProfileTemplate struct {
	UID            string        `json:"uid" yaml:"uid"`
	Name           string        `json:"name" yaml:"name"`
	CloudType      string        `json:"cloudType" yaml:"cloudType"`
	Type           string        `json:"type" yaml:"type"`
	ProfileVersion string        `json:"profileVersion" yaml:"profileVersion"`
	Version        int64         `json:"version" yaml:"version"`
	Packs          []ProfilePack `json:"packs" yaml:"packs"`
}

// ProfilePack is one layer of a template as the API answers it (V1PackRef):
// the pack resolved to a version and uid, values with secrets masked, and
// the manifests by name.
type ProfilePack struct {
	Name        string       `json:"name" yaml:"name"`
	Type        string       `json:"type" yaml:"type"`
	Layer       string       `json:"layer" yaml:"layer"`
	Tag         string       `json:"tag" yaml:"tag"`
	Version     string       `json:"version" yaml:"version"`
	PackUID     string       `json:"packUid" yaml:"packUid"`
	RegistryUID string       `json:"registryUid" yaml:"registryUid"`
	Values      string       `json:"values" yaml:"values"`
	Manifests   []Manifest   `json:"manifests" yaml:"manifests"`
	Schema      []PackSchema `json:"schema" yaml:"schema"`
	Presets     []Preset     `json:"presets" yaml:"presets"`
}

// ClusterProfileStatus says whether the profile is published, and what
// validation warned about when it was written.
type ClusterProfileStatus struct {
	IsPublished bool `json:"isPublished" yaml:"isPublished"`
	// HasUserMacros is true when a layer's values reference a user macro
	// ({{ .spectro.macro.NAME }}).
	HasUserMacros bool  `json:"hasUserMacros" yaml:"hasUserMacros"`
	InUseClusters []any `json:"inUseClusters" yaml:"inUseClusters"`
	// InUseClusterUids is Palette's deprecated list of cluster uids; byoos
	// runs no clusters, so it and InUseClusterTemplates are always empty.
	InUseClusterUids      []string     `json:"inUseClusterUids" yaml:"inUseClusterUids"`
	InUseClusterTemplates []any        `json:"inUseClusterTemplates" yaml:"inUseClusterTemplates"`
	Findings              finding.List `json:"findings" yaml:"findings"`
	// Macros (byoos's own) are the user macros the layers of the draft and
	// the published version reference, by name, each with where it
	// resolves; HasUserMacros is set when there is one.
	Macros []MacroUse `json:"macros" yaml:"macros"`
}

// MacroUse is a user macro ({{ .spectro.macro.NAME }}) that a profile's
// layers reference, and where it resolves for the profile: its project's
// macros over its tenant's (a tenant-wide profile reads its tenant's only).
type MacroUse struct {
	Name string `json:"name" yaml:"name"`
	// Layers are the names of the layers whose values reference it.
	Layers []string `json:"layers" yaml:"layers"`
	// Defined is false when no scope defines the macro: it renders as an
	// empty string (finding macro-unresolved).
	Defined bool `json:"defined" yaml:"defined"`
	// Scope is where it resolves, "project" or "tenant"; empty when not
	// defined.
	Scope string `json:"scope,omitempty" yaml:"scope,omitempty"`
	// Value is the macro's value (macro values are not secret).
	Value string `json:"value" yaml:"value"`
}

// ProfileSummary is a cluster profile version as the dashboard lists it.
type ProfileSummary struct {
	UID       string `json:"uid" yaml:"uid"`
	Name      string `json:"name" yaml:"name"`
	Version   string `json:"version" yaml:"version"`
	CloudType string `json:"cloudType" yaml:"cloudType"`
	Type      string `json:"type" yaml:"type"`
	// Status is StatusDraft or StatusPublished.
	Status string `json:"status" yaml:"status"`
	// Revision counts the profile's writes; it is the resource version that
	// writes check.
	Revision int64 `json:"revision" yaml:"revision"`
	// Scope is "project" or "tenant": a project context lists its tenant's
	// profiles too.
	Scope string `json:"scope,omitempty" yaml:"scope,omitempty"`
}

// ResourceVersion returns the revision as the resource version string.
func (s ProfileSummary) ResourceVersion() string { return strconv.FormatInt(s.Revision, 10) }

// ProfileSummaryItem is an item of GET /v1/dashboard/clusterprofiles/metadata.
type ProfileSummaryItem struct {
	Metadata ObjectEntity `json:"metadata"`
	Spec     struct {
		CloudType string `json:"cloudType"`
		Version   string `json:"version"`
		Type      string `json:"type"`
		Status    string `json:"status"`
		Revision  int64  `json:"revision"`
		Scope     string `json:"scope,omitempty"`
	} `json:"spec"`
}

// Created is the answer of a create: the new object's uid.
type Created struct {
	UID string `json:"uid"`
}

// Validation is the answer of POST /v1/clusterprofiles/validate.
type Validation struct {
	Valid    bool         `json:"valid" yaml:"valid"`
	Findings finding.List `json:"findings" yaml:"findings"`
}

// Items is a list answer: {"items": [...]}.
type Items[T any] struct {
	Items []T `json:"items"`
}
