package byoi

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/values"
)

func parse(t *testing.T, src string) *values.Doc {
	t.Helper()
	d, err := values.Parse([]byte(src))
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return d
}

func errorCodes(fl finding.List) string {
	var out []string
	for _, f := range fl {
		out = append(out, string(f.Severity[0])+":"+f.Code)
	}
	return strings.Join(out, ",")
}

func TestGeneric(t *testing.T) {
	tests := []struct {
		name, cloud, values, want string
	}{
		{"an AMI ID on aws passes", "aws", `pack: {osImageOverride: ami-0f4804aff4cf9c5a2, osName: rhel, osVersion: "8"}`, ""},
		{"an 8-digit AMI ID on aws passes", "aws", `pack: {osImageOverride: ami-1a2b3c4d, osName: rhel, osVersion: "8"}`, ""},
		{"an AMI ARN on aws is refused", "aws", `pack: {osImageOverride: "arn:aws:ec2:us-east-1::image/ami-0f4804aff4cf9c5a2", osName: rhel, osVersion: "8"}`, "e:aws-ami-arn"},
		{"a missing image is refused", "aws", `pack: {osName: rhel, osVersion: "8"}`, "e:byoos-image-required"},
		{"an image given as a number is refused", "vsphere", `pack: {osImageOverride: 12345, osName: rhel, osVersion: "8"}`, "e:byoos-image-type"},
		{"a VHD URL with a SAS signature is a warning", "azure", `pack: {osImageOverride: "https://acct1.blob.core.windows.net/vhds/x.vhd?sv=2022-11-02&sig=abc", osName: ubuntu, osVersion: "22.04"}`, "w:azure-vhd-sas-token"},
		{"a VHD URL with an upper-case SIG is a SAS warning too", "azure", `pack: {osImageOverride: "https://acct1.blob.core.windows.net/vhds/x.vhd?sv=1&SIG=abc", osName: ubuntu, osVersion: "22.04"}`, "w:azure-vhd-sas-token"},
		{"a VHD URL with a percent-encoded %73ig is a SAS warning too", "azure", `pack: {osImageOverride: "https://acct1.blob.core.windows.net/vhds/x.vhd?sv=1&%73ig=abc", osName: ubuntu, osVersion: "22.04"}`, "w:azure-vhd-sas-token"},
		{"an OVA URL with userinfo is a credentials warning", "vsphere", `pack: {osImageOverride: "https://user:pw@images.example.com/r_u-x.ova", osName: ubuntu, osVersion: "22.04"}`, "w:vsphere-ova-url-credentials"},
		{"an OVA URL with a presigned query is a credentials warning", "vsphere", `pack: {osImageOverride: "https://b.s3.amazonaws.com/r_u-x.ova?X-Amz-Signature=abc", osName: ubuntu, osVersion: "22.04"}`, "w:vsphere-ova-url-credentials"},
		{"an Azurite URL is refused unless allowed", "azure", `pack: {osImageOverride: "http://127.0.0.1:10000/devstoreaccount1/vhds/x.vhd", osName: ubuntu, osVersion: "22.04"}`, "e:azure-vhd-emulator"},
		{"a marketplace URN is refused", "azure", `pack: {osImageOverride: "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest", osName: ubuntu, osVersion: "22.04"}`, "e:azure-marketplace-urn"},
		{"a managed image is refused", "azure", `pack: {osImageOverride: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/u22", osName: ubuntu, osVersion: "22.04"}`, "e:azure-managed-image"},
		{"an r_u- OVA on vsphere passes", "vsphere", `pack: {osImageOverride: path/to/template/r_u-2004-0-k-1243-0-new.ova, osName: ubuntu, osVersion: "20.04"}`, ""},
		{"an unquoted whole-number OS version is only a warning", "aws", `pack: {osImageOverride: ami-1a2b3c4d, osName: rhel, osVersion: 8}`, "w:byoos-osversion-unquoted"},
		{"an unquoted 8.10 is refused, since YAML reads it as 8.1", "aws", `pack: {osImageOverride: ami-1a2b3c4d, osName: rhel, osVersion: 8.10}`, "e:byoos-osversion-type"},
		{"an unquoted 22.04 is refused", "aws", `pack: {osImageOverride: ami-1a2b3c4d, osName: ubuntu, osVersion: 22.04}`, "e:byoos-osversion-type"},
		{"an unquoted 08 is refused, since it does not read back as written", "aws", `pack: {osImageOverride: ami-1a2b3c4d, osName: rhel, osVersion: 08}`, "e:byoos-osversion-type"},
		{"an unquoted 0x8 is refused, since YAML reads it as 8", "aws", `pack: {osImageOverride: ami-1a2b3c4d, osName: rhel, osVersion: 0x8}`, "e:byoos-osversion-type"},
		{"an AWS AMI ID on vsphere is another cloud's image", "vsphere", `pack: {osImageOverride: ami-0f4804aff4cf9c5a2, osName: rhel, osVersion: "8"}`, "e:image-wrong-cloud"},
		{"an Azure VHD URL on vsphere is another cloud's image", "vsphere", `pack: {osImageOverride: "https://docs.blob.core.windows.net/vhds/ubuntu20-1243.vhd", osName: ubuntu, osVersion: "20.04"}`, "e:image-wrong-cloud"},
		{"a vSphere template path on aws is another cloud's image", "aws", `pack: {osImageOverride: /Datacenter/vm/templates/rhel-8-kube-v1.30.5, osName: rhel, osVersion: "8"}`, "e:image-wrong-cloud"},
		{"a vSphere template path on azure is another cloud's image", "azure", `pack: {osImageOverride: /Datacenter/vm/templates/rhel-8-kube-v1.30.5, osName: rhel, osVersion: "8"}`, "e:image-wrong-cloud"},
		{"an OCI reference on aws is another cloud's image", "aws", `pack: {osImageOverride: "example.io/my-images/example-custom-os:v1.4.5", osName: ubuntu, osVersion: "22"}`, "e:image-wrong-cloud"},
		{"an OCI reference on azure is another cloud's image", "azure", `pack: {osImageOverride: "example.io/my-images/example-custom-os:v1.4.5", osName: ubuntu, osVersion: "22"}`, "e:image-wrong-cloud"},
		{"an OCI reference on vsphere is another cloud's image", "vsphere", `pack: {osImageOverride: "example.io/my-images/example-custom-os:v1.4.5", osName: ubuntu, osVersion: "22"}`, "e:image-wrong-cloud"},
		{"a plain template name on vsphere is not taken for another cloud's", "vsphere", `pack: {osImageOverride: ubuntu-2204-kube-v1.30.0, osName: ubuntu, osVersion: "22.04"}`, ""},
		{"a short inventory path on vsphere is not taken for another cloud's", "vsphere", `pack: {osImageOverride: /dc/vm/templates/rhel8, osName: rhel, osVersion: "8"}`, ""},
		{"a boolean OS name is refused", "aws", `pack: {osImageOverride: ami-1a2b3c4d, osName: true, osVersion: "8"}`, "e:byoos-osname-type"},
		{"a list as OS version is refused", "aws", `pack: {osImageOverride: ami-1a2b3c4d, osName: rhel, osVersion: [8]}`, "e:byoos-osversion-type"},
		{"empty values miss all three", "aws", `{}`, "e:byoos-image-required,e:byoos-osname-required,e:byoos-osversion-required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fl := CheckGeneric(tt.cloud, parse(t, tt.values), Options{})
			if got := errorCodes(fl); got != tt.want {
				t.Errorf("findings = %s, want %s\n%v", got, tt.want, fl)
			}
		})
	}
	fl := CheckGeneric("azure", parse(t, `pack: {osImageOverride: "http://127.0.0.1:10000/devstoreaccount1/vhds/x.vhd", osName: ubuntu, osVersion: "22.04"}`), Options{AllowEmulator: true})
	if len(fl) != 0 {
		t.Errorf("emulator URL refused with AllowEmulator: %v", fl)
	}
}

