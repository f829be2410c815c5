package api_test

import (
	"context"
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/byoos/byoos/api"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/regsync/regtest"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/store/sqlite"
	"github.com/byoos/byoos/wire"
)

// newVerifyEnv is newEnv whose verify has the allow-list allow.
func newVerifyEnv(t *testing.T, allow ...netip.Prefix) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "byoos.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newEnvOn(t, dir, st, func(c *api.Config) { c.Verify.AllowNets = allow })
}

// edgeProfileBody is a create body of an Edge profile whose provider image
// is uri, with credentials (and a CA certificate, when caPEM is set) for
// registry, and further content images.
func edgeProfileBody(name, uri, registry, user, password, caPEM string, content ...string) map[string]any {
	var b strings.Builder
	b.WriteString("pack:\n  content:\n    images:\n      - image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'\n")
	for _, c := range content {
		b.WriteString("      - image: \"" + c + "\"\n")
	}
	b.WriteString("options:\n  system.uri: \"" + uri + "\"\n")
	b.WriteString("providerCredentials:\n  registry: \"" + registry + "\"\n  username: \"" + user + "\"\n  password: \"" + password + "\"\n")
	if caPEM != "" {
		b.WriteString("  certificate: |\n")
		for _, l := range strings.Split(strings.TrimSpace(caPEM), "\n") {
			b.WriteString("    " + l + "\n")
		}
	}
	return map[string]any{
		"metadata": map[string]any{"name": name},
		"spec": map[string]any{"version": "1.0.0", "template": map[string]any{"type": "infra", "cloudType": "edge-native", "packs": []any{
			map[string]any{"name": "edge-native-byoi", "tag": "2.1.x", "type": "spectro", "registryUid": api.PublicRepoUID, "values": b.String()},
			map[string]any{"name": "edge-k3s", "tag": "1.30.x", "type": "spectro", "registryUid": api.PublicRepoUID, "values": ""},
		}}},
	}
}

func (e *env) createProfile(key, project string, body map[string]any) string {
	e.t.Helper()
	var created struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", key, project, body, 201, &created)
	return created.UID
}

func (e *env) verify(key, project, uid string, want int) wire.Verification {
	e.t.Helper()
	var v wire.Verification
	out := any(&v)
	if want != 200 {
		out = nil
	}
	e.do("POST", "/v1/clusterprofiles/"+uid+"/verify", key, project, wire.VerifyRequest{Region: "eu-west-1"}, want, out)
	return v
}

// acceptCounter is a loopback listener that counts the connections made to it.
type acceptCounter struct {
	addr     string
	accepted atomic.Int64
}

func countAccepts(t *testing.T) *acceptCounter {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	a := &acceptCounter{addr: l.Addr().String()}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			a.accepted.Add(1)
			c.Close()
		}
	}()
	return a
}

func TestVerifyIsAnAdminActionInTheProfilesScope(t *testing.T) {
	e := newVerifyEnv(t)
	uid := e.createProfile(e.admin, e.project, edgeProfileBody("edge", "registry.example.com/edge/ubuntu:v1", "registry.example.com", "u", "p-Secret-123", ""))
	other := e.newProject("other")
	tests := []struct {
		name    string
		key     string
		project string
		uid     string
		want    int
	}{
		{"a read-only key may not make the server contact registries", e.key("reader", e.project, store.RoleReadOnly), e.project, uid, 403},
		{"an admin key of another project does not see the profile", e.key("other-admin", other, store.RoleAdmin), other, uid, 404},
		{"a profile that does not exist is not found", e.admin, e.project, "0123456789abcdef01234567", 404},
		{"the profile's project admin verifies it", e.key("edge-admin", e.project, store.RoleAdmin), e.project, uid, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.verify(tt.key, tt.project, tt.uid, tt.want)
		})
	}
	e.do("POST", "/v1/clusterprofiles/"+uid+"/verify", e.admin, e.project, `{"arch":"sparc"}`, 400, nil)
}

func TestVerifyReachesNoInternalAddressWithoutTheAllowList(t *testing.T) {
	e := newVerifyEnv(t) // no allow-list
	l := countAccepts(t)
	uid := e.createProfile(e.admin, e.project, edgeProfileBody("edge", l.addr+"/edge/ubuntu:v1", l.addr, "u", "p-Secret-123", "",
		"169.254.169.254/latest/meta-data:v1", "localhost:"+strings.Split(l.addr, ":")[1]+"/edge/tools:v1"))
	v := e.verify(e.admin, e.project, uid, 200)
	if v.Verified != "draft" || len(v.Results) != 3 {
		t.Fatalf("verification %+v", v)
	}
	for i, r := range v.Results {
		if r.Holds {
			t.Errorf("image %s holds", r.Ref)
		}
		f := v.Findings[i]
		if f.Code != finding.CodeVerifyTargetRefused || !strings.Contains(f.Message, "--verify-allow") || !strings.Contains(f.Hint, "--verify-allow-net") {
			t.Errorf("image %s: finding %s, want verify-target-refused naming the setting", r.Ref, f)
		}
		if f.Layer != "edge-native-byoi" || f.Path == "" || f.Line == 0 {
			t.Errorf("image %s: finding %s is not located", r.Ref, f)
		}
	}
	if n := l.accepted.Load(); n != 0 {
		t.Errorf("the server made %d connection(s) to the loopback listener", n)
	}
	if raw := e.do("POST", "/v1/clusterprofiles/"+uid+"/verify", e.admin, e.project, nil, 200, nil); strings.Contains(string(raw), "p-Secret-123") {
		t.Error("the answer shows the password")
	}
}

