package azure_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/pageblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/sas"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/preflight/azure"
	"github.com/byoos/byoos/preflight/azure/azuritetest"
	"github.com/byoos/byoos/secret"
)

const (
	account = azuritetest.Account
	// host is the public blob endpoint the images name; Config.Endpoints
	// sends its requests to Azurite.
	host = "https://" + account + ".blob.core.windows.net"
	mib  = 1 << 20
)

// wrongKey is a well-formed account key that is not Azurite's.
var wrongKey = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("not the key!"), 6))

// want is a finding a case expects: its code, severity and phrases of its
// message (and hint).
type want struct {
	code string
	sev  finding.Severity
	says []string
}

// image is an Azure OS image named at a place in a profile.
func image(ref string) preflight.Image {
	return preflight.Image{Cloud: preflight.Azure, Role: preflight.RoleOS, Ref: ref,
		At: finding.Finding{Layer: "generic-byoi", Path: "pack.osImageOverride", File: "profile.yaml", Line: 12, Column: 20}}
}

// footer is a VHD footer for a disk of the given size and type (2 fixed,
// 3 dynamic), with its checksum.
func footer(disk uint64, diskType uint32) []byte {
	b := make([]byte, 512)
	copy(b, "conectix")
	binary.BigEndian.PutUint32(b[8:], 2)
	binary.BigEndian.PutUint32(b[12:], 0x00010000)
	binary.BigEndian.PutUint64(b[16:], ^uint64(0))
	copy(b[28:], "byos")
	copy(b[36:], "Wi2k")
	binary.BigEndian.PutUint64(b[40:], disk)
	binary.BigEndian.PutUint64(b[48:], disk)
	binary.BigEndian.PutUint32(b[60:], diskType)
	var sum uint32
	for _, c := range b {
		sum += uint32(c)
	}
	binary.BigEndian.PutUint32(b[64:], ^sum)
	return b
}

// fixtures holds Azurite's blobs for the tests.
type fixtures struct {
	cred *azblob.SharedKeyCredential
}

// setUp creates, on the Azurite at accountURL (reached with client), the
// containers and blobs the tests check:
//
//	images/good.vhd        page blob, a 2 MiB disk + fixed VHD footer
//	images/unaligned.vhd   page blob, a 1.5 MiB disk + fixed VHD footer
//	images/raw.vhd         page blob of 2 MiB, no footer (a raw disk)
//	images/dynamic.vhd     page blob whose footer says dynamic
//	images/badsum.vhd      page blob, fixed footer with a wrong checksum
//	images/resized.vhd     page blob of 2 MiB + 512 whose footer says 1 MiB
//	images/block.vhd       block blob, a 2 MiB disk + fixed VHD footer
//	public/good.vhd        page blob in a container with public blob access
func setUp(t *testing.T, accountURL string, o *azblob.ClientOptions) fixtures {
	t.Helper()
	ctx := context.Background()
	cred, err := azblob.NewSharedKeyCredential(account, azuritetest.Key)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := azblob.NewClientWithSharedKeyCredential(accountURL+"/", cred, o)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateContainer(ctx, "images", nil); err != nil {
		t.Fatalf("create container images: %v", err)
	}
	access := container.PublicAccessTypeBlob
	if _, err := svc.CreateContainer(ctx, "public", &container.CreateOptions{Access: &access}); err != nil {
		t.Fatalf("create container public: %v", err)
	}
	page := func(cont, name string, size int64, tail []byte) {
		t.Helper()
		pb, err := pageblob.NewClientWithSharedKeyCredential(accountURL+"/"+cont+"/"+name, cred, &pageblob.ClientOptions{ClientOptions: o.ClientOptions})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pb.Create(ctx, size, nil); err != nil {
			t.Fatalf("create page blob %s: %v", name, err)
		}
		if tail != nil {
			_, err := pb.UploadPages(ctx, streaming.NopCloser(bytes.NewReader(tail)), blob.HTTPRange{Offset: size - int64(len(tail)), Count: int64(len(tail))}, nil)
			if err != nil {
				t.Fatalf("upload the footer of %s: %v", name, err)
			}
		}
	}
	page("images", "good.vhd", 2*mib+512, footer(2*mib, 2))
	page("images", "unaligned.vhd", 3*mib/2+512, footer(3*mib/2, 2))
	page("images", "raw.vhd", 2*mib, bytes.Repeat([]byte{0xEB}, 512))
	page("images", "dynamic.vhd", 2*mib+512, footer(2*mib, 3))
	bad := footer(2*mib, 2)
	bad[70] ^= 0xFF // in the unique id: the checksum no longer matches
	page("images", "badsum.vhd", 2*mib+512, bad)
	page("images", "resized.vhd", 2*mib+512, footer(mib, 2))
	page("public", "good.vhd", 2*mib+512, footer(2*mib, 2))
	block := make([]byte, 2*mib+512)
	copy(block[2*mib:], footer(2*mib, 2))
	if _, err := svc.UploadBuffer(ctx, "images", "block.vhd", block, nil); err != nil {
		t.Fatalf("upload block blob: %v", err)
	}
	return fixtures{cred: cred}
}