func TestASASSignatureIsNeverRepeated(t *testing.T) {
	fl := CheckGeneric("azure", parse(t, `pack: {osImageOverride: "https://acct1.blob.core.windows.net/vhds/x.vhdx?sv=2022&sig=TOPSECRETSIG%3D&se=2030", osName: u, osVersion: "1"}`), Options{})
	if len(fl) == 0 || fl[0].Code != "azure-vhd-extension" {
		t.Fatalf("findings = %v", fl)
	}
	for _, f := range fl {
		if strings.Contains(f.Message+f.Hint, "TOPSECRETSIG") {
			t.Errorf("finding repeats the SAS signature: %s", f)
		}
	}
	if !strings.Contains(fl[0].Message, "sig=********") {
		t.Errorf("message does not show the redacted URL: %s", fl[0].Message)
	}
}

func TestNoFindingRepeatsTheCredentialsOfAnImageURL(t *testing.T) {
	const vhd = "acct1.blob.core.windows.net/vhds/x.vhd"
	for _, tc := range []struct {
		name, cloud, image, code string
	}{
		{"the https hint of an http SAS URL does not repeat the signature", "azure", "http://" + vhd + "?sv=1&sig=SECRET", "azure-vhd-not-https"},
		{"a tab after the signature does not reveal it", "azure", "https://" + vhd + "?sv=1&sig=SECRET\t", "azure-vhd-malformed"},
		{"a tab inside the URL does not reveal the signature", "azure", "https://acct1.blob.core.windows.net/vhds/x\t.vhd?sv=1&sig=SECRET", "azure-vhd-malformed"},
		{"a no-break space inside the URL does not reveal the signature", "azure", "https://acct1.blob.core.windows.net/vhds/x\u00a0.vhd?sv=1&sig=SECRET", "azure-vhd-malformed"},
		{"an upper-case SIG is not repeated", "azure", "https://" + vhd + "x?sv=1&SIG=SECRET", "azure-vhd-extension"},
		{"a percent-encoded %73ig is not repeated", "azure", "https://" + vhd + "x?sv=1&%73ig=SECRET", "azure-vhd-extension"},
		{"a sig after a semicolon is not repeated", "azure", "https://" + vhd + "x;sig=SECRET", "azure-vhd-extension"},
		{"a password in the userinfo is not repeated", "azure", "https://user:SECRET@" + vhd, "azure-vhd-malformed"},
		{"a password in an OVA URL is not repeated", "vsphere", "https://user:SECRET@images.example.com/x.ova", "vsphere-ova-prefix"},
		{"a signature in an OVA URL is not repeated", "vsphere", "https://images.example.com/x.ova?X-Amz-Signature=SECRET", "vsphere-ova-prefix"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := &values.Doc{Root: &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
				{Kind: yaml.ScalarNode, Value: "pack"},
				{Kind: yaml.MappingNode, Content: []*yaml.Node{
					{Kind: yaml.ScalarNode, Value: "osImageOverride"}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: tc.image},
					{Kind: yaml.ScalarNode, Value: "osName"}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: "ubuntu"},
					{Kind: yaml.ScalarNode, Value: "osVersion"}, {Kind: yaml.ScalarNode, Tag: "!!str", Value: "22.04"},
				}},
			}}}
			fl := CheckGeneric(tc.cloud, doc, Options{})
			if len(fl) == 0 || fl[0].Code != tc.code {
				t.Fatalf("findings = %v, want %s first", fl, tc.code)
			}
			for _, f := range fl {
				if strings.Contains(f.Message+f.Hint, "SECRET") {
					t.Errorf("finding repeats the credential: %s\n%s", f.Message, f.Hint)
				}
			}
		})
	}
}

