package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/client"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/wire"
)

func (e *env) profileCmd() *cobra.Command {
	f := &connFlags{}
	c := &cobra.Command{
		Use:   "profile",
		Short: "Apply, list, show, publish, export and delete cluster profiles on a byoos server",
		Long: `profile manages the cluster profiles of a byoos server's project: the one
configured (--project, BYOOS_PROJECT or the config file), else the project named
Default; --tenant acts at tenant scope instead. A project also sees, read-only, its
tenant's profiles.

  byoos profile apply examples/aws.yaml --publish
  byoos profile list
  byoos profile get rhel8-aws
  byoos profile export rhel8-aws > rhel8-aws.yaml
  byoos profile verify rhel8-aws --region eu-west-1
  byoos profile render rhel8-aws --target capi --cluster prod --region eu-west-1

` + connHelp,
	}
	f.register(c.PersistentFlags())
	f.registerScope(c.PersistentFlags(), "profiles")
	c.AddCommand(e.profileApplyCmd(f), e.profileGetCmd(f), e.profileListCmd(f), e.profileDeleteCmd(f), e.profilePublishCmd(f), e.profileExportCmd(f), e.profileVerifyCmd(f), e.profileRenderCmd(f))
	return c
}

// actionRefused: the server refused the profile (its findings say why).
const actionRefused = "refused"

// applyResult is what apply did with one file.
type applyResult struct {
	File      string       `json:"file"`
	Name      string       `json:"name"`
	Version   string       `json:"version"`
	UID       string       `json:"uid,omitempty"`
	Action    string       `json:"action"`
	Published bool         `json:"published"`
	Message   string       `json:"message,omitempty"`
	Findings  finding.List `json:"findings,omitempty"`
}

func (e *env) profileApplyCmd(f *connFlags) *cobra.Command {
	var (
		output  string
		publish bool
	)
	c := &cobra.Command{
		Use:   "apply FILE...",
		Short: "Create or update cluster profiles from documents in Palette's export shape (YAML or JSON)",
		Long: `apply creates each profile (metadata.name, spec.version) in the project, or updates
it when the project has it already: the draft is replaced and, when the profile was
published or with --publish, published again. The server validates every profile;
a refused profile's findings are printed as FILE:LINE:COL: SEVERITY CODE PATH: message (hint).

An update says "unchanged" when the profile's export is the same afterwards and
what was published still is (the write still happens, and counts as a revision), and
"published" when only the publishing changed something. An update sends the revision it read
(If-Match): a profile changed by someone else meanwhile is refused, not overwritten.

Exit status: 0 when every profile was applied, 1 when any was refused, 2 for usage or I/O errors.`,
		Args: cobra.MinimumNArgs(1),
		RunE: e.withClient(f, false, func(cl *client.Client, args []string) error {
			if err := checkOutput(output, "table", "json", "yaml"); err != nil {
				return err
			}
			var results []applyResult
			var hard error
			for _, name := range args {
				r, err := e.applyOne(cl, name, publish)
				if err != nil {
					hard = err
					break
				}
				results = append(results, r)
			}
			if err := e.emitApply(output, results); err != nil {
				return err
			}
			if hard != nil {
				return hard
			}
			refused := 0
			for _, r := range results {
				if r.Action == actionRefused {
					refused++
				}
			}
			if refused > 0 {
				return &exitError{code: ExitFindings, err: fmt.Errorf("%d of %d profile(s) refused", refused, len(results))}
			}
			return nil
		}),
	}
	addOutputFlag(c, &output)
	c.Flags().BoolVar(&publish, "publish", false, "publish each profile (a profile that was published is published again anyway)")
	return c
}

func (e *env) emitApply(output string, results []applyResult) error {
	if results == nil {
		results = []applyResult{}
	}
	return e.emit(output, results, func(w io.Writer) error {
		for _, r := range results {
			printFindings(e.stdout, r.Findings)
			if r.Action == actionRefused && r.Message != "" {
				fmt.Fprintf(e.stdout, "%s: %s\n", r.File, r.Message)
			}
		}
		row(w, "FILE", "NAME", "VERSION", "ACTION", "PUBLISHED", "UID")
		for _, r := range results {
			row(w, r.File, r.Name, r.Version, r.Action, yesNo(r.Published), r.UID)
		}
		return nil
	})
}

