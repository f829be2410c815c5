// Package azuritetest starts Azurite's Blob service (Microsoft's storage
// emulator, the npm package azurite) for tests: one process per Start, on a
// free loopback port, with its data in the test's temporary directory,
// stopped when the test ends. scripts/test.sh installs Azurite when it is
// missing; a test that cannot find it fails, saying how to install it.
package azuritetest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"
)

// The emulator's well-known development account (the same in every
// Azurite; it is not a secret).
const (
	Account = "devstoreaccount1"
	Key     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Version is the Azurite release scripts/test.sh installs.
const Version = "3.37.0"

// EnvBinary names the environment variable that may give the path of
// azurite-blob.
const EnvBinary = "BYOOS_AZURITE_BLOB"

// Options tune Start.
type Options struct {
	// CertFile and KeyFile, when set, make Azurite serve https with this
	// PEM certificate and key.
	CertFile, KeyFile string
	// OAuth enables Azurite's "basic" bearer token checks (https only).
	OAuth bool
}

// Server is a running Azurite Blob service.
type Server struct {
	// URL is the service's base URL, http(s)://127.0.0.1:PORT.
	URL string
	// AccountURL is the development account's URL, URL + "/devstoreaccount1",
	// the base every blob URL of the account starts with.
	AccountURL string
}

// InstallDir is where scripts/test.sh installs Azurite when it is not on
// the PATH: $XDG_CACHE_HOME/byoos/azurite (by default ~/.cache/byoos/azurite).
func InstallDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("azurite install directory: %w", err)
	}
	return filepath.Join(dir, "byoos", "azurite"), nil
}

// Binary finds azurite-blob: $BYOOS_AZURITE_BLOB, then the PATH, then
// InstallDir's node_modules/.bin.
func Binary() (string, error) {
	if p := os.Getenv(EnvBinary); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("$%s: %w", EnvBinary, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("azurite-blob"); err == nil {
		return p, nil
	}
	dir, err := InstallDir()
	if err != nil {
		return "", err
	}
	p := filepath.Join(dir, "node_modules", ".bin", "azurite-blob")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("azurite-blob is not on the PATH, $%s is not set, and %s does not exist: "+
			"run scripts/test.sh (it installs Azurite), or `npm install --prefix %s azurite@%s`", EnvBinary, p, dir, Version)
	}
	return p, nil
}

// listening is Azurite's line once it serves: "Azurite Blob service
// successfully listens on http://127.0.0.1:PORT".
var listening = regexp.MustCompile(`successfully listens on (https?://[^\s]+)`)

// Start runs Azurite's Blob service on a free loopback port and returns
// once it answers; the test fails when Azurite is missing or does not
// start. It is stopped when the test ends.
func Start(t testing.TB, o Options) *Server {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		t.Fatalf("cannot start Azurite: %v", err)
	}
	args := []string{
		"--blobHost", "127.0.0.1", "--blobPort", "0",
		"--location", t.TempDir(),
		"--skipApiVersionCheck", "--disableTelemetry", "--loose", "--silent",
	}
	if o.CertFile != "" {
		args = append(args, "--cert", o.CertFile, "--key", o.KeyFile)
	}
	if o.OAuth {
		args = append(args, "--oauth", "basic")
	}
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("azurite: %v", err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("cannot start Azurite (%s): %v", bin, err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	found := make(chan string, 1)
	var out lockedBuffer
	go func() {
		sc := bufio.NewScanner(stdout)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			out.Write([]byte(line + "\n"))
			if m := listening.FindStringSubmatch(line); m != nil && !sent {
				found <- m[1]
				sent = true
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	// A safety net only: Azurite starts in a few seconds.
	const most = 90 * time.Second
	select {
	case u := <-found:
		return &Server{URL: u, AccountURL: u + "/" + Account}
	case <-exited:
		t.Fatalf("Azurite (%s) exited before serving:\n%s%s", bin, out.String(), stderr.String())
	case <-time.After(most):
		t.Fatalf("Azurite (%s) did not serve within %s:\n%s%s", bin, most, out.String(), stderr.String())
	}
	return nil
}

// lockedBuffer is a bytes.Buffer safe for one writer and one reader.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
