package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/render"
)

func asParseError(err error, pe **profile.ParseError) bool { return errors.As(err, pe) }

// renderFlags are the flags of byoos render.
type renderFlags struct {
	output, target, contextFile, armOut string
	cluster, namespace, region          string
	sets, params                        []string
	showSecrets, allowEmulator          bool
}

func (e *env) renderCmd() *cobra.Command {
	var f renderFlags
	c := &cobra.Command{
		Use:   "render FILE",
		Short: "Render a cluster profile: its values, Cluster API machine templates or Edge user-data",
		Long: `render resolves every {{ .spectro.* }} macro of the profile for the cluster context given
with --set, resolves pack tags to versions, masks secrets (unless --show-secrets), and
prints the --target:

  values          the profile itself, resolved (the default; -o yaml or json)
  capi            the Cluster API objects that boot the profile's BYOOS image:
                    aws      an AWSMachineTemplate (infrastructure.cluster.x-k8s.io/v1beta2)
                    azure    an AzureMachineTemplate (v1beta1) on standard output, and the ARM
                             template of the managed image made from the VHD in --arm-out FILE
                             (CAPZ cannot boot a VHD URL: deploy the ARM template first)
                    vsphere  a VSphereMachineTemplate (v1beta1; vsphere.apiVersion=v1beta2)
                  as a YAML stream for kubectl apply -f - (-o json: a v1 List)
  edge-user-data  the Edge installer's #cloud-config for an edge-native profile: registry
                  credentials and CA certificate from providerCredentials (masked unless
                  --show-secrets), the provider and content images

The cluster context comes from --context FILE (YAML with the keys below), then
--param KEY=VALUE, then --cluster, --namespace and --region. --cluster and --region
also set the cluster.name and cloud.region macros unless --set gives them.

Context keys:
` + render.KeysHelp() + `
Findings go to standard error. An invalid profile exits 1 with its findings (for
--target values the resolved profile is still printed); a missing or wrong context
value or a target the profile's cloud does not have exits 2.`,
		Example: `  byoos render examples/aws.yaml --target capi --cluster prod --region us-east-1
  byoos render examples/azure.json --target capi --cluster prod --region westeurope \
      --param azure.subscriptionID=01234567-89ab-cdef-0123-4567890abcde \
      --param azure.resourceGroup=byoos-images --arm-out image.json
  byoos render examples/vsphere.yaml --target capi --cluster prod --param "vsphere.network=VM Network"
  byoos render examples/edge-native.yaml --target edge-user-data --show-secrets > user-data
  byoos render examples/aws.yaml --target capi --context cluster.yaml | kubectl apply -f -`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return e.runRender(args[0], f) },
	}
	fl := c.Flags()
	f.register(fl)
	fl.StringArrayVar(&f.sets, "set", nil, "cluster context: system.KEY=V, var.NAME=V, macro.NAME=V (repeatable)")
	fl.BoolVar(&f.allowEmulator, "allow-emulator", false, "accept Azure storage emulator (Azurite) blob URLs")
	return c
}

// register adds the flags byoos render and byoos profile render share.
func (f *renderFlags) register(fl *pflag.FlagSet) {
	fl.StringVarP(&f.output, "output", "o", "yaml", "output format: yaml or json")
	fl.StringVar(&f.target, "target", string(render.TargetValues), "what to render: values, capi or edge-user-data")
	fl.BoolVar(&f.showSecrets, "show-secrets", false, "print secret values instead of masking them")
	fl.StringVar(&f.cluster, "cluster", "", "Cluster API cluster name (context key cluster)")
	fl.StringVar(&f.namespace, "namespace", "", "namespace of the machine templates (context key namespace; default default)")
	fl.StringVar(&f.region, "region", "", "cloud region; the Azure location of the managed image (context key region)")
	fl.StringVar(&f.contextFile, "context", "", "cluster context file (YAML with the context keys)")
	fl.StringArrayVar(&f.params, "param", nil, "context key: KEY=VALUE, e.g. aws.instanceType=m6i.large (repeatable)")
	fl.StringVar(&f.armOut, "arm-out", "", "azure: write the ARM template of the managed image to this file")
}

// check checks the flags' values that need no profile.
func (f renderFlags) check() (render.Target, error) {
	if f.output != "yaml" && f.output != "json" {
		return "", usageErr("--output %q: use yaml or json", f.output)
	}
	target := render.Target(f.target)
	known := false
	for _, t := range render.AllTargets() {
		known = known || t == target
	}
	if !known {
		return "", usageErr("--target %q: use values, capi or edge-user-data", f.target)
	}
	if target == render.TargetEdgeUserData && f.output == "json" {
		return "", usageErr("--target edge-user-data writes #cloud-config YAML; -o json does not apply")
	}
	if f.armOut != "" && target != render.TargetCAPI {
		return "", usageErr("--arm-out applies to --target capi of an azure profile")
	}
	return target, nil
}