// sasQuery signs a blob SAS for images/NAME with Azurite's key.
func (f fixtures) sasQuery(t *testing.T, name string, perms sas.BlobPermissions, start, expiry time.Time) string {
	t.Helper()
	q, err := sas.BlobSignatureValues{
		Protocol: sas.ProtocolHTTPSandHTTP, StartTime: start.UTC(), ExpiryTime: expiry.UTC(),
		Permissions: perms.String(), ContainerName: "images", BlobName: name,
	}.SignWithSharedKey(f.cred)
	if err != nil {
		t.Fatal(err)
	}
	return q.Encode()
}

// newChecker returns a Checker or fails the test.
func newChecker(t *testing.T, cfg azure.Config) *azure.Checker {
	t.Helper()
	c, err := azure.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// fastRetry retries twice, quickly: the tests exercise the retries, not
// their delays.
var fastRetry = policy.RetryOptions{MaxRetries: 2, RetryDelay: time.Millisecond, MaxRetryDelay: 5 * time.Millisecond}

// busyProxy forwards to target after answering 503 ServerBusy to the first
// busy requests (every request when busy is negative); it counts requests.
func busyProxy(t *testing.T, target string, busy int64) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if i := n.Add(1); busy < 0 || i <= busy {
			w.Header().Set("x-ms-error-code", "ServerBusy")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// checkFindings compares r's findings with ws, in order, and checks that
// each is located where the image is named.
func checkFindings(t *testing.T, r preflight.Result, ws []want) {
	t.Helper()
	if len(r.Findings) != len(ws) {
		t.Fatalf("got %d findings, want %d: %s", len(r.Findings), len(ws), dump(r))
	}
	for i, w := range ws {
		f := r.Findings[i]
		if f.Code != w.code || f.Severity != w.sev {
			t.Errorf("finding %d is %s %s, want %s %s: %s", i, f.Severity, f.Code, w.sev, w.code, dump(r))
		}
		if f.Layer != r.Image.At.Layer || f.Path != r.Image.At.Path || f.Line != r.Image.At.Line || f.File != r.Image.At.File {
			t.Errorf("finding %d is located at %s %s %s:%d, want the image's place %+v", i, f.Layer, f.Path, f.File, f.Line, r.Image.At)
		}
		text := f.Message + "\n" + f.Hint
		for _, s := range w.says {
			if !strings.Contains(text, s) {
				t.Errorf("finding %d does not say %q:\n%s", i, s, text)
			}
		}
	}
}

func dump(r preflight.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "checked %q", r.Checked)
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "\n  %s %s: %s [hint: %s]", f.Severity, f.Code, f.Message, f.Hint)
	}
	return b.String()
}

// secretsIn returns the credentials of the tests, in the forms a leak
// could take: the keys, and each SAS signature raw and percent-encoded.
func secretsIn(refs []string) []string {
	out := []string{azuritetest.Key, wrongKey, azuritetest.Key[:24], wrongKey[:24]}
	for _, ref := range refs {
		u, err := url.Parse(ref)
		if err != nil {
			continue
		}
		if sig := u.Query().Get("sig"); sig != "" {
			out = append(out, sig, url.QueryEscape(sig), sig[:16])
		}
	}
	return out
}

