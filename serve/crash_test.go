package serve_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
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
)

// startBinary runs the real byoos binary on a free loopback port and returns
// its https URL once it serves.
func startBinary(t *testing.T, bin, data string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--data", data, "--addr", "127.0.0.1:0", "--log-format", "text")
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlRe := regexp.MustCompile(`url=(https://127\.0\.0\.1:\d+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := urlRe.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case u := <-found:
		return cmd, u
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("the server did not start within 20 s")
	}
	return nil, ""
}

func httpsClient(t *testing.T, data string) *http.Client {
	pem, err := os.ReadFile(filepath.Join(data, "tls", "cert.pem"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConnsPerHost: 16}}
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

// TestNoAcknowledgedWriteIsLostAfterKill9 writes profiles from several
// clients, kills the server with SIGKILL in the middle of the writes,
// restarts it on the same data, and checks that every write that was
// answered 201 is there, whole.
func TestNoAcknowledgedWriteIsLostAfterKill9(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "byoos")
	build := exec.Command("go", "build", "-o", bin, "github.com/byoos/byoos/cmd/byoos")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := t.TempDir()
	cmd, url := startBinary(t, bin, data)
	key, _ := os.ReadFile(filepath.Join(data, "admin-api-key"))
	client := httpsClient(t, data)
	project := defaultProject(t, client, url, strings.TrimSpace(string(key)))

	var (
		mu    sync.Mutex
		acked []string
		wg    sync.WaitGroup
	)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; ctx.Err() == nil && i < 500; i++ {
				req, _ := http.NewRequestWithContext(ctx, "POST", url+"/v1/clusterprofiles", bytes.NewReader(profileBody(w*1000+i)))
				req.Header.Set("ApiKey", strings.TrimSpace(string(key)))
				req.Header.Set("ProjectUid", project)
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				var out struct{ UID string }
				json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				if resp.StatusCode == 201 {
					mu.Lock()
					acked = append(acked, out.UID)
					mu.Unlock()
				}
			}
		}(w)
	}
	// Kill once a good number of writes were acknowledged, while writes go on.
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 150 {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	wg.Wait()
	mu.Lock()
	ackedNow := append([]string(nil), acked...)
	mu.Unlock()
	if len(ackedNow) < 50 {
		t.Fatalf("only %d writes were acknowledged before the kill", len(ackedNow))
	}

	cmd2, url2 := startBinary(t, bin, data)
	defer func() { cmd2.Process.Signal(syscall.SIGTERM); cmd2.Wait() }()
	client2 := httpsClient(t, data)
	for _, uid := range ackedNow {
		req, _ := http.NewRequest("GET", url2+"/v1/clusterprofiles/"+uid, nil)
		req.Header.Set("ApiKey", strings.TrimSpace(string(key)))
		req.Header.Set("ProjectUid", project)
		resp, err := client2.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte("ami-0f4804aff4cf9c5a2")) {
			t.Errorf("acknowledged profile %s after restart: %d %s", uid, resp.StatusCode, body)
		}
	}
	t.Logf("%d acknowledged writes all present after kill -9 and restart", len(ackedNow))
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

// TestGracefulShutdownFinishesRequests checks SIGTERM lets the server answer
// what it has started and then exit 0.
func TestGracefulShutdownFinishesRequests(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "byoos")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/byoos/byoos/cmd/byoos").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	data := t.TempDir()
	cmd, url := startBinary(t, bin, data)
	key, _ := os.ReadFile(filepath.Join(data, "admin-api-key"))
	client := httpsClient(t, data)
	project := defaultProject(t, client, url, strings.TrimSpace(string(key)))
	var wg sync.WaitGroup
	codes := make(chan int, 32)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			req, _ := http.NewRequest("POST", url+"/v1/clusterprofiles", bytes.NewReader(profileBody(i)))
			req.Header.Set("ApiKey", strings.TrimSpace(string(key)))
			req.Header.Set("ProjectUid", project)
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				codes <- 0
				return
			}
			resp.Body.Close()
			codes <- resp.StatusCode
		}(i)
	}
	time.Sleep(5 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	wg.Wait()
	close(codes)
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit after SIGTERM: %v", err)
	}
	for c := range codes {
		if c != 201 && c != 0 {
			t.Errorf("a request in flight got %d", c)
		}
	}
}
