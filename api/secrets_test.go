package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/byoos/byoos/store"
)

const storedPassword = "Sup3r-S3cret-Passw0rd"

// TestStoredSecretsCannotBeReadBackThroughMacros replays the attack of a
// project admin who takes a profile's masked export, points another value
// at the stored password with a macro, and sends it back with the mask.
func TestStoredSecretsCannotBeReadBackThroughMacros(t *testing.T) {
	e := newEnv(t)
	ro := e.key("reader", e.project, store.RoleReadOnly)
	projectAdmin := e.key("padmin", e.project, store.RoleAdmin)
	var created struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, edgeProfile(edgeValues), 201, &created)
	var exported struct {
		Spec struct {
			Template struct {
				Packs []struct{ Name, Values string }
			}
		}
	}
	e.do("GET", "/v1/clusterprofiles/"+created.UID+"/export", ro, e.project, nil, 200, &exported)
	masked := exported.Spec.Template.Packs[0].Values
	if !strings.Contains(masked, "'********'") {
		t.Fatalf("export is not masked:\n%s", masked)
	}
	const ref = "{{ .spectro.pack.edge-native-byoi.providerCredentials.password }}"
	attacks := map[string]string{
		"a custom tag that reads the stored password": strings.Replace(masked, "options:\n", "options:\n  system.customTag: \""+ref+"\"\n", 1),
		"a registry that reads the stored password":   strings.Replace(masked, "options:\n", "options:\n  system.registry: \""+ref+"\"\n", 1),
		"a piped reference to the stored password":    strings.Replace(masked, "options:\n", "options:\n  system.customTag: \"{{ .spectro.pack.edge-native-byoi.providerCredentials.password | upper }}\"\n", 1),
		"a system uri that reads the password":        strings.Replace(masked, "system.uri: \"", "system.uri: \"x/"+ref+"/", 1),
	}
	for name, values := range attacks {
		t.Run(name+" is refused without quoting it", func(t *testing.T) {
			if values == masked {
				t.Fatal("the attack did not change the values")
			}
			raw := e.do("PUT", "/v1/clusterprofiles/"+created.UID, projectAdmin, e.project, edgeProfile(values), 400, nil)
			if bytes.Contains(raw, []byte(storedPassword)) || bytes.Contains(bytes.ToUpper(raw), []byte(strings.ToUpper(storedPassword))) {
				t.Fatalf("the answer holds the stored password: %s", raw)
			}
			if !bytes.Contains(raw, []byte("macro-secret-ref")) {
				t.Errorf("the answer does not name the refused reference: %s", raw)
			}
			raw = e.do("POST", "/v1/clusterprofiles/validate", projectAdmin, e.project, edgeProfile(values), 200, nil)
			if !bytes.Contains(raw, []byte(`"valid":false`)) || !bytes.Contains(raw, []byte("macro-secret-ref")) {
				t.Errorf("validate does not refuse the reference: %s", raw)
			}
		})
	}
}

// TestSensitiveVariablesAreSealedAndMasked checks every way out of a
// sensitive variable's value: the variables endpoint, the export (to a
// read-only key), the database, and a masked round trip.
func TestSensitiveVariablesAreSealedAndMasked(t *testing.T) {
	e := newEnv(t)
	ro := e.key("reader", e.project, store.RoleReadOnly)
	const value = "vErY-s3nsitive-T0ken"
	prof := edgeProfile(strings.Replace(edgeValues, `password: "`+storedPassword+`"`, `password: "{{ .spectro.var.regpass }}"`, 1))
	prof["spec"].(map[string]any)["variables"] = []any{
		map[string]any{"name": "regpass", "format": "string", "isSensitive": true, "defaultValue": value},
		map[string]any{"name": "plain", "format": "string", "defaultValue": "visible"},
	}
	var created struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, prof, 201, &created)
	for _, path := range []string{"/variables", "/export", ""} {
		raw := e.do("GET", "/v1/clusterprofiles/"+created.UID+path, ro, e.project, nil, 200, nil)
		if bytes.Contains(raw, []byte(value)) {
			t.Errorf("GET %s shows the sensitive value: %s", path, raw)
		}
		if path != "" && !bytes.Contains(raw, []byte("visible")) {
			t.Errorf("GET %s hides the plain variable: %s", path, raw)
		}
	}
	var exported map[string]any
	e.do("GET", "/v1/clusterprofiles/"+created.UID+"/export", ro, e.project, nil, 200, &exported)
	vars := exported["spec"].(map[string]any)["variables"].([]any)
	if got := vars[0].(map[string]any)["defaultValue"]; got != "********" {
		t.Errorf("exported sensitive default = %v, want the mask", got)
	}
	rec, err := e.st.GetProfile(context.Background(), store.Scope{TenantUID: mustTenant(t, e), ProjectUID: e.project}, created.UID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(rec.Body, []byte(value)) {
		t.Error("the stored record holds the sensitive value in clear")
	}

	// The mask sent back keeps the value; the profile still validates with it.
	var got struct{ Variables []map[string]any }
	e.do("GET", "/v1/clusterprofiles/"+created.UID+"/variables", e.admin, e.project, nil, 200, &got)
	got.Variables[1]["defaultValue"] = "changed"
	e.do("PUT", "/v1/clusterprofiles/"+created.UID+"/variables", e.admin, e.project, map[string]any{"variables": got.Variables}, 204, nil)
	e.do("GET", "/v1/clusterprofiles/"+created.UID+"/export", e.admin, e.project, nil, 200, &exported)
	e.do("PUT", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, exported, 204, nil)
	rec, _ = e.st.GetProfile(context.Background(), store.Scope{TenantUID: mustTenant(t, e), ProjectUID: e.project}, created.UID)
	if bytes.Contains(rec.Body, []byte(value)) || !bytes.Contains(rec.Body, []byte("changed")) {
		t.Errorf("after masked round trips the record is wrong: %s", rec.Body)
	}
	var body struct {
		Variables []struct{ Name, DefaultValue string }
	}
	if err := json.Unmarshal(rec.Body, &body); err != nil || len(body.Variables) != 2 || !strings.HasPrefix(body.Variables[0].DefaultValue, "enc:v1:") {
		t.Errorf("the sensitive default is not sealed after the round trips: %v %+v", err, body.Variables)
	}

	// A new profile cannot be made from the mask: there is no value behind it.
	prof["metadata"].(map[string]any)["name"] = "edge-copy"
	prof["spec"].(map[string]any)["variables"].([]any)[0].(map[string]any)["defaultValue"] = "********"
	raw := e.do("POST", "/v1/clusterprofiles", e.admin, e.project, prof, 400, nil)
	if !bytes.Contains(raw, []byte("variable-masked")) {
		t.Errorf("a masked sensitive default was not refused: %s", raw)
	}

	// No database file holds the value.
	e.st.Close()
	files, _ := filepath.Glob(filepath.Join(e.dir, "byoos.db*"))
	for _, f := range files {
		if b, _ := os.ReadFile(f); bytes.Contains(b, []byte(value)) {
			t.Errorf("%s holds the sensitive value in clear", f)
		}
	}
}

