package httpguard_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/byoos/byoos/httpguard"
)

// recorder answers every request with body and keeps the URL it was sent to.
type recorder struct {
	body []byte
	urls []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.urls = append(r.urls, req.URL.String())
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(bytes.NewReader(r.body))}, nil
}

func TestRequestsGoOverHTTPSOnly(t *testing.T) {
	for _, tc := range []struct{ name, url, sent, err string }{
		{"an https request is sent as it is", "https://r.example/v2/", "https://r.example/v2/", ""},
		{"an http request is sent over https", "http://127.0.0.1:5000/v2/", "https://127.0.0.1:5000/v2/", ""},
		{"another scheme is refused without a request", "ftp://r.example/x", "", "only https is spoken"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			req, _ := http.NewRequest("GET", tc.url, nil)
			_, err := httpguard.Transport(rec, 10).RoundTrip(req)
			if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
				t.Fatalf("err = %v, want %q", err, tc.err)
			}
			if got := strings.Join(rec.urls, ","); got != tc.sent {
				t.Errorf("sent to %q, want %q", got, tc.sent)
			}
			if req.URL.String() != tc.url {
				t.Errorf("the caller's request was changed to %s", req.URL)
			}
		})
	}
}

func TestABodyOverItsLimitFailsWithTooLargeError(t *testing.T) {
	for _, tc := range []struct {
		name string
		size int
		ok   bool
	}{
		{"a body at the limit is read whole", 10, true},
		{"a body one byte over the limit fails", 11, false},
		{"a much larger body fails", 1 << 20, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", "https://r.example/v2/", nil)
			resp, err := httpguard.Transport(&recorder{body: make([]byte, tc.size)}, 10).RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			var tl *httpguard.TooLargeError
			switch {
			case tc.ok && (err != nil || len(b) != tc.size):
				t.Fatalf("read %d bytes, %v; want all %d", len(b), err, tc.size)
			case !tc.ok && (!errors.As(err, &tl) || tl.Max != 10 || err.Error() != "the registry's answer is larger than 10 bytes"):
				t.Fatalf("err = %v, want a *TooLargeError of 10 bytes", err)
			}
		})
	}
}

func TestTLSConfigTrustsTheCAWithTheRootsItHad(t *testing.T) {
	caPEM := selfSigned(t)
	base := &tls.Config{MinVersion: tls.VersionTLS13, ServerName: "r.example"}
	got, ok := httpguard.TLSConfig(base, caPEM)
	if !ok || got == base || got.MinVersion != tls.VersionTLS13 || got.ServerName != "r.example" || got.RootCAs == nil {
		t.Fatalf("TLSConfig(base, ca) = %+v, %v; want a copy of base with roots", got, ok)
	}
	if base.RootCAs != nil {
		t.Error("the caller's config was changed")
	}
	if got, ok := httpguard.TLSConfig(nil, "  \n"); !ok || got.MinVersion != tls.VersionTLS12 || got.RootCAs != nil {
		t.Errorf("no CA: %+v, %v; want TLS 1.2 and the system's roots", got, ok)
	}
	if _, ok := httpguard.TLSConfig(nil, "not a certificate"); ok {
		t.Error("text without a certificate was taken as a CA")
	}
}

func selfSigned(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"}, IsCA: true, BasicConstraintsValid: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}
