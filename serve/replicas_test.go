package serve_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/byoos/byoos/serve"
	"github.com/byoos/byoos/store/pgtest"
)

// TestTwoServersShareOnePostgreSQL runs two byoos servers on one PostgreSQL
// database, as replicas would: what one writes the other reads, and writers
// on both from the same revision cannot both win.
func TestTwoServersShareOnePostgreSQL(t *testing.T) {
	dsn := pgtest.Start(t)
	dirA, dirB := t.TempDir(), t.TempDir()
	addrA, stopA := run(t, serve.Options{DataDir: dirA, Database: dsn})
	defer stopA()
	// The replicas share the key that seals secrets, as a deployment must.
	key, err := os.ReadFile(filepath.Join(dirA, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dirB, "secret.key"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	addrB, stopB := run(t, serve.Options{DataDir: dirB, Database: dsn})
	defer stopB()

	adminA, _ := os.ReadFile(filepath.Join(dirA, "admin-api-key"))
	ka := strings.TrimSpace(string(adminA))
	ca, cb := httpsClient(t, dirA), httpsClient(t, dirB)
	project := defaultProject(t, ca, "https://"+addrA, ka)
	if p := defaultProject(t, cb, "https://"+addrB, ka); p != project {
		t.Fatalf("the replicas see different Default projects: %s and %s", project, p)
	}

	do := func(c *http.Client, method, url string, body []byte) (int, []byte) {
		req, _ := http.NewRequest(method, url, bytes.NewReader(body))
		req.Header.Set("ApiKey", ka)
		req.Header.Set("ProjectUid", project)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var buf bytes.Buffer
		buf.ReadFrom(resp.Body)
		return resp.StatusCode, buf.Bytes()
	}
	code, body := do(ca, "POST", "https://"+addrA+"/v1/clusterprofiles", profileBody(1))
	if code != 201 {
		t.Fatalf("create on A: %d %s", code, body)
	}
	var created struct{ UID string }
	json.Unmarshal(body, &created)
	code, body = do(cb, "GET", "https://"+addrB+"/v1/clusterprofiles/"+created.UID, nil)
	if code != 200 {
		t.Fatalf("read on B: %d %s", code, body)
	}
	var got struct {
		Metadata struct{ ResourceVersion string }
	}
	json.Unmarshal(body, &got)

	// One writer on each replica, both from the revision just read.
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i, target := range []struct {
		c    *http.Client
		addr string
	}{{ca, addrA}, {cb, addrB}} {
		wg.Add(1)
		go func(i int, c *http.Client, addr string) {
			defer wg.Done()
			var u map[string]any
			json.Unmarshal(profileBody(1), &u)
			u["metadata"].(map[string]any)["resourceVersion"] = got.Metadata.ResourceVersion
			b, _ := json.Marshal(u)
			codes[i], _ = do(c, "PUT", "https://"+addr+"/v1/clusterprofiles/"+created.UID, b)
		}(i, target.c, target.addr)
	}
	wg.Wait()
	if !(codes[0] == 204 && codes[1] == 409 || codes[0] == 409 && codes[1] == 204) {
		t.Errorf("concurrent updates on two replicas: %v, want one 204 and one 409", codes)
	}
}
