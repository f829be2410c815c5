package imagesrc

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byoos/byoos/osimage"
)

// want is an image as a test expects it.
type want struct {
	cloud, region, id, osName, osVersion, k8s string
	unusable                                  string // the problem code, when unusable
}

func got(img Image) want {
	w := want{img.Cloud, img.Region, img.ID, img.OSName, img.OSVersion, img.Kubernetes, ""}
	if img.Unusable != nil {
		w.unusable = img.Unusable.Code
	}
	return w
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFromManifestReadsRealShapedManifests(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		want    []want
		skipped int
		older   int
	}{
		{
			name: "an image-builder AMI build copied to three regions gives one image per region, with the OS from its build name",
			file: "aws-image-builder.json",
			want: []want{
				{cloud: "aws", region: "eu-west-1", id: "ami-0a1b2c3d4e5f60718", osName: "ubuntu", osVersion: "24.04", k8s: "v1.30.1"},
				{cloud: "aws", region: "us-east-1", id: "ami-0123456789abcdef0", osName: "ubuntu", osVersion: "24.04", k8s: "v1.30.1"},
				{cloud: "aws", region: "us-west-2", id: "ami-0fedcba9876543210", osName: "ubuntu", osVersion: "24.04", k8s: "v1.30.1"},
			},
		},
		{
			name:  "of two runs only the builds of last_run_uuid are imported",
			file:  "aws-two-runs.json",
			older: 1,
			want: []want{
				{cloud: "aws", region: "us-east-1", id: "ami-0bbbbbbbbbbbbbbbb", osName: "rhel", osVersion: "8", k8s: "v1.30.1"},
				{cloud: "aws", region: "us-east-2", id: "ami-0cccccccccccccccc", osName: "rhel", osVersion: "8", k8s: "v1.30.1"},
			},
		},
		{
			name: "an azure-arm VHD blob URL is used as it is",
			file: "azure-vhd.json",
			want: []want{{cloud: "azure", id: "https://capiimages.blob.core.windows.net/system/Microsoft.Compute/Images/images/capi-1716008123-osDisk.1c0b7a4e-5d3f-4e2a-9b8c-7d6e5f4a3b2c.vhd", osName: "ubuntu", osVersion: "22.04", k8s: "v1.30.1"}},
		},
		{
			name: "an azure-arm managed image is an image generic-byoi cannot use",
			file: "azure-managed.json",
			want: []want{{cloud: "azure", id: "/subscriptions/0b6e5d8a-1c2f-4e3a-9d7b-5a4c3b2a1f0e/resourceGroups/cluster-api-images/providers/Microsoft.Compute/images/capi-ubuntu-2204-1716008123", osName: "ubuntu", osVersion: "22.04", k8s: "v1.30.1", unusable: osimage.CodeAzureManagedImage}},
		},
		{
			name: "an azure-arm Compute Gallery image version is an image generic-byoi cannot use",
			file: "azure-gallery.json",
			want: []want{{cloud: "azure", id: "/subscriptions/0b6e5d8a-1c2f-4e3a-9d7b-5a4c3b2a1f0e/resourceGroups/cluster-api-images/providers/Microsoft.Compute/galleries/ClusterAPI/images/capi-ubuntu-2204/versions/1.30.1", osName: "ubuntu", osVersion: "22.04", k8s: "v1.30.1", unusable: osimage.CodeAzureGalleryImage}},
		},
		{
			name: "an image-builder vSphere template takes its OS from distro_name and distro_version, not the display name in os_name",
			file: "vsphere-ova.json",
			want: []want{{cloud: "vsphere", id: "ubuntu-2404-kube-v1.30.1", osName: "ubuntu", osVersion: "24.04", k8s: "v1.30.1"}},
		},
		{
			name: "a vsphere-clone template is put in the folder and datacenter custom_data names, with the OS custom_data gives",
			file: "vsphere-clone.json",
			want: []want{{cloud: "vsphere", id: "/Datacenter/vm/templates/byoos/rhel-9-golden-20240518", osName: "rhel", osVersion: "9.4"}},
		},
		{
			name:    "a run of several builders gives an image per cloud and skips the docker build",
			file:    "mixed.json",
			skipped: 1,
			want: []want{
				{cloud: "aws", region: "ap-southeast-2", id: "ami-0d1e2f3a4b5c6d7e8", osName: "rocky", osVersion: "9.3"},
				{cloud: "aws", region: "eu-central-1", id: "ami-0e1f2a3b4c5d6e7f8", osName: "rocky", osVersion: "9.3"},
				{cloud: "azure", id: "https://rockyimages.blob.core.windows.net/images/rocky-9-3-osDisk.9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d.vhd", osName: "rocky", osVersion: "9.3"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imp, err := FromManifest(readTestdata(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(imp.Images) != len(tt.want) {
				t.Fatalf("%d images, want %d: %+v", len(imp.Images), len(tt.want), imp.Images)
			}
			for i, img := range imp.Images {
				if g := got(img); g != tt.want[i] {
					t.Errorf("image %d:\n got %+v\nwant %+v", i, g, tt.want[i])
				}
			}
			if len(imp.Skipped) != tt.skipped {
				t.Errorf("%d skipped, want %d", len(imp.Skipped), tt.skipped)
			}
			if imp.OlderBuilds != tt.older {
				t.Errorf("%d older builds, want %d", imp.OlderBuilds, tt.older)
			}
		})
	}
}

func TestUnusableAzureImagesCarryTheExportSteps(t *testing.T) {
	for _, file := range []string{"azure-managed.json", "azure-gallery.json"} {
		imp, err := FromManifest(readTestdata(t, file))
		if err != nil {
			t.Fatal(err)
		}
		p := imp.Images[0].Unusable
		if p == nil || !strings.Contains(p.Message, "generic-byoi 1.0.x") || !strings.Contains(p.Hint, "az disk create") || !strings.Contains(p.Hint, "azcopy copy") {
			t.Errorf("%s: the problem does not say why and how to export: %+v", file, p)
		}
	}
}

// manifest wraps builds JSON into a manifest of one run.
func manifest(builds string) string {
	return `{"builds": [` + builds + `], "last_run_uuid": "r1"}`
}

func TestMalformedManifestsAreErrorsNamingTheirPathAndLine(t *testing.T) {
	tests := []struct {
		name string
		src  string
		// each wanted error: path, line (0 = any) and a part of the message
		path string
		line int
		msg  string
	}{
		{
			name: "a JSON syntax error names its line and column",
			src:  "{\n  \"builds\": [\n    {\"name\": \"x\",, }\n  ]\n}",
			line: 3, msg: "not valid JSON",
		},
		{
			name: "a manifest cut short says the JSON ends too early",
			src:  `{"builds": [{"name": "x"`,
			msg:  "ends too early",
		},
		{
			name: "an empty file is no manifest",
			src:  "  \n",
			msg:  "the file is empty",
		},
		{
			name: "a list at the top is not a manifest",
			src:  `[1, 2]`,
			line: 1, msg: "expected a JSON object",
		},
		{
			name: "a missing builds list is named",
			src:  `{"last_run_uuid": "r1"}`,
			path: "builds", msg: "is missing",
		},
		{
			name: "an empty builds list records no build",
			src:  `{"builds": [], "last_run_uuid": "r1"}`,
			path: "builds", line: 1, msg: "is empty",
		},
		{
			name: "a build_time that is text is a wrong type at its JSON path",
			src:  "{\"builds\": [\n{\"name\": \"a\", \"builder_type\": \"amazon-ebs\", \"artifact_id\": \"us-east-1:ami-0123456789abcdef0\", \"packer_run_uuid\": \"r1\"},\n{\"name\": \"b\", \"builder_type\": \"amazon-ebs\", \"build_time\": \"yesterday\", \"artifact_id\": \"us-east-1:ami-0123456789abcdef0\", \"packer_run_uuid\": \"r1\"}\n], \"last_run_uuid\": \"r1\"}",
			path: "builds[1].build_time", line: 3, msg: `the string "yesterday"`,
		},
		{
			name: "a custom_data value that is a number is a wrong type",
			src:  manifest(`{"builder_type": "amazon-ebs", "artifact_id": "us-east-1:ami-0123456789abcdef0", "packer_run_uuid": "r1", "custom_data": {"os_version": 8}}`),
			path: "builds[0].custom_data.os_version", msg: "the number 8",
		},
		{
			name: "an artifact_id that is not REGION:AMI says so",
			src:  manifest(`{"builder_type": "amazon-ebs", "artifact_id": "us-east-1:ami-0123456789abcdef0,us-west-2ami-0123456789abcdef0", "packer_run_uuid": "r1"}`),
			path: "builds[0].artifact_id", line: 1, msg: `"us-west-2ami-0123456789abcdef0" is not REGION:AMI`,
		},
		{
			name: "an artifact_id with a malformed AMI ID says what an AMI ID is",
			src:  manifest(`{"builder_type": "amazon-ebs", "artifact_id": "us-east-1:ami-123", "packer_run_uuid": "r1"}`),
			path: "builds[0].artifact_id", msg: `"ami-123" in "us-east-1:ami-123" is not an AMI ID`,
		},
		{
			name: "an artifact_id with no region name says so",
			src:  manifest(`{"builder_type": "amazon-ebs", "artifact_id": "useast:ami-0123456789abcdef0", "packer_run_uuid": "r1"}`),
			path: "builds[0].artifact_id", msg: "is not an AWS region name",
		},
		{
			name: "a build without builder_type is named",
			src:  manifest(`{"name": "x", "artifact_id": "x", "packer_run_uuid": "r1"}`),
			path: "builds[0].builder_type", msg: "is missing",
		},
		{
			name: "a last_run_uuid no build has is an error listing the runs",
			src:  `{"builds": [{"builder_type": "amazon-ebs", "artifact_id": "us-east-1:ami-0123456789abcdef0", "packer_run_uuid": "r1"}], "last_run_uuid": "r2"}`,
			path: "last_run_uuid", msg: `no build has that packer_run_uuid (the builds are of "r1")`,
		},
		{
			name: "an azure artifact that is a storage URL of no VHD is an error",
			src:  manifest(`{"builder_type": "azure-arm", "artifact_id": "https://example.com/disk.img", "packer_run_uuid": "r1"}`),
			path: "builds[0].artifact_id", msg: "example.com",
		},
		{
			name: "a key given twice is an error",
			src:  `{"builds": [], "builds": [], "last_run_uuid": "r1"}`,
			line: 1, msg: `the key "builds" appears twice`,
		},
		{
			name: "text after the manifest is an error",
			src:  manifest(`{"builder_type": "amazon-ebs", "artifact_id": "us-east-1:ami-0123456789abcdef0", "packer_run_uuid": "r1"}`) + ` {}`,
			msg:  "unexpected text after the end",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := FromManifest([]byte(tt.src))
			if err == nil {
				t.Fatal("no error")
			}
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error %T %v, want Errors", err, err)
			}
			found := false
			for _, e := range es {
				if e.Path == tt.path && (tt.line == 0 || e.Line == tt.line) && strings.Contains(e.Message, tt.msg) {
					found = true
				}
			}
			if !found {
				t.Errorf("no error at %q line %d with %q in:\n%v", tt.path, tt.line, tt.msg, err)
			}
			if strings.Contains(es.In("m.json"), "\n\n") {
				t.Errorf("empty line in %q", es.In("m.json"))
			}
		})
	}
}

func TestErrorsPrintFileLineColumnAndPath(t *testing.T) {
	src := manifest(`{"builder_type": "amazon-ebs", "artifact_id": "us-east-1ami-123", "packer_run_uuid": "r1"}`)
	_, err := FromManifest([]byte(src))
	var es Errors
	if !errors.As(err, &es) {
		t.Fatal(err)
	}
	want := `packer-manifest.json:1:59: builds[0].artifact_id: "us-east-1ami-123" is not REGION:AMI`
	if got := es.In("packer-manifest.json"); !strings.HasPrefix(got, want) {
		t.Errorf("got  %s\nwant %s…", got, want)
	}
}

func TestParseNameReadsImageBuilderNames(t *testing.T) {
	tests := []struct {
		name, in string
		ok       bool
		want     Name
	}{
		{"an AMI name with a v-prefixed version", "capa-ami-ubuntu-24.04-v1.30.1-1716000000", true, Name{FormAMI, "ubuntu", "24.04", "v1.30.1"}},
		{"an AMI name with a package revision after the version", "capa-ami-ubuntu-2204-1.30.1-1.1-1716000000", true, Name{FormAMI, "ubuntu", "22.04", "1.30.1"}},
		{"an AMI name of a flatcar channel has no OS version", "capa-ami-flatcar-stable-v1.29.3-1716000000", true, Name{FormAMI, "flatcar", "", "v1.29.3"}},
		{"an AMI name without a timestamp is not image-builder's", "capa-ami-ubuntu-24.04-v1.30.1", false, Name{}},
		{"an OVA name", "ubuntu-2404-kube-v1.30.1.ova", true, Name{FormOVA, "ubuntu", "24.04", "v1.30.1"}},
		{"a template name of rhel", "rhel-8-kube-v1.27.11", true, Name{FormOVA, "rhel", "8", "v1.27.11"}},
		{"a template name with an EFI variant", "ubuntu-2204-efi-kube-v1.30.1", true, Name{FormOVA, "ubuntu", "22.04", "v1.30.1"}},
		{"an Azure VHD builder name", "vhd-ubuntu-2204", true, Name{FormBuildName, "ubuntu", "22.04", ""}},
		{"a build name of a distribution image-builder builds", "rockylinux-9", true, Name{FormBuildName, "rockylinux", "9", ""}},
		{"a build name of another word is not guessed from", "prod-2024-golden", false, Name{}},
		{"an OVA whose name has no -kube- is not image-builder's", "r_u-2004-0-k-1243-0-new.ova", false, Name{}},
		{"a path is not a name", "/DC/vm/ubuntu-2404-kube-v1.30.1", false, Name{}},
		{"an AMI ID is not a name", "ami-0123456789abcdef0", false, Name{}},
		{"an empty name is nothing", "", false, Name{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, ok := ParseName(tt.in)
			if ok != tt.ok || n != tt.want {
				t.Errorf("ParseName(%q) = %+v, %v; want %+v, %v", tt.in, n, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestFromNameTakesTheOSFromTheNameAndTheImageFromTheID(t *testing.T) {
	tests := []struct {
		name, cloud, in, id string
		want                want
		err                 string
	}{
		{name: "an AMI name and ID", cloud: "aws", in: "capa-ami-ubuntu-24.04-v1.30.1-1716000000", id: "ami-0123456789abcdef0",
			want: want{cloud: "aws", region: "us-east-1", id: "ami-0123456789abcdef0", osName: "ubuntu", osVersion: "24.04", k8s: "v1.30.1"}},
		{name: "an AMI name without an ID is refused", cloud: "aws", in: "capa-ami-ubuntu-24.04-v1.30.1-1716000000", err: "give the ID"},
		{name: "a malformed AMI ID is refused with the AMI parser's words", cloud: "aws", in: "x", id: "ami-12", err: "aws-ami-malformed"},
		{name: "a vSphere template name is its own ID", cloud: "vsphere", in: "rhel-8-kube-v1.27.11",
			want: want{cloud: "vsphere", id: "rhel-8-kube-v1.27.11", osName: "rhel", osVersion: "8", k8s: "v1.27.11"}},
		{name: "an OVA file name needs the template's path", cloud: "vsphere", in: "ubuntu-2404-kube-v1.30.1.ova", err: "is an OVA file"},
		{name: "an Azure managed image is unusable", cloud: "azure", in: "vhd-ubuntu-2204", id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/i",
			want: want{cloud: "azure", id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/i", osName: "ubuntu", osVersion: "22.04", unusable: osimage.CodeAzureManagedImage}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := FromName(tt.cloud, "us-east-1", tt.in, tt.id)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if g := got(img); g != tt.want {
				t.Errorf("\n got %+v\nwant %+v", g, tt.want)
			}
		})
	}
}

func TestSetValuesReplacesTheImageAndKeepsTheRest(t *testing.T) {
	img := Image{ID: "ami-0123456789abcdef0", OSName: "ubuntu", OSVersion: "24.04"}
	tests := []struct {
		name, in, want string
	}{
		{
			name: "written values change only in their text, comments kept",
			in:   "# my image\npack:\n  osImageOverride: \"ami-0aaaaaaaaaaaaaaaa\" # old\n  osName: rhel\n  osVersion: '8'\n  extra: kept\n",
			want: "# my image\npack:\n  osImageOverride: \"ami-0123456789abcdef0\" # old\n  osName: \"ubuntu\"\n  osVersion: \"24.04\"\n  extra: kept\n",
		},
		{
			name: "missing keys are added under pack",
			in:   "pack:\n  extra: kept\n",
			want: "pack:\n  extra: kept\n  osImageOverride: \"ami-0123456789abcdef0\"\n  osName: \"ubuntu\"\n  osVersion: \"24.04\"\n",
		},
		{
			name: "empty values get the three keys",
			in:   "",
			want: "pack:\n  osImageOverride: \"ami-0123456789abcdef0\"\n  osName: \"ubuntu\"\n  osVersion: \"24.04\"\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := img.SetValues(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if out != tt.want {
				t.Errorf("got\n%s\nwant\n%s", out, tt.want)
			}
		})
	}
}

func TestValuesCommentsCannotBreakOutOfTheComment(t *testing.T) {
	b := &Build{Index: 0, Name: "evil\npack:\n  osImageOverride: x", BuilderType: "amazon-ebs"}
	img := b.newImage("aws", "ami-0123456789abcdef0")
	out, err := img.Values("")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(line, "  osImageOverride: x") {
			t.Errorf("a build name wrote a line of its own:\n%s", out)
		}
	}
}

func TestAManifestWithManyProblemsReportsTheFirstAndCountsTheRest(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"builds": [`)
	for i := range 3000 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"builder_type": "amazon-ebs", "artifact_id": "` + strings.Repeat("x,", 100) + `x", "packer_run_uuid": "r"}`)
	}
	b.WriteString(`], "last_run_uuid": "r"}`)
	_, err := FromManifest([]byte(b.String()))
	var es Errors
	if !errors.As(err, &es) {
		t.Fatal(err)
	}
	if len(es) != MaxErrors+1 || !strings.HasPrefix(es[len(es)-1].Message, "and ") || !strings.Contains(es[len(es)-1].Message, "more problem(s)") {
		t.Errorf("%d problems, the last %q", len(es), es[len(es)-1].Message)
	}
}
