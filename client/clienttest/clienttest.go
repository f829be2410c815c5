// Package clienttest starts a real byoos server for tests of API clients: the
// HTTP API over TLS (httptest), on an embedded SQLite database in a temporary
// directory, bootstrapped as `byoos serve` does (tenant, Default project,
// first admin API key).
package clienttest

import (
	"context"
	"encoding/pem"
	"io"
	stdlog "log"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/byoos/byoos/api"
	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/serve"
	"github.com/byoos/byoos/store/sqlite"
)

// Server is a running test server. It stops when the test ends.
type Server struct {
	// URL is https://127.0.0.1:PORT.
	URL string
	// CACertFile is a PEM file with the server's certificate, for --ca-cert.
	CACertFile string
	// AdminKey is the tenant admin API key written at bootstrap.
	AdminKey string
	// Dir is the server's data directory.
	Dir string
}

// Start starts a server for the test t; opts change its configuration.
func Start(t testing.TB, opts ...func(*api.Config)) *Server {
	t.Helper()
	dir := t.TempDir()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "byoos.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tenant, err := serve.Bootstrap(ctx, st, dir, log)
	if err != nil {
		t.Fatal(err)
	}
	key, _, err := secret.LoadOrCreateKey(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := secret.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	public, err := catalog.PublicRepo()
	if err != nil {
		t.Fatal(err)
	}
	cfg := api.Config{Store: st, Public: public, Sealer: sealer, TenantUID: tenant.UID, Logger: log}
	for _, o := range opts {
		o(&cfg)
	}
	srv, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.MarkReady()
	ts := httptest.NewUnstartedServer(srv.Handler())
	// Tests of untrusted certificates make the server log handshake errors.
	ts.Config.ErrorLog = stdlog.New(io.Discard, "", 0)
	ts.StartTLS()
	t.Cleanup(ts.Close)
	admin, err := os.ReadFile(filepath.Join(dir, serve.AdminKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	caFile := filepath.Join(t.TempDir(), "byoos-ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return &Server{URL: ts.URL, CACertFile: caFile, AdminKey: strings.TrimSpace(string(admin)), Dir: dir}
}
