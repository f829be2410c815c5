package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/byoos/byoos/api"
	"github.com/byoos/byoos/store/pgtest"
	"github.com/byoos/byoos/store/postgres"
)

// onBothEngines runs f against a server on SQLite and one on PostgreSQL.
func onBothEngines(t *testing.T, f func(t *testing.T, e *env)) {
	t.Run("sqlite", func(t *testing.T) { f(t, newEnv(t)) })
	t.Run("postgres", func(t *testing.T) {
		st, err := postgres.Open(context.Background(), pgtest.Start(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		f(t, newEnvOn(t, t.TempDir(), st))
	})
}

// send sends a request as the admin key, in the Default project unless the
// headers say otherwise, and returns the status and the error body.
func send(t *testing.T, e *env, method, path string, headers map[string]string, body any) (int, api.Error, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.url+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("ApiKey", e.admin)
	req.Header.Set("ProjectUid", e.project)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out api.Error
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out, string(raw)
}

type inputCase struct {
	name, method, path string
	headers            map[string]string
	body               any
	want               string // a part of the 400's message
}

func checkRefused(t *testing.T, e *env, cases []inputCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body, raw := send(t, e, c.method, c.path, c.headers, c.body)
			if status != http.StatusBadRequest || body.Code != api.CodeBadRequest || !strings.Contains(body.Message, c.want) {
				if len(raw) > 600 {
					raw = raw[:600] + "…"
				}
				t.Errorf("status %d %s; want 400 %s with a message holding %q", status, raw, api.CodeBadRequest, c.want)
			}
			if len(body.Message) > 1000 {
				t.Errorf("a message of %d bytes: the input is not cut short", len(body.Message))
			}
		})
	}
}

// withMeta is the Terraform provider's create body with metadata changed.
func withMeta(name string, labels, annotations map[string]string) map[string]any {
	b := awsProfile(name, "ami-0f4804aff4cf9c5a2")
	m := b["metadata"].(map[string]any)
	if labels != nil {
		m["labels"] = labels
	}
	if annotations != nil {
		m["annotations"] = annotations
	}
	return b
}

func TestBadBytesInRequestsAreRefusedAt400OnBothEngines(t *testing.T) {
	onBothEngines(t, func(t *testing.T, e *env) {
		nulValues := awsProfile("nul-values", "ami-0f4804aff4cf9c5a2")
		nulValues["spec"].(map[string]any)["template"].(map[string]any)["packs"].([]any)[1].(map[string]any)["values"] = "a: \x00"
		checkRefused(t, e, []inputCase{
			{name: "a profile name with a NUL byte", method: "POST", path: "/v1/clusterprofiles", body: withMeta("a\x00b", nil, nil),
				want: `metadata.name holds a NUL byte`},
			{name: "pack values with a NUL byte, named by their field path", method: "POST", path: "/v1/clusterprofiles", body: nulValues,
				want: `spec.template.packs[1].values holds a NUL byte`},
			{name: "a label key with a NUL byte", method: "POST", path: "/v1/clusterprofiles", body: withMeta("nul-label", map[string]string{"a\x00": "b"}, nil),
				want: `a key of metadata.labels holds a NUL byte`},
			{name: "a project name with a NUL byte", method: "POST", path: "/v1/projects", body: map[string]any{"metadata": map[string]string{"name": "p\x00"}},
				want: `metadata.name holds a NUL byte`},
			{name: "a path segment of invalid UTF-8", method: "GET", path: "/v1/clusterprofiles/%ff",
				want: `path segment "\xff" holds invalid UTF-8 (byte 0xff at offset 0)`},
			{name: "a path segment with a NUL byte", method: "DELETE", path: "/v1/apiKeys/a%00b",
				want: `path segment "a\x00b" holds a NUL byte`},
			{name: "a query value with a NUL byte", method: "GET", path: "/v1/dashboard/clusterprofiles/metadata?name=%00",
				want: `query parameter "name" holds a NUL byte`},
			{name: "a query value of invalid UTF-8", method: "GET", path: "/v1/packs?filters=spec.name%3D%ff",
				want: `query parameter "filters" holds invalid UTF-8`},
			{name: "a query value that is not percent-encoding", method: "GET", path: "/v1/packs?filters=%zz",
				want: `query parameter "filters": "%zz" is not valid percent-encoding`},
			{name: "a ProjectUid header of invalid UTF-8", method: "GET", path: "/v1/dashboard/clusterprofiles/metadata", headers: map[string]string{"ProjectUid": "\xff\xfe"},
				want: `header ProjectUid "\xff\xfe" holds invalid UTF-8`},
			{name: "an ApiKey header of invalid UTF-8, not repeated", method: "GET", path: "/v1/dashboard/clusterprofiles/metadata", headers: map[string]string{"ApiKey": "byoos_\xff"},
				want: `header ApiKey holds invalid UTF-8 or a control character`},
		})
		var list struct{ Items []any }
		e.do("GET", "/v1/dashboard/clusterprofiles/metadata", e.admin, e.project, nil, 200, &list)
		if len(list.Items) != 0 {
			t.Errorf("bad input left %d profiles", len(list.Items))
		}
	})
}