// TestAMessageAboutAValueDerivedFromASensitiveVariableDoesNotQuoteIt: the
// registry of the provider image comes from a sensitive variable and is
// invalid; the finding says so without the value.
func TestAMessageAboutAValueDerivedFromASensitiveVariableDoesNotQuoteIt(t *testing.T) {
	e := newEnv(t)
	const value = "Bad_Host.Example"
	prof := edgeProfile(strings.Replace(edgeValues, `providerCredentials:
  registry: "registry.example.internal:5000"`, `providerCredentials:
  registry: "{{ .spectro.var.reg }}"`, 1))
	prof["spec"].(map[string]any)["variables"] = []any{
		map[string]any{"name": "reg", "format": "string", "isSensitive": true, "defaultValue": value},
	}
	raw := e.do("POST", "/v1/clusterprofiles", e.admin, e.project, prof, 400, nil)
	if bytes.Contains(raw, []byte(value)) || bytes.Contains(raw, []byte("bad_host.example")) {
		t.Fatalf("the answer quotes the sensitive value: %s", raw)
	}
	if !bytes.Contains(raw, []byte("(derived from a secret)")) && !bytes.Contains(raw, []byte("********")) {
		t.Errorf("the answer does not say the value is hidden: %s", raw)
	}
}

// TestExpensiveMacrosAreRefusedAndBounded: key generation cannot be called
// from values, and a request's macro work is bounded, answering quickly
// with a finding instead of burning CPU.
func TestExpensiveMacrosAreRefusedAndBounded(t *testing.T) {
	e := newEnv(t)
	gen := strings.Repeat(`  - '{{ .spectro.pack.kubernetes.pack.podCIDR | genPrivateKey }}'
`, 12)
	aws := awsProfile("burn", "ami-0f4804aff4cf9c5a2")
	packs := aws["spec"].(map[string]any)["template"].(map[string]any)["packs"].([]any)
	k8s := packs[1].(map[string]any)
	k8s["values"] = "pack:\n  podCIDR: \"192.168.0.0/16\"\n  serviceClusterIpRange: \"10.96.0.0/12\"\nx:\n" + gen
	start := time.Now()
	raw := e.do("POST", "/v1/clusterprofiles/validate", e.admin, e.project, aws, 200, nil)
	if !bytes.Contains(raw, []byte(`function \"genPrivateKey\" not defined`)) {
		t.Errorf("genPrivateKey was not refused: %s", raw)
	}
	t.Logf("12 genPrivateKey calls answered in %v", time.Since(start))

	heavy := strings.Repeat(`  - '{{ .spectro.pack.kubernetes.pack.podCIDR | repeat 100000 | sha256sum | repeat 60000 | b64enc | sha1sum }}'
`, 800)
	k8s["values"] = "pack:\n  podCIDR: \"192.168.0.0/16\"\n  serviceClusterIpRange: \"10.96.0.0/12\"\nx:\n" + heavy
	start = time.Now()
	raw = e.do("POST", "/v1/clusterprofiles/validate", e.admin, e.project, aws, 200, nil)
	t.Logf("800 heavy pipelines answered in %v", time.Since(start))
	if !bytes.Contains(raw, []byte("macro-budget")) || !bytes.Contains(raw, []byte(`"valid":false`)) {
		t.Errorf("work past the budget was not refused: %.600s", raw)
	}
	raw = e.do("POST", "/v1/clusterprofiles", e.admin, e.project, aws, 400, nil)
	if !bytes.Contains(raw, []byte("macro-budget")) {
		t.Errorf("a create past the budget was not refused with the finding: %.600s", raw)
	}
}

