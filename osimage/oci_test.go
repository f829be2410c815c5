package osimage_test

import (
	"strings"
	"testing"

	"github.com/byoos/byoos/osimage"
)

const sha = "sha256:3f1a7b5c9e2d4f6a8b0c1d3e5f7a9b2c4d6e8f0a1b3c5d7e9f2a4b6c8d0e1f3a"

func TestParseOCIAcceptsImageReferences(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want osimage.OCI
	}{
		{"the provider image from the pack docs is accepted", "example.io/my-images/example-custom-os:v1.4.5",
			osimage.OCI{Registry: "example.io", Repository: "my-images/example-custom-os", Tag: "v1.4.5"}},
		{"a ttl.sh CanvOS image is accepted", "ttl.sh/ubuntu:k3s-1.29.4-v4.4.12-demo",
			osimage.OCI{Registry: "ttl.sh", Repository: "ubuntu", Tag: "k3s-1.29.4-v4.4.12-demo"}},
		{"a digest reference on an IP registry with a port is accepted", "10.10.1.5:5000/os/ubuntu@" + sha,
			osimage.OCI{Registry: "10.10.1.5:5000", Repository: "os/ubuntu", Digest: sha}},
		{"an explicit Docker Hub registry host is kept as given", "registry-1.docker.io/library/ubuntu:22.04",
			osimage.OCI{Registry: "registry-1.docker.io", Repository: "library/ubuntu", Tag: "22.04"}},
		{"a reference without a registry resolves to Docker Hub", "ubuntu:22.04",
			osimage.OCI{Registry: "index.docker.io", Repository: "library/ubuntu", Tag: "22.04"}},
		{"docker.io resolves to index.docker.io as go-containerregistry does", "docker.io/spectrocloud/ubuntu:22.04",
			osimage.OCI{Registry: "index.docker.io", Repository: "spectrocloud/ubuntu", Tag: "22.04"}},
		{"a reference without a tag is accepted but flagged as an implicit latest", "example.io/my-images/example-custom-os",
			osimage.OCI{Registry: "example.io", Repository: "my-images/example-custom-os", ImplicitTag: true}},
		{"a bare Docker Hub name is accepted with an implicit tag", "ubuntu",
			osimage.OCI{Registry: "index.docker.io", Repository: "library/ubuntu", ImplicitTag: true}},
		{"a tag and a digest together are both kept", "example.io/os/ubuntu:22.04@" + sha,
			osimage.OCI{Registry: "example.io", Repository: "os/ubuntu", Tag: "22.04", Digest: sha}},
		{"a localhost registry with a port is accepted", "localhost:5000/canvos/ubuntu:v4.4.12",
			osimage.OCI{Registry: "localhost:5000", Repository: "canvos/ubuntu", Tag: "v4.4.12"}},
		{"an IPv6 registry is accepted", "[fd00::5]:5000/os/ubuntu:v1",
			osimage.OCI{Registry: "[fd00::5]:5000", Repository: "os/ubuntu", Tag: "v1"}},
		{"repository components with dots, underscores and hyphens are accepted", "harbor.example.com/edge/ubuntu_22.04--k3s__x:v1.0.0_rc.1",
			osimage.OCI{Registry: "harbor.example.com", Repository: "edge/ubuntu_22.04--k3s__x", Tag: "v1.0.0_rc.1"}},
		{"a tag with upper-case letters is accepted, as tags may have them", "example.io/os/ubuntu:V1.4.5-RC1",
			osimage.OCI{Registry: "example.io", Repository: "os/ubuntu", Tag: "V1.4.5-RC1"}},
		{"a sha512 digest is accepted", "example.io/os/ubuntu@sha512:" + strings.Repeat("ab", 64),
			osimage.OCI{Registry: "example.io", Repository: "os/ubuntu", Digest: "sha512:" + strings.Repeat("ab", 64)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, p := osimage.ParseOCI(c.in)
			if p != nil {
				t.Fatalf("ParseOCI(%q) = problem %v", c.in, p)
			}
			c.want.Ref = c.in
			if got != c.want {
				t.Errorf("ParseOCI(%q)\n got %+v\nwant %+v", c.in, got, c.want)
			}
		})
	}
}

