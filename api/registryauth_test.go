package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/byoos/byoos/api"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/store"
)

// namedPackTGZ builds a pack archive of any name, layer and version, for all clouds.
func namedPackTGZ(t *testing.T, name, layer, version, values string) []byte {
	t.Helper()
	p, _, err := pack.FromFiles(map[string][]byte{
		"pack.json":   []byte(`{"name": "` + name + `", "displayName": "` + name + `", "version": "` + version + `", "layer": "` + layer + `", "cloudTypes": ["all"]}`),
		"values.yaml": []byte(values),
		"README.md":   []byte("# " + name + "\n"),
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

// push sends a pack archive to a registry and returns the status and the body.
func (e *env) push(key, project, regUID string, archive []byte) (int, []byte) {
	e.t.Helper()
	req, _ := http.NewRequest("POST", e.url+"/v1/registries/pack/"+regUID+"/packs", bytes.NewReader(archive))
	req.Header.Set("ApiKey", key)
	if project != "" {
		req.Header.Set("ProjectUid", project)
	}
	req.Header.Set("Content-Type", "application/gzip")
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// mustPush pushes and fails the test unless the pack version is created.
func (e *env) mustPush(key, project, regUID string, archive []byte) {
	e.t.Helper()
	if status, raw := e.push(key, project, regUID, archive); status != http.StatusCreated {
		e.t.Fatalf("push to %s: %d: %s", regUID, status, raw)
	}
}

// registry creates a pack registry ("project" or "tenant" scope) and returns its uid.
func (e *env) registry(key, project, name, scope string) string {
	e.t.Helper()
	var out struct{ UID string }
	e.do("POST", "/v1/registries/pack", key, project, map[string]any{"metadata": map[string]string{"name": name}, "spec": map[string]string{"scope": scope}}, 201, &out)
	return out.UID
}

// storedPacks returns the pack versions stored in a registry.
func (e *env) storedPacks(regUID string) []store.PackVersion {
	e.t.Helper()
	vs, err := e.st.FindPacks(context.Background(), store.PackQuery{RegistryUIDs: []string{regUID}})
	if err != nil {
		e.t.Fatal(err)
	}
	return vs
}

type auditItem struct{ ProjectUID, Action, Kind, UID, Summary string }

func (e *env) audits(key, project string) []auditItem {
	e.t.Helper()
	var out struct{ Items []auditItem }
	e.do("GET", "/v1/audits", key, project, nil, 200, &out)
	return out.Items
}

func TestRegistryWritesAreAuthorizedByTheKeysScope(t *testing.T) {
	e := newEnv(t)
	other := e.newProject("other")
	tenantReg := e.registry(e.admin, "", "shared", "tenant")
	ownReg := e.registry(e.admin, e.project, "mine", "project")
	otherReg := e.registry(e.admin, other, "theirs", "project")
	projectAdmin := e.key("project-admin", e.project, store.RoleAdmin)
	tenantReader := e.key("tenant-reader", "", store.RoleReadOnly)

	pushes := []struct {
		name     string
		key      string
		project  string
		registry string
		want     int
		message  string
	}{
		{"a project admin key cannot push into a tenant-wide registry", projectAdmin, e.project, tenantReg, 403, "only a tenant admin API key may write it"},
		{"a project admin key cannot push into a tenant-wide registry without naming its project", projectAdmin, "", tenantReg, 403, "only a tenant admin API key may write it"},
		{"a project admin key does not see another project's registry", projectAdmin, e.project, otherReg, 404, "not found"},
		{"a tenant read-only key cannot push anywhere", tenantReader, "", tenantReg, 403, "read-only"},
		{"nobody pushes into the Public Repo", e.admin, "", api.PublicRepoUID, 403, "Public Repo is read-only"},
	}
	for _, tc := range pushes {
		t.Run(tc.name, func(t *testing.T) {
			status, raw := e.push(tc.key, tc.project, tc.registry, namedPackTGZ(t, "kubernetes", "k8s", "1.30.99", "pack:\n  planted: true\n"))
			if status != tc.want || !strings.Contains(string(raw), tc.message) {
				t.Errorf("status %d, want %d with %q: %s", status, tc.want, tc.message, raw)
			}
			if tc.registry != api.PublicRepoUID {
				if vs := e.storedPacks(tc.registry); len(vs) != 0 {
					t.Errorf("a refused push stored %+v", vs)
				}
			}
		})
	}
	for _, ev := range e.audits(e.admin, "") {
		if ev.Action == "pack.push" {
			t.Errorf("a refused push was audited: %+v", ev)
		}
	}

	t.Run("a project admin key cannot create a tenant-wide registry", func(t *testing.T) {
		raw := e.do("POST", "/v1/registries/pack", projectAdmin, e.project, map[string]any{"metadata": map[string]string{"name": "sneaky"}, "spec": map[string]string{"scope": "tenant"}}, 403, nil)
		if !strings.Contains(string(raw), "tenant admin API key") {
			t.Errorf("message: %s", raw)
		}
		regs, err := e.st.ListRegistries(context.Background(), mustTenant(t, e), "")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range regs {
			if r.Name == "sneaky" {
				t.Errorf("the refused registry was stored: %+v", r)
			}
		}
	})
	t.Run("a project admin key can create and push into its own project's registry", func(t *testing.T) {
		reg := e.registry(projectAdmin, e.project, "team", "")
		e.mustPush(projectAdmin, e.project, reg, namedPackTGZ(t, "corp-addon", "addon", "1.0.0", "a: 1\n"))
		e.mustPush(projectAdmin, e.project, ownReg, namedPackTGZ(t, "corp-addon", "addon", "1.0.0", "a: 1\n"))
	})
	t.Run("a tenant admin key can push into a tenant-wide registry and the push is in the tenant's audit log", func(t *testing.T) {
		// The request names a project; the registry is tenant-wide, so the
		// push is the tenant's, not the project's.
		var out struct{ UID string }
		status, raw := e.push(e.admin, e.project, tenantReg, namedPackTGZ(t, "corp-addon", "addon", "2.0.0", "a: 2\n"))
		if status != http.StatusCreated {
			t.Fatalf("push: %d: %s", status, raw)
		}
		if err := json.Unmarshal(raw, &out); err != nil {
			t.Fatal(err)
		}
		var pushed, created *auditItem
		items := e.audits(e.admin, "")
		for i, ev := range items {
			if ev.Action == "pack.push" && ev.UID == out.UID {
				pushed = &items[i]
			}
			if ev.Action == "registry.create" && ev.UID == tenantReg {
				created = &items[i]
			}
		}
		if pushed == nil || pushed.ProjectUID != "" || !strings.Contains(pushed.Summary, "corp-addon") {
			t.Errorf("tenant audit log has no tenant-wide pack.push of %s: %+v", out.UID, items)
		}
		if created == nil || created.ProjectUID != "" {
			t.Errorf("tenant audit log has no tenant-wide registry.create of %s: %+v", tenantReg, items)
		}
	})
}

// publishedPacks creates and publishes a profile and returns its packs as stored.
func (e *env) publishedPacks(key, project, name string, extra ...map[string]any) map[string]struct{ Version, RegistryUID, PackUID string } {
	e.t.Helper()
	body := awsProfile(name, "ami-0f4804aff4cf9c5a2")
	tmpl := body["spec"].(map[string]any)["template"].(map[string]any)
	packs := tmpl["packs"].([]any)
	delete(packs[1].(map[string]any), "registryUid") // kubernetes 1.30.x, no registry named
	for _, x := range extra {
		packs = append(packs, x)
	}
	tmpl["packs"] = packs
	var created struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", key, project, body, 201, &created)
	e.do("PATCH", "/v1/clusterprofiles/"+created.UID+"/publish", key, project, nil, 204, nil)
	var got profileResp
	e.do("GET", "/v1/clusterprofiles/"+created.UID, key, project, nil, 200, &got)
	if got.Spec.Published == nil {
		e.t.Fatalf("profile %s not published", name)
	}
	out := map[string]struct{ Version, RegistryUID, PackUID string }{}
	for _, p := range got.Spec.Published.Packs {
		out[p.Name] = struct{ Version, RegistryUID, PackUID string }{p.Version, p.RegistryUID, p.PackUID}
	}
	return out
}

func TestPacksResolveInTheDocumentedOrderWhenNoRegistryIsNamed(t *testing.T) {
	e := newEnv(t)
	// A tenant admin plants kubernetes 1.30.99 (newer than the Public Repo's
	// 1.30.10) in a tenant-wide registry whose name sorts first.
	planted := e.registry(e.admin, "", "aaa-planted", "tenant")
	e.mustPush(e.admin, "", planted, namedPackTGZ(t, "kubernetes", "k8s", "1.30.99", "pack:\n  planted: true\n"))
	// The tenant registry also has a newer corp-addon than the project's.
	e.mustPush(e.admin, "", planted, namedPackTGZ(t, "corp-addon", "addon", "1.0.9", "a: tenant\n"))

	other := e.newProject("other")
	otherKey := e.key("other-admin", other, store.RoleAdmin)
	own := e.registry(otherKey, other, "zzz-own", "project")
	e.mustPush(otherKey, other, own, namedPackTGZ(t, "corp-addon", "addon", "1.0.1", "a: project\n"))
	e.mustPush(otherKey, other, own, namedPackTGZ(t, "only-here", "addon", "3.1.4", "a: 1\n"))

	got := e.publishedPacks(otherKey, other, "order",
		map[string]any{"name": "corp-addon", "tag": "1.0.x", "type": "spectro", "values": "a: mine\n"},
		map[string]any{"name": "only-here", "tag": "3.x", "type": "spectro", "values": "a: 2\n"})
	checks := []struct {
		name, pack, version, registry string
	}{
		{"the Public Repo's match wins over a newer planted version in a tenant registry", "kubernetes", "1.30.10", api.PublicRepoUID},
		{"the project's registry wins over a newer version in a tenant registry", "corp-addon", "1.0.1", own},
		{"a pack only in the project's registry is found", "only-here", "3.1.4", own},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if g := got[c.pack]; g.Version != c.version || g.RegistryUID != c.registry {
				t.Errorf("%s resolved to %s in %s, want %s in %s", c.pack, g.Version, g.RegistryUID, c.version, c.registry)
			}
		})
	}
}

func TestPackResolutionDoesNotDependOnRegistryCreationOrder(t *testing.T) {
	e := newEnv(t)
	orders := []struct {
		name  string
		names []string
	}{
		{"registries created alpha then beta resolve to alpha", []string{"alpha", "beta"}},
		{"registries created beta then alpha resolve to alpha", []string{"beta", "alpha"}},
	}
	for i, o := range orders {
		t.Run(o.name, func(t *testing.T) {
			proj := e.newProject("order-" + o.names[0])
			uids := map[string]string{}
			for _, n := range o.names {
				uids[n] = e.registry(e.admin, proj, n, "project")
			}
			// beta has the newer matching version; alpha comes first by name.
			e.mustPush(e.admin, proj, uids["alpha"], namedPackTGZ(t, "corp-addon", "addon", "1.0.1", "a: alpha\n"))
			e.mustPush(e.admin, proj, uids["beta"], namedPackTGZ(t, "corp-addon", "addon", "1.0.2", "a: beta\n"))
			got := e.publishedPacks(e.admin, proj, "order-"+string(rune('a'+i)),
				map[string]any{"name": "corp-addon", "tag": "1.0.x", "type": "spectro", "values": "a: x\n"})
			if g := got["corp-addon"]; g.Version != "1.0.1" || g.RegistryUID != uids["alpha"] {
				t.Errorf("corp-addon resolved to %s in %s, want 1.0.1 in alpha (%s)", g.Version, g.RegistryUID, uids["alpha"])
			}
		})
	}
}
