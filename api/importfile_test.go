package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/byoos/byoos/api"
	"github.com/byoos/byoos/store"
)

// paletteRepoUID is the uid Palette's SaaS gives its Public Repo, which a
// profile exported from Palette names and byoos does not know.
const paletteRepoUID = "5e2031962f090e2d3d8a3290"

// importFile sends POST /v1/clusterprofiles/import/file as the SDK does: a
// multipart form streamed with no Content-Length (so sent chunked), the
// document in the part named field, and returns the status and body.
func (e *env) importFile(key, project, query, field string, doc []byte) (int, []byte) {
	e.t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, err := mw.CreateFormFile(field, "profile.json")
		if err == nil {
			_, err = fw.Write(doc)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest("POST", e.url+"/v1/clusterprofiles/import/file"+query, pr)
	req.ContentLength = -1 // what the SDK's streamed form gives: chunked
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("ApiKey", key)
	req.Header.Set("ProjectUid", project)
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, raw
}

// paletteExport is awsProfile as Palette exports it: each layer names its
// registry by Palette's uid and by name, and no pack uid.
func paletteExport(t *testing.T, name, image, registryName string) []byte {
	t.Helper()
	doc := awsProfile(name, image)
	for _, l := range doc["spec"].(map[string]any)["template"].(map[string]any)["packs"].([]any) {
		layer := l.(map[string]any)
		delete(layer, "registryUid")
		layer["registry"] = map[string]any{"metadata": map[string]any{"uid": paletteRepoUID, "name": registryName, "kind": "pack", "isPrivate": false}}
	}
	j, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestImportFromAFileCreatesTheProfile(t *testing.T) {
	e := newEnv(t)
	ours, err := json.Marshal(awsProfile("from-file", "ami-0f4804aff4cf9c5a2"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, query string
		doc         []byte
		published   bool
	}{
		{"a chunked multipart import with publish=true creates a published profile", "?format=json&publish=true", ours, true},
		{"an import without publish creates a draft", "?format=json", ours, false},
		{"a Palette export naming a registry uid byoos does not know resolves the Public Repo by name", "?format=json&publish=true", paletteExport(t, "from-palette", "ami-0f4804aff4cf9c5a2", "Public Repo"), true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.doc
			if i == 1 { // another version of the same name, so it is not a conflict
				doc = bytes.Replace(doc, []byte(`"version":"1.0.0"`), []byte(`"version":"1.0.1"`), 1)
			}
			status, raw := e.importFile(e.admin, e.project, tt.query, "importFile", doc)
			if status != 201 {
				t.Fatalf("status %d, want 201: %s", status, raw)
			}
			var created struct{ UID string }
			if err := json.Unmarshal(raw, &created); err != nil || created.UID == "" {
				t.Fatalf("answer %s is not {uid}: %v", raw, err)
			}
			var got profileResp
			e.do("GET", "/v1/clusterprofiles/"+created.UID, e.admin, e.project, nil, 200, &got)
			if got.Status.IsPublished != tt.published {
				t.Errorf("published %v, want %v", got.Status.IsPublished, tt.published)
			}
			if tt.published {
				if got.Spec.Published == nil {
					t.Fatal("no published spec")
				}
				for _, p := range got.Spec.Published.Packs {
					if p.RegistryUID != api.PublicRepoUID || p.PackUID == "" {
						t.Errorf("layer %s resolved to registry %q, pack %q; want byoos's Public Repo %s", p.Name, p.RegistryUID, p.PackUID, api.PublicRepoUID)
					}
				}
				return
			}
			if got.Spec.Draft == nil {
				t.Fatal("no draft spec")
			}
			packs := got.Spec.Draft.Packs
			if len(packs) != 2 || !strings.Contains(packs[0].Values, "ami-0f4804aff4cf9c5a2") {
				t.Errorf("draft layers: %+v", packs)
			}
		})
	}
}

func TestImportFromAFileRefusesWhatImportRefuses(t *testing.T) {
	e := newEnv(t)
	good, err := json.Marshal(awsProfile("refused", "ami-0f4804aff4cf9c5a2"))
	if err != nil {
		t.Fatal(err)
	}
	bad, err := json.Marshal(awsProfile("refused", "not-an-ami"))
	if err != nil {
		t.Fatal(err)
	}
	ro := e.key("reader", "", store.RoleReadOnly)
	tests := []struct {
		name, key, query, field string
		doc                     []byte
		status                  int
		code, says              string
	}{
		{"a format other than json is a 400 naming it", e.admin, "?format=yaml&publish=true", "importFile", good, 400, api.CodeBadRequest, `format "yaml"`},
		{"a form without the importFile part is a 400 naming the field", e.admin, "?format=json", "file", good, 400, api.CodeBadRequest, "no field importFile"},
		{"a part that is not JSON is a 400 naming the field", e.admin, "?format=json", "importFile", []byte("{not json"), 400, api.CodeBadRequest, "field importFile: malformed JSON"},
		{"a profile that fails validation is refused with its findings", e.admin, "?format=json&publish=true", "importFile", bad, 400, api.CodeInvalidProfile, "generic-byoi"},
		{"a layer whose registry is unknown by uid and by name is refused", e.admin, "?format=json", "importFile", paletteExport(t, "elsewhere", "ami-0f4804aff4cf9c5a2", "Somebody's Repo"), 400, api.CodeInvalidProfile, "Somebody's Repo"},
		{"a body over the limit is a 413", e.admin, "?format=json", "importFile", bytes.Repeat([]byte(" "), api.MaxBodyBytes+1), 413, api.CodeTooLarge, "over"},
		{"a read-only key may not import", ro, "?format=json&publish=true", "importFile", good, 403, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, raw := e.importFile(tt.key, e.project, tt.query, tt.field, tt.doc)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %.300s", status, tt.status, raw)
			}
			var body struct {
				Code, Message string
				Details       struct{ Findings []struct{ Code string } }
			}
			if err := json.Unmarshal(raw, &body); err != nil {
				t.Fatalf("answer is not JSON: %v: %.300s", err, raw)
			}
			if tt.code != "" && body.Code != tt.code {
				t.Errorf("code %q, want %q: %s", body.Code, tt.code, raw)
			}
			if !strings.Contains(body.Message, tt.says) {
				t.Errorf("message %q does not say %q", body.Message, tt.says)
			}
			if tt.code == api.CodeInvalidProfile && len(body.Details.Findings) == 0 {
				t.Errorf("no findings: %s", raw)
			}
		})
	}
	// Nothing refused was stored.
	var list struct{ Items []any }
	e.do("POST", "/v1/dashboard/clusterprofiles", e.admin, e.project, map[string]any{}, 200, &list)
	if len(list.Items) != 0 {
		t.Errorf("refused imports stored %d profiles", len(list.Items))
	}
}

