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

func TestServeCloudVerifyFlags(t *testing.T) {
	const key = "Zm9vYmFyLWtleS1ub3QtcmVhbA=="
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		says string
	}{
		{"a vCenter user without a vCenter is a usage error", nil, []string{"--verify-vsphere-user", "admin"}, 2, "--verify-vsphere-user needs --verify-vsphere-url"},
		{"insecure without a vCenter is a usage error", nil, []string{"--verify-vsphere-insecure"}, 2, "--verify-vsphere-insecure needs --verify-vsphere-url"},
		{"a CA certificate file that cannot be read is a usage error", nil, []string{"--verify-vsphere-url", "https://vc.example.com", "--verify-vsphere-user", "admin", "--verify-vsphere-ca-cert", "/nonexistent/ca.pem"}, 2, "--verify-vsphere-ca-cert"},
		{"an Azure endpoint without its account is a usage error", nil, []string{"--verify-azure-endpoint", "http://127.0.0.1:10000"}, 2, "--verify-azure-endpoint"},
		{"a malformed pair of account keys is a usage error that does not quote the key", map[string]string{"BYOOS_AZURE_STORAGE_KEYS": key}, nil, 2, "BYOOS_AZURE_STORAGE_KEYS: pair 1 of 1"},
		{"an account key that is not base64 stops the server without quoting it", map[string]string{"BYOOS_AZURE_STORAGE_KEYS": "acct01=not*base64*" + key}, nil, 1, `Keys["acct01"]`},
		{"an unknown Azure cloud stops the server", nil, []string{"--verify-azure-cloud", "mars"}, 1, "public, china or usgovernment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			args := append([]string{"serve", "--data", t.TempDir(), "--addr", "127.0.0.1:0"}, tt.args...)
			out, errOut, code := run(t, "", args...)
			if code != tt.code || !strings.Contains(out+errOut, tt.says) {
				t.Errorf("exit %d, want %d saying %q:\n%s%s", code, tt.code, tt.says, out, errOut)
			}
			if strings.Contains(out+errOut, key[:12]) {
				t.Errorf("the output quotes the key:\n%s%s", out, errOut)
			}
		})
	}
	out, _, code := run(t, "", "serve", "--help")
	for _, f := range []string{"--verify-aws ", "--verify-aws-endpoint", "--verify-azure ", "--verify-azure-identity", "--verify-vsphere-url", "BYOOS_VSPHERE_PASSWORD", "BYOOS_AZURE_STORAGE_KEYS"} {
		if code != 0 || !strings.Contains(out, f) {
			t.Errorf("serve --help does not show %q", f)
		}
	}
}
