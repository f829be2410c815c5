package osimage

import (
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/secret"
)

// Template is a parsed vSphere template reference.
type Template struct {
	// Path is the reference exactly as given: an inventory path, a bare name or a URL.
	Path string
	// Folder is everything before the last "/" of Path: "" for a bare name, "/" for a
	// template at the inventory root, and for a URL the URL up to the file name.
	Folder string
	// Name is the last segment of Path: the template or OVA file name (percent-decoded
	// for a URL).
	Name string
	// OVA reports whether Name ends in ".ova" (in any case).
	OVA bool
	// URL reports whether Path is an http(s) URL of an OVA.
	URL bool
	// HasCredentials reports whether the OVA URL carries credentials: userinfo
	// (user:password@) or a signature or token in its query ([secret.URLHasCredentials]).
	HasCredentials bool
}

// ovaPrefix is the prefix Palette expects OVA template names to carry.
const ovaPrefix = "r_u-"

// templateShape describes the accepted forms, for messages.
const templateShape = `a template name ("rhel-8-kube-v1.27.11"), an inventory path ("/Datacenter/vm/folder/rhel-8-kube-v1.27.11" or "path/to/template/rhel-8-kube-v1.27.11") or the http(s) URL of an "r_u-" OVA`

// ParseTemplate parses the vSphere image of a generic-byoi profile: a template path
// ("/Datacenter/vm/folder/rhel-8-kube-v1.27.11", "path/to/template/rhel-8-kube-v1.27.11"),
// a bare template name ("rhel-8-kube-v1.27.11"), or the http(s) URL of an OVA
// ("https://example.com/images/r_u-2004-0-k-1243-0.ova"). When the last segment ends in
// ".ova" it must start with "r_u-", the prefix Palette expects on OVAs. Problems carry
// CodeVSphereTemplateEmpty, CodeVSphereOVAPrefix or CodeVSphereTemplatePath.
func ParseTemplate(s string) (Template, *Problem) {
	v, p := parseTemplate(s)
	if p != nil {
		return Template{}, redactProblem(s, p, func(r string) *Problem { _, q := parseTemplate(r); return q })
	}
	return v, nil
}

