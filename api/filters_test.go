package api_test

import (
	"bytes"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/byoos/byoos/pack"
)

// addonTGZ is a pack archive of an addon layer of the given addon type.
func addonTGZ(t *testing.T, name, addonType string) []byte {
	t.Helper()
	p, _, err := pack.FromFiles(map[string][]byte{
		"pack.json":   []byte(`{"name": "` + name + `", "displayName": "` + name + `", "version": "1.0.0", "layer": "addon", "addonType": "` + addonType + `", "cloudTypes": ["all"]}`),
		"values.yaml": []byte("pack:\n  namespace: x\n"),
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := p.Tarball(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// packFilterResult lists the name@version of each pack GET /v1/packs
// answers for filters, sorted.
func packFilterResult(e *env, filters string) []string {
	e.t.Helper()
	var sums struct {
		Items []struct {
			Spec struct{ Name, Version string }
		}
	}
	e.do("GET", "/v1/packs?filters="+url.QueryEscape(filters)+"&limit=50", e.admin, e.project, nil, 200, &sums)
	out := []string{}
	for _, it := range sums.Items {
		out = append(out, it.Spec.Name+"@"+it.Spec.Version)
	}
	slices.Sort(out)
	return out
}

func TestPackFiltersAsTheProviderDocumentsThem(t *testing.T) {
	e := newEnv(t)
	parent := e.t
	var reg struct{ UID string }
	e.do("POST", "/v1/registries/pack", e.admin, e.project, map[string]any{"metadata": map[string]string{"name": "corp"}}, 201, &reg)
	for _, p := range [][2]string{{"corp-prometheus", "monitoring"}, {"corp-nginx", "ingress"}} {
		req, _ := http.NewRequest("POST", e.url+"/v1/registries/pack/"+reg.UID+"/packs", bytes.NewReader(addonTGZ(t, p[0], p[1])))
		req.Header.Set("ApiKey", e.admin)
		req.Header.Set("ProjectUid", e.project)
		resp, err := e.client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 201 {
			t.Fatalf("push %s: %d", p[0], resp.StatusCode)
		}
	}
	var uids struct {
		Items []struct {
			Metadata struct{ UID string }
			Spec     struct{ Version string }
		}
	}
	e.do("GET", "/v1/packs?filters=spec.name%3Dedge-k3s", e.admin, e.project, nil, 200, &uids)
	if len(uids.Items) != 2 {
		t.Fatalf("edge-k3s versions: %+v", uids.Items)
	}
	k3sUID := map[string]string{}
	for _, it := range uids.Items {
		k3sUID[it.Spec.Version] = it.Metadata.UID
	}

	k8sAll := []string{"kubernetes@1.29.14", "kubernetes@1.30.10", "kubernetes@1.31.6", "kubernetes@1.32.3"}
	edgeK8s := []string{"edge-k3s@1.30.6", "edge-k3s@1.31.2", "edge-rke2@1.30.6", "edge-rke2@1.31.2"}
	for _, tc := range []struct {
		name, filters string
		want          []string
	}{
		{"the provider's documented example finds Calico for edge-native above 3.26.9",
			"spec.cloudTypes=edge-nativeANDspec.layer=cniANDspec.displayName=CalicoANDspec.version>3.26.9",
			[]string{"cni-calico@3.28.2", "cni-calico@3.29.1"}},
		{"cloud aws then edge-native (as the provider sends it) finds the packs of both clouds",
			"spec.layer=k8sANDspec.cloudTypes_in_aws,edge-native,all", append(slices.Clone(edgeK8s), k8sAll...)},
		{"cloud edge-native then aws finds the same packs",
			"spec.layer=k8sANDspec.cloudTypes_in_edge-native,aws,all", append(slices.Clone(edgeK8s), k8sAll...)},
		{"a cloud list finds the packs for all clouds too",
			"spec.layer=cniANDspec.cloudTypes_in_vsphere,all", []string{"cni-calico@3.28.2", "cni-calico@3.29.1"}},
		{"a cloud list leaves out the packs of other clouds only",
			"spec.layer=csiANDspec.cloudTypes_in_azure,vsphere,all", []string{"csi-azure@1.31.2", "csi-vsphere-csi@3.3.1"}},
		{"OR finds the packs of either side",
			"spec.name=csi-azureORspec.name=edge-native-byoiANDspec.version=2.1.0", []string{"csi-azure@1.31.2", "edge-native-byoi@2.1.0"}},
		{"greater than compares as versions, not as text",
			"spec.name=kubernetesANDspec.version>1.4", k8sAll},
		{"greater than or equal keeps the bound",
			"spec.name=kubernetesANDspec.version>=1.30.10", []string{"kubernetes@1.30.10", "kubernetes@1.31.6", "kubernetes@1.32.3"}},
		{"less than leaves the bound out",
			"spec.name=kubernetesANDspec.version<1.30.10", []string{"kubernetes@1.29.14"}},
		{"less than or equal keeps the bound",
			"spec.name=edge-k3sANDspec.version<=1.30.6", []string{"edge-k3s@1.30.6"}},
		{"a version range is two comparisons",
			"spec.version>1.30.6ANDspec.version<1.32.0ANDspec.layer=k8s", []string{"edge-k3s@1.31.2", "edge-rke2@1.31.2", "kubernetes@1.30.10", "kubernetes@1.31.6"}},
		{"displayName matches the display name",
			"spec.displayName=Palette Optimized K3s", []string{"edge-k3s@1.30.6", "edge-k3s@1.31.2"}},
		{"displayName_in_ matches any of the names",
			"spec.displayName_in_Palette Optimized RKE2,Azure Disk CSI", []string{"csi-azure@1.31.2", "edge-rke2@1.30.6", "edge-rke2@1.31.2"}},
		{"addonType matches the addon type",
			"spec.addonType=monitoring", []string{"corp-prometheus@1.0.0"}},
		{"registryUid and addonType_in_ narrow to the registry's packs",
			"spec.registryUid=" + reg.UID + "ANDspec.addonType_in_ingress,monitoring", []string{"corp-nginx@1.0.0", "corp-prometheus@1.0.0"}},
		{"metadata.uid OR metadata.uid finds both versions",
			"metadata.uid=" + k3sUID["1.30.6"] + "ORmetadata.uid=" + k3sUID["1.31.2"], []string{"edge-k3s@1.30.6", "edge-k3s@1.31.2"}},
		{"metadata.uid with a version that is not its own finds nothing",
			"metadata.uid=" + k3sUID["1.30.6"] + "ANDspec.version>1.31.0", []string{}},
		{"a value may hold OR and AND that no field follows",
			"spec.displayName=ANDORACLE", []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			defer func() { e.t = parent }()
			slices.Sort(tc.want)
			if got := packFilterResult(e, tc.filters); !slices.Equal(got, tc.want) {
				t.Errorf("filters %s:\n got %v\nwant %v", tc.filters, got, tc.want)
			}
		})
	}
}

func TestPackFiltersThatAreNotUnderstoodAre400NamingThePart(t *testing.T) {
	e := newEnv(t)
	parent := e.t
	for _, tc := range []struct{ name, filters, want string }{
		{"an unknown field is named", "spec.name=kubernetesANDspec.bogus>1", `field "spec.bogus" is not supported`},
		{"an unknown field in an OR branch is named", "spec.name=kubernetesORspec.color=red", `field "spec.color" is not supported`},
		{"a comparison on a field that is not a version is named", "spec.layer>cni", `operator ">" is not supported for spec.layer`},
		{"an unknown operator is named", "spec.name!=kubernetes", `operator "!=" is not supported`},
		{"a comparison with a value that is not a version is named", "spec.version>=banana", `"banana" is not a version`},
		{"a term without an operator is quoted", "nonsense", `term "nonsense" is not field=value`},
		{"a term without a value is quoted", "spec.layer=k8sANDspec.version>", `term "spec.version>" has no value`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			defer func() { e.t = parent }()
			var out struct{ Code, Message string }
			e.do("GET", "/v1/packs?filters="+url.QueryEscape(tc.filters), e.admin, e.project, nil, 400, &out)
			if !strings.Contains(out.Message, tc.want) || !strings.HasPrefix(out.Message, "filters: ") {
				t.Errorf("filters %s: message %q, want it to hold %q", tc.filters, out.Message, tc.want)
			}
		})
	}
}
