package cli

import (
	"github.com/spf13/cobra"

	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/preflight/aws"
	"github.com/byoos/byoos/preflight/azure"
	"github.com/byoos/byoos/preflight/edge"
	"github.com/byoos/byoos/preflight/vsphere"
	"github.com/byoos/byoos/secret"
)

// cloudSettings are the settings of every cloud's check, from verify's
// flags and the environment. Passwords and keys come only from the
// environment, never from a flag (a flag shows in the process list and
// the shell's history).
type cloudSettings struct {
	// AWS: the EC2 endpoint (empty: the region's), credentials from the
	// standard AWS chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
	// AWS_PROFILE, SSO, instance role).
	awsEndpoint string
	// Azure: the storage account key (shared key) of the account named by
	// AZURE_STORAGE_ACCOUNT, from AZURE_STORAGE_KEY (as the az CLI reads
	// them); a SAS in the blob URL wins over it; with azureIdentity, the
	// default Azure credential chain for the URLs that have neither.
	azureAccount, azureAccountKey string
	azureIdentity                 bool
	// vSphere: the vCenter URL, user and datacenter, the password from
	// GOVC_PASSWORD or VSPHERE_PASSWORD; vsphereInsecure skips the
	// certificate check.
	vsphereURL, vsphereUser, vspherePassword, vsphereDatacenter string
	vsphereInsecure                                             bool
}

// addCloudFlags registers the flags of cloudSettings on c.
func addCloudFlags(c *cobra.Command, s *cloudSettings) {
	c.Flags().StringVar(&s.awsEndpoint, "aws-endpoint", "", "EC2 endpoint URL (default: the region's); credentials come from the standard AWS chain")
	c.Flags().StringVar(&s.vsphereURL, "vsphere-url", "", "vCenter URL, e.g. https://vcenter.example.com/sdk (password from GOVC_PASSWORD or VSPHERE_PASSWORD)")
	c.Flags().StringVar(&s.vsphereUser, "vsphere-user", "", "vCenter user name")
	c.Flags().StringVar(&s.vsphereDatacenter, "vsphere-datacenter", "", "datacenter of templates given by name (default: the one in the path, else vCenter's only one)")
	c.Flags().BoolVar(&s.azureIdentity, "azure-identity", false, "read VHD blobs whose URL has no SAS with the default Azure credential chain (az login, managed identity, environment)")
	c.Flags().BoolVar(&s.vsphereInsecure, "vsphere-insecure", false, "do not check vCenter's TLS certificate")
}

// fromEnv completes s with the secrets the environment holds.
func (s *cloudSettings) fromEnv(getenv func(string) string) {
	s.azureAccount, s.azureAccountKey = getenv("AZURE_STORAGE_ACCOUNT"), getenv("AZURE_STORAGE_KEY")
	s.vspherePassword = getenv("GOVC_PASSWORD")
	if s.vspherePassword == "" {
		s.vspherePassword = getenv("VSPHERE_PASSWORD")
	}
}

// checkerConstructor builds the check of one cloud from the settings.
type checkerConstructor func(s cloudSettings) (preflight.Checker, func(), error)

// checkerConstructors is the one place a cloud's check is wired into the
// command line (byoos verify; the server wires its own in package serve),
// keyed by cloud name as profiles name it. A cloud missing here has its
// images reported as verify-unsupported.
func checkerConstructors() map[string]checkerConstructor {
	return map[string]checkerConstructor{
		preflight.Edge: func(cloudSettings) (preflight.Checker, func(), error) {
			c, err := edge.New(edge.Config{})
			if err != nil {
				return nil, nil, err
			}
			return c, c.Close, nil
		},
		preflight.AWS: func(s cloudSettings) (preflight.Checker, func(), error) {
			c, err := aws.New(aws.Config{Endpoint: s.awsEndpoint})
			return c, func() {}, err
		},
		preflight.Azure: func(s cloudSettings) (preflight.Checker, func(), error) {
			cfg := azure.Config{DefaultCredential: s.azureIdentity}
			if s.azureAccount != "" && s.azureAccountKey != "" {
				cfg.Keys = map[string]secret.String{s.azureAccount: secret.String(s.azureAccountKey)}
			}
			c, err := azure.New(cfg)
			return c, func() {}, err
		},
		preflight.VSphere: func(s cloudSettings) (preflight.Checker, func(), error) {
			c, err := vsphere.New(vsphere.Config{URL: s.vsphereURL, Username: s.vsphereUser, Password: secret.String(s.vspherePassword),
				Insecure: s.vsphereInsecure, Datacenter: s.vsphereDatacenter})
			return c, func() {}, err
		},
	}
}

// buildCheckers builds the checks of the clouds imgs name, and returns
// them with a function that releases them.
func buildCheckers(s cloudSettings, imgs []preflight.Image) (map[string]preflight.Checker, func(), error) {
	ctors := checkerConstructors()
	out := map[string]preflight.Checker{}
	var closers []func()
	closeAll := func() {
		for _, c := range closers {
			c()
		}
	}
	for _, img := range imgs {
		ctor, ok := ctors[img.Cloud]
		if _, built := out[img.Cloud]; built || !ok {
			continue
		}
		c, done, err := ctor(s)
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		out[img.Cloud] = c
		closers = append(closers, done)
	}
	return out, closeAll, nil
}
