package regsync

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/byoos/byoos/secret"
)

// ECR's limits and the AWS calls' retry policy.
const (
	// ecrMaxPageSize is the most repositories DescribeRepositories lists per page.
	ecrMaxPageSize = 1000
	// awsMaxAttempts and awsMaxBackoff bound the SDK's retries of one call.
	awsMaxAttempts = 3
	awsMaxBackoff  = 2 * time.Second
	// roleSessionName names the sessions of an assumed role in CloudTrail.
	roleSessionName = "byoos-regsync"
)

// regionPattern is what an AWS region name looks like (us-east-1,
// cn-north-1, us-gov-west-1, eusc-de-east-1).
var regionPattern = regexp.MustCompile(`^[a-z]{2,4}(-[a-z0-9]+)+-[0-9]+$`)

// ecrHost reads the account and region of an ECR registry host name:
// ACCOUNT.dkr.ecr[-fips].REGION.amazonaws.com[.cn] or the dual-stack
// ACCOUNT.dkr-ecr[-fips].REGION.on.aws. ok is false for any other host.
func ecrHost(host string) (account, region string, ok bool) {
	if h, _, found := strings.Cut(host, ":"); found {
		host = h
	}
	l := strings.Split(strings.ToLower(host), ".")
	switch {
	case len(l) >= 6 && l[1] == "dkr" && (l[2] == "ecr" || l[2] == "ecr-fips") && l[4] == "amazonaws":
		account, region = l[0], l[3]
	case len(l) == 5 && (l[1] == "dkr-ecr" || l[1] == "dkr-ecr-fips") && l[3] == "on" && l[4] == "aws":
		account, region = l[0], l[2]
	default:
		return "", "", false
	}
	if len(account) != 12 || strings.Trim(account, "0123456789") != "" || !regionPattern.MatchString(region) {
		return "", "", false
	}
	return account, region, true
}

// ecrTarget is an ECR registry to reach: the AWS region of its API, the
// account that owns it (nil for the caller's own), and, when the endpoint
// was given, the registry.
type ecrTarget struct {
	region     string
	registryID *string
	oci        ociTarget
	hasOCI     bool
}

// parseECR checks the source's endpoint, region and API endpoints. The
// endpoint may be empty when the region is given: the registry is then the
// one GetAuthorizationToken names (the caller's account's).
func parseECR(src Source) (ecrTarget, error) {
	bad := func(format string, args ...any) error {
		return &Error{Reason: ReasonBadEndpoint, Message: fmt.Sprintf(format, args...)}
	}
	var t ecrTarget
	region := strings.TrimSpace(src.Region)
	if strings.TrimSpace(src.Endpoint) != "" {
		o, err := parseOCI(src)
		if err != nil {
			return ecrTarget{}, err
		}
		t.oci, t.hasOCI = o, true
		if account, hostRegion, ok := ecrHost(o.reg.RegistryStr()); ok {
			t.registryID = aws.String(account)
			switch {
			case region == "":
				region = hostRegion
			case region != hostRegion:
				return ecrTarget{}, bad("the endpoint %s is in region %q, but the region given is %q; give the endpoint's region, or none", o.reg.RegistryStr(), hostRegion, region)
			}
		}
	}
	switch {
	case region == "" && t.hasOCI:
		return ecrTarget{}, bad("the region of the ECR registry %s is not known: give the region, or an endpoint of the form ACCOUNT.dkr.ecr.REGION.amazonaws.com", t.oci.reg.RegistryStr())
	case region == "":
		return ecrTarget{}, bad("an ECR registry needs an endpoint (ACCOUNT.dkr.ecr.REGION.amazonaws.com) or a region")
	case !regionPattern.MatchString(region):
		return ecrTarget{}, bad("the region %q is not an AWS region name (e.g. us-east-1)", region)
	}
	t.region = region
	for _, ep := range []struct{ field, value string }{{"ECR API endpoint", src.ECRAPIEndpoint}, {"STS endpoint", src.STSEndpoint}} {
		if ep.value == "" {
			continue
		}
		u, err := url.Parse(ep.value)
		if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return ecrTarget{}, bad("the %s %q is not an https URL without credentials or query (e.g. https://api.ecr.us-east-1.amazonaws.com)", ep.field, ep.value)
		}
	}
	return t, nil
}

