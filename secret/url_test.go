package secret

import (
	"strings"
	"testing"
)

func TestRedactURL(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"a SAS signature is masked and the other parameters kept",
			"https://a.blob.core.windows.net/c/x.vhd?sv=1&sig=SECRET&se=2030",
			"https://a.blob.core.windows.net/c/x.vhd?sv=1&sig=" + Mask + "&se=2030"},
		{"an http URL's signature is masked too",
			"http://a.blob.core.windows.net/c/x.vhd?sv=1&sig=SECRET",
			"http://a.blob.core.windows.net/c/x.vhd?sv=1&sig=" + Mask},
		{"an upper-case SIG is a signature", "https://h/x.vhd?SIG=SECRET", "https://h/x.vhd?SIG=" + Mask},
		{"a percent-encoded %73ig is a signature", "https://h/x.vhd?%73ig=SECRET", "https://h/x.vhd?%73ig=" + Mask},
		{"a twice percent-encoded %2573ig is a signature", "https://h/x.vhd?%2573ig=SECRET", "https://h/x.vhd?%2573ig=" + Mask},
		{"a sig after a semicolon is a signature", "https://h/x.vhd;sig=SECRET", "https://h/x.vhd;sig=" + Mask},
		{"a sig after a fragment mark is a signature", "https://h/x.vhd#sig=SECRET", "https://h/x.vhd#sig=" + Mask},
		{"a sig key with white space around it is a signature", "https://h/x.vhd?sv=1&\tsig =SECRET", "https://h/x.vhd?sv=1&\tsig =" + Mask},
		{"a tab inside the signature does not end it", "https://h/x.vhd?sig=SEC\tRET&sv=1", "https://h/x.vhd?sig=" + Mask + "&sv=1"},
		{"a no-break space inside the signature does not end it", "https://h/x.vhd?sig=SEC\u00a0RET", "https://h/x.vhd?sig=" + Mask},
		{"a tab in the host does not stop the masking", "https://h\t/x.vhd?sig=SECRET", "https://h\t/x.vhd?sig=" + Mask},
		{"invalid UTF-8 does not stop the masking", "https://h/\xff.vhd?sig=SEC\xffRET", "https://h/\xff.vhd?sig=" + Mask},
		{"AWS presigned URL credentials are masked",
			"https://b.s3.amazonaws.com/r_u-x.ova?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=abc&X-Amz-Security-Token=tok&X-Amz-Expires=60",
			"https://b.s3.amazonaws.com/r_u-x.ova?X-Amz-Credential=" + Mask + "&X-Amz-Signature=" + Mask + "&X-Amz-Security-Token=" + Mask + "&X-Amz-Expires=60"},
		{"token, access_token and code are masked",
			"https://h/x?token=a&access_token=b&code=c&state=d",
			"https://h/x?token=" + Mask + "&access_token=" + Mask + "&code=" + Mask + "&state=d"},
		{"a user name and password are masked whole", "https://user:PASS@h/x.vhd", "https://" + Mask + "@h/x.vhd"},
		{"a user name alone is masked", "https://TOKEN@github.com/x", "https://" + Mask + "@github.com/x"},
		{"a password holding an unescaped slash is masked whole", "https://u:pa/ss@h/x", "https://" + Mask + "@h/x"},
		{"a password holding an unescaped question mark is masked whole", "https://u:pa?ss@h/x", "https://" + Mask + "@h/x"},
		{"a scheme-relative URL's userinfo is masked", "//u:p@h/x", "//" + Mask + "@h/x"},
		{"the userinfo of a URL inside a query is masked", "https://h/x?next=https://u:p@h2/", "https://h/x?next=https://" + Mask + "@h2/"},
		{"an @ inside a signature does not show the rest of it", "https://h/x?sig=ab@cd", "https://" + Mask},
		{"a part of a URL starting with a signature is masked", "sig=SECRET&sv=1", "sig=" + Mask + "&sv=1"},
		{"a URL without credentials is unchanged", "https://a.blob.core.windows.net/c/x.vhd?sv=1&se=2030&signed=1&design=2", "https://a.blob.core.windows.net/c/x.vhd?sv=1&se=2030&signed=1&design=2"},
		{"an image reference with a digest is unchanged", "registry.io/repo:tag@sha256:abc", "registry.io/repo:tag@sha256:abc"},
		{"an empty signature is left empty", "https://h/x.vhd?sig=&sv=1", "https://h/x.vhd?sig=&sv=1"},
		{"an empty string is unchanged", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := RedactURL(tc.in)
			if got != tc.want {
				t.Errorf("RedactURL(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if again := RedactURL(got); again != got {
				t.Errorf("RedactURL is not idempotent: %q then %q", got, again)
			}
			if has := URLHasCredentials(tc.in); has != (got != tc.in) {
				t.Errorf("URLHasCredentials(%q) = %v, but RedactURL changed it: %v", tc.in, has, got != tc.in)
			}
		})
	}
}

