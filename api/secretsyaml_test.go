package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/byoos/byoos/store"
)

// edgeCreds is edgeValues with the providerCredentials mapping replaced by creds.
func edgeCreds(creds string) string {
	i := strings.Index(edgeValues, "providerCredentials:\n")
	return edgeValues[:i] + "providerCredentials:\n" + creds
}

// storedPacks reads a profile's stored layers as the database holds them.
func storedPacks(t *testing.T, e *env, uid string) (raw []byte, packs []struct {
	Name, Values string
	Sealed       bool
}) {
	t.Helper()
	rec, err := e.st.GetProfile(context.Background(), store.Scope{TenantUID: mustTenant(t, e), ProjectUID: e.project}, uid)
	if err != nil {
		t.Fatal(err)
	}
	var body struct {
		Packs []struct {
			Name, Values string
			Sealed       bool
		}
	}
	if err := json.Unmarshal(rec.Body, &body); err != nil {
		t.Fatal(err)
	}
	return rec.Body, body.Packs
}

func TestPasswordsOverSeveralLinesAreMaskedWhole(t *testing.T) {
	e := newEnv(t)
	// Parts of the password that must never be shown; each style spreads
	// them over more than one line of the values.
	parts := []string{"FIRSTpart-Xy12", "SECONDpart-Zq34", "THIRDpart-Wv56"}
	tests := []struct {
		name     string
		password string // the password: line(s), indented under providerCredentials
	}{
		{"a plain password continued on the next lines", "  password: FIRSTpart-Xy12\n    SECONDpart-Zq34\n\n    THIRDpart-Wv56 # note\n"},
		{"a double-quoted password folded over lines", "  password: \"FIRSTpart-Xy12\n    SECONDpart-Zq34 \\\n    THIRDpart-Wv56\"\n"},
		{"a single-quoted password over lines", "  password: 'FIRSTpart-Xy12\n    SECONDpart-Zq34\n    THIRDpart-Wv56'\n"},
		{"a literal block password with indicators", "  password: |2-\n    FIRSTpart-Xy12\n    SECONDpart-Zq34\n    THIRDpart-Wv56\n"},
		{"a folded block password", "  password: >\n    FIRSTpart-Xy12\n    SECONDpart-Zq34\n    THIRDpart-Wv56\n"},
	}
	for i, tt := range tests {
		for _, how := range []string{"create", "import"} {
			t.Run(tt.name+" ("+how+")", func(t *testing.T) {
				body := edgeProfile(edgeCreds("  registry: \"registry.example.internal:5000\"\n  username: \"edge-pull\"\n" + tt.password))
				body["metadata"] = map[string]any{"name": "edge-" + how + "-" + string(rune('a'+i))}
				path := "/v1/clusterprofiles"
				if how == "import" {
					path += "/import"
				}
				var created struct{ UID string }
				e.do("POST", path, e.admin, e.project, body, 201, &created)
				var got profileResp
				read := e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 200, &got)
				exported := e.do("GET", "/v1/clusterprofiles/"+created.UID+"/export", e.admin, e.project, nil, 200, nil)
				stored, packs := storedPacks(t, e, created.UID)
				for _, part := range parts {
					if bytes.Contains(read, []byte(part)) {
						t.Errorf("GET shows %s: %s", part, got.Spec.Draft.Packs[0].Values)
					}
					if bytes.Contains(exported, []byte(part)) {
						t.Errorf("export shows %s: %s", part, exported)
					}
					if bytes.Contains(stored, []byte(part)) {
						t.Errorf("the database holds %s in clear", part)
					}
				}
				if !strings.Contains(got.Spec.Draft.Packs[0].Values, "password: '********'") {
					t.Errorf("GET shows no mask: %s", got.Spec.Draft.Packs[0].Values)
				}
				if len(packs) == 0 || !packs[0].Sealed {
					t.Errorf("the layer is not sealed: %+v", packs)
				}
			})
		}
	}
}

