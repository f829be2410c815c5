package regsync

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/byoos/byoos/httpguard"
)

func TestChartURLSendsCredentialsOnlyToTheRepositoryHost(t *testing.T) {
	base, err := parseHelmEndpoint("https://charts.example.com:8443/stable")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, raw string
		want      string
		auth      bool
		err       string
	}{
		{"a relative URL resolves under the repository path, with credentials", "nginx-1.0.0.tgz", "https://charts.example.com:8443/stable/nginx-1.0.0.tgz", true, ""},
		{"a relative URL into a subfolder stays under the repository path", "charts/nginx-1.0.0.tgz", "https://charts.example.com:8443/stable/charts/nginx-1.0.0.tgz", true, ""},
		{"a root-relative URL stays on the repository host, with credentials", "/other/nginx-1.0.0.tgz", "https://charts.example.com:8443/other/nginx-1.0.0.tgz", true, ""},
		{"an absolute https URL on the repository host gets the credentials", "https://charts.example.com:8443/x.tgz", "https://charts.example.com:8443/x.tgz", true, ""},
		{"the same host name on another port is another host: no credentials", "https://charts.example.com/x.tgz", "https://charts.example.com/x.tgz", false, ""},
		{"a subdomain is another host: no credentials", "https://evil.charts.example.com:8443/x.tgz", "https://evil.charts.example.com:8443/x.tgz", false, ""},
		{"an absolute https URL on another host is fetched without credentials", "https://cdn.example.net/x.tgz", "https://cdn.example.net/x.tgz", false, ""},
		{"a scheme-relative URL to another host is fetched without credentials", "//cdn.example.net/x.tgz", "https://cdn.example.net/x.tgz", false, ""},
		{"plain http on the repository host is refused", "http://charts.example.com:8443/x.tgz", "", false, "not https"},
		{"plain http elsewhere is refused", "http://cdn.example.net/x.tgz", "", false, "not https"},
		{"another scheme is refused", "file:///etc/passwd", "", false, "not https"},
		{"credentials in the URL are refused", "https://u:p@cdn.example.net/x.tgz", "", false, "credentials"},
		{"a URL that does not parse is refused", "https://cdn.example.net/%zz", "", false, "does not parse"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, auth, err := chartURL(base, tc.raw)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil || u.String() != tc.want || auth != tc.auth {
				t.Fatalf("got %v auth %v (%v), want %s auth %v", u, auth, err, tc.want, tc.auth)
			}
		})
	}
}

func TestParseHelmEndpoint(t *testing.T) {
	tests := []struct{ name, in, want, reason string }{
		{"a repository URL gets a trailing slash", "https://h.example/charts", "https://h.example/charts/", ""},
		{"an index.yaml URL is taken as its folder", "https://h.example/charts/index.yaml", "https://h.example/charts/", ""},
		{"a bare host is taken as https", "h.example", "https://h.example/", ""},
		{"plain http is refused", "http://h.example/", "", ReasonBadEndpoint},
		{"user info is refused", "https://u:p@h.example/", "", ReasonBadEndpoint},
		{"a query is refused", "https://h.example/?a=b", "", ReasonBadEndpoint},
		{"an empty endpoint is refused", " ", "", ReasonBadEndpoint},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u, err := parseHelmEndpoint(tc.in)
			if ReasonOf(err) != tc.reason || (err == nil && u.String() != tc.want) {
				t.Fatalf("got %v, %v; want %q, reason %q", u, err, tc.want, tc.reason)
			}
		})
	}
}

