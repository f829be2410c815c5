// Package serve wires the byoos server: the data directory, the store
// (embedded SQLite or PostgreSQL), the secret key, the first admin API key,
// TLS, the HTTP server and graceful shutdown. cmd/byoos calls Run.
package serve

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/byoos/byoos/api"
	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/regsync"
	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/service"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/store/postgres"
	"github.com/byoos/byoos/store/sqlite"
)

// Options configure the server.
type Options struct {
	// DataDir holds the SQLite database, the TLS certificate, the secret key
	// and the first admin API key.
	DataDir string
	// Addr is host:port to listen on.
	Addr string
	// Database is a postgres:// URL; empty means embedded SQLite in DataDir.
	Database string
	// TLSCert and TLSKey name a certificate to serve; empty means a
	// self-signed one generated into DataDir/tls.
	TLSCert, TLSKey string
	// InsecureHTTP serves plain HTTP (behind a TLS-terminating proxy). Run logs a
	// warning when Addr is not a loopback address.
	InsecureHTTP bool
	// SecretKeyFile holds the key that encrypts secrets at rest; empty means DataDir/secret.key.
	SecretKeyFile string
	// ShutdownTimeout bounds how long in-flight requests may finish.
	ShutdownTimeout time.Duration
	// RegistrySyncInterval is how often every OCI and Helm registry is
	// synced; 0 syncs them only when created, changed or asked to (and
	// resumes, at start, syncs a stop interrupted).
	RegistrySyncInterval time.Duration
	// Verify bounds POST /v1/clusterprofiles/{uid}/verify: the hosts and
	// networks it may reach beside the configured OCI registries
	// (--verify-allow-host, --verify-allow-net) and how long results are
	// reused (--verify-cache-ttl).
	Verify service.VerifyConfig
	// VerifyClouds turns on the checks of AWS, Azure and vSphere images
	// with the server's own credentials; Run sets Verify.Clouds from it
	// when Verify.Clouds is nil.
	VerifyClouds VerifyClouds
	Logger       *slog.Logger
	// Ready, when set, receives the listening address once the server serves.
	Ready chan<- string
}

// TenantName is the tenant a server creates and serves.
const TenantName = "default"

// DefaultProject is the project that exists from the first start.
const DefaultProject = "Default"

// AdminKeyFile is the name, in the data directory, of the first admin key.
const AdminKeyFile = "admin-api-key"

// DatabaseFile is the name, in the data directory, of the embedded database.
const DatabaseFile = "byoos.db"

