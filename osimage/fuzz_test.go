package osimage_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/byoos/byoos/osimage"
	"github.com/byoos/byoos/secret"
	"github.com/google/go-containerregistry/pkg/name"
)

// The fuzz targets check invariants that hold for every input:
//   - the parser does not panic and gives the same answer twice;
//   - exactly one of (value, problem) is set;
//   - a problem has a code from its parser's list, a message quoting the value (when it is
//     short) and a hint, all valid UTF-8 and of bounded size;
//   - an accepted value has its required fields and re-parses to the same value.
// Seed inputs live in f.Add calls and in testdata/fuzz/<FuzzName>/.

// validAMI is an independent oracle for the only valid AMI ID form.
var validAMI = regexp.MustCompile(`^ami-([0-9a-f]{8}|[0-9a-f]{17})$`)

// checkFuzzProblem asserts what every problem must satisfy.
func checkFuzzProblem(t *testing.T, in string, p *osimage.Problem, codes ...string) {
	t.Helper()
	if p.Code == "" || p.Message == "" || p.Hint == "" {
		t.Fatalf("input %q: problem with an empty field: %#v", in, p)
	}
	known := false
	for _, c := range codes {
		known = known || p.Code == c
	}
	if !known {
		t.Fatalf("input %q: code %q is not one of %v", in, p.Code, codes)
	}
	if !utf8.ValidString(p.Message) || !utf8.ValidString(p.Hint) {
		t.Fatalf("input %q: message or hint is not valid UTF-8: %q / %q", in, p.Message, p.Hint)
	}
	if len(in) <= 100 && !quotesValue(p.Message, in) {
		t.Fatalf("input %q: message does not quote the value: %q", in, p.Message)
	}
	if len(p.Message) > 4000 || len(p.Hint) > 4000 {
		t.Fatalf("input %q: message (%d) or hint (%d) too long", in, len(p.Message), len(p.Hint))
	}
}

func FuzzParseAMI(f *testing.F) {
	for _, s := range []string{
		"ami-0f4804aff4cf9c5a2", "ami-1a2b3c4d", "AMI-0F4804AFF4CF9C5A2", "",
		"arn:aws:ec2:us-east-1:123456789012:image/ami-0f4804aff4cf9c5a2",
		"arn:aws:imagebuilder:us-east-1:123456789012:image/x/1.0.0/1", "snap-0123456789abcdef0",
		"ami-0f4804aff4cf9c5a", "capa-ami-ubuntu-24.04-v1.30.1-1716000000", "i-0123456789abcdef0",
		"resolve:ssm:/aws/service/x", "123456789012", "a b", "ami-\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, p := osimage.ParseAMI(s)
		a2, p2 := osimage.ParseAMI(s)
		if a != a2 || (p == nil) != (p2 == nil) || p != nil && *p != *p2 {
			t.Fatalf("input %q: two parses differ", s)
		}
		if p != nil {
			if a != (osimage.AMI{}) {
				t.Fatalf("input %q: problem and value both set: %+v", s, a)
			}
			checkFuzzProblem(t, s, p, osimage.CodeAWSAMIEmpty, osimage.CodeAWSAMIUppercase, osimage.CodeAWSAMIARN,
				osimage.CodeAWSSnapshotID, osimage.CodeAWSAMIMalformed, osimage.CodeAWSAMIName, osimage.CodeAWSAMIInvalid, osimage.CodeImageWrongCloud)
			if validAMI.MatchString(s) {
				t.Fatalf("input %q: a valid AMI ID was rejected: %v", s, p)
			}
			return
		}
		if a.ID != s || !validAMI.MatchString(a.ID) {
			t.Fatalf("input %q: accepted as %+v, which is not a valid AMI ID", s, a)
		}
	})
}

