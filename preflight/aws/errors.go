package aws

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"

	"github.com/byoos/byoos/finding"
)

// authCodes are EC2's (and AWS's) answers that mean the credentials are
// wrong, expired, or not allowed to make the call.
var authCodes = map[string]bool{
	"AuthFailure": true, "UnauthorizedOperation": true, "InvalidClientTokenId": true,
	"SignatureDoesNotMatch": true, "ExpiredToken": true, "RequestExpired": true,
	"IncompleteSignature": true, "MissingAuthenticationToken": true, "InvalidAccessKeyId": true,
	"OptInRequired": true, "Blocked": true, "PendingVerification": true,
	"UnrecognizedClientException": true, "AccessDenied": true, "AccessDeniedException": true,
}

// isCode reports whether err is EC2's answer code.
func isCode(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// apiMessage is the message of EC2's answer in err.
func apiMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return err.Error()
}

// fault is the finding about a call (what) that failed with err.
func (k *check) fault(ctx context.Context, what string, err error) finding.Finding {
	code, cause := k.c.cause(ctx, err)
	msg := fmt.Sprintf("could not check %s: %s failed: %s", k.ami, what, cause)
	var hint string
	switch code {
	case finding.CodeVerifyTimeout:
		hint = "Check that EC2 answers from where verify runs (proxy, firewall, DNS), or give the check more time (--timeout)."
	case finding.CodeVerifyAWSAuth:
		hint = fmt.Sprintf("Check the AWS credentials verify uses (static keys, or the standard chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, the shared files, an instance or task role): they must be valid, current, and allowed ec2:DescribeImages and ec2:DescribeRegions in %s.", k.region)
	case finding.CodeVerifyAWSThrottled:
		hint = "EC2 limits the rate of API calls per account and region; verify again in a while, or check fewer images at once."
	case finding.CodeVerifyAWSUnreachable:
		hint = "Check that the EC2 endpoint is reachable from where verify runs: DNS, proxy and firewall, and for a TLS error the CA that signs the endpoint's certificate."
	default:
		hint = "EC2 answered something the check did not expect; verify again, and if an EC2 endpoint is configured, check that it is EC2's."
	}
	return k.finding(finding.Error, code, msg, hint)
}

// cause classifies err, the failure of a call made under ctx, into a finding
// code and a sentence saying what went wrong. It never quotes credentials
// (the SDK's errors hold none; callers redact the static secret anyway).
func (c *Checker) cause(ctx context.Context, err error) (string, string) {
	if ctx.Err() != nil {
		return finding.CodeVerifyTimeout, fmt.Sprintf("it did not finish in time (%v)", ctx.Err())
	}
	attempts := ""
	var me *retry.MaxAttemptsError
	if errors.As(err, &me) {
		attempts = fmt.Sprintf(" after %d attempts", me.Attempt)
	}
	var nc *noCredentialsError
	if errors.As(err, &nc) {
		return finding.CodeVerifyAWSAuth, "no AWS credentials were found (the standard chain: environment, shared config and credentials files, SSO, web identity, ECS or EC2 instance role): " + nc.err.Error()
	}
	var quota ratelimit.QuotaExceededError
	if errors.As(err, &quota) {
		return finding.CodeVerifyAWSThrottled, "EC2 kept throttling or failing the calls of this run, and the SDK's retry quota is spent"
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		said := "EC2 answered " + ae.ErrorCode()
		if m := ae.ErrorMessage(); m != "" && m != ae.ErrorCode() {
			said += " (" + m + ")"
		}
		switch {
		case authCodes[ae.ErrorCode()]:
			return finding.CodeVerifyAWSAuth, said + ": the credentials were refused"
		case isThrottle(ae.ErrorCode()):
			return finding.CodeVerifyAWSThrottled, "throttled: " + said + attempts
		}
		var re *awshttp.ResponseError
		if errors.As(err, &re) && re.HTTPStatusCode() != 0 {
			said += fmt.Sprintf(", HTTP %d", re.HTTPStatusCode())
		}
		return finding.CodeVerifyAWSAPI, said + attempts
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != 0 {
		return finding.CodeVerifyAWSAPI, fmt.Sprintf("EC2 answered HTTP %d%s", re.HTTPStatusCode(), attempts)
	}
	var de *smithy.DeserializationError
	if errors.As(err, &de) {
		return finding.CodeVerifyAWSAPI, "EC2's answer could not be read: " + de.Error()
	}
	if why, ok := transport(err); ok {
		return finding.CodeVerifyAWSUnreachable, why + attempts
	}
	return finding.CodeVerifyAWSAPI, "calling EC2 failed: " + err.Error()
}

// isThrottle reports whether code is one of AWS's throttling answers.
func isThrottle(code string) bool {
	_, ok := retry.DefaultThrottleErrorCodes[code]
	return ok
}

// transport says why err, a failure to send a request or read its answer,
// happened: DNS, TLS, connection.
func transport(err error) (string, bool) {
	host := "the EC2 endpoint"
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			host = u.Host
		}
	}
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var record tls.RecordHeaderError
	var op *net.OpError
	switch {
	case errors.As(err, &dns):
		return fmt.Sprintf("cannot resolve the host name %s (DNS: %s)", dns.Name, dns.Err), true
	case errors.As(err, &unknownCA), errors.As(err, &verify) && errors.As(verify.Err, &unknownCA):
		return fmt.Sprintf("TLS: the certificate of %s is not signed by a trusted CA", host), true
	case errors.As(err, &hostname):
		return fmt.Sprintf("TLS: the certificate of %s does not name that host (%v)", host, hostname), true
	case errors.As(err, &invalid):
		return fmt.Sprintf("TLS: the certificate of %s is not valid (%v)", host, invalid), true
	case errors.As(err, &verify):
		return fmt.Sprintf("TLS: the certificate of %s could not be verified (%v)", host, verify.Err), true
	case errors.As(err, &record):
		return fmt.Sprintf("TLS: %s did not answer TLS (is it plain http?)", host), true
	case errors.As(err, &op) && op.Op == "dial":
		return fmt.Sprintf("cannot connect to %s: %s", host, strings.TrimPrefix(op.Err.Error(), "connect: ")), true
	case ue != nil && ue.Timeout():
		return fmt.Sprintf("%s did not answer in time", host), true
	case ue != nil:
		return fmt.Sprintf("the connection to %s failed: %v", host, ue.Err), true
	}
	return "", false
}
