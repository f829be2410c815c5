package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// azureArgs are the cluster context of the Azure examples.
var azureArgs = []string{"--cluster", "prod", "--region", "westeurope",
	"--param", "azure.subscriptionID=01234567-89ab-cdef-0123-4567890abcde", "--param", "azure.resourceGroup=byoos-images"}

func TestRenderTargetsMatchTheirGoldens(t *testing.T) {
	chdirRoot(t)
	for _, c := range []struct {
		name   string
		args   []string
		golden string
	}{
		{"aws capi writes an AWSMachineTemplate", []string{"examples/aws.yaml", "--target", "capi", "--cluster", "prod", "--region", "us-east-1"}, "render-aws-capi.yaml"},
		{"aws capi -o json writes a v1 List", []string{"examples/aws.yaml", "--target", "capi", "--cluster", "prod", "-o", "json"}, "render-aws-capi.json"},
		{"vsphere capi reads a context file", []string{"examples/vsphere.yaml", "--target", "capi", "--context", "examples/context/vsphere.yaml"}, "render-vsphere-capi.yaml"},
		{"flags and --param override the context file", []string{"examples/vsphere.yaml", "--target", "capi", "--context", "examples/context/vsphere.yaml",
			"--cluster", "staging", "--namespace", "edge", "--param", "vsphere.numCPUs=8", "--param", "vsphere.apiVersion=v1beta2"}, "render-vsphere-capi-override.yaml"},
		{"edge-user-data masks its secrets", []string{"examples/edge-native.yaml", "--target", "edge-user-data"}, "render-edge-user-data.yaml"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := run(t, "", append([]string{"render"}, c.args...)...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden(t, c.golden, out)
		})
	}
}

func TestRenderAzureWritesTheARMTemplateToItsFile(t *testing.T) {
	chdirRoot(t)
	arm := filepath.Join(t.TempDir(), "image.json")
	out, errOut, code := run(t, "", append([]string{"render", "examples/azure.json", "--target", "capi", "--arm-out", arm}, azureArgs...)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "render-azure-capi.yaml", out)
	b, err := os.ReadFile(arm)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "render-azure-image.arm.json", string(b))
	if !strings.Contains(errOut, "wrote the ARM template of Microsoft.Compute/images/ubuntu22-1301 to "+arm) {
		t.Errorf("stderr does not say where the ARM template went: %q", errOut)
	}
}