func FuzzParseVHD(f *testing.F) {
	for _, s := range []string{
		"https://docs.blob.core.windows.net/vhds/ubuntu20-1243.vhd",
		"https://docs.blob.core.windows.net/vhds/a/b.vhd?sv=2022-11-02&sig=abc%3D",
		"https://acct.blob.core.chinacloudapi.cn/vhds/x.vhd",
		"http://127.0.0.1:10000/devstoreaccount1/vhds/x.vhd",
		"/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0",
		"/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/images/i",
		"Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest",
		"http://docs.blob.core.windows.net/vhds/x.vhd", "https://example.com/x.vhd",
		"https://docs.blob.core.windows.net/vhds/x.vhdx", "https://docs.blob.core.windows.net/x.vhd", "",
		"https://[::1]:10000/devstoreaccount1/c00/x.vhd", "https://docs.blob.core.windows.net/vhds/%zz.vhd",
	} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, s string, allowEmulator bool) {
		opt := osimage.AzureOptions{AllowEmulator: allowEmulator}
		v, p := osimage.ParseVHD(s, opt)
		v2, p2 := osimage.ParseVHD(s, opt)
		if v != v2 || (p == nil) != (p2 == nil) || p != nil && (p.Code != p2.Code || p.Message != p2.Message) {
			t.Fatalf("input %q: two parses differ", s)
		}
		if p != nil {
			if v != (osimage.VHD{}) {
				t.Fatalf("input %q: problem and value both set: %+v", s, v)
			}
			checkFuzzProblem(t, s, p, osimage.CodeAzureVHDEmpty, osimage.CodeAzureGalleryImage, osimage.CodeAzureManagedImage,
				osimage.CodeAzureMarketplaceURN, osimage.CodeAzureVHDNotHTTPS, osimage.CodeAzureVHDHost, osimage.CodeAzureVHDPath,
				osimage.CodeAzureVHDExtension, osimage.CodeAzureVHDEmulator, osimage.CodeAzureVHDMalformed, osimage.CodeImageWrongCloud)
			if allowEmulator && p.Code == osimage.CodeAzureVHDEmulator {
				t.Fatalf("input %q: emulator refused although allowed", s)
			}
			return
		}
		if v.URL != s || v.Account == "" || v.Container == "" || v.Blob == "" || v.Host == "" {
			t.Fatalf("input %q: accepted with a missing field: %+v", s, v)
		}
		if !strings.HasSuffix(v.Blob, ".vhd") {
			t.Fatalf("input %q: accepted a blob that is not .vhd: %+v", s, v)
		}
		if len(v.Account) < 3 || len(v.Account) > 24 || len(v.Container) < 3 || len(v.Container) > 63 {
			t.Fatalf("input %q: accepted an invalid account or container: %+v", s, v)
		}
		switch v.Cloud {
		case osimage.CloudPublic, osimage.CloudChina, osimage.CloudUSGovernment, osimage.CloudGermany:
			if !strings.HasPrefix(strings.ToLower(s), "https://") {
				t.Fatalf("input %q: accepted a cloud URL that is not https", s)
			}
		case osimage.CloudEmulator:
			if !allowEmulator {
				t.Fatalf("input %q: accepted an emulator URL without AllowEmulator", s)
			}
		default:
			t.Fatalf("input %q: unknown cloud %q", s, v.Cloud)
		}
		if v.HasSAS && !secret.URLHasCredentials(s) {
			t.Fatalf("input %q: HasSAS without a sig parameter", s)
		}
		// Allowing the emulator never turns an accepted URL into a rejected one.
		if !allowEmulator {
			if v3, p3 := osimage.ParseVHD(s, osimage.AzureOptions{AllowEmulator: true}); p3 != nil || v3 != v {
				t.Fatalf("input %q: accepted without the emulator but not with it: %+v %v", s, v3, p3)
			}
		}
		if again, p := osimage.ParseVHD(v.URL, opt); p != nil || again != v {
			t.Fatalf("input %q: re-parse gave %+v %v", s, again, p)
		}
	})
}

