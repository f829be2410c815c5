package macro_test

import (
	"testing"

	"github.com/byoos/byoos/macro"
	"github.com/byoos/byoos/values"
)

// BenchmarkResolve measures the hot paths: a typical value with one pack
// reference and one pipeline (the pipeline parsed once and cached), and a
// value without macros.
func BenchmarkResolve(b *testing.B) {
	d, err := values.Parse([]byte("version: 1.29.5\n"))
	if err != nil {
		b.Fatal(err)
	}
	c := &macro.Context{Packs: map[string]*values.Doc{"kubernetes": d}}
	e := macro.New()
	b.Run("one pack reference and one pipeline", func(b *testing.B) {
		const text = `k8s: "v{{ .spectro.pack.kubernetes.version | default \"1.19.0\" }}"`
		if r := e.Resolve(c, "p", text); r.Text != `k8s: "v1.29.5"` || len(r.Issues) != 0 {
			b.Fatalf("%+v", r)
		}
		b.ReportAllocs()
		for b.Loop() {
			e.Resolve(c, "p", text)
		}
	})
	b.Run("edge-native-byoi image through its own options", func(b *testing.B) {
		c := &macro.Context{
			System: map[string]string{"kubernetes.version": "1.29.5"},
			Packs:  map[string]*values.Doc{"edge-native-byoi": mustParse(b, edgeValues)},
		}
		const text = `image: "{{.spectro.pack.edge-native-byoi.options.system.uri}}"`
		b.ReportAllocs()
		for b.Loop() {
			e.Resolve(c, "edge-native-byoi", text)
		}
	})
	b.Run("no macro", func(b *testing.B) {
		const text = "registry: ttl.sh/ubuntu:k3s-1.29.5-v4.4.0-demo # a plain value"
		b.ReportAllocs()
		for b.Loop() {
			e.Resolve(c, "p", text)
		}
	})
}