// TestEveryProfileWriteChecksTheRevision: a stale If-Match (or resourceVersion
// in the body) is refused by every write, not only by PUT.
func TestEveryProfileWriteChecksTheRevision(t *testing.T) {
	e := newEnv(t)
	var created struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, awsProfile("rev", "ami-0f4804aff4cf9c5a2"), 201, &created)
	var got profileResp
	e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 200, &got)
	stale := got.Metadata.ResourceVersion
	e.do("PATCH", "/v1/clusterprofiles/"+created.UID+"/metadata", e.admin, e.project, map[string]any{"metadata": map[string]any{"labels": map[string]string{"a": "1"}}}, 204, nil)

	send := func(method, path, ifMatch string, body any) int {
		j, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, e.url+path, bytes.NewReader(j))
		req.Header.Set("ApiKey", e.admin)
		req.Header.Set("ProjectUid", e.project)
		req.Header.Set("Content-Type", "application/json")
		if ifMatch != "" {
			req.Header.Set("If-Match", `"`+ifMatch+`"`)
		}
		resp, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	base := "/v1/clusterprofiles/" + created.UID
	tests := []struct {
		name, method, path, ifMatch string
		body                        any
	}{
		{"a metadata patch with a stale If-Match", "PATCH", base + "/metadata", stale, map[string]any{"metadata": map[string]any{"labels": map[string]string{"b": "2"}}}},
		{"a metadata patch with a stale resourceVersion in the body", "PATCH", base + "/metadata", "", map[string]any{"metadata": map[string]any{"resourceVersion": stale, "labels": map[string]string{"b": "2"}}}},
		{"a variables update with a stale If-Match", "PUT", base + "/variables", stale, map[string]any{"variables": []any{}}},
		{"a publish with a stale If-Match", "PATCH", base + "/publish", stale, nil},
		{"a delete with a stale If-Match", "DELETE", base, stale, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name+" is refused with 409", func(t *testing.T) {
			if code := send(tt.method, tt.path, tt.ifMatch, tt.body); code != http.StatusConflict {
				t.Errorf("status %d, want 409", code)
			}
		})
	}
	e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 200, &got)
	if got.Metadata.Labels["b"] != "" || got.Metadata.Labels["a"] != "1" {
		t.Errorf("a refused write changed the profile: %v", got.Metadata.Labels)
	}
	if code := send("PUT", base+"/variables", got.Metadata.ResourceVersion, map[string]any{"variables": []any{}}); code != http.StatusNoContent {
		t.Errorf("a variables update with the current revision: status %d, want 204", code)
	}
}

// TestAnEditOfASavedProfileIsValidatedWithItsStoredSecrets: an editor that
// sees the password masked checks its change against the stored profile,
// where the mask stands for the stored password; as a new profile the same
// text is refused for its mask.
func TestAnEditOfASavedProfileIsValidatedWithItsStoredSecrets(t *testing.T) {
	e := newEnv(t)
	ro := e.key("reader", e.project, store.RoleReadOnly)
	other := e.key("other", e.newProject("other"), store.RoleAdmin)
	var created struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, edgeProfile(edgeValues), 201, &created)
	var exported map[string]any
	e.do("GET", "/v1/clusterprofiles/"+created.UID+"/export", e.admin, e.project, nil, 200, &exported)
	raw, _ := json.Marshal(exported)
	if !bytes.Contains(raw, []byte("********")) {
		t.Fatalf("the export is not masked: %s", raw)
	}
	var v struct {
		Valid    bool
		Findings []struct{ Code string }
	}
	e.do("POST", "/v1/clusterprofiles/"+created.UID+"/validate", e.admin, e.project, exported, 200, &v)
	if !v.Valid {
		t.Errorf("the masked export of the profile, checked as its edit, is not valid: %+v", v.Findings)
	}
	out := e.do("POST", "/v1/clusterprofiles/validate", e.admin, e.project, exported, 200, &v)
	if v.Valid || !bytes.Contains(out, []byte("secret-masked")) {
		t.Errorf("as a new profile the mask should be refused: %s", out)
	}
	if bytes.Contains(out, []byte(storedPassword)) {
		t.Fatalf("the answer holds the stored password: %s", out)
	}
	e.do("POST", "/v1/clusterprofiles/"+created.UID+"/validate", ro, e.project, exported, 403, nil)
	e.do("POST", "/v1/clusterprofiles/"+created.UID+"/validate", other, "", exported, 404, nil)
}
