package cli

import (
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/serve"
	"github.com/byoos/byoos/service"
)

// verifySettings reads serve's verify flags into o.
func verifySettings(o *serve.Options, hosts, nets []string, cacheTTL time.Duration) error {
	for _, h := range hosts {
		v, err := preflight.ParseAllowHost(h)
		if err != nil {
			return usageErr("--verify-allow-host: %v", err)
		}
		o.Verify.AllowHosts = append(o.Verify.AllowHosts, v)
	}
	for _, n := range nets {
		p, err := preflight.ParseAllowNet(n)
		if err != nil {
			return usageErr("--verify-allow-net: %v", err)
		}
		o.Verify.AllowNets = append(o.Verify.AllowNets, p)
	}
	switch {
	case cacheTTL < 0:
		return usageErr("--verify-cache-ttl %v: give 0 (no cache) or a positive duration", cacheTTL)
	case cacheTTL == 0:
		o.Verify.CacheTTL = -1
	default:
		o.Verify.CacheTTL = cacheTTL
	}
	return nil
}

func (e *env) serveCmd() *cobra.Command {
	var (
		o          serve.Options
		logLevel   string
		logFormat  string
		allowHosts []string
		allowNets  []string
		cacheTTL   time.Duration
	)
	c := &cobra.Command{
		Use:   "serve",
		Short: "Run the byoos server: pack registries and cluster profiles over Palette's v1 API",
		Long: `serve runs the registry and cluster-profile service. By default it keeps its data in
an embedded SQLite database under --data, serves HTTPS on 127.0.0.1:8443 with a
self-signed certificate generated into DATA/tls/, and writes the first admin API
key to DATA/admin-api-key (mode 0600).

  byoos serve
  curl --cacert byoos-data/tls/cert.pem -H "ApiKey: $(cat byoos-data/admin-api-key)" \
       https://127.0.0.1:8443/v1/registries/metadata

With --database postgres://... several servers share one PostgreSQL database.

POST /v1/clusterprofiles/{uid}/verify (byoos profile verify) makes the server contact the
registries a profile's images are in: only the OCI registries a tenant admin configured,
and the hosts and networks --verify-allow-host and --verify-allow-net list. Every
connection's resolved address is checked; loopback, private and link-local addresses are
reached only when --verify-allow-net lists them.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var level slog.Level
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return usageErr("--log-level %q: use debug, info, warn or error", logLevel)
			}
			hopts := &slog.HandlerOptions{Level: level}
			switch strings.ToLower(logFormat) {
			case "json":
				o.Logger = slog.New(slog.NewJSONHandler(e.stderr, hopts))
			case "text":
				o.Logger = slog.New(slog.NewTextHandler(e.stderr, hopts))
			default:
				return usageErr("--log-format %q: use text or json", logFormat)
			}
			if o.RegistrySyncInterval < 0 {
				return usageErr("--registry-sync-interval %v: give 0 (no schedule) or a positive duration", o.RegistrySyncInterval)
			}
			if err := verifySettings(&o, allowHosts, allowNets, cacheTTL); err != nil {
				return err
			}
			if err := serve.Run(e.ctx, o); err != nil {
				return &exitError{code: 1, err: err}
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&o.DataDir, "data", "./byoos-data", "data directory: embedded database, TLS certificate, keys")
	f.StringVar(&o.Addr, "addr", "127.0.0.1:8443", "address to listen on")
	f.StringVar(&o.Database, "database", "", "PostgreSQL URL (postgres://...); empty for the embedded database")
	f.StringVar(&o.TLSCert, "tls-cert", "", "TLS certificate file (PEM); default: a self-signed one in DATA/tls")
	f.StringVar(&o.TLSKey, "tls-key", "", "TLS private key file (PEM)")
	f.BoolVar(&o.InsecureHTTP, "insecure-http", false, "serve plain HTTP, for use behind a TLS-terminating proxy")
	f.StringVar(&o.SecretKeyFile, "secret-key-file", "", "key that encrypts secrets at rest; default DATA/secret.key (generated)")
	f.DurationVar(&o.ShutdownTimeout, "shutdown-timeout", 30*time.Second, "how long in-flight requests may finish on shutdown")
	f.DurationVar(&o.RegistrySyncInterval, "registry-sync-interval", time.Hour, "how often OCI and Helm registries are synced; 0 disables the schedule")
	f.StringArrayVar(&allowHosts, "verify-allow-host", nil, "a host (or host:port) verify may contact beside the OCI registries configured in byoos (repeatable); an address listed here is allowed even if internal")
	f.StringArrayVar(&allowNets, "verify-allow-net", nil, "a network (CIDR, or one address) verify may contact (repeatable); loopback, private and link-local addresses are reached only when listed here")
	f.DurationVar(&cacheTTL, "verify-cache-ttl", service.DefaultVerifyCacheTTL, "how long verify reuses an image's check result; 0 disables the cache")
	f.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn, error")
	f.StringVar(&logFormat, "log-format", "text", "log format: text or json")
	return c
}
