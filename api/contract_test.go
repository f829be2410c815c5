package api_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/byoos/byoos/api"
	"github.com/byoos/byoos/regsync"
	"github.com/byoos/byoos/regsync/regtest"
	"github.com/byoos/byoos/service"
	"github.com/byoos/byoos/store/sqlite"
)

// step is one request of a provider fixture (see testdata/provider/README.md).
type step struct {
	Phase          string          `json:"phase"`
	Method         string          `json:"method"`
	Path           string          `json:"path"`
	Body           json.RawMessage `json:"body"`
	NoProject      bool            `json:"noProject"`
	ContentLength0 bool            `json:"contentLength0"`
	// Multipart sends Body as the one file part of a multipart form, under
	// this field name, chunked (no Content-Length), as the SDK uploads files.
	Multipart string            `json:"multipart"`
	Status    int               `json:"status"`
	Expect    map[string]any    `json:"expect"`
	Capture   map[string]string `json:"capture"`
}

// TestTerraformProviderContract replays the provider's requests against a
// real server and checks every field the provider reads.
func TestTerraformProviderContract(t *testing.T) {
	files, _ := filepath.Glob("testdata/provider/*.json")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var steps []step
			if err := json.Unmarshal(raw, &steps); err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			vars := map[string]string{"PUBLIC": api.PublicRepoUID}
			e, regs := contractEnv(t, string(raw), vars)
			vars["PROJECT"] = e.project
			sub := func(s string) string {
				for k, v := range vars {
					s = strings.ReplaceAll(s, "${"+k+"}", v)
				}
				return s
			}
			for i, st := range steps {
				name := fmt.Sprintf("%d %s %s %s", i, st.Phase, st.Method, st.Path)
				if regs != nil { // what the sync of a registry changes is there before the next request
					waitIdle(t, regs)
				}
				var body io.Reader
				contentType := "application/json"
				if len(st.Body) > 0 {
					body = strings.NewReader(sub(string(st.Body)))
				}
				if st.Multipart != "" {
					var form bytes.Buffer
					mw := multipart.NewWriter(&form)
					fw, err := mw.CreateFormFile(st.Multipart, "profile.json")
					if err != nil {
						t.Fatal(err)
					}
					if _, err := io.Copy(fw, body); err != nil {
						t.Fatal(err)
					}
					mw.Close()
					// A reader of unknown length: the request goes chunked.
					body, contentType = io.MultiReader(&form), mw.FormDataContentType()
				}
				req, _ := http.NewRequest(st.Method, e.url+sub(st.Path), body)
				// As the provider sends them: Go canonicalises the header names on the wire.
				req.Header.Set("Apikey", e.admin)
				if !st.NoProject {
					req.Header.Set("Projectuid", e.project)
				}
				req.Header.Set("Accept", "application/json")
				req.Header.Set("Content-Type", contentType)
				if st.ContentLength0 {
					req.ContentLength = 0
				}
				resp, err := e.client.Do(req)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				rb, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != st.Status {
					t.Fatalf("%s: status %d, want %d: %s", name, resp.StatusCode, st.Status, rb)
				}
				if resp.StatusCode != http.StatusNoContent && !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
					t.Errorf("%s: Content-Type %q", name, resp.Header.Get("Content-Type"))
				}
				var doc any
				if len(rb) > 0 {
					if err := json.Unmarshal(rb, &doc); err != nil {
						t.Fatalf("%s: body is not JSON: %v", name, err)
					}
				}
				for path, want := range st.Expect {
					got, found := jsonPath(doc, sub(path))
					checkExpect(t, name, path, got, found, want, sub)
				}
				for k, path := range st.Capture {
					got, found := jsonPath(doc, sub(path))
					s, ok := got.(string)
					if !found || !ok || s == "" {
						t.Fatalf("%s: capture %s from %s: nothing there in %s", name, k, path, rb)
					}
					vars[k] = s
				}
			}
		})
	}
}

