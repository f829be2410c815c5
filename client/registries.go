package client

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/byoos/byoos/finding"

	"github.com/byoos/byoos/wire"
)

// Registry scopes.
const (
	ScopeSystem  = "system"
	ScopeTenant  = "tenant"
	ScopeProject = "project"
)

// PublicRepoName is the name of the built-in, read-only registry.
const PublicRepoName = "Public Repo"

// Registry is a pack registry as GET /v1/registries/metadata lists it.
type Registry struct {
	UID       string `json:"uid" yaml:"uid"`
	Name      string `json:"name" yaml:"name"`
	Kind      string `json:"kind" yaml:"kind"`
	Scope     string `json:"scope" yaml:"scope"`
	IsPrivate bool   `json:"isPrivate" yaml:"isPrivate"`
	IsDefault bool   `json:"isDefault" yaml:"isDefault"`
}

// Registries lists the pack registries visible in the client's project,
// the built-in Public Repo first (GET /v1/registries/metadata).
func (c *Client) Registries(ctx context.Context) ([]Registry, error) {
	var out wire.Items[Registry]
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/registries/metadata", scoped: true, out: &out}); err != nil {
		return nil, err
	}
	return out.Items, nil
}

// PackRegistry is a pack registry as GET /v1/registries/pack lists it.
type PackRegistry struct {
	UID       string `json:"uid" yaml:"uid"`
	Name      string `json:"name" yaml:"name"`
	Endpoint  string `json:"endpoint" yaml:"endpoint"`
	Scope     string `json:"scope" yaml:"scope"`
	IsPrivate bool   `json:"isPrivate" yaml:"isPrivate"`
}

// PackRegistries lists the pack registries in Palette's V1PackRegistries
// shape (GET /v1/registries/pack).
func (c *Client) PackRegistries(ctx context.Context) ([]PackRegistry, error) {
	var out wire.Items[struct {
		Metadata wire.ObjectEntity `json:"metadata"`
		Spec     struct {
			Endpoint  string `json:"endpoint"`
			Scope     string `json:"scope"`
			IsPrivate bool   `json:"isPrivate"`
		} `json:"spec"`
	}]
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/registries/pack", scoped: true, out: &out}); err != nil {
		return nil, err
	}
	rs := make([]PackRegistry, 0, len(out.Items))
	for _, it := range out.Items {
		rs = append(rs, PackRegistry{UID: it.Metadata.UID, Name: it.Metadata.Name, Endpoint: it.Spec.Endpoint, Scope: it.Spec.Scope, IsPrivate: it.Spec.IsPrivate})
	}
	return rs, nil
}

// CreateRegistry creates a private pack registry (POST /v1/registries/pack)
// and returns its uid. scope is ScopeProject (the client's project; the
// default) or ScopeTenant.
func (c *Client) CreateRegistry(ctx context.Context, name, scope string) (string, error) {
	var out struct {
		UID string `json:"uid"`
	}
	body := map[string]any{"metadata": map[string]string{"name": name}, "spec": map[string]string{"name": name, "scope": scope}}
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/v1/registries/pack", body: body, scoped: true, out: &out}); err != nil {
		return "", err
	}
	return out.UID, nil
}

// FindRegistry finds a visible registry by uid or by name.
func (c *Client) FindRegistry(ctx context.Context, nameOrUID string) (Registry, error) {
	rs, err := c.Registries(ctx)
	if err != nil {
		return Registry{}, err
	}
	var byName []Registry
	var known []string
	for _, r := range rs {
		if r.UID == nameOrUID {
			return r, nil
		}
		if r.Name == nameOrUID {
			byName = append(byName, r)
		}
		known = append(known, r.Name)
	}
	switch len(byName) {
	case 1:
		return byName[0], nil
	case 0:
		return Registry{}, &NotFoundError{Kind: "registry", Name: nameOrUID, Known: known}
	}
	var choices []string
	for _, r := range byName {
		choices = append(choices, r.UID+" ("+r.Scope+")")
	}
	return Registry{}, &AmbiguousError{Kind: "registry", Name: nameOrUID, Choices: choices, Hint: "give the registry's uid"}
}

// Pack is a pack version as GET /v1/packs lists it.
type Pack struct {
	UID         string   `json:"uid" yaml:"uid"`
	Name        string   `json:"name" yaml:"name"`
	DisplayName string   `json:"displayName" yaml:"displayName"`
	Version     string   `json:"version" yaml:"version"`
	Layer       string   `json:"layer" yaml:"layer"`
	CloudTypes  []string `json:"cloudTypes" yaml:"cloudTypes"`
	AddonType   string   `json:"addonType,omitempty" yaml:"addonType,omitempty"`
	RegistryUID string   `json:"registryUid" yaml:"registryUid"`
	Digest      string   `json:"digest" yaml:"digest"`
}

// PackFilter selects pack versions; empty fields match everything.
type PackFilter struct {
	Name        string
	Version     string
	Layer       string
	CloudType   string
	RegistryUID string
	UID         string
}

