package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	"github.com/spf13/cobra"

	"github.com/byoos/byoos/byoi"
	"github.com/byoos/byoos/client"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/imagesrc"
	"github.com/byoos/byoos/osimage"
	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/profile"
	"github.com/byoos/byoos/secret"
	"github.com/byoos/byoos/wire"
)

// ImportCheck is what `byoos image import --profile` hands its
// ImportVerifier: the new profile version as it is about to be saved.
type ImportCheck struct {
	// Profile is the new version, in Palette's export shape.
	Profile *wire.Profile
	// Layer is the index of the generic-byoi layer in Profile.Spec.Template.Packs.
	Layer int
	// Image is the imported image, now that layer's pack.osImageOverride.
	Image imagesrc.Image
	// Region is the cluster's region given with --region (the AMI's region on
	// AWS), empty when none was given.
	Region string
}

// ImportVerifier is the hook `byoos image import --profile` calls after it
// has made the new profile version and before it saves it: findings of
// severity error (or an error) stop the import, and nothing is written. The
// command line's verifier is preflightImportVerifier (the checks of `byoos
// verify`); tests set env.importVerifier to one of their own.
type ImportVerifier interface {
	VerifyImport(ctx context.Context, c ImportCheck) (finding.List, error)
}

// noImportVerification is the verifier of --no-verify: it finds nothing.
type noImportVerification struct{}

func (noImportVerification) VerifyImport(context.Context, ImportCheck) (finding.List, error) {
	return nil, nil
}

// preflightImportVerifier checks the imported image where the cluster will
// run, as `byoos verify` checks a profile's image: the AMI in the region, the
// VHD blob, the vSphere template.
type preflightImportVerifier struct {
	clouds  cloudSettings
	arch    string
	timeout time.Duration
}

func (v preflightImportVerifier) VerifyImport(ctx context.Context, c ImportCheck) (finding.List, error) {
	region := c.Region
	if region == "" {
		region = c.Image.Region
	}
	t, err := verifyTarget(region, v.arch, nil)
	if err != nil {
		return nil, err
	}
	img := preflight.Image{Cloud: c.Profile.Spec.Template.CloudType, Role: preflight.RoleOS, Ref: c.Image.ID,
		At: finding.Finding{Layer: c.Profile.Spec.Template.Packs[c.Layer].Name, Path: "pack.osImageOverride"}}
	checkers, release, err := buildCheckers(v.clouds, []preflight.Image{img})
	if err != nil {
		return nil, err
	}
	defer release()
	rs := preflight.Run(ctx, []preflight.Image{img}, t, checkers, preflight.Options{Parallel: 1, Timeout: v.timeout})
	return preflight.Report(rs).Findings, nil
}

// verifier returns the ImportVerifier of the command line.
func (e *env) verifier(f *importFlags) ImportVerifier {
	switch {
	case e.importVerifier != nil:
		return e.importVerifier
	case f.noVerify:
		return noImportVerification{}
	}
	return preflightImportVerifier{clouds: f.clouds.withEnv(e.getenv), arch: f.arch, timeout: f.verifyTimeout}
}

func (e *env) imageCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "image",
		Short: "Import OS images from the tools that build them",
	}
	c.AddCommand(e.imageImportCmd())
	return c
}

type importFlags struct {
	cloud, region, build, output   string
	name, id, osName, osVersion    string
	allRegions                     bool
	profile, version               string
	publish                        bool
	noVerify                       bool
	arch                           string
	verifyTimeout                  time.Duration
	clouds                         cloudSettings
	conn                           connFlags
	cloudSet, regionSet, outputSet bool
}