// contractEnv is the server a fixture runs against. A fixture that names
// ${OCI_HOST} or ${HELM_URL} was captured against real registries: it gets
// a real OCI registry (docker-registry, TLS, htpasswd) holding the packs
// corp-monitoring 1.0.0 and 1.1.0 under byoos/spectro-packs/archive, a
// Helm repository with podinfo 6.5.0 and 6.6.0, and a server whose
// registry sync reaches them; vars gets their addresses and credentials.
func contractEnv(t *testing.T, fixture string, vars map[string]string) (*env, *service.Registries) {
	t.Helper()
	if !strings.Contains(fixture, "${OCI_HOST}") && !strings.Contains(fixture, "${HELM_URL}") {
		return newEnv(t), nil
	}
	reg := regtest.StartRegistry(t)
	for _, v := range []string{"1.0.0", "1.1.0"} {
		regtest.PushPack(t, reg, "byoos", "corp-monitoring", v, regtest.GoodPack(t, "corp-monitoring", v))
	}
	repo := regtest.StartHelmRepo(t, regtest.Chart{Name: "podinfo", Version: "6.5.0"}, regtest.Chart{Name: "podinfo", Version: "6.6.0"})
	ca, _ := json.Marshal(reg.CACertPEM) // it goes into JSON bodies
	vars["OCI_HOST"], vars["OCI_USER"], vars["OCI_PASS"], vars["OCI_CA"], vars["HELM_URL"] = reg.Host, reg.Username, reg.Password, string(ca[1:len(ca)-1]), repo.URL
	return realSyncEnv(t, repo.CACertPEM)
}

// realSyncEnv is a server whose registry syncs reach real registries with
// the real regsync client, trusting cas besides each registry's own CA
// certificate (a Helm registry has none in Palette's API).
func realSyncEnv(t *testing.T, cas ...string) (*env, *service.Registries) {
	t.Helper()
	pool := x509.NewCertPool()
	for _, ca := range cas {
		pool.AppendCertsFromPEM([]byte(ca))
	}
	client := service.Regsync{Options: regsync.Options{Limits: regsync.DefaultLimits(), Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}}
	dir := t.TempDir()
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "byoos.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var regs *service.Registries
	e := newEnvOn(t, dir, st, func(c *api.Config) {
		regs = service.NewRegistries(c.Store, c.Sealer, service.RegistriesConfig{Client: client})
		c.Registries = regs
		t.Cleanup(regs.Close)
	})
	return e, regs
}

// waitIdle returns once no registry sync runs.
func waitIdle(t *testing.T, regs *service.Registries) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute) // a safety net, not an assertion
	defer cancel()
	if err := regs.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
}

func checkExpect(t *testing.T, step, path string, got any, found bool, want any, sub func(string) string) {
	t.Helper()
	if s, ok := want.(string); ok {
		switch {
		case s == "*":
			if !found || isEmpty(got) {
				t.Errorf("%s: %s is absent or empty", step, path)
			}
			return
		case s == "!":
			if found && !isEmpty(got) {
				t.Errorf("%s: %s is %v, want absent", step, path, got)
			}
			return
		case strings.HasPrefix(s, "~"):
			gs, _ := got.(string)
			if !strings.Contains(gs, sub(s[1:])) {
				t.Errorf("%s: %s = %q, want it to contain %q", step, path, gs, sub(s[1:]))
			}
			return
		default:
			want = sub(s)
		}
	}
	if !found {
		t.Errorf("%s: %s is absent, want %v", step, path, want)
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: %s = %#v, want %#v", step, path, got, want)
	}
}

func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// jsonPath follows a dotted path with [N] indexes and [?field.path=value] filters.
func jsonPath(doc any, path string) (any, bool) {
	cur := doc
	for path != "" {
		var seg string
		switch {
		case strings.HasPrefix(path, "["):
			end := strings.Index(path, "]")
			if end < 0 {
				return nil, false
			}
			seg, path = path[:end+1], strings.TrimPrefix(path[end+1:], ".")
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				seg, path = path, ""
			} else {
				seg, path = path[:end], strings.TrimPrefix(path[end:], ".")
			}
		}
		switch {
		case strings.HasPrefix(seg, "[?"):
			field, value, _ := strings.Cut(seg[2:len(seg)-1], "=")
			list, ok := cur.([]any)
			if !ok {
				return nil, false
			}
			var match any
			for _, item := range list {
				if v, ok := jsonPath(item, field); ok && fmt.Sprint(v) == value {
					match = item
					break
				}
			}
			if match == nil {
				return nil, false
			}
			cur = match
		case strings.HasPrefix(seg, "["):
			i, err := strconv.Atoi(seg[1 : len(seg)-1])
			list, ok := cur.([]any)
			if err != nil || !ok || i < 0 || i >= len(list) {
				return nil, false
			}
			cur = list[i]
		default:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			v, ok := m[seg]
			if !ok {
				return nil, false
			}
			cur = v
		}
	}
	return cur, true
}
