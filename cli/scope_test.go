package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byoos/byoos/client"
)

// profileNames lists the names of the profiles c sees.
func profileNames(t *testing.T, c *client.Client) string {
	t.Helper()
	ps, err := c.Profiles(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return strings.Join(names, ",")
}

// Without --project, profile commands act in the project named Default (what
// the Terraform provider and project-context API calls see), or in a
// project key's one project; --tenant acts at tenant scope.
func TestProfileCommandsActInTheDefaultProjectUnlessTenantIsAsked(t *testing.T) {
	s := newCLIServer(t)
	ctx := context.Background()

	s.must("profile", "apply", "examples/aws.yaml")
	if got := profileNames(t, s.admin("")); got != "" {
		t.Errorf("apply without --project wrote at tenant scope: the tenant has %q", got)
	}
	if got := profileNames(t, s.admin("Default")); got != "rhel8-aws" {
		t.Errorf("project Default has %q, want rhel8-aws", got)
	}
	if out := s.must("profile", "list"); !strings.Contains(out, "rhel8-aws") {
		t.Errorf("profile list without --project does not show the Default project's profile:\n%s", out)
	}

	s.must("profile", "apply", "examples/azure.json", "--tenant")
	if got := profileNames(t, s.admin("")); got != "ubuntu-azure" {
		t.Errorf("apply --tenant: the tenant has %q, want ubuntu-azure", got)
	}
	// The Default project sees the tenant's profile too, read-only.
	if got := profileNames(t, s.admin("Default")); got != "rhel8-aws,ubuntu-azure" {
		t.Errorf("project Default sees %q, want its own and the tenant's", got)
	}
	// Applying the same document in the project makes the project's own
	// profile: the tenant's, listed beside it, is not the one apply writes.
	if out := s.must("profile", "apply", "examples/azure.json"); !strings.Contains(out, "created") {
		t.Errorf("apply in the project of a profile the tenant has:\n%s", out)
	}
	if got := profileNames(t, s.admin("Default")); got != "rhel8-aws,ubuntu-azure,ubuntu-azure" {
		t.Errorf("project Default sees %q, want its two and the tenant's", got)
	}
	if out := s.must("profile", "list", "--tenant"); strings.Contains(out, "rhel8-aws") || !strings.Contains(out, "ubuntu-azure") {
		t.Errorf("profile list --tenant:\n%s", out)
	}

	if _, errOut, code := s.run("profile", "list", "--tenant", "--project", "Default"); code != ExitUsage || !strings.Contains(errOut, "--tenant") {
		t.Errorf("--tenant with --project: exit %d, %s", code, errOut)
	}

	// A project key outside Default acts in its own project by default.
	uid, err := s.admin("").CreateProject(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	key, err := s.admin("").CreateAPIKey(ctx, client.NewAPIKey{Name: "web", ProjectUID: uid, Role: client.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := s.runAs(key.Key, "profile", "apply", "examples/vsphere.yaml"); code != ExitOK {
		t.Fatalf("apply with a project key: exit %d\n%s%s", code, out, errOut)
	}
	if got := profileNames(t, s.admin("web")); got != "rhel8-vsphere,ubuntu-azure" {
		t.Errorf("project web sees %q, want its own rhel8-vsphere and the tenant's ubuntu-azure", got)
	}
}

// registryScopes maps the names of the registries c sees to their scopes.
func registryScopes(t *testing.T, c *client.Client) map[string]string {
	t.Helper()
	rs, err := c.Registries(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range rs {
		out[r.Name] = r.Scope
	}
	return out
}

// Without --project, registry commands (and pack push, which looks the
// registry up as registry list does) act in the project named Default, or in
// a project key's one project; --tenant lists and makes tenant-wide
// registries.
func TestRegistryCommandsActInTheDefaultProjectUnlessTenantIsAsked(t *testing.T) {
	s := newCLIServer(t)
	ctx := context.Background()

	if out := s.must("registry", "create", "corp"); !strings.HasPrefix(out, "created registry corp (scope project, ") {
		t.Errorf("create without --project:\n%s", out)
	}
	if got := registryScopes(t, s.admin("Default"))["corp"]; got != "project" {
		t.Errorf("project Default sees corp with scope %q, want project", got)
	}
	if _, ok := registryScopes(t, s.admin(""))["corp"]; ok {
		t.Error("create without --project made a registry the tenant scope sees")
	}

	if out := s.must("registry", "create", "shared", "--tenant"); !strings.HasPrefix(out, "created registry shared (scope tenant, ") {
		t.Errorf("create --tenant:\n%s", out)
	}
	if got := registryScopes(t, s.admin(""))["shared"]; got != "tenant" {
		t.Errorf("the tenant sees shared with scope %q, want tenant", got)
	}
	// The deprecated --scope tenant still makes a tenant-wide registry.
	if out, errOut, code := s.run("registry", "create", "old-style", "--scope", "tenant"); code != ExitOK || !strings.Contains(out, "scope tenant") || !strings.Contains(errOut, "deprecated") {
		t.Errorf("--scope tenant: exit %d\n%s%s", code, out, errOut)
	}

	out := s.must("registry", "list")
	for _, want := range [][]string{{"Repo", "system"}, {"corp", "project"}, {"shared", "tenant"}} {
		if !hasRow(out, want...) {
			t.Errorf("registry list without --project lacks %q:\n%s", want, out)
		}
	}
	out = s.must("registry", "list", "--tenant")
	if !hasRow(out, "shared", "tenant") || strings.Contains(out, "corp") {
		t.Errorf("registry list --tenant, want shared and not the project's corp:\n%s", out)
	}

	// pack push finds the Default project's registry without --project.
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pack.json"), []byte(`{"name": "corp-os", "displayName": "Corp OS", "version": "1.0.0", "layer": "os", "cloudTypes": ["aws"]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "values.yaml"), []byte("pack:\n  a: 1\n"), 0o644)
	if out := s.must("pack", "push", dir, "--registry", "corp"); !hasRow(out, "corp-os", "1.0.0", "corp", "created") {
		t.Errorf("pack push to the Default project's registry:\n%s", out)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"--tenant with --project is refused", []string{"registry", "create", "x", "--tenant", "--project", "Default"}, "--tenant"},
		{"--tenant with --scope project is refused", []string{"registry", "create", "x", "--tenant", "--scope", "project"}, "--tenant"},
		{"an unknown --scope is refused", []string{"registry", "create", "x", "--scope", "galaxy"}, "galaxy"},
		{"list --tenant with --project is refused", []string{"registry", "list", "--tenant", "--project", "Default"}, "--tenant"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, errOut, code := s.run(tc.args...); code != ExitUsage || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, want %d saying %q: %s", code, ExitUsage, tc.want, errOut)
			}
		})
	}

	// A project key outside Default makes registries in its own project.
	uid, err := s.admin("").CreateProject(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	key, err := s.admin("").CreateAPIKey(ctx, client.NewAPIKey{Name: "web", ProjectUID: uid, Role: client.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := s.runAs(key.Key, "registry", "create", "web-reg"); code != ExitOK {
		t.Fatalf("create with a project key: exit %d\n%s%s", code, out, errOut)
	}
	if got := registryScopes(t, s.admin("web"))["web-reg"]; got != "project" {
		t.Errorf("project web sees web-reg with scope %q, want project", got)
	}
	if _, ok := registryScopes(t, s.admin("Default"))["web-reg"]; ok {
		t.Error("the project key's registry is in Default")
	}
}
