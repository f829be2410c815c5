package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/byoos/byoos/api"
	"github.com/byoos/byoos/pack"
)

// packValuesShape is the part of V1PackTagEntity these tests read.
type packValuesShape struct {
	LogoURL    *string `json:"logoUrl"`
	Tags       []struct{ PackUID, Version string }
	PackValues []packValue
}

type packValue struct {
	PackUID      string
	Dependencies []struct {
		Name, DisplayName, LogoURL, RegistryUID, UID, Version string
	}
	Template *struct {
		Manifest   *string
		Values     *string
		Parameters *struct{ InputParameters, OutputParameters []any }
	}
}

func TestPackAnswersCarryLogoDependenciesAndTemplateAsPalette(t *testing.T) {
	e := newEnv(t)
	var te packValuesShape
	e.do("GET", "/v1/packs/cni-calico/registries/"+api.PublicRepoUID+"?cloudType=all", e.admin, e.project, nil, 200, &te)
	calico := api.PublicPackUID("cni-calico", "3.29.1")
	k8s := api.PublicPackUID("kubernetes", "1.32.3")
	if te.LogoURL == nil || *te.LogoURL != "/v1/packs/"+calico+"/logo" {
		t.Fatalf("logoUrl = %v, want /v1/packs/%s/logo", te.LogoURL, calico)
	}
	i := slices.IndexFunc(te.PackValues, func(pv packValue) bool { return pv.PackUID == calico })
	if i < 0 {
		t.Fatalf("packValues: %+v", te.PackValues)
	}
	pv := te.PackValues[i]
	if len(pv.Dependencies) != 1 {
		t.Fatalf("dependencies: %+v", pv.Dependencies)
	}
	d := pv.Dependencies[0]
	// cni-calico 3.29.1 depends on kubernetes >= 1.28.0: the newest version
	// in the Public Repo satisfies it.
	if d.Name != "kubernetes" || d.Version != "1.32.3" || d.UID != k8s || d.RegistryUID != api.PublicRepoUID || d.DisplayName == "" || d.LogoURL != "/v1/packs/"+k8s+"/logo" {
		t.Errorf("dependency = %+v, want kubernetes 1.32.3 (%s) in the Public Repo, with a display name and logo", d, k8s)
	}
	if pv.Template == nil || pv.Template.Parameters == nil || pv.Template.Parameters.InputParameters == nil || pv.Template.Parameters.OutputParameters == nil ||
		pv.Template.Manifest == nil || pv.Template.Values == nil {
		t.Errorf("template = %+v, want an object with manifest, values and parameter lists", pv.Template)
	}

	var sums struct {
		Items []struct {
			Metadata struct{ UID string }
			Spec     struct{ LogoURL string }
		}
	}
	e.do("GET", "/v1/packs?filters=spec.name%3Dcni-calicoANDspec.version%3D3.29.1", e.admin, e.project, nil, 200, &sums)
	if len(sums.Items) != 1 || sums.Items[0].Spec.LogoURL != "/v1/packs/"+sums.Items[0].Metadata.UID+"/logo" {
		t.Errorf("pack summary logoUrl: %+v", sums.Items)
	}

	get := func(path, key string) (int, string, string) {
		req, _ := http.NewRequest("GET", e.url+path, nil)
		if key != "" {
			req.Header.Set("ApiKey", key)
		}
		req.Header.Set("ProjectUid", e.project)
		resp, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), string(raw)
	}
	tests := []struct {
		name, path, key string
		status          int
	}{
		{"the logo of a pack the caller may read is an SVG image", *te.LogoURL, e.admin, 200},
		{"the logo of a dependency is served too", d.LogoURL, e.admin, 200},
		{"the logo of an unknown pack is not found", "/v1/packs/000000000000000000000000/logo", e.admin, 404},
		{"the logo needs an API key", *te.LogoURL, "", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, ct, body := get(tt.path, tt.key)
			if st != tt.status {
				t.Fatalf("status %d, want %d: %s", st, tt.status, body)
			}
			if st == 200 && (ct != "image/svg+xml" || !strings.HasPrefix(body, "<svg")) {
				t.Errorf("Content-Type %q, body %.40q", ct, body)
			}
		})
	}
}

// packWith builds a pack archive from pack.json and values.yaml.
func packWith(t *testing.T, meta, values string) []byte {
	t.Helper()
	p, _, err := pack.FromFiles(map[string][]byte{"pack.json": []byte(meta), "values.yaml": []byte(values)})
	if err != nil {
		t.Fatal(err)
	}
	var buf strings.Builder
	if err := p.Tarball(&buf); err != nil {
		t.Fatal(err)
	}
	return []byte(buf.String())
}

