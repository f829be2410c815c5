package osimage_test

import (
	"strings"
	"testing"

	"github.com/byoos/byoos/osimage"
)

// parsers runs every parser of the package on s and returns the problems found.
func parsers(s string) []*osimage.Problem {
	var ps []*osimage.Problem
	add := func(p *osimage.Problem) {
		if p != nil {
			ps = append(ps, p)
		}
	}
	_, p := osimage.ParseAMI(s)
	add(p)
	_, p = osimage.ParseVHD(s, osimage.AzureOptions{})
	add(p)
	_, p = osimage.ParseVHD(s, osimage.AzureOptions{AllowEmulator: true})
	add(p)
	_, p = osimage.ParseTemplate(s)
	add(p)
	_, p = osimage.ParseOCI(s)
	add(p)
	_, p = osimage.ParseRegistryHost(s)
	add(p)
	return ps
}

func TestNoMessageRepeatsACredential(t *testing.T) {
	const vhd = "acct1.blob.core.windows.net/vhds/x.vhd"
	for _, tc := range []struct {
		name, in string
		// code is the code ParseVHD gives, so that the test knows the input was read.
		code string
	}{
		{"the https hint of an http SAS URL masks the signature", "http://" + vhd + "?sv=1&sig=SECRET", osimage.CodeAzureVHDNotHTTPS},
		{"a tab in the URL does not reveal the signature", "https://" + vhd + "?sv=1&sig=SECRET\t", osimage.CodeAzureVHDMalformed},
		{"a no-break space in the URL does not reveal the signature", "https://" + vhd + "?sv=1&sig=SECRET\u00a0", osimage.CodeAzureVHDMalformed},
		{"a tab inside the signature does not reveal it", "https://" + vhd + "?sv=1&sig=SEC\tSECRET", osimage.CodeAzureVHDMalformed},
		{"an upper-case SIG is masked", "https://acct1.blob.core.windows.net/vhds/x.vhdx?SIG=SECRET", osimage.CodeAzureVHDExtension},
		{"a percent-encoded %73ig is masked", "https://acct1.blob.core.windows.net/vhds/x.vhdx?%73ig=SECRET", osimage.CodeAzureVHDExtension},
		{"a sig after a semicolon is masked", "https://acct1.blob.core.windows.net/vhds/x.vhdx;sig=SECRET", osimage.CodeAzureVHDExtension},
		{"a password in the userinfo is masked", "https://user:SECRET@" + vhd, osimage.CodeAzureVHDMalformed},
		{"a user name in the userinfo is masked", "https://SECRET@" + vhd, osimage.CodeAzureVHDMalformed},
		{"a password with white space in it is masked", "https://user:SEC RET SECRET@" + vhd, osimage.CodeAzureVHDMalformed},
		{"a signature beyond the quoted length is not cut in half", "https://" + vhd + "x?" + strings.Repeat("a=1&", 25) + "sig=SECRETSECRETSECRET", osimage.CodeAzureVHDExtension},
		{"a resource ID with a signature keeps it out of the shell hint", "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/i/versions/1?sig=SECRET", osimage.CodeAzureGalleryImage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, p := osimage.ParseVHD(tc.in, osimage.AzureOptions{}); p == nil || p.Code != tc.code {
				t.Fatalf("ParseVHD(%q) = %v, want code %s", tc.in, p, tc.code)
			}
			for _, p := range parsers(tc.in) {
				if strings.Contains(p.Message+p.Hint, "SECRET") || strings.Contains(p.Message+p.Hint, "SEC\\t") {
					t.Errorf("ParseX(%q) repeats the credential:\n%s", tc.in, p)
				}
			}
		})
	}
}

func TestCredentialsBeforeAHostAreNeverRepeated(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		parse    func(string) *osimage.Problem
		code     string
	}{
		{"an image reference with user:password@ is refused without repeating them", "user:SECRET@registry.example.com/os/ubuntu:k3s",
			func(s string) *osimage.Problem { _, p := osimage.ParseOCI(s); return p }, osimage.CodeOCIInvalid},
		{"an image reference URL with userinfo keeps them out of the drop-the-scheme hint", "https://user:SECRET@sha256:" + strings.Repeat("a", 64),
			func(s string) *osimage.Problem { _, p := osimage.ParseOCI(s); return p }, osimage.CodeOCIScheme},
		{"a registry with user:password@ is refused without repeating them", "user:SECRET@registry.example.com:5000",
			func(s string) *osimage.Problem { _, p := osimage.ParseRegistryHost(s); return p }, osimage.CodeRegistryInvalid},
		{"a registry URL with userinfo is refused without repeating them", "https://user:SECRET@registry.example.com",
			func(s string) *osimage.Problem { _, p := osimage.ParseRegistryHost(s); return p }, osimage.CodeRegistryInvalid},
		{"an OVA URL with a password that is not an OVA is refused without repeating it", "https://user:SECRET@images.example.com/x.iso",
			func(s string) *osimage.Problem { _, p := osimage.ParseTemplate(s); return p }, osimage.CodeVSphereTemplatePath},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.parse(tc.in)
			if p == nil || p.Code != tc.code {
				t.Fatalf("parse(%q) = %v, want code %s", tc.in, p, tc.code)
			}
			if strings.Contains(p.Message+p.Hint, "SECRET") {
				t.Errorf("parse(%q) repeats the credential:\n%s", tc.in, p)
			}
			if !strings.Contains(p.Message, "********@") {
				t.Errorf("parse(%q) does not show where the credentials were: %s", tc.in, p.Message)
			}
		})
	}
}

// fuzzSecret is the credential FuzzNoParserRepeatsACredential plants. It has no
// character that ends a parameter or a userinfo, so it is always a whole credential.
const fuzzSecret = "Zq7SECRETw4"

// FuzzNoParserRepeatsACredential checks that no parser's message or hint contains a
// secret planted in a signature parameter (any spelling of sig, after '?', '&' or ';')
// or in the userinfo of a URL, whatever surrounds it.
func FuzzNoParserRepeatsACredential(f *testing.F) {
	f.Add("http://acct1.blob.core.windows.net/vhds/x.vhd", uint8(0), "&se=1", "user")
	f.Add("https://acct1.blob.core.windows.net/vhds/x.vhdx", uint8(1), "\t", "")
	f.Add("https://images.example.com/x.ova", uint8(2), "\u00a0", "u")
	f.Add("/subscriptions/0/providers/Microsoft.Compute/images/i", uint8(3), "", "a")
	f.Add("oci", uint8(4), "@sha256:"+strings.Repeat("a", 64), "repo")
	keys := [...]string{"sig", "SIG", "%73ig", "Sig", "x-amz-signature", " sig"}
	seps := [...]string{"?", "&", ";"}
	f.Fuzz(func(t *testing.T, prefix string, k uint8, suffix, user string) {
		if strings.Contains(prefix+suffix+user, fuzzSecret[:4]) {
			return
		}
		ins := []string{prefix + seps[int(k)%len(seps)] + keys[int(k)%len(keys)] + "=" + fuzzSecret + suffix}
		if !strings.Contains(user, "@") && !strings.Contains(user+suffix, "://") {
			ins = append(ins, prefix+"://"+user+":"+fuzzSecret+"@"+suffix)
		}
		for _, in := range ins {
			for _, p := range parsers(in) {
				if strings.Contains(p.Message+p.Hint, fuzzSecret) {
					t.Fatalf("input %q: the problem repeats the credential:\n%s", in, p)
				}
			}
		}
	})
}