func (e *env) imageImportCmd() *cobra.Command {
	f := &importFlags{}
	c := &cobra.Command{
		Use:   "import [FILE]",
		Short: "Turn a Packer manifest (or an image-builder image name) into generic-byoi values, or a new profile version",
		Long: `import reads the packer-manifest.json that Packer's manifest post-processor writes
(FILE, or - for standard input) and prints the generic-byoi values of the image its
last run built: only the builds whose packer_run_uuid is last_run_uuid count.

  amazon-*        artifact_id REGION:AMI,REGION:AMI: --region chooses the AMI (needed
                  when there are several); --all-regions prints one values document per
                  region, as a YAML stream (documents separated by ---, each starting
                  with a "# region: R" comment)
  azure-arm       a VHD blob URL is used as it is; a managed image or a Compute
                  Gallery image version is refused: generic-byoi 1.0.x takes only a VHD
                  URL, and the message says how to export one
  vsphere-iso     artifact_id is the template's name; custom_data folder and
  vsphere-clone   datacenter (or vsphere_folder, vsphere_datacenter) make it a path

osName and osVersion come from custom_data (osName, os_name, distro_name,
distribution; osVersion, os_version, distro_version, distribution_version), else
from the build's names when they follow Kubernetes image-builder's naming
(capa-ami-<os>-<k8s>-<timestamp>, <os>-kube-<k8s>, build names like ubuntu-2404);
--os-name and --os-version override them. The Kubernetes version the image was
built for is written as a comment.

Without FILE, --name NAME --id ID imports one image by hand: NAME is an
image-builder name giving the OS, ID the image (on vSphere the name is the
template's when --id is left out).

The values are checked as ` + "`byoos validate --pack generic-byoi@1.0.x --cloud CLOUD`" + ` does,
and written only when they pass, to standard output or -o FILE.

With --profile NAME (and the server flags of the profile commands) import makes a
new version of that cluster profile instead: the latest version's export, with the
generic-byoi layer's osImageOverride, osName and osVersion replaced and everything
else kept, as the next patch version (or --version), a draft unless --publish. The
cloud is the profile's. Before it is saved, the image is checked where the cluster
runs, as byoos verify checks it (the AMI in --region, the VHD blob, the vSphere
template; the same flags and environment for the clouds' credentials): an image
that does not hold stops the import with its findings, and nothing is written
(--no-verify skips the check). The server validates the new version and refuses
it with findings.

  byoos image import packer-manifest.json --region us-east-1 > values.yaml
  byoos image import packer-manifest.json --all-regions -o all-regions.yaml
  byoos image import manifest.json --region eu-west-1 --profile ubuntu-aws
  byoos image import --cloud vsphere --name ubuntu-2404-kube-v1.30.1 --id /DC/vm/templates/ubuntu-2404-kube-v1.30.1

Exit status: 0 when the values (or the new version) were written, 1 when the
manifest is malformed, has no usable image for the cloud and region, the values do
not validate or the server refuses the new version, 2 for usage and I/O errors.

` + connHelp,
		Args: cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			f.cloudSet, f.regionSet, f.outputSet = c.Flags().Changed("cloud"), c.Flags().Changed("region"), c.Flags().Changed("output")
			return e.runImport(args, f)
		},
	}
	fl := c.Flags()
	fl.StringVar(&f.cloud, "cloud", "", "the cloud of the image: aws, azure or vsphere (default: the only one the manifest has, or the profile's)")
	fl.StringVar(&f.region, "region", "", "the cluster's region: on AWS, the region whose AMI to take")
	fl.BoolVar(&f.allRegions, "all-regions", false, "one values document per AMI region, as a YAML stream separated by ---")
	fl.StringVar(&f.build, "build", "", "the build of the last run to take, by its name, when several build images for the cloud")
	fl.StringVarP(&f.output, "output", "o", "", "write the values to this file instead of standard output")
	fl.StringVar(&f.name, "name", "", "without FILE: an image name in image-builder's naming, for the OS (capa-ami-…, <os>-kube-<k8s>)")
	fl.StringVar(&f.id, "id", "", "with --name: the image (an AMI ID, a VHD blob URL, a template path)")
	fl.StringVar(&f.osName, "os-name", "", "pack.osName, instead of what the manifest or name says")
	fl.StringVar(&f.osVersion, "os-version", "", "pack.osVersion, instead of what the manifest or name says")
	fl.StringVar(&f.profile, "profile", "", "make a new version of this cluster profile on the server, pointing at the image")
	fl.StringVar(&f.version, "version", "", "with --profile: the new version (default: the next patch version of the latest)")
	fl.BoolVar(&f.publish, "publish", false, "with --profile: publish the new version")
	fl.BoolVar(&f.noVerify, "no-verify", false, "with --profile: save the new version without checking the image where the cluster runs")
	fl.StringVar(&f.arch, "arch", "", "with --profile: the machines' architecture the image must have, x86_64 (default) or arm64")
	fl.DurationVar(&f.verifyTimeout, "verify-timeout", 30*time.Second, "with --profile: how long the check of the image may take")
	addCloudFlags(c, &f.clouds)
	f.conn.register(fl)
	f.conn.registerScope(fl, "profiles")
	return c
}

