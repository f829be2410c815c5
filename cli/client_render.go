package cli

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/byoos/byoos/client"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/render"
	"github.com/byoos/byoos/wire"
)

func (e *env) profileRenderCmd(cf *connFlags) *cobra.Command {
	var (
		f       renderFlags
		version string
		draft   bool
	)
	c := &cobra.Command{
		Use:   "render NAME|UID",
		Short: "Have the server render a stored profile: its values, Cluster API machine templates or Edge user-data",
		Long: `render asks the server to render a stored cluster profile (its published version, or its
draft when it was never published or with --draft) for the cluster context given, and prints
what byoos render prints for a file: the same --target, -o, context flags and keys, and
--arm-out for the ARM template of an Azure profile's managed image.

The server masks secrets. --show-secrets (Edge user-data a host can use) takes an admin
API key; a read-only key may render, masked.

  byoos profile render rhel8-aws --target capi --cluster prod --region us-east-1 | kubectl apply -f -

Context keys:
` + render.KeysHelp() + `
Exit status: 0 when rendered; 1 when the profile does not validate (its findings go to
standard error), the server refuses it or it is not found; 2 for a missing or wrong context
value, a target the profile's cloud does not have, and other usage errors.`,
		Args: cobra.ExactArgs(1),
		RunE: e.withClient(cf, false, func(cl *client.Client, args []string) error {
			target, err := f.check()
			if err != nil {
				return err
			}
			rc, err := e.renderContext(f)
			if err != nil {
				return err
			}
			p, err := cl.FindProfile(e.ctx, args[0], version)
			if err != nil {
				return err
			}
			r, err := cl.RenderProfile(e.ctx, p.UID, wire.RenderRequest{Target: string(target), Context: rc.Params(), ShowSecrets: f.showSecrets, Draft: draft})
			if err != nil {
				return e.remoteRenderErr(p, target, err)
			}
			for _, fd := range r.Findings {
				if fd.Severity != finding.Info {
					fmt.Fprintln(e.stderr, fd.String())
				}
			}
			if target == render.TargetValues {
				if len(r.Documents) != 1 {
					return ioErr(fmt.Errorf("the server answered %d documents for --target values", len(r.Documents)))
				}
				var out profile.Profile
				if err := json.Unmarshal(r.Documents[0].Object, &out); err != nil {
					return ioErr(fmt.Errorf("the server's profile: %w", err))
				}
				return writeProfile(e.stdout, &out, f.output)
			}
			return e.writeDocs(fromWire(r.Documents), f)
		}),
	}
	f.register(c.Flags())
	c.Flags().StringVar(&version, "version", "", "the profile version, when the name has several")
	c.Flags().BoolVar(&draft, "draft", false, "render the draft of a published profile")
	return c
}

// fromWire turns the server's documents back into render's, so that they
// are written as byoos render writes them.
func fromWire(ds []wire.RenderedDocument) []render.Document {
	out := make([]render.Document, 0, len(ds))
	for _, d := range ds {
		rd := render.Document{Name: d.Name, Format: render.Format(d.Format)}
		if rd.Format == render.FormatCloudConfig {
			rd.Text = d.YAML
		} else {
			rd.Object = d.Object
		}
		out = append(out, rd)
	}
	return out
}

// remoteRenderErr gives the server's refusals byoos render's exit codes: a
// profile that does not validate prints its findings and exits 1, a
// request the target cannot serve (a context key, a target) exits 2.
func (e *env) remoteRenderErr(p client.ProfileSummary, target render.Target, err error) error {
	var ae *client.APIError
	if !errors.As(err, &ae) {
		return err
	}
	switch ae.Code {
	case wire.CodeInvalidProfile:
		printFindings(e.stderr, ae.Findings)
		if len(ae.Findings) > 0 {
			fmt.Fprintf(e.stderr, "byoos: %s@%s does not validate: nothing rendered for --target %s\n", p.Name, p.Version, target)
			return &exitError{code: ExitFindings}
		}
		return &exitError{code: ExitFindings, err: errors.New(ae.Message)}
	case wire.CodeBadRequest:
		return usageErr("%s", ae.Message)
	}
	return err
}
