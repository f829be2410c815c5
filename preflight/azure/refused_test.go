package azure_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/preflight/azure"
)

func TestAConnectionTheAllowListRefusesIsReportedOnceAndNotRetried(t *testing.T) {
	var mu sync.Mutex
	var dialled []string
	refuse := func(_ context.Context, _, addr string) (net.Conn, error) {
		mu.Lock()
		dialled = append(dialled, addr)
		mu.Unlock()
		host, port, _ := net.SplitHostPort(addr)
		return nil, &preflight.RefusedError{Host: host, Port: port, Reason: "the host is not allowed (--verify-allow-host)"}
	}
	// The default retries: a refusal must not be retried at all.
	c := newChecker(t, azure.Config{HTTPClient: &http.Client{Transport: &http.Transport{DialContext: refuse}}})
	r := c.Check(context.Background(), image("https://acct01.blob.core.windows.net/images/rhel.vhd?sv=2022-11-02&sr=b&sp=r&sig=Refused-Sig-Secret%3D"), preflight.Target{})
	if len(r.Findings) != 1 || r.Findings[0].Code != finding.CodeVerifyTargetRefused {
		t.Fatalf("findings %v, want one %s", r.Findings, finding.CodeVerifyTargetRefused)
	}
	f := r.Findings[0]
	if !strings.Contains(f.Message, "acct01.blob.core.windows.net") || !strings.Contains(f.Hint, "--verify-allow-net") || strings.Contains(f.Message+f.Hint, "Refused-Sig-Secret") {
		t.Errorf("the finding reads %s", f)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(dialled, " ") != "acct01.blob.core.windows.net:443" {
		t.Errorf("dialled %v, want acct01.blob.core.windows.net:443 once", dialled)
	}
}
