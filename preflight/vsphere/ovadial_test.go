package vsphere_test

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/preflight/vsphere"
)

func TestAnOVAURLIsFetchedOnlyOverOVADial(t *testing.T) {
	var mu sync.Mutex
	var dialled []string
	refuse := func(_ context.Context, _, addr string) (net.Conn, error) {
		mu.Lock()
		dialled = append(dialled, addr)
		mu.Unlock()
		host, port, _ := net.SplitHostPort(addr)
		return nil, &preflight.RefusedError{Host: host, Port: port, Reason: "the host is not allowed (--verify-allow-host)"}
	}
	c := newChecker(t, vsphere.Config{OVADial: refuse})
	r := c.Check(context.Background(), image("http://ova.example.com/images/r_u-rhel-8.ova"), preflight.Target{})
	if len(r.Findings) != 1 || r.Findings[0].Code != finding.CodeVerifyTargetRefused {
		t.Fatalf("findings %v, want one %s", r.Findings, finding.CodeVerifyTargetRefused)
	}
	if f := r.Findings[0]; !strings.Contains(f.Message, "ova.example.com") || !strings.Contains(f.Hint, "--verify-allow-net") {
		t.Errorf("the finding reads %s", f)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(dialled, " ") != "ova.example.com:80" {
		t.Errorf("dialled %v, want ova.example.com:80 once", dialled)
	}
}
