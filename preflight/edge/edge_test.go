package edge_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/preflight/edge"
	"github.com/byoos/byoos/regsync/regtest"
)

func TestCheckAnEdgeImageInARealRegistry(t *testing.T) {
	reg := regtest.StartRegistry(t)
	single := regtest.PushImage(t, reg, "edge/ubuntu", "k3s-1.30.6-demo", regtest.LinuxAMD64())
	armOnly := regtest.PushImage(t, reg, "edge/ubuntu", "arm-only", regtest.LinuxARM64())
	index := regtest.PushIndex(t, reg, "edge/ubuntu", "multi", regtest.LinuxAMD64(), regtest.LinuxARM64())
	regtest.PushIndex(t, reg, "edge/ubuntu", "windows", v1.Platform{OS: "windows", Architecture: "amd64"})
	regtest.PushImage(t, reg, "edge/ubuntu", "s390x", v1.Platform{OS: "linux", Architecture: "s390x"})
	regtest.PushArtifact(t, reg, "edge/artifact", "v1", regtest.Artifact{Layers: []regtest.Layer{{Title: "a.txt", Data: []byte("a")}}})

	// A port where nothing listens: one that was free a moment ago.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()

	c, err := edge.New(edge.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	guarded := http.DefaultTransport.(*http.Transport).Clone()
	guarded.DialContext = (&preflight.AllowList{}).DialContext
	refusing, err := edge.New(edge.Config{Transport: guarded})
	if err != nil {
		t.Fatal(err)
	}

	creds := func(ref string) preflight.Image {
		return preflight.Image{Cloud: preflight.Edge, Role: preflight.RoleOS, Ref: ref, Username: reg.Username, Password: reg.Password, CACert: reg.CACertPEM,
			At: finding.Finding{File: "p.yaml", Layer: "edge-native-byoi", Path: "options.system.uri", Line: 21, Column: 25}}
	}
	at := func(ref string, change func(*preflight.Image)) preflight.Image {
		img := creds(ref)
		change(&img)
		return img
	}
	tests := []struct {
		name    string
		checker *edge.Checker
		img     preflight.Image
		arch    string
		code    string   // "" when the image holds
		digest  string   // the digest the result carries
		says    []string // in the finding's message
	}{
		{"a single linux/amd64 image resolves to its digest with the credentials and CA certificate", c, creds(reg.Host + "/edge/ubuntu:k3s-1.30.6-demo"), "", "", single, nil},
		{"an index with linux/amd64 and linux/arm64 resolves to the index's digest", c, creds(reg.Host + "/edge/ubuntu:multi"), "arm64", "", index, nil},
		{"an image pinned by its digest holds", c, creds(reg.Host + "/edge/ubuntu@" + single), "x86_64", "", single, nil},
		{"the digest recorded at publication still matching holds", c, at(reg.Host+"/edge/ubuntu:multi", func(i *preflight.Image) { i.Digest = index }), "", "", index, nil},
		{"a tag that now resolves elsewhere than the recorded digest moved since published, naming both digests", c,
			at(reg.Host+"/edge/ubuntu:multi", func(i *preflight.Image) { i.Digest = single }), "", finding.CodeVerifyEdgeMoved, index, []string{"moved since published", single, index}},
		{"an arm64-only image is refused for x86_64 hosts", c, creds(reg.Host + "/edge/ubuntu:arm-only"), "x86_64", finding.CodeVerifyEdgePlatform, armOnly, []string{"only linux/arm64/v8", "linux/amd64"}},
		{"an index of windows images has no platform an Edge host boots", c, creds(reg.Host + "/edge/ubuntu:windows"), "", finding.CodeVerifyEdgePlatform, "", []string{"only windows/amd64"}},
		{"a linux/s390x image has no platform an Edge host boots", c, creds(reg.Host + "/edge/ubuntu:s390x"), "", finding.CodeVerifyEdgePlatform, "", []string{"only linux/s390x"}},
		{"an oras artifact is no container image", c, creds(reg.Host + "/edge/artifact:v1"), "", finding.CodeVerifyEdgePlatform, "", []string{"no platform"}},
		{"a tag never pushed is not found", c, creds(reg.Host + "/edge/ubuntu:k3s-9.9.9"), "", finding.CodeVerifyEdgeNotFound, "", []string{"k3s-9.9.9", "MANIFEST_UNKNOWN"}},
		{"a repository never pushed is not found", c, creds(reg.Host + "/edge/nothing:v1"), "", finding.CodeVerifyEdgeNotFound, "", []string{"edge/nothing"}},
		{"a wrong password is refused, and never shown", c, at(reg.Host+"/edge/ubuntu:multi", func(i *preflight.Image) { i.Password = "wrong-Passw0rd-xyz" }), "", finding.CodeVerifyEdgeUnauthorized, "", []string{`as "regtest"`, "401"}},
		{"no credentials for a private registry is refused", c, at(reg.Host+"/edge/ubuntu:multi", func(i *preflight.Image) { i.Username, i.Password = "", "" }), "", finding.CodeVerifyEdgeUnauthorized, "", []string{"anonymously"}},
		{"without the registry's CA certificate the registry is not trusted", c, at(reg.Host+"/edge/ubuntu:multi", func(i *preflight.Image) { i.CACert = "" }), "", finding.CodeVerifyEdgeTLS, "", []string{"unknown authority"}},
		{"a port nothing listens on is unreachable", c, creds(closed + "/edge/ubuntu:v1"), "", finding.CodeVerifyEdgeUnreachable, "", []string{closed, "refused the connection"}},
		{"a loopback registry the allow-list does not hold is refused without connecting, naming the setting", refusing, creds(reg.Host + "/edge/ubuntu:multi"), "", finding.CodeVerifyTargetRefused, "", []string{"--verify-allow-host", "127.0.0.1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			r := tt.checker.Check(ctx, tt.img, preflight.Target{Arch: tt.arch})
			if tt.digest != "" && r.Digest != tt.digest {
				t.Errorf("digest %q, want %q", r.Digest, tt.digest)
			}
			if strings.Contains(r.Checked, reg.Password) || strings.Contains(r.Checked, "wrong-Passw0rd-xyz") {
				t.Errorf("checked %q shows the password", r.Checked)
			}
			if tt.code == "" {
				if len(r.Findings) != 0 {
					t.Fatalf("findings %v, want none", r.Findings)
				}
				if !strings.Contains(r.Checked, tt.digest) {
					t.Errorf("checked %q does not name the digest", r.Checked)
				}
				return
			}
			if len(r.Findings) != 1 {
				t.Fatalf("findings %v, want one %s", r.Findings, tt.code)
			}
			f := r.Findings[0]
			t.Logf("%s", f)
			if f.Code != tt.code || f.Severity != finding.Error {
				t.Errorf("finding %s %s, want error %s", f.Severity, f.Code, tt.code)
			}
			if f.File != "p.yaml" || f.Line != 21 || f.Column != 25 || f.Path != "options.system.uri" || f.Layer != "edge-native-byoi" {
				t.Errorf("finding at %s, want where the image is named", f.Location())
			}
			if !strings.Contains(f.Message, tt.img.Ref) {
				t.Errorf("message %q does not name the image", f.Message)
			}
			for _, s := range tt.says {
				if !strings.Contains(f.Message, s) {
					t.Errorf("message %q does not say %q", f.Message, s)
				}
			}
			for _, secret := range []string{reg.Password, "wrong-Passw0rd-xyz"} {
				if strings.Contains(f.Message+f.Hint+r.Checked, secret) {
					t.Errorf("the finding shows a password: %s", f)
				}
			}
		})
	}
}
