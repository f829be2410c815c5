package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byoos/byoos/client"
)

// hostile is a name as an older or a foreign server may hold it: an ANSI
// colour, a newline that would start a row of its own, a tab that would
// start a column, and a right-to-left override.
const hostile = "evil\x1b[31mred\nfake-row\tcol\u202eright"

// hostileEscaped is hostile as a table shows it.
const hostileEscaped = `evil\x1b[31mred\nfake-row\tcol\u202eright`

// fakeServer answers the list endpoints of the API with one item each,
// every name hostile; it stands for a server whose data the CLI cannot trust.
func fakeServer(t *testing.T) (url, caFile string) {
	t.Helper()
	answers := map[string]any{
		"/v1/dashboard/clusterprofiles/metadata": map[string]any{"items": []any{map[string]any{
			"metadata": map[string]any{"name": hostile, "uid": "p1"},
			"spec":     map[string]any{"cloudType": "aws", "version": "1.0.0", "type": "infra", "status": "draft"},
		}}},
		"/v1/registries/pack": map[string]any{"items": []any{map[string]any{
			"metadata": map[string]any{"name": hostile, "uid": "r1"},
			"spec":     map[string]any{"name": hostile, "scope": "project", "isPrivate": true},
		}}},
		"/v1/registries/metadata":         map[string]any{"items": []any{map[string]any{"uid": "r1", "name": hostile, "kind": "pack", "scope": "project", "isPrivate": true}}},
		"/v1/apiKeys":                     map[string]any{"items": []any{map[string]any{"uid": "k1", "name": hostile, "role": "admin", "prefix": "byoos_abcdef", "createdAt": "2026-01-02T03:04:05Z"}}},
		"/v1/dashboard/projects/metadata": map[string]any{"items": []any{}},
	}
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"code":"ResourceNotFound","message":"no route"}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(a)
	}))
	t.Cleanup(ts.Close)
	caFile = filepath.Join(t.TempDir(), "fake.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return ts.URL, caFile
}

func TestTablesEscapeControlCharactersInNamesFromTheServer(t *testing.T) {
	for _, k := range []string{client.EnvServer, client.EnvAPIKey, client.EnvProject, client.EnvCACert} {
		t.Setenv(k, "")
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	url, ca := fakeServer(t)
	tests := []struct {
		name string
		args []string
	}{
		{"profile list shows a profile name with an escape sequence escaped", []string{"profile", "list", "--tenant"}},    // the fake server has no project
		{"registry list shows a registry name with an escape sequence escaped", []string{"registry", "list", "--tenant"}}, // the fake server has no project
		{"apikey list shows a key name with an escape sequence escaped", []string{"apikey", "list"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			args := append(tt.args, "--server", url, "--api-key", "byoos_test", "--ca-cert", ca)
			if code := Run(context.Background(), args, strings.NewReader(""), &out, &errb); code != ExitOK {
				t.Fatalf("exit %d\n%s%s", code, out.String(), errb.String())
			}
			got := out.String()
			for _, c := range []string{"\x1b", "\u202e", "fake-row\t", "\nfake-row"} {
				if strings.Contains(got, c) {
					t.Errorf("the output holds %q raw:\n%s", c, got)
				}
			}
			if !strings.Contains(got, hostileEscaped) {
				t.Errorf("the output lacks the escaped name %s:\n%s", hostileEscaped, got)
			}
			if lines := strings.Split(strings.TrimSpace(got), "\n"); len(lines) != 2 {
				t.Errorf("%d lines, want a header and one row:\n%s", len(lines), got)
			}
		})
	}
}
