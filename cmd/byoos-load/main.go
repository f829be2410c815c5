// Command byoos-load measures a running byoos server: requests per second and
// latency percentiles for pack lookups and profile creation, over HTTPS with
// keep-alive and many concurrent clients. It talks to loopback addresses
// only, and every run is bounded in requests and time.
//
//	byoos-load --data ./byoos-data --scenario lookup --concurrency 64 --duration 10s
//	byoos-load --data ./byoos-data --seed-packs 100000 --seed-profiles 10000
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type config struct {
	server      string
	dataDir     string
	apiKey      string
	caCert      string
	project     string
	scenario    string
	concurrency int
	duration    time.Duration
	maxRequests int64
	seedPacks   int
	seedProfs   int
	pid         int
	jsonOut     bool
	gzip        bool
}

func main() {
	var c config
	flag.StringVar(&c.server, "server", "https://127.0.0.1:8443", "byoos server URL (loopback only)")
	flag.StringVar(&c.dataDir, "data", "./byoos-data", "server data directory: the admin key and TLS certificate are read from it")
	flag.StringVar(&c.apiKey, "api-key", "", "API key (default: DATA/admin-api-key)")
	flag.StringVar(&c.caCert, "ca-cert", "", "CA certificate (default: DATA/tls/cert.pem)")
	flag.StringVar(&c.project, "project", "Default", "project name")
	flag.StringVar(&c.scenario, "scenario", "lookup", "lookup (GET /v1/packs/{name}/registries/{uid}), filter (GET /v1/packs?filters=spec.name=N), private-lookup, create (POST /v1/clusterprofiles), baseline (a minimal HTTPS handler with a 1 KB body, in this process, for reference), or none")
	flag.IntVar(&c.concurrency, "concurrency", 64, "concurrent clients")
	flag.DurationVar(&c.duration, "duration", 10*time.Second, "how long to run (at most 5m)")
	flag.Int64Var(&c.maxRequests, "requests", 2_000_000, "stop after this many requests")
	flag.IntVar(&c.seedPacks, "seed-packs", 0, "first push this many pack versions into the private registry \"load\"")
	flag.IntVar(&c.seedProfs, "seed-profiles", 0, "first create this many cluster profiles")
	flag.IntVar(&c.pid, "pid", 0, "server process id, to report its resident memory")
	flag.BoolVar(&c.jsonOut, "json", false, "print the result as JSON")
	flag.BoolVar(&c.gzip, "gzip", false, "ask for gzip-compressed answers, as Go clients (the Terraform provider) do; off by default, since decompressing on this machine takes CPU from the server under test")
	flag.Parse()
	if err := run(c); err != nil {
		fmt.Fprintln(os.Stderr, "byoos-load:", err)
		os.Exit(1)
	}
}

// loopbackOnly refuses any target that is not on this machine.
func loopbackOnly(server string) error {
	u, err := url.Parse(server)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s is not a loopback address; this tool only loads servers on this machine", host)
	}
	return nil
}

type client struct {
	base, key, project string
	http               *http.Client
}

func (c *client) do(method, path, ctype string, body []byte) (int, []byte, error) {
	return c.send(method, path, ctype, body, false)
}

