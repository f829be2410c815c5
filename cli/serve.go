package cli

import (
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/secret"
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

// serveClouds are serve's flags of verify's cloud checks. Passwords and
// keys come only from the environment (BYOOS_AZURE_STORAGE_KEYS,
// BYOOS_VSPHERE_PASSWORD), never from a flag.
type serveClouds struct {
	aws                                           bool
	awsEndpoint, awsProfile                       string
	azure, azureIdentity                          bool
	azureCloud                                    string
	azureEndpoints                                []string
	vsphereURL, vsphereUser, vsphereDC, vsphereCA string
	vsphereInsecure                               bool
}

// Environment variables serve reads the clouds' secrets from.
const (
	envAzureKeys       = "BYOOS_AZURE_STORAGE_KEYS"
	envVSpherePassword = "BYOOS_VSPHERE_PASSWORD"
)

func (s *serveClouds) flags(c *cobra.Command) {
	f := c.Flags()
	f.BoolVar(&s.aws, "verify-aws", false, "check AMIs with EC2 using the server's credentials from the standard AWS chain (environment, shared files, instance role); off unless given (or another --verify-aws-* flag is)")
	f.StringVar(&s.awsEndpoint, "verify-aws-endpoint", "", "EC2 endpoint URL for every region (default: the region's); turns the AWS check on")
	f.StringVar(&s.awsProfile, "verify-aws-profile", "", "shared config profile of the AWS chain; turns the AWS check on")
	f.BoolVar(&s.azure, "verify-azure", false, "check VHD blobs (public ones and SAS URLs; keys from "+envAzureKeys+" as ACCOUNT=KEY pairs, which also turn the check on)")
	f.BoolVar(&s.azureIdentity, "verify-azure-identity", false, "read VHD blobs whose URL has no SAS with the server's default Azure credential chain; turns the Azure check on")
	f.StringVar(&s.azureCloud, "verify-azure-cloud", "", "Azure cloud whose blob endpoints verify reaches without --verify-allow-host: public (default), china or usgovernment; turns the Azure check on")
	f.StringArrayVar(&s.azureEndpoints, "verify-azure-endpoint", nil, "ACCOUNT=URL: read the account's blobs at URL instead (repeatable); turns the Azure check on")
	f.StringVar(&s.vsphereURL, "verify-vsphere-url", "", "vCenter URL: check vSphere templates there (user --verify-vsphere-user, password from "+envVSpherePassword+")")
	f.StringVar(&s.vsphereUser, "verify-vsphere-user", "", "vCenter user name")
	f.StringVar(&s.vsphereDC, "verify-vsphere-datacenter", "", "datacenter of templates given by name (default: the path's, else vCenter's only one)")
	f.StringVar(&s.vsphereCA, "verify-vsphere-ca-cert", "", "PEM file of the CA that signed vCenter's certificate (also trusted for OVA URLs)")
	f.BoolVar(&s.vsphereInsecure, "verify-vsphere-insecure", false, "do not check vCenter's TLS certificate")
}

// settings reads the flags and the environment into o.VerifyClouds.
func (s *serveClouds) settings(o *serve.Options, getenv func(string) string, readFile func(string) ([]byte, error)) error {
	if s.aws || s.awsEndpoint != "" || s.awsProfile != "" {
		o.VerifyClouds.AWS = &serve.AWSVerify{Endpoint: s.awsEndpoint, Profile: s.awsProfile}
	}
	keys := getenv(envAzureKeys)
	if s.azure || s.azureIdentity || s.azureCloud != "" || len(s.azureEndpoints) > 0 || strings.TrimSpace(keys) != "" {
		a := &serve.AzureVerify{Cloud: s.azureCloud, DefaultCredential: s.azureIdentity}
		if strings.TrimSpace(keys) != "" {
			k, err := serve.ParseAzureKeys(keys)
			if err != nil {
				return usageErr("%s: %v", envAzureKeys, err)
			}
			a.Keys = k
		}
		for _, ep := range s.azureEndpoints {
			account, u, err := serve.ParseAzureEndpoint(ep)
			if err != nil {
				return usageErr("--verify-azure-endpoint: %v", err)
			}
			if a.Endpoints == nil {
				a.Endpoints = map[string]string{}
			}
			a.Endpoints[account] = u
		}
		o.VerifyClouds.Azure = a
	}
	if s.vsphereURL == "" {
		for _, f := range []struct {
			name string
			set  bool
		}{{"--verify-vsphere-user", s.vsphereUser != ""}, {"--verify-vsphere-datacenter", s.vsphereDC != ""},
			{"--verify-vsphere-ca-cert", s.vsphereCA != ""}, {"--verify-vsphere-insecure", s.vsphereInsecure}} {
			if f.set {
				return usageErr("%s needs --verify-vsphere-url", f.name)
			}
		}
		return nil
	}
	v := &serve.VSphereVerify{URL: s.vsphereURL, Username: s.vsphereUser, Password: secret.String(getenv(envVSpherePassword)),
		Insecure: s.vsphereInsecure, Datacenter: s.vsphereDC}
	if s.vsphereCA != "" {
		b, err := readFile(s.vsphereCA)
		if err != nil {
			return usageErr("--verify-vsphere-ca-cert: %v", err)
		}
		v.CACert = string(b)
	}
	o.VerifyClouds.VSphere = v
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
		clouds     serveClouds
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
reached only when --verify-allow-net lists them.

Verify also checks AWS, Azure and vSphere images with the server's own credentials once
turned on: --verify-aws (the standard AWS chain of this process), --verify-azure,
--verify-azure-identity or BYOOS_AZURE_STORAGE_KEYS="ACCOUNT=KEY ...", and --verify-vsphere-url
with --verify-vsphere-user and BYOOS_VSPHERE_PASSWORD. EC2 (the region's endpoint, or
--verify-aws-endpoint) and vCenter are reached directly; the blob endpoints of
--verify-azure-cloud at their public addresses only; an OVA URL through the allow-list. Images of a cloud not turned on are answered
verify-unsupported, naming these flags.`,
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
			if err := clouds.settings(&o, e.getenv, os.ReadFile); err != nil {
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
	clouds.flags(c)
	f.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn, error")
	f.StringVar(&logFormat, "log-format", "text", "log format: text or json")
	return c
}
