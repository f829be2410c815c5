package profile

import (
	"encoding/base64"
	"fmt"
	"net"
	"strconv"

	"github.com/Masterminds/semver/v3"
)

// checkVariableFormat returns what is wrong with a variable value for its format, or "".
func checkVariableFormat(format, v string) string {
	switch format {
	case "number":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return fmt.Sprintf("is %q, expected a number", v)
		}
	case "boolean":
		if v != "true" && v != "false" {
			return fmt.Sprintf("is %q, expected true or false", v)
		}
	case "ipv4":
		if ip := net.ParseIP(v); ip == nil || ip.To4() == nil {
			return fmt.Sprintf("is %q, expected an IPv4 address such as 10.0.0.1", v)
		}
	case "ipv4cidr":
		if ip, _, err := net.ParseCIDR(v); err != nil || ip.To4() == nil {
			return fmt.Sprintf("is %q, expected an IPv4 CIDR such as 10.0.0.0/16", v)
		}
	case "ipv6":
		if ip := net.ParseIP(v); ip == nil || ip.To4() != nil {
			return fmt.Sprintf("is %q, expected an IPv6 address such as fd00::1", v)
		}
	case "version":
		if _, err := semver.NewVersion(v); err != nil {
			return fmt.Sprintf("is %q, expected a semantic version such as 1.30.5", v)
		}
	case "base64":
		if _, err := base64.StdEncoding.DecodeString(v); err != nil {
			return "is not valid base64"
		}
	}
	return ""
}
