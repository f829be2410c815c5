package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/Masterminds/semver/v3"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/profile"
)

// Profile statuses.
const (
	StatusDraft     = "draft"
	StatusPublished = "published"
)

// ProfileSummary is a cluster profile version as the dashboard lists it.
type ProfileSummary struct {
	UID       string `json:"uid" yaml:"uid"`
	Name      string `json:"name" yaml:"name"`
	Version   string `json:"version" yaml:"version"`
	CloudType string `json:"cloudType" yaml:"cloudType"`
	Type      string `json:"type" yaml:"type"`
	// Status is StatusDraft or StatusPublished.
	Status string `json:"status" yaml:"status"`
	// Revision counts the profile's writes; it is the resource version
	// UpdateProfile, PublishProfile and DeleteProfile check.
	Revision int64 `json:"revision" yaml:"revision"`
}

// ResourceVersion returns the revision as the resource version string.
func (s ProfileSummary) ResourceVersion() string { return strconv.FormatInt(s.Revision, 10) }

// Profile is a cluster profile as GET /v1/clusterprofiles/{uid} answers
// (Palette's V1ClusterProfile, without pack schemas and presets).
type Profile struct {
	APIVersion string        `json:"apiVersion" yaml:"apiVersion"`
	Kind       string        `json:"kind" yaml:"kind"`
	Metadata   ProfileMeta   `json:"metadata" yaml:"metadata"`
	Spec       ProfileSpec   `json:"spec" yaml:"spec"`
	Status     ProfileStatus `json:"status" yaml:"status"`
}

// ProfileMeta is a profile's metadata.
type ProfileMeta struct {
	Name                  string            `json:"name" yaml:"name"`
	UID                   string            `json:"uid" yaml:"uid"`
	Labels                map[string]string `json:"labels,omitempty" yaml:"labels,omitempty"`
	Annotations           map[string]string `json:"annotations,omitempty" yaml:"annotations,omitempty"`
	CreationTimestamp     string            `json:"creationTimestamp,omitempty" yaml:"creationTimestamp,omitempty"`
	LastModifiedTimestamp string            `json:"lastModifiedTimestamp,omitempty" yaml:"lastModifiedTimestamp,omitempty"`
	// ResourceVersion is the revision, for If-Match.
	ResourceVersion string `json:"resourceVersion" yaml:"resourceVersion"`
}

// ProfileSpec holds the draft and the published template.
type ProfileSpec struct {
	Version   string           `json:"version" yaml:"version"`
	Draft     *Template        `json:"draft" yaml:"draft"`
	Published *Template        `json:"published" yaml:"published"`
	Versions  []ProfileVersion `json:"versions" yaml:"versions"`
}

// ProfileVersion is one version of the profile's name.
type ProfileVersion struct {
	UID     string `json:"uid" yaml:"uid"`
	Version string `json:"version" yaml:"version"`
}

// Template is a profile's layers, draft or published.
type Template struct {
	UID            string  `json:"uid" yaml:"uid"`
	Name           string  `json:"name" yaml:"name"`
	CloudType      string  `json:"cloudType" yaml:"cloudType"`
	Type           string  `json:"type" yaml:"type"`
	ProfileVersion string  `json:"profileVersion" yaml:"profileVersion"`
	Version        int64   `json:"version" yaml:"version"`
	Packs          []Layer `json:"packs" yaml:"packs"`
}

// Layer is one layer of a template. Values has secrets masked.
type Layer struct {
	Name        string     `json:"name" yaml:"name"`
	Type        string     `json:"type" yaml:"type"`
	Layer       string     `json:"layer" yaml:"layer"`
	Tag         string     `json:"tag" yaml:"tag"`
	Version     string     `json:"version" yaml:"version"`
	PackUID     string     `json:"packUid" yaml:"packUid"`
	RegistryUID string     `json:"registryUid" yaml:"registryUid"`
	Values      string     `json:"values" yaml:"values"`
	Manifests   []Manifest `json:"manifests,omitempty" yaml:"manifests,omitempty"`
}

// Manifest is a layer's manifest; Content is empty where the server lists
// only names.
type Manifest struct {
	Name    string `json:"name" yaml:"name"`
	UID     string `json:"uid,omitempty" yaml:"uid,omitempty"`
	Content string `json:"content,omitempty" yaml:"content,omitempty"`
}

// ProfileStatus says whether the profile is published, and its warnings.
type ProfileStatus struct {
	IsPublished bool         `json:"isPublished" yaml:"isPublished"`
	Findings    finding.List `json:"findings" yaml:"findings"`
}

