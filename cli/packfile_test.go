//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// specialPackDir writes a pack whose README.md is made by special (a symbolic link to a
// private file, a named pipe) and returns its directory.
func specialPackDir(t *testing.T, special func(path string) error) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "corp-os")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "pack.json"), []byte(`{"name": "corp-os", "displayName": "Corp OS", "version": "1.0.0", "layer": "os", "cloudTypes": ["aws"]}`), 0o644)
	os.WriteFile(filepath.Join(dir, "values.yaml"), []byte("pack:\n  a: 1\n"), 0o644)
	if err := special(filepath.Join(dir, "README.md")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// specialReadmes are the README.md files a pack directory may not hold.
func specialReadmes(t *testing.T) []struct {
	name, kind string
	make       func(string) error
} {
	private := filepath.Join(t.TempDir(), "id_rsa")
	os.WriteFile(private, []byte("PRIVATE KEY"), 0o600)
	return []struct {
		name, kind string
		make       func(string) error
	}{
		{"a symbolic link", "a symbolic link", func(p string) error { return os.Symlink(private, p) }},
		{"a named pipe", "a named pipe (FIFO)", func(p string) error { return syscall.Mkfifo(p, 0o644) }},
	}
}

// runWithin runs fn and fails the test, instead of hanging, when it does not return
// within a generous safety net (the old code blocked forever reading a FIFO).
func runWithin(t *testing.T, fn func() (string, string, int)) (string, string, int) {
	t.Helper()
	type result struct {
		out, errOut string
		code        int
	}
	done := make(chan result, 1)
	go func() { o, e, c := fn(); done <- result{o, e, c} }()
	select {
	case r := <-done:
		return r.out, r.errOut, r.code
	case <-time.After(20 * time.Second):
		t.Fatal("the command did not return within 20 s: it blocked on a file")
		return "", "", 0
	}
}

func TestPackLintRefusesALinkOrAPipeInAPackDirectory(t *testing.T) {
	for _, sp := range specialReadmes(t) {
		t.Run("a README.md that is "+sp.name+" is refused with exit status 2", func(t *testing.T) {
			dir := specialPackDir(t, sp.make)
			out, errOut, code := runWithin(t, func() (string, string, int) { return run(t, "", "pack", "lint", dir) })
			want := "pack " + dir + ": README.md is " + sp.kind + "; packs hold regular files only"
			if code != ExitUsage || !strings.Contains(errOut, want) {
				t.Errorf("exit %d, want %d and %q\nstdout: %s\nstderr: %s", code, ExitUsage, want, out, errOut)
			}
			if strings.Contains(out+errOut, "PRIVATE KEY") {
				t.Error("the file the link points at was read")
			}
		})
	}
}

func TestPackPushRefusesALinkOrAPipeInAPackDirectory(t *testing.T) {
	s := newCLIServer(t)
	s.must("registry", "create", "corp", "--project", "Default")
	for _, sp := range specialReadmes(t) {
		t.Run("a README.md that is "+sp.name+" is refused with exit status 2 and nothing is pushed", func(t *testing.T) {
			dir := specialPackDir(t, sp.make)
			out, errOut, code := runWithin(t, func() (string, string, int) {
				return s.run("pack", "push", dir, "--registry", "corp", "--project", "Default")
			})
			want := "README.md is " + sp.kind + "; packs hold regular files only"
			if code != ExitUsage || !strings.Contains(errOut, want) || !strings.Contains(errOut, dir) {
				t.Errorf("exit %d, want %d and %q naming %s\nstdout: %s\nstderr: %s", code, ExitUsage, want, dir, out, errOut)
			}
		})
	}
	if out := s.must("pack", "list", "--registry", "corp", "--project", "Default"); strings.Contains(out, "corp-os") {
		t.Errorf("a refused pack is in the registry:\n%s", out)
	}
}
