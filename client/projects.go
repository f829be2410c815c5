package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/byoos/byoos/wire"
)

// Project is a project of the tenant.
type Project struct {
	UID  string `json:"uid" yaml:"uid"`
	Name string `json:"name" yaml:"name"`
}

// Projects lists the projects the API key may use
// (GET /v1/dashboard/projects/metadata).
func (c *Client) Projects(ctx context.Context) ([]Project, error) {
	var out wire.Items[struct {
		Metadata wire.ObjectEntity `json:"metadata"`
	}]
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/dashboard/projects/metadata", out: &out}); err != nil {
		return nil, err
	}
	ps := make([]Project, 0, len(out.Items))
	for _, it := range out.Items {
		ps = append(ps, Project{UID: it.Metadata.UID, Name: it.Metadata.Name})
	}
	return ps, nil
}

// CreateProject creates a project (POST /v1/projects) and returns its uid.
// Only tenant admin keys may.
func (c *Client) CreateProject(ctx context.Context, name string) (string, error) {
	var out struct {
		UID string `json:"uid"`
	}
	body := map[string]any{"metadata": map[string]string{"name": name}}
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/v1/projects", body: body, out: &out}); err != nil {
		return "", err
	}
	return out.UID, nil
}

// ResolveProject finds a project by uid or by name among those the key may use.
func (c *Client) ResolveProject(ctx context.Context, nameOrUID string) (Project, error) {
	ps, err := c.Projects(ctx)
	if err != nil {
		return Project{}, err
	}
	for _, p := range ps {
		if p.UID == nameOrUID {
			return p, nil
		}
	}
	var known []string
	for _, p := range ps {
		if p.Name == nameOrUID {
			return p, nil
		}
		known = append(known, p.Name)
	}
	return Project{}, &NotFoundError{Kind: "project", Name: nameOrUID, Known: known}
}

// DefaultProjectName is the project every tenant starts with, which Palette's
// Terraform provider and the byoos command line act in by default.
const DefaultProjectName = "Default"

// ProjectUID returns the uid of the client's project (Config.Project, else
// Config.DefaultProject), resolving a name on first use; it is empty when
// the client has none.
func (c *Client) ProjectUID(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.resolved || c.project == "" {
		return c.projectUID, nil
	}
	if isUID(c.project) {
		c.projectUID, c.resolved = c.project, true
		return c.projectUID, nil
	}
	p, err := c.ResolveProject(ctx, c.project)
	var nf *NotFoundError
	if c.defaulted && errors.As(err, &nf) {
		ps, perr := c.Projects(ctx)
		if perr != nil || len(ps) != 1 {
			return "", fmt.Errorf("no project is configured and the API key sees no project named %q: name a project, or ask for tenant scope: %w", c.project, err)
		}
		p, err = ps[0], nil // a project key: its one project
	}
	if err != nil {
		return "", err
	}
	c.projectUID, c.resolved = p.UID, true
	return c.projectUID, nil
}

// API key roles.
const (
	RoleAdmin    = "admin"
	RoleReadOnly = "read-only"
)

// APIKey is an API key's record; Key is set only in the answer to a create.
type APIKey struct {
	UID        string     `json:"uid" yaml:"uid"`
	Name       string     `json:"name" yaml:"name"`
	ProjectUID string     `json:"projectUid,omitempty" yaml:"projectUid,omitempty"`
	Role       string     `json:"role" yaml:"role"`
	Prefix     string     `json:"prefix" yaml:"prefix"`
	CreatedAt  time.Time  `json:"createdAt" yaml:"createdAt"`
	RevokedAt  *time.Time `json:"revokedAt,omitempty" yaml:"revokedAt,omitempty"`
	// Key is the new key itself: the server shows it once, when it is created.
	Key string `json:"key,omitempty" yaml:"key,omitempty"`
}

// NewAPIKey is what CreateAPIKey asks for.
type NewAPIKey struct {
	Name string `json:"name"`
	// ProjectUID limits the key to one project; empty for a tenant key.
	ProjectUID string `json:"projectUid,omitempty"`
	// Role is RoleAdmin or RoleReadOnly (the server's default).
	Role string `json:"role,omitempty"`
}

// APIKeys lists API keys (GET /v1/apiKeys): all of the tenant's for a tenant
// admin key, else only the caller's own.
func (c *Client) APIKeys(ctx context.Context) ([]APIKey, error) {
	var out wire.Items[APIKey]
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/v1/apiKeys", out: &out}); err != nil {
		return nil, err
	}
	return out.Items, nil
}

// CreateAPIKey creates an API key (POST /v1/apiKeys); the answer's Key is
// the new key, which the server never shows again.
func (c *Client) CreateAPIKey(ctx context.Context, k NewAPIKey) (*APIKey, error) {
	var out APIKey
	if _, err := c.do(ctx, request{method: http.MethodPost, path: "/v1/apiKeys", body: k, out: &out}); err != nil {
		return nil, err
	}
	return &out, nil
}

// RevokeAPIKey revokes an API key by uid (DELETE /v1/apiKeys/{uid}).
func (c *Client) RevokeAPIKey(ctx context.Context, uid string) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, path: "/v1/apiKeys/" + pathEscape(uid)})
	return err
}