func TestParseOCIEndpoint(t *testing.T) {
	tests := []struct{ name, endpoint, base, host, prefix, reason string }{
		{"a host and port with a base path", "r.example:5000", "acme/packs", "r.example:5000", "acme/packs/spectro-packs/archive/", ""},
		{"an https:// prefix and slashes are dropped", "HTTPS://r.example/", "/acme/", "r.example", "acme/spectro-packs/archive/", ""},
		{"no base path means the registry root", "r.example", "", "r.example", "spectro-packs/archive/", ""},
		{"http is refused", "http://r.example", "", "", "", ReasonBadEndpoint},
		{"a path in the endpoint is refused", "r.example/acme", "", "", "", ReasonBadEndpoint},
		{"credentials in the endpoint are refused", "u:p@r.example", "", "", "", ReasonBadEndpoint},
		{"an upper-case base path is refused", "r.example", "Acme", "", "", ReasonBadEndpoint},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseOCI(Source{Endpoint: tc.endpoint, BaseContentPath: tc.base})
			if ReasonOf(err) != tc.reason {
				t.Fatalf("error %v, want reason %q", err, tc.reason)
			}
			if err == nil && (got.reg.RegistryStr() != tc.host || got.prefix != tc.prefix) {
				t.Fatalf("got %s %q, want %s %q", got.reg.RegistryStr(), got.prefix, tc.host, tc.prefix)
			}
		})
	}
}

func TestNextLinkStaysOnTheRegistryHost(t *testing.T) {
	req := &http.Request{URL: &url.URL{Scheme: "https", Host: "r.example", Path: "/v2/_catalog"}}
	tests := []struct{ name, link, want, err string }{
		{"no Link header ends the listing", "", "", ""},
		{"a relative next link resolves on the registry", `</v2/_catalog?last=a&n=100>; rel="next"`, "https://r.example/v2/_catalog?last=a&n=100", ""},
		{"a link that is not rel=next is ignored", `</v2/_catalog?last=a>; rel="prev"`, "", ""},
		{"a next link to another host is refused", `<https://evil.example/v2/_catalog>; rel="next"`, "", "another host"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp := &http.Response{Header: http.Header{}, Request: req}
			if tc.link != "" {
				resp.Header.Set("Link", tc.link)
			}
			got, err := nextLink(resp)
			if (tc.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.err)) || got != tc.want {
				t.Fatalf("got %q, %v; want %q, error %q", got, err, tc.want, tc.err)
			}
		})
	}
}

// A registry that sends more than it announced is cut off by the bounded
// reader, whatever the descriptor said.
func TestCappedBodiesAndReadsRefuseWhatIsTooLarge(t *testing.T) {
	tests := []struct {
		name string
		size int
		ok   bool
	}{
		{"a body at the limit is read", 10, true},
		{"a body one byte over the limit is refused", 11, false},
		{"a much larger body is refused", 1 << 20, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rt := httpguard.Transport(bodyOf(make([]byte, tc.size)), 10)
			req, _ := http.NewRequest("GET", "https://registry.example/v2/", nil)
			resp, err := rt.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			_, err = io.ReadAll(resp.Body)
			var tl *httpguard.TooLargeError
			if tc.ok != (err == nil) || (!tc.ok && !errors.As(err, &tl)) {
				t.Fatalf("a guarded body: %v", err)
			}
			if !tc.ok && classify(err).Reason != ReasonLimit {
				t.Fatalf("a guarded body classified as %q", classify(err).Reason)
			}
			_, err = readLimited(bytes.NewReader(make([]byte, tc.size)), 10)
			if tc.ok != (err == nil) || (!tc.ok && !errors.As(err, &tl)) {
				t.Fatalf("readLimited: %v", err)
			}
			if !tc.ok && classify(err).Reason != ReasonLimit {
				t.Fatalf("classified as %q", classify(err).Reason)
			}
		})
	}
}

// bodyOf is a round tripper that answers every request with b.
type bodyOf []byte

func (b bodyOf) RoundTrip(*http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: http.StatusOK, Body: io.NopCloser(bytes.NewReader(b))}, nil
}