// checkImportFlags refuses flags that do not go together.
func checkImportFlags(args []string, f *importFlags) error {
	switch {
	case len(args) == 1 && f.name != "":
		return usageErr("give a manifest FILE or --name, not both")
	case len(args) == 0 && f.name == "":
		return usageErr("give the Packer manifest to import (FILE, or - for standard input), or an image with --name and --id")
	case f.id != "" && f.name == "":
		return usageErr("--id goes with --name")
	case f.cloudSet && f.cloud != osimage.CloudTypeAWS && f.cloud != osimage.CloudTypeAzure && f.cloud != osimage.CloudTypeVSphere:
		return usageErr("--cloud %q: generic-byoi images are for aws, azure or vsphere", f.cloud)
	case f.allRegions && f.regionSet:
		return usageErr("--all-regions and --region: give one")
	case f.allRegions && f.profile != "":
		return usageErr("--all-regions and --profile: a profile version points at one image; give --region")
	case f.profile != "" && f.outputSet:
		return usageErr("--profile saves a profile version on the server; -o is for values")
	case f.profile == "" && (f.version != "" || f.publish):
		return usageErr("--version and --publish go with --profile")
	case f.name != "" && f.cloud == "" && f.profile == "":
		return usageErr("--name needs --cloud (aws, azure or vsphere)")
	case f.name != "" && f.allRegions:
		return usageErr("--all-regions reads a manifest; --name gives one image")
	}
	return nil
}

func (e *env) runImport(args []string, f *importFlags) error {
	if err := checkImportFlags(args, f); err != nil {
		return err
	}
	var target *profileTarget
	var cl *client.Client
	var cc connConfig
	if f.profile != "" {
		var err error
		cl, cc, err = e.connect(&f.conn, false)
		if err != nil {
			return err
		}
		target, err = e.findProfileTarget(cl, f)
		if err != nil {
			return redact(clientErr(err), cc.cfg.APIKey)
		}
		if f.cloudSet && f.cloud != target.cloud {
			return usageErr("--cloud %s, but the profile %s is a %s profile", f.cloud, f.profile, target.cloud)
		}
		f.cloud = target.cloud
	}
	imgs, display, err := e.importImages(args, f)
	if err != nil {
		return err
	}
	for i := range imgs {
		if f.osName != "" {
			imgs[i].OSName, imgs[i].OSNameFrom = f.osName, "--os-name"
		}
		if f.osVersion != "" {
			imgs[i].OSVersion, imgs[i].OSVersionFrom = f.osVersion, "--os-version"
		}
		if p := imgs[i].Unusable; p != nil {
			fd := finding.Finding{Severity: finding.Error, Code: p.Code, Path: imagesrc.KeyImage, File: display, Message: p.Message, Hint: p.Hint}
			if b := imgs[i].Build; b != nil {
				fd.Path = b.Path() + ".artifact_id"
				fd.Line, fd.Column = b.Position("artifact_id")
			}
			fmt.Fprintln(e.stderr, fd.String())
			return &exitError{code: ExitFindings, err: fmt.Errorf("%s is not an image generic-byoi 1.0.x takes; nothing was written", imgs[i].Source)}
		}
	}
	if target != nil {
		return redact(clientErr(e.importToProfile(cl, target, imgs[0], f)), cc.cfg.APIKey)
	}
	return e.writeValues(imgs, display, f)
}