func TestDependenciesNameTheNewestVersionWithinTheirBounds(t *testing.T) {
	e := newEnv(t)
	var reg struct{ UID string }
	e.do("POST", "/v1/registries/pack", e.admin, e.project, map[string]any{"metadata": map[string]string{"name": "corp"}}, 201, &reg)
	push := func(body []byte) {
		req, _ := http.NewRequest("POST", e.url+"/v1/registries/pack/"+reg.UID+"/packs", strings.NewReader(string(body)))
		req.Header.Set("ApiKey", e.admin)
		req.Header.Set("ProjectUid", e.project)
		req.Header.Set("Content-Type", "application/gzip")
		resp, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 201 {
			t.Fatalf("push: %d: %s", resp.StatusCode, raw)
		}
	}
	push(packTGZ(t, "1.0.0", "pack:\n  a: 1\n"))
	push(packTGZ(t, "1.1.0", "pack:\n  a: 1\n"))
	push(packWith(t, `{"name": "corp-agent", "displayName": "Corp agent", "version": "2.0.0", "layer": "addon", "addonType": "monitoring", "cloudTypes": ["all"],
		"constraints": {"dependencies": [{"packName": "corp-os", "layer": "os", "maxVersion": "1.0.9", "type": "required"}, {"packName": "corp-db", "type": "optional"}]}}`, "pack:\n  b: 2\n"))
	uidOf := func(version string) string {
		var tags packValuesShape
		e.do("GET", "/v1/packs/corp-os/registries/"+reg.UID, e.admin, e.project, nil, 200, &tags)
		for _, tg := range tags.Tags {
			if tg.Version == version {
				return tg.PackUID
			}
		}
		t.Fatalf("corp-os %s not listed: %+v", version, tags.Tags)
		return ""
	}
	type want struct{ name, version, uid, displayName string }
	check := func(t *testing.T, i int, w want) {
		t.Helper()
		var te packValuesShape
		e.do("GET", "/v1/packs/corp-agent/registries/"+reg.UID, e.admin, e.project, nil, 200, &te)
		if len(te.PackValues) != 1 || len(te.PackValues[0].Dependencies) != 2 {
			t.Fatalf("packValues: %+v", te.PackValues)
		}
		d := te.PackValues[0].Dependencies[i]
		if d.Name != w.name || d.Version != w.version || d.UID != w.uid || d.DisplayName != w.displayName || d.RegistryUID != reg.UID {
			t.Errorf("dependency = %+v, want %+v in %s", d, w, reg.UID)
		}
	}
	t.Run("a maxVersion below the newest names the newest version within it", func(t *testing.T) {
		check(t, 0, want{"corp-os", "1.0.0", uidOf("1.0.0"), "Corp OS"})
	})
	t.Run("a pack the registry does not hold is named without a version", func(t *testing.T) {
		check(t, 1, want{"corp-db", "", "", "corp-db"})
	})
	t.Run("a version pushed later within the bounds is named on the next read", func(t *testing.T) {
		push(packTGZ(t, "1.0.5", "pack:\n  a: 1\n"))
		check(t, 0, want{"corp-os", "1.0.5", uidOf("1.0.5"), "Corp OS"})
	})
}

func TestProfileStatusSaysWhetherLayersUseUserMacros(t *testing.T) {
	tests := []struct {
		name   string
		values string
		want   bool
	}{
		{"a layer that references a user macro is reported", "\nnote: \"{{ .spectro.macro.site_name }}\"\n", true},
		{"system macros and Helm templates are not user macros", "\nnote: \"{{ .spectro.system.cluster.name }} {{ .Values.x }}\"\n", false},
		{"a layer without macros is not reported", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			body := awsProfile("macros", "ami-0f4804aff4cf9c5a2")
			packs := body["spec"].(map[string]any)["template"].(map[string]any)["packs"].([]any)
			packs[0].(map[string]any)["values"] = packs[0].(map[string]any)["values"].(string) + tt.values
			var created struct{ UID string }
			e.do("POST", "/v1/clusterprofiles", e.admin, e.project, body, 201, &created)
			var got struct {
				Status map[string]json.RawMessage
			}
			e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 200, &got)
			if h := string(got.Status["hasUserMacros"]); h != map[bool]string{true: "true", false: "false"}[tt.want] {
				t.Errorf("hasUserMacros = %q, want %v", h, tt.want)
			}
			for _, f := range []string{"inUseClusterUids", "inUseClusterTemplates", "inUseClusters"} {
				if v := string(got.Status[f]); v != "[]" {
					t.Errorf("%s = %q, want []", f, v)
				}
			}
		})
	}
}