func TestRenderRefusesBadInputWithTheRightExitAndMessage(t *testing.T) {
	chdirRoot(t)
	for _, c := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"an invalid profile exits 1 with its findings", []string{"examples/aws-invalid.yaml", "--target", "capi", "--cluster", "prod"}, ExitFindings,
			[]string{"error aws-ami-name", "does not validate: nothing rendered for --target capi"}},
		{"capi without a cluster names --cluster and the key", []string{"examples/aws.yaml", "--target", "capi"}, ExitUsage,
			[]string{"cluster is not set", "give --cluster, or set cluster in the --context file"}},
		{"azure without a subscription names --param and the key", []string{"examples/azure.json", "--target", "capi", "--cluster", "prod", "--region", "westeurope"}, ExitUsage,
			[]string{"azure.subscriptionID is not set", "give --param azure.subscriptionID=VALUE, or set azure.subscriptionID in the --context file"}},
		{"azure without a region names --region", []string{"examples/azure.json", "--target", "capi", "--cluster", "prod", "--param", "azure.subscriptionID=01234567-89ab-cdef-0123-4567890abcde", "--param", "azure.resourceGroup=rg"}, ExitUsage,
			[]string{"region is not set", "give --region"}},
		{"azure without --arm-out says where the ARM template goes", append([]string{"examples/azure.json", "--target", "capi"}, azureArgs...), ExitUsage,
			[]string{"give --arm-out FILE for the ARM template"}},
		{"an edge profile to capi lists its targets", []string{"examples/edge-native.yaml", "--target", "capi", "--cluster", "prod"}, ExitUsage,
			[]string{"edge-native profiles cannot be rendered to capi; their targets are values, edge-user-data"}},
		{"an aws profile to edge-user-data lists its targets", []string{"examples/aws.yaml", "--target", "edge-user-data"}, ExitUsage,
			[]string{"aws profiles cannot be rendered to edge-user-data; their targets are values, capi"}},
		{"an unknown target lists the targets", []string{"examples/aws.yaml", "--target", "terraform"}, ExitUsage,
			[]string{`--target "terraform": use values, capi or edge-user-data`}},
		{"edge-user-data has no JSON form", []string{"examples/edge-native.yaml", "--target", "edge-user-data", "-o", "json"}, ExitUsage,
			[]string{"-o json does not apply"}},
		{"--arm-out on aws is refused", []string{"examples/aws.yaml", "--target", "capi", "--cluster", "prod", "--arm-out", "x.json"}, ExitUsage,
			[]string{"--arm-out applies to --target capi of an azure profile"}},
		{"a misspelt --param key suggests the right one", []string{"examples/aws.yaml", "--target", "capi", "--param", "aws.instancetype=m5.large"}, ExitUsage,
			[]string{`"aws.instancetype" is not a context key; did you mean aws.instanceType?`}},
		{"--param without = shows the form", []string{"examples/aws.yaml", "--target", "capi", "--param", "aws.instanceType"}, ExitUsage,
			[]string{"expected KEY=VALUE"}},
		{"a bad context file names its line", []string{"examples/aws.yaml", "--target", "capi", "--context", "cli/testdata/bad-context.yaml"}, ExitUsage,
			[]string{"--context: cli/testdata/bad-context.yaml:3:", `aws.rootVolumeSize is "eighty"`}},
		{"a missing context file is an error", []string{"examples/aws.yaml", "--target", "capi", "--context", "cli/testdata/no-such-context.yaml"}, ExitUsage,
			[]string{"--context: open cli/testdata/no-such-context.yaml"}},
		{"an OVA URL exits 1 with what to do", []string{"cli/testdata/vsphere-ova.yaml", "--target", "capi", "--cluster", "prod", "--param", "vsphere.network=n"}, ExitFindings,
			[]string{"CAPV clones a VM template", "govc import.ova"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := run(t, "", append([]string{"render"}, c.args...)...)
			if code != c.code {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, c.code, out, errOut)
			}
			if out != "" {
				t.Errorf("refused, yet wrote to standard output:\n%s", out)
			}
			for _, w := range c.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

func TestRenderEdgeUserDataShowsSecretsOnlyOnStandardOutputAndOnlyWhenAsked(t *testing.T) {
	chdirRoot(t)
	const password = "s3cr3t-Pull-Passw0rd"
	out, errOut, code := run(t, "", "render", "examples/edge-native.yaml", "--target", "edge-user-data")
	if code != ExitOK || strings.Contains(out+errOut, password) || strings.Contains(out+errOut, "BEGIN CERTIFICATE") {
		t.Errorf("masked: exit %d, a secret is shown:\n%s%s", code, out, errOut)
	}
	out, errOut, code = run(t, "", "render", "examples/edge-native.yaml", "--target", "edge-user-data", "--show-secrets")
	if code != ExitOK || !strings.Contains(out, "password: "+password) || !strings.Contains(out, "-----BEGIN CERTIFICATE-----") {
		t.Errorf("--show-secrets: exit %d, the secrets are not in the user-data:\n%s", code, out)
	}
	if strings.Contains(errOut, password) {
		t.Errorf("the password reached standard error: %s", errOut)
	}
}

func TestRenderClusterAndRegionAreMacrosToo(t *testing.T) {
	chdirRoot(t)
	src, err := os.ReadFile("examples/aws.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "p.yaml")
	withMacro := strings.Replace(string(src), `osVersion: "8"`,
		`osVersion: "8"
            # for {{ .spectro.system.cluster.name }} in {{ .spectro.system.cloud.region }}`, 1)
	if withMacro == string(src) {
		t.Fatal("the example changed: no osVersion to add a line after")
	}
	if err := os.WriteFile(p, []byte(withMacro), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, "", "render", p, "--cluster", "prod", "--region", "eu-west-1")
	if code != ExitOK || !strings.Contains(out, "# for prod in eu-west-1") {
		t.Errorf("--cluster prod --region eu-west-1: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code = run(t, "", "render", p, "--cluster", "prod", "--region", "eu-west-1", "--set", "system.cloud.region=us-east-1")
	if code != ExitOK || !strings.Contains(out, "# for prod in us-east-1") {
		t.Errorf("--set wins over --region: exit %d\n%s%s", code, out, errOut)
	}
}
