package cli

import (
	"context"
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
