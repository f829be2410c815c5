package service_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/byoos/byoos/catalog"
	"github.com/byoos/byoos/pack"
	"github.com/byoos/byoos/regsync"
	"github.com/byoos/byoos/service"
	"github.com/byoos/byoos/wire"
)

// kindIndex is an index whose registries are all of one kind and whose
// packs are all of one type, as a store index of Helm registries is (the
// sync stores a chart's versions with type helm).
type kindIndex struct {
	service.Index
	kind, typ string
}

func (ix kindIndex) Registries(ctx context.Context) ([]service.Registry, error) {
	regs, err := ix.Index.Registries(ctx)
	for i := range regs {
		regs[i].Kind = ix.kind
	}
	return regs, err
}

func (ix kindIndex) Find(ctx context.Context, q service.Query) ([]service.Entry, error) {
	es, err := ix.Index.Find(ctx, q)
	for i := range es {
		es[i].Type = ix.typ
	}
	return es, err
}

// packOf builds a pack from its pack.json.
func packOf(t testing.TB, meta string) *pack.Pack {
	t.Helper()
	p, _, err := pack.FromFiles(map[string][]byte{pack.MetaFile: []byte(meta), "values.yaml": []byte("a: 1\n")})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// searchFixture is a resolver over the Public Repo, a --pack-dir repo of
// add-ons and a Helm registry.
func searchFixture(t testing.TB) *service.Resolver {
	t.Helper()
	local := pack.NewRepo("pack-dir",
		packOf(t, `{"name": "prom", "displayName": "Prometheus", "version": "1.0.0", "layer": "addon", "addonType": "monitoring", "addonSubType": "metrics", "cloudTypes": ["all"], "annotations": {"source": "community"}}`),
		packOf(t, `{"name": "prom", "displayName": "Prometheus", "version": "1.2.0", "layer": "addon", "addonType": "monitoring", "addonSubType": "metrics", "cloudTypes": ["all"], "annotations": {"source": "community"}}`),
		packOf(t, `{"name": "fluent", "displayName": "Fluent Bit", "version": "3.0.0", "layer": "addon", "addonType": "logging", "cloudTypes": ["aws"]}`),
		packOf(t, `{"name": "plain-os", "displayName": "Plain OS", "version": "1.0.0", "layer": "os", "cloudTypes": ["vsphere"]}`),
	)
	charts := pack.NewRepo("charts",
		packOf(t, `{"name": "ingress-nginx", "displayName": "ingress-nginx", "version": "4.11.0", "layer": "addon", "addonType": "ingress", "cloudTypes": ["all"]}`),
	)
	return service.NewResolver(service.NewMemoryIndex(service.PublicRegistry(public(t)), service.LocalRegistry(local)),
		kindIndex{Index: service.NewMemoryIndex(service.LocalRegistry(charts)), kind: regsync.KindHelm, typ: service.PackTypeHelm})
}

func names(r *wire.PackSearchResult) []string {
	out := []string{}
	for _, it := range r.Items {
		out = append(out, it.Spec.Name)
	}
	return out
}

func TestAPacksTypeIsSpectroUnlessItWasStoredAsAnother(t *testing.T) {
	for typ, want := range map[string]string{"helm": "helm", "": "spectro", "spectro": "spectro"} {
		if got := (service.Entry{Type: typ}).PackType(); got != want {
			t.Errorf("Entry{Type: %q}.PackType() = %q, want %q", typ, got, want)
		}
	}
}

func TestPackSearchFiltersSelectWhatTheyName(t *testing.T) {
	res := searchFixture(t)
	ctx := context.Background()
	all := []string{"cni-calico", "csi-aws-ebs", "csi-azure", "csi-vsphere-csi", "edge-k3s", "edge-native-byoi", "edge-rke2", "generic-byoi", "kubernetes"}
	tests := []struct {
		name   string
		filter wire.PackFilter
		want   []string // sorted
	}{
		{"type helm selects the Helm registry's packs only", wire.PackFilter{Type: []string{"helm"}}, []string{"ingress-nginx"}},
		{"type spectro leaves the Helm registry's packs out", wire.PackFilter{Type: []string{"spectro"}}, append(slices.Clone(all), "fluent", "plain-os", "prom")},
		{"type manifest or oci selects nothing, as no registry holds such packs", wire.PackFilter{Type: []string{"manifest", "oci"}}, []string{}},
		{"addOnType selects packs of those add-on types", wire.PackFilter{AddOnType: []string{"monitoring", "ingress"}}, []string{"ingress-nginx", "prom"}},
		{"addOnType with the empty string selects packs without an add-on type", wire.PackFilter{AddOnType: []string{""}}, append(slices.Clone(all), "plain-os")},
		{"addOnSubType selects by pack.json's addonSubType", wire.PackFilter{AddOnSubType: []string{"metrics"}}, []string{"prom"}},
		{"source spectrocloud selects the Public Repo's packs", wire.PackFilter{Source: []string{"spectrocloud"}}, all},
		{"source community selects packs whose pack.json says so", wire.PackFilter{Source: []string{"community"}}, []string{"prom"}},
		{"layer selects packs of those layers", wire.PackFilter{Layer: []string{"os"}, RegistryUID: []string{service.LocalRegistry(pack.NewRepo("pack-dir")).UID}}, []string{"plain-os"}},
		{"environment selects packs for that cloud or for all", wire.PackFilter{Environment: []string{"aws"}, Layer: []string{"addon"}}, []string{"fluent", "ingress-nginx", "prom"}},
		{"a name that contains a part, ignoring case", wire.PackFilter{Name: &wire.FilterString{Contains: "BYOI", IgnoreCase: true}}, []string{"edge-native-byoi", "generic-byoi"}},
		{"a display name that begins with a prefix", wire.PackFilter{DisplayName: &wire.FilterString{BeginsWith: "Fluent"}}, []string{"fluent"}},
		{"empty strings in type and layer lists select everything, as null does", wire.PackFilter{Type: []string{""}, Layer: []string{""}}, append(slices.Clone(all), "fluent", "ingress-nginx", "plain-os", "prom")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := service.SearchPacks(ctx, res, &wire.PackSearch{Filter: tt.filter}, service.Page{Limit: service.MaxSearchLimit})
			if err != nil {
				t.Fatal(err)
			}
			ns := names(got)
			slices.Sort(ns)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(ns, want) {
				t.Fatalf("names = %v, want %v", ns, want)
			}
		})
	}
}

