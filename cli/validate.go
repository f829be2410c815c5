package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/profile"
)

type validateFlags struct {
	output        string
	packRef       string
	cloud         string
	sets          []string
	allowEmulator bool
}

func (e *env) validateCmd() *cobra.Command {
	var f validateFlags
	c := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check cluster profiles (or a bare values file) and report every finding",
		Long: `validate checks cluster profiles in Palette's export shape (JSON or YAML) and reports
every finding as FILE:LINE:COL: SEVERITY CODE PATH: message (hint).

With --pack and --cloud it checks a bare values file for one pack instead:
  byoos validate --pack generic-byoi@1.0.x --cloud aws values.yaml

Exit status: 0 when there is no error, 1 when there are errors, 2 for usage or I/O errors.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return e.runValidate(args, f) },
	}
	c.Flags().StringVarP(&f.output, "output", "o", "text", "output format: text or json")
	c.Flags().StringVar(&f.packRef, "pack", "", "validate bare values files for this pack, NAME@TAG (e.g. generic-byoi@1.0.x)")
	c.Flags().StringVar(&f.cloud, "cloud", "", "cloud type for --pack (aws, azure, vsphere, edge-native, ...)")
	c.Flags().StringArrayVar(&f.sets, "set", nil, "cluster context for macros: system.KEY=V, var.NAME=V, macro.NAME=V (repeatable)")
	c.Flags().BoolVar(&f.allowEmulator, "allow-emulator", false, "accept Azure storage emulator (Azurite) blob URLs")
	return c
}

// fileResult is one file's findings, for -o json.
type fileResult struct {
	File     string       `json:"file"`
	Valid    bool         `json:"valid"`
	Errors   int          `json:"errors"`
	Warnings int          `json:"warnings"`
	Findings finding.List `json:"findings"`
}

func (e *env) runValidate(files []string, f validateFlags) error {
	if f.output != "text" && f.output != "json" {
		return usageErr("--output %q: use text or json", f.output)
	}
	if (f.packRef == "") != (f.cloud == "") {
		return usageErr("--pack and --cloud go together")
	}
	o := profile.Options{AllowEmulator: f.allowEmulator}
	if err := parseSets(f.sets, &o); err != nil {
		return err
	}
	v, err := e.validator()
	if err != nil {
		return err
	}
	var results []fileResult
	for _, name := range files {
		display, _, fl, err := e.loadAndValidate(v, name, f.packRef, f.cloud, o)
		if err != nil {
			return err
		}
		results = append(results, fileResult{File: display, Valid: !fl.HasErrors(), Errors: fl.Count(finding.Error), Warnings: fl.Count(finding.Warning), Findings: fl})
	}
	if f.output == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return ioErr(err)
		}
	} else {
		writeText(e.stdout, results)
	}
	for _, r := range results {
		if !r.Valid {
			return &exitError{code: ExitFindings}
		}
	}
	return nil
}

// loadAndValidate reads a profile document (or, with packRef and cloud, a
// bare values file for that pack) and validates it: the one way validate,
// verify and the other file commands load a file. The result is nil when
// the document could not be parsed (its finding is in fl).
func (e *env) loadAndValidate(v *profile.Validator, name, packRef, cloud string, o profile.Options) (string, *profile.Result, finding.List, error) {
	src, err := e.readInput(name)
	if err != nil {
		return "", nil, nil, err
	}
	display := name
	if name == "-" {
		display = "<stdin>"
	}
	var r *profile.Result
	if packRef != "" {
		pname, tag, _ := strings.Cut(packRef, "@")
		found, err := v.Packs.FindPack(e.ctx, profile.PackRef{Name: pname, Tag: tag})
		if err != nil {
			return "", nil, nil, usageErr("--pack %s: %v", packRef, err)
		}
		r = v.ValidateValues(display, src, found.Pack, cloud, o)
	} else {
		d, err := profile.Parse(display, src)
		if err != nil {
			var pe *profile.ParseError
			if asParseError(err, &pe) {
				return display, nil, finding.List{pe.Finding()}, nil
			}
			return "", nil, nil, ioErr(err)
		}
		if r, err = v.Validate(e.ctx, d, o); err != nil {
			return "", nil, nil, ioErr(err)
		}
	}
	fl := r.Findings
	if fl == nil {
		fl = finding.List{}
	}
	return display, r, fl, nil
}

func writeText(w io.Writer, results []fileResult) {
	for _, r := range results {
		for _, f := range r.Findings {
			fmt.Fprintln(w, f.String())
		}
	}
	var errs, warns int
	for _, r := range results {
		errs += r.Errors
		warns += r.Warnings
	}
	fmt.Fprintf(w, "%d file(s): %d error(s), %d warning(s)\n", len(results), errs, warns)
}
