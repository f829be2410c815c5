package serve_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/byoos/byoos/store/pgtest"
)

// syncLog collects a process's standard error and wakes those waiting for a
// text in it.
type syncLog struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	grew chan struct{} // closed and replaced on every write
}

func newSyncLog() *syncLog { return &syncLog{grew: make(chan struct{})} }

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.grew)
	l.grew = make(chan struct{})
	return l.buf.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// waitFor returns the first match of re in the log, waiting up to timeout
// for one; nil when none came.
func (l *syncLog) waitFor(re *regexp.Regexp, timeout time.Duration) []string {
	deadline := time.After(timeout)
	for {
		l.mu.Lock()
		m := re.FindStringSubmatch(l.buf.String())
		grew := l.grew
		l.mu.Unlock()
		if m != nil {
			return m
		}
		select {
		case <-grew:
		case <-deadline:
			return nil
		}
	}
}

// byoosProc is a `byoos serve` process that startBinary started.
type byoosProc struct {
	cmd    *exec.Cmd
	url    string
	log    *syncLog
	exited chan struct{} // closed once the process exited and err is set
	err    error
}

// startBinary runs the real byoos binary with `serve --data data` and args,
// on a free loopback port, and returns it once it serves (https). The test
// kills it at the end if it still runs.
func startBinary(t *testing.T, bin, data string, args ...string) *byoosProc {
	t.Helper()
	p := &byoosProc{log: newSyncLog(), exited: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"serve", "--data", data, "--addr", "127.0.0.1:0", "--log-format", "text"}, args...)...)
	p.cmd.Stderr = p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() { p.cmd.Process.Kill(); <-p.exited })
	m := p.log.waitFor(regexp.MustCompile(`url=(https://127\.0\.0\.1:\d+)`), 30*time.Second)
	if m == nil {
		p.cmd.Process.Kill()
		<-p.exited
		t.Fatalf("the server did not start within 30 s:\n%s", p.log)
	}
	p.url = m[1]
	return p
}

// wait waits up to timeout for the process to exit and returns how it ended.
func (p *byoosProc) wait(timeout time.Duration) error {
	select {
	case <-p.exited:
		return p.err
	case <-time.After(timeout):
		p.cmd.Process.Kill()
		<-p.exited
		return fmt.Errorf("still running after %s (killed)", timeout)
	}
}

func httpsClient(t *testing.T, data string) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: httpsTransport(t, data)}
}