func TestCheckAgainstAzurite(t *testing.T) {
	a := azuritetest.Start(t, azuritetest.Options{})
	fx := setUp(t, a.AccountURL, &azblob.ClientOptions{})
	ctx := context.Background()
	now := time.Now()
	read := sas.BlobPermissions{Read: true}

	toAzurite := map[string]string{account: a.AccountURL}
	withKey := newChecker(t, azure.Config{Keys: map[string]secret.String{account: azuritetest.Key}, Endpoints: toAzurite, Retry: fastRetry})
	anonymous := newChecker(t, azure.Config{Endpoints: toAzurite, Retry: fastRetry})
	withWrongKey := newChecker(t, azure.Config{Keys: map[string]secret.String{account: secret.String(wrongKey)}, Endpoints: toAzurite, Retry: fastRetry})
	closed := closedPort(t)
	toClosedPort := newChecker(t, azure.Config{Keys: map[string]secret.String{account: azuritetest.Key}, Endpoints: map[string]string{account: "http://" + closed + "/" + account}, Retry: fastRetry})
	alwaysBusy, alwaysBusyCount := busyProxy(t, a.URL, -1)
	throttled := newChecker(t, azure.Config{Keys: map[string]secret.String{account: azuritetest.Key}, Endpoints: map[string]string{account: alwaysBusy.URL + "/" + account}, Retry: fastRetry})
	twiceBusy, _ := busyProxy(t, a.URL, 2)
	throttledTwice := newChecker(t, azure.Config{Keys: map[string]secret.String{account: azuritetest.Key}, Endpoints: map[string]string{account: twiceBusy.URL + "/" + account}, Retry: fastRetry})
	noDNS := newChecker(t, azure.Config{Keys: map[string]secret.String{account: azuritetest.Key}, Retry: fastRetry, HTTPClient: &http.Client{Transport: &http.Transport{
		// What a resolver answers for a storage account that does not
		// exist; no query leaves the machine.
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			h, _, _ := net.SplitHostPort(addr)
			return nil, &net.OpError{Op: "dial", Net: network, Err: &net.DNSError{Err: "no such host", Name: h, IsNotFound: true}}
		},
	}}})

	goodSAS := fx.sasQuery(t, "good.vhd", read, now.Add(-time.Hour), now.Add(time.Hour))
	expired := now.Add(-time.Hour).UTC().Truncate(time.Second)
	expiredSAS := fx.sasQuery(t, "good.vhd", read, now.Add(-2*time.Hour), expired)
	futureStart := now.Add(2 * time.Hour).UTC().Truncate(time.Second)
	futureSAS := fx.sasQuery(t, "good.vhd", read, futureStart, now.Add(3*time.Hour))
	writeOnlySAS := fx.sasQuery(t, "good.vhd", sas.BlobPermissions{Write: true}, now.Add(-time.Hour), now.Add(time.Hour))
	otherBlobSAS := fx.sasQuery(t, "raw.vhd", read, now.Add(-time.Hour), now.Add(time.Hour))

	tests := []struct {
		name string
		c    *azure.Checker
		ref  string
		want []want
		// checked are phrases of the Checked text.
		checked []string
	}{
		{name: "a fixed VHD page blob of 2 MiB + 512 bytes read with the account key holds",
			c: withKey, ref: host + "/images/good.vhd",
			checked: []string{"page blob of 2097664 bytes (2 MiB + 512 bytes)", "fixed VHD", "account key of devstoreaccount1", a.AccountURL}},
		{name: "the same blob read with a read SAS in its URL holds",
			c: anonymous, ref: host + "/images/good.vhd?" + goodSAS,
			checked: []string{"fixed VHD", "SAS in the URL"}},
		{name: "a SAS in the URL is used before the configured key",
			c: withWrongKey, ref: host + "/images/good.vhd?" + goodSAS},
		{name: "a blob in a container with public access read anonymously holds",
			c: anonymous, ref: host + "/public/good.vhd", checked: []string{"anonymously"}},
		{name: "a blob in a private container read anonymously is refused, with the fix",
			c: anonymous, ref: host + "/images/good.vhd",
			want: []want{{code: finding.CodeVerifyAzureAccessDenied, sev: finding.Error, says: []string{"anonymously was refused (403", "container is private", "generate-sas --permissions r"}}}},
		{name: "a block blob is reported with the commands that upload a page blob",
			c: withKey, ref: host + "/images/block.vhd",
			want: []want{{code: finding.CodeVerifyAzureNotPageBlob, sev: finding.Error, says: []string{"is a block blob", "page blob", "az storage blob upload --type page", "--blob-type PageBlob"}}}},
		{name: "a page blob whose disk is 1.5 MiB is reported with its size and the nearest valid sizes",
			c: withKey, ref: host + "/images/unaligned.vhd",
			want: []want{{code: finding.CodeVerifyAzureSize, sev: finding.Error, says: []string{"1573376 bytes", "a disk of 1572864 bytes (about 1.50 MiB)", "1049088 bytes (1 MiB + 512 bytes)", "2097664 bytes (2 MiB + 512 bytes)", "qemu-img resize -f raw disk.raw 2097152"}}}},
		{name: "a raw disk of 2 MiB uploaded without a footer gets a size error and a footer warning",
			c: withKey, ref: host + "/images/raw.vhd",
			want: []want{
				{code: finding.CodeVerifyAzureSize, sev: finding.Error, says: []string{"2097152 bytes (2 MiB)", "raw disk", "2097664 bytes"}},
				{code: finding.CodeVerifyAzureVHDFooter, sev: finding.Warning, says: []string{"conectix", "raw disk image"}},
			}},
		{name: "a dynamic VHD is reported as not fixed",
			c: withKey, ref: host + "/images/dynamic.vhd",
			want: []want{{code: finding.CodeVerifyAzureVHDNotFixed, sev: finding.Error, says: []string{"dynamically expanding", "subformat=fixed"}}}},
		{name: "a fixed VHD footer with a wrong checksum is a warning",
			c: withKey, ref: host + "/images/badsum.vhd",
			want: []want{{code: finding.CodeVerifyAzureVHDFooter, sev: finding.Warning, says: []string{"checksum"}}}},
		{name: "a fixed VHD whose footer gives another disk size is a warning",
			c: withKey, ref: host + "/images/resized.vhd",
			want: []want{{code: finding.CodeVerifyAzureVHDFooter, sev: finding.Warning, says: []string{"says the disk is 1048576 bytes", "holds 2097152 bytes before its footer"}}}},
		{name: "a missing blob is reported naming the container that lacks it",
			c: withKey, ref: host + "/images/nope.vhd",
			want: []want{{code: finding.CodeVerifyAzureBlobNotFound, sev: finding.Error, says: []string{`the container "images" holds no blob named "nope.vhd"`, "BlobNotFound", "az storage blob list"}}}},
		{name: "a missing container is reported by name",
			c: withKey, ref: host + "/nocontainer/good.vhd",
			want: []want{{code: finding.CodeVerifyAzureContainerNotFound, sev: finding.Error, says: []string{`the container "nocontainer"`, "ContainerNotFound", "az storage container list"}}}},
		{name: "a wrong account key is refused and said to be wrong or rotated",
			c: withWrongKey, ref: host + "/images/good.vhd",
			want: []want{{code: finding.CodeVerifyAzureAccessDenied, sev: finding.Error, says: []string{"403", "account key configured for \"devstoreaccount1\" was refused", "rotated", "az storage account keys list"}}}},
		{name: "an expired SAS is reported with the time it expired",
			c: anonymous, ref: host + "/images/good.vhd?" + expiredSAS,
			want: []want{{code: finding.CodeVerifyAzureSASExpired, sev: finding.Error, says: []string{"expired at " + expired.Format(time.RFC3339), "se=", "403", "generate-sas"}}}},
		{name: "a SAS that is not valid yet is reported with its start time",
			c: anonymous, ref: host + "/images/good.vhd?" + futureSAS,
			want: []want{{code: finding.CodeVerifyAzureSASExpired, sev: finding.Error, says: []string{"not valid before " + futureStart.Format(time.RFC3339), "st="}}}},
		{name: "a SAS without the read permission is refused naming its permissions",
			c: anonymous, ref: host + "/images/good.vhd?" + writeOnlySAS,
			want: []want{{code: finding.CodeVerifyAzureAccessDenied, sev: finding.Error, says: []string{`grants "w" (sp=)`, "read (r)", "--permissions r"}}}},
		{name: "a SAS signed for another blob is refused as not matching",
			c: anonymous, ref: host + "/images/good.vhd?" + otherBlobSAS,
			want: []want{{code: finding.CodeVerifyAzureAccessDenied, sev: finding.Error, says: []string{"signature does not match", "403"}}}},
		{name: "an endpoint where nothing listens is unreachable after the bounded retries",
			c: toClosedPort, ref: host + "/images/good.vhd",
			want: []want{{code: finding.CodeVerifyAzureUnreachable, sev: finding.Error, says: []string{"connection was refused", closed, "after 3 tries", "reading its properties"}}}},
		{name: "a storage account whose host name does not resolve is unreachable",
			c: noDNS, ref: "https://nosuchaccount.blob.core.windows.net/images/good.vhd",
			want: []want{{code: finding.CodeVerifyAzureUnreachable, sev: finding.Error, says: []string{`"nosuchaccount.blob.core.windows.net" does not resolve`}}}},
		{name: "Blob storage busy on every try is reported as throttling after the retries",
			c: throttled, ref: host + "/images/good.vhd",
			want: []want{{code: finding.CodeVerifyAzureThrottled, sev: finding.Error, says: []string{"503 ServerBusy", "after 3 tries", "at most 2 retries"}}}},
		{name: "Blob storage busy twice and then answering holds",
			c: throttledTwice, ref: host + "/images/good.vhd"},
		{name: "a value that is not a VHD blob URL gets the parser's finding",
			c: withKey, ref: host + "/images/disk.qcow2",
			want: []want{{code: finding.CodeAzureVHDExtension, sev: finding.Error, says: []string{"disk.qcow2"}}}},
		{name: "an emulator URL in a profile is refused as validate refuses it",
			c: withKey, ref: a.AccountURL + "/images/good.vhd",
			want: []want{{code: finding.CodeAzureVHDEmulator, sev: finding.Error}}},
	}
	var results []preflight.Result
	var refs []string
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.c.Check(ctx, image(tc.ref), preflight.Target{})
			results = append(results, r)
			refs = append(refs, tc.ref)
			t.Log(dump(r))
			if r.Image.Ref != tc.ref {
				t.Errorf("result's image is %q, want %q", r.Image.Ref, tc.ref)
			}
			checkFindings(t, r, tc.want)
			for _, s := range tc.checked {
				if !strings.Contains(r.Checked, s) {
					t.Errorf("Checked %q does not say %q", r.Checked, s)
				}
			}
		})
	}
	if n := alwaysBusyCount.Load(); n != 3 {
		t.Errorf("the always busy endpoint got %d requests, want 3 (one try and 2 retries)", n)
	}

	t.Run("a server that never answers is reported as a timeout naming the check", func(t *testing.T) {
		hang := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-hang:
			}
		}))
		defer srv.Close()
		defer close(hang)
		c := newChecker(t, azure.Config{Keys: map[string]secret.String{account: azuritetest.Key}, Endpoints: map[string]string{account: srv.URL + "/" + account}, Retry: fastRetry})
		tctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
		defer cancel()
		r := c.Check(tctx, image(host+"/images/good.vhd"), preflight.Target{})
		results = append(results, r)
		checkFindings(t, r, []want{{code: finding.CodeVerifyTimeout, sev: finding.Error, says: []string{"did not finish", "time allowed", "reading its properties"}}})
	})

	t.Run("preflight.Run checks several images at once, each with its own findings", func(t *testing.T) {
		imgs := []preflight.Image{
			image(host + "/images/good.vhd"),
			image(host + "/images/block.vhd"),
			image(host + "/images/nope.vhd"),
			image(host + "/images/good.vhd?" + goodSAS),
			{Cloud: preflight.AWS, Ref: "ami-0123456789abcdef0"},
		}
		for i := range imgs {
			imgs[i].At.Line = 100 + i
		}
		rs := preflight.Run(ctx, imgs, preflight.Target{}, map[string]preflight.Checker{preflight.Azure: withKey}, preflight.Options{Parallel: 3, Timeout: time.Minute})
		wantCodes := [][]string{nil, {finding.CodeVerifyAzureNotPageBlob}, {finding.CodeVerifyAzureBlobNotFound}, nil, {finding.CodeVerifyUnsupported}}
		if len(rs) != len(imgs) {
			t.Fatalf("%d results for %d images", len(rs), len(imgs))
		}
		for i, r := range rs {
			results = append(results, r)
			var codes []string
			for _, f := range r.Findings {
				codes = append(codes, f.Code)
				if f.Line != 100+i {
					t.Errorf("image %d: finding %s is at line %d, want %d", i, f.Code, f.Line, 100+i)
				}
			}
			if fmt.Sprint(codes) != fmt.Sprint(wantCodes[i]) {
				t.Errorf("image %d (%s): codes %v, want %v: %s", i, r.Image.Ref, codes, wantCodes[i], dump(r))
			}
		}
	})

	t.Run("no finding or Checked text holds an account key or a SAS signature", func(t *testing.T) {
		if len(results) < len(tests) {
			t.Fatalf("only %d results to look at", len(results))
		}
		// What the checker wrote: every finding and the Checked text (the
		// image, as given by the user, is not the checker's output).
		type written struct {
			Findings finding.List
			Checked  string
		}
		var out []written
		for _, r := range results {
			out = append(out, written{r.Findings, r.Checked})
		}
		b, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		for _, s := range secretsIn(append(refs, host+"/images/good.vhd?"+goodSAS)) {
			if strings.Contains(text, s) || strings.Contains(text, jsonString(s)) {
				t.Errorf("a finding or Checked text holds the secret %q…", s[:6])
			}
		}
		// The findings about SAS URLs quote them, with the signature masked.
		if !strings.Contains(text, "sig="+secret.Mask) {
			t.Errorf("no finding quotes a SAS URL with its signature masked; the test looked at nothing")
		}
	})
}

