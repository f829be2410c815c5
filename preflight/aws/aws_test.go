package aws_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/preflight/aws"
	"github.com/byoos/byoos/secret"
)

// AMIs of the tests.
const (
	amiX86   = "ami-0f4804aff4cf9c5a2"
	amiArm   = "ami-0a1b2c3d4e5f60718"
	amiOld   = "ami-0123456789abcdef0"
	amiSoon  = "ami-0fedcba9876543210"
	amiWait  = "ami-00000000000000001"
	amiGone  = "ami-00000000000000002"
	amiAway  = "ami-0bbbbbbbbbbbbbbbb"
	amiNone  = "ami-0ccccccccccccccc0"
	capaName = "capa-ami-ubuntu-24.04-v1.30.1-1716000000"
)

// at is where the tests' images are named in a profile.
var at = finding.Finding{Layer: "generic-byoi", Path: "pack.osImageOverride", Field: "spec.template.packs[0].values", Line: 4, Column: 22}

// image is an AWS OS image named at `at`.
func image(ref string) preflight.Image {
	return preflight.Image{Cloud: preflight.AWS, Role: preflight.RoleOS, Ref: ref, At: at}
}

// stock fills a fake with the tests' images and four enabled regions.
func stock(f *fakeEC2) {
	f.regions = []string{"us-east-1", "eu-west-1", "us-west-2", "ap-south-1"}
	f.add("us-east-1",
		fakeImage{ID: amiX86, Name: capaName, State: "available", Arch: "x86_64"},
		fakeImage{ID: amiArm, Name: "capa-ami-ubuntu-24.04-arm64", State: "available", Arch: "arm64"},
		fakeImage{ID: amiOld, Name: "old", State: "available", Arch: "x86_64", Deprecation: "2024-01-01T00:00:00.000Z"},
		fakeImage{ID: amiSoon, Name: "soon", State: "available", Arch: "x86_64", Deprecation: "2099-06-30T00:00:00.000Z"},
		fakeImage{ID: amiWait, Name: "copying", State: "pending", Arch: "x86_64"},
		fakeImage{ID: amiGone, Name: "gone", State: "deregistered", Arch: "x86_64"},
	)
	f.add("eu-west-1", fakeImage{ID: amiAway, Name: "byoos's image (rhel 9)", State: "available", Arch: "x86_64"})
}

// config is a Config that reaches f with its credentials, retrying quickly.
func config(f *fakeEC2) aws.Config {
	return aws.Config{
		AccessKeyID:     fakeAccessKey,
		SecretAccessKey: secret.String(fakeSecretKey),
		Endpoint:        f.srv.URL,
		HTTPClient:      f.srv.Client(),
		MaxAttempts:     3,
		MaxBackoff:      2 * time.Millisecond,
	}
}

// want is a finding a case expects.
type want struct {
	sev      finding.Severity
	code     string
	contains []string // in the message
	hint     []string // in the hint
}

// closedPort returns the URL of a loopback port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	return "https://" + addr
}

// dnsFailure is an HTTP client whose every host name fails to resolve, so
// the DNS path is exercised without leaving the machine.
func dnsFailure() *http.Client {
	return &http.Client{Transport: &http.Transport{DialContext: func(_ context.Context, _, addr string) (net.Conn, error) {
		host, _, _ := net.SplitHostPort(addr)
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}}}
}

