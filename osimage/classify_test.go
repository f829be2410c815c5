package osimage_test

import (
	"strings"
	"testing"

	"github.com/byoos/byoos/osimage"
)

// cloudParsers runs the parser of each cloud type on a value and returns its problem.
var cloudParsers = map[string]func(string) *osimage.Problem{
	osimage.CloudTypeAWS:     func(s string) *osimage.Problem { _, p := osimage.ParseAMI(s); return p },
	osimage.CloudTypeAzure:   func(s string) *osimage.Problem { _, p := osimage.ParseVHD(s, osimage.AzureOptions{}); return p },
	osimage.CloudTypeVSphere: func(s string) *osimage.Problem { _, p := osimage.ParseTemplate(s); return p },
	osimage.CloudTypeEdge:    func(s string) *osimage.Problem { _, p := osimage.ParseOCI(s); return p },
}

func TestClassifyRecognisesEachCloudsUnmistakableForms(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want osimage.Kind
	}{
		{"an AMI ID is AWS's", "ami-0f4804aff4cf9c5a2", osimage.KindAMIID},
		{"an older 8-digit AMI ID is AWS's", "ami-1a2b3c4d", osimage.KindAMIID},
		{"an AMI ID with a digit missing is still AWS's", "ami-0f4804aff4cf9c5a", osimage.KindAMIID},
		{"an EC2 image ARN is AWS's", "arn:aws:ec2:us-east-1::image/ami-0f4804aff4cf9c5a2", osimage.KindAWSARN},
		{"an Image Builder ARN in GovCloud is AWS's", "arn:aws-us-gov:imagebuilder:us-gov-west-1:123456789012:image/x/1.0.0/1", osimage.KindAWSARN},
		{"a VHD blob URL is Azure's", "https://docs.blob.core.windows.net/vhds/ubuntu20-1243.vhd", osimage.KindVHDURL},
		{"a VHD blob URL with a SAS token is Azure's", "https://acct1.blob.core.windows.net/vhds/x.vhd?sv=1&sig=abc", osimage.KindVHDURL},
		{"a VHDX blob URL on a sovereign cloud is Azure's", "https://acct1.blob.core.chinacloudapi.cn/vhds/x.vhdx", osimage.KindVHDURL},
		{"a VHD blob URL without its scheme is Azure's", "docs.blob.core.windows.net/vhds/ubuntu20-1243.vhd", osimage.KindVHDURL},
		{"a gallery image version ID is Azure's", "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0", osimage.KindAzureGalleryImage},
		{"a community gallery image is Azure's", "/CommunityGalleries/pub-1234/Images/ubuntu/Versions/latest", osimage.KindAzureGalleryImage},
		{"a managed image ID is Azure's", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/u22", osimage.KindAzureManagedImage},
		{"a managed disk ID is Azure's", "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/disks/d1", osimage.KindAzureResourceID},
		{"a marketplace URN is Azure's", "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest", osimage.KindMarketplaceURN},
		{"a marketplace URN with a dotted version is Azure's", "RedHat:RHEL:8-lvm-gen2:8.10.2024070513", osimage.KindMarketplaceURN},
		{"an inventory path with a vm folder is vSphere's", "/Datacenter/vm/templates/rhel-8-kube-v1.30.5", osimage.KindTemplatePath},
		{"an inventory path with spaces inside is vSphere's", "/DC/vm/Golden Images/RHEL 8", osimage.KindTemplatePath},
		{"the pack docs' relative template path is vSphere's", "path/to/template/rhel-8-kube-v1.27.11", osimage.KindTemplatePath},
		{"an OVA name is vSphere's", "r_u-2004-0-k-1243-0-new.ova", osimage.KindOVA},
		{"an OVA URL is vSphere's, even on blob storage", "https://acct1.blob.core.windows.net/ovas/r_u-2004.ova", osimage.KindOVA},
		{"an image reference with a registry host and a tag is Edge's", "example.io/my-images/example-custom-os:v1.4.5", osimage.KindOCIReference},
		{"an image reference on a registry port with a digest is Edge's", "10.10.1.5:5000/os/ubuntu@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", osimage.KindOCIReference},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := osimage.Classify(c.in); got != c.want {
				t.Errorf("Classify(%q) = %v, want %v", c.in, got, c.want)
			}
		})
	}
}

