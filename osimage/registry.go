package osimage

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/byoos/byoos/finding"
)

// RegistryHost is a parsed registry of edge-native-byoi providerCredentials.
type RegistryHost struct {
	// Host is the DNS name or IP address of the registry; an IPv6 address is given
	// without its brackets.
	Host string
	// Port is the port, or "" when none was given.
	Port string
	// Project is the Harbor-style project after the host ("harbor.example.com/project"),
	// or "" when none was given.
	Project string
}

// HostPort formats the registry's authority as host[:port], bracketing an IPv6 host, the
// form an image reference's registry takes (compare with OCI.Registry).
func (r RegistryHost) HostPort() string {
	host := r.Host
	if strings.IndexByte(host, ':') >= 0 {
		host = "[" + host + "]"
	}
	if r.Port != "" {
		return host + ":" + r.Port
	}
	return host
}

// String formats the registry as host[:port][/project], bracketing an IPv6 host.
func (r RegistryHost) String() string {
	if r.Project != "" {
		return r.HostPort() + "/" + r.Project
	}
	return r.HostPort()
}

// registryShape describes the accepted forms, for messages.
const registryShape = `a registry host such as "registry.example.com", "10.10.1.5:5000", "[::1]:5000" or, for Harbor, "harbor.example.com/project"`

// ParseRegistryHost parses the registry of edge-native-byoi providerCredentials:
// "host", "host:port", an IPv4 address with a port ("10.10.1.5:5000"), a bracketed IPv6
// address ("[::1]:5000"), each optionally followed by one Harbor-style project segment
// ("harbor.example.com/project"). Host names are lowercase DNS names without underscores
// (labels of 1–63 characters) and ports run from 1 to 65535. Anything else is rejected
// with CodeRegistryInvalid.
func ParseRegistryHost(s string) (RegistryHost, *Problem) {
	v, p := parseRegistryHost(s)
	if p != nil {
		return RegistryHost{}, redactProblem(s, p, func(r string) *Problem { _, q := parseRegistryHost(r); return q })
	}
	return v, nil
}

// parseRegistryHost is ParseRegistryHost without the redaction of its problems.
func parseRegistryHost(s string) (RegistryHost, *Problem) {
	if len(s) > MaxLength {
		return RegistryHost{}, tooLong(finding.CodeRegistryInvalid, "a registry host", s)
	}
	if strings.TrimSpace(s) == "" {
		return RegistryHost{}, registryInvalid(s, "it is empty",
			"Set the registry to the host of the registry that holds the provider image, for example \"registry.example.com\" or \"10.10.1.5:5000\".")
	}
	if shown, ok := credentialsBeforeHost(s, false); ok {
		return RegistryHost{}, newProblem(finding.CodeRegistryInvalid,
			fmt.Sprintf("the registry %s carries credentials (user:password@) before the host; expected %s.", quote(shown), registryShape),
			"Remove them: give only the host here, and the user name and password in providerCredentials.username and providerCredentials.password.")
	}
	if i, r := firstSpaceOrControl(s); i >= 0 {
		return RegistryHost{}, registryInvalid(s, fmt.Sprintf("it contains %s at byte %d", describeRune(r), i),
			fixHint(s, strings.TrimSpace(s), "Remove the white space and control characters", "Remove the white space around the value"))
	}
	if se := schemeEnd(s); se >= 0 {
		return RegistryHost{}, registryInvalid(s, fmt.Sprintf("it starts with the URL scheme %s", quote(s[:se+3])),
			fixHint(s, strings.TrimSuffix(s[se+3:], "/"), "Drop the scheme and give only the host[:port]", "Drop the scheme"))
	}
	hostport, project, hasProject := strings.Cut(s, "/")
	if hasProject {
		switch {
		case project == "":
			return RegistryHost{}, registryInvalid(s, "it ends with a slash",
				fixHint(s, hostport, "Remove the trailing slash", "Remove the trailing slash"))
		case strings.IndexByte(project, '/') >= 0:
			first, _, _ := strings.Cut(project, "/")
			return RegistryHost{}, registryInvalid(s, fmt.Sprintf("the path %s after the host has more than one segment; only a single Harbor project may follow the host", quote(project)),
				fixHint(s, hostport+"/"+first, "Give only the host[:port] and, for Harbor, the project; the rest of the image path belongs in the image reference", "Give only the host and the Harbor project, and keep the rest of the path in the image reference"))
		}
		if r := pathComponentProblem(project); r != "" {
			return RegistryHost{}, registryInvalid(s, fmt.Sprintf("the project %s %s", quote(project), r),
				fixHint(s, hostport+"/"+strings.ToLower(project), "Use the project's name as Harbor shows it (lowercase letters, digits, \".\", \"_\" and \"-\")", "Project names are lower case"))
		}
	}
	host, port, reason := hostPortProblem(hostport, false)
	if reason != "" {
		fixed, fixedLead := strings.ToLower(hostport), "Registry host names are lower case"
		if addr, err := netip.ParseAddr(hostport); err == nil && addr.Is6() && addr.Zone() == "" {
			fixed, fixedLead = "["+hostport+"]", "Write an IPv6 address in brackets"
		}
		if hasProject {
			fixed += "/" + project
		}
		return RegistryHost{}, registryInvalid(s, reason,
			fixHint(s, fixed, "Give the registry's DNS name or IP address, with \":PORT\" if it is not on 443", fixedLead))
	}
	return RegistryHost{Host: host, Port: port, Project: project}, nil
}

// registryInvalid builds a CodeRegistryInvalid problem.
func registryInvalid(s, reason, hint string) *Problem {
	return newProblem(finding.CodeRegistryInvalid,
		fmt.Sprintf("the registry %s is not valid: %s; expected %s.", quote(s), reason, registryShape), hint)
}

// fixHint says to use fixed when it differs from the rejected value s and is a valid
// registry (with fixedLead as the instruction), and otherwise gives the general
// instruction lead. Each fix shortens or lower-cases the value, so the check terminates.
func fixHint(s, fixed, lead, fixedLead string) string {
	if fixed != "" && fixed != s && len(fixed) <= MaxLength && schemeEnd(fixed) < 0 {
		if _, p := ParseRegistryHost(fixed); p == nil {
			return fmt.Sprintf("%s: use %s.", fixedLead, quote(fixed))
		}
	}
	return lead + ", for example \"registry.example.com:5000\" or \"harbor.example.com/project\"."
}
