package cli

import (
	"strings"
	"testing"
)

func TestServeRegistrySyncIntervalFlag(t *testing.T) {
	_, errOut, code := run(t, "", "serve", "--data", t.TempDir(), "--registry-sync-interval", "-1m")
	if code != 2 || !strings.Contains(errOut, "--registry-sync-interval") {
		t.Errorf("a negative interval: exit %d, %q; want a usage error naming the flag", code, errOut)
	}
	out, _, code := run(t, "", "serve", "--help")
	if code != 0 || !strings.Contains(out, "--registry-sync-interval duration") || !strings.Contains(out, "(default 1h0m0s)") {
		t.Errorf("serve --help does not show the flag and its default: %s", out)
	}
}
