// Package aws checks the AMIs of AWS BYOOS profiles with EC2's
// DescribeImages, through the official aws-sdk-go-v2: that the AMI exists in
// the cluster's region, is available, has the cluster's architecture and is
// not deprecated. When the AMI is missing in the cluster's region it says
// which of the other regions have it and prints the `aws ec2 copy-image`
// command that brings it over.
//
// Every problem, bad input and fault alike (wrong credentials, throttling
// past the retry bound, DNS, TLS and connection errors, a deadline), is a
// finding naming the image, the call and the cause; no finding, error or log
// holds a credential.
package aws

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	sdkaws "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go/logging"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/secret"
)

// Defaults of Config.
const (
	// DefaultMaxAttempts is how many times one EC2 call is tried, the first
	// attempt included, when EC2 throttles it or answers a transient error.
	DefaultMaxAttempts = 4
	// DefaultMaxBackoff bounds the wait between two attempts.
	DefaultMaxBackoff = 5 * time.Second
	// DefaultParallel is how many other regions are searched at once for a
	// missing AMI.
	DefaultParallel = 4
)

// defaultArch is the architecture of a Target that names none.
const defaultArch = "x86_64"

// regionPattern is what an AWS region name looks like (us-east-1,
// cn-north-1, us-gov-west-1, eusc-de-east-1).
var regionPattern = regexp.MustCompile(`^[a-z]{2,4}(-[a-z0-9]+)+-[0-9]+$`)

// Config says how the Checker reaches EC2.
type Config struct {
	// AccessKeyID, SecretAccessKey and SessionToken are static credentials.
	// When AccessKeyID is empty the standard AWS chain is used (environment,
	// shared config and credentials files, SSO, web identity, ECS or EC2
	// instance role), read once by New.
	AccessKeyID     string
	SecretAccessKey secret.String
	SessionToken    secret.String
	// Profile is the shared config profile the standard chain reads (empty:
	// AWS_PROFILE or "default"); not allowed with static credentials.
	Profile string
	// Endpoint, when set, is the base URL of the EC2 API used for every
	// region (a VPC endpoint, a test server); empty: EC2's regional endpoints.
	Endpoint string
	// HTTPClient, when set, makes the calls (its transport's proxy, TLS roots
	// and timeouts apply); nil: the SDK's default client.
	HTTPClient *http.Client
	// MaxAttempts bounds the attempts of one call (default DefaultMaxAttempts);
	// MaxBackoff bounds the wait between two (default DefaultMaxBackoff). The
	// wait grows exponentially with jitter, from 1s on throttling.
	MaxAttempts int
	MaxBackoff  time.Duration
	// Parallel is how many other regions are searched at once for an AMI
	// missing in the cluster's region (default DefaultParallel).
	Parallel int
}

// api is the part of the EC2 client the Checker uses.
type api interface {
	DescribeImages(ctx context.Context, in *ec2.DescribeImagesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error)
	DescribeRegions(ctx context.Context, in *ec2.DescribeRegionsInput, optFns ...func(*ec2.Options)) (*ec2.DescribeRegionsOutput, error)
}

// Checker checks AMIs with EC2. It implements preflight.Checker and is safe
// for concurrent use.
type Checker struct {
	ec2         api
	parallel    int
	maxAttempts int
	endpoint    string
	// secrets are the static credentials' secret parts, removed from every
	// message in case a cause quotes them.
	secrets []string
}

var _ preflight.Checker = (*Checker)(nil)