func (e *env) runRender(file string, f renderFlags) error {
	target, err := f.check()
	if err != nil {
		return err
	}
	rc, err := e.renderContext(f)
	if err != nil {
		return err
	}
	o := profile.Options{ShowSecrets: f.showSecrets, AllowEmulator: f.allowEmulator}
	if err := parseSets(f.sets, &o); err != nil {
		return err
	}
	// The cluster and region of the context are the cluster.name and
	// cloud.region macros too, unless --set says otherwise.
	for k, v := range map[string]string{"cluster.name": rc.Cluster, "cloud.region": rc.Region} {
		if _, set := o.System[k]; v != "" && !set {
			if o.System == nil {
				o.System = map[string]string{}
			}
			o.System[k] = v
		}
	}
	v, err := e.validator()
	if err != nil {
		return err
	}
	src, err := e.readInput(file)
	if err != nil {
		return err
	}
	d, err := profile.Parse(file, src)
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
	for _, fd := range r.Findings {
		if fd.Severity != finding.Info {
			fmt.Fprintln(e.stderr, fd.String())
		}
	}
	if target == render.TargetValues {
		if err := writeProfile(e.stdout, out, f.output); err != nil {
			return err
		}
		if r.Findings.HasErrors() {
			return &exitError{code: ExitFindings}
		}
		return nil
	}
	if r.Findings.HasErrors() {
		fmt.Fprintf(e.stderr, "byoos: %s does not validate: nothing rendered for --target %s\n", file, target)
		return &exitError{code: ExitFindings}
	}
	docs, err := render.Render(out, target, rc)
	if err != nil {
		return renderErr(err)
	}
	return e.writeDocs(docs, f)
}

// renderContext reads --context, then applies --param, --cluster, --namespace
// and --region over it.
func (e *env) renderContext(f renderFlags) (render.Context, error) {
	var rc render.Context
	if f.contextFile != "" {
		src, err := readContextFile(f.contextFile)
		if err != nil {
			return rc, err
		}
		if rc, err = render.ParseContext(f.contextFile, src); err != nil {
			return rc, usageErr("--context: %w", err)
		}
	}
	for _, p := range f.params {
		k, val, ok := strings.Cut(p, "=")
		if !ok {
			return rc, usageErr("--param %q: expected KEY=VALUE, e.g. aws.instanceType=m6i.large", p)
		}
		if err := rc.Set(k, val); err != nil {
			return rc, usageErr("--param: %w", err)
		}
	}
	for _, s := range []struct{ flag, val string }{{"cluster", f.cluster}, {"namespace", f.namespace}, {"region", f.region}} {
		if s.val != "" {
			if err := rc.Set(s.flag, s.val); err != nil {
				return rc, usageErr("--%s: %w", s.flag, err)
			}
		}
	}
	return rc, nil
}

func readContextFile(name string) ([]byte, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, ioErr(fmt.Errorf("--context: %w", err))
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, render.MaxContextBytes+1))
	if err != nil {
		return nil, ioErr(fmt.Errorf("--context: read %s: %w", name, err))
	}
	return b, nil
}

// renderErr turns an error of render.Render into the CLI's: a usage error
// names the flag and the context key to set (exit 2), a profile the target
// cannot use exits 1.
func renderErr(err error) error {
	var ue *render.UsageError
	if errors.As(err, &ue) {
		switch ue.Key {
		case "":
			return usageErr("%s", ue.Msg)
		case "cluster", "namespace", "region":
			return usageErr("%s; give --%s, or set %s in the --context file", ue.Msg, ue.Key, ue.Key)
		default:
			return usageErr("%s; give --param %s=VALUE, or set %s in the --context file", ue.Msg, ue.Key, ue.Key)
		}
	}
	var pe *render.ProfileError
	if errors.As(err, &pe) {
		return &exitError{code: ExitFindings, err: fmt.Errorf("%s: %w", pe.Path, pe)}
	}
	return ioErr(err)
}

// writeDocs writes rendered documents: ARM templates to --arm-out, Kubernetes
// objects to standard output as a YAML stream or a JSON List, cloud-config as is.
func (e *env) writeDocs(docs []render.Document, f renderFlags) error {
	var objs []render.Document
	for _, d := range docs {
		switch d.Format {
		case render.FormatARM:
			if f.armOut == "" {
				return usageErr("an azure profile renders two documents: the ARM template of the managed image (%s) and the AzureMachineTemplate; give --arm-out FILE for the ARM template (standard output gets the AzureMachineTemplate)", d.Name)
			}
			b, err := d.JSON()
			if err != nil {
				return ioErr(err)
			}
			if err := os.WriteFile(f.armOut, b, 0o644); err != nil {
				return ioErr(fmt.Errorf("--arm-out: %w", err))
			}
			fmt.Fprintf(e.stderr, "byoos: wrote the ARM template of %s to %s\n", d.Name, f.armOut)
		case render.FormatCloudConfig:
			if _, err := io.WriteString(e.stdout, d.Text); err != nil {
				return ioErr(err)
			}
		default:
			objs = append(objs, d)
		}
	}
	if f.armOut != "" && len(objs) == len(docs) {
		return usageErr("--arm-out applies to --target capi of an azure profile")
	}
	if len(objs) == 0 {
		return nil
	}
	var err error
	if f.output == "json" {
		err = render.WriteJSONList(e.stdout, objs)
	} else {
		err = render.WriteYAMLStream(e.stdout, objs)
	}
	if err != nil {
		return ioErr(err)
	}
	return nil
}

// writeProfile writes the rendered profile (--target values) as before.
func writeProfile(w io.Writer, out *profile.Profile, output string) error {
	if output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return ioErr(err)
		}
		return nil
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return ioErr(err)
	}
	if err := enc.Close(); err != nil {
		return ioErr(err)
	}
	return nil
}