// awsConfig returns the configuration of the AWS calls of this run: the
// region, the run's HTTP transport (its CA and TLS settings, https only, no
// redirects), bounded retries, and the source's credentials.
//
// Credentials are, in order: a role to assume (RoleARN, with ExternalID),
// assumed with the source's access key when it has one and with the
// server's default credential chain otherwise; else the source's static
// access key, secret key and session token. The SDK logs nothing.
func (r *run) awsConfig(ctx context.Context, t ecrTarget) (aws.Config, error) {
	cfg := aws.Config{
		Region: t.region,
		HTTPClient: &http.Client{Transport: r.rt, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}},
		Retryer: func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) {
				o.MaxAttempts = awsMaxAttempts
				o.MaxBackoff = awsMaxBackoff
			})
		},
	}
	var static aws.CredentialsProvider
	switch {
	case r.src.Username != "" && r.src.Password != "":
		static = credentials.NewStaticCredentialsProvider(r.src.Username, r.src.Password, r.src.SessionToken)
	case r.src.Username != "" || r.src.Password != "":
		return aws.Config{}, &Error{Reason: ReasonUnauthorized, Message: "an ECR registry's credentials need both the access key id (username) and the secret access key (password)"}
	}
	role := strings.TrimSpace(r.src.RoleARN)
	switch {
	case role != "":
		base := cfg.Copy()
		if static != nil {
			base.Credentials = static
		} else {
			// The chain's own providers (instance metadata over plain
			// http, ECS, SSO) use the SDK's default HTTP client.
			def, err := config.LoadDefaultConfig(ctx, config.WithRegion(t.region))
			if err != nil {
				return aws.Config{}, &Error{Reason: ReasonUnauthorized, Message: "cannot load the server's AWS credentials (the default chain: environment, shared files, instance role) to assume the role " + role + ": " + err.Error(), Err: err}
			}
			if def.Credentials == nil {
				return aws.Config{}, &Error{Reason: ReasonUnauthorized, Message: "the server has no AWS credentials (environment, shared files, instance role) to assume the role " + role + " with"}
			}
			base.Credentials = chainCredentials{def.Credentials}
		}
		client := sts.NewFromConfig(base, func(o *sts.Options) {
			if r.src.STSEndpoint != "" {
				o.BaseEndpoint = aws.String(r.src.STSEndpoint)
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(client, role, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = roleSessionName
			if ext := strings.TrimSpace(r.src.ExternalID); ext != "" {
				o.ExternalID = aws.String(ext)
			}
		}))
	case static != nil:
		cfg.Credentials = static
	default:
		return aws.Config{}, &Error{Reason: ReasonUnauthorized, Message: "an ECR registry needs an access key id and secret access key, or a role ARN to assume"}
	}
	return cfg, nil
}