func TestNamesLabelsAndAnnotationsAreHeldToLimitsOnBothEngines(t *testing.T) {
	long := strings.Repeat("a", 100_000)
	big := strings.Repeat("v", api.MaxBodyBytes-(1<<20)) // under the body limit
	onBothEngines(t, func(t *testing.T, e *env) {
		var created struct{ UID string }
		e.do("POST", "/v1/clusterprofiles", e.admin, e.project, withMeta("tf-byoos-aws", nil, nil), 201, &created)
		renamed := withMeta("Tf Byoos", nil, nil)
		var cases []inputCase
		for _, bad := range []struct{ what, name, want string }{
			{"of 100 kB", long, `"` + strings.Repeat("a", 64) + `"… is 100000 characters long; the limit is `},
			{"with CR/LF", "a\r\nb", `"a\r\nb" holds the control character \r at offset 1`},
			{"with an ANSI escape", "a\x1b[31mb", `"a\x1b[31mb" holds the control character \x1b at offset 1`},
		} {
			cases = append(cases,
				inputCase{name: "a profile name " + bad.what, method: "POST", path: "/v1/clusterprofiles", body: withMeta(bad.name, nil, nil), want: "metadata.name " + bad.want},
				inputCase{name: "a project name " + bad.what, method: "POST", path: "/v1/projects", body: map[string]any{"metadata": map[string]string{"name": bad.name}}, want: "metadata.name " + bad.want},
				inputCase{name: "a registry name " + bad.what, method: "POST", path: "/v1/registries/pack", body: map[string]any{"metadata": map[string]string{"name": bad.name}}, want: "metadata.name " + bad.want},
				inputCase{name: "an API key name " + bad.what, method: "POST", path: "/v1/apiKeys", body: map[string]string{"name": bad.name}, want: "name " + bad.want},
			)
		}
		cases = append(cases,
			inputCase{name: "a profile name with upper case and a space", method: "POST", path: "/v1/clusterprofiles", body: withMeta("RHEL 8", nil, nil),
				want: `metadata.name "RHEL 8" holds 'R' at offset 0; use lower-case letters, digits and '-'`},
			inputCase{name: "a rename to a name out of the rule", method: "PUT", path: "/v1/clusterprofiles/" + created.UID, body: renamed,
				want: `metadata.name "Tf Byoos" holds 'T' at offset 0`},
			inputCase{name: "a label value near the body limit", method: "POST", path: "/v1/clusterprofiles", body: withMeta("big-label", map[string]string{"big": big}, nil),
				want: `metadata.labels["big"] value "vvv`},
			inputCase{name: "a label key name of 64 characters", method: "POST", path: "/v1/clusterprofiles", body: withMeta("long-key", map[string]string{strings.Repeat("k", 64): "v"}, nil),
				want: `has a name of 64 characters; the limit is 63`},
			inputCase{name: "an annotation near the body limit", method: "POST", path: "/v1/clusterprofiles", body: withMeta("big-annotation", nil, map[string]string{"description": big}),
				want: `metadata.annotations hold over 262144 bytes`},
			inputCase{name: "a label near the body limit set by the metadata patch", method: "PATCH", path: "/v1/clusterprofiles/" + created.UID + "/metadata",
				body: map[string]any{"metadata": map[string]any{"labels": map[string]string{"big": big}}}, want: `metadata.labels["big"] value`},
			inputCase{name: "an annotation with an ANSI escape set by the metadata patch", method: "PATCH", path: "/v1/clusterprofiles/" + created.UID + "/metadata",
				body: map[string]any{"metadata": map[string]any{"annotations": map[string]string{"description": "\x1b[2J"}}}, want: `metadata.annotations["description"] value "\x1b[2J" holds the control character \x1b`},
		)
		checkRefused(t, e, cases)

		// What the examples and Palette's clients use is still accepted.
		e.do("POST", "/v1/projects", e.admin, "", map[string]any{"metadata": map[string]string{"name": "Team Ünïcode 1"}}, 201, nil)
		e.do("POST", "/v1/registries/pack", e.admin, e.project, map[string]any{"metadata": map[string]string{"name": "Corp Repo (eu-west)"}}, 201, nil)
		e.key("ci deploy key", "", "read-only")
		e.do("PATCH", "/v1/clusterprofiles/"+created.UID+"/metadata", e.admin, e.project,
			map[string]any{"metadata": map[string]any{"labels": map[string]string{"env": "dev", "example.com/team": strings.Repeat("t", 63)}, "annotations": map[string]string{"description": "line one\nline two"}}}, 204, nil)
		var list struct {
			Items []struct{ Metadata struct{ Name string } }
		}
		e.do("GET", "/v1/dashboard/clusterprofiles/metadata", e.admin, e.project, nil, 200, &list)
		if len(list.Items) != 1 || list.Items[0].Metadata.Name != "tf-byoos-aws" {
			t.Errorf("profiles after the refusals: %+v", list.Items)
		}
	})
}

