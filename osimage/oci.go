package osimage

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/secret"
)

// OCI is a parsed OCI image reference.
type OCI struct {
	// Ref is the reference exactly as given.
	Ref string
	// Registry is the registry host[:port]. A reference without a registry resolves to
	// Docker Hub, "index.docker.io" (as does "docker.io").
	Registry string
	// Repository is the repository path within the registry; a one-segment Docker Hub
	// name gets the implicit "library/" namespace ("ubuntu" → "library/ubuntu").
	Repository string
	// Tag is the tag as given, or "" when none was given.
	Tag string
	// Digest is the digest as given ("sha256:…"), or "" when none was given.
	Digest string
	// ImplicitTag reports that neither a tag nor a digest was given, so a runtime would
	// pull ":latest". It is not a problem by itself; callers may warn about it.
	ImplicitTag bool
}

// exampleOCI is the reference quoted in hints.
const exampleOCI = "example.io/my-images/example-custom-os:v1.4.5"

// ociShape describes an image reference, for messages.
const ociShape = `an image reference REGISTRY/REPOSITORY:TAG (or @sha256:DIGEST), e.g. "` + exampleOCI + `"`

// ParseOCI parses an OCI image reference such as the provider image of an
// edge-native-byoi profile: "example.io/my-images/example-custom-os:v1.4.5",
// "10.10.1.5:5000/os/ubuntu@sha256:<64 hex>", "ubuntu:22.04" (Docker Hub). The reference is
// checked against the OCI distribution rules (lowercase repository path components,
// valid tag, supported digest, DNS registry host) and parsed with go-containerregistry's
// name package. A missing tag is accepted with ImplicitTag set. Problems carry
// CodeOCIEmpty, CodeOCIScheme, CodeOCIUppercase or CodeOCIInvalid.
func ParseOCI(s string) (OCI, *Problem) {
	v, p := parseOCIWith(s, true)
	if p != nil {
		return OCI{}, redactProblem(s, p, func(r string) *Problem { _, q := parseOCIWith(r, true); return q })
	}
	return v, nil
}

// parseOCIWith is ParseOCI without the redaction of its problems. When crossCloud is
// set, another cloud's image ([Classify]) is refused with [finding.CodeImageWrongCloud];
// Classify itself parses without it.
func parseOCIWith(s string, crossCloud bool) (OCI, *Problem) {
	if len(s) > MaxLength {
		return OCI{}, tooLong(finding.CodeOCIInvalid, "an image reference", s)
	}
	if strings.TrimSpace(s) == "" {
		return OCI{}, newProblem(finding.CodeOCIEmpty,
			fmt.Sprintf("no image reference was given (found %s); expected %s.", quote(s), ociShape),
			fmt.Sprintf("Set the image to the provider image you built and pushed, for example %q.", exampleOCI))
	}
	if shown, ok := credentialsBeforeHost(s, true); ok {
		return OCI{}, newProblem(finding.CodeOCIInvalid,
			fmt.Sprintf("the image reference %s carries credentials (user:password@) before the registry; image references never hold credentials: expected %s.", quote(shown), ociShape),
			"Remove them from the reference, and give the user name and password in providerCredentials.username and providerCredentials.password instead.")
	}
	if crossCloud {
		if p := wrongCloud(s, CloudTypeEdge); p != nil {
			return OCI{}, p
		}
	}
	if i, r := firstSpaceOrControl(s); i >= 0 {
		hint := fmt.Sprintf("Remove the white space and control characters; an image reference is a single word such as %q.", exampleOCI)
		if t := strings.TrimSpace(s); t != s {
			if _, p := ParseOCI(t); p == nil {
				hint = fmt.Sprintf("Remove the white space around the reference: use %s.", quote(t))
			}
		}
		return OCI{}, newProblem(finding.CodeOCIInvalid,
			fmt.Sprintf("the image reference %s contains %s at byte %d; expected %s.", quote(s), describeRune(r), i, ociShape), hint)
	}
	if se := schemeEnd(s); se >= 0 {
		rest := s[se+3:]
		hint := fmt.Sprintf("Drop the %s scheme: an image reference has no scheme, as in %q.", quote(s[:se+3]), exampleOCI)
		// A reference after userinfo ("https://user:pass@sha256:…" reads as a name, a tag and
		// a digest once the scheme is gone) is never offered: it would repeat the credentials.
		if schemeEnd(rest) < 0 && !secret.URLHasCredentials(s) {
			if _, p := ParseOCI(rest); p == nil {
				hint = fmt.Sprintf("Drop the scheme: use %s.", quote(rest))
			}
		}
		return OCI{}, newProblem(finding.CodeOCIScheme,
			fmt.Sprintf("the image reference %s starts with the URL scheme %s; image references never carry a scheme: expected %s.", quote(s), quote(s[:se+3]), ociShape),
			hint)
	}

	// Split REGISTRY/REPOSITORY:TAG@DIGEST ourselves to give precise reasons.
	base, digest := s, ""
	hasDigest := false
	if at := strings.IndexByte(s, '@'); at >= 0 {
		base, digest, hasDigest = s[:at], s[at+1:], true
		if reason := digestProblem(digest); reason != "" {
			return OCI{}, ociInvalid(s, reason, nil)
		}
	}
	repoPart, tag := base, ""
	hasTag := false
	if c := strings.LastIndexByte(base, ':'); c >= 0 && c > strings.LastIndexByte(base, '/') {
		repoPart, tag, hasTag = base[:c], base[c+1:], true
		if reason := tagProblem(tag); reason != "" {
			return OCI{}, ociInvalid(s, reason, nil)
		}
	}
	if repoPart == "" {
		return OCI{}, ociInvalid(s, "there is no repository name", nil)
	}
	registry, repo := "", repoPart
	if slash := strings.IndexByte(repoPart, '/'); slash >= 0 {
		if first := repoPart[:slash]; first == "localhost" || strings.ContainsAny(first, ".:") {
			registry, repo = first, repoPart[slash+1:]
		}
	}
	if registry != "" {
		if _, _, reason := hostPortProblem(registry, true); reason != "" {
			return OCI{}, ociInvalid(s, fmt.Sprintf("its registry %s is not a valid host[:port]: %s", quote(registry), reason), nil)
		}
	}
	if reason := repositoryProblem(repo); reason != "" {
		if lr := strings.ToLower(repo); lr != repo && repositoryProblem(lr) == "" {
			fixed := strings.ToLower(registry)
			if fixed != "" {
				fixed += "/"
			}
			fixed += lr
			if hasTag {
				fixed += ":" + tag
			}
			if hasDigest {
				fixed += "@" + digest
			}
			return OCI{}, newProblem(finding.CodeOCIUppercase,
				fmt.Sprintf("the repository path %s of the image reference %s has upper-case letters; registries require lower-case repository names.", quote(repo), quote(s)),
				fmt.Sprintf("Use the lower-cased reference %s (and push the image under that name).", quote(fixed)))
		}
		return OCI{}, ociInvalid(s, reason, nil)
	}

	var ref name.Reference
	var err error
	if hasDigest {
		ref, err = name.NewDigest(s)
	} else {
		ref, err = name.NewTag(s)
	}
	if err != nil {
		return OCI{}, ociInvalid(s, "the reference parser rejects it: "+strings.ToValidUTF8(err.Error(), "\uFFFD"), err)
	}
	ctx := ref.Context()
	return OCI{
		Ref:         s,
		Registry:    ctx.RegistryStr(),
		Repository:  ctx.RepositoryStr(),
		Tag:         tag,
		Digest:      digest,
		ImplicitTag: !hasTag && !hasDigest,
	}, nil
}

