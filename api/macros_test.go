package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/byoos/byoos/finding"
)

type macroList struct {
	Macros []struct{ Name, Value string } `json:"macros"`
}

func macros(kv ...string) map[string]any {
	var ms []map[string]string
	for i := 0; i+1 < len(kv); i += 2 {
		ms = append(ms, map[string]string{"name": kv[i], "value": kv[i+1]})
	}
	return map[string]any{"macros": ms}
}

// listed returns the macros of a list answer as "name=value".
func (e *env) listed(path, key, project string) []string {
	e.t.Helper()
	var out macroList
	e.do("GET", path, key, project, nil, 200, &out)
	var s []string
	for _, m := range out.Macros {
		s = append(s, m.Name+"="+m.Value)
	}
	return s
}

// TestMacrosAsTheProviderCallsThem drives both scopes' macros the way
// spectrocloud_macros does: the tenant uid from /v1/users/info, then POST,
// GET, PATCH, DELETE (a body naming the macros) and PUT.
func TestMacrosAsTheProviderCallsThem(t *testing.T) {
	e := newEnv(t)
	var info struct{ TenantUID string }
	e.do("GET", "/v1/users/info", e.admin, "", nil, 200, &info)
	if info.TenantUID != mustTenant(t, e) {
		t.Fatalf("users/info tenantUid = %q, want %q", info.TenantUID, mustTenant(t, e))
	}
	for _, tc := range []struct{ name, path, project string }{
		{"tenant macros, called without a project", "/v1/tenants/" + info.TenantUID + "/macros", ""},
		{"project macros, called in the project's context", "/v1/projects/" + e.project + "/macros", e.project},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.do("POST", tc.path, e.admin, tc.project, macros("os_name", "rhel", "arch", "amd64"), 204, nil)
			if got, want := e.listed(tc.path, e.admin, tc.project), []string{"arch=amd64", "os_name=rhel"}; !slices.Equal(got, want) {
				t.Fatalf("after POST: %v, want %v", got, want)
			}
			var exists struct{ Code, Message string }
			e.do("POST", tc.path, e.admin, tc.project, macros("arch", "arm64"), 409, &exists)
			if want := `macro "arch" already exists`; exists.Message != want {
				t.Errorf("adding a macro twice says %q, want %q (no storage engine or operation in it)", exists.Message, want)
			}
			e.do("PATCH", tc.path, e.admin, tc.project, macros("arch", "arm64"), 204, nil)
			e.do("PATCH", tc.path, e.admin, tc.project, macros("undefined", "x"), 404, nil)
			e.do("DELETE", tc.path, e.admin, tc.project, macros("os_name", ""), 204, nil)
			if got, want := e.listed(tc.path, e.admin, tc.project), []string{"arch=arm64"}; !slices.Equal(got, want) {
				t.Fatalf("after PATCH and DELETE: %v, want %v", got, want)
			}
			e.do("PUT", tc.path, e.admin, tc.project, macros("zone", "eu"), 204, nil)
			if got, want := e.listed(tc.path, e.admin, tc.project), []string{"zone=eu"}; !slices.Equal(got, want) {
				t.Fatalf("after PUT: %v, want %v", got, want)
			}
		})
	}
	var audit struct {
		Items []struct{ Action, Kind string }
	}
	e.do("GET", "/v1/audits?limit=5", e.admin, "", nil, 200, &audit)
	if len(audit.Items) == 0 || audit.Items[0].Action != "macro.replace" || audit.Items[0].Kind != "macro" {
		t.Errorf("audit log does not record the tenant's macro changes: %+v", audit.Items)
	}
}