// Run starts the server and serves until ctx is done, then shuts down
// gracefully.
func Run(ctx context.Context, o Options) error {
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	if o.ShutdownTimeout == 0 {
		o.ShutdownTimeout = 30 * time.Second
	}
	if err := os.MkdirAll(o.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	writable := []string{}
	if o.Database == "" {
		db := filepath.Join(o.DataDir, DatabaseFile)
		writable = append(writable, db, db+"-wal", db+"-shm")
	}
	if err := CheckWritable(o.DataDir, writable...); err != nil {
		return err
	}
	st, engine, err := openStore(ctx, o)
	if err != nil {
		return err
	}
	defer st.Close()

	keyFile := o.SecretKeyFile
	if keyFile == "" {
		keyFile = filepath.Join(o.DataDir, "secret.key")
	}
	sealer, err := OpenSealer(ctx, st, keyFile, log)
	if err != nil {
		return err
	}
	tenant, err := Bootstrap(ctx, st, o.DataDir, log)
	if err != nil {
		return err
	}
	public, err := catalog.PublicRepo()
	if err != nil {
		return err
	}
	if o.RegistrySyncInterval < 0 {
		return fmt.Errorf("registry sync interval %v: give 0 (no schedule) or more", o.RegistrySyncInterval)
	}
	if o.Verify.Clouds == nil {
		clouds, err := o.VerifyClouds.Checkers(o.Verify)
		if err != nil {
			return err
		}
		o.Verify.Clouds = clouds
		log.Info("verify checks the images of these clouds with the server's credentials", o.VerifyClouds.Summary()...)
	}
	regs := service.NewRegistries(st, sealer, service.RegistriesConfig{
		Client: service.Regsync{Options: regsync.Options{Limits: regsync.DefaultLimits()}}, Logger: log})
	defer regs.Close() // stops the syncs before the store closes
	srv, err := api.New(api.Config{Store: st, Public: public, Sealer: sealer, TenantUID: tenant.UID, Logger: log, Registries: regs, Verify: o.Verify})
	if err != nil {
		return err
	}
	schedCtx, stopSchedule := context.WithCancel(ctx)
	scheduled := make(chan struct{})
	go func() { defer close(scheduled); regs.Schedule(schedCtx, tenant.UID, o.RegistrySyncInterval) }()
	defer func() { stopSchedule(); <-scheduled }() // before regs.Close

	if o.InsecureHTTP && !isLoopbackAddr(o.Addr) {
		log.Warn("serving plain HTTP on an address that is not loopback: API keys, passwords and registry credentials would cross the network in clear; listen on 127.0.0.1 behind a TLS-terminating proxy, or drop --insecure-http", "addr", o.Addr)
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.Addr, err)
	}
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	scheme := "https"
	if o.InsecureHTTP {
		scheme = "http"
	} else {
		certFile, keyFile := o.TLSCert, o.TLSKey
		if certFile == "" && keyFile == "" {
			var made bool
			certFile, keyFile, made, err = SelfSignedCert(filepath.Join(o.DataDir, "tls"))
			if err != nil {
				ln.Close()
				return err
			}
			if made {
				log.Info("generated a self-signed TLS certificate for localhost and 127.0.0.1", "cert", certFile)
			} else if isCACert(certFile) {
				log.Warn("the self-signed TLS certificate is a CA certificate (made by an older byoos): whoever copies its key can sign certificates for any name that clients trusting it accept; delete it and its key to have a leaf certificate made, then trust the new one", "cert", certFile, "key", keyFile)
			}
			log.Info("clients must trust the server's certificate", "cert", certFile, "hint", "SSL_CERT_FILE="+certFile+" or --ca-cert")
		} else if certFile == "" || keyFile == "" {
			ln.Close()
			return errors.New("--tls-cert and --tls-key go together")
		}
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			ln.Close()
			return fmt.Errorf("load TLS certificate: %w", err)
		}
		hs.TLSConfig = tlsConfig(cert)
		ln = tls.NewListener(ln, hs.TLSConfig)
	}
	srv.MarkReady()
	addr := ln.Addr().String()
	log.Info("byoos is serving", "url", scheme+"://"+addr, "storage", engine, "admin_key_file", filepath.Join(o.DataDir, AdminKeyFile))
	if o.Ready != nil {
		o.Ready <- addr
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down: finishing requests in flight", "timeout", o.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), o.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

func openStore(ctx context.Context, o Options) (store.Store, string, error) {
	if o.Database != "" {
		if !strings.HasPrefix(o.Database, "postgres://") && !strings.HasPrefix(o.Database, "postgresql://") {
			return nil, "", fmt.Errorf("--database: use a postgres:// URL (leave it out for embedded storage)")
		}
		st, err := postgres.Open(ctx, o.Database)
		if err != nil {
			return nil, "", fmt.Errorf("open PostgreSQL: %w", err)
		}
		return st, "postgres", nil
	}
	path := filepath.Join(o.DataDir, DatabaseFile)
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return nil, "", fmt.Errorf("open embedded database %s: %w", path, err)
	}
	return st, "sqlite " + path, nil
}

// Bootstrap makes sure the tenant, its Default project and an admin API key
// exist. A new admin key is written to DataDir/admin-api-key (mode 0600);
// the log names the file, never the key.
func Bootstrap(ctx context.Context, st store.Store, dataDir string, log *slog.Logger) (store.Tenant, error) {
	tenant, err := st.EnsureTenant(ctx, TenantName)
	if err != nil {
		return tenant, fmt.Errorf("tenant: %w", err)
	}
	system := store.AuditEvent{Actor: "byoos (bootstrap)", TenantUID: tenant.UID}
	projects, err := st.ListProjects(ctx, tenant.UID)
	if err != nil {
		return tenant, fmt.Errorf("projects: %w", err)
	}
	hasDefault := false
	for _, p := range projects {
		hasDefault = hasDefault || p.Name == DefaultProject
	}
	if !hasDefault {
		ev := system
		ev.Action, ev.Kind, ev.Summary = "project.create", "project", DefaultProject
		if err := st.CreateProject(ctx, &store.Project{TenantUID: tenant.UID, Name: DefaultProject}, ev); err != nil && !errors.Is(err, store.ErrExists) {
			return tenant, fmt.Errorf("create the Default project: %w", err)
		}
	}
	path := filepath.Join(dataDir, AdminKeyFile)
	if _, err := os.Stat(path); err == nil {
		return tenant, nil
	}
	k := &store.APIKey{Name: "admin (first start)", TenantUID: tenant.UID, Role: store.RoleAdmin}
	ev := system
	ev.Action, ev.Kind, ev.Summary = "apikey.create", "apikey", k.Name
	raw, err := api.CreateKey(ctx, st, k, ev)
	if err != nil {
		return tenant, fmt.Errorf("create the admin API key: %w", err)
	}
	if err := secret.WriteFileExclusive(path, []byte(raw+"\n")); err != nil {
		return tenant, err
	}
	log.Info("created an admin API key", "file", path, "key_uid", k.UID)
	return tenant, nil
}