func TestCheck(t *testing.T) {
	east := preflight.Target{Region: "us-east-1"}
	for _, c := range []struct {
		name    string
		setup   func(f *fakeEC2)
		cfg     func(t *testing.T, c *aws.Config)
		ref     string
		target  preflight.Target
		ctx     time.Duration // a deadline for the check, when set
		want    []want
		checked string
		calls   map[string]int // "REGION Action" → signed calls, when given
	}{
		{
			name: "an available x86_64 AMI in the cluster's region holds", ref: amiX86, target: east,
			checked: amiX86 + " (" + capaName + ") in us-east-1: available, x86_64",
			calls:   map[string]int{"us-east-1 DescribeImages": 1},
		},
		{
			name: "an arm64 AMI holds for arm64 machines (aarch64 is arm64)", ref: amiArm, target: preflight.Target{Region: "us-east-1", Arch: "aarch64"},
			checked: "available, arm64",
		},
		{
			name: "an AMI missing in the cluster's region but in eu-west-1 says so and prints the copy-image command", ref: amiAway, target: east,
			setup: func(f *fakeEC2) { f.empty["us-east-1"] = true },
			want: []want{{finding.Error, finding.CodeVerifyAWSNotInRegion,
				[]string{amiAway + " is not in us-east-1, the cluster's region (EC2 described no such image); it is in eu-west-1 (available)"},
				[]string{"`aws ec2 copy-image --source-region eu-west-1 --source-image-id " + amiAway + ` --region us-east-1 --name 'byoos'\''s image (rhel 9)'` + "`"}}},
			checked: "missing; in eu-west-1",
			calls: map[string]int{"us-east-1 DescribeImages": 1, "us-east-1 DescribeRegions": 1,
				"eu-west-1 DescribeImages": 1, "us-west-2 DescribeImages": 1, "ap-south-1 DescribeImages": 1},
		},
		{
			name: "the regions given to search are searched instead of the account's", ref: amiAway,
			target: preflight.Target{Region: "us-east-1", AlsoRegions: []string{"eu-west-1", "us-east-1", "eu-west-1"}},
			want: []want{{finding.Error, finding.CodeVerifyAWSNotInRegion,
				[]string{"(EC2 answered InvalidAMIID.NotFound); it is in eu-west-1 (available)"},
				[]string{"--source-region eu-west-1"}}},
			calls: map[string]int{"us-east-1 DescribeImages": 1, "us-east-1 DescribeRegions": 0, "eu-west-1 DescribeImages": 1, "us-west-2 DescribeImages": 0},
		},
		{
			name: "an AMI missing everywhere names every region searched", ref: amiNone, target: east,
			want: []want{{finding.Error, finding.CodeVerifyAWSNotInRegion,
				[]string{amiNone + " is not in us-east-1", "nor in any other region searched (ap-south-1, eu-west-1, us-west-2)", "(EC2 answered InvalidAMIID.NotFound)"},
				[]string{"aws ec2 describe-images --region us-east-1 --image-ids " + amiNone}}},
			checked: "missing everywhere searched",
		},
		{
			name: "a region that cannot be searched is not counted among those searched", ref: amiNone, target: east,
			setup: func(f *fakeEC2) { f.throttle["ap-south-1"] = -1 },
			want: []want{{finding.Error, finding.CodeVerifyAWSNotInRegion,
				[]string{"nor in any other region searched (eu-west-1, us-west-2); could not search ap-south-1 (throttled: "}, nil}},
		},
		{
			name: "an account with only the cluster's region has no other region to search", ref: amiAway, target: east,
			setup: func(f *fakeEC2) { f.regions = []string{"us-east-1"} },
			want: []want{{finding.Error, finding.CodeVerifyAWSNotInRegion,
				[]string{"(EC2 answered InvalidAMIID.NotFound); there was no other region to search"}, nil}},
			calls: map[string]int{"us-east-1 DescribeImages": 1, "eu-west-1 DescribeImages": 0},
		},
		{
			name: "a region that cannot be searched is named, and the others still are", ref: amiAway, target: east,
			setup: func(f *fakeEC2) { f.throttle["ap-south-1"] = -1 },
			want: []want{{finding.Error, finding.CodeVerifyAWSNotInRegion,
				[]string{"it is in eu-west-1 (available)", "could not search ap-south-1 (throttled: EC2 answered RequestLimitExceeded (Request limit exceeded.) after 3 attempts)"},
				[]string{"--source-region eu-west-1"}}},
		},
		{
			name: "an account whose regions cannot be listed says the other regions were not searched", ref: amiAway, target: east,
			setup: func(f *fakeEC2) { f.unauthorized["DescribeRegions"] = true },
			want: []want{{finding.Error, finding.CodeVerifyAWSNotInRegion,
				[]string{"the other regions were not searched: listing the account's regions (DescribeRegions in us-east-1) failed: EC2 answered UnauthorizedOperation"}, nil}},
		},
		{
			name: "a malformed AMI ID is named as EC2 reports it", ref: "ami-12345", target: east,
			want: []want{{finding.Error, finding.CodeVerifyAWSMalformed,
				[]string{`EC2 in us-east-1 says "ami-12345" is not a well-formed AMI ID (InvalidAMIID.Malformed: Invalid id: "ami-12345"`}, nil}},
			checked: "ami-12345 in us-east-1: malformed",
		},
		{
			name: "a pending AMI is not available yet", ref: amiWait, target: east,
			want: []want{{finding.Error, finding.CodeVerifyAWSState,
				[]string{amiWait + " exists in us-east-1 but its state is pending, not available"},
				[]string{"wait until"}}},
			checked: "pending, x86_64",
		},
		{
			name: "a deregistered AMI is not available", ref: amiGone, target: east,
			want: []want{{finding.Error, finding.CodeVerifyAWSState, []string{"its state is deregistered"}, nil}},
		},
		{
			name: "an arm64 AMI for x86_64 machines is refused", ref: amiArm, target: east,
			want: []want{{finding.Error, finding.CodeVerifyAWSArch,
				[]string{amiArm + " is built for arm64, but the cluster's machines are x86_64"}, []string{"--arch arm64"}}},
		},
		{
			name: "an x86_64 AMI for arm64 machines is refused", ref: amiX86, target: preflight.Target{Region: "us-east-1", Arch: "arm64"},
			want: []want{{finding.Error, finding.CodeVerifyAWSArch, []string{"is built for x86_64, but the cluster's machines are arm64"}, nil}},
		},
		{
			name: "an AMI deprecated in the past is a warning with the time", ref: amiOld, target: east,
			want: []want{{finding.Warning, finding.CodeVerifyAWSDeprecated,
				[]string{amiOld + " has been deprecated since 2024-01-01T00:00:00Z"}, []string{"newer AMI"}}},
			checked: "deprecated since 2024-01-01T00:00:00Z",
		},
		{
			name: "an AMI to be deprecated in the future is information with the time", ref: amiSoon, target: east,
			want: []want{{finding.Info, finding.CodeVerifyAWSDeprecated,
				[]string{amiSoon + " will be deprecated on 2099-06-30T00:00:00Z"}, nil}},
		},
		{
			name: "a throttled call is retried and then succeeds", ref: amiX86, target: east,
			setup:   func(f *fakeEC2) { f.throttle["us-east-1"] = 2 },
			checked: "available, x86_64",
			calls:   map[string]int{"us-east-1 DescribeImages": 3},
		},
		{
			name: "a call throttled every time gives up after the retry bound", ref: amiX86, target: east,
			setup: func(f *fakeEC2) { f.throttle["us-east-1"] = -1 },
			want: []want{{finding.Error, finding.CodeVerifyAWSThrottled,
				[]string{"could not check " + amiX86 + ": DescribeImages in us-east-1 failed: throttled: EC2 answered RequestLimitExceeded (Request limit exceeded.) after 3 attempts"},
				[]string{"verify again in a while"}}},
			checked: "not checked",
			calls:   map[string]int{"us-east-1 DescribeImages": 3},
		},
		{
			name: "a wrong secret key is refused as AuthFailure", ref: amiX86, target: east,
			cfg: func(_ *testing.T, c *aws.Config) { c.SecretAccessKey = "wrong-Secret-Key-9f8e7d6c5b4a39281706" },
			want: []want{{finding.Error, finding.CodeVerifyAWSAuth,
				[]string{"could not check " + amiX86 + ": DescribeImages in us-east-1 failed: EC2 answered AuthFailure (AWS was not able to validate the provided access credentials): the credentials were refused"},
				[]string{"ec2:DescribeImages"}}},
			calls: map[string]int{"us-east-1 DescribeImages": 0},
		},
		{
			name: "credentials not allowed to describe images are UnauthorizedOperation", ref: amiX86, target: east,
			setup: func(f *fakeEC2) { f.unauthorized["DescribeImages"] = true },
			want:  []want{{finding.Error, finding.CodeVerifyAWSAuth, []string{"EC2 answered UnauthorizedOperation"}, nil}},
		},
		{
			name: "a closed port is unreachable", ref: amiX86, target: east,
			cfg: func(t *testing.T, c *aws.Config) { c.Endpoint = closedPort(t) },
			want: []want{{finding.Error, finding.CodeVerifyAWSUnreachable,
				[]string{"DescribeImages in us-east-1 failed: cannot connect to 127.0.0.1:", "connection refused"}, nil}},
		},
		{
			name: "an endpoint whose TLS certificate is not trusted is unreachable", ref: amiX86, target: east,
			cfg: func(_ *testing.T, c *aws.Config) { c.HTTPClient = &http.Client{Transport: &http.Transport{}} },
			want: []want{{finding.Error, finding.CodeVerifyAWSUnreachable,
				[]string{"TLS: the certificate of 127.0.0.1:", "is not signed by a trusted CA"}, []string{"CA"}}},
			calls: map[string]int{"us-east-1 DescribeImages": 0},
		},
		{
			name: "a host name that does not resolve is unreachable", ref: amiX86, target: east,
			cfg: func(_ *testing.T, c *aws.Config) {
				c.Endpoint, c.HTTPClient = "https://ec2.nowhere.invalid", dnsFailure()
			},
			want: []want{{finding.Error, finding.CodeVerifyAWSUnreachable, []string{"cannot resolve the host name ec2.nowhere.invalid (DNS: no such host)"}, nil}},
		},
		{
			name: "a server slower than the deadline gives a timeout finding promptly", ref: amiX86, target: east,
			setup: func(f *fakeEC2) { f.slow = true },
			ctx:   300 * time.Millisecond,
			want: []want{{finding.Error, finding.CodeVerifyTimeout,
				[]string{"could not check " + amiX86 + ": DescribeImages in us-east-1 failed: it did not finish in time (context deadline exceeded)"}, nil}},
		},
		{
			name: "no region is a finding and no call", ref: amiX86, target: preflight.Target{},
			want: []want{{finding.Error, finding.CodeVerifyAWSRegion, []string{"no AWS region was given"}, []string{"--region"}}},
		},
		{
			name: "a region that is not a region name is a finding and no call", ref: amiX86, target: preflight.Target{Region: "Virginia"},
			want: []want{{finding.Error, finding.CodeVerifyAWSRegion, []string{`the region "Virginia" is not an AWS region name`}, nil}},
		},
		{
			name: "an empty AMI ID is a finding and no call", ref: "", target: east,
			want: []want{{finding.Error, finding.CodeVerifyAWSMalformed, []string{"no AMI ID was given"}, nil}},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFakeEC2(t)
			stock(f)
			if c.setup != nil {
				c.setup(f)
			}
			cfg := config(f)
			if c.cfg != nil {
				c.cfg(t, &cfg)
			}
			ch, err := aws.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if c.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, c.ctx)
				defer cancel()
			}
			start := time.Now()
			res := ch.Check(ctx, image(c.ref), c.target)
			if c.ctx > 0 && time.Since(start) > c.ctx+10*time.Second { // a safety net, not a speed assertion
				t.Errorf("the check returned %s after its deadline", time.Since(start)-c.ctx)
			}
			if res.Image.Ref != c.ref {
				t.Errorf("the result is about %q, want %q", res.Image.Ref, c.ref)
			}
			if len(res.Findings) != len(c.want) {
				t.Fatalf("findings %+v; want %d", res.Findings, len(c.want))
			}
			for i, w := range c.want {
				got := res.Findings[i]
				if got.Severity != w.sev || got.Code != w.code {
					t.Errorf("finding %d is %s %s (%s); want %s %s", i, got.Severity, got.Code, got.Message, w.sev, w.code)
				}
				for _, s := range w.contains {
					if !strings.Contains(got.Message, s) {
						t.Errorf("finding %d says %q; want it to contain %q", i, got.Message, s)
					}
				}
				for _, s := range w.hint {
					if !strings.Contains(got.Hint, s) {
						t.Errorf("finding %d hints %q; want it to contain %q", i, got.Hint, s)
					}
				}
				if got.Layer != at.Layer || got.Path != at.Path || got.Field != at.Field || got.Line != at.Line || got.Column != at.Column {
					t.Errorf("finding %d is located at %+v; want where the image is named", i, got)
				}
			}
			if !strings.Contains(res.Checked, c.checked) || res.Checked == "" {
				t.Errorf("Checked is %q; want it to contain %q", res.Checked, c.checked)
			}
			for k, n := range c.calls {
				region, action, _ := strings.Cut(k, " ")
				if got := f.callCount(region, action); got != n {
					t.Errorf("%s was called %d times; want %d", k, got, n)
				}
			}
			if c.target.Region == "" || c.ref == "" || c.target.Region == "Virginia" {
				if n := f.totalCalls(); n != 0 {
					t.Errorf("%d calls reached EC2; want none", n)
				}
			}
			noSecret(t, res, fakeSecretKey, cfg.SecretAccessKey.Reveal())
		})
	}
}