func TestAnUnknownValueIsNotChecked(t *testing.T) {
	d := parse(t, `pack: {osImageOverride: "", osName: rhel, osVersion: "8"}`)
	n, _ := d.Lookup("pack.osImageOverride")
	n.Value = "resolved-at-deploy"
	d.MarkUnknown(n)
	if fl := CheckGeneric("aws", d, Options{}); len(fl) != 0 {
		t.Errorf("deploy-time value was checked: %v", fl)
	}
}

const edgeOK = `pack:
  content:
    images:
      - image: example.io/my-images/example-custom-os:v1.4.5
options:
  system.uri: example.io/my-images/example-custom-os:v1.4.5
`

func TestEdge(t *testing.T) {
	cert := testCert(t)
	tests := []struct {
		name, values, want string
	}{
		{"the product page's example passes", edgeOK, ""},
		{"system.uri NA is accepted with a note", "pack: {content: {images: [{image: example.io/x:v1}]}}\noptions: {system.uri: NA}\n", "i:edge-system-uri-na"},
		{"system.uri NA with the provider-image entry resolved to NA passes", "pack: {content: {images: [{image: NA}]}}\noptions: {system.uri: NA}\n", "i:edge-system-uri-na"},
		{"system.uri NA with an empty image list passes", "pack: {content: {images: []}}\noptions: {system.uri: NA}\n", "i:edge-system-uri-na"},
		{"system.uri NA with no image list passes", "options: {system.uri: NA}\n", "i:edge-system-uri-na"},
		{"NA in the image list while system.uri names an image is refused", "pack: {content: {images: [{image: example.io/x:v1}, {image: NA}]}}\noptions: {system.uri: example.io/x:v1}\n", "e:edge-images-na"},
		{"a lower-case na in system.uri is not NA", "pack: {content: {images: [{image: NA}]}}\noptions: {system.uri: na}\n", "w:oci-implicit-latest,e:edge-images-na,w:edge-images-missing-uri"},
		{"an AMI ID as system.uri is another cloud's image", "pack: {content: {images: [{image: example.io/x:v1}]}}\noptions: {system.uri: ami-0f4804aff4cf9c5a2}\n", "e:image-wrong-cloud"},
		{"an Azure VHD URL in the image list is another cloud's image", "pack: {content: {images: [{image: 'https://docs.blob.core.windows.net/vhds/u.vhd'}, {image: example.io/x:v1}]}}\noptions: {system.uri: example.io/x:v1}\n", "e:image-wrong-cloud"},
		{"a relative path with a templates folder is still a Docker Hub image on Edge", "pack: {content: {images: [{image: 'templates/os:v1'}]}}\noptions: {system.uri: 'templates/os:v1'}\n", ""},
		{"an unquoted whole-number osVersion is only a warning", edgeOK + "  system.osVersion: 22\n", "w:byoos-osversion-unquoted"},
		{"an unquoted 22.04 osVersion is refused", edgeOK + "  system.osVersion: 22.04\n", "e:byoos-osversion-type"},
		{"a missing system.uri is refused", "pack: {content: {images: [{image: example.io/x:v1}]}}\n", "e:edge-system-uri-required"},
		{"options under pack is refused, as the docs' indentation suggests", "pack:\n  content: {images: [{image: example.io/x:v1}]}\n  options: {system.uri: example.io/x:v1}\n", "e:edge-options-under-pack,e:edge-system-uri-required"},
		{"content at the root is refused", "content: {images: [{image: example.io/x:v1}]}\noptions: {system.uri: example.io/x:v1}\n", "e:edge-content-at-root,e:edge-images-empty"},
		{"an empty image list is refused", "pack: {content: {images: []}}\noptions: {system.uri: example.io/x:v1}\n", "e:edge-images-empty"},
		{"images written as plain strings are refused", "pack: {content: {images: [example.io/x:v1]}}\noptions: {system.uri: example.io/x:v1}\n", "e:edge-images-shape,w:edge-images-missing-uri"},
		{"an image without a tag is a warning", "pack: {content: {images: [{image: example.io/x}]}}\noptions: {system.uri: example.io/x}\n", "w:oci-implicit-latest,w:oci-implicit-latest"},
		{"an image list without the provider image is a warning", "pack: {content: {images: [{image: example.io/other:v1}]}}\noptions: {system.uri: example.io/x:v1}\n", "w:edge-images-missing-uri"},
		{"a system.uri with a scheme is refused", "pack: {content: {images: [{image: example.io/x:v1}]}}\noptions: {system.uri: 'https://example.io/x:v1'}\n", "e:oci-scheme"},
		{"a nested system: {uri} is read like the flat key", "pack: {content: {images: [{image: example.io/x:v1}]}}\noptions: {system: {uri: example.io/x:v1}}\n", ""},
		{"complete credentials for the right registry pass", edgeOK + "providerCredentials:\n  registry: example.io\n  username: u\n  password: p\n  certificate: |\n" + indent(cert, "    "), ""},
		{"docker hub's names are one registry", "pack: {content: {images: [{image: docker.io/me/os:v1}]}}\noptions: {system.uri: docker.io/me/os:v1}\nproviderCredentials: {registry: registry-1.docker.io, username: u, password: p}\n", ""},
		{"credentials for another registry are refused", edgeOK + "providerCredentials: {registry: harbor.example.com, username: u, password: p}\n", "e:edge-credentials-registry-mismatch"},
		{"an IPv6 registry with its port matches", "pack: {content: {images: [{image: '[fd00::5]:5000/os/u:v1'}]}}\noptions: {system.uri: '[fd00::5]:5000/os/u:v1'}\nproviderCredentials: {registry: '[fd00::5]:5000', username: u, password: p}\n", ""},
		{"a port must match too", edgeOK + "providerCredentials: {registry: 'example.io:5000', username: u, password: p}\n", "e:edge-credentials-registry-mismatch"},
		{"a registry with a scheme is refused", edgeOK + "providerCredentials: {registry: 'https://example.io', username: u, password: p}\n", "e:registry-invalid"},
		{"credentials without a registry are refused", edgeOK + "providerCredentials: {username: u, password: p}\n", "e:edge-credentials-registry-required"},
		{"a username without a password is refused", edgeOK + "providerCredentials: {registry: example.io, username: u}\n", "e:edge-credentials-password-required"},
		{"a password without a username is refused", edgeOK + "providerCredentials: {registry: example.io, password: p}\n", "e:edge-credentials-username-required"},
		{"the other docs' spelling is refused with the right name", edgeOK + "providerCredentials: {registry: example.io, user: u, password: p}\n", "e:edge-credentials-spelling,e:edge-credentials-username-required"},
		{"a certificate that is not PEM is refused", edgeOK + "providerCredentials: {registry: example.io, certificate: hello}\n", "e:edge-credentials-certificate"},
		{"empty credentials are ignored", edgeOK + "providerCredentials: {registry: '', username: '', password: '', certificate: ''}\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fl := CheckEdge(parse(t, tt.values))
			if got := errorCodes(fl); got != tt.want {
				t.Errorf("findings = %s, want %s\n%v", got, tt.want, fl)
			}
		})
	}
}