func TestSecretsGivenByReferenceAreRefused(t *testing.T) {
	e := newEnv(t)
	const password = "Ref3rence-S3cret"
	tests := []struct {
		name   string
		values string
		says   string // what the finding's message says
	}{
		{"a password given through an alias", "pw: &pw " + password + "\n" +
			edgeCreds("  registry: \"registry.example.internal:5000\"\n  username: \"edge-pull\"\n  password: *pw\n"), "alias *pw"},
		{"a password brought in by a merge key", "creds: &creds\n  password: " + password + "\n" +
			edgeCreds("  <<: *creds\n  registry: \"registry.example.internal:5000\"\n  username: \"edge-pull\"\n"), "brought in by a merge key"},
	}
	for _, tt := range tests {
		for _, how := range []string{"create", "import"} {
			t.Run(tt.name+" ("+how+")", func(t *testing.T) {
				path := "/v1/clusterprofiles"
				if how == "import" {
					path += "/import"
				}
				raw := e.do("POST", path, e.admin, e.project, edgeProfile(tt.values), 400, nil)
				if !bytes.Contains(raw, []byte("secret-alias")) || !bytes.Contains(raw, []byte(tt.says)) || !bytes.Contains(raw, []byte("providerCredentials.password")) {
					t.Errorf("400 without the finding: %s", raw)
				}
				if bytes.Contains(raw, []byte(password)) {
					t.Errorf("the answer quotes the password: %s", raw)
				}
				var list struct {
					Items []struct{ Metadata struct{ Name string } }
				}
				e.do("GET", "/v1/dashboard/clusterprofiles/metadata", e.admin, e.project, nil, 200, &list)
				if len(list.Items) != 0 {
					t.Errorf("a profile was stored: %+v", list.Items)
				}
			})
		}
	}
	// Aliases of values that are not secret keep working.
	ok := "reg: &reg \"registry.example.internal:5000\"\n" +
		edgeCreds("  registry: *reg\n  username: \"edge-pull\"\n  password: \""+password+"\"\n")
	var created struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, edgeProfile(ok), 201, &created)
	exported := e.do("GET", "/v1/clusterprofiles/"+created.UID+"/export", e.admin, e.project, nil, 200, nil)
	if bytes.Contains(exported, []byte(password)) || !bytes.Contains(exported, []byte("registry: *reg")) {
		t.Errorf("export: %s", exported)
	}
}

// A layer stored unsealed before secrets reached by reference counted as
// secrets (the database of an older version) is masked when read all the same.
func TestUnsealedLayersWithReferencesAreMaskedOnRead(t *testing.T) {
	e := newEnv(t)
	const password = "Old-Unsealed-S3cret"
	var created struct{ UID string }
	e.do("POST", "/v1/clusterprofiles", e.admin, e.project, edgeProfile(edgeValues), 201, &created)
	ctx := context.Background()
	rec, err := e.st.GetProfile(ctx, store.Scope{TenantUID: mustTenant(t, e), ProjectUID: e.project}, created.UID)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body, &body); err != nil {
		t.Fatal(err)
	}
	layer := body["packs"].([]any)[0].(map[string]any)
	layer["values"] = "pw: &pw " + password + "\n" +
		edgeCreds("  registry: \"registry.example.internal:5000\"\n  username: \"edge-pull\"\n  password: *pw\n")
	delete(layer, "sealed")
	if rec.Body, err = json.Marshal(body); err != nil {
		t.Fatal(err)
	}
	if err := e.st.UpdateProfile(ctx, &rec, store.AuditEvent{TenantUID: rec.TenantUID, ProjectUID: rec.ProjectUID, Actor: "test", Action: "profile.update", Kind: "clusterprofile", UID: rec.UID}); err != nil {
		t.Fatal(err)
	}
	var got profileResp
	read := e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 200, &got)
	exported := e.do("GET", "/v1/clusterprofiles/"+created.UID+"/export", e.admin, e.project, nil, 200, nil)
	if bytes.Contains(read, []byte(password)) || bytes.Contains(exported, []byte(password)) {
		t.Errorf("the password is shown:\n%s\n%s", read, exported)
	}
	if !strings.Contains(got.Spec.Draft.Packs[0].Values, "pw: &pw '********'") {
		t.Errorf("GET: %s", got.Spec.Draft.Packs[0].Values)
	}
}