// noSecret fails when a finding or the summary quotes one of secrets.
func noSecret(t *testing.T, res preflight.Result, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for _, text := range []string{res.Checked} {
			if strings.Contains(text, s) {
				t.Errorf("Checked quotes a secret key: %q", text)
			}
		}
		for _, f := range res.Findings {
			if strings.Contains(f.Message+f.Hint, s) || strings.Contains(f.Message+f.Hint, s[:16]) {
				t.Errorf("a finding quotes a secret key: %+v", f)
			}
		}
	}
}

func TestAnEndpointThatQuotesTheSecretKeyDoesNotLeakItIntoFindings(t *testing.T) {
	f := newFakeEC2(t)
	stock(f)
	f.echo = " (secret was " + fakeSecretKey + ")"
	f.unauthorized["DescribeImages"] = true
	ch, err := aws.New(config(f))
	if err != nil {
		t.Fatal(err)
	}
	res := ch.Check(context.Background(), image(amiX86), preflight.Target{Region: "us-east-1"})
	if len(res.Findings) != 1 || res.Findings[0].Code != finding.CodeVerifyAWSAuth {
		t.Fatalf("findings %+v; want one %s", res.Findings, finding.CodeVerifyAWSAuth)
	}
	if !strings.Contains(res.Findings[0].Message, "(secret was "+secret.Mask+")") {
		t.Errorf("the finding says %q; want the echoed key masked", res.Findings[0].Message)
	}
	noSecret(t, res, fakeSecretKey)
}

