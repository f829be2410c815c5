package serve_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/byoos/byoos/serve"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/store/sqlite"
)

// run starts serve.Run in this process and returns its address and a stop function.
func run(t *testing.T, o serve.Options) (string, func() error) {
	t.Helper()
	ready := make(chan string, 1)
	o.Ready = ready
	o.Addr = "127.0.0.1:0"
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- serve.Run(ctx, o) }()
	select {
	case addr := <-ready:
		return addr, func() error { cancel(); return <-errc }
	case err := <-errc:
		cancel()
		t.Fatalf("serve: %v", err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("not ready within 10 s")
	}
	return "", nil
}

func get(t *testing.T, c *http.Client, url, key string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if key != "" {
		req.Header.Set("ApiKey", key)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestFirstStartMakesEverythingItNeeds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	addr, stop := run(t, serve.Options{DataDir: dir})
	for _, f := range []string{"admin-api-key", "secret.key", "tls/cert.pem", "tls/key.pem", "byoos.db"} {
		st, err := os.Stat(filepath.Join(dir, f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if f == "admin-api-key" || f == "secret.key" || f == "tls/key.pem" {
			if st.Mode().Perm() != 0o600 {
				t.Errorf("%s mode %v, want 0600", f, st.Mode().Perm())
			}
		}
	}
	key, _ := os.ReadFile(filepath.Join(dir, "admin-api-key"))
	c := httpsClient(t, dir)
	if code, body := get(t, c, "https://"+addr+"/v1/registries/metadata", strings.TrimSpace(string(key))); code != 200 || !strings.Contains(body, "Public Repo") {
		t.Errorf("registries: %d %s", code, body)
	}
	if code, _ := get(t, c, "https://"+addr+"/readyz", ""); code != 200 {
		t.Errorf("readyz: %d", code)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// A second start keeps the key, the certificate and the data.
	certBefore, _ := os.ReadFile(filepath.Join(dir, "tls/cert.pem"))
	addr, stop = run(t, serve.Options{DataDir: dir})
	defer stop()
	certAfter, _ := os.ReadFile(filepath.Join(dir, "tls/cert.pem"))
	key2, _ := os.ReadFile(filepath.Join(dir, "admin-api-key"))
	if string(certBefore) != string(certAfter) || string(key) != string(key2) {
		t.Error("a restart replaced the certificate or the admin key")
	}
	if code, _ := get(t, httpsClient(t, dir), "https://"+addr+"/v1/registries/metadata", strings.TrimSpace(string(key))); code != 200 {
		t.Errorf("the first key does not work after a restart: %d", code)
	}
}

func TestOwnCertificateAndPlainHTTP(t *testing.T) {
	// A certificate of our own: make one with the self-signed helper in another directory.
	certDir := t.TempDir()
	certFile, keyFile, _, err := serve.SelfSignedCert(certDir)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	addr, stop := run(t, serve.Options{DataDir: dir, TLSCert: certFile, TLSKey: keyFile})
	if _, err := os.Stat(filepath.Join(dir, "tls")); !os.IsNotExist(err) {
		t.Error("a self-signed certificate was generated although one was given")
	}
	pem, _ := os.ReadFile(certFile)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	if code, _ := get(t, c, "https://"+addr+"/healthz", ""); code != 200 {
		t.Errorf("healthz over the given certificate: %d", code)
	}
	stop()

	addr, stop = run(t, serve.Options{DataDir: t.TempDir(), InsecureHTTP: true})
	defer stop()
	if code, _ := get(t, http.DefaultClient, "http://"+addr+"/healthz", ""); code != 200 {
		t.Errorf("healthz over plain HTTP: %d", code)
	}

	if err := serve.Run(context.Background(), serve.Options{DataDir: t.TempDir(), Addr: "127.0.0.1:0", TLSCert: certFile, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}); err == nil || !strings.Contains(err.Error(), "go together") {
		t.Errorf("a certificate without its key: %v", err)
	}
	if err := serve.Run(context.Background(), serve.Options{DataDir: t.TempDir(), Addr: "127.0.0.1:0", Database: "mysql://x", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}); err == nil || !strings.Contains(err.Error(), "postgres://") {
		t.Errorf("a database URL that is not PostgreSQL: %v", err)
	}
}

// A registry sync that a stop interrupted is resumed when the server
// starts again (the schedule's first pass), whatever the interval; a
// negative interval is refused.
func TestAnInterruptedRegistrySyncIsResumedAtStart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	err := serve.Run(context.Background(), serve.Options{DataDir: dir, Addr: "127.0.0.1:0", RegistrySyncInterval: -time.Second,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err == nil || !strings.Contains(err.Error(), "registry sync interval") {
		t.Fatalf("a negative interval: %v", err)
	}
	addr, stop := run(t, serve.Options{DataDir: dir})
	key, _ := os.ReadFile(filepath.Join(dir, "admin-api-key"))
	c := httpsClient(t, dir)
	body := `{"metadata":{"name":"charts"},"spec":{"endpoint":"https://127.0.0.1:1/charts","isPrivate":false,"auth":{"type":"noAuth"}}}`
	req, _ := http.NewRequest("POST", "https://"+addr+"/v1/registries/helm", strings.NewReader(body))
	req.Header.Set("ApiKey", strings.TrimSpace(string(key)))
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("create: %d %s", resp.StatusCode, raw)
	}
	uid := strings.Split(strings.Split(string(raw), `"uid":"`)[1], `"`)[0]
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// As if the server had stopped in the middle of the sync.
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, serve.DatabaseFile))
	if err != nil {
		t.Fatal(err)
	}
	tn, _ := st.EnsureTenant(context.Background(), serve.TenantName)
	if err := st.SetRegistrySync(context.Background(), tn.UID, uid, store.RegistrySync{Status: store.SyncInProgress}, nil); err != nil {
		t.Fatal(err)
	}
	st.Close()

	addr, stop = run(t, serve.Options{DataDir: dir, RegistrySyncInterval: 0})
	defer stop()
	deadline := time.Now().Add(30 * time.Second) // a safety net: the resumed sync fails at once (nothing listens there)
	for {
		_, status := get(t, c, "https://"+addr+"/v1/registries/helm/"+uid+"/sync/status", strings.TrimSpace(string(key)))
		if strings.Contains(status, `"status":"Failed"`) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the interrupted sync was not resumed: %s", status)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