// jsonString is s as JSON encodes it, without the quotes.
func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// staticToken is a token credential that hands out a fixed token, or fails.
type staticToken struct {
	token string
	err   error
}

func (s staticToken) GetToken(context.Context, policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if s.err != nil {
		return azcore.AccessToken{}, s.err
	}
	return azcore.AccessToken{Token: s.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// entraToken is a token shaped as Microsoft Entra ID issues them for Azure
// Storage; Azurite's "basic" OAuth checks its issuer, audience and
// lifetime, not its signature.
func entraToken(t *testing.T) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	now := time.Now().Unix()
	return enc(map[string]string{"alg": "RS256", "typ": "JWT"}) + "." +
		enc(map[string]any{"aud": "https://storage.azure.com", "iss": "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/", "iat": now - 60, "nbf": now - 60, "exp": now + 3600, "oid": "11059fcc-5514-4800-b5f8-49808b9cfab6"}) +
		"." + base64.RawURLEncoding.EncodeToString([]byte("not checked by Azurite"))
}

// selfSigned writes a certificate and key for 127.0.0.1 into dir and
// returns their paths and a pool that trusts the certificate.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "azurite test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pemBlock("CERTIFICATE", der), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pemBlock("PRIVATE KEY", kb), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func pemBlock(kind string, der []byte) []byte {
	return []byte("-----BEGIN " + kind + "-----\n" + wrap64(base64.StdEncoding.EncodeToString(der)) + "-----END " + kind + "-----\n")
}