// TestMacroInputIsChecked: bad names, duplicate names, oversized values and
// empty lists are refused with a 400 naming the entry.
func TestMacroInputIsChecked(t *testing.T) {
	e := newEnv(t)
	path := "/v1/tenants/" + mustTenant(t, e) + "/macros"
	for _, tc := range []struct {
		name, method string
		body         any
		mention      string
	}{
		{"a name with a dot is refused", "POST", macros("os.name", "x"), "macros[0].name"},
		{"a name with a space is refused", "POST", macros("ok", "1", "os name", "x"), "macros[1].name"},
		{"an empty name is refused", "PATCH", macros("", "x"), "macros[0].name"},
		{"a name given twice is refused", "POST", macros("a", "1", "a", "2"), "named twice"},
		{"a value over the limit is refused", "POST", macros("big", strings.Repeat("x", 64<<10+1)), "macros[0].value"},
		{"an empty list is refused for a delete", "DELETE", macros(), "empty"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := e.do(tc.method, path, e.admin, "", tc.body, 400, nil)
			if !strings.Contains(string(raw), tc.mention) {
				t.Errorf("error %s does not mention %q", raw, tc.mention)
			}
		})
	}
	if got := e.listed(path, e.admin, ""); len(got) != 0 {
		t.Errorf("refused calls left macros: %v", got)
	}
}

// TestMacroAuthorization plays the attacker: read-only keys, project keys
// writing tenant macros, and keys of one project reading or writing
// another's, or another tenant's.
func TestMacroAuthorization(t *testing.T) {
	e := newEnv(t)
	tenant := mustTenant(t, e)
	other := e.newProject("other")
	tenantPath := "/v1/tenants/" + tenant + "/macros"
	defaultPath := "/v1/projects/" + e.project + "/macros"
	otherPath := "/v1/projects/" + other + "/macros"
	e.do("POST", tenantPath, e.admin, "", macros("t", "1"), 204, nil)
	e.do("POST", otherPath, e.admin, other, macros("secretish", "other-project-value"), 204, nil)

	readOnly := e.key("ro", "", "read-only")
	projectAdmin := e.key("pa", e.project, "admin")
	projectReader := e.key("pr", e.project, "read-only")
	for _, tc := range []struct {
		name, method, path, key, project string
		want                             int
	}{
		{"a tenant read-only key cannot add tenant macros", "POST", tenantPath, readOnly, "", 403},
		{"a tenant read-only key cannot add project macros", "POST", defaultPath, readOnly, e.project, 403},
		{"a project read-only key cannot change its project's macros", "PATCH", defaultPath, projectReader, e.project, 403},
		{"a project admin key cannot add tenant macros", "POST", tenantPath, projectAdmin, "", 403},
		{"a project admin key cannot replace tenant macros", "PUT", tenantPath, projectAdmin, "", 403},
		{"a project admin key cannot delete tenant macros", "DELETE", tenantPath, projectAdmin, "", 403},
		{"a project admin key does not find another project's macros to read", "GET", otherPath, projectAdmin, "", 404},
		{"a project admin key does not find another project's macros to write", "POST", otherPath, projectAdmin, "", 404},
		{"a project admin key cannot delete another project's macros", "DELETE", otherPath, projectAdmin, "", 404},
		{"another tenant's uid is not found", "GET", "/v1/tenants/0123456789abcdef01234567/macros", e.admin, "", 404},
		{"an unknown project is not found", "GET", "/v1/projects/0123456789abcdef01234567/macros", e.admin, "", 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := e.do(tc.method, tc.path, tc.key, tc.project, macros("secretish", "attacker"), tc.want, nil)
			if strings.Contains(string(raw), "other-project-value") {
				t.Errorf("answer leaks another project's macro: %s", raw)
			}
		})
	}
	// What the attacks did not change, and what each key may do.
	if got := e.listed(otherPath, e.admin, other); !slices.Equal(got, []string{"secretish=other-project-value"}) {
		t.Errorf("other project's macros = %v", got)
	}
	if got := e.listed(tenantPath, e.admin, ""); !slices.Equal(got, []string{"t=1"}) {
		t.Errorf("tenant macros = %v", got)
	}
	if got := e.listed(tenantPath, projectReader, ""); !slices.Equal(got, []string{"t=1"}) {
		t.Errorf("a project key reads its tenant's macros: %v", got)
	}
	e.do("POST", defaultPath, projectAdmin, e.project, macros("p", "2"), 204, nil)
	if got := e.listed(defaultPath, projectReader, e.project); !slices.Equal(got, []string{"p=2"}) {
		t.Errorf("project macros read by the project's read-only key = %v", got)
	}
}

