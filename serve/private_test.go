package serve_test

import (
	"bytes"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/byoos/byoos/serve"
)

// TestDatabaseFilesArePrivateInAWorldReadableDataDirectory starts the server on a data
// directory created beforehand with mode 0755, under umask 0022 (so files are created
// 0644 unless asked otherwise), writes through the API, and checks that every byoos.db*
// file is 0600 after the start and after the writes. The umask is the whole process's:
// this test does not run in parallel.
func TestDatabaseFilesArePrivateInAWorldReadableDataDirectory(t *testing.T) {
	old := syscall.Umask(0o022)
	t.Cleanup(func() { syscall.Umask(old) })
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	check := func(when string) {
		t.Helper()
		names, _ := filepath.Glob(filepath.Join(dir, "byoos.db*"))
		if len(names) < 3 {
			t.Errorf("%s: expected byoos.db, -wal and -shm, found %v", when, names)
		}
		for _, n := range names {
			fi, err := os.Stat(n)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o600 {
				t.Errorf("%s: %s has mode %v, want 0600", when, filepath.Base(n), fi.Mode().Perm())
			}
		}
	}
	addr, stop := run(t, serve.Options{DataDir: dir})
	defer stop()
	check("after start")
	key, _ := os.ReadFile(filepath.Join(dir, serve.AdminKeyFile))
	c := httpsClient(t, dir)
	project := defaultProject(t, c, "https://"+addr, strings.TrimSpace(string(key)))
	for i := range 3 {
		req, _ := http.NewRequest("POST", "https://"+addr+"/v1/clusterprofiles", bytes.NewReader(profileBody(i)))
		req.Header.Set("ApiKey", strings.TrimSpace(string(key)))
		req.Header.Set("ProjectUid", project)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("create profile: %d", resp.StatusCode)
		}
	}
	check("after writes")
}