func FuzzParseTemplate(f *testing.F) {
	for _, s := range []string{
		"/Datacenter/vm/folder/rhel-8-kube-v1.27.11", "path/to/template/rhel-8-kube-v1.27.11", "rhel-8-kube-v1.27.11",
		"r_u-2004-0-k-1243-0-new.ova", "path/to/template/2004-0-k-1243-0-new.ova", "https://images.example.com/r_u-x.ova?sig=1",
		"https://images.example.com/x.ova", "a//b", "a/b/", `dc\vm\t`, " x", "/", "", "a/../b", "\xff.ova",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tpl, p := osimage.ParseTemplate(s)
		tpl2, p2 := osimage.ParseTemplate(s)
		if tpl != tpl2 || (p == nil) != (p2 == nil) || p != nil && (p.Code != p2.Code || p.Message != p2.Message) {
			t.Fatalf("input %q: two parses differ", s)
		}
		if p != nil {
			if tpl != (osimage.Template{}) {
				t.Fatalf("input %q: problem and value both set: %+v", s, tpl)
			}
			checkFuzzProblem(t, s, p, osimage.CodeVSphereTemplateEmpty, osimage.CodeVSphereOVAPrefix, osimage.CodeVSphereTemplatePath, osimage.CodeImageWrongCloud)
			return
		}
		if tpl.Path != s || tpl.Name == "" || strings.Contains(tpl.Name, "/") && !tpl.URL {
			t.Fatalf("input %q: accepted with a bad field: %+v", s, tpl)
		}
		if strings.TrimSpace(s) != s || strings.Contains(s, `\`) || !utf8.ValidString(s) {
			t.Fatalf("input %q: accepted despite white space, backslash or invalid UTF-8", s)
		}
		if lower := strings.ToLower(tpl.Name); tpl.OVA != strings.HasSuffix(lower, ".ova") {
			t.Fatalf("input %q: OVA = %v for name %q", s, tpl.OVA, tpl.Name)
		}
		if tpl.OVA && !strings.HasPrefix(tpl.Name, "r_u-") {
			t.Fatalf("input %q: accepted an OVA without the r_u- prefix", s)
		}
		if tpl.URL && !tpl.OVA {
			t.Fatalf("input %q: accepted a URL that is not an OVA", s)
		}
		if !tpl.URL {
			joined := tpl.Name
			switch tpl.Folder {
			case "":
			case "/":
				joined = "/" + tpl.Name
			default:
				joined = tpl.Folder + "/" + tpl.Name
			}
			if joined != s {
				t.Fatalf("input %q: folder %q and name %q do not join back to the path", s, tpl.Folder, tpl.Name)
			}
			for _, seg := range strings.Split(strings.TrimPrefix(s, "/"), "/") {
				if seg == "" || seg == "." || seg == ".." {
					t.Fatalf("input %q: accepted a path with segment %q", s, seg)
				}
			}
		}
		if again, p := osimage.ParseTemplate(tpl.Path); p != nil || again != tpl {
			t.Fatalf("input %q: re-parse gave %+v %v", s, again, p)
		}
	})
}

func FuzzParseOCI(f *testing.F) {
	for _, s := range []string{
		"example.io/my-images/example-custom-os:v1.4.5", "ttl.sh/ubuntu:k3s-1.29.4-v4.4.12-demo",
		"10.10.1.5:5000/os/ubuntu@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"registry-1.docker.io/library/ubuntu:22.04", "ubuntu:22.04", "ubuntu", "docker.io/x/y:1",
		"https://example.io/a:b", "example.io/A/B:c", "repo:", "repo@sha256:abc", "a b", "[::1]:5000/a:b",
		"localhost:5000", "", "a/b:c@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o, p := osimage.ParseOCI(s)
		o2, p2 := osimage.ParseOCI(s)
		if o != o2 || (p == nil) != (p2 == nil) || p != nil && (p.Code != p2.Code || p.Message != p2.Message) {
			t.Fatalf("input %q: two parses differ", s)
		}
		if p != nil {
			if o != (osimage.OCI{}) {
				t.Fatalf("input %q: problem and value both set: %+v", s, o)
			}
			checkFuzzProblem(t, s, p, osimage.CodeOCIEmpty, osimage.CodeOCIScheme, osimage.CodeOCIUppercase, osimage.CodeOCIInvalid, osimage.CodeImageWrongCloud)
			return
		}
		if o.Ref != s || o.Registry == "" || o.Repository == "" {
			t.Fatalf("input %q: accepted with a missing field: %+v", s, o)
		}
		if o.ImplicitTag != (o.Tag == "" && o.Digest == "") {
			t.Fatalf("input %q: ImplicitTag = %v with tag %q and digest %q", s, o.ImplicitTag, o.Tag, o.Digest)
		}
		if strings.ToLower(o.Repository) != o.Repository {
			t.Fatalf("input %q: accepted an upper-case repository %q", s, o.Repository)
		}
		// go-containerregistry agrees with what was accepted.
		ref, err := name.ParseReference(s)
		if err != nil {
			t.Fatalf("input %q: accepted, but go-containerregistry rejects it: %v", s, err)
		}
		if ref.Context().RegistryStr() != o.Registry || ref.Context().RepositoryStr() != o.Repository {
			t.Fatalf("input %q: registry/repository %q/%q differ from go-containerregistry's %q/%q",
				s, o.Registry, o.Repository, ref.Context().RegistryStr(), ref.Context().RepositoryStr())
		}
		// The fully-qualified form parses to the same parts (unless the implicit
		// "library/" of a Docker Hub name pushes it over the 255-character limit, which
		// applies to the repository as written).
		full := o.Registry + "/" + o.Repository
		if o.Tag != "" {
			full += ":" + o.Tag
		}
		if o.Digest != "" {
			full += "@" + o.Digest
		}
		if f, p := osimage.ParseOCI(full); len(o.Repository) <= 255 && (p != nil || f.Registry != o.Registry || f.Repository != o.Repository ||
			f.Tag != o.Tag || f.Digest != o.Digest || f.ImplicitTag != o.ImplicitTag) {
			t.Fatalf("input %q: fully-qualified %q parses to %+v %v", s, full, f, p)
		}
		if again, p := osimage.ParseOCI(o.Ref); p != nil || again != o {
			t.Fatalf("input %q: re-parse gave %+v %v", s, again, p)
		}
	})
}

func FuzzParseRegistryHost(f *testing.F) {
	for _, s := range []string{
		"harbor.example.com/project", "10.10.1.5:5000", "[::1]:5000", "registry-1.docker.io", "docker.io",
		"https://harbor.example.com/", "a/b/c", "Harbor.example.com", "my_reg.io", "::1", "host:0", "", "999.1.1.1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, p := osimage.ParseRegistryHost(s)
		r2, p2 := osimage.ParseRegistryHost(s)
		if r != r2 || (p == nil) != (p2 == nil) || p != nil && (p.Code != p2.Code || p.Message != p2.Message) {
			t.Fatalf("input %q: two parses differ", s)
		}
		if p != nil {
			if r != (osimage.RegistryHost{}) {
				t.Fatalf("input %q: problem and value both set: %+v", s, r)
			}
			checkFuzzProblem(t, s, p, osimage.CodeRegistryInvalid)
			return
		}
		if r.Host == "" || strings.ToLower(r.Host) != r.Host || strings.ContainsAny(r.Host, "_/ ") {
			t.Fatalf("input %q: accepted a bad host: %+v", s, r)
		}
		if r.Port != "" {
			n, err := strconv.Atoi(r.Port)
			if err != nil || n < 1 || n > 65535 {
				t.Fatalf("input %q: accepted port %q", s, r.Port)
			}
		}
		if strings.Contains(r.Project, "/") {
			t.Fatalf("input %q: accepted a multi-segment project %q", s, r.Project)
		}
		if !strings.EqualFold(r.String(), s) { // IPv6 hex digits come back in lower case
			t.Fatalf("input %q: String() = %q", s, r.String())
		}
		if again, p := osimage.ParseRegistryHost(r.String()); p != nil || again != r {
			t.Fatalf("input %q: re-parse gave %+v %v", s, again, p)
		}
		// An accepted registry host is also a valid registry in an image reference, and
		// HostPort() is the registry that reference names (docker.io aside, which
		// go-containerregistry rewrites to index.docker.io).
		if (strings.ContainsAny(r.Host, ".:") || r.Host == "localhost") && r.HostPort() != "docker.io" {
			ref := r.String() + "/os/ubuntu:v1"
			o, p := osimage.ParseOCI(ref)
			if p != nil {
				t.Fatalf("input %q: accepted as a registry but %q is not a valid image reference: %v", s, ref, p)
			}
			if o.Registry != r.HostPort() {
				t.Fatalf("input %q: image reference registry %q differs from HostPort() %q", s, o.Registry, r.HostPort())
			}
		}
	})
}

// FuzzClassify checks the classifier against the four parsers: the parser of the cloud a
// form belongs to never calls it another cloud's image, and the parser of any other
// cloud always does (on Edge, unless the value could carry credentials before a host or
// is a relative path, which is also a Docker Hub reference).
func FuzzClassify(f *testing.F) {
	for _, s := range []string{
		"ami-0f4804aff4cf9c5a2", "arn:aws:ec2:us-east-1::image/ami-0f4804aff4cf9c5a2",
		"https://docs.blob.core.windows.net/vhds/ubuntu20-1243.vhd", "docs.blob.core.windows.net/vhds/x.vhd",
		"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/images/u22",
		"/CommunityGalleries/p/Images/u/Versions/1", "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest",
		"/Datacenter/vm/templates/rhel8", "path/to/template/rhel8", "r_u-2004.ova", "https://h.example/r_u-x.ova",
		"example.io/my-images/os:v1.4.5", "ubuntu-2204-kube-v1.30.0", "/dc/vm/a@b/c", "a b/vm/c", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := osimage.Classify(s)
		if k2 := osimage.Classify(s); k2 != k {
			t.Fatalf("input %q: two classifications differ: %v, %v", s, k, k2)
		}
		from := k.CloudType()
		if (k == osimage.KindUnknown) != (from == "") || k.String() == "" {
			t.Fatalf("input %q: kind %d has cloud type %q and name %q", s, k, from, k)
		}
		for cloud, parse := range map[string]func(string) *osimage.Problem{
			osimage.CloudTypeAWS: func(s string) *osimage.Problem { _, p := osimage.ParseAMI(s); return p },
			osimage.CloudTypeAzure: func(s string) *osimage.Problem {
				_, p := osimage.ParseVHD(s, osimage.AzureOptions{AllowEmulator: true})
				return p
			},
			osimage.CloudTypeVSphere: func(s string) *osimage.Problem { _, p := osimage.ParseTemplate(s); return p },
			osimage.CloudTypeEdge:    func(s string) *osimage.Problem { _, p := osimage.ParseOCI(s); return p },
		} {
			p := parse(s)
			wrong := p != nil && p.Code == osimage.CodeImageWrongCloud
			switch {
			case wrong && (from == "" || from == cloud):
				t.Fatalf("input %q (%v): the %s parser calls it another cloud's image: %v", s, k, cloud, p)
			case from == "" || from == cloud:
			case cloud == osimage.CloudTypeEdge && (strings.Contains(s, "@") || k == osimage.KindTemplatePath && !strings.HasPrefix(s, "/")):
			case !wrong:
				t.Fatalf("input %q (%v): the %s parser does not call it another cloud's image: %v", s, k, cloud, p)
			}
		}
	})
}