// ecrConnect gets an authorization token from ECR in the registry's region
// and returns the ECR API client, the registry as an OCI target, and basic
// credentials for it (the token's user and password, registered with the
// redactor).
func (r *run) ecrConnect(ctx context.Context) (*ecr.Client, ecrTarget, authn.Authenticator, error) {
	t, err := parseECR(r.src)
	if err != nil {
		return nil, ecrTarget{}, nil, err
	}
	cfg, err := r.awsConfig(ctx, t)
	if err != nil {
		return nil, ecrTarget{}, nil, err
	}
	api := ecr.NewFromConfig(cfg, func(o *ecr.Options) {
		if r.src.ECRAPIEndpoint != "" {
			o.BaseEndpoint = aws.String(r.src.ECRAPIEndpoint)
		}
	})
	out, err := api.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return nil, ecrTarget{}, nil, awsError("GetAuthorizationToken", err)
	}
	if len(out.AuthorizationData) == 0 || aws.ToString(out.AuthorizationData[0].AuthorizationToken) == "" {
		return nil, ecrTarget{}, nil, &Error{Reason: ReasonMalformed, Message: "ECR's GetAuthorizationToken answered no authorization token"}
	}
	data := out.AuthorizationData[0]
	token := aws.ToString(data.AuthorizationToken)
	r.redact.Add(token, secret.Derived)
	raw, err := base64.StdEncoding.DecodeString(token)
	if err != nil {
		return nil, ecrTarget{}, nil, &Error{Reason: ReasonMalformed, Message: "ECR's authorization token is not base64"}
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok || user == "" || pass == "" {
		return nil, ecrTarget{}, nil, &Error{Reason: ReasonMalformed, Message: "ECR's authorization token is not USER:PASSWORD in base64"}
	}
	r.redact.Add(pass, secret.Mask)
	if !t.hasOCI {
		proxy := aws.ToString(data.ProxyEndpoint)
		src := r.src
		src.Endpoint = proxy
		o, err := parseOCI(src)
		if err != nil {
			return nil, ecrTarget{}, nil, &Error{Reason: ReasonMalformed, Message: fmt.Sprintf("ECR's token names the registry %q, which is not usable: %s", proxy, classify(err).Message), Err: err}
		}
		t.oci, t.hasOCI = o, true
	}
	return api, t, &authn.Basic{Username: user, Password: pass}, nil
}

// checkECR gets a token, asks DescribeRepositories for one repository, and
// asks the registry's /v2/ with the token.
func (r *run) checkECR(ctx context.Context) error {
	api, t, auth, err := r.ecrConnect(ctx)
	if err != nil {
		return err
	}
	if _, err := api.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RegistryId: t.registryID, MaxResults: aws.Int32(1)}); err != nil {
		return awsError("DescribeRepositories", err)
	}
	c, _, err := r.ociClient(ctx, t.oci, auth)
	if err != nil {
		return err
	}
	return pingV2(ctx, c, t.oci)
}

// syncECR lists the pack repositories with DescribeRepositories and reads
// them through the registry's OCI API with ECR's token (tags from the
// registry's tag list, archives as for any OCI registry).
func (r *run) syncECR(ctx context.Context) (*Result, error) {
	api, t, auth, err := r.ecrConnect(ctx)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	repos, err := r.ecrRepositories(ctx, api, t, res)
	if err != nil {
		return nil, err
	}
	c, p, err := r.ociClient(ctx, t.oci, auth)
	if err != nil {
		return nil, err
	}
	// The token is checked before any tag list, so that a refused token
	// fails the sync rather than skipping every pack.
	if err := pingV2(ctx, c, t.oci); err != nil {
		return nil, err
	}
	return r.readPacks(ctx, c, p, t.oci, repos, res)
}

// ecrRepositories lists the registry's repositories that hold one pack
// each (PREFIX/NAME), sorted, following DescribeRepositories' pages within
// bounds: at most 10×MaxPacks (at least 1000) repositories listed (an empty
// page counts as one), and MaxPacks pack repositories.
func (r *run) ecrRepositories(ctx context.Context, api *ecr.Client, t ecrTarget, res *Result) ([]string, error) {
	maxEntries := max(10*r.lim.MaxPacks, 1000)
	pageSize := int32(min(r.pageSize, ecrMaxPageSize))
	host := t.oci.reg.RegistryStr()
	var out []string
	var next *string
	seen := 0
	for {
		page, err := api.DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RegistryId: t.registryID, MaxResults: aws.Int32(pageSize), NextToken: next})
		if err != nil {
			return nil, awsError("DescribeRepositories", err)
		}
		seen += max(len(page.Repositories), 1)
		for _, repo := range page.Repositories {
			name := aws.ToString(repo.RepositoryName)
			rest, ok := strings.CutPrefix(name, t.oci.prefix)
			if !ok || rest == "" || strings.Contains(rest, "/") {
				continue
			}
			if len(out) == r.lim.MaxPacks {
				res.Skipped = append(res.Skipped, Skipped{Ref: host + "/" + name, Reason: fmt.Sprintf("limit: more than %d pack repositories; the rest were not read", r.lim.MaxPacks)})
				slices.Sort(out)
				return out, nil
			}
			out = append(out, name)
		}
		if aws.ToString(page.NextToken) == "" {
			break
		}
		if seen >= maxEntries {
			res.Skipped = append(res.Skipped, Skipped{Ref: host, Reason: fmt.Sprintf("limit: DescribeRepositories lists more than %d repositories; the rest were not read", maxEntries)})
			break
		}
		next = page.NextToken
	}
	slices.Sort(out)
	return out, nil
}

