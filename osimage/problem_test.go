package osimage_test

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/byoos/byoos/osimage"
)

func TestProblemIsAnErrorThatReadsCodeMessageHint(t *testing.T) {
	p := &osimage.Problem{Code: "aws-ami-empty", Message: "no AMI ID was given.", Hint: "Set one."}
	var err error = p
	if got, want := err.Error(), "aws-ami-empty: no AMI ID was given. Set one."; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	var nilProblem *osimage.Problem
	if got := nilProblem.Error(); got != "<nil>" {
		t.Errorf("nil Error() = %q", got)
	}
	if nilProblem.Unwrap() != nil {
		t.Error("nil Unwrap() should be nil")
	}
}

func TestAProblemDerivedFromAParseErrorWrapsIt(t *testing.T) {
	_, p := osimage.ParseVHD("https://acct.blob.core.windows.net/vhds/x%zz.vhd", osimage.AzureOptions{})
	if p == nil || p.Code != osimage.CodeAzureVHDMalformed {
		t.Fatalf("got %v, want %s", p, osimage.CodeAzureVHDMalformed)
	}
	var urlErr *url.Error
	if !errors.As(p, &urlErr) {
		t.Errorf("a problem derived from a url.Parse error should wrap it; Unwrap() = %v", p.Unwrap())
	}
	_, p = osimage.ParseTemplate("https://images.example.com/ova/r_u-x%zz.ova")
	if p == nil || !errors.As(p, &urlErr) {
		t.Errorf("a template URL problem should wrap the url.Parse error, got %v", p)
	}
	_, p = osimage.ParseAMI("snap-0123456789abcdef0")
	if p == nil || p.Unwrap() != nil {
		t.Errorf("a problem found by this package's own checks wraps nothing, got %v", p)
	}
}

func TestEveryParserRefusesInputsOverTheLengthLimit(t *testing.T) {
	long := "ami-" + strings.Repeat("a", osimage.MaxLength)
	cases := []struct {
		name string
		code string
		run  func(string) *osimage.Problem
	}{
		{"AMI", osimage.CodeAWSAMIMalformed, func(s string) *osimage.Problem { _, p := osimage.ParseAMI(s); return p }},
		{"VHD", osimage.CodeAzureVHDMalformed, func(s string) *osimage.Problem {
			_, p := osimage.ParseVHD(s, osimage.AzureOptions{AllowEmulator: true})
			return p
		}},
		{"template", osimage.CodeVSphereTemplatePath, func(s string) *osimage.Problem { _, p := osimage.ParseTemplate(s); return p }},
		{"OCI", osimage.CodeOCIInvalid, func(s string) *osimage.Problem { _, p := osimage.ParseOCI(s); return p }},
		{"registry", osimage.CodeRegistryInvalid, func(s string) *osimage.Problem { _, p := osimage.ParseRegistryHost(s); return p }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.run(long)
			checkProblem(t, long, p, wantProblem{code: c.code, msg: []string{"4096", "bytes"}})
			if len(p.Message) > 400 {
				t.Errorf("the message should quote only the start of a huge value, got %d bytes", len(p.Message))
			}
		})
	}
}
