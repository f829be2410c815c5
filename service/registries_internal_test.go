package service

import (
	"strings"
	"testing"

	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/store"
)

func TestCheckEndpoint(t *testing.T) {
	for _, tc := range []struct {
		name, kind, in, want, errPart string
	}{
		{"an OCI host is kept", store.KindOCI, "registry.example.com", "registry.example.com", ""},
		{"an OCI host and port is kept, its trailing slash dropped", store.KindOCI, "10.0.0.5:5000/", "10.0.0.5:5000", ""},
		{"an OCI https URL with a path is kept", store.KindOCI, "https://harbor.example.com/v2", "https://harbor.example.com/v2", ""},
		{"a bracketed IPv6 address with a port is a host", store.KindOCI, "[::1]:5000", "[::1]:5000", ""},
		{"a Helm https URL is kept without its trailing slash", store.KindHelm, " https://charts.example.com/stable/ ", "https://charts.example.com/stable", ""},
		{"an empty endpoint is refused", store.KindOCI, "  ", "", "is empty"},
		{"a plain http URL is refused", store.KindOCI, "http://registry.example.com", "", "scheme must be https"},
		{"a user name and password in the URL are refused without repeating them", store.KindOCI, "https://bob:hunter2@registry.example.com", "", "credentials"},
		{"a user name before a host is refused", store.KindOCI, "bob@registry.example.com", "", "host[:port]"},
		{"a path without a scheme is refused", store.KindOCI, "registry.example.com/team", "", "baseContentPath"},
		{"a query is refused", store.KindHelm, "https://charts.example.com/?x=1", "", "query"},
		{"a port out of range is refused", store.KindOCI, "registry.example.com:70000", "", "port"},
		{"a host that is not a DNS name is refused", store.KindOCI, "reg_istry..example", "", "DNS name"},
		{"a Helm repository without a scheme is refused", store.KindHelm, "charts.example.com", "", "https://"},
		{"a trailing newline is trimmed like other spaces", store.KindOCI, "registry.example.com\n", "registry.example.com", ""},
		{"a tab inside is refused", store.KindOCI, "registry\t.example.com", "", "control character"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := checkEndpoint(tc.kind, tc.in)
			if tc.errPart == "" {
				if err != nil || got != tc.want {
					t.Fatalf("checkEndpoint(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("checkEndpoint(%q) = %q, accepted", tc.in, got)
			}
			if !strings.Contains(err.Error(), tc.errPart) {
				t.Errorf("error %q does not say %q", err, tc.errPart)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q repeats the password", err)
			}
		})
	}
}

// FuzzCheckEndpoint: whatever it is given, checkEndpoint returns, and an
// endpoint it accepts has no credentials in it, is accepted again as is,
// and is an https URL or host[:port].
func FuzzCheckEndpoint(f *testing.F) {
	for _, s := range []string{"registry.example.com", "https://a.b/c", "[::1]:5000", "https://u:p@h", "h:0", "\x00", "https://h/?q#f", "a..b"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, ep string, helm bool) {
		kind := store.KindOCI
		if helm {
			kind = store.KindHelm
		}
		got, err := checkEndpoint(kind, ep)
		if err != nil {
			return
		}
		if strings.Contains(got, "@") {
			t.Errorf("checkEndpoint(%q) accepted %q, which has an @", ep, got)
		}
		if helm && !strings.HasPrefix(got, "https://") {
			t.Errorf("checkEndpoint(%q) accepted %q for Helm", ep, got)
		}
		again, err := checkEndpoint(kind, got)
		if err != nil || again != got {
			t.Errorf("checkEndpoint(%q) = %q, but that gives %q, %v", ep, got, again, err)
		}
	})
}

func TestCheckCACert(t *testing.T) {
	for _, tc := range []struct{ name, in, errPart string }{
		{"no certificate is fine", "", ""},
		{"text that is not PEM is refused", "hello", "not PEM"},
		{"a private key is refused by its type", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "never a private key"},
		{"a certificate block that does not parse is refused", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "does not parse"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkCACert(tc.in)
			if (err == nil) != (tc.errPart == "") || (err != nil && !strings.Contains(err.Error(), tc.errPart)) {
				t.Fatalf("checkCACert = %v, want an error saying %q", err, tc.errPart)
			}
		})
	}
}

func TestECRRegionIsReadFromTheEndpoint(t *testing.T) {
	for in, want := range map[string]string{
		"123456789012.dkr.ecr.eu-west-1.amazonaws.com":         "eu-west-1",
		"https://123456789012.dkr.ecr.us-east-2.amazonaws.com": "us-east-2",
		"public.ecr.aws": "",
	} {
		if got := ecrRegion(in); got != want {
			t.Errorf("ecrRegion(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzRegistrySpec: normalize returns for any input, and a spec it accepts
// is accepted again unchanged, with an endpoint checkEndpoint accepts and a
// secret only where the auth type carries one.
func FuzzRegistrySpec(f *testing.F) {
	f.Add("oci", "basic", "pack", "harbor", "harbor.example.com", "byoos", "basic", "robot", "pw", "")
	f.Add("oci", "ecr", "", "ecr", "1.dkr.ecr.eu-west-1.amazonaws.com", "", "sts", "", "", "")
	f.Add("helm", "", "", "charts", "https://charts.example.com/x/", "", "token", "", "tok", "-----BEGIN CERTIFICATE-----")
	f.Add("oci", "basic", "zarf", "Public Repo", "a:1", "../x", "noAuth", "u", "p", "x")
	f.Fuzz(func(t *testing.T, kind, provider, content, name, endpoint, path, auth, user, pw, cert string) {
		s := RegistrySpec{Kind: kind, Provider: provider, ContentType: content, Name: name, Endpoint: endpoint, BaseContentPath: path,
			AuthType: auth, Username: user, Secret: secret.String(pw), CACert: cert, STSARN: "arn:x"}
		if err := s.normalize(); err != nil {
			return
		}
		again := s
		if err := again.normalize(); err != nil || again != s {
			t.Fatalf("normalize is not stable: %+v then %+v, %v", s, again, err)
		}
		if _, err := checkEndpoint(s.Kind, s.Endpoint); err != nil {
			t.Errorf("accepted endpoint %q: %v", s.Endpoint, err)
		}
		if !needsSecret(s.AuthType) && s.Secret != "" {
			t.Errorf("auth %s keeps a secret", s.AuthType)
		}
	})
}
