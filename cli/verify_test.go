package cli

import (
	"context"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byoos/byoos/api"
	"github.com/byoos/byoos/client"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/regsync/regtest"
)

// edgeValues returns edge-native-byoi values whose provider image is
// registry/repoTag, with the registry's credentials and CA certificate.
func edgeValues(reg *regtest.Registry, password, repoTag string) string {
	var cert strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(reg.CACertPEM), "\n") {
		cert.WriteString("    " + l + "\n")
	}
	return `pack:
  content:
    images:
      - image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'
options:
  system.uri: "` + reg.Host + `/` + repoTag + `"
providerCredentials:
  registry: "` + reg.Host + `"
  username: "` + reg.Username + `"
  password: "` + password + `"
  certificate: |
` + cert.String()
}

// edgeDoc wraps values into an edge-native profile document.
func edgeDoc(values string) string {
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimRight(values, "\n"), "\n") {
		b.WriteString("          " + l + "\n")
	}
	return `metadata:
  name: edge
spec:
  version: 1.0.0
  template:
    type: infra
    cloudType: edge-native
    packs:
      - name: edge-native-byoi
        layer: os
        tag: 2.1.x
        values: |
` + b.String() + `      - name: edge-k3s
        layer: k8s
        tag: 1.30.x
`
}

func write(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestVerifyExitsZeroOneOrTwo(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // no result of another run is reused
	reg := regtest.StartRegistry(t)
	digest := regtest.PushIndex(t, reg, "edge/ubuntu", "k3s-1.30.6-demo", regtest.LinuxAMD64(), regtest.LinuxARM64())
	good := write(t, "good.yaml", edgeDoc(edgeValues(reg, reg.Password, "edge/ubuntu:k3s-1.30.6-demo")))
	missing := write(t, "missing.yaml", edgeDoc(edgeValues(reg, reg.Password, "edge/ubuntu:k3s-9.9.9-demo")))
	wrong := write(t, "wrong.yaml", edgeDoc(edgeValues(reg, "not-the-Passw0rd", "edge/ubuntu:k3s-1.30.6-demo")))
	bare := write(t, "values.yaml", edgeValues(reg, reg.Password, "edge/ubuntu:k3s-1.30.6-demo"))
	invalid := write(t, "invalid.yaml", strings.Replace(edgeDoc(edgeValues(reg, reg.Password, "edge/ubuntu:k3s-1.30.6-demo")), "tag: 1.30.x", "tag: 1.28.x", 1))
	// The AWS chain reads only these: no shared files, no instance metadata.
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAVERIFYTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "verify-test-secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	aws := write(t, "aws.yaml", strings.NewReplacer("cloudType: edge-native", "cloudType: aws", "edge-native-byoi", "generic-byoi", "tag: 2.1.x", "tag: 1.0.x", "edge-k3s", "kubernetes").
		Replace(edgeDoc("pack:\n  osImageOverride: \"ami-0f4804aff4cf9c5a2\"\n  osName: \"rhel\"\n  osVersion: \"8\"\n")))
	vs := write(t, "vsphere.yaml", strings.NewReplacer("cloudType: aws", "cloudType: vsphere").
		Replace(readFile(t, aws)))
	vs = write(t, "vsphere.yaml", strings.Replace(readFile(t, vs), `osImageOverride: "ami-0f4804aff4cf9c5a2"`, `osImageOverride: "/dc1/vm/templates/rhel-8-kube-v1.30.5"`, 1))

	tests := []struct {
		name string
		args []string
		code int
		says []string
	}{
		{"an image that resolves with its credentials holds, and its digest is printed", []string{"verify", good}, ExitOK, []string{"✓ edge-native os", digest, "linux/amd64", "1 image(s): 1 hold, 0 do not; 0 error(s)"}},
		{"a bare values file of edge-native-byoi is verified with --cloud", []string{"verify", "--cloud", "edge-native", bare}, ExitOK, []string{"✓ edge-native os", digest}},
		{"a tag that is not in the registry exits one, naming the image and the check", []string{"verify", missing}, ExitFindings, []string{"✗ edge-native os", "verify-edge-not-found", "k3s-9.9.9-demo", "1 do not"}},
		{"a wrong password exits one and is never shown", []string{"verify", wrong}, ExitFindings, []string{"verify-edge-unauthorized"}},
		{"one failing file does not hide the other's result", []string{"verify", good, missing}, ExitFindings, []string{"✓ edge-native os", "✗ edge-native os", "2 image(s): 1 hold, 1 do not"}},
		{"an invalid profile is refused with its findings and nothing is checked", []string{"verify", invalid}, ExitFindings, []string{"pack-tag-unknown", "does not validate: its images were not checked"}},
		{"an arm64 host accepts the index", []string{"verify", "--arch", "arm64", good}, ExitOK, []string{"✓"}},
		{"an unknown architecture is a usage error", []string{"verify", "--arch", "sparc", good}, ExitUsage, []string{"--arch"}},
		{"an unknown output format is a usage error", []string{"verify", "-o", "xml", good}, ExitUsage, []string{"--output"}},
		{"no parallelism is a usage error", []string{"verify", "--parallel", "0", good}, ExitUsage, []string{"--parallel"}},
		{"an AWS image without --region is a usage error", []string{"verify", aws}, ExitUsage, []string{"--region is required"}},
		// The AWS check is wired: it asks EC2 at --aws-endpoint (a closed
		// loopback port here, so nothing leaves the machine) with the
		// credentials of the standard chain.
		{"an AWS image is checked with EC2 at --aws-endpoint", []string{"verify", "--region", "eu-west-1", "--aws-endpoint", "https://127.0.0.1:1", aws}, ExitFindings, []string{"✗ aws os ami-0f4804aff4cf9c5a2", "verify-aws-unreachable", "eu-west-1"}},
		{"a vSphere template is checked in vCenter at --vsphere-url", []string{"verify", "--vsphere-url", "https://127.0.0.1:1/sdk", "--vsphere-user", "admin", vs}, ExitFindings, []string{"✗ vsphere os /dc1/vm/templates/rhel-8-kube-v1.30.5", "verify-vsphere-unreachable"}},
		{"a file that does not exist is an I/O error", []string{"verify", filepath.Join(t.TempDir(), "nope.yaml")}, ExitUsage, []string{"nope.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, "", tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, out, errOut)
			}
			for _, s := range tt.says {
				if !strings.Contains(out+errOut, s) {
					t.Errorf("output does not say %q:\n%s%s", s, out, errOut)
				}
			}
			for _, secret := range []string{reg.Password, "not-the-Passw0rd"} {
				if strings.Contains(out+errOut, secret) {
					t.Errorf("output shows a password:\n%s%s", out, errOut)
				}
			}
			if strings.Contains(errOut, "verifying:") {
				t.Errorf("progress was printed to a stream that is not a terminal: %q", errOut)
			}
		})
	}
}

