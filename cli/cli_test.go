package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// run runs the CLI from the repository root, as the README does.
func run(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func chdirRoot(t *testing.T) {
	t.Helper()
	wd, _ := os.Getwd()
	t.Chdir(filepath.Dir(wd))
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("cli", "testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./cli -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestExamplesValidateAsTheREADMESays(t *testing.T) {
	chdirRoot(t)
	examples, _ := filepath.Glob("examples/*.*")
	if len(examples) < 8 {
		t.Fatalf("found %d examples", len(examples))
	}
	for _, ex := range examples {
		t.Run(filepath.Base(ex), func(t *testing.T) {
			out, errOut, code := run(t, "", "validate", ex)
			wantCode := ExitOK
			if strings.Contains(ex, "invalid") {
				wantCode = ExitFindings
			}
			if code != wantCode {
				t.Errorf("exit %d, want %d\n%s%s", code, wantCode, out, errOut)
			}
			if wantCode == ExitOK && strings.Contains(out, "error") && !strings.Contains(out, "0 error(s)") {
				t.Errorf("valid example reports errors:\n%s", out)
			}
			golden(t, filepath.Base(ex)+".txt", out)
		})
	}
}

func TestBareValuesValidation(t *testing.T) {
	chdirRoot(t)
	out, _, code := run(t, "", "validate", "--pack", "generic-byoi@1.0.x", "--cloud", "aws", "examples/values/generic-aws.yaml")
	if code != ExitOK || !strings.Contains(out, "0 error(s)") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	// An unquoted whole number is a warning with the quoted fix, so the exit status stays 0;
	// 8.10, which YAML reads as 8.1, stays an error.
	out, _, code = run(t, "pack:\n  osImageOverride: ami-0f4804aff4cf9c5a2\n  osName: rhel\n  osVersion: 8\n", "validate", "--pack", "generic-byoi@1.0.x", "--cloud", "aws", "-")
	if code != ExitOK || !strings.Contains(out, "<stdin>:4:14: warning byoos-osversion-unquoted") || !strings.Contains(out, `(quote it: osVersion: "8")`) ||
		!strings.Contains(out, "0 error(s), 1 warning(s)") {
		t.Errorf("osVersion: 8: exit %d:\n%s", code, out)
	}
	out, _, code = run(t, "pack:\n  osImageOverride: ami-0f4804aff4cf9c5a2\n  osName: rhel\n  osVersion: 8.10\n", "validate", "--pack", "generic-byoi@1.0.x", "--cloud", "aws", "-")
	if code != ExitFindings || !strings.Contains(out, "<stdin>:4:14: error byoos-osversion-type") || !strings.Contains(out, `(quote it: osVersion: "8.10")`) {
		t.Errorf("osVersion: 8.10: exit %d:\n%s", code, out)
	}
}

func TestCrossCloudImagesAreNamed(t *testing.T) {
	chdirRoot(t)
	for _, c := range []struct {
		name, cloud, image, want string
	}{
		{"an AMI ID on vsphere", "vsphere", "ami-0f4804aff4cf9c5a2", `"ami-0f4804aff4cf9c5a2" is an AWS AMI ID; a vsphere profile needs`},
		{"an Azure VHD URL on vsphere", "vsphere", "https://docs.blob.core.windows.net/vhds/ubuntu20-1243.vhd", "is an Azure VHD blob URL; a vsphere profile needs"},
		{"a vSphere template path on aws", "aws", "/Datacenter/vm/templates/rhel-8-kube-v1.30.5", "is a vSphere template path; an aws profile needs"},
		{"a vSphere template path on azure", "azure", "/Datacenter/vm/templates/rhel-8-kube-v1.30.5", "is a vSphere template path; an azure profile needs"},
		{"an OCI reference on aws", "aws", "example.io/my-images/example-custom-os:v1.4.5", "is an OCI image reference"},
		{"an OCI reference on azure", "azure", "example.io/my-images/example-custom-os:v1.4.5", "is an OCI image reference"},
		{"an OCI reference on vsphere", "vsphere", "example.io/my-images/example-custom-os:v1.4.5", "is an OCI image reference"},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := "pack:\n  osImageOverride: \"" + c.image + "\"\n  osName: rhel\n  osVersion: \"8\"\n"
			out, _, code := run(t, in, "validate", "--pack", "generic-byoi@1.0.x", "--cloud", c.cloud, "-")
			if code != ExitFindings || !strings.Contains(out, "<stdin>:2:20: error image-wrong-cloud") || !strings.Contains(out, c.want) {
				t.Errorf("exit %d, want 1 and %q:\n%s", code, c.want, out)
			}
			if c.image == "https://docs.blob.core.windows.net/vhds/ubuntu20-1243.vhd" && strings.Contains(out, "OVA file") {
				t.Errorf("an Azure VHD on vsphere is still described as a missing OVA:\n%s", out)
			}
		})
	}
}

