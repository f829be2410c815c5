package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/byoos/byoos/byoi"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/wire"
)

// Defaults of verify.
const (
	defaultVerifyTimeout  = 30 * time.Second
	defaultVerifyParallel = 32
	// defaultVerifyCacheTTL is how long a check's result is reused by later
	// runs (--cache-ttl).
	defaultVerifyCacheTTL = 10 * time.Minute
)

type verifyFlags struct {
	output        string
	region        string
	arch          string
	alsoRegions   []string
	cloud         string
	packRef       string
	timeout       time.Duration
	parallel      int
	sets          []string
	allowEmulator bool
	clouds        cloudSettings
	cacheTTL      time.Duration
}

func (e *env) verifyCmd() *cobra.Command {
	var f verifyFlags
	c := &cobra.Command{
		Use:   "verify FILE...",
		Short: "Check that the images a profile names exist where the cluster will run",
		Long: `verify validates each profile (or bare values file) as validate does, refusing an invalid
one with its findings, and then checks every image it names where the cluster will run:

  edge-native  options.system.uri and each pack.content.images entry of edge-native-byoi
               resolve in their registry with providerCredentials (basic authentication,
               the CA certificate), their tag resolves to a digest (printed), and the image
               or index has a linux/amd64 or linux/arm64 platform (only the --arch one,
               when given).
  aws          generic-byoi's AMI exists in --region, is available, has the --arch
               architecture and is not deprecated; when it is missing, which other
               regions have it, and the aws ec2 copy-image command
  azure        the VHD blob exists, is a page blob of whole MiBs plus its footer, a fixed
               VHD, readable with the credential
  vsphere      the template exists and is a template (not a VM); an OVA URL answers and
               its name has the r_u- prefix

Checks run concurrently (--parallel) with a time limit each (--timeout). A check's result
is reused by later runs for --cache-ttl (10 minutes; 0 turns the cache off), kept in the
user's cache directory (byoos/verify) without any credential; a check that ran out of time
is not kept. The server (byoos profile verify) caches results for the time its
--verify-cache-ttl gives, and records the Edge digests of a published profile version so
that a tag that moved since is reported.

  byoos verify --region eu-west-1 profile.yaml
  byoos verify --cloud edge-native values.yaml        (a bare values file of edge-native-byoi)

Credentials: AWS from the standard AWS chain (--aws-endpoint overrides the endpoint); Azure
from a SAS in the URL, else the key of AZURE_STORAGE_ACCOUNT in AZURE_STORAGE_KEY, else with
--azure-identity the default Azure chain; vSphere from --vsphere-url, --vsphere-user and
GOVC_PASSWORD or VSPHERE_PASSWORD. No password is ever read from a flag.

Exit status: 0 when every image holds, 1 on any error finding (an invalid profile included),
2 for usage or I/O errors.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error { return e.runVerify(args, f) },
	}
	c.Flags().StringVarP(&f.output, "output", "o", "text", "output format: text or json")
	c.Flags().StringVar(&f.region, "region", "", "the cluster's cloud region (required for AWS images; sets the system macro cloud.region)")
	c.Flags().StringVar(&f.arch, "arch", "", "the machines' architecture: x86_64 or arm64 (default x86_64 for AWS; Edge accepts either unless given)")
	c.Flags().StringSliceVar(&f.alsoRegions, "also-regions", nil, "regions to search when an AMI is missing in --region (comma-separated)")
	c.Flags().StringVar(&f.cloud, "cloud", "", "verify bare values files of this cloud's BYOOS pack (aws, azure, vsphere: generic-byoi; edge-native: edge-native-byoi)")
	c.Flags().StringVar(&f.packRef, "pack", "", "with --cloud, the pack and tag of the values, NAME@TAG (default: the cloud's BYOOS pack, newest version)")
	c.Flags().DurationVar(&f.timeout, "timeout", defaultVerifyTimeout, "time limit of each image's check")
	c.Flags().IntVar(&f.parallel, "parallel", defaultVerifyParallel, "most checks running at once")
	c.Flags().StringArrayVar(&f.sets, "set", nil, "cluster context for macros: system.KEY=V, var.NAME=V, macro.NAME=V (repeatable)")
	c.Flags().BoolVar(&f.allowEmulator, "allow-emulator", false, "accept Azure storage emulator (Azurite) blob URLs")
	c.Flags().DurationVar(&f.cacheTTL, "cache-ttl", defaultVerifyCacheTTL, "reuse a check's result from an earlier run for this long (0: check again)")
	addCloudFlags(c, &f.clouds)
	return c
}

// verifyFileResult is one file's verification, for -o json: validate's
// fields and each image's result.
type verifyFileResult struct {
	File     string              `json:"file"`
	Valid    bool                `json:"valid"`
	Errors   int                 `json:"errors"`
	Warnings int                 `json:"warnings"`
	Results  []wire.VerifyResult `json:"results"`
	Findings finding.List        `json:"findings"`
}

// verifyTarget checks the flags of where the cluster runs.
func verifyTarget(region, arch string, also []string) (preflight.Target, error) {
	switch arch {
	case "", "x86_64", "arm64":
	default:
		return preflight.Target{}, usageErr("--arch %q: use x86_64 or arm64", arch)
	}
	return preflight.Target{Region: strings.TrimSpace(region), Arch: arch, AlsoRegions: also}, nil
}

func (e *env) runVerify(files []string, f verifyFlags) error {
	if f.output != "text" && f.output != "json" {
		return usageErr("--output %q: use text or json", f.output)
	}
	t, err := verifyTarget(f.region, f.arch, f.alsoRegions)
	if err != nil {
		return err
	}
	if f.parallel < 1 {
		return usageErr("--parallel %d: give at least 1", f.parallel)
	}
	if f.timeout <= 0 {
		return usageErr("--timeout %s: give a positive duration such as 30s", f.timeout)
	}
	if f.packRef != "" && f.cloud == "" {
		return usageErr("--pack needs --cloud")
	}
	packRef := f.packRef
	if f.cloud != "" && packRef == "" {
		packRef = byoi.Generic
		if f.cloud == preflight.Edge {
			packRef = byoi.Edge
		}
	}
	o := profile.Options{AllowEmulator: f.allowEmulator}
	if err := parseSets(f.sets, &o); err != nil {
		return err
	}
	if t.Region != "" {
		if o.System == nil {
			o.System = map[string]string{}
		}
		if _, set := o.System["cloud.region"]; !set {
			o.System["cloud.region"] = t.Region
		}
	}
	v, err := e.validator()
	if err != nil {
		return err
	}
	results := make([]verifyFileResult, 0, len(files))
	var imgs []preflight.Image
	var owner []int // the file of each image
	invalid := false
	for _, name := range files {
		display, r, fl, err := e.loadAndValidate(v, name, packRef, f.cloud, o)
		if err != nil {
			return err
		}
		i := len(results)
		results = append(results, verifyFileResult{File: display, Valid: !fl.HasErrors(), Results: []wire.VerifyResult{}, Findings: finding.List{}})
		if fl.HasErrors() {
			invalid = true
			results[i].Findings = fl
			continue
		}
		for _, img := range preflight.Images(r) {
			if img.Cloud == preflight.AWS && t.Region == "" {
				return usageErr("--region is required: %s names an AWS AMI (%s), which exists in one region", display, img.Ref)
			}
			imgs = append(imgs, img)
			owner = append(owner, i)
		}
	}
	if invalid {
		// An invalid profile is refused with its findings: nothing is checked.
		return e.writeVerify(f.output, results, true)
	}
	checkers, release, err := buildCheckers(f.clouds.withEnv(e.getenv), imgs)
	if err != nil {
		return ioErr(err)
	}
	defer release()
	if f.cacheTTL < 0 {
		return usageErr("--cache-ttl %s: give 0 or a positive duration", f.cacheTTL)
	}
	if f.cacheTTL > 0 {
		if dir, err := os.UserCacheDir(); err == nil {
			if disk, err := preflight.NewDiskCache(filepath.Join(dir, "byoos", "verify"), f.cacheTTL); err == nil {
				for cloud, c := range checkers {
					checkers[cloud] = preflight.Cached(c, disk, "cli")
				}
			}
		}
	}
	opts := preflight.Options{Parallel: f.parallel, Timeout: f.timeout}
	if isTerminal(e.stderr) && len(imgs) > 0 {
		opts.Progress = func(done, total int, _ preflight.Result) {
			fmt.Fprintf(e.stderr, "\rverifying: %d/%d image(s)", done, total)
			if done == total {
				fmt.Fprint(e.stderr, "\r\033[K")
			}
		}
	}
	rs := preflight.Run(e.ctx, imgs, t, checkers, opts)
	for k, r := range rs {
		rep := preflight.Report([]preflight.Result{r})
		fr := &results[owner[k]]
		fr.Results = append(fr.Results, rep.Results...)
		fr.Findings = append(fr.Findings, rep.Findings...)
	}
	return e.writeVerify(f.output, results, false)
}

// withEnv returns s completed from the environment.
func (s cloudSettings) withEnv(getenv func(string) string) cloudSettings {
	s.fromEnv(getenv)
	return s
}

// writeVerify prints the results and returns the exit status: findings
// with an error exit 1.
func (e *env) writeVerify(output string, results []verifyFileResult, invalid bool) error {
	bad := false
	for i := range results {
		r := &results[i]
		r.Errors, r.Warnings = r.Findings.Count(finding.Error), r.Findings.Count(finding.Warning)
		r.Valid = r.Valid && r.Errors == 0
		bad = bad || r.Errors > 0
	}
	if output == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(results); err != nil {
			return ioErr(err)
		}
	} else {
		writeVerifyText(e.stdout, results, invalid)
	}
	if bad {
		return &exitError{code: ExitFindings}
	}
	return nil
}

// writeVerifyText prints a line per image (✓ or ✗, the image, what was
// checked), each image's findings after it as validate prints them, and a
// summary.
func writeVerifyText(w io.Writer, results []verifyFileResult, invalid bool) {
	n, holds, errs, warns := 0, 0, 0, 0
	for _, fr := range results {
		errs += fr.Errors
		warns += fr.Warnings
		if !fr.Valid && len(fr.Results) == 0 {
			for _, f := range fr.Findings {
				fmt.Fprintln(w, f.String())
			}
			if invalid {
				fmt.Fprintf(w, "%s does not validate: its images were not checked (byoos validate %s)\n", fr.File, fr.File)
			}
			continue
		}
		if len(fr.Results) == 0 {
			fmt.Fprintf(w, "%s names no image to verify\n", fr.File)
		}
		rest := fr.Findings
		for _, r := range fr.Results {
			n++
			mark := "✗"
			if r.Holds {
				mark, holds = "✓", holds+1
			}
			what := r.Checked
			if what == "" || !r.Holds {
				what = r.Ref
			}
			at := finding.Finding{File: r.File, Line: r.Line, Column: r.Column, Layer: r.Layer, Path: r.Path}
			fmt.Fprintf(w, "%s %s %s %s (%s)\n", mark, r.Cloud, r.Role, what, strings.TrimSpace(at.Location()+" "+at.QualifiedPath()))
			// The findings of this image follow it.
			k := 0
			for k < len(rest) && rest[k].File == r.File && rest[k].Line == r.Line && rest[k].Column == r.Column && rest[k].Path == r.Path {
				fmt.Fprintln(w, "  "+rest[k].String())
				k++
			}
			rest = rest[k:]
		}
		for _, f := range rest {
			fmt.Fprintln(w, f.String())
		}
	}
	fmt.Fprintf(w, "%d image(s): %d hold, %d do not; %d error(s), %d warning(s)\n", n, holds, n-holds, errs, warns)
}

// isTerminal reports whether w is an interactive terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