// New returns a Checker for cfg. It reads the standard AWS credential chain's
// configuration when cfg has no static credentials (no network call: the
// credentials are fetched on the first check) and fails on a configuration
// that cannot work (an endpoint that is not an http(s) URL, half a key pair,
// a shared config profile that does not exist).
func New(cfg Config) (*Checker, error) {
	if cfg.Endpoint != "" {
		u, err := url.Parse(cfg.Endpoint)
		switch {
		case err != nil:
			return nil, fmt.Errorf("preflight/aws: the EC2 endpoint is not a URL: %w", err)
		case u.Scheme != "https" && u.Scheme != "http" || u.Host == "":
			return nil, fmt.Errorf("preflight/aws: the EC2 endpoint %q is not an http(s) URL with a host (e.g. https://ec2.us-east-1.amazonaws.com)", u.Redacted())
		case u.User != nil:
			return nil, fmt.Errorf("preflight/aws: the EC2 endpoint %s carries credentials; give them as the access key instead", u.Redacted())
		case u.RawQuery != "" || u.Fragment != "":
			return nil, fmt.Errorf("preflight/aws: the EC2 endpoint %s has a query or fragment; give the base URL only", u.Redacted())
		}
	}
	static := cfg.AccessKeyID != "" || cfg.SecretAccessKey != "" || cfg.SessionToken != ""
	if static && (cfg.AccessKeyID == "" || cfg.SecretAccessKey == "") {
		return nil, errors.New("preflight/aws: static AWS credentials need both the access key ID and the secret access key")
	}
	if static && cfg.Profile != "" {
		return nil, fmt.Errorf("preflight/aws: give either static AWS credentials or the shared config profile %q, not both", cfg.Profile)
	}
	if cfg.MaxAttempts < 0 || cfg.MaxBackoff < 0 || cfg.Parallel < 0 {
		return nil, errors.New("preflight/aws: MaxAttempts, MaxBackoff and Parallel cannot be negative")
	}
	c := &Checker{
		parallel:    orDefault(cfg.Parallel, DefaultParallel),
		maxAttempts: orDefault(cfg.MaxAttempts, DefaultMaxAttempts),
		endpoint:    cfg.Endpoint,
	}
	maxBackoff := orDefault(cfg.MaxBackoff, DefaultMaxBackoff)

	var ac sdkaws.Config
	if static {
		ac.Credentials = sdkaws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(
			cfg.AccessKeyID, cfg.SecretAccessKey.Reveal(), cfg.SessionToken.Reveal()))
		c.secrets = []string{cfg.SecretAccessKey.Reveal(), cfg.SessionToken.Reveal()}
	} else {
		var opts []func(*config.LoadOptions) error
		if cfg.Profile != "" {
			opts = append(opts, config.WithSharedConfigProfile(cfg.Profile))
		}
		// LoadDefaultConfig reads the environment and the shared files; the
		// chain's providers fetch credentials only when first asked.
		def, err := config.LoadDefaultConfig(context.Background(), opts...)
		if err != nil {
			return nil, fmt.Errorf("preflight/aws: reading the AWS configuration (environment, shared config files): %w", err)
		}
		ac = def
		if ac.Credentials != nil {
			ac.Credentials = chainCredentials{ac.Credentials}
		}
	}
	if cfg.HTTPClient != nil {
		ac.HTTPClient = cfg.HTTPClient
	}
	// The bound is ours: AWS_MAX_ATTEMPTS and AWS_RETRY_MODE do not widen it.
	ac.RetryMaxAttempts, ac.RetryMode = 0, ""
	ac.Logger = logging.Nop{}
	ac.ClientLogMode = 0
	ac.Retryer = func() sdkaws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = c.maxAttempts
			o.MaxBackoff = maxBackoff
		})
	}
	c.ec2 = ec2.NewFromConfig(ac, func(o *ec2.Options) {
		if cfg.Endpoint != "" {
			o.BaseEndpoint = sdkaws.String(cfg.Endpoint)
		}
	})
	return c, nil
}

