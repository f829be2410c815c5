package client_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byoos/byoos/client"
	"github.com/byoos/byoos/client/clienttest"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/wire"
)

func newClient(t *testing.T, s *clienttest.Server, key, project string) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Server: s.URL, APIKey: key, Project: project, CACertFile: s.CACertFile})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func awsDoc(name, version, image string) *wire.Profile {
	p := &wire.Profile{}
	p.Metadata.Name = name
	p.Spec.Version = version
	p.Spec.Template.Type, p.Spec.Template.CloudType = "infra", "aws"
	p.Spec.Template.Packs = []wire.PackRef{
		{Name: "generic-byoi", Tag: "1.0.x", Registry: &wire.RegistryRef{Metadata: wire.RegistryMeta{Name: client.PublicRepoName}},
			Values: "pack:\n  osImageOverride: \"" + image + "\"\n  osName: \"rhel\"\n  osVersion: \"8\"\n"},
		{Name: "kubernetes", Tag: "1.30.x"},
	}
	return p
}

func TestServerAddressesAreReadAsTheCLIDocumentsThem(t *testing.T) {
	for in, want := range map[string]string{
		"https://byoos.example:8443":  "https://byoos.example:8443",
		"byoos.example:8443":          "https://byoos.example:8443",
		"http://127.0.0.1:8080/":      "http://127.0.0.1:8080",
		"https://proxy.example/byoos": "https://proxy.example/byoos",
		" [::1]:8443 ":                "https://[::1]:8443",
	} {
		u, err := client.ParseServer(in)
		if err != nil || u.String() != want {
			t.Errorf("ParseServer(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	for _, bad := range []string{"ftp://x", "https://", "https://user:pw@host", "https://h?x=1"} {
		if _, err := client.ParseServer(bad); err == nil {
			t.Errorf("ParseServer(%q) accepted", bad)
		}
	}
	if _, err := client.New(client.Config{APIKey: "k"}); !errors.Is(err, client.ErrNoServer) {
		t.Errorf("no server: %v", err)
	}
	if _, err := client.New(client.Config{Server: "h:1"}); !errors.Is(err, client.ErrNoAPIKey) {
		t.Errorf("no key: %v", err)
	}
}

func TestConfigFilesAreReadAndFlagsWinOverEnvironmentOverFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	os.WriteFile(file, []byte("server: file.example:8443\napiKey: byoos_fromfile\nproject: Default\ncaCert: tls/cert.pem\n"), 0o600)
	fc, err := client.LoadConfigFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if fc.Server != "file.example:8443" || fc.APIKey != "byoos_fromfile" || fc.Project != "Default" || fc.CACertFile != filepath.Join(dir, "tls", "cert.pem") {
		t.Errorf("file config: %+v", fc)
	}
	env := client.ConfigFromEnv(func(k string) string {
		return map[string]string{client.EnvServer: "env.example:8443", client.EnvProject: "envproj"}[k]
	})
	got := client.Merge(client.Config{Project: "flagproj"}, env, fc)
	if got.Server != "env.example:8443" || got.Project != "flagproj" || got.APIKey != "byoos_fromfile" {
		t.Errorf("merged: %+v", got)
	}
	os.WriteFile(file, []byte("server: x\napikey: byoos_typo_secret\n"), 0o600)
	_, err = client.LoadConfigFile(file)
	if err == nil || strings.Contains(err.Error(), "byoos_typo_secret") || !strings.Contains(err.Error(), "apikey") {
		t.Errorf("unknown key: %v", err)
	}
}

func TestProjectsAreFoundByNameOrUID(t *testing.T) {
	s := clienttest.Start(t)
	ctx := context.Background()
	admin := newClient(t, s, s.AdminKey, "")
	other, err := admin.CreateProject(ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	byName := newClient(t, s, s.AdminKey, "other")
	if uid, err := byName.ProjectUID(ctx); err != nil || uid != other {
		t.Errorf("by name: %q %v, want %s", uid, err, other)
	}
	byUID := newClient(t, s, s.AdminKey, other)
	if uid, err := byUID.ProjectUID(ctx); err != nil || uid != other {
		t.Errorf("by uid: %q %v", uid, err)
	}
	missing := newClient(t, s, s.AdminKey, "nope")
	_, err = missing.Registries(ctx)
	var nf *client.NotFoundError
	if !errors.As(err, &nf) || !strings.Contains(err.Error(), "Default") {
		t.Errorf("unknown project: %v", err)
	}
}

func TestProfilesLiveTheirWholeLifeThroughTheClient(t *testing.T) {
	s := clienttest.Start(t)
	ctx := context.Background()
	c := newClient(t, s, s.AdminKey, "Default")

	v, err := c.ValidateProfile(ctx, awsDoc("web", "1.0.0", "ami-0f4804aff4cf9c5a2"))
	if err != nil || !v.Valid {
		t.Fatalf("validate: %+v %v", v, err)
	}
	uid, err := c.ImportProfile(ctx, awsDoc("web", "1.0.0", "ami-0f4804aff4cf9c5a2"), false)
	if err != nil {
		t.Fatal(err)
	}
	found, err := c.FindProfile(ctx, "web", "")
	if err != nil || found.UID != uid || found.Status != wire.StatusDraft {
		t.Fatalf("find: %+v %v", found, err)
	}
	rv, err := c.UpdateProfile(ctx, uid, awsDoc("web", "1.0.0", "ami-1a2b3c4d"), found.ResourceVersion())
	if err != nil || rv == "" || rv == found.ResourceVersion() {
		t.Fatalf("update: %q %v", rv, err)
	}
	// A writer that read the old revision is refused, not applied.
	_, err = c.UpdateProfile(ctx, uid, awsDoc("web", "1.0.0", "ami-0f4804aff4cf9c5a2"), found.ResourceVersion())
	if client.StatusCode(err) != http.StatusConflict || client.ErrorCode(err) != wire.CodeConflict {
		t.Fatalf("stale update: %v", err)
	}
	if err := c.PublishProfile(ctx, uid, rv); err != nil {
		t.Fatal(err)
	}
	p, err := c.Profile(ctx, uid)
	if err != nil || !p.Status.IsPublished || p.Spec.Published == nil || !strings.Contains(p.Spec.Published.Packs[0].Values, "ami-1a2b3c4d") ||
		p.Spec.Published.Packs[1].Version != "1.30.10" {
		t.Fatalf("get: %+v %v", p, err)
	}
	exp, err := c.ExportProfile(ctx, uid)
	if err != nil || exp.Metadata.Name != "web" || exp.Spec.Template.Packs[0].Registry.Metadata.Name != client.PublicRepoName {
		t.Fatalf("export: %+v %v", exp, err)
	}
	if _, err := c.ImportProfile(ctx, exp, false); client.ErrorCode(err) != wire.CodeExists {
		t.Errorf("import of an existing name and version: %v", err)
	}
	exp.Spec.Version = "1.1.0"
	if _, err := c.ImportProfile(ctx, exp, true); err != nil {
		t.Fatal(err)
	}
	var amb *client.AmbiguousError
	if _, err := c.FindProfile(ctx, "web", ""); !errors.As(err, &amb) || strings.Join(amb.Choices, ",") != "1.0.0,1.1.0" {
		t.Errorf("two versions: %v", err)
	}
	if err := c.DeleteProfile(ctx, uid, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Profile(ctx, uid); !client.IsNotFound(err) {
		t.Errorf("deleted profile: %v", err)
	}
	if _, err := c.FindProfile(ctx, "web", "1.0.0"); !client.IsNotFound(err) || !strings.Contains(err.Error(), "version 1.1.0") {
		t.Errorf("find deleted: %v", err)
	}
}

func TestRefusedProfilesComeBackWithTheirFindings(t *testing.T) {
	s := clienttest.Start(t)
	c := newClient(t, s, s.AdminKey, "Default")
	doc := awsDoc("bad", "1.0.0", "not-an-ami")
	_, err := c.ImportProfile(context.Background(), doc, false)
	var ae *client.APIError
	if !errors.As(err, &ae) || ae.StatusCode != 400 || ae.Code != wire.CodeInvalidProfile || len(ae.Findings) == 0 || ae.RequestID == "" {
		t.Fatalf("refusal: %#v", err)
	}
	f := ae.Findings[0]
	if f.Layer != "generic-byoi" || f.Path != "pack.osImageOverride" || f.Line != 2 || f.Hint == "" {
		t.Errorf("finding: %+v", f)
	}
	if !strings.HasPrefix(ae.Error(), "POST /v1/clusterprofiles/import: 400 InvalidClusterProfile: ") {
		t.Errorf("message: %s", ae.Error())
	}
}

func corpOS(t *testing.T, dir, version, values string) string {
	t.Helper()
	p := filepath.Join(dir, "corp-os-"+version)
	os.MkdirAll(p, 0o755)
	os.WriteFile(filepath.Join(p, "pack.json"), []byte(`{"name": "corp-os", "displayName": "Corp OS", "version": "`+version+`", "layer": "os", "cloudTypes": ["aws"]}`), 0o644)
	os.WriteFile(filepath.Join(p, "values.yaml"), []byte(values), 0o644)
	return p
}

func TestPacksArePushedOnceAndListed(t *testing.T) {
	s := clienttest.Start(t)
	ctx := context.Background()
	c := newClient(t, s, s.AdminKey, "Default")
	regUID, err := c.CreateRegistry(ctx, "corp", client.ScopeProject)
	if err != nil {
		t.Fatal(err)
	}
	reg, err := c.FindRegistry(ctx, "corp")
	if err != nil || reg.UID != regUID || !reg.IsPrivate || reg.Scope != client.ScopeProject {
		t.Fatalf("find registry: %+v %v", reg, err)
	}
	dir := t.TempDir()
	p, archive, _, err := pack.Archive(corpOS(t, dir, "1.0.0", "pack:\n  a: 1\n"))
	if err != nil || p.Meta.Name != "corp-os" {
		t.Fatal(err)
	}
	first, err := c.PushPack(ctx, regUID, archive)
	if err != nil || !first.Created || first.Digest != p.Digest {
		t.Fatalf("first push: %+v %v", first, err)
	}
	again, err := c.PushPack(ctx, regUID, archive)
	if err != nil || again.Created || again.UID != first.UID {
		t.Fatalf("same push: %+v %v", again, err)
	}
	_, changed, _, _ := pack.Archive(corpOS(t, t.TempDir(), "1.0.0", "pack:\n  a: 2\n"))
	if _, err := c.PushPack(ctx, regUID, changed); client.StatusCode(err) != 409 || client.ErrorCode(err) != wire.CodeImmutable {
		t.Fatalf("changed content: %v", err)
	}
	// A .tgz file is sent as it is.
	var tgz bytes.Buffer
	p101, _, _ := pack.LoadDir(corpOS(t, dir, "1.0.1", "pack:\n  a: 2\n"))
	p101.Tarball(&tgz)
	file := filepath.Join(dir, "corp-os-1.0.1.tgz")
	os.WriteFile(file, tgz.Bytes(), 0o644)
	_, raw, _, err := pack.Archive(file)
	if err != nil || !bytes.Equal(raw, tgz.Bytes()) {
		t.Fatalf("archive file: %v", err)
	}
	if res, err := c.PushPack(ctx, regUID, raw); err != nil || !res.Created {
		t.Fatalf("push file: %+v %v", res, err)
	}
	ps, err := c.Packs(ctx, client.PackFilter{Name: "corp-os", RegistryUID: regUID})
	if err != nil || len(ps) != 2 || ps[0].RegistryUID != regUID || ps[0].UID == "" {
		t.Fatalf("packs: %+v %v", ps, err)
	}
	os1, err := c.Packs(ctx, client.PackFilter{Layer: "os", CloudType: "aws"})
	if err != nil || len(os1) < 3 {
		t.Errorf("os packs for aws: %+v %v", os1, err)
	}
	ms, err := c.SearchPacks(ctx, client.PackSearch{NameContains: "CORP"})
	if err != nil || len(ms) != 1 || ms[0].Registries[0].LatestVersion != "1.0.1" {
		t.Errorf("search: %+v %v", ms, err)
	}
	// A broken pack is refused before anything is sent.
	bad := corpOS(t, t.TempDir(), "v2", "a: [1\n")
	if _, _, fl, err := pack.Archive(bad); !errors.Is(err, pack.ErrInvalid) || !fl.HasErrors() {
		t.Errorf("broken pack: %v %v", fl, err)
	}
}

func TestRevokedKeysAreRefusedAndKeysNeverLeakIntoErrors(t *testing.T) {
	s := clienttest.Start(t)
	ctx := context.Background()
	admin := newClient(t, s, s.AdminKey, "")
	k, err := admin.CreateAPIKey(ctx, client.NewAPIKey{Name: "ci", Role: client.RoleReadOnly})
	if err != nil || !strings.HasPrefix(k.Key, "byoos_") {
		t.Fatalf("create: %+v %v", k, err)
	}
	ks, err := admin.APIKeys(ctx)
	if err != nil || len(ks) != 2 || ks[1].Key != "" {
		t.Fatalf("list: %+v %v", ks, err)
	}
	ro := newClient(t, s, k.Key, "Default")
	if _, err := ro.Profiles(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := ro.CreateRegistry(ctx, "x", client.ScopeProject); client.StatusCode(err) != 403 {
		t.Errorf("read-only write: %v", err)
	}
	if err := admin.RevokeAPIKey(ctx, k.UID); err != nil {
		t.Fatal(err)
	}
	_, err = ro.Profiles(ctx, "")
	if client.StatusCode(err) != 401 || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), k.Key) {
		t.Errorf("revoked key: %v", err)
	}
	// Whatever fails, the key is not in the message.
	unreachable, _ := client.New(client.Config{Server: "127.0.0.1:1", APIKey: s.AdminKey})
	if _, err := unreachable.Projects(ctx); err == nil || strings.Contains(err.Error(), s.AdminKey) {
		t.Errorf("unreachable: %v", err)
	}
	untrusted, _ := client.New(client.Config{Server: s.URL, APIKey: s.AdminKey})
	if _, err := untrusted.Projects(ctx); err == nil || !strings.Contains(err.Error(), "--ca-cert") {
		t.Errorf("untrusted certificate: %v", err)
	}
}

func TestRedirectsAreNotFollowedSoTheKeyStaysWithTheServer(t *testing.T) {
	var leaked []string
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		leaked = append(leaked, r.Header.Get("ApiKey"))
	}))
	defer elsewhere.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, elsewhere.URL+r.URL.Path, http.StatusFound)
	}))
	defer redirector.Close()
	c, err := client.New(client.Config{Server: redirector.URL, APIKey: "byoos_0123456789"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Projects(context.Background())
	if client.StatusCode(err) != http.StatusFound || len(leaked) != 0 {
		t.Errorf("redirect: %v, the other server saw %v", err, leaked)
	}
}

func TestPlainHTTPServersGetTheKeyAndProjectHeaders(t *testing.T) {
	var seen http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"items":[{"uid":"5e0000000000000000000001","name":"Public Repo","kind":"pack","scope":"system"}]}`))
	}))
	defer srv.Close()
	c, err := client.New(client.Config{Server: srv.URL, APIKey: "byoos_0123456789", Project: "0123456789abcdef01234567"})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := c.Registries(context.Background())
	if err != nil || len(rs) != 1 || rs[0].Name != client.PublicRepoName {
		t.Fatalf("registries: %+v %v", rs, err)
	}
	if seen.Get("ApiKey") != "byoos_0123456789" || seen.Get("ProjectUid") != "0123456789abcdef01234567" {
		t.Errorf("headers: %v", seen)
	}
	// Tenant-wide calls carry no project.
	c.APIKeys(context.Background())
	if seen.Get("ProjectUid") != "" {
		t.Errorf("apiKeys sent ProjectUid %q", seen.Get("ProjectUid"))
	}
}
