package api_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/byoos/byoos/api"
	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/serve"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/store/sqlite"
)

// storeCause is the error the failing store returns: a cause that must reach
// the log and never the client.
const storeCause = "disk I/O error: /var/lib/byoos/byoos.db is on a read-only file system"

// failingStore fails the calls named in fail with storeCause.
type failingStore struct {
	store.Store
	mu   sync.Mutex
	fail map[string]bool
}

func (f *failingStore) failing(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail[op] {
		return errors.New(storeCause)
	}
	return nil
}

func (f *failingStore) CreateProject(ctx context.Context, p *store.Project, ev store.AuditEvent) error {
	if err := f.failing("CreateProject"); err != nil {
		return err
	}
	return f.Store.CreateProject(ctx, p, ev)
}

func (f *failingStore) ListProjects(ctx context.Context, tenantUID string) ([]store.Project, error) {
	if err := f.failing("ListProjects"); err != nil {
		return nil, err
	}
	return f.Store.ListProjects(ctx, tenantUID)
}

func (f *failingStore) GetProject(ctx context.Context, tenantUID, uid string) (store.Project, error) {
	if err := f.failing("GetProject"); err != nil {
		return store.Project{}, err
	}
	return f.Store.GetProject(ctx, tenantUID, uid)
}

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func TestAServerErrorIsLoggedWithItsCauseAndRequestIDButNotSent(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "byoos.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tenant, err := serve.Bootstrap(ctx, st, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	projects, err := st.ListProjects(ctx, tenant.UID)
	if err != nil || len(projects) == 0 {
		t.Fatalf("projects: %v %v", projects, err)
	}
	sealer, _ := secret.NewSealer(bytes.Repeat([]byte{1}, secret.KeySize))
	public, err := catalog.PublicRepo()
	if err != nil {
		t.Fatal(err)
	}
	fs := &failingStore{Store: st}
	logs := &lockedBuffer{}
	srv, err := api.New(api.Config{Store: fs, Public: public, Sealer: sealer, TenantUID: tenant.UID, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewTLSServer(srv.Handler())
	t.Cleanup(ts.Close)
	admin, err := os.ReadFile(filepath.Join(dir, serve.AdminKeyFile))
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, fail, method, path, project, body, route string
	}{
		{"a write whose store call fails", "CreateProject", "POST", "/v1/projects", "", `{"metadata":{"name":"web"}}`, "POST /v1/projects"},
		{"a read whose store call fails", "ListProjects", "GET", "/v1/dashboard/projects/metadata", "", "", "GET /v1/dashboard/projects/metadata"},
		{"a request whose ProjectUid header cannot be checked", "GetProject", "GET", "/v1/dashboard/clusterprofiles/metadata", projects[0].UID, "", "GET /v1/dashboard/clusterprofiles/metadata"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs.mu.Lock()
			fs.fail = map[string]bool{tc.fail: true}
			fs.mu.Unlock()
			req, _ := http.NewRequest(tc.method, ts.URL+tc.path, strings.NewReader(tc.body))
			req.Header.Set("ApiKey", strings.TrimSpace(string(admin)))
			req.Header.Set("Content-Type", "application/json")
			if tc.project != "" {
				req.Header.Set("ProjectUid", tc.project)
			}
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			rid := resp.Header.Get("X-Request-Id")
			if resp.StatusCode != 500 || rid == "" {
				t.Fatalf("status %d, request id %q: %s", resp.StatusCode, rid, body)
			}
			if strings.Contains(string(body), "read-only file system") || !strings.Contains(string(body), "internal error (request "+rid+")") {
				t.Errorf("the response shows the cause or lacks the request id: %s", body)
			}
			var line string
			for _, l := range strings.Split(logs.String(), "\n") {
				if strings.Contains(l, `msg="request failed"`) && strings.Contains(l, "request_id="+rid) {
					line = l
				}
			}
			if line == "" {
				t.Fatalf("no \"request failed\" log line names request %s:\n%s", rid, logs.String())
			}
			for _, want := range []string{storeCause, "method=" + tc.method, `route="` + tc.route + `"`} {
				if !strings.Contains(line, want) {
					t.Errorf("log line lacks %q: %s", want, line)
				}
			}
		})
	}
}
