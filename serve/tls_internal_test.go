package serve

import "testing"

func TestIsLoopbackAddr(t *testing.T) {
	for _, tc := range []struct {
		name, addr string
		want       bool
	}{
		{"127.0.0.1 is loopback", "127.0.0.1:8443", true},
		{"any 127/8 address is loopback", "127.1.2.3:80", true},
		{"::1 is loopback", "[::1]:8443", true},
		{"an IPv4-mapped 127.0.0.1 is loopback", "[::ffff:127.0.0.1]:80", true},
		{"localhost is loopback", "localhost:8443", true},
		{"a name under .localhost is loopback", "byoos.localhost:80", true},
		{"LOCALHOST. in capitals with a final dot is loopback", "LOCALHOST.:80", true},
		{"an empty host listens on every interface", ":8443", false},
		{"0.0.0.0 listens on every interface", "0.0.0.0:8443", false},
		{":: listens on every interface", "[::]:8443", false},
		{"a private address is not loopback", "10.0.0.5:80", false},
		{"a host name is not resolved and is not loopback", "byoos.example.com:80", false},
		{"a name that only starts with localhost is not loopback", "localhost.example.com:80", false},
		{"an address without a port is not loopback", "127.0.0.1", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := isLoopbackAddr(tc.addr); got != tc.want {
				t.Errorf("isLoopbackAddr(%q) = %v, want %v", tc.addr, got, tc.want)
			}
		})
	}
}