func TestClassifyLeavesFreeFormNamesAlone(t *testing.T) {
	for _, in := range []string{
		"ubuntu-2204-kube-v1.30.0", "rhel-8-kube-v1.27.11", "rhel8", "/ubuntu-2204-kube-v1.29.4", "a/b/c",
		"ubuntu:22.04", "ubuntu", "capa-ami-ubuntu-24.04-v1.30.1-1716000000", "ami-template-rhel8",
		"ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20230516", "a:b:c:d", "rhel.ova-backup",
		"example.io/images/rhel8", "https://images.example.com/rhel8.qcow2", "/vm/x", "/dc/vm/", " ami-1a2b3c4d",
		"ami-1a2b3c4d\n", "", "arn:partition:ec2:x:y:image/z",
	} {
		if got := osimage.Classify(in); got != osimage.KindUnknown {
			t.Errorf("Classify(%q) = %v, want it left unrecognised", in, got)
		}
	}
}

func TestEachParserNamesAnotherCloudsImage(t *testing.T) {
	const (
		ami      = "ami-0f4804aff4cf9c5a2"
		vhd      = "https://docs.blob.core.windows.net/vhds/ubuntu20-1243.vhd"
		template = "/Datacenter/vm/templates/rhel-8-kube-v1.30.5"
		ova      = "path/to/template/r_u-2004-0-k-1243-0-new.ova"
		oci      = "example.io/my-images/example-custom-os:v1.4.5"
		gallery  = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0"
		urn      = "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest"
	)
	cases := []struct {
		name  string
		cloud string
		in    string
		want  wantProblem
	}{
		{"an AWS AMI ID on vsphere says it is an AMI ID and what vsphere needs", osimage.CloudTypeVSphere, ami, wantProblem{
			msg:  []string{"is an AWS AMI ID; a vsphere profile needs", "inventory path"},
			hint: []string{"VM template", "cloudType: aws"}}},
		{"an Azure VHD URL on vsphere says it is an Azure VHD, not that it is no OVA", osimage.CloudTypeVSphere, vhd, wantProblem{
			msg:  []string{"is an Azure VHD blob URL; a vsphere profile needs"},
			hint: []string{"cloudType: azure"}}},
		{"an Azure gallery image on vsphere is Azure's", osimage.CloudTypeVSphere, gallery, wantProblem{msg: []string{"is an Azure Compute Gallery image ID"}}},
		{"a marketplace URN on vsphere is Azure's", osimage.CloudTypeVSphere, urn, wantProblem{msg: []string{"is an Azure Marketplace image URN"}}},
		{"an OCI reference on vsphere is an Edge provider image", osimage.CloudTypeVSphere, oci, wantProblem{
			msg:  []string{"is an OCI image reference", "a vsphere profile needs"},
			hint: []string{"edge-native profile", "options.system.uri"}}},
		{"a vSphere template path on aws says so", osimage.CloudTypeAWS, template, wantProblem{
			msg:  []string{"is a vSphere template path; an aws profile needs an AMI ID"},
			hint: []string{"ami-0f4804aff4cf9c5a2", "cloudType: vsphere"}}},
		{"a vSphere OVA on aws says so and how to import it", osimage.CloudTypeAWS, ova, wantProblem{
			msg:  []string{"is a vSphere OVA; an aws profile needs"},
			hint: []string{"aws ec2 import-image"}}},
		{"an Azure VHD URL on aws is Azure's", osimage.CloudTypeAWS, vhd, wantProblem{msg: []string{"is an Azure VHD blob URL; an aws profile needs"}}},
		{"a marketplace URN on aws is Azure's", osimage.CloudTypeAWS, urn, wantProblem{msg: []string{"is an Azure Marketplace image URN"}}},
		{"an OCI reference on aws is an Edge provider image", osimage.CloudTypeAWS, oci, wantProblem{msg: []string{"is an OCI image reference", "an aws profile needs"}}},
		{"a vSphere template path on azure says so", osimage.CloudTypeAzure, template, wantProblem{
			msg:  []string{"is a vSphere template path; an azure profile needs the https blob URL of a VHD"},
			hint: []string{"cloudType: vsphere"}}},
		{"an AWS AMI ID on azure is AWS's", osimage.CloudTypeAzure, ami, wantProblem{msg: []string{"is an AWS AMI ID; an azure profile needs"}}},
		{"an OCI reference on azure is an Edge provider image", osimage.CloudTypeAzure, oci, wantProblem{msg: []string{"is an OCI image reference", "an azure profile needs"}}},
		{"an AWS AMI ID as an Edge image is AWS's", osimage.CloudTypeEdge, ami, wantProblem{
			msg:  []string{"is an AWS AMI ID; an edge-native profile needs an image reference"},
			hint: []string{"CanvOS", "cloudType: aws"}}},
		{"an Azure VHD URL as an Edge image is Azure's, not a reference with a scheme", osimage.CloudTypeEdge, vhd, wantProblem{msg: []string{"is an Azure VHD blob URL"}}},
		{"an absolute vSphere template path as an Edge image is vSphere's", osimage.CloudTypeEdge, template, wantProblem{msg: []string{"is a vSphere template path"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.want.code = osimage.CodeImageWrongCloud
			checkProblem(t, c.in, cloudParsers[c.cloud](c.in), c.want)
		})
	}
}

func TestEachParserKeepsItsOwnFormsAndCodes(t *testing.T) {
	cases := []struct {
		name  string
		cloud string
		in    string
		code  string // "" when the value is accepted
	}{
		{"an AMI ARN on aws keeps its own code", osimage.CloudTypeAWS, "arn:aws:ec2:us-east-1::image/ami-0f4804aff4cf9c5a2", osimage.CodeAWSAMIARN},
		{"an AMI ID with a digit missing on aws keeps its own code", osimage.CloudTypeAWS, "ami-0f4804aff4cf9c5a", osimage.CodeAWSAMIMalformed},
		{"a gallery image on azure keeps its own code", osimage.CloudTypeAzure, "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i", osimage.CodeAzureGalleryImage},
		{"a marketplace URN on azure keeps its own code", osimage.CloudTypeAzure, "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest", osimage.CodeAzureMarketplaceURN},
		{"a VHDX blob on azure keeps its own code", osimage.CloudTypeAzure, "https://acct1.blob.core.windows.net/vhds/x.vhdx", osimage.CodeAzureVHDExtension},
		{"an OVA without its prefix on vsphere keeps its own code", osimage.CloudTypeVSphere, "path/to/template/2004-0-k-1243-0-new.ova", osimage.CodeVSphereOVAPrefix},
		{"an r_u- OVA served from blob storage is a vsphere image", osimage.CloudTypeVSphere, "https://acct1.blob.core.windows.net/ovas/r_u-2004.ova", ""},
		{"a template named like a name on vsphere passes", osimage.CloudTypeVSphere, "ubuntu-2204-kube-v1.30.0", ""},
		{"a template path with a vm folder on vsphere passes", osimage.CloudTypeVSphere, "/dc/vm/templates/rhel8", ""},
		{"a folder with a dot and no tag on vsphere passes", osimage.CloudTypeVSphere, "templates.v2/rhel8", ""},
		{"a provider image on edge passes", osimage.CloudTypeEdge, "ttl.sh/ubuntu:k3s-1.29.4-v4.4.12-demo", ""},
		{"a Docker Hub image whose user is templates passes on edge", osimage.CloudTypeEdge, "templates/os:v1", ""},
		{"an ami- image with a tag is a Docker Hub image on edge", osimage.CloudTypeEdge, "ami-1a2b3c4d:v1", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := cloudParsers[c.cloud](c.in)
			switch {
			case c.code == "" && p != nil:
				t.Fatalf("%s parser refused %q: %v", c.cloud, c.in, p)
			case c.code != "" && (p == nil || p.Code != c.code):
				t.Fatalf("%s parser on %q = %v, want code %s", c.cloud, c.in, p, c.code)
			}
		})
	}
}

func TestAnotherCloudsImageIsNamedWithoutItsCredentials(t *testing.T) {
	const in = "https://acct1.blob.core.windows.net/vhds/x.vhd?sv=2022-11-02&sig=TOPSECRET"
	for _, cloud := range []string{osimage.CloudTypeAWS, osimage.CloudTypeVSphere, osimage.CloudTypeEdge} {
		p := cloudParsers[cloud](in)
		if p == nil || p.Code != osimage.CodeImageWrongCloud {
			t.Fatalf("%s parser on a SAS URL = %v, want %s", cloud, p, osimage.CodeImageWrongCloud)
		}
		if strings.Contains(p.Message+p.Hint, "TOPSECRET") {
			t.Errorf("%s parser repeats the SAS signature: %s %s", cloud, p.Message, p.Hint)
		}
		if !strings.Contains(p.Message, "sig=********") {
			t.Errorf("%s parser does not show the redacted URL: %s", cloud, p.Message)
		}
	}
}
