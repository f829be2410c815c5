package cli

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/profile"
)

func asParseError(err error, pe **profile.ParseError) bool { return errors.As(err, pe) }

func (e *env) renderCmd() *cobra.Command {
	var (
		output        string
		sets          []string
		showSecrets   bool
		allowEmulator bool
	)
	c := &cobra.Command{
		Use:   "render FILE",
		Short: "Print a cluster profile with every macro resolved",
		Long: `render prints the profile with every {{ .spectro.* }} macro resolved for the cluster
context given with --set, pack tags resolved to versions, and secrets masked
(unless --show-secrets). Findings go to standard error; errors make it exit 1.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if output != "yaml" && output != "json" {
				return usageErr("--output %q: use yaml or json", output)
			}
			o := profile.Options{ShowSecrets: showSecrets, AllowEmulator: allowEmulator}
			if err := parseSets(sets, &o); err != nil {
				return err
			}
			v, err := e.validator()
			if err != nil {
				return err
			}
			src, err := e.readInput(args[0])
			if err != nil {
				return err
			}
			d, err := profile.Parse(args[0], src)
			if err != nil {
				var pe *profile.ParseError
				if errors.As(err, &pe) {
					fmt.Fprintln(e.stderr, pe.Finding().String())
					return &exitError{code: ExitFindings}
				}
				return ioErr(err)
			}
			out, r, err := v.Render(e.ctx, d, o)
			if err != nil {
				return ioErr(err)
			}
			for _, f := range r.Findings {
				if f.Severity != finding.Info {
					fmt.Fprintln(e.stderr, f.String())
				}
			}
			if output == "json" {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(out); err != nil {
					return ioErr(err)
				}
			} else {
				enc := yaml.NewEncoder(e.stdout)
				enc.SetIndent(2)
				if err := enc.Encode(out); err != nil {
					return ioErr(err)
				}
				if err := enc.Close(); err != nil {
					return ioErr(err)
				}
			}
			if r.Findings.HasErrors() {
				return &exitError{code: ExitFindings}
			}
			return nil
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "yaml", "output format: yaml or json")
	c.Flags().StringArrayVar(&sets, "set", nil, "cluster context: system.KEY=V, var.NAME=V, macro.NAME=V (repeatable)")
	c.Flags().BoolVar(&showSecrets, "show-secrets", false, "print secret values instead of masking them")
	c.Flags().BoolVar(&allowEmulator, "allow-emulator", false, "accept Azure storage emulator (Azurite) blob URLs")
	return c
}