func TestSystemURINAValidatesWithThePacksDefaultImages(t *testing.T) {
	chdirRoot(t)
	// The pack's own list, whose provider-image entry resolves to NA.
	const na = "pack:\n  content:\n    images:\n      - image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'\noptions:\n  system.uri: NA\n"
	for _, version := range []string{"edge-native-byoi@1.0.0", "edge-native-byoi@2.1.0"} {
		out, _, code := run(t, na, "validate", "--pack", version, "--cloud", "edge-native", "-")
		if code != ExitOK || !strings.Contains(out, "0 error(s), 0 warning(s)") {
			t.Errorf("%s with system.uri NA: exit %d:\n%s", version, code, out)
		}
		out, _, code = run(t, "pack:\n  content:\n    images: []\noptions:\n  system.uri: NA\n", "validate", "--pack", version, "--cloud", "edge-native", "-")
		if code != ExitOK || !strings.Contains(out, "0 error(s), 0 warning(s)") {
			t.Errorf("%s with system.uri NA and no images: exit %d:\n%s", version, code, out)
		}
	}
	// NA stands for no provider image only as system.uri.
	out, _, code := run(t, "pack:\n  content:\n    images:\n      - image: NA\noptions:\n  system.uri: example.io/my-images/os:v1\n",
		"validate", "--pack", "edge-native-byoi@2.1.0", "--cloud", "edge-native", "-")
	if code != ExitFindings || !strings.Contains(out, "<stdin>:4:16: error edge-images-na") {
		t.Errorf("NA in the images of a provider image: exit %d:\n%s", code, out)
	}
}

func TestJSONOutput(t *testing.T) {
	chdirRoot(t)
	out, _, code := run(t, "", "validate", "-o", "json", "examples/aws-invalid.yaml", "examples/aws.yaml")
	if code != ExitFindings {
		t.Fatalf("exit %d", code)
	}
	var res []fileResult
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(res) != 2 || res[0].Valid || !res[1].Valid || res[0].Errors != 4 || len(res[1].Findings) != 0 {
		t.Fatalf("results = %+v", res)
	}
	f := res[0].Findings[0]
	if f.Code != "aws-ami-name" || f.Layer != "generic-byoi" || f.Path != "pack.osImageOverride" || f.Line != 17 || f.Hint == "" {
		t.Errorf("first finding = %+v", f)
	}
}

func TestUsageAndIOErrorsExitTwo(t *testing.T) {
	chdirRoot(t)
	cases := [][]string{
		{"validate"},
		{"validate", "no-such-file.yaml"},
		{"validate", "-o", "xml", "examples/aws.yaml"},
		{"validate", "--pack", "generic-byoi", "examples/values/generic-aws.yaml"},
		{"validate", "--pack", "nope@1.0.0", "--cloud", "aws", "examples/values/generic-aws.yaml"},
		{"validate", "--set", "cluster.name", "examples/aws.yaml"},
		{"validate", "--set", "foo.bar=1", "examples/aws.yaml"},
		{"validate", "--no-such-flag", "examples/aws.yaml"},
		{"render", "examples/aws.yaml", "-o", "toml"},
		{"pack", "show", "nope"},
	}
	for _, args := range cases {
		_, errOut, code := run(t, "", args...)
		if code != ExitUsage || !strings.HasPrefix(errOut, "byoos: ") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 with a message", args, code, errOut)
		}
	}
}