// orDefault returns v, or def when v is zero.
func orDefault[T int | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// chainCredentials are the standard chain's credentials; a failure to find
// them is a *noCredentialsError.
type chainCredentials struct{ p sdkaws.CredentialsProvider }

// Retrieve implements aws.CredentialsProvider.
func (c chainCredentials) Retrieve(ctx context.Context) (sdkaws.Credentials, error) {
	creds, err := c.p.Retrieve(ctx)
	if err != nil {
		return creds, &noCredentialsError{err}
	}
	return creds, nil
}

// noCredentialsError says the standard chain found no usable credentials.
type noCredentialsError struct{ err error }

func (e *noCredentialsError) Error() string { return e.err.Error() }
func (e *noCredentialsError) Unwrap() error { return e.err }

// check is one Check in progress: what it reports and how it words it.
type check struct {
	c      *Checker
	img    preflight.Image
	ami    string
	region string
	arch   string
	redact *secret.Redactor
}

// finding returns a finding about the image, with every secret removed.
func (k *check) finding(sev finding.Severity, code, msg, hint string) finding.Finding {
	return preflight.Finding(k.img, sev, code, k.redact.Redact(msg), k.redact.Redact(hint))
}

// Check checks that img.Ref is an AMI that is available in t.Region with the
// architecture t.Arch (default x86_64) and is not deprecated. It calls
// DescribeImages in t.Region and, when the AMI is missing there, in
// t.AlsoRegions (or the account's enabled regions) to say where it is.
func (c *Checker) Check(ctx context.Context, img preflight.Image, t preflight.Target) preflight.Result {
	k := &check{c: c, img: img, ami: img.Ref, region: strings.TrimSpace(t.Region), redact: &secret.Redactor{}}
	for _, s := range c.secrets {
		k.redact.Add(s, secret.Mask)
	}
	res := preflight.Result{Image: img}
	fail := func(checked string, f finding.Finding) preflight.Result {
		res.Checked = k.redact.Redact(checked)
		res.Findings = append(res.Findings, f)
		return res
	}
	if k.ami == "" {
		return fail("no AMI ID", k.finding(finding.Error, finding.CodeVerifyAWSMalformed,
			"no AMI ID was given, so there is no image to look up in EC2",
			"Set the image to the ID of an AMI in the cluster's region, e.g. ami-0f4804aff4cf9c5a2."))
	}
	switch {
	case k.region == "":
		return fail(k.ami+": no region", k.finding(finding.Error, finding.CodeVerifyAWSRegion,
			fmt.Sprintf("%s was not checked: no AWS region was given; an AMI belongs to one region, so the check needs the cluster's region", k.ami),
			"Give the region the cluster will run in (byoos verify --region, e.g. --region us-east-1)."))
	case !regionPattern.MatchString(k.region):
		return fail(k.ami+": bad region", k.finding(finding.Error, finding.CodeVerifyAWSRegion,
			fmt.Sprintf("%s was not checked: the region %q is not an AWS region name", k.ami, k.region),
			"Give the region the cluster will run in, e.g. us-east-1 or eu-west-1."))
	}
	for _, r := range t.AlsoRegions {
		if !regionPattern.MatchString(r) {
			return fail(k.ami+": bad region", k.finding(finding.Error, finding.CodeVerifyAWSRegion,
				fmt.Sprintf("%s was not checked: %q, among the other regions to search, is not an AWS region name", k.ami, r),
				"List AWS region names to search, e.g. eu-west-1,us-west-2, or none to search the account's enabled regions."))
		}
	}
	arch, ok := normalArch(t.Arch)
	if !ok {
		return fail(k.ami+": bad architecture", k.finding(finding.Error, finding.CodeVerifyAWSArch,
			fmt.Sprintf("%s was not checked: the cluster's architecture %q is not an EC2 architecture", k.ami, t.Arch),
			"Give x86_64 (amd64) or arm64 (aarch64)."))
	}
	k.arch = arch

	im, err := c.describe(ctx, k.region, k.ami)
	switch {
	case isCode(err, "InvalidAMIID.Malformed"):
		hint := "Copy the AMI ID again from the EC2 console or `aws ec2 describe-images`; it is \"ami-\" followed by 17 (or, for older AMIs, 8) lower-case hex digits."
		return fail(k.ami+" in "+k.region+": malformed", k.finding(finding.Error, finding.CodeVerifyAWSMalformed,
			fmt.Sprintf("EC2 in %s says %q is not a well-formed AMI ID (InvalidAMIID.Malformed: %s)", k.region, k.ami, apiMessage(err)), hint))
	case err != nil && !isCode(err, "InvalidAMIID.NotFound"):
		return fail(k.ami+" in "+k.region+": not checked", k.fault(ctx, "DescribeImages in "+k.region, err))
	case im == nil:
		f, checked := k.missing(ctx, t.AlsoRegions, err)
		return fail(checked, f)
	}
	return k.judge(im)
}

// describe returns the image ami in region, nil when EC2 answers none. It
// includes deprecated and disabled images, so that they are reported as such
// rather than as missing.
func (c *Checker) describe(ctx context.Context, region, ami string) (*types.Image, error) {
	out, err := c.ec2.DescribeImages(ctx, &ec2.DescribeImagesInput{
		ImageIds:          []string{ami},
		IncludeDeprecated: sdkaws.Bool(true),
		IncludeDisabled:   sdkaws.Bool(true),
	}, inRegion(region))
	if err != nil {
		return nil, err
	}
	for i := range out.Images {
		if sdkaws.ToString(out.Images[i].ImageId) == ami {
			return &out.Images[i], nil
		}
	}
	return nil, nil
}

// inRegion makes one call in region (signed for it, at its endpoint or the
// configured one).
func inRegion(region string) func(*ec2.Options) {
	return func(o *ec2.Options) { o.Region = region }
}

// judge reports an image EC2 described: its state, architecture and
// deprecation.
func (k *check) judge(im *types.Image) preflight.Result {
	res := preflight.Result{Image: k.img}
	state, arch := string(im.State), string(im.Architecture)
	name := sdkaws.ToString(im.Name)
	checked := k.ami
	if name != "" {
		checked += " (" + name + ")"
	}
	checked += " in " + k.region + ": " + orUnknown(state) + ", " + orUnknown(arch)
	if im.State != types.ImageStateAvailable {
		msg := fmt.Sprintf("%s exists in %s but its state is %s, not available: no instance can be launched from it", k.ami, k.region, orUnknown(state))
		if r := im.StateReason; r != nil && sdkaws.ToString(r.Message) != "" {
			msg += fmt.Sprintf(" (%s: %s)", sdkaws.ToString(r.Code), sdkaws.ToString(r.Message))
		}
		res.Findings = append(res.Findings, k.finding(finding.Error, finding.CodeVerifyAWSState, msg, stateHint(im.State, k.ami, k.region)))
	}
	if arch != k.arch {
		res.Findings = append(res.Findings, k.finding(finding.Error, finding.CodeVerifyAWSArch,
			fmt.Sprintf("%s is built for %s, but the cluster's machines are %s", k.ami, orUnknown(arch), k.arch),
			fmt.Sprintf("Use an AMI built for %s, or run the cluster on %s instance types (byoos verify --arch %s).", k.arch, orUnknown(arch), orUnknown(arch))))
	}
	if dep := sdkaws.ToString(im.DeprecationTime); dep != "" {
		when, err := time.Parse(time.RFC3339, dep)
		switch {
		case err != nil:
			res.Findings = append(res.Findings, k.finding(finding.Warning, finding.CodeVerifyAWSDeprecated,
				fmt.Sprintf("%s has a deprecation time, %q", k.ami, dep), deprecatedHint))
			checked += ", deprecation time " + dep
		case !when.After(time.Now()):
			res.Findings = append(res.Findings, k.finding(finding.Warning, finding.CodeVerifyAWSDeprecated,
				fmt.Sprintf("%s has been deprecated since %s", k.ami, when.UTC().Format(time.RFC3339)), deprecatedHint))
			checked += ", deprecated since " + when.UTC().Format(time.RFC3339)
		default:
			res.Findings = append(res.Findings, k.finding(finding.Info, finding.CodeVerifyAWSDeprecated,
				fmt.Sprintf("%s will be deprecated on %s", k.ami, when.UTC().Format(time.RFC3339)), deprecatedHint))
			checked += ", deprecated from " + when.UTC().Format(time.RFC3339)
		}
	}
	res.Checked = k.redact.Redact(checked)
	return res
}

// deprecatedHint says what to do about a deprecated AMI.
const deprecatedHint = "A deprecated AMI still launches by its ID, but it is hidden from listings and may be deregistered; build or pick a newer AMI and point the profile at it, or cancel the deprecation with `aws ec2 disable-image-deprecation` if you own it."

// stateHint says what to do about an image in state s.
func stateHint(s types.ImageState, ami, region string) string {
	switch s {
	case types.ImageStatePending:
		return fmt.Sprintf("The AMI is still being created or copied; wait until `aws ec2 describe-images --region %s --image-ids %s` shows it available, then verify again.", region, ami)
	case types.ImageStateDisabled:
		return fmt.Sprintf("Re-enable the AMI with `aws ec2 enable-image --region %s --image-id %s`, or use another AMI.", region, ami)
	default:
		return "Use another AMI: build or copy a new one into the cluster's region and point the profile at it."
	}
}

// orUnknown returns s, or "unknown" when it is empty.
func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// normalArch returns the EC2 name of the architecture a (default x86_64;
// amd64 and aarch64 are accepted as their EC2 names).
func normalArch(a string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(a)) {
	case "", "x86_64", "amd64", "x86-64":
		return defaultArch, true
	case "arm64", "aarch64":
		return "arm64", true
	case "i386", "x86_64_mac", "arm64_mac":
		return strings.ToLower(strings.TrimSpace(a)), true
	}
	return "", false
}