// filters renders f in Palette's filters grammar: field=valueANDfield=value.
func (f PackFilter) filters() (string, error) {
	var terms []string
	add := func(field, v string) error {
		if v == "" {
			return nil
		}
		if strings.Contains(v, "AND") || strings.Contains(v, "OR") || strings.Contains(v, ",") {
			return fmt.Errorf("pack filter %s=%q: the filter grammar cannot carry AND, OR or a comma", field, v)
		}
		terms = append(terms, field+v)
		return nil
	}
	for _, t := range []struct{ field, v string }{
		{"spec.name=", f.Name}, {"spec.version=", f.Version}, {"spec.layer=", f.Layer},
		{"spec.registryUid=", f.RegistryUID}, {"metadata.uid=", f.UID}, {"spec.cloudTypes_in_", f.CloudType},
	} {
		if err := add(t.field, t.v); err != nil {
			return "", err
		}
	}
	return strings.Join(terms, "AND"), nil
}

// Packs lists the pack versions visible in the client's project that match
// f, the Public Repo's first (GET /v1/packs?filters=...).
func (c *Client) Packs(ctx context.Context, f PackFilter) ([]Pack, error) {
	filters, err := f.filters()
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	if filters != "" {
		q.Set("filters", filters)
	}
	var out wire.Items[struct {
		Metadata wire.ObjectEntity `json:"metadata"`
		Spec     Pack              `json:"spec"`
	}]
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/packs", query: q, scoped: true, out: &out}); err != nil {
		return nil, err
	}
	ps := make([]Pack, 0, len(out.Items))
	for _, it := range out.Items {
		p := it.Spec
		p.UID = it.Metadata.UID
		ps = append(ps, p)
	}
	return ps, nil
}

// PackSearch selects packs by name for SearchPacks.
type PackSearch struct {
	// NameContains matches pack names containing it, ignoring case.
	NameContains string
	// Layers and CloudTypes restrict the layers and cloud types; empty means all.
	Layers     []string
	CloudTypes []string
	// RegistryUIDs restricts the registries; empty means all visible ones.
	RegistryUIDs []string
}

// PackMatch is one pack name found by SearchPacks, with its newest version
// in each registry.
type PackMatch struct {
	Name        string           `json:"name" yaml:"name"`
	DisplayName string           `json:"displayName" yaml:"displayName"`
	Layer       string           `json:"layer" yaml:"layer"`
	CloudTypes  []string         `json:"cloudTypes" yaml:"cloudTypes"`
	Registries  []PackInRegistry `json:"registries" yaml:"registries"`
}

// PackInRegistry is a pack's newest version in one registry.
type PackInRegistry struct {
	UID           string `json:"uid" yaml:"uid"`
	Name          string `json:"name" yaml:"name"`
	Scope         string `json:"scope" yaml:"scope"`
	LatestVersion string `json:"latestVersion" yaml:"latestVersion"`
	LatestPackUID string `json:"latestPackUid" yaml:"latestPackUid"`
}

// SearchPacks finds packs by name, one match per pack name and type
// (POST /v1/packs/search), following the server's pages to the end.
func (c *Client) SearchPacks(ctx context.Context, s PackSearch) ([]PackMatch, error) {
	filter := map[string]any{}
	if s.NameContains != "" {
		filter["name"] = map[string]any{"contains": s.NameContains, "ignoreCase": true}
	}
	if len(s.Layers) > 0 {
		filter["layer"] = s.Layers
	}
	if len(s.CloudTypes) > 0 {
		filter["environment"] = s.CloudTypes
	}
	if len(s.RegistryUIDs) > 0 {
		filter["registryUid"] = s.RegistryUIDs
	}
	ms := []PackMatch{}
	q := url.Values{"limit": {strconv.Itoa(searchPageSize)}}
	for {
		var out struct {
			Items []struct {
				Spec PackMatch `json:"spec"`
			} `json:"items"`
			Listmeta wire.ListMeta `json:"listmeta"`
		}
		if _, err := c.do(ctx, request{method: http.MethodPost, path: "/v1/packs/search", query: q, body: map[string]any{"filter": filter}, scoped: true, out: &out}); err != nil {
			return nil, err
		}
		for _, it := range out.Items {
			ms = append(ms, it.Spec)
		}
		if out.Listmeta.Continue == "" || len(out.Items) == 0 {
			return ms, nil
		}
		q.Set("continue", out.Listmeta.Continue)
	}
}

// searchPageSize is the page size SearchPacks asks for; it follows the
// pages to the end.
const searchPageSize = 200

// PushResult is the server's answer to a push.
type PushResult struct {
	UID     string `json:"uid" yaml:"uid"`
	Name    string `json:"name" yaml:"name"`
	Version string `json:"version" yaml:"version"`
	Digest  string `json:"digest" yaml:"digest"`
	// Created is false when the same version with the same digest was there
	// already (a no-op).
	Created  bool         `json:"created" yaml:"created"`
	Warnings finding.List `json:"warnings" yaml:"warnings"`
}

// PushPack publishes a pack archive (.tgz) to a private registry
// (POST /v1/registries/pack/{uid}/packs). Pack versions are immutable: the
// same version with other content is refused with 409 and code
// CodeImmutable; the same content again is a no-op (Created false).
func (c *Client) PushPack(ctx context.Context, registryUID string, archive []byte) (*PushResult, error) {
	var out PushResult
	_, err := c.do(ctx, request{method: http.MethodPost, path: "/v1/registries/pack/" + pathEscape(registryUID) + "/packs",
		body: archive, contentType: "application/gzip", scoped: true, out: &out})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
