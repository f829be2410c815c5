package regtest

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/byoos/byoos/regsync"
)

// Chart is one chart version a HelmRepo serves.
type Chart struct {
	Name, Version string
	// Values is values.yaml; "" gives a small default.
	Values string
	// Annotations are Chart.yaml's annotations.
	Annotations map[string]string
	// URL is the URL index.yaml lists; "" lists NAME-VERSION.tgz, relative
	// to the repository.
	URL string
	// NoDigest leaves the digest out of index.yaml.
	NoDigest bool
	// Raw, when set, is served as the chart's archive instead of a built
	// chart (index.yaml gives its digest).
	Raw []byte
}

// Request is one request a HelmRepo received.
type Request struct {
	Path string
	// Authorization reports that it carried an Authorization header.
	Authorization bool
}

// HelmRepo is a Helm chart repository served over TLS on 127.0.0.1 at
// URL (https://127.0.0.1:PORT/charts), with a certificate signed by
// CACertPEM. It serves index.yaml and NAME-VERSION.tgz under /charts/.
type HelmRepo struct {
	// URL is the repository's URL, without a trailing slash.
	URL string
	// CACertPEM is the PEM certificate of the CA that signed the server's.
	CACertPEM string
	// Username and Password are the credentials it requires, once
	// RequireAuth was called.
	Username, Password string

	mu       sync.Mutex
	index    []byte
	files    map[string][]byte
	requests []Request
}

// StartHelmRepo serves charts until the test ends; it requires no
// credentials until RequireAuth is called.
func StartHelmRepo(t testing.TB, charts ...Chart) *HelmRepo {
	t.Helper()
	ca := newCA(t)
	h := &HelmRepo{CACertPEM: string(ca.certPEM), files: map[string][]byte{}}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(h.serve))
	srv.TLS = ca.tlsConfig(t)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are what some tests want
	srv.StartTLS()
	t.Cleanup(srv.Close)
	h.URL = srv.URL + "/charts"
	type version struct {
		APIVersion string   `yaml:"apiVersion"`
		Name       string   `yaml:"name"`
		Version    string   `yaml:"version"`
		Digest     string   `yaml:"digest,omitempty"`
		URLs       []string `yaml:"urls"`
		Created    string   `yaml:"created"`
	}
	entries := map[string][]version{}
	for _, c := range charts {
		b := c.Raw
		if b == nil {
			b = BuildChart(t, c)
		}
		file := c.Name + "-" + c.Version + ".tgz"
		h.files["/charts/"+file] = b
		v := version{APIVersion: "v2", Name: c.Name, Version: c.Version, URLs: []string{file}, Created: "2024-01-01T00:00:00Z"}
		if c.URL != "" {
			v.URLs = []string{c.URL}
		}
		if !c.NoDigest {
			sum := sha256.Sum256(b)
			v.Digest = hex.EncodeToString(sum[:])
		}
		entries[c.Name] = append(entries[c.Name], v)
	}
	idx, err := yaml.Marshal(map[string]any{"apiVersion": "v1", "entries": entries, "generated": "2024-01-01T00:00:00Z"})
	if err != nil {
		t.Fatalf("regtest: index.yaml: %v", err)
	}
	h.index = idx
	return h
}

// RequireAuth makes the repository answer 401 to requests without these
// basic credentials.
func (h *HelmRepo) RequireAuth(username, password string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.Username, h.Password = username, password
}

// ServeIndex makes the repository serve raw as its index.yaml.
func (h *HelmRepo) ServeIndex(raw []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.index = raw
}

// Corrupt makes the repository serve other bytes for a chart than those
// whose digest index.yaml gives.
func (h *HelmRepo) Corrupt(name, version string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := "/charts/" + name + "-" + version + ".tgz"
	b := append([]byte(nil), h.files[p]...)
	if len(b) > 0 {
		b[len(b)/2] ^= 0xff
	}
	h.files[p] = b
}

// ChartURL returns the absolute URL of a chart version it serves.
func (h *HelmRepo) ChartURL(name, version string) string {
	return h.URL + "/" + name + "-" + version + ".tgz"
}

// Requests returns the requests received so far.
func (h *HelmRepo) Requests() []Request {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]Request(nil), h.requests...)
}

// Source returns a regsync source for the repository, with its
// credentials (when required) and CA.
func (h *HelmRepo) Source() regsync.Source {
	h.mu.Lock()
	defer h.mu.Unlock()
	return regsync.Source{Kind: regsync.KindHelm, Endpoint: h.URL, Username: h.Username, Password: h.Password, CACert: h.CACertPEM}
}

func (h *HelmRepo) serve(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	h.requests = append(h.requests, Request{Path: r.URL.Path, Authorization: r.Header.Get("Authorization") != ""})
	user, pass, idx := h.Username, h.Password, h.index
	b, ok := h.files[r.URL.Path]
	h.mu.Unlock()
	if user != "" || pass != "" {
		u, p, given := r.BasicAuth()
		if !given || u != user || p != pass {
			w.Header().Set("WWW-Authenticate", `Basic realm="regtest"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
	}
	switch {
	case r.URL.Path == "/charts/index.yaml":
		w.Header().Set("Content-Type", "application/x-yaml")
		_, _ = w.Write(idx)
	case ok:
		w.Header().Set("Content-Type", "application/gzip")
		_, _ = w.Write(b)
	default:
		http.NotFound(w, r)
	}
}

// BuildChart returns the .tgz of a chart as `helm package` lays it out:
// NAME/Chart.yaml (apiVersion v2), NAME/values.yaml and a template, the same
// bytes for the same chart.
func BuildChart(t testing.TB, c Chart) []byte {
	t.Helper()
	meta := map[string]any{"apiVersion": "v2", "name": c.Name, "version": c.Version, "description": "A chart for regtest", "type": "application", "appVersion": c.Version}
	if len(c.Annotations) > 0 {
		meta["annotations"] = c.Annotations
	}
	chartYAML, err := yaml.Marshal(meta)
	if err != nil {
		t.Fatalf("regtest: Chart.yaml: %v", err)
	}
	values := c.Values
	if values == "" {
		values = "replicaCount: 1\nimage:\n  repository: nginx\n  tag: " + strings.ReplaceAll(c.Version, "+", "_") + "\n"
	}
	return tgz(t, []tarEntry{
		{name: c.Name + "/Chart.yaml", data: chartYAML},
		{name: c.Name + "/values.yaml", data: []byte(values)},
		{name: c.Name + "/templates/configmap.yaml", data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  replicas: {{ .Values.replicaCount | quote }}\n")},
	})
}
