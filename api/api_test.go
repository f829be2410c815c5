package api_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/byoos/byoos/api"
	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/serve"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/store/sqlite"
)

// env is a real server over TLS on an embedded database in a temp dir.
type env struct {
	t       testing.TB
	dir     string
	url     string
	client  *http.Client
	admin   string // tenant admin key
	project string // Default project uid
	st      store.Store
	handler http.Handler
}

func newEnv(t testing.TB) *env {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "byoos.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newEnvOn(t, dir, st)
}

// newEnvOn is newEnv on the store st (of either engine), data files in dir.
func newEnvOn(t testing.TB, dir string, st store.Store, opts ...func(*api.Config)) *env {
	t.Helper()
	ctx := context.Background()
	tenant, err := serve.Bootstrap(ctx, st, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := secret.LoadOrCreateKey(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	sealer, _ := secret.NewSealer(key)
	public, err := catalog.PublicRepo()
	if err != nil {
		t.Fatal(err)
	}
	cfg := api.Config{Store: st, Public: public, Sealer: sealer, TenantUID: tenant.UID}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.MarkReady()
	ts := httptest.NewTLSServer(srv.Handler())
	t.Cleanup(ts.Close)
	admin, err := os.ReadFile(filepath.Join(dir, serve.AdminKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, dir: dir, url: ts.URL, client: ts.Client(), admin: strings.TrimSpace(string(admin)), st: st, handler: srv.Handler()}
	var projects struct {
		Items []struct{ Metadata struct{ Name, UID string } }
	}
	e.do("GET", "/v1/dashboard/projects/metadata", e.admin, "", nil, 200, &projects)
	for _, p := range projects.Items {
		if p.Metadata.Name == "Default" {
			e.project = p.Metadata.UID
		}
	}
	if e.project == "" {
		t.Fatal("no Default project")
	}
	return e
}

// do sends a request and checks the status; out, when not nil, receives the JSON body.
func (e *env) do(method, path, key, project string, body any, want int, out any) []byte {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.url+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("ApiKey", key)
	}
	if project != "" {
		req.Header.Set("ProjectUid", project)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, raw)
	}
	if resp.StatusCode != 204 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && !strings.HasPrefix(path, "/metrics") {
		e.t.Errorf("%s %s: Content-Type %q", method, path, resp.Header.Get("Content-Type"))
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			e.t.Fatalf("%s %s: %v: %s", method, path, err, raw)
		}
	}
	return raw
}

func (e *env) key(name, project, role string) string {
	e.t.Helper()
	var out struct{ Key, UID string }
	e.do("POST", "/v1/apiKeys", e.admin, "", map[string]string{"name": name, "projectUid": project, "role": role}, 201, &out)
	if !strings.HasPrefix(out.Key, api.KeyPrefix) {
		e.t.Fatalf("key %q", out.Key)
	}
	return out.Key
}

func (e *env) newProject(name string) string {
	e.t.Helper()
	var out struct{ UID string }
	e.do("POST", "/v1/projects", e.admin, "", map[string]any{"metadata": map[string]string{"name": name}}, 201, &out)
	return out.UID
}

// The create body the Terraform provider sends (captured), with a BYOOS aws layer.
func awsProfile(name, image string) map[string]any {
	return map[string]any{
		"metadata": map[string]any{"name": name, "labels": map[string]string{"env": "dev"}, "annotations": map[string]string{"description": "test"},
			"creationTimestamp": "0001-01-01T00:00:00.000Z", "deletionTimestamp": "0001-01-01T00:00:00.000Z", "lastModifiedTimestamp": "0001-01-01T00:00:00.000Z"},
		"spec": map[string]any{"version": "1.0.0", "variables": nil, "template": map[string]any{"type": "infra", "cloudType": "aws", "packs": []any{
			map[string]any{"name": "generic-byoi", "tag": "1.0.0", "type": "spectro", "registryUid": api.PublicRepoUID, "manifests": []any{},
				"values": "pack:\n  osImageOverride: \"" + image + "\"\n  osName: \"rhel\"\n  osVersion: \"8\""},
			map[string]any{"name": "kubernetes", "tag": "1.30.x", "type": "spectro", "registryUid": api.PublicRepoUID, "values": ""},
		}}},
	}
}

type profileResp struct {
	Metadata struct {
		Name, UID, ResourceVersion string
		Labels, Annotations        map[string]string
	}
	Spec struct {
		Version   string
		Published *struct {
			CloudType, Type, ProfileVersion string
			Packs                           []struct{ Name, Tag, Type, PackUID, Values, Version, RegistryUID string }
		}
		Draft *struct {
			Packs []struct{ Name, Values string }
		}
		Versions []struct{ UID, Version string }
	}
	Status struct {
		IsPublished bool
		Findings    []struct{ Code, Severity string }
	}
}