func TestRenderResolvesMacrosAndMasksSecrets(t *testing.T) {
	chdirRoot(t)
	out, errOut, code := run(t, "", "render", "examples/edge-native.yaml", "--set", "system.cluster.name=store-042")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"system.uri: \"registry.example.internal:5000/edge/ubuntu:k3s-1.30.6-v4.4.12-demo\"",
		"- image: 'registry.example.internal:5000/edge/ubuntu:k3s-1.30.6-v4.4.12-demo'",
		"password: '********'",
		"certificate: '********'",
		"version: 2.1.0",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("render output lacks %q", want)
		}
	}
	for _, secret := range []string{"s3cr3t-Pull-Passw0rd", "BEGIN CERTIFICATE", "{{"} {
		if strings.Contains(out, secret) || strings.Contains(errOut, secret) {
			t.Errorf("render output shows %q", secret)
		}
	}
	out, _, _ = run(t, "", "render", "examples/edge-native.yaml", "--show-secrets", "-o", "json")
	if !strings.Contains(out, "s3cr3t-Pull-Passw0rd") || !strings.Contains(out, "BEGIN CERTIFICATE") {
		t.Error("--show-secrets does not show the secrets")
	}
}

func TestValidateNeverShowsSecrets(t *testing.T) {
	chdirRoot(t)
	src, err := os.ReadFile("examples/edge-native.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// A username without the right registry and a broken certificate around a real password.
	broken := strings.Replace(string(src), `registry: "registry.example.internal:5000"`, `registry: "other.example.com"`, 1)
	broken = strings.Replace(broken, "-----BEGIN CERTIFICATE-----", "-----BEGIN CERTIFICATE-----\n              garbage-s3cr3t", 1)
	for _, format := range []string{"text", "json"} {
		out, _, code := run(t, broken, "validate", "-o", format, "-")
		if code != ExitFindings {
			t.Fatalf("exit %d\n%s", code, out)
		}
		if !strings.Contains(out, "edge-credentials-registry-mismatch") || !strings.Contains(out, "edge-credentials-certificate") {
			t.Errorf("findings missing:\n%s", out)
		}
		for _, secret := range []string{"s3cr3t", "MIIB"} {
			if strings.Contains(out, secret) {
				t.Errorf("%s output shows %q:\n%s", format, secret, out)
			}
		}
	}
}

func TestPackCommands(t *testing.T) {
	chdirRoot(t)
	out, _, code := run(t, "", "pack", "list", "--layer", "os")
	if code != 0 || !strings.Contains(out, "generic-byoi") || !strings.Contains(out, "edge-native-byoi") || strings.Contains(out, "kubernetes") {
		t.Errorf("pack list --layer os:\n%s", out)
	}
	out, _, _ = run(t, "", "pack", "list", "--cloud", "edge-native", "-o", "json")
	var rows []packSummary
	if err := json.Unmarshal([]byte(out), &rows); err != nil || len(rows) < 5 {
		t.Errorf("pack list json: %v %d", err, len(rows))
	}
	for _, r := range rows {
		if r.Name == "csi-aws-ebs" || r.Name == "generic-byoi" {
			t.Errorf("%s listed for edge-native", r.Name)
		}
	}
	out, _, code = run(t, "", "pack", "show", "edge-native-byoi@2.1.x", "--part", "values")
	if code != 0 || !strings.Contains(out, "system.uri:") {
		t.Errorf("pack show values:\n%s", out)
	}
	out, _, code = run(t, "", "pack", "lint", "catalog/packs/generic-byoi-1.0.0")
	if code != 0 || !strings.Contains(out, "0 error(s)") {
		t.Errorf("lint of a built-in pack: exit %d\n%s", code, out)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "pack.json"), []byte("{\n  \"name\": \"x\",\n  \"version\": \"v1.0.0\",\n  \"layer\": \"os\",\n  \"displayName\": \"X\",\n  \"cloudTypes\": [\"aws\"]\n}\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "values.yaml"), []byte("pack:\n  a: [1\n"), 0o644)
	out, _, code = run(t, "", "pack", "lint", dir)
	if code != ExitFindings || !strings.Contains(out, dir+"/pack.json:3:3: error pack-version-prefix version") || !strings.Contains(out, dir+"/values.yaml:") {
		t.Errorf("lint of a broken pack: exit %d\n%s", code, out)
	}
}