func TestParseOCIRejects(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want wantProblem
	}{
		{"an empty value is reported as empty", "",
			wantProblem{code: osimage.CodeOCIEmpty}},
		{"a value of only white space is reported as empty", "  ",
			wantProblem{code: osimage.CodeOCIEmpty}},

		{"an https scheme is reported and the hint drops it", "https://example.io/my-images/example-custom-os:v1.4.5",
			wantProblem{code: osimage.CodeOCIScheme, hint: []string{`use "example.io/my-images/example-custom-os:v1.4.5"`}}},
		{"an http scheme is reported and the hint drops it", "http://10.10.1.5:5000/os/ubuntu:v1",
			wantProblem{code: osimage.CodeOCIScheme, hint: []string{`"10.10.1.5:5000/os/ubuntu:v1"`}}},
		{"an oci scheme is reported and the hint drops it", "oci://ttl.sh/ubuntu:k3s-1.29.4",
			wantProblem{code: osimage.CodeOCIScheme, hint: []string{`"ttl.sh/ubuntu:k3s-1.29.4"`}}},
		{"a docker scheme is reported and the hint drops it", "docker://quay.io/kairos/ubuntu:22.04",
			wantProblem{code: osimage.CodeOCIScheme, hint: []string{`"quay.io/kairos/ubuntu:22.04"`}}},
		{"white space is reported before a scheme is", "HTTPS://example.io/a b",
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{"a space"}}},
		{"a scheme in front of an otherwise bad reference gives the general form", "oci://example.io/os:",
			wantProblem{code: osimage.CodeOCIScheme, hint: []string{"Drop the"}}},

		{"an upper-case repository is reported and the hint gives the lower-cased reference", "example.io/My-Images/Example-Custom-OS:v1.4.5",
			wantProblem{code: osimage.CodeOCIUppercase, hint: []string{`"example.io/my-images/example-custom-os:v1.4.5"`}}},
		{"an upper-case Docker Hub name is reported", "SpectroCloud/Ubuntu:22.04",
			wantProblem{code: osimage.CodeOCIUppercase, hint: []string{`"spectrocloud/ubuntu:22.04"`}}},
		{"the lower-cased hint keeps the tag's case and the digest", "Example.IO/OS/Ubuntu:V1@" + sha,
			wantProblem{code: osimage.CodeOCIUppercase, hint: []string{`"example.io/os/ubuntu:V1@` + sha + `"`}}},

		{"a tag left empty after the colon is reported", "example.io/os/ubuntu:",
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{"tag", "empty"}}},
		{"a tag starting with a hyphen is reported", "example.io/os/ubuntu:-rc1",
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{`"-rc1"`}}},
		{"a tag with a plus sign is reported", "example.io/os/ubuntu:v1.29.4+k3s1",
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{"'+'"}}},
		{"a tag over 128 characters is reported", "example.io/os/ubuntu:" + strings.Repeat("v", 129),
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{"129 characters"}}},
		{"a short digest is reported with the number of hex digits", "example.io/os/ubuntu@sha256:abc123",
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{"6 hex digits instead of 64"}}},
		{"a digest without an algorithm is reported", "example.io/os/ubuntu@" + strings.Repeat("a", 64),
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{"no algorithm"}}},
		{"an unsupported digest algorithm is reported", "example.io/os/ubuntu@md5:" + strings.Repeat("a", 32),
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{`"md5"`}}},
		{"an upper-case digest is reported", "example.io/os/ubuntu@sha256:" + strings.Repeat("A", 64),
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{"upper-case hex"}}},
		{"an empty digest is reported", "example.io/os/ubuntu@",
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{"digest", "empty"}}},
		{"two @ signs are reported", "example.io/os/ubuntu@" + sha + "@" + sha,
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{"more than one"}}},
		{"a space inside the reference is reported", "example.io/my images/os:v1",
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{"a space"}}},
		{"a trailing newline is reported and the hint gives the trimmed reference", "example.io/os/ubuntu:v1\n",
			wantProblem{code: osimage.CodeOCIInvalid, hint: []string{`"example.io/os/ubuntu:v1"`}}},
		{"a double slash in the repository is reported", "example.io/os//ubuntu:v1",
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{"empty component"}}},
		{"a trailing slash in the repository is reported", "example.io/os/:v1",
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{"empty component"}}},
		{"a repository component starting with a hyphen is reported", "example.io/-os/ubuntu:v1",
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{`"-os"`}}},
		{"mixed separators in a repository component are reported", "example.io/os/ubuntu._k3s:v1",
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{`"._"`}}},
		{"a registry with an underscore is reported", "my_registry.example.com/os/ubuntu:v1",
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{"underscore"}}},
		{"a registry port out of range is reported", "example.io:70000/os/ubuntu:v1",
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{`"70000"`}}},
		{"a registry with no repository is reported", "example.io/:v1",
			wantProblem{code: osimage.CodeOCIInvalid}},
		{"a lone colon is reported", ":v1",
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{"no repository"}}},
		{"a repository over 255 characters is reported", "example.io/" + strings.Repeat("a", 256) + ":v1",
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{"256 characters"}}},
		{"invalid UTF-8 is reported", "example.io/os/\xffubuntu:v1",
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{"not valid UTF-8"}}},
		{"a non-ASCII letter in the repository is reported", "example.io/os/ubuntü:v1",
			wantProblem{code: osimage.CodeOCIInvalid, msg: []string{"'ü'"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, p := osimage.ParseOCI(c.in)
			if got != (osimage.OCI{}) {
				t.Errorf("a rejected value should give the zero OCI, got %+v", got)
			}
			checkProblem(t, c.in, p, c.want)
		})
	}
}