func TestAuthentication(t *testing.T) {
	e := newEnv(t)
	e.do("GET", "/v1/registries/metadata", "", "", nil, 401, nil)
	e.do("GET", "/v1/registries/metadata", "byoos_nope", "", nil, 401, nil)
	e.do("GET", "/healthz", "", "", nil, 200, nil)
	e.do("GET", "/readyz", "", "", nil, 200, nil)
	e.do("GET", "/metrics", "", "", nil, 401, nil)
	ro := e.key("reader", "", store.RoleReadOnly)
	e.do("GET", "/v1/registries/metadata", ro, "", nil, 200, nil)
	e.do("POST", "/v1/clusterprofiles", ro, e.project, awsProfile("p", "ami-0f4804aff4cf9c5a2"), 403, nil)
	var keys struct{ Items []struct{ UID, Name string } }
	e.do("GET", "/v1/apiKeys", e.admin, "", nil, 200, &keys)
	var uid string
	for _, k := range keys.Items {
		if k.Name == "reader" {
			uid = k.UID
		}
	}
	e.do("DELETE", "/v1/apiKeys/"+uid, e.admin, "", nil, 204, nil)
	e.do("GET", "/v1/registries/metadata", ro, "", nil, 401, nil)
	// Authorization: Bearer works too, for tools such as Prometheus.
	req, _ := http.NewRequest("GET", e.url+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+e.admin)
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("byoos_http_requests_total")) || !bytes.Contains(body, []byte("byoos_store_operation_duration_seconds")) {
		t.Errorf("metrics: %d %.300s", resp.StatusCode, body)
	}
}

func TestProjectsAreIsolated(t *testing.T) {
	e := newEnv(t)
	other := e.newProject("other")
	keyA := e.key("a", e.project, store.RoleAdmin)
	keyB := e.key("b", other, store.RoleAdmin)
	var created struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", keyA, "", awsProfile("mine", "ami-0f4804aff4cf9c5a2"), 201, &created)
	// B cannot read, change or delete A's profile, nor list it.
	e.do("GET", "/v1/clusterprofiles/"+created.UID, keyB, "", nil, 404, nil)
	e.do("PUT", "/v1/clusterprofiles/"+created.UID, keyB, "", awsProfile("mine", "ami-0f4804aff4cf9c5a2"), 404, nil)
	e.do("PATCH", "/v1/clusterprofiles/"+created.UID+"/publish", keyB, "", nil, 404, nil)
	e.do("DELETE", "/v1/clusterprofiles/"+created.UID, keyB, "", nil, 404, nil)
	var list struct {
		Items []struct{ Metadata struct{ UID string } }
	}
	e.do("GET", "/v1/dashboard/clusterprofiles/metadata", keyB, "", nil, 200, &list)
	if len(list.Items) != 0 {
		t.Errorf("project B lists %d profiles of A", len(list.Items))
	}
	// A project key cannot pick another project with the header.
	e.do("GET", "/v1/clusterprofiles/"+created.UID, keyB, e.project, nil, 403, nil)
	// Tenant keys reach it with the project header, and by its uid without
	// (they may read every project; the provider sends some calls so).
	tenantRO := e.key("tenant-ro", "", store.RoleReadOnly)
	e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 200, nil)
	for _, path := range []string{"", "/variables", "/export"} {
		e.do("GET", "/v1/clusterprofiles/"+created.UID+path, e.admin, "", nil, 200, nil)
		e.do("GET", "/v1/clusterprofiles/"+created.UID+path, tenantRO, "", nil, 200, nil)
		e.do("GET", "/v1/clusterprofiles/"+created.UID+path, keyB, "", nil, 404, nil)
	}
	e.do("DELETE", "/v1/clusterprofiles/"+created.UID, tenantRO, "", nil, 403, nil)
	e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, "5e00000000000000000000ff", nil, 404, nil)
	// B's project list shows only its project.
	var projects struct {
		Items []struct{ Metadata struct{ UID string } }
	}
	e.do("GET", "/v1/dashboard/projects/metadata", keyB, "", nil, 200, &projects)
	if len(projects.Items) != 1 || projects.Items[0].Metadata.UID != other {
		t.Errorf("projects for B: %+v", projects.Items)
	}
	// GET /v1/projects/{uid} (the provider's macro import reads it): B reads
	// its own project, not A's; the tenant admin reads both.
	var got struct{ Metadata struct{ Name, UID string } }
	e.do("GET", "/v1/projects/"+other, keyB, "", nil, 200, &got)
	if got.Metadata.Name != "other" || got.Metadata.UID != other {
		t.Errorf("B reads its project as %+v", got.Metadata)
	}
	e.do("GET", "/v1/projects/"+e.project, keyB, "", nil, 404, nil)
	e.do("GET", "/v1/projects/"+e.project, e.admin, "", nil, 200, &got)
	if got.Metadata.UID != e.project {
		t.Errorf("the admin reads project %s as %+v", e.project, got.Metadata)
	}
	e.do("GET", "/v1/projects/5e00000000000000000000ff", e.admin, "", nil, 404, nil)
}

