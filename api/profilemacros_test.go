package api_test

import (
	"strings"
	"testing"
)

// TestProfileStatusListsTheMacrosItsLayersUse checks status.macros of a
// profile: each user macro its layers reference, the layers that name it, and
// where it resolves for the profile (project over tenant, a tenant-wide
// profile its tenant's only), or that it is defined nowhere.
func TestProfileStatusListsTheMacrosItsLayersUse(t *testing.T) {
	e := newEnv(t)
	tenant := mustTenant(t, e)
	e.do("POST", "/v1/tenants/"+tenant+"/macros", e.admin, "", macros("site", "tenant-site", "region", "eu-1"), 204, nil)
	e.do("POST", "/v1/projects/"+e.project+"/macros", e.admin, e.project, macros("site", "project-site"), 204, nil)

	type use struct {
		Name    string
		Layers  []string
		Defined bool
		Scope   string
		Value   string
	}
	withValues := func(extra string) map[string]any {
		body := awsProfile("macros-used", "ami-0f4804aff4cf9c5a2")
		packs := body["spec"].(map[string]any)["template"].(map[string]any)["packs"].([]any)
		packs[0].(map[string]any)["values"] = packs[0].(map[string]any)["values"].(string) + extra
		return body
	}
	tests := []struct {
		name    string
		project string // the context the profile is created in; "" is tenant-wide
		body    map[string]any
		want    []use
	}{
		{
			name:    "a project profile resolves a macro from its project over its tenant, another from its tenant, and an undefined one nowhere",
			project: e.project,
			body:    withValues("\nnote: \"{{ .spectro.macro.site }}/{{ .spectro.macro.region | upper }}/{{ .spectro.macro.nowhere }}/{{ .spectro.system.cluster.name }}\"\n"),
			want: []use{
				{"nowhere", []string{"generic-byoi"}, false, "", ""},
				{"region", []string{"generic-byoi"}, true, "tenant", "eu-1"},
				{"site", []string{"generic-byoi"}, true, "project", "project-site"},
			},
		},
		{
			name:    "a tenant-wide profile reads its tenant's macros, not a project's",
			project: "",
			body:    withValues("\nnote: \"{{ .spectro.macro.site }}\"\n"),
			want:    []use{{"site", []string{"generic-byoi"}, true, "tenant", "tenant-site"}},
		},
		{
			name:    "a macro in a layer whose secrets are sealed at rest is found",
			project: e.project,
			body:    edgeProfile(strings.Replace(edgeValues, "username: \"edge-pull\"", "username: \"{{ .spectro.macro.site }}\"", 1)),
			want:    []use{{"site", []string{"edge-native-byoi"}, true, "project", "project-site"}},
		},
		{
			name:    "a profile without user macros lists none",
			project: e.project,
			body:    withValues("\nnote: \"{{ .spectro.system.cluster.name }} {{ .Values.x }}\"\n"),
			want:    []use{},
		},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.body["metadata"].(map[string]any)["name"] = "macros-used-" + string(rune('a'+i))
			var created struct{ UID string }
			e.do("POST", "/v1/clusterprofiles", e.admin, tt.project, tt.body, 201, &created)
			var got struct {
				Status struct {
					HasUserMacros bool
					Macros        []use
				}
			}
			raw := e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 200, &got)
			if got.Status.Macros == nil {
				t.Fatalf("status.macros is missing or null: %s", raw)
			}
			if len(got.Status.Macros) != len(tt.want) {
				t.Fatalf("status.macros = %+v, want %+v", got.Status.Macros, tt.want)
			}
			for j, w := range tt.want {
				g := got.Status.Macros[j]
				if g.Name != w.Name || g.Defined != w.Defined || g.Scope != w.Scope || g.Value != w.Value || strings.Join(g.Layers, ",") != strings.Join(w.Layers, ",") {
					t.Errorf("status.macros[%d] = %+v, want %+v", j, g, w)
				}
			}
			if got.Status.HasUserMacros != (len(tt.want) > 0) {
				t.Errorf("hasUserMacros = %v with macros %+v", got.Status.HasUserMacros, got.Status.Macros)
			}
			if strings.Contains(string(raw), "Sup3r-S3cret") {
				t.Errorf("the answer holds the stored password: %s", raw)
			}
		})
	}
}
