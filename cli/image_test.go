package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byoos/byoos/finding"
)

const manifests = "imagesrc/testdata/"

// validates runs values through `byoos validate --pack generic-byoi@1.0.x
// --cloud CLOUD`, the check the README gives for bare values.
func validates(t *testing.T, cloud, values string) {
	t.Helper()
	out, errOut, code := run(t, values, "validate", "--pack", "generic-byoi@1.0.x", "--cloud", cloud, "-")
	if code != ExitOK || !strings.Contains(out, "0 error(s)") {
		t.Errorf("the imported values do not validate on %s: exit %d\n%s%s\nvalues:\n%s", cloud, code, out, errOut, values)
	}
}

func TestImageImportWritesValuesThatValidate(t *testing.T) {
	chdirRoot(t)
	tests := []struct {
		name  string
		args  []string
		cloud string
		// each document's wanted lines
		want [][]string
	}{
		{
			name: "the AMI of the region asked for is taken from a multi-region build",
			args: []string{manifests + "aws-image-builder.json", "--region", "us-west-2"}, cloud: "aws",
			want: [][]string{{`osImageOverride: "ami-0fedcba9876543210"`, `osName: "ubuntu"`, `osVersion: "24.04"`, "# region: us-west-2", "Kubernetes v1.30.1"}},
		},
		{
			name: "the only region of the last run needs no --region",
			args: []string{manifests + "mixed.json", "--cloud", "azure"}, cloud: "azure",
			want: [][]string{{`osImageOverride: "https://rockyimages.blob.core.windows.net/images/rocky-9-3-osDisk.9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d.vhd"`, `osName: "rocky"`, `osVersion: "9.3"`}},
		},
		{
			name: "all regions give one document each, in a YAML stream",
			args: []string{manifests + "aws-two-runs.json", "--all-regions"}, cloud: "aws",
			want: [][]string{
				{"# region: us-east-1", `osImageOverride: "ami-0bbbbbbbbbbbbbbbb"`, `osName: "rhel"`, `osVersion: "8"`},
				{"# region: us-east-2", `osImageOverride: "ami-0cccccccccccccccc"`, `osName: "rhel"`, `osVersion: "8"`},
			},
		},
		{
			name: "an azure-arm VHD is taken as it is",
			args: []string{manifests + "azure-vhd.json"}, cloud: "azure",
			want: [][]string{{`osImageOverride: "https://capiimages.blob.core.windows.net/system/Microsoft.Compute/Images/images/capi-1716008123-osDisk.1c0b7a4e-5d3f-4e2a-9b8c-7d6e5f4a3b2c.vhd"`, `osVersion: "22.04"`}},
		},
		{
			name: "an image-builder vSphere template is its name",
			args: []string{manifests + "vsphere-ova.json"}, cloud: "vsphere",
			want: [][]string{{`osImageOverride: "ubuntu-2404-kube-v1.30.1"`, `osName: "ubuntu"`, `osVersion: "24.04"`}},
		},
		{
			name: "a vsphere-clone template gets its folder path",
			args: []string{manifests + "vsphere-clone.json", "--cloud", "vsphere"}, cloud: "vsphere",
			want: [][]string{{`osImageOverride: "/Datacenter/vm/templates/byoos/rhel-9-golden-20240518"`, `osVersion: "9.4"`}},
		},
		{
			name: "a name and an ID given by hand make values",
			args: []string{"--cloud", "aws", "--name", "capa-ami-rhel-8-v1.29.3-1716000000", "--id", "ami-0123456789abcdef0"}, cloud: "aws",
			want: [][]string{{`osImageOverride: "ami-0123456789abcdef0"`, `osName: "rhel"`, `osVersion: "8"`}},
		},
		{
			name: "--os-name and --os-version override the manifest",
			args: []string{manifests + "vsphere-ova.json", "--os-name", "ubuntu-pro", "--os-version", "24.04.1"}, cloud: "vsphere",
			want: [][]string{{`osName: "ubuntu-pro"`, `osVersion: "24.04.1"`, "osName from --os-name"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, "", append([]string{"image", "import"}, tt.args...)...)
			if code != ExitOK {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			docs := strings.Split(out, "---\n")
			if len(docs) != len(tt.want) {
				t.Fatalf("%d documents, want %d:\n%s", len(docs), len(tt.want), out)
			}
			for i, doc := range docs {
				for _, w := range tt.want[i] {
					if !strings.Contains(doc, w) {
						t.Errorf("document %d lacks %q:\n%s", i, w, doc)
					}
				}
				validates(t, tt.cloud, doc)
			}
		})
	}
}

func TestImageImportWritesTheFileGivenWithO(t *testing.T) {
	chdirRoot(t)
	path := filepath.Join(t.TempDir(), "values.yaml")
	out, errOut, code := run(t, "", "image", "import", manifests+"aws-image-builder.json", "--region", "eu-west-1", "-o", path)
	if code != ExitOK || out != "" || !strings.Contains(errOut, "wrote "+path+": aws ami-0a1b2c3d4e5f60718 in eu-west-1") {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `osImageOverride: "ami-0a1b2c3d4e5f60718"`) {
		t.Errorf("the file:\n%s", b)
	}
	validates(t, "aws", string(b))
	// From standard input too.
	src, _ := os.ReadFile(manifests + "azure-vhd.json")
	out, errOut, code = run(t, string(src), "image", "import", "-")
	if code != ExitOK || !strings.Contains(out, "capiimages.blob.core.windows.net") {
		t.Errorf("import -: exit %d\n%s%s", code, out, errOut)
	}
}

func TestImageImportExitCodes(t *testing.T) {
	chdirRoot(t)
	bad := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(bad, []byte("{\n  \"builds\": [\n    {\"builder_type\": \"amazon-ebs\", \"artifact_id\": \"us-east-1ami-123\", \"packer_run_uuid\": \"r\"}\n  ],\n  \"last_run_uuid\": \"r\"\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(t.TempDir(), "broken.json")
	if err := os.WriteFile(broken, []byte("{\n  \"builds\": [\n    {\"name\": \"x\",}\n  ]\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr []string
	}{
		{"a manifest file that does not exist is an I/O error", []string{"nope.json"}, ExitUsage, []string{"nope.json"}},
		{"no manifest and no name is a usage error", nil, ExitUsage, []string{"give the Packer manifest"}},
		{"a cloud generic-byoi has no images for is a usage error", []string{manifests + "mixed.json", "--cloud", "gcp"}, ExitUsage, []string{"aws, azure or vsphere"}},
		{"several regions and no --region is a usage error listing them", []string{manifests + "aws-image-builder.json"}, ExitUsage, []string{"eu-west-1, us-east-1, us-west-2", "--all-regions"}},
		{"several clouds and no --cloud is a usage error", []string{manifests + "mixed.json"}, ExitUsage, []string{"choose one with --cloud"}},
		{"a region the manifest has no AMI in is an error listing the regions it has", []string{manifests + "aws-image-builder.json", "--region", "eu-north-1"}, ExitFindings, []string{"no AMI in eu-north-1", "eu-west-1, us-east-1, us-west-2", "aws ec2 copy-image"}},
		{"an artifact_id that is not REGION:AMI is an error at its path and line", []string{bad}, ExitFindings, []string{bad + ":3:51: builds[0].artifact_id: \"us-east-1ami-123\" is not REGION:AMI"}},
		{"JSON that does not parse is an error at its line", []string{broken}, ExitFindings, []string{broken + ":3:", "not valid JSON"}},
		{"an azure managed image is refused with the export steps", []string{manifests + "azure-managed.json"}, ExitFindings, []string{"error azure-managed-image builds[0].artifact_id", "az disk create", "nothing was written"}},
		{"an azure gallery image version is refused with the export steps", []string{manifests + "azure-gallery.json"}, ExitFindings, []string{"error azure-gallery-image", "gallery-image-reference"}},
		{"a cloud the last run built nothing for is an error", []string{manifests + "mixed.json", "--cloud", "vsphere"}, ExitFindings, []string{"built no vsphere image", "aws from builds[0]"}},
		{"values that do not validate are not written", []string{manifests + "vsphere-ova.json", "--os-name", "Ubuntu"}, ExitFindings, []string{"vsphere-ova.json: error byoos-osname-case packs[generic-byoi].pack.osName", "do not validate"}},
		{"an AWS name without an ID is a usage error", []string{"--cloud", "aws", "--name", "capa-ami-rhel-8-v1.29.3-1716000000"}, ExitUsage, []string{"give the ID"}},
		{"a malformed ID is an error in the AMI parser's words", []string{"--cloud", "aws", "--name", "x", "--id", "ami-12"}, ExitFindings, []string{"aws-ami-malformed"}},
		{"--region and --all-regions together are a usage error", []string{manifests + "aws-image-builder.json", "--region", "us-east-1", "--all-regions"}, ExitUsage, []string{"give one"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, "", append([]string{"image", "import"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tt.code, out, errOut)
			}
			if out != "" {
				t.Errorf("something was written to standard output:\n%s", out)
			}
			for _, w := range tt.stderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("standard error lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

// recordingVerifier is an ImportVerifier that records what it is given and
// answers with its findings.
type recordingVerifier struct {
	checks []ImportCheck
	answer finding.List
}

func (v *recordingVerifier) VerifyImport(_ context.Context, c ImportCheck) (finding.List, error) {
	v.checks = append(v.checks, c)
	return v.answer, nil
}

func TestImageImportMakesANewProfileVersionOnTheServer(t *testing.T) {
	s := newCLIServer(t)
	s.must("profile", "apply", "examples/aws.yaml", "--publish")

	out := s.must("image", "import", manifests+"aws-image-builder.json", "--region", "us-west-2", "--profile", "rhel8-aws", "--no-verify")
	if !strings.Contains(out, "created cluster profile rhel8-aws 1.0.1") || !strings.Contains(out, "from 1.0.0") || !strings.Contains(out, "ami-0fedcba9876543210 in us-west-2") {
		t.Errorf("import:\n%s", out)
	}
	p := s.getJSON("rhel8-aws", "--version", "1.0.1")
	os := p.Spec.Draft.Packs[0].Values
	if !strings.Contains(os, `osImageOverride: "ami-0fedcba9876543210"`) || !strings.Contains(os, `osName: "ubuntu"`) || !strings.Contains(os, `osVersion: "24.04"`) || p.Status.IsPublished {
		t.Errorf("the new version: published %v, os layer:\n%s", p.Status.IsPublished, os)
	}
	if len(p.Spec.Draft.Packs) != 4 || p.Spec.Draft.Packs[1].Name != "kubernetes" {
		t.Errorf("the other layers were not kept: %+v", p.Spec.Draft.Packs)
	}
	old := s.getJSON("rhel8-aws", "--version", "1.0.0")
	if !strings.Contains(old.Spec.Draft.Packs[0].Values, "ami-0f4804aff4cf9c5a2") || !strings.Contains(old.Spec.Draft.Packs[0].Values, `osName: "rhel"`) || !old.Status.IsPublished {
		t.Errorf("the old version changed: %+v", old.Spec.Draft.Packs[0])
	}

	// The next import makes the next patch version; --version and --publish are honoured.
	s.must("image", "import", manifests+"aws-image-builder.json", "--region", "eu-west-1", "--profile", "rhel8-aws", "--no-verify")
	s.must("image", "import", manifests+"aws-image-builder.json", "--region", "eu-west-1", "--profile", "rhel8-aws", "--no-verify", "--version", "2.0.0", "--publish")
	if p := s.getJSON("rhel8-aws", "--version", "1.0.2"); !strings.Contains(p.Spec.Draft.Packs[0].Values, "ami-0a1b2c3d4e5f60718") {
		t.Errorf("1.0.2: %s", p.Spec.Draft.Packs[0].Values)
	}
	if p := s.getJSON("rhel8-aws", "--version", "2.0.0"); !p.Status.IsPublished {
		t.Errorf("2.0.0 is not published")
	}
	if _, errOut, code := s.run("image", "import", manifests+"aws-image-builder.json", "--region", "eu-west-1", "--profile", "rhel8-aws", "--no-verify", "--version", "2.0.0"); code != ExitFindings || !strings.Contains(errOut, "exists already") {
		t.Errorf("an existing version: exit %d %s", code, errOut)
	}
	if _, errOut, code := s.run("image", "import", manifests+"azure-vhd.json", "--profile", "rhel8-aws", "--no-verify"); code != ExitFindings || !strings.Contains(errOut, "built no aws image") {
		t.Errorf("an azure manifest for an aws profile: exit %d %s", code, errOut)
	}
}

// versions lists the versions of a profile on the server.
func (s *cliServer) versions(name string) string {
	s.t.Helper()
	ps, err := s.admin("Default").Profiles(context.Background(), name)
	if err != nil {
		s.t.Fatal(err)
	}
	var vs []string
	for _, p := range ps {
		vs = append(vs, p.Version)
	}
	return strings.Join(vs, ",")
}

func TestImageImportWritesNothingWhenTheImportIsRefused(t *testing.T) {
	s := newCLIServer(t)
	s.must("profile", "apply", "examples/azure.json")
	before := s.getJSON("ubuntu-azure")

	// A managed image is refused before anything is sent.
	_, errOut, code := s.run("image", "import", manifests+"azure-managed.json", "--profile", "ubuntu-azure", "--no-verify")
	if code != ExitFindings || !strings.Contains(errOut, "azure-managed-image") || !strings.Contains(errOut, "az disk create") {
		t.Errorf("managed image: exit %d\n%s", code, errOut)
	}
	// Values the server refuses (an OS name in capitals) are printed as its findings.
	_, errOut, code = s.run("image", "import", manifests+"azure-vhd.json", "--profile", "ubuntu-azure", "--no-verify", "--os-name", "Ubuntu")
	if code != ExitFindings || !strings.Contains(errOut, "ubuntu-azure@1.0.1:3:11: error byoos-osname-case") || !strings.Contains(errOut, "the server refused ubuntu-azure 1.0.1") {
		t.Errorf("refused by the server: exit %d\n%s", code, errOut)
	}
	if vs := s.versions("ubuntu-azure"); vs != "1.0.0" {
		t.Errorf("versions after refusals: %s", vs)
	}
	after := s.getJSON("ubuntu-azure")
	if after.Metadata.ResourceVersion != before.Metadata.ResourceVersion || after.Spec.Draft.Packs[0].Values != before.Spec.Draft.Packs[0].Values {
		t.Errorf("the profile changed: %+v", after.Spec.Draft.Packs[0])
	}
}

func TestImageImportCallsTheVerifierBeforeSaving(t *testing.T) {
	s := newCLIServer(t)
	s.must("profile", "apply", "examples/aws.yaml")
	runWith := func(v ImportVerifier, args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		e := &env{ctx: context.Background(), stdin: strings.NewReader(""), stdout: &out, stderr: &errb, importVerifier: v}
		code := e.run(append(args, "--server", s.URL, "--api-key", s.AdminKey, "--ca-cert", s.CACertFile))
		s.outputs = append(s.outputs, out.String(), errb.String())
		return out.String(), errb.String(), code
	}
	no := &recordingVerifier{answer: finding.List{{Severity: finding.Error, Code: "verify-aws-not-in-region", Path: "pack.osImageOverride", Message: "ami-0123456789abcdef0 is not in us-east-1"}}}
	_, errOut, code := runWith(no, "image", "import", manifests+"aws-image-builder.json", "--region", "us-east-1", "--profile", "rhel8-aws")
	if code != ExitFindings || !strings.Contains(errOut, "verify-aws-not-in-region") || !strings.Contains(errOut, "was not created") {
		t.Errorf("a verifier's error: exit %d\n%s", code, errOut)
	}
	if len(no.checks) != 1 {
		t.Fatalf("the verifier was called %d times", len(no.checks))
	}
	c := no.checks[0]
	if c.Region != "us-east-1" || c.Image.ID != "ami-0123456789abcdef0" || c.Profile.Spec.Version != "1.0.1" ||
		!strings.Contains(c.Profile.Spec.Template.Packs[c.Layer].Values, "ami-0123456789abcdef0") {
		t.Errorf("the verifier was given %+v", c)
	}
	if vs := s.versions("rhel8-aws"); vs != "1.0.0" {
		t.Errorf("versions after the verifier refused: %s", vs)
	}
	yes := &recordingVerifier{}
	if out, errOut, code := runWith(yes, "image", "import", manifests+"aws-image-builder.json", "--region", "us-east-1", "--profile", "rhel8-aws"); code != ExitOK || len(yes.checks) != 1 {
		t.Errorf("a verifier that finds nothing: exit %d, %d calls\n%s%s", code, len(yes.checks), out, errOut)
	}
}

// Without --no-verify, --profile checks the imported image where the cluster
// runs before it saves anything: here EC2 is a closed loopback port, so the
// check fails and no version is written.
func TestImageImportVerifiesTheImageBeforeSavingTheProfile(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAIMPORTTEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "import-test-secret")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	s := newCLIServer(t)
	s.must("profile", "apply", "examples/aws.yaml", "--publish")
	_, errOut, code := s.run("image", "import", manifests+"aws-image-builder.json", "--region", "us-west-2", "--profile", "rhel8-aws", "--aws-endpoint", "https://127.0.0.1:1")
	if code != ExitFindings || !strings.Contains(errOut, "verify-aws-unreachable") || !strings.Contains(errOut, "was not created") {
		t.Fatalf("exit %d, want 1 naming the failed check:\n%s", code, errOut)
	}
	if vs := s.versions("rhel8-aws"); vs != "1.0.0" {
		t.Errorf("versions after a refused import: %q, want the first one only", vs)
	}
}