func TestRegistriesAndPacksAsTheProviderReadsThem(t *testing.T) {
	e := newEnv(t)
	var regs struct {
		Items []struct{ UID, Name, Kind, Scope string }
	}
	e.do("GET", "/v1/registries/metadata", e.admin, e.project, nil, 200, &regs)
	if len(regs.Items) != 1 || regs.Items[0].Name != "Public Repo" || regs.Items[0].UID != api.PublicRepoUID {
		t.Fatalf("registries: %+v", regs.Items)
	}
	var helm struct {
		Spec struct{ IsPrivate bool }
	}
	raw := e.do("GET", "/v1/registries/helm/"+api.PublicRepoUID, e.admin, e.project, nil, 200, &helm)
	if !strings.Contains(string(raw), `"isPrivate":false`) {
		t.Errorf("helm registry: %s", raw)
	}
	e.do("GET", "/v1/registries/pack/"+api.PublicRepoUID+"/sync/status", e.admin, e.project, nil, 200, nil)
	e.do("GET", "/v1/registries/helm/nope", e.admin, e.project, nil, 404, nil)

	var tags struct {
		Name, RegistryUID string
		Tags              []struct{ Tag, Version, PackUID string }
		PackValues        []struct{ PackUID, Values string }
	}
	e.do("GET", "/v1/packs/generic-byoi/registries/"+api.PublicRepoUID+"?cloudType=all", e.admin, e.project, nil, 200, &tags)
	var uid100 string
	for _, tg := range tags.Tags {
		if tg.Version == "1.0.0" && tg.Tag == "1.0.0" {
			uid100 = tg.PackUID
		}
	}
	if uid100 == "" || tags.RegistryUID != api.PublicRepoUID || len(tags.PackValues) != 1 || !strings.Contains(tags.PackValues[0].Values, "osImageOverride") {
		t.Fatalf("pack tags: %+v", tags)
	}
	var sums struct {
		Items []struct {
			Metadata struct{ UID string }
			Spec     struct{ Name, Version, RegistryUID, Values string }
		}
	}
	e.do("GET", "/v1/packs?filters=spec.name%3Dedge-native-byoiANDspec.version%3D1.0.0&limit=50", e.admin, e.project, nil, 200, &sums)
	if len(sums.Items) != 1 || sums.Items[0].Spec.Version != "1.0.0" || sums.Items[0].Spec.RegistryUID != api.PublicRepoUID {
		t.Fatalf("filter: %+v", sums.Items)
	}
	e.do("GET", "/v1/packs?filters=metadata.uid%3D"+uid100, e.admin, e.project, nil, 200, &sums)
	if len(sums.Items) != 1 || sums.Items[0].Metadata.UID != uid100 {
		t.Fatalf("uid filter: %+v", sums.Items)
	}
	e.do("GET", "/v1/packs?filters=spec.bogus%3D1", e.admin, e.project, nil, 400, nil)
	search := `{"filter":{"addOnSubType":null,"addOnType":["load balancer","ingress","logging","monitoring","security","authentication","servicemesh","system app","app services","registry","csi","cni","integration",""],"environment":["all"],"layer":["kernel","os","k8s","cni","csi","addon"],"name":{"eq":"edge-native-byoi"},"registryUid":["` + api.PublicRepoUID + `"],"source":null,"state":null,"type":["spectro","helm","manifest","oci"]},"sort":null}`
	var found struct {
		Items []struct {
			Spec struct {
				Name       string
				Registries []struct{ UID, LatestVersion string }
			}
		}
	}
	e.do("POST", "/v1/packs/search?limit=50", e.admin, e.project, search, 200, &found)
	if len(found.Items) != 1 || found.Items[0].Spec.Registries[0].LatestVersion != "2.1.0" {
		t.Fatalf("search: %+v", found.Items)
	}
	var one struct{ Name, RegistryUID string }
	e.do("GET", "/v1/packs/"+uid100, e.admin, e.project, nil, 200, &one)
	if one.Name != "generic-byoi" || one.RegistryUID != api.PublicRepoUID {
		t.Errorf("pack by uid: %+v", one)
	}
	e.do("GET", "/v1/packs/000000000000000000000000", e.admin, e.project, nil, 404, nil)
}

