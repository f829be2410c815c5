package osimage_test

import (
	"strings"
	"testing"

	"github.com/byoos/byoos/osimage"
)

func TestParseRegistryHostAcceptsHosts(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want osimage.RegistryHost
	}{
		{"a DNS host is accepted", "registry.example.com", osimage.RegistryHost{Host: "registry.example.com"}},
		{"a host with a port is accepted", "registry.example.com:5000", osimage.RegistryHost{Host: "registry.example.com", Port: "5000"}},
		{"an IPv4 address with a port is accepted", "10.10.1.5:5000", osimage.RegistryHost{Host: "10.10.1.5", Port: "5000"}},
		{"a bracketed IPv6 address with a port is accepted", "[::1]:5000", osimage.RegistryHost{Host: "::1", Port: "5000"}},
		{"a bracketed IPv6 address without a port is accepted", "[fd00::10]", osimage.RegistryHost{Host: "fd00::10"}},
		{"a Harbor host with a project is accepted", "harbor.example.com/project", osimage.RegistryHost{Host: "harbor.example.com", Project: "project"}},
		{"a Harbor host with a port and a project is accepted", "harbor.example.com:8443/edge-images", osimage.RegistryHost{Host: "harbor.example.com", Port: "8443", Project: "edge-images"}},
		{"Docker Hub's registry host is accepted", "registry-1.docker.io", osimage.RegistryHost{Host: "registry-1.docker.io"}},
		{"docker.io is accepted as given", "docker.io", osimage.RegistryHost{Host: "docker.io"}},
		{"a single-label host is accepted", "registry", osimage.RegistryHost{Host: "registry"}},
		{"the highest port is accepted", "localhost:65535", osimage.RegistryHost{Host: "localhost", Port: "65535"}},
		{"a 63-character label is accepted", strings.Repeat("a", 63) + ".example.com", osimage.RegistryHost{Host: strings.Repeat("a", 63) + ".example.com"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, p := osimage.ParseRegistryHost(c.in)
			if p != nil {
				t.Fatalf("ParseRegistryHost(%q) = problem %v", c.in, p)
			}
			if got != c.want {
				t.Errorf("ParseRegistryHost(%q)\n got %+v\nwant %+v", c.in, got, c.want)
			}
			if got.String() != c.in {
				t.Errorf("String() = %q, want the input back", got.String())
			}
		})
	}
}