// chainCredentials are the server's credentials, found by the default
// chain; a failure to find them is a *noCredentialsError.
type chainCredentials struct{ p aws.CredentialsProvider }

// Retrieve implements aws.CredentialsProvider.
func (c chainCredentials) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := c.p.Retrieve(ctx)
	if err != nil {
		return creds, &noCredentialsError{err: err}
	}
	return creds, nil
}

// noCredentialsError is the default chain finding no credentials.
type noCredentialsError struct{ err error }

func (e *noCredentialsError) Error() string {
	return "the server's AWS credentials were not found: " + e.err.Error()
}

func (e *noCredentialsError) Unwrap() error { return e.err }

// awsError turns the error of an AWS call into an *Error: the error code
// AWS answered decides the reason; an error before any answer (DNS,
// connection, TLS, time) is classified like a registry's.
func awsError(op string, err error) error {
	var ae smithy.APIError
	var nc *noCredentialsError
	if errors.As(err, &nc) {
		return &Error{Reason: ReasonUnauthorized, Message: "the server has no AWS credentials to assume the role with (its default chain: environment, shared files, web identity, ECS or EC2 instance role): " + nc.err.Error(), Err: err}
	}
	if errors.As(err, &ae) {
		if isSTS(err) {
			op = "STS AssumeRole (for ECR " + op + ")"
		}
		what := fmt.Sprintf("AWS answered %s to %s", ae.ErrorCode(), op)
		if m := ae.ErrorMessage(); m != "" {
			what += ": " + m
		}
		e := &Error{Message: what, Err: err}
		switch ae.ErrorCode() {
		case "UnrecognizedClientException", "InvalidSignatureException", "AccessDeniedException", "AccessDenied",
			"InvalidClientTokenId", "SignatureDoesNotMatch", "ExpiredToken", "ExpiredTokenException", "IncompleteSignature",
			"MissingAuthenticationToken", "InvalidAccessKeyId", "NotAuthorized", "UnauthorizedOperation", "RegionDisabledException":
			e.Reason = ReasonUnauthorized
		case "RepositoryNotFoundException", "RegistryNotFoundException":
			e.Reason = ReasonNotFound
		case "ThrottlingException", "Throttling", "ServerException", "ServiceUnavailable", "ServiceUnavailableException",
			"InternalFailure", "InternalError", "RequestLimitExceeded", "RequestTimeout", "RequestTimeoutException":
			e.Reason = ReasonUnreachable
		case "InvalidParameterException", "ValidationException", "InvalidParameterValue":
			e.Reason = ReasonBadEndpoint
		default:
			var re *awshttp.ResponseError
			if errors.As(err, &re) {
				return statusError(re.HTTPStatusCode(), what, err)
			}
			e.Reason = ReasonMalformed
		}
		return e
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != 0 {
		return statusError(re.HTTPStatusCode(), fmt.Sprintf("the AWS API answered HTTP %d to %s", re.HTTPStatusCode(), op), err)
	}
	e := classify(err)
	msg := strings.ReplaceAll(e.Message, "the registry", "the AWS API")
	return &Error{Reason: e.Reason, Message: "calling AWS " + op + ": " + msg, Err: err}
}

// isSTS reports whether err came from a call to STS (assuming the role).
func isSTS(err error) bool {
	for e := err; e != nil; e = errors.Unwrap(e) {
		if oe, ok := e.(*smithy.OperationError); ok && oe.ServiceID == "STS" {
			return true
		}
	}
	return false
}