func packTGZ(t *testing.T, version, values string) []byte {
	t.Helper()
	p, _, err := pack.FromFiles(map[string][]byte{
		"pack.json":   []byte(`{"name": "corp-os", "displayName": "Corp OS", "version": "` + version + `", "layer": "os", "cloudTypes": ["aws"]}`),
		"values.yaml": []byte(values),
		"README.md":   []byte("# corp-os\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := p.Tarball(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestPushedPackVersionsAreImmutable(t *testing.T) {
	e := newEnv(t)
	var reg struct{ UID string }
	e.do("POST", "/v1/registries/pack", e.admin, e.project, map[string]any{"metadata": map[string]string{"name": "corp"}}, 201, &reg)
	push := func(body []byte, want int) map[string]any {
		out := map[string]any{}
		req, _ := http.NewRequest("POST", e.url+"/v1/registries/pack/"+reg.UID+"/packs", bytes.NewReader(body))
		req.Header.Set("ApiKey", e.admin)
		req.Header.Set("ProjectUid", e.project)
		req.Header.Set("Content-Type", "application/gzip")
		resp, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			t.Fatalf("push: %d, want %d: %s", resp.StatusCode, want, raw)
		}
		json.Unmarshal(raw, &out)
		return out
	}
	first := push(packTGZ(t, "1.0.0", "pack:\n  a: 1\n"), 201)
	again := push(packTGZ(t, "1.0.0", "pack:\n  a: 1\n"), 200)
	if first["uid"] != again["uid"] || again["created"] != false {
		t.Errorf("same content again: %v vs %v", first, again)
	}
	push(packTGZ(t, "1.0.0", "pack:\n  a: 2\n"), 409)
	push(packTGZ(t, "1.0.1", "pack:\n  a: 2\n"), 201)
	push([]byte("not a tarball"), 400)
	bad := push(packTGZ2(t), 400)
	if !strings.Contains(fmt.Sprint(bad["message"]), "pack-version-prefix") {
		t.Errorf("invalid pack message: %v", bad["message"])
	}
	// The private registry is listed and its packs are found by the provider's calls.
	var regs struct{ Items []struct{ UID, Name string } }
	e.do("GET", "/v1/registries/metadata", e.admin, e.project, nil, 200, &regs)
	if len(regs.Items) != 2 {
		t.Errorf("registries: %+v", regs.Items)
	}
	var tags struct {
		Tags []struct{ Tag, Version string }
	}
	e.do("GET", "/v1/packs/corp-os/registries/"+reg.UID, e.admin, e.project, nil, 200, &tags)
	if len(tags.Tags) < 3 || tags.Tags[0].Version != "1.0.1" {
		t.Errorf("tags: %+v", tags.Tags)
	}
	// Another project sees neither the registry nor its packs.
	other := e.newProject("other")
	e.do("GET", "/v1/packs/corp-os/registries/"+reg.UID, e.admin, other, nil, 404, nil)
	// The Public Repo is read-only.
	req, _ := http.NewRequest("POST", e.url+"/v1/registries/pack/"+api.PublicRepoUID+"/packs", bytes.NewReader(packTGZ(t, "1.0.0", "")))
	req.Header.Set("ApiKey", e.admin)
	resp, _ := e.client.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Errorf("push to Public Repo: %d", resp.StatusCode)
	}
}

func packTGZ2(t *testing.T) []byte {
	// pack.FromFiles refuses to build this one, so write the archive by hand.
	var buf bytes.Buffer
	p := &pack.Pack{Meta: pack.Meta{Name: "bad", Version: "v1.0.0"}, Files: map[string][]byte{
		"pack.json": []byte(`{"name": "bad", "displayName": "Bad", "version": "v1.0.0", "layer": "os", "cloudTypes": ["aws"]}`), "values.yaml": []byte("a: 1\n")}}
	if err := p.Tarball(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestProfileLifecycleAsTheProviderDrivesIt(t *testing.T) {
	e := newEnv(t)
	var created struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, awsProfile("byoos-profile", "ami-0f4804aff4cf9c5a2"), 201, &created)
	e.do("PATCH", "/v1/clusterprofiles/"+created.UID+"/publish", e.admin, e.project, nil, 204, nil)
	var got profileResp
	e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 200, &got)
	pub := got.Spec.Published
	if pub == nil || pub.CloudType != "aws" || pub.Type != "infra" || pub.ProfileVersion != "1.0.0" || len(pub.Packs) != 2 {
		t.Fatalf("published: %+v", pub)
	}
	if pub.Packs[0].Name != "generic-byoi" || pub.Packs[0].Tag != "1.0.0" || pub.Packs[0].Type != "spectro" || pub.Packs[0].PackUID != api.PublicPackUID("generic-byoi", "1.0.0") {
		t.Errorf("first layer: %+v", pub.Packs[0])
	}
	if pub.Packs[0].Values != "pack:\n  osImageOverride: \"ami-0f4804aff4cf9c5a2\"\n  osName: \"rhel\"\n  osVersion: \"8\"" {
		t.Errorf("values not echoed as sent: %q", pub.Packs[0].Values)
	}
	if pub.Packs[1].Tag != "1.30.x" || pub.Packs[1].Version != "1.30.10" || pub.Packs[1].PackUID != api.PublicPackUID("kubernetes", "1.30.10") {
		t.Errorf("floating tag layer: %+v", pub.Packs[1])
	}
	if got.Metadata.Annotations["scope"] != "project" || got.Metadata.Labels["env"] != "dev" || !got.Status.IsPublished {
		t.Errorf("metadata: %+v status %+v", got.Metadata, got.Status)
	}
	var vars struct{ Variables []any }
	e.do("GET", "/v1/clusterprofiles/"+created.UID+"/variables", e.admin, e.project, nil, 200, &vars)

	// Update in place: new values, then metadata and publish, as the provider does.
	upd := awsProfile("byoos-profile", "ami-1a2b3c4d")
	upd["metadata"].(map[string]any)["uid"] = created.UID
	delete(upd["spec"].(map[string]any)["template"].(map[string]any), "cloudType")
	e.do("PUT", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, upd, 204, nil)
	e.do("PATCH", "/v1/clusterprofiles/"+created.UID+"/metadata", e.admin, e.project, `{"metadata":{"annotations":{"description":"test2"},"labels":{"env":"prod"},"name":"byoos-profile"},"spec":{"version":"1.0.0"}}`, 204, nil)
	e.do("PATCH", "/v1/clusterprofiles/"+created.UID+"/publish", e.admin, e.project, nil, 204, nil)
	e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 200, &got)
	if !strings.Contains(got.Spec.Published.Packs[0].Values, "ami-1a2b3c4d") || got.Spec.Published.CloudType != "aws" || got.Metadata.Labels["env"] != "prod" {
		t.Errorf("after update: %+v %+v", got.Spec.Published, got.Metadata)
	}

	// A second version of the same name is its own profile, listed in versions.
	v2 := awsProfile("byoos-profile", "ami-1a2b3c4d")
	v2["spec"].(map[string]any)["version"] = "1.1.0"
	var second struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, v2, 201, &second)
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, v2, 409, nil)
	e.do("GET", "/v1/clusterprofiles/"+second.UID, e.admin, e.project, nil, 200, &got)
	if len(got.Spec.Versions) != 2 {
		t.Errorf("versions: %+v", got.Spec.Versions)
	}

	// Export and import round-trip.
	exported := e.do("GET", "/v1/clusterprofiles/"+created.UID+"/export", e.admin, e.project, nil, 200, nil)
	other := e.newProject("copy")
	var imported struct{ UID string }
	e.do("POST", "/v1/clusterprofiles/import?publish=true", e.admin, other, exported, 201, &imported)
	e.do("GET", "/v1/clusterprofiles/"+imported.UID, e.admin, other, nil, 200, &got)
	if got.Spec.Published == nil || !strings.Contains(got.Spec.Published.Packs[0].Values, "ami-1a2b3c4d") {
		t.Errorf("imported: %+v", got.Spec.Published)
	}

	e.do("DELETE", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 204, nil)
	raw := e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 404, nil)
	if !strings.Contains(string(raw), `"code":"ResourceNotFound"`) {
		t.Errorf("404 body: %s", raw)
	}

	// Every write is in the audit log, with its actor.
	var audits struct {
		Items []struct{ Action, Actor, UID string }
	}
	e.do("GET", "/v1/audits", e.admin, e.project, nil, 200, &audits)
	actions := []string{}
	for _, a := range audits.Items {
		actions = append(actions, a.Action)
		if strings.HasPrefix(a.Action, "profile.") && !strings.Contains(a.Actor, "admin") {
			t.Errorf("audit actor %q", a.Actor)
		}
	}
	for _, want := range []string{"profile.create", "profile.publish", "profile.update", "profile.metadata", "profile.delete"} {
		if !strings.Contains(strings.Join(actions, ","), want) {
			t.Errorf("audit log lacks %s: %v", want, actions)
		}
	}
}