// importImages reads the images of the manifest (or --name) and chooses
// those for the cloud, region and build asked for.
func (e *env) importImages(args []string, f *importFlags) ([]imagesrc.Image, string, error) {
	if f.name != "" {
		img, err := imagesrc.FromName(f.cloud, f.region, f.name, f.id)
		if err != nil {
			var p *osimage.Problem
			if errors.As(err, &p) {
				return nil, "", &exitError{code: ExitFindings, err: fmt.Errorf("--id: %w", err)}
			}
			return nil, "", usageErr("--name %s: %v", f.name, err)
		}
		return []imagesrc.Image{img}, "--name", nil
	}
	display := args[0]
	if display == "-" {
		display = "<stdin>"
	}
	src, err := e.readInput(args[0])
	if err != nil {
		return nil, "", err
	}
	imp, err := imagesrc.FromManifest(src)
	if err != nil {
		var es imagesrc.Errors
		if errors.As(err, &es) {
			fmt.Fprintln(e.stderr, es.In(display))
			return nil, "", &exitError{code: ExitFindings, err: fmt.Errorf("%s is not a Packer manifest byoos can import (%d problem(s))", display, len(es))}
		}
		return nil, "", ioErr(err)
	}
	imgs, err := chooseImages(display, imp, f)
	return imgs, display, err
}

// chooseImages picks the images asked for among the last run's.
func chooseImages(file string, imp *imagesrc.Import, f *importFlags) ([]imagesrc.Image, error) {
	all := imp.Images
	clouds := map[string][]string{}
	var order []string
	for _, img := range all {
		if clouds[img.Cloud] == nil {
			order = append(order, img.Cloud)
		}
		clouds[img.Cloud] = append(clouds[img.Cloud], img.Source)
	}
	describe := func() string {
		if len(all) == 0 {
			var skipped []string
			for _, s := range imp.Skipped {
				skipped = append(skipped, s.Build.Path()+": "+s.Reason)
			}
			return "it has none (" + strings.Join(skipped, "; ") + ")"
		}
		var parts []string
		for _, c := range order {
			parts = append(parts, c+" from "+strings.Join(slices.Compact(clouds[c]), ", "))
		}
		return "it has " + strings.Join(parts, "; ")
	}
	cloud := f.cloud
	switch {
	case len(all) == 0:
		return nil, &exitError{code: ExitFindings, err: fmt.Errorf("the last run of %s built no image generic-byoi takes: %s", file, describe())}
	case cloud == "" && len(order) > 1:
		return nil, usageErr("the last run of %s built images for several clouds: choose one with --cloud (%s)", file, describe())
	case cloud == "":
		cloud = order[0]
	case len(clouds[cloud]) == 0:
		return nil, &exitError{code: ExitFindings, err: fmt.Errorf("the last run of %s built no %s image: %s", file, cloud, describe())}
	}
	var imgs []imagesrc.Image
	for _, img := range all {
		if img.Cloud == cloud && (f.build == "" || img.Build != nil && img.Build.Name == f.build) {
			imgs = append(imgs, img)
		}
	}
	if len(imgs) == 0 {
		return nil, usageErr("--build %q: the last run of %s has no %s build of that name (%s)", f.build, file, cloud, describe())
	}
	if cloud == osimage.CloudTypeAWS && !f.allRegions {
		regions := imagesrc.Regions(imgs)
		region := f.region
		switch {
		case region == "" && len(regions) > 1:
			return nil, usageErr("%s has AMIs in %d regions (%s): choose the cluster's with --region, or take them all with --all-regions", file, len(regions), strings.Join(regions, ", "))
		case region == "":
			region = regions[0]
		case !slices.Contains(regions, region):
			return nil, &exitError{code: ExitFindings, err: fmt.Errorf("%s has no AMI in %s; it has AMIs in %s. An AMI is usable only in its region: copy it with `aws ec2 copy-image --source-region %s --source-image-id %s --region %s --name NAME`, or build it there (ami_regions)",
				file, region, strings.Join(regions, ", "), regions[0], firstInRegion(imgs, regions[0]), region)}
		}
		var in []imagesrc.Image
		for _, img := range imgs {
			if img.Region == region {
				in = append(in, img)
			}
		}
		imgs = in
	}
	perRegion := cloud == osimage.CloudTypeAWS && f.allRegions
	if !perRegion && len(imgs) > 1 || perRegion && len(imagesrc.Regions(imgs)) < len(imgs) {
		var names []string
		for _, img := range imgs {
			names = append(names, img.Source)
		}
		return nil, usageErr("several builds of the last run of %s made %s images (%s): choose one with --build NAME", file, cloud, strings.Join(slices.Compact(names), ", "))
	}
	return imgs, nil
}