func TestParseRegistryHostRejects(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want wantProblem
	}{
		{"an empty value is invalid", "", wantProblem{code: osimage.CodeRegistryInvalid, msg: []string{"empty"}}},
		{"an https scheme is invalid and the hint drops it", "https://harbor.example.com/project",
			wantProblem{code: osimage.CodeRegistryInvalid, msg: []string{`"https://"`}, hint: []string{`use "harbor.example.com/project"`}}},
		{"a scheme and trailing slash are both dropped in the hint", "http://10.10.1.5:5000/",
			wantProblem{code: osimage.CodeRegistryInvalid, hint: []string{`"10.10.1.5:5000"`}}},
		{"a path of more than one segment is invalid and the hint keeps the host and project", "harbor.example.com/project/ubuntu",
			wantProblem{code: osimage.CodeRegistryInvalid, msg: []string{"more than one segment"}, hint: []string{`"harbor.example.com/project"`}}},
		{"a trailing slash is invalid and the hint removes it", "registry.example.com/",
			wantProblem{code: osimage.CodeRegistryInvalid, hint: []string{`"registry.example.com"`}}},
		{"a space is invalid", "registry example.com", wantProblem{code: osimage.CodeRegistryInvalid, msg: []string{"a space"}}},
		{"white space around the host is invalid and the hint trims it", " registry.example.com ",
			wantProblem{code: osimage.CodeRegistryInvalid, hint: []string{`"registry.example.com"`}}},
		{"an underscore is invalid", "my_registry.example.com", wantProblem{code: osimage.CodeRegistryInvalid, msg: []string{"underscore"}}},
		{"an upper-case host is invalid and the hint lower-cases it", "Harbor.Example.com/project",
			wantProblem{code: osimage.CodeRegistryInvalid, hint: []string{`"harbor.example.com/project"`}}},
		{"an upper-case project is invalid and the hint lower-cases it", "harbor.example.com/EdgeImages",
			wantProblem{code: osimage.CodeRegistryInvalid, hint: []string{`"harbor.example.com/edgeimages"`}}},
		{"port zero is invalid", "registry.example.com:0", wantProblem{code: osimage.CodeRegistryInvalid, msg: []string{`"0"`}}},
		{"a port over 65535 is invalid", "registry.example.com:65536", wantProblem{code: osimage.CodeRegistryInvalid, msg: []string{`"65536"`}}},
		{"a non-numeric port is invalid", "registry.example.com:https", wantProblem{code: osimage.CodeRegistryInvalid}},
		{"an empty port is invalid", "registry.example.com:", wantProblem{code: osimage.CodeRegistryInvalid, msg: []string{"empty"}}},
		{"an unbracketed IPv6 address is invalid and the hint brackets it", "fd00::10",
			wantProblem{code: osimage.CodeRegistryInvalid, hint: []string{`"[fd00::10]"`}}},
		{"an unclosed IPv6 bracket is invalid", "[fd00::10:5000", wantProblem{code: osimage.CodeRegistryInvalid}},
		{"a bracketed non-IPv6 address is invalid", "[10.0.0.1]:5000", wantProblem{code: osimage.CodeRegistryInvalid}},
		{"an out-of-range IPv4 address is invalid", "10.10.1.500:5000", wantProblem{code: osimage.CodeRegistryInvalid}},
		{"a double dot is invalid", "registry..example.com", wantProblem{code: osimage.CodeRegistryInvalid, msg: []string{"empty label"}}},
		{"a label starting with a hyphen is invalid", "-registry.example.com", wantProblem{code: osimage.CodeRegistryInvalid, msg: []string{"hyphen"}}},
		{"a 64-character label is invalid", strings.Repeat("a", 64) + ".example.com", wantProblem{code: osimage.CodeRegistryInvalid, msg: []string{"63"}}},
		{"credentials in the host are invalid", "user:pass@registry.example.com", wantProblem{code: osimage.CodeRegistryInvalid}},
		{"a full image reference is invalid", "registry.example.com/os/ubuntu:v1", wantProblem{code: osimage.CodeRegistryInvalid}},
		{"invalid UTF-8 is invalid", "registry\xff.example.com", wantProblem{code: osimage.CodeRegistryInvalid, msg: []string{"not valid UTF-8"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, p := osimage.ParseRegistryHost(c.in)
			if got != (osimage.RegistryHost{}) {
				t.Errorf("a rejected value should give the zero RegistryHost, got %+v", got)
			}
			checkProblem(t, c.in, p, c.want)
		})
	}
}

func TestRegistryHostFormatsItsAuthorityLikeAnImageReference(t *testing.T) {
	cases := []struct {
		name, in, hostPort string
	}{
		{"a host with a port and a project gives host:port", "harbor.example.com:8443/edge", "harbor.example.com:8443"},
		{"an IPv6 host keeps its brackets", "[fd00::5]:5000", "[fd00::5]:5000"},
		{"a bare host gives just the host", "registry.example.com", "registry.example.com"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, p := osimage.ParseRegistryHost(c.in)
			if p != nil {
				t.Fatal(p)
			}
			if got := r.HostPort(); got != c.hostPort {
				t.Errorf("HostPort() = %q, want %q", got, c.hostPort)
			}
			ref, p := osimage.ParseOCI(r.String() + "/os/ubuntu:v1")
			if p != nil {
				t.Fatal(p)
			}
			if ref.Registry != r.HostPort() {
				t.Errorf("image reference registry %q differs from HostPort() %q", ref.Registry, r.HostPort())
			}
		})
	}
}