func TestTheStandardCredentialChainIsUsedWhenNoKeysAreGiven(t *testing.T) {
	isolateAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", fakeAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", fakeSecretKey)
	f := newFakeEC2(t)
	stock(f)
	ch, err := aws.New(aws.Config{Endpoint: f.srv.URL, HTTPClient: f.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	res := ch.Check(context.Background(), image(amiX86), preflight.Target{Region: "us-east-1"})
	if len(res.Findings) != 0 || f.callCount("us-east-1", "DescribeImages") != 1 {
		t.Errorf("findings %+v after %d calls; want none after one", res.Findings, f.callCount("us-east-1", "DescribeImages"))
	}
}

func TestNoCredentialsAnywhereIsAnAuthFinding(t *testing.T) {
	isolateAWSEnv(t)
	f := newFakeEC2(t)
	stock(f)
	ch, err := aws.New(aws.Config{Endpoint: f.srv.URL, HTTPClient: f.srv.Client(), MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	res := ch.Check(context.Background(), image(amiX86), preflight.Target{Region: "us-east-1"})
	if len(res.Findings) != 1 || res.Findings[0].Code != finding.CodeVerifyAWSAuth || !strings.Contains(res.Findings[0].Message, "no AWS credentials were found") {
		t.Errorf("findings %+v; want one %s saying no credentials were found", res.Findings, finding.CodeVerifyAWSAuth)
	}
	if n := f.totalCalls(); n != 0 {
		t.Errorf("%d signed calls reached EC2; want none", n)
	}
}

// isolateAWSEnv clears the AWS settings of the environment for one test:
// no keys, no shared files, no instance metadata (so no network).
func isolateAWSEnv(t *testing.T) {
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_DEFAULT_PROFILE": "",
		"AWS_CONFIG_FILE": dir + "/config", "AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_ROLE_ARN": "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
		"AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_EC2": "", "AWS_REGION": "", "AWS_DEFAULT_REGION": "",
	} {
		t.Setenv(k, v)
	}
}

func TestNewRefusesAConfigurationThatCannotWork(t *testing.T) {
	for _, c := range []struct {
		name    string
		cfg     aws.Config
		wantErr string
	}{
		{"an endpoint that is not http(s) is refused", aws.Config{Endpoint: "ftp://ec2.example"}, "not an http(s) URL"},
		{"an endpoint without a host is refused", aws.Config{Endpoint: "https://"}, "not an http(s) URL"},
		{"an endpoint with credentials is refused without quoting them", aws.Config{Endpoint: "https://user:hunter2-pass@ec2.example"}, "carries credentials"},
		{"an endpoint with a query is refused", aws.Config{Endpoint: "https://ec2.example/?x=1"}, "query"},
		{"an access key without its secret is refused", aws.Config{AccessKeyID: fakeAccessKey}, "both the access key ID and the secret"},
		{"a secret without its access key is refused", aws.Config{SecretAccessKey: fakeSecretKey}, "both the access key ID and the secret"},
		{"static keys and a profile together are refused", aws.Config{AccessKeyID: fakeAccessKey, SecretAccessKey: fakeSecretKey, Profile: "dev"}, "not both"},
		{"a negative retry bound is refused", aws.Config{MaxAttempts: -1}, "negative"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := aws.New(c.cfg)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("err = %v; want one containing %q", err, c.wantErr)
			}
			if strings.Contains(err.Error(), "hunter2-pass") || strings.Contains(err.Error(), fakeSecretKey) {
				t.Errorf("the error quotes a secret: %v", err)
			}
		})
	}
}