// ProfileBody is a profile document in Palette's import/export shape, with
// each layer's manifests (which profile.Profile does not carry). It is what
// ImportProfile, CreateProfile and UpdateProfile send.
type ProfileBody struct {
	Metadata profile.Metadata `json:"metadata"`
	Spec     struct {
		Version  string `json:"version,omitempty"`
		Template struct {
			Type      string      `json:"type"`
			CloudType string      `json:"cloudType"`
			Packs     []LayerBody `json:"packs"`
		} `json:"template"`
		Variables []profile.Variable `json:"variables,omitempty"`
	} `json:"spec"`
}

// LayerBody is one layer of a ProfileBody.
type LayerBody struct {
	profile.PackRef
	Manifests []Manifest `json:"manifests,omitempty"`
}

// NewProfileBody builds the body for a profile document. manifests, when
// not nil, holds each layer's manifests by layer index.
func NewProfileBody(p *profile.Profile, manifests [][]Manifest) *ProfileBody {
	b := &ProfileBody{Metadata: p.Metadata}
	b.Metadata.UID = ""
	b.Spec.Version = p.Spec.Version
	b.Spec.Template.Type = p.Spec.Template.Type
	b.Spec.Template.CloudType = p.Spec.Template.CloudType
	b.Spec.Variables = p.Spec.Variables
	b.Spec.Template.Packs = []LayerBody{}
	for i, ref := range p.Spec.Template.Packs {
		lb := LayerBody{PackRef: ref}
		if i < len(manifests) {
			lb.Manifests = manifests[i]
		}
		b.Spec.Template.Packs = append(b.Spec.Template.Packs, lb)
	}
	return b
}

// ImportProfile creates a profile from a document in Palette's export shape
// (POST /v1/clusterprofiles/import), published at once when publish is
// true, and returns its uid. body is a *ProfileBody, a *profile.Profile, or
// JSON ([]byte or json.RawMessage). A refused profile is an *APIError with
// code CodeInvalidProfile and the findings.
func (c *Client) ImportProfile(ctx context.Context, body any, publish bool) (string, error) {
	q := url.Values{}
	if publish {
		q.Set("publish", "true")
	}
	return c.createProfile(ctx, "/v1/clusterprofiles/import", q, body)
}

// CreateProfile creates a draft profile (POST /v1/clusterprofiles) and returns its uid.
func (c *Client) CreateProfile(ctx context.Context, body any) (string, error) {
	return c.createProfile(ctx, "/v1/clusterprofiles", nil, body)
}

func (c *Client) createProfile(ctx context.Context, path string, q url.Values, body any) (string, error) {
	var out struct {
		UID string `json:"uid"`
	}
	if _, err := c.do(ctx, request{method: http.MethodPost, path: path, query: q, body: jsonBody(body), scoped: true, out: &out}); err != nil {
		return "", err
	}
	return out.UID, nil
}

// jsonBody sends json.RawMessage as the raw bytes it is.
func jsonBody(body any) any {
	if r, ok := body.(json.RawMessage); ok {
		return []byte(r)
	}
	return body
}

// Profile returns a profile by uid (GET /v1/clusterprofiles/{uid}).
func (c *Client) Profile(ctx context.Context, uid string) (*Profile, error) {
	var out Profile
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/clusterprofiles/" + pathEscape(uid), scoped: true, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// Profiles lists the profiles of the client's project, all versions, or
// only those named name when it is not empty
// (GET /v1/dashboard/clusterprofiles/metadata).
func (c *Client) Profiles(ctx context.Context, name string) ([]ProfileSummary, error) {
	q := url.Values{}
	if name != "" {
		q.Set("name", name)
	}
	var out items[struct {
		Metadata objectEntity `json:"metadata"`
		Spec     struct {
			CloudType string `json:"cloudType"`
			Version   string `json:"version"`
			Type      string `json:"type"`
			Status    string `json:"status"`
			Revision  int64  `json:"revision"`
		} `json:"spec"`
	}]
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/dashboard/clusterprofiles/metadata", query: q, scoped: true, out: &out}); err != nil {
		return nil, err
	}
	ps := make([]ProfileSummary, 0, len(out.Items))
	for _, it := range out.Items {
		ps = append(ps, ProfileSummary{UID: it.Metadata.UID, Name: it.Metadata.Name, Version: it.Spec.Version, CloudType: it.Spec.CloudType,
			Type: it.Spec.Type, Status: it.Spec.Status, Revision: it.Spec.Revision})
	}
	return ps, nil
}