func TestSelectArchive(t *testing.T) {
	const d1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	const d2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
	layer := func(title, digest string) string {
		a := ""
		if title != "" {
			a = `,"annotations":{"org.opencontainers.image.title":"` + title + `"}`
		}
		return `{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"` + digest + `","size":10` + a + `}`
	}
	manifest := func(config string, layers ...string) string {
		return `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"` + config + `","digest":"` + d1 + `","size":2},"layers":[` + strings.Join(layers, ",") + `]}`
	}
	tests := []struct {
		name, mediaType, raw, want, err string
	}{
		{"the layer titled .tar.gz is picked", ociManifest, manifest("application/vnd.oci.empty.v1+json", layer("README.md", d1), layer("x-1.0.0.tar.gz", d2)), d2, ""},
		{"a .tgz title counts too", ociManifest, manifest("application/vnd.unknown.config.v1+json", layer("X-1.0.0.TGZ", d2)), d2, ""},
		{"a single untitled layer is picked", ociManifest, manifest("application/vnd.oci.empty.v1+json", layer("", d1)), d1, ""},
		{"two archives are refused", ociManifest, manifest("application/vnd.oci.empty.v1+json", layer("a.tgz", d1), layer("b.tgz", d2)), "", "2 layers"},
		{"no layer is refused", ociManifest, manifest("application/vnd.oci.empty.v1+json"), "", "no layers"},
		{"a container image is refused", ociManifest, manifest("application/vnd.oci.image.config.v1+json", layer("", d1)), "", "container image"},
		{"an index is refused", ociIndex, `{"schemaVersion":2,"manifests":[]}`, "", "image index"},
		{"an index served as a manifest is refused", ociManifest, `{"schemaVersion":2,"manifests":[{"mediaType":"x","digest":"` + d1 + `","size":1}]}`, "", "image index"},
		{"another media type is refused", "application/vnd.docker.distribution.manifest.v1+prettyjws", `{}`, "", "not an image manifest"},
		{"JSON that does not parse is refused", ociManifest, `{"layers":`, "", "not valid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := selectArchive(tc.mediaType, []byte(tc.raw))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil || got.Digest.String() != tc.want {
				t.Fatalf("got %v (%v), want %s", got.Digest, err, tc.want)
			}
		})
	}
}

// chartTgz builds a chart archive from name → content.
func chartTgz(files map[string]string) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for n, c := range files {
		_ = tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(c)), Typeflag: tar.TypeReg})
		_, _ = tw.Write([]byte(c))
	}
	_ = tw.Close()
	_ = zw.Close()
	return buf.Bytes()
}

func TestReadChartArchive(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		values string
		err    string
	}{
		{"Chart.yaml and values.yaml are read from the chart folder", map[string]string{"c/Chart.yaml": "name: c", "c/values.yaml": "a: 1"}, "a: 1", ""},
		{"a chart without values.yaml has none", map[string]string{"c/Chart.yaml": "name: c"}, "", ""},
		{"a nested chart's values are not the chart's", map[string]string{"c/Chart.yaml": "name: c", "c/charts/sub/values.yaml": "b: 2"}, "", ""},
		{"an archive without Chart.yaml is not a chart", map[string]string{"c/values.yaml": "a: 1"}, "", "no CHART/Chart.yaml"},
		{"a Chart.yaml at the archive root is not in a chart folder", map[string]string{"Chart.yaml": "name: c"}, "", "no CHART/Chart.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, values, err := readChartArchive(chartTgz(tc.files))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one saying %q", err, tc.err)
				}
				return
			}
			if err != nil || string(values) != tc.values {
				t.Fatalf("values %q (%v), want %q", values, err, tc.values)
			}
		})
	}
}

func FuzzParseIndex(f *testing.F) {
	f.Add([]byte("apiVersion: v1\nentries:\n  nginx:\n  - name: nginx\n    version: 1.0.0\n    urls: [nginx-1.0.0.tgz]\n    digest: abc\n"))
	f.Add([]byte("apiVersion: v1\nentries:\n  a: &x\n  - version: 1.0.0\n    urls: [a.tgz]\n  b: *x\n"))
	f.Add([]byte("apiVersion: v1\nentries: [1, 2]\n"))
	f.Add([]byte("apiVersion: v1\nentries:\n  a: {version: 1}\n  b:\n  - [1]\n  - version: [x]\n"))
	f.Add([]byte("<html></html>"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		idx, err := parseIndex(b)
		if err != nil {
			if idx != nil || ReasonOf(err) != ReasonMalformed || !strings.HasPrefix(err.(*Error).Message, "index.yaml ") {
				t.Fatalf("error %v with index %v", err, idx)
			}
			return
		}
		for _, e := range idx.Entries {
			if e.Name == "" {
				t.Fatalf("an entry without a name: %+v", e)
			}
			if e.Problem == "" && (e.Version == "" || len(e.URLs) == 0) {
				t.Fatalf("a usable entry without a version or URL: %+v", e)
			}
		}
	})
}