// parseTemplate is ParseTemplate without the redaction of its problems.
func parseTemplate(s string) (Template, *Problem) {
	if len(s) > MaxLength {
		return Template{}, tooLong(finding.CodeVSphereTemplatePath, "a template path", s)
	}
	if strings.TrimSpace(s) == "" {
		return Template{}, newProblem(finding.CodeVSphereTemplateEmpty,
			fmt.Sprintf("no vSphere template was given (found %s); expected %s.", quote(s), templateShape),
			"Set the image to the name or inventory path of the VM template built for this Kubernetes version, for example \"path/to/template/rhel-8-kube-v1.27.11\".")
	}
	if i, r := firstControlOrEdgeSpace(s); i >= 0 {
		hint := "Remove the control characters and invalid bytes; copy the template's inventory path again from the vSphere client."
		if t := strings.TrimSpace(s); t != s {
			hint = fmt.Sprintf("Remove the white space around the value: use %s.", quote(t))
			if _, p := ParseTemplate(t); p != nil {
				hint = "Remove the white space around the value, then check the template path: " + p.Message
			}
			return Template{}, newProblem(finding.CodeVSphereTemplatePath,
				fmt.Sprintf("the template %s has white space before or after it; expected %s.", quote(s), templateShape), hint)
		}
		return Template{}, newProblem(finding.CodeVSphereTemplatePath,
			fmt.Sprintf("the template %s contains %s at byte %d; expected %s.", quote(s), describeRune(r), i, templateShape), hint)
	}
	if p := wrongCloud(s, CloudTypeVSphere); p != nil {
		return Template{}, p
	}
	if strings.IndexByte(s, '\\') >= 0 {
		hint := "Separate folders with \"/\", not \"\\\"; a vSphere inventory path looks like \"/Datacenter/vm/folder/template\"."
		if fixed := strings.ReplaceAll(s, `\`, "/"); schemeEnd(s) < 0 && !(len(s) > 1 && s[1] == ':') {
			if _, p := ParseTemplate(fixed); p == nil {
				hint = fmt.Sprintf("Separate folders with \"/\", not \"\\\": use %s.", quote(fixed))
			}
		}
		return Template{}, newProblem(finding.CodeVSphereTemplatePath,
			fmt.Sprintf("the template path %s contains a backslash, as in a Windows path; vSphere inventory paths use \"/\" between folders.", quote(s)),
			hint)
	}
	if se := schemeEnd(s); se >= 0 {
		return parseTemplateURL(s, se)
	}
	folder, name := "", s
	if slash := strings.LastIndexByte(s, '/'); slash >= 0 {
		folder, name = s[:slash], s[slash+1:]
		if folder == "" {
			folder = "/"
		}
	}
	if p := templateSegmentsProblem(s); p != nil {
		return Template{}, p
	}
	ova := hasSuffixFold(name, ".ova")
	if ova && !strings.HasPrefix(name, ovaPrefix) {
		renamed := renameOVA(name)
		full := renamed
		switch folder {
		case "":
		case "/":
			full = "/" + renamed
		default:
			full = folder + "/" + renamed
		}
		return Template{}, ovaPrefixProblem(s, name, renamed, full)
	}
	return Template{Path: s, Folder: folder, Name: name, OVA: ova}, nil
}

// firstControlOrEdgeSpace returns the first control character or invalid UTF-8 byte of s,
// or the first white space at its start or end, or -1.
func firstControlOrEdgeSpace(s string) (int, rune) {
	r, _ := utf8.DecodeRuneInString(s)
	if isSpaceOrControl(r) {
		return 0, r
	}
	if r, size := utf8.DecodeLastRuneInString(s); isSpaceOrControl(r) {
		return len(s) - size, r
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < ' ' || c == 0x7f {
				return i, rune(c)
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 || r >= 0x80 && r <= 0x9f {
			return i, r
		}
		i += size - 1
	}
	return -1, 0
}

// templateSegmentsProblem checks the "/"-separated segments of an inventory path.
func templateSegmentsProblem(s string) *Problem {
	rest := strings.TrimPrefix(s, "/")
	if rest == "" || strings.HasSuffix(rest, "/") {
		return newProblem(finding.CodeVSphereTemplatePath,
			fmt.Sprintf("the template path %s ends with \"/\", so it names a folder, not a template; expected %s.", quote(s), templateShape),
			"Append the template's name to the folder path, or remove the trailing \"/\".")
	}
	for seg := range strings.SplitSeq(rest, "/") {
		switch seg {
		case "":
			return newProblem(finding.CodeVSphereTemplatePath,
				fmt.Sprintf("the template path %s has an empty segment (\"//\"); expected folder names separated by single slashes.", quote(s)),
				fmt.Sprintf("Remove the extra slash: use %s.", quote(squeezeSlashes(s))))
		case ".", "..":
			return newProblem(finding.CodeVSphereTemplatePath,
				fmt.Sprintf("the template path %s has a %s segment; vSphere inventory paths are not resolved like file paths.", quote(s), quote(seg)),
				"Give the template's full inventory path from the datacenter down, for example \"/Datacenter/vm/folder/rhel-8-kube-v1.27.11\", without . or .. segments.")
		}
	}
	return nil
}

// squeezeSlashes collapses runs of "/" into one and drops a trailing "/".
func squeezeSlashes(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '/' && i > 0 && s[i-1] == '/' {
			continue
		}
		b.WriteByte(s[i])
	}
	out := b.String()
	if len(out) > 1 {
		out = strings.TrimSuffix(out, "/")
	}
	return out
}

// renameOVA returns name with the "r_u-" prefix: added, or with its case fixed.
func renameOVA(name string) string {
	if hasPrefixFold(name, ovaPrefix) {
		return ovaPrefix + name[len(ovaPrefix):]
	}
	return ovaPrefix + name
}

// ovaPrefixProblem explains an OVA whose name lacks the "r_u-" prefix.
func ovaPrefixProblem(s, name, renamed, full string) *Problem {
	hint := fmt.Sprintf("Rename the OVA to %s in the same folder and use %s.", quote(renamed), quote(full))
	if full == renamed {
		hint = fmt.Sprintf("Rename the OVA to %s and use that name.", quote(renamed))
	}
	return newProblem(finding.CodeVSphereOVAPrefix,
		fmt.Sprintf("the OVA %s in %s does not start with %q; Palette expects OVA templates to carry the %q prefix.", quote(name), quote(s), ovaPrefix, ovaPrefix),
		hint)
}

// parseTemplateURL parses an http(s) URL of an OVA; se is the index of "://".
func parseTemplateURL(s string, se int) (Template, *Problem) {
	scheme := strings.ToLower(s[:se])
	if scheme != "http" && scheme != "https" {
		return Template{}, newProblem(finding.CodeVSphereTemplatePath,
			fmt.Sprintf("the template %s is a URL with the %q scheme; expected %s.", quote(s), scheme, templateShape),
			"Serve the OVA over http(s) and give its URL, or import it into vCenter and give the template's inventory path.")
	}
	u, err := url.Parse(s)
	if err != nil {
		p := newProblem(finding.CodeVSphereTemplatePath,
			fmt.Sprintf("the OVA URL %s cannot be parsed (%s); expected %s.", quote(s), plainURLError(err), templateShape),
			"Check the URL of the OVA, and percent-encode special characters in its path.")
		p.err = fmt.Errorf("parse OVA URL: %w", err)
		return Template{}, p
	}
	if u.Host == "" {
		return Template{}, newProblem(finding.CodeVSphereTemplatePath,
			fmt.Sprintf("the OVA URL %s has no host; expected a URL such as \"https://images.example.com/r_u-2004-0-k-1243-0.ova\".", quote(s)),
			"Give the full URL of the OVA, including the server that hosts it.")
	}
	base := s
	if i := strings.IndexAny(base[se+3:], "?#"); i >= 0 {
		base = base[:se+3+i]
	}
	slash := strings.LastIndexByte(base, '/')
	if slash < se+3 || u.Path == "" || strings.HasSuffix(u.Path, "/") {
		return Template{}, newProblem(finding.CodeVSphereTemplatePath,
			fmt.Sprintf("the URL %s does not name an OVA file; expected a URL ending in a file name such as \"r_u-2004-0-k-1243-0.ova\".", quote(s)),
			"Give the URL of the .ova file itself, not of the folder or server that holds it.")
	}
	name := u.Path[strings.LastIndexByte(u.Path, '/')+1:]
	folder, rawName := base[:slash], base[slash+1:]
	if !hasSuffixFold(name, ".ova") {
		return Template{}, newProblem(finding.CodeVSphereTemplatePath,
			fmt.Sprintf("the URL %s names %s, which is not an OVA; a template given by URL must be an .ova file.", quote(s), quote(name)),
			"Package the template as an OVA named r_u-NAME.ova and give its URL, or import it into vCenter and give the template's inventory path.")
	}
	if !strings.HasPrefix(name, ovaPrefix) {
		renamedRaw := rawName
		if hasPrefixFold(rawName, ovaPrefix) {
			renamedRaw = rawName[len(ovaPrefix):]
		}
		renamedRaw = ovaPrefix + renamedRaw
		return Template{}, ovaPrefixProblem(s, name, renameOVA(name), folder+"/"+renamedRaw+s[len(base):])
	}
	return Template{Path: s, Folder: folder, Name: name, OVA: true, URL: true, HasCredentials: secret.URLHasCredentials(s)}, nil
}