func TestVerifyRecordsEdgeDigestsAtPublicationAndReportsATagThatMoved(t *testing.T) {
	reg := regtest.StartRegistry(t)
	first := regtest.PushIndex(t, reg, "edge/ubuntu", "k3s-1.30.6-demo", regtest.LinuxAMD64(), regtest.LinuxARM64())
	tools := regtest.PushImage(t, reg, "edge/tools", "v1", regtest.LinuxAMD64())
	e := newVerifyEnv(t, netip.MustParsePrefix("127.0.0.1/32"))
	uri := reg.Host + "/edge/ubuntu:k3s-1.30.6-demo"
	uid := e.createProfile(e.admin, e.project, edgeProfileBody("edge", uri, reg.Host, reg.Username, reg.Password, reg.CACertPEM,
		reg.Host+"/edge/tools:v1", reg.Host+"/edge/missing:v1"))
	check := func(what string, v wire.Verification, verified string, recorded int, holds map[string]string, codes ...string) {
		t.Helper()
		if v.Verified != verified || v.Recorded != recorded {
			t.Errorf("%s: verified %q recorded %d, want %q %d", what, v.Verified, v.Recorded, verified, recorded)
		}
		for _, r := range v.Results {
			want, ok := holds[r.Ref]
			if ok != r.Holds || (ok && r.Digest != want) {
				t.Errorf("%s: %s holds %t with digest %q, want %t %q", what, r.Ref, r.Holds, r.Digest, ok, want)
			}
		}
		var got []string
		for _, f := range v.Findings {
			got = append(got, f.Code)
		}
		if strings.Join(got, " ") != strings.Join(codes, " ") {
			t.Errorf("%s: findings %v, want codes %v", what, v.Findings, codes)
		}
	}
	// A draft is verified, and nothing is recorded.
	v := e.verify(e.admin, e.project, uid, 200)
	check("the draft", v, "draft", 0, map[string]string{uri: first, reg.Host + "/edge/tools:v1": tools}, finding.CodeVerifyEdgeNotFound)

	// The first verify of the publication records the digests it resolved.
	e.do("PATCH", "/v1/clusterprofiles/"+uid+"/publish", e.admin, e.project, nil, 204, nil)
	v = e.verify(e.admin, e.project, uid, 200)
	check("the publication", v, "published", 2, map[string]string{uri: first, reg.Host + "/edge/tools:v1": tools}, finding.CodeVerifyEdgeNotFound)

	// Another image pushed under the provider image's tag: the tag moved.
	moved := regtest.PushImage(t, reg, "edge/ubuntu", "k3s-1.30.6-demo", regtest.LinuxAMD64())
	v = e.verify(e.admin, e.project, uid, 200)
	check("after the push", v, "published", 0, map[string]string{reg.Host + "/edge/tools:v1": tools}, finding.CodeVerifyEdgeMoved, finding.CodeVerifyEdgeNotFound)
	f := v.Findings[0]
	if !strings.Contains(f.Message, "moved since published") || !strings.Contains(f.Message, first) || !strings.Contains(f.Message, moved) || f.Path != "options.system.uri" {
		t.Errorf("the moved finding reads %s", f)
	}
	for _, r := range v.Results {
		if r.Ref == uri && (r.Published != first || r.Digest != moved) {
			t.Errorf("the provider image reads published %q now %q", r.Published, r.Digest)
		}
	}
	raw := e.do("POST", "/v1/clusterprofiles/"+uid+"/verify", e.admin, e.project, nil, 200, nil)
	if strings.Contains(string(raw), reg.Password) {
		t.Error("the answer shows the registry password")
	}
	// The recording is in the audit log.
	var audits struct {
		Items []struct {
			Spec struct{ ActionName, ActionMsg string }
		}
	}
	body := e.do("GET", "/v1/audits", e.admin, e.project, nil, 200, &audits)
	if !strings.Contains(string(body), "profile.digests") {
		t.Errorf("no profile.digests event in %s", body)
	}
}
