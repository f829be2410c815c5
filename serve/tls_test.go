package serve_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/byoos/byoos/serve"
)

// readCert parses the PEM certificate and key that SelfSignedCert wrote.
func readCert(t *testing.T, certFile, keyFile string) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	b, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	b, err = os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ = pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert, k.(*ecdsa.PrivateKey)
}

func TestTheSelfSignedCertificateIsALeafForThisServerOnly(t *testing.T) {
	certFile, keyFile, made, err := serve.SelfSignedCert(t.TempDir())
	if err != nil || !made {
		t.Fatalf("SelfSignedCert: %v %v", made, err)
	}
	cert, key := readCert(t, certFile, keyFile)
	if cert.IsCA || !cert.BasicConstraintsValid {
		t.Errorf("IsCA = %v, BasicConstraintsValid = %v; want a leaf (CA:FALSE)", cert.IsCA, cert.BasicConstraintsValid)
	}
	if cert.KeyUsage != x509.KeyUsageDigitalSignature {
		t.Errorf("KeyUsage = %b, want digital signature only (no certificate signing)", cert.KeyUsage)
	}
	if len(cert.ExtKeyUsage) != 1 || cert.ExtKeyUsage[0] != x509.ExtKeyUsageServerAuth {
		t.Errorf("ExtKeyUsage = %v, want server authentication only", cert.ExtKeyUsage)
	}
	if len(cert.DNSNames) != 1 || cert.DNSNames[0] != "localhost" {
		t.Errorf("DNSNames = %v, want [localhost]", cert.DNSNames)
	}
	if len(cert.IPAddresses) != 2 || !cert.IPAddresses[0].Equal(net.ParseIP("127.0.0.1")) || !cert.IPAddresses[1].Equal(net.ParseIP("::1")) {
		t.Errorf("IPAddresses = %v, want [127.0.0.1 ::1]", cert.IPAddresses)
	}

	// A client that trusts the certificate accepts this server...
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	for _, name := range []string{"localhost", "127.0.0.1", "::1"} {
		if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, DNSName: name}); err != nil {
			t.Errorf("the certificate does not verify for %s: %v", name, err)
		}
	}
	// ...and nothing else: a certificate for another name signed with the key is refused.
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "bank.example.com"}, DNSNames: []string{"bank.example.com"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, cert, &otherKey.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	forged, _ := x509.ParseCertificate(der)
	if _, err := forged.Verify(x509.VerifyOptions{Roots: roots, DNSName: "bank.example.com"}); err == nil {
		t.Error("a certificate signed with the server's key is trusted by its clients: the server's certificate acts as a CA")
	}
}

func TestTLS12OffersOnlyForwardSecretAEADSuites(t *testing.T) {
	dir := t.TempDir()
	addr, stop := run(t, serve.Options{DataDir: dir})
	defer stop()
	pem, _ := os.ReadFile(filepath.Join(dir, "tls", "cert.pem"))
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	handshake := func(version uint16, suites ...uint16) error {
		d := &net.Dialer{Timeout: 10 * time.Second}
		conn, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{RootCAs: roots, ServerName: "localhost", MinVersion: version, MaxVersion: version, CipherSuites: suites})
		if err == nil {
			conn.Close()
		}
		return err
	}
	for _, tc := range []struct {
		name   string
		suites []uint16
		ok     bool
	}{
		{"a client offering only CBC-SHA1 suites is refused", []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA}, false},
		{"a client offering only CBC-SHA256 suites is refused", []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256}, false},
		{"a client offering ECDHE with AES-128-GCM is served", []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, true},
		{"a client offering ECDHE with AES-256-GCM is served", []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}, true},
		{"a client offering ECDHE with ChaCha20-Poly1305 is served", []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := handshake(tls.VersionTLS12, tc.suites...)
			if (err == nil) != tc.ok {
				t.Errorf("TLS 1.2 handshake: %v, want success = %v", err, tc.ok)
			}
		})
	}
	t.Run("a TLS 1.3 client is served", func(t *testing.T) {
		if err := handshake(tls.VersionTLS13); err != nil {
			t.Errorf("TLS 1.3 handshake: %v", err)
		}
	})
	t.Run("a TLS 1.1 client is refused", func(t *testing.T) {
		if err := handshake(tls.VersionTLS11, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA); err == nil {
			t.Error("TLS 1.1 handshake succeeded")
		}
	})
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startLogged runs serve.Run with o and a logger writing to a buffer, until it is ready
// or fails, and returns the log and the error (nil when it is serving; it is stopped at
// the end of the test).
func startLogged(t *testing.T, o serve.Options) (*syncBuffer, error) {
	t.Helper()
	logs := &syncBuffer{}
	o.Logger = slog.New(slog.NewTextHandler(logs, nil))
	ready := make(chan string, 1)
	o.Ready = ready
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- serve.Run(ctx, o) }()
	select {
	case <-ready:
		t.Cleanup(func() { cancel(); <-errc })
		return logs, nil
	case err := <-errc:
		cancel()
		return logs, err
	case <-time.After(20 * time.Second):
		cancel()
		t.Fatal("the server neither served nor failed within 20 s")
		return nil, nil
	}
}

func TestPlainHTTPOnANonLoopbackAddressIsWarnedAtStart(t *testing.T) {
	const warning = "serving plain HTTP on an address that is not loopback"
	// Port -1 makes the listen fail before any socket is bound: the test never listens
	// on a non-loopback address, but Run has decided about the warning by then.
	for _, addr := range []string{"0.0.0.0:-1", ":-1", "[::]:-1"} {
		logs, err := startLogged(t, serve.Options{DataDir: t.TempDir(), Addr: addr, InsecureHTTP: true})
		if err == nil || !strings.Contains(err.Error(), "listen") {
			t.Fatalf("Run on %s: %v, want a listen error", addr, err)
		}
		if out := logs.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, warning) || !strings.Contains(out, "addr="+addr) {
			t.Errorf("plain HTTP on %s: no warning in the log:\n%s", addr, out)
		}
	}
	logs, err := startLogged(t, serve.Options{DataDir: t.TempDir(), Addr: "127.0.0.1:0", InsecureHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), warning) {
		t.Errorf("plain HTTP on loopback was warned about:\n%s", logs)
	}
	logs, err = startLogged(t, serve.Options{DataDir: t.TempDir(), Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("HTTPS on loopback logged a warning:\n%s", logs)
	}
}

func TestAnOldCACertificateIsWarnedAboutAtStart(t *testing.T) {
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "byoos (self-signed)"}, DNSNames: []string{"localhost"},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	keyDER, _ := x509.MarshalPKCS8PrivateKey(key)
	os.MkdirAll(filepath.Join(dir, "tls"), 0o700)
	os.WriteFile(filepath.Join(dir, "tls", "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(filepath.Join(dir, "tls", "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	logs, err := startLogged(t, serve.Options{DataDir: dir, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if out := logs.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, "is a CA certificate") {
		t.Errorf("no warning about the CA certificate:\n%s", out)
	}
}