func TestInvalidProfilesAreRefusedWithReadableFindings(t *testing.T) {
	e := newEnv(t)
	body := awsProfile("bad", "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1.0.0")
	body["spec"].(map[string]any)["template"].(map[string]any)["cloudType"] = "azure"
	var errBody struct {
		Code, Message string
		Details       struct {
			Findings []struct {
				Code, Layer, Path string
				Line              int
			}
		}
	}
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, body, 400, &errBody)
	if errBody.Code != api.CodeInvalidProfile || !strings.Contains(errBody.Message, "layer generic-byoi: pack.osImageOverride (values line 2, column 20)") ||
		!strings.Contains(errBody.Message, "Fix: ") || !strings.Contains(errBody.Message, "[azure-gallery-image]") {
		t.Errorf("error body: %+v", errBody)
	}
	if len(errBody.Details.Findings) == 0 || errBody.Details.Findings[0].Code != "azure-gallery-image" || errBody.Details.Findings[0].Line != 2 {
		t.Errorf("findings: %+v", errBody.Details.Findings)
	}
	raw := e.do("POST", "/v1/clusterprofiles", e.admin, e.project, body, 400, nil)
	if strings.Contains(string(raw), `"hint"`) {
		t.Errorf("details repeat the hints that the message already gives: %s", raw)
	}
	// A client that asks for the findings in full gets their words too.
	j, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", e.url+"/v1/clusterprofiles", bytes.NewReader(j))
	req.Header.Set("ApiKey", e.admin)
	req.Header.Set("ProjectUid", e.project)
	req.Header.Set(api.FindingsHeader, "full")
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	full, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 400 || !strings.Contains(string(full), `"hint"`) || !strings.Contains(string(full), `"message":"\"/subscriptions`) {
		t.Errorf("full findings: %d %s", resp.StatusCode, full)
	}
	var list struct{ Items []any }
	e.do("GET", "/v1/dashboard/clusterprofiles/metadata", e.admin, e.project, nil, 200, &list)
	if len(list.Items) != 0 {
		t.Error("a refused profile was stored")
	}
	// Validation alone stores nothing and answers 200 with the findings.
	var v struct {
		Valid    bool
		Findings []struct{ Code string }
	}
	e.do("POST", "/v1/clusterprofiles/validate", e.admin, e.project, body, 200, &v)
	if v.Valid || len(v.Findings) == 0 {
		t.Errorf("validate: %+v", v)
	}
}