func wrap64(s string) string {
	var b strings.Builder
	for len(s) > 64 {
		b.WriteString(s[:64] + "\n")
		s = s[64:]
	}
	return b.String() + s + "\n"
}

func TestCheckWithATokenOverHTTPSAgainstAzurite(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	a := azuritetest.Start(t, azuritetest.Options{CertFile: certFile, KeyFile: keyFile, OAuth: true})
	if !strings.HasPrefix(a.URL, "https://") {
		t.Fatalf("Azurite serves %s, want https", a.URL)
	}
	trusting := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	setUp(t, a.AccountURL, &azblob.ClientOptions{ClientOptions: azcore.ClientOptions{Transport: trusting}})
	toAzurite := map[string]string{account: a.AccountURL}
	ref := host + "/images/good.vhd"
	tests := []struct {
		name    string
		cfg     azure.Config
		want    []want
		checked string
	}{
		{name: "a Microsoft Entra ID token reads the blob over https",
			cfg:     azure.Config{Credential: staticToken{token: entraToken(t)}, Endpoints: toAzurite, HTTPClient: trusting, Retry: fastRetry},
			checked: "Microsoft Entra ID token"},
		{name: "a credential that gets no token is reported with its cause",
			cfg:  azure.Config{Credential: staticToken{err: errors.New("DefaultAzureCredential: failed to acquire a token.\nAttempted credentials:\n\tEnvironmentCredential: missing environment variables")}, Endpoints: toAzurite, HTTPClient: trusting, Retry: fastRetry},
			want: []want{{code: finding.CodeVerifyAzureCredential, sev: finding.Error, says: []string{"no Microsoft Entra ID token", "DefaultAzureCredential: failed to acquire a token", "az login"}}}},
		{name: "an endpoint whose TLS certificate is not trusted is unreachable, naming TLS",
			cfg:  azure.Config{Keys: map[string]secret.String{account: azuritetest.Key}, Endpoints: toAzurite, Retry: fastRetry},
			want: []want{{code: finding.CodeVerifyAzureUnreachable, sev: finding.Error, says: []string{"TLS certificate", "does not trust"}}}},
		{name: "the account key reads the blob over https too",
			cfg: azure.Config{Keys: map[string]secret.String{account: azuritetest.Key}, Endpoints: toAzurite, HTTPClient: trusting, Retry: fastRetry}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newChecker(t, tc.cfg).Check(context.Background(), image(ref), preflight.Target{})
			checkFindings(t, r, tc.want)
			if !strings.Contains(r.Checked, tc.checked) {
				t.Errorf("Checked %q does not say %q", r.Checked, tc.checked)
			}
		})
	}
}

