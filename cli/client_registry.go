package cli

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/byoos/byoos/client"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/wire"
)

func (e *env) registryCmd() *cobra.Command {
	f := &connFlags{}
	c := &cobra.Command{
		Use:   "registry",
		Short: "List and create pack registries on a byoos server",
		Long: `registry lists the pack registries a project sees (the built-in Public Repo, the
tenant's and the project's own) and creates private ones to push packs to. It acts in
the project configured (--project, BYOOS_PROJECT or the config file), else the project
named Default; with --tenant, list shows the tenant-wide registries and create makes a
tenant-wide one (every project of the tenant sees it; a tenant admin key is needed):

  byoos registry create corp
  byoos pack push ./corp-os --registry corp
  byoos registry create shared --tenant

` + connHelp,
	}
	f.register(c.PersistentFlags())
	f.registerScope(c.PersistentFlags(), "registries")
	c.AddCommand(e.registryListCmd(f), e.registryCreateCmd(f))
	return c
}

func (e *env) registryListCmd(f *connFlags) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "list",
		Short: "List the pack registries the project sees (the tenant's with --tenant)",
		Long: `list shows the registries the project configured (--project, BYOOS_PROJECT or the
config file), else the project named Default, sees: the built-in Public Repo, the
tenant-wide registries and the project's own. With --tenant it shows the Public Repo
and the tenant-wide registries only.`,
		Args: cobra.NoArgs,
		RunE: e.withClient(f, false, func(cl *client.Client, _ []string) error {
			if err := checkOutput(output, "table", "json", "yaml"); err != nil {
				return err
			}
			rs, err := cl.Registries(e.ctx)
			if err != nil {
				return err
			}
			return e.emit(output, rs, func(w io.Writer) error {
				row(w, "NAME", "SCOPE", "PRIVATE", "DEFAULT", "UID")
				for _, r := range rs {
					row(w, r.Name, r.Scope, yesNo(r.IsPrivate), yesNo(r.IsDefault), r.UID)
				}
				return nil
			})
		}),
	}
	addOutputFlag(c, &output)
	return c
}

func (e *env) registryCreateCmd(f *connFlags) *cobra.Command {
	var output, scope string
	c := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a private pack registry in the project (tenant-wide with --tenant)",
		Long: `create makes a private pack registry in the project configured (--project,
BYOOS_PROJECT or the config file), else in the project named Default; only that
project sees it. With --tenant it makes a tenant-wide registry instead, which every
project of the tenant sees (a tenant admin API key is needed).`,
		Args: cobra.ExactArgs(1),
		RunE: e.withClient(f, false, func(cl *client.Client, args []string) error {
			if err := checkOutput(output, "table", "json", "yaml"); err != nil {
				return err
			}
			if scope != "" {
				fmt.Fprintln(e.stderr, "byoos: warning: --scope is deprecated: create makes a registry in the project, and with --tenant a tenant-wide one")
			}
			switch {
			case scope != "" && scope != client.ScopeProject && scope != client.ScopeTenant:
				return usageErr("--scope %q: use project or tenant (or --tenant)", scope)
			case f.tenant && scope == client.ScopeProject:
				return usageErr("--tenant and --scope project: give one")
			case f.tenant:
				scope = client.ScopeTenant
			case scope == "":
				scope = client.ScopeProject
			}
			if scope == client.ScopeProject {
				uid, err := cl.ProjectUID(e.ctx)
				if err != nil {
					return err
				}
				if uid == "" {
					return usageErr("a project registry needs a project: set --project or %s, or use --tenant", client.EnvProject)
				}
			}
			uid, err := cl.CreateRegistry(e.ctx, args[0], scope)
			if err != nil {
				return err
			}
			res := client.Registry{UID: uid, Name: args[0], Kind: "pack", Scope: scope, IsPrivate: true}
			return e.emit(output, res, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "created registry %s (scope %s, uid %s)\n", cell(res.Name), cell(scope), cell(uid))
				return err
			})
		}),
	}
	addOutputFlag(c, &output)
	// --scope is what create took before --tenant: kept working, hidden,
	// with a warning on standard error (cobra's deprecation notice would go
	// to standard output, into -o json).
	c.Flags().StringVar(&scope, "scope", "", "project or tenant (deprecated: use --tenant)")
	_ = c.Flags().MarkHidden("scope")
	return c
}

// pushResult is what pack push did with one pack.
type pushResult struct {
	Source   string       `json:"source"`
	Name     string       `json:"name,omitempty"`
	Version  string       `json:"version,omitempty"`
	Registry string       `json:"registry"`
	UID      string       `json:"uid,omitempty"`
	Digest   string       `json:"digest,omitempty"`
	Result   string       `json:"result"`
	Message  string       `json:"message,omitempty"`
	Findings finding.List `json:"findings,omitempty"`
}

// Push results.
const (
	pushCreated   = "created"
	pushUnchanged = "unchanged (same digest)"
	pushRefused   = "refused"
)

