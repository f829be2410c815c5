package catalog

import (
	"testing"

	"github.com/byoos/byoos/finding"
	"github.com/byoos/byoos/pack"
)

func TestEveryBuiltInPackLoadsWithoutErrors(t *testing.T) {
	repo, err := PublicRepo()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range repo.All() {
		_, fl, err := pack.LoadFS(FS(), "packs/"+p.Meta.Name+"-"+p.Meta.Version)
		if err != nil {
			t.Errorf("%s: %v", p.Ref(), err)
		}
		for _, f := range fl {
			if f.Severity != finding.Info {
				t.Errorf("%s: %s", p.Ref(), f)
			}
		}
		if p.Readme == "" {
			t.Errorf("%s has no README", p.Ref())
		}
	}
}

func TestTheBYOOSPacksAreBuiltIn(t *testing.T) {
	repo, err := PublicRepo()
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		name, tag, version, layer string
		clouds                    []string
	}{
		{"generic-byoi", "1.0.x", "1.0.0", "os", []string{"aws", "azure", "vsphere"}},
		{"edge-native-byoi", "1.0.0", "1.0.0", "os", []string{"edge-native"}},
		{"edge-native-byoi", "2.1.x", "2.1.0", "os", []string{"edge-native"}},
		{"kubernetes", "1.29.x", "1.29.14", "k8s", []string{"aws"}},
		{"kubernetes", "1.32.x", "1.32.3", "k8s", []string{"azure"}},
		{"edge-k3s", "1.30.x", "1.30.6", "k8s", []string{"edge-native"}},
		{"edge-rke2", "1.31.x", "1.31.2", "k8s", []string{"edge-native"}},
		{"cni-calico", "3.29.x", "3.29.1", "cni", []string{"aws", "edge-native"}},
		{"csi-aws-ebs", "1.36.x", "1.36.0", "csi", []string{"aws"}},
	}
	for _, w := range want {
		p, err := repo.Get(w.name, w.tag)
		if err != nil {
			t.Errorf("%s@%s: %v", w.name, w.tag, err)
			continue
		}
		if p.Meta.Version != w.version || p.Meta.Layer != w.layer {
			t.Errorf("%s@%s = %s %s, want %s %s", w.name, w.tag, p.Meta.Version, p.Meta.Layer, w.version, w.layer)
		}
		for _, c := range w.clouds {
			if !p.Meta.Supports(c) {
				t.Errorf("%s does not support %s", p.Ref(), c)
			}
		}
	}
	edge, _ := repo.Get("edge-native-byoi", "2.1.0")
	for _, path := range []string{"providerCredentials.password", "providerCredentials.certificate"} {
		if !edge.IsSecret(path) {
			t.Errorf("edge-native-byoi schema does not mark %s as a secret", path)
		}
	}
	if edge.IsSecret("providerCredentials.username") {
		t.Error("username marked as a secret")
	}
	if n, ok := edge.Defaults.Lookup("options.system.uri"); !ok || n.Value == "" {
		t.Error("edge-native-byoi has no options.system.uri default")
	}
}

func BenchmarkPublicRepo(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := PublicRepo(); err != nil {
			b.Fatal(err)
		}
	}
}
