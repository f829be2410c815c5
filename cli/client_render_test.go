package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byoos/byoos/client"
)

// TestProfileRenderPrintsWhatRenderPrintsForTheFile renders each example
// stored on a server and compares the output with byoos render's of the file.
func TestProfileRenderPrintsWhatRenderPrintsForTheFile(t *testing.T) {
	s := newCLIServer(t)
	s.must("profile", "apply", "examples/aws.yaml", "examples/azure.json", "examples/vsphere.yaml", "examples/edge-native.yaml", "--project", "Default")
	for _, c := range []struct {
		name, file, profile string
		args                []string
		arm                 bool
	}{
		{"an AWS profile to capi", "examples/aws.yaml", "rhel8-aws", []string{"--target", "capi", "--cluster", "prod", "--region", "us-east-1"}, false},
		{"an AWS profile to capi as a JSON List", "examples/aws.yaml", "rhel8-aws", []string{"--target", "capi", "--cluster", "prod", "-o", "json"}, false},
		{"an Azure profile to capi, the ARM template in its file", "examples/azure.json", "ubuntu-azure", append([]string{"--target", "capi"}, azureArgs...), true},
		{"a vSphere profile to capi from a context file with overrides", "examples/vsphere.yaml", "rhel8-vsphere", []string{"--target", "capi", "--context", "examples/context/vsphere.yaml",
			"--cluster", "staging", "--namespace", "edge", "--param", "vsphere.numCPUs=8", "--param", "vsphere.apiVersion=v1beta2"}, false},
		{"an Edge profile to user-data, masked", "examples/edge-native.yaml", "edge-ubuntu-k3s", []string{"--target", "edge-user-data"}, false},
		{"an Edge profile to user-data with the secrets an admin asks", "examples/edge-native.yaml", "edge-ubuntu-k3s", []string{"--target", "edge-user-data", "--show-secrets"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			args := func(arm string) []string {
				if !c.arm {
					return c.args
				}
				return append(append([]string(nil), c.args...), "--arm-out", filepath.Join(dir, arm))
			}
			want, wantErr, code := run(t, "", append([]string{"render", c.file}, args("local.json")...)...)
			if code != ExitOK {
				t.Fatalf("byoos render: exit %d: %s", code, wantErr)
			}
			got, errOut, code := s.run(append([]string{"profile", "render", c.profile, "--project", "Default"}, args("server.json")...)...)
			if code != ExitOK {
				t.Fatalf("byoos profile render: exit %d: %s", code, errOut)
			}
			if got != want {
				t.Errorf("byoos profile render printed\n%s\nbyoos render printed\n%s", got, want)
			}
			if c.arm {
				local, _ := os.ReadFile(filepath.Join(dir, "local.json"))
				server, err := os.ReadFile(filepath.Join(dir, "server.json"))
				if err != nil || len(local) == 0 || string(server) != string(local) {
					t.Errorf("--arm-out: %v\n%s\nwant\n%s", err, server, local)
				}
			}
		})
	}
	t.Run("the values target is the stored profile, resolved", func(t *testing.T) {
		out := s.must("profile", "render", "rhel8-aws", "--project", "Default", "--cluster", "prod")
		if !strings.Contains(out, "osImageOverride: \"ami-0f4804aff4cf9c5a2\"") || !strings.Contains(out, "name: rhel8-aws") || !strings.Contains(out, "cloudType: aws") {
			t.Errorf("values:\n%s", out)
		}
	})
}

func TestProfileRenderExitsAsRenderDoes(t *testing.T) {
	s := newCLIServer(t)
	s.must("profile", "apply", "examples/aws.yaml", "examples/azure.json", "examples/edge-native.yaml", "--project", "Default")
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"capi without a cluster names the key", []string{"rhel8-aws", "--target", "capi"}, ExitUsage, "cluster is not set"},
		{"azure without a subscription names the key", []string{"ubuntu-azure", "--target", "capi", "--cluster", "prod", "--region", "westeurope"}, ExitUsage, "set context key azure.subscriptionID"},
		{"a target the cloud does not have lists its targets", []string{"rhel8-aws", "--target", "edge-user-data"}, ExitUsage, "aws profiles cannot be rendered to edge-user-data; their targets are values, capi"},
		{"a misspelt --param key is refused before asking", []string{"rhel8-aws", "--target", "capi", "--param", "aws.instancetype=m5.large"}, ExitUsage, "did you mean aws.instanceType?"},
		{"azure without --arm-out says where the ARM template goes", append([]string{"ubuntu-azure", "--target", "capi"}, azureArgs...), ExitUsage, "give --arm-out FILE"},
		{"a profile that does not exist exits 1", []string{"no-such-profile", "--target", "values"}, ExitFindings, "no-such-profile"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := s.run(append([]string{"profile", "render", "--project", "Default"}, c.args...)...)
			if code != c.code || !strings.Contains(errOut, c.want) {
				t.Errorf("exit %d, want %d; stderr lacks %q:\n%s%s", code, c.code, c.want, out, errOut)
			}
		})
	}
}

func TestProfileRenderShowsSecretsToAnAdminKeyOnly(t *testing.T) {
	s := newCLIServer(t)
	s.must("profile", "apply", "examples/edge-native.yaml", "--project", "Default")
	var created struct{ Key, Role string }
	if err := json.Unmarshal([]byte(s.must("apikey", "create", "render-reader", "-o", "json")), &created); err != nil || created.Role != client.RoleReadOnly {
		t.Fatalf("key: %v %+v", err, created)
	}
	const password = "s3cr3t-Pull-Passw0rd"
	out, errOut, code := s.runAs(created.Key, "profile", "render", "edge-ubuntu-k3s", "--project", "Default", "--target", "edge-user-data")
	if code != ExitOK || !strings.Contains(out, "password: '********'") || strings.Contains(out+errOut, password) {
		t.Errorf("a read-only key renders masked: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = s.runAs(created.Key, "profile", "render", "edge-ubuntu-k3s", "--project", "Default", "--target", "edge-user-data", "--show-secrets")
	if code != ExitFindings || out != "" || !strings.Contains(errOut, "only an admin key may render with showSecrets") {
		t.Errorf("a read-only key asking for the secrets: exit %d\n%s%s", code, out, errOut)
	}
	out = s.must("profile", "render", "edge-ubuntu-k3s", "--project", "Default", "--target", "edge-user-data", "--show-secrets")
	if !strings.Contains(out, "password: "+password) {
		t.Errorf("the admin key's --show-secrets:\n%s", out)
	}
}
