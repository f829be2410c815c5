package regsync_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/byoos/byoos/regsync"
	"github.com/byoos/byoos/regsync/regtest"
)

func TestSyncHelmRepository(t *testing.T) {
	other := regtest.StartHelmRepo(t, regtest.Chart{Name: "elsewhere", Version: "1.0.0"})
	repo := regtest.StartHelmRepo(t,
		regtest.Chart{Name: "nginx", Version: "1.0.0"},
		regtest.Chart{Name: "nginx", Version: "1.10.0", Values: "replicaCount: 3\n"},
		regtest.Chart{Name: "nginx", Version: "1.9.0"},
		regtest.Chart{Name: "prometheus", Version: "25.0.0", Annotations: map[string]string{"addonType": "monitoring"}},
		regtest.Chart{Name: "absolute", Version: "1.0.0", URL: "PLACEHOLDER"},
		regtest.Chart{Name: "elsewhere", Version: "1.0.0", URL: other.ChartURL("elsewhere", "1.0.0")},
		regtest.Chart{Name: "corrupt", Version: "1.0.0"},
		regtest.Chart{Name: "nodigest", Version: "1.0.0", NoDigest: true},
		regtest.Chart{Name: "garbage", Version: "1.0.0", Raw: []byte("not a chart at all")},
		regtest.Chart{Name: "renamed", Version: "1.0.0", Raw: regtest.BuildChart(t, regtest.Chart{Name: "original", Version: "1.0.0"})},
		regtest.Chart{Name: "plainhttp", Version: "1.0.0", URL: "http://127.0.0.1:1/plainhttp-1.0.0.tgz"},
		regtest.Chart{Name: "badversion", Version: "1.0"},
		regtest.Chart{Name: "Upper", Version: "1.0.0"},
	)
	repo.Corrupt("corrupt", "1.0.0")
	// The absolute URL on the repository's own host is only known once it runs.
	idx := strings.Replace(string(mustGet(t, repo)), "PLACEHOLDER", repo.ChartURL("absolute", "1.0.0"), 1)
	repo.ServeIndex([]byte(idx))
	repo.RequireAuth("helm", "Helm-Distinctive-Secret-4d2b")
	src := repo.Source()
	src.CACert += other.CACertPEM
	before := len(repo.Requests())

	res, err := regsync.Sync(context.Background(), src, regsync.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Skipped {
		t.Logf("skipped %s: %s", s.Ref, s.Reason)
	}
	want := []string{repo.ChartURL("absolute", "1.0.0"), other.ChartURL("elsewhere", "1.0.0"),
		repo.ChartURL("nginx", "1.0.0"), repo.ChartURL("nginx", "1.10.0"), repo.ChartURL("nginx", "1.9.0"),
		repo.ChartURL("nodigest", "1.0.0"), repo.ChartURL("prometheus", "25.0.0")}
	slices.Sort(want)
	if got := refs(res); !slices.Equal(got, want) {
		t.Fatalf("synced %q, want %q", got, want)
	}
	t.Run("a chart becomes an add-on pack for every cloud with the chart's values", func(t *testing.T) {
		for _, p := range res.Packs {
			m := p.Pack.Meta
			if p.Type != "helm" || m.Layer != "addon" || !slices.Equal(m.CloudTypes, []string{"all"}) || m.DisplayName != m.Name || len(p.Archive) == 0 {
				t.Errorf("%s: type %q, meta %+v", p.Ref, p.Type, m)
			}
			if p.Ref == repo.ChartURL("nginx", "1.10.0") && string(p.Pack.Values) != "replicaCount: 3\n" {
				t.Errorf("nginx 1.10.0 values %q", p.Pack.Values)
			}
			if want := map[bool]string{true: "monitoring", false: ""}[m.Name == "prometheus"]; m.AddonType != want {
				t.Errorf("%s: addonType %q, want %q", p.Ref, m.AddonType, want)
			}
		}
	})
	skips := []struct{ name, ref, reason string }{
		{"a chart whose bytes do not match the index's digest is skipped", "corrupt@1.0.0", "sha256"},
		{"a file that is not a chart is skipped", "garbage@1.0.0", "not a gzip archive"},
		{"a chart whose Chart.yaml names another chart is skipped", "renamed@1.0.0", "Chart.yaml is original version 1.0.0"},
		{"a chart URL over plain http is skipped", "plainhttp@1.0.0", "is not https"},
		{"a chart version that is not MAJOR.MINOR.PATCH is skipped", "badversion@1.0", "not MAJOR.MINOR.PATCH"},
		{"a chart whose name is not a pack name is skipped", "Upper@1.0.0", "pack name"},
	}
	for _, tc := range skips {
		t.Run(tc.name, func(t *testing.T) {
			if got := skippedReason(res, tc.ref); !strings.Contains(got, tc.reason) {
				t.Fatalf("skipped reason %q, want it to contain %q", got, tc.reason)
			}
		})
	}
	if len(res.Skipped) != len(skips) {
		t.Errorf("skipped %d, want %d", len(res.Skipped), len(skips))
	}
	t.Run("credentials go with relative and same-host URLs and never to another host", func(t *testing.T) {
		for _, r := range repo.Requests()[before:] {
			if !r.Authorization {
				t.Errorf("the repository got %s without credentials", r.Path)
			}
		}
		got := other.Requests()
		if len(got) != 1 || got[0].Path != "/charts/elsewhere-1.0.0.tgz" || got[0].Authorization {
			t.Errorf("the other host got %+v, want one request for the chart without credentials", got)
		}
	})
}

// mustGet returns the index.yaml a repository serves.
func mustGet(t *testing.T, repo *regtest.HelmRepo) []byte {
	t.Helper()
	c := repo.Source()
	resp, err := (&httpClient{ca: c.CACert}).get(repo.URL + "/index.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestSyncHelmStaysWithinLimits(t *testing.T) {
	repo := regtest.StartHelmRepo(t,
		regtest.Chart{Name: "a", Version: "1.0.0"}, regtest.Chart{Name: "a", Version: "2.0.0"}, regtest.Chart{Name: "a", Version: "3.0.0"},
		regtest.Chart{Name: "b", Version: "1.0.0"}, regtest.Chart{Name: "b", Version: "2.0.0"},
		regtest.Chart{Name: "big", Version: "1.0.0"},
	)
	tests := []struct {
		name string
		lim  regsync.Limits
		want []string
	}{
		{"only the newest version of each chart is kept with one version per pack", regsync.Limits{MaxVersionsPerPack: 1},
			[]string{repo.ChartURL("a", "3.0.0"), repo.ChartURL("b", "2.0.0"), repo.ChartURL("big", "1.0.0")}},
		{"no more chart versions than MaxPacks are read", regsync.Limits{MaxPacks: 2},
			[]string{repo.ChartURL("a", "2.0.0"), repo.ChartURL("a", "3.0.0")}},
		{"every chart version over MaxArchiveBytes is skipped, older ones tried in turn", regsync.Limits{MaxArchiveBytes: 100}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := regsync.Sync(context.Background(), repo.Source(), regsync.Options{Limits: tc.lim})
			if err != nil {
				t.Fatal(err)
			}
			if got := refs(res); !slices.Equal(got, tc.want) {
				t.Fatalf("synced %q, want %q; skipped %+v", got, tc.want, res.Skipped)
			}
			if tc.lim.MaxArchiveBytes > 0 {
				for _, s := range res.Skipped {
					if !strings.HasPrefix(s.Reason, "limit: the chart is larger than 100 bytes") {
						t.Errorf("%s skipped for %q", s.Ref, s.Reason)
					}
				}
				if len(res.Skipped) != 6 {
					t.Errorf("skipped %+v", res.Skipped)
				}
			}
		})
	}
}

func TestCheckHelmRepository(t *testing.T) {
	const password = "Helm-Distinctive-Secret-91ce"
	good := regtest.StartHelmRepo(t, regtest.Chart{Name: "nginx", Version: "1.0.0"})
	authed := regtest.StartHelmRepo(t, regtest.Chart{Name: "nginx", Version: "1.0.0"})
	authed.RequireAuth("helm", password)
	serving := func(index string) regsync.Source {
		r := regtest.StartHelmRepo(t)
		r.ServeIndex([]byte(index))
		return r.Source()
	}
	with := func(src regsync.Source, change func(*regsync.Source)) regsync.Source { change(&src); return src }
	tests := []struct {
		name    string
		src     regsync.Source
		reason  string
		message string
	}{
		{"a repository serving a good index is fine", good.Source(), "", ""},
		{"an endpoint given as the index.yaml URL is fine", with(good.Source(), func(s *regsync.Source) { s.Endpoint += "/index.yaml" }), "", ""},
		{"the right credentials are accepted", authed.Source(), "", ""},
		{"no credentials are unauthorized", with(authed.Source(), func(s *regsync.Source) { s.Username, s.Password = "", "" }), regsync.ReasonUnauthorized, "401"},
		{"a wrong password is unauthorized", with(authed.Source(), func(s *regsync.Source) { s.Password = wrongPassword }), regsync.ReasonUnauthorized, "401"},
		{"a path without index.yaml is not found", with(good.Source(), func(s *regsync.Source) { s.Endpoint += "/missing" }), regsync.ReasonNotFound, "no index.yaml"},
		{"an index that is not YAML is malformed, naming the line", serving("apiVersion: v1\nentries:\n  nginx: [\n"), regsync.ReasonMalformed, "line 3"},
		{"an HTML page is malformed", serving("<html><body>Sign in</body></html>\n"), regsync.ReasonMalformed, "not a mapping"},
		{"an index without apiVersion is malformed", serving("entries: {}\n"), regsync.ReasonMalformed, "no apiVersion"},
		{"an index whose entries are a list is malformed", serving("apiVersion: v1\nentries:\n- a\n"), regsync.ReasonMalformed, "line 3"},
		{"an untrusted certificate is a TLS failure", with(good.Source(), func(s *regsync.Source) { s.CACert = "" }), regsync.ReasonTLS, "certificate"},
		{"a closed port is unreachable", with(good.Source(), func(s *regsync.Source) { s.Endpoint = "https://" + closedPort(t) + "/charts" }), regsync.ReasonUnreachable, "connect"},
		{"a plain http endpoint is refused", with(good.Source(), func(s *regsync.Source) { s.Endpoint = strings.Replace(s.Endpoint, "https:", "http:", 1) }), regsync.ReasonBadEndpoint, "https only"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := regsync.Check(context.Background(), tc.src, regsync.Options{})
			if got := regsync.ReasonOf(err); got != tc.reason {
				t.Fatalf("reason %q (%v), want %q", got, err, tc.reason)
			}
			if err != nil && !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("%q does not say %q", err, tc.message)
			}
			if err != nil {
				assertNoSecret(t, err, tc.src)
				assertNoSecret(t, err, authed.Source())
			}
			_, serr := regsync.Sync(context.Background(), tc.src, regsync.Options{})
			if regsync.ReasonOf(serr) != tc.reason {
				t.Fatalf("sync: reason %q (%v), want %q", regsync.ReasonOf(serr), serr, tc.reason)
			}
		})
	}
}
