package api_test

import (
	"bytes"
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/store"
	"github.com/byoos/byoos/wire"
)

// metaTGZ is a pack archive from its pack.json.
func metaTGZ(t *testing.T, meta string) []byte {
	t.Helper()
	p, _, err := pack.FromFiles(map[string][]byte{"pack.json": []byte(meta), "values.yaml": []byte("pack:\n  namespace: x\n"), "README.md": []byte("# x\n")})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := p.Tarball(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// helmRegistry stores a tenant-wide registry of kind helm holding one chart
// pack, as a Helm registry's sync leaves it, and returns its uid.
func (e *env) helmRegistry(name string, archive []byte) string {
	e.t.Helper()
	ctx := context.Background()
	var who wire.UserInfo
	e.do("GET", "/v1/users/info", e.admin, "", nil, 200, &who)
	reg := store.Registry{Name: name, Kind: "helm", TenantUID: who.TenantUID}
	if err := e.st.CreateRegistry(ctx, &reg, store.AuditEvent{TenantUID: who.TenantUID, Action: "registry.create"}); err != nil {
		e.t.Fatal(err)
	}
	// Stored as a Helm registry's sync stores a chart: with type helm.
	pk, _, err := pack.LoadTarball(bytes.NewReader(archive))
	if err != nil {
		e.t.Fatal(err)
	}
	v := store.PackVersion{Name: pk.Meta.Name, Version: pk.Meta.Version, Layer: pk.Meta.Layer, DisplayName: pk.Meta.DisplayName,
		CloudTypes: pk.Meta.AllClouds(), AddonType: pk.Meta.AddonType, Digest: pk.Digest, Archive: archive, Type: "helm"}
	if err := e.st.ReplaceRegistryPacks(ctx, who.TenantUID, reg.UID, []store.PackVersion{v}, store.RegistrySync{Status: store.SyncCompleted}, store.AuditEvent{TenantUID: who.TenantUID, Action: "registry.sync"}); err != nil {
		e.t.Fatal(err)
	}
	return reg.UID
}

type packSearchResp struct {
	Items []struct {
		Metadata struct{ Name, UID string }
		Spec     struct {
			Name, Type, Layer, AddonType string
			Registries                   []struct{ UID, Name, LatestVersion string }
		}
	}
	Listmeta struct {
		Continue             string
		Count, Limit, Offset int
	}
}

func (r packSearchResp) names() []string {
	out := []string{}
	for _, it := range r.Items {
		out = append(out, it.Spec.Name)
	}
	return out
}

func TestPackSearchHonoursTypeAddOnTypeSourceSortAndPages(t *testing.T) {
	onBothEngines(t, func(t *testing.T, e *env) {
		helm := e.helmRegistry("charts", metaTGZ(t, `{"name": "ingress-nginx", "displayName": "Ingress NGINX", "version": "4.11.0", "layer": "addon", "addonType": "ingress", "cloudTypes": ["all"]}`))
		corp := e.registry(e.admin, e.project, "corp", "project")
		e.mustPush(e.admin, e.project, corp, metaTGZ(t, `{"name": "prom", "displayName": "Prometheus", "version": "1.0.0", "layer": "addon", "addonType": "monitoring", "addonSubType": "metrics", "cloudTypes": ["all"], "annotations": {"source": "community"}}`))
		search := func(query string, body any) packSearchResp {
			t.Helper()
			var out packSearchResp
			e.do("POST", "/v1/packs/search"+query, e.admin, e.project, body, 200, &out)
			return out
		}
		t.Run("type helm selects the Helm registry's chart, typed helm", func(t *testing.T) {
			got := search("", map[string]any{"filter": map[string]any{"type": []string{"helm"}}})
			if len(got.Items) != 1 || got.Items[0].Spec.Name != "ingress-nginx" || got.Items[0].Spec.Type != "helm" || got.Items[0].Spec.Registries[0].UID != helm {
				t.Fatalf("items = %+v, want ingress-nginx of type helm in %s", got.Items, helm)
			}
			var sums struct {
				Items []struct{ Spec struct{ Type string } }
			}
			e.do("GET", "/v1/packs?filters="+url.QueryEscape("spec.name=ingress-nginx"), e.admin, e.project, nil, 200, &sums)
			if len(sums.Items) != 1 || sums.Items[0].Spec.Type != "helm" {
				t.Errorf("GET /v1/packs answers %+v, want the same type helm", sums.Items)
			}
		})
		t.Run("type spectro leaves the chart out", func(t *testing.T) {
			got := search("", map[string]any{"filter": map[string]any{"type": []string{"spectro"}}})
			if slices.Contains(got.names(), "ingress-nginx") || !slices.Contains(got.names(), "prom") {
				t.Fatalf("names = %v, want prom and not ingress-nginx", got.names())
			}
		})
		t.Run("addOnType and addOnSubType select by the pack's", func(t *testing.T) {
			if got := search("", map[string]any{"filter": map[string]any{"addOnType": []string{"monitoring"}}}); !slices.Equal(got.names(), []string{"prom"}) {
				t.Errorf("addOnType monitoring: %v", got.names())
			}
			if got := search("", map[string]any{"filter": map[string]any{"addOnSubType": []string{"metrics"}}}); !slices.Equal(got.names(), []string{"prom"}) {
				t.Errorf("addOnSubType metrics: %v", got.names())
			}
		})
		t.Run("source community selects the pushed pack that says so; spectrocloud the Public Repo's", func(t *testing.T) {
			if got := search("", map[string]any{"filter": map[string]any{"source": []string{"community"}}}); !slices.Equal(got.names(), []string{"prom"}) {
				t.Errorf("source community: %v", got.names())
			}
			got := search("", map[string]any{"filter": map[string]any{"source": []string{"spectrocloud"}}})
			if len(got.Items) == 0 || slices.Contains(got.names(), "prom") || slices.Contains(got.names(), "ingress-nginx") {
				t.Errorf("source spectrocloud: %v, want the Public Repo's packs only", got.names())
			}
		})
		t.Run("pages sorted by name descending follow the continue token to the end", func(t *testing.T) {
			body := map[string]any{"sort": []map[string]string{{"field": "name", "order": "desc"}}}
			whole := search("", body)
			if !slices.IsSortedFunc(whole.names(), func(a, b string) int { return strings.Compare(b, a) }) || len(whole.Items) < 5 {
				t.Fatalf("names = %v, want them by name descending", whole.names())
			}
			var paged []string
			cont := ""
			for pages := 0; ; pages++ {
				if pages > 20 {
					t.Fatal("the continue tokens never end")
				}
				q := "?limit=2"
				if cont != "" {
					q += "&continue=" + url.QueryEscape(cont)
				}
				got := search(q, body)
				if got.Listmeta.Limit != 2 || got.Listmeta.Count != len(got.Items) || got.Listmeta.Offset != 2*pages {
					t.Fatalf("page %d listmeta = %+v", pages, got.Listmeta)
				}
				paged = append(paged, got.names()...)
				if cont = got.Listmeta.Continue; cont == "" {
					break
				}
			}
			if !slices.Equal(paged, whole.names()) {
				t.Fatalf("pages = %v, want %v", paged, whole.names())
			}
			if got := search("?limit=1&offset=2", body); !slices.Equal(got.names(), whole.names()[2:3]) {
				t.Errorf("offset 2: %v, want %v", got.names(), whole.names()[2:3])
			}
		})
		t.Run("a body-less search lists everything", func(t *testing.T) {
			if got := search("", nil); len(got.Items) < 10 || got.Listmeta.Count != len(got.Items) {
				t.Errorf("items %v, listmeta %+v", got.names(), got.Listmeta)
			}
		})
	})
}

func TestWrongPackSearchValuesAre400sNamingTheField(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name  string
		query string
		body  string
		want  string
	}{
		{"an unknown type", "", `{"filter":{"type":["spectro","chart"]}}`, `filter.type[1]: \"chart\"`},
		{"an unknown layer", "", `{"filter":{"layer":["storage"]}}`, `filter.layer[0]`},
		{"a pack state", "", `{"filter":{"state":["deprecated"]}}`, `filter.state[0]`},
		{"FIPS compliance", "", `{"filter":{"isFips":true}}`, `filter.isFips`},
		{"an unknown sort field", "", `{"sort":[{"field":"version"}]}`, `sort[0].field: \"version\"`},
		{"an unknown sort order", "", `{"sort":[{"field":"name","order":"sideways"}]}`, `sort[0].order`},
		{"a negative limit", "?limit=-5", `{}`, "limit -5"},
		{"a limit that is not a number", "?limit=ten", `{}`, `limit=\"ten\"`},
		{"a negative offset", "?offset=-1", `{}`, "offset -1"},
		{"a continue token this server did not give", "?continue=bogus", `{}`, "continue:"},
		{"a type that is not a list", "", `{"filter":{"type":"helm"}}`, "filter.type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := e.do("POST", "/v1/packs/search"+tt.query, e.admin, e.project, tt.body, 400, nil)
			if !strings.Contains(string(raw), tt.want) || !strings.Contains(string(raw), `"code":"BadRequest"`) {
				t.Fatalf("body %s does not say %s with code BadRequest", raw, tt.want)
			}
		})
	}
}
