package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/client"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/secret"
)

// connFlags are the flags of the commands that talk to a byoos server.
type connFlags struct {
	server   string
	apiKey   string
	project  string
	caCert   string
	config   string
	insecure bool
	verbose  bool
	timeout  time.Duration
	// scoped is set for commands that act in a project by default
	// (registerScope); tenant is their --tenant.
	scoped bool
	tenant bool
}

const connHelp = `Connection: flags win over the environment (BYOOS_SERVER, BYOOS_API_KEY,
BYOOS_PROJECT, BYOOS_CA_CERT), which wins over the config file (--config, default
$XDG_CONFIG_HOME/byoos/config.yaml or ~/.config/byoos/config.yaml), YAML with the
keys server, apiKey, project and caCert:

  server: https://byoos.example.internal:8443
  apiKey: byoos_...
  project: Default
  caCert: byoos-data/tls/cert.pem`

func (f *connFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.server, "server", "", "byoos server: https://HOST:PORT, HOST:PORT or http://HOST:PORT (env "+client.EnvServer+")")
	fs.StringVar(&f.apiKey, "api-key", "", "API key; prefer env "+client.EnvAPIKey+": a flag shows in the process list")
	fs.StringVar(&f.project, "project", "", "project name or uid (env "+client.EnvProject+"); profile, registry and pack push commands use the project named Default when none is given, and --tenant for tenant-wide ones")
	fs.StringVar(&f.caCert, "ca-cert", "", "PEM file of a certificate to trust, e.g. the server's DATA/tls/cert.pem (env "+client.EnvCACert+")")
	fs.BoolVar(&f.insecure, "insecure-skip-verify", false, "do not verify the server's TLS certificate (for tests only)")
	fs.StringVar(&f.config, "config", "", "config file (default $XDG_CONFIG_HOME/byoos/config.yaml or ~/.config/byoos/config.yaml)")
	fs.DurationVar(&f.timeout, "timeout", client.DefaultTimeout, "time limit of each request")
	fs.BoolVar(&f.verbose, "verbose", false, "print each request (method, URL, status) to standard error")
}

// registerScope adds --tenant, for the commands that act in a project: the
// configured one, else the project named Default, unless --tenant asks for
// the tenant's scope. what names what the commands handle (profiles,
// registries).
func (f *connFlags) registerScope(fs *pflag.FlagSet, what string) {
	f.scoped = true
	fs.BoolVar(&f.tenant, "tenant", false, "act at tenant scope (tenant-wide "+what+", a tenant admin key) instead of in the project (--project, else the project named "+client.DefaultProjectName+")")
}

// connConfig is a resolved connection configuration and where it came from.
type connConfig struct {
	cfg client.Config
	// file is the config file read, or the default one's path when it is absent.
	file string
	// fileKey is true when the config file holds an API key.
	fileKey bool
}

// resolveConn merges flags, environment and config file, in that order.
func (e *env) resolveConn(f *connFlags) (connConfig, error) {
	flags := client.Config{Server: f.server, APIKey: f.apiKey, Project: f.project, CACertFile: f.caCert, InsecureSkipVerify: f.insecure, Timeout: f.timeout}
	envCfg := client.ConfigFromEnv(os.Getenv)
	file := f.config
	explicit := file != ""
	if !explicit {
		def, err := client.DefaultConfigFile()
		if err != nil {
			return connConfig{}, ioErr(err)
		}
		file = def
	}
	fileCfg, err := client.LoadConfigFile(file)
	if err != nil {
		if explicit || !errors.Is(err, fs.ErrNotExist) {
			return connConfig{}, ioErr(err)
		}
		fileCfg = client.Config{}
	}
	return connConfig{cfg: client.Merge(flags, envCfg, fileCfg), file: file, fileKey: fileCfg.APIKey != ""}, nil
}