// httpsTransport trusts the self-signed certificate of the server on data.
func httpsTransport(t *testing.T, data string) *http.Transport {
	pem, err := os.ReadFile(filepath.Join(data, "tls", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConnsPerHost: 16}
}

func profileBody(i int) []byte {
	b, _ := json.Marshal(map[string]any{
		"metadata": map[string]any{"name": fmt.Sprintf("crash-%d", i)},
		"spec": map[string]any{"version": "1.0.0", "template": map[string]any{"type": "infra", "cloudType": "aws", "packs": []any{
			map[string]any{"name": "generic-byoi", "tag": "1.0.0", "values": "pack:\n  osImageOverride: \"ami-0f4804aff4cf9c5a2\"\n  osName: \"rhel\"\n  osVersion: \"8\""},
			map[string]any{"name": "kubernetes", "tag": "1.30.x"},
		}}},
	})
	return b
}

// engine is a storage a server runs on: flags returns the arguments of
// `byoos serve` that select it, for one test.
type engine struct {
	name  string
	flags func(t *testing.T) []string
}

// engines are the embedded SQLite and a throwaway PostgreSQL (one cluster
// per test that asks), whose servers share a --secret-key-file as replicas
// must.
func engines() []engine {
	return []engine{
		{"on SQLite", func(t *testing.T) []string { return nil }},
		{"on PostgreSQL", func(t *testing.T) []string {
			key := filepath.Join(t.TempDir(), "secret.key")
			writeKey(t, key, 7)
			return []string{"--database", pgtest.Start(t), "--secret-key-file", key}
		}},
	}
}

// apiClient makes requests of one server as its first admin.
type apiClient struct {
	c            *http.Client
	url          string
	key, project string
}

func newAPIClient(t *testing.T, c *http.Client, url, data string) apiClient {
	t.Helper()
	key, err := os.ReadFile(filepath.Join(data, "admin-api-key"))
	if err != nil {
		t.Fatal(err)
	}
	a := apiClient{c: c, url: url, key: strings.TrimSpace(string(key))}
	a.project = defaultProject(t, c, url, a.key)
	return a
}

func (a apiClient) request(ctx context.Context, method, path string, body io.Reader) *http.Request {
	req, _ := http.NewRequestWithContext(ctx, method, a.url+path, body)
	req.Header.Set("ApiKey", a.key)
	req.Header.Set("ProjectUid", a.project)
	req.Header.Set("Content-Type", "application/json")
	return req
}

// do sends a request and reads the whole answer.
func (a apiClient) do(ctx context.Context, method, path string, body []byte) (*http.Response, []byte, error) {
	resp, err := a.c.Do(a.request(ctx, method, path, bytes.NewReader(body)))
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

// wantProfiles fails t unless every uid is a profile the server returns
// whole.
func (a apiClient) wantProfiles(t *testing.T, uids []string) {
	t.Helper()
	for _, uid := range uids {
		resp, body, err := a.do(context.Background(), "GET", "/v1/clusterprofiles/"+uid, nil)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte("ami-0f4804aff4cf9c5a2")) {
			t.Errorf("acknowledged profile %s after the restart: %d %s", uid, resp.StatusCode, body)
		}
	}
}

// TestNoAcknowledgedWriteIsLostAfterKill9 writes profiles from several
// clients, kills the server with SIGKILL in the middle of the writes,
// restarts it on the same data, and checks that every write that was
// answered 201 is there, whole; on each engine.
func TestNoAcknowledgedWriteIsLostAfterKill9(t *testing.T) {
	bin := buildByoos(t)
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			flags := e.flags(t)
			data := t.TempDir()
			p := startBinary(t, bin, data, flags...)
			a := newAPIClient(t, httpsClient(t, data), p.url, data)

			const want = 150 // acknowledged writes before the kill
			var (
				mu     sync.Mutex
				acked  []string
				wg     sync.WaitGroup
				enough = make(chan struct{})
			)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			for w := range 8 {
				wg.Go(func() {
					for i := 0; ctx.Err() == nil && i < 500; i++ {
						resp, body, err := a.do(ctx, "POST", "/v1/clusterprofiles", profileBody(w*1000+i))
						if err != nil {
							return // the server is gone
						}
						var out struct{ UID string }
						json.Unmarshal(body, &out)
						if resp.StatusCode == 201 {
							mu.Lock()
							acked = append(acked, out.UID)
							if len(acked) == want {
								close(enough)
							}
							mu.Unlock()
						}
					}
				})
			}
			// Kill once a good number of writes were acknowledged, while writes go on.
			select {
			case <-enough:
			case <-time.After(30 * time.Second):
			}
			p.cmd.Process.Signal(syscall.SIGKILL)
			p.wait(20 * time.Second)
			wg.Wait()
			mu.Lock()
			ackedNow := append([]string(nil), acked...)
			mu.Unlock()
			if len(ackedNow) < 50 {
				t.Fatalf("only %d writes were acknowledged before the kill:\n%s", len(ackedNow), p.log)
			}

			p2 := startBinary(t, bin, data, flags...)
			defer func() { p2.cmd.Process.Signal(syscall.SIGTERM); p2.wait(20 * time.Second) }()
			a.c, a.url = httpsClient(t, data), p2.url
			a.wantProfiles(t, ackedNow)
			t.Logf("%d acknowledged writes all present after kill -9 and restart", len(ackedNow))
		})
	}
}

func defaultProject(t *testing.T, c *http.Client, url, key string) string {
	req, _ := http.NewRequest("GET", url+"/v1/dashboard/projects/metadata", nil)
	req.Header.Set("ApiKey", key)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Items []struct{ Metadata struct{ Name, UID string } }
	}
	json.NewDecoder(resp.Body).Decode(&out)
	for _, p := range out.Items {
		if p.Metadata.Name == "Default" {
			return p.Metadata.UID
		}
	}
	t.Fatal("no Default project")
	return ""
}