func TestCertificateProblemsNeverShowTheValue(t *testing.T) {
	key := "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n"
	bad := "-----BEGIN CERTIFICATE-----\nTUlJQm9zZWNyZXQ=\n-----END CERTIFICATE-----\n"
	for _, c := range []struct{ cert, msg string }{
		{key, `"PRIVATE KEY" PEM block`},
		{bad, "not a valid X.509 certificate"},
		{testCert(t) + "trailing-secret-text", "text after its last PEM block"},
	} {
		fl := CheckEdge(parse(t, edgeOK+"providerCredentials:\n  registry: example.io\n  certificate: |\n"+indent(c.cert, "    ")))
		if len(fl) != 1 || fl[0].Code != "edge-credentials-certificate" || !strings.Contains(fl[0].Message, c.msg) {
			t.Fatalf("findings = %v, want one certificate finding saying %q", fl, c.msg)
		}
		all := fl[0].Message + fl[0].Hint
		for _, leak := range []string{"MIGHAg", "TUlJQm9z", "trailing-secret", "MIIB"} {
			if strings.Contains(all, leak) {
				t.Errorf("finding shows the certificate text %q: %s", leak, all)
			}
		}
	}
}

func testCert(t *testing.T) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "registry CA"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i := range lines {
		lines[i] = pre + lines[i]
	}
	return strings.Join(lines, "\n") + "\n"
}