func TestImportFromAFileNeedsAMultipartForm(t *testing.T) {
	e := newEnv(t)
	raw := e.do("POST", "/v1/clusterprofiles/import/file?format=json", e.admin, e.project, awsProfile("p", "ami-0f4804aff4cf9c5a2"), 415, nil)
	if !strings.Contains(string(raw), "multipart/form-data") {
		t.Errorf("415 body does not say what to send: %s", raw)
	}
}

func TestImportFromAFileMatchesRegistryNamesOnlyAmongTheCallersRegistries(t *testing.T) {
	e := newEnv(t)
	other := e.newProject("other")
	reg := e.registry(e.admin, other, "Team Repo", "project")
	e.mustPush(e.admin, other, reg, namedPackTGZ(t, "team-addon", "addon", "1.0.0", "a: 1\n"))
	doc, err := json.Marshal(map[string]any{
		"metadata": map[string]any{"name": "team"},
		"spec": map[string]any{"version": "1.0.0", "template": map[string]any{"type": "add-on", "cloudType": "all", "packs": []any{
			map[string]any{"name": "team-addon", "tag": "1.0.0", "type": "spectro", "layer": "addon", "values": "a: 1\n",
				"registry": map[string]any{"metadata": map[string]any{"uid": paletteRepoUID, "name": "Team Repo"}}},
		}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, key, project string
		status             int
	}{
		{"a key of another project does not see the registry of that name", e.key("a-admin", e.project, store.RoleAdmin), e.project, 400},
		{"a key of the registry's project resolves it by name", e.key("other-admin", other, store.RoleAdmin), other, 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, raw := e.importFile(tt.key, tt.project, "?format=json", "importFile", doc)
			if status != tt.status {
				t.Fatalf("status %d, want %d: %.400s", status, tt.status, raw)
			}
			if status == 400 && !strings.Contains(string(raw), "pack-not-found") {
				t.Errorf("refusal is not the pack-not-found finding: %.400s", raw)
			}
		})
	}
}