// ociInvalid builds a CodeOCIInvalid problem for reason, wrapping err if any.
func ociInvalid(s, reason string, err error) *Problem {
	p := newProblem(finding.CodeOCIInvalid,
		fmt.Sprintf("%s is not a valid image reference: %s; expected %s.", quote(s), reason, ociShape),
		fmt.Sprintf("Give the reference exactly as you pushed the image, REGISTRY/REPOSITORY:TAG, for example %q.", exampleOCI))
	if err != nil {
		p.err = fmt.Errorf("parse image reference: %w", err)
	}
	return p
}

// tagProblem returns why tag is not a valid tag, [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, or "".
func tagProblem(tag string) string {
	if tag == "" {
		return `the tag after the ":" is empty`
	}
	if len(tag) > 128 {
		return fmt.Sprintf("the tag is %d characters long; tags are at most 128", len(tag))
	}
	if tag[0] == '.' || tag[0] == '-' {
		return fmt.Sprintf("the tag %s starts with %q; tags start with a letter, digit or \"_\"", quote(tag), tag[:1])
	}
	for i := 0; i < len(tag); i++ {
		c := tag[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return fmt.Sprintf("the tag %s contains %s; tags may contain only letters, digits, \"_\", \".\" and \"-\"", quote(tag), describeRune(firstRuneAt(tag, i)))
		}
	}
	return ""
}

// digestProblem returns why d is not a supported digest (sha256:, sha384: or sha512:
// followed by the right number of lowercase hex digits), or "".
func digestProblem(d string) string {
	if d == "" {
		return `the digest after the "@" is empty`
	}
	if strings.IndexByte(d, '@') >= 0 {
		return `it has more than one "@"`
	}
	colon := strings.IndexByte(d, ':')
	if colon < 0 {
		return fmt.Sprintf("the digest %s has no algorithm; a digest is written sha256:<64 hex digits>", quote(d))
	}
	algo, hex := d[:colon], d[colon+1:]
	want := 0
	switch algo {
	case "sha256":
		want = 64
	case "sha384":
		want = 96
	case "sha512":
		want = 128
	default:
		return fmt.Sprintf("the digest algorithm %s is not supported; use sha256 (or sha384, sha512)", quote(algo))
	}
	if !isLowerHex(hex) {
		if isHexFold(hex) {
			return fmt.Sprintf("the %s digest has upper-case hex digits; digests are lower case", algo)
		}
		return fmt.Sprintf("the %s digest %s is not made of hex digits", algo, quote(hex))
	}
	if len(hex) != want {
		return fmt.Sprintf("the %s digest has %d hex digits instead of %d", algo, len(hex), want)
	}
	return ""
}

// repositoryProblem returns why repo is not a valid repository path, or "".
func repositoryProblem(repo string) string {
	if repo == "" {
		return "the repository path is empty"
	}
	if len(repo) > 255 {
		return fmt.Sprintf("the repository path is %d characters long; it may be at most 255", len(repo))
	}
	for c := range strings.SplitSeq(repo, "/") {
		if c == "" {
			return fmt.Sprintf("the repository path %s has an empty component (a leading, double or trailing slash)", quote(repo))
		}
		if r := pathComponentProblem(c); r != "" {
			return fmt.Sprintf("the repository component %s %s", quote(c), r)
		}
	}
	return ""
}