// applyOne applies one file. Refusals are results; the error is for what
// stops apply altogether (I/O, authentication, a server fault).
func (e *env) applyOne(cl *client.Client, name string, publish bool) (applyResult, error) {
	display := name
	if name == "-" {
		display = "<stdin>"
	}
	r := applyResult{File: display}
	src, err := e.readInput(name)
	if err != nil {
		return r, err
	}
	d, err := profile.Parse(display, src)
	if err != nil {
		var pe *profile.ParseError
		if errors.As(err, &pe) {
			r.Action, r.Findings = actionRefused, finding.List{pe.Finding()}
			return r, nil
		}
		return r, ioErr(err)
	}
	a, err := cl.Apply(e.ctx, &d.Profile, publish)
	r.Name, r.Version, r.UID, r.Action, r.Published = a.Name, a.Version, a.UID, a.Action, a.Published
	if err == nil {
		return r, nil
	}
	var ae *client.APIError
	if !client.IsRefusal(err) || !errors.As(err, &ae) {
		return r, err
	}
	r.Action = actionRefused
	if len(ae.Findings) > 0 {
		r.Findings = placeFindings(d, ae.Findings)
		r.Message = fmt.Sprintf("refused by the server: %d error(s)", r.Findings.Count(finding.Error))
	} else {
		r.Message = "refused by the server: " + ae.Message
	}
	if ae.Code == wire.CodeConflict {
		r.Message += " (it changed after apply read it: look at the change, then run apply again)"
	}
	if bytes.Contains(src, []byte(secret.Mask)) {
		r.Message += "; the document holds masked secrets (" + secret.Mask + "), as exports do: they stand for the stored values only when updating the profile they came from, so put the real values back"
	}
	return r, nil
}

// placeFindings points the server's findings into the document applied, as
// `byoos validate` would: the server sees no file, so a finding carries the
// document field it is about and, inside a layer's values, a line and
// column counted in that values text.
func placeFindings(d *profile.Document, fl finding.List) finding.List {
	out := make(finding.List, 0, len(fl))
	for _, f := range fl {
		out = append(out, placeFinding(d, f))
	}
	out.Sort()
	return out
}

func placeFinding(d *profile.Document, f finding.Finding) finding.Finding {
	if f.File != "" || f.Field == "" {
		return f
	}
	if i, ok := valuesLayer(f.Field); ok && f.Line > 0 {
		return d.MapValues(i, f)
	}
	f.File = d.File
	if f.Line == 0 {
		pos := d.Pos(f.Field)
		f.Line, f.Column = pos.Line, pos.Column
	}
	return f
}

// valuesLayer returns i for the field spec.template.packs[i].values.
func valuesLayer(field string) (int, bool) {
	rest, ok := strings.CutPrefix(field, "spec.template.packs[")
	if !ok {
		return 0, false
	}
	num, ok := strings.CutSuffix(rest, "].values")
	if !ok {
		return 0, false
	}
	i, err := strconv.Atoi(num)
	return i, err == nil && i >= 0
}

func (e *env) profileGetCmd(f *connFlags) *cobra.Command {
	var output, version string
	c := &cobra.Command{
		Use:   "get NAME|UID",
		Short: "Show a cluster profile: its status and layers (-o json or yaml: everything, values included)",
		Args:  cobra.ExactArgs(1),
		RunE: e.withClient(f, false, func(cl *client.Client, args []string) error {
			if err := checkOutput(output, "table", "json", "yaml"); err != nil {
				return err
			}
			sum, err := cl.FindProfile(e.ctx, args[0], version)
			if err != nil {
				return err
			}
			p, err := cl.Profile(e.ctx, sum.UID)
			if err != nil {
				return err
			}
			if output != "table" {
				return e.emit(output, p, nil)
			}
			regs := registryNames(e.ctx, cl)
			return e.emit(output, p, func(w io.Writer) error { return writeProfileTable(w, p, regs) })
		}),
	}
	addOutputFlag(c, &output)
	c.Flags().StringVar(&version, "version", "", "the profile version, when the name has several")
	return c
}

// registryNames maps registry uids to names, as far as they can be listed.
func registryNames(ctx context.Context, cl *client.Client) map[string]string {
	names := map[string]string{}
	if rs, err := cl.Registries(ctx); err == nil {
		for _, r := range rs {
			names[r.UID] = r.Name
		}
	}
	return names
}

func writeProfileTable(w io.Writer, p *wire.ClusterProfile, regs map[string]string) error {
	status := wire.StatusDraft
	if p.Status.IsPublished {
		status = wire.StatusPublished
		if p.Spec.Draft != nil && p.Spec.Published != nil && !reflect.DeepEqual(p.Spec.Draft.Packs, p.Spec.Published.Packs) {
			status += " (the draft has changes not published)"
		}
	}
	t := p.Spec.Draft
	if t == nil {
		t = &wire.ProfileTemplate{}
	}
	row(w, "NAME:", p.Metadata.Name)
	row(w, "VERSION:", p.Spec.Version)
	row(w, "UID:", p.Metadata.UID)
	row(w, "CLOUD TYPE:", t.CloudType)
	row(w, "TYPE:", t.Type)
	row(w, "STATUS:", status)
	row(w, "REVISION:", p.Metadata.ResourceVersion)
	fmt.Fprintln(w)
	row(w, "LAYER", "PACK", "TAG", "VERSION", "REGISTRY")
	for _, l := range t.Packs {
		reg := regs[l.RegistryUID]
		if reg == "" {
			reg = l.RegistryUID
		}
		row(w, l.Layer, l.Name, l.Tag, l.Version, reg)
	}
	if len(p.Status.Findings) > 0 {
		fmt.Fprintln(w)
		for _, fd := range p.Status.Findings {
			fmt.Fprintln(w, fd.String())
		}
	}
	return nil
}