const edgeValues = `pack:
  content:
    images:
      - image: '{{.spectro.pack.edge-native-byoi.options.system.uri}}'
options:
  system.uri: "registry.example.internal:5000/edge/ubuntu:k3s-{{ .spectro.system.kubernetes.version }}-v4.4.12-demo"
providerCredentials:
  registry: "registry.example.internal:5000"
  username: "edge-pull"
  password: "Sup3r-S3cret-Passw0rd"
`

func edgeProfile(values string) map[string]any {
	return map[string]any{
		"metadata": map[string]any{"name": "edge"},
		"spec": map[string]any{"version": "1.0.0", "template": map[string]any{"type": "infra", "cloudType": "edge-native", "packs": []any{
			map[string]any{"name": "edge-native-byoi", "tag": "2.1.0", "registryUid": api.PublicRepoUID, "values": values},
			map[string]any{"name": "edge-k3s", "tag": "1.30.x", "registryUid": api.PublicRepoUID},
		}}},
	}
}

func TestSecretsAreEncryptedMaskedAndKept(t *testing.T) {
	e := newEnv(t)
	const password = "Sup3r-S3cret-Passw0rd"
	var created struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, edgeProfile(edgeValues), 201, &created)
	var got profileResp
	raw := e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 200, &got)
	if strings.Contains(string(raw), password) || !strings.Contains(got.Spec.Draft.Packs[0].Values, "password: '********'") {
		t.Fatalf("GET shows the password or no mask: %s", got.Spec.Draft.Packs[0].Values)
	}
	// The client sends the mask back with another change: the password is kept.
	changed := strings.Replace(got.Spec.Draft.Packs[0].Values, "v4.4.12-demo", "v4.4.12-prod", 1)
	e.do("PUT", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, edgeProfile(changed), 204, nil)
	rec, err := e.st.GetProfile(context.Background(), store.Scope{TenantUID: mustTenant(t, e), ProjectUID: e.project}, created.UID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(rec.Body, []byte(password)) || bytes.Contains(rec.Body, []byte("edge-pull")) {
		t.Error("the stored record holds the layer in clear")
	}
	exported := e.do("GET", "/v1/clusterprofiles/"+created.UID+"/export", e.admin, e.project, nil, 200, nil)
	if bytes.Contains(exported, []byte(password)) {
		t.Error("export shows the password")
	}
	// Decrypt the stored layer: the password survived the masked update.
	key, _, _ := secret.LoadOrCreateKey(filepath.Join(e.dir, "secret.key"))
	sealer, _ := secret.NewSealer(key)
	var body struct {
		Packs []struct {
			Name, Values string
			Sealed       bool
		}
	}
	json.Unmarshal(rec.Body, &body)
	clear, err := sealer.Open(body.Packs[0].Values, created.UID+"/"+body.Packs[0].Name)
	if err != nil || !strings.Contains(clear, `password: "`+password+`"`) || !strings.Contains(clear, "v4.4.12-prod") {
		t.Errorf("stored layer after a masked update: %v\n%s", err, clear)
	}
	// No database file holds the password.
	e.st.Close()
	files, _ := filepath.Glob(filepath.Join(e.dir, "byoos.db*"))
	if len(files) == 0 {
		t.Fatal("no database files")
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if bytes.Contains(b, []byte(password)) {
			t.Errorf("%s holds the password in clear", f)
		}
	}
}

