package preflight

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Settings an AllowList names when it refuses a connection (the server's
// flags).
const (
	AllowHostSetting = "--verify-allow-host"
	AllowNetSetting  = "--verify-allow-net"
)

// RefusedError is a connection an AllowList refused; no connection was
// made. Checkers report it as finding.CodeVerifyTargetRefused.
type RefusedError struct {
	// Host is the host name (or address) asked for, Port its port.
	Host, Port string
	// Addr is the address it resolved to, when it did resolve.
	Addr netip.Addr
	// Reason says why, naming the setting that would allow it.
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("byoos refused to connect to %s: %s", net.JoinHostPort(e.Host, e.Port), e.Reason)
}

// NonRetriable marks the refusal as final for client libraries that retry
// failed requests (azcore retries transport errors unless they have this
// method): the same connection would be refused again.
func (e *RefusedError) NonRetriable() {}

// AllowList bounds what verify may reach: its DialContext connects only to
// a host listed (in Hosts or RegistryHosts) whose addresses are public, or
// to an address in Nets. Names are resolved once per connection and the
// checked address is dialled, so a name that resolves differently a moment
// later (DNS rebinding) cannot lead it elsewhere. Loopback, private,
// link-local, shared (100.64/10), unspecified and multicast addresses are
// reached only when Nets holds them, whatever names lead there. It is safe
// for concurrent use once built.
type AllowList struct {
	// Hosts are host names or addresses the operator allows, each "host"
	// (any port) or "host:port". An address listed here is allowed as if
	// Nets held it alone.
	Hosts []string
	// Nets are the networks the operator allows, internal ones included.
	Nets []netip.Prefix
	// RegistryHosts are the hosts of the registries a tenant admin
	// configured ("host" meaning port 443, or "host:port"); internal
	// addresses stay refused unless Nets holds them.
	RegistryHosts []string
	// Resolver resolves names (net.DefaultResolver when nil).
	Resolver *net.Resolver
	// DialTimeout bounds each connection attempt (10s when zero).
	DialTimeout time.Duration
}

// ParseAllowNet reads a --verify-allow-net value: a CIDR network
// (10.0.0.0/8) or one address (127.0.0.1).
func ParseAllowNet(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is neither a network (10.0.0.0/8) nor an address (127.0.0.1)", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// ParseAllowHost reads a --verify-allow-host value: host or host:port.
func ParseAllowHost(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || strings.ContainsAny(s, "/ @?#") {
		return "", fmt.Errorf("%q is not a host or host:port", s)
	}
	if h, p, err := net.SplitHostPort(s); err == nil {
		if h == "" || p == "" {
			return "", fmt.Errorf("%q is not a host or host:port", s)
		}
	}
	return s, nil
}

// DialContext connects as the allow-list permits, or returns a
// *RefusedError without connecting.
func (a *AllowList) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	listed := a.listed(host, port)
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip.Unmap()}
	} else {
		if !listed {
			// An unlisted name is refused before it is even resolved,
			// unless Nets could hold what it resolves to.
			if len(a.Nets) == 0 {
				return nil, &RefusedError{Host: host, Port: port, Reason: a.notListed()}
			}
		}
		r := a.Resolver
		if r == nil {
			r = net.DefaultResolver
		}
		ips, err := r.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, fmt.Errorf("dial %s: %w", addr, err)
		}
		for _, ip := range ips {
			addrs = append(addrs, ip.Unmap())
		}
	}
	var ok []netip.Addr
	var refused *RefusedError
	for _, ip := range addrs {
		switch {
		case a.inNets(ip, port):
			ok = append(ok, ip)
		case !listed:
			refused = &RefusedError{Host: host, Port: port, Addr: ip, Reason: a.notListed()}
		case Internal(ip):
			refused = &RefusedError{Host: host, Port: port, Addr: ip, Reason: fmt.Sprintf(
				"%s resolves to %s, an internal address (loopback, private, link-local or shared), which is reached only when %s lists it (e.g. %s %s)",
				host, ip, AllowNetSetting, AllowNetSetting, netip.PrefixFrom(ip, ip.BitLen()))}
		default:
			ok = append(ok, ip)
		}
	}
	if len(ok) == 0 {
		if refused == nil {
			refused = &RefusedError{Host: host, Port: port, Reason: "it resolves to no address"}
		}
		return nil, refused
	}
	timeout := a.DialTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	d := net.Dialer{Timeout: timeout}
	var errs []error
	for _, ip := range ok {
		c, err := d.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
	}
	return nil, errors.Join(errs...)
}

func (a *AllowList) notListed() string {
	return fmt.Sprintf("the host is not a registry configured in byoos, and neither %s nor %s allows it", AllowHostSetting, AllowNetSetting)
}

// listed reports whether host:port is in Hosts or RegistryHosts.
func (a *AllowList) listed(host, port string) bool {
	match := func(entry string, anyPort bool) bool {
		entry = strings.ToLower(strings.TrimSpace(entry))
		if h, p, err := net.SplitHostPort(entry); err == nil {
			return strings.Trim(h, "[]") == host && p == port
		}
		return strings.Trim(entry, "[]") == host && (anyPort || port == "443")
	}
	for _, h := range a.Hosts {
		if match(h, true) {
			return true
		}
	}
	for _, h := range a.RegistryHosts {
		if match(h, false) {
			return true
		}
	}
	return false
}

// inNets reports whether ip is in Nets, or is an address Hosts lists (on
// port, when the entry names one).
func (a *AllowList) inNets(ip netip.Addr, port string) bool {
	for _, p := range a.Nets {
		if p.Contains(ip) {
			return true
		}
	}
	for _, h := range a.Hosts {
		h = strings.TrimSpace(h)
		if hh, pp, err := net.SplitHostPort(h); err == nil {
			if pp != port {
				continue
			}
			h = hh
		}
		if listed, err := netip.ParseAddr(strings.Trim(h, "[]")); err == nil && listed.Unmap() == ip {
			return true
		}
	}
	return false
}

// shared is the shared address space of carrier-grade NAT (RFC 6598).
var shared = netip.MustParsePrefix("100.64.0.0/10")

// Internal reports whether ip is an address a server must not reach on a
// profile's say-so: loopback, private (RFC 1918, fc00::/7), link-local
// (169.254/16 with the cloud metadata endpoints, fe80::/10), shared
// (100.64/10), unspecified or multicast.
func Internal(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() ||
		ip.IsMulticast() || ip.IsUnspecified() || shared.Contains(ip) || !ip.IsValid()
}