func TestRunChecksSeveralAMIsAndOneFailureHidesNoOther(t *testing.T) {
	f := newFakeEC2(t)
	stock(f)
	ch, err := aws.New(config(f))
	if err != nil {
		t.Fatal(err)
	}
	imgs := []preflight.Image{image(amiX86), image(amiAway), image(amiArm), image("ami-xyz"), image(amiOld), image(amiNone)}
	res := preflight.Run(context.Background(), imgs, preflight.Target{Region: "us-east-1", AlsoRegions: []string{"eu-west-1", "us-west-2"}},
		map[string]preflight.Checker{preflight.AWS: ch}, preflight.Options{Parallel: 3, Timeout: 30 * time.Second})
	want := [][]string{
		nil,
		{finding.CodeVerifyAWSNotInRegion},
		{finding.CodeVerifyAWSArch},
		{finding.CodeVerifyAWSMalformed},
		{finding.CodeVerifyAWSDeprecated},
		{finding.CodeVerifyAWSNotInRegion},
	}
	if len(res) != len(imgs) {
		t.Fatalf("%d results for %d images", len(res), len(imgs))
	}
	for i, r := range res {
		var codes []string
		for _, f := range r.Findings {
			codes = append(codes, f.Code)
		}
		if r.Image.Ref != imgs[i].Ref || strings.Join(codes, ",") != strings.Join(want[i], ",") {
			t.Errorf("result %d is about %s with %v; want %s with %v", i, r.Image.Ref, r.Findings, imgs[i].Ref, want[i])
		}
		if r.Checked == "" {
			t.Errorf("result %d (%s) says nothing of what was checked", i, r.Image.Ref)
		}
	}
	if !strings.Contains(res[1].Findings[0].Hint, "--source-region eu-west-1 --source-image-id "+amiAway+" --region us-east-1") {
		t.Errorf("the missing AMI's hint is %q", res[1].Findings[0].Hint)
	}
	if !strings.Contains(res[5].Findings[0].Message, "nor in any other region searched (eu-west-1, us-west-2)") {
		t.Errorf("the AMI missing everywhere says %q", res[5].Findings[0].Message)
	}
	if n := f.callCount("us-east-1", "DescribeRegions"); n != 0 {
		t.Errorf("DescribeRegions was called %d times though the regions to search were given", n)
	}
}

func TestTheRetryBoundIsNotWidenedByTheEnvironment(t *testing.T) {
	isolateAWSEnv(t)
	t.Setenv("AWS_ACCESS_KEY_ID", fakeAccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", fakeSecretKey)
	t.Setenv("AWS_MAX_ATTEMPTS", "7")
	f := newFakeEC2(t)
	stock(f)
	f.throttle["us-east-1"] = -1
	ch, err := aws.New(aws.Config{Endpoint: f.srv.URL, HTTPClient: f.srv.Client(), MaxAttempts: 2, MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	res := ch.Check(context.Background(), image(amiX86), preflight.Target{Region: "us-east-1"})
	if len(res.Findings) != 1 || res.Findings[0].Code != finding.CodeVerifyAWSThrottled {
		t.Errorf("findings %+v; want one %s", res.Findings, finding.CodeVerifyAWSThrottled)
	}
	if n := f.callCount("us-east-1", "DescribeImages"); n != 2 {
		t.Errorf("DescribeImages was tried %d times; want the bound, 2", n)
	}
}