// FuzzRequestText sends any path segment, raw query and ProjectUid header
// to the server: the answer is never a 500, and text that is not valid UTF-8
// is a 400.
func FuzzRequestText(f *testing.F) {
	for _, s := range [][3]string{
		{"abc", "name=x", ""},
		{"\xff", "name=%00", "\xff"},
		{"a\x00b", "filters=spec.name%3Dgeneric-byoiANDspec.version%3D1.0.0&limit=50", "p"},
		{"x", "%zz=1&&=&a+b=c%2", "\x1b[31m"},
	} {
		f.Add(s[0], s[1], s[2])
	}
	e := newEnv(f)
	f.Fuzz(func(t *testing.T, seg, query, project string) {
		u, err := url.Parse("/v1/clusterprofiles/" + url.PathEscape(seg) + "?" + query)
		if err != nil {
			return // not a request line a client can send
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.URL, req.RequestURI = u, u.RequestURI()
		req.Header.Set("ApiKey", e.admin)
		if project != "" {
			req.Header.Set("ProjectUid", project)
		}
		w := httptest.NewRecorder()
		e.handler.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%s ProjectUid %q: %d %s", u, project, w.Code, w.Body)
		}
		if (!utf8.ValidString(seg) || !utf8.ValidString(strings.TrimSpace(project))) && w.Code != http.StatusBadRequest {
			t.Fatalf("%s ProjectUid %q: %d %s, want 400", u, project, w.Code, w.Body)
		}
	})
}