func (e *env) profileListCmd(f *connFlags) *cobra.Command {
	var output, name string
	c := &cobra.Command{
		Use:   "list",
		Short: "List the cluster profiles of the project, every version",
		Args:  cobra.NoArgs,
		RunE: e.withClient(f, false, func(cl *client.Client, _ []string) error {
			if err := checkOutput(output, "table", "json", "yaml"); err != nil {
				return err
			}
			ps, err := cl.Profiles(e.ctx, name)
			if err != nil {
				return err
			}
			client.SortByVersion(ps)
			return e.emit(output, ps, func(w io.Writer) error {
				row(w, "NAME", "VERSION", "CLOUD TYPE", "TYPE", "STATUS", "UID")
				for _, p := range ps {
					row(w, p.Name, p.Version, p.CloudType, p.Type, p.Status, p.UID)
				}
				return nil
			})
		}),
	}
	addOutputFlag(c, &output)
	c.Flags().StringVar(&name, "name", "", "only the versions of this profile")
	return c
}

// profileAction is what delete and publish print.
type profileAction struct {
	UID     string `json:"uid"`
	Name    string `json:"name"`
	Version string `json:"version"`
	Action  string `json:"action"`
}

func (e *env) profileActionCmd(f *connFlags, use, short, action string, do func(cl *client.Client, p client.ProfileSummary) error) *cobra.Command {
	var output, version string
	c := &cobra.Command{
		Use:   use + " NAME|UID",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: e.withClient(f, false, func(cl *client.Client, args []string) error {
			if err := checkOutput(output, "table", "json", "yaml"); err != nil {
				return err
			}
			p, err := cl.FindProfile(e.ctx, args[0], version)
			if err != nil {
				return err
			}
			if err := do(cl, p); err != nil {
				return err
			}
			res := profileAction{UID: p.UID, Name: p.Name, Version: p.Version, Action: action}
			return e.emit(output, res, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "%s cluster profile %s %s (uid %s)\n", action, cell(p.Name), cell(p.Version), cell(p.UID))
				return err
			})
		}),
	}
	addOutputFlag(c, &output)
	c.Flags().StringVar(&version, "version", "", "the profile version, when the name has several")
	return c
}

func (e *env) profileDeleteCmd(f *connFlags) *cobra.Command {
	return e.profileActionCmd(f, "delete", "Delete a cluster profile version", "deleted", func(cl *client.Client, p client.ProfileSummary) error {
		return cl.DeleteProfile(e.ctx, p.UID, p.ResourceVersion())
	})
}

func (e *env) profilePublishCmd(f *connFlags) *cobra.Command {
	return e.profileActionCmd(f, "publish", "Publish a cluster profile version's draft", "published", func(cl *client.Client, p client.ProfileSummary) error {
		return cl.PublishProfile(e.ctx, p.UID, p.ResourceVersion())
	})
}

func (e *env) profileExportCmd(f *connFlags) *cobra.Command {
	var output, version string
	c := &cobra.Command{
		Use:   "export NAME|UID",
		Short: "Print a cluster profile in Palette's export shape, which apply takes back (secrets masked)",
		Args:  cobra.ExactArgs(1),
		RunE: e.withClient(f, false, func(cl *client.Client, args []string) error {
			if err := checkOutput(output, "yaml", "json"); err != nil {
				return err
			}
			sum, err := cl.FindProfile(e.ctx, args[0], version)
			if err != nil {
				return err
			}
			p, err := cl.ExportProfile(e.ctx, sum.UID)
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(e, p)
			}
			enc := yaml.NewEncoder(e.stdout)
			enc.SetIndent(2)
			if err := enc.Encode(p); err != nil {
				return ioErr(err)
			}
			if err := enc.Close(); err != nil {
				return ioErr(err)
			}
			return nil
		}),
	}
	c.Flags().StringVarP(&output, "output", "o", "yaml", "output format: yaml or json")
	c.Flags().StringVar(&version, "version", "", "the profile version, when the name has several")
	return c
}
