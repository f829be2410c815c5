package preflight_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/byoos/byoos/preflight"
)

// recorder is a loopback listener that counts the connections it accepts.
type recorder struct {
	addr     string
	port     string
	accepted atomic.Int64
}

func listen(t *testing.T) *recorder {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	r := &recorder{addr: l.Addr().String()}
	_, r.port, _ = net.SplitHostPort(r.addr)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			r.accepted.Add(1)
			c.Close()
		}
	}()
	return r
}

func TestTheAllowListDecidesEveryConnection(t *testing.T) {
	rec := listen(t)
	loop := netip.MustParsePrefix("127.0.0.0/8")
	tests := []struct {
		name    string
		allow   preflight.AllowList
		host    string // dialled at rec's port
		connect bool
		says    string // in the refusal
	}{
		{"an address nobody listed is refused", preflight.AllowList{}, "127.0.0.1", false, "--verify-allow-host nor --verify-allow-net"},
		{"the cloud metadata address is refused", preflight.AllowList{}, "169.254.169.254", false, "not a registry configured in byoos"},
		{"an address the operator lists as a host is reached", preflight.AllowList{Hosts: []string{"127.0.0.1"}}, "127.0.0.1", true, ""},
		{"an address listed with its port is reached on that port", preflight.AllowList{Hosts: []string{rec.addr}}, "127.0.0.1", true, ""},
		{"an address listed with another port is refused", preflight.AllowList{Hosts: []string{"127.0.0.1:1"}}, "127.0.0.1", false, "--verify-allow-host"},
		{"an address in a listed network is reached", preflight.AllowList{Nets: []netip.Prefix{loop}}, "127.0.0.1", true, ""},
		{"a listed name that resolves to loopback is refused (a name cannot open an internal address)", preflight.AllowList{Hosts: []string{"localhost"}}, "localhost", false, "internal address"},
		{"a configured registry whose name resolves to loopback is refused", preflight.AllowList{RegistryHosts: []string{"localhost:" + rec.port}}, "localhost", false, "--verify-allow-net"},
		{"a name that resolves into a listed network is reached", preflight.AllowList{Nets: []netip.Prefix{loop}}, "localhost", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := rec.accepted.Load()
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			c, err := tt.allow.DialContext(ctx, "tcp", net.JoinHostPort(tt.host, rec.port))
			if tt.connect {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				c.Close()
				for deadline := time.Now().Add(5 * time.Second); rec.accepted.Load() == before && time.Now().Before(deadline); {
					time.Sleep(time.Millisecond)
				}
				if rec.accepted.Load() == before {
					t.Error("the listener saw no connection")
				}
				return
			}
			if c != nil {
				c.Close()
			}
			var re *preflight.RefusedError
			if !errors.As(err, &re) {
				t.Fatalf("error %v, want a refusal", err)
			}
			if !strings.Contains(re.Error(), tt.says) {
				t.Errorf("refusal %q does not say %q", re, tt.says)
			}
			// The listener would have accepted by now had a connection been made.
			time.Sleep(20 * time.Millisecond)
			if n := rec.accepted.Load() - before; n != 0 {
				t.Errorf("%d connection(s) were made", n)
			}
		})
	}
}

func TestInternalAddresses(t *testing.T) {
	tests := []struct {
		addr     string
		internal bool
	}{
		{"127.0.0.1", true}, {"::1", true}, {"10.1.2.3", true}, {"172.16.0.1", true}, {"192.168.1.1", true},
		{"169.254.169.254", true}, {"fe80::1", true}, {"fd00::1", true}, {"100.64.0.1", true}, {"0.0.0.0", true},
		{"::ffff:127.0.0.1", true}, {"224.0.0.1", true}, {"8.8.8.8", false}, {"2001:4860:4860::8888", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr+" is internal: "+map[bool]string{true: "yes", false: "no"}[tt.internal], func(t *testing.T) {
			if got := preflight.Internal(netip.MustParseAddr(tt.addr)); got != tt.internal {
				t.Errorf("Internal(%s) = %t", tt.addr, got)
			}
		})
	}
}

func TestAllowListSettingsAreRead(t *testing.T) {
	if p, err := preflight.ParseAllowNet("10.1.2.3/8"); err != nil || p.String() != "10.0.0.0/8" {
		t.Errorf("a network is read masked: %v %v", p, err)
	}
	if p, err := preflight.ParseAllowNet("127.0.0.1"); err != nil || p.String() != "127.0.0.1/32" {
		t.Errorf("an address is read as itself: %v %v", p, err)
	}
	if _, err := preflight.ParseAllowNet("example.com"); err == nil {
		t.Error("a name is not a network")
	}
	if h, err := preflight.ParseAllowHost("Registry.Example.com:5000"); err != nil || h != "registry.example.com:5000" {
		t.Errorf("a host:port is read in lower case: %q %v", h, err)
	}
	for _, bad := range []string{"", "https://x", "a b", "user@host", ":5000"} {
		if _, err := preflight.ParseAllowHost(bad); err == nil {
			t.Errorf("%q is accepted as a host", bad)
		}
	}
}

func FuzzParseAllowSettings(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8", "127.0.0.1", "::1", "fe80::/10", "registry.example.com", "host:5000", "[::1]:5000", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if p, err := preflight.ParseAllowNet(s); err == nil && !p.IsValid() {
			t.Errorf("ParseAllowNet(%q) accepted an invalid network", s)
		}
		if h, err := preflight.ParseAllowHost(s); err == nil {
			if h == "" || strings.ContainsAny(h, "/ @") {
				t.Errorf("ParseAllowHost(%q) accepted %q", s, h)
			}
			if h2, err := preflight.ParseAllowHost(h); err != nil || h2 != h {
				t.Errorf("ParseAllowHost is not stable on %q: %q %v", h, h2, err)
			}
		}
	})
}