func mustTenant(t *testing.T, e *env) string {
	tn, err := e.st.EnsureTenant(context.Background(), serve.TenantName)
	if err != nil {
		t.Fatal(err)
	}
	return tn.UID
}

func TestStaleUpdatesConflict(t *testing.T) {
	e := newEnv(t)
	var created struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, awsProfile("c", "ami-0f4804aff4cf9c5a2"), 201, &created)
	var got profileResp
	e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 200, &got)
	rv := got.Metadata.ResourceVersion
	upd := awsProfile("c", "ami-1a2b3c4d")
	upd["metadata"].(map[string]any)["resourceVersion"] = rv
	e.do("PUT", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, upd, 204, nil)
	// A second writer that read the same version is refused, not silently applied.
	upd2 := awsProfile("c", "ami-0f4804aff4cf9c5a2")
	upd2["metadata"].(map[string]any)["resourceVersion"] = rv
	raw := e.do("PUT", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, upd2, 409, nil)
	if !strings.Contains(string(raw), `"code":"Conflict"`) {
		t.Errorf("conflict body: %s", raw)
	}
	// Concurrent writers from the same revision: exactly one wins.
	e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 200, &got)
	var wg sync.WaitGroup
	codes := make(chan int, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			u := awsProfile("c", fmt.Sprintf("ami-%08x", i+1))
			u["metadata"].(map[string]any)["resourceVersion"] = got.Metadata.ResourceVersion
			j, _ := json.Marshal(u)
			req, _ := http.NewRequest("PUT", e.url+"/v1/clusterprofiles/"+created.UID, bytes.NewReader(j))
			req.Header.Set("ApiKey", e.admin)
			req.Header.Set("ProjectUid", e.project)
			req.Header.Set("Content-Type", "application/json")
			resp, err := e.client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}(i)
	}
	wg.Wait()
	close(codes)
	wins := 0
	for c := range codes {
		switch c {
		case 204:
			wins++
		case 409:
		default:
			t.Errorf("status %d", c)
		}
	}
	if wins != 1 {
		t.Errorf("%d concurrent writers won, want 1", wins)
	}
}

func TestBadInput(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name, method, path, ctype string
		body                      []byte
		status                    int
		code                      string
	}{
		{"malformed JSON", "POST", "/v1/clusterprofiles", "application/json", []byte(`{"metadata": {`), 400, api.CodeBadRequest},
		{"a wrong JSON type", "POST", "/v1/clusterprofiles", "application/json", []byte(`{"spec": {"template": {"packs": "x"}}}`), 400, api.CodeBadRequest},
		{"an empty body", "POST", "/v1/clusterprofiles", "application/json", nil, 400, api.CodeBadRequest},
		{"a wrong content type", "POST", "/v1/clusterprofiles", "text/plain", []byte(`{}`), 415, api.CodeUnsupported},
		{"a body over the limit", "POST", "/v1/clusterprofiles", "application/json", bytes.Repeat([]byte(" "), api.MaxBodyBytes+10), 413, api.CodeTooLarge},
		{"an unknown route", "GET", "/v1/nothing", "", nil, 404, api.CodeNotFound},
		{"a known path with another method", "PATCH", "/v1/packs/search", "application/json", nil, 404, api.CodeNotFound},
		{"a profile with no layers", "POST", "/v1/clusterprofiles", "application/json", []byte(`{"metadata":{"name":"x"},"spec":{"template":{"type":"infra","cloudType":"aws","packs":null}}}`), 400, api.CodeInvalidProfile},
		{"values that are not YAML", "POST", "/v1/clusterprofiles", "application/json", []byte(`{"metadata":{"name":"x"},"spec":{"template":{"type":"infra","cloudType":"aws","packs":[{"name":"generic-byoi","tag":"1.0.0","values":"a: [1"}]}}}`), 400, api.CodeInvalidProfile},
		{"binary garbage", "POST", "/v1/clusterprofiles", "application/json", []byte{0xff, 0xfe, 0, 1, 2}, 400, api.CodeBadRequest},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest(c.method, e.url+c.path, bytes.NewReader(c.body))
			req.Header.Set("ApiKey", e.admin)
			req.Header.Set("ProjectUid", e.project)
			if c.ctype != "" {
				req.Header.Set("Content-Type", c.ctype)
			}
			resp, err := e.client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body api.Error
			raw, _ := io.ReadAll(resp.Body)
			if err := json.Unmarshal(raw, &body); err != nil || resp.StatusCode != c.status || body.Code != c.code || body.Message == "" {
				t.Errorf("status %d body %s; want %d %s", resp.StatusCode, raw, c.status, c.code)
			}
		})
	}
	var list struct{ Items []any }
	e.do("GET", "/v1/dashboard/clusterprofiles/metadata", e.admin, e.project, nil, 200, &list)
	if len(list.Items) != 0 {
		t.Errorf("bad input left %d profiles", len(list.Items))
	}
}