func TestPackSearchItemsCarryTypeAndNewestVersionPerRegistry(t *testing.T) {
	got, err := service.SearchPacks(context.Background(), searchFixture(t), &wire.PackSearch{Filter: wire.PackFilter{Layer: []string{"addon"}}}, service.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range got.Items {
		switch it.Spec.Name {
		case "ingress-nginx":
			if it.Spec.Type != "helm" || it.Spec.Registries[0].Name != "charts" {
				t.Errorf("ingress-nginx = %+v, want type helm in registry charts", it.Spec)
			}
		case "prom":
			if it.Spec.Type != "spectro" || len(it.Spec.Registries) != 1 || it.Spec.Registries[0].LatestVersion != "1.2.0" || it.Spec.Registries[0].Scope != service.ScopeSystem {
				t.Errorf("prom = %+v, want type spectro, one registry at 1.2.0", it.Spec)
			}
		}
	}
}

func TestTheProvidersSearchBodyStillFindsItsPack(t *testing.T) {
	body := `{"filter":{"addOnSubType":null,"addOnType":["load balancer","ingress","logging","monitoring","security","authentication","servicemesh","system app","app services","registry","csi","cni","integration",""],"environment":["all"],"layer":["kernel","os","k8s","cni","csi","addon"],"name":{"eq":"edge-native-byoi"},"registryUid":["` + catalog.RepoUID + `"],"source":null,"state":null,"type":["spectro","helm","manifest","oci"]},"sort":null}`
	var in wire.PackSearch
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatal(err)
	}
	got, err := service.SearchPacks(context.Background(), searchFixture(t), &in, service.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != 1 || got.Items[0].Spec.Registries[0].LatestVersion != "2.1.0" || got.Listmeta.Continue != "" {
		t.Fatalf("items = %+v, listmeta %+v; want edge-native-byoi at 2.1.0, one page", got.Items, got.Listmeta)
	}
}

func TestPackSearchSortsByEachField(t *testing.T) {
	res := searchFixture(t)
	tests := []struct {
		name string
		sort []wire.PackSortSpec
		key  func(wire.PackMetadata) string
		desc bool
	}{
		{"name descending", []wire.PackSortSpec{{Field: "name", Order: "desc"}}, func(m wire.PackMetadata) string { return m.Spec.Name }, true},
		{"type ascending, then name", []wire.PackSortSpec{{Field: "type"}}, func(m wire.PackMetadata) string { return m.Spec.Type + "/" + m.Spec.Name }, false},
		{"layer, then name", []wire.PackSortSpec{{Field: "layer", Order: "asc"}}, func(m wire.PackMetadata) string { return m.Spec.Layer + "/" + m.Spec.Name }, false},
		{"add-on type in capitals DESC, then name ascending", []wire.PackSortSpec{{Field: "addOnType", Order: "DESC"}}, func(m wire.PackMetadata) string { return m.Spec.AddonType }, true},
		{"display name", []wire.PackSortSpec{{Field: "displayName"}}, func(m wire.PackMetadata) string { return m.Spec.DisplayName + "/" + m.Spec.Name }, false},
		{"an empty field sorts by name", []wire.PackSortSpec{{Order: "desc"}}, func(m wire.PackMetadata) string { return m.Spec.Name }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := service.SearchPacks(context.Background(), res, &wire.PackSearch{Sort: tt.sort}, service.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Items) != 13 {
				t.Fatalf("%d items, want 13", len(got.Items))
			}
			for i := 1; i < len(got.Items); i++ {
				a, b := tt.key(got.Items[i-1]), tt.key(got.Items[i])
				if (!tt.desc && a > b) || (tt.desc && a < b) {
					t.Fatalf("items %d and %d out of order: %q then %q (%v)", i-1, i, a, b, names(got))
				}
				if a == b && got.Items[i-1].Spec.Name > got.Items[i].Spec.Name {
					t.Fatalf("a tie is not broken by name: %v", names(got))
				}
			}
		})
	}
}