func TestNewRefusesAConfigThatIsNotValidNamingTheField(t *testing.T) {
	const secretish = "c2VjcmV0LWtleS10aGF0LWlzLW5vdC1iYXNlNjQ!!!"
	tests := []struct {
		name string
		cfg  azure.Config
		says string
	}{
		{"an account name with capitals in Keys", azure.Config{Keys: map[string]secret.String{"MyAccount": azuritetest.Key}}, `Keys["MyAccount"]`},
		{"an account key that is not base64", azure.Config{Keys: map[string]secret.String{"acct1": secretish}}, `Keys["acct1"]: the account key is not base64`},
		{"an empty account key", azure.Config{Keys: map[string]secret.String{"acct1": " "}}, `Keys["acct1"]: the account key is empty`},
		{"an endpoint that is not http or https", azure.Config{Endpoints: map[string]string{"acct1": "ftp://127.0.0.1/acct1"}}, `Endpoints["acct1"]`},
		{"an endpoint without a host", azure.Config{Endpoints: map[string]string{"acct1": "http:///acct1"}}, "has no host"},
		{"an endpoint with a query", azure.Config{Endpoints: map[string]string{"acct1": "http://127.0.0.1:1/acct1?sig=abc"}}, "no user, query or fragment"},
		{"an endpoint for an account name that is not valid", azure.Config{Endpoints: map[string]string{"a": "http://127.0.0.1:1/a"}}, `Endpoints["a"]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := azure.New(tc.cfg)
			if err == nil || c != nil {
				t.Fatalf("New = %v, %v; want an error", c, err)
			}
			if !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error %q does not say %q", err, tc.says)
			}
			if strings.Contains(err.Error(), secretish[:12]) || strings.Contains(err.Error(), "sig=abc") {
				t.Errorf("error %q quotes a secret", err)
			}
		})
	}
}