// found is the AMI as another region holds it.
type found struct {
	region string
	image  *types.Image
}

// searched is what the search of the other regions learned.
type searched struct {
	regions  []string // the regions asked
	answered []string // the regions that answered (found or not)
	found    []found  // where the AMI is, sorted by region
	failures []string // "REGION (cause)", sorted
	listErr  error    // DescribeRegions failed: nothing was searched
}

// missing reports an AMI that the cluster's region does not have: it
// searches the other regions and says where the AMI is and how to copy it.
// why is EC2's InvalidAMIID.NotFound, or nil for an empty answer.
func (k *check) missing(ctx context.Context, also []string, why error) (finding.Finding, string) {
	s := k.c.search(ctx, k.region, k.ami, also)
	var b strings.Builder
	fmt.Fprintf(&b, "%s is not in %s, the cluster's region", k.ami, k.region)
	if why != nil {
		fmt.Fprintf(&b, " (EC2 answered InvalidAMIID.NotFound)")
	} else {
		fmt.Fprintf(&b, " (EC2 described no such image)")
	}
	var avail []found
	for _, f := range s.found {
		if f.image.State == types.ImageStateAvailable {
			avail = append(avail, f)
		}
	}
	checked := k.ami + " in " + k.region + ": missing"
	hint := fmt.Sprintf("Check the AMI ID: it may be mistyped, deregistered, or in an account that has not shared it with yours; `aws ec2 describe-images --region %s --image-ids %s` shows what EC2 knows.", k.region, k.ami)
	switch {
	case len(s.found) > 0:
		var where []string
		for _, f := range s.found {
			where = append(where, f.region+" ("+orUnknown(string(f.image.State))+")")
		}
		fmt.Fprintf(&b, "; it is in %s, and a cluster in %s cannot boot from it until it is copied there", strings.Join(where, ", "), k.region)
		checked += "; in " + strings.Join(regionsOf(s.found), ", ")
		if len(avail) > 0 {
			src := avail[0]
			hint = fmt.Sprintf("Copy it into %s with `%s`, then use the new AMI ID it prints in the profile (or run the cluster in %s).",
				k.region, copyImageCommand(src.region, k.ami, k.region, sdkaws.ToString(src.image.Name)), src.region)
		} else {
			hint = fmt.Sprintf("No copy is available yet (%s); wait until one is, then copy it into %s with `aws ec2 copy-image`.", strings.Join(where, ", "), k.region)
		}
	case s.listErr != nil:
		_, cause := k.c.cause(ctx, s.listErr)
		fmt.Fprintf(&b, "; the other regions were not searched: listing the account's regions (DescribeRegions in %s) failed: %s", k.region, cause)
	case len(s.regions) == 0:
		b.WriteString("; there was no other region to search")
	case len(s.answered) > 0:
		fmt.Fprintf(&b, ", nor in any other region searched (%s)", strings.Join(s.answered, ", "))
		checked += " everywhere searched"
	}
	if len(s.failures) > 0 {
		fmt.Fprintf(&b, "; could not search %s", strings.Join(s.failures, ", "))
	}
	return k.finding(finding.Error, finding.CodeVerifyAWSNotInRegion, b.String(), hint), checked
}