// send makes a request; with discard, a successful answer's body is read and
// dropped without being kept, so that the tool spends as little as it can.
func (c *client) send(method, path, ctype string, body []byte, discard bool) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("ApiKey", c.key)
	if c.project != "" {
		req.Header.Set("ProjectUid", c.project)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	if discard && resp.StatusCode < 300 {
		_, err := io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, nil, err
	}
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func run(c config) error {
	if c.scenario == "baseline" {
		return baseline(c)
	}
	if err := loopbackOnly(c.server); err != nil {
		return err
	}
	if c.duration > 5*time.Minute {
		c.duration = 5 * time.Minute
	}
	if c.apiKey == "" {
		b, err := os.ReadFile(filepath.Join(c.dataDir, "admin-api-key"))
		if err != nil {
			return fmt.Errorf("api key: %w", err)
		}
		c.apiKey = strings.TrimSpace(string(b))
	}
	if c.caCert == "" {
		c.caCert = filepath.Join(c.dataDir, "tls", "cert.pem")
	}
	pool := x509.NewCertPool()
	if pem, err := os.ReadFile(c.caCert); err == nil {
		pool.AppendCertsFromPEM(pem)
	} else if strings.HasPrefix(c.server, "https") {
		return fmt.Errorf("ca certificate: %w", err)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConns: c.concurrency * 2, MaxIdleConnsPerHost: c.concurrency * 2, IdleConnTimeout: time.Minute, DisableCompression: !c.gzip}
	cl := &client{base: strings.TrimRight(c.server, "/"), key: c.apiKey, http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}

	// Resolve the project.
	st, body, err := cl.do("GET", "/v1/dashboard/projects/metadata", "", nil)
	if err != nil || st != 200 {
		return fmt.Errorf("list projects: %d %v %s", st, err, body)
	}
	var projects struct {
		Items []struct{ Metadata struct{ Name, UID string } }
	}
	json.Unmarshal(body, &projects)
	for _, p := range projects.Items {
		if p.Metadata.Name == c.project {
			cl.project = p.Metadata.UID
		}
	}
	if cl.project == "" {
		return fmt.Errorf("project %q not found", c.project)
	}

	regUID, err := privateRegistry(cl)
	if err != nil {
		return err
	}
	if c.seedPacks > 0 {
		if err := seedPacks(cl, regUID, c.seedPacks, c.concurrency); err != nil {
			return err
		}
	}
	if c.seedProfs > 0 {
		if err := seedProfiles(cl, c.seedProfs, c.concurrency); err != nil {
			return err
		}
	}
	var next func(i int64) (string, string, []byte)
	switch c.scenario {
	case "none":
		return report(c, nil)
	case "lookup":
		names := []string{"generic-byoi", "edge-native-byoi", "kubernetes", "cni-calico", "csi-aws-ebs", "edge-k3s"}
		next = func(i int64) (string, string, []byte) {
			return "GET", "/v1/packs/" + names[i%int64(len(names))] + "/registries/5e0000000000000000000001?cloudType=all", nil
		}
	case "filter":
		names := []string{"generic-byoi", "edge-native-byoi", "kubernetes", "cni-calico", "csi-aws-ebs", "edge-k3s"}
		next = func(i int64) (string, string, []byte) {
			return "GET", "/v1/packs?filters=spec.name%3D" + names[i%int64(len(names))] + "ANDspec.registryUid%3D5e0000000000000000000001&limit=50", nil
		}
	case "private-lookup":
		next = func(i int64) (string, string, []byte) {
			return "GET", fmt.Sprintf("/v1/packs/load-%d/registries/%s?cloudType=all", i%64, regUID), nil
		}
	case "create":
		run := time.Now().UnixNano()
		next = func(i int64) (string, string, []byte) {
			return "POST", "/v1/clusterprofiles", profileBody(fmt.Sprintf("load-%d-%d", run, i))
		}
	default:
		return fmt.Errorf("unknown scenario %q", c.scenario)
	}
	res := load(cl, c, next)
	return report(c, res)
}

func privateRegistry(cl *client) (string, error) {
	st, body, err := cl.do("GET", "/v1/registries/metadata", "", nil)
	if err != nil || st != 200 {
		return "", fmt.Errorf("registries: %d %v", st, err)
	}
	var regs struct{ Items []struct{ UID, Name string } }
	json.Unmarshal(body, &regs)
	for _, r := range regs.Items {
		if r.Name == "load" {
			return r.UID, nil
		}
	}
	st, body, err = cl.do("POST", "/v1/registries/pack", "application/json", []byte(`{"metadata":{"name":"load"}}`))
	if err != nil || st != 201 {
		return "", fmt.Errorf("create registry: %d %v %s", st, err, body)
	}
	var out struct{ UID string }
	json.Unmarshal(body, &out)
	return out.UID, nil
}

// packArchive builds a small pack .tgz: NAME at VERSION.
func packArchive(name, version string) []byte {
	files := map[string]string{
		"pack.json":   fmt.Sprintf(`{"name": %q, "displayName": "Load %s", "version": %q, "layer": "addon", "addonType": "monitoring", "cloudTypes": ["all"]}`, name, name, version),
		"values.yaml": "pack:\n  namespace: load\n  content:\n    images:\n      - image: example.io/load/" + name + ":" + version + "\nreplicas: 2\n",
		"README.md":   "# " + name + "\n",
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	keys := make([]string, 0, len(files))
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		tw.WriteHeader(&tar.Header{Name: name + "-" + version + "/" + k, Mode: 0o644, Size: int64(len(files[k])), Typeflag: tar.TypeReg})
		tw.Write([]byte(files[k]))
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func parallel(n, workers int, fn func(i int) error) error {
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || firstErr.Load() != nil {
					return
				}
				if err := fn(i); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if err, ok := firstErr.Load().(error); ok {
		return err
	}
	return nil
}

// seedPacks pushes n pack versions: about ten versions of each of n/10 names
// (at least 64 names, which private-lookup reads).
func seedPacks(cl *client, reg string, n, workers int) error {
	start := time.Now()
	names := max(64, n/10)
	err := parallel(n, workers, func(i int) error {
		name := fmt.Sprintf("load-%d", i%names)
		version := fmt.Sprintf("1.%d.%d", (i/names)/1000, (i/names)%1000)
		st, body, err := cl.do("POST", "/v1/registries/pack/"+reg+"/packs", "application/gzip", packArchive(name, version))
		if err != nil {
			return err
		}
		if st != 201 && st != 200 {
			return fmt.Errorf("push %s@%s: %d %s", name, version, st, body)
		}
		return nil
	})
	fmt.Fprintf(os.Stderr, "seeded %d pack versions in %s\n", n, time.Since(start).Round(time.Millisecond))
	return err
}

func profileBody(name string) []byte {
	b, _ := json.Marshal(map[string]any{
		"metadata": map[string]any{"name": name},
		"spec": map[string]any{"version": "1.0.0", "template": map[string]any{"type": "infra", "cloudType": "aws", "packs": []any{
			map[string]any{"name": "generic-byoi", "tag": "1.0.0", "type": "spectro", "registryUid": "5e0000000000000000000001",
				"values": "pack:\n  osImageOverride: \"ami-0f4804aff4cf9c5a2\"\n  osName: \"rhel\"\n  osVersion: \"8\""},
			map[string]any{"name": "kubernetes", "tag": "1.30.x", "type": "spectro", "registryUid": "5e0000000000000000000001"},
			map[string]any{"name": "cni-calico", "tag": "3.29.x", "type": "spectro", "registryUid": "5e0000000000000000000001"},
			map[string]any{"name": "csi-aws-ebs", "tag": "1.36.0", "type": "spectro", "registryUid": "5e0000000000000000000001"},
		}}},
	})
	return b
}

func seedProfiles(cl *client, n, workers int) error {
	start := time.Now()
	run := time.Now().UnixNano()
	err := parallel(n, workers, func(i int) error {
		st, body, err := cl.do("POST", "/v1/clusterprofiles", "application/json", profileBody(fmt.Sprintf("seed-%d-%d", run, i)))
		if err != nil {
			return err
		}
		if st != 201 {
			return fmt.Errorf("create profile: %d %s", st, body)
		}
		return nil
	})
	fmt.Fprintf(os.Stderr, "seeded %d profiles in %s\n", n, time.Since(start).Round(time.Millisecond))
	return err
}

type result struct {
	Scenario    string  `json:"scenario"`
	Concurrency int     `json:"concurrency"`
	Requests    int64   `json:"requests"`
	Errors      int64   `json:"errors"`
	Seconds     float64 `json:"seconds"`
	RPS         float64 `json:"rps"`
	P50ms       float64 `json:"p50_ms"`
	P90ms       float64 `json:"p90_ms"`
	P99ms       float64 `json:"p99_ms"`
	Maxms       float64 `json:"max_ms"`
	ServerRSSMB float64 `json:"server_rss_mb,omitempty"`
	FirstError  string  `json:"first_error,omitempty"`
}

func load(cl *client, c config, next func(i int64) (string, string, []byte)) *result {
	ctx, cancel := context.WithTimeout(context.Background(), c.duration)
	defer cancel()
	var count, errs atomic.Int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, c.concurrency)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < c.concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			ctype := "application/json"
			for ctx.Err() == nil {
				i := count.Add(1)
				if i > c.maxRequests {
					count.Add(-1)
					return
				}
				method, path, body := next(i)
				t0 := time.Now()
				st, rb, err := cl.send(method, path, ctype, body, true)
				lat[w] = append(lat[w], time.Since(t0))
				if err != nil || st >= 300 {
					errs.Add(1)
					if err == nil {
						err = fmt.Errorf("%s %s: %d %.200s", method, path, st, rb)
					}
					if !errors.Is(err, context.DeadlineExceeded) {
						firstErr.CompareAndSwap(nil, err.Error())
					}
				}
			}
		}(w)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[int(float64(len(all)-1)*p)].Microseconds()) / 1000
	}
	r := &result{Scenario: c.scenario, Concurrency: c.concurrency, Requests: int64(len(all)), Errors: errs.Load(), Seconds: elapsed.Seconds(),
		RPS: float64(len(all)) / elapsed.Seconds(), P50ms: pct(.5), P90ms: pct(.9), P99ms: pct(.99), Maxms: pct(1)}
	if s, ok := firstErr.Load().(string); ok {
		r.FirstError = s
	}
	return r
}

