package client

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/byoos/byoos/version"
	"github.com/byoos/byoos/wire"
)

// ProfileSummary is a cluster profile version as the dashboard lists it.
type ProfileSummary = wire.ProfileSummary

// ImportProfile creates a profile from a document in Palette's export shape
// (POST /v1/clusterprofiles/import), published at once when publish is
// true, and returns its uid. body is a *wire.Profile (layers with their
// manifests), or JSON ([]byte or json.RawMessage). A refused profile is an
// *APIError with code wire.CodeInvalidProfile and the findings.
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
	var out wire.Created
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
func (c *Client) Profile(ctx context.Context, uid string) (*wire.ClusterProfile, error) {
	var out wire.ClusterProfile
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
	var out wire.Items[wire.ProfileSummaryItem]
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/dashboard/clusterprofiles/metadata", query: q, scoped: true, out: &out}); err != nil {
		return nil, err
	}
	ps := make([]ProfileSummary, 0, len(out.Items))
	for _, it := range out.Items {
		ps = append(ps, ProfileSummary{UID: it.Metadata.UID, Name: it.Metadata.Name, Version: it.Spec.Version, CloudType: it.Spec.CloudType,
			Type: it.Spec.Type, Status: it.Spec.Status, Revision: it.Spec.Revision, Scope: it.Spec.Scope})
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

// SortByVersion orders profiles by name, then version (version.Compare).
func SortByVersion(ps []ProfileSummary) {
	slices.SortStableFunc(ps, func(a, b ProfileSummary) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return version.Compare(a.Version, b.Version)
	})
}

// UpdateProfile replaces a profile's draft (PUT /v1/clusterprofiles/{uid})
// and returns the new resource version. When resourceVersion is not empty
// it is sent as If-Match: a profile written since is refused with 409 and
// code wire.CodeConflict instead of being overwritten.
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
func (c *Client) ExportProfile(ctx context.Context, uid string) (*wire.Profile, error) {
	var out wire.Profile
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/clusterprofiles/" + pathEscape(uid) + "/export", scoped: true, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// ValidateProfile checks a profile document against the server's registries
// and stores nothing (POST /v1/clusterprofiles/validate).
func (c *Client) ValidateProfile(ctx context.Context, body any) (*wire.Validation, error) {
	var out wire.Validation
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/v1/clusterprofiles/validate", body: jsonBody(body), scoped: true, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// VerifyProfile checks on the server the images of profile uid (its
// published body, or its draft when never published) where req says the
// cluster runs (POST /v1/clusterprofiles/{uid}/verify, an admin action).
func (c *Client) VerifyProfile(ctx context.Context, uid string, req wire.VerifyRequest) (*wire.Verification, error) {
	var out wire.Verification
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/v1/clusterprofiles/" + pathEscape(uid) + "/verify", body: jsonBody(req), scoped: true, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// RenderProfile renders on the server profile uid (its published version,
// or its draft: never published, or req.Draft) to req.Target for the
// cluster context req.Context (POST /v1/clusterprofiles/{uid}/render).
// Secrets are masked unless req.ShowSecrets, which only an admin key may ask.
func (c *Client) RenderProfile(ctx context.Context, uid string, req wire.RenderRequest) (*wire.Rendering, error) {
	var out wire.Rendering
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/v1/clusterprofiles/" + pathEscape(uid) + "/render", body: jsonBody(req), scoped: true, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}