func TestLargePackAnswersAreGzippedForClientsThatAccept(t *testing.T) {
	e := newEnv(t)
	for _, enc := range []string{"gzip", ""} {
		req, _ := http.NewRequest("GET", e.url+"/v1/packs/kubernetes/registries/"+api.PublicRepoUID+"?cloudType=all", nil)
		req.Header.Set("ApiKey", e.admin)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		tr := &http.Transport{TLSClientConfig: e.client.Transport.(*http.Transport).TLSClientConfig, DisableCompression: true}
		resp, err := (&http.Client{Transport: tr}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var rd io.Reader = bytes.NewReader(raw)
		if resp.Header.Get("Content-Encoding") == "gzip" {
			if enc != "gzip" {
				t.Fatal("gzip sent to a client that did not ask for it")
			}
			zr, err := gzip.NewReader(rd)
			if err != nil {
				t.Fatal(err)
			}
			rd = zr
		} else if enc == "gzip" {
			t.Fatal("a client accepting gzip got an uncompressed answer")
		}
		var te struct{ Name string }
		if err := json.NewDecoder(rd).Decode(&te); err != nil || te.Name != "kubernetes" {
			t.Errorf("%q: %v %+v", enc, err, te)
		}
	}
}

func TestLayerManifestsAreKeptAndListed(t *testing.T) {
	e := newEnv(t)
	body := awsProfile("with-manifests", "ami-0f4804aff4cf9c5a2")
	packs := body["spec"].(map[string]any)["template"].(map[string]any)["packs"].([]any)
	packs[1].(map[string]any)["manifests"] = []any{map[string]any{"name": "extra-ns", "content": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: extra\n"}}
	var created struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, body, 201, &created)
	var ms struct {
		Items []struct {
			Metadata struct{ Name, UID string }
			Spec     struct{ Published struct{ Content string } }
		}
	}
	e.do("GET", "/v1/clusterprofiles/"+created.UID+"/packs/kubernetes/manifests", e.admin, e.project, nil, 200, &ms)
	if len(ms.Items) != 1 || ms.Items[0].Metadata.Name != "extra-ns" || ms.Items[0].Metadata.UID == "" || !strings.Contains(ms.Items[0].Spec.Published.Content, "kind: Namespace") {
		t.Errorf("manifests: %+v", ms.Items)
	}
	var got struct {
		Spec struct {
			Draft struct {
				Packs []struct {
					Manifests []struct{ Name, UID string }
				}
			}
		}
	}
	e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 200, &got)
	if len(got.Spec.Draft.Packs[1].Manifests) != 1 || got.Spec.Draft.Packs[1].Manifests[0].UID != ms.Items[0].Metadata.UID {
		t.Errorf("profile manifests: %+v", got.Spec.Draft.Packs[1].Manifests)
	}
	e.do("GET", "/v1/clusterprofiles/"+created.UID+"/packs/nope/manifests", e.admin, e.project, nil, 404, nil)
}

func TestManifestLayersNeedNoRegistryPack(t *testing.T) {
	e := newEnv(t)
	body := awsProfile("with-manifest-layer", "ami-0f4804aff4cf9c5a2")
	tmpl := body["spec"].(map[string]any)["template"].(map[string]any)
	tmpl["packs"] = append(tmpl["packs"].([]any), map[string]any{"name": "namespaces", "type": "manifest", "layer": "addon", "values": "",
		"manifests": []any{map[string]any{"name": "ns", "content": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n"}}})
	var created struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, body, 201, &created)
	e.do("PATCH", "/v1/clusterprofiles/"+created.UID+"/publish", e.admin, e.project, nil, 204, nil)
	var got profileResp
	e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 200, &got)
	last := got.Spec.Published.Packs[2]
	if last.Name != "namespaces" || last.Type != "manifest" || last.PackUID != "" {
		t.Errorf("manifest layer: %+v", last)
	}
	var ms struct {
		Items []struct{ Metadata struct{ Name string } }
	}
	e.do("GET", "/v1/clusterprofiles/"+created.UID+"/packs/namespaces/manifests", e.admin, e.project, nil, 200, &ms)
	if len(ms.Items) != 1 || ms.Items[0].Metadata.Name != "ns" {
		t.Errorf("manifests: %+v", ms.Items)
	}
}
