package cli

import (
	"github.com/spf13/cobra"

	"github.com/byoos/byoos/client"
	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/wire"
)

func (e *env) profileVerifyCmd(f *connFlags) *cobra.Command {
	var (
		output, version, region, arch string
		also                          []string
	)
	c := &cobra.Command{
		Use:   "verify NAME|UID",
		Short: "Have the server check that a stored profile's images exist where the cluster will run",
		Long: `verify asks the server to check the images of a stored cluster profile (its published
version, or its draft when it was never published), as byoos verify checks a file, and
prints the results the same way. The server opens the profile's sealed registry
credentials in memory only, contacts only the registries its configuration allows
(byoos serve --verify-allow-host, --verify-allow-net, and the OCI registries configured
in byoos), and reuses a result for --verify-cache-ttl (5 minutes by default). The first
verify of a published version records the digest of each Edge image; later verifies
report a tag that moved since (verify-edge-moved). Verifying is an admin action.

  byoos profile verify edge-ubuntu-k3s --region eu-west-1

Exit status: 0 when every image holds, 1 on any error finding, 2 for usage errors.`,
		Args: cobra.ExactArgs(1),
		RunE: e.withClient(f, false, func(cl *client.Client, args []string) error {
			if output != "text" && output != "json" {
				return usageErr("--output %q: use text or json", output)
			}
			t, err := verifyTarget(region, arch, also)
			if err != nil {
				return err
			}
			p, err := cl.FindProfile(e.ctx, args[0], version)
			if err != nil {
				return err
			}
			v, err := cl.VerifyProfile(e.ctx, p.UID, wire.VerifyRequest{Region: t.Region, Arch: t.Arch, AlsoRegions: t.AlsoRegions})
			if err != nil {
				return err
			}
			fr := verifyFileResult{File: p.Name + "@" + p.Version, Valid: true, Results: v.Results, Findings: v.Findings}
			if fr.Results == nil {
				fr.Results = []wire.VerifyResult{}
			}
			if fr.Findings == nil {
				fr.Findings = finding.List{}
			}
			invalid := len(v.Results) == 0 && v.Findings.HasErrors()
			if invalid {
				fr.Valid = false
			}
			return e.writeVerify(output, []verifyFileResult{fr}, invalid)
		}),
	}
	c.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	c.Flags().StringVar(&version, "version", "", "the profile version, when the name has several")
	c.Flags().StringVar(&region, "region", "", "the cluster's cloud region (AWS images are looked up there)")
	c.Flags().StringVar(&arch, "arch", "", "the machines' architecture: x86_64 or arm64")
	c.Flags().StringSliceVar(&also, "also-regions", nil, "regions to search when an AMI is missing in --region (comma-separated)")
	return c
}