func macroProfile(osName string) map[string]any {
	p := awsProfile("macro-os", "ami-0123456789abcdef0")
	packs := p["spec"].(map[string]any)["template"].(map[string]any)["packs"].([]any)
	packs[0].(map[string]any)["values"] = fmt.Sprintf("pack:\n  osImageOverride: \"ami-0123456789abcdef0\"\n  osName: %q\n  osVersion: \"8\"", osName)
	return p
}

// TestStoredMacrosResolveInValidationProjectOverTenant: a profile's
// {{ .spectro.macro.NAME }} reads the project's macro, else the tenant's,
// and the BYOOS rules see the value; macro-unresolved is reported only when
// neither defines it.
func TestStoredMacrosResolveInValidationProjectOverTenant(t *testing.T) {
	e := newEnv(t)
	tenantPath := "/v1/tenants/" + mustTenant(t, e) + "/macros"
	projectPath := "/v1/projects/" + e.project + "/macros"
	body := macroProfile("{{ .spectro.macro.os_name }}")
	codes := func(project string) []string {
		t.Helper()
		var v struct {
			Findings []struct{ Code string }
		}
		e.do("POST", "/v1/clusterprofiles/validate", e.admin, project, body, 200, &v)
		var cs []string
		for _, f := range v.Findings {
			cs = append(cs, f.Code)
		}
		return cs
	}
	steps := []struct {
		name    string
		setup   func()
		project string
		want    []string
		notWant []string
	}{
		{"with no macro defined, the macro is unresolved and osName is empty", func() {}, e.project,
			[]string{finding.CodeMacroUnresolved, finding.CodeOSNameRequired}, nil},
		{"a tenant macro resolves in a project, and the rule sees its value", func() {
			e.do("POST", tenantPath, e.admin, "", macros("os_name", "RHEL"), 204, nil)
		}, e.project, []string{finding.CodeOSNameCase}, []string{finding.CodeMacroUnresolved, finding.CodeOSNameRequired}},
		{"a project macro of the same name wins over the tenant's", func() {
			e.do("POST", projectPath, e.admin, e.project, macros("os_name", "rhel"), 204, nil)
		}, e.project, nil, []string{finding.CodeMacroUnresolved, finding.CodeOSNameRequired, finding.CodeOSNameCase}},
		{"a tenant-wide validation does not read any project's macros", func() {}, "",
			[]string{finding.CodeOSNameCase}, []string{finding.CodeMacroUnresolved}},
		{"after the tenant macro is deleted, the tenant-wide validation finds it unresolved", func() {
			e.do("DELETE", tenantPath, e.admin, "", macros("os_name", ""), 204, nil)
		}, "", []string{finding.CodeMacroUnresolved, finding.CodeOSNameRequired}, nil},
	}
	for _, st := range steps {
		st.setup()
		got := codes(st.project)
		for _, c := range st.want {
			if !slices.Contains(got, c) {
				t.Errorf("%s: findings %v lack %s", st.name, got, c)
			}
		}
		for _, c := range st.notWant {
			if slices.Contains(got, c) {
				t.Errorf("%s: findings %v have %s", st.name, got, c)
			}
		}
	}
	// The stored profile is checked with the same macros on create.
	var created struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, body, 201, &created)
	var p profileResp
	e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 200, &p)
	for _, f := range p.Status.Findings {
		if f.Code == finding.CodeMacroUnresolved || f.Code == finding.CodeOSNameRequired {
			t.Errorf("created profile's warnings have %s though the project defines os_name", f.Code)
		}
	}
}
