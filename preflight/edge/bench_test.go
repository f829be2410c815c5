package edge_test

import (
	"context"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/byoos/byoos/preflight"
	"github.com/byoos/byoos/preflight/edge"
	"github.com/byoos/byoos/regsync/regtest"
)

// latency is what each registry adds to every request it answers.
const latency = 50 * time.Millisecond

// slowRegistry is a regtest registry behind a TLS proxy that waits
// latency before forwarding each request.
type slowRegistry struct {
	reg   *regtest.Registry
	host  string // the proxy's 127.0.0.1:PORT
	caPEM string // the proxy's certificate
}

func startSlowRegistry(b *testing.B) *slowRegistry {
	b.Helper()
	reg := regtest.StartRegistry(b)
	target, _ := url.Parse("https://" + reg.Host)
	proxy := httputil.NewSingleHostReverseProxy(target)
	rt := reg.Transport()
	rt.MaxIdleConnsPerHost = 64
	proxy.Transport = rt
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(latency)
		r.Host = target.Host
		proxy.ServeHTTP(w, r)
	}))
	b.Cleanup(ts.Close)
	u, _ := url.Parse(ts.URL)
	return &slowRegistry{reg: reg, host: u.Host, caPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}))}
}

// BenchmarkVerify200EdgeImages verifies 200 Edge images (single images and
// indexes, under distinct tags) spread over 3 registries that each add 50
// ms to every request, with a new checker each time (nothing cached from
// the last run), 32 checks at once as byoos verify runs them
// (parallel=32), and one at a time (parallel=1: the sum of the checks). It
// reports how many times the slowest single check the whole run takes.
func BenchmarkVerify200EdgeImages(b *testing.B) {
	var regs []*slowRegistry
	var imgs []preflight.Image
	for range 3 {
		s := startSlowRegistry(b)
		regs = append(regs, s)
		single := regtest.PushImage(b, s.reg, "edge/ubuntu", "single", regtest.LinuxAMD64())
		index := regtest.PushIndex(b, s.reg, "edge/ubuntu", "index", regtest.LinuxAMD64(), regtest.LinuxARM64())
		for i := range 67 {
			digest := single
			if i%2 == 1 {
				digest = index
			}
			tag := fmt.Sprintf("k3s-1.30.%d-v4.4.12-demo", i)
			src, err := name.NewDigest(s.reg.Host + "/edge/ubuntu@" + digest)
			if err != nil {
				b.Fatal(err)
			}
			desc, err := remote.Get(src, regtest.PushOptions(b, s.reg)...)
			if err != nil {
				b.Fatal(err)
			}
			if err := remote.Tag(src.Context().Tag(tag), desc, regtest.PushOptions(b, s.reg)...); err != nil {
				b.Fatal(err)
			}
			imgs = append(imgs, preflight.Image{Cloud: preflight.Edge, Role: preflight.RoleContent, Ref: s.host + "/edge/ubuntu:" + tag,
				Username: s.reg.Username, Password: s.reg.Password, CACert: s.caPEM})
		}
	}
	if len(imgs) < 200 {
		b.Fatalf("%d images", len(imgs))
	}
	imgs = imgs[:200]
	run := func(imgs []preflight.Image, parallel int) time.Duration {
		c, err := edge.New(edge.Config{})
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		start := time.Now()
		opts := preflight.Options{Parallel: parallel, Timeout: time.Minute}
		for _, r := range preflight.Run(context.Background(), imgs, preflight.Target{}, map[string]preflight.Checker{preflight.Edge: c}, opts) {
			if len(r.Findings) != 0 {
				b.Fatalf("%s: %v", r.Image.Ref, r.Findings)
			}
		}
		return time.Since(start)
	}
	// The slowest single check: a fresh checker on one single image (ping,
	// authentication, manifest and config) of each registry.
	var slowest time.Duration
	for i := range regs {
		slowest = max(slowest, run(imgs[i*67:i*67+1], 1))
	}
	// parallel=32 is how byoos verify runs; parallel=1 is the sum of the
	// checks, for comparison.
	for _, parallel := range []int{32, 1} {
		b.Run(fmt.Sprintf("parallel=%d", parallel), func(b *testing.B) {
			var total time.Duration
			n := 0
			for b.Loop() {
				total += run(imgs, parallel)
				n++
			}
			b.ReportMetric(float64(slowest.Milliseconds()), "ms-slowest-check")
			b.ReportMetric(float64(total)/float64(n)/float64(slowest), "x-slowest-check")
		})
	}
}