func TestIsCredentialQueryKey(t *testing.T) {
	for _, tc := range []struct {
		name string
		key  string
		want bool
	}{
		{"sig is a credential key", "sig", true},
		{"SIG in upper case is a credential key", "SIG", true},
		{"a percent-encoded s in %73ig is a credential key", "%73ig", true},
		{"x-amz-signature in mixed case is a credential key", "X-Amz-Signature", true},
		{"a plus sign before sig reads as a space and is trimmed", "+sig", true},
		{"sv is not a credential key", "sv", false},
		{"signed is not a credential key", "signed", false},
		{"an invalid percent-escape is kept as it is", "%zzsig", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsCredentialQueryKey(tc.key); got != tc.want {
				t.Errorf("IsCredentialQueryKey(%q) = %v, want %v", tc.key, got, tc.want)
			}
		})
	}
}

// secretMark is the secret the fuzz target plants; it has no character that could end a
// parameter or a userinfo, so whatever surrounds it, it is a whole credential.
const secretMark = "Zq7SECRETw4"

// sigKeys are the spellings of a signature parameter's name that Azure or a reader could
// take for "sig".
var sigKeys = [...]string{"sig", "SIG", "Sig", "%73ig", "%73%69%67", "%2573ig", " sig", "sig\t", "x-amz-signature", "X-Amz-Security-Token", "access_token", "code", "token"}

// FuzzRedactURL checks the property the messages rely on: whatever comes before and
// after it, a secret in a credential parameter (after '?', '&', ';' or '#') or in the
// userinfo of a URL (after "://", before '@', with no '@' or "://" of its own) never
// survives RedactURL, and RedactURL changes a value only by masking.
func FuzzRedactURL(f *testing.F) {
	f.Add("https://a.blob.core.windows.net/c/x.vhd", uint8(0), "&sv=1", "user", uint8(0))
	f.Add("http://h/x.vhd?sv=1", uint8(3), "\t", "", uint8(1))
	f.Add("h\u00a0/x", uint8(6), "#", "u:", uint8(2))
	f.Add("", uint8(1), "", "a@b", uint8(3))
	f.Fuzz(func(t *testing.T, prefix string, key uint8, suffix, user string, sep uint8) {
		if strings.Contains(prefix+suffix+user, secretMark[:4]) {
			return
		}
		seps := [...]string{"?", "&", ";", "#"}
		in := prefix + seps[int(sep)%len(seps)] + sigKeys[int(key)%len(sigKeys)] + "=" + secretMark + suffix
		if out := RedactURL(in); strings.Contains(out, secretMark) {
			t.Fatalf("RedactURL(%q) = %q keeps the signature", in, out)
		}
		if !strings.Contains(user, "@") && !strings.Contains(user, "://") && !strings.Contains(suffix, "://") {
			in = prefix + "://" + user + ":" + secretMark + "@" + suffix
			if out := RedactURL(in); strings.Contains(out, secretMark) {
				t.Fatalf("RedactURL(%q) = %q keeps the password", in, out)
			}
		}
		for _, s := range []string{prefix, suffix, user} {
			if out := RedactURL(s); out != s && !strings.Contains(out, Mask) {
				t.Fatalf("RedactURL(%q) = %q changed the value without masking", s, out)
			}
		}
	})
}