// heldBody is a request body that signals when the client starts sending it
// (for a request with Expect: 100-continue: once the server's handler has
// begun reading it) and then holds it back until release is closed.
type heldBody struct {
	r        *bytes.Reader
	sending  chan struct{}
	release  <-chan struct{}
	signaled sync.Once
}

func (b *heldBody) Read(p []byte) (int, error) {
	b.signaled.Do(func() { close(b.sending) })
	<-b.release
	return b.r.Read(p)
}

// TestGracefulShutdownFinishesRequests starts profile creates whose handlers
// are running (they have read the headers and wait for the body) when the
// server gets SIGTERM, lets them send their bodies once the server has
// stopped accepting connections, and requires each to be answered 201, the
// server to exit 0, and every created profile to be there after a restart
// on the same data; on each engine.
func TestGracefulShutdownFinishesRequests(t *testing.T) {
	bin := buildByoos(t)
	for _, e := range engines() {
		t.Run(e.name, func(t *testing.T) {
			flags := e.flags(t)
			data := t.TempDir()
			p := startBinary(t, bin, data, flags...)
			a := newAPIClient(t, httpsClient(t, data), p.url, data)
			// The transport sends a body only after the server's 100 Continue,
			// which the server sends when the handler first reads the body.
			tr := httpsTransport(t, data)
			tr.ExpectContinueTimeout = time.Minute
			inflight := a
			inflight.c = &http.Client{Timeout: time.Minute, Transport: tr}

			const n = 8
			release := make(chan struct{})
			type result struct {
				code int
				uid  string
				err  error
			}
			results := make(chan result, n)
			var sending []chan struct{}
			for i := range n {
				body := profileBody(i)
				hb := &heldBody{r: bytes.NewReader(body), sending: make(chan struct{}), release: release}
				sending = append(sending, hb.sending)
				req := inflight.request(context.Background(), "POST", "/v1/clusterprofiles", hb)
				req.ContentLength = int64(len(body))
				req.Header.Set("Expect", "100-continue")
				go func() {
					resp, err := inflight.c.Do(req)
					if err != nil {
						results <- result{err: err}
						return
					}
					defer resp.Body.Close()
					var out struct{ UID string }
					err = json.NewDecoder(resp.Body).Decode(&out)
					results <- result{code: resp.StatusCode, uid: out.UID, err: err}
				}()
			}
			for i, s := range sending {
				select {
				case <-s:
				case r := <-results:
					t.Fatalf("request %d ended before the server read its body: %+v", i, r)
				case <-time.After(30 * time.Second):
					t.Fatalf("the server did not start reading request %d within 30 s", i)
				}
			}

			if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			// The server is shutting down once it refuses new connections.
			addr := strings.TrimPrefix(p.url, "https://")
			refused := false
			for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
				conn, err := net.DialTimeout("tcp", addr, time.Second)
				if err != nil {
					refused = true
					break
				}
				conn.Close()
				select {
				case <-p.exited:
					t.Fatalf("the server exited with requests in flight: %v\n%s", p.err, p.log)
				case <-time.After(10 * time.Millisecond):
				}
			}
			if !refused {
				t.Fatalf("the server still accepted connections 20 s after SIGTERM:\n%s", p.log)
			}
			close(release)

			var uids []string
			for range n {
				r := <-results
				if r.err != nil || r.code != http.StatusCreated || r.uid == "" {
					t.Errorf("a create in flight at SIGTERM: status %d, uid %q, error %v; want 201 and a uid", r.code, r.uid, r.err)
					continue
				}
				uids = append(uids, r.uid)
			}
			if err := p.wait(30 * time.Second); err != nil {
				t.Errorf("exit after SIGTERM: %v\n%s", err, p.log)
			}
			if !strings.Contains(p.log.String(), "shutting down: finishing requests in flight") {
				t.Errorf("the log does not say the server shut down gracefully:\n%s", p.log)
			}

			p2 := startBinary(t, bin, data, flags...)
			defer func() { p2.cmd.Process.Signal(syscall.SIGTERM); p2.wait(20 * time.Second) }()
			a.c, a.url = httpsClient(t, data), p2.url
			a.wantProfiles(t, uids)
		})
	}
}