func TestPackSearchWithoutSortKeepsResolutionOrder(t *testing.T) {
	got, err := service.SearchPacks(context.Background(), searchFixture(t), &wire.PackSearch{}, service.Page{})
	if err != nil {
		t.Fatal(err)
	}
	if ns := names(got); ns[0] != "cni-calico" || ns[len(ns)-1] != "ingress-nginx" {
		t.Fatalf("names = %v, want the Public Repo's first and the Helm registry's last", ns)
	}
}

func TestPackSearchPagesFollowTheContinueTokenToTheEnd(t *testing.T) {
	res := searchFixture(t)
	ctx := context.Background()
	in := &wire.PackSearch{Sort: []wire.PackSortSpec{{Field: "name"}}}
	whole, err := service.SearchPacks(ctx, res, in, service.Page{})
	if err != nil {
		t.Fatal(err)
	}
	var paged []string
	page := service.Page{Limit: 4}
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("the continue tokens never end")
		}
		got, err := service.SearchPacks(ctx, res, in, page)
		if err != nil {
			t.Fatal(err)
		}
		if got.Listmeta.Count != len(got.Items) || got.Listmeta.Limit != 4 || got.Listmeta.Offset != 4*pages {
			t.Fatalf("page %d listmeta = %+v", pages, got.Listmeta)
		}
		paged = append(paged, names(got)...)
		if got.Listmeta.Continue == "" {
			break
		}
		page.Continue = got.Listmeta.Continue
	}
	if !slices.Equal(paged, names(whole)) {
		t.Fatalf("pages = %v, want %v", paged, names(whole))
	}
	mid, err := service.SearchPacks(ctx, res, in, service.Page{Limit: 2, Offset: 3})
	if err != nil || !slices.Equal(names(mid), names(whole)[3:5]) || mid.Listmeta.Continue == "" {
		t.Fatalf("offset 3 limit 2 = %v, %+v, %v; want %v with a continue token", names(mid), mid.Listmeta, err, names(whole)[3:5])
	}
	past, err := service.SearchPacks(ctx, res, in, service.Page{Offset: 100})
	if err != nil || len(past.Items) != 0 || past.Listmeta.Continue != "" {
		t.Fatalf("an offset past the end = %v, %+v, %v; want no items and no token", names(past), past.Listmeta, err)
	}
}

