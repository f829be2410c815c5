// Package regtest starts real registries for tests: Debian's docker-registry
// (the CNCF distribution registry 2.8) over TLS with htpasswd
// authentication, and a Helm chart repository served over TLS by
// httptest. It pushes pack archives the way oras does and builds pack
// archives and charts. Everything listens on 127.0.0.1 and is stopped
// when the test ends. Only tests import it.
package regtest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/byoos/byoos/regsync"
)

// RegistryPackage is the Debian package that holds the registry binary.
const RegistryPackage = "docker-registry"

// registryBinary is where Debian installs the registry.
const registryBinary = "/usr/bin/docker-registry"

// readyWithin is the safety net on a registry's start.
const readyWithin = 30 * time.Second

// Registry is a running docker-registry: TLS with a certificate for
// 127.0.0.1 and localhost signed by CACertPEM, basic authentication
// (htpasswd) for Username and Password, storage in a temporary folder.
type Registry struct {
	// Host is 127.0.0.1:PORT.
	Host string
	// CACertPEM is the PEM certificate of the CA that signed the server's.
	CACertPEM string
	// Username and Password are the only credentials it accepts.
	Username, Password string
}

// Source returns a regsync source for the registry's packs under base,
// with its credentials and CA.
func (r *Registry) Source(base string) regsync.Source {
	return regsync.Source{Kind: regsync.KindOCI, Provider: regsync.ProviderBasic, Endpoint: r.Host, BaseContentPath: base,
		Username: r.Username, Password: r.Password, CACert: r.CACertPEM}
}

// Transport returns an HTTP transport that trusts the registry's CA.
func (r *Registry) Transport() *http.Transport { return trusting(r.CACertPEM) }

// trusting returns a transport that trusts only the CA in caPEM.
func trusting(caPEM string) *http.Transport {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(caPEM))
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	t.Proxy = nil
	return t
}

// StartRegistry starts docker-registry on a free port of 127.0.0.1 and
// waits until it answers; it is stopped when the test ends. A missing
// binary fails the test, naming the package to install.
func StartRegistry(t testing.TB) *Registry {
	t.Helper()
	bin := registryBinary
	if _, err := os.Stat(bin); err != nil {
		p, lerr := exec.LookPath("docker-registry")
		if lerr != nil {
			t.Fatalf("regtest: %s is missing: install the Debian package %s (apt-get install -y %s); scripts/test.sh does when run as root", registryBinary, RegistryPackage, RegistryPackage)
		}
		bin = p
	}
	dir := t.TempDir()
	ca := newCA(t)
	certPEM, keyPEM := ca.issue(t)
	user, pass := "regtest", "regtest-"+randomHex(t, 12)
	hash, err := bcrypt.GenerateFromPassword([]byte(pass), bcrypt.MinCost)
	if err != nil {
		t.Fatalf("regtest: hash the password: %v", err)
	}
	files := map[string][]byte{"cert.pem": certPEM, "key.pem": keyPEM, "htpasswd": []byte(user + ":" + string(hash) + "\n")}
	for n, b := range files {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o600); err != nil {
			t.Fatalf("regtest: %v", err)
		}
	}
	reg := &Registry{CACertPEM: string(ca.certPEM), Username: user, Password: pass}
	for attempt := 1; ; attempt++ {
		port := freePort(t)
		cfg := fmt.Sprintf(`version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %q
  delete:
    enabled: true
http:
  addr: 127.0.0.1:%d
  secret: %q
  tls:
    certificate: %q
    key: %q
auth:
  htpasswd:
    realm: regtest
    path: %q
`, filepath.Join(dir, "storage"), port, randomHex(t, 16), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"), filepath.Join(dir, "htpasswd"))
		cfgPath := filepath.Join(dir, "config.yml")
		if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
			t.Fatalf("regtest: %v", err)
		}
		reg.Host = fmt.Sprintf("127.0.0.1:%d", port)
		out := &tail{}
		cmd := exec.Command(bin, "serve", cfgPath)
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatalf("regtest: start %s: %v", bin, err)
		}
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		err := waitReady(reg, done)
		if err == nil {
			t.Cleanup(func() { stop(t, cmd, done) })
			return reg
		}
		stop(t, cmd, done)
		if attempt < 3 && strings.Contains(out.String(), "address already in use") {
			continue
		}
		t.Fatalf("regtest: docker-registry did not start on %s: %v\n%s", reg.Host, err, out.String())
	}
}

// waitReady polls /v2/ until the registry asks for credentials (or lets in).
func waitReady(reg *Registry, exited <-chan struct{}) error {
	c := &http.Client{Transport: reg.Transport(), Timeout: 2 * time.Second}
	defer c.CloseIdleConnections()
	deadline := time.Now().Add(readyWithin)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errors.New("it exited")
		default:
		}
		resp, err := c.Get("https://" + reg.Host + "/v2/")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("/v2/ answered %s", resp.Status)
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("not ready within %s: %v", readyWithin, last)
}

// stop ends the registry: SIGTERM, then SIGKILL after 10 s.
func stop(t testing.TB, cmd *exec.Cmd, done <-chan struct{}) {
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Logf("regtest: docker-registry (pid %d) did not stop on SIGTERM; killed", cmd.Process.Pid)
	}
}

// freePort returns a port of 127.0.0.1 that was free a moment ago.
func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("regtest: find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// tail keeps the last 64 KiB a process wrote.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (w *tail) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	if over := len(w.buf) - 64<<10; over > 0 {
		w.buf = w.buf[over:]
	}
	return len(p), nil
}

func (w *tail) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(w.buf)
}

// randomHex returns n random bytes in hex.
func randomHex(t testing.TB, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("regtest: %v", err)
	}
	return hex.EncodeToString(b)
}

// ca is a certificate authority made for one test.
type ca struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM []byte
}

// newCA makes a CA (ECDSA P-256, valid for a day).
func newCA(t testing.TB) *ca {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("regtest: CA key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: "regtest CA " + t.Name()},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatalf("regtest: CA certificate: %v", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatalf("regtest: CA certificate: %v", err)
	}
	return &ca{cert: cert, key: key, certPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// issue returns a server certificate for 127.0.0.1, ::1 and localhost, and its key, in PEM.
func (c *ca) issue(t testing.TB) (certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("regtest: server key: %v", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(t),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, c.cert, &key.PublicKey, c.key)
	if err != nil {
		t.Fatalf("regtest: server certificate: %v", err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatalf("regtest: server key: %v", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

// tlsConfig returns a server TLS configuration with a certificate issued by c.
func (c *ca) tlsConfig(t testing.TB) *tls.Config {
	certPEM, keyPEM := c.issue(t)
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatalf("regtest: %v", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
}

func serial(t testing.TB) *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatalf("regtest: %v", err)
	}
	return n
}

// testContext returns a context for one helper call: the test's, bounded
// by a minute as a safety net.
func testContext(t testing.TB) (context.Context, context.CancelFunc) {
	return context.WithTimeout(t.Context(), time.Minute)
}
