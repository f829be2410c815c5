package cli

import (
	"strings"
	"testing"
)

func TestAnUnknownKeyWarnsAndExitsZero(t *testing.T) {
	chdirRoot(t)
	values := "pack:\n  osImageOverride: ami-0f4804aff4cf9c5a2\n  osName: rhel\n  osVersion: \"8\"\n  osImageOveride: ami-0f4804aff4cf9c5a2\n"
	out, errOut, code := run(t, values, "validate", "--pack", "generic-byoi@1.0.x", "--cloud", "aws", "-")
	if code != ExitOK {
		t.Errorf("exit %d, want %d (warnings only)\n%s%s", code, ExitOK, out, errOut)
	}
	if !strings.Contains(out, "<stdin>:5:3: warning values-unknown-key") || !strings.Contains(out, "did you mean osImageOverride?") {
		t.Errorf("no unknown-key warning at 5:3:\n%s", out)
	}
}