func firstInRegion(imgs []imagesrc.Image, region string) string {
	for _, img := range imgs {
		if img.Region == region {
			return img.ID
		}
	}
	return ""
}

// writeValues checks the values of each image as `byoos validate --pack
// generic-byoi@1.0.x --cloud CLOUD` does and writes them when they pass.
// Findings name the manifest (or --name) as their file: the values they
// are about are not written.
func (e *env) writeValues(imgs []imagesrc.Image, display string, f *importFlags) error {
	v, err := e.validator()
	if err != nil {
		return err
	}
	found, err := v.Packs.FindPack(e.ctx, profile.PackRef{Name: byoi.Generic, Tag: "1.0.x"})
	if err != nil {
		return ioErr(fmt.Errorf("the generic-byoi pack: %w", err))
	}
	var out bytes.Buffer
	failed := false
	for i, img := range imgs {
		text, err := img.Values("")
		if err != nil {
			return ioErr(err)
		}
		r := v.ValidateValues(display, text, found.Pack, img.Cloud, profile.Options{})
		for _, fd := range r.Findings {
			if fd.Severity != finding.Info {
				fd.Line, fd.Column = 0, 0
				fmt.Fprintln(e.stderr, fd.String())
			}
		}
		if r.Findings.HasErrors() {
			failed = true
			if img.OSName == "" || img.OSVersion == "" {
				fmt.Fprintf(e.stderr, "byoos: %s does not say which OS the image holds: give --os-name and --os-version\n", img.Source)
			}
		}
		if i > 0 {
			out.WriteString("---\n")
		}
		out.Write(text)
	}
	if failed {
		return &exitError{code: ExitFindings, err: errors.New("the imported values do not validate; nothing was written")}
	}
	if f.output == "" {
		if _, err := e.stdout.Write(out.Bytes()); err != nil {
			return ioErr(err)
		}
		return nil
	}
	if err := os.WriteFile(f.output, out.Bytes(), 0o644); err != nil {
		return ioErr(fmt.Errorf("write values: %w", err))
	}
	for _, img := range imgs {
		fmt.Fprintf(e.stderr, "byoos: wrote %s: %s %s%s\n", f.output, img.Cloud, img.ID, inRegion(img.Region))
	}
	return nil
}

func inRegion(r string) string {
	if r == "" {
		return ""
	}
	return " in " + r
}

// profileTarget is the profile version an import starts from.
type profileTarget struct {
	latest  client.ProfileSummary
	export  *wire.Profile
	layer   int
	cloud   string
	version string
}

