package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/profile"
)

func (e *env) packCmd() *cobra.Command {
	c := &cobra.Command{Use: "pack", Short: "List, show, lint and push packs"}
	c.AddCommand(e.packListCmd(), e.packShowCmd(), e.packLintCmd(), e.packPushCmd())
	return c
}

// packSummary is a pack version as list and show print it.
type packSummary struct {
	Registry    string   `json:"registry"`
	Name        string   `json:"name"`
	DisplayName string   `json:"displayName"`
	Version     string   `json:"version"`
	Layer       string   `json:"layer"`
	CloudTypes  []string `json:"cloudTypes"`
	Digest      string   `json:"digest"`
	// UID is the pack version's uid on a server (pack list --server).
	UID string `json:"uid,omitempty"`
}

func summarize(repo string, p *pack.Pack) packSummary {
	return packSummary{Registry: repo, Name: p.Meta.Name, DisplayName: p.Meta.DisplayName, Version: p.Meta.Version, Layer: p.Meta.Layer, CloudTypes: p.Meta.AllClouds(), Digest: p.Digest}
}

func (e *env) packListCmd() *cobra.Command {
	var (
		output, layer, cloud, name, registry string
		offline                              bool
		conn                                 connFlags
	)
	c := &cobra.Command{
		Use:   "list",
		Short: "List the packs of the built-in Public Repo (and --pack-dir), or of a byoos server",
		Long: `list lists the packs of the built-in Public Repo and of --pack-dir. When a server
is given (--server, BYOOS_SERVER or the config file), it lists the packs the server
has for the project instead, unless --offline or --pack-dir.

` + connHelp,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkOutput(output, "text", "table", "json", "yaml"); err != nil {
				return err
			}
			if !offline && len(e.packDirs) == 0 {
				cc, err := e.resolveConn(&conn)
				if err != nil {
					return err
				}
				if cc.cfg.Server != "" {
					return e.serverPackList(&conn, output, layer, cloud, name, registry)
				}
			}
			if registry != "" {
				return usageErr("--registry lists a server's registry: give --server too")
			}
			repos, err := e.packRepos()
			if err != nil {
				return err
			}
			rows := []packSummary{}
			for _, r := range repos {
				for _, p := range r.All() {
					if (layer == "" || p.Meta.Layer == layer) && (cloud == "" || p.Meta.Supports(cloud)) && (name == "" || p.Meta.Name == name) {
						rows = append(rows, summarize(r.Name, p))
					}
				}
			}
			return e.writePackRows(output, rows)
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "text", "output format: text (or table), json or yaml")
	c.Flags().StringVar(&layer, "layer", "", "only packs of this layer (os, k8s, cni, csi, addon)")
	c.Flags().StringVar(&cloud, "cloud", "", "only packs that support this cloud type")
	c.Flags().StringVar(&name, "name", "", "only the versions of this pack")
	c.Flags().StringVar(&registry, "registry", "", "only the packs of this registry of the server, by name or uid")
	c.Flags().BoolVar(&offline, "offline", false, "list the built-in packs even when a server is configured")
	conn.register(c.Flags())
	return c
}

func (e *env) writePackRows(output string, rows []packSummary) error {
	switch output {
	case "json":
		return writeJSON(e, rows)
	case "yaml":
		return writeYAML(e.stdout, rows)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	row(tw, "NAME", "VERSION", "LAYER", "CLOUD TYPES", "DISPLAY NAME", "REGISTRY")
	for _, r := range rows {
		row(tw, r.Name, r.Version, r.Layer, strings.Join(r.CloudTypes, ","), r.DisplayName, r.Registry)
	}
	return tw.Flush()
}

func (e *env) packShowCmd() *cobra.Command {
	var output, part string
	c := &cobra.Command{
		Use:   "show NAME[@TAG]",
		Short: "Show a pack version: its metadata, values, schema or README",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			v, err := e.validator()
			if err != nil {
				return err
			}
			name, tag, _ := strings.Cut(args[0], "@")
			found, err := v.Packs.FindPack(e.ctx, profile.PackRef{Name: name, Tag: tag})
			if err != nil {
				return usageErr("%v", err)
			}
			p := found.Pack
			switch part {
			case "values":
				_, err = e.stdout.Write(p.Values)
				return err
			case "schema":
				_, err = e.stdout.Write(p.Files[pack.SchemaFile])
				return err
			case "readme":
				_, err = fmt.Fprint(e.stdout, p.Readme)
				return err
			case "":
			default:
				return usageErr("--part %q: use values, schema or readme", part)
			}
			if output == "json" {
				return writeJSON(e, struct {
					packSummary
					Meta   pack.Meta `json:"meta"`
					Values string    `json:"values"`
				}{summarize("", p), p.Meta, string(p.Values)})
			}
			fmt.Fprintf(e.stdout, "%s %s (%s)\nlayer: %s\ncloud types: %s\ndigest: %s\n", cell(p.Meta.Name), cell(p.Meta.Version), cell(p.Meta.DisplayName), cell(p.Meta.Layer), cell(strings.Join(p.Meta.AllClouds(), ", ")), cell(p.Digest))
			if p.Meta.Constraints != nil {
				for _, d := range p.Meta.Constraints.Dependencies {
					fmt.Fprintf(e.stdout, "dependency: %s %s (%s)%s\n", d.Type, d.PackName, d.Layer, bounds(d))
				}
			}
			fmt.Fprintf(e.stdout, "\n# values.yaml\n%s", p.Values)
			return nil
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	c.Flags().StringVar(&part, "part", "", "print only one part: values, schema or readme")
	return c
}

func bounds(d pack.Dependency) string {
	var s string
	if d.MinVersion != "" {
		s += " >= " + d.MinVersion
	}
	if d.MaxVersion != "" {
		s += " <= " + d.MaxVersion
	}
	return s
}

func (e *env) packLintCmd() *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "lint DIR|FILE.tgz...",
		Short: "Check pack directories or archives and report every problem with file:line:column",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var results []fileResult
			for _, a := range args {
				fl, err := lintOne(a)
				if err != nil {
					return ioErr(err)
				}
				results = append(results, fileResult{File: a, Valid: !fl.HasErrors(), Errors: fl.Count(finding.Error), Warnings: fl.Count(finding.Warning), Findings: fl})
			}
			switch output {
			case "json":
				if err := writeJSON(e, results); err != nil {
					return err
				}
			case "text":
				writeText(e.stdout, results)
			default:
				return usageErr("--output %q: use text or json", output)
			}
			for _, r := range results {
				if !r.Valid {
					return &exitError{code: ExitFindings}
				}
			}
			return nil
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return c
}

func lintOne(path string) (finding.List, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	var fl finding.List
	if st.IsDir() {
		_, fl, err = pack.LoadDir(path)
	} else {
		f, oerr := os.Open(path)
		if oerr != nil {
			return nil, oerr
		}
		defer f.Close()
		_, fl, err = pack.LoadTarball(f)
	}
	if err != nil && fl == nil {
		return nil, fmt.Errorf("pack %s: %w", path, err)
	}
	prefix := strings.TrimSuffix(path, "/") + "/"
	if !st.IsDir() {
		prefix = path + ":"
	}
	for i := range fl {
		fl[i].File = prefix + fl[i].File
	}
	fl.Sort()
	if fl == nil {
		fl = finding.List{}
	}
	return fl, nil
}

func writeJSON(e *env, v any) error {
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return ioErr(err)
	}
	return nil
}