func TestWrongPackSearchValuesAre400sNamingTheField(t *testing.T) {
	res := searchFixture(t)
	ctx := context.Background()
	sorted := &wire.PackSearch{Sort: []wire.PackSortSpec{{Field: "name"}}}
	first, err := service.SearchPacks(ctx, res, sorted, service.Page{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   *wire.PackSearch
		page service.Page
		want string
	}{
		{"an unknown type", &wire.PackSearch{Filter: wire.PackFilter{Type: []string{"spectro", "chart"}}}, service.Page{}, `filter.type[1]: "chart"`},
		{"an unknown layer", &wire.PackSearch{Filter: wire.PackFilter{Layer: []string{"storage"}}}, service.Page{}, `filter.layer[0]: "storage"`},
		{"a pack state, which byoos does not model", &wire.PackSearch{Filter: wire.PackFilter{State: []string{"deprecated"}}}, service.Page{}, `filter.state[0]`},
		{"FIPS compliance, which byoos does not record", &wire.PackSearch{Filter: wire.PackFilter{IsFips: true}}, service.Page{}, `filter.isFips`},
		{"an unknown sort field", &wire.PackSearch{Sort: []wire.PackSortSpec{{Field: "name"}, {Field: "version"}}}, service.Page{}, `sort[1].field: "version"`},
		{"an unknown sort order", &wire.PackSearch{Sort: []wire.PackSortSpec{{Field: "name", Order: "up"}}}, service.Page{}, `sort[0].order: "up"`},
		{"a negative limit", &wire.PackSearch{}, service.Page{Limit: -1}, "limit -1"},
		{"a limit over the most", &wire.PackSearch{}, service.Page{Limit: service.MaxSearchLimit + 1}, "limit 501"},
		{"a negative offset", &wire.PackSearch{}, service.Page{Offset: -3}, "offset -3"},
		{"a continue token this server did not give", &wire.PackSearch{}, service.Page{Continue: "garbage!"}, "continue:"},
		{"a continue token of another sort", &wire.PackSearch{Sort: []wire.PackSortSpec{{Field: "name", Order: "desc"}}}, service.Page{Continue: first.Listmeta.Continue}, "continue: the token belongs to another filter or sort"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := service.SearchPacks(ctx, res, tt.in, tt.page)
			var se *service.Error
			if !errors.As(err, &se) || se.Code != wire.CodeBadRequest || !strings.Contains(se.Message, tt.want) {
				t.Fatalf("error = %v, want a %s saying %q", err, wire.CodeBadRequest, tt.want)
			}
		})
	}
}

func FuzzSearchPacks(f *testing.F) {
	res := searchFixture(f)
	f.Add(`{"filter":{"type":["helm"],"layer":["addon"]},"sort":[{"field":"name","order":"desc"}]}`, "", 2, 0)
	f.Add(`{"filter":{"source":["community"],"addOnSubType":["metrics"]}}`, "", 0, 1)
	f.Add(`{"sort":[{"field":"layer"}]}`, "MTAuMTIz", 3, 0)
	f.Fuzz(func(t *testing.T, body, cont string, limit, offset int) {
		var in wire.PackSearch
		if json.Unmarshal([]byte(body), &in) != nil {
			return
		}
		out, err := service.SearchPacks(context.Background(), res, &in, service.Page{Limit: limit, Continue: cont, Offset: offset})
		if err != nil {
			var se *service.Error
			if !errors.As(err, &se) || se.Code != wire.CodeBadRequest {
				t.Fatalf("SearchPacks(%s) = %v, want a 400 verdict", body, err)
			}
			return
		}
		if out.Listmeta.Count != len(out.Items) || len(out.Items) > out.Listmeta.Limit || out.Listmeta.Offset < 0 {
			t.Fatalf("SearchPacks(%s) page %+v with %d items", body, out.Listmeta, len(out.Items))
		}
	})
}