// FindProfile finds a profile version by uid, or by name and version. With
// a name and no version, the name must have one version only: otherwise the
// error is an *AmbiguousError listing them. Nothing found is a *NotFoundError.
func (c *Client) FindProfile(ctx context.Context, nameOrUID, version string) (ProfileSummary, error) {
	all, err := c.Profiles(ctx, "")
	if err != nil {
		return ProfileSummary{}, err
	}
	for _, p := range all {
		if p.UID == nameOrUID {
			if version != "" && p.Version != version {
				return ProfileSummary{}, &NotFoundError{Kind: "cluster profile", Name: nameOrUID + " version " + version, Known: []string{p.Name + " " + p.Version}}
			}
			return p, nil
		}
	}
	var named []ProfileSummary
	for _, p := range all {
		if p.Name == nameOrUID && (version == "" || p.Version == version) {
			named = append(named, p)
		}
	}
	switch len(named) {
	case 1:
		return named[0], nil
	case 0:
		nf := &NotFoundError{Kind: "cluster profile", Name: nameOrUID}
		if version != "" {
			nf.Name += " version " + version
			for _, p := range all {
				if p.Name == nameOrUID {
					nf.Known = append(nf.Known, "version "+p.Version)
				}
			}
		}
		return ProfileSummary{}, nf
	}
	SortByVersion(named)
	var vs []string
	for _, p := range named {
		vs = append(vs, p.Version)
	}
	return ProfileSummary{}, &AmbiguousError{Kind: "cluster profile", Name: nameOrUID, Choices: vs, Hint: "choose a version with --version"}
}

// SortByVersion orders profiles by name, then version (semver when both
// parse, text otherwise).
func SortByVersion(ps []ProfileSummary) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Name != ps[j].Name {
			return ps[i].Name < ps[j].Name
		}
		a, ea := semver.NewVersion(ps[i].Version)
		b, eb := semver.NewVersion(ps[j].Version)
		if ea != nil || eb != nil {
			return ps[i].Version < ps[j].Version
		}
		return a.LessThan(b)
	})
}

// UpdateProfile replaces a profile's draft (PUT /v1/clusterprofiles/{uid})
// and returns the new resource version. When resourceVersion is not empty
// it is sent as If-Match: a profile written since is refused with 409 and
// code CodeConflict instead of being overwritten.
func (c *Client) UpdateProfile(ctx context.Context, uid string, body any, resourceVersion string) (string, error) {
	h, err := c.do(ctx, request{method: http.MethodPut, path: "/v1/clusterprofiles/" + pathEscape(uid), body: jsonBody(body), ifMatch: resourceVersion, scoped: true})
	if err != nil {
		return "", err
	}
	return etag(h), nil
}

// PublishProfile publishes the profile's draft (PATCH
// /v1/clusterprofiles/{uid}/publish), checking resourceVersion when given.
func (c *Client) PublishProfile(ctx context.Context, uid, resourceVersion string) error {
	_, err := c.do(ctx, request{method: http.MethodPatch, path: "/v1/clusterprofiles/" + pathEscape(uid) + "/publish", ifMatch: resourceVersion, scoped: true})
	return err
}

// DeleteProfile deletes a profile version (DELETE /v1/clusterprofiles/{uid}),
// checking resourceVersion when given.
func (c *Client) DeleteProfile(ctx context.Context, uid, resourceVersion string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: "/v1/clusterprofiles/" + pathEscape(uid), ifMatch: resourceVersion, scoped: true})
	return err
}

// ExportProfile returns a profile in Palette's export shape
// (GET /v1/clusterprofiles/{uid}/export), which ImportProfile takes back.
// Secret values are masked.
func (c *Client) ExportProfile(ctx context.Context, uid string) (*profile.Profile, error) {
	var out profile.Profile
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/clusterprofiles/" + pathEscape(uid) + "/export", scoped: true, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// Validation is the answer of ValidateProfile.
type Validation struct {
	Valid    bool         `json:"valid" yaml:"valid"`
	Findings finding.List `json:"findings" yaml:"findings"`
}

// ValidateProfile checks a profile document against the server's registries
// and stores nothing (POST /v1/clusterprofiles/validate).
func (c *Client) ValidateProfile(ctx context.Context, body any) (*Validation, error) {
	var out Validation
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/v1/clusterprofiles/validate", body: jsonBody(body), scoped: true, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}