func TestVerifyJSONOutput(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // no result of another run is reused
	reg := regtest.StartRegistry(t)
	digest := regtest.PushImage(t, reg, "edge/ubuntu", "v1", regtest.LinuxAMD64())
	good := write(t, "good.yaml", edgeDoc(edgeValues(reg, reg.Password, "edge/ubuntu:v1")))
	missing := write(t, "missing.yaml", edgeDoc(edgeValues(reg, reg.Password, "edge/ubuntu:v2")))
	out, errOut, code := run(t, "", "verify", "-o", "json", good, missing)
	if code != ExitFindings {
		t.Fatalf("exit %d: %s %s", code, out, errOut)
	}
	var got []struct {
		File    string
		Valid   bool
		Errors  int
		Results []struct {
			Cloud, Role, Ref, Layer, Path, Digest, Checked string
			Holds                                          bool
			Line                                           int
		}
		Findings finding.List
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(got) != 2 || len(got[0].Results) != 1 || len(got[1].Results) != 1 {
		t.Fatalf("results %+v", got)
	}
	r := got[0].Results[0]
	if !got[0].Valid || got[0].Errors != 0 || !r.Holds || r.Digest != digest || r.Cloud != "edge-native" || r.Role != "os" ||
		r.Ref != reg.Host+"/edge/ubuntu:v1" || r.Path != "options.system.uri" || r.Layer != "edge-native-byoi" || r.Line == 0 || len(got[0].Findings) != 0 {
		t.Errorf("the good file reads %+v", got[0])
	}
	if got[1].Valid || got[1].Errors != 1 || got[1].Results[0].Holds || len(got[1].Findings) != 1 || got[1].Findings[0].Code != finding.CodeVerifyEdgeNotFound {
		t.Errorf("the missing file reads %+v", got[1])
	}
	if strings.Contains(out, reg.Password) {
		t.Error("the JSON shows the password")
	}
}

func TestProfileVerifyPrintsTheServersResultsLikeVerify(t *testing.T) {
	reg := regtest.StartRegistry(t)
	digest := regtest.PushImage(t, reg, "edge/ubuntu", "v1", regtest.LinuxAMD64())
	s := newCLIServer(t, func(c *api.Config) { c.Verify.AllowNets = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")} })
	good := write(t, "edge.yaml", edgeDoc(edgeValues(reg, reg.Password, "edge/ubuntu:v1")))
	s.must("profile", "apply", good, "--publish")
	missing := write(t, "edge2.yaml", strings.Replace(edgeDoc(edgeValues(reg, reg.Password, "edge/ubuntu:v2")), "name: edge\n", "name: edge-two\n", 1))
	s.must("profile", "apply", missing)
	tests := []struct {
		name string
		args []string
		code int
		says []string
	}{
		{"a published profile whose image holds exits zero, printing the digest it records", []string{"profile", "verify", "edge", "--region", "eu-west-1"}, ExitOK, []string{"✓ edge-native os", digest, "packs[edge-native-byoi].options.system.uri", "1 image(s): 1 hold"}},
		{"a draft whose image is missing exits one with the finding", []string{"profile", "verify", "edge-two"}, ExitFindings, []string{"✗ edge-native os", "verify-edge-not-found"}},
		{"json carries the results and findings", []string{"profile", "verify", "edge-two", "-o", "json"}, ExitFindings, []string{`"results"`, `"verify-edge-not-found"`}},
		{"an unknown architecture is a usage error", []string{"profile", "verify", "edge", "--arch", "sparc"}, ExitUsage, []string{"--arch"}},
		{"a read-only key is refused", nil, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut string
			var code int
			if tt.args == nil {
				k, err := s.admin("").CreateAPIKey(context.Background(), client.NewAPIKey{Name: "reader", Role: client.RoleReadOnly})
				if err != nil {
					t.Fatal(err)
				}
				out, errOut, code = s.runAs(k.Key, "profile", "verify", "edge")
				if code == ExitOK || !strings.Contains(out+errOut, "read-only") {
					t.Errorf("exit %d: %s%s", code, out, errOut)
				}
				return
			}
			out, errOut, code = s.run(tt.args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			for _, w := range tt.says {
				if !strings.Contains(out+errOut, w) {
					t.Errorf("output does not say %q:\n%s%s", w, out, errOut)
				}
			}
			if strings.Contains(out+errOut, reg.Password) {
				t.Error("the output shows the registry password")
			}
		})
	}
}

func TestServeRefusesVerifySettingsItCannotRead(t *testing.T) {
	tests := []struct {
		name string
		args []string
		says string
	}{
		{"a network that is no CIDR or address", []string{"--verify-allow-net", "example.com"}, "--verify-allow-net"},
		{"a host given as a URL", []string{"--verify-allow-host", "https://registry.example.com"}, "--verify-allow-host"},
		{"a negative cache time", []string{"--verify-cache-ttl", "-1s"}, "--verify-cache-ttl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, "", append([]string{"serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0"}, tt.args...)...)
			if code != ExitUsage || !strings.Contains(errOut, tt.says) {
				t.Errorf("exit %d, want %d naming %s:\n%s%s", code, ExitUsage, tt.says, out, errOut)
			}
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// A check's result is reused by later runs for --cache-ttl, from the user's
// cache directory, which holds no credential; --cache-ttl 0 checks again.
func TestVerifyReusesAResultForTheCacheTTL(t *testing.T) {
	cacheDir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cacheDir)
	reg := regtest.StartRegistry(t)
	first := regtest.PushIndex(t, reg, "edge/ubuntu", "k3s-1.30.6-demo", regtest.LinuxAMD64())
	file := write(t, "edge.yaml", edgeDoc(edgeValues(reg, reg.Password, "edge/ubuntu:k3s-1.30.6-demo")))
	if out, errOut, code := run(t, "", "verify", file); code != ExitOK || !strings.Contains(out, first) {
		t.Fatalf("first run: exit %d\n%s%s", code, out, errOut)
	}
	second := regtest.PushIndex(t, reg, "edge/ubuntu", "k3s-1.30.6-demo", regtest.LinuxARM64(), regtest.LinuxAMD64())
	if second == first {
		t.Fatal("the second push did not change the tag's digest")
	}
	if out, errOut, code := run(t, "", "verify", file); code != ExitOK || !strings.Contains(out, first) || strings.Contains(out, second) {
		t.Errorf("within the cache time, want the cached digest %s:\n%s%s", first, out, errOut)
	}
	if out, errOut, code := run(t, "", "verify", "--cache-ttl", "0", file); code != ExitOK || !strings.Contains(out, second) {
		t.Errorf("with --cache-ttl 0, want the tag's new digest %s:\n%s%s", second, out, errOut)
	}
	if _, _, code := run(t, "", "verify", "--cache-ttl", "-1s", file); code != ExitUsage {
		t.Errorf("a negative --cache-ttl: exit %d, want %d", code, ExitUsage)
	}
	files, _ := filepath.Glob(filepath.Join(cacheDir, "byoos", "verify", "*.json"))
	if len(files) == 0 {
		t.Fatal("nothing was kept in the cache directory")
	}
	for _, f := range files {
		if b := readFile(t, f); strings.Contains(b, reg.Password) || strings.Contains(b, reg.Username+":") {
			t.Errorf("%s holds a credential: %s", f, b)
		}
	}
}
