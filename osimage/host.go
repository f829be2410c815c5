package osimage

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/byoos/byoos/secret"
)

// credentialsBeforeHost reports whether s, an image reference or a registry without a
// scheme, starts with credentials, user:password@host, and returns s with them masked,
// for a message. A registry never holds an '@'; in an image reference '@' introduces a
// digest, which never holds a '/', so an '@' followed by a '/' ends credentials (when
// digestFollows). A value with a scheme is left to [secret.RedactURL] (through quote).
func credentialsBeforeHost(s string, digestFollows bool) (shown string, ok bool) {
	if schemeEnd(s) >= 0 {
		return "", false
	}
	at := strings.LastIndexByte(s, '@')
	if digestFollows {
		at = -1
		for i := strings.IndexByte(s, '@'); i >= 0 && i < len(s); {
			if strings.IndexByte(s[i+1:], '/') >= 0 {
				at = i
			}
			j := strings.IndexByte(s[i+1:], '@')
			if j < 0 {
				break
			}
			i += 1 + j
		}
	}
	if at < 0 {
		return "", false
	}
	return secret.Mask + s[at:], true
}

// hostPortProblem checks a registry authority, host[:port], where host is a DNS name,
// an IPv4 address or a bracketed IPv6 address. It returns the host (without brackets),
// the port, and a plain-words reason when the authority is not valid. Upper-case letters
// in DNS names are accepted only when allowUpper is set.
func hostPortProblem(hp string, allowUpper bool) (host, port, reason string) {
	if hp == "" {
		return "", "", "the host is empty"
	}
	if hp[0] == '[' {
		end := strings.IndexByte(hp, ']')
		if end < 0 {
			return "", "", fmt.Sprintf("%s opens an IPv6 address with \"[\" but never closes it with \"]\"", quote(hp))
		}
		host = hp[1:end]
		addr, err := netip.ParseAddr(host)
		if err != nil || !addr.Is6() || addr.Zone() != "" || addr.Is4In6() && strings.Contains(host, ".") {
			return "", "", fmt.Sprintf("%s is not a valid IPv6 address", quote(host))
		}
		host = strings.ToLower(host) // hex digits of an IPv6 address are case-insensitive
		rest := hp[end+1:]
		if rest == "" {
			return host, "", ""
		}
		if rest[0] != ':' {
			return "", "", fmt.Sprintf("%s after the IPv6 address is not a \":PORT\"", quote(rest))
		}
		port = rest[1:]
		if r := portProblem(port); r != "" {
			return "", "", r
		}
		return host, port, ""
	}
	host = hp
	if c := strings.IndexByte(hp, ':'); c >= 0 {
		if strings.IndexByte(hp[c+1:], ':') >= 0 {
			return "", "", fmt.Sprintf("%s has more than one colon; an IPv6 address must be written in brackets, as in \"[2001:db8::1]:5000\"", quote(hp))
		}
		host, port = hp[:c], hp[c+1:]
		if r := portProblem(port); r != "" {
			return "", "", r
		}
	}
	if r := hostNameProblem(host, allowUpper); r != "" {
		return "", "", r
	}
	return host, port, ""
}

// portProblem returns why port is not a decimal number from 1 to 65535, or "".
func portProblem(port string) string {
	if port == "" {
		return "the port after the colon is empty"
	}
	if !isAllDigits(port) || len(port) > 5 || port[0] == '0' {
		return fmt.Sprintf("the port %s is not a number from 1 to 65535", quote(port))
	}
	n := 0
	for i := 0; i < len(port); i++ {
		n = n*10 + int(port[i]-'0')
	}
	if n > 65535 {
		return fmt.Sprintf("the port %s is not a number from 1 to 65535", quote(port))
	}
	return ""
}

// hostNameProblem returns why host is not a DNS name or IPv4 address, or "".
func hostNameProblem(host string, allowUpper bool) string {
	if host == "" {
		return "the host name is empty"
	}
	if len(host) > 253 {
		return fmt.Sprintf("the host name is %d characters long; DNS names are at most 253", len(host))
	}
	// A name whose last label is all digits can only be an IPv4 address.
	last := host[strings.LastIndexByte(host, '.')+1:]
	if isAllDigits(last) {
		if addr, err := netip.ParseAddr(host); err != nil || !addr.Is4() {
			return fmt.Sprintf("%s is not a valid IPv4 address or DNS name", quote(host))
		}
		return ""
	}
	for label := range strings.SplitSeq(host, ".") {
		if label == "" {
			return fmt.Sprintf("the host name %s has an empty label (a leading, trailing or double dot)", quote(host))
		}
		if len(label) > 63 {
			return fmt.Sprintf("the label %s of the host name is %d characters long; DNS labels are at most 63", quote(label), len(label))
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Sprintf("the label %s of the host name starts or ends with a hyphen", quote(label))
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-':
			case c >= 'A' && c <= 'Z':
				if !allowUpper {
					return fmt.Sprintf("the host name %s has upper-case letters; it must be a lowercase DNS name", quote(host))
				}
			case c == '_':
				return fmt.Sprintf("the host name %s contains an underscore; it must be a DNS name (letters, digits, hyphens and dots)", quote(host))
			default:
				return fmt.Sprintf("the host name %s contains %s; it must be a DNS name (letters, digits, hyphens and dots)", quote(host), describeRune(firstRuneAt(label, i)))
			}
		}
	}
	return ""
}

// firstRuneAt returns the rune that starts at byte i of s.
func firstRuneAt(s string, i int) rune {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return r
}

// pathComponentProblem returns why c is not a repository path component of the OCI
// distribution spec, [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*, or "".
func pathComponentProblem(c string) string {
	if c == "" {
		return "is empty"
	}
	sep := 0           // length of the separator run just read
	sepKind := byte(0) // the character of that run
	for i := 0; i < len(c); i++ {
		ch := c[i]
		switch {
		case ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9':
			sep, sepKind = 0, 0
		case ch == '.' || ch == '_' || ch == '-':
			if i == 0 {
				return fmt.Sprintf("starts with %q; it must start with a lowercase letter or digit", string(ch))
			}
			switch {
			case sep == 0:
				sep, sepKind = 1, ch
			case ch == '-' && sepKind == '-':
				sep++
			case ch == '_' && sepKind == '_' && sep == 1:
				sep++
			default:
				return fmt.Sprintf("has the separators %s in a row; only \".\", \"_\", \"__\" or hyphens may separate letters and digits", quote(c[i-sep:i+1]))
			}
		case ch >= 'A' && ch <= 'Z':
			return "has upper-case letters; only lower case is allowed"
		default:
			return fmt.Sprintf("contains %s; only lowercase letters, digits, \".\", \"_\" and \"-\" are allowed", describeRune(firstRuneAt(c, i)))
		}
	}
	if sep > 0 {
		return fmt.Sprintf("ends with %q; it must end with a lowercase letter or digit", c[len(c)-1:])
	}
	return ""
}