// regionsOf returns the regions of fs.
func regionsOf(fs []found) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.region)
	}
	return out
}

// search looks for ami in the regions other than home: also, or when it is
// empty the account's enabled regions (DescribeRegions in home), at most
// c.parallel at once.
func (c *Checker) search(ctx context.Context, home, ami string, also []string) searched {
	var s searched
	regions := also
	if len(regions) == 0 {
		out, err := c.ec2.DescribeRegions(ctx, &ec2.DescribeRegionsInput{}, inRegion(home))
		if err != nil {
			s.listErr = err
			return s
		}
		for _, r := range out.Regions {
			if n := sdkaws.ToString(r.RegionName); n != "" {
				regions = append(regions, n)
			}
		}
	}
	regions = slices.Clone(regions)
	slices.Sort(regions)
	regions = slices.Compact(regions)
	regions = slices.DeleteFunc(regions, func(r string) bool { return r == home })
	s.regions = regions

	type answer struct {
		im  *types.Image
		err error
	}
	answers := make([]answer, len(regions))
	sem := make(chan struct{}, c.parallel)
	var wg sync.WaitGroup
	for i, r := range regions {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				answers[i].err = ctx.Err()
				return
			}
			defer func() { <-sem }()
			im, err := c.describe(ctx, r, ami)
			answers[i] = answer{im, err}
		}()
	}
	wg.Wait()
	for i, a := range answers {
		switch {
		case a.err == nil && a.im != nil:
			s.found = append(s.found, found{regions[i], a.im})
		case a.err != nil && !isCode(a.err, "InvalidAMIID.NotFound"):
			_, cause := c.cause(ctx, a.err)
			s.failures = append(s.failures, regions[i]+" ("+cause+")")
			continue
		}
		s.answered = append(s.answered, regions[i])
	}
	return s
}

// copyImageCommand is the AWS CLI command that copies ami from src to dst.
func copyImageCommand(src, ami, dst, name string) string {
	return fmt.Sprintf("aws ec2 copy-image --source-region %s --source-image-id %s --region %s --name %s", src, ami, dst, shellQuote(name, "<name>"))
}

// shellQuote returns s as one single-quoted POSIX shell word, or placeholder
// when s is empty or has control characters.
func shellQuote(s, placeholder string) string {
	if s == "" || len(s) > 256 {
		return placeholder
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return placeholder
		}
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