func FuzzSelectArchive(f *testing.F) {
	f.Add(ociManifest, []byte(`{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.empty.v1+json","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":2},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a","size":10,"annotations":{"org.opencontainers.image.title":"a-1.0.0.tar.gz"}}]}`))
	f.Add(ociManifest, []byte(`{"layers":[{"digest":"md5:x","size":-1}]}`))
	f.Add(ociIndex, []byte(`{"manifests":[]}`))
	f.Add("", []byte(`null`))
	f.Fuzz(func(t *testing.T, mediaType string, raw []byte) {
		d, err := selectArchive(mediaType, raw)
		if err != nil {
			return
		}
		if d.Size < 0 || (d.Digest.Algorithm != "sha256" && d.Digest.Algorithm != "sha512") {
			t.Fatalf("picked an unusable layer %+v", d)
		}
	})
}

func FuzzChartPack(f *testing.F) {
	f.Add(chartTgz(map[string]string{"c/Chart.yaml": "apiVersion: v2\nname: c\nversion: 1.0.0\n", "c/values.yaml": "a: 1\n"}))
	f.Add(chartTgz(map[string]string{"c/Chart.yaml": "name: [", "c/values.yaml": "a: ["}))
	f.Add([]byte("not gzip"))
	f.Fuzz(func(t *testing.T, b []byte) {
		pk, reason := chartPack(b, "c", "1.0.0")
		if (pk == nil) == (reason == "") {
			t.Fatalf("pack %v with reason %q", pk, reason)
		}
		if pk != nil && (pk.Meta.Name != "c" || pk.Meta.Version != "1.0.0" || pk.Meta.Layer != "addon") {
			t.Fatalf("pack %+v", pk.Meta)
		}
	})
}

// A registry that ignores `last` and lists "/" first (as distribution
// sorts) must not make the catalog stop before the packs.
func TestCatalogDoesNotStopEarlyOnARegistryThatIgnoresLast(t *testing.T) {
	tests := []struct {
		name  string
		repos []string
		want  []string
	}{
		{"a repository sorting before the packs only with / first does not end the listing",
			[]string{"my/zzz", "my-reg/spectro-packs/archive/x", "my-reg/spectro-packs/archive/y"},
			[]string{"my-reg/spectro-packs/archive/x", "my-reg/spectro-packs/archive/y"}},
		{"repositories in plain order are all seen",
			[]string{"a", "my-reg/spectro-packs/archive/x", "zz"},
			[]string{"my-reg/spectro-packs/archive/x"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Path {
				case "/v2/":
					w.WriteHeader(http.StatusOK)
				case "/v2/_catalog":
					_ = json.NewEncoder(w).Encode(map[string][]string{"repositories": tc.repos})
				default:
					http.NotFound(w, r)
				}
			}))
			defer srv.Close()
			src := Source{Kind: KindOCI, Endpoint: strings.TrimPrefix(srv.URL, "https://"), BaseContentPath: "my-reg"}
			r, ctx, cancel, err := start(context.Background(), src, Options{Transport: srv.Client().Transport})
			if err != nil {
				t.Fatal(err)
			}
			defer cancel()
			target, err := parseOCI(src)
			if err != nil {
				t.Fatal(err)
			}
			c, _, err := r.ociClient(ctx, target, r.sourceAuth())
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.catalog(ctx, c, target, &Result{})
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("got %q (%v), want %q", got, err, tc.want)
			}
		})
	}
}