func (e *env) packPushCmd() *cobra.Command {
	f := &connFlags{}
	var output, registry string
	c := &cobra.Command{
		Use:   "push DIR|FILE.tgz... --registry NAME|UID",
		Short: "Publish packs to a private registry of a byoos server",
		Long: `push checks each pack as pack lint does and publishes it to a private registry
(create one with byoos registry create), which it looks up as registry list does: in the
project configured, else the project named Default, or among the tenant-wide ones with
--tenant. A pack version is immutable: pushing the same
content again changes nothing ("unchanged (same digest)"), and other content under a
version the registry has is refused; give it a new version in pack.json.

Exit status: 0 when every pack is in the registry, 1 when any was refused or has
errors, 2 for usage or I/O errors.

` + connHelp,
		Args: cobra.MinimumNArgs(1),
		RunE: e.withClient(f, false, func(cl *client.Client, args []string) error {
			if err := checkOutput(output, "table", "json", "yaml"); err != nil {
				return err
			}
			if registry == "" {
				return usageErr("--registry: name the registry to push to (byoos registry list shows them)")
			}
			reg, err := cl.FindRegistry(e.ctx, registry)
			if err != nil {
				return err
			}
			if !reg.IsPrivate {
				return &exitError{code: ExitFindings, err: fmt.Errorf("registry %s is read-only; push to a private registry (byoos registry create NAME)", reg.Name)}
			}
			var results []pushResult
			var hard error
			for _, a := range args {
				r, err := e.pushOne(cl, reg, a)
				if err != nil {
					hard = err
					break
				}
				results = append(results, r)
			}
			if results == nil {
				results = []pushResult{}
			}
			if err := e.emit(output, results, func(w io.Writer) error {
				for _, r := range results {
					printFindings(e.stdout, r.Findings)
					if r.Message != "" {
						fmt.Fprintf(e.stdout, "%s: %s\n", r.Source, r.Message)
					}
				}
				row(w, "PACK", "VERSION", "REGISTRY", "RESULT", "DIGEST")
				for _, r := range results {
					row(w, r.Name, r.Version, r.Registry, r.Result, r.Digest)
				}
				return nil
			}); err != nil {
				return err
			}
			if hard != nil {
				return hard
			}
			refused := 0
			for _, r := range results {
				if r.Result == pushRefused {
					refused++
				}
			}
			if refused > 0 {
				return &exitError{code: ExitFindings, err: fmt.Errorf("%d of %d pack(s) refused", refused, len(results))}
			}
			return nil
		}),
	}
	f.register(c.Flags())
	f.registerScope(c.Flags(), "registries")
	addOutputFlag(c, &output)
	c.Flags().StringVar(&registry, "registry", "", "the private registry to push to, by name or uid")
	return c
}

// pushOne pushes one pack; refusals are results, the error stops push.
func (e *env) pushOne(cl *client.Client, reg client.Registry, path string) (pushResult, error) {
	r := pushResult{Source: path, Registry: reg.Name}
	p, archive, fl, err := pack.Archive(path)
	if p != nil {
		r.Name, r.Version = p.Meta.Name, p.Meta.Version
	}
	prefixFindings(path, fl)
	if err != nil {
		if !errors.Is(err, pack.ErrInvalid) {
			return r, ioErr(err)
		}
		r.Result, r.Findings, r.Message = pushRefused, fl, "the pack has errors; nothing was pushed"
		return r, nil
	}
	if warn := fl.Count(finding.Warning); warn > 0 {
		for _, w := range fl {
			if w.Severity == finding.Warning {
				fmt.Fprintln(e.stderr, w.String())
			}
		}
	}
	res, err := cl.PushPack(e.ctx, reg.UID, archive)
	if err != nil {
		var ae *client.APIError
		if !errors.As(err, &ae) || (ae.StatusCode != http.StatusConflict && ae.StatusCode != http.StatusBadRequest) {
			return r, err
		}
		r.Result = pushRefused
		switch {
		case ae.Code == wire.CodeImmutable:
			r.Message = fmt.Sprintf("%s@%s is in registry %s already with other content, and pack versions are immutable: give the changed pack a new version in pack.json (%s)",
				r.Name, r.Version, reg.Name, ae.Message)
		case len(ae.Findings) > 0:
			r.Findings = ae.Findings
			prefixFindings(path, r.Findings)
			r.Message = "refused by the server"
		default:
			r.Message = "refused by the server: " + ae.Message
		}
		return r, nil
	}
	r.Name, r.Version, r.UID, r.Digest = res.Name, res.Version, res.UID, res.Digest
	r.Result = pushCreated
	if !res.Created {
		r.Result = pushUnchanged
	}
	return r, nil
}

// prefixFindings names the pack's files as lint does: DIR/FILE or ARCHIVE:FILE.
func prefixFindings(path string, fl finding.List) {
	prefix := strings.TrimSuffix(path, "/") + "/"
	if st, err := os.Stat(path); err == nil && !st.IsDir() {
		prefix = path + ":"
	}
	for i := range fl {
		fl[i].File = prefix + fl[i].File
	}
	fl.Sort()
}

// serverPackList lists the server's packs for pack list.
func (e *env) serverPackList(f *connFlags, output, layer, cloud, name, registry string) error {
	return e.withClient(f, false, func(cl *client.Client, _ []string) error {
		names := registryNames(e.ctx, cl)
		filter := client.PackFilter{Name: name, Layer: layer, CloudType: cloud}
		if registry != "" {
			reg, err := cl.FindRegistry(e.ctx, registry)
			if err != nil {
				return err
			}
			filter.RegistryUID = reg.UID
		}
		ps, err := cl.Packs(e.ctx, filter)
		if err != nil {
			return err
		}
		rows := []packSummary{}
		for _, p := range ps {
			reg := names[p.RegistryUID]
			if reg == "" {
				reg = p.RegistryUID
			}
			rows = append(rows, packSummary{Registry: reg, Name: p.Name, DisplayName: p.DisplayName, Version: p.Version, Layer: p.Layer,
				CloudTypes: p.CloudTypes, Digest: p.Digest, UID: p.UID})
		}
		return e.writePackRows(output, rows)
	})(nil, nil)
}