// baseline loads a minimal HTTPS handler serving 1 KB, started in this
// process on a loopback port: what this machine can do at all, for comparison.
func baseline(c config) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	body := bytes.Repeat([]byte("x"), 1024)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})}
	certFile, keyFile := filepath.Join(c.dataDir, "tls", "cert.pem"), filepath.Join(c.dataDir, "tls", "key.pem")
	go srv.ServeTLS(ln, certFile, keyFile)
	defer srv.Close()
	pool := x509.NewCertPool()
	pem, err := os.ReadFile(certFile)
	if err != nil {
		return fmt.Errorf("baseline needs DATA/tls from a server's first start: %w", err)
	}
	pool.AppendCertsFromPEM(pem)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxIdleConns: c.concurrency * 2, MaxIdleConnsPerHost: c.concurrency * 2}
	cl := &client{base: "https://" + ln.Addr().String(), http: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
	res := load(cl, c, func(int64) (string, string, []byte) { return "GET", "/", nil })
	return report(c, res)
}

func rssMB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			var kb float64
			fmt.Sscanf(strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:")), "%f", &kb)
			return kb / 1024
		}
	}
	return 0
}

func report(c config, r *result) error {
	if r == nil {
		r = &result{Scenario: "none"}
	}
	if c.pid > 0 {
		r.ServerRSSMB = rssMB(c.pid)
	}
	if c.jsonOut {
		return json.NewEncoder(os.Stdout).Encode(r)
	}
	fmt.Printf("scenario %s, %d clients: %d requests in %.1fs = %.0f req/s; p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; %d errors",
		r.Scenario, r.Concurrency, r.Requests, r.Seconds, r.RPS, r.P50ms, r.P90ms, r.P99ms, r.Maxms, r.Errors)
	if r.ServerRSSMB > 0 {
		fmt.Printf("; server RSS %.1f MiB", r.ServerRSSMB)
	}
	fmt.Println()
	if r.FirstError != "" {
		fmt.Println("first error:", r.FirstError)
	}
	if r.Errors > 0 {
		return fmt.Errorf("%d requests failed", r.Errors)
	}
	return nil
}