// findProfileTarget reads the latest version of --profile, checks that a new
// version can be made from its export, and chooses the new version.
func (e *env) findProfileTarget(cl *client.Client, f *importFlags) (*profileTarget, error) {
	ps, err := cl.Profiles(e.ctx, f.profile)
	if err != nil {
		return nil, err
	}
	project, err := cl.ProjectUID(e.ctx)
	if err != nil {
		return nil, err
	}
	own := "tenant"
	if project != "" {
		own = "project"
	}
	var mine []client.ProfileSummary
	for _, p := range ps {
		if p.Name == f.profile && (p.Scope == own || p.Scope == "") {
			mine = append(mine, p)
		}
	}
	if len(mine) == 0 {
		return nil, &client.NotFoundError{Kind: "cluster profile", Name: f.profile}
	}
	client.SortByVersion(mine)
	t := &profileTarget{latest: mine[len(mine)-1], version: f.version}
	if t.version == "" {
		sv, err := semver.StrictNewVersion(t.latest.Version)
		if err != nil {
			return nil, usageErr("the latest version of %s, %q, is not major.minor.patch: give the new version with --version", f.profile, t.latest.Version)
		}
		t.version = sv.IncPatch().String()
	}
	for _, p := range mine {
		if p.Version == t.version {
			return nil, &exitError{code: ExitFindings, err: fmt.Errorf("%s version %s exists already: give another with --version", f.profile, t.version)}
		}
	}
	t.export, err = cl.ExportProfile(e.ctx, t.latest.UID)
	if err != nil {
		return nil, err
	}
	t.cloud = t.export.Spec.Template.CloudType
	t.layer = -1
	for i, l := range t.export.Spec.Template.Packs {
		if l.Name == byoi.Generic {
			t.layer = i
		}
	}
	if t.layer < 0 {
		return nil, &exitError{code: ExitFindings, err: fmt.Errorf("%s %s has no %s layer to point at an image", f.profile, t.latest.Version, byoi.Generic)}
	}
	masked := false
	for _, l := range t.export.Spec.Template.Packs {
		masked = masked || strings.Contains(l.Values, secret.Mask)
	}
	for _, v := range t.export.Spec.Variables {
		masked = masked || v.DefaultValue == secret.Mask
	}
	if masked {
		return nil, &exitError{code: ExitFindings, err: fmt.Errorf("%s %s holds secrets, which its export shows masked (%s), so a new version made from it would lose them: export it with `byoos profile export`, set the image and the secrets in the file, and create the version with `byoos profile apply`", f.profile, t.latest.Version, secret.Mask)}
	}
	return t, nil
}

// importToProfile saves a new version of the profile whose generic-byoi
// layer points at img, once the ImportVerifier finds nothing against it.
func (e *env) importToProfile(cl *client.Client, t *profileTarget, img imagesrc.Image, f *importFlags) error {
	doc := *t.export
	doc.Metadata.UID, doc.Metadata.ResourceVersion = "", ""
	doc.Spec.Version = t.version
	doc.Spec.Template.Packs = slices.Clone(t.export.Spec.Template.Packs)
	layer := &doc.Spec.Template.Packs[t.layer]
	text, err := img.SetValues(layer.Values)
	if err != nil {
		return &exitError{code: ExitFindings, err: fmt.Errorf("%s %s: %w", f.profile, t.latest.Version, err)}
	}
	layer.Values = text
	fl, err := e.verifier(f).VerifyImport(e.ctx, ImportCheck{Profile: &doc, Layer: t.layer, Image: img, Region: f.region})
	if err != nil {
		return ioErr(fmt.Errorf("verify the imported image: %w", err))
	}
	printFindings(e.stderr, fl)
	if fl.HasErrors() {
		return &exitError{code: ExitFindings, err: fmt.Errorf("the imported image did not verify; %s %s was not created", f.profile, t.version)}
	}
	uid, err := cl.ImportProfile(e.ctx, &doc, f.publish)
	if err != nil {
		var ae *client.APIError
		if client.IsRefusal(err) && errors.As(err, &ae) {
			for _, fd := range ae.Findings {
				if fd.File == "" {
					fd.File = f.profile + "@" + t.version // lines count in the layer's values
				}
				fmt.Fprintln(e.stderr, fd.String())
			}
			msg := ae.Message
			if len(ae.Findings) > 0 {
				msg = fmt.Sprintf("%d error(s)", ae.Findings.Count(finding.Error))
			}
			return &exitError{code: ExitFindings, err: fmt.Errorf("the server refused %s %s: %s", f.profile, t.version, msg)}
		}
		return err
	}
	state := "a draft"
	if f.publish {
		state = "published"
	}
	_, err = fmt.Fprintf(e.stdout, "created cluster profile %s %s (uid %s, %s) from %s: %s is %s%s\n",
		cell(f.profile), cell(t.version), cell(uid), state, cell(t.latest.Version), imagesrc.KeyImage, cell(img.ID), inRegion(img.Region))
	if err != nil {
		return ioErr(err)
	}
	return nil
}
