package regsync

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

func TestECRHostNamesItsAccountAndRegion(t *testing.T) {
	tests := []struct {
		name, host, account, region string
		ok                          bool
	}{
		{"a registry host names its account and region", "123456789012.dkr.ecr.eu-west-3.amazonaws.com", "123456789012", "eu-west-3", true},
		{"a port after the host does not matter", "123456789012.dkr.ecr.us-east-1.amazonaws.com:443", "123456789012", "us-east-1", true},
		{"upper case is read as lower case", "123456789012.DKR.ECR.US-WEST-2.AMAZONAWS.COM", "123456789012", "us-west-2", true},
		{"a FIPS host names its region", "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com", "123456789012", "us-gov-west-1", true},
		{"a China host names its region", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "123456789012", "cn-north-1", true},
		{"a European Sovereign Cloud host names its region", "123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu", "123456789012", "eusc-de-east-1", true},
		{"a dual-stack host names its region", "123456789012.dkr-ecr.ap-southeast-2.on.aws", "123456789012", "ap-southeast-2", true},
		{"an account that is not 12 digits is not an ECR host", "12345.dkr.ecr.us-east-1.amazonaws.com", "", "", false},
		{"a region that is not a region name is not an ECR host", "123456789012.dkr.ecr.not_a_region.amazonaws.com", "", "", false},
		{"a public ECR host is not a private registry host", "public.ecr.aws", "", "", false},
		{"another registry is not an ECR host", "registry.example.com", "", "", false},
		{"a loopback address is not an ECR host", "127.0.0.1:5000", "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			account, region, ok := ecrHost(tc.host)
			if account != tc.account || region != tc.region || ok != tc.ok {
				t.Fatalf("got %q %q %v, want %q %q %v", account, region, ok, tc.account, tc.region, tc.ok)
			}
		})
	}
}

func FuzzECRHost(f *testing.F) {
	for _, s := range []string{"123456789012.dkr.ecr.eu-west-3.amazonaws.com", "123456789012.dkr-ecr.us-east-1.on.aws", "a.b.c", ":", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, host string) {
		account, region, ok := ecrHost(host)
		if !ok {
			if account != "" || region != "" {
				t.Fatalf("not an ECR host, yet %q %q", account, region)
			}
			return
		}
		if len(account) != 12 || !regionPattern.MatchString(region) || !strings.Contains(strings.ToLower(host), account+".") || !strings.Contains(strings.ToLower(host), "."+region+".") {
			t.Fatalf("%q read as account %q, region %q", host, account, region)
		}
	})
}

func TestParseECRFindsTheRegion(t *testing.T) {
	tests := []struct {
		name     string
		src      Source
		region   string
		registry string // the registry id, "" for none
		reason   string
	}{
		{"the region comes from an ECR endpoint when none is given", Source{Endpoint: "123456789012.dkr.ecr.eu-west-3.amazonaws.com"}, "eu-west-3", "123456789012", ""},
		{"the same region given and in the endpoint is accepted", Source{Endpoint: "https://123456789012.dkr.ecr.eu-west-3.amazonaws.com", Region: "eu-west-3"}, "eu-west-3", "123456789012", ""},
		{"the region given is used for a host that names none", Source{Endpoint: "ecr.internal.example.com", Region: "us-east-2"}, "us-east-2", "", ""},
		{"a region given with no endpoint is used", Source{Region: "us-east-2"}, "us-east-2", "", ""},
		{"a region other than the endpoint's is refused", Source{Endpoint: "123456789012.dkr.ecr.eu-west-3.amazonaws.com", Region: "us-east-1"}, "", "", ReasonBadEndpoint},
		{"an STS endpoint with credentials in it is refused", Source{Region: "us-east-2", STSEndpoint: "https://u:p@sts.example.com"}, "", "", ReasonBadEndpoint},
		{"an ECR API endpoint that is not a URL is refused", Source{Region: "us-east-2", ECRAPIEndpoint: "api.ecr.us-east-2.amazonaws.com"}, "", "", ReasonBadEndpoint},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseECR(tc.src)
			if ReasonOf(err) != tc.reason {
				t.Fatalf("reason %q (%v), want %q", ReasonOf(err), err, tc.reason)
			}
			if err != nil {
				return
			}
			id := ""
			if got.registryID != nil {
				id = *got.registryID
			}
			if got.region != tc.region || id != tc.registry {
				t.Fatalf("region %q, registry %q; want %q, %q", got.region, id, tc.region, tc.registry)
			}
		})
	}
}

func TestAWSErrorsMapToReasons(t *testing.T) {
	api := func(code string, status int) error {
		resp := &smithyhttp.Response{Response: &http.Response{StatusCode: status}}
		return &smithy.OperationError{ServiceID: "ECR", OperationName: "DescribeRepositories", Err: &awshttp.ResponseError{
			ResponseError: &smithyhttp.ResponseError{Response: resp, Err: &smithy.GenericAPIError{Code: code, Message: "m"}}}}
	}
	tests := []struct {
		name   string
		err    error
		reason string
	}{
		{"an unknown access key is unauthorized", api("UnrecognizedClientException", 400), ReasonUnauthorized},
		{"a wrong secret key is unauthorized", api("InvalidSignatureException", 400), ReasonUnauthorized},
		{"a denied action is unauthorized", api("AccessDeniedException", 400), ReasonUnauthorized},
		{"a denied role is unauthorized", api("AccessDenied", 403), ReasonUnauthorized},
		{"an expired session token is unauthorized", api("ExpiredTokenException", 400), ReasonUnauthorized},
		{"a missing registry is not found", api("RegistryNotFoundException", 400), ReasonNotFound},
		{"throttling is unreachable", api("ThrottlingException", 400), ReasonUnreachable},
		{"a server error is unreachable", api("ServerException", 500), ReasonUnreachable},
		{"a bad parameter is a bad endpoint", api("InvalidParameterException", 400), ReasonBadEndpoint},
		{"an unknown code with status 403 is unauthorized", api("SomethingNew", 403), ReasonUnauthorized},
		{"an unknown code with status 400 is malformed", api("SomethingNew", 400), ReasonMalformed},
		{"the server's missing credentials are unauthorized", fmt.Errorf("get identity: %w", &noCredentialsError{err: errors.New("no EC2 IMDS role found")}), ReasonUnauthorized},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := awsError("DescribeRepositories", tc.err)
			if ReasonOf(err) != tc.reason || !strings.Contains(err.Error(), "DescribeRepositories") && !strings.Contains(err.Error(), "credentials") {
				t.Fatalf("got %v, want reason %q", err, tc.reason)
			}
		})
	}
}