// connect resolves the configuration and makes a client. dropProject leaves
// the project out (for commands that do not act in one).
func (e *env) connect(f *connFlags, dropProject bool) (*client.Client, connConfig, error) {
	cc, err := e.resolveConn(f)
	if err != nil {
		return nil, cc, err
	}
	if cc.cfg.Server == "" {
		return nil, cc, usageErr("no server: set --server or %s (or server: in %s)", client.EnvServer, cc.file)
	}
	if cc.cfg.APIKey == "" {
		return nil, cc, usageErr("no API key: set %s or --api-key (or apiKey: in %s)", client.EnvAPIKey, cc.file)
	}
	if cc.fileKey {
		if st, err := os.Stat(cc.file); err == nil && st.Mode().Perm()&0o077 != 0 {
			fmt.Fprintf(e.stderr, "byoos: warning: %s holds an API key and others may read it; chmod 600 %s\n", cc.file, cc.file)
		}
	}
	switch {
	case dropProject:
		cc.cfg.Project = ""
	case f.scoped && f.tenant && f.project != "":
		return nil, cc, usageErr("--tenant and --project %s: give one", f.project)
	case f.scoped && f.tenant:
		cc.cfg.Project = ""
	case f.scoped:
		cc.cfg.DefaultProject = client.DefaultProjectName
	}
	if f.verbose {
		cc.cfg.Trace = e.stderr
	}
	if cc.cfg.InsecureSkipVerify {
		fmt.Fprintln(e.stderr, "byoos: warning: TLS certificate verification is off (--insecure-skip-verify)")
	}
	c, err := client.New(cc.cfg)
	if err != nil {
		return nil, cc, usageErr("%w", redact(err, cc.cfg.APIKey))
	}
	return c, cc, nil
}

// withClient makes a RunE that connects, runs fn, and turns its error into
// the exit code: 1 for the server's refusals, 2 for usage and I/O errors.
// The API key never appears in the error.
func (e *env) withClient(f *connFlags, dropProject bool, fn func(c *client.Client, args []string) error) func(*cobra.Command, []string) error {
	return func(_ *cobra.Command, args []string) error {
		c, cc, err := e.connect(f, dropProject)
		if err != nil {
			return err
		}
		return redact(clientErr(fn(c, args)), cc.cfg.APIKey)
	}
}

// clientErr maps an error of the client to an exit code.
func clientErr(err error) error {
	if err == nil {
		return nil
	}
	var xe *exitError
	if errors.As(err, &xe) {
		return err
	}
	var ae *client.APIError
	var nf *client.NotFoundError
	var amb *client.AmbiguousError
	switch {
	case errors.As(err, &ae), errors.As(err, &nf):
		return &exitError{code: ExitFindings, err: err}
	case errors.As(err, &amb):
		return &exitError{code: ExitUsage, err: err}
	}
	return &exitError{code: ExitUsage, err: err}
}

// redact takes the API key out of an error's message.
func redact(err error, key string) error {
	if err == nil || key == "" || !strings.Contains(err.Error(), key) {
		return err
	}
	code := ExitUsage
	var xe *exitError
	if errors.As(err, &xe) {
		code = xe.code
	}
	return &exitError{code: code, err: errors.New(strings.ReplaceAll(err.Error(), key, secret.Mask))}
}

// checkOutput refuses an -o value that is not one of allowed.
func checkOutput(o string, allowed ...string) error {
	for _, a := range allowed {
		if o == a {
			return nil
		}
	}
	return usageErr("--output %q: use %s", o, orList(allowed))
}

func orList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

func addOutputFlag(c *cobra.Command, p *string) {
	c.Flags().StringVarP(p, "output", "o", "table", "output format: table, json or yaml")
}

// emit writes v as JSON or YAML, or calls table for the table format.
func (e *env) emit(output string, v any, table func(w io.Writer) error) error {
	switch output {
	case "json":
		return writeJSON(e, v)
	case "yaml":
		return writeYAML(e.stdout, v)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	if err := table(tw); err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return ioErr(err)
	}
	return nil
}

// writeYAML writes v as YAML, in the field order and with the names of its
// JSON encoding; multi-line strings become literal blocks.
func writeYAML(w io.Writer, v any) error {
	j, err := json.Marshal(v)
	if err != nil {
		return ioErr(err)
	}
	var n yaml.Node
	if err := yaml.Unmarshal(j, &n); err != nil {
		return ioErr(fmt.Errorf("convert to YAML: %w", err))
	}
	restyle(&n)
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(&n); err != nil {
		return ioErr(err)
	}
	if err := enc.Close(); err != nil {
		return ioErr(err)
	}
	return nil
}

// restyle turns JSON's flow style and quotes into block YAML, keeping
// quotes where a YAML 1.1 reader would take a string for a boolean.
func restyle(n *yaml.Node) {
	n.Style = 0
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		switch strings.ToLower(n.Value) {
		case "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~":
			n.Style = yaml.DoubleQuotedStyle
		}
	}
	for _, c := range n.Content {
		restyle(c)
	}
}

// printFindings writes findings as `byoos validate` does.
func printFindings(w io.Writer, fl finding.List) {
	for _, f := range fl {
		fmt.Fprintln(w, f.String())
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
